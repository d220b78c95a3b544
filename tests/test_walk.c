// SPDX-License-Identifier: GPL-2.0
/*
 * route_keys()/trie_keys() (ipxr/maps.c) under a concurrent writer, made deterministic: this
 * program's own bpf_map_get_next_key() takes the place of libbpf's for the code linked into it,
 * and before chosen calls it deletes the key the walk stands on (what another ipxr deleting
 * that route at that instant does), deletes others, or adds new ones. Whatever it does, every
 * key present throughout must come back exactly once, in the kernel's walk order: issue 11's
 * "route show printed routes twice". A real LPM trie of the kernel; needs root (CAP_BPF).
 */
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "maps.h"
#include "tap.h"

enum disturb { NONE, DEL_PREV, DEL_PREV_AND_BEFORE, ADD_BEHIND, DEL_FIRST };

static struct {
	int fd;
	unsigned long calls;
	unsigned long every;	/* disturb before every Nth call */
	enum disturb what;
	unsigned int added;
	__u32 deleted[4096];	/* keys deleted by the disturbance, as addr | plen */
	unsigned int ndeleted;
} w;

static int (*real_next)(int, const void *, void *);

static void del_key(const struct route_key *k)
{
	__be32 a;

	if (bpf_map_delete_elem(w.fd, k) == 0 && w.ndeleted < 4096) {
		memcpy(&a, k->addr, 4);
		w.deleted[w.ndeleted++] = ntohl(a) | k->prefixlen;
	}
}

/* libbpf's, as the code under test calls it, with a writer in between */
int bpf_map_get_next_key(int fd, const void *key, void *next_key)
{
	struct route_key k = {};

	if (!real_next)
		real_next = (int (*)(int, const void *, void *))dlsym(RTLD_NEXT,
								       "bpf_map_get_next_key");
	if (fd == w.fd && key && w.every && ++w.calls % w.every == 0) {
		memcpy(&k, key, 8);
		switch (w.what) {
		case NONE:
			break;
		case DEL_PREV:
			del_key(&k);
			break;
		case DEL_PREV_AND_BEFORE:
			/* the key and the one the walk gave before it, if it finds it */
			del_key(&k);
			k.addr[2] ^= 1;
			del_key(&k);
			break;
		case ADD_BEHIND:
			/* a new /32 inside 10.0.0.0/8: before or after the walk's place */
			k.prefixlen = 32;
			k.addr[0] = 10;
			k.addr[1] = (__u8)(w.added >> 8);
			k.addr[2] = (__u8)w.added;
			k.addr[3] = 1;
			w.added++;
			{
				__u8 val[64] = {};

				bpf_map_update_elem(w.fd, &k, val, BPF_NOEXIST);
			}
			/* and the walk's own key goes, so it must step back */
			memcpy(&k, key, 8);
			del_key(&k);
			break;
		case DEL_FIRST:
			if (real_next(fd, NULL, &k) == 0)
				del_key(&k);
			del_key(key);
			break;
		}
	}
	return real_next(fd, key, next_key);
}

static __u32 as_u32(const struct route_key *k)
{
	__be32 a;

	memcpy(&a, k->addr, 4);
	return ntohl(a) | k->prefixlen;
}

static bool was_deleted(__u32 v)
{
	unsigned int i;

	for (i = 0; i < w.ndeleted; i++)
		if (w.deleted[i] == v)
			return true;
	return false;
}

static int cmp_u32(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	return (x > y) - (x < y);
}

/* 1,200 nested prefixes: /8s, /16s inside them, /24s inside those */
static __u32 fill(__u32 *all)
{
	__u8 val[sizeof(struct ipxr_route)] = {};
	struct route_key k = {};
	__u32 n = 0, a, b, c;

	for (a = 1; a <= 4; a++)
		for (b = 0; b < 10; b++)
			for (c = 0; c < 30; c++) {
				k.addr[0] = (__u8)a;
				k.addr[1] = (__u8)b;
				k.addr[2] = (__u8)c;
				k.prefixlen = c ? 24 : b ? 16 : 8;
				if (k.prefixlen == 16)
					k.addr[2] = 0;
				if (k.prefixlen == 8)
					k.addr[1] = k.addr[2] = 0;
				if (bpf_map_update_elem(w.fd, &k, val, BPF_NOEXIST) == 0)
					all[n++] = as_u32(&k);
			}
	return n;
}

static void run(const char *name, enum disturb what, unsigned long every)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = BPF_F_NO_PREALLOC);
	__u32 all[2000], *got, n, i, dup = 0, missing = 0, stray = 0;
	struct route_key *keys = NULL;
	size_t cnt = 0;
	int err;

	memset(&w, 0, sizeof(w));
	w.fd = bpf_map_create(BPF_MAP_TYPE_LPM_TRIE, "walk", sizeof(struct ipxr_route4_key),
			      sizeof(struct ipxr_route), 4096, &opts);
	if (!check(w.fd >= 0, "%s: an LPM trie%s%s", name, w.fd < 0 ? ": " : "",
		   w.fd < 0 ? strerror(errno) : ""))
		return;
	n = fill(all);
	qsort(all, n, sizeof(*all), cmp_u32);
	w.every = every;
	w.what = what;
	err = trie_keys(w.fd, 32, &keys, &cnt);
	w.every = 0;
	if (!check(!err, "%s: the walk ends%s%s", name, err ? ": " : "", err ? strerror(-err) : ""))
		goto out;
	got = calloc(cnt + 1, sizeof(*got));
	for (i = 0; i < cnt; i++)
		got[i] = as_u32(&keys[i]);
	qsort(got, cnt, sizeof(*got), cmp_u32);
	for (i = 1; i < cnt; i++)
		dup += got[i] == got[i - 1];
	for (i = 0; i < n; i++)
		if (!was_deleted(all[i]) && !bsearch(&all[i], got, cnt, sizeof(*got), cmp_u32))
			missing++;
	/* what it lists is what existed at some point: the originals and the added /32s */
	for (i = 0; i < cnt; i++)
		if (!bsearch(&got[i], all, n, sizeof(*all), cmp_u32) && got[i] >> 24 != 10)
			stray++;
	check(dup == 0, "%s: no route listed twice (%u of %zu, %u keys deleted meanwhile)", name,
	      dup, cnt, w.ndeleted);
	check(missing == 0, "%s: no route present throughout skipped (%u)", name, missing);
	check(stray == 0, "%s: nothing listed that never was (%u)", name, stray);
	if (what == NONE)
		check(cnt == n, "%s: all %u routes listed (%zu)", name, n, cnt);
	else
		check(w.ndeleted > 0, "%s: the writer deleted keys under the walk (%u)", name,
		      w.ndeleted);
	free(got);
out:
	free(keys);
	close(w.fd);
}

int main(void)
{
	run("undisturbed", NONE, 0);
	run("the walk's key deleted every 7th step", DEL_PREV, 7);
	run("the walk's key deleted every step", DEL_PREV, 1);
	run("the walk's key and the one before deleted", DEL_PREV_AND_BEFORE, 5);
	run("routes added behind the walk, its key deleted", ADD_BEHIND, 3);
	run("the first key and the walk's deleted", DEL_FIRST, 50);
	printf("# test_walk: %d passed, %d failed\n", n_ok, n_fail);
	return n_fail ? 1 : 0;
}
