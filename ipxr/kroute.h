/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A kernel route as rtnetlink describes it: one struct rtmsg and its attributes. It is what ipxr
 * writes to the kernel (route add/change/replace/del), what a dump or a notification decodes to
 * (ipxr sync), and what compile_route() (compile.h) turns into map entries. The kernel's
 * routing table is the truth; the maps are compiled from these.
 */
#ifndef IPXR_KROUTE_H
#define IPXR_KROUTE_H

#include <stdbool.h>
#include <linux/types.h>
#include <linux/rtnetlink.h>

#include "ipxr_maps.h"
#include "utils.h"

/*
 * ipxr's routing protocol number, named "ipxr" by the rt_protos.d file `make install` puts
 * where iproute2 reads protocol names (0x69 is 'i'; iproute2 assigns nothing in 100-185).
 */
#define RTPROT_IPXR	105

/* One next hop of a multipath route (RTA_MULTIPATH's struct rtnexthop and its attributes). */
struct kpath {
	int oif;
	bool has_gw;
	struct inet_prefix gw;	/* RTA_GATEWAY, or RTA_VIA */
	__u16 weight;		/* rtnh_hops + 1 */
	__u8 flags;		/* rtnh_flags: RTNH_F_ONLINK, _DEAD, _LINKDOWN */
};

#define KPATH_MAX	IPXR_NHG_MAX	/* next hops of a multipath route the fast path takes */

struct kpath_set {
	unsigned int n;
	struct kpath p[KPATH_MAX];
};

/*
 * Multipath routes carry their next hops as an id into a process-wide table of distinct sets
 * (a full BGP table over two upstreams holds a handful of them), so a struct kroute stays small
 * and two routes have the same next hops exactly when their ids are equal. 0: no set (out of
 * memory). Thread-safe: the route stream decodes in its own thread.
 */
__u32 kpath_intern(const struct kpath_set *s);
/* The set of @id, NULL for 0 or an unknown id. */
const struct kpath_set *kpath_get(__u32 id);

struct kroute {
	struct inet_prefix dst;	/* its family is the route's */
	__u32 table;		/* RTA_TABLE, else rtm_table */
	__u8 type;		/* RTN_UNICAST, RTN_BLACKHOLE, RTN_UNREACHABLE, RTN_PROHIBIT, ... */
	__u8 protocol;		/* RTPROT_* */
	__u8 scope;		/* RT_SCOPE_* */
	__u8 tos;
	__u32 priority;		/* RTA_PRIORITY: the metric, 0 when none */
	__u32 flags;		/* rtm_flags, with the next hop's RTNH_F_ONLINK/LINKDOWN/DEAD */
	int oif;		/* RTA_OIF, 0 when none */
	bool has_gw;
	struct inet_prefix gw;	/* RTA_GATEWAY, or RTA_VIA (another family's gateway) */
	bool has_prefsrc;
	struct inet_prefix prefsrc;	/* RTA_PREFSRC */
	__u32 mtu;		/* RTAX_MTU of RTA_METRICS, 0: the device's */
	bool mtu_lock;		/* RTAX_LOCK has the MTU bit */
	__u32 nhid;		/* RTA_NH_ID: a nexthop object, 0 when none */
	bool multipath;		/* RTA_MULTIPATH with more than one next hop */
	/*
	 * kpath_intern() id of those next hops, 0 when there are more than KPATH_MAX or memory
	 * ran out (the fast path then leaves the route to the kernel)
	 */
	__u32 paths;
	bool has_pref;
	__u8 pref;		/* RTA_PREF (IPv6): ICMPV6_ROUTER_PREF_* */
	__u32 counter;		/* a map entry's route counter slot; the kernel's routes have none */
};

/*
 * Of two kernel routes of one prefix, whether @a is the one the kernel uses rather than @b:
 * TOS 0 (what a lookup without TOS matches) and not dead first, then the lowest metric.
 */
static inline bool kroute_preferred(const struct kroute *a, const struct kroute *b)
{
	bool a_ok = !a->tos && !(a->flags & RTNH_F_DEAD);
	bool b_ok = !b->tos && !(b->flags & RTNH_F_DEAD);

	if (a_ok != b_ok)
		return a_ok;
	return a->priority < b->priority;
}

#endif /* IPXR_KROUTE_H */
