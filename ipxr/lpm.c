// SPDX-License-Identifier: GPL-2.0
/*
 * Painting the front structure ipxr_lpm from the routes of a trie (ipxr_route4 or ipxr_route6).
 *
 * What an entry must hold is a function of the route set R alone: for the prefix P the entry
 * stands for (/16 at the root, /24, /32... below), a group if R holds a route longer than P
 * inside P, else the longest route of R covering P (or none). In IPv6 an entry whose P holds
 * exactly one route longer than P is a tail instead of a group: that route (prefix and leaf) and
 * the longest route covering P (path compression; IPv6 tables are mostly such lone routes, each
 * of which cost a chain of groups). Every function here moves entries from that function of the
 * old R to that of the new R, after the trie has become the new R. The program reads each entry
 * once and follows it, so while a change is painted a packet is routed by the old route set or
 * the new one, never a mix:
 *
 * - a route added, replaced or changed: the entries it spans at its level whose leaf is not
 *   longer, and those of the groups below them, are rewritten (one 32-bit store each). Where it
 *   reaches below an entry that is a leaf, a group is first filled with that leaf (what the
 *   entry said, pushed one level down) and then published with one release store;
 * - a route deleted: the same entries get the route that now covers it, which the trie answers
 *   (lookup with prefix length - 1); then each group on its path that holds one leaf 256 times
 *   is replaced by that leaf in its parent and freed.
 * - tails: a route that reaches below a leaf entry makes it a tail, written whole and then
 *   published; a second route below a tail first gets a group filled with what the tail said
 *   (its route painted there, or a copy of the tail one level down), published with one store;
 *   a tail's hit or miss changes with one store, as a leaf; deleting a tail's route puts the
 *   covering leaf back; a group left with one route (one tail, or one route painted in it) is
 *   replaced by a tail in its parent and freed.
 *
 * A freed group may still be read by a packet that loaded the pointer to it before the parent
 * entry changed, so it is not reused at once: it is filled with IPXR_LPM_TRIE leaves (such a
 * reader asks the trie, which is right) and put in limbo. So is a freed tail (hit and miss
 * IPXR_LPM_TRIE, its prefix unchanged). A tail moved up (its group collapsing) says the same for
 * every address either entry stands for; one moved down is a copy, since the next change may
 * be right for the smaller entry only: so an in-place store is right for every packet that can
 * still read the tail. Limbo becomes free after a grace period: membarrier(MEMBARRIER_CMD_GLOBAL)
 * returns after synchronize_rcu(), and XDP programs run inside an RCU read-side section, so no
 * packet that started before it is still in a group.
 * A pool replaced in its slot (grown, or repainted whole) is closed after such a period too.
 *
 * A grace period takes about 15 ms here, longer than a whole batch of route changes: a thread
 * waits for it while painting goes on. Limbo is handed to it as a batch (the "waiting" list),
 * which becomes free once the period that began after it has passed; painting takes new groups
 * from the pool's unused end meanwhile, and blocks only when the pool has none left.
 *
 * The plain stores suffice otherwise: ipxr's writers are serialised by the flock on the pin
 * directory, the program only reads, and an aligned 32-bit store is never seen half done.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <linux/membarrier.h>
#include <bpf/bpf.h>

#include "lpm.h"

#define GSIZE		256
#define GBYTES		sizeof(struct ipxr_lpm_group)
#define NONE		0U	/* no route: prefix length 0, IPXR_RT_UNSPEC */
#define INIT_GROUPS	512	/* a new pool: root, meta and 255 groups */
#define LIMBO_BATCH	64	/* freed groups worth one grace period */
#define TPG		(1U << IPXR_LPM_TAIL_SHIFT)	/* tails a group */
/* groups that can hold tails are below this: a tail index has 30 bits */
#define TAIL_GROUPS_MAX	(IPXR_LPM_TAIL_MASK >> IPXR_LPM_TAIL_SHIFT)

_Static_assert(IPXR_MAX_NEXTHOPS - 1 <= IPXR_LPM_NH_MASK, "next-hop ids do not fit a leaf");
_Static_assert(IPXR_RT_MULTIPATH <= IPXR_LPM_TYPE_MASK, "route types do not fit a leaf");
_Static_assert(sizeof(struct ipxr_lpm_group) == GSIZE * sizeof(__u32), "a group is 1 KiB");
_Static_assert(sizeof(struct ipxr_lpm_tail) * TPG == sizeof(struct ipxr_lpm_group),
	       "tails fill a group");

/*
 * The meta words past enum ipxr_lpm_meta that only this file uses: the length of limbo, and the
 * batch of freed groups whose grace period is under way (its first group, 0: none); the same for
 * tails (lists linked through their next word, by tail index, 0: none; the last of a list is
 * kept so the batch can be put in front of the free list), and the tails in use.
 */
enum {
	M_LIMBO_N = IPXR_LPM_M_USED + 1, M_WAIT,
	M_TFREE, M_TLIMBO, M_TLIMBO_LAST, M_TLIMBO_N, M_TWAIT, M_TWAIT_LAST, M_TUSED,
};

