// SPDX-License-Identifier: GPL-2.0
/*
 * ipxr fast path: IPv4 longest-prefix-match forwarding in XDP.
 *
 * Routes live in a pinned LPM trie written by ipxr; each route points at a next hop, and the
 * next hop caches the neighbour's MAC, the egress MAC and the MTU that the kernel's own tables
 * give for it (bpf_fib_lookup), refreshed every IPXR_NEIGH_REFRESH_NS. ARP stays the kernel's
 * job, no daemon has to run, and a changed or vanished neighbour is followed within that time.
 *
 * Whatever the fast path cannot finish exactly as the kernel would is handed to the kernel
 * (XDP_PASS) and counted by reason, so the kernel sends the right ICMP error or delivers locally.
 */
#include <stddef.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "ipxr_maps.h"

#define AF_INET 2

_Static_assert(IPXR_STAT_MAX <= IPXR_MAX_STATS, "stats map too small");

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

static __always_inline void count(void *map, __u32 idx, __u64 bytes)
{
	struct ipxr_counter *c = bpf_map_lookup_elem(map, &idx);

	if (c) {
		c->packets++;
		c->bytes += bytes;
	}
}

static __always_inline int verdict(enum ipxr_stat why, int action, __u64 bytes)
{
	count(&ipxr_stats, why, bytes);
	return action;
}

#define PASS(why, bytes) verdict(IPXR_STAT_##why, XDP_PASS, bytes)

