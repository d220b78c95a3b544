// SPDX-License-Identifier: GPL-2.0
/*
 * bpf/xdp_router.o under BPF_PROG_TEST_RUN with a million random and mutated frames, judged
 * frame by frame against a model of what a router may do with each, written here from the
 * RFCs and the kernel's own input checks, sharing nothing with the program:
 *
 *   - XDP_PASS: the frame comes back byte for byte as it went in;
 *   - XDP_REDIRECT: the frame was forwardable: a well-formed IPv4 (no options, total length
 *     within the frame, right header checksum) or IPv6 packet (payload length within the frame,
 *     no Hop-by-Hop header, not neighbour discovery), unicast, from and to addresses a router
 *     forwards, TTL or hop limit over 1, whose longest matching route is a unicast one through
 *     a next hop with a neighbour entry, not longer than its port's MTU; and it comes back
 *     with the neighbour's and the port's MACs, TTL (hop limit) one less, a valid IPv4 header
 *     checksum, and no other byte changed;
 *   - XDP_DROP: the frame was a well-formed packet whose route is a blackhole;
 *   - no other action, ever; and every frame the model calls forwardable is forwarded.
 *
 * With reverse-path filtering on tin0 (strict for a third of each half, loose for another),
 * a frame is forwardable only if the kernel takes its IPv4 source from tin0: a unicast route
 * back (through tin0 when strict), not tin0's subnet's network or broadcast address.
 *
 * Frames are built by tests/pktgen.h (IPv4 with and without options, IPv6 with chains of
 * extension headers, ARP, VLAN tags, padding), then mutated: truncated, bytes flipped (with
 * and without the checksum made right again), lengths and header lengths changed, or all
 * random bytes. The routes are written through the same pktgen.h helpers as tests/test_xdp.c
 * (into the tries, as ipxr writes them), so the test depends on what the program does, not on
 * how it looks routes up. The namespace is the process's own (unshare).
 *
 *   tests/fuzz_xdp [FRAMES [SEED]]      (default 1000000 frames, seed 1: reproducible)
 *
 * Output: `ok - label` / `not ok - label`, the first failing frames as hex; exit 1 on failure.
 */
#include "lpm.h"
#include "pktgen.h"
#include "tap.h"

#define MAC(a, b) { 0x02, 0x00, 0x00, 0x00, a, b }

static const uint8_t mac_tin0[] = MAC(0x01, 0xfe);
static const uint8_t mac_sender[] = MAC(0x01, 0x01);

static const char *const setup_cmds[] = {
	"ip link add tin0 address 02:00:00:00:01:fe type veth peer name tin0p address 02:00:00:00:01:01",
	"ip link add tout0 address 02:00:00:00:02:fe type veth peer name tout0p",
	"ip link add tmtu0 address 02:00:00:00:03:fe mtu 1280 type veth peer name tmtu0p mtu 1280",
	"ip addr add 10.0.1.254/24 dev tin0",
	"ip addr add 10.0.2.254/24 dev tout0",
	"ip addr add 10.0.3.254/24 dev tmtu0",
	"ip -6 addr add 2001:db8:1::fe/64 dev tin0 nodad",
	"ip -6 addr add 2001:db8:2::fe/64 dev tout0 nodad",
	"ip -6 addr add 2001:db8:3::fe/64 dev tmtu0 nodad",
	"ip link set tin0 up", "ip link set tin0p up",
	"ip link set tout0 up", "ip link set tout0p up",
	"ip link set tmtu0 up", "ip link set tmtu0p up",
	"ip neigh add 10.0.2.1 lladdr 02:00:00:00:02:01 dev tout0 nud permanent",
	"ip neigh add 10.0.2.7 lladdr 02:00:00:00:02:07 dev tout0 nud permanent",
	"ip neigh add 10.0.3.1 lladdr 02:00:00:00:03:01 dev tmtu0 nud permanent",
	"ip -6 neigh add 2001:db8:2::1 lladdr 02:00:00:00:62:01 dev tout0 nud permanent",
	"ip -6 neigh add 2001:db8:3::1 lladdr 02:00:00:00:63:01 dev tmtu0 nud permanent",
};

/* ------------------------------------------------------------------------------------------ */
/* The model: ports, neighbours, next hops and routes                                          */

enum { P_OUT, P_MTU, P_IN, NPORTS };

