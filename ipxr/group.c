// SPDX-License-Identifier: GPL-2.0
/*
 * Next-hop group allocation and reference counting (group.h). As for next hops, the table is
 * read once per process and counts are written once per batch, so a full table over two
 * upstreams costs one trie write per route and a handful of group writes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "group.h"
#include "maps.h"
#include "nexthop.h"
#include "nhgroup.h"
#include "ports.h"
#include "utils.h"

static struct {
	bool loaded;
	struct ipxr_nh_group *g;	/* [IPXR_MAX_NH_GROUPS] */
	bool *dirty;
	bool any_dirty;
	__u32 last;			/* the group found last: a storm repeats one set */
} t;

int grp_load(void)
{
	__u32 id;
	int err;

	if (t.loaded)
		return 0;
	t.g = calloc(IPXR_MAX_NH_GROUPS, sizeof(*t.g));
	t.dirty = calloc(IPXR_MAX_NH_GROUPS, sizeof(*t.dirty));
	if (!t.g || !t.dirty) {
		grp_free_all();
		return ipxr_error(IPXR_EXIT_REFUSED, "out of memory");
	}
	for (id = 1; id < IPXR_MAX_NH_GROUPS; id++) {
		if (bpf_map_lookup_elem(map_fd(MAP_NH_GROUP), &id, &t.g[id])) {
			err = errno;
			grp_free_all();
			return ipxr_error(IPXR_EXIT_REFUSED, "cannot read next-hop group %u: %s", id,
					  strerror(err));
		}
	}
	t.loaded = true;
	return 0;
}

void grp_free_all(void)
{
	free(t.g);
	free(t.dirty);
	memset(&t, 0, sizeof(t));
}

const struct ipxr_nh_group *grp_get(__u32 id)
{
	if (!t.loaded || id == 0 || id >= IPXR_MAX_NH_GROUPS || !t.g[id].count)
		return NULL;
	return &t.g[id];
}

/*
 * The flow hash's seed: from /etc/machine-id, so it survives restarts (a restart moves no flow)
 * and two routers in a row pick paths independently (no polarisation). 0 without one.
 */
static __u32 host_seed(void)
{
	static bool done;
	static __u32 seed;
	char buf[64];
	size_t n, i;
	FILE *f;

	if (done)
		return seed;
	done = true;
	f = fopen("/etc/machine-id", "r");
	if (!f)
		return seed;
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	seed = 2166136261u;
	for (i = 0; i < n; i++)
		seed = (seed ^ (unsigned char)buf[i]) * 16777619u;
	return seed;
}

static bool grp_same(const struct ipxr_nh_group *g, const __u32 *nh, const __u16 *weight,
		     unsigned int n)
{
	unsigned int i;

	if (g->count != n)
		return false;
	for (i = 0; i < n; i++)
		if (g->member[i].nh_id != nh[i] || g->member[i].weight != weight[i])
			return false;
	return true;
}

static int grp_write(__u32 id)
{
	if (bpf_map_update_elem(map_fd(MAP_NH_GROUP), &id, &t.g[id], BPF_ANY))
		return -errno;
	return 0;
}

/*
 * A member whose port is not up (admin down or no carrier), or whose gateway the kernel failed
 * to resolve, carries no flows.
 */
static bool member_dead(__u32 nh_id)
{
	const struct ipxr_nexthop *nh = nh_get(nh_id);

	return !nh || (nh->flags & IPXR_NH_F_FAILED) ||
	       !(port_get((int)nh->ifindex) & IPXR_PORT_F_UP);
}

int grp_acquire(const __u32 *nh, const __u16 *weight, unsigned int n, __u32 *id)
{
	struct ipxr_nh_group *g;
	unsigned int i;
	__u32 k;
	int err;

	if (n < 1 || n > IPXR_NHG_MAX)
		return ipxr_error(IPXR_EXIT_USAGE, "a multipath route has 1 to %d next hops",
				  IPXR_NHG_MAX);
	err = grp_load();
	if (err)
		return err;
	k = t.last;
	if (!k || !t.g[k].count || !grp_same(&t.g[k], nh, weight, n))
		for (k = 1; k < IPXR_MAX_NH_GROUPS; k++)
			if (t.g[k].count && grp_same(&t.g[k], nh, weight, n))
				break;
	if (k < IPXR_MAX_NH_GROUPS) {
		t.g[k].refcnt++;
		t.dirty[k] = t.any_dirty = true;
		for (i = 0; i < n; i++)
			nh_release(nh[i]);
		t.last = k;
		*id = k;
		return 0;
	}
	for (k = 1; k < IPXR_MAX_NH_GROUPS && t.g[k].count; k++)
		;
	if (k >= IPXR_MAX_NH_GROUPS)
		return ipxr_error(IPXR_EXIT_REFUSED, "next-hop group table full (%u groups): %s",
				  IPXR_MAX_NH_GROUPS - 1, strerror(ENOSPC));
	g = &t.g[k];
	memset(g, 0, sizeof(*g));
	g->refcnt = 1;
	/* the same on every run of this router, different from its neighbours' (mostly) */
	g->seed = host_seed();
	g->count = (__u16)n;
	for (i = 0; i < n; i++) {
		g->member[i].nh_id = nh[i];
		g->member[i].weight = weight[i];
		g->member[i].flags = member_dead(nh[i]) ? IPXR_NHG_F_DEAD : 0;
	}
	nhg_fill(g);
	err = grp_write(k);
	if (err) {
		memset(g, 0, sizeof(*g));
		return ipxr_error(IPXR_EXIT_REFUSED, "cannot write next-hop group %u: %s", k,
				  strerror(-err));
	}
	t.last = k;
	*id = k;
	return 0;
}

