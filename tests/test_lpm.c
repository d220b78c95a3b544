// SPDX-License-Identifier: GPL-2.0
/*
 * Model test of the front-structure painter (ipxr/lpm.c), IPv4 and IPv6.
 *
 * Routes from a pool of nested prefixes (every length /0 to /32 and /0 to /128, chains of
 * prefixes inside prefixes, several in one group, the first and last addresses of the space)
 * are added, replaced and deleted in random order, as ipxr makes changes: the trie first, then
 * the painter. After every step the addresses the step could have changed (the first and last
 * of the prefix, random ones inside, the first of each route inside it) must get from the pool
 * the leaf a naive longest match over the live routes gives. Every so often, and after each
 * flush, lpm_verify() compares the whole pool with one painted from scratch over the same
 * routes (equal entry for entry: incremental painting leaves no group nothing needs), and the
 * first and last address of every pool prefix is checked against the naive match.
 *
 * The trie is a stand-in (a list searched naively; no privileges needed) and, when the process
 * may create BPF maps, also a real BPF_MAP_TYPE_LPM_TRIE with a real ipxr_lpm map-in-map read
 * through lpm_open(): pools created, grown and replaced in the slot, groups freed and reused
 * after a grace period, the dirty word of a writer that died half-way.
 *
 *	tests/test_lpm [SEED]		one line per check, `ok - ` / `not ok - `, exit 1 on failure
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <bpf/bpf.h>

#include "lpm.h"
#include "tap.h"

#define POOL_MAX	1024	/* room for test_pool()'s routes */
#define POOL_FILL	400	/* routes of the random runs */

