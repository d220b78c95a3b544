// SPDX-License-Identifier: GPL-2.0
/*
 * nsperpkt: nanoseconds per packet of bpf/xdp_router.o, measured with BPF_PROG_TEST_RUN.
 *
 * Runs in a private network namespace (unshare; gone when we exit) with tin0 (ingress) and tout0
 * (4 gateways 10.0.2.1-4 and 2001:db8:2::1-4 with permanent neighbour entries), loads the object
 * with pinning off, fills the LPM trie of the family with a BGP-like table (bench/table.h; IPv4
 * mostly /24, /8../32; IPv6 mostly /48, /19../64 and /128, in 2000::/3) and times:
 *
 *   forward       256 (--packets) frames to hosts in prefixes picked across the table
 *   no_route      256 frames to unrouted hosts (10.128.0.0/9, 2001:db8:ff00::/40: the tables
 *                 never hold 10/8 or 2001:db8::/32)
 *   ttl_exceeded  the forward frames with TTL (hop limit) 1: the trie lookup is done, then passed
 *   local         frames to the router's own address 10.0.1.254 / 2001:db8:1::fe (LOCAL entry)
 *
 * Each family is timed twice on the same table in the same run: first with the front structure
 * ipxr_lpm unpainted (its slot empty: the program asks the trie alone, as an object nobody
 * paints), then with a pool painted from the trie by ipxr/lpm.c as ipxr paints it (at most 3
 * reads for IPv4, 15 for IPv6, answer the lookup; the trie only where a leaf says so, a route
 * MTU): what a router running ipxr runs. --front picks one of the two; rows and JSON name it
 * (lookup "trie" or "lpm").
 *
 * test_run runs the program `repeat` times over the same buffer and reports the mean; since the
 * program decrements the TTL in place, a forwarded frame starting at TTL 255 survives at most 254
 * runs, so repeat is capped at 250 and each frame is run --passes times. The ns/packet is the mean
 * over all runs (also the median of the per-call means). Counters are per-CPU; the process is
 * pinned to one CPU.
 *
 * With repeat 250 a frame's path through the trie is in the cache from its second run on: that
 * is the program's own cost. --repeat 1 --packets 4096 takes the frames one at a time in turn,
 * so the trie's nodes come from memory as they do for real traffic to many destinations (the
 * figure then also holds test_run's fixed cost per call, some 100 ns here: see the 1-route row).
 *
 * --vlan: every frame arrives tagged 802.1Q 10 on tin0, a sub-interface's VLAN, and every next
 * hop is a sub-interface with VLAN 100 (tout0 itself, recorded as one of its own: the program
 * only reads the record): the tagged-to-tagged cost, tags off on the way in, back on the way
 * out (or back on for what is passed).
 *
 * Usage: nsperpkt [--family 4|6] [--routes N[,N...]] [--packets N] [--repeat N] [--passes N]
 *                 [--seed N] [--prog xdp_router|prog] [--front both|lpm|trie] [--multipath N]
 *                 [--vlan] [--json]
 * Output: a Markdown table row per case; with --json also one JSON object per case per line.
 */
#include <getopt.h>
#include "pktgen.h"
#include "table.h"
#include "lpm.h"
#include "nhgroup.h"

#define NGW		4
#define MAX_PACKETS	4096
#define MAX_REPEAT	250	/* TTL 255 leaves room for 254 forwards */
#ifndef ENOTSUPP
#define ENOTSUPP	524	/* kernel-internal; leaks out of some bpf() commands */
#endif

struct opts {
	uint32_t routes[16];
	int nroutes;
	int family;
	int packets;
	int repeat;
	int passes;
	uint64_t seed;
	int prog;
	int front;	/* FRONT_* */
	bool json;
};

enum { FRONT_BOTH, FRONT_LPM, FRONT_TRIE };

static const uint8_t mac_tin0[ETH_ALEN] = { 0x02, 0, 0, 0, 0x01, 0xfe };
static const uint8_t mac_host[ETH_ALEN] = { 0x02, 0, 0, 0, 0x01, 0x01 };
static int if_in, if_out;
static bool vlan_mode;		/* --vlan */
#define VLAN_IN		10
#define VLAN_OUT	100

/* In --vlan mode, an 802.1Q tag VLAN_IN after the MACs of @f. */
static void frame_tag(struct pg_frame *f)
{
	if (!vlan_mode)
		return;
	memmove(f->data + 16, f->data + 12, f->len - 12);
	pg_put16(f->data + 12, ETH_P_8021Q);
	pg_put16(f->data + 14, VLAN_IN);
	f->len += 4;
	f->l3 += 4;
}

