// SPDX-License-Identifier: GPL-2.0
/*
 * ipxr fast path: IPv4 and IPv6 longest-prefix-match forwarding in XDP.
 *
 * Routes live in a pinned LPM trie written by ipxr; each route points at a next hop, and the
 * next hop caches the neighbour's MAC, the egress MAC and the MTU that the kernel's own tables
 * give for it (bpf_fib_lookup), refreshed every IPXR_NEIGH_REFRESH_NS. ARP stays the kernel's
 * job, no daemon has to run, and a changed or vanished neighbour is followed within that time.
 *
 * Whatever the fast path cannot finish exactly as the kernel would is handed to the kernel
 * (XDP_PASS) and counted by reason, so the kernel sends the right ICMP error or delivers locally.
 * The routing functions only decide a frame's fate (a reason, enum ipxr_stat); route() counts
 * it once, per reason and per port, and turns it into the XDP action.
 */
#include <stddef.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "ipxr_maps.h"

#define AF_INET 2
#define AF_INET6 10

#define VLAN_HLEN		4
#define VLAN_VID_MASK		0x0fff
#define VLAN_PRIO_MASK		0xe000	/* PCP, 802.1p */

#define IPPROTO_HOPOPTS_NH	0	/* IPv6 next header values (RFC 8200) */
#define IPPROTO_ICMPV6_NH	58

/*
 * BPF_FIB_LOOKUP_TBID and bpf_fib_lookup.tbid came with Linux 6.8 and are missing from older uapi
 * headers, so the flag is named here and the table id written where the kernel reads it: over
 * h_vlan_proto and h_vlan_TCI, with which tbid shares a union. On a kernel without it (6.1.82
 * and Debian 12's have it backported) the lookup fails with -EINVAL and a link-local gateway's
 * frames are passed as nh_invalid; ipxr asks the kernel first and refuses such next hops there.
 */
#define IPXR_FIB_LOOKUP_TBID	(1U << 3)
_Static_assert(offsetof(struct bpf_fib_lookup, h_vlan_proto) + 4 ==
	       offsetof(struct bpf_fib_lookup, smac), "tbid is not where h_vlan_proto is");

_Static_assert(IPXR_STAT_MAX <= IPXR_MAX_STATS, "stats map too small");
_Static_assert((IPXR_SAMPLE_LEN & (IPXR_SAMPLE_LEN - 1)) == 0, "sample() masks by the length");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ipxr_config);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ipxr_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, IPXR_MAX_ROUTES4);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct ipxr_route4_key);
	__type(value, struct ipxr_route);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ipxr_route4 SEC(".maps");

/*
 * A pool of the front structure (see ipxr_maps.h): ipxr creates the pools, of any size
 * (BPF_F_INNER_MAP), and paints them through mmap. key_size and value_size, not __type: libbpf
 * 1.1.2 (Debian 12's iproute2) cannot size an inner map's value from BTF.
 */
struct ipxr_lpm_pool {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, IPXR_LPM_MIN_GROUPS);
	__uint(map_flags, BPF_F_INNER_MAP | BPF_F_MMAPABLE);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(struct ipxr_lpm_group));
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, IPXR_LPM_SLOTS);
	__type(key, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__array(values, struct ipxr_lpm_pool);
} ipxr_lpm SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, IPXR_MAX_ROUTES6);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct ipxr_route6_key);
	__type(value, struct ipxr_route);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ipxr_route6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, IPXR_MAX_NEXTHOPS);
	__type(key, __u32);
	__type(value, struct ipxr_nexthop);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ipxr_nexthop SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, IPXR_MAX_NEIGH4);
	__type(key, struct ipxr_neigh4_key);
	__type(value, struct ipxr_neigh_cache);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ipxr_neigh4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, IPXR_MAX_NEIGH6);
	__type(key, struct ipxr_neigh6_key);
	__type(value, struct ipxr_neigh_cache);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ipxr_neigh6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, IPXR_MAX_STATS * IPXR_SF_MAX);
	__type(key, __u32);
	__type(value, struct ipxr_counter);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ipxr_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, IPXR_MAX_NEXTHOPS);
	__type(key, __u32);
	__type(value, struct ipxr_counter);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ipxr_nh_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, IPXR_MAX_LOCAL4);
	__type(key, __be32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ipxr_local4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, IPXR_MAX_LOCAL6);
	__type(key, __u8[16]);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ipxr_local6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, IPXR_MAX_PORTS);
	__type(key, __u32);
	__type(value, struct ipxr_port);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ipxr_ports SEC(".maps");

/* The records of devices below IPXR_PORT_TAB but sub-interfaces, see ipxr_maps.h. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, IPXR_PORT_TAB);
	__type(key, __u32);
	__type(value, struct ipxr_port);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ipxr_port_tab SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, IPXR_MAX_VLANS);
	__type(key, struct ipxr_vlan_key);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ipxr_vlans SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, IPXR_MAX_NH_GROUPS);
	__type(key, __u32);
	__type(value, struct ipxr_nh_group);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ipxr_nh_group SEC(".maps");

/* Not read here: created and pinned with the others for ipxr (bpf/ipxr_maps.h). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, IPXR_MAX_ROUTE_SRC);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct ipxr_route_src_key);
	__type(value, struct ipxr_route_src);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ipxr_route_src SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, IPXR_MAX_PORT_STATS);
	__type(key, __u32);
	__type(value, struct ipxr_port_stats);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ipxr_port_stats SEC(".maps");

/* The counted prefixes, for ipxr alone (ipxr_maps.h): the program reads the route's slot. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, IPXR_MAX_ROUTE_CNT);
	__type(key, struct ipxr_route_src_key);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ipxr_counted SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, IPXR_MAX_ROUTE_CNT);
	__type(key, __u32);
	__type(value, struct ipxr_counter);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ipxr_route_cnt SEC(".maps");

/* Frames handed to the kernel, sampled at ipxr_config.sample for ipxr monitor pass. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, IPXR_PASS_RING_SIZE);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ipxr_pass_ring SEC(".maps");

static __always_inline void add(struct ipxr_counter *c, __u64 bytes)
{
	c->packets++;
	c->bytes += bytes;
}

static __always_inline void count(void *map, __u32 idx, __u64 bytes)
{
	struct ipxr_counter *c = bpf_map_lookup_elem(map, &idx);

	if (c)
		add(c, bytes);
}

/*
 * The IPv4 header sums to 0xffff in one's complement when its checksum is right. Summed as five
 * 32-bit words into 64 bits and folded (RFC 1071: the one's complement sum does not depend on
 * the width it is taken in): half the loads and adds of 16-bit words.
 */
