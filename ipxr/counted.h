/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The counted prefixes (ipxr_counted, bpf/ipxr_maps.h): which prefixes have a route counter and
 * in which slot of ipxr_route_cnt. It is ipxr's own state, not the kernel's, so it outlives the
 * routes: compile_route() copies a prefix's slot into every route it compiles for it, whoever
 * asked (the CLI, ipxr sync). At most IPXR_MAX_ROUTE_CNT - 1 prefixes.
 */
#ifndef IPXR_COUNTED_H
#define IPXR_COUNTED_H

#include <stdbool.h>
#include <linux/types.h>

#include "utils.h"

/* The slot of @p, 0 when it is not counted (the set read once, after counted_forget()). */
__u32 counted_slot(const struct inet_prefix *p);

/*
 * Count @p (a slot taken and its counters zeroed) or stop counting it (@on false). Needs the
 * maps open for writing. 0 or an exit code with the error printed; *@changed whether the set
 * changed (a prefix counted already keeps its slot and its counts).
 */
int counted_set(const struct inet_prefix *p, bool on, bool *changed);

/* Another writer may have changed the set: read it again before the next use. */
void counted_forget(void);

/*
 * Each counted prefix with its slot, IPv4 first, then by length and address: @fn's non-zero
 * return stops the walk.
 */
int counted_walk(int (*fn)(const struct inet_prefix *p, __u32 slot, void *data), void *data);

#endif /* IPXR_COUNTED_H */