static uint64_t rnd(uint64_t *s)
{
	/* splitmix64: deterministic per seed, so a failure replays */
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int fam_af;		/* AF_INET or AF_INET6 */
static int fam_bytes;		/* 4 or 16 */

static const char *pfx(const __u8 *a, int plen)
{
	static char buf[4][64];
	static int i;
	char s[INET6_ADDRSTRLEN];

	i = (i + 1) % 4;
	inet_ntop(fam_af, a, s, sizeof(s));
	snprintf(buf[i], sizeof(buf[i]), "%s/%d", s, plen);
	return buf[i];
}

/* @a with the bits past @plen cleared (@set: set). */
static void mask_addr(__u8 *a, int plen, bool set)
{
	int i;

	for (i = 0; i < fam_bytes; i++) {
		int keep = plen - 8 * i;
		__u8 m = keep >= 8 ? 0xff : keep <= 0 ? 0 : (__u8)(0xff << (8 - keep));

		a[i] = set ? (a[i] | (__u8)~m) : (a[i] & m);
	}
}

static bool covers(const __u8 *p, int plen, const __u8 *a)
{
	int i, full = plen / 8;

	if (memcmp(p, a, full))
		return false;
	if (plen % 8) {
		__u8 m = (__u8)(0xff << (8 - plen % 8));

		for (i = full; i < full + 1; i++)
			if ((p[i] ^ a[i]) & m)
				return false;
	}
	return true;
}

/* ------------------------------------------------------------------------------------------ */
/* The route set: a pool of prefixes, each live or not                                        */

struct proute {
	__u8 addr[16];		/* masked */
	__u8 plen;
	bool live;
	struct ipxr_route rt;
};

static struct proute pool[POOL_MAX];
static int npool;
static int trie_fd = -1;	/* the real trie mirrored from the pool, or -1 */

static struct proute *find(const __u8 *a, int plen)
{
	int i;

	for (i = 0; i < npool; i++)
		if (pool[i].plen == plen && !memcmp(pool[i].addr, a, 16))
			return &pool[i];
	return NULL;
}

static struct proute *pool_add(const __u8 *addr, int plen)
{
	__u8 a[16] = {};

	memcpy(a, addr, fam_bytes);
	mask_addr(a, plen, false);
	if (find(a, plen))
		return find(a, plen);
	if (npool == POOL_MAX)
		return NULL;
	memset(&pool[npool], 0, sizeof(pool[npool]));
	memcpy(pool[npool].addr, a, 16);
	pool[npool].plen = (__u8)plen;
	return &pool[npool++];
}

static void pool_add_str(const char *s, int plen)
{
	__u8 a[16] = {};

	inet_pton(fam_af, s, a);
	pool_add(a, plen);
}

/*
 * Chains of nested prefixes: children of random pool members, 1 to 12 bits longer, so most
 * prefixes lie inside others and many groups hold several. Short prefixes are rare (a /0
 * repaints the whole root).
 */
static void pool_build(uint64_t *s)
{
	static const char *const v4[][2] = {
		{ "0.0.0.0", "0" }, { "0.0.0.0", "8" }, { "0.0.0.0", "24" }, { "0.0.0.0", "30" },
		{ "0.0.1.0", "24" }, { "255.255.255.0", "24" }, { "255.255.255.255", "32" },
		{ "255.0.0.0", "8" }, { "10.0.0.0", "8" }, { "10.0.0.0", "12" },
		{ "10.1.0.0", "16" }, { "10.1.2.0", "23" }, { "10.1.2.0", "24" },
		{ "10.1.2.128", "25" }, { "10.1.2.7", "32" }, { "10.1.3.0", "24" },
		{ "10.1.3.64", "26" }, { "10.1.3.255", "32" }, { "10.1.3.0", "32" },
		{ "10.1.3.254", "31" }, { "128.0.0.0", "1" }, { "10.1.0.0", "17" },
	};
	static const char *const v6[][2] = {
		{ "::", "0" }, { "::", "16" }, { "::", "128" }, { "::1:0", "112" },
		{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "128" }, { "ff00::", "8" },
		{ "2001:db8::", "32" }, { "2001:db8::", "48" }, { "2001:db8:1::", "48" },
		{ "2001:db8:1::", "56" }, { "2001:db8:1::", "64" }, { "2001:db8:1::80", "121" },
		{ "2001:db8:1::7", "128" }, { "2001:db8:1::", "127" }, { "2001:db8:1:0:8000::", "65" },
		{ "8000::", "1" }, { "2001:db8:8000::", "33" }, { "2001:db8:1::", "47" },
	};
	int bits = 8 * fam_bytes, i, n;

	npool = 0;
	n = fam_bytes == 4 ? (int)(sizeof(v4) / sizeof(v4[0])) : (int)(sizeof(v6) / sizeof(v6[0]));
	for (i = 0; i < n; i++)
		pool_add_str(fam_bytes == 4 ? v4[i][0] : v6[i][0],
			     atoi(fam_bytes == 4 ? v4[i][1] : v6[i][1]));
	/* a prefix of every length */
	for (i = 0; i <= bits; i++) {
		__u8 a[16];
		int j;

		for (j = 0; j < 16; j++)
			a[j] = (__u8)rnd(s);
		pool_add(a, i);
	}
	while (npool < POOL_FILL) {
		const struct proute *p = &pool[rnd(s) % (uint64_t)npool];
		int plen = p->plen + 1 + (int)(rnd(s) % 12);
		__u8 a[16];
		int j;

		if (p->plen < 8 && rnd(s) % 4)
			continue;	/* keep short prefixes rare */
		if (plen > bits)
			plen = bits;
		for (j = 0; j < 16; j++)
			a[j] = (__u8)rnd(s);
		mask_addr(a, p->plen, false);
		for (j = 0; j < 16; j++) {
			__u8 lo = a[j];

			a[j] = (__u8)rnd(s);
			a[j] = (__u8)(lo | (a[j] & (j < fam_bytes ? 0xff : 0)));
		}
		/* inside p: p's bits, then random ones */
		for (j = 0; j < fam_bytes; j++) {
			int keep = p->plen - 8 * j;
			__u8 m = keep >= 8 ? 0xff : keep <= 0 ? 0 : (__u8)(0xff << (8 - keep));

			a[j] = (__u8)((p->addr[j] & m) | (a[j] & ~m));
		}
		pool_add(a, plen);
	}
}

static void random_value(uint64_t *s, struct ipxr_route *rt, int plen)
{
	static const uint8_t types[] = { IPXR_RT_UNICAST, IPXR_RT_UNICAST, IPXR_RT_UNICAST,
					 IPXR_RT_BLACKHOLE, IPXR_RT_LOCAL, IPXR_RT_KERNEL,
					 IPXR_RT_UNSPEC };
	uint64_t r = rnd(s);

	memset(rt, 0, sizeof(*rt));
	rt->type = types[r % sizeof(types)];
	rt->prefixlen = (__u16)plen;
	rt->flags = (uint8_t)(r >> 8);
	/* ipxr's ids are below 65536; one in 50 is past the leaf's 16 bits, one in 50 an MTU */
	rt->nh_id = (r >> 16) % 50 ? (uint32_t)(r >> 24) % 65536 : 65536 + (uint32_t)(r >> 40) % 9;
	if ((r >> 48) % 50 == 0)
		rt->mtu = 1400;
}

/* ------------------------------------------------------------------------------------------ */
/* The naive answers                                                                           */

static const struct proute *naive_best(const __u8 *addr, int plen)
{
	const struct proute *best = NULL;
	int i;

	for (i = 0; i < npool; i++) {
		const struct proute *p = &pool[i];

		if (p->live && p->plen <= plen && covers(p->addr, p->plen, addr) &&
		    (!best || p->plen > best->plen))
			best = p;
	}
	return best;
}

/* The trie stand-in: the longest live route of length <= @plen covering @addr. */
static int naive_lookup(void *ctx, const __u8 *addr, __u8 plen, struct ipxr_route *rt)
{
	const struct proute *best = naive_best(addr, plen);

	(void)ctx;
	if (!best)
		return 0;
	*rt = best->rt;
	return 1;
}

static int naive_dump(void *ctx, struct lpm_route **out, size_t *n)
{
	struct lpm_route *r = calloc(POOL_MAX, sizeof(*r));
	int i;

	(void)ctx;
	if (!r)
		return -ENOMEM;
	*n = 0;
	for (i = 0; i < npool; i++)
		if (pool[i].live) {
			memcpy(r[*n].addr, pool[i].addr, 16);
			r[*n].plen = pool[i].plen;
			r[*n].rt = pool[i].rt;
			(*n)++;
		}
	*out = r;
	return 0;
}

/* The leaf @addr must get, written out from the encoding in ipxr_maps.h. */
static __u32 expected(const __u8 *addr)
{
	const struct proute *best = naive_best(addr, 8 * fam_bytes);
	__u32 w;

	if (!best)
		return 0;
	w = (__u32)best->plen << IPXR_LPM_PLEN_SHIFT;
	if (best->rt.nh_id > 0xffff || best->rt.mtu)
		return w | IPXR_LPM_TRIE;
	return w | (__u32)best->rt.type << IPXR_LPM_TYPE_SHIFT | best->rt.nh_id;
}

static long probe(const struct lpm *l, const __u8 *addr, const char *what)
{
	__u32 got = lpm_leaf(l, addr), want = expected(addr);

	if (got == want)
		return 0;
	printf("# %s: %s gets 0x%08x, want 0x%08x\n", what, pfx(addr, 8 * fam_bytes), got, want);
	return 1;
}

/* The addresses a change of @p could have changed: ends, random ones, routes inside. */
static long probe_prefix(const struct lpm *l, const struct proute *p, uint64_t *s,
			 const char *what)
{
	__u8 a[16];
	long bad = 0;
	int i, j;

	memcpy(a, p->addr, 16);
	bad += probe(l, a, what);
	mask_addr(a, p->plen, true);
	bad += probe(l, a, what);
	for (i = 0; i < 4; i++) {
		for (j = 0; j < 16; j++)
			a[j] = (__u8)rnd(s);
		for (j = 0; j < fam_bytes; j++) {
			int keep = p->plen - 8 * j;
			__u8 m = keep >= 8 ? 0xff : keep <= 0 ? 0 : (__u8)(0xff << (8 - keep));

			a[j] = (__u8)((p->addr[j] & m) | (a[j] & ~m));
		}
		bad += probe(l, a, what);
	}
	for (i = 0; i < npool && bad < 5; i++)
		if (pool[i].plen > p->plen && covers(p->addr, p->plen, pool[i].addr))
			bad += probe(l, pool[i].addr, what);
	return bad;
}

/* ------------------------------------------------------------------------------------------ */
/* The real trie                                                                               */

struct tkey {
	__u32 prefixlen;
	__u8 addr[16];
};

static int trie_write(const struct proute *p)
{
	struct tkey k = { .prefixlen = p->plen };

	memcpy(k.addr, p->addr, 16);
	if (trie_fd < 0)
		return 0;
	return bpf_map_update_elem(trie_fd, &k, &p->rt, BPF_ANY) ? -errno : 0;
}

static int trie_erase(const struct proute *p)
{
	struct tkey k = { .prefixlen = p->plen };

	memcpy(k.addr, p->addr, 16);
	if (trie_fd < 0)
		return 0;
	return bpf_map_delete_elem(trie_fd, &k) ? -errno : 0;
}

static int trie_create(void)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = BPF_F_NO_PREALLOC);

	return bpf_map_create(BPF_MAP_TYPE_LPM_TRIE, "t_route", 4 + fam_bytes,
			      sizeof(struct ipxr_route), 65536, &o);
}

