// SPDX-License-Identifier: GPL-2.0
/*
 * The counted prefixes (counted.h). Read whole into a sorted array once per hold of the maps:
 * compile_route() asks for every route it compiles, and a full table's load must not pay a
 * map lookup (a system call) per route for a set that is usually empty.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "counted.h"
#include "maps.h"

struct counted {
	struct ipxr_route_src_key key;
	__u32 slot;
};

static struct {
	bool loaded;
	unsigned int n;
	struct counted e[IPXR_MAX_ROUTE_CNT];
} cs;

static void key_of(const struct inet_prefix *p, struct ipxr_route_src_key *key)
{
	memset(key, 0, sizeof(*key));
	key->family = p->family;
	key->prefixlen = p->bitlen;
	memcpy(key->addr, p->addr, af_bytes(p->family));
}

static int cmp(const void *a, const void *b)
{
	return memcmp(&((const struct counted *)a)->key, &((const struct counted *)b)->key,
		      sizeof(struct ipxr_route_src_key));
}

/* The set as the map holds it; a map that cannot be read counts nothing (with a warning). */
static void load(void)
{
	struct ipxr_route_src_key key, next;
	int fd = map_fd(MAP_COUNTED), err;
	__u32 slot;

	cs.n = 0;
	cs.loaded = true;
	if (fd < 0)
		return;
	for (err = bpf_map_get_next_key(fd, NULL, &key); !err && cs.n < IPXR_MAX_ROUTE_CNT;
	     err = bpf_map_get_next_key(fd, &key, &next), key = next) {
		if (bpf_map_lookup_elem(fd, &key, &slot) || !slot || slot >= IPXR_MAX_ROUTE_CNT)
			continue;
		cs.e[cs.n].key = key;
		cs.e[cs.n].slot = slot;
		cs.n++;
	}
	if (err && errno != ENOENT)
		ipxr_warn("cannot read map %s: %s: routes compiled now are not counted",
			  IPXR_MAP_COUNTED, strerror(errno));
	qsort(cs.e, cs.n, sizeof(cs.e[0]), cmp);
}

static struct counted *find(const struct inet_prefix *p)
{
	struct counted want;

	if (!cs.loaded)
		load();
	if (!cs.n)
		return NULL;
	key_of(p, &want.key);
	return bsearch(&want, cs.e, cs.n, sizeof(cs.e[0]), cmp);
}

__u32 counted_slot(const struct inet_prefix *p)
{
	struct counted *c = find(p);

	return c ? c->slot : 0;
}

void counted_forget(void)
{
	cs.loaded = false;
}

/* The lowest slot no prefix holds, 0 when all are taken. */
static __u32 free_slot(void)
{
	static bool used[IPXR_MAX_ROUTE_CNT];
	unsigned int i;

	memset(used, 0, sizeof(used));
	for (i = 0; i < cs.n; i++)
		used[cs.e[i].slot] = true;
	for (i = 1; i < IPXR_MAX_ROUTE_CNT; i++)
		if (!used[i])
			return i;
	return 0;
}

int counted_set(const struct inet_prefix *p, bool on, bool *changed)
{
	struct counted *c = find(p), add;
	char d[PREFIX_STRLEN];
	int err;

	*changed = false;
	format_prefix(d, sizeof(d), p);
	if (!on) {
		if (!c)
			return 0;
		if (bpf_map_delete_elem(map_fd(MAP_COUNTED), &c->key) && errno != ENOENT)
			return ipxr_error(IPXR_EXIT_REFUSED, "cannot stop counting \"%s\" (map "
					  "%s): %s", d, IPXR_MAP_COUNTED, strerror(errno));
		memmove(c, c + 1, (cs.e + cs.n - (c + 1)) * sizeof(*c));
		cs.n--;
		*changed = true;
		return 0;
	}
	if (c)
		return 0;
	key_of(p, &add.key);
	add.slot = free_slot();
	if (!add.slot)
		return ipxr_error(IPXR_EXIT_REFUSED, "cannot count \"%s\": %u prefixes are counted "
				  "already, the most there are counters for", d,
				  IPXR_MAX_ROUTE_CNT - 1);
	/* a slot given back keeps its last prefix's counts until taken again */
	err = percpu_zero(map_fd(MAP_ROUTE_CNT), add.slot);
	if (err)
		return ipxr_error(IPXR_EXIT_REFUSED, "cannot zero route counter %u (map %s): %s",
				  add.slot, IPXR_MAP_ROUTE_CNT, strerror(-err));
	if (bpf_map_update_elem(map_fd(MAP_COUNTED), &add.key, &add.slot, BPF_NOEXIST))
		return ipxr_error(IPXR_EXIT_REFUSED, "cannot count \"%s\" (map %s): %s", d,
				  IPXR_MAP_COUNTED, strerror(errno));
	cs.e[cs.n++] = add;
	qsort(cs.e, cs.n, sizeof(cs.e[0]), cmp);
	*changed = true;
	return 0;
}

int counted_walk(int (*fn)(const struct inet_prefix *p, __u32 slot, void *data), void *data)
{
	struct inet_prefix p;
	unsigned int i;
	int ret;

	if (!cs.loaded)
		load();
	for (i = 0; i < cs.n; i++) {
		memset(&p, 0, sizeof(p));
		p.family = cs.e[i].key.family;
		p.bitlen = cs.e[i].key.prefixlen;
		memcpy(p.addr, cs.e[i].key.addr, af_bytes(p.family));
		ret = fn(&p, cs.e[i].slot, data);
		if (ret)
			return ret;
	}
	return 0;
}
