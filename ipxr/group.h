/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Next-hop groups of multipath routes (ipxr_nh_group): shared by every route with the same
 * members and weights, reference counted like next hops (nexthop.h), kept in memory for the
 * life of the process and written back by grp_commit(). A group holds one reference on each of
 * its member next hops.
 */
#ifndef IPXR_GROUP_H
#define IPXR_GROUP_H

#include <stdbool.h>
#include <linux/types.h>

#include "ipxr_maps.h"

/* Read the group table; idempotent. 0 or an exit code. */
int grp_load(void);
/* The group @id as ipxr last wrote or will write it, NULL for a free or invalid id. */
const struct ipxr_nh_group *grp_get(__u32 id);

/*
 * A reference to the group of the @n next hops @nh (one reference each, which the group takes
 * over) with weights @weight: an existing one (whose own references on them stand, so the
 * caller's are released) or a new one, filled and written to the map before any route points
 * to it. Members whose port is down start dead. 0 or an exit code with the error printed; on
 * error the caller still holds its references.
 */
int grp_acquire(const __u32 *nh, const __u16 *weight, unsigned int n, __u32 *id);
void grp_release(__u32 id);

/* Write the changed counts; free the groups no route uses and release their members. */
int grp_commit(void);
/*
 * Set every group's count to @counts[id] (IPXR_MAX_NH_GROUPS of them, the routes of the tries
 * that point to it); grp_commit() then frees the groups no route uses. 0 or an exit code.
 */
int grp_recount(const __u32 *counts);
void grp_free_all(void);

/*
 * Port @ifindex went down (!@up) or came back: its members leave the buckets of every group, or
 * take back their own, one map write per group changed. 0 or an exit code.
 */
int grp_port_event(int ifindex, bool up);

/*
 * Every member dead or alive as its port (the ports map) and its gateway (IPXR_NH_F_FAILED)
 * are now: for a first look at maps another process (or none) kept while ports changed, and
 * after a gateway failed or came back. 0 or an exit code.
 */
int grp_ports_refresh(void);

#endif /* IPXR_GROUP_H */
