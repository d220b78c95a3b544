// SPDX-License-Identifier: GPL-2.0
/*
 * Model test of the front-table painter (ipxr/dir24.c).
 *
 * Routes from a pool of nested prefixes (/0 to /32, chains of prefixes inside prefixes, several
 * longer than /24 in one /24, the first and the last /24 of the address space) are added,
 * replaced and deleted in random order. After every step each slot the step could have touched
 * must hold what a naive longest match over the live routes gives: the longest live route of
 * length <= 24 covering the /24 (or "no route"), and LONGER exactly when a live route longer
 * than /24 lies inside it. Every so often the whole table is checked, and compared with a
 * table painted from scratch (dir24_rebuild) over the same routes.
 *
 * The trie is either a stand-in (a list of the live routes searched naively; no privileges
 * needed) or, when the process may create BPF maps, also a real BPF_MAP_TYPE_LPM_TRIE read
 * through dir24_open()'s own lookup and dump, over a plain array map mapped as ipxr maps the
 * pinned one. Both runs check the begin/end protocol: the state word, a repaint after a writer
 * died half-way or the trie was replaced, and a value that lies about its prefix length.
 *
 *	tests/test_dir24 [SEED]		one line per check, `ok - ` / `not ok - `, exit 1 on failure
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>

#include "dir24.h"
#include "tap.h"

#define SLOTS		IPXR_DIR24_SLOTS
#define POOL_MAX	400


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

static uint32_t mask(uint8_t plen)
{
	return plen ? ~0U << (32 - plen) : 0;
}

static const char *pfx(uint32_t a, uint8_t plen)
{
	static char buf[4][24];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%u.%u.%u.%u/%u", a >> 24, (a >> 16) & 0xff,
		 (a >> 8) & 0xff, a & 0xff, plen);
	return buf[i];
}

/* ------------------------------------------------------------------------------------------ */
/* The route set: a pool of prefixes, each live or not                                        */

struct proute {
	uint32_t addr;		/* masked */
	uint8_t plen;
	bool live;
	bool liar;		/* its value's prefixlen is not its key's */
	struct ipxr_route rt;
};

static struct proute pool[POOL_MAX];
static int npool;
static int trie_fd = -1;	/* the real trie mirrored from the pool, or -1 */

static bool in_pool(uint32_t a, uint8_t plen)
{
	int i;

	for (i = 0; i < npool; i++)
		if (pool[i].addr == a && pool[i].plen == plen)
			return true;
	return false;
}

static void pool_add(uint32_t a, uint8_t plen)
{
	a &= mask(plen);
	if (npool < POOL_MAX && !in_pool(a, plen)) {
		pool[npool].addr = a;
		pool[npool].plen = plen;
		npool++;
	}
}

/*
 * Chains of nested prefixes: children of random pool members, 1 to 8 bits longer, so most
 * prefixes lie inside others and many /24s hold several longer ones. Few prefixes are short:
 * one /0 repaints all 2^24 slots.
 */
static void pool_build(uint64_t *s)
{
	static const struct { const char *a; uint8_t plen; } fixed[] = {
		{ "0.0.0.0", 0 }, { "0.0.0.0", 8 }, { "0.0.0.0", 24 }, { "0.0.0.0", 30 },
		{ "0.0.1.0", 24 }, { "255.255.255.0", 24 }, { "255.255.255.255", 32 },
		{ "255.0.0.0", 8 }, { "10.0.0.0", 8 }, { "10.0.0.0", 12 }, { "10.1.0.0", 16 },
		{ "10.1.2.0", 23 }, { "10.1.2.0", 24 }, { "10.1.2.128", 25 }, { "10.1.2.7", 32 },
		{ "10.1.3.0", 24 }, { "10.1.3.64", 26 }, { "10.1.3.255", 32 }, { "10.1.3.0", 32 },
		{ "10.1.3.254", 31 }, { "128.0.0.0", 1 },
	};
	size_t i;

	npool = 0;
	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		struct in_addr in;

		inet_pton(AF_INET, fixed[i].a, &in);
		pool_add(ntohl(in.s_addr), fixed[i].plen);
	}
	while (npool < POOL_MAX) {
		const struct proute *p = &pool[rnd(s) % (uint64_t)npool];
		uint8_t plen = (uint8_t)(p->plen + 1 + rnd(s) % 8);

		if (p->plen < 8 && rnd(s) % 4)
			continue;	/* keep short prefixes rare */
		if (plen > 32)
			plen = 32;
		pool_add(p->addr | ((uint32_t)rnd(s) & ~mask(p->plen)), plen);
	}
}

