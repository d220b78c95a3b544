/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Painting the front structure ipxr_lpm (encoding in bpf/ipxr_maps.h) from a trie, one family
 * per struct lpm.
 *
 * The trie stays the source of truth; the pool is derived from it, and every change here is
 * made AFTER the trie was changed, so the painter can ask the trie what remains (the route that
 * now covers a deleted one). A writer brackets its changes:
 *
 *	lpm_open(&l, AF_INET, lpm_fd, route4_fd);	map the family's pool (if any)
 *	lpm_begin(&l);				mark it dirty; the program goes on using it
 *	    bpf_map_update_elem(route4, ...);	then lpm_set(&l, addr, plen, &val);
 *	    bpf_map_delete_elem(route4, ...);	then lpm_del(&l, addr, plen);
 *	    (many changes at once, e.g. flush: lpm_invalidate(&l) instead of the calls)
 *	lpm_end(&l);				repaint if needed; clear dirty
 *	lpm_close(&l);
 *
 * Readers keep using the pool while it is painted: each entry is rewritten with one store, from
 * what the old route set says to what the new one says. A writer that dies half-way leaves the
 * dirty word set, and the next writer repaints the pool whole (lpm_repaint()) from the trie.
 * Addresses are in network order (4 or 16 bytes). A change costs the entries its prefix spans
 * at its level (at most 256 stores, 2^(16 - plen) for a route shorter than /16), plus a new group
 * per level it is the first to reach below; deleting a route reads at most 256 entries per level
 * to return groups nothing needs any more.
 */
#ifndef IPXR_LPM_H
#define IPXR_LPM_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "ipxr_maps.h"

/*
 * The trie's answer for @addr among routes of length <= @plen (an LPM lookup with key prefix
 * length @plen): 1 and *@rt, 0 when no route covers it, or a negative errno.
 */
typedef int (*lpm_lookup_fn)(void *ctx, const __u8 *addr, __u8 plen, struct ipxr_route *rt);

/* One route as lpm_build() takes it. */
struct lpm_route {
	__u8 addr[16];		/* network order; bits past @plen are ignored */
	__u8 plen;
	struct ipxr_route rt;
};

/* Every route of the trie, in a malloc'd array *@r of *@n: 0 or a negative errno. */
typedef int (*lpm_dump_fn)(void *ctx, struct lpm_route **r, size_t *n);

#define LPM_STALE_MAX	8

struct lpm {
	int af;			/* AF_INET, AF_INET6 */
	__u8 bytes;		/* address length: 4 or 16 */
	__u32 *w;		/* @cap groups of 256 entries; NULL: no pool (slot empty) */
	__u32 cap;
	__u32 gen;		/* id of the trie */
	lpm_lookup_fn lookup;
	lpm_dump_fn dump;
	void *ctx;		/* of lookup and dump */
	bool repaint;		/* lpm_end() repaints the pool whole */
	bool begun;		/* lpm_begin() done, lpm_end() due */
	double grown_at;	/* CLOCK_MONOTONIC seconds of the last growth, 0: none */
	unsigned long wait_ticket;	/* grace period of the waiting batch (lpm.c), 0: none */
	/* a pinned pool (lpm_open()); otherwise @w is malloc'd (lpm_init(), tests) */
	int outer_fd;		/* ipxr_lpm, -1: none */
	__u32 slot;
	int trie_fd;
	int pool_fd;
	size_t map_len;		/* bytes mapped at @w */
	int stale[LPM_STALE_MAX];	/* pools replaced in the slot: closed after a grace period */
	int n_stale;
};

/*
 * Map the pool of the family @af in the pinned ipxr_lpm @lpm_fd (opened writable) for painting
 * from the trie @trie_fd. An empty slot is no error (lpm_begin() then repaints). 0 or a negative
 * errno (-EINVAL: not a pool of this layout).
 */
int lpm_open(struct lpm *l, int af, int lpm_fd, int trie_fd);
void lpm_close(struct lpm *l);
/*
 * Wait until the groups freed so far are reusable (a grace period): painting otherwise takes
 * unused groups while the grace-period thread waits, and reuses them once it has.
 */
