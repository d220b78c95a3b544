// SPDX-License-Identifier: GPL-2.0
/*
 * abcost: what a change to bpf/xdp_router.c costs per packet, objects A, B... measured side by
 * side with BPF_PROG_TEST_RUN, their runs interleaved so that the load of a shared machine falls
 * on all of them alike (bench/nsperpkt times one object per run: minutes apart, too far for a
 * nanosecond).
 *
 * Each object is loaded with pinning off, with one route 198.51.100.0/24 through next hop 1 on
 * lo (ifindex 1, marked as running the object and up) and that next hop's neighbour cache
 * filled in by hand; build the objects with -DIPXR_NEIGH_REFRESH_NS='(1ULL << 62)' so that the
 * cache stays fresh and forwarding needs no bpf_fib_lookup() (nor any device but lo). No frame
 * leaves: test_run without XDP_FLAGS live mode only runs the program. Cases:
 *
 *   ttl_exceeded  198.51.100.7 with TTL 1, passed (repeat 1,000,000 per call)
 *   no_route      203.0.113.9, passed (repeat 1,000,000 per call)
 *   forward       198.51.100.7 with TTL 255, redirected (repeat 250 per call: the TTL goes down
 *                 by one a run)
 *   fwd_counted   198.51.101.7 the same, by 198.51.101.0/24, a counted route (counter slot 1;
 *                 an object of a layout before route counters ignores the slot)
 *   fwd_group2    198.51.102.7 the same, by 198.51.102.0/24, a multipath route over a group of
 *                 next hops 1 and 2 (twins: lo, caches filled): against forward, in the same
 *                 object and the same rounds, what the flow hash and the bucket read cost
 *                 (objects of a layout before groups skip the group cases)
 *   fwd_group8    the same by 198.51.103.0/24, a group of next hops 1-8
 *   fwd_group32   the same by 198.51.99.0/24, a group of next hops 1-32
 *
 *   fwd_vlan      198.51.98.7 the same, tagged 802.1Q 10 and routed out of a sub-interface
 *                 of lo with VLAN 20 (tag rewritten; the frame then comes back tagged 20,
 *                 which is a sub-interface too): "n/a" for an object without VLANs (layout 7)
 *   fwd_rpf       198.51.100.7 as forward, arriving on lo recorded with strict reverse-path
 *                 filtering (rp_filter 1): its source 10.0.1.1 looked up too, by
 *                 10.0.1.0/24 through next hop 1 (lo); "n/a" for an object that does not
 *                 filter (a probe from a source with no route is not passed)
 *
 * The trie's walk depends on the prefixes around a key: 198.51.96.0/24 to 198.51.103.0/24 are
 * all routes (96 and 97 unused), a full subtree, so that every forwarding case's walk is as
 * long.
 *
 * The kernel reports a whole number of ns per call; the mean over many calls resolves a
 * fraction of one. Each object's program is attached to a veth of a private namespace, so that
 * a call does not wait for the XDP dispatcher (pg_dispatcher_hold()): seconds, not minutes.
 *
 * Usage: abcost A.o B.o [C.o]		(root)
 * Output: one line per case and object: mean ns/packet.
 */
#include "pktgen.h"

#define NOBJ		3
#define PASS_CALLS	40
#define FWD_CALLS	400
#define NCASES		9
#define FIRST_GROUP	4	/* cases FIRST_GROUP..VLAN_CASE - 1 need groups */
#define VLAN_CASE	7
#define RPF_CASE	8
#define VLAN_SUB	1000	/* the sub-interfaces' ifindexes: never looked up in the kernel */
#define VLAN_NH		33	/* after the groups' next hops */

static double mean(const double *a, int n)
{
	double s = 0;
	int i;

	for (i = 0; i < n; i++)
		s += a[i];
	return s / n;
}

/*
 * The group cases' routes and groups, when the object has groups (1; 0 when not): group 1 of
 * next hops 1-2, group 2 of 1-8, group 3 of 1-32, next hops 2-32 twins of next hop 1, the
 * buckets dealt round-robin.
 */
static int setup_groups(struct pg_router *r, struct ipxr_nexthop *nh)
{
	static const char *const nets[] = { "198.51.102.0", "198.51.103.0", "198.51.99.0" };
	static const uint16_t ways[] = { 2, 8, 32 };
	int fd = bpf_object__find_map_fd_by_name(r->obj, IPXR_MAP_NH_GROUP);
	struct ipxr_nh_group g;
	uint32_t id, b;

	if (fd < 0)
		return 0;
	for (id = 2; id <= 32; id++)
		if (bpf_map_update_elem(r->nexthop, &id, nh, BPF_ANY))
			return -1;
	for (id = 1; id <= 3; id++) {
		memset(&g, 0, sizeof(g));
		g.refcnt = 1;
		g.count = ways[id - 1];
		for (b = 0; b < g.count; b++) {
			g.member[b].nh_id = b + 1;
			g.member[b].weight = 1;
		}
		for (b = 0; b < IPXR_NHG_BUCKETS; b++)
			g.home[b] = g.bucket[b] = (uint16_t)(1 + b % g.count);
		if (bpf_map_update_elem(fd, &id, &g, BPF_ANY) ||
		    pg_route_set(r, nets[id - 1], 24, IPXR_RT_MULTIPATH, id))
			return -1;
	}
	return 1;
}