static inline __u32 ld(const __u32 *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static inline void st(__u32 *p, __u32 v)
{
	if (ld(p) != v)
		__atomic_store_n(p, v, __ATOMIC_RELAXED);
}

static inline __u32 *meta(const struct lpm *l)
{
	return l->w + (size_t)IPXR_LPM_META * GSIZE;
}

static inline bool is_group(__u32 x)
{
	return (x & IPXR_LPM_TAIL) == IPXR_LPM_GROUP;
}

static inline bool is_tail(__u32 x)
{
	return (x & IPXR_LPM_TAIL) == IPXR_LPM_TAIL;
}

/*
 * Whether the family's pool compresses paths: IPv6 only. IPv4's structure is 3 reads deep at
 * most, and a full IPv4 table fills its /24 groups densely: a tail would save it little.
 */
static inline bool tails(const struct lpm *l)
{
	return l->bytes == 16;
}

static inline struct ipxr_lpm_tail *tail_at(const struct lpm *l, __u32 t)
{
	return (struct ipxr_lpm_tail *)(l->w + (size_t)(t >> IPXR_LPM_TAIL_SHIFT) * GSIZE) +
	       (t & (TPG - 1));
}

/* Whether the tail index @t is in the pool (its group past the root and meta). */
static inline bool tail_ok(const struct lpm *l, __u32 t)
{
	return t >> IPXR_LPM_TAIL_SHIFT >= IPXR_LPM_MIN_GROUPS && t >> IPXR_LPM_TAIL_SHIFT < l->cap;
}

/* Whether the first @plen bits of @a and @b are equal. */
static bool same_bits(const __u8 *a, const __u8 *b, int plen)
{
	int n = plen / 8, r = plen % 8;

	if (memcmp(a, b, n))
		return false;
	return !r || !((a[n] ^ b[n]) & (__u8)(0xff << (8 - r)));
}

/* @a's first @plen bits, then zeros (16 bytes). */
static void prefix_of(__u8 *out, const __u8 *a, int plen)
{
	int n = plen / 8, r = plen % 8;

	memset(out, 0, 16);
	memcpy(out, a, n);
	if (r)
		out[n] = a[n] & (__u8)(0xff << (8 - r));
}

__u32 lpm_encode(__u8 plen, const struct ipxr_route *rt)
{
	__u32 w;

	/* a route of type IPXR_RT_UNSPEC keeps its length: shorter routes do not paint over it */
	if (!rt)
		return NONE;
	w = (__u32)plen << IPXR_LPM_PLEN_SHIFT;
	/* what the leaf has no room for: the trie answers (only a hand-written map has such ids,
	 * a route MTU the program must check, a counted route's slot) */
	if (rt->nh_id > IPXR_LPM_NH_MASK || rt->mtu || rt->counter || rt->type > IPXR_LPM_TYPE_MASK)
		return w | IPXR_LPM_TRIE;
	return w | (__u32)rt->type << IPXR_LPM_TYPE_SHIFT | rt->nh_id;
}

static void meta_init(struct lpm *l)
{
	__u32 *m = meta(l);

	memset(m, 0, GBYTES);
	m[IPXR_LPM_M_MAGIC] = IPXR_LAYOUT_MAGIC;
	m[IPXR_LPM_M_FAMILY] = l->bytes == 4 ? 4 : 6;
	m[IPXR_LPM_M_TRIE_ID] = l->gen;
	m[IPXR_LPM_M_HIWATER] = IPXR_LPM_MIN_GROUPS;
	m[IPXR_LPM_M_USED] = IPXR_LPM_MIN_GROUPS;
}

/* ------------------------------------------------------------------------------------------ */
/* Grace periods and pools                                                                     */

/*
 * Wait until no XDP program run that started before is still running. 0 or a negative errno
 * (MEMBARRIER_CMD_GLOBAL is refused on nohz_full kernels).
 */
static int grace(void)
{
	if (syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0) == 0)
		return 0;
	return -errno;
}

/*
 * The grace-period thread, one per process: it runs a period whenever one was asked for since
 * the last began. Tickets count the periods asked for; a batch of groups handed over with
 * ticket T is free once T periods have passed.
 */
static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool started;
	bool failed;		/* no thread, or membarrier refused: graces are synchronous */
	unsigned long asked, passed;
} gp = { .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER };

static void *grace_thread(void *arg)
{
	unsigned long t;

	(void)arg;
	pthread_mutex_lock(&gp.mu);
	for (;;) {
		while (gp.passed == gp.asked)
			pthread_cond_wait(&gp.cv, &gp.mu);
		t = gp.asked;	/* the period below begins after every request up to t */
		pthread_mutex_unlock(&gp.mu);
		if (grace())
			usleep(50 * 1000);	/* as stale_release(): time is all there is */
		pthread_mutex_lock(&gp.mu);
		gp.passed = t;
		pthread_cond_broadcast(&gp.cv);
	}
	return NULL;
}

/* Ask for a grace period that begins after this call: its ticket, 0 when there is no thread. */
static unsigned long grace_ask(void)
{
	sigset_t all, old;
	unsigned long t = 0;
	pthread_t th;

	pthread_mutex_lock(&gp.mu);
	if (!gp.started && !gp.failed) {
		/* signals stay the main thread's (ipxr sync's SIGTERM) */
		sigfillset(&all);
		pthread_sigmask(SIG_SETMASK, &all, &old);
		if (pthread_create(&th, NULL, grace_thread, NULL) == 0) {
			pthread_detach(th);
			gp.started = true;
		} else {
			gp.failed = true;
		}
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	if (gp.started) {
		t = ++gp.asked;
		pthread_cond_broadcast(&gp.cv);
	}
	pthread_mutex_unlock(&gp.mu);
	return t;
}

/* Whether the period of ticket @t has passed; with @wait, once it has. */
static bool grace_passed(unsigned long t, bool wait)
{
	bool done;

	pthread_mutex_lock(&gp.mu);
	while (wait && gp.passed < t)
		pthread_cond_wait(&gp.cv, &gp.mu);
	done = gp.passed >= t;
	pthread_mutex_unlock(&gp.mu);
	return done;
}

static void stale_release(struct lpm *l)
{
	int i;

	if (!l->n_stale)
		return;
	/* without a grace period, time is all there is: a packet's lookup takes microseconds */
	if (grace())
		usleep(50 * 1000);
	for (i = 0; i < l->n_stale; i++)
		close(l->stale[i]);
	l->n_stale = 0;
}

static int pool_create(const struct lpm *l, __u32 groups, __u32 **w)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = BPF_F_INNER_MAP | BPF_F_MMAPABLE);
	void *p;
	int fd, err;

	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, l->bytes == 4 ? "ipxr_lpm4" : "ipxr_lpm6",
			    sizeof(__u32), GBYTES, groups, &opts);
	if (fd < 0)
		return -errno;
	p = mmap(NULL, (size_t)groups * GBYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		err = -errno;
		close(fd);
		return err;
	}
	*w = p;
	return fd;
}

/*
 * Put the pool @fd (@groups groups at @w, complete) in the slot in place of the current one,
 * which is closed after a grace period. 0 or a negative errno (then @fd is closed).
 */
static int pool_publish(struct lpm *l, int fd, __u32 *w, __u32 groups)
{
	int err;

	if (bpf_map_update_elem(l->outer_fd, &l->slot, &fd, BPF_ANY)) {
		err = -errno;
		munmap(w, (size_t)groups * GBYTES);
		close(fd);
		return err;
	}
	if (l->pool_fd >= 0) {
		munmap(l->w, l->map_len);
		if (l->n_stale == LPM_STALE_MAX)
			stale_release(l);
		l->stale[l->n_stale++] = l->pool_fd;
	}
	l->pool_fd = fd;
	l->w = w;
	l->cap = groups;
	l->map_len = (size_t)groups * GBYTES;
	return 0;
}

/*
 * Room for at least @need groups, the content kept. Each step allocates (and the kernel clears)
 * a whole pool and copies the old one: with steps of a quarter, a routing daemon's full IPv6
 * table allocated five times its final pool, a third of ipxr sync's CPU time while it followed
 * the load. So a pool doubles up to GROW_DOUBLE_MAX, and above it too while it keeps growing
 * (the last step less than GROW_LOAD_S ago: a load); a single step above it is a quarter.
 * What a load leaves unused, lpm_compact() gives back once the load is over.
 */