static __always_inline int ip_csum_ok(const struct iphdr *iph)
{
	const __u32 *w = (const __u32 *)iph;
	__u64 sum = (__u64)w[0] + w[1] + w[2] + w[3] + w[4];

	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

/* RFC 1624 eqn. 3, HC' = ~(~HC + ~m + m'), for the 16-bit word holding TTL and protocol. */
static __always_inline void ip_decrease_ttl(struct iphdr *iph)
{
	__u16 old = *(__u16 *)&iph->ttl;
	__u32 sum;

	iph->ttl--;
	sum = (__u16)~iph->check + (__u16)~old + *(__u16 *)&iph->ttl;
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	iph->check = (__u16)~sum;
}

/*
 * A 16-bit length from a header, in host order, fit to add to a packet pointer. Linux 6.1
 * (Debian 12's kernel) knows nothing of the value a byte swap (BPF_END) produces and refuses
 * such a sum ("math between pkt pointer and register with unbounded min value"); 6.18 bounds it
 * by itself. Clang knows the swap is below 65536 and would drop a mask written in C, so the mask
 * is an instruction it cannot see through: one ALU operation, on kernels that need it or not.
 */
static __always_inline __u64 pkt_len16(__be16 field)
{
	__u64 len = bpf_ntohs(field);

	asm volatile("%0 &= 0xffff" : "+r"(len));
	return len;
}

static __always_inline int martian(__be32 addr)
{
	__u8 first = bpf_ntohl(addr) >> 24;

	/* "this network" and loopback are never routed (RFC 1122 3.2.1.3) */
	return first == 0 || first == 127;
}

/* One bpf_fib_lookup() for @dst (1 word for IPv4, 4 for IPv6) leaving by @ifindex. */
static __always_inline long fib_ask(struct xdp_md *ctx, struct bpf_fib_lookup *fib, __u8 family,
				    __u32 ifindex, const __u32 *dst, __u32 flags, __u16 tot_len)
{
	__u32 tbid = IPXR_KERNEL_TABLE;

	__builtin_memset(fib, 0, sizeof(*fib));
	fib->family = family;
	fib->ifindex = ifindex;
	fib->tot_len = tot_len;
	if (family == AF_INET)
		fib->ipv4_dst = dst[0];
	else
		__builtin_memcpy(fib->ipv6_dst, dst, 16);
	if (flags & IPXR_FIB_LOOKUP_TBID)
		__builtin_memcpy(&fib->h_vlan_proto, &tbid, sizeof(tbid));
	return bpf_fib_lookup(ctx, fib, sizeof(*fib), flags);
}

/*
 * Ask the kernel for the neighbour behind @dst on @ifindex, as it would when transmitting there:
 * the result follows its ARP and ND tables (and any neighbour it later learns or forgets). The
 * answer must name @want, on @ifindex: usually @dst itself, the gateway behind a stand-in address
 * for a link-local one.
 */
static __always_inline enum ipxr_stat neigh_refresh(struct xdp_md *ctx,
						    struct ipxr_neigh_cache *nc, __u8 family,
						    __u32 ifindex, const __u32 *dst,
						    const __u32 *want, __u32 flags, __u64 now)
{
	struct bpf_fib_lookup fib;
	long rc;

	/* The MTU is only reported when exceeded, so ask once with the largest length. */
	rc = fib_ask(ctx, &fib, family, ifindex, dst, flags, 0xffff);
	if (rc == BPF_FIB_LKUP_RET_FRAG_NEEDED) {
		nc->mtu = fib.mtu_result;
		rc = fib_ask(ctx, &fib, family, ifindex, dst, flags, 0);
	} else if (rc == BPF_FIB_LKUP_RET_SUCCESS) {
		nc->mtu = 0xffff;
	}

	switch (rc) {
	case BPF_FIB_LKUP_RET_SUCCESS:
	case BPF_FIB_LKUP_RET_NO_NEIGH:
		/* the route is known either way: see below whether it is the one asked for */
		break;
	case BPF_FIB_LKUP_RET_FWD_DISABLED:
		nc->stamp_ns = 0;
		return IPXR_STAT_FWD_DISABLED;
	default:
		/* no route to the gateway, or it is local, blackholed, link-local... */
		nc->stamp_ns = 0;
		return IPXR_STAT_NH_INVALID;
	}
	/*
	 * A route to the gateway that leaves by another port, or that reaches it through yet
	 * another gateway (the kernel then answers with that one's MAC), is not the next hop asked
	 * for: the neighbour must be @want itself, on-link on @ifindex. IPv6 lookups do not hold
	 * to the output port as IPv4 ones do, so this is also what catches a gateway on another
	 * port; the kernel fills in port and neighbour address before it looks for the MAC, so the
	 * check holds for an unresolved neighbour too.
	 */
	if (fib.ifindex != ifindex ||
	    (family == AF_INET && fib.ipv4_dst != want[0]) ||
	    (family == AF_INET6 && (fib.ipv6_dst[0] != want[0] || fib.ipv6_dst[1] != want[1] ||
				    fib.ipv6_dst[2] != want[2] || fib.ipv6_dst[3] != want[3]))) {
		nc->stamp_ns = 0;
		return IPXR_STAT_NH_INVALID;
	}
	if (rc == BPF_FIB_LKUP_RET_NO_NEIGH) {
		nc->stamp_ns = 0;
		return IPXR_STAT_NO_NEIGH;
	}
	__builtin_memcpy(nc->dmac, fib.dmac, ETH_ALEN);
	__builtin_memcpy(nc->smac, fib.smac, ETH_ALEN);
	nc->stamp_ns = now;
	return IPXR_STAT_FORWARD;
}

static __always_inline enum ipxr_stat neigh_get(struct xdp_md *ctx, struct ipxr_neigh_cache *nc,
						__u8 family, __u32 ifindex, const __u32 *dst,
						const __u32 *want, __u32 flags)
{
	__u64 now = bpf_ktime_get_coarse_ns();

	if (nc->stamp_ns && now - nc->stamp_ns < IPXR_NEIGH_REFRESH_NS)
		return IPXR_STAT_FORWARD;
	return neigh_refresh(ctx, nc, family, ifindex, dst, want, flags, now ? now : 1);
}

/* Device @ifindex's record, NULL when ipxr has none. */
static __always_inline const struct ipxr_port *port_of(__u32 ifindex)
{
	const struct ipxr_port *p;

	if (ifindex < IPXR_PORT_TAB) {
		p = bpf_map_lookup_elem(&ipxr_port_tab, &ifindex);
		if (p && (*(volatile const __u32 *)&p->flags & IPXR_PORT_F_KNOWN))
			return p;
	}
	return bpf_map_lookup_elem(&ipxr_ports, &ifindex);
}

/*
 * Whether frames may be redirected into @ifindex: IPXR_STAT_FORWARD, or the reason to hand them
 * to the kernel, which has the same route and does what it does for that port (forwards through
 * a device that cannot take redirected frames, answers for a dead link).
 */
static __always_inline enum ipxr_stat port_check(struct xdp_md *ctx, __u32 ifindex,
						 const struct ipxr_port **pp)
{
	const struct ipxr_port *p = port_of(ifindex);
	__u64 len;

	if (!p)
		return IPXR_STAT_PORT_NO_XDP;
	*pp = p;
	/* an untagged port able to take the frame, the common case, in one test */
	if ((p->flags & (IPXR_PORT_F_XDP | IPXR_PORT_F_UP | IPXR_PORT_F_VLAN)) ==
	    (IPXR_PORT_F_XDP | IPXR_PORT_F_UP))
		return IPXR_STAT_FORWARD;
	if (!(p->flags & IPXR_PORT_F_XDP))
		return IPXR_STAT_PORT_NO_XDP;
	if (!(p->flags & IPXR_PORT_F_UP))
		return IPXR_STAT_PORT_DOWN;
	/*
	 * A sub-interface: the FIB checked the packet against its MTU, but the frame grows by
	 * its tags, and a redirect into a port longer than it takes is dropped without a word.
	 * The kernel sends such a frame (its VLAN code does not count the second tag).
	 */
	len = (long)ctx->data_end - (long)ctx->data;
	if (len + VLAN_HLEN * p->ntags > p->max_len)
		return IPXR_STAT_MTU;
	return IPXR_STAT_FORWARD;
}

/* Next hop for a connected route: the destination host, cached per (port, address). */
static __always_inline struct ipxr_neigh_cache *host_cache(__u8 family, __u32 ifindex,
							   const __u32 *daddr)
{
	struct ipxr_neigh_cache *nc, empty = {};
	struct ipxr_neigh6_key k6 = { .ifindex = ifindex };
	struct ipxr_neigh4_key k4 = { .ifindex = ifindex };
	void *map = &ipxr_neigh4, *key = &k4;

	if (family == AF_INET) {
		k4.addr = daddr[0];
	} else {
		__builtin_memcpy(k6.addr, daddr, sizeof(k6.addr));
		map = &ipxr_neigh6;
		key = &k6;
	}
	nc = bpf_map_lookup_elem(map, key);
	if (nc)
		return nc;
	bpf_map_update_elem(map, key, &empty, BPF_NOEXIST);
	return bpf_map_lookup_elem(map, key);
}

/*
 * The neighbour cache entry that frames of @family to @daddr through next hop @nh_id go by, fresh
 * or refreshed: IPXR_STAT_FORWARD and *@ncp set, else the reason to hand the frame to the kernel
 * (which then forwards it if it can, and resolves the neighbour).
 */
static __always_inline enum ipxr_stat nh_resolve(struct xdp_md *ctx, struct ipxr_nexthop *nh,
						 __u32 nh_id, __u8 family, const __u32 *daddr,
						 struct ipxr_neigh_cache **ncp)
{
	__u32 standin[4] = { bpf_htonl(IPXR_STANDIN6_HI), 0, 0, bpf_htonl(nh_id) };
	const __u32 *gw = (const __u32 *)nh->gw;
	struct ipxr_neigh_cache *nc;

	if (nh->flags & IPXR_NH_F_CONNECTED) {
		/* one next hop serves both families: the destination is the neighbour */
		nc = host_cache(family, nh->ifindex, daddr);
		if (!nc)
			return IPXR_STAT_NO_NEIGH;
		*ncp = nc;
		return neigh_get(ctx, nc, family, nh->ifindex, daddr, daddr,
				 BPF_FIB_LOOKUP_OUTPUT);
	}
	/* A gateway of the other family cannot take this frame (ipxr never pairs them). */
	if (nh->family != family)
		return IPXR_STAT_NH_INVALID;
	*ncp = &nh->cache;
	/*
	 * The kernel answers NOT_FWDED for a link-local address, so a link-local gateway is asked
	 * for by its stand-in route in ipxr's own table: the answer carries the gateway's address
	 * and the MAC from its ND entry.
	 */
	if (family == AF_INET6 && (nh->flags & IPXR_NH_F_STANDIN))
		return neigh_get(ctx, &nh->cache, family, nh->ifindex, standin, gw,
				 BPF_FIB_LOOKUP_OUTPUT | BPF_FIB_LOOKUP_DIRECT |
				 IPXR_FIB_LOOKUP_TBID);
	return neigh_get(ctx, &nh->cache, family, nh->ifindex, gw, gw, BPF_FIB_LOOKUP_OUTPUT);
}

/*
 * 802.1Q and 802.1ad tags. A tagged frame for a sub-interface ipxr knows is routed as if it had
 * arrived untagged on that sub-interface: its tags are taken off (vlan_strip()) and the frame goes
 * through the IPv4 and IPv6 paths of route_tagged(), the same code as an untagged frame's, inlined
 * apart. If the kernel is to have it after all, the tags are put back first (vlan_restore()): it
 * must see the frame as it came, and deliver it to the sub-interface. A frame leaving by a
 * sub-interface gets its tags pushed last (vlan_push()), the priority bits of the tag it came
 * with kept.
 *
 * The tags are read from the frame only. A NIC's rx VLAN offload (a veth peer's tx offload)
 * moves them into metadata, which bpf_xdp_metadata_rx_vlan_tag() (Linux 6.8) reads; but the
 * verifier refuses any program calling it that is not device-bound ("metadata kfuncs require
 * device-bound program", a __weak ksym behind bpf_ksym_exists() included), and iproute2 loads
 * none: the operator turns the offload off (ipxr-route(8), VLANS).
 */

struct vlan_hdr {
	__be16 tci;
	__be16 proto;		/* what the tag carries */
};

/* What vlan_strip() took off a frame, to put it back. */
struct vlan_rx {
	__u32 ntags;		/* 0: none taken off */
	__be16 prio;		/* the outer tag's priority bits, for the tags pushed */
	__u32 sub;		/* the sub-interface's ifindex */
	__u32 rpf;		/* its reverse-path filtering (IPXR_PORT_F_RPF_*) */
	__be16 tpid[IPXR_VLAN_MAX_TAGS];
	__be16 tci[IPXR_VLAN_MAX_TAGS];
	__u8 mac[2 * ETH_ALEN];
};

static __always_inline int eth_p_vlan(__be16 proto)
{
	return proto == bpf_htons(ETH_P_8021Q) || proto == bpf_htons(ETH_P_8021AD);
}

/*
 * The tagged frame in @ctx is for a sub-interface that is up, and carries IPv4 or IPv6: its
 * tags are taken off (kept in @v) and IPXR_STAT_FORWARD returned. A reason to hand it to the
 * kernel as it is otherwise.
 */
static __always_inline enum ipxr_stat vlan_strip(struct xdp_md *ctx, struct vlan_rx *v)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct vlan_hdr *vh = (void *)(eth + 1);
	struct ipxr_vlan_key key = {};
	struct ipxr_port *p;
	__u32 *sub, ntags = 1;
	__be16 proto;

	if ((void *)(vh + 1) > data_end)
		return IPXR_STAT_MALFORMED;
	key.ifindex = ctx->ingress_ifindex;
	key.tag[0].proto = eth->h_proto;
	key.tag[0].vid = vh->tci & bpf_htons(VLAN_VID_MASK);
	v->tpid[0] = eth->h_proto;
	v->tci[0] = vh->tci;
	proto = vh->proto;
	if (eth_p_vlan(proto)) {
		vh++;
		if ((void *)(vh + 1) > data_end)
			return IPXR_STAT_MALFORMED;
		key.tag[1].proto = proto;
		key.tag[1].vid = vh->tci & bpf_htons(VLAN_VID_MASK);
		v->tpid[1] = proto;
		v->tci[1] = vh->tci;
		proto = vh->proto;
		ntags = 2;
		/* deeper stacks are not followed: no key can name them */
		if (eth_p_vlan(proto))
			return IPXR_STAT_VLAN_UNKNOWN;
	}
	sub = bpf_map_lookup_elem(&ipxr_vlans, &key);
	if (!sub)
		return IPXR_STAT_VLAN_UNKNOWN;
	/* a sub-interface's record is always in the hash */
	p = bpf_map_lookup_elem(&ipxr_ports, sub);
	if (!p || !(p->flags & IPXR_PORT_F_UP))
		return IPXR_STAT_VLAN_DOWN;
	/* ARP and the rest of the sub-interface's traffic: the kernel's, tags and all */
	if (proto != bpf_htons(ETH_P_IP) && proto != bpf_htons(ETH_P_IPV6))
		return IPXR_STAT_OTHER_PROTO;
	/* the kernel asks the device a frame came in by whether IPv4 is forwarded from it */
	if (proto == bpf_htons(ETH_P_IP) && (p->flags & IPXR_PORT_F_NOFWD4))
		return IPXR_STAT_FWD_DISABLED;
	v->sub = *sub;
	v->rpf = p->flags & IPXR_PORT_F_RPF;
	__builtin_memcpy(v->mac, eth, sizeof(v->mac));
	if (bpf_xdp_adjust_head(ctx, VLAN_HLEN * ntags))
		return IPXR_STAT_MALFORMED;
	/* from here on the frame is changed: whatever happens to it, the tags go back first */
	v->ntags = ntags;
	v->prio = v->tci[0] & bpf_htons(VLAN_PRIO_MASK);
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	if (data + sizeof(v->mac) > data_end)
		return IPXR_STAT_MALFORMED;
	__builtin_memcpy(data, v->mac, sizeof(v->mac));
	return IPXR_STAT_FORWARD;
}

