/* SPDX-License-Identifier: GPL-2.0 */
/*
 * BGP-like route tables for the benchmarks, deterministic for a seed, so bench/nsperpkt (which
 * loads them into the maps itself), bench/routegen (which writes them as `ip -b` / `ipxr -b`
 * batch files) and bench/trafgen (which picks destinations inside them) agree on one table.
 *
 * IPv4: prefix lengths mixed as in today's default-free zone (about 60 % /24, then /22, /23,
 * /21, /20, /16...), with a sprinkling of /25../32 as IGP or customer routes add; prefixes are
 * unicast, outside 0/8, 10/8 (the lab's own addresses), 127/8 and 224/3.
 * IPv6: mostly /48 and /32../44 inside 2000::/3, a few /49../64 and /128.
 */
#ifndef IPXR_BENCH_TABLE_H
#define IPXR_BENCH_TABLE_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

/* splitmix64: the same sequence everywhere for a seed */
static inline uint64_t tb_rand(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

struct tb_mix {
	uint8_t plen;
	uint16_t permille;
};

static const struct tb_mix tb_mix4[] = {
	{ 8, 1 }, { 9, 1 }, { 10, 1 }, { 11, 2 }, { 12, 3 }, { 13, 5 }, { 14, 8 }, { 15, 10 },
	{ 16, 20 }, { 17, 12 }, { 18, 18 }, { 19, 30 }, { 20, 45 }, { 21, 50 }, { 22, 100 },
	{ 23, 85 }, { 24, 569 }, { 25, 6 }, { 26, 6 }, { 27, 6 }, { 28, 5 }, { 29, 6 },
	{ 30, 5 }, { 31, 2 }, { 32, 4 },
};

/* roughly the IPv6 DFZ: half /48, then /32, /44, /40, /36, /29 */
static const struct tb_mix tb_mix6[] = {
	{ 19, 1 }, { 20, 2 }, { 24, 3 }, { 28, 10 }, { 29, 50 }, { 30, 10 }, { 32, 110 },
	{ 33, 10 }, { 34, 10 }, { 35, 10 }, { 36, 40 }, { 40, 60 }, { 42, 15 }, { 44, 90 },
	{ 45, 10 }, { 46, 25 }, { 47, 30 }, { 48, 480 }, { 56, 10 }, { 64, 2 }, { 128, 2 },
};

static inline uint8_t tb_pick_plen(uint64_t *rng, const struct tb_mix *mix, size_t n)
{
	uint32_t r = (uint32_t)(tb_rand(rng) % 1000), acc = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		acc += mix[i].permille;
		if (r < acc)
			return mix[i].plen;
	}
	return mix[n - 1].plen;
}

/* ---- IPv4 ----------------------------------------------------------------------------------- */

struct tb_route4 {
	uint32_t addr;		/* host order, host bits clear */
	uint8_t plen;
};

static inline uint32_t tb_mask4(uint8_t plen)
{
	return plen ? (uint32_t)(~0ULL << (32 - plen)) : 0;
}

static inline int tb_cmp4(const void *a, const void *b)
{
	const struct tb_route4 *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return (int)x->plen - (int)y->plen;
}

/* Sort the @have entries of @k by @cmp and drop repeats; returns how many are left. */
static inline uint32_t tb_sort_unique(void *k, size_t size, uint32_t have,
				      int (*cmp)(const void *, const void *))
{
	char *e = k;
	uint32_t i, j;

	qsort(k, have, size, cmp);
	for (i = j = 0; i < have; i++)
		if (!j || cmp(e + (size_t)(j - 1) * size, e + (size_t)i * size))
			memmove(e + (size_t)j++ * size, e + (size_t)i * size, size);
	return j;
}

/*
 * Keep @n of the @have sorted distinct entries of @k, dropping the rest evenly across the
 * address space (keeping the first @n would bias the table to low addresses).
 */
static inline uint32_t tb_thin(void *k, size_t size, uint32_t have, uint32_t n)
{
	uint32_t extra = have - n, i, j;
	double step, next;

	if (have <= n)
		return have;
	step = (double)have / extra;
	next = step / 2;
	for (i = j = 0; i < have; i++) {
		if (extra && i == (uint32_t)next) {
			next += step;
			extra--;
			continue;
		}
		memmove((char *)k + (size_t)j++ * size, (char *)k + (size_t)i * size, size);
	}
	return j;
}