static const struct port {
	const char *name;
	uint8_t mac[ETH_ALEN];
	unsigned int mtu;
} ports[NPORTS] = {
	[P_OUT] = { "tout0", MAC(0x02, 0xfe), 1500 },
	[P_MTU] = { "tmtu0", MAC(0x03, 0xfe), 1280 },
	[P_IN] = { "tin0", MAC(0x01, 0xfe), 1500 },	/* where every frame arrives */
};

static int port_ifindex[NPORTS], if_in;

static const struct neigh {
	int port;
	const char *addr;
	uint8_t mac[ETH_ALEN];
} neighs[] = {
	{ P_OUT, "10.0.2.1", MAC(0x02, 0x01) },
	{ P_OUT, "10.0.2.7", MAC(0x02, 0x07) },
	{ P_MTU, "10.0.3.1", MAC(0x03, 0x01) },
	{ P_OUT, "2001:db8:2::1", MAC(0x62, 0x01) },
	{ P_MTU, "2001:db8:3::1", MAC(0x63, 0x01) },
};

/* gw NULL: connected, the neighbour is the destination itself */
static const struct nexthop {
	int port;
	const char *gw;
} nexthops[] = {
	[1] = { P_OUT, "10.0.2.1" },
	[2] = { P_OUT, NULL },
	[3] = { P_MTU, "10.0.3.1" },
	[4] = { P_OUT, "10.0.2.2" },		/* no neighbour entry */
	[5] = { P_OUT, "2001:db8:2::1" },
	[6] = { P_MTU, "2001:db8:3::1" },
	[7] = { P_OUT, "2001:db8:2::2" },	/* no neighbour entry */
	[8] = { P_IN, NULL },			/* the sources' subnet */
};
#define NNEXTHOPS (sizeof(nexthops) / sizeof(nexthops[0]))

struct route {
	const char *addr;
	unsigned int plen;
	uint8_t type;
	uint32_t nh;
};

static const struct route routes[] = {
	{ "128.0.0.0", 1, IPXR_RT_UNICAST, 1 },
	{ "198.51.100.0", 24, IPXR_RT_UNICAST, 1 },
	{ "198.51.100.128", 25, IPXR_RT_UNICAST, 3 },
	{ "198.51.100.77", 32, IPXR_RT_BLACKHOLE, 0 },
	{ "198.51.101.0", 24, IPXR_RT_BLACKHOLE, 0 },
	{ "198.51.101.64", 26, IPXR_RT_UNICAST, 3 },
	{ "203.0.113.0", 24, IPXR_RT_UNICAST, 4 },
	{ "192.0.2.0", 24, IPXR_RT_KERNEL, 0 },
	{ "10.0.2.0", 24, IPXR_RT_UNICAST, 2 },
	{ "10.0.2.254", 32, IPXR_RT_LOCAL, 0 },
	{ "10.0.3.0", 24, IPXR_RT_UNICAST, 3 },
	{ "2001:db8:100::", 48, IPXR_RT_UNICAST, 5 },
	{ "2001:db8:100:1::", 64, IPXR_RT_BLACKHOLE, 0 },
	{ "2001:db8:101::", 48, IPXR_RT_UNICAST, 6 },
	{ "2001:db8:102::", 48, IPXR_RT_KERNEL, 0 },
	{ "2001:db8:103::", 48, IPXR_RT_UNICAST, 7 },
	{ "2001:db8:2::fe", 128, IPXR_RT_LOCAL, 0 },
	{ "4000::", 2, IPXR_RT_UNICAST, 5 },
	{ "10.0.1.0", 24, IPXR_RT_UNICAST, 8 },
};
#define NROUTES (sizeof(routes) / sizeof(routes[0]))

static uint8_t route_key[NROUTES][16];	/* the routes' addresses, parsed */

static bool is6(const char *a)
{
	return strchr(a, ':') != NULL;
}

static bool prefix_has(const uint8_t *pfx, unsigned int plen, const uint8_t *a)
{
	unsigned int full = plen / 8, rest = plen % 8;

	if (memcmp(pfx, a, full))
		return false;
	return !rest || !((pfx[full] ^ a[full]) & (0xff00 >> rest));
}

/* The longest route of the family for @dst (4 or 16 bytes), or NULL. */
static const struct route *lpm(bool v6, const uint8_t *dst)
{
	const struct route *best = NULL;
	size_t i;

	for (i = 0; i < NROUTES; i++)
		if (is6(routes[i].addr) == v6 && prefix_has(route_key[i], routes[i].plen, dst) &&
		    (!best || routes[i].plen > best->plen))
			best = &routes[i];
	return best;
}

