/* SPDX-License-Identifier: GPL-2.0 */
#ifndef IPXR_ROUTE_H
#define IPXR_ROUTE_H

#include <stdbool.h>
#include <linux/types.h>

#include "utils.h"

/* What a ROUTE or SELECTOR on the command line says; the parser is shared with the tests. */
enum route_match {
	MATCH_EXACT,	/* "show PREFIX", "exact PREFIX" */
	MATCH_ROOT,	/* routes inside PREFIX */
	MATCH_MATCH,	/* routes that cover PREFIX */
};

#define ROUTE_NH_MAX	32	/* "nexthop" clauses of one multipath route (IPXR_NHG_MAX) */

/* One "nexthop [ via ADDRESS ] [ dev NAME ] [ weight NUMBER ] [ onlink ]" of a multipath route. */
struct route_nh {
	bool has_via;
	struct inet_prefix via;
	const char *dev;
	int oif;		/* dev's ifindex, filled in before the write */
	__u16 weight;		/* 1-256, 1 when not given */
	bool onlink;
};

struct route_req {
	int family;		/* AF_INET, AF_INET6: of the prefix, gateway, -4/-6, else IPv4 */
	bool has_type;
	__u8 type;		/* RTN_* */
	bool has_dst;
	struct inet_prefix dst;
	enum route_match match;
	bool has_via;
	struct inet_prefix via;
	const char *dev;
	const char *dst_arg, *via_arg;	/* as typed, for messages */
	bool has_proto;
	__u8 proto;		/* RTPROT_* */
	bool has_metric;
	__u32 metric;
	bool has_scope;
	__u8 scope;		/* RT_SCOPE_* */
	bool has_src;
	struct inet_prefix src;
	bool has_table;
	__u32 table;		/* 0 with has_table: "table all" (selectors) */
	bool onlink;
	bool has_mtu;
	__u32 mtu;
	bool mtu_lock;
	bool has_pref;
	__u8 pref;		/* ICMPV6_ROUTER_PREF_* */
	__u32 nhid;		/* "nhid ID": a nexthop object */
	int counter;		/* "counter" 1, "nocounter" -1, neither 0 (ipxr's word) */
	unsigned int nnh;	/* "nexthop" clauses: a multipath route */
	struct route_nh nh[ROUTE_NH_MAX];
};

/*
 * 0 or an exit code with the error printed. @selector: the show/flush grammar. Addresses of
 * the other family than -4/-6 (ipxr.family) are refused.
 */
int route_parse(int argc, char **argv, bool selector, struct route_req *req);
/* "unicast", "blackhole", ... for an RTN_* type; "unknown" past the table. */
const char *route_type_name(unsigned int type);

/*
 * One maps entry as "route show" prints it (ipxr monitor's lines too); @unsynced marks a change
 * the maps have not followed. Next hops as nh_load() read them.
 */
struct ipxr_family;
struct route_key;
struct ipxr_route;
void route_print(const struct ipxr_family *f, const struct route_key *key,
		 const struct ipxr_route *val, bool unsynced);

int do_route(int argc, char **argv);

#endif /* IPXR_ROUTE_H */
