// SPDX-License-Identifier: GPL-2.0
/*
 * Painting the IPv4 front table ipxr_dir24 from the routes of ipxr_route4.
 *
 * What a slot must hold is a function of the route set R alone: for the /24 s, the longest
 * route of length <= 24 in R covering s (or none), and whether R holds a route longer than /24
 * inside s. Every function here moves slots from that function of the old R to that function of
 * the new R, after the trie has become the new R. The program reads a slot once and then uses
 * either the slot or the trie, never both, so while a change is painted a packet is routed by
 * the old table or the new one, as with a change to the trie alone:
 *
 * - a route added, replaced or changed (length <= 24): only slots whose route is not longer are
 *   rewritten, each to the new route (one 32-bit store; the LONGER bit is carried over);
 * - a route deleted (<= 24): those of its slots that still name a route not longer than it get
 *   the route that now covers it, which the trie answers (lookup with prefix length - 1);
 * - a route longer than /24 added: its slot gets LONGER, so the program asks the trie, which
 *   already holds it; deleted: LONGER is cleared once no address of the /24 gets another answer
 *   from the trie than the /24 as a whole (257 lookups: any longer route answers for one).
 *
 * The plain stores suffice: ipxr's writers are serialised by the flock on the pin directory, the
 * program only reads, and an aligned 32-bit store is never seen half done.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>

#include "dir24.h"

#define SLOTS		IPXR_DIR24_SLOTS
#define NONE		IPXR_D24_VALID	/* painted: no route (plen 0, IPXR_RT_UNSPEC) */

_Static_assert(IPXR_MAX_NEXTHOPS - 1 <= IPXR_D24_NH_MASK, "next-hop ids do not fit a word");
_Static_assert(sizeof(struct ipxr_dir24_pair) == 8, "the kernel pads array values to 8 bytes");

static inline __u32 load(const struct dir24 *d, __u32 s)
{
	return __atomic_load_n(&d->word[s], __ATOMIC_RELAXED);
}

static inline void store(struct dir24 *d, __u32 s, __u32 w)
{
	if (load(d, s) != w)
		__atomic_store_n(&d->word[s], w, __ATOMIC_RELAXED);
}

static inline __u32 mask_of(__u8 plen)
{
	return plen ? ~0U << (32 - plen) : 0;
}

/* The word for route @rt of length @plen (<= 24) covering a slot, LONGER not included. */
static __u32 encode(__u8 plen, const struct ipxr_route *rt)
{
	__u32 w = IPXR_D24_VALID | (__u32)plen << IPXR_D24_PLEN_SHIFT |
		  (__u32)rt->type << IPXR_D24_TYPE_SHIFT;

	/* ipxr's ids fit; a bigger one (only a hand-written map has it) sends the program to the
	 * trie, which answers with the whole id */
	if (rt->nh_id > IPXR_D24_NH_MASK)
		return w | IPXR_D24_OPAQUE;
	/* the word has no room for a route MTU, which the program must check: the trie has it */
	if (rt->mtu)
		return w | IPXR_D24_OPAQUE;
	return w | rt->nh_id;
}

/* ------------------------------------------------------------------------------------------ */
/* Opening                                                                                     */

static int trie_lookup(void *ctx, __u32 addr, __u8 plen, struct ipxr_route *rt)
{
	struct ipxr_route4_key key = { .prefixlen = plen, .addr = htonl(addr) };
	struct dir24 *d = ctx;

	if (bpf_map_lookup_elem(d->trie_fd, &key, rt))
		return errno == ENOENT ? 0 : -errno;
	return 1;
}

static int trie_dump(void *ctx, struct dir24_route **r, size_t *n);

void dir24_init(struct dir24 *d, __u32 *words, __u32 gen, dir24_lookup_fn lookup,
		dir24_dump_fn dump, void *ctx)
{
	memset(d, 0, sizeof(*d));
	d->word = words;
	d->gen = gen & ~IPXR_D24_VALID;
	d->lookup = lookup;
	d->dump = dump;
	d->ctx = ctx;
	d->trie_fd = -1;
}