/* The frame as it came, for the kernel: what vlan_strip() took off put back. */
static __always_inline void vlan_restore(struct xdp_md *ctx, const struct vlan_rx *v)
{
	void *data, *data_end;
	__be16 *w;

	if (bpf_xdp_adjust_head(ctx, -(int)(VLAN_HLEN * v->ntags)))
		return;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	w = data + sizeof(v->mac);
	if ((void *)(w + 2) > data_end)
		return;
	__builtin_memcpy(data, v->mac, sizeof(v->mac));
	w[0] = v->tpid[0];
	w[1] = v->tci[0];
	if (v->ntags < 2 || (void *)(w + 4) > data_end)
		return;
	w[2] = v->tpid[1];
	w[3] = v->tci[1];
}

/*
 * The frame, its MACs already the next hop's, leaves by sub-interface @p: its tags pushed,
 * priority @prio, by @p's link. IPXR_STAT_FORWARD, or IPXR_STAT_VLAN_NOROOM (dropped) if the
 * driver leaves no room in front of the frame, which none does: XDP promises 256 bytes.
 */
static __always_inline enum ipxr_stat vlan_push(struct xdp_md *ctx, const struct ipxr_port *p,
						__be16 prio, __u32 *oif)
{
	__u32 ntags = p->ntags == 2 ? 2 : 1;
	__u8 mac[2 * ETH_ALEN];
	void *data, *data_end;
	__be16 *w;

	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	if (data + sizeof(mac) > data_end)
		return IPXR_STAT_VLAN_NOROOM;
	__builtin_memcpy(mac, data, sizeof(mac));
	if (bpf_xdp_adjust_head(ctx, -(int)(VLAN_HLEN * ntags)))
		return IPXR_STAT_VLAN_NOROOM;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	w = data + sizeof(mac);
	if ((void *)(w + 4) > data_end)
		return IPXR_STAT_VLAN_NOROOM;
	__builtin_memcpy(data, mac, sizeof(mac));
	w[0] = p->tag[0].proto;
	w[1] = p->tag[0].vid | prio;
	if (ntags == 2) {
		w[2] = p->tag[1].proto;
		w[3] = p->tag[1].vid | prio;
	}
	*oif = p->link;
	return IPXR_STAT_FORWARD;
}

