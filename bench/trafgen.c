// SPDX-License-Identifier: GPL-2.0
/*
 * trafgen: the traffic source and meter of the forwarding benchmark (bench/bench.sh).
 *
 * Sends 64-byte IPv4/UDP frames (66-byte IPv6/UDP ones with an IPv6 --src: the shortest with
 * an empty payload) out of a veth as fast as one CPU can: bench/gen_kern.o runs in
 * BPF_PROG_TEST_RUN's live-frames mode (BPF_F_TEST_XDP_LIVE_FRAMES, kernel >= 5.18), where each
 * run of the program on the template frame really transmits what it redirects. The program
 * rewrites the destination (from --dst-file, spread over the route table) and the source port of
 * every frame, so the router sees many flows to many prefixes. A socket loop could not outrun
 * the forwarders measured here; this can.
 *
 * After --warmup seconds it reads its meters, waits --time seconds, reads them again, stops and
 * prints one JSON object:
 *
 *   {"seconds":S,"offered_pps":N,"rx_pps":[N,...],"tx_pps":N,"busy":F,"src_cpu_s":F,
 *    "loop_cpu_s":F,"cpu_s":{"user":F,...}}
 *
 * offered_pps: what the source sent in the window (what the router's port could not take is
 * dropped there, so offered > forwarded means the forwarder, not the source, set the rate);
 * rx_pps: per --count, a pinned per-CPU map whose value at KEY starts with a u64 packet count
 * (the sink's bench_sink_cnt, ipxr_stats...); tx_pps: with --tx-count NETNS:DEV, the frames
 * DEV sent or dropped on transmit; busy: with --busy PID, the share of the window that thread
 * (the router's NAPI kthread) was on a CPU; src_cpu_s: the CPU time the sending thread used in
 * the window; loop_cpu_s: that plus the CPU time of every --loop PID (the router's and the
 * sink's NAPI kthreads), so with all of them on one CPU, the cost of the whole closed loop
 * (this kernel charges interrupt time to the task it interrupts, so nothing escapes it);
 * cpu_s: with --cpu, how the sender's CPU spent the window (/proc/stat), seconds per state.
 * Run it in the source's network namespace (the redirect target is looked up there).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/if_link.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#define MAX_DSTS	(1U << 16)	/* gen_dsts in gen_kern.c */
#define MAX_COUNTS	4
#define MAX_LOOP	4
#define GEN_HDR_LEN	(14 + 40 + 8)	/* as in gen_kern.c */
#define FRAME_LEN	60		/* IPv4: 64 bytes on the wire with the FCS */
#define FRAME6_LEN	GEN_HDR_LEN	/* IPv6: no payload, 66 bytes on the wire */
/*
 * Frames per test_run call: as many as it takes. Every live-frames call swaps the program into
 * the XDP dispatcher and out again, each time waiting for an RCU grace period (milliseconds,
 * in which the sender sleeps and its CPU idles), so the sender makes one call and stop_sender()
 * ends it with a signal (test_run returns EINTR on one).
 */
#define CHUNK		UINT32_MAX

struct count {
	const char *path;
	uint32_t key;
	int fd;
	uint32_t value_size;
};

static struct {
	const char *dev, *dst_file, *obj;
	uint8_t dmac[ETH_ALEN], smac[ETH_ALEN];
	bool have_dmac, have_smac;
	struct in_addr src;
	struct in6_addr src6;
	int family;			/* AF_INET6 with an IPv6 --src */
	uint32_t ndsts, nports, batch;
	double warmup, time;
	int cpu, rt;
	bool dump;
	struct count counts[MAX_COUNTS];
	int ncounts;
	const char *tx_ns, *tx_dev;	/* --tx-count NETNS:DEV */
	int tx_sock, tx_ifindex;
	int busy_pid;			/* --busy PID */
	int loop_pids[MAX_LOOP];	/* --loop PID */
	int nloop;
} o = {
	.ndsts = MAX_DSTS, .nports = 64, .warmup = 1, .time = 3, .cpu = -1,
	.src = { .s_addr = 0 }, .family = AF_INET,
};

