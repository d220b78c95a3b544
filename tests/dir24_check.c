// SPDX-License-Identifier: GPL-2.0
/*
 * dir24_check PINDIR: whether the pinned front table ipxr_dir24 is in step with the pinned trie
 * ipxr_route4, slot by slot. For tests/cli.sh, and independent of ipxr/dir24.c on purpose: the
 * expected table is computed the plain way (every route of length <= 24 paints its slots, the
 * shorter ones first, so the longest covering route wins; routes longer than /24 mark their
 * slot), and the state word must say "in step with this trie". Exit 0 in step, 1 not (the first
 * differing slots are printed), 2 on an error.
 *
 *	dir24_check PINDIR		check everything
 *	dir24_check PINDIR ADDRESS	also print the word of ADDRESS's /24 as hex
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "ipxr_maps.h"

#define SLOTS	IPXR_DIR24_SLOTS

struct rt {
	__u32 addr;	/* host order */
	__u32 plen;
	struct ipxr_route val;
};

static int by_plen(const void *a, const void *b)
{
	const struct rt *x = a, *y = b;

	return (int)x->plen - (int)y->plen;
}

static int open_pinned(const char *dir, const char *name)
{
	LIBBPF_OPTS(bpf_obj_get_opts, opts, .file_flags = BPF_F_RDONLY);
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = bpf_obj_get_opts(path, &opts);
	if (fd < 0)
		fprintf(stderr, "dir24_check: %s: %s\n", path, strerror(errno));
	return fd;
}

/* Every key and value of the trie, in *@out. 0 or -1. */
static int read_trie(int fd, struct rt **out, size_t *count)
{
	struct ipxr_route4_key key, prev;
	struct rt *r = NULL, *nr;
	size_t n = 0, alloc = 0;
	const void *p = NULL;

	while (bpf_map_get_next_key(fd, p, &key) == 0) {
		if (n == alloc) {
			alloc = alloc ? 2 * alloc : 1024;
			nr = realloc(r, alloc * sizeof(*r));
			if (!nr)
				goto fail;
			r = nr;
		}
		/* a lookup with the key's own length returns that key's value */
		if (bpf_map_lookup_elem(fd, &key, &r[n].val))
			goto fail;
		r[n].addr = ntohl(key.addr);
		r[n].plen = key.prefixlen;
		n++;
		prev = key;
		p = &prev;
	}
	if (errno != ENOENT)
		goto fail;
	*out = r;
	*count = n;
	return 0;
fail:
	fprintf(stderr, "dir24_check: reading ipxr_route4: %s\n", strerror(errno));
	free(r);
	return -1;
}

/*
 * Every word of the table, read with batch lookups: a map opened read-only cannot be mapped
 * shared, and the checker must not be able to write what it checks.
 */
static int read_table(int fd, __u32 *word)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	const __u32 chunk = 1U << 16;	/* divides IPXR_DIR24_ENTRIES */
	__u32 in, out, cnt, *keys, i;
	size_t done = 0;
	void *token = NULL;	/* the last key read: the next batch starts after it */
	int err;

	keys = calloc(chunk, sizeof(*keys));
	if (!keys)
		return -1;
	for (;;) {
		cnt = chunk;
		err = bpf_map_lookup_batch(fd, token, &out, keys, word + 2 * done, &cnt, &opts);
		if (err && errno != ENOENT)
			break;
		for (i = 0; i < cnt; i++)
			if (keys[i] != done + i)
				goto bad;
		done += cnt;
		if (err || done == IPXR_DIR24_ENTRIES)
			break;
		in = out;
		token = &in;
	}
	if (done == IPXR_DIR24_ENTRIES) {
		free(keys);
		return 0;
	}
bad:
	fprintf(stderr, "dir24_check: reading ipxr_dir24: %s after %zu elements\n",
		err ? strerror(errno) : "not in key order", done);
	free(keys);
	return -1;
}

static __u32 encode(const struct rt *r)
{
	__u32 w = IPXR_D24_VALID | r->plen << IPXR_D24_PLEN_SHIFT |
		  (__u32)r->val.type << IPXR_D24_TYPE_SHIFT;

	return r->val.nh_id > IPXR_D24_NH_MASK ? w | IPXR_D24_OPAQUE : w | r->val.nh_id;
}

int main(int argc, char **argv)
{
	size_t n = 0, i;
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), *exp, s, first, end, bad = 0;
	__u32 *word;
	struct in_addr a;
	struct rt *r = NULL;
	int tfd, dfd;

	if (argc < 2 || argc > 3 || (argc == 3 && inet_pton(AF_INET, argv[2], &a) != 1)) {
		fprintf(stderr, "usage: dir24_check PINDIR [ IPV4-ADDRESS ]\n");
		return 2;
	}
	tfd = open_pinned(argv[1], IPXR_MAP_ROUTE4);
	dfd = open_pinned(argv[1], IPXR_MAP_DIR24);
	if (tfd < 0 || dfd < 0 || bpf_obj_get_info_by_fd(tfd, &info, &len) ||
	    read_trie(tfd, &r, &n))
		return 2;
	word = malloc((size_t)SLOTS * sizeof(*word));
	exp = malloc((size_t)SLOTS * sizeof(*exp));
	if (!word || !exp || read_table(dfd, word)) {
		free(word);
		free(exp);
		free(r);
		return 2;
	}
	if (argc == 3)
		printf("0x%08x\n", word[ntohl(a.s_addr) >> 8]);

	for (s = 0; s < SLOTS; s++)
		exp[s] = IPXR_D24_VALID;	/* no route */
	qsort(r, n, sizeof(*r), by_plen);
	for (i = 0; i < n; i++) {
		if (r[i].plen > 24)
			continue;
		first = (r[i].plen ? r[i].addr & ~0U << (32 - r[i].plen) : 0) >> 8;
		end = first + (1U << (24 - r[i].plen));
		for (s = first; s < end; s++)
			exp[s] = encode(&r[i]);
	}
	for (i = 0; i < n; i++)
		if (r[i].plen > 24)
			exp[r[i].addr >> 8] |= IPXR_D24_LONGER;
	exp[IPXR_D24_STATE] = IPXR_D24_VALID | info.id;

	for (s = 0; s < SLOTS; s++) {
		if (word[s] == exp[s])
			continue;
		if (bad++ < 10)
			printf("slot %u.%u.%u.0/24: 0x%08x, expected 0x%08x%s\n", s >> 16,
			       s >> 8 & 0xff, s & 0xff, word[s], exp[s],
			       s == IPXR_D24_STATE ? " (the state word)" : "");
	}
	if (bad)
		printf("not in step: %u of %u slots differ (%zu routes)\n", bad, SLOTS, n);
	else
		printf("in step: %u slots, %zu routes\n", SLOTS, n);
	free(word);
	free(exp);
	free(r);
	close(tfd);
	close(dfd);
	return bad ? 1 : 0;
}