/*
 * The frame leaves for the neighbour in @nc by port @port, @ifindex (route() redirects it
 * there), counted for next hop @nh_id; out of a sub-interface with its tags pushed, priority
 * @prio.
 */
static __always_inline enum ipxr_stat forward(struct xdp_md *ctx, struct ethhdr *eth,
					      const struct ipxr_neigh_cache *nc, __u32 nh_id,
					      const struct ipxr_port *port, __u32 ifindex,
					      __u32 *oif, __u64 bytes, __be16 prio)
{
	__builtin_memcpy(eth->h_dest, nc->dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, nc->smac, ETH_ALEN);
	count(&ipxr_nh_stats, nh_id, bytes);
	*oif = ifindex;
	if (port && (port->flags & IPXR_PORT_F_VLAN))
		return vlan_push(ctx, port, prio, oif);
	return IPXR_STAT_FORWARD;
}

/* Blackhole routes drop here, counted with next hop 0: the kernel would only discard them. */
static __always_inline enum ipxr_stat blackhole(__u64 bytes)
{
	count(&ipxr_nh_stats, 0, bytes);
	return IPXR_STAT_BLACKHOLE;
}

#define IPPROTO_TCP_NH		6
#define IPPROTO_UDP_NH		17
#define IP_MF_OFFSET		0x3fff	/* IPv4 more-fragments flag and fragment offset */

/*
 * The flow hash. What costs is a chain of dependent multiplies, so each word is multiplied by
 * its own odd constant (a bijection, and the multiplies run in parallel) and the products are
 * folded with rotations and the seed; one more multiply (Fibonacci hashing) makes every input
 * bit reach the top bits, which pick the bucket: two multiplies deep in all.
 */
static __always_inline __u32 rol32(__u32 x, int r)
{
	return (x << r) | (x >> (32 - r));
}

static __always_inline __u32 flow_mix(__u32 seed, __u32 src, __u32 dst, __u32 l4)
{
	return (seed ^ (src * 0xcc9e2d51) ^ rol32(dst * 0x1b873593, 13) ^
		rol32(l4 * 0x85ebca6b, 7)) * 0x9e3779b1;
}

/*
 * The flow's transport part: protocol and ports for TCP and UDP whose ports are in the frame,
 * 0 for the rest, so a host pair's ICMP and fragments take one path.
 */
static __always_inline __u32 flow_ports(__u8 proto, const void *l4, void *data_end)
{
	if (proto != IPPROTO_TCP_NH && proto != IPPROTO_UDP_NH)
		return 0;
	if (l4 + sizeof(__u32) > data_end)
		return 0;
	return *(const __u32 *)l4 ^ proto;
}

static __always_inline __u32 flow_hash4(const struct iphdr *iph, void *data_end, __u32 seed)
{
	__u32 l4 = 0;

	/* a fragment carries no ports, or (the first) only ports its followers lack */
	if (!(iph->frag_off & bpf_htons(IP_MF_OFFSET)))
		l4 = flow_ports(iph->protocol, iph + 1, data_end);
	return flow_mix(seed, iph->saddr, iph->daddr, l4);
}

