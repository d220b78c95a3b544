// SPDX-License-Identifier: GPL-2.0
/*
 * lpm_check PINDIR [ADDRESS...]: whether the pinned front structure ipxr_lpm is in step with the
 * pinned tries ipxr_route4 and ipxr_route6, for the shell tests. A wrapper of lpm_verify()
 * (ipxr/lpm.c), which compares every entry (IPv6 tails too) with a pool painted from scratch and
 * every route's first address with the kernel trie's own longest match. With ADDRESSes (all of
 * one family), the first lines are the leaves its pool gives them (what the program reads, through
 * groups and tails), one a line, as 0x%08x. Then one line per family (the ADDRESSes' first):
 * "inet: in step ..." or the mismatches and "inet: not in step ...". Exit 0 when both are in
 * step, 1 when not (a family never painted included), 2 on an error.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <bpf/bpf.h>

#include "lpm.h"

static int open_pinned(const char *dir, const char *name)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = bpf_obj_get(path);
	if (fd < 0)
		fprintf(stderr, "lpm_check: %s: %s\n", path, strerror(errno));
	return fd;
}

struct shown {
	int af;
	long n;
};

static void on_mismatch(void *ctx, const __u8 *addr, __u8 plen, __u32 got, __u32 want)
{
	struct shown *s = ctx;
	char a[INET6_ADDRSTRLEN];

	if (s->n++ >= 10)
		return;
	if (!addr)
		printf("meta word %u: %#x, expected %#x\n", plen, got, want);
	else
		printf("%s/%u: 0x%08x, expected 0x%08x\n", inet_ntop(s->af, addr, a, sizeof(a)),
		       plen, got, want);
}

int main(int argc, char **argv)
{
	const char *names[2] = { IPXR_MAP_ROUTE4, IPXR_MAP_ROUTE6 };
	const int afs[2] = { AF_INET, AF_INET6 };
	int lfd, i, j, n, ret = 0, want_af = 0;
	struct shown s;
	__u8 addr[16] = {};
	struct lpm l;
	long bad;

	for (j = 2; j < argc; j++) {
		int af = inet_pton(AF_INET, argv[j], addr) == 1 ? AF_INET :
			 inet_pton(AF_INET6, argv[j], addr) == 1 ? AF_INET6 : 0;

		if (!af || (want_af && af != want_af)) {
			want_af = -1;
			break;
		}
		want_af = af;
	}
	if (argc < 2 || want_af < 0) {
		fprintf(stderr, "usage: lpm_check PINDIR [ ADDRESS... ] (of one family)\n");
		return 2;
	}
	lfd = open_pinned(argv[1], IPXR_MAP_LPM);
	if (lfd < 0)
		return 2;
	/* the family of the ADDRESSes first: their leaves are the first lines */
	for (n = 0; n < 2; n++) {
		int tfd, err;

		i = want_af == AF_INET6 ? 1 - n : n;
		s = (struct shown){ .af = afs[i] };
		tfd = open_pinned(argv[1], names[i]);

		if (tfd < 0)
			return 2;
		err = lpm_open(&l, afs[i], lfd, tfd);
		if (err) {
			fprintf(stderr, "lpm_check: %s: %s\n", names[i], strerror(-err));
			return 2;
		}
		for (j = 2; want_af == afs[i] && j < argc; j++) {
			memset(addr, 0, sizeof(addr));
			inet_pton(afs[i], argv[j], addr);
			printf("0x%08x\n", lpm_leaf(&l, addr));
		}
		bad = lpm_verify(&l, on_mismatch, &s);
		if (bad == -ENOENT) {
			printf("%s: not painted (the program uses the trie)\n",
			       i ? "inet6" : "inet");
			ret = ret ? ret : 1;
		} else if (bad < 0) {
			fprintf(stderr, "lpm_check: %s: %s\n", names[i], strerror((int)-bad));
			ret = 2;
		} else if (bad) {
			printf("%s: not in step: %ld mismatches\n", i ? "inet6" : "inet", bad);
			ret = ret ? ret : 1;
		} else {
			printf("%s: in step: %u groups in use (%u tails), %zu bytes\n",
			       i ? "inet6" : "inet", lpm_groups_used(&l), lpm_tails_used(&l),
			       lpm_bytes(&l));
		}
		lpm_close(&l);
		close(tfd);
	}
	close(lfd);
	return ret;
}