static const char *const setup_cmds[] = {
	"ip link add tin0 address 02:00:00:00:01:fe type veth peer name tin0p address 02:00:00:00:01:01",
	"ip link add tout0 address 02:00:00:00:02:fe type veth peer name tout0p",
	"ip addr add 10.0.1.254/24 dev tin0",
	"ip addr add 10.0.2.254/24 dev tout0",
	"ip addr add 2001:db8:1::fe/64 dev tin0 nodad",
	"ip addr add 2001:db8:2::fe/64 dev tout0 nodad",
	"ip link set tin0 up", "ip link set tin0p up", "ip link set tout0 up", "ip link set tout0p up",
	"ip neigh add 10.0.2.1 lladdr 02:00:00:00:02:01 dev tout0 nud permanent",
	"ip neigh add 10.0.2.2 lladdr 02:00:00:00:02:02 dev tout0 nud permanent",
	"ip neigh add 10.0.2.3 lladdr 02:00:00:00:02:03 dev tout0 nud permanent",
	"ip neigh add 10.0.2.4 lladdr 02:00:00:00:02:04 dev tout0 nud permanent",
	"ip neigh add 2001:db8:2::1 lladdr 02:00:00:00:02:01 dev tout0 nud permanent",
	"ip neigh add 2001:db8:2::2 lladdr 02:00:00:00:02:02 dev tout0 nud permanent",
	"ip neigh add 2001:db8:2::3 lladdr 02:00:00:00:02:03 dev tout0 nud permanent",
	"ip neigh add 2001:db8:2::4 lladdr 02:00:00:00:02:04 dev tout0 nud permanent",
};

static int setup_netns(void)
{
	if (pg_netns_setup(setup_cmds, sizeof(setup_cmds) / sizeof(setup_cmds[0])))
		return -1;
	/* bpf_fib_lookup() answers FWD_DISABLED for IPv6 without it */
	if (pg_sysctl("net/ipv6/conf/all/forwarding", "1"))
		return -1;
	if_in = pg_ifindex("tin0");
	if_out = pg_ifindex("tout0");
	return if_in && if_out ? 0 : -1;
}

/* ------------------------------------------------------------------------------------------ */
/* BGP-like tables (bench/table.h, the same ones routegen writes for `make bench`)             */

static uint32_t nh_of(const struct tb_route4 *k)
{
	return tb_gw_of(k->addr, k->plen, NGW);
}

static uint32_t nh_of6(const struct tb_route6 *k)
{
	uint32_t h;

	memcpy(&h, k->addr, 4);
	return tb_gw_of(ntohl(h) ^ k->addr[5], k->plen, NGW);
}

/*
 * @n keys of @key_size at @keys with their values into @map_fd, in batches where the kernel
 * takes them (one call per 64k routes), else one by one.
 */
