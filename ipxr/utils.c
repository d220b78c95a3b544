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

const char ipxr_options_usage[] =
	"OPTIONS := { -V[ersion] | -s[tatistics] | -j[son] | -p[retty] | -n[etns] NAME |\n"
	"             -b[atch] FILENAME | -force | -4 | -6 | -f[amily] { inet | inet6 } | "
	"-h[elp] }\n";

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

const char *af_name(int family)
{
	return family == AF_INET ? "inet" : family == AF_INET6 ? "inet6" : "unspec";
}

unsigned int af_bits(int family)
{
	return family == AF_INET ? 32 : family == AF_INET6 ? 128 : 0;
}

unsigned int af_bytes(int family)
{
	return af_bits(family) / 8;
}

bool addr_mask(int family, __u8 *addr, unsigned int plen)
{
	unsigned int i, n = af_bytes(family);
	bool host = false;
	__u8 keep;

	for (i = 0; i < n; i++) {
		if (plen >= 8 * (i + 1))
			keep = 0xff;
		else if (plen <= 8 * i)
			keep = 0;
		else
			keep = (__u8)(0xff << (8 - plen % 8));
		host |= (addr[i] & ~keep) != 0;
		addr[i] &= keep;
	}
	return host;
}

bool prefix_equal(const struct inet_prefix *a, const struct inet_prefix *b)
{
	return a->family == b->family && a->bitlen == b->bitlen &&
	       memcmp(a->addr, b->addr, af_bytes(a->family)) == 0;
}

int prefix_cmp(const void *a, const void *b)
{
	const struct inet_prefix *x = a, *y = b;

	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	if (x->bitlen != y->bitlen)
		return x->bitlen < y->bitlen ? -1 : 1;
	return memcmp(x->addr, y->addr, sizeof(x->addr));
}

bool prefix_contains(const struct inet_prefix *outer, const struct inet_prefix *inner)
{
	__u8 a[16];

	if (outer->family != inner->family || inner->bitlen < outer->bitlen)
		return false;
	memcpy(a, inner->addr, sizeof(a));
	addr_mask(inner->family, a, outer->bitlen);
	return memcmp(a, outer->addr, af_bytes(outer->family)) == 0;
}

