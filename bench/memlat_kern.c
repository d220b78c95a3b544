// SPDX-License-Identifier: GPL-2.0
/*
 * bench/memlat's program: the dependent reads of a front-structure lookup and nothing else. A
 * pool of 1 KiB groups as large as ipxr's for a full IPv4 table; the frame names a group and,
 * for each read, the entry to read, whose value names the group of the next read. See
 * bench/memlat.c.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>

#define MEMLAT_GROUPS	(96 * 1024)	/* 96 MiB */
#define MEMLAT_READS	3

struct memlat_group {
	__u32 e[256];
};

/* after the Ethernet header */
struct memlat_frame {
	__u32 reads;			/* 0 to MEMLAT_READS */
	__u32 group;			/* of the first read */
	__u8 entry[MEMLAT_READS];	/* of each read */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MEMLAT_GROUPS);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct memlat_group);
} memlat_pool SEC(".maps");

SEC("xdp")
int memlat(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct memlat_frame *f = data + ETH_HLEN;
	struct memlat_group *grp;
	__u32 g;
	int i;

	if ((void *)(f + 1) > data_end)
		return XDP_ABORTED;
	g = f->group;
	for (i = 0; i < MEMLAT_READS; i++) {
		if ((__u32)i >= f->reads)
			break;
		grp = bpf_map_lookup_elem(&memlat_pool, &g);
		if (!grp)
			return XDP_ABORTED;
		g = *(volatile __u32 *)&grp->e[f->entry[i]];
	}
	/* the value read decides, so that no read can be left out */
	return g == 0xffffffffU ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