/* ipxr_lpm as the object creates it: an array of maps whose inner map is any pool. */
static int outer_create(void)
{
	LIBBPF_OPTS(bpf_map_create_opts, io, .map_flags = BPF_F_INNER_MAP | BPF_F_MMAPABLE);
	LIBBPF_OPTS(bpf_map_create_opts, oo);
	int inner, fd;

	inner = bpf_map_create(BPF_MAP_TYPE_ARRAY, "t_inner", 4, sizeof(struct ipxr_lpm_group),
			       IPXR_LPM_MIN_GROUPS, &io);
	if (inner < 0)
		return -1;
	oo.inner_map_fd = inner;
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY_OF_MAPS, "t_lpm", 4, 4, IPXR_LPM_SLOTS, &oo);
	close(inner);
	return fd;
}

/* ------------------------------------------------------------------------------------------ */
/* The run                                                                                     */

struct run {
	const char *name;
	struct lpm *l;
	uint64_t seed;
	int steps;
	long wrong;		/* probes found wrong after incremental steps */
	long full_wrong;	/* lpm_verify() mismatches and wrong pool prefixes */
	int errors;		/* calls that returned an error */
	int state_bad;		/* not in step after end, or not dirty inside the bracket */
	int repaints;		/* lpm_end() repainted when it should not have, or did not */
	int sets, dels, flushes;
	bool all_lens;		/* enough steps to have changed a route of every length */
	int lens[129];		/* steps per prefix length */
};

static void on_mismatch(void *ctx, const __u8 *addr, __u8 plen, __u32 got, __u32 want)
{
	long *n = ctx;

	if ((*n)++ < 5)
		printf("# mismatch %s: 0x%08x, want 0x%08x\n",
		       addr ? pfx(addr, plen) : "(state)", got, want);
}

static void full_check(struct run *r, const char *when)
{
	long shown = 0, v = lpm_verify(r->l, on_mismatch, &shown);
	int i;

	if (v < 0) {
		printf("# %s: lpm_verify: %s\n", when, strerror((int)-v));
		r->errors++;
		return;
	}
	if (v)
		printf("# %s: lpm_verify found %ld mismatches\n", when, v);
	r->full_wrong += v;
	for (i = 0; i < npool; i++) {
		__u8 a[16];

		memcpy(a, pool[i].addr, 16);
		r->full_wrong += probe(r->l, a, when);
		mask_addr(a, pool[i].plen, true);
		r->full_wrong += probe(r->l, a, when);
	}
}