static void random_value(uint64_t *s, struct ipxr_route *rt, uint8_t plen)
{
	static const uint8_t types[] = { IPXR_RT_UNICAST, IPXR_RT_UNICAST, IPXR_RT_UNICAST,
					 IPXR_RT_BLACKHOLE, IPXR_RT_LOCAL, IPXR_RT_UNSPEC, 9 };
	uint64_t r = rnd(s);

	memset(rt, 0, sizeof(*rt));
	rt->type = types[r % sizeof(types)];
	rt->prefixlen = plen;
	rt->flags = (uint8_t)(r >> 8);
	/* ipxr's ids are below 65536; one in 50 is past the word's 16 bits */
	rt->nh_id = (r >> 16) % 50 ? (uint32_t)(r >> 24) % 65536 : 65536 + (uint32_t)(r >> 40) % 9;
}

/* ------------------------------------------------------------------------------------------ */
/* The naive answers                                                                           */

/* The trie stand-in: the longest live route of length <= @plen covering @addr. */
static int naive_lookup(void *ctx, uint32_t addr, uint8_t plen, struct ipxr_route *rt)
{
	const struct proute *best = NULL;
	int i;

	(void)ctx;
	for (i = 0; i < npool; i++) {
		const struct proute *p = &pool[i];

		if (p->live && p->plen <= plen && (addr & mask(p->plen)) == p->addr &&
		    (!best || p->plen > best->plen))
			best = p;
	}
	if (!best)
		return 0;
	*rt = best->rt;
	return 1;
}

static int naive_dump(void *ctx, struct dir24_route **out, size_t *n)
{
	struct dir24_route *r = calloc(POOL_MAX, sizeof(*r));
	int i;

	(void)ctx;
	if (!r)
		return -ENOMEM;
	*n = 0;
	for (i = 0; i < npool; i++)
		if (pool[i].live) {
			r[*n].addr = pool[i].addr;
			r[*n].plen = pool[i].plen;
			r[*n].rt = pool[i].rt;
			(*n)++;
		}
	*out = r;
	return 0;
}

