/* SPDX-License-Identifier: GPL-2.0 */
#ifndef IPXR_STATS_H
#define IPXR_STATS_H

int do_stats(int argc, char **argv);

#endif /* IPXR_STATS_H */