void lpm_quiesce(struct lpm *l);
/*
 * Inside a bracket, once a load is over (the caller knows): when it left a third of a pool
 * larger than 64 MiB unused, have lpm_end() repaint it into a pool that fits. True when it will.
 */
bool lpm_compact(struct lpm *l);

/*
 * For tests and tools: an empty pool in memory, painted from the trie that @lookup and @dump
 * read; @gen stands for the trie's id. 0 or -ENOMEM.
 */
int lpm_init(struct lpm *l, int af, __u32 gen, lpm_lookup_fn lookup, lpm_dump_fn dump,
	     void *ctx);

/* Whether the pool is painted from this trie and no writer is (or died) painting it. */
bool lpm_in_step(const struct lpm *l);

/* Before the first change to the trie: mark the pool dirty, note whether it can be painted on. */
void lpm_begin(struct lpm *l);

/*
 * After the last change: repaint the pool whole if it was not in step or was invalidated, then
 * mark it clean. 0 or a negative errno; on error the pool is left dirty (and, if it could not be
 * repainted, removed from the slot: the program uses the trie) for the next writer to repaint.
 */
int lpm_end(struct lpm *l);

/* Skip the incremental calls from here on and let lpm_end() repaint from the trie. */
void lpm_invalidate(struct lpm *l);

/*
 * Repaint everything from the trie now: a new pool is built whole and replaces the old one in
 * the slot (readers see one or the other). What a recovery runs after a writer died. 0 or a
 * negative errno.
 */
int lpm_repaint(struct lpm *l);

/* Route @addr/@plen is now in the trie with value @rt. 0 or a negative errno (then repainted). */
int lpm_set(struct lpm *l, const __u8 *addr, __u8 plen, const struct ipxr_route *rt);

/* Route @addr/@plen was deleted from the trie. 0 or a negative errno, as lpm_set(). */
int lpm_del(struct lpm *l, const __u8 *addr, __u8 plen);

/*
 * Paint a memory pool (lpm_init()) from scratch from the complete route set @r (any order;
 * sorted in place). 0 or -ENOMEM / -EINVAL (a prefix length over the family's).
 */
int lpm_build(struct lpm *l, struct lpm_route *r, size_t n);

/* The leaf the pool holds for @addr (what the program reads), and its prefix length there. */
__u32 lpm_leaf(const struct lpm *l, const __u8 *addr);

static inline __u8 lpm_leaf_plen(__u32 w)
{
	return (w >> IPXR_LPM_PLEN_SHIFT) & IPXR_LPM_PLEN_MASK;
}

static inline __u8 lpm_leaf_type(__u32 w)
{
	return (w >> IPXR_LPM_TYPE_SHIFT) & IPXR_LPM_TYPE_MASK;
}

/* The leaf a route of length @plen with value @rt paints (no route: @rt NULL, leaf 0). */
__u32 lpm_encode(__u8 plen, const struct ipxr_route *rt);

/* Groups in use and bytes of the pool (0 without one). */
__u32 lpm_groups_used(const struct lpm *l);
/* Tails in use (IPv6's compressed paths), in groups that lpm_groups_used() counts. */
__u32 lpm_tails_used(const struct lpm *l);
size_t lpm_bytes(const struct lpm *l);

/*
 * One disagreement lpm_verify() found: the entry of prefix @addr/@plen holds @got where the trie
 * says @want (a leaf; IPXR_LPM_GROUP where only one side has a group), or, with @addr NULL,
 * the pool's state is wrong: meta word @plen (enum ipxr_lpm_meta) holds @got, not @want.
 */
typedef void (*lpm_mismatch_fn)(void *ctx, const __u8 *addr, __u8 plen, __u32 got, __u32 want);

/*
 * Check the pool against the trie it is painted from: the state (in step, clean), every entry
 * against a pool built from the trie's routes, and every route's first address looked up in
 * the pool against the trie's own longest match. Returns the number of mismatches (each passed
 * to @cb, if not NULL) or a negative errno.
 */
long lpm_verify(struct lpm *l, lpm_mismatch_fn cb, void *ctx);

#endif /* IPXR_LPM_H */