/* What slot @s must hold, written out from the encoding in ipxr_maps.h. */
static uint32_t expected(uint32_t s)
{
	const struct proute *best = NULL;
	uint32_t w = IPXR_D24_VALID;
	bool longer = false;
	int i;

	for (i = 0; i < npool; i++) {
		const struct proute *p = &pool[i];

		if (!p->live)
			continue;
		if (p->plen > 24 && p->addr >> 8 == s)
			longer = true;
		if (p->plen <= 24 && ((s << 8) & mask(p->plen)) == p->addr &&
		    (!best || p->plen > best->plen))
			best = p;
	}
	if (best) {
		w |= (uint32_t)best->plen << IPXR_D24_PLEN_SHIFT |
		     (uint32_t)best->rt.type << IPXR_D24_TYPE_SHIFT;
		if (best->rt.nh_id > 0xffff)
			w |= IPXR_D24_OPAQUE;
		else
			w |= best->rt.nh_id;
	}
	return longer ? w | IPXR_D24_LONGER : w;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Every slot of [@first, @end) against the naive answer. The answer only changes where a live
 * route begins or ends, so it is computed once per stretch between such boundaries and every
 * slot of the stretch compared with it. Returns the number of wrong slots (the first few shown).
 */
static long check_range(const __u32 *word, uint32_t first, uint64_t end, const char *what)
{
	static uint32_t cut[2 * POOL_MAX + 4];
	long bad = 0;
	int n = 0, i;
	uint64_t a, b, s;

	cut[n++] = first;
	for (i = 0; i < npool; i++) {
		const struct proute *p = &pool[i];
		uint64_t lo = p->addr >> 8, hi = p->plen > 24 ? lo + 1 : lo + (1ULL << (24 - p->plen));

		if (!p->live)
			continue;
		if (lo > first && lo < end)
			cut[n++] = (uint32_t)lo;
		if (hi > first && hi < end)
			cut[n++] = (uint32_t)hi;
	}
	qsort(cut, (size_t)n, sizeof(cut[0]), cmp_u32);
	for (i = 0; i < n; i++) {
		uint32_t want;

		a = cut[i];
		b = i + 1 < n ? cut[i + 1] : end;
		if (a == b)
			continue;
		want = expected((uint32_t)a ? (uint32_t)a : 1);
		for (s = a; s < b; s++) {
			if (s == IPXR_D24_STATE || word[s] == want)
				continue;
			if (bad++ < 5)
				printf("# %s: slot %s holds 0x%08x, want 0x%08x\n", what,
				       pfx((uint32_t)s << 8, 24), word[s], want);
		}
	}
	return bad;
}

/* ------------------------------------------------------------------------------------------ */
/* The real trie                                                                               */

static int trie_write(const struct proute *p)
{
	struct ipxr_route4_key k = { .prefixlen = p->plen, .addr = htonl(p->addr) };

	if (trie_fd < 0)
		return 0;
	return bpf_map_update_elem(trie_fd, &k, &p->rt, BPF_ANY) ? -errno : 0;
}

static int trie_erase(const struct proute *p)
{
	struct ipxr_route4_key k = { .prefixlen = p->plen, .addr = htonl(p->addr) };

	if (trie_fd < 0)
		return 0;
	return bpf_map_delete_elem(trie_fd, &k) ? -errno : 0;
}

static int trie_create(void)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = BPF_F_NO_PREALLOC);

	return bpf_map_create(BPF_MAP_TYPE_LPM_TRIE, "t_route4", sizeof(struct ipxr_route4_key),
			      sizeof(struct ipxr_route), 4096, &o);
}

/* The front table as the object creates it, mapped by dir24_open(). */
static int table_create(void)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = BPF_F_MMAPABLE);

	return bpf_map_create(BPF_MAP_TYPE_ARRAY, "t_dir24", sizeof(__u32),
			      sizeof(struct ipxr_dir24_pair), IPXR_DIR24_ENTRIES, &o);
}

/* ------------------------------------------------------------------------------------------ */
/* The run                                                                                     */

struct run {
	const char *name;
	struct dir24 d;
	__u32 *scratch;		/* a second table, painted from scratch to compare */
	uint64_t seed;
	int steps;
	long wrong;		/* slots found wrong after incremental steps */
	long full_wrong;	/* ... in whole-table checks */
	long rebuild_diff;	/* slots where incremental and from-scratch painting differ */
	int errors;		/* calls that returned an error */
	int state_bad;		/* state word not what begin/end must leave */
	int repaints;		/* dir24_end() repainted when it should not have, or did not */
	int sets, dels, flushes, longs, shorts;
};

static void full_check(struct run *r, const char *when)
{
	struct dir24 fresh;
	struct dir24_route *all;
	size_t n;
	long i, diff = 0;

	r->full_wrong += check_range(r->d.word, 0, SLOTS, when);
	/* the same routes painted from nothing */
	dir24_init(&fresh, r->scratch, 1, naive_lookup, naive_dump, NULL);
	memset(r->scratch, 0, (size_t)SLOTS * sizeof(__u32));
	if (naive_dump(NULL, &all, &n) || dir24_rebuild(&fresh, all, n)) {
		r->errors++;
		return;
	}
	free(all);
	for (i = 1; i < SLOTS; i++)
		if (r->scratch[i] != r->d.word[i] && diff++ < 3)
			printf("# %s: slot %s incremental 0x%08x, from scratch 0x%08x\n", when,
			       pfx((uint32_t)i << 8, 24), r->d.word[i], r->scratch[i]);
	r->rebuild_diff += diff;
}

static void end_step(struct run *r, bool want_repaint)
{
	bool repaint = r->d.repaint;

	if (repaint != want_repaint && r->repaints++ < 3)
		printf("# step %d: repaint %d, want %d\n", r->steps, repaint, want_repaint);
	if (dir24_end(&r->d))
		r->errors++;
	if (!dir24_in_step(&r->d) && r->state_bad++ < 3)
		printf("# step %d: state 0x%08x after end\n", r->steps, r->d.word[IPXR_D24_STATE]);
}

