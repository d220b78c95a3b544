// SPDX-License-Identifier: GPL-2.0
/* The next-hop sets of multipath kernel routes, interned (kroute.h). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "kroute.h"

#define KPATH_HASH	1024	/* buckets; a set chain is short: routers have few distinct sets */
#define KPATH_BLOCK	64	/* entries are allocated in blocks that never move */
#define KPATH_BLOCKS	1024	/* at most 65,536 distinct sets in a process */

struct kpath_entry {
	struct kpath_set s;
	__u32 next;		/* id of the next entry in the hash chain, 0: none */
};

static struct {
	pthread_mutex_t lock;
	struct kpath_entry *blk[KPATH_BLOCKS];	/* id - 1 = block * KPATH_BLOCK + index */
	__u32 n;
	__u32 head[KPATH_HASH];
} kp = { .lock = PTHREAD_MUTEX_INITIALIZER };

static struct kpath_entry *entry(__u32 id)
{
	return &kp.blk[(id - 1) / KPATH_BLOCK][(id - 1) % KPATH_BLOCK];
}

/* Compared and hashed over what a route's next hops are, not padding or unused slots. */
static void canon(const struct kpath_set *in, struct kpath_set *out)
{
	unsigned int i;

	memset(out, 0, sizeof(*out));
	out->n = in->n < KPATH_MAX ? in->n : KPATH_MAX;
	for (i = 0; i < out->n; i++) {
		out->p[i].oif = in->p[i].oif;
		out->p[i].has_gw = in->p[i].has_gw;
		if (in->p[i].has_gw) {
			out->p[i].gw.family = in->p[i].gw.family;
			out->p[i].gw.bitlen = in->p[i].gw.bitlen;
			memcpy(out->p[i].gw.addr, in->p[i].gw.addr, af_bytes(in->p[i].gw.family));
		}
		out->p[i].weight = in->p[i].weight;
		out->p[i].flags = in->p[i].flags;
	}
}

static __u32 set_hash(const struct kpath_set *s)
{
	const unsigned char *b = (const void *)s;
	size_t len = offsetof(struct kpath_set, p) + s->n * sizeof(s->p[0]), i;
	__u32 h = 2166136261u;

	for (i = 0; i < len; i++)
		h = (h ^ b[i]) * 16777619u;
	return h % KPATH_HASH;
}

__u32 kpath_intern(const struct kpath_set *in)
{
	struct kpath_set s;
	struct kpath_entry *e;
	__u32 h, id;

	canon(in, &s);
	h = set_hash(&s);
	pthread_mutex_lock(&kp.lock);
	for (id = kp.head[h]; id; id = entry(id)->next)
		if (!memcmp(&entry(id)->s, &s, sizeof(s)))
			goto out;
	id = 0;
	if (kp.n % KPATH_BLOCK == 0) {
		if (kp.n / KPATH_BLOCK >= KPATH_BLOCKS)
			goto out;
		kp.blk[kp.n / KPATH_BLOCK] = calloc(KPATH_BLOCK, sizeof(struct kpath_entry));
		if (!kp.blk[kp.n / KPATH_BLOCK])
			goto out;
	}
	id = ++kp.n;
	e = entry(id);
	e->s = s;
	e->next = kp.head[h];
	kp.head[h] = id;
out:
	pthread_mutex_unlock(&kp.lock);
	return id;
}

const struct kpath_set *kpath_get(__u32 id)
{
	const struct kpath_set *s = NULL;

	pthread_mutex_lock(&kp.lock);
	if (id && id <= kp.n)
		s = &entry(id)->s;
	pthread_mutex_unlock(&kp.lock);
	return s;
}
