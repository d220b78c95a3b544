// SPDX-License-Identifier: GPL-2.0
/*
 * bench/stall: the longest time a CPU is kept from running a task while a big LPM trie, the
 * size of ipxr_route4 with a full table, is freed (the last reference to the map goes: pins
 * removed, object detached) or emptied key by key (ipxr route flush). One probe thread per
 * CPU, pinned and SCHED_FIFO, sleeps 1 ms at a time and records how late it wakes: a kernel
 * that frees the trie without a scheduling point delays the probe of its CPU by that long.
 * Needs root.
 *
 *	bench/stall [ ROUTES ]		(default 1,000,000)
 *	bench/stall probe SECS		only the probes, for SECS seconds
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "ipxr_maps.h"

#define MAX_CPUS	256

static volatile int stop;
static long long worst[MAX_CPUS];	/* ns late, per CPU */

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void *probe(void *arg)
{
	long cpu = (long)arg;
	struct sched_param sp = { .sched_priority = 50 };
	struct timespec d = { 0, 1000000 };
	cpu_set_t set;
	long long t, late;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
	while (!stop) {
		t = now_ns();
		nanosleep(&d, NULL);
		late = now_ns() - t - 1000000;
		if (late > worst[cpu])
			worst[cpu] = late;
	}
	return NULL;
}

static int fill(__u32 n)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = BPF_F_NO_PREALLOC);
	struct ipxr_route val = { .type = IPXR_RT_UNICAST, .nh_id = 1 };
	struct ipxr_route4_key k;
	__u32 i;
	int fd;

	fd = bpf_map_create(BPF_MAP_TYPE_LPM_TRIE, "stall", sizeof(k), sizeof(val),
			    IPXR_MAX_ROUTES4, &opts);
	if (fd < 0)
		return -errno;
	for (i = 0; i < n; i++) {
		/* a BGP table's shape: mostly /24s, spread over the space */
		k.prefixlen = 24;
		k.addr = __builtin_bswap32((0x01000000U + i * 0x100U * 3) & 0xffffff00U);
		val.prefixlen = 24;
		if (bpf_map_update_elem(fd, &k, &val, BPF_ANY))
			return -errno;
	}
	return fd;
}

/* run @what with probes on every CPU; the worst lateness over all CPUs, in microseconds */
static long long measure(const char *name, int ncpu, void (*what)(int), int fd)
{
	pthread_t th[MAX_CPUS];
	long long t0, w = 0;
	long i;

	stop = 0;
	memset(worst, 0, sizeof(worst));
	for (i = 0; i < ncpu; i++)
		pthread_create(&th[i], NULL, probe, (void *)i);
	usleep(200000);
	memset(worst, 0, sizeof(worst));	/* the probes' start is not the trie's doing */
	t0 = now_ns();
	what(fd);
	printf("%s: %.1f ms", name, (now_ns() - t0) / 1e6);
	usleep(2000000);	/* the deferred free runs in a kworker after close() */
	stop = 1;
	for (i = 0; i < ncpu; i++) {
		pthread_join(th[i], NULL);
		if (worst[i] > w)
			w = worst[i];
		printf(", cpu%ld %lld us", i, worst[i] / 1000);
	}
	printf("\n");
	return w / 1000;
}

/* as delete_all, with a pause every 16,384 deletes: the freed nodes' RCU callbacks drain */
static void delete_chunked(int fd)
{
	struct ipxr_route4_key k, next;
	unsigned int n = 0;
	int err;

	err = bpf_map_get_next_key(fd, NULL, &k);
	while (!err) {
		err = bpf_map_get_next_key(fd, &k, &next);
		bpf_map_delete_elem(fd, &k);
		k = next;
		if (++n % 16384 == 0)
			usleep(2000);
	}
	close(fd);
}

static unsigned int probe_secs;

static void wait_secs(int fd)
{
	(void)fd;
	sleep(probe_secs);
}

static void nothing(int fd)
{
	(void)fd;
}

static void free_map(int fd)
{
	close(fd);	/* the last reference: the kernel frees the whole trie */
}

static void delete_all(int fd)
{
	struct ipxr_route4_key k, next;
	int err;

	/* as ipxr route flush empties it: one key at a time */
	err = bpf_map_get_next_key(fd, NULL, &k);
	while (!err) {
		err = bpf_map_get_next_key(fd, &k, &next);
		bpf_map_delete_elem(fd, &k);
		k = next;
	}
	close(fd);
}

int main(int argc, char **argv)
{
	__u32 n = argc > 1 ? (__u32)strtoul(argv[1], NULL, 0) : 1000000;
	int ncpu = (int)sysconf(_SC_NPROCESSORS_ONLN), fd;
	long long a, b, z;

	if (ncpu > MAX_CPUS)
		ncpu = MAX_CPUS;
	/* "stall probe SECS": only the probes, while something else (ipxr route flush) runs */
	if (argc > 2 && strcmp(argv[1], "probe") == 0) {
		probe_secs = (unsigned int)strtoul(argv[2], NULL, 0);
		printf("longest stall: %lld us\n", measure("probes", ncpu, wait_secs, -1));
		return 0;
	}
	fd = fill(n);
	if (fd < 0) {
		fprintf(stderr, "stall: cannot fill a trie of %u routes: %s\n", n, strerror(-fd));
		return 1;
	}
	/* what the machine's other work costs the probes meanwhile: the noise floor */
	z = measure("nothing (the noise floor)", ncpu, nothing, fd);
	a = measure("free a trie of routes whole (unpin)", ncpu, free_map, fd);
	fd = fill(n);
	if (fd < 0)
		return 1;
	b = measure("delete its routes one by one", ncpu, delete_all, fd);
	fd = fill(n);
	if (fd < 0)
		return 1;
	measure("delete them in chunks of 16,384, 2 ms apart", ncpu, delete_chunked, fd);
	printf("longest stall: %lld us freeing %u routes whole, %lld us deleting them, %lld us "
	       "doing nothing\n", a, n, b, z);
	return 0;
}