/* One random change, as ipxr makes it: the trie first, then the table. */
static void step(struct run *r, uint64_t *s)
{
	struct proute *p = &pool[rnd(s) % (uint64_t)npool];
	uint64_t first = p->addr >> 8, end;
	char what[96];
	int err;

	dir24_begin(&r->d);
	if (r->d.word[IPXR_D24_STATE] != r->d.gen && r->state_bad++ < 3)
		printf("# step %d: state 0x%08x after begin\n", r->steps, r->d.word[0]);
	if (!p->live || rnd(s) % 2) {
		/* add, or replace with another value */
		random_value(s, &p->rt, p->plen);
		p->live = true;
		err = trie_write(p);
		if (!err)
			err = dir24_set(&r->d, p->addr, p->plen, &p->rt);
		snprintf(what, sizeof(what), "step %d set %s type %u nh %u", r->steps,
			 pfx(p->addr, p->plen), p->rt.type, p->rt.nh_id);
		r->sets++;
	} else {
		p->live = false;
		err = trie_erase(p);
		if (!err)
			err = dir24_del(&r->d, p->addr, p->plen);
		snprintf(what, sizeof(what), "step %d del %s", r->steps, pfx(p->addr, p->plen));
		r->dels++;
	}
	if (err && r->errors++ < 3)
		printf("# %s: %s\n", what, strerror(-err));
	if (p->plen > 24)
		r->longs++;
	else if (p->plen < 8)
		r->shorts++;
	end = p->plen > 24 ? first + 1 : first + (1ULL << (24 - p->plen));
	end_step(r, false);
	r->wrong += check_range(r->d.word, (uint32_t)first, end, what);
	r->steps++;
}

/* Many changes at once (flush): the trie only, then one repaint at the end. */
static void flush(struct run *r, uint64_t *s)
{
	const struct proute *in = &pool[rnd(s) % (uint64_t)npool];
	int i;

	dir24_begin(&r->d);
	for (i = 0; i < npool; i++)
		if (pool[i].live && pool[i].plen >= in->plen &&
		    (pool[i].addr & mask(in->plen)) == in->addr) {
			pool[i].live = false;
			if (trie_erase(&pool[i]))
				r->errors++;
		}
	dir24_invalidate(&r->d);
	end_step(r, true);
	r->flushes++;
	full_check(r, "after a flush");
}

static void run(struct run *r, int steps)
{
	uint64_t s = r->seed;
	double t0 = now_s();
	int i;

	pool_build(&s);
	for (i = 0; i < npool; i++)
		pool[i].live = false;
	/* a never painted table (all 0): the first writer repaints it */
	dir24_begin(&r->d);
	end_step(r, true);
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
	printf("# %s seed %llu: %d steps (%d sets, %d deletes, %d longer than /24, %d shorter "
	       "than /8), %d flushes in %.1f s\n", r->name, (unsigned long long)r->seed, r->steps,
	       r->sets, r->dels, r->longs, r->shorts, r->flushes, now_s() - t0);
	check(!r->wrong, "%s seed %llu: after each of %d random changes every slot it could touch "
	      "equals the naive longest match", r->name, (unsigned long long)r->seed, r->steps);
	check(!r->full_wrong, "%s seed %llu: whole-table checks (first paint, every 500 steps, "
	      "flushes, end) equal the naive longest match", r->name,
	      (unsigned long long)r->seed);
	check(!r->rebuild_diff, "%s seed %llu: incremental painting equals painting from scratch",
	      r->name, (unsigned long long)r->seed);
	check(!r->errors, "%s seed %llu: no painter call failed", r->name,
	      (unsigned long long)r->seed);
	check(!r->state_bad && !r->repaints, "%s seed %llu: begin clears the state word's VALID, "
	      "end sets it; repaints exactly when first used and after a flush", r->name,
	      (unsigned long long)r->seed);
}

/* ------------------------------------------------------------------------------------------ */
/* The begin/end protocol                                                                      */

static struct proute *find(uint32_t a, uint8_t plen)
{
	int i;

	for (i = 0; i < npool; i++)
		if (pool[i].addr == a && pool[i].plen == plen)
			return &pool[i];
	return NULL;
}