void grp_release(__u32 id)
{
	if (!t.loaded || id == 0 || id >= IPXR_MAX_NH_GROUPS || !t.g[id].count)
		return;
	if (t.g[id].refcnt)
		t.g[id].refcnt--;
	t.dirty[id] = t.any_dirty = true;
}

int grp_commit(void)
{
	struct ipxr_nh_group *g;
	int err, ret = 0;
	unsigned int i;
	__u32 id;

	if (!t.loaded || !t.any_dirty)
		return 0;
	for (id = 1; id < IPXR_MAX_NH_GROUPS; id++) {
		if (!t.dirty[id])
			continue;
		t.dirty[id] = false;
		g = &t.g[id];
		if (g->count && g->refcnt == 0) {
			/* no route points here any more: the members lose the group's references */
			for (i = 0; i < g->count; i++)
				nh_release(g->member[i].nh_id);
			memset(g, 0, sizeof(*g));
		}
		err = grp_write(id);
		if (err && !ret)
			ret = ipxr_error(IPXR_EXIT_REFUSED, "cannot write next-hop group %u: %s", id,
					 strerror(-err));
	}
	t.any_dirty = false;
	return ret;
}

int grp_recount(const __u32 *counts)
{
	__u32 id;
	int err = grp_load();

	if (err)
		return err;
	for (id = 1; id < IPXR_MAX_NH_GROUPS; id++) {
		if (!t.g[id].count)
			continue;
		if (t.g[id].refcnt != counts[id]) {
			t.g[id].refcnt = counts[id];
			t.dirty[id] = t.any_dirty = true;
		}
	}
	return 0;
}

/*
 * Every group's members dead or alive as @dead(member's next hop, @arg) says (-1: as it is);
 * each group changed is refilled and written, one map write. 0 or an exit code.
 */
static int groups_mark(int (*dead)(__u32 nh_id, const void *arg), const void *arg)
{
	struct ipxr_nh_group *g;
	int err, ret = 0, d;
	unsigned int i;
	bool changed;
	__u16 f;
	__u32 id;

	err = grp_load();
	if (err)
		return err;
	for (id = 1; id < IPXR_MAX_NH_GROUPS; id++) {
		g = &t.g[id];
		changed = false;
		for (i = 0; i < g->count; i++) {
			d = dead(g->member[i].nh_id, arg);
			f = d > 0 ? IPXR_NHG_F_DEAD : 0;
			if (d < 0 || (g->member[i].flags & IPXR_NHG_F_DEAD) == f)
				continue;
			g->member[i].flags = (g->member[i].flags & ~IPXR_NHG_F_DEAD) | f;
			changed = true;
		}
		if (!changed)
			continue;
		nhg_fill(g);
		err = grp_write(id);
		if (err && !ret)
			ret = ipxr_error(IPXR_EXIT_REFUSED, "cannot write next-hop group %u: %s", id,
					 strerror(-err));
	}
	return ret;
}

static int dead_by_ports(__u32 nh_id, const void *arg)
{
	(void)arg;
	return member_dead(nh_id);
}

int grp_ports_refresh(void)
{
	return groups_mark(dead_by_ports, NULL);
}

struct port_event {
	int ifindex;
	bool up;
};

static int dead_by_event(__u32 nh_id, const void *arg)
{
	const struct port_event *ev = arg;
	const struct ipxr_nexthop *nh = nh_get(nh_id);

	if (!nh || nh->ifindex != (__u32)ev->ifindex)
		return -1;
	return !ev->up || (nh->flags & IPXR_NH_F_FAILED);
}

int grp_port_event(int ifindex, bool up)
{
	struct port_event ev = { .ifindex = ifindex, .up = up };

	return groups_mark(dead_by_event, &ev);
}