static void end_step(struct run *r, bool want_repaint)
{
	bool repaint = r->l->repaint;

	if (repaint != want_repaint && r->repaints++ < 3)
		printf("# step %d: repaint %d, want %d\n", r->steps, repaint, want_repaint);
	if (lpm_end(r->l))
		r->errors++;
	if (!lpm_in_step(r->l) && r->state_bad++ < 3)
		printf("# step %d: not in step after end\n", r->steps);
}

/* One random change, as ipxr makes it: the trie first, then the pool. */
static void step(struct run *r, uint64_t *s)
{
	struct proute *p = &pool[rnd(s) % (uint64_t)npool];
	char what[128];
	int err;

	lpm_begin(r->l);
	if (lpm_in_step(r->l) && r->state_bad++ < 3)
		printf("# step %d: not dirty after begin\n", r->steps);
	if (!p->live || rnd(s) % 2) {
		/* add, or replace with another value */
		random_value(s, &p->rt, p->plen);
		p->live = true;
		err = trie_write(p);
		if (!err)
			err = lpm_set(r->l, p->addr, p->plen, &p->rt);
		snprintf(what, sizeof(what), "step %d set %s type %u nh %u", r->steps,
			 pfx(p->addr, p->plen), p->rt.type, p->rt.nh_id);
		r->sets++;
	} else {
		p->live = false;
		err = trie_erase(p);
		if (!err)
			err = lpm_del(r->l, p->addr, p->plen);
		snprintf(what, sizeof(what), "step %d del %s", r->steps, pfx(p->addr, p->plen));
		r->dels++;
	}
	if (err && r->errors++ < 3)
		printf("# %s: %s\n", what, strerror(-err));
	r->lens[p->plen]++;
	end_step(r, false);
	r->wrong += probe_prefix(r->l, p, s, what);
	r->steps++;
}

/* Many changes at once (flush): the trie only, then one repaint at the end. */
static void flush(struct run *r, uint64_t *s)
{
	const struct proute *in = &pool[rnd(s) % (uint64_t)npool];
	int i;

	lpm_begin(r->l);
	for (i = 0; i < npool; i++)
		if (pool[i].live && pool[i].plen >= in->plen &&
		    covers(in->addr, in->plen, pool[i].addr)) {
			pool[i].live = false;
			if (trie_erase(&pool[i]))
				r->errors++;
		}
	lpm_invalidate(r->l);
	end_step(r, true);
	r->flushes++;
	full_check(r, "after a flush");
}

static void run(struct run *r, int steps)
{
	uint64_t s = r->seed;
	double t0 = now_s();
	int i, lens = 0;
	bool want;

	pool_build(&s);
	/* a never painted pool (empty slot): the first writer paints it */
	want = !lpm_in_step(r->l);
	lpm_begin(r->l);
	end_step(r, want);
	full_check(r, "first paint");
	for (i = 0; i < steps; i++) {
		if (rnd(&s) % 400 == 0)
			flush(r, &s);
		else
			step(r, &s);
		if (i % 500 == 499)
			full_check(r, "every 500 steps");
	}
	full_check(r, "at the end");
	for (i = 0; i <= 8 * fam_bytes; i++)
		lens += r->lens[i] > 0;
	printf("# %s seed %llu: %d steps (%d sets, %d deletes) over %d prefix lengths, %d "
	       "flushes, %u groups in use, in %.1f s\n", r->name, (unsigned long long)r->seed,
	       r->steps, r->sets, r->dels, lens, r->flushes, lpm_groups_used(r->l),
	       now_s() - t0);
	if (r->all_lens)
		check(lens == 8 * fam_bytes + 1, "%s: the changes covered every prefix length /0-/%d",
		      r->name, 8 * fam_bytes);
	check(!r->wrong, "%s seed %llu: after each of %d random changes every address it could "
	      "touch gets the naive longest match", r->name, (unsigned long long)r->seed,
	      r->steps);
	check(!r->full_wrong, "%s seed %llu: whole-pool checks (first paint, every 500 steps, "
	      "flushes, end): lpm_verify() and every prefix's ends agree", r->name,
	      (unsigned long long)r->seed);
	check(!r->errors, "%s seed %llu: no painter call failed", r->name,
	      (unsigned long long)r->seed);
	check(!r->state_bad && !r->repaints, "%s seed %llu: begin marks the pool dirty, end clean; "
	      "repaints exactly when first used and after a flush", r->name,
	      (unsigned long long)r->seed);
}

static void pool_clear(void)
{
	int i;

	for (i = 0; i < npool; i++)
		if (pool[i].live)
			trie_erase(&pool[i]);
	npool = 0;
}

/* ------------------------------------------------------------------------------------------ */
/* The begin/end protocol                                                                      */

static struct proute *set_route(struct lpm *l, const char *a, int plen, uint8_t type,
				uint32_t nh)
{
	__u8 addr[16] = {};
	struct proute *p;

	inet_pton(fam_af, a, addr);
	p = pool_add(addr, plen);
	memset(&p->rt, 0, sizeof(p->rt));
	p->rt.type = type;
	p->rt.nh_id = nh;
	p->rt.prefixlen = (__u16)plen;
	p->live = true;
	trie_write(p);
	if (l)
		lpm_set(l, p->addr, p->plen, &p->rt);
	return p;
}