#define GROW_DOUBLE_MAX	65536U	/* groups: 64 MiB */
#define GROW_LOAD_S	2.0

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int grow(struct lpm *l, __u32 need)
{
	double now = mono_s();
	bool load = l->grown_at && now - l->grown_at < GROW_LOAD_S;
	__u32 step = l->cap < GROW_DOUBLE_MAX || load ? l->cap : l->cap / 4, cap, *w;

	cap = l->cap + (step > INIT_GROUPS ? step : INIT_GROUPS);
	int fd, err;

	if (cap < need)
		cap = need;
	if (cap > IPXR_LPM_IDX_MASK / 2 && need <= IPXR_LPM_IDX_MASK / 2)
		cap = IPXR_LPM_IDX_MASK / 2;
	if (cap > IPXR_LPM_IDX_MASK / 2)
		return -E2BIG;
	l->grown_at = now;
	if (l->outer_fd < 0) {
		w = realloc(l->w, (size_t)cap * GBYTES);
		if (!w)
			return -ENOMEM;
		memset(w + (size_t)l->cap * GSIZE, 0, (size_t)(cap - l->cap) * GBYTES);
		l->w = w;
		l->cap = cap;
		return 0;
	}
	/* readers go on in the old pool until the new one, a complete copy, is in the slot */
	fd = pool_create(l, cap, &w);
	if (fd < 0)
		return fd;
	memcpy(w, l->w, (size_t)l->cap * GBYTES);
	err = pool_publish(l, fd, w, cap);
	return err;
}

/*
 * The waiting batch becomes the free list (empty: the caller's condition) when its grace period
 * has passed (@wait: once it has). A batch another process handed over has no ticket here: a
 * period asked for now begins after its groups were freed, which is all it needs.
 */
static void wait_reclaim(struct lpm *l, bool wait)
{
	__u32 *m = meta(l);

	if (!m[M_WAIT] && !m[M_TWAIT])
		return;
	/* groups are appended to an empty free list only: it keeps no last group */
	if (m[M_WAIT] && m[IPXR_LPM_M_FREE])
		return;
	if (m[M_TWAIT] && !tail_ok(l, m[M_TWAIT_LAST]))
		return;		/* a pool not ipxr's: the next repaint starts it afresh */
	if (!l->wait_ticket)
		l->wait_ticket = grace_ask();
	if (l->wait_ticket ? !grace_passed(l->wait_ticket, wait) : !wait || grace())
		return;
	if (m[M_WAIT])
		m[IPXR_LPM_M_FREE] = m[M_WAIT];	/* limbo's list, ended by 0 when handed over */
	m[M_WAIT] = 0;
	if (m[M_TWAIT]) {
		tail_at(l, m[M_TWAIT_LAST])->next = m[M_TFREE];
		m[M_TFREE] = m[M_TWAIT];
	}
	m[M_TWAIT] = 0;
	l->wait_ticket = 0;
}

/*
 * Limbo handed to the grace-period thread as the waiting batch, when it holds @min groups' worth
 * (a group of tails counting as one).
 */
static void limbo_handover(struct lpm *l, __u32 min)
{
	__u32 *m = meta(l);

	if (m[M_WAIT] || m[M_TWAIT] || (!m[IPXR_LPM_M_LIMBO] && !m[M_TLIMBO]) ||
	    m[M_LIMBO_N] + (m[M_TLIMBO_N] + TPG - 1) / TPG < min)
		return;
	m[M_WAIT] = m[IPXR_LPM_M_LIMBO];
	m[IPXR_LPM_M_LIMBO] = 0;
	m[M_LIMBO_N] = 0;
	m[M_TWAIT] = m[M_TLIMBO];
	m[M_TWAIT_LAST] = m[M_TLIMBO_LAST];
	m[M_TLIMBO] = 0;
	m[M_TLIMBO_N] = 0;
	l->wait_ticket = grace_ask();
}

/* A group filled with @fill (not yet reachable), or a negative errno. */
static long group_alloc(struct lpm *l, __u32 fill)
{
	__u32 *m = meta(l), g, *e;
	int err, i;

	if (!m[IPXR_LPM_M_FREE]) {
		wait_reclaim(l, false);
		limbo_handover(l, LIMBO_BATCH);
	}
	/* no free group and none unused: wait for the batch, or for limbo's own period */
	if (!m[IPXR_LPM_M_FREE] && m[IPXR_LPM_M_HIWATER] >= l->cap) {
		lpm_quiesce(l);
		m = meta(l);
	}
	g = m[IPXR_LPM_M_FREE];
	if (g) {
		if (g < IPXR_LPM_MIN_GROUPS || g >= l->cap)
			return -EUCLEAN;
		m[IPXR_LPM_M_FREE] = ld(l->w + (size_t)g * GSIZE) & ~IPXR_LPM_TRIE;
	} else {
		if (m[IPXR_LPM_M_HIWATER] >= l->cap) {
			err = grow(l, m[IPXR_LPM_M_HIWATER] + 1);
			if (err)
				return err;
			m = meta(l);
		}
		g = m[IPXR_LPM_M_HIWATER]++;
	}
	m[IPXR_LPM_M_USED]++;
	e = l->w + (size_t)g * GSIZE;
	for (i = 0; i < GSIZE; i++)
		st(&e[i], fill);
	return g;
}

static void group_free(struct lpm *l, __u32 g)
{
	__u32 *m = meta(l), *e = l->w + (size_t)g * GSIZE;
	int i;

	for (i = 1; i < GSIZE; i++)
		st(&e[i], IPXR_LPM_TRIE);
	st(&e[0], IPXR_LPM_TRIE | m[IPXR_LPM_M_LIMBO]);
	m[IPXR_LPM_M_LIMBO] = g;
	m[M_LIMBO_N]++;
	m[IPXR_LPM_M_USED]--;
}

/*
 * A tail, not yet reachable, or a negative errno. Tails come from a free list; when it is empty,
 * a group is cut into 32 of them. Such groups stay tails' (until a repaint).
 */
static long tail_alloc(struct lpm *l)
{
	__u32 *m = meta(l), t, i;
	long g;

	if (!m[M_TFREE]) {
		wait_reclaim(l, false);
		limbo_handover(l, LIMBO_BATCH);
	}
	if (!m[M_TFREE]) {
		g = group_alloc(l, IPXR_LPM_TRIE);
		if (g < 0)
			return g;
		if (g >= TAIL_GROUPS_MAX)
			return -E2BIG;
		m = meta(l);
		for (i = TPG; i-- > 0;) {
			t = (__u32)g << IPXR_LPM_TAIL_SHIFT | i;
			tail_at(l, t)->next = m[M_TFREE];
			m[M_TFREE] = t;
		}
	}
	t = m[M_TFREE];
	if (!tail_ok(l, t))
		return -EUCLEAN;
	m[M_TFREE] = tail_at(l, t)->next;
	m[M_TUSED]++;
	return t;
}