static void set_route(struct dir24 *d, uint32_t a, uint8_t plen, uint8_t type, uint32_t nh)
{
	struct proute *p = find(a, plen);

	if (!p) {
		pool_add(a, plen);
		p = &pool[npool - 1];
	}
	memset(&p->rt, 0, sizeof(p->rt));
	p->rt.type = type;
	p->rt.nh_id = nh;
	p->rt.prefixlen = p->liar ? 0 : plen;
	p->live = true;
	trie_write(p);
	if (d)
		dir24_set(d, a, plen, &p->rt);
}

static void del_route(struct dir24 *d, uint32_t a, uint8_t plen)
{
	struct proute *p = find(a, plen);

	p->live = false;
	trie_erase(p);
	if (d)
		dir24_del(d, a, plen);
}

static void test_protocol(const char *name, struct dir24 *d)
{
	uint32_t w, net = 0x0a010000;	/* 10.1.0.0 */
	bool ok;

	npool = 0;
	dir24_begin(d);
	check(d->repaint && !(d->word[IPXR_D24_STATE] & IPXR_D24_VALID),
	      "%s: begin on a table not in step asks for a repaint, state without VALID", name);
	w = d->word[net >> 8];
	set_route(d, net, 16, IPXR_RT_UNICAST, 7);
	check(d->word[net >> 8] == w, "%s: no incremental painting while a repaint is due", name);
	check(!dir24_end(d) && dir24_in_step(d) && !check_range(d->word, 0, SLOTS, name),
	      "%s: end repaints the whole table from the trie and marks it in step", name);

	/* a writer that dies between begin and end: trie changed, table not */
	dir24_begin(d);
	set_route(NULL, net | 0x0500, 24, IPXR_RT_BLACKHOLE, 0);
	check(!dir24_in_step(d), "%s: a writer that dies half-way leaves the table not in step "
	      "(the program keeps to the trie)", name);
	dir24_begin(d);
	check(d->repaint, "%s: the next writer sees it and repaints", name);
	check(!dir24_end(d) && !check_range(d->word, 0, SLOTS, name) &&
	      (d->word[(net | 0x0500) >> 8] >> IPXR_D24_TYPE_SHIFT & 0xff) == IPXR_RT_BLACKHOLE,
	      "%s: ... and the change the dead writer made to the trie shows", name);

	/* another trie (reloaded object, re-created map) under the same table */
	d->gen ^= 0x1000;
	dir24_begin(d);
	check(d->repaint, "%s: a table painted from another trie (other map id) is repainted",
	      name);
	check(!dir24_end(d) && dir24_in_step(d), "%s: ... and in step with the new one", name);

	/* a value that lies about its prefix length: the deletion below it repaints */
	dir24_begin(d);
	pool_add(net | 0x0800, 21);
	pool[npool - 1].liar = true;
	set_route(d, net | 0x0800, 21, IPXR_RT_UNICAST, 9);
	set_route(d, net | 0x0a00, 24, IPXR_RT_UNICAST, 10);
	del_route(d, net | 0x0a00, 24);
	check(d->repaint, "%s: a covering route whose value says /0 for a /21 forces a repaint",
	      name);
	ok = !dir24_end(d) && !check_range(d->word, 0, SLOTS, name);
	w = d->word[(net | 0x0a00) >> 8];
	check(ok && dir24_word_plen(w) == 21,
	      "%s: ... painted from the trie's keys: 10.1.10.0/24 now says /21 (0x%08x)", name, w);

	/* a /28 whose value says /0 still keeps its /24 LONGER when a /30 beside it goes */
	dir24_begin(d);
	pool_add(net | 0x1410, 28);
	pool[npool - 1].liar = true;
	set_route(d, net | 0x1400, 24, IPXR_RT_UNICAST, 11);
	set_route(d, net | 0x1410, 28, IPXR_RT_UNICAST, 12);
	set_route(d, net | 0x1440, 30, IPXR_RT_UNICAST, 13);
	del_route(d, net | 0x1440, 30);
	w = d->word[(net | 0x1400) >> 8];
	check(!d->repaint && (w & IPXR_D24_LONGER) && !dir24_end(d) &&
	      !check_range(d->word, 0, SLOTS, name), "%s: a /28 whose value says /0 keeps "
	      "10.1.20.0/24 LONGER after a /30 beside it is deleted (0x%08x)", name, w);
	del_route(d, net | 0x1410, 28);
	check(!(d->word[(net | 0x1400) >> 8] & IPXR_D24_LONGER),
	      "%s: ... and LONGER goes with the /28", name);
	find(net | 0x0800, 21)->liar = false;
}