static void del_route(struct lpm *l, struct proute *p)
{
	p->live = false;
	trie_erase(p);
	if (l)
		lpm_del(l, p->addr, p->plen);
}

static __u32 leaf_of(const struct lpm *l, const char *a)
{
	__u8 addr[16] = {};

	inet_pton(fam_af, a, addr);
	return lpm_leaf(l, addr);
}

static void test_protocol(const char *name, struct lpm *l)
{
	const char *net = fam_bytes == 4 ? "10.1.0.0" : "2001:db8::";
	const char *in = fam_bytes == 4 ? "10.1.5.1" : "2001:db8:5::1";
	const char *sub = fam_bytes == 4 ? "10.1.5.0" : "2001:db8:5::";
	int sl = fam_bytes == 4 ? 24 : 48;
	long shown = 0;
	struct proute *p;
	__u32 w;

	npool = 0;
	set_route(NULL, net, 16, IPXR_RT_UNICAST, 7);
	l->w[IPXR_LPM_META * 256 + IPXR_LPM_M_DIRTY] = 1;	/* as a dead writer leaves it */
	lpm_begin(l);
	check(l->repaint, "%s: begin on a pool not in step asks for a repaint", name);
	check(!lpm_end(l) && lpm_in_step(l) && lpm_verify(l, on_mismatch, &shown) == 0 &&
	      lpm_leaf(l, pool[0].addr) == lpm_encode(16, &pool[0].rt),
	      "%s: end repaints the pool from the trie and marks it clean", name);

	/* a writer that dies between begin and end: trie changed, pool not */
	lpm_begin(l);
	set_route(NULL, sub, sl, IPXR_RT_BLACKHOLE, 0);
	check(!lpm_in_step(l), "%s: a writer that dies half-way leaves the pool dirty", name);
	w = leaf_of(l, in);
	check(w == lpm_encode(16, &pool[0].rt), "%s: ... which readers go on using: each entry "
	      "is the old route or the new (0x%08x)", name, w);
	l->begun = false;
	lpm_begin(l);
	check(l->repaint, "%s: the next writer sees the dirty word and repaints", name);
	check(!lpm_end(l) && lpm_verify(l, on_mismatch, &shown) == 0 &&
	      lpm_leaf_type(leaf_of(l, in)) == IPXR_RT_BLACKHOLE,
	      "%s: ... and the change the dead writer made to the trie shows", name);

	/* another trie (reloaded object, re-created map) under the same pool */
	l->gen ^= 0x1000;
	lpm_begin(l);
	check(l->repaint, "%s: a pool painted from another trie (other map id) is repainted",
	      name);
	check(!lpm_end(l) && lpm_in_step(l), "%s: ... and in step with the new one", name);

	/* a value that lies about its prefix length: the deletion below it repaints */
	lpm_begin(l);
	p = set_route(l, net, 20, IPXR_RT_UNICAST, 9);
	p->rt.prefixlen = 0;
	trie_write(p);
	lpm_set(l, p->addr, p->plen, &p->rt);
	p = set_route(l, fam_bytes == 4 ? "10.1.10.0" : "2001:db8:a::", sl, IPXR_RT_UNICAST, 10);
	del_route(l, p);
	check(l->repaint, "%s: a covering route whose value says /0 for a /20 forces a repaint",
	      name);
	check(!lpm_end(l) && lpm_leaf_plen(leaf_of(l, fam_bytes == 4 ? "10.1.10.1" :
						   "2001:db8:a::1")) == 20,
	      "%s: ... painted from the trie's keys: the /%d now says /20", name, sl);
	pool_clear();
	l->gen ^= 0x1000;	/* the real trie's again */
}

/* The root entry of @a (IPv6). */
static __u32 root_of(const struct lpm *l, const char *a)
{
	__u8 addr[16] = {};

	inet_pton(AF_INET6, a, addr);
	return l->w[(size_t)addr[0] << 8 | addr[1]];
}

static bool is_tail_word(__u32 x)
{
	return (x & IPXR_LPM_TAIL) == IPXR_LPM_TAIL;
}

/*
 * Whether the pool agrees with the naive match at @n addresses and, the bracket ended (with no
 * repaint due) and begun again, with a pool painted from scratch.
 */
static bool tails_ok(struct lpm *l, const char *const *a, int n)
{
	long shown = 0, bad = 0, v;
	bool repaint = l->repaint;
	__u8 addr[16];
	int i;

	for (i = 0; i < n; i++) {
		inet_pton(AF_INET6, a[i], addr);
		bad += probe(l, addr, "tails");
	}
	lpm_end(l);
	v = lpm_verify(l, on_mismatch, &shown);
	lpm_begin(l);
	return !bad && !repaint && !v;
}

/*
 * IPv6 path compression, step by step under 3ffe::/16 (empty): a lone route is a tail in the
 * root entry; a second one below expands it into groups, and deleting it compresses them back,
 * whether the route left is a tail deeper down or painted in a group; a replaced route keeps its
 * tail. Then a chain of prefixes of every length /17-/128 along one address, added and deleted
 * in random order, each step checked whole.
 */