/* The route, next hop, port and filled neighbour cache every case runs on. */
static int setup(struct pg_router *r, const char *path, const struct pg_spec *fwd, bool *group)
{
	int ret;

	struct ipxr_route4_key k = { .prefixlen = 24, .addr = pg_addr("198.51.101.0") };
	struct ipxr_route v = { .type = IPXR_RT_UNICAST, .prefixlen = 24, .nh_id = 1,
				.counter = 1 };
	struct ipxr_nexthop nh;
	uint32_t id = 1;

	if (pg_router_load(r, path) || pg_config_set(r, 2) || pg_nh_set(r, 1, 1, "10.0.2.1", 1) ||
	    pg_route_set(r, "198.51.100.0", 24, IPXR_RT_UNICAST, 1) ||
	    pg_route_set(r, "198.51.96.0", 24, IPXR_RT_UNICAST, 1) ||
	    pg_route_set(r, "198.51.97.0", 24, IPXR_RT_UNICAST, 1) ||
	    pg_route_set(r, "10.0.1.0", 24, IPXR_RT_UNICAST, 1) ||
	    bpf_map_update_elem(r->route4, &k, &v, BPF_ANY) ||
	    pg_port_set(r, 1, IPXR_PORT_F_XDP | IPXR_PORT_F_UP) ||
	    bpf_map_lookup_elem(r->nexthop, &id, &nh))
		return -1;
	nh.cache.stamp_ns = 1;
	nh.cache.mtu = 0xffff;
	memcpy(nh.cache.dmac, fwd->smac, ETH_ALEN);
	memcpy(nh.cache.smac, fwd->dmac, ETH_ALEN);
	if (bpf_map_update_elem(r->nexthop, &id, &nh, BPF_ANY))
		return -1;
	ret = setup_groups(r, &nh);
	*group = ret == 1;
	return ret < 0 ? -1 : 0;
}

/*
 * Sub-interfaces lo.10 and lo.20 (ifindexes VLAN_SUB, VLAN_SUB + 1), next hop VLAN_NH out of
 * lo.20 with the cache of next hop 1, and route 198.51.98.0/24 through it. 1 when the object has
 * no VLANs.
 */
static int setup_vlan(struct pg_router *r)
{
	int fd = bpf_object__find_map_fd_by_name(r->obj, "ipxr_vlans");
	struct ipxr_port p = { .flags = IPXR_PORT_F_XDP | IPXR_PORT_F_UP | IPXR_PORT_F_VLAN,
			       .mtu = 1500, .link = 1, .lower = 1, .max_len = 1518, .ntags = 1 };
	struct ipxr_vlan_key k = { .ifindex = 1 };
	struct ipxr_nexthop nh;
	uint32_t id = 1, sub, vid;

	if (fd < 0)
		return 1;
	if (bpf_map_lookup_elem(r->nexthop, &id, &nh))
		return -1;
	for (vid = 10; vid <= 20; vid += 10) {
		sub = VLAN_SUB + vid / 10 - 1;
		p.tag[0].proto = htons(ETH_P_8021Q);
		p.tag[0].vid = htons((uint16_t)vid);
		k.tag[0] = p.tag[0];
		if (bpf_map_update_elem(r->ports, &sub, &p, BPF_ANY) ||
		    bpf_map_update_elem(fd, &k, &sub, BPF_ANY))
			return -1;
	}
	nh.ifindex = sub;
	id = VLAN_NH;
	if (bpf_map_update_elem(r->nexthop, &id, &nh, BPF_ANY) ||
	    pg_route_set(r, "198.51.98.0", 24, IPXR_RT_UNICAST, VLAN_NH))
		return -1;
	return 0;
}

/* lo's record, with strict reverse-path filtering (@strict) or without. */
static int rpf_set(struct pg_router *r, bool strict)
{
	return pg_port_set(r, 1, IPXR_PORT_F_XDP | IPXR_PORT_F_UP |
			   (strict ? IPXR_PORT_F_RPF_STRICT : 0));
}

/* Whether the object filters: a frame from a source with no route is passed. */
static bool rpf_probe(struct pg_router *r, const struct pg_spec *fwd)
{
	struct pg_spec s = *fwd;
	static struct pg_result res;
	struct pg_frame f;

	s.src = "100.64.0.1";
	pg_build(&f, &s);
	if (rpf_set(r, true))
		return false;
	pg_run(r->prog_fd[0], 1, f.data, f.len, 0, 1, &res);
	rpf_set(r, false);
	return !res.err && (int)res.retval == XDP_PASS;
}

