/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Painting the IPv4 front table ipxr_dir24 (encoding in bpf/ipxr_maps.h) from ipxr_route4.
 *
 * The trie stays the source of truth; the table is derived from it, and every function here is
 * called AFTER the trie was changed, with the change it made, so the painter can ask the trie
 * for what remains (the route that now covers a deleted one, whether a /24 still holds a longer
 * route). A writer brackets its changes:
 *
 *	dir24_open(&d, dir24_fd, route4_fd);	mmap the table
 *	dir24_begin(&d);			the program now uses the trie alone
 *	    bpf_map_update_elem(route4, ...);	then dir24_set(&d, addr, plen, &val);
 *	    bpf_map_delete_elem(route4, ...);	then dir24_del(&d, addr, plen);
 *	    (many changes at once, e.g. flush: dir24_invalidate(&d) instead of the calls)
 *	dir24_end(&d);				repaint from the trie if needed; in step again
 *	dir24_close(&d);
 *
 * begin/end make a writer that dies half-way harmless: the state word stays "not in step", the
 * program keeps to the trie and the next writer repaints everything. The incremental calls are
 * no-ops while a repaint is due. Addresses are in host order; each call costs the /24 slots the
 * prefix spans (2^(24 - plen) for plen <= 24, one otherwise), plus, when a route longer than /24
 * is deleted, 257 trie lookups to learn whether its /24 still holds one.
 */
#ifndef IPXR_DIR24_H
#define IPXR_DIR24_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "ipxr_maps.h"

/*
 * The trie's answer for @addr among routes of length <= @plen (an LPM lookup with key prefix
 * length @plen): 1 and *@rt, 0 when no route covers it, or a negative errno.
 */
typedef int (*dir24_lookup_fn)(void *ctx, __u32 addr, __u8 plen, struct ipxr_route *rt);

struct dir24_route;

/* Every route of the trie, in a malloc'd array *@r of *@n: 0 or a negative errno. */
typedef int (*dir24_dump_fn)(void *ctx, struct dir24_route **r, size_t *n);

struct dir24 {
	__u32 *word;		/* IPXR_DIR24_SLOTS words, word[IPXR_D24_STATE] the state */
	__u32 gen;		/* id of the trie: the state word is IPXR_D24_VALID | gen in step */
	dir24_lookup_fn lookup;
	dir24_dump_fn dump;
	void *ctx;		/* of lookup and dump */
	bool repaint;		/* not in step: dir24_end() repaints everything */
	int trie_fd;		/* ipxr_route4, what dir24_open()'s lookup and dump read */
	size_t map_len;		/* bytes mapped, 0 when @word is not a mapping */
};

/* One route as dir24_rebuild() takes it. */
struct dir24_route {
	__u32 addr;		/* host order; bits past @plen are ignored */
	__u8 plen;
	struct ipxr_route rt;
};

/*
 * Map the pinned table of @dir24_fd (opened writable) for painting from the trie @route4_fd.
 * Checks the map's type, sizes and BPF_F_MMAPABLE. 0 or a negative errno (-EINVAL: not a front
 * table of this layout).
 */
int dir24_open(struct dir24 *d, int dir24_fd, int route4_fd);
void dir24_close(struct dir24 *d);

/*
 * For tests: paint @words (IPXR_DIR24_SLOTS of them) from the trie that @lookup and @dump read;
 * @gen stands for the trie's id (nonzero, below 2^31).
 */
void dir24_init(struct dir24 *d, __u32 *words, __u32 gen, dir24_lookup_fn lookup,
		dir24_dump_fn dump, void *ctx);

/* Whether the table is in step with the trie it was opened with (the program uses it). */
bool dir24_in_step(const struct dir24 *d);

/*
 * Before the first change to the trie: mark the table not in step (the program then ignores
 * it) and note whether it was, i.e. whether incremental painting can go on from it.
 */
void dir24_begin(struct dir24 *d);

/*
 * After the last change: repaint everything from the trie if the table was not in step or was
 * invalidated, then mark it in step. 0 or a negative errno; on error the table stays unused
 * (the program keeps to the trie) and the next writer repaints it.
 */
int dir24_end(struct dir24 *d);

/* Skip the incremental calls from here on and let dir24_end() repaint from the trie. */
void dir24_invalidate(struct dir24 *d);

/*
 * Route @addr/@plen is now in the trie with value @rt (added, replaced or changed; LOCAL /32s
 * as any other route). 0 or a negative errno (the table is then repainted at dir24_end()).
 */
int dir24_set(struct dir24 *d, __u32 addr, __u8 plen, const struct ipxr_route *rt);

/* Route @addr/@plen was deleted from the trie. 0 or a negative errno, as dir24_set(). */
int dir24_del(struct dir24 *d, __u32 addr, __u8 plen);

/*
 * Paint every slot from the complete route set @r (any order; sorted in place), e.g. the trie's
 * whole content: O(n log n + 2^24) and each slot stored at most once, only if it changes. Does
 * not touch the state word. 0 or -ENOMEM / -EINVAL (a prefix length over 32).
 */
int dir24_rebuild(struct dir24 *d, struct dir24_route *r, size_t n);

/* dir24_rebuild() from everything the trie holds now. 0 or a negative errno. */
int dir24_rebuild_from_trie(struct dir24 *d);

/*
 * ipxr check: compare the pinned table @dir24_fd, read by batch lookups (read-only), with what
 * painting the whole trie @route4_fd gives, the state word "in step with this trie" included.
 * @report (may be NULL) gets each slot that differs, with its word and the expected one.
 * Returns how many slots differ (0: in step), or a negative errno.
 */
typedef void (*dir24_report_fn)(void *ctx, __u32 slot, __u32 have, __u32 want);
long dir24_verify(int dir24_fd, int route4_fd, dir24_report_fn report, void *ctx);

/* The word the table holds for @addr's /24, and what the word says (for tests and "route get"). */
static inline __u32 dir24_word(const struct dir24 *d, __u32 addr)
{
	return __atomic_load_n(&d->word[addr >> 8], __ATOMIC_RELAXED);
}

static inline __u8 dir24_word_plen(__u32 w)
{
	return (w >> IPXR_D24_PLEN_SHIFT) & IPXR_D24_PLEN_MASK;
}

#endif /* IPXR_DIR24_H */