static const struct neigh *neigh_of(int port, bool v6, const uint8_t *addr)
{
	uint8_t a[16];
	size_t i;

	for (i = 0; i < sizeof(neighs) / sizeof(neighs[0]); i++) {
		if (neighs[i].port != port || is6(neighs[i].addr) != v6)
			continue;
		if (inet_pton(v6 ? AF_INET6 : AF_INET, neighs[i].addr, a) == 1 &&
		    !memcmp(a, addr, v6 ? 16 : 4))
			return &neighs[i];
	}
	return NULL;
}

static int setup(struct pg_router *r)
{
	int err = 0;
	size_t i;

	if (pg_netns_setup(setup_cmds, sizeof(setup_cmds) / sizeof(setup_cmds[0])))
		return -1;
	for (i = 0; i < NPORTS; i++) {
		port_ifindex[i] = pg_ifindex(ports[i].name);
		if (!port_ifindex[i])
			return -1;
	}
	if (pg_router_load(r, pg_obj_path()))
		return -1;
	err |= pg_config_set(r, NNEXTHOPS);
	for (i = 0; i < NPORTS; i++)
		err |= pg_port_set(r, (uint32_t)port_ifindex[i], IPXR_PORT_F_XDP | IPXR_PORT_F_UP);
	if_in = port_ifindex[P_IN];
	for (i = 1; i < NNEXTHOPS; i++) {
		uint32_t ifx = (uint32_t)port_ifindex[nexthops[i].port];

		if (nexthops[i].gw && is6(nexthops[i].gw))
			err |= pg_nh6_set(r, (uint32_t)i, ifx, nexthops[i].gw, 1);
		else
			err |= pg_nh_set(r, (uint32_t)i, ifx, nexthops[i].gw, 1);
	}
	for (i = 0; i < NROUTES; i++) {
		bool v6 = is6(routes[i].addr);

		inet_pton(v6 ? AF_INET6 : AF_INET, routes[i].addr, route_key[i]);
		if (v6)
			err |= pg_route6_set(r, routes[i].addr, routes[i].plen, routes[i].type,
					     routes[i].nh);
		else
			err |= pg_route_set(r, routes[i].addr, routes[i].plen, routes[i].type,
					    routes[i].nh);
	}
	return err ? -1 : 0;
}

/*
 * Paint both families' pools from the tries as ipxr does after a write (@on), or take them out
 * of their slots (the program then walks the tries): the model judges both paths alike.
 */
static int front(struct pg_router *r, bool on)
{
	const int afs[2] = { AF_INET, AF_INET6 }, tries[2] = { r->route4, r->route6 };
	int outer = pg_map_fd(r, IPXR_MAP_LPM), err = 0, i;
	__u32 slot;
	struct lpm l;

	if (outer < 0)
		return -1;
	for (i = 0; i < 2; i++) {
		if (!on) {
			slot = i ? IPXR_LPM_SLOT6 : IPXR_LPM_SLOT4;
			err |= bpf_map_delete_elem(outer, &slot);
			continue;
		}
		if (lpm_open(&l, afs[i], outer, tries[i]))
			return -1;
		lpm_begin(&l);
		lpm_invalidate(&l);
		err |= lpm_end(&l);
		lpm_close(&l);
	}
	return err ? -1 : 0;
}

/* ------------------------------------------------------------------------------------------ */
/* What a router may do with a frame                                                           */

enum verdict { V_PASS, V_FORWARD, V_DROP };

/* The reverse-path filtering of tin0, where the frames arrive: 0, or IPXR_PORT_F_RPF_*. */
static uint32_t rpf_mode;

struct expect {
	enum verdict v;
	bool v6;
	const struct neigh *n;	/* V_FORWARD: the neighbour */
	int port;
	const char *why;	/* V_PASS: why not forwarded (diagnostics) */
};

static bool martian4(const uint8_t *a)
{
	return a[0] == 0 || a[0] == 127;
}

static bool mcast4(const uint8_t *a)
{
	return (a[0] & 0xf0) == 0xe0 || !memcmp(a, "\xff\xff\xff\xff", 4);
}

/* Shared by both families once the header is judged: the route and what it leads to. */
/*
 * Whether the kernel takes IPv4 source @src from tin0 (fib_validate_source()): a unicast route
 * back, through tin0 when strict; not the network or broadcast address of a connected subnet
 * (the kernel's local table has broadcast routes for those).
 */
