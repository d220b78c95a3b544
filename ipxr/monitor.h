/* SPDX-License-Identifier: GPL-2.0 */
/* ipxr monitor: the fast path's route changes as they happen. */
#ifndef IPXR_MONITOR_H
#define IPXR_MONITOR_H

int do_monitor(int argc, char **argv);

#endif /* IPXR_MONITOR_H */