/*
 * A tail no entry points at any more. A packet that read the entry before it changed may still
 * read it: its addr stays, hit and miss send such a reader to the trie, and it is reused after a
 * grace period, as a group is. A pool no program reads (lpm_init()) reuses it at once.
 */
static void tail_free(struct lpm *l, __u32 t)
{
	struct ipxr_lpm_tail *r = tail_at(l, t);
	__u32 *m = meta(l);

	st(&r->hit, IPXR_LPM_TRIE);
	st(&r->miss, IPXR_LPM_TRIE);
	m[M_TUSED]--;
	if (l->outer_fd < 0) {
		r->next = m[M_TFREE];
		m[M_TFREE] = t;
		return;
	}
	r->next = m[M_TLIMBO];
	if (!m[M_TLIMBO])
		m[M_TLIMBO_LAST] = t;
	m[M_TLIMBO] = t;
	m[M_TLIMBO_N]++;
}

/* ------------------------------------------------------------------------------------------ */
/* Opening                                                                                     */

struct tkey {
	__u32 prefixlen;
	__u8 addr[16];
};

static int trie_lookup(void *ctx, const __u8 *addr, __u8 plen, struct ipxr_route *rt)
{
	struct lpm *l = ctx;
	struct tkey key = { .prefixlen = plen };

	memcpy(key.addr, addr, l->bytes);
	if (bpf_map_lookup_elem(l->trie_fd, &key, rt))
		return errno == ENOENT ? 0 : -errno;
	return 1;
}

static int trie_dump(void *ctx, struct lpm_route **r, size_t *n);

static void lpm_reset(struct lpm *l, int af)
{
	memset(l, 0, sizeof(*l));
	l->af = af;
	l->bytes = af == AF_INET ? 4 : 16;
	l->outer_fd = -1;
	l->trie_fd = -1;
	l->pool_fd = -1;
}

int lpm_init(struct lpm *l, int af, __u32 gen, lpm_lookup_fn lookup, lpm_dump_fn dump,
	     void *ctx)
{
	lpm_reset(l, af);
	l->gen = gen;
	l->lookup = lookup;
	l->dump = dump;
	l->ctx = ctx;
	l->cap = INIT_GROUPS;
	l->w = calloc(l->cap, GBYTES);
	if (!l->w)
		return -ENOMEM;
	meta_init(l);
	return 0;
}

int lpm_open(struct lpm *l, int af, int lpm_fd, int trie_fd)
{
	struct bpf_map_info info = {}, tinfo = {};
	__u32 len = sizeof(info), tlen = sizeof(tinfo), id;
	void *p;
	int fd, err;

	lpm_reset(l, af);
	if (af != AF_INET && af != AF_INET6)
		return -EAFNOSUPPORT;
	if (bpf_obj_get_info_by_fd(lpm_fd, &info, &len) ||
	    bpf_obj_get_info_by_fd(trie_fd, &tinfo, &tlen))
		return -errno;
	if (info.type != BPF_MAP_TYPE_ARRAY_OF_MAPS || info.key_size != sizeof(__u32) ||
	    info.max_entries != IPXR_LPM_SLOTS || tinfo.type != BPF_MAP_TYPE_LPM_TRIE ||
	    tinfo.key_size != 4U + l->bytes || !tinfo.id)
		return -EINVAL;
	l->gen = tinfo.id;
	l->lookup = trie_lookup;
	l->dump = trie_dump;
	l->ctx = l;
	l->outer_fd = lpm_fd;
	l->trie_fd = trie_fd;
	l->slot = af == AF_INET ? IPXR_LPM_SLOT4 : IPXR_LPM_SLOT6;
	if (bpf_map_lookup_elem(lpm_fd, &l->slot, &id))
		return errno == ENOENT ? 0 : -errno;	/* never painted */
	fd = bpf_map_get_fd_by_id(id);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	memset(&info, 0, sizeof(info));
	len = sizeof(info);
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		err = -errno;
		goto fail;
	}
	err = -EINVAL;
	if (info.type != BPF_MAP_TYPE_ARRAY || info.key_size != sizeof(__u32) ||
	    info.value_size != GBYTES || info.max_entries < IPXR_LPM_MIN_GROUPS ||
	    info.max_entries > IPXR_LPM_IDX_MASK || !(info.map_flags & BPF_F_MMAPABLE))
		goto fail;
	p = mmap(NULL, (size_t)info.max_entries * GBYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 0);
	if (p == MAP_FAILED) {
		err = -errno;
		goto fail;
	}
	l->w = p;
	l->cap = info.max_entries;
	l->pool_fd = fd;
	l->map_len = (size_t)info.max_entries * GBYTES;
	return 0;
fail:
	close(fd);
	return err;
}

void lpm_close(struct lpm *l)
{
	stale_release(l);
	if (l->map_len)
		munmap(l->w, l->map_len);
	else if (l->outer_fd < 0)
		free(l->w);
	if (l->pool_fd >= 0)
		close(l->pool_fd);
	l->w = NULL;
	l->map_len = 0;
	l->pool_fd = -1;
}

/* ------------------------------------------------------------------------------------------ */
/* The bracket                                                                                 */

bool lpm_in_step(const struct lpm *l)
{
	const __u32 *m;

	if (!l->w)
		return false;
	m = meta(l);
	return ld(&m[IPXR_LPM_M_MAGIC]) == IPXR_LAYOUT_MAGIC &&
	       ld(&m[IPXR_LPM_M_FAMILY]) == (l->bytes == 4 ? 4U : 6U) &&
	       ld(&m[IPXR_LPM_M_TRIE_ID]) == l->gen && !ld(&m[IPXR_LPM_M_DIRTY]) &&
	       ld(&m[IPXR_LPM_M_HIWATER]) >= IPXR_LPM_MIN_GROUPS &&
	       ld(&m[IPXR_LPM_M_HIWATER]) <= l->cap;
}

void lpm_begin(struct lpm *l)
{
	l->begun = true;
	l->repaint = !lpm_in_step(l);
	if (!l->repaint)
		__atomic_store_n(&meta(l)[IPXR_LPM_M_DIRTY], 1, __ATOMIC_SEQ_CST);
}

void lpm_invalidate(struct lpm *l)
{
	l->repaint = true;
}

