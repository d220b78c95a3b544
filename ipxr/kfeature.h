/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the running kernel can do for the fast path, found out by asking it (a BPF_PROG_TEST_RUN
 * of a few instructions), never guessed from its version: distributions backport features.
 */
#ifndef IPXR_KFEATURE_H
#define IPXR_KFEATURE_H

/*
 * Whether bpf_fib_lookup() takes BPF_FIB_LOOKUP_TBID (Linux 6.8; backported to 6.1.82, so Debian
 * 12's kernel has it), which the program needs to resolve a link-local gateway through its
 * stand-in route. 0 if it does; otherwise the exit code of the error printed, which names the
 * kernel needed and what was asked for (@what, e.g. "via fe80::1 dev eth0"). Asked once per
 * process.
 */
int kfeature_fib_tbid(const char *what);

#endif /* IPXR_KFEATURE_H */
