// SPDX-License-Identifier: GPL-2.0
/*
 * The bucket tables of a next-hop group (see struct ipxr_nh_group). Kept free of map access so
 * the unit tests fill groups exactly as ipxr does.
 */
#include <stdbool.h>

#include "nhgroup.h"

static int member_of(const struct ipxr_nh_group *g, __u32 nh_id)
{
	unsigned int i;

	for (i = 0; i < g->count; i++)
		if (g->member[i].nh_id == nh_id)
			return (int)i;
	return -1;
}

/*
 * Each usable member's share of @n buckets: the floor of its weight's part, the buckets left
 * over going to the largest remainders (lower index first on a tie), so the shares add up to
 * @n exactly.
 */
static void shares(const struct ipxr_nh_group *g, const bool *use, unsigned int n,
		   unsigned int *quota)
{
	unsigned int rem[IPXR_NHG_MAX], total = 0, given = 0, i, best;

	for (i = 0; i < g->count; i++)
		total += use[i] ? g->member[i].weight : 0;
	for (i = 0; i < g->count; i++) {
		unsigned int part = use[i] ? g->member[i].weight * n : 0;

		quota[i] = total ? part / total : 0;
		rem[i] = total ? part % total : 0;
		given += quota[i];
	}
	while (total && given < n) {
		best = 0;
		for (i = 1; i < g->count; i++)
			if (rem[i] > rem[best])
				best = i;
		quota[best]++;
		rem[best] = 0;
		given++;
	}
}

/*
 * Share the buckets of @t marked in @mask among the members marked in @use, in proportion to
 * their weights. A bucket keeps its member while that member is usable and within its share
 * (in bucket order); the others go, one by one, to the member furthest below its share. With
 * no usable member the buckets are emptied (0: no next hop). Returns the buckets changed.
 */
static unsigned int spread(const struct ipxr_nh_group *g, __u16 *t, const bool *mask,
			   const bool *use)
{
	unsigned int quota[IPXR_NHG_MAX], have[IPXR_NHG_MAX] = {}, n = 0, changed = 0, i, b;
	bool freed[IPXR_NHG_BUCKETS];
	unsigned int best;
	int m;

	for (b = 0; b < IPXR_NHG_BUCKETS; b++)
		n += mask[b];
	shares(g, use, n, quota);
	for (b = 0; b < IPXR_NHG_BUCKETS; b++) {
		m = member_of(g, t[b]);
		freed[b] = mask[b] && (m < 0 || !use[m] || have[m] >= quota[m]);
		if (mask[b] && !freed[b])
			have[m]++;
	}
	for (b = 0; b < IPXR_NHG_BUCKETS; b++) {
		__u16 v = 0;

		if (!freed[b])
			continue;
		best = 0;
		for (i = 1; i < g->count; i++)
			if (quota[i] - have[i] > quota[best] - have[best])
				best = i;
		if (g->count && have[best] < quota[best]) {
			have[best]++;
			v = (__u16)g->member[best].nh_id;
		}
		changed += t[b] != v;
		t[b] = v;
	}
	return changed;
}

unsigned int nhg_fill(struct ipxr_nh_group *g)
{
	bool all[IPXR_NHG_BUCKETS], dead[IPXR_NHG_BUCKETS], weighted[IPXR_NHG_MAX];
	bool live[IPXR_NHG_MAX], any = false;
	unsigned int changed = 0, i, b;
	int m;

	if (g->count > IPXR_NHG_MAX)
		g->count = IPXR_NHG_MAX;
	for (i = 0; i < g->count; i++) {
		weighted[i] = g->member[i].weight != 0;
		live[i] = weighted[i] && !(g->member[i].flags & IPXR_NHG_F_DEAD);
		any |= live[i];
	}
	for (b = 0; b < IPXR_NHG_BUCKETS; b++)
		all[b] = true;
	spread(g, g->home, all, weighted);

	/*
	 * With no live member every member stays in: the program finds each one's port down or
	 * neighbour gone and hands the frames to the kernel, which knows what to do.
	 */
	for (b = 0; b < IPXR_NHG_BUCKETS; b++) {
		m = member_of(g, g->home[b]);
		dead[b] = any && m >= 0 && !live[m];
		if (!dead[b]) {
			changed += g->bucket[b] != g->home[b];
			g->bucket[b] = g->home[b];
		}
	}
	return changed + spread(g, g->bucket, dead, live);
}
