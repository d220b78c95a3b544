// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers shared by every ipxr command: errors and exit codes, the one table dispatcher, the
 * address and prefix parsers (inet_pton plus the short forms ip accepts), device name caches.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "json_print.h"
#include "utils.h"

struct ipxr_global ipxr;

static void vreport(const char *level, const char *fmt, va_list ap)
{
	if (ipxr.batch_file)
		fprintf(stderr, "%s:%lu: ", ipxr.batch_file, ipxr.batch_line);
	fprintf(stderr, "%s: ", level);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

int ipxr_error(int code, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vreport("Error", fmt, ap);
	va_end(ap);

	/* With -j every run prints valid JSON on stdout, failures too (as bpftool's p_err). */
	if (is_json_context()) {
		va_start(ap, fmt);
		vsnprintf(msg, sizeof(msg), fmt, ap);
		va_end(ap);
		json_abort_document();
		open_json_object(NULL);
		print_string(PRINT_JSON, "error", NULL, msg);
		close_json_object();
	}
	return code;
}

void ipxr_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("Warning", fmt, ap);
	va_end(ap);
}

const void *table_match(const void *table, size_t stride, const char *word, bool *ambiguous)
{
	const char *p = table;
	const void *found = NULL;
	size_t len = strlen(word);
	const char *name;

	*ambiguous = false;
	if (!len)
		return NULL;
	for (; (name = *(const char *const *)p); p += stride) {
		if (strcmp(name, word) == 0)
			return p;	/* an exact word beats any abbreviation */
		if (strncmp(name, word, len) == 0) {
			if (found)
				*ambiguous = true;
			else
				found = p;
		}
	}
	return *ambiguous ? NULL : found;
}

const void *table_find(const void *table, size_t stride, const char *word, const char *what)
{
	size_t len = strlen(word), used = 0;
	const char *p = table;
	const void *row;
	const char *name;
	char cands[256];
	bool amb;

	row = table_match(table, stride, word, &amb);
	if (row)
		return row;
	if (!amb) {
		ipxr_error(IPXR_EXIT_USAGE, "unknown %s \"%s\", try \"help\".", what, word);
		return NULL;
	}
	cands[0] = '\0';
	for (; (name = *(const char *const *)p); p += stride) {
		if (strncmp(name, word, len) || used >= sizeof(cands))
			continue;
		used += snprintf(cands + used, sizeof(cands) - used, "%s%s", used ? ", " : "",
				 name);
	}
	ipxr_error(IPXR_EXIT_USAGE, "%s \"%s\" is ambiguous: could be %s.", what, word, cands);
	return NULL;
}

int cmd_dispatch(const struct cmd *cmds, const char *what, int (*dflt)(int, char **),
		 int argc, char **argv)
{
	const struct cmd *c;

	if (argc < 1)
		return dflt(0, argv);
	c = table_find(cmds, sizeof(*cmds), argv[0], what);
	if (!c)
		return IPXR_EXIT_USAGE;
	return c->func(argc - 1, argv + 1);
}

int duparg(const char *key, const char *arg)
{
	return ipxr_error(IPXR_EXIT_USAGE, "either \"%s\" is duplicate, or \"%s\" is a garbage.",
			  key, arg);
}

int missarg(const char *key)
{
	return ipxr_error(IPXR_EXIT_USAGE, "argument is missing after \"%s\".", key);
}

int badarg(const char *arg)
{
	return ipxr_error(IPXR_EXIT_USAGE, "unknown keyword \"%s\", try \"help\".", arg);
}

__be32 plen_mask(unsigned int plen)
{
	return plen ? htonl(~0U << (32 - plen)) : 0;
}

bool prefix_contains(const struct prefix4 *outer, const struct prefix4 *inner)
{
	return inner->plen >= outer->plen &&
	       ((inner->addr ^ outer->addr) & plen_mask(outer->plen)) == 0;
}