int lpm_end(struct lpm *l)
{
	int err = 0;

	if (!l->begun)
		return 0;
	l->begun = false;
	if (l->repaint) {
		err = lpm_repaint(l);
		/*
		 * The pool may now miss changes of the trie: out of the slot with it, the program
		 * uses the trie until a writer can paint one.
		 */
		if (err && l->outer_fd >= 0)
			bpf_map_delete_elem(l->outer_fd, &l->slot);
	} else {
		__atomic_store_n(&meta(l)[IPXR_LPM_M_DIRTY], 0, __ATOMIC_RELEASE);
		/* what this bracket freed starts its grace period now, not at the next need */
		wait_reclaim(l, false);
		limbo_handover(l, LIMBO_BATCH);
	}
	stale_release(l);
	return err;
}

bool lpm_compact(struct lpm *l)
{
	__u32 used;

	if (!l->w || l->outer_fd < 0 || l->cap <= GROW_DOUBLE_MAX || !l->begun || l->repaint)
		return false;
	used = meta(l)[IPXR_LPM_M_HIWATER];
	/* a repaint leaves an eighth unused: worth it when a third is */
	if (l->cap - used <= l->cap / 3)
		return false;
	l->repaint = true;
	return true;
}

void lpm_quiesce(struct lpm *l)
{
	__u32 *m;

	if (!l->w)
		return;
	m = meta(l);
	if (!m[IPXR_LPM_M_FREE] || !m[M_TFREE])
		limbo_handover(l, 1);
	wait_reclaim(l, true);
}

/* ------------------------------------------------------------------------------------------ */
/* Incremental painting                                                                        */

/*
 * Entries [@off, @off + @n) of the flat word array, and every group and tail below them, whose
 * leaf is not longer than @plen get @w. A tail's hit is longer than its entry, so only its miss
 * can be @plen's. False when an index is out of range (repaint).
 */
static bool paint(struct lpm *l, size_t off, size_t n, __u8 plen, __u32 w)
{
	struct ipxr_lpm_tail *r;
	size_t i;
	__u32 x;

	for (i = off; i < off + n; i++) {
		x = ld(&l->w[i]);
		if (is_tail(x)) {
			x &= IPXR_LPM_TAIL_MASK;
			if (!tail_ok(l, x))
				return false;
			r = tail_at(l, x);
			if (lpm_leaf_plen(ld(&r->miss)) <= plen)
				st(&r->miss, w);
		} else if (is_group(x)) {
			x &= IPXR_LPM_IDX_MASK;
			if (x < IPXR_LPM_MIN_GROUPS || x >= l->cap ||
			    !paint(l, (size_t)x * GSIZE, GSIZE, plen, w))
				return false;
		} else if (lpm_leaf_plen(x) <= plen) {
			st(&l->w[i], w);
		}
	}
	return true;
}

/* The position of @addr's entry at level @k of group @g (the root for @k 0). */
static inline size_t entry_at(const __u8 *addr, int k, __u32 g)
{
	return k ? (size_t)g * GSIZE + addr[k + 1] : (size_t)addr[0] << 8 | addr[1];
}

/* The level holding a route of length @plen, and its entries' prefix length. */
static inline int level_of(__u8 plen)
{
	return plen <= 16 ? 0 : (plen - 9) / 8;
}

/* The prefix length of the entries of level @k. */
static inline int entry_plen(int k)
{
	return 16 + 8 * k;
}

/* The first entry and the number of entries a route of length @plen spans at its level. */
static void span_of(const __u8 *addr, __u8 plen, __u32 g, size_t *off, size_t *n)
{
	int k = level_of(plen), e = entry_plen(k);

	*n = (size_t)1 << (e - plen);
	*off = entry_at(addr, k, g) & ~(*n - 1);
}

/*
 * The tail of the entry @x at level @k on @addr's path, or NULL when it is not one ipxr painted
 * there (an index out of range, a route not inside the entry, or not longer than it).
 */
static struct ipxr_lpm_tail *tail_of(const struct lpm *l, __u32 x, int k, const __u8 *addr)
{
	struct ipxr_lpm_tail *r;
	__u32 t = x & IPXR_LPM_TAIL_MASK;
	int plen;

	if (!tail_ok(l, t))
		return NULL;
	r = tail_at(l, t);
	plen = lpm_leaf_plen(ld(&r->hit));
	if (plen <= entry_plen(k) || plen > 8 * l->bytes ||
	    !same_bits(r->addr, addr, entry_plen(k)))
		return NULL;
	return r;
}

/*
 * Entry @off (level @k, now leaf @miss) gets a tail for the route @addr/@plen, leaf @hit: the
 * first route longer than the entry inside it. 0 or a negative errno.
 */
static int tail_new(struct lpm *l, size_t off, const __u8 *addr, __u8 plen, __u32 hit,
		    __u32 miss)
{
	struct ipxr_lpm_tail *r;
	long t = tail_alloc(l);

	if (t < 0)
		return (int)t;
	r = tail_at(l, (__u32)t);
	prefix_of(r->addr, addr, plen);
	st(&r->hit, hit);
	st(&r->miss, miss);
	__atomic_store_n(&l->w[off], IPXR_LPM_TAIL | (__u32)t, __ATOMIC_RELEASE);
	return 0;
}

/*
 * A second route reaches below the entry @off (level @k), a tail: in its place a group of level
 * @k + 1 that holds what the tail did (its route painted there, or, deeper, a copy of the tail
 * one level down), filled first and published with one store. *@x: the entry now. 0 or a
 * negative errno.
 *
 * Not the tail itself one level down: the route painted next may change the miss of the smaller
 * entry and not of the larger, and a packet that read the old entry may still read the tail.
 */
static int expand(struct lpm *l, size_t off, int k, __u32 *x)
{
	__u32 t = *x & IPXR_LPM_TAIL_MASK, hit, miss, g;
	const struct ipxr_lpm_tail *r = tail_at(l, t);
	size_t o, n, i;
	long ng, nt = 0;
	__u8 q[16];
	__u8 qlen;

	memcpy(q, r->addr, sizeof(q));
	hit = ld(&r->hit);
	miss = ld(&r->miss);
	qlen = lpm_leaf_plen(hit);
	if (level_of(qlen) > k + 1) {
		nt = tail_alloc(l);
		if (nt < 0)
			return (int)nt;
	}
	ng = group_alloc(l, miss);
	if (ng < 0) {
		if (nt)
			tail_free(l, (__u32)nt);
		return (int)ng;
	}
	g = (__u32)ng;
	if (!nt) {
		span_of(q, qlen, g, &o, &n);
		for (i = o; i < o + n; i++)
			st(&l->w[i], hit);
	} else {
		memcpy(tail_at(l, (__u32)nt)->addr, q, sizeof(q));
		st(&tail_at(l, (__u32)nt)->hit, hit);
		st(&tail_at(l, (__u32)nt)->miss, miss);
		st(&l->w[entry_at(q, k + 1, g)], IPXR_LPM_TAIL | (__u32)nt);
	}
	*x = IPXR_LPM_GROUP | g;
	__atomic_store_n(&l->w[off], *x, __ATOMIC_RELEASE);
	tail_free(l, t);
	return 0;
}

