// SPDX-License-Identifier: GPL-2.0
/*
 * Traffic source of the forwarding benchmark (bench/trafgen runs it with BPF_PROG_TEST_RUN in
 * live-frames mode): every run takes the template frame, an IPv4/UDP (xdp_gen) or IPv6/UDP
 * (xdp_gen6) packet, gives it the next destination of the list in gen_dsts and the next source
 * port, and redirects it out of the source veth. So one CPU sends millions of frames a second
 * to destinations spread over the route table, in as many UDP flows as there are destinations
 * times source ports.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define GEN_MAX_DSTS	(1U << 16)
#define GEN_HDR_LEN	(14 + 40 + 8)	/* the longer of Ethernet + IPv4/IPv6 + UDP */

/* set by trafgen before loading; one struct, so the compiler cannot reorder the fields */
volatile const struct gen_cfg {
	__u32 ifindex;		/* the source veth */
	__u32 dst_mask;		/* destinations in use - 1 (a power of two) */
	__u32 port_mask;	/* source ports in use - 1 */
	__u32 pad;
	/*
	 * Ethernet + IP + UDP headers of the template frame. Live-frames mode initialises a page
	 * with the template only once and then recycles it, and the forwarders write into the
	 * frames they forward (MAC addresses, TTL, checksum): every run rewrites the headers.
	 */
	__u8 hdr[GEN_HDR_LEN];
} gen_cfg;

/* destination addresses in network order: IPv4 in the first word, IPv6 in all four */
struct gen_dst {
	__be32 w[4];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, GEN_MAX_DSTS);
	__type(key, __u32);
	__type(value, struct gen_dst);
} gen_dsts SEC(".maps");

/* frames sent, one slot: the generator runs on one CPU */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} gen_sent SEC(".maps");

static __always_inline __u16 csum_fold(__u32 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

/* the next destination and the frame's sequence number, or NULL */
static __always_inline struct gen_dst *next_dst(__u32 *idx)
{
	__u32 key = 0;
	__u64 *seq;

	seq = bpf_map_lookup_elem(&gen_sent, &key);
	if (!seq)
		return NULL;
	*idx = (__u32)*seq;
	(*seq)++;
	key = *idx & gen_cfg.dst_mask;
	return bpf_map_lookup_elem(&gen_dsts, &key);
}

/* the source port steps once per pass over the destinations: flows = dsts x ports */
static __always_inline __be16 src_port(__u32 idx)
{
	return bpf_htons(1024 + ((idx / (gen_cfg.dst_mask + 1)) & gen_cfg.port_mask));
}

SEC("xdp")
int xdp_gen(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *iph = (void *)(eth + 1);
	struct udphdr *udp = (void *)(iph + 1);
	__u16 *w = (__u16 *)iph;
	struct gen_dst *dst;
	__u32 idx, sum = 0;
	int i;

	if ((void *)(udp + 1) > data_end)
		return XDP_ABORTED;
	dst = next_dst(&idx);
	if (!dst)
		return XDP_ABORTED;
	/* volatile reads: the values are set at load time, not the zeros the compiler sees */
#pragma unroll
	for (i = 0; i < (14 + 20 + 8) / 2; i++)
		((__u16 *)data)[i] = ((const volatile __u16 *)gen_cfg.hdr)[i];
	iph->daddr = dst->w[0];
	iph->check = 0;
#pragma unroll
	for (i = 0; i < (int)(sizeof(*iph) / 2); i++)
		sum += w[i];
	iph->check = csum_fold(sum);
	udp->source = src_port(idx);	/* an IPv4 UDP checksum of 0: none */
	return bpf_redirect(gen_cfg.ifindex, 0);
}

/*
 * IPv6 has no header checksum but a mandatory UDP one (the template's payload is empty, so it
 * covers the pseudo-header and the UDP header alone): the frames are valid end to end.
 */
SEC("xdp")
int xdp_gen6(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct ipv6hdr *ip6 = (void *)(eth + 1);
	struct udphdr *udp = (void *)(ip6 + 1);
	__u16 *w = (__u16 *)&ip6->saddr;
	struct gen_dst *dst;
	__u32 idx, sum;
	int i;

	if ((void *)(udp + 1) > data_end)
		return XDP_ABORTED;
	dst = next_dst(&idx);
	if (!dst)
		return XDP_ABORTED;
#pragma unroll
	for (i = 0; i < GEN_HDR_LEN / 2; i++)
		((__u16 *)data)[i] = ((const volatile __u16 *)gen_cfg.hdr)[i];
#pragma unroll
	for (i = 0; i < 4; i++)
		ip6->daddr.in6_u.u6_addr32[i] = dst->w[i];
	udp->source = src_port(idx);
	udp->check = 0;
	/* pseudo-header: addresses, UDP length, next header; then the UDP header */
	sum = bpf_htons(sizeof(*udp)) + bpf_htons(IPPROTO_UDP);
#pragma unroll
	for (i = 0; i < 16; i++)
		sum += w[i];
	w = (__u16 *)udp;
#pragma unroll
	for (i = 0; i < (int)(sizeof(*udp) / 2); i++)
		sum += w[i];
	udp->check = csum_fold(sum) ?: 0xffff;
	return bpf_redirect(gen_cfg.ifindex, 0);
}

char _license[] SEC("license") = "GPL";
