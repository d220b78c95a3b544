// SPDX-License-Identifier: GPL-2.0
/*
 * memlat: what a dependent read of a large pool costs the fast path, for make bench. The limits
 * of a lookup's cost at scale are those of memory, not of the lookup's code: this measures them
 * alone, with BPF_PROG_TEST_RUN as bench/nsperpkt measures the router.
 *
 * bench/memlat_kern.o reads 0 to 3 entries of a 96 MiB array of 1 KiB groups (as large as
 * ipxr's front structure for a full IPv4 table), each naming the group of the next. Cold, as
 * nsperpkt's cold rows: 4096 frames, each a different first group, one run per call in turn,
 * so that what a frame reads is not in the caches and TLB from the frame before. Cases:
 *
 *   0 reads			the harness and the program, no pool read
 *   1 read			a random group
 *   2 reads, same page	the second read in the 4 KiB page of the first
 *   2 reads			the second anywhere in the pool
 *   3 reads			each anywhere
 *   1 read, hot		one frame, 250 runs a call: the read from the L1 cache
 *
 * The cases are interleaved over --rounds rounds, after one not counted (it brings the pool
 * into the last-level cache); each row gives the median of the rounds' means and each round's. The process is pinned to one CPU (--cpu, default the last).
 *
 * Usage: memlat [--obj PATH] [--rounds N] [--cpu N] [--json]	(root)
 */
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#define GROUPS		(96 * 1024)	/* as memlat_kern.c */
#define GSIZE		256
#define FRAMES		4096
#define FRAME_LEN	64
#define HOT_REPEAT	250
#define HOT_CALLS	40
#define MAX_ROUNDS	15

enum { C_NONE, C_ONE, C_NEAR, C_FAR, C_THREE, C_HOT, NCASES };

static const struct {
	const char *name;
	int reads;
} cases[NCASES] = {
	[C_NONE] = { "0 reads", 0 },
	[C_ONE] = { "1 read", 1 },
	[C_NEAR] = { "2 reads, same page", 2 },
	[C_FAR] = { "2 reads", 2 },
	[C_THREE] = { "3 reads", 3 },
	[C_HOT] = { "1 read, hot", 1 },
};

static uint8_t frames[NCASES][FRAMES][FRAME_LEN];

static uint64_t rng = 0x6d656d6c6174ULL;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

/* Frame @i of case @c: @reads reads from group @g, entries @k. */
static void frame_set(int c, int i, uint32_t g, const uint8_t *k)
{
	uint8_t *f = frames[c][i] + 14;
	uint32_t reads = (uint32_t)cases[c].reads;

	memcpy(f, &reads, 4);
	memcpy(f + 4, &g, 4);
	memcpy(f + 8, k, 3);
}

/*
 * The chains: frame i starts at an even group g. Entry k[0] of g names g + 1, in g's page (the
 * near case), entry k[0] ^ 128 a random odd group (the far cases), whose entry k[1] names
 * another random group: the groups of the far cases are never in the first one's page.
 */
static void chains(uint32_t *pool)
{
	uint32_t g, far, far2;
	uint8_t k[3], kf[3];
	int i;

	for (i = 0; i < FRAMES; i++) {
		g = rnd() % (GROUPS / 2) * 2;
		far = rnd() % (GROUPS / 2) * 2 + 1;
		far2 = rnd() % (GROUPS / 2) * 2 + 1;
		k[0] = (uint8_t)rnd();
		k[1] = k[2] = (uint8_t)rnd();
		kf[0] = k[0] ^ 128;
		kf[1] = k[1];
		kf[2] = k[2];
		pool[(size_t)g * GSIZE + k[0]] = g + 1;
		pool[(size_t)g * GSIZE + kf[0]] = far;
		pool[(size_t)far * GSIZE + kf[1]] = far2;
		frame_set(C_NONE, i, g, k);
		frame_set(C_ONE, i, g, k);
		frame_set(C_NEAR, i, g, k);
		frame_set(C_FAR, i, g, kf);
		frame_set(C_THREE, i, g, kf);
	}
	frame_set(C_HOT, 0, g, k);
}