/*
 * IPv6: each address folded to a word, as the kernel's ipv6_addr_hash() does; TCP or UDP right
 * after the fixed header. Behind extension headers (a fragment header among them) the
 * addresses alone, which keeps every fragment of a datagram on one path.
 */
static __always_inline __u32 flow_hash6(const struct ipv6hdr *ip6h, void *data_end, __u32 seed)
{
	const __u32 *s = ip6h->saddr.in6_u.u6_addr32, *d = ip6h->daddr.in6_u.u6_addr32;

	return flow_mix(seed, s[0] ^ s[1] ^ s[2] ^ s[3], d[0] ^ d[1] ^ d[2] ^ d[3],
			flow_ports(ip6h->nexthdr, ip6h + 1, data_end));
}

/*
 * The member next hop of multipath group @grp_id for the flow @ip (an IPv4 or IPv6 header), 0
 * (no next hop: nh_invalid) when the group does not exist.
 */
static __always_inline __u32 group_pick(__u32 grp_id, const void *ip, void *data_end,
					__u8 family)
{
	struct ipxr_nh_group *g = bpf_map_lookup_elem(&ipxr_nh_group, &grp_id);
	__u32 h;

	if (!g)
		return 0;
	if (family == AF_INET)
		h = flow_hash4(ip, data_end, g->seed);
	else
		h = flow_hash6(ip, data_end, g->seed);
	/* one load: ipxr rewrites buckets while frames read them */
	return *(volatile __u16 *)&g->bucket[h >> (32 - IPXR_NHG_BUCKET_BITS)];
}

/* What a route's type makes of the packet: a reason, or IPXR_STAT_FORWARD for unicast. */
static __always_inline enum ipxr_stat route_type(__u8 type, __u64 bytes)
{
	if (type == IPXR_RT_LOCAL)
		return IPXR_STAT_LOCAL;
	if (type == IPXR_RT_BLACKHOLE)
		return blackhole(bytes);
	/* unreachable, prohibit, throw...: the kernel has this route and answers for it */
	if (type == IPXR_RT_KERNEL)
		return IPXR_STAT_KERNEL_ROUTE;
	if (type != IPXR_RT_UNICAST && type != IPXR_RT_MULTIPATH)
		return IPXR_STAT_NO_ROUTE;
	return IPXR_STAT_FORWARD;
}

/*
 * The next hop @nh_id, its port able to take the frame and its neighbour resolved (*@ncp; NULL
 * with IPXR_STAT_FORWARD when nh_resolve() leaves the frame to the kernel): a reason otherwise.
 */
static __always_inline enum ipxr_stat next_hop(struct xdp_md *ctx, __u32 nh_id, __u8 family,
					       const __u32 *daddr, struct ipxr_nexthop **nhp,
					       struct ipxr_neigh_cache **ncp,
					       const struct ipxr_port **pp)
{
	struct ipxr_nexthop *nh = bpf_map_lookup_elem(&ipxr_nexthop, &nh_id);
	enum ipxr_stat st;

	if (!nh || !nh->ifindex)
		return IPXR_STAT_NH_INVALID;
	st = port_check(ctx, nh->ifindex, pp);
	if (st != IPXR_STAT_FORWARD)
		return st;
	*nhp = nh;
	return nh_resolve(ctx, nh, nh_id, family, daddr, ncp);
}

/*
 * The leaf a tail (IPv6) gives the destination @a: its hit when @a's first bits are its route's
 * (the length the hit leaf carries), else its miss. The prefix's bits past that length are 0, so
 * the bits that differ are those of the XOR; only the hit or the miss is read, once.
 */
static __always_inline __u32 lpm_tail(const struct ipxr_lpm_tail *t, const __u8 *a)
{
	__u32 hit = *(volatile __u32 *)&t->hit;
	__u32 plen = (hit >> IPXR_LPM_PLEN_SHIFT) & IPXR_LPM_PLEN_MASK;
	__u64 hi, lo, thi, tlo;

	__builtin_memcpy(&hi, a, 8);
	__builtin_memcpy(&lo, a + 8, 8);
	__builtin_memcpy(&thi, t->addr, 8);
	__builtin_memcpy(&tlo, t->addr + 8, 8);
	hi = bpf_be64_to_cpu(hi ^ thi);
	lo = bpf_be64_to_cpu(lo ^ tlo);
	/* a tail's route is longer than the root's /16: 17-128 (shifts masked for the verifier) */
	if (plen <= 64 ? !(hi >> ((64 - plen) & 63)) :
	    !hi && !(lo >> ((128 - plen) & 63)))
		return hit;
	return *(volatile __u32 *)&t->miss;
}

/*
 * The leaf of the front structure for the destination @a (@n bytes, network order) in the
 * pool of @slot, or IPXR_LPM_TRIE (ask the trie) when no pool is painted. Each entry is read
 * exactly once: ipxr rewrites entries while the program runs, and a leaf's type and next hop
 * must come from one store. ipxr changes the trie first and then each entry from what the old
 * route set says to what the new one says, and publishes a group or a tail only once it is
 * filled, so a leaf read while it works is right for the routes before the change or after it.
 * At most @n - 1 reads: root (bytes 0 and 1), then one group per further byte; in IPv6 a tail
 * ends the walk early with one more.
 */
static __always_inline __u32 lpm_leaf(__u32 slot, const __u8 *a, const int n)
{
	struct ipxr_lpm_group *grp;
	__u32 e, g;
	void *pool;
	int i;

	pool = bpf_map_lookup_elem(&ipxr_lpm, &slot);
	if (!pool)
		return IPXR_LPM_TRIE;
	g = a[0];
#pragma unroll
	for (i = 1; i < n; i++) {
		grp = bpf_map_lookup_elem(pool, &g);
		if (!grp)
			return IPXR_LPM_TRIE;
		e = *(volatile __u32 *)&grp->e[a[i]];
		if (!(e & IPXR_LPM_GROUP))
			return e;
		if (n == 16 && (e & IPXR_LPM_TRIE))
			goto tail;
		g = e & IPXR_LPM_IDX_MASK;
	}
	/* a group past the last byte: not what ipxr paints */
	return IPXR_LPM_TRIE;
tail:
	e &= IPXR_LPM_TAIL_MASK;
	g = e >> IPXR_LPM_TAIL_SHIFT;
	grp = bpf_map_lookup_elem(pool, &g);
	if (!grp)
		return IPXR_LPM_TRIE;
	return lpm_tail((const struct ipxr_lpm_tail *)grp + (e & ((1U << IPXR_LPM_TAIL_SHIFT) - 1)),
			a);
}

/*
 * Reverse-path filtering, as the kernel's fib_validate_source() does it for a frame arriving on
 * device @ifindex (a tagged frame's sub-interface) whose record has @rpf (IPXR_PORT_F_RPF_*):
 * IPXR_STAT_FORWARD only when it is certain the kernel accepts the source @saddr, that is when
 * the route to it is unicast and, strict, one of its next hops leaves by @ifindex (which next
 * hop the kernel would pick does not matter), loose, exists. Anything else is rp_filter and
 * the kernel's, which drops it or, where it knows more (accept_local, a broadcast address it
 * holds), decides: no route, a local, blackhole or kernel route, a leaf of doubt.
 */
