// SPDX-License-Identifier: GPL-2.0
/*
 * iproute2's name files: "NUMBER NAME" per line, "#" comments. The main file first, then the
 * .d directory's *.conf files in name order; /usr/share/iproute2 stands in for a missing
 * /etc/iproute2, as newer iproute2 does. Read once per process, on first use.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kroute.h"
#include "rt_names.h"

struct rt_name_row {
	__u32 id;
	char *name;
};

struct rt_names {
	const char *file;		/* "rt_protos": also names the .d directory */
	__u32 max;
	const struct rt_name_row *builtin;
	struct rt_name_row *rows;
	size_t n;
	bool loaded;
};

/* What iproute2 knows without any file (lib/rt_names.c), and ipxr's own protocol */
static const struct rt_name_row proto_builtin[] = {
	{ RTPROT_UNSPEC, "unspec" }, { RTPROT_REDIRECT, "redirect" },
	{ RTPROT_KERNEL, "kernel" }, { RTPROT_BOOT, "boot" }, { RTPROT_STATIC, "static" },
	{ RTPROT_GATED, "gated" }, { RTPROT_RA, "ra" }, { RTPROT_MRT, "mrt" },
	{ RTPROT_ZEBRA, "zebra" }, { RTPROT_BIRD, "bird" }, { RTPROT_DNROUTED, "dnrouted" },
	{ RTPROT_XORP, "xorp" }, { RTPROT_NTK, "ntk" }, { RTPROT_DHCP, "dhcp" },
	{ RTPROT_KEEPALIVED, "keepalived" }, { RTPROT_BABEL, "babel" },
	{ RTPROT_OPENR, "openr" }, { RTPROT_BGP, "bgp" }, { RTPROT_ISIS, "isis" },
	{ RTPROT_OSPF, "ospf" }, { RTPROT_RIP, "rip" }, { RTPROT_EIGRP, "eigrp" },
	{ 0, NULL },
};

static const struct rt_name_row table_builtin[] = {
	{ RT_TABLE_DEFAULT, "default" }, { RT_TABLE_MAIN, "main" }, { RT_TABLE_LOCAL, "local" },
	{ 0, NULL },
};

static const struct rt_name_row scope_builtin[] = {
	{ RT_SCOPE_UNIVERSE, "global" }, { RT_SCOPE_NOWHERE, "nowhere" },
	{ RT_SCOPE_HOST, "host" }, { RT_SCOPE_LINK, "link" }, { RT_SCOPE_SITE, "site" },
	{ 0, NULL },
};

static struct rt_names names[] = {
	[RT_NAMES_PROTO] = { "rt_protos", 255, proto_builtin, NULL, 0, false },
	[RT_NAMES_TABLE] = { "rt_tables", 0xffffffffU, table_builtin, NULL, 0, false },
	[RT_NAMES_SCOPE] = { "rt_scopes", 255, scope_builtin, NULL, 0, false },
};

static const char *const confdirs[] = { "/etc/iproute2", "/usr/share/iproute2" };

static int parse_num(const char *s, __u32 max, __u32 *v)
{
	unsigned long long n;
	char *end;

	if (!*s || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	n = strtoull(s, &end, 0);
	if (errno || *end || n > max)
		return -EINVAL;
	*v = (__u32)n;
	return 0;
}

static void add_row(struct rt_names *t, __u32 id, const char *name)
{
	struct rt_name_row *nr;
	char *dup;

	dup = strdup(name);
	nr = dup ? realloc(t->rows, (t->n + 1) * sizeof(*nr)) : NULL;
	if (!nr) {
		free(dup);
		return;
	}
	t->rows = nr;
	t->rows[t->n].id = id;
	t->rows[t->n++].name = dup;
}

static bool read_file(struct rt_names *t, const char *path)
{
	char line[512], name[256], num[64];
	FILE *f = fopen(path, "r");
	__u32 id;

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		char *p = line + strspn(line, " \t");

		if (*p == '#' || *p == '\n' || !*p)
			continue;
		if (sscanf(p, "%63s %255s", num, name) != 2 || name[0] == '#')
			continue;
		if (parse_num(num, t->max, &id) == 0)
			add_row(t, id, name);
	}
	fclose(f);
	return true;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void read_dir(struct rt_names *t, const char *dir)
{
	char **files = NULL, **nf, path[4096];
	size_t n = 0, i, len;
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((de = readdir(d))) {
		len = strlen(de->d_name);
		if (len <= 5 || strcmp(de->d_name + len - 5, ".conf"))
			continue;
		nf = realloc(files, (n + 1) * sizeof(*nf));
		if (!nf)
			break;
		files = nf;
		files[n] = strdup(de->d_name);
		if (files[n])
			n++;
	}
	closedir(d);
	if (n)
		qsort(files, n, sizeof(*files), cmp_str);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		read_file(t, path);
		free(files[i]);
	}
	free(files);
}

static struct rt_names *load(enum rt_names_kind kind)
{
	struct rt_names *t = &names[kind];
	char path[256];
	unsigned int i;

	if (t->loaded)
		return t;
	t->loaded = true;
	for (i = 0; i < sizeof(confdirs) / sizeof(confdirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", confdirs[i], t->file);
		if (read_file(t, path))
			break;
	}
	for (i = 0; i < sizeof(confdirs) / sizeof(confdirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s.d", confdirs[i], t->file);
		read_dir(t, path);
	}
	return t;
}

const char *rt_name(enum rt_names_kind kind, __u32 id, char *buf, size_t len)
{
	struct rt_names *t = load(kind);
	const struct rt_name_row *b;
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->rows[i].id == id)
			return t->rows[i].name;
	for (b = t->builtin; b->name; b++)
		if (b->id == id)
			return b->name;
	snprintf(buf, len, "%u", id);
	return buf;
}

int rt_id(enum rt_names_kind kind, const char *word, __u32 *id)
{
	struct rt_names *t = load(kind);
	const struct rt_name_row *b;
	size_t i;

	for (i = 0; i < t->n; i++) {
		if (strcmp(t->rows[i].name, word) == 0) {
			*id = t->rows[i].id;
			return 0;
		}
	}
	for (b = t->builtin; b->name; b++) {
		if (strcmp(b->name, word) == 0) {
			*id = b->id;
			return 0;
		}
	}
	/* ip accepts "universe" for scope 0 besides the name it prints */
	if (kind == RT_NAMES_SCOPE && strcmp(word, "universe") == 0) {
		*id = RT_SCOPE_UNIVERSE;
		return 0;
	}
	/*
	 * ipxr's own protocol is a word ipxr takes even before make install named it for ip;
	 * it prints what ip prints (the number) until then.
	 */
	if (kind == RT_NAMES_PROTO && strcmp(word, "ipxr") == 0) {
		*id = RTPROT_IPXR;
		return 0;
	}
	if (kind == RT_NAMES_TABLE && strcmp(word, "all") == 0)
		return -EINVAL;
	return parse_num(word, t->max, id);
}

void rt_names_free(void)
{
	size_t i, k;

	for (k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		for (i = 0; i < names[k].n; i++)
			free(names[k].rows[i].name);
		free(names[k].rows);
		names[k].rows = NULL;
		names[k].n = 0;
		names[k].loaded = false;
	}
}