int lpm_set(struct lpm *l, const __u8 *addr, __u8 plen, const struct ipxr_route *rt)
{
	int k, last = level_of(plen), err;
	__u32 w = lpm_encode(plen, rt), g = 0, x;
	struct ipxr_lpm_tail *r;
	size_t off, n;
	long ng;

	if (plen > 8 * l->bytes)
		return -EINVAL;
	if (l->repaint || !l->w)
		return 0;
	for (k = 0; k < last; k++) {
		off = entry_at(addr, k, g);
		x = ld(&l->w[off]);
		if (is_tail(x)) {
			r = tail_of(l, x, k, addr);
			if (!r) {
				l->repaint = true;
				return -EUCLEAN;
			}
			/* the route the tail holds, replaced: one store */
			if (lpm_leaf_plen(ld(&r->hit)) == plen && same_bits(r->addr, addr, plen)) {
				st(&r->hit, w);
				return 0;
			}
			err = expand(l, off, k, &x);
			if (err) {
				l->repaint = true;
				return err;
			}
		} else if (!is_group(x) && tails(l)) {
			err = tail_new(l, off, addr, plen, w, x);
			if (err)
				l->repaint = true;
			return err;
		} else if (!is_group(x)) {
			/* what the entry said, one level down, before a reader can get there */
			ng = group_alloc(l, x);
			if (ng < 0) {
				l->repaint = true;
				return (int)ng;
			}
			x = IPXR_LPM_GROUP | (__u32)ng;
			__atomic_store_n(&l->w[off], x, __ATOMIC_RELEASE);
		}
		g = x & IPXR_LPM_IDX_MASK;
		if (g < IPXR_LPM_MIN_GROUPS || g >= l->cap) {
			l->repaint = true;
			return -EUCLEAN;
		}
	}
	span_of(addr, plen, g, &off, &n);
	if (!paint(l, off, n, plen, w)) {
		l->repaint = true;
		return -EUCLEAN;
	}
	return 0;
}

/*
 * What the entry pointing at group @g (level @k, on @addr's path) must be now, if not a group: 1
 * and *@out when the group holds no route longer than that entry (one leaf 256 times) or exactly
 * one (a tail: the group's one tail, or a new one for the one route painted in the group); 0
 * when the group stays; a negative errno. The leaf the group inherits is the one no longer than
 * the entry: two routes of one length with one next hop paint equal leaves, which must not pass
 * for a route covering the entry.
 */
static int collapse(struct lpm *l, __u32 g, int k, const __u8 *addr, __u32 *out)
{
	const __u32 *e = l->w + (size_t)g * GSIZE;
	int up = entry_plen(k - 1), i, first = -1, n_other = 0, n_tail = 0, tail = -1;
	__u32 base, other = 0, x;
	__u8 q[16];
	long t;

	for (i = 0; i < GSIZE; i++) {
		x = ld(&e[i]);
		if (is_group(x) || (is_tail(x) && (!tails(l) || ++n_tail > 1)))
			return 0;
		if (is_tail(x))
			tail = i;
	}
	if (tail >= 0) {
		x = ld(&e[tail]);
		if (!tail_ok(l, x & IPXR_LPM_TAIL_MASK))
			return -EUCLEAN;
		base = ld(&tail_at(l, x & IPXR_LPM_TAIL_MASK)->miss);
		if (lpm_leaf_plen(base) > up)
			return 0;
		for (i = 0; i < GSIZE; i++)
			if (i != tail && ld(&e[i]) != base)
				return 0;
		*out = x;	/* the tail moves up, as it is */
		return 1;
	}
	/* a route of this level spans at most half the group: one end is the inherited leaf */
	base = ld(&e[0]);
	if (lpm_leaf_plen(base) > up)
		base = ld(&e[GSIZE - 1]);
	if (lpm_leaf_plen(base) > up)
		return 0;
	for (i = 0; i < GSIZE; i++) {
		x = ld(&e[i]);
		if (x == base)
			continue;
		if (first < 0) {
			first = i;
			other = x;
		} else if (x != other || i != first + n_other) {
			return 0;
		}
		n_other++;
	}
	if (!n_other) {
		*out = base;
		return 1;
	}
	/* one route: the one aligned block its length spans */
	i = lpm_leaf_plen(other);
	if (!tails(l) || i <= up || i > entry_plen(k) || n_other != 1 << (entry_plen(k) - i) ||
	    first % n_other)
		return 0;
	memcpy(q, addr, sizeof(q));
	q[k + 1] = (__u8)first;
	t = tail_alloc(l);
	if (t < 0)
		return (int)t;
	prefix_of(tail_at(l, (__u32)t)->addr, q, i);
	st(&tail_at(l, (__u32)t)->hit, other);
	st(&tail_at(l, (__u32)t)->miss, base);
	*out = IPXR_LPM_TAIL | (__u32)t;
	return 1;
}

/* The leaf of the route now covering @addr/@plen, from the trie. 0 or a negative errno. */
static int covering(struct lpm *l, const __u8 *addr, __u8 plen, __u32 *w)
{
	struct ipxr_route cov, again;
	int ret;

	*w = NONE;
	if (!plen)
		return 0;
	ret = l->lookup(l->ctx, addr, plen - 1, &cov);
	if (ret <= 0)
		return ret;
	/*
	 * The trie answers with the value only: its prefixlen says which route it is, and a lookup
	 * at that length must give the same one. A value that lies about its length (written by
	 * hand) gets a repaint from the keys instead.
	 */
	ret = cov.prefixlen < plen ? l->lookup(l->ctx, addr, (__u8)cov.prefixlen, &again) : 0;
	if (ret < 0)
		return ret;
	if (!ret || again.prefixlen != cov.prefixlen || memcmp(&again, &cov, sizeof(cov)))
		return -EUCLEAN;
	*w = lpm_encode((__u8)cov.prefixlen, &cov);
	return 0;
}