static __always_inline enum ipxr_stat rpf_check(__be32 saddr, __u32 rpf, __u32 ifindex)
{
	struct ipxr_route4_key key = { .prefixlen = 32 };
	struct ipxr_nexthop *nh;
	struct ipxr_nh_group *g;
	struct ipxr_route *rt;
	__u32 leaf, nh_id, plen, host, i, n;
	__u8 type, src[4];

	__builtin_memcpy(src, &saddr, sizeof(src));
	leaf = lpm_leaf(IPXR_LPM_SLOT4, src, 4);
	if (!(leaf & IPXR_LPM_TRIE)) {
		type = (leaf >> IPXR_LPM_TYPE_SHIFT) & IPXR_LPM_TYPE_MASK;
		nh_id = leaf & IPXR_LPM_NH_MASK;
		plen = (leaf >> IPXR_LPM_PLEN_SHIFT) & IPXR_LPM_PLEN_MASK;
	} else {
		key.addr = saddr;
		rt = bpf_map_lookup_elem(&ipxr_route4, &key);
		if (!rt)
			return IPXR_STAT_RP_FILTER;
		type = rt->type;
		nh_id = rt->nh_id;
		plen = rt->prefixlen;
	}
	if (type == IPXR_RT_MULTIPATH) {
		if (rpf & IPXR_PORT_F_RPF_LOOSE)
			return IPXR_STAT_FORWARD;
		g = bpf_map_lookup_elem(&ipxr_nh_group, &nh_id);
		if (!g)
			return IPXR_STAT_RP_FILTER;
		/* every member counts, dead ones too, as in fib_info_nh_uses_dev() */
		n = g->count;
		for (i = 0; i < IPXR_NHG_MAX; i++) {
			if (i >= n)
				break;
			nh_id = g->member[i].nh_id;
			nh = bpf_map_lookup_elem(&ipxr_nexthop, &nh_id);
			if (nh && nh->ifindex == ifindex)
				return IPXR_STAT_FORWARD;
		}
		return IPXR_STAT_RP_FILTER;
	}
	if (type != IPXR_RT_UNICAST)
		return IPXR_STAT_RP_FILTER;
	nh = bpf_map_lookup_elem(&ipxr_nexthop, &nh_id);
	if (!nh || !nh->ifindex)
		return IPXR_STAT_RP_FILTER;
	/*
	 * The kernel's local table holds a broadcast route for the last address of each subnet
	 * of its own (and, on older kernels, the first), which the maps do not: a source there
	 * is refused. Such subnets are the connected routes.
	 */
	if ((nh->flags & IPXR_NH_F_CONNECTED) && plen < 31) {
		host = bpf_ntohl(saddr) & (0xffffffffU >> (plen & 31));
		if (!host || host == 0xffffffffU >> (plen & 31))
			return IPXR_STAT_RP_FILTER;
	}
	if ((rpf & IPXR_PORT_F_RPF_LOOSE) || nh->ifindex == ifindex)
		return IPXR_STAT_FORWARD;
	return IPXR_STAT_RP_FILTER;
}

/*
 * The fate of an IPv4 frame; for IPXR_STAT_FORWARD *@oif is the port it leaves by. *@cnt is the
 * slot in ipxr_route_cnt of the route it matched, when that route is counted. @rpf: the
 * reverse-path filtering of the device it came in by, @iif (0 for none).
 */
static __always_inline enum ipxr_stat route_ipv4(struct xdp_md *ctx, struct ethhdr *eth,
						 void *data_end, __u64 bytes, __u32 *oif,
						 __u32 *cnt, __be16 prio, __u32 rpf, __u32 iif)
{
	const struct ipxr_port *port = NULL;
	struct ipxr_route4_key key = { .prefixlen = 32 };
	struct ipxr_neigh_cache *nc = NULL;
	struct ipxr_nexthop *nh;
	struct ipxr_route *rt;
	enum ipxr_stat st;
	struct iphdr *iph;
	__u32 nh_id, leaf, rt_mtu = 0;
	__u8 type, dst[4];
	__u64 tot_len;

	/* Broadcast and multicast frames are for the kernel's protocols (ARP, DHCP, routing). */
	if (eth->h_dest[0] & 1)
		return IPXR_STAT_MULTICAST;

	iph = (void *)(eth + 1);
	if ((void *)(iph + 1) > data_end)
		return IPXR_STAT_MALFORMED;
	/* The kernel drops and counts (InHdrErrors) what is not a well-formed IPv4 header. */
	if (iph->version != 4 || iph->ihl < 5)
		return IPXR_STAT_MALFORMED;
	/* Options (record route, source route...) need the kernel's processing. */
	if (iph->ihl != 5)
		return IPXR_STAT_IP_OPTIONS;
	tot_len = pkt_len16(iph->tot_len);
	if (tot_len < sizeof(*iph) || (void *)iph + tot_len > data_end || !ip_csum_ok(iph))
		return IPXR_STAT_MALFORMED;
	if ((bpf_ntohl(iph->daddr) >> 28) == 0xe || iph->daddr == 0xffffffff)
		return IPXR_STAT_MULTICAST;
	/* The kernel drops these and logs them as martians when asked to. */
	if (martian(iph->saddr) || martian(iph->daddr) || (bpf_ntohl(iph->saddr) >> 28) == 0xe ||
	    iph->saddr == 0xffffffff)
		return IPXR_STAT_MARTIAN;

	/*
	 * At most three reads of the front structure; a painted "no route" has type
	 * IPXR_RT_UNSPEC. What a leaf cannot say (a route MTU) the trie answers.
	 */
	__builtin_memcpy(dst, &iph->daddr, sizeof(dst));
	leaf = lpm_leaf(IPXR_LPM_SLOT4, dst, 4);
	if (!(leaf & IPXR_LPM_TRIE)) {
		type = (leaf >> IPXR_LPM_TYPE_SHIFT) & IPXR_LPM_TYPE_MASK;
		nh_id = leaf & IPXR_LPM_NH_MASK;
	} else {
		key.addr = iph->daddr;
		rt = bpf_map_lookup_elem(&ipxr_route4, &key);
		if (!rt)
			/* The kernel may know a route ipxr does not, or answers net unreachable. */
			return IPXR_STAT_NO_ROUTE;
		type = rt->type;
		nh_id = rt->nh_id;
		rt_mtu = rt->mtu;
		*cnt = rt->counter;
	}
	st = route_type(type, bytes);
	if (st != IPXR_STAT_FORWARD)
		return st;
	/* the kernel checks the source as it routes the frame, before the TTL */
	if (rpf) {
		st = rpf_check(iph->saddr, rpf, iif);
		if (st != IPXR_STAT_FORWARD)
			return st;
	}
	/* The kernel sends ICMP time exceeded. */
	if (iph->ttl <= 1)
		return IPXR_STAT_TTL;
	/* from here on a multipath route is the member's: neighbour, MTU and counters its own */
	if (type == IPXR_RT_MULTIPATH)
		nh_id = group_pick(nh_id, iph, data_end, AF_INET);

	st = next_hop(ctx, nh_id, AF_INET, &iph->daddr, &nh, &nc, &port);
	if (st != IPXR_STAT_FORWARD || !nc)
		return st;
	/*
	 * The kernel fragments it or sends ICMP fragmentation needed. A leaf never stands for a
	 * route with an MTU of its own (rt_mtu is 0 only then or when it has none).
	 */
	if (tot_len > nc->mtu || (rt_mtu && tot_len > rt_mtu))
		return IPXR_STAT_MTU;

	ip_decrease_ttl(iph);
	return forward(ctx, eth, nc, nh_id, port, nh->ifindex, oif, bytes, prio);
}