static int load_routes(int map_fd, const void *keys, const struct ipxr_route *vals, size_t key_size,
		       uint32_t n, const char **how)
{
	const uint32_t chunk = 65536;
	LIBBPF_OPTS(bpf_map_batch_opts, bo);	/* batch elem_flags take only BPF_F_LOCK */
	const char *k = keys;
	uint32_t done = 0, i;
	bool batch = true;

	*how = "batch";
	while (done < n) {
		uint32_t cnt = n - done < chunk ? n - done : chunk;

		if (batch) {
			uint32_t c = cnt;

			if (!bpf_map_update_batch(map_fd, k + (size_t)done * key_size, &vals[done], &c,
						  &bo)) {
				done += cnt;
				continue;
			}
			if (done == 0 && (errno == EINVAL || errno == ENOTSUPP ||
					  errno == EOPNOTSUPP)) {
				batch = false;		/* older kernel: one by one */
				*how = "one by one";
			} else {
				printf("# batch update at %u: %s\n", done + c, strerror(errno));
				return -1;
			}
		}
		for (i = 0; i < cnt; i++)
			if (bpf_map_update_elem(map_fd, k + (size_t)(done + i) * key_size,
						&vals[done + i], BPF_ANY)) {
				printf("# route %u: %s\n", done + i, strerror(errno));
				return -1;
			}
		done += cnt;
	}
	return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Measuring                                                                                   */

struct result {
	double mean, median;
	uint64_t runs;
	int wrong;	/* calls whose last action was not the expected one */
};

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Packets counted for @reason, over all family slots the map has (one in layout 1; LINK, INET
 * and INET6 in layout 2): a pass case is only timed right if it passed for the reason named.
 */
static uint64_t reason_count(struct pg_router *r, uint32_t reason)
{
	uint64_t sum = 0;
	uint32_t slot;

	for (slot = 0; slot < IPXR_SF_MAX; slot++) {
		uint32_t idx = slot * IPXR_MAX_STATS + reason;
		struct ipxr_counter *v = calloc(r->ncpus, sizeof(*v));
		int i;

		if (!v || bpf_map_lookup_elem(r->stats, &idx, v)) {
			free(v);
			break;
		}
		for (i = 0; i < r->ncpus; i++)
			sum += v[i].packets;
		free(v);
	}
	return sum;
}

static struct result measure(int prog_fd, struct pg_frame *frames, int nframes,
			     const struct opts *o, uint32_t action)
{
	static struct pg_result res;
	uint32_t *d = calloc((size_t)nframes * o->passes, sizeof(*d));
	struct result r = {};
	double sum = 0;
	int pass, i, n = 0;

	if (!d) {
		r.wrong = -1;
		return r;
	}
	/* warm the next-hop caches and the trie's path */
	for (i = 0; i < nframes; i++)
		pg_run(prog_fd, (uint32_t)if_in, frames[i].data, frames[i].len, 0, 1, &res);
	for (pass = 0; pass < o->passes; pass++)
		for (i = 0; i < nframes; i++) {
			if (pg_run(prog_fd, (uint32_t)if_in, frames[i].data, frames[i].len, 0,
				   (uint32_t)o->repeat, &res) || res.retval != action) {
				if (!r.wrong++)
					printf("# frame %d: err %d action %s, want %s\n", i, res.err,
					       pg_xdp_action_name((int)res.retval),
					       pg_xdp_action_name((int)action));
				continue;
			}
			d[n++] = res.duration;
			sum += res.duration;
			r.runs += (uint64_t)o->repeat;
		}
	if (n) {
		r.mean = sum / n;
		qsort(d, (size_t)n, sizeof(*d), cmp_u32);
		r.median = n & 1 ? d[n / 2] : (d[n / 2 - 1] + d[n / 2]) / 2.0;
	}
	free(d);
	return r;
}

static void frame_to(struct pg_frame *f, uint32_t dst_host, uint8_t ttl, uint16_t id)
{
	char dst[16];
	struct pg_spec s = {
		.ttl = ttl, .proto = IPPROTO_UDP, .id = id, .frag_off = 0x4000,
		.src = "10.0.1.1", .dst = dst, .sport = 40000, .dport = 53, .payload = 22,
	};

	memcpy(s.dmac, mac_tin0, ETH_ALEN);
	memcpy(s.smac, mac_host, ETH_ALEN);
	snprintf(dst, sizeof(dst), "%u.%u.%u.%u", dst_host >> 24, (dst_host >> 16) & 0xff,
		 (dst_host >> 8) & 0xff, dst_host & 0xff);
	pg_build(f, &s);
	frame_tag(f);
}

/*
 * An IPv6/UDP frame, 64 bytes with the FCS, built here rather than with pg_build() so this tool
 * depends on nothing of tests/pktgen.h's IPv6 support.
 */
static void frame6_to(struct pg_frame *f, const uint8_t dst[16], uint8_t hops, uint16_t sport)
{
	uint8_t *p;
	uint32_t sum = 0;
	uint16_t csum;
	const size_t ulen = 8 + 2;

	memset(f, 0, sizeof(*f));
	p = f->data;
	memcpy(p, mac_tin0, ETH_ALEN);
	memcpy(p + ETH_ALEN, mac_host, ETH_ALEN);
	pg_put16(p + 12, ETH_P_IPV6);
	f->l3 = 14;
	p += 14;
	p[0] = 0x60;
	pg_put16(p + 4, (uint16_t)ulen);
	p[6] = IPPROTO_UDP;
	p[7] = hops;
	inet_pton(AF_INET6, "2001:db8:1::1", p + 8);
	memcpy(p + 24, dst, 16);
	pg_put16(p + 40, sport);
	pg_put16(p + 42, 53);
	pg_put16(p + 44, (uint16_t)ulen);
	sum = pg_csum_add(0, p + 8, 32);
	sum += IPPROTO_UDP + ulen;
	sum = pg_csum_add(sum, p + 40, ulen);
	csum = (uint16_t)~pg_csum_fold(sum);
	pg_put16(p + 46, csum ? csum : 0xffff);	/* zero would mean "no checksum" */
	f->len = 14 + 40 + ulen;
	frame_tag(f);
}

/* ------------------------------------------------------------------------------------------ */
/* One table size                                                                              */

struct table {
	void *keys;
	struct ipxr_route *vals;
	size_t key_size;
	uint32_t n;
};

/*
 * --multipath N: every route is multipath by group 1 of N next hops (ids 1..N over the NGW
 * gateways in turn, each with its own neighbour cache), 0: unicast routes as usual
 */
static int mp_ways;

static int table_make(struct table *t, int family, uint32_t n, uint64_t seed,
		      struct pg_frame *fwd, struct pg_frame *ttl1, int packets)
{
	uint64_t rng = seed ^ 0x5eed;
	uint32_t i;
	int p;

	t->n = n;
	t->vals = calloc(n, sizeof(*t->vals));
	if (!t->vals)
		return -1;
	if (family == 4) {
		struct tb_route4 *r = tb_gen4(n, seed);
		struct ipxr_route4_key *k = calloc(n, sizeof(*k));

		if (!r || !k)
			return -1;
		for (i = 0; i < n; i++) {
			k[i].prefixlen = r[i].plen;
			k[i].addr = htonl(r[i].addr);
			t->vals[i].type = mp_ways ? IPXR_RT_MULTIPATH : IPXR_RT_UNICAST;
			t->vals[i].prefixlen = r[i].plen;
			t->vals[i].nh_id = mp_ways ? 1 : nh_of(&r[i]);
		}
		for (p = 0; p < packets; p++) {
			uint32_t host = tb_host4(&r[tb_rand(&rng) % n], &rng);

			frame_to(&fwd[p], host, 255, (uint16_t)p);
			frame_to(&ttl1[p], host, 1, (uint16_t)p);
		}
		free(r);
		t->keys = k;
		t->key_size = sizeof(*k);
	} else {
		struct tb_route6 *r = tb_gen6(n, seed);
		struct ipxr_route6_key *k = calloc(n, sizeof(*k));

		if (!r || !k)
			return -1;
		for (i = 0; i < n; i++) {
			k[i].prefixlen = r[i].plen;
			memcpy(k[i].addr, r[i].addr, 16);
			t->vals[i].type = mp_ways ? IPXR_RT_MULTIPATH : IPXR_RT_UNICAST;
			t->vals[i].prefixlen = r[i].plen;
			t->vals[i].nh_id = mp_ways ? 1 : nh_of6(&r[i]);
		}
		for (p = 0; p < packets; p++) {
			uint8_t host[16];

			tb_host6(&r[tb_rand(&rng) % n], &rng, host);
			frame6_to(&fwd[p], host, 255, (uint16_t)(40000 + p));
			frame6_to(&ttl1[p], host, 1, (uint16_t)(40000 + p));
		}
		free(r);
		t->keys = k;
		t->key_size = sizeof(*k);
	}
	return 0;
}

/*
 * --vlan: tin0 and tout0 recorded as sub-interfaces (VLAN_IN and VLAN_OUT) of themselves, and
 * ipxr_vlans keys for the frames' tag, VLAN_IN, and VLAN_OUT, which a frame carries from its
 * second run on.
 */
static int vlan_base(struct pg_router *r)
{
	int fd = bpf_object__find_map_fd_by_name(r->obj, IPXR_MAP_VLANS);
	uint16_t vids[2] = { VLAN_IN, VLAN_OUT };
	int ifx[2] = { if_in, if_out }, i;

	if (fd < 0) {
		printf("# no %s in the object: VLANs need map layout 7\n", IPXR_MAP_VLANS);
		return -1;
	}
	for (i = 0; i < 2; i++) {
		struct ipxr_port p = { .flags = IPXR_PORT_F_XDP | IPXR_PORT_F_UP | IPXR_PORT_F_VLAN,
				       .mtu = 1500, .link = (uint32_t)ifx[i],
				       .lower = (uint32_t)ifx[i], .max_len = 1518, .ntags = 1 };
		struct ipxr_vlan_key k = { .ifindex = (uint32_t)if_in };
		uint32_t key = (uint32_t)ifx[i], sub = (uint32_t)if_in;

		p.tag[0].proto = htons(ETH_P_8021Q);
		p.tag[0].vid = htons(vids[i]);
		k.tag[0] = p.tag[0];
		/* a sub-interface's record is in the hash alone (ipxr_maps.h) */
		pg_port_del(r, key);
		if (bpf_map_update_elem(r->ports, &key, &p, BPF_ANY) ||
		    bpf_map_update_elem(fd, &k, &sub, BPF_ANY))
			return -1;
	}
	return 0;
}

/* Next hops 1..NGW via the gateways on tout0, and the router's own addresses as LOCAL. */
static int router_base(struct pg_router *r, int family, int route6)
{
	uint32_t g, nnh = (uint32_t)mp_ways > NGW ? (uint32_t)mp_ways : NGW;

	/*
	 * tout0 and tin0 run the object and are up, as ipxr records them: the program redirects
	 * into tout0, and reads tin0's record for each IPv4 frame that arrives (a port without
	 * one would cost it a hash lookup that no router running ipxr makes)
	 */
	if (pg_config_set(r, nnh + 1) ||
	    pg_port_set(r, (uint32_t)if_out, IPXR_PORT_F_XDP | IPXR_PORT_F_UP) ||
	    pg_port_set(r, (uint32_t)if_in, IPXR_PORT_F_XDP | IPXR_PORT_F_UP))
		return -1;
	if (vlan_mode && vlan_base(r))
		return -1;
	if (mp_ways) {
		struct ipxr_nh_group grp = { .refcnt = 1, .count = (uint16_t)mp_ways };
		uint32_t id = 1;

		for (g = 0; g < (uint32_t)mp_ways; g++) {
			grp.member[g].nh_id = g + 1;
			grp.member[g].weight = 1;
		}
		nhg_fill(&grp);
		if (bpf_map_update_elem(pg_map_fd(r, IPXR_MAP_NH_GROUP), &id, &grp, BPF_ANY))
			return -1;
	}
	for (g = 1; g <= nnh; g++) {
		struct ipxr_nexthop nh = { .ifindex = (uint32_t)if_out, .refcnt = 1 };
		char gw[32];

		if (family == 4) {
			snprintf(gw, sizeof(gw), "10.0.2.%u", (g - 1) % NGW + 1);
			nh.family = AF_INET;
			inet_pton(AF_INET, gw, nh.gw);
		} else {
			snprintf(gw, sizeof(gw), "2001:db8:2::%u", (g - 1) % NGW + 1);
			nh.family = AF_INET6;
			inet_pton(AF_INET6, gw, nh.gw);
		}
		if (bpf_map_update_elem(r->nexthop, &g, &nh, BPF_ANY))
			return -1;
	}
	if (family == 4)
		return pg_route_set(r, "10.0.1.254", 32, IPXR_RT_LOCAL, 0) ||
		       pg_route_set(r, "10.0.2.254", 32, IPXR_RT_LOCAL, 0) ? -1 : 0;
	{
		struct ipxr_route6_key k = { .prefixlen = 128 };
		struct ipxr_route v = { .type = IPXR_RT_LOCAL, .prefixlen = 128 };

		inet_pton(AF_INET6, "2001:db8:1::fe", k.addr);
		if (bpf_map_update_elem(route6, &k, &v, BPF_ANY))
			return -1;
		inet_pton(AF_INET6, "2001:db8:2::fe", k.addr);
		return bpf_map_update_elem(route6, &k, &v, BPF_ANY) ? -1 : 0;
	}
}

/* The destination of a frame, network order, in @a (16 bytes). */
static void frame_dst(const struct pg_frame *f, int family, uint8_t *a)
{
	memset(a, 0, 16);
	if (family == 4)
		memcpy(a, f->data + f->l3 + 16, 4);
	else
		memcpy(a, f->data + f->l3 + 24, 16);
}

/*
 * Paint the family's pool of @lpm_fd from the trie as ipxr does (lpm_begin/end on a slot never
 * painted: a full repaint), leaving it in the slot and mapped in @l. The seconds it took, or < 0.
 */
static double front_paint(struct lpm *l, int family, int lpm_fd, int trie_fd)
{
	double t0 = pg_now_s();
	int e = lpm_open(l, family == 4 ? AF_INET : AF_INET6, lpm_fd, trie_fd);

	if (e) {
		printf("# front structure: %s\n", strerror(-e));
		return -1;
	}
	lpm_begin(l);
	e = lpm_end(l);
	if (e) {
		printf("# painting the front structure: %s\n", strerror(-e));
		lpm_close(l);
		return -1;
	}
	return pg_now_s() - t0;
}


/*
 * The timed program is held in the XDP dispatcher by a veth of its own (pg_dispatcher_hold()):
 * a hot call then waits for no grace period, and calls follow each other with no idle CPU in
 * between. Taken away with the object, so that the table's maps go with it.
 */
#define HOLD_DEV	"thold0"

static void table_close(struct pg_router *r)
{
	pg_sh("ip link del dev %s", HOLD_DEV);
	pg_router_close(r);
}

static int bench_one(const struct opts *o, uint32_t nroutes, bool header)
{
	static struct pg_frame fwd[MAX_PACKETS], ttl1[MAX_PACKETS], noroute[MAX_PACKETS];
	static struct pg_frame local[MAX_PACKETS];
	struct {
		const char *name;
		struct pg_frame *f;
		int n;
		uint32_t action, reason;
	} cases[] = {
		{ "forward", fwd, o->packets, XDP_REDIRECT, IPXR_STAT_FORWARD },
		{ "no_route", noroute, o->packets, XDP_PASS, IPXR_STAT_NO_ROUTE },
		{ "ttl_exceeded", ttl1, o->packets, XDP_PASS, IPXR_STAT_TTL },
		{ "local", local, o->packets, XDP_PASS, IPXR_STAT_LOCAL },
	};
	struct table t = {};
	struct pg_router r;
	struct lpm d = { .outer_fd = -1, .pool_fd = -1 };
	const char *how;
	uint64_t rng = o->seed ^ 0x10ca1;
	double t0, gen_s, load_s, paint_s = -1, direct = 0;
	int i, rc = 0, map_fd, route6, lpm_fd, lk, nlk = 0;
	bool lookups[2];	/* in the order timed: false the trie alone, true the front structure */
	__u32 slot = o->family == 4 ? IPXR_LPM_SLOT4 : IPXR_LPM_SLOT6, id;
	const size_t ncases = sizeof(cases) / sizeof(cases[0]);
	size_t c, j;

	if (pg_router_load(&r, pg_obj_path()))
		return -1;
	route6 = bpf_object__find_map_fd_by_name(r.obj, IPXR_MAP_ROUTE6);
	if (o->family == 6 && route6 < 0) {
		printf("# no %s in the object: IPv6 needs map layout 2\n", IPXR_MAP_ROUTE6);
		return -1;
	}
	if (router_base(&r, o->family, route6)) {
		printf("# next hops or local routes: %s\n", strerror(errno));
		return -1;
	}
	if (pg_dispatcher_hold(r.prog_fd[o->prog], HOLD_DEV)) {
		pg_router_close(&r);
		return -1;
	}
	map_fd = o->family == 4 ? r.route4 : route6;
	lpm_fd = bpf_object__find_map_fd_by_name(r.obj, IPXR_MAP_LPM);
	if (lpm_fd < 0 && o->front == FRONT_LPM) {
		printf("# no %s in the object: it has no front structure\n", IPXR_MAP_LPM);
		table_close(&r);
		return -1;
	}
	/* the trie alone first: the front structure as the object leaves it, never painted */
	if (lpm_fd < 0 || o->front != FRONT_LPM)
		lookups[nlk++] = false;
	if (lpm_fd >= 0 && o->front != FRONT_TRIE)
		lookups[nlk++] = true;

	t0 = pg_now_s();
	if (table_make(&t, o->family, nroutes, o->seed, fwd, ttl1, o->packets)) {
		printf("# out of memory for %u routes\n", nroutes);
		return -1;
	}
	gen_s = pg_now_s() - t0;
	t0 = pg_now_s();
	rc = load_routes(map_fd, t.keys, t.vals, t.key_size, nroutes, &how);
	load_s = pg_now_s() - t0;
	free(t.keys);
	free(t.vals);
	if (rc) {
		table_close(&r);
		return -1;
	}
	printf("# IPv%d, %u routes: generated in %.2f s, loaded (%s) in %.2f s, %.0f routes/s\n",
	       o->family, nroutes, gen_s, how, load_s, load_s > 0 ? nroutes / load_s : 0.0);

	for (i = 0; i < o->packets; i++) {
		if (o->family == 4) {
			frame_to(&noroute[i], 0x0a800000 | ((uint32_t)pg_rand(&rng) & 0x7fffff), 64,
				 (uint16_t)i);
			frame_to(&local[i], 0x0a0001fe, 64, (uint16_t)i);	/* 10.0.1.254 */
		} else {
			uint8_t a[16];
			uint64_t x = pg_rand(&rng);

			inet_pton(AF_INET6, "2001:db8:ff00::", a);
			memcpy(a + 5, &x, 8);		/* 2001:db8:ffXX:XXXX:... */
			a[4] = 0xff;
			frame6_to(&noroute[i], a, 64, (uint16_t)(40000 + i));
			inet_pton(AF_INET6, "2001:db8:1::fe", a);
			frame6_to(&local[i], a, 64, (uint16_t)(40000 + i));
		}
	}

	if (header) {
		printf("| family | routes | lookup | case | distinct frames | runs | ns/pkt mean |"
		       " ns/pkt median |\n");
		printf("|-------:|-------:|--------|------|----------------:|-----:|------------:|"
		       "--------------:|\n");
	}
	rc = 0;
	/* every case with each lookup in turn */
	for (j = 0; j < (size_t)nlk * ncases; j++) {
		const char *lookup;
		char extra[128] = "";

		lk = (int)(j / ncases);
		c = j % ncases;
		lookup = lookups[lk] ? "lpm" : "trie";

		if (lookups[lk] && paint_s < 0) {
			paint_s = front_paint(&d, o->family, lpm_fd, map_fd);
			if (paint_s < 0) {
				rc = -1;
				break;
			}
			for (i = 0; i < o->packets; i++) {
				uint8_t a[16];

				frame_dst(&fwd[i], o->family, a);
				direct += !(lpm_leaf(&d, a) & IPXR_LPM_TRIE);
			}
			direct /= o->packets;
			printf("# IPv%d, %u routes: front structure painted from the trie in %.3f s "
			       "(%u groups in use, pool of %zu bytes); it answers %.1f %% of the "
			       "forward frames, the trie the rest\n", o->family, nroutes, paint_s,
			       lpm_groups_used(&d), lpm_bytes(&d), direct * 100);
		}
		if (lookups[lk])
			snprintf(extra, sizeof(extra), ",\"paint_s\":%.3f,\"front_direct\":%.4f,"
				 "\"pool_bytes\":%zu", paint_s, direct, lpm_bytes(&d));
		/* the program must find the slot empty and ask the trie */
		if (!lookups[lk] && lpm_fd >= 0 && !bpf_map_lookup_elem(lpm_fd, &slot, &id)) {
			printf("# front structure painted where the trie alone was to be timed\n");
			rc = -1;
			break;
		}

		uint64_t before = reason_count(&r, cases[c].reason), counted;
		struct result m = measure(r.prog_fd[o->prog], cases[c].f, cases[c].n, o,
					  cases[c].action);

		counted = reason_count(&r, cases[c].reason) - before;
		if (!m.wrong && counted < m.runs) {
			printf("# IPv%d %s: %llu runs but %llu counted as %s: another path was timed\n",
			       o->family, cases[c].name, (unsigned long long)m.runs,
			       (unsigned long long)counted, pg_stat_name[cases[c].reason]);
			rc = -1;
			continue;
		}
		if (m.wrong) {
			printf("# IPv%d %s: %d calls did not end in %s\n", o->family, cases[c].name,
			       m.wrong, pg_xdp_action_name((int)cases[c].action));
			rc = -1;
			continue;
		}
		printf("| %d | %u | %s | %s | %d | %llu | %.1f | %.1f |\n", o->family, nroutes,
		       lookup, cases[c].name, cases[c].n, (unsigned long long)m.runs, m.mean,
		       m.median);
		if (o->json)
			printf("{\"family\":%d,\"routes\":%u,\"lookup\":\"%s\",\"case\":\"%s\","
			       "\"prog\":\"%s\",\"frames\":%d,\"repeat\":%d,\"runs\":%llu,"
			       "\"ns_per_pkt\":%.1f,\"ns_per_pkt_median\":%.1f,\"load_s\":%.3f,"
			       "\"load_method\":\"%s\"%s}\n",
			       o->family, nroutes, lookup, cases[c].name, r.sec[o->prog], cases[c].n,
			       o->repeat, (unsigned long long)m.runs, m.mean, m.median, load_s, how,
			       extra);
	}
	lpm_close(&d);
	table_close(&r);
	return rc;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: nsperpkt [--family 4|6] [--routes N[,N...]] [--packets N] [--repeat N]\n"
		"                [--passes N] [--seed N] [--prog xdp_router|prog]\n"
		"                [--front both|lpm|trie] [--multipath N] [--vlan] [--json]\n"
		"  --family   4 (IPv4 routes and frames, default) or 6\n"
		"  --routes   routes in the table, e.g. 1,1000,100000,750000,1000000 (default 1)\n"
		"  --packets  distinct forward/no_route/ttl frames (default 256, max %d)\n"
		"  --repeat   runs per BPF_PROG_TEST_RUN call (default and max %d; 1: cold caches)\n"
		"  --passes   calls per frame (default 4)\n"
		"  --seed     table and frame PRNG seed (default 1)\n"
		"  --front    time the trie alone (front structure unpainted), then the painted\n"
		"             front structure (both, default), or only one of them\n"
		"  --multipath  every route multipath over one group of N next hops (2-%d)\n"
		"  --vlan     frames tagged (VLAN 10) in, next hops on a sub-interface (VLAN 100)\n"
		"  --json     also print one JSON object per case\n", MAX_PACKETS, MAX_REPEAT,
		IPXR_NHG_MAX);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "family", required_argument, NULL, 'f' },
		{ "routes", required_argument, NULL, 'r' },
		{ "packets", required_argument, NULL, 'p' },
		{ "repeat", required_argument, NULL, 'n' },
		{ "passes", required_argument, NULL, 'P' },
		{ "seed", required_argument, NULL, 's' },
		{ "prog", required_argument, NULL, 'g' },
		{ "json", no_argument, NULL, 'j' },
		{ "front", required_argument, NULL, 'F' },
		{ "multipath", required_argument, NULL, 'm' },
		{ "vlan", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct opts o = { .family = 4, .packets = 256, .repeat = MAX_REPEAT, .passes = 4, .seed = 1 };
	const char *v = getenv("V");
	uint32_t max;
	cpu_set_t cpus;
	int c, i, rc = 0;
	char *tok, *save, *end;

	setvbuf(stdout, NULL, _IOLBF, 0);
	pg_verbose = v && *v && strcmp(v, "0");
	while ((c = getopt_long(argc, argv, "f:r:p:n:P:s:g:jF:m:vh", lo, NULL)) != -1) {
		switch (c) {
		case 'f':
			o.family = atoi(optarg);
			if (o.family != 4 && o.family != 6) {
				fprintf(stderr, "Error: --family \"%s\": 4 or 6\n", optarg);
				return 1;
			}
			break;
		case 'r':
			for (tok = strtok_r(optarg, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
				unsigned long n = strtoul(tok, &end, 10);

				if (*end || !n || o.nroutes == 16) {
					fprintf(stderr, "Error: bad route count \"%s\"\n", tok);
					return 1;
				}
				o.routes[o.nroutes++] = (uint32_t)n;
			}
			break;
		case 'p':
			o.packets = atoi(optarg);
			break;
		case 'n':
			o.repeat = atoi(optarg);
			break;
		case 'P':
			o.passes = atoi(optarg);
			break;
		case 's':
			o.seed = strtoull(optarg, NULL, 0);
			break;
		case 'g':
			if (!strcmp(optarg, "xdp_router"))
				o.prog = 0;
			else if (!strcmp(optarg, "prog"))
				o.prog = 1;
			else {
				fprintf(stderr, "Error: --prog \"%s\": xdp_router or prog\n", optarg);
				return 1;
			}
			break;
		case 'j':
			o.json = true;
			break;
		case 'F':
			if (!strcmp(optarg, "both"))
				o.front = FRONT_BOTH;
			else if (!strcmp(optarg, "lpm"))
				o.front = FRONT_LPM;
			else if (!strcmp(optarg, "trie"))
				o.front = FRONT_TRIE;
			else {
				fprintf(stderr, "Error: --front \"%s\": both, lpm or trie\n", optarg);
				return 1;
			}
			break;
		case 'm':
			mp_ways = atoi(optarg);
			if (mp_ways < 2 || mp_ways > IPXR_NHG_MAX) {
				fprintf(stderr, "Error: --multipath \"%s\": 2 to %d\n", optarg,
					IPXR_NHG_MAX);
				return 1;
			}
			break;
		case 'v':
			vlan_mode = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (optind != argc || o.packets < 1 || o.packets > MAX_PACKETS || o.repeat < 1 ||
	    o.repeat > MAX_REPEAT || o.passes < 1) {
		usage(stderr);
		return 1;
	}
	if (!o.nroutes)
		o.routes[o.nroutes++] = 1;
	/* room for the two LOCAL entries */
	max = (o.family == 4 ? IPXR_MAX_ROUTES4 : IPXR_MAX_ROUTES6) - 2;
	for (i = 0; i < o.nroutes; i++)
		if (o.routes[i] > max) {
			fprintf(stderr, "Error: bad route count \"%u\" (1..%u for IPv%d)\n",
				o.routes[i], max, o.family);
			return 1;
		}

	/* one CPU: test_run runs where we are, and the per-CPU maps stay warm */
	CPU_ZERO(&cpus);
	CPU_SET(sched_getcpu() < 0 ? 0 : sched_getcpu(), &cpus);
	sched_setaffinity(0, sizeof(cpus), &cpus);

	if (setup_netns()) {
		printf("# namespace setup failed\n");
		return 1;
	}
	for (i = 0; i < o.nroutes; i++)
		if (bench_one(&o, o.routes[i], i == 0))
			rc = 1;
	return rc;
}