/*
 * Dotted quads go to inet_pton; like ip, also accept the short forms "10", "10.1", "10.1.2"
 * (missing bytes are zero), which routing people type for prefixes ("10/8").
 */
int get_ipv4(const char *s, __be32 *addr)
{
	unsigned int parts = 0, val = 0, digits = 0;
	uint32_t host = 0;
	const char *c;

	if (inet_pton(AF_INET, s, addr) == 1)
		return 0;
	for (c = s; ; c++) {
		if (*c >= '0' && *c <= '9') {
			/* a leading zero would read as octal to inet_aton: refuse the doubt */
			if (digits == 1 && val == 0)
				return -EINVAL;
			val = val * 10 + (*c - '0');
			if (++digits > 3 || val > 255)
				return -EINVAL;
			continue;
		}
		if ((*c != '.' && *c != '\0') || !digits || parts == 4)
			return -EINVAL;
		host |= val << (24 - 8 * parts);
		parts++;
		val = digits = 0;
		if (*c == '\0')
			break;
	}
	/* four parts that inet_pton refused are not an address */
	if (parts >= 4)
		return -EINVAL;
	*addr = htonl(host);
	return 0;
}

/* "/24" or, as ip allows, a contiguous netmask "/255.255.255.0" */
static int get_plen(const char *s, unsigned int *plen)
{
	unsigned long v;
	uint32_t m;
	__be32 mask;
	char *end;

	if (*s >= '0' && *s <= '9' && !strchr(s, '.')) {
		errno = 0;
		v = strtoul(s, &end, 10);
		if (errno || *end || v > 32 || (s[0] == '0' && s[1]))
			return -EINVAL;
		*plen = v;
		return 0;
	}
	if (inet_pton(AF_INET, s, &mask) != 1)
		return -EINVAL;
	m = ntohl(mask);
	if (m & (~m >> 1))	/* a one after a zero: not contiguous */
		return -EINVAL;
	*plen = __builtin_popcount(m);
	return 0;
}

int get_prefix4(const char *s, struct prefix4 *p, bool allow_host_bits)
{
	char buf[64];
	unsigned int plen = 32;
	char *slash;

	if (strcmp(s, "default") == 0) {
		p->addr = 0;
		p->plen = 0;
		return 0;
	}
	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash) {
		*slash = '\0';
		if (get_plen(slash + 1, &plen))
			return -EINVAL;
	}
	if (get_ipv4(buf, &p->addr))
		return -EINVAL;
	p->plen = plen;
	if (p->addr & ~plen_mask(plen)) {
		if (!allow_host_bits)
			return -EDOM;
		p->addr &= plen_mask(plen);
	}
	return 0;
}

int parse_addr_arg(const char *s, __be32 *addr)
{
	if (get_ipv4(s, addr))
		return ipxr_error(IPXR_EXIT_USAGE,
				  "an IPv4 address is expected rather than \"%s\".", s);
	return 0;
}

int parse_prefix_arg(const char *s, struct prefix4 *p)
{
	char fix[INET_ADDRSTRLEN + 4];
	struct prefix4 masked;
	int err;

	err = get_prefix4(s, p, false);
	if (err == -EDOM) {
		get_prefix4(s, &masked, true);
		format_prefix(fix, sizeof(fix), masked.addr, masked.plen);
		/* show the /len even for a /32 suggestion: the user wrote one */
		if (!strchr(fix, '/') && masked.plen)
			snprintf(fix + strlen(fix), sizeof(fix) - strlen(fix), "/%u", masked.plen);
		return ipxr_error(IPXR_EXIT_USAGE, "\"%s\" has host bits set, did you mean %s?",
				  s, fix);
	}
	if (err)
		return ipxr_error(IPXR_EXIT_USAGE, "invalid prefix \"%s\": expected ADDRESS[/PLEN] "
				  "or default.", s);
	return 0;
}