/* ------------------------------------------------------------------------------------------ */

int main(int argc, char **argv)
{
	uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 0) : 1;
	__u32 *words = calloc(SLOTS, sizeof(__u32));
	__u32 *scratch = calloc(SLOTS, sizeof(__u32));
	struct run r = { .name = "stand-in trie", .seed = seed, .scratch = scratch };
	double t0 = now_s();
	int fd, k;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!words || !scratch) {
		check(false, "two tables of %u words allocated", SLOTS);
		return 1;
	}

	/* encoding limits the program relies on */
	check(IPXR_D24_DIRECT(IPXR_D24_VALID) && !IPXR_D24_DIRECT(0) &&
	      !IPXR_D24_DIRECT(IPXR_D24_VALID | IPXR_D24_LONGER) &&
	      !IPXR_D24_DIRECT(IPXR_D24_VALID | IPXR_D24_OPAQUE) &&
	      !IPXR_D24_DIRECT(IPXR_D24_VALID | IPXR_D24_LONGER | IPXR_D24_OPAQUE),
	      "IPXR_D24_DIRECT: only a valid word with neither LONGER nor OPAQUE");

	for (k = 0; k < 2; k++) {
		struct run rk = r;

		rk.seed = seed + (uint64_t)k;
		memset(words, 0, (size_t)SLOTS * sizeof(__u32));
		dir24_init(&rk.d, words, 0x1234, naive_lookup, naive_dump, NULL);
		run(&rk, 4000);
	}
	npool = 0;
	memset(words, 0, (size_t)SLOTS * sizeof(__u32));
	dir24_init(&r.d, words, 0x1234, naive_lookup, naive_dump, NULL);
	test_protocol("stand-in trie", &r.d);

	/* the same against a real LPM trie and a mapped array map, read by dir24_open() */
	trie_fd = trie_create();
	fd = trie_fd >= 0 ? table_create() : -1;
	if (fd < 0) {
		printf("ok - real LPM trie and mapped table # SKIP cannot create BPF maps: %s\n",
		       strerror(errno));
		n_ok++;
	} else {
		struct run rb = { .name = "BPF trie", .seed = seed + 100, .scratch = scratch };

		if (check(dir24_open(&rb.d, fd, trie_fd) == 0, "dir24_open maps the array map "
			  "(BPF_F_MMAPABLE, %u pairs) and reads the trie's id",
			  IPXR_DIR24_ENTRIES)) {
			run(&rb, 1500);
			/* start the protocol test from an empty trie */
			for (k = 0; k < npool; k++)
				if (pool[k].live)
					trie_erase(&pool[k]);
			npool = 0;
			__atomic_store_n(&rb.d.word[IPXR_D24_STATE], 0, __ATOMIC_RELAXED);
			test_protocol("BPF trie", &rb.d);
			dir24_close(&rb.d);
		}
		{
			struct dir24 bad;
			LIBBPF_OPTS(bpf_map_create_opts, o);
			int plain = bpf_map_create(BPF_MAP_TYPE_ARRAY, "t_plain", 4,
						   sizeof(struct ipxr_dir24_pair),
						   IPXR_DIR24_ENTRIES, &o);

			check(plain >= 0 && dir24_open(&bad, plain, trie_fd) == -EINVAL,
			      "dir24_open refuses an array map without BPF_F_MMAPABLE");
			check(dir24_open(&bad, trie_fd, fd) == -EINVAL,
			      "dir24_open refuses a trie given as the table");
			if (plain >= 0)
				close(plain);
		}
		close(fd);
		close(trie_fd);
	}
	free(words);
	free(scratch);
	printf("# %d passed, %d failed in %.1f s\n", n_ok, n_fail, now_s() - t0);
	return n_fail ? 1 : 0;
}