bool addr_is_linklocal(int family, const __u8 *addr)
{
	return family == AF_INET6 && addr[0] == 0xfe && (addr[1] & 0xc0) == 0x80;
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

/*
 * A colon makes it IPv6 (every form inet_pton knows: "::", compressed, embedded IPv4), anything
 * else IPv4, so the family of what was typed never depends on -4/-6: those only refuse the
 * other one.
 */
int get_addr(const char *s, int family, struct inet_prefix *a)
{
	int af = strchr(s, ':') ? AF_INET6 : AF_INET;
	__be32 v4;

	memset(a, 0, sizeof(*a));
	if (af == AF_INET6) {
		if (inet_pton(AF_INET6, s, a->addr) != 1)
			return -EINVAL;
	} else {
		if (get_ipv4(s, &v4))
			return -EINVAL;
		memcpy(a->addr, &v4, 4);
	}
	a->family = af;
	a->bitlen = af_bits(af);
	if (family != AF_UNSPEC && family != af)
		return -EAFNOSUPPORT;
	return 0;
}

/* "/24", "/64" or, for IPv4 as ip allows, a contiguous netmask "/255.255.255.0" */
static int get_plen(const char *s, int family, unsigned int *plen)
{
	unsigned long v;
	uint32_t m;
	__be32 mask;
	char *end;

	if (*s >= '0' && *s <= '9' && !strchr(s, '.')) {
		errno = 0;
		v = strtoul(s, &end, 10);
		if (errno || *end || v > af_bits(family) || (s[0] == '0' && s[1]))
			return -EINVAL;
		*plen = v;
		return 0;
	}
	if (family != AF_INET || inet_pton(AF_INET, s, &mask) != 1)
		return -EINVAL;
	m = ntohl(mask);
	if (m & (~m >> 1))	/* a one after a zero: not contiguous */
		return -EINVAL;
	*plen = __builtin_popcount(m);
	return 0;
}

int get_prefix(const char *s, int family, struct inet_prefix *p, bool allow_host_bits)
{
	char buf[64];
	unsigned int plen;
	char *slash;
	int err;

	if (strcmp(s, "default") == 0) {
		/* no family of its own: the caller decides (gateway, -4/-6, else IPv4) */
		memset(p, 0, sizeof(*p));
		p->family = family;
		return 0;
	}
	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	err = get_addr(buf, family, p);
	if (err)
		return err;
	plen = p->bitlen;
	if (slash && get_plen(slash + 1, p->family, &plen))
		return -EINVAL;
	p->bitlen = plen;
	if (addr_mask(p->family, p->addr, plen) && !allow_host_bits)
		return -EDOM;
	return 0;
}

static const char *af_word(int family, const char *s)
{
	if (family == AF_INET6 || (family == AF_UNSPEC && strchr(s, ':')))
		return "IPv6";
	return "IPv4";
}

int parse_addr_arg(const char *s, int family, struct inet_prefix *a)
{
	int err = get_addr(s, family, a);

	if (err == -EAFNOSUPPORT)
		return ipxr_error(IPXR_EXIT_USAGE, "an %s address is expected rather than \"%s\" "
				  "(an %s address).", af_word(family, s), s,
				  af_word(a->family, s));
	if (err)
		return ipxr_error(IPXR_EXIT_USAGE, "an %s address is expected rather than \"%s\".",
				  af_word(family, s), s);
	return 0;
}

int parse_prefix_arg(const char *s, int family, struct inet_prefix *p)
{
	char fix[PREFIX_STRLEN];
	struct inet_prefix masked;
	int err;

	err = get_prefix(s, family, p, false);
	if (err == -EDOM) {
		get_prefix(s, family, &masked, true);
		format_prefix(fix, sizeof(fix), &masked);
		/* show the /len even for a host route suggestion: the user wrote one */
		if (!strchr(fix, '/') && masked.bitlen)
			snprintf(fix + strlen(fix), sizeof(fix) - strlen(fix), "/%u",
				 masked.bitlen);
		return ipxr_error(IPXR_EXIT_USAGE, "\"%s\" has host bits set, did you mean %s?",
				  s, fix);
	}
	if (err == -EAFNOSUPPORT)
		return ipxr_error(IPXR_EXIT_USAGE, "an %s prefix is expected rather than \"%s\" "
				  "(-%c given).", family == AF_INET6 ? "IPv6" : "IPv4", s,
				  family == AF_INET6 ? '6' : '4');
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

/*
 * RFC 5952: lowercase hex without leading zeros, the longest run of two or more zero fields
 * written "::" (the first of equal runs), and the last 32 bits dotted only for IPv4-mapped
 * addresses (::ffff:0:0/96). glibc's inet_ntop also dots the deprecated IPv4-compatible
 * ::/96, printing ::1:0 as "::0.1.0.0", hence a formatter of our own.
 */
const char *format_ipv6(char *buf, size_t len, const __u8 *a)
{
	static const __u8 mapped[12] = { [10] = 0xff, [11] = 0xff };
	int best = -1, best_len = 0, run = 0, i, n, end = 8;
	unsigned int w[8];
	size_t used = 0;

	for (i = 0; i < 8; i++) {
		w[i] = a[2 * i] << 8 | a[2 * i + 1];
		run = w[i] ? 0 : run + 1;
		if (run > best_len && run >= 2) {
			best_len = run;
			best = i - run + 1;
		}
	}
	if (memcmp(a, mapped, sizeof(mapped)) == 0)
		end = 6;	/* the IPv4 part follows; the zero run ends before it */
	if (best >= 0 && best + best_len > end)
		best_len = end - best;
	if (best_len < 2) {
		best = -1;
		best_len = 0;
	}
	for (i = 0; i < end && used < len; i++) {
		if (i == best) {
			n = snprintf(buf + used, len - used, "::");
			i += best_len - 1;
		} else {
			n = snprintf(buf + used, len - used, "%s%x",
				     i && i != best + best_len ? ":" : "", w[i]);
		}
		used += n;
	}
	if (end == 6 && used < len)
		snprintf(buf + used, len - used, "%s%u.%u.%u.%u", best + best_len == 6 ? "" : ":",
			 a[12], a[13], a[14], a[15]);
	return buf;
}

const char *format_addr(char *buf, size_t len, int family, const void *addr)
{
	if (family == AF_INET6)
		return format_ipv6(buf, len, addr);
	return inet_ntop(AF_INET, addr, buf, len);
}

char *format_prefix(char *buf, size_t len, const struct inet_prefix *p)
{
	static const __u8 zero[16];
	char a[INET6_ADDRSTRLEN];
	int family = p->family == AF_UNSPEC ? AF_INET : p->family;

	if (p->bitlen == 0 && memcmp(p->addr, zero, af_bytes(family)) == 0)
		snprintf(buf, len, "default");
	else if (p->bitlen == af_bits(family))
		snprintf(buf, len, "%s", format_addr(a, sizeof(a), family, p->addr));
	else
		snprintf(buf, len, "%s/%u", format_addr(a, sizeof(a), family, p->addr), p->bitlen);
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