/* First word @w0 (network order) of an IPv6 address under the /@len prefix @pfx (host order). */
#define IN6_PREFIX(w0, pfx, len) ((bpf_ntohl(w0) >> (32 - (len))) == ((pfx) >> (32 - (len))))

static __always_inline enum ipxr_stat route_ipv6(struct xdp_md *ctx, struct ethhdr *eth,
						 void *data_end, __u64 bytes, __u32 *oif,
						 __u32 *cnt, __be16 prio)
{
	const struct ipxr_port *port = NULL;
	struct ipxr_neigh_cache *nc = NULL;
	struct ipxr_route6_key key;
	const __u32 *src, *dst;
	struct ipxr_nexthop *nh;
	struct ipv6hdr *ip6h;
	struct ipxr_route *rt;
	enum ipxr_stat st;
	__u32 nh_id, rt_mtu, leaf;
	__u8 *icmp6, type;
	__u64 plen;

	ip6h = (void *)(eth + 1);
	if ((void *)(ip6h + 1) > data_end)
		return IPXR_STAT_MALFORMED;
	/* The kernel drops these and counts them (Ip6InHdrErrors, Ip6InTruncatedPkts). */
	plen = pkt_len16(ip6h->payload_len);
	if ((*(__u8 *)ip6h >> 4) != 6 || (void *)(ip6h + 1) + plen > data_end)
		return IPXR_STAT_MALFORMED;
	/* Multicast and broadcast frames are for the kernel's protocols (ND, MLD, routing). */
	if (eth->h_dest[0] & 1)
		return IPXR_STAT_MULTICAST;
	/*
	 * Hop-by-Hop options are the one extension header every router must look at (RFC 8200
	 * section 4): router alert, jumbograms. Every other one is the destination's and goes
	 * through unexamined, as the kernel forwards it.
	 */
	if (ip6h->nexthdr == IPPROTO_HOPOPTS_NH)
		return IPXR_STAT_HOP_BY_HOP;
	/*
	 * Neighbour discovery (RS, RA, NS, NA, redirect) is the kernel's, even to a unicast
	 * address: it answers them, learns from them, or drops them.
	 */
	icmp6 = (__u8 *)(ip6h + 1);
	if (ip6h->nexthdr == IPPROTO_ICMPV6_NH && plen && (void *)(icmp6 + 1) <= data_end &&
	    *icmp6 >= 133 && *icmp6 <= 137)
		return IPXR_STAT_ND;

	src = ip6h->saddr.in6_u.u6_addr32;
	dst = ip6h->daddr.in6_u.u6_addr32;
	if (IN6_PREFIX(dst[0], 0xff000000U, 8))
		return IPXR_STAT_MULTICAST;
	/* Link-local traffic is never forwarded; the kernel delivers it or answers it. */
	if (IN6_PREFIX(dst[0], 0xfe800000U, 10) || IN6_PREFIX(src[0], 0xfe800000U, 10))
		return IPXR_STAT_LINK_LOCAL;
	/*
	 * What the kernel drops on input or refuses to forward: the unspecified and loopback
	 * addresses (RFC 4291 2.5.2, 2.5.3), a multicast source, IPv4-mapped addresses on the wire
	 * (RFC 4291 2.5.5.2).
	 */
	if (!(dst[0] | dst[1] | dst[2]) && (!dst[3] || dst[3] == bpf_htonl(1)))
		return IPXR_STAT_MARTIAN;
	if (!(src[0] | src[1] | src[2]) && (!src[3] || src[3] == bpf_htonl(1)))
		return IPXR_STAT_MARTIAN;
	if (IN6_PREFIX(src[0], 0xff000000U, 8))
		return IPXR_STAT_MARTIAN;
	if ((!(dst[0] | dst[1]) && dst[2] == bpf_htonl(0xffff)) ||
	    (!(src[0] | src[1]) && src[2] == bpf_htonl(0xffff)))
		return IPXR_STAT_MARTIAN;

	/*
	 * Filled field by field: an initializer makes clang copy a template from .rodata, and
	 * iproute2 gives each port its own unpinned copy of that map (the ports then no longer
	 * share one set of maps).
	 */
	key.prefixlen = 128;
	__builtin_memcpy(key.addr, dst, sizeof(key.addr));
	/*
	 * at most 15 reads of the front structure whatever the table, a few for most routes (a
	 * tail); the trie where it says
	 */
	leaf = lpm_leaf(IPXR_LPM_SLOT6, key.addr, 16);
	if (!(leaf & IPXR_LPM_TRIE)) {
		type = (leaf >> IPXR_LPM_TYPE_SHIFT) & IPXR_LPM_TYPE_MASK;
		nh_id = leaf & IPXR_LPM_NH_MASK;
		rt_mtu = 0;
	} else {
		rt = bpf_map_lookup_elem(&ipxr_route6, &key);
		if (!rt)
			/* The kernel may know a route ipxr does not, or answers no route. */
			return IPXR_STAT_NO_ROUTE;
		type = rt->type;
		nh_id = rt->nh_id;
		rt_mtu = rt->mtu;
		*cnt = rt->counter;
	}
	st = route_type(type, bytes);
	if (st != IPXR_STAT_FORWARD)
		return st;
	/* The kernel sends ICMPv6 time exceeded. */
	if (ip6h->hop_limit <= 1)
		return IPXR_STAT_TTL;
	if (type == IPXR_RT_MULTIPATH)
		nh_id = group_pick(nh_id, ip6h, data_end, AF_INET6);

	st = next_hop(ctx, nh_id, AF_INET6, dst, &nh, &nc, &port);
	if (st != IPXR_STAT_FORWARD || !nc)
		return st;
	/* IPv6 routers never fragment: the kernel sends Packet Too Big. */
	if (sizeof(*ip6h) + plen > nc->mtu || (rt_mtu && sizeof(*ip6h) + plen > rt_mtu))
		return IPXR_STAT_MTU;

	/* No header checksum in IPv6: the hop limit is all there is to update. */
	ip6h->hop_limit--;
	return forward(ctx, eth, nc, nh_id, port, nh->ifindex, oif, bytes, prio);
}

/* A port's counters: at its ifindex, or in slot 0 with the others too high to have their own. */
static __always_inline struct ipxr_port_stats *port_stats(__u32 ifindex)
{
	__u32 slot = ifindex < IPXR_MAX_PORT_STATS ? ifindex : 0;

	return bpf_map_lookup_elem(&ipxr_port_stats, &slot);
}