int lpm_del(struct lpm *l, const __u8 *addr, __u8 plen)
{
	int k, last = level_of(plen), ret;
	struct ipxr_lpm_tail *r;
	size_t ref[16], off, n;
	__u32 w, g = 0, x;

	if (plen > 8 * l->bytes)
		return -EINVAL;
	if (l->repaint || !l->w)
		return 0;
	ret = covering(l, addr, plen, &w);
	if (ret) {
		l->repaint = true;
		return ret == -EUCLEAN ? 0 : ret;
	}
	for (k = 0; k < last; k++) {
		off = entry_at(addr, k, g);
		x = ld(&l->w[off]);
		if (is_tail(x)) {
			/* the entry's one route: the entry is the covering leaf again */
			r = tail_of(l, x, k, addr);
			if (!r || lpm_leaf_plen(ld(&r->hit)) != plen ||
			    !same_bits(r->addr, addr, plen)) {
				l->repaint = true;
				return 0;
			}
			__atomic_store_n(&l->w[off], w, __ATOMIC_RELEASE);
			tail_free(l, x & IPXR_LPM_TAIL_MASK);
			last = k;
			goto up;
		}
		g = x & IPXR_LPM_IDX_MASK;
		if (!is_group(x) || g < IPXR_LPM_MIN_GROUPS || g >= l->cap) {
			/* the route was never painted: the pool is not what it should be */
			l->repaint = true;
			return 0;
		}
		ref[k + 1] = off;
	}
	span_of(addr, plen, g, &off, &n);
	if (!paint(l, off, n, plen, w)) {
		l->repaint = true;
		return -EUCLEAN;
	}
up:
	/* groups on the path that hold one route or none any more: a tail or a leaf goes up */
	for (k = last; k > 0; k--) {
		g = ld(&l->w[ref[k]]) & IPXR_LPM_IDX_MASK;
		ret = collapse(l, g, k, addr, &w);
		if (ret < 0) {
			l->repaint = true;
			return ret;
		}
		if (!ret)
			break;
		__atomic_store_n(&l->w[ref[k]], w, __ATOMIC_RELEASE);
		group_free(l, g);
	}
	return 0;
}

/* Whether @addr is inside the tail @r's route: its hit, else its miss. */
static __u32 tail_leaf(const struct ipxr_lpm_tail *r, const __u8 *addr)
{
	__u32 hit = ld(&r->hit);

	return same_bits(r->addr, addr, lpm_leaf_plen(hit)) ? hit : ld(&r->miss);
}

__u32 lpm_leaf(const struct lpm *l, const __u8 *addr)
{
	__u32 x, g;
	int k;

	if (!l->w)
		return IPXR_LPM_TRIE;
	x = ld(&l->w[entry_at(addr, 0, 0)]);
	for (k = 1; is_group(x); k++) {
		g = x & IPXR_LPM_IDX_MASK;
		if (k > l->bytes - 2 || g >= l->cap)
			return IPXR_LPM_TRIE;
		x = ld(&l->w[entry_at(addr, k, g)]);
	}
	if (is_tail(x)) {
		x &= IPXR_LPM_TAIL_MASK;
		return tail_ok(l, x) ? tail_leaf(tail_at(l, x), addr) : IPXR_LPM_TRIE;
	}
	return x;
}

__u32 lpm_groups_used(const struct lpm *l)
{
	return l->w ? ld(&meta(l)[IPXR_LPM_M_USED]) : 0;
}

__u32 lpm_tails_used(const struct lpm *l)
{
	return l->w ? ld(&meta(l)[M_TUSED]) : 0;
}

size_t lpm_bytes(const struct lpm *l)
{
	return l->w ? (size_t)l->cap * GBYTES : 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Painting everything                                                                         */

static int by_plen(const void *a, const void *b)
{
	const struct lpm_route *x = a, *y = b;

	if (x->plen != y->plen)
		return (int)x->plen - (int)y->plen;
	return memcmp(x->addr, y->addr, sizeof(x->addr));
}

int lpm_build(struct lpm *l, struct lpm_route *r, size_t n)
{
	size_t i;
	int err;

	for (i = 0; i < n; i++)
		if (r[i].plen > 8 * l->bytes)
			return -EINVAL;
	/*
	 * Shorter routes first: each route then paints only the entries it spans at its level
	 * (nothing longer is there yet to recurse into), at most 256 stores past the root.
	 */
	qsort(r, n, sizeof(*r), by_plen);
	memset(l->w, 0, (size_t)IPXR_LPM_MIN_GROUPS * GBYTES);
	meta_init(l);
	l->repaint = false;
	for (i = 0; i < n; i++) {
		err = lpm_set(l, r[i].addr, r[i].plen, &r[i].rt);
		if (err)
			return err;
	}
	return 0;
}

/* Up to @max keys (of @ks bytes) and values of the trie after the key @tok_in (NULL: first). */
static int dump_chunk(int fd, size_t ks, bool *batch, const void *tok_in, void *tok_out,
		      __u8 *keys, struct ipxr_route *vals, __u32 max, __u32 *cnt, bool *done)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	const void *prev = tok_in;

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
		if (bpf_map_get_next_key(fd, prev, keys + *cnt * ks)) {
			if (errno != ENOENT)
				return -errno;
			*done = true;
			break;
		}
		/* the key itself: a lookup at its own length finds nothing longer */
		if (bpf_map_lookup_elem(fd, keys + *cnt * ks, &vals[*cnt]))
			return -errno;
		prev = keys + *cnt * ks;
	}
	if (*cnt)
		memcpy(tok_out, keys + (*cnt - 1) * ks, ks);
	return 0;
}