int main(int argc, char **argv)
{
	static const char *const names[NCASES] = { "ttl_exceeded", "no_route", "forward",
						   "fwd_counted", "fwd_group2", "fwd_group8",
						   "fwd_group32", "fwd_vlan", "fwd_rpf" };
	static const int calls[NCASES] = { PASS_CALLS, PASS_CALLS, FWD_CALLS, FWD_CALLS,
					   FWD_CALLS, FWD_CALLS, FWD_CALLS, FWD_CALLS, FWD_CALLS };
	static const uint32_t repeat[NCASES] = { 1000000, 1000000, 250, 250, 250, 250, 250,
						 250, 250 };
	static const int action[NCASES] = { XDP_PASS, XDP_PASS, XDP_REDIRECT, XDP_REDIRECT,
					    XDP_REDIRECT, XDP_REDIRECT, XDP_REDIRECT,
					    XDP_REDIRECT, XDP_REDIRECT };
	static bool na[NOBJ][NCASES];
	static double v[NOBJ][NCASES][FWD_CALLS];
	static struct pg_router r[NOBJ];
	static struct pg_result res;
	struct pg_spec spec[NCASES] = {
		{ .dmac = { 2, 0, 0, 0, 1, 0xfe }, .smac = { 2, 0, 0, 0, 1, 1 }, .ttl = 1,
		  .proto = IPPROTO_UDP, .src = "10.0.1.1", .dst = "198.51.100.7",
		  .sport = 40000, .dport = 53 },
	};
	struct pg_frame f[NCASES];
	int n = argc - 1, i, k, c;

	if (n < 1 || n > NOBJ) {
		fprintf(stderr, "Usage: abcost A.o B.o [C.o]\n");
		return 2;
	}
	spec[1] = spec[0];
	spec[1].ttl = 64;
	spec[1].dst = "203.0.113.9";
	spec[2] = spec[0];
	spec[2].ttl = 255;
	spec[3] = spec[2];
	spec[3].dst = "198.51.101.7";
	spec[4] = spec[2];
	spec[4].dst = "198.51.102.7";
	spec[5] = spec[2];
	spec[5].dst = "198.51.103.7";
	spec[6] = spec[2];
	spec[6].dst = "198.51.99.7";
	spec[7] = spec[2];
	spec[7].dst = "198.51.98.7";
	spec[7].vlan = 10;
	spec[8] = spec[2];
	for (c = 0; c < NCASES; c++)
		pg_build(&f[c], &spec[c]);
	if (pg_netns_enter())
		return 1;
	for (i = 0; i < n; i++) {
		char dev[16];
		bool group;
		int err = setup(&r[i], argv[i + 1], &spec[2], &group);

		if (!err)
			err = setup_vlan(&r[i]);
		for (c = FIRST_GROUP; c < VLAN_CASE; c++)
			na[i][c] = !group;
		na[i][VLAN_CASE] = err == 1;
		if (err >= 0)
			na[i][RPF_CASE] = !rpf_probe(&r[i], &spec[2]);
		snprintf(dev, sizeof(dev), "abc%d", i);
		if (err < 0 || pg_dispatcher_hold(r[i].prog_fd[0], dev)) {
			fprintf(stderr, "Error: %s: cannot load or set up\n", argv[i + 1]);
			return 1;
		}
	}
	for (k = 0; k < FWD_CALLS; k++) {
		for (c = 0; c < NCASES; c++) {
			if (k >= calls[c])
				continue;
			for (i = 0; i < n; i++) {
				if (na[i][c])
					continue;
				if (c == RPF_CASE && rpf_set(&r[i], true))
					return 1;
				pg_run(r[i].prog_fd[0], 1, f[c].data, f[c].len, 0, repeat[c], &res);
				if (c == RPF_CASE && rpf_set(&r[i], false))
					return 1;
				if (res.err || (int)res.retval != action[c]) {
					fprintf(stderr, "Error: %s, %s: %s, action %u\n",
						argv[i + 1], names[c], strerror(-res.err),
						res.retval);
					return 1;
				}
				v[i][c][k] = res.duration;
			}
		}
	}
	for (c = 0; c < NCASES; c++)
		for (i = 0; i < n; i++)
			if (na[i][c])
				printf("%-12s %-32s    n/a\n", names[c], argv[i + 1]);
			else
				printf("%-12s %-32s %6.2f ns/packet (mean of %d calls)\n",
				       names[c], argv[i + 1], mean(v[i][c], calls[c]),
				       calls[c]);
	for (i = 0; i < n; i++)
		pg_router_close(&r[i]);
	return 0;
}