static volatile sig_atomic_t stop, stop_sig;
static int prog_fd, sent_fd, ncpus;
static uint8_t frame[GEN_HDR_LEN];	/* zero-padded to the template's size in gen_cfg */
static uint32_t frame_len = FRAME_LEN;
static int gen_err;
static pthread_t gen_th;

static void on_signal(int sig)
{
	stop = 1;
	stop_sig = sig;
}

static void on_wake(int sig)
{
	(void)sig;
}

/* stop the sender, inside its test_run call or between two */
static void stop_sender(void)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };

	stop = 1;
	do
		pthread_kill(gen_th, SIGUSR1);
	while (pthread_tryjoin_np(gen_th, NULL) && !nanosleep(&ts, NULL));
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int parse_mac(const char *s, uint8_t mac[ETH_ALEN])
{
	unsigned int b[ETH_ALEN];
	int i;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]) != 6)
		return -1;
	for (i = 0; i < ETH_ALEN; i++) {
		if (b[i] > 0xff)
			return -1;
		mac[i] = (uint8_t)b[i];
	}
	return 0;
}

static uint16_t csum16(const void *buf, size_t len)
{
	const uint8_t *b = buf;
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(b[i] << 8 | b[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

static void build_frame(uint32_t first_dst)
{
	struct ethhdr *eth = (void *)frame;
	struct iphdr *iph = (void *)(eth + 1);
	struct udphdr *udp = (void *)(iph + 1);

	memset(frame, 0, sizeof(frame));
	memcpy(eth->h_dest, o.dmac, ETH_ALEN);
	memcpy(eth->h_source, o.smac, ETH_ALEN);
	eth->h_proto = htons(ETH_P_IP);
	iph->version = 4;
	iph->ihl = 5;
	iph->tot_len = htons(FRAME_LEN - sizeof(*eth));
	iph->frag_off = htons(0x4000);	/* DF */
	iph->ttl = 64;
	iph->protocol = IPPROTO_UDP;
	iph->saddr = o.src.s_addr;
	iph->daddr = first_dst;
	iph->check = csum16(iph, sizeof(*iph));
	udp->source = htons(1024);
	udp->dest = htons(9);		/* discard */
	udp->len = htons(FRAME_LEN - sizeof(*eth) - sizeof(*iph));
}

/* struct gen_dst in gen_kern.c: IPv4 in the first word */
struct gen_dst {
	uint32_t w[4];
};

static struct gen_dst dsts[MAX_DSTS];

static void build_frame6(const struct gen_dst *first_dst)
{
	struct ethhdr *eth = (void *)frame;
	struct ipv6hdr *ip6 = (void *)(eth + 1);
	struct udphdr *udp = (void *)(ip6 + 1);

	memset(frame, 0, sizeof(frame));
	frame_len = FRAME6_LEN;
	memcpy(eth->h_dest, o.dmac, ETH_ALEN);
	memcpy(eth->h_source, o.smac, ETH_ALEN);
	eth->h_proto = htons(ETH_P_IPV6);
	ip6->version = 6;
	ip6->payload_len = htons(sizeof(*udp));
	ip6->nexthdr = IPPROTO_UDP;
	ip6->hop_limit = 64;
	ip6->saddr = o.src6;
	memcpy(&ip6->daddr, first_dst->w, sizeof(ip6->daddr));
	udp->source = htons(1024);
	udp->dest = htons(9);
	udp->len = htons(sizeof(*udp));	/* gen_kern.c's xdp_gen6 sets the checksum */
}

/*
 * Destinations from --dst-file, one dotted quad per line, repeated to fill a power of two (the
 * program picks one with a mask); sets o.ndsts to that power of two.
 */
static int read_dsts(void)
{
	FILE *f = fopen(o.dst_file, "r");
	uint32_t n = 0, want, i;
	char line[64];

	if (!f) {
		fprintf(stderr, "trafgen: %s: %s\n", o.dst_file, strerror(errno));
		return -1;
	}
	while (n < o.ndsts && fgets(line, sizeof(line), f)) {
		line[strcspn(line, " \t\r\n")] = 0;
		if (!*line || *line == '#')
			continue;
		memset(&dsts[n], 0, sizeof(dsts[n]));
		if (inet_pton(o.family, line, dsts[n].w) != 1) {
			fprintf(stderr, "trafgen: %s: bad IPv%d address \"%s\"\n", o.dst_file,
				o.family == AF_INET ? 4 : 6, line);
			fclose(f);
			return -1;
		}
		n++;
	}
	fclose(f);
	if (!n) {
		fprintf(stderr, "trafgen: %s: no destinations\n", o.dst_file);
		return -1;
	}
	for (want = 1; want < n; want <<= 1)
		;
	for (i = n; i < want; i++)
		dsts[i] = dsts[i % n];
	o.ndsts = want;
	return 0;
}

static int fill_dsts(int map_fd)
{
	uint32_t i;

	for (i = 0; i < o.ndsts; i++)
		if (bpf_map_update_elem(map_fd, &i, &dsts[i], BPF_ANY)) {
			fprintf(stderr, "trafgen: gen_dsts: %s\n", strerror(errno));
			return -1;
		}
	return 0;
}

static int set_rodata(struct bpf_object *obj, uint32_t ifindex)
{
	struct bpf_map *map;

	bpf_object__for_each_map(map, obj) {
		const char *name = bpf_map__name(map);
		size_t len = strlen(name);
		/* struct gen_cfg in gen_kern.c */
		struct {
			uint32_t ifindex, dst_mask, port_mask, pad;
			uint8_t hdr[GEN_HDR_LEN];
		} cfg = { ifindex, o.ndsts - 1, o.nports - 1, 0, {} };

		if (len < 7 || strcmp(name + len - 7, ".rodata"))
			continue;
		memcpy(cfg.hdr, frame, GEN_HDR_LEN);
		if (bpf_map__value_size(map) != sizeof(cfg) ||
		    bpf_map__set_initial_value(map, &cfg, sizeof(cfg)))
			break;
		return 0;
	}
	fprintf(stderr, "trafgen: no .rodata in %s\n", o.obj);
	return -1;
}

/* Sum over CPUs of the first u64 of the per-CPU value at @key of @fd. */
static int read_sum(int fd, uint32_t key, uint32_t value_size, uint64_t *out)
{
	size_t stride = (value_size + 7) & ~7U;
	uint8_t *v = calloc((size_t)ncpus, stride);
	int i;

	if (!v)
		return -1;
	if (bpf_map_lookup_elem(fd, &key, v)) {
		free(v);
		return -1;
	}
	*out = 0;
	for (i = 0; i < ncpus; i++)
		*out += *(uint64_t *)(v + (size_t)i * stride);
	free(v);
	return 0;
}

static void *gen_thread(void *arg)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		.data_in = frame,
		.data_size_in = frame_len,
		.repeat = CHUNK,
		.flags = BPF_F_TEST_XDP_LIVE_FRAMES,
		.batch_size = o.batch,
	);

	(void)arg;
	if (o.rt > 0) {
		struct sched_param sp = { .sched_priority = o.rt };

		pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
	}
	if (o.cpu >= 0) {
		cpu_set_t cpus;

		/* the sender alone: the meter wakes wherever it can, off the loop's CPU */
		CPU_ZERO(&cpus);
		CPU_SET(o.cpu, &cpus);
		if (pthread_setaffinity_np(pthread_self(), sizeof(cpus), &cpus)) {
			gen_err = EINVAL;
			stop = 1;
			return NULL;
		}
	}
	while (!stop) {
		if (bpf_prog_test_run_opts(prog_fd, &opts)) {
			if (errno == EINTR)
				continue;
			gen_err = errno;
			stop = 1;
			break;
		}
	}
	return NULL;
}

/*
 * --tx-count NETNS:DEV: a netlink socket opened inside NETNS (it stays bound to it) and DEV's
 * index there, to read the device's transmit counters while we live in the source's namespace.
 */
static int tx_open(void)
{
	char path[128];
	int self, ns, rc = -1;

	snprintf(path, sizeof(path), "/run/netns/%s", o.tx_ns);
	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	ns = open(path, O_RDONLY | O_CLOEXEC);
	if (self < 0 || ns < 0 || setns(ns, CLONE_NEWNET)) {
		fprintf(stderr, "trafgen: netns %s: %s\n", o.tx_ns, strerror(errno));
		goto out;
	}
	o.tx_sock = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	o.tx_ifindex = (int)if_nametoindex(o.tx_dev);
	if (setns(self, CLONE_NEWNET)) {
		fprintf(stderr, "trafgen: back to our netns: %s\n", strerror(errno));
		goto out;
	}
	if (o.tx_sock < 0 || !o.tx_ifindex) {
		fprintf(stderr, "trafgen: Cannot find device \"%s\" in netns %s\n", o.tx_dev,
			o.tx_ns);
		goto out;
	}
	rc = 0;
out:
	if (self >= 0)
		close(self);
	if (ns >= 0)
		close(ns);
	return rc;
}

/* Frames the device sent or dropped on transmit (a full peer ring): all were forwarded. */
static int tx_read(uint64_t *out)
{
	struct {
		struct nlmsghdr nh;
		struct ifinfomsg ifi;
	} req = {
		.nh = { .nlmsg_len = sizeof(req), .nlmsg_type = RTM_GETLINK,
			.nlmsg_flags = NLM_F_REQUEST, .nlmsg_seq = 1 },
		.ifi = { .ifi_family = AF_UNSPEC, .ifi_index = o.tx_ifindex },
	};
	static char buf[16384];
	struct nlmsghdr *nh = (void *)buf;
	struct rtattr *rta;
	ssize_t n;
	int len;

	if (send(o.tx_sock, &req, sizeof(req), 0) < 0)
		return -1;
	n = recv(o.tx_sock, buf, sizeof(buf), 0);
	if (n < (ssize_t)NLMSG_LENGTH(sizeof(struct ifinfomsg)) || nh->nlmsg_type != RTM_NEWLINK)
		return -1;
	len = (int)nh->nlmsg_len - (int)NLMSG_LENGTH(sizeof(struct ifinfomsg));
	for (rta = IFLA_RTA(NLMSG_DATA(nh)); RTA_OK(rta, len); rta = RTA_NEXT(rta, len))
		if (rta->rta_type == IFLA_STATS64 &&
		    RTA_PAYLOAD(rta) >= sizeof(struct rtnl_link_stats64)) {
			struct rtnl_link_stats64 st;

			memcpy(&st, RTA_DATA(rta), sizeof(st));
			*out = st.tx_packets + st.tx_dropped;
			return 0;
		}
	return -1;
}

/* CPU time of thread @pid in ns (--busy: is the forwarder's thread saturated? --loop) */
static int busy_read(int pid, uint64_t *out)
{
	char path[64], line[256];
	double ms = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/sched", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "se.sum_exec_runtime : %lf", &ms) == 1)
			break;
	fclose(f);
	if (ms < 0)
		return -1;
	*out = (uint64_t)(ms * 1e6);
	return 0;
}

/*
 * The sender's CPU in /proc/stat, in USER_HZ ticks: user, nice, system, idle, iowait, irq,
 * softirq, steal. Whatever the loop's threads did not use of that CPU shows here: idle time,
 * other tasks (user/system beyond the loop's), or time the hypervisor stole.
 */
#define CPU_FIELDS 8
static int cpu_stat_read(uint64_t v[CPU_FIELDS])
{
	char want[32], line[512];
	FILE *f = fopen("/proc/stat", "r");
	int n = -1;

	if (!f)
		return -1;
	snprintf(want, sizeof(want), "cpu%d ", o.cpu);
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, want, strlen(want))) {
			n = sscanf(line + strlen(want), "%lu %lu %lu %lu %lu %lu %lu %lu", &v[0],
				   &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
			break;
		}
	fclose(f);
	return n == CPU_FIELDS ? 0 : -1;
}