/* One round of case @c: the mean ns per run, or < 0. */
static double round_of(int prog, int c)
{
	int n = c == C_HOT ? HOT_CALLS : FRAMES, i;
	double sum = 0;

	for (i = 0; i < n; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, t, .data_in = frames[c][c == C_HOT ? 0 : i],
			    .data_size_in = FRAME_LEN, .repeat = c == C_HOT ? HOT_REPEAT : 1);

		if (bpf_prog_test_run_opts(prog, &t) || t.retval != XDP_PASS)
			return -1;
		sum += t.duration;
	}
	return sum / n;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "obj", required_argument, NULL, 'o' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "cpu", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{}
	};
	const char *obj = "build/bench/memlat_kern.o";
	double ns[NCASES][MAX_ROUNDS], sorted[MAX_ROUNDS];
	int rounds = 5, cpu = (int)sysconf(_SC_NPROCESSORS_ONLN) - 1, prog, fd, c, r, i;
	struct bpf_object *o;
	bool json = false;
	cpu_set_t set;
	uint32_t *pool;

	while ((c = getopt_long(argc, argv, "o:r:c:j", lo, NULL)) != -1) {
		switch (c) {
		case 'o':
			obj = optarg;
			break;
		case 'r':
			rounds = atoi(optarg);
			if (rounds < 1 || rounds > MAX_ROUNDS) {
				fprintf(stderr, "Error: --rounds \"%s\": 1 to %d\n", optarg,
					MAX_ROUNDS);
				return 1;
			}
			break;
		case 'c':
			cpu = atoi(optarg);
			break;
		case 'j':
			json = true;
			break;
		default:
			fprintf(stderr, "Usage: memlat [--obj PATH] [--rounds N] [--cpu N] "
				"[--json]\n");
			return 1;
		}
	}
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		fprintf(stderr, "Error: CPU %d: %s\n", cpu, strerror(errno));
		return 1;
	}
	o = bpf_object__open_file(obj, NULL);
	if (!o || bpf_object__load(o)) {
		fprintf(stderr, "Error: loading %s: %s\n", obj, strerror(errno));
		return 1;
	}
	fd = bpf_object__find_map_fd_by_name(o, "memlat_pool");
	prog = bpf_program__fd(bpf_object__find_program_by_name(o, "memlat"));
	pool = mmap(NULL, (size_t)GROUPS * GSIZE * 4, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (fd < 0 || prog < 0 || pool == MAP_FAILED) {
		fprintf(stderr, "Error: the pool of %s: %s\n", obj, strerror(errno));
		return 1;
	}
	chains(pool);
	/*
	 * A round first, not counted: the pool's lines come into the last-level cache (480 MiB
	 * here), where a router's hot table stays; the rounds then time the misses of the
	 * caches nearer the core and of the TLB.
	 */
	for (c = 0; c < C_HOT; c++)
		round_of(prog, c);
	for (r = 0; r < rounds; r++)
		for (c = 0; c < C_HOT; c++) {
			ns[c][r] = round_of(prog, c);
			if (ns[c][r] < 0) {
				fprintf(stderr, "Error: %s: a run failed or did not pass\n",
					cases[c].name);
				return 1;
			}
		}
	for (r = 0; r < rounds; r++)
		ns[C_HOT][r] = round_of(prog, C_HOT);
	printf("| case | reads | ns/run (median of %d rounds) | rounds |\n", rounds);
	printf("|------|------:|------:|------|\n");
	for (c = 0; c < NCASES; c++) {
		memcpy(sorted, ns[c], sizeof(double) * (size_t)rounds);
		qsort(sorted, (size_t)rounds, sizeof(double), cmp_double);
		printf("| %s | %d | %.1f |", cases[c].name, cases[c].reads, sorted[rounds / 2]);
		for (i = 0; i < rounds; i++)
			printf(" %.1f", ns[c][i]);
		printf(" |\n");
		if (!json)
			continue;
		printf("{\"case\":\"%s\",\"reads\":%d,\"same_page\":%s,\"caches\":\"%s\","
		       "\"ns_per_run\":%.1f,\"rounds\":[", cases[c].name, cases[c].reads,
		       c == C_NEAR ? "true" : "false", c == C_HOT ? "hot" : "cold",
		       sorted[rounds / 2]);
		for (i = 0; i < rounds; i++)
			printf("%s%.1f", i ? "," : "", ns[c][i]);
		printf("]}\n");
	}
	bpf_object__close(o);
	return 0;
}