/* The IPv4 header sums to 0xffff in one's complement when its checksum is right. */
static __always_inline int ip_csum_ok(const struct iphdr *iph)
{
	const __u16 *w = (const __u16 *)iph;
	__u32 sum = 0;
	int i;

#pragma unroll
	for (i = 0; i < (int)(sizeof(*iph) / 2); i++)
		sum += w[i];
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

static __always_inline int martian(__be32 addr)
{
	__u8 first = bpf_ntohl(addr) >> 24;

	/* "this network" and loopback are never routed (RFC 1122 3.2.1.3) */
	return first == 0 || first == 127;
}

/*
 * Ask the kernel for the neighbour behind @dst on @ifindex, as it would when transmitting there:
 * the result follows its ARP table (and any neighbour it later learns or forgets).
 */
static __always_inline enum ipxr_stat neigh_refresh(struct xdp_md *ctx,
						    struct ipxr_neigh_cache *nc,
						    __u32 ifindex, __be32 dst, __u64 now)
{
	struct bpf_fib_lookup fib = {};
	long rc;

	fib.family = AF_INET;
	fib.ifindex = ifindex;
	fib.ipv4_dst = dst;
	/* The MTU is only reported when exceeded, so ask once with the largest length. */
	fib.tot_len = 0xffff;
	rc = bpf_fib_lookup(ctx, &fib, sizeof(fib), BPF_FIB_LOOKUP_OUTPUT);
	if (rc == BPF_FIB_LKUP_RET_FRAG_NEEDED) {
		nc->mtu = fib.mtu_result;
		__builtin_memset(&fib, 0, sizeof(fib));
		fib.family = AF_INET;
		fib.ifindex = ifindex;
		fib.ipv4_dst = dst;
		rc = bpf_fib_lookup(ctx, &fib, sizeof(fib), BPF_FIB_LOOKUP_OUTPUT);
	} else if (rc == BPF_FIB_LKUP_RET_SUCCESS) {
		nc->mtu = 0xffff;
	}

	switch (rc) {
	case BPF_FIB_LKUP_RET_SUCCESS:
		break;
	case BPF_FIB_LKUP_RET_NO_NEIGH:
		nc->stamp_ns = 0;
		return IPXR_STAT_NO_NEIGH;
	case BPF_FIB_LKUP_RET_FWD_DISABLED:
		nc->stamp_ns = 0;
		return IPXR_STAT_FWD_DISABLED;
	default:
		/* no route to the gateway, or it is local, broadcast, blackholed... */
		nc->stamp_ns = 0;
		return IPXR_STAT_NH_INVALID;
	}
	/*
	 * A route to the gateway that leaves by another port, or that reaches it through yet
	 * another gateway (the kernel then answers with that one's MAC), is not the next hop asked
	 * for: the neighbour must be @dst itself, on-link on @ifindex.
	 */
	if (fib.ifindex != ifindex || fib.ipv4_dst != dst) {
		nc->stamp_ns = 0;
		return IPXR_STAT_NH_INVALID;
	}
	__builtin_memcpy(nc->dmac, fib.dmac, ETH_ALEN);
	__builtin_memcpy(nc->smac, fib.smac, ETH_ALEN);
	nc->stamp_ns = now;
	return IPXR_STAT_FORWARD;
}

static __always_inline enum ipxr_stat neigh_get(struct xdp_md *ctx, struct ipxr_neigh_cache *nc,
						__u32 ifindex, __be32 dst)
{
	__u64 now = bpf_ktime_get_coarse_ns();

	if (nc->stamp_ns && now - nc->stamp_ns < IPXR_NEIGH_REFRESH_NS)
		return IPXR_STAT_FORWARD;
	return neigh_refresh(ctx, nc, ifindex, dst, now ? now : 1);
}

/* Next hop for a connected route: the destination host, cached per (port, address). */
static __always_inline struct ipxr_neigh_cache *host_cache(__u32 ifindex, __be32 daddr)
{
	struct ipxr_neigh4_key key = { .ifindex = ifindex, .addr = daddr };
	struct ipxr_neigh_cache *nc, empty = {};

	nc = bpf_map_lookup_elem(&ipxr_neigh4, &key);
	if (nc)
		return nc;
	bpf_map_update_elem(&ipxr_neigh4, &key, &empty, BPF_NOEXIST);
	return bpf_map_lookup_elem(&ipxr_neigh4, &key);
}

static __always_inline int route_ipv4(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u64 bytes = data_end - data;
	struct ipxr_route4_key key = { .prefixlen = 32 };
	struct ethhdr *eth = data;
	struct ipxr_neigh_cache *nc;
	struct ipxr_nexthop *nh;
	struct ipxr_route *rt;
	enum ipxr_stat st;
	struct iphdr *iph;
	__u32 nh_id;

	if ((void *)(eth + 1) > data_end)
		return PASS(MALFORMED, bytes);
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return PASS(OTHER_PROTO, bytes);
	/* Broadcast and multicast frames are for the kernel's protocols (ARP, DHCP, routing). */
	if (eth->h_dest[0] & 1)
		return PASS(MULTICAST, bytes);

	iph = (void *)(eth + 1);
	if ((void *)(iph + 1) > data_end)
		return PASS(MALFORMED, bytes);
	/* The kernel drops and counts (InHdrErrors) what is not a well-formed IPv4 header. */
	if (iph->version != 4 || iph->ihl < 5)
		return PASS(MALFORMED, bytes);
	/* Options (record route, source route...) need the kernel's processing. */
	if (iph->ihl != 5)
		return PASS(IP_OPTIONS, bytes);
	if (bpf_ntohs(iph->tot_len) < sizeof(*iph) ||
	    (void *)iph + bpf_ntohs(iph->tot_len) > data_end || !ip_csum_ok(iph))
		return PASS(MALFORMED, bytes);
	if ((bpf_ntohl(iph->daddr) >> 28) == 0xe || iph->daddr == 0xffffffff)
		return PASS(MULTICAST, bytes);
	/* The kernel drops these and logs them as martians when asked to. */
	if (martian(iph->saddr) || martian(iph->daddr) || (bpf_ntohl(iph->saddr) >> 28) == 0xe ||
	    iph->saddr == 0xffffffff)
		return PASS(MARTIAN, bytes);

	key.addr = iph->daddr;
	rt = bpf_map_lookup_elem(&ipxr_route4, &key);
	if (!rt)
		/* The kernel may know a route ipxr does not, or answers net unreachable. */
		return PASS(NO_ROUTE, bytes);
	if (rt->type == IPXR_RT_LOCAL)
		return PASS(LOCAL, bytes);
	if (rt->type == IPXR_RT_BLACKHOLE) {
		count(&ipxr_nh_stats, 0, bytes);
		return verdict(IPXR_STAT_BLACKHOLE, XDP_DROP, bytes);
	}
	if (rt->type != IPXR_RT_UNICAST)
		return PASS(NO_ROUTE, bytes);
	/* The kernel sends ICMP time exceeded. */
	if (iph->ttl <= 1)
		return PASS(TTL, bytes);

	nh_id = rt->nh_id;
	nh = bpf_map_lookup_elem(&ipxr_nexthop, &nh_id);
	if (!nh || !nh->ifindex)
		return PASS(NH_INVALID, bytes);
	if (nh->flags & IPXR_NH_F_CONNECTED) {
		nc = host_cache(nh->ifindex, iph->daddr);
		if (!nc)
			return PASS(NO_NEIGH, bytes);
		st = neigh_get(ctx, nc, nh->ifindex, iph->daddr);
	} else {
		nc = &nh->cache;
		st = neigh_get(ctx, nc, nh->ifindex, *(__be32 *)nh->gw);
	}
	if (st != IPXR_STAT_FORWARD)
		/* Unresolved: the kernel forwards it if it can, and resolves the neighbour. */
		return verdict(st, XDP_PASS, bytes);
	/* The kernel fragments it or sends ICMP fragmentation needed. */
	if (bpf_ntohs(iph->tot_len) > nc->mtu)
		return PASS(MTU, bytes);

	__builtin_memcpy(eth->h_dest, nc->dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, nc->smac, ETH_ALEN);
	ip_decrease_ttl(iph);
	count(&ipxr_nh_stats, nh_id, bytes);
	count(&ipxr_stats, IPXR_STAT_FORWARD, bytes);
	return bpf_redirect(nh->ifindex, 0);
}

/*
 * Two entry points over one body: "ip link set ... obj xdp_router.o" looks for section "prog",
 * "... sec xdp_router" for ours. A function may not share its section's name.
 */
SEC("xdp_router")
int xdp_route(struct xdp_md *ctx)
{
	return route_ipv4(ctx);
}

SEC("prog")
int xdp_route_prog(struct xdp_md *ctx)
{
	return route_ipv4(ctx);
}

char _license[] SEC("license") = "GPL";