static void test_tails(struct lpm *l, uint64_t seed)
{
	static const char *const probes[] = {
		"3ffe:1:2::", "3ffe:1:2:ffff:ffff:ffff:ffff:ffff", "3ffe:1:1:ffff::", "3ffe:1:3::",
		"3ffe:1:2:3::1", "3ffe:1:2:4::", "3ffe::", "3ffe:ffff::1", "3ffe:1:3:0:8000::1",
		"3ffe:1000::", "3ffe:1fff:ffff::", "3ffe:2000::",
	};
	const int np = (int)(sizeof(probes) / sizeof(probes[0]));
	struct proute *p48, *p16, *p64, *q48, *c[112], *t;
	__u32 used0, tails0, root;
	uint64_t s = seed;
	int i, j, bad = 0;
	__u8 a[16];

	npool = 0;
	lpm_begin(l);
	lpm_invalidate(l);
	lpm_end(l);
	used0 = lpm_groups_used(l);
	tails0 = lpm_tails_used(l);
	lpm_begin(l);
	p48 = set_route(l, "3ffe:1:2::", 48, IPXR_RT_UNICAST, 5);
	check(is_tail_word(root_of(l, "3ffe::")) && lpm_tails_used(l) == tails0 + 1 &&
	      tails_ok(l, probes, np), "IPv6 tails: a lone /48 is a tail in its root entry, "
	      "(%u groups, %u before)", lpm_groups_used(l), used0);
	p16 = set_route(l, "3ffe::", 16, IPXR_RT_UNICAST, 6);
	check(is_tail_word(root_of(l, "3ffe::")) && tails_ok(l, probes, np),
	      "IPv6 tails: a /16 over it changes the tail's miss, the entry stays a tail");
	p64 = set_route(l, "3ffe:1:2:3::", 64, IPXR_RT_BLACKHOLE, 0);
	check((root_of(l, "3ffe::") & IPXR_LPM_TAIL) == IPXR_LPM_GROUP &&
	      lpm_groups_used(l) > used0 + 3 && tails_ok(l, probes, np),
	      "IPv6 tails: a /64 inside the /48 expands the tail into groups (%u in use)",
	      lpm_groups_used(l));
	del_route(l, p64);
	root = root_of(l, "3ffe::");
	check(is_tail_word(root) && lpm_tails_used(l) == tails0 + 1 &&
	      lpm_groups_used(l) <= used0 + 1 && tails_ok(l, probes, np),
	      "IPv6 tails: deleting the /64 compresses them back: the /48 painted in a group "
	      "becomes a tail again, in the root entry");
	p48->rt.nh_id = 9;
	trie_write(p48);
	lpm_set(l, p48->addr, p48->plen, &p48->rt);
	check(root_of(l, "3ffe::") == root && tails_ok(l, probes, np),
	      "IPv6 tails: the /48 replaced: the same tail, its hit rewritten");
	p64 = set_route(l, "3ffe:1:2:3::", 64, IPXR_RT_BLACKHOLE, 0);
	del_route(l, p48);
	check(is_tail_word(root_of(l, "3ffe::")) && tails_ok(l, probes, np),
	      "IPv6 tails: the /48 deleted below its /64: the /64's tail moves up to the root");
	q48 = set_route(l, "3ffe:1:3::", 48, IPXR_RT_UNICAST, 7);
	del_route(l, p64);
	check(is_tail_word(root_of(l, "3ffe::")) && tails_ok(l, probes, np),
	      "IPv6 tails: a /48 next to it, then the /64 deleted: the other /48 is the tail");
	if (l->outer_fd >= 0) {
		/*
		 * A packet that read the root entry before a /32 over the /48 expanded it may
		 * read that tail after: what it says then must be the old routes' or the new
		 * ones' (or ask the trie) for the /16's addresses outside the /32 too.
		 */
		__u32 w0 = root_of(l, "3ffe::"), x, leaf;
		struct ipxr_lpm_tail *r;
		struct proute *p32;

		p32 = set_route(l, "3ffe:1::", 32, IPXR_RT_UNICAST, 11);
		x = w0 & IPXR_LPM_TAIL_MASK;
		r = (struct ipxr_lpm_tail *)(l->w + (size_t)(x >> IPXR_LPM_TAIL_SHIFT) * 256) +
		    (x & 31);
		leaf = r->miss;	/* 3ffe:2::1 is not the tail's route */
		check(is_tail_word(w0) && (leaf == lpm_encode(16, &p16->rt) ||
					   (leaf & IPXR_LPM_TRIE)),
		      "IPv6 tails: a /32 over the tail's /48: the old tail, still read by a packet "
		      "that read the entry before, says the /16 or asks the trie (0x%08x)", leaf);
		del_route(l, p32);
	}
	t = set_route(l, "3ffe:1000::", 20, IPXR_RT_UNICAST, 8);
	del_route(l, q48);
	check(is_tail_word(root_of(l, "3ffe::")) && tails_ok(l, probes, np),
	      "IPv6 tails: a /20 (painted in the first group below the root) alone: a tail");
	del_route(l, p16);
	del_route(l, t);
	check(root_of(l, "3ffe::") == 0 && lpm_tails_used(l) == tails0 &&
	      lpm_groups_used(l) <= used0 + 1 && tails_ok(l, probes, np),
	      "IPv6 tails: all deleted: the root entry is no route, no tail in use");

	/* every length /17-/128 along one address, in random order, and back */
	inet_pton(AF_INET6, "3ffe:8421:8421:8421:8421:8421:8421:8421", a);
	for (i = 0; i < 112; i++)
		c[i] = pool_add(a, 17 + i);
	for (i = 0; i < 2 * 112; i++) {
		j = (int)(rnd(&s) % 112);
		t = c[j];
		if (t->live) {
			del_route(l, t);
		} else {
			random_value(&s, &t->rt, t->plen);
			t->live = true;
			trie_write(t);
			lpm_set(l, t->addr, t->plen, &t->rt);
		}
		bad += probe_prefix(l, t, &s, "tails chain") + !tails_ok(l, probes, np);
	}
	for (i = 0; i < 112; i++)
		if (c[i]->live)
			del_route(l, c[i]);
	check(!bad && !l->repaint && root_of(l, "3ffe::") == 0 && lpm_tails_used(l) == tails0,
	      "IPv6 tails: a chain of every length /17-/128 changed at random, every step right, "
	      "no repaint; all gone at the end");
	lpm_end(l);
	pool_clear();
}