/* CPU time in ns of the sending thread, and with the --loop threads' */
static int loop_read(uint64_t *src, uint64_t *loop)
{
	struct timespec ts;
	clockid_t clk;
	uint64_t t;
	int i;

	if (pthread_getcpuclockid(gen_th, &clk) || clock_gettime(clk, &ts))
		return -1;
	*src = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
	*loop = *src;
	for (i = 0; i < o.nloop; i++) {
		if (busy_read(o.loop_pids[i], &t))
			return -1;
		*loop += t;
	}
	return 0;
}

/* --dump: one ordinary test run, the frame the program would send printed in hex */
static int dump_frame(void)
{
	uint8_t out[256];
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		.data_in = frame,
		.data_size_in = frame_len,
		.data_out = out,
		.data_size_out = sizeof(out),
		.repeat = 1,
	);
	uint32_t i;

	if (bpf_prog_test_run_opts(prog_fd, &opts)) {
		fprintf(stderr, "trafgen: BPF_PROG_TEST_RUN: %s\n", strerror(errno));
		return 1;
	}
	printf("action %u, %u bytes:", opts.retval, opts.data_size_out);
	for (i = 0; i < opts.data_size_out; i++)
		printf("%s%02x", i % 16 ? " " : "\n  ", out[i]);
	printf("\n");
	return 0;
}

