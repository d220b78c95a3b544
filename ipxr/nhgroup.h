/* SPDX-License-Identifier: GPL-2.0 */
/* Next-hop groups of multipath routes: the hash buckets of struct ipxr_nh_group. */
#ifndef IPXR_NHGROUP_H
#define IPXR_NHGROUP_H

#include "ipxr_maps.h"

/*
 * Fill @g's tables from its members (member[], count): home[] shares the buckets among all
 * members in proportion to their weights, keeping every bucket whose member keeps its share, so
 * a change of members moves only the flows it must; bucket[] is home[] with the buckets of dead
 * members spread over the live ones in the same way, so a member that fails moves only its own
 * flows and they return when it does. With no live member bucket[] is home[]: the program then
 * finds each port down or neighbour gone and hands the frames to the kernel. Returns the number
 * of buckets of bucket[] that changed.
 */
unsigned int nhg_fill(struct ipxr_nh_group *g);

#endif /* IPXR_NHGROUP_H */