int parse_u32_arg(const char *key, const char *s, __u32 max, __u32 *val)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (!*s || *end || errno || v > max || s[0] == '-')
		return ipxr_error(IPXR_EXIT_USAGE, "invalid %s \"%s\".", key, s);
	*val = v;
	return 0;
}

const char *format_addr(char *buf, size_t len, __be32 addr)
{
	return inet_ntop(AF_INET, &addr, buf, len);
}

char *format_prefix(char *buf, size_t len, __be32 addr, unsigned int plen)
{
	char a[INET_ADDRSTRLEN];

	if (plen == 0 && addr == 0)
		snprintf(buf, len, "default");
	else if (plen == 32)
		snprintf(buf, len, "%s", format_addr(a, sizeof(a), addr));
	else
		snprintf(buf, len, "%s/%u", format_addr(a, sizeof(a), addr), plen);
	return buf;
}

const char *format_mac(char *buf, size_t len, const __u8 *m)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
	return buf;
}

/*
 * A batch names the same few devices on every line: resolve each name once. The cache is a
 * short list searched linearly; a router has few ports.
 */
struct dev_entry {
	char name[IF_NAMESIZE];
	int ifindex;
};

static struct dev_entry *dev_cache;
static size_t dev_count, dev_alloc;

static void dev_remember(const char *name, int ifindex)
{
	struct dev_entry *n;

	if (dev_count == dev_alloc) {
		dev_alloc = dev_alloc ? 2 * dev_alloc : 16;
		n = realloc(dev_cache, dev_alloc * sizeof(*n));
		if (!n)
			return;
		dev_cache = n;
	}
	snprintf(dev_cache[dev_count].name, IF_NAMESIZE, "%s", name);
	dev_cache[dev_count++].ifindex = ifindex;
}

int dev_lookup_arg(const char *name, int *ifindex)
{
	unsigned int idx;
	size_t i;

	for (i = 0; i < dev_count; i++) {
		if (strcmp(dev_cache[i].name, name) == 0) {
			*ifindex = dev_cache[i].ifindex;
			return 0;
		}
	}
	idx = strlen(name) < IF_NAMESIZE ? if_nametoindex(name) : 0;
	if (!idx)
		return ipxr_error(IPXR_EXIT_LOOKUP, "Cannot find device \"%s\"", name);
	dev_remember(name, idx);
	*ifindex = idx;
	return 0;
}

const char *dev_name(int ifindex, char *buf)
{
	size_t i;

	for (i = 0; i < dev_count; i++) {
		if (dev_cache[i].ifindex == ifindex)
			return strcpy(buf, dev_cache[i].name);
	}
	if (!if_indextoname(ifindex, buf)) {
		/* a device gone since the route was written: ip prints the same */
		snprintf(buf, IF_NAMESIZE, "if%d", ifindex);
		return buf;
	}
	dev_remember(buf, ifindex);
	return buf;
}

void dev_cache_free(void)
{
	free(dev_cache);
	dev_cache = NULL;
	dev_count = dev_alloc = 0;
}

int split_args(char *line, char **argv, int max)
{
	int argc = 0;
	char *r = line, *w;
	char quote;

	while (*r) {
		while (*r == ' ' || *r == '\t' || *r == '\n' || *r == '\r')
			r++;
		if (!*r)
			break;
		if (argc == max)
			return -E2BIG;
		argv[argc++] = w = r;
		quote = 0;
		for (; *r; r++) {
			if (quote) {
				if (*r == quote) {
					quote = 0;
					continue;
				}
			} else if (*r == '"' || *r == '\'') {
				quote = *r;
				continue;
			} else if (*r == ' ' || *r == '\t' || *r == '\n' || *r == '\r') {
				break;
			}
			*w++ = *r;
		}
		if (quote)
			return -EINVAL;
		if (*r)
			r++;
		*w = '\0';
	}
	argv[argc] = NULL;
	return argc;
}