int dir24_open(struct dir24 *d, int dir24_fd, int route4_fd)
{
	struct bpf_map_info info = {}, tinfo = {};
	__u32 len = sizeof(info), tlen = sizeof(tinfo);
	size_t bytes = (size_t)IPXR_DIR24_ENTRIES * sizeof(struct ipxr_dir24_pair);
	void *p;

	memset(d, 0, sizeof(*d));
	d->trie_fd = -1;
	if (bpf_obj_get_info_by_fd(dir24_fd, &info, &len) ||
	    bpf_obj_get_info_by_fd(route4_fd, &tinfo, &tlen))
		return -errno;
	if (info.type != BPF_MAP_TYPE_ARRAY || info.key_size != sizeof(__u32) ||
	    info.value_size != sizeof(struct ipxr_dir24_pair) ||
	    info.max_entries != IPXR_DIR24_ENTRIES || !(info.map_flags & BPF_F_MMAPABLE) ||
	    tinfo.type != BPF_MAP_TYPE_LPM_TRIE || !tinfo.id || (tinfo.id & IPXR_D24_VALID))
		return -EINVAL;
	p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, dir24_fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	dir24_init(d, p, tinfo.id, trie_lookup, trie_dump, d);
	d->trie_fd = route4_fd;
	d->map_len = bytes;
	return 0;
}

void dir24_close(struct dir24 *d)
{
	if (d->map_len)
		munmap(d->word, d->map_len);
	d->word = NULL;
	d->map_len = 0;
}

/* ------------------------------------------------------------------------------------------ */
/* The state word                                                                              */

bool dir24_in_step(const struct dir24 *d)
{
	return load(d, IPXR_D24_STATE) == (IPXR_D24_VALID | d->gen);
}

void dir24_begin(struct dir24 *d)
{
	d->repaint = !dir24_in_step(d);
	/* "being written from this trie": the program keeps to the trie until dir24_end() */
	__atomic_store_n(&d->word[IPXR_D24_STATE], d->gen, __ATOMIC_SEQ_CST);
}

void dir24_invalidate(struct dir24 *d)
{
	d->repaint = true;
}

