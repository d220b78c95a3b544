/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one path from a kernel route to the maps. The CLI's writes (after the kernel accepted
 * them) and ipxr sync's dumps and events both end here; nothing else writes routes to the tries,
 * the front table or next-hop references.
 *
 * The fast path compiles one kernel table (ipxr_config's table, main unless ipxr sync was told
 * otherwise). For each prefix of that table the maps hold what the kernel does with the route it
 * chose for the prefix (of several, the one it uses: lowest metric, not dead):
 *   unicast (gateway or connected)	forward by a next hop
 *   blackhole				drop in XDP
 *   unreachable, prohibit, throw	hand to the kernel, which has the same route and answers
 *   anything else (local, broadcast,	hand to the kernel
 *   anycast, multipath, nexthop objects
 *   not compiled yet)
 */
#ifndef IPXR_COMPILE_H
#define IPXR_COMPILE_H

#include <stdbool.h>
#include <linux/types.h>

#include "kroute.h"

/*
 * Open the maps for writing and get the write state ready (front table, local addresses, next
 * hops), once per process. 0 or an exit code with the error printed.
 */
int compile_begin(void);

/* The table the fast path compiles (ipxr_config), RT_TABLE_MAIN by default. */
__u32 compile_table(void);

/*
 * Make the maps do for @r->dst what the kernel does with @r, the kernel's chosen route for that
 * prefix in compile_table(). Replaces whatever the maps held for the prefix. 0 or an exit code
 * with the error printed; on error the maps hold what they held before for the prefix.
 */
int compile_route(const struct kroute *r);

/*
 * compile_route(@r) for a prefix the maps are thought to have no entry for (a routing daemon's
 * load, a route added again after its deletion): the entry is written without being read
 * first, a trie read saved (a quarter of ipxr sync's CPU in a full-table load). -EEXIST, with
 * nothing changed, when the prefix has an entry after all (or @r has a source address):
 * compile_lookup() and compile_route() then.
 */
int compile_route_new(const struct kroute *r);

/*
 * Whether compile_route(@r) can fail for want of room: a prefix the trie does not hold yet, a
 * next hop not allocated yet. When not, a writer needs no undo information (route.c then
 * skips a lookup).
 */
bool compile_may_fail(const struct kroute *r);

/* The kernel has no route for exactly @dst any more: remove the maps' entry, if any. */
int compile_remove(const struct inet_prefix *dst);

/*
 * What the maps hold for exactly @dst, as a kroute (the fields the maps keep: dst, table, type,
 * protocol, scope, priority, oif, gateway, mtu and its lock, onlink, src, IPv6 pref): 1, 0 when
 * nothing, or a negative errno. ipxr sync diffs the kernel's table against this. The LOCAL
 * copies of the router's addresses (local.c) come back as RTN_LOCAL routes of table local,
 * scope host: not routes of compile_table() to diff.
 */
int compile_lookup(const struct inet_prefix *dst, struct kroute *r);

/* The same for an entry already read from @f's trie (route show, ipxr sync's walks). */
struct ipxr_family;
struct route_key;
struct ipxr_route;
void compile_to_kroute(const struct ipxr_family *f, const struct route_key *key,
		       const struct ipxr_route *val, struct kroute *r);

/*
 * The source address (src, RTA_PREFSRC) the maps keep for an entry read from @f's trie: 1 and
 * *@src, or 0 when it has none.
 */
struct inet_prefix;
int compile_src(const struct ipxr_family *f, const struct route_key *key,
		const struct ipxr_route *val, struct inet_prefix *src);

/* Write back what a batch of compile_route()/compile_remove() calls left pending. */
int compile_commit(void);

/*
 * Give back what compile_begin() took: the maps' lock (other writers may go on) and the front
 * table's bracket, and unless compile_keep(), the maps, next hops and addresses read. The next
 * compile_begin() reads them again.
 */
void compile_end(void);

/*
 * For ipxr sync, which writes batch after batch while the CLI writes in between: compile_end()
 * keeps the maps open, the front table mapped, and the next hops, addresses and ports read, and
 * compile_begin() reads them again only when the pins changed or another writer wrote since
 * (maps_fresh()). A batch not committed keeps nothing.
 */
void compile_keep(bool keep);

/* The router's addresses changed: the next compile_begin() reads them again. */
void compile_addrs_changed(void);

/* Make @table the one the fast path compiles (ipxr_config). 0 or an exit code. */
int compile_set_table(__u32 table);

/*
 * The same for ipxr sync's @n tables in rule order (ipxr_config's table, then
 * ipxr_config.tables): the first is compile_table(), the one the CLI's writes compile.
 * compile_tables() reads them back into @tables (at most @max): how many.
 */
int compile_set_tables(const __u32 *tables, unsigned int n);
int compile_tables(__u32 *tables, unsigned int max);

/*
 * Whether @m, the maps' entry for a prefix (compile_lookup()), is what compile_route(@k)
 * would write for the kernel's route @k: ipxr sync diffs with it instead of rewriting.
 */
bool compile_same(const struct kroute *k, const struct kroute *m);

/*
 * The next hops' reference counts are derived data: recount them from the tries (the routes
 * that point to each), write them and free the next hops no route uses. For a resync, or after
 * a writer died between its route writes and its compile_commit(). 0 or an exit code.
 */
int compile_recount(void);

/* How many routes of the tries point to each next hop, in @counts[IPXR_MAX_NEXTHOPS]. */
int compile_count_refs(__u32 *counts);

/*
 * Make the maps exactly what the kernel table and the routes say, whatever a writer that died
 * half-way left: the maps diffed with the kernel table and mended, next-hop references
 * recounted (unused next hops freed, never one a route uses), stray stand-in routes removed,
 * the IPv4 front table repainted from the trie. compile_begin() runs it when it finds the
 * write marker of a dead writer, "ipxr check repair" always. 0 or an exit code.
 */
int compile_recover(void);

#endif /* IPXR_COMPILE_H */
