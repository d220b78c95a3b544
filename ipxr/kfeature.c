// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel feature probes. Each loads a program of a few raw instructions (no object file, no
 * compiler at run time) and runs it once with BPF_PROG_TEST_RUN on a dummy frame: the helper's
 * return value says whether the kernel knows what the fast path asks of it.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <linux/bpf.h>

#include "ipxr_maps.h"
#include "kfeature.h"
#include "utils.h"

/* bpf/xdp_router.c's spelling: uapi headers older than 6.8 have neither the flag nor the field */
#define FIB_LOOKUP_TBID		(1U << 3)
#define FIB_TBID_OFF		offsetof(struct bpf_fib_lookup, h_vlan_proto)

#define INSN(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), \
						 .off = (o), .imm = (i) })
#define FP			BPF_REG_10
#define FIB(off)		((__s16)(-(int)sizeof(struct bpf_fib_lookup) + (int)(off)))

/*
 * bpf_fib_lookup(ctx, &fib, sizeof(fib), DIRECT | TBID) for 100:: out of lo in table
 * IPXR_KERNEL_TABLE, its return value the program's. A kernel that does not know the flag
 * answers -EINVAL before it looks at anything else; one that does answers a BPF_FIB_LKUP_RET_*
 * code (>= 0), whatever the table holds.
 */
static int probe_fib_tbid(void)
{
	const int sz = sizeof(struct bpf_fib_lookup);
	struct bpf_insn prog[32];
	__u8 frame[64] = { 0 };
	int n = 0, fd, err, i;
	LIBBPF_OPTS(bpf_test_run_opts, run, .data_in = frame, .data_size_in = sizeof(frame),
		    .repeat = 1);

	prog[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_6, BPF_REG_1, 0, 0);
	for (i = 0; i < sz; i += 8)
		prog[n++] = INSN(BPF_ST | BPF_MEM | BPF_DW, FP, 0, FIB(i), 0);
	prog[n++] = INSN(BPF_ST | BPF_MEM | BPF_B, FP, 0,
			 FIB(offsetof(struct bpf_fib_lookup, family)), 10 /* AF_INET6 */);
	prog[n++] = INSN(BPF_ST | BPF_MEM | BPF_W, FP, 0,
			 FIB(offsetof(struct bpf_fib_lookup, ifindex)), 1 /* lo */);
	prog[n++] = INSN(BPF_ST | BPF_MEM | BPF_B, FP, 0,
			 FIB(offsetof(struct bpf_fib_lookup, ipv6_dst)), 1 /* 100:: */);
	prog[n++] = INSN(BPF_ST | BPF_MEM | BPF_W, FP, 0, FIB(FIB_TBID_OFF),
			 (__s32)IPXR_KERNEL_TABLE);
	prog[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_1, BPF_REG_6, 0, 0);
	prog[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_2, FP, 0, 0);
	prog[n++] = INSN(BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_2, 0, 0, -sz);
	prog[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_3, 0, 0, sz);
	prog[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_4, 0, 0,
			 BPF_FIB_LOOKUP_DIRECT | FIB_LOOKUP_TBID);
	prog[n++] = INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_fib_lookup);
	prog[n++] = INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);

	/* bpf_fib_lookup() is GPL-only */
	fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "ipxr_tbid", "GPL", prog, n, NULL);
	if (fd < 0)
		return -errno;
	err = bpf_prog_test_run_opts(fd, &run) ? -errno : 0;
	close(fd);
	if (err)
		return err;
	return (int)run.retval == -EINVAL ? 0 : 1;
}

int kfeature_fib_tbid(const char *what)
{
	static int known;	/* 0: not asked yet, 1: has it, else the probe's result */
	struct utsname u;
	int rc;

	if (!known) {
		rc = probe_fib_tbid();
		known = rc == 1 ? 1 : rc == 0 ? -EOPNOTSUPP : rc;
	}
	if (known == 1)
		return 0;
	if (known != -EOPNOTSUPP)
		return ipxr_error(IPXR_EXIT_REFUSED, "cannot ask the kernel whether "
				  "bpf_fib_lookup() takes BPF_FIB_LOOKUP_TBID: %s",
				  strerror(-known));
	if (uname(&u))
		strcpy(u.release, "?");
	return ipxr_error(IPXR_EXIT_REFUSED, "%s: a link-local gateway needs BPF_FIB_LOOKUP_TBID, "
			  "which this kernel (%s) lacks: Linux 6.8 or later, or 6.1.82 or later "
			  "(Debian 12's kernel has it).", what, u.release);
}