int dir24_end(struct dir24 *d)
{
	int err;

	if (d->repaint) {
		err = dir24_rebuild_from_trie(d);
		if (err)
			return err;
		d->repaint = false;
	}
	/* after every slot it vouches for (release: a reader that sees it sees them) */
	__atomic_store_n(&d->word[IPXR_D24_STATE], IPXR_D24_VALID | d->gen, __ATOMIC_RELEASE);
	return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Incremental painting                                                                        */

/*
 * Slots [@first, @end) whose route is not longer than @plen get @w (LONGER kept). A slot not
 * painted at all means the table is not what it should be: repaint it whole at the end.
 */
static void paint_over(struct dir24 *d, __u32 first, __u32 end, __u8 plen, __u32 w)
{
	__u32 s, old;

	for (s = first; s < end; s++) {
		if (s == IPXR_D24_STATE)
			continue;
		old = load(d, s);
		if (!(old & IPXR_D24_VALID)) {
			d->repaint = true;
			return;
		}
		if (dir24_word_plen(old) <= plen)
			store(d, s, w | (old & IPXR_D24_LONGER));
	}
}

/*
 * Whether some address of slot @s gets another answer from the trie than its /24 as a whole
 * (a lookup limited to /24), i.e. whether a route longer than /24 lies inside: 1, 0 or a
 * negative errno. Compared by value, so a value whose prefixlen is wrong cannot hide a route.
 */
static int longer_in(struct dir24 *d, __u32 s)
{
	struct ipxr_route base, rt;
	int has_base, ret;
	__u32 i;

	has_base = d->lookup(d->ctx, s << 8, 24, &base);
	if (has_base < 0)
		return has_base;
	for (i = 0; i < 256; i++) {
		ret = d->lookup(d->ctx, s << 8 | i, 32, &rt);
		if (ret < 0)
			return ret;
		if (ret != has_base || (ret && memcmp(&rt, &base, sizeof(rt))))
			return 1;
	}
	return 0;
}

int dir24_set(struct dir24 *d, __u32 addr, __u8 plen, const struct ipxr_route *rt)
{
	__u32 first = (addr & mask_of(plen)) >> 8, old;

	if (plen > 32)
		return -EINVAL;
	if (d->repaint)
		return 0;
	if (plen > 24) {
		if (first == IPXR_D24_STATE)
			return 0;
		old = load(d, first);
		if (!(old & IPXR_D24_VALID))
			d->repaint = true;
		else
			store(d, first, old | IPXR_D24_LONGER);
		return 0;
	}
	paint_over(d, first, first + (1U << (24 - plen)), plen, encode(plen, rt));
	return 0;
}

int dir24_del(struct dir24 *d, __u32 addr, __u8 plen)
{
	__u32 first = (addr & mask_of(plen)) >> 8, w = NONE, old;
	struct ipxr_route cov, again;
	int ret;

	if (plen > 32)
		return -EINVAL;
	if (d->repaint)
		return 0;
	if (plen > 24) {
		if (first == IPXR_D24_STATE)
			return 0;
		ret = longer_in(d, first);
		if (ret < 0) {
			d->repaint = true;
			return ret;
		}
		old = load(d, first);
		if (!(old & IPXR_D24_VALID))
			d->repaint = true;
		else if (!ret)
			store(d, first, old & ~IPXR_D24_LONGER);
		return 0;
	}
	if (plen) {
		ret = d->lookup(d->ctx, addr & mask_of(plen), plen - 1, &cov);
		if (ret < 0) {
			d->repaint = true;
			return ret;
		}
		if (ret) {
			/*
			 * The trie answers with the value only: its prefixlen says which route it
			 * is, and a lookup at that length must give the same one. A value that lies
			 * about its length (written by hand) gets a repaint from the keys instead.
			 */
			ret = cov.prefixlen < plen ?
			      d->lookup(d->ctx, addr & mask_of(plen), (__u8)cov.prefixlen,
					&again) : 0;
			if (ret < 0 || !ret || again.prefixlen != cov.prefixlen ||
			    memcmp(&again, &cov, sizeof(cov))) {
				d->repaint = true;
				return ret < 0 ? ret : 0;
			}
			w = encode((__u8)cov.prefixlen, &cov);
		}
	}
	paint_over(d, first, first + (1U << (24 - plen)), plen, w);
	return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Painting everything                                                                         */

static int cmp_route(const void *a, const void *b)
{
	const struct dir24_route *x = a, *y = b;
	__u32 xa = x->addr & mask_of(x->plen), ya = y->addr & mask_of(y->plen);

	/* a prefix before the prefixes inside it: by first address, then shorter first */
	if (xa != ya)
		return xa < ya ? -1 : 1;
	return (int)x->plen - (int)y->plen;
}

struct painter {
	struct dir24 *d;
	const __u64 *longer;	/* bit per slot: a route longer than /24 inside */
	__u32 cur;		/* slots before it are painted */
};

static void fill(struct painter *p, __u32 end, __u32 w)
{
	__u32 s;

	for (s = p->cur; s < end; s++) {
		if (s == IPXR_D24_STATE)
			continue;
		store(p->d, s, w | ((p->longer[s / 64] >> (s % 64) & 1) ? IPXR_D24_LONGER : 0));
	}
	p->cur = end;
}

int dir24_rebuild(struct dir24 *d, struct dir24_route *r, size_t n)
{
	struct { __u32 first, end, w; } stack[26];
	struct painter p = { .d = d };
	__u64 *longer;
	int depth = 0;
	size_t i;

	for (i = 0; i < n; i++)
		if (r[i].plen > 32)
			return -EINVAL;
	longer = calloc(SLOTS / 64, sizeof(*longer));
	if (!longer)
		return -ENOMEM;
	p.longer = longer;
	for (i = 0; i < n; i++)
		if (r[i].plen > 24)
			longer[r[i].addr >> 14] |= 1ULL << (r[i].addr >> 8) % 64;
	qsort(r, n, sizeof(*r), cmp_route);

	/*
	 * One sweep in address order with the chain of prefixes around the current slot (at most
	 * 25 deep): each slot is written once, with the innermost prefix holding it.
	 */
	for (i = 0; i < n; i++) {
		__u32 first, end;

		if (r[i].plen > 24)
			continue;
		first = (r[i].addr & mask_of(r[i].plen)) >> 8;
		end = first + (1U << (24 - r[i].plen));
		while (depth && stack[depth - 1].end <= first) {
			fill(&p, stack[depth - 1].end, stack[depth - 1].w);
			depth--;
		}
		fill(&p, first, depth ? stack[depth - 1].w : NONE);
		if (depth && stack[depth - 1].first == first && stack[depth - 1].end == end) {
			stack[depth - 1].w = encode(r[i].plen, &r[i].rt);	/* a duplicate */
			continue;
		}
		stack[depth].first = first;
		stack[depth].end = end;
		stack[depth].w = encode(r[i].plen, &r[i].rt);
		depth++;
	}
	while (depth) {
		fill(&p, stack[depth - 1].end, stack[depth - 1].w);
		depth--;
	}
	fill(&p, SLOTS, NONE);
	free(longer);
	return 0;
}

/* Up to @max keys and values of the trie after the key in @tok (NULL: from the start). */
static int dump_chunk(int fd, bool *batch, const struct ipxr_route4_key *tok_in,
		      struct ipxr_route4_key *tok_out, struct ipxr_route4_key *keys,
		      struct ipxr_route *vals, __u32 max, __u32 *cnt, bool *done)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	const struct ipxr_route4_key *prev = tok_in;

	if (*batch) {
		/* the generic batch walks by key, and its token is the last key */
		*cnt = max;
		if (!bpf_map_lookup_batch(fd, (void *)tok_in, tok_out, keys, vals, cnt, &opts))
			return 0;
		if (errno == ENOENT) {
			*done = true;
			return 0;
		}
		if (tok_in || (errno != EINVAL && errno != EOPNOTSUPP && errno != 524))
			return -errno;
		*batch = false;		/* a kernel without it: key by key */
	}
	for (*cnt = 0; *cnt < max; (*cnt)++) {
		if (bpf_map_get_next_key(fd, prev, &keys[*cnt])) {
			if (errno != ENOENT)
				return -errno;
			*done = true;
			break;
		}
		/* the key itself: a lookup at its own length finds nothing longer */
		if (bpf_map_lookup_elem(fd, &keys[*cnt], &vals[*cnt]))
			return -errno;
		prev = &keys[*cnt];
	}
	if (*cnt)
		*tok_out = keys[*cnt - 1];
	return 0;
}

/* Every key and value of the trie. */
static int trie_dump(void *ctx, struct dir24_route **out, size_t *count)
{
	int fd = ((struct dir24 *)ctx)->trie_fd;
	const __u32 chunk = 8192;
	struct ipxr_route4_key *keys, tok[2];
	struct dir24_route *r = NULL, *nr;
	struct ipxr_route *vals;
	size_t n = 0, alloc = 0, i;
	bool batch = true, done = false;
	__u32 cnt;
	int err = 0, t = 0;

	keys = calloc(chunk, sizeof(*keys));
	vals = calloc(chunk, sizeof(*vals));
	if (!keys || !vals) {
		err = -ENOMEM;
		goto out;
	}
	while (!done) {
		if (n + chunk > alloc) {
			alloc = alloc ? 2 * alloc : 4 * chunk;
			nr = realloc(r, alloc * sizeof(*r));
			if (!nr) {
				err = -ENOMEM;
				goto out;
			}
			r = nr;
		}
		err = dump_chunk(fd, &batch, n ? &tok[t] : NULL, &tok[!t], keys, vals, chunk,
				 &cnt, &done);
		if (!err && !cnt && !done)
			err = -EIO;	/* no progress: never loop */
		if (err)
			goto out;
		t = !t;
		for (i = 0; i < cnt; i++) {
			r[n + i].addr = ntohl(keys[i].addr);
			r[n + i].plen = (__u8)keys[i].prefixlen;
			r[n + i].rt = vals[i];
		}
		n += cnt;
	}
	*out = r;
	*count = n;
	r = NULL;
out:
	free(r);
	free(keys);
	free(vals);
	return err;
}

int dir24_rebuild_from_trie(struct dir24 *d)
{
	struct dir24_route *r = NULL;
	size_t n = 0;
	int err;

	err = d->dump(d->ctx, &r, &n);
	if (!err)
		err = dir24_rebuild(d, r, n);
	free(r);
	return err;
}

/* ------------------------------------------------------------------------------------------ */
/* Verifying                                                                                   */

/*
 * Every word of the table by batch lookups: a map opened read-only cannot be mapped shared,
 * and a checker must not be able to write what it checks.
 */
static int read_words(int fd, __u32 *word)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	const __u32 chunk = 1U << 16;	/* divides IPXR_DIR24_ENTRIES */
	__u32 in, out, cnt, *keys, i;
	size_t done = 0;
	void *token = NULL;	/* the last key read: the next batch starts after it */
	int err = 0;

	keys = calloc(chunk, sizeof(*keys));
	if (!keys)
		return -ENOMEM;
	for (;;) {
		cnt = chunk;
		if (bpf_map_lookup_batch(fd, token, &out, keys, word + 2 * done, &cnt, &opts)) {
			if (errno != ENOENT) {
				err = -errno;
				break;
			}
		}
		for (i = 0; i < cnt; i++)
			if (keys[i] != done + i)
				err = -EIO;
		done += cnt;
		if (err || !cnt || done == IPXR_DIR24_ENTRIES)
			break;
		in = out;
		token = &in;
	}
	free(keys);
	if (!err && done != IPXR_DIR24_ENTRIES)
		err = -EIO;
	return err;
}