static bool rpf_ok(const uint8_t *src)
{
	const struct route *rt = lpm(false, src);
	const struct nexthop *nh;
	uint32_t a, host;

	if (!rt || rt->type != IPXR_RT_UNICAST)
		return false;
	nh = &nexthops[rt->nh];
	memcpy(&a, src, 4);
	if (!nh->gw && rt->plen < 31) {
		host = ntohl(a) & (0xffffffffU >> rt->plen);
		if (!host || host == 0xffffffffU >> rt->plen)
			return false;
	}
	return (rpf_mode & IPXR_PORT_F_RPF_LOOSE) || nh->port == P_IN;
}

static void judge_route(struct expect *e, const uint8_t *dst, const uint8_t *src, uint8_t ttl,
			size_t ip_len)
{
	const struct route *rt = lpm(e->v6, dst);
	const struct nexthop *nh;

	if (!rt) {
		e->why = "no route";
		return;
	}
	if (rt->type == IPXR_RT_BLACKHOLE) {
		e->v = V_DROP;
		return;
	}
	if (rt->type != IPXR_RT_UNICAST) {
		e->why = "local or kernel route";
		return;
	}
	/* the kernel validates the source as it routes, before the TTL */
	if (!e->v6 && rpf_mode && !rpf_ok(src)) {
		e->why = "rp_filter";
		return;
	}
	if (ttl <= 1) {
		e->why = "TTL";
		return;
	}
	nh = &nexthops[rt->nh];
	e->port = nh->port;
	if (nh->gw) {
		uint8_t gw[16];

		inet_pton(e->v6 ? AF_INET6 : AF_INET, nh->gw, gw);
		e->n = neigh_of(nh->port, e->v6, gw);
	} else {
		e->n = neigh_of(nh->port, e->v6, dst);
	}
	if (!e->n) {
		e->why = "no neighbour";
		return;
	}
	if (ip_len > ports[nh->port].mtu) {
		e->why = "MTU";
		return;
	}
	e->v = V_FORWARD;
}

static void judge4(struct expect *e, const uint8_t *f, size_t len)
{
	const uint8_t *ip = f + ETH_HLEN;
	size_t tot;

	if (len < ETH_HLEN + 20 || (ip[0] >> 4) != 4 || (ip[0] & 0xf) < 5) {
		e->why = "not an IPv4 header";
		return;
	}
	if ((ip[0] & 0xf) != 5) {
		e->why = "options";
		return;
	}
	tot = pg_get16(ip + 2);
	if (tot < 20 || ETH_HLEN + tot > len || !pg_ipv4_csum_ok(ip)) {
		e->why = "bad length or checksum";
		return;
	}
	/* as the kernel's input route: 240/4 is unicast (Linux forwards it), either way */
	if (mcast4(ip + 16) || martian4(ip + 12) || martian4(ip + 16) || mcast4(ip + 12)) {
		e->why = "address not forwarded";
		return;
	}
	judge_route(e, ip + 16, ip + 12, ip[8], tot);
}

static bool pfx6(const uint8_t *a, uint8_t b0, uint8_t b1, uint8_t mask1)
{
	return a[0] == b0 && (a[1] & mask1) == b1;
}

static bool unspec_or_loop6(const uint8_t *a)
{
	static const uint8_t zero[15];

	return !memcmp(a, zero, 15) && (a[15] == 0 || a[15] == 1);
}

static bool mapped6(const uint8_t *a)
{
	static const uint8_t pre[12] = { [10] = 0xff, [11] = 0xff };

	return !memcmp(a, pre, 12);
}

static void judge6(struct expect *e, const uint8_t *f, size_t len)
{
	const uint8_t *ip = f + ETH_HLEN, *src = ip + 8, *dst = ip + 24;
	size_t plen;

	e->v6 = true;
	if (len < ETH_HLEN + 40 || (ip[0] >> 4) != 6) {
		e->why = "not an IPv6 header";
		return;
	}
	plen = pg_get16(ip + 4);
	if (ETH_HLEN + 40 + plen > len) {
		e->why = "bad payload length";
		return;
	}
	if (ip[6] == 0) {
		e->why = "hop-by-hop";
		return;
	}
	if (ip[6] == IPPROTO_ICMPV6 && plen && len > ETH_HLEN + 40 && ip[40] >= 133 &&
	    ip[40] <= 137) {
		e->why = "neighbour discovery";
		return;
	}
	if (dst[0] == 0xff || src[0] == 0xff || pfx6(dst, 0xfe, 0x80, 0xc0) ||
	    pfx6(src, 0xfe, 0x80, 0xc0) || unspec_or_loop6(dst) || unspec_or_loop6(src) ||
	    mapped6(dst) || mapped6(src)) {
		e->why = "address not forwarded";
		return;
	}
	judge_route(e, dst, NULL, ip[7], 40 + plen);
}