static __u32 meta_hiwater(const struct lpm *l)
{
	return l->w[IPXR_LPM_META * 256 + IPXR_LPM_M_HIWATER];
}

/* Growth, reuse after a grace period, and the slot: with a real map-in-map only. */
static void test_pool(struct lpm *l, int outer)
{
	__u32 id0 = 0, id1 = 0, hi0, hi1, used0;
	double t0, t_add, t_del;
	char a[64];
	struct proute *r[700];
	__u32 used1, tgroups;
	int i, n = 700, plen;
	long shown = 0;

	npool = 0;
	lpm_begin(l);
	lpm_invalidate(l);
	lpm_end(l);
	bpf_map_lookup_elem(outer, &l->slot, &id0);
	used0 = lpm_groups_used(l);
	/*
	 * One group per route: each IPv4 /24 in a /16 of its own; IPv6 /48s each in a /32 of its
	 * own with a /64 inside (two routes: the /32 and /40 entries are groups, the /48 a tail).
	 * The /64 comes first and goes last: its tail is copied down as the /48 comes (the copies
	 * wait in limbo) and moves up as it goes, so deleting takes no new tail.
	 */
	lpm_begin(l);
	t0 = now_s();
	for (i = 0; i < n; i++) {
		plen = fam_bytes == 4 ? 24 : i % 2 ? 48 : 64;
		if (fam_bytes == 4)
			snprintf(a, sizeof(a), "%d.%d.1.0", 11 + i / 256, i % 256);
		else
			snprintf(a, sizeof(a), i % 2 ? "2001:%x:1::" : "2001:%x:1:1::",
				 0x100 + i / 2);
		r[i] = set_route(l, a, plen, IPXR_RT_UNICAST, 1 + i);
	}
	t_add = now_s() - t0;
	check(!lpm_end(l) && lpm_in_step(l), "%s pool: %d routes added in one bracket",
	      fam_bytes == 4 ? "IPv4" : "IPv6", n);
	bpf_map_lookup_elem(outer, &l->slot, &id1);
	check(id1 && id1 != id0 && l->cap > 512, "%s pool: grown past its first 512 groups to %u, "
	      "the slot holds the new pool (id %u, was %u)", fam_bytes == 4 ? "IPv4" : "IPv6",
	      l->cap, id1, id0);
	used1 = lpm_groups_used(l);
	check(lpm_verify(l, on_mismatch, &shown) == 0 &&
	      used1 >= used0 + (__u32)(fam_bytes == 4 ? n : 3 + n) &&
	      lpm_tails_used(l) == (__u32)(fam_bytes == 4 ? 0 : n / 2),
	      "%s pool: verified, %u groups in use (%u before), %u tails", fam_bytes == 4 ? "IPv4" :
	      "IPv6", lpm_groups_used(l), used0, lpm_tails_used(l));
	lpm_begin(l);
	t0 = now_s();
	for (i = 0; i < n; i++)
		del_route(l, r[i ^ 1]);
	t_del = now_s() - t0;
	lpm_end(l);
	/* the BPF trie's own update included; ASan slows both */
	printf("# %s: %.1f us per /%d added (trie and pool), %.1f us per /%d deleted\n",
	       fam_bytes == 4 ? "IPv4" : "IPv6", t_add / n * 1e6, fam_bytes == 4 ? 24 : 48,
	       t_del / n * 1e6, fam_bytes == 4 ? 24 : 48);
	hi0 = meta_hiwater(l);
	npool = 0;	/* all deleted */
	/* groups cut into tails stay tails' */
	tgroups = lpm_groups_used(l) - used0;
	check(used1 == used0 + (__u32)(fam_bytes == 4 ? n : 3 + n) + tgroups &&
	      (fam_bytes == 4 ? !tgroups : tgroups > 0) && !lpm_tails_used(l) &&
	      lpm_verify(l, on_mismatch, &shown) == 0,
	      "%s pool: deleting them returns every group and tail (%u groups in use, %u of them "
	      "cut into tails)", fam_bytes == 4 ? "IPv4" : "IPv6", lpm_groups_used(l), tgroups);
	lpm_quiesce(l);
	lpm_begin(l);
	t0 = now_s();
	for (i = 0; i < n; i++) {
		plen = fam_bytes == 4 ? 24 : i % 2 ? 48 : 64;
		if (fam_bytes == 4)
			snprintf(a, sizeof(a), "%d.%d.2.0", 11 + i / 256, i % 256);
		else
			snprintf(a, sizeof(a), i % 2 ? "2001:%x:2::" : "2001:%x:2:1::",
				 0x100 + i / 2);
		r[i] = set_route(l, a, plen, IPXR_RT_BLACKHOLE, 0);
	}
	t_add = now_s() - t0;
	lpm_end(l);
	printf("# %s: %.1f us per /%d added into freed groups (one grace period)\n",
	       fam_bytes == 4 ? "IPv4" : "IPv6", t_add / n * 1e6, fam_bytes == 4 ? 24 : 48);
	hi1 = meta_hiwater(l);
	/* IPv6: the tails copied down as each /48 comes wait in limbo, so some are new */
	check(hi1 >= hi0 && hi1 <= hi0 + (fam_bytes == 4 ? 0 : (__u32)n / 32) &&
	      lpm_verify(l, on_mismatch, &shown) == 0 &&
	      lpm_tails_used(l) == (__u32)(fam_bytes == 4 ? 0 : n / 2),
	      "%s pool: as many new routes reuse the freed groups and tails after a grace period "
	      "(high water %u, was %u)", fam_bytes == 4 ? "IPv4" : "IPv6", hi1, hi0);
	pool_clear();
	lpm_begin(l);
	lpm_invalidate(l);
	lpm_end(l);
}