long dir24_verify(int dir24_fd, int route4_fd, dir24_report_fn report, void *ctx)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), *have, *want, s;
	struct dir24_route *r = NULL;
	struct dir24 d, t;
	size_t n = 0;
	long bad = 0;
	int err;

	if (bpf_obj_get_info_by_fd(route4_fd, &info, &len))
		return -errno;
	have = malloc((size_t)SLOTS * sizeof(*have));
	want = calloc(SLOTS, sizeof(*want));
	if (!have || !want) {
		bad = -ENOMEM;
		goto out;
	}
	err = read_words(dir24_fd, have);
	/* what the painter makes of the whole trie, on a table of our own */
	if (!err) {
		dir24_init(&t, NULL, info.id, trie_lookup, trie_dump, &t);
		t.trie_fd = route4_fd;
		err = trie_dump(&t, &r, &n);
	}
	if (!err) {
		dir24_init(&d, want, info.id, NULL, NULL, NULL);
		err = dir24_rebuild(&d, r, n);
	}
	if (err) {
		bad = err;
		goto out;
	}
	want[IPXR_D24_STATE] = IPXR_D24_VALID | d.gen;
	for (s = 0; s < SLOTS; s++) {
		if (have[s] == want[s])
			continue;
		bad++;
		if (report)
			report(ctx, s, have[s], want[s]);
	}
out:
	free(r);
	free(have);
	free(want);
	return bad;
}
