// SPDX-License-Identifier: GPL-2.0
/*
 * The peer design in the forwarding benchmark (case (d) of `make bench`): an XDP forwarder that
 * asks the kernel's FIB for every packet, as the kernel's samples/bpf/xdp_fwd and xdp-tools'
 * xdp-forward (`-F full`) do, the design users run when they do not run ipxr. Written for the
 * bench, after their published behaviour: a full bpf_fib_lookup() (policy rules included) from
 * the ingress port; on BPF_FIB_LKUP_RET_SUCCESS the TTL or hop limit goes down by one (the IPv4
 * checksum updated incrementally), the MAC addresses become the neighbour's and the egress
 * port's, and the frame is redirected; anything else, and TTL <= 1, goes to the kernel with
 * XDP_PASS. Unlike xdp_fwd it redirects by ifindex, with no egress allow-list in a DEVMAP
 * (every port of the bench may forward; ipxr checks its ports in its own maps).
 */
#include <stddef.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define AF_INET 2
#define AF_INET6 10

/* the incremental checksum update of RFC 1624 for the TTL's 16-bit word, as xdp_fwd does */
static __always_inline void ip_decrease_ttl(struct iphdr *iph)
{
	__u32 check = (__u32)iph->check;

	check += (__u32)bpf_htons(0x0100);
	iph->check = (__sum16)(check + (check >= 0xFFFF));
	iph->ttl--;
}

static __always_inline int fwd(struct xdp_md *ctx, struct ethhdr *eth,
			       struct bpf_fib_lookup *fib, struct iphdr *iph, struct ipv6hdr *ip6)
{
	if (bpf_fib_lookup(ctx, fib, sizeof(*fib), 0) != BPF_FIB_LKUP_RET_SUCCESS)
		return XDP_PASS;
	if (iph)
		ip_decrease_ttl(iph);
	else
		ip6->hop_limit--;
	__builtin_memcpy(eth->h_dest, fib->dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, fib->smac, ETH_ALEN);
	return bpf_redirect(fib->ifindex, 0);
}

SEC("xdp")
int xdp_fib_fwd(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct bpf_fib_lookup fib = {};
	struct ipv6hdr *ip6;
	struct iphdr *iph;

	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		iph = (void *)(eth + 1);
		if ((void *)(iph + 1) > data_end || iph->ttl <= 1)
			return XDP_PASS;
		fib.family = AF_INET;
		fib.tos = iph->tos;
		fib.l4_protocol = iph->protocol;
		fib.tot_len = bpf_ntohs(iph->tot_len);
		fib.ipv4_src = iph->saddr;
		fib.ipv4_dst = iph->daddr;
		fib.ifindex = ctx->ingress_ifindex;
		return fwd(ctx, eth, &fib, iph, NULL);
	}
	if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		ip6 = (void *)(eth + 1);
		if ((void *)(ip6 + 1) > data_end || ip6->hop_limit <= 1)
			return XDP_PASS;
		fib.family = AF_INET6;
		fib.flowinfo = *(__be32 *)ip6 & bpf_htonl(0x0FFFFFFF);
		fib.l4_protocol = ip6->nexthdr;
		fib.tot_len = bpf_ntohs(ip6->payload_len);
		__builtin_memcpy(fib.ipv6_src, &ip6->saddr, sizeof(fib.ipv6_src));
		__builtin_memcpy(fib.ipv6_dst, &ip6->daddr, sizeof(fib.ipv6_dst));
		fib.ifindex = ctx->ingress_ifindex;
		return fwd(ctx, eth, &fib, NULL, ip6);
	}
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
