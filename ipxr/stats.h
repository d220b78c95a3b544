/* SPDX-License-Identifier: GPL-2.0 */
#ifndef IPXR_STATS_H
#define IPXR_STATS_H

#include <linux/types.h>

int do_stats(int argc, char **argv);

/*
 * Entry @idx of the per-CPU counter map @fd (struct ipxr_counter), summed, on a line of its own
 * after @text_prefix, in the JSON object @key: how -s prints a next hop's or a route's counter.
 */
void counter_print(int fd, __u32 idx, const char *key, const char *text_prefix);

#endif /* IPXR_STATS_H */
