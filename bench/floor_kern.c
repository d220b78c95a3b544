// SPDX-License-Identifier: GPL-2.0
/*
 * The floor of forwarding on this path (case (e) of `make bench`): what every XDP forwarder must
 * do at the least, and nothing more: the frame gets the next hop's and the egress port's MAC
 * addresses and is redirected to one fixed port. No parsing, no lookup, no TTL. A forwarder's
 * rate over this one's is the share of the path's cost its own work leaves.
 * bench.sh writes the port and the addresses into the pinned bench_floor_cfg after attaching.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>

struct bench_floor_cfg {
	__u32 ifindex;		/* the egress port, in the router's namespace */
	__u8 dmac[ETH_ALEN];	/* the next hop */
	__u8 smac[ETH_ALEN];	/* the egress port's own */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bench_floor_cfg);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} bench_floor_cfg SEC(".maps");

SEC("xdp")
int xdp_floor(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct bench_floor_cfg *c;
	__u32 key = 0;

	c = bpf_map_lookup_elem(&bench_floor_cfg, &key);
	if (!c || !c->ifindex || (void *)(eth + 1) > data_end)
		return XDP_PASS;
	__builtin_memcpy(eth->h_dest, c->dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, c->smac, ETH_ALEN);
	return bpf_redirect(c->ifindex, 0);
}

char _license[] SEC("license") = "GPL";
