/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Next hops: shared by every route with the same gateway and device, reference counted, kept in
 * memory for the life of the process and written back by nh_commit().
 */
#ifndef IPXR_NEXTHOP_H
#define IPXR_NEXTHOP_H

#include <stdbool.h>
#include <linux/types.h>

#include "ipxr_maps.h"
#include "utils.h"

/* Read the next-hop table (ids below the config's nh_hiwater); idempotent. 0 or exit code. */
int nh_load(void);
/* The entry for @id as ipxr last wrote or will write it, NULL for a free or invalid id. */
const struct ipxr_nexthop *nh_get(__u32 id);

/*
 * A reference to the next hop (gateway @gw of either family, or connected if NULL) on
 * @ifindex, of a route the kernel accepted (so it checked the gateway): an existing one, or a
 * new one after asking the kernel to keep it resolved (and, for a link-local gateway,
 * installing its stand-in route) and writing it to the map (so no route ever points to an
 * unwritten next hop).
 * Returns 0 or an exit code with the error printed.
 */
int nh_acquire(int ifindex, const struct inet_prefix *gw, __u32 *id);
void nh_release(__u32 id);
/* Whether nh_acquire(@ifindex, @gw) would find an existing next hop (nothing to allocate). */
bool nh_exists(int ifindex, const struct inet_prefix *gw);

/* "via GW" without "dev": the device of the kernel's on-link route to @gw (cached). */
int nh_gateway_dev(const struct inet_prefix *gw, int *ifindex);

/* The stand-in address of next hop @id: IPXR_STANDIN6_HI, zeros, @id (see ipxr_maps.h). */
void nh_standin_addr(__u32 id, __u8 *addr);

/*
 * Write the changed reference counts and free the next hops no route uses any more (deleting
 * the managed neighbours ipxr created for them). A batch calls it once, at the end.
 */
int nh_commit(void);

/*
 * Set every next hop's reference count to @counts[id] (IPXR_MAX_NEXTHOPS of them: the routes
 * that point to it, counted from the tries by compile_recount()); nh_commit() then writes them
 * and frees the next hops no route uses. 0 or an exit code.
 */
int nh_recount(const __u32 *counts);
void nh_free_all(void);

/*
 * Port @ifindex is up (again): re-create what the kernel dropped for its next hops (managed
 * neighbours, stand-in routes) and clear their neighbour caches. 0 or an exit code.
 */
int nh_port_up(int ifindex);
/*
 * The kernel's neighbour entry for gateway @addr on @ifindex is now in NUD_* @state, or went
 * (@deleted): the next hops through it forget their cache, get their managed entry back when
 * @port_up, and are failed while the kernel cannot resolve them (IPXR_NH_F_FAILED). True when
 * a next hop became failed or alive again: grp_ports_refresh() then refills its groups.
 */
bool nh_neigh_event(int family, const __u8 *addr, int ifindex, bool deleted, __u16 state,
		    bool port_up);
/* The failed flags from the kernel's neighbour table, after events may have been lost. */
bool nh_neigh_refresh(void);

/*
 * Next hop @id's packet and byte counters on a line of their own, after @text_prefix, in the
 * JSON object @key.
 */
void nh_print_counters(__u32 id, const char *key, const char *text_prefix);

int do_nexthop(int argc, char **argv);

#endif /* IPXR_NEXTHOP_H */