/* Every key and value of the trie. */
static int trie_dump(void *ctx, struct lpm_route **out, size_t *count)
{
	struct lpm *l = ctx;
	const size_t ks = 4 + l->bytes;
	const __u32 chunk = 8192;
	struct lpm_route *r = NULL, *nr;
	struct ipxr_route *vals;
	struct tkey tok[2];
	size_t n = 0, alloc = 0, i;
	bool batch = true, done = false;
	__u8 *keys;
	__u32 cnt, plen;
	int err = 0, t = 0;

	keys = calloc(chunk, ks);
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
		err = dump_chunk(l->trie_fd, ks, &batch, n ? &tok[t] : NULL, &tok[!t], keys, vals,
				 chunk, &cnt, &done);
		if (!err && !cnt && !done)
			err = -EIO;	/* no progress: never loop */
		if (err)
			goto out;
		t = !t;
		for (i = 0; i < cnt; i++) {
			memcpy(&plen, keys + i * ks, sizeof(plen));
			memset(r[n + i].addr, 0, sizeof(r[n + i].addr));
			memcpy(r[n + i].addr, keys + i * ks + 4, l->bytes);
			r[n + i].plen = (__u8)plen;
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

/* A memory pool painted from everything the trie of @l holds now. */
static int build_from_trie(struct lpm *l, struct lpm *b)
{
	struct lpm_route *r = NULL;
	size_t n = 0;
	int err;

	err = lpm_init(b, l->af, l->gen, l->lookup, l->dump, l->ctx);
	if (err)
		return err;
	err = l->dump(l->ctx, &r, &n);
	if (!err)
		err = lpm_build(b, r, n);
	free(r);
	if (err)
		lpm_close(b);
	return err;
}

int lpm_repaint(struct lpm *l)
{
	__u32 used, groups, *w;
	struct lpm b;
	int fd, err;

	err = build_from_trie(l, &b);
	if (err)
		return err;
	if (l->outer_fd < 0) {
		free(l->w);
		l->w = b.w;
		l->cap = b.cap;
		l->repaint = false;
		return 0;
	}
	/* room for growth: an eighth more, and at least a pool's first size */
	used = meta(&b)[IPXR_LPM_M_HIWATER];
	groups = used + used / 8;
	if (groups < INIT_GROUPS)
		groups = INIT_GROUPS;
	fd = pool_create(l, groups, &w);
	if (fd < 0) {
		lpm_close(&b);
		return fd;
	}
	memcpy(w, b.w, (size_t)used * GBYTES);
	lpm_close(&b);
	err = pool_publish(l, fd, w, groups);
	if (!err)
		l->repaint = false;
	return err;
}

/* ------------------------------------------------------------------------------------------ */
/* Verifying                                                                                   */

struct verify {
	const struct lpm *l, *ref;
	lpm_mismatch_fn cb;
	void *ctx;
	long bad;
	int bytes;
};

static void mismatch(struct verify *v, const __u8 *addr, __u8 plen, __u32 got, __u32 want)
{
	v->bad++;
	if (v->cb)
		v->cb(v->ctx, addr, plen, got, want);
}

/* Entries @a of the pool and @b of the reference, for the prefix @addr/@plen, level @k. */
static void compare(struct verify *v, __u8 *addr, int k, __u32 a, __u32 b)
{
	const struct ipxr_lpm_tail *ta, *tb;
	__u8 plen = 16 + 8 * k;
	__u32 ga, gb;
	int i;

	if (is_tail(a) && is_tail(b) && tail_ok(v->l, a & IPXR_LPM_TAIL_MASK)) {
		/* the same route, hit and miss: where the tails sit may differ */
		ta = tail_at(v->l, a & IPXR_LPM_TAIL_MASK);
		tb = tail_at(v->ref, b & IPXR_LPM_TAIL_MASK);
		i = memcmp(ta->addr, tb->addr, sizeof(ta->addr));
		if (i || ld(&ta->hit) != tb->hit)
			mismatch(v, tb->addr, lpm_leaf_plen(tb->hit),
				 i ? IPXR_LPM_TAIL : ld(&ta->hit), tb->hit);
		if (ld(&ta->miss) != tb->miss)
			mismatch(v, addr, plen, ld(&ta->miss), tb->miss);
		return;
	}
	if (!(a & IPXR_LPM_GROUP) && !(b & IPXR_LPM_GROUP)) {
		if (a != b)
			mismatch(v, addr, plen, a, b);
		return;
	}
	if (is_tail(a) || is_tail(b)) {
		mismatch(v, addr, plen, a & IPXR_LPM_GROUP ? a & IPXR_LPM_TAIL : a,
			 b & IPXR_LPM_GROUP ? b & IPXR_LPM_TAIL : b);
		return;
	}
	ga = a & IPXR_LPM_IDX_MASK;
	gb = b & IPXR_LPM_IDX_MASK;
	if (!is_group(a) || !is_group(b) || k + 2 >= v->bytes || ga >= v->l->cap ||
	    ga < IPXR_LPM_MIN_GROUPS) {
		mismatch(v, addr, plen, a, is_group(b) ? IPXR_LPM_GROUP : b);
		return;
	}
	for (i = 0; i < GSIZE; i++) {
		addr[k + 2] = (__u8)i;
		compare(v, addr, k + 1, ld(&v->l->w[(size_t)ga * GSIZE + i]),
			v->ref->w[(size_t)gb * GSIZE + i]);
	}
	addr[k + 2] = 0;
}

long lpm_verify(struct lpm *l, lpm_mismatch_fn cb, void *ctx)
{
	struct verify v = { .l = l, .cb = cb, .ctx = ctx, .bytes = l->bytes };
	struct lpm_route *r = NULL;
	struct ipxr_route rt;
	__u8 addr[16] = {};
	const __u32 *m;
	struct lpm b;
	size_t n = 0, i;
	__u32 want, got;
	int err, ret;

	if (!l->w)
		return -ENOENT;
	m = meta(l);
	for (i = 0; i < IPXR_LPM_M_FREE; i++) {
		__u32 want_m[IPXR_LPM_M_FREE] = {
			[IPXR_LPM_M_MAGIC] = IPXR_LAYOUT_MAGIC,
			[IPXR_LPM_M_FAMILY] = l->bytes == 4 ? 4 : 6,
			[IPXR_LPM_M_TRIE_ID] = l->gen,
			[IPXR_LPM_M_DIRTY] = 0,
		};

		got = ld(&m[i]);
		if (i == IPXR_LPM_M_HIWATER ? got > l->cap || got < IPXR_LPM_MIN_GROUPS :
		    got != want_m[i])
			mismatch(&v, NULL, (__u8)i, got, i == IPXR_LPM_M_HIWATER ? l->cap : want_m[i]);
	}

	/* every entry against a pool painted from scratch (which has no groups to spare) */
	err = build_from_trie(l, &b);
	if (err)
		return err;
	v.ref = &b;
	for (i = 0; i < (size_t)IPXR_LPM_ROOT_GROUPS * GSIZE; i++) {
		addr[0] = (__u8)(i >> 8);
		addr[1] = (__u8)i;
		compare(&v, addr, 0, ld(&l->w[i]), b.w[i]);
	}
	lpm_close(&b);

	/* and, not through the painter, each route's first address against the trie's match */
	err = l->dump(l->ctx, &r, &n);
	if (err)
		return err;
	for (i = 0; i < n; i++) {
		memcpy(addr, r[i].addr, sizeof(addr));
		ret = l->lookup(l->ctx, addr, 8 * l->bytes, &rt);
		if (ret < 0) {
			free(r);
			return ret;
		}
		want = ret ? lpm_encode((__u8)rt.prefixlen, &rt) : NONE;
		got = lpm_leaf(l, addr);
		if (got != want)
			mismatch(&v, addr, 8 * l->bytes, got, want);
	}
	free(r);
	return v.bad;
}
