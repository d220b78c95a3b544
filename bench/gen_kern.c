// SPDX-License-Identifier: GPL-2.0
/*
 * Traffic source of the forwarding benchmark (bench/trafgen runs it with BPF_PROG_TEST_RUN in
 * live-frames mode): every run takes the template frame, an IPv4/UDP packet, gives it the next
 * destination of the list in gen_dsts and the next source port, and redirects it out of the
 * source veth. So one CPU sends millions of frames a second to destinations spread over the
 * route table, in as many UDP flows as there are destinations times source ports.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define GEN_MAX_DSTS	(1U << 16)
#define GEN_HDR_LEN	(14 + 20 + 8)

/* set by trafgen before loading; one struct, so the compiler cannot reorder the fields */
volatile const struct gen_cfg {
	__u32 ifindex;		/* the source veth */
	__u32 dst_mask;		/* destinations in use - 1 (a power of two) */
	__u32 port_mask;	/* source ports in use - 1 */
	__u32 pad;
	/*
	 * Ethernet + IPv4 + UDP headers of the template frame. Live-frames mode initialises a
	 * page with the template only once and then recycles it, and the forwarders write into
	 * the frames they forward (MAC addresses, TTL, checksum): every run rewrites the headers.
	 */
	__u8 hdr[GEN_HDR_LEN];
} gen_cfg;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, GEN_MAX_DSTS);
	__type(key, __u32);
	__type(value, __be32);
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

SEC("xdp")
int xdp_gen(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *iph = (void *)(eth + 1);
	struct udphdr *udp = (void *)(iph + 1);
	__u32 key = 0, idx, sum = 0;
	__u16 *w = (__u16 *)iph;
	__be32 *dst;
	__u64 *seq;
	int i;

	if ((void *)(udp + 1) > data_end)
		return XDP_ABORTED;
	seq = bpf_map_lookup_elem(&gen_sent, &key);
	if (!seq)
		return XDP_ABORTED;
	idx = (__u32)*seq;
	(*seq)++;
	key = idx & gen_cfg.dst_mask;
	dst = bpf_map_lookup_elem(&gen_dsts, &key);
	if (!dst)
		return XDP_ABORTED;
	/* volatile reads: the values are set at load time, not the zeros the compiler sees */
#pragma unroll
	for (i = 0; i < GEN_HDR_LEN / 2; i++)
		((__u16 *)data)[i] = ((const volatile __u16 *)gen_cfg.hdr)[i];
	iph->daddr = *dst;
	iph->check = 0;
#pragma unroll
	for (i = 0; i < (int)(sizeof(*iph) / 2); i++)
		sum += w[i];
	iph->check = csum_fold(sum);
	/* the source port steps once per pass over the destinations: flows = dsts x ports */
	udp->source = bpf_htons(1024 + ((idx / (gen_cfg.dst_mask + 1)) & gen_cfg.port_mask));
	return bpf_redirect(gen_cfg.ifindex, 0);
}

char _license[] SEC("license") = "GPL";