static int sleep_s(double s)
{
	struct timespec ts = { .tv_sec = (time_t)s, .tv_nsec = (long)((s - (time_t)s) * 1e9) };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		if (stop)
			return -1;
	return stop ? -1 : 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: trafgen --dev DEV --dst-mac MAC --src ADDRESS --dst-file FILE\n"
		"               [--src-mac MAC] [--dsts N] [--ports N] [--batch N] [--cpu N] [--rt PRIO]\n"
		"               [--warmup SECONDS] [--time SECONDS] [--count PINNED_MAP[:KEY]]...\n"
		"               [--tx-count NETNS:DEV] [--busy PID] [--loop PID]... [--dump]\n"
		"  --src    an IPv4 or IPv6 address: the family of the frames and of FILE\n"
		"  --dsts   destinations used from FILE (default and max %u, rounded to a power of 2)\n"
		"  --ports  source ports per destination (default 64, a power of 2)\n"
		"  --batch  live-frames batch size (kernel default 64)\n"
		"  --cpu    pin the sending thread (not the meter) to this CPU\n"
		"  --rt     run the sender SCHED_FIFO at this priority (the meter at one more), so\n"
		"           other work on its CPU cannot make the source, not the forwarder, the limit\n"
		"  --count  a per-CPU map to meter (key 0 unless given), up to %d\n"
		"  --tx-count NETNS:DEV  meter DEV's transmitted + transmit-dropped frames too\n"
		"  --busy PID  report the share of the window thread PID spent on a CPU\n"
		"  --loop PID  add thread PID's CPU time to the sender's in loop_cpu_s (up to %d)\n"
		"  --dump   print the first frame the program makes, send nothing\n",
		MAX_DSTS, MAX_COUNTS, MAX_LOOP);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "dev", required_argument, NULL, 'd' },
		{ "dst-mac", required_argument, NULL, 'm' },
		{ "src-mac", required_argument, NULL, 'M' },
		{ "src", required_argument, NULL, 's' },
		{ "dst-file", required_argument, NULL, 'f' },
		{ "dsts", required_argument, NULL, 'n' },
		{ "ports", required_argument, NULL, 'p' },
		{ "batch", required_argument, NULL, 'b' },
		{ "cpu", required_argument, NULL, 'c' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "time", required_argument, NULL, 't' },
		{ "count", required_argument, NULL, 'C' },
		{ "obj", required_argument, NULL, 'o' },
		{ "rt", required_argument, NULL, 'R' },
		{ "tx-count", required_argument, NULL, 'T' },
		{ "busy", required_argument, NULL, 'B' },
		{ "loop", required_argument, NULL, 'L' },
		{ "dump", no_argument, NULL, 'x' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	uint64_t sent0, sent1, rx0[MAX_COUNTS], rx1[MAX_COUNTS], tx0 = 0, tx1 = 0, b0 = 0, b1 = 0;
	uint64_t s0 = 0, s1 = 0, l0 = 0, l1 = 0, c0[CPU_FIELDS] = {}, c1[CPU_FIELDS] = {};
	char objpath[PATH_MAX + 16], exe[PATH_MAX], *colon;
	struct bpf_program *prog;
	struct bpf_object *obj;
	struct sigaction sa = { .sa_handler = on_signal }, wake = { .sa_handler = on_wake };
	uint32_t ifindex, key = 0;
	double t0, t1;
	ssize_t n;
	int c, i, err;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'd':
			o.dev = optarg;
			break;
		case 'm':
		case 'M':
			if (parse_mac(optarg, c == 'm' ? o.dmac : o.smac)) {
				fprintf(stderr, "trafgen: bad MAC address \"%s\"\n", optarg);
				return 1;
			}
			*(c == 'm' ? &o.have_dmac : &o.have_smac) = true;
			break;
		case 's':
			if (inet_pton(AF_INET6, optarg, &o.src6) == 1) {
				o.family = AF_INET6;
				break;
			}
			o.family = AF_INET;
			if (inet_pton(AF_INET, optarg, &o.src) != 1) {
				fprintf(stderr, "trafgen: bad address \"%s\"\n", optarg);
				return 1;
			}
			break;
		case 'f':
			o.dst_file = optarg;
			break;
		case 'n':
			o.ndsts = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'p':
			o.nports = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'b':
			o.batch = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'c':
			o.cpu = atoi(optarg);
			break;
		case 'w':
			o.warmup = atof(optarg);
			break;
		case 't':
			o.time = atof(optarg);
			break;
		case 'C':
			if (o.ncounts == MAX_COUNTS) {
				fprintf(stderr, "trafgen: at most %d --count\n", MAX_COUNTS);
				return 1;
			}
			colon = strrchr(optarg, ':');
			o.counts[o.ncounts].key = colon ? (uint32_t)strtoul(colon + 1, NULL, 0) : 0;
			if (colon)
				*colon = 0;
			o.counts[o.ncounts++].path = optarg;
			break;
		case 'o':
			o.obj = optarg;
			break;
		case 'R':
			o.rt = atoi(optarg);
			break;
		case 'T':
			colon = strchr(optarg, ':');
			if (!colon) {
				fprintf(stderr, "trafgen: --tx-count NETNS:DEV\n");
				return 1;
			}
			*colon = 0;
			o.tx_ns = optarg;
			o.tx_dev = colon + 1;
			break;
		case 'B':
			o.busy_pid = atoi(optarg);
			break;
		case 'L':
			if (o.nloop == MAX_LOOP) {
				fprintf(stderr, "trafgen: at most %d --loop\n", MAX_LOOP);
				return 1;
			}
			o.loop_pids[o.nloop++] = atoi(optarg);
			break;
		case 'x':
			o.dump = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (optind != argc || !o.dev || !o.have_dmac ||
	    (o.family == AF_INET && !o.src.s_addr) || !o.dst_file ||
	    !o.ndsts || o.ndsts > MAX_DSTS || !o.nports || (o.nports & (o.nports - 1)) ||
	    o.time <= 0 || o.warmup < 0) {
		usage(stderr);
		return 1;
	}
	ifindex = if_nametoindex(o.dev);
	if (!ifindex) {
		fprintf(stderr, "trafgen: Cannot find device \"%s\"\n", o.dev);
		return 1;
	}
	if (!o.have_smac) {
		char p[128];
		FILE *f;

		snprintf(p, sizeof(p), "/sys/class/net/%s/address", o.dev);
		f = fopen(p, "r");
		if (!f || !fgets(p, sizeof(p), f) || parse_mac(p, o.smac)) {
			fprintf(stderr, "trafgen: no MAC address for %s: use --src-mac\n", o.dev);
			return 1;
		}
		fclose(f);
	}
	if (!o.obj) {
		/* gen_kern.o beside the executable */
		n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
		exe[n > 0 ? n : 0] = 0;
		colon = strrchr(exe, '/');
		if (colon)
			*colon = 0;
		snprintf(objpath, sizeof(objpath), "%s/gen_kern.o", n > 0 ? exe : "bench");
		o.obj = objpath;
	}
	ncpus = libbpf_num_possible_cpus();
	for (i = 0; i < o.ncounts; i++) {
		struct bpf_map_info info = {};
		uint32_t len = sizeof(info);

		o.counts[i].fd = bpf_obj_get(o.counts[i].path);
		if (o.counts[i].fd < 0 || bpf_obj_get_info_by_fd(o.counts[i].fd, &info, &len)) {
			fprintf(stderr, "trafgen: %s: %s\n", o.counts[i].path, strerror(errno));
			return 1;
		}
		if (info.type != BPF_MAP_TYPE_PERCPU_ARRAY || info.value_size < 8) {
			fprintf(stderr, "trafgen: %s: not a per-CPU array of counters\n",
				o.counts[i].path);
			return 1;
		}
		o.counts[i].value_size = info.value_size;
	}

	if (o.tx_ns && tx_open())
		return 1;
	if (read_dsts())
		return 1;
	if (o.family == AF_INET)
		build_frame(dsts[0].w[0]);
	else
		build_frame6(&dsts[0]);
	obj = bpf_object__open_file(o.obj, NULL);
	if (!obj) {
		fprintf(stderr, "trafgen: open %s: %s\n", o.obj, strerror(errno));
		return 1;
	}
	if (set_rodata(obj, ifindex))
		return 1;
	err = bpf_object__load(obj);
	if (err) {
		fprintf(stderr, "trafgen: load %s: %s\n", o.obj, strerror(-err));
		return 1;
	}
	prog = bpf_object__find_program_by_name(obj, o.family == AF_INET ? "xdp_gen" : "xdp_gen6");
	sent_fd = bpf_object__find_map_fd_by_name(obj, "gen_sent");
	if (!prog || sent_fd < 0 || fill_dsts(bpf_object__find_map_fd_by_name(obj, "gen_dsts")))
		return 1;
	prog_fd = bpf_program__fd(prog);
	if (o.dump)
		return dump_frame();

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &wake, NULL);	/* no SA_RESTART: it interrupts the sender */
	if (o.cpu >= 0 && (o.cpu >= CPU_SETSIZE || o.cpu >= libbpf_num_possible_cpus())) {
		fprintf(stderr, "trafgen: no CPU %d\n", o.cpu);
		return 1;
	}
	if (o.rt > 0) {
		struct sched_param sp = { .sched_priority = o.rt + 1 };

		/* the meter first: it must wake on time; the sender created below inherits
		 * SCHED_FIFO and lowers its own priority by one */
		if (sched_setscheduler(0, SCHED_FIFO, &sp)) {
			fprintf(stderr, "trafgen: SCHED_FIFO %d: %s\n", o.rt + 1, strerror(errno));
			return 1;
		}
	}
	if (pthread_create(&gen_th, NULL, gen_thread, NULL)) {
		fprintf(stderr, "trafgen: pthread_create failed\n");
		return 1;
	}
	/*
	 * The warm-up starts with the first frame sent: test_run waits for an RCU grace period
	 * before it runs the program, which a busy machine can stretch to seconds.
	 */
	for (i = 0; !stop; i++) {
		if (read_sum(sent_fd, key, 8, &sent0)) {
			fprintf(stderr, "trafgen: reading gen_sent: %s\n", strerror(errno));
			goto out;
		}
		if (sent0)
			break;
		if (i == 3000) {
			fprintf(stderr, "trafgen: nothing sent in 30 s\n");
			goto out;
		}
		if (sleep_s(0.01))
			goto out;
	}
	if (sleep_s(o.warmup))
		goto out;
	t0 = now_s();
	err = read_sum(sent_fd, key, 8, &sent0);
	for (i = 0; i < o.ncounts; i++)
		err |= read_sum(o.counts[i].fd, o.counts[i].key, o.counts[i].value_size, &rx0[i]);
	if (o.tx_ns)
		err |= tx_read(&tx0);
	if (o.busy_pid)
		err |= busy_read(o.busy_pid, &b0);
	err |= loop_read(&s0, &l0);
	if (o.cpu >= 0)
		err |= cpu_stat_read(c0);
	if (sleep_s(o.time))
		goto out;
	t1 = now_s();
	err |= read_sum(sent_fd, key, 8, &sent1);
	for (i = 0; i < o.ncounts; i++)
		err |= read_sum(o.counts[i].fd, o.counts[i].key, o.counts[i].value_size, &rx1[i]);
	if (o.tx_ns)
		err |= tx_read(&tx1);
	if (o.busy_pid)
		err |= busy_read(o.busy_pid, &b1);
	err |= loop_read(&s1, &l1);
	if (o.cpu >= 0)
		err |= cpu_stat_read(c1);
	stop_sender();
	if (gen_err) {
		fprintf(stderr, "trafgen: BPF_PROG_TEST_RUN: %s\n", strerror(gen_err));
		return 1;
	}
	if (err) {
		fprintf(stderr, "trafgen: reading a counter failed: %s\n", strerror(errno));
		return 1;
	}
	printf("{\"seconds\":%.3f,\"offered_pps\":%.0f,\"rx_pps\":[", t1 - t0,
	       (double)(sent1 - sent0) / (t1 - t0));
	for (i = 0; i < o.ncounts; i++)
		printf("%s%.0f", i ? "," : "", (double)(rx1[i] - rx0[i]) / (t1 - t0));
	printf("]");
	if (o.tx_ns)
		printf(",\"tx_pps\":%.0f", (double)(tx1 - tx0) / (t1 - t0));
	if (o.busy_pid)
		printf(",\"busy\":%.3f", (double)(b1 - b0) / 1e9 / (t1 - t0));
	printf(",\"src_cpu_s\":%.6f,\"loop_cpu_s\":%.6f", (double)(s1 - s0) / 1e9,
	       (double)(l1 - l0) / 1e9);
	if (o.cpu >= 0) {
		static const char *const names[CPU_FIELDS] = {
			"user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"
		};
		long hz = sysconf(_SC_CLK_TCK);

		printf(",\"cpu_s\":{");
		for (i = 0; i < CPU_FIELDS; i++)
			printf("%s\"%s\":%.2f", i ? "," : "", names[i],
			       (double)(c1[i] - c0[i]) / (double)hz);
		printf("}");
	}
	printf("}\n");
	return 0;
out:
	stop_sender();
	if (stop_sig) {
		/* die of the signal, so the shell that ran us stops too */
		signal(stop_sig, SIG_DFL);
		raise(stop_sig);
	}
	fprintf(stderr, "trafgen: %s\n", gen_err ? strerror(gen_err) : "interrupted");
	return 1;
}
