// SPDX-License-Identifier: GPL-2.0
/*
 * Sink of the forwarding benchmark: counts every frame in a per-CPU counter and drops it. The
 * same object, attached to the router's ingress port, is case (c) of `make bench`: the rate at
 * which this machine can take frames off that port and do nothing with them.
 * The counter is pinned by name, so every port running the object shares it and bench/trafgen
 * reads it from the bpf file system.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct bench_counter {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bench_counter);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} bench_sink_cnt SEC(".maps");

SEC("xdp")
int xdp_sink(struct xdp_md *ctx)
{
	struct bench_counter *c;
	__u32 key = 0;

	c = bpf_map_lookup_elem(&bench_sink_cnt, &key);
	if (c) {
		c->packets++;
		c->bytes += ctx->data_end - ctx->data;
	}
	return XDP_DROP;
}

char _license[] SEC("license") = "GPL";