/* @n distinct IPv4 prefixes, sorted by address; deterministic for @seed. Free with free(). */
static inline struct tb_route4 *tb_gen4(uint32_t n, uint64_t seed)
{
	struct tb_route4 *k = calloc((size_t)n + n / 8 + 64, sizeof(*k));
	uint64_t rng = seed;
	uint32_t have = 0, i;

	if (!k)
		return NULL;
	while (have < n) {
		uint32_t want = n - have + (n - have) / 16 + 16;

		for (i = 0; i < want; i++) {
			uint8_t plen = tb_pick_plen(&rng, tb_mix4, sizeof(tb_mix4) / sizeof(tb_mix4[0]));
			uint32_t a, first;

			do {
				a = (uint32_t)tb_rand(&rng);
				first = a >> 24;
			} while (first == 0 || first == 10 || first == 127 || first >= 224);
			k[have + i].plen = plen;
			k[have + i].addr = a & tb_mask4(plen);
		}
		have += want;
		have = tb_sort_unique(k, sizeof(*k), have, tb_cmp4);
	}
	tb_thin(k, sizeof(*k), have, n);
	return k;
}

/* A host inside @r (host order), random in its host bits. */
static inline uint32_t tb_host4(const struct tb_route4 *r, uint64_t *rng)
{
	return r->addr | ((uint32_t)tb_rand(rng) & ~tb_mask4(r->plen));
}

/* ---- IPv6 ----------------------------------------------------------------------------------- */

struct tb_route6 {
	uint8_t addr[16];	/* host bits clear */
	uint8_t plen;
};

static inline int tb_cmp6(const void *a, const void *b)
{
	const struct tb_route6 *x = a, *y = b;
	int c = memcmp(x->addr, y->addr, 16);

	return c ? c : (int)x->plen - (int)y->plen;
}

static inline void tb_clear_host6(uint8_t *a, uint8_t plen)
{
	int i;

	for (i = 0; i < 16; i++) {
		int bits = (int)plen - i * 8;

		if (bits <= 0)
			a[i] = 0;
		else if (bits < 8)
			a[i] &= (uint8_t)(0xff << (8 - bits));
	}
}

/* @n distinct IPv6 prefixes in 2000::/3 (not 2001:db8::/32, the lab's), sorted. */
static inline struct tb_route6 *tb_gen6(uint32_t n, uint64_t seed)
{
	struct tb_route6 *k = calloc((size_t)n + n / 8 + 64, sizeof(*k));
	uint64_t rng = seed ^ 0x6666;
	uint32_t have = 0, i, j;

	if (!k)
		return NULL;
	while (have < n) {
		uint32_t want = n - have + (n - have) / 16 + 16;

		for (i = 0; i < want; i++) {
			struct tb_route6 *r = &k[have + i];
			uint64_t hi, lo;

			r->plen = tb_pick_plen(&rng, tb_mix6, sizeof(tb_mix6) / sizeof(tb_mix6[0]));
			do {
				hi = tb_rand(&rng);
				lo = tb_rand(&rng);
				hi = (hi & ~(7ULL << 61)) | (1ULL << 61);	/* 2000::/3 */
			} while ((hi >> 32) == 0x20010db8);
			for (j = 0; j < 8; j++) {
				r->addr[j] = (uint8_t)(hi >> (56 - 8 * j));
				r->addr[8 + j] = (uint8_t)(lo >> (56 - 8 * j));
			}
			tb_clear_host6(r->addr, r->plen);
		}
		have += want;
		have = tb_sort_unique(k, sizeof(*k), have, tb_cmp6);
	}
	tb_thin(k, sizeof(*k), have, n);
	return k;
}

/* A host inside @r, random in its host bits. */
static inline void tb_host6(const struct tb_route6 *r, uint64_t *rng, uint8_t out[16])
{
	uint64_t x = tb_rand(rng), y = tb_rand(rng);
	int i;

	for (i = 0; i < 8; i++) {
		out[i] = (uint8_t)(x >> (8 * i));
		out[8 + i] = (uint8_t)(y >> (8 * i));
	}
	for (i = 0; i < 16; i++) {
		int bits = (int)r->plen - i * 8;
		uint8_t keep = bits <= 0 ? 0 : bits >= 8 ? 0xff : (uint8_t)(0xff << (8 - bits));

		out[i] = (uint8_t)((r->addr[i] & keep) | (out[i] & ~keep));
	}
}

/* Which of @ngw gateways (1..ngw) a prefix uses: spread, and the same in every tool. */
static inline uint32_t tb_gw_of(uint32_t addr_hash, uint8_t plen, uint32_t ngw)
{
	uint32_t h = addr_hash * 2654435761U ^ plen;

	return 1 + (h >> 16) % ngw;
}

#endif /* IPXR_BENCH_TABLE_H */
