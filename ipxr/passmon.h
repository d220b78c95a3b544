/* SPDX-License-Identifier: GPL-2.0 */
/* ipxr monitor pass: the frames the fast path hands to the kernel, sampled. */
#ifndef IPXR_PASSMON_H
#define IPXR_PASSMON_H

int monitor_pass(int argc, char **argv);

#endif /* IPXR_PASSMON_H */