/* ------------------------------------------------------------------------------------------ */

static void family(int af, uint64_t seed)
{
	const char *fn = af == AF_INET ? "IPv4" : "IPv6";
	char name[64];
	struct lpm l;
	int k, outer;

	fam_af = af;
	fam_bytes = af == AF_INET ? 4 : 16;
	for (k = 0; k < 2; k++) {
		struct run r = { .seed = seed + (uint64_t)k, .l = &l, .all_lens = true };

		snprintf(name, sizeof(name), "%s stand-in trie", fn);
		r.name = name;
		npool = 0;
		lpm_init(&l, af, 0x1234, naive_lookup, naive_dump, NULL);
		run(&r, 3000);
		lpm_close(&l);
	}
	npool = 0;
	lpm_init(&l, af, 0x1234, naive_lookup, naive_dump, NULL);
	snprintf(name, sizeof(name), "%s stand-in trie", fn);
	test_protocol(name, &l);
	lpm_close(&l);
	if (af == AF_INET6) {
		npool = 0;
		lpm_init(&l, af, 0x1234, naive_lookup, naive_dump, NULL);
		test_tails(&l, seed);
		lpm_close(&l);
	}

	/* the same against a real LPM trie and ipxr_lpm, read by lpm_open() */
	trie_fd = trie_create();
	outer = trie_fd >= 0 ? outer_create() : -1;
	if (outer < 0) {
		printf("ok - %s real LPM trie and map-in-map # SKIP cannot create BPF maps: %s\n",
		       fn, strerror(errno));
		n_ok++;
		if (trie_fd >= 0)
			close(trie_fd);
		trie_fd = -1;
		return;
	}
	snprintf(name, sizeof(name), "%s BPF trie", fn);
	if (check(lpm_open(&l, af, outer, trie_fd) == 0 && !l.w,
		  "%s: lpm_open on an empty slot: no pool yet, the program uses the trie", fn)) {
		struct run r = { .name = name, .seed = seed + 100, .l = &l };

		run(&r, 1000);
		pool_clear();
		test_protocol(name, &l);
		if (af == AF_INET6)
			test_tails(&l, seed + 7);
		test_pool(&l, outer);
		lpm_close(&l);
		k = lpm_open(&l, af, outer, trie_fd);
		check(k == 0 && l.w && lpm_in_step(&l),
		      "%s: a second writer maps the pool in the slot, in step", fn);
		lpm_close(&l);
	}
	check(lpm_open(&l, af, trie_fd, trie_fd) == -EINVAL,
	      "%s: lpm_open refuses a trie given as ipxr_lpm", fn);
	lpm_close(&l);
	close(outer);
	close(trie_fd);
	trie_fd = -1;
}

int main(int argc, char **argv)
{
	uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 0) : 1;
	double t0 = now_s();

	setvbuf(stdout, NULL, _IOLBF, 0);
	check(lpm_encode(0, NULL) == 0 && !(lpm_encode(128, &(struct ipxr_route){
		.type = IPXR_RT_KERNEL, .nh_id = 0xffff }) & (IPXR_LPM_GROUP | IPXR_LPM_TRIE)),
	      "encoding: no route is 0; a /128 with the largest id and type is a plain leaf");
	family(AF_INET, seed);
	family(AF_INET6, seed + 1000);
	printf("# %d passed, %d failed in %.1f s\n", n_ok, n_fail, now_s() - t0);
	return n_fail ? 1 : 0;
}