static struct expect judge(const uint8_t *f, size_t len)
{
	struct expect e = { .v = V_PASS, .why = "not IP" };

	/* tagged frames, ARP and the rest are the kernel's; so is a multicast destination */
	if (len < ETH_HLEN)
		return e;
	if (f[0] & 1) {
		e.why = "multicast frame";
		return e;
	}
	if (pg_get16(f + 12) == ETH_P_IP)
		judge4(&e, f, len);
	else if (pg_get16(f + 12) == ETH_P_IPV6)
		judge6(&e, f, len);
	return e;
}

/* The forwarded frame @out is @in with the MACs, the TTL and the checksum changed, and no more. */
static const char *forwarded_wrong(const uint8_t *in, size_t len, const uint8_t *out,
				   size_t out_len, const struct expect *e)
{
	static uint8_t want[PG_FRAME_MAX];

	if (out_len != len)
		return "length changed";
	if (memcmp(out, e->n->mac, ETH_ALEN))
		return "destination MAC is not the neighbour's";
	if (memcmp(out + ETH_ALEN, ports[e->port].mac, ETH_ALEN))
		return "source MAC is not the port's";
	memcpy(want, in, len);
	memcpy(want, out, 2 * ETH_ALEN);
	if (e->v6) {
		want[ETH_HLEN + 7]--;
	} else {
		want[ETH_HLEN + 8]--;
		if (!pg_ipv4_csum_ok(out + ETH_HLEN))
			return "IPv4 header checksum wrong";
		want[ETH_HLEN + 10] = out[ETH_HLEN + 10];
		want[ETH_HLEN + 11] = out[ETH_HLEN + 11];
	}
	if (memcmp(want, out, len))
		return e->v6 ? "bytes other than MACs and hop limit changed" :
			"bytes other than MACs, TTL and checksum changed";
	return NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* Frames                                                                                      */

static const uint32_t rpf_modes[3] = { 0, IPXR_PORT_F_RPF_STRICT, IPXR_PORT_F_RPF_LOOSE };

static uint64_t rng;

static uint32_t rnd(uint32_t n)
{
	return (uint32_t)(pg_rand(&rng) % n);
}

static bool chance(unsigned int percent)
{
	return rnd(100) < percent;
}

static const char *const dsts4[] = {
	"198.51.100.1", "198.51.100.77", "198.51.100.200", "198.51.101.1", "198.51.101.70",
	"203.0.113.9", "192.0.2.1", "10.0.2.7", "10.0.2.8", "10.0.2.254", "10.0.3.1", "10.0.1.254",
	"200.1.2.3", "255.255.255.255", "224.0.0.5", "127.0.0.1", "0.1.2.3", "10.9.9.9",
	"240.0.0.1", "128.0.0.0",
};
static const char *const srcs4[] = {
	"10.0.1.1", "10.0.1.1", "10.0.1.1", "10.0.1.1", "192.0.2.33", "0.0.0.0", "127.0.0.1",
	"224.0.0.1", "255.255.255.255", "240.1.1.1",
	/* for rp_filter: routed by another port, no route, tin0's network and broadcast */
	"198.51.100.9", "10.9.9.9", "10.0.1.0", "10.0.1.255",
};
static const char *const dsts6[] = {
	"2001:db8:100::1", "2001:db8:100:1::1", "2001:db8:101::9", "2001:db8:102::1",
	"2001:db8:103::1", "2001:db8:2::fe", "4000::1", "7fff::ffff", "2001:db8:9::1", "ff02::1",
	"fe80::1", "::1", "::", "::ffff:198.51.100.1", "8000::1",
};
static const char *const srcs6[] = {
	"2001:db8:1::1", "2001:db8:1::1", "2001:db8:1::1", "fe80::2", "::", "::1", "ff02::2",
	"::ffff:10.0.1.1",
};
static const uint8_t exts[] = { IPPROTO_HOPOPTS, IPPROTO_ROUTING, IPPROTO_FRAGMENT,
				IPPROTO_DSTOPTS };
static const uint8_t protos[] = { IPPROTO_UDP, IPPROTO_TCP, IPPROTO_ICMP, 47, 0 };
static const uint8_t ttls[] = { 0, 1, 2, 64, 255 };

#define PICK(a) (a)[rnd(sizeof(a) / sizeof((a)[0]))]

static void rand_addr(bool v6, char *buf, size_t size)
{
	uint8_t a[16];
	size_t i;

	for (i = 0; i < 16; i++)
		a[i] = (uint8_t)rnd(256);
	inet_ntop(v6 ? AF_INET6 : AF_INET, a, buf, (socklen_t)size);
}

static void make_frame(struct pg_frame *f)
{
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	struct pg_spec s = { .kind = PG_IPV4 };
	uint8_t *ip;
	size_t i, n;
	uint32_t k = rnd(100);

	if (k < 3) {	/* random bytes */
		memset(f, 0, sizeof(*f));
		f->len = rnd(200);
		for (i = 0; i < f->len; i++)
			f->data[i] = (uint8_t)rnd(256);
		if (chance(50) && f->len >= ETH_HLEN)
			pg_put16(f->data + 12, chance(50) ? ETH_P_IP : ETH_P_IPV6);
		return;
	}
	s.kind = k < 6 ? PG_ARP : k < 53 ? PG_IPV4 : PG_IPV6;
	memcpy(s.dmac, chance(97) ? mac_tin0 : (const uint8_t *)"\x01\x00\x5e\x00\x00\x05", 6);
	memcpy(s.smac, mac_sender, ETH_ALEN);
	if (chance(4))
		s.vlan = (uint16_t)(1 + rnd(4094));
	if (chance(2))
		s.ethertype = (uint16_t)rnd(65536);
	s.ttl = chance(70) ? ttls[3 + rnd(2)] : chance(70) ? PICK(ttls) : (uint8_t)rnd(256);
	s.tos = chance(90) ? 0 : (uint8_t)rnd(256);
	s.id = (uint16_t)rnd(65536);
	if (chance(5))
		s.frag_off = (uint16_t)rnd(65536);
	s.sport = (uint16_t)rnd(65536);
	s.dport = (uint16_t)rnd(65536);
	s.fill = (uint8_t)rnd(256);
	s.payload = (uint16_t)(chance(80) ? rnd(64) : rnd(1400));
	if (chance(10))
		s.frame_min = (uint16_t)(60 + rnd(64));
	if (s.kind == PG_IPV6) {
		snprintf(src, sizeof(src), "%s", chance(85) ? PICK(srcs6) : "");
		snprintf(dst, sizeof(dst), "%s", chance(85) ? PICK(dsts6) : "");
		if (!*src)
			rand_addr(true, src, sizeof(src));
		if (!*dst)
			rand_addr(true, dst, sizeof(dst));
		s.proto = chance(30) ? IPPROTO_ICMPV6 : PICK(protos);
		if (s.proto == IPPROTO_ICMPV6)
			s.icmp6_type = chance(50) ? 128 : (uint8_t)(128 + rnd(12));
		if (s.proto == IPPROTO_ICMP)
			s.proto = IPPROTO_UDP;
		s.flow = rnd(1 << 20);
		if (chance(30)) {
			s.ext_n = (uint8_t)(1 + rnd(PG_EXT_MAX));
			for (i = 0; i < s.ext_n; i++)
				s.ext[i] = PICK(exts);
		}
	} else {
		snprintf(src, sizeof(src), "%s", chance(85) ? PICK(srcs4) : "");
		snprintf(dst, sizeof(dst), "%s", chance(85) ? PICK(dsts4) : "");
		if (!*src)
			rand_addr(false, src, sizeof(src));
		if (!*dst)
			rand_addr(false, dst, sizeof(dst));
		s.proto = PICK(protos);
		if (s.kind == PG_IPV4 && chance(8)) {
			s.optlen = (uint8_t)(4 * (1 + rnd(10)));
			for (i = 0; i < s.optlen; i++)
				s.opts[i] = (uint8_t)rnd(256);
		}
	}
	s.src = src;
	s.dst = dst;
	pg_build(f, &s);

	/* mutations, each on its own: several together mostly make frames nothing reads */
	ip = f->data + f->l3;
	k = rnd(100);
	if (k < 8) {		/* truncated anywhere */
		f->len = rnd((uint32_t)f->len + 1);
	} else if (k < 20) {	/* a few bytes of the headers flipped */
		n = 1 + rnd(4);
		for (i = 0; i < n; i++)
			f->data[rnd((uint32_t)(f->l3 + 48 < f->len ? f->l3 + 48 : f->len))] ^=
				(uint8_t)(1 + rnd(255));
		/* half of them past the checksum, to reach what comes after it */
		if (s.kind == PG_IPV4 && !s.vlan && chance(50) && f->len >= f->l3 + 20)
			pg_ipv4_csum_set(ip);
	} else if (k < 26 && f->len >= f->l3 + 6) {	/* lengths */
		n = chance(50) ? rnd(65536) : pg_get16(ip + (s.kind == PG_IPV6 ? 4 : 2)) +
			rnd(9) - 4;
		pg_put16(ip + (s.kind == PG_IPV6 ? 4 : 2), (uint16_t)n);
		if (s.kind == PG_IPV4 && f->len >= f->l3 + 20)
			pg_ipv4_csum_set(ip);
	} else if (k < 30 && s.kind == PG_IPV4 && f->len >= f->l3 + 20) {	/* ihl */
		ip[0] = (uint8_t)(0x40 | rnd(16));
		if (chance(50))
			pg_ipv4_csum_set(ip);
	} else if (k < 33 && f->len >= f->l3 + 1) {	/* version */
		ip[0] = (uint8_t)(rnd(16) << 4 | (ip[0] & 0xf));
		if (s.kind == PG_IPV4 && f->len >= f->l3 + 20)
			pg_ipv4_csum_set(ip);
	}
}

/* ------------------------------------------------------------------------------------------ */

#define SHOW_MAX 5

static void show(const char *what, uint64_t idx, uint64_t seed, const uint8_t *f, size_t len)
{
	size_t i;

	printf("# frame %llu (seed %llu): %s; %zu bytes:", (unsigned long long)idx,
	       (unsigned long long)seed, what, len);
	for (i = 0; i < len && i < 96; i++)
		printf("%s%02x", i % 32 ? "" : "\n#   ", f[i]);
	printf("\n");
}

int main(int argc, char **argv)
{
	static struct pg_result res;
	static struct pg_frame f;
	const char *v = getenv("V");
	uint64_t frames = argc > 1 ? strtoull(argv[1], NULL, 0) : 1000000;
	uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 0) : 1;
	uint64_t i, n[3] = {}, err_run = 0, bad[6] = {}, runts = 0, half, k;
	struct ipxr_counter fwd0, fwd1, bh0, bh1, rpf0, rpf1;
	struct pg_router r;
	struct expect e;
	const char *wrong;
	double t0;
	int p;

	setvbuf(stdout, NULL, _IOLBF, 0);
	pg_verbose = v && *v && strcmp(v, "0");
	if (!check(setup(&r) == 0, "private namespace, object loaded, %zu routes written",
		   NROUTES))
		return 1;
	if (!check(front(&r, true) == 0, "front structure painted from the tries, both families"))
		return 1;
	fwd0 = pg_counter(&r, r.stats, IPXR_MAX_STATS * IPXR_SF_INET + IPXR_STAT_FORWARD);
	bh0 = pg_counter(&r, r.nh_stats, 0);
	fwd0.packets += pg_counter(&r, r.stats, IPXR_MAX_STATS * IPXR_SF_INET6 +
				   IPXR_STAT_FORWARD).packets;
	rng = seed;
	half = frames / 2 ? frames / 2 : 1;
	rpf0 = pg_counter(&r, r.stats, IPXR_MAX_STATS * IPXR_SF_INET + IPXR_STAT_RP_FILTER);
	t0 = pg_now_s();
	for (i = 0; i < frames; i++) {
		/* the first half through the front structure, the second through the tries */
		if (i == frames / 2 && !check(front(&r, false) == 0, "front structure taken out "
					      "after %llu frames: the tries answer the rest",
					      (unsigned long long)i))
			return 1;
		/* each half in thirds: tin0 without reverse-path filtering, strict, loose */
		k = i % half * 3 / half;
		if (!i || rpf_modes[k > 2 ? 2 : k] != rpf_mode) {
			rpf_mode = rpf_modes[k > 2 ? 2 : k];
			if (!check(pg_port_set(&r, (uint32_t)if_in, IPXR_PORT_F_XDP | IPXR_PORT_F_UP |
					       rpf_mode) == 0, "tin0's record: rp_filter %s from "
				   "frame %llu", rpf_mode & IPXR_PORT_F_RPF_STRICT ? "strict" :
				   rpf_mode ? "loose" : "off", (unsigned long long)i))
				return 1;
		}
		make_frame(&f);
		p = (int)(i & 1);	/* both entry points, "xdp_router" and "prog" */
		pg_run(r.prog_fd[p], (uint32_t)if_in, f.data, f.len,
		       f.len >= ETH_HLEN ? 0 : (uint32_t)((ETH_HLEN - f.len + 3) & ~3U), 1, &res);
		if (res.err) {
			/* recent kernels refuse inputs shorter than an Ethernet header */
			if (f.len < ETH_HLEN && res.err == -EINVAL) {
				runts++;
				continue;
			}
			if (err_run++ < SHOW_MAX)
				show(strerror(-res.err), i, seed, f.data, f.len);
			continue;
		}
		e = judge(f.data, f.len);
		switch (res.retval) {
		case XDP_PASS:
			n[0]++;
			if (e.v == V_FORWARD && bad[4]++ < SHOW_MAX)
				show("forwardable, passed", i, seed, f.data, f.len);
			if (res.out_len != f.len || memcmp(res.out, f.data, f.len)) {
				if (bad[0]++ < SHOW_MAX)
					show("passed, changed", i, seed, f.data, f.len);
			}
			break;
		case XDP_REDIRECT:
			n[1]++;
			if (e.v != V_FORWARD) {
				if (bad[1]++ < SHOW_MAX) {
					printf("# model: %s\n", e.v == V_DROP ? "drop" : e.why);
					show("forwarded, not forwardable", i, seed, f.data, f.len);
				}
				break;
			}
			wrong = forwarded_wrong(f.data, f.len, res.out, res.out_len, &e);
			if (wrong && bad[2]++ < SHOW_MAX)
				show(wrong, i, seed, f.data, f.len);
			break;
		case XDP_DROP:
			n[2]++;
			if (e.v != V_DROP && bad[3]++ < SHOW_MAX)
				show("dropped, not to a blackhole route", i, seed, f.data, f.len);
			break;
		default:
			if (bad[5]++ < SHOW_MAX)
				show(pg_xdp_action_name((int)res.retval), i, seed, f.data, f.len);
		}
	}
	t0 = pg_now_s() - t0;
	fwd1 = pg_counter(&r, r.stats, IPXR_MAX_STATS * IPXR_SF_INET + IPXR_STAT_FORWARD);
	fwd1.packets += pg_counter(&r, r.stats, IPXR_MAX_STATS * IPXR_SF_INET6 +
				   IPXR_STAT_FORWARD).packets;
	bh1 = pg_counter(&r, r.nh_stats, 0);
	rpf1 = pg_counter(&r, r.stats, IPXR_MAX_STATS * IPXR_SF_INET + IPXR_STAT_RP_FILTER);

	printf("# %llu frames (seed %llu) in %.1f s, %.2f us each: %llu passed, %llu forwarded, "
	       "%llu dropped; %llu runts refused by test_run\n", (unsigned long long)frames,
	       (unsigned long long)seed, t0, t0 * 1e6 / (double)(frames ? frames : 1),
	       (unsigned long long)n[0], (unsigned long long)n[1], (unsigned long long)n[2],
	       (unsigned long long)runts);
	check(err_run == 0, "BPF_PROG_TEST_RUN took every frame of 14 bytes or more (%llu refused)",
	      (unsigned long long)err_run);
	check(bad[0] == 0, "every passed frame is byte for byte unchanged (%llu of %llu differ)",
	      (unsigned long long)bad[0], (unsigned long long)n[0]);
	check(bad[1] == 0, "every forwarded frame was forwardable: well-formed, TTL > 1, unicast, "
	      "routed, resolved, within the MTU (%llu were not)", (unsigned long long)bad[1]);
	check(bad[2] == 0, "every forwarded frame has the next hop's MACs, TTL/hop limit one less, "
	      "a valid IPv4 checksum and no other byte changed (%llu wrong)",
	      (unsigned long long)bad[2]);
	check(bad[3] == 0, "every dropped frame was a well-formed packet to a blackhole route "
	      "(%llu were not)", (unsigned long long)bad[3]);
	check(bad[4] == 0, "every forwardable frame was forwarded (%llu passed)",
	      (unsigned long long)bad[4]);
	check(bad[5] == 0, "no action but pass, redirect and drop (%llu others)",
	      (unsigned long long)bad[5]);
	check(n[1] > frames / 20 && n[2] > frames / 200 && n[0] > frames / 4,
	      "the frames reach every outcome: over 5%% forwarded, 0.5%% dropped, 25%% passed");
	check(fwd1.packets - fwd0.packets == n[1] && bh1.packets - bh0.packets == n[2],
	      "the forward and blackhole counters moved by the frames forwarded and dropped");
	check(rpf1.packets - rpf0.packets >= frames / 100, "tin0 strict or loose: reverse-path "
	      "filtering handed %llu frames to the kernel (at least 1%%)",
	      (unsigned long long)(rpf1.packets - rpf0.packets));
	pg_router_close(&r);
	return n_fail ? 1 : 0;
}