/*
 * Copy a frame handed to the kernel into ipxr_pass_ring, one in ipxr_config.sample of them.
 * Off (0) it costs one array lookup on the pass path alone; a full ring loses the sample, never
 * the frame.
 */
static __always_inline void sample(struct xdp_md *ctx, enum ipxr_stat_family sf,
				   enum ipxr_stat why, __u64 bytes)
{
	struct ipxr_pass_sample *s;
	struct ipxr_config *cfg;
	__u32 zero = 0, rate;
	__u64 caplen;

	cfg = bpf_map_lookup_elem(&ipxr_config, &zero);
	if (!cfg || !cfg->sample)
		return;
	rate = cfg->sample;
	if (rate > 1 && bpf_get_prandom_u32() % rate)
		return;
	s = bpf_ringbuf_reserve(&ipxr_pass_ring, sizeof(*s), 0);
	if (!s)
		return;
	s->tstamp_ns = bpf_ktime_get_ns();
	s->ifindex = ctx->ingress_ifindex;
	s->len = bytes;
	s->reason = why;
	s->family = sf;
	s->pad = 0;
	/*
	 * 1 to IPXR_SAMPLE_LEN bytes, in a form Linux 6.1's verifier can bound: it learns no
	 * lower bound from "caplen != 0", and the helper refuses a size that may be 0. The mask is
	 * an instruction clang cannot see through, as in pkt_len16(). An empty frame asks for
	 * IPXR_SAMPLE_LEN bytes, which the helper refuses: no bytes sampled.
	 */
	caplen = bytes < IPXR_SAMPLE_LEN ? bytes : IPXR_SAMPLE_LEN;
	caplen--;
	asm volatile("%0 &= %1" : "+r"(caplen) : "i"(IPXR_SAMPLE_LEN - 1));
	caplen++;
	if (bpf_xdp_load_bytes(ctx, 0, s->data, caplen))
		caplen = 0;
	s->caplen = caplen;
	bpf_ringbuf_submit(s, 0);
}

/*
 * Count the frame's fate @why once, per reason in its family's slot @sf, per port (the one it
 * arrived on, and for a forwarded frame the one it leaves by, @oif) and, when forwarded or
 * dropped by a counted route, in that route's slot @cnt; and act on it.
 */
static __always_inline int account(struct xdp_md *ctx, enum ipxr_stat_family sf,
				   enum ipxr_stat why, __u32 oif, __u32 cnt, __u64 bytes)
{
	struct ipxr_port_stats *in = port_stats(ctx->ingress_ifindex), *out;

	count(&ipxr_stats, IPXR_MAX_STATS * sf + why, bytes);
	if (in)
		add(&in->rx, bytes);
	if (why == IPXR_STAT_FORWARD) {
		out = port_stats(oif);
		if (out)
			add(&out->tx, bytes);
		/* 0 for every route not counted, and for all read from a leaf */
		if (cnt)
			count(&ipxr_route_cnt, cnt, bytes);
		return bpf_redirect(oif, 0);
	}
	if (why == IPXR_STAT_BLACKHOLE || why == IPXR_STAT_VLAN_NOROOM) {
		if (in)
			add(&in->drop, bytes);
		if (cnt)
			count(&ipxr_route_cnt, cnt, bytes);
		return XDP_DROP;
	}
	if (in)
		add(&in->pass, bytes);
	sample(ctx, sf, why, bytes);
	return XDP_PASS;
}

/*
 * A tagged frame: routed as untagged on the sub-interface its tags name, through a copy of the
 * IPv4 and IPv6 paths of its own, so that untagged frames pay nothing for what only tagged ones
 * need (the tags kept, put back before the kernel has the frame).
 */
static __always_inline int route_tagged(struct xdp_md *ctx, __u64 bytes)
{
	enum ipxr_stat_family sf = IPXR_SF_LINK;
	struct vlan_rx vin = {};
	void *data, *data_end;
	__u32 oif = 0, cnt = 0;
	struct ethhdr *eth;
	enum ipxr_stat why;

	why = vlan_strip(ctx, &vin);
	/* an IPv4 decision, counted as one (IPv4 forwarding off on the sub-interface) */
	if (why == IPXR_STAT_FWD_DISABLED)
		sf = IPXR_SF_INET;
	if (why != IPXR_STAT_FORWARD)
		goto out;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	eth = data;
	if ((void *)(eth + 1) > data_end) {
		why = IPXR_STAT_MALFORMED;
	} else if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		sf = IPXR_SF_INET;
		why = route_ipv4(ctx, eth, data_end, bytes, &oif, &cnt, vin.prio, vin.rpf,
				 vin.sub);
	} else {
		/* vlan_strip() took the tags off IPv4 and IPv6 only */
		sf = IPXR_SF_INET6;
		why = route_ipv6(ctx, eth, data_end, bytes, &oif, &cnt, vin.prio);
	}
	/* the kernel sees the frame as it came */
	if (why != IPXR_STAT_FORWARD && why != IPXR_STAT_BLACKHOLE &&
	    why != IPXR_STAT_VLAN_NOROOM)
		vlan_restore(ctx, &vin);
out:
	return account(ctx, sf, why, oif, cnt, bytes);
}

static __always_inline int route(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	enum ipxr_stat_family sf = IPXR_SF_LINK;
	__u64 bytes = data_end - data;
	const struct ipxr_port *in;
	struct ethhdr *eth = data;
	enum ipxr_stat why;
	__u32 oif = 0, cnt = 0, flags;

	if ((void *)(eth + 1) > data_end) {
		why = IPXR_STAT_MALFORMED;
	} else if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		sf = IPXR_SF_INET;
		in = port_of(ctx->ingress_ifindex);
		flags = in ? in->flags : 0;
		/* the kernel asks the device a frame came in by whether IPv4 is forwarded from it */
		if (flags & IPXR_PORT_F_NOFWD4)
			why = IPXR_STAT_FWD_DISABLED;
		else
			/* tags pushed for an untagged frame have priority 0, as the kernel's */
			why = route_ipv4(ctx, eth, data_end, bytes, &oif, &cnt, 0,
					 flags & IPXR_PORT_F_RPF, ctx->ingress_ifindex);
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		sf = IPXR_SF_INET6;
		why = route_ipv6(ctx, eth, data_end, bytes, &oif, &cnt, 0);
	} else if (eth_p_vlan(eth->h_proto)) {
		return route_tagged(ctx, bytes);
	} else {
		/* ARP and everything else: the kernel's. */
		why = IPXR_STAT_OTHER_PROTO;
	}
	return account(ctx, sf, why, oif, cnt, bytes);
}

/*
 * Two entry points over one body: "ip link set ... obj xdp_router.o" looks for section "prog",
 * "... sec xdp_router" for ours. A function may not share its section's name.
 */
SEC("xdp_router")
int xdp_route(struct xdp_md *ctx)
{
	return route(ctx);
}

SEC("prog")
int xdp_route_prog(struct xdp_md *ctx)
{
	return route(ctx);
}

char _license[] SEC("license") = "GPL";
