// SPDX-License-Identifier: GPL-2.0
/*
 * nsperpkt: nanoseconds per packet of bpf/xdp_router.o, measured with BPF_PROG_TEST_RUN.
 *
 * Runs in a private network namespace (unshare; gone when we exit) with tin0 (ingress) and tout0
 * (4 gateways 10.0.2.1-4 with permanent neighbour entries), loads the object with pinning off,
 * fills the LPM trie with a BGP-like table (mostly /24, /8../32, deterministic PRNG) and times:
 *
 *   forward       256 (--packets) frames to hosts in prefixes picked across the table
 *   no_route      256 frames to unrouted hosts (10.128.0.0/9: the table never holds 10/8)
 *   ttl_exceeded  the forward frames with TTL 1 (the trie lookup is done, then passed)
 *   local         frames to the router's own address 10.0.1.254 (LOCAL /32)
 *
 * test_run runs the program `repeat` times over the same buffer and reports the mean; since the
 * program decrements the TTL in place, a forwarded frame starting at TTL 255 survives at most 254
 * runs, so repeat is capped at 250 and each frame is run --passes times. The ns/packet is the mean
 * over all runs (also the median of the per-call means). Counters are per-CPU; the process is
 * pinned to one CPU.
 *
 * Usage: nsperpkt [--routes N[,N...]] [--packets N] [--repeat N] [--passes N] [--seed N]
 *                 [--prog xdp_router|prog] [--json]
 * Output: a Markdown table row per case; with --json also one JSON object per case per line.
 */
#include <getopt.h>
#include "pktgen.h"

#define NGW		4
#define MAX_PACKETS	4096
#define MAX_REPEAT	250	/* TTL 255 leaves room for 254 forwards */
#ifndef ENOTSUPP
#define ENOTSUPP	524	/* kernel-internal; leaks out of some bpf() commands */
#endif

struct opts {
	uint32_t routes[16];
	int nroutes;
	int packets;
	int repeat;
	int passes;
	uint64_t seed;
	int prog;
	bool json;
};

static const uint8_t mac_tin0[ETH_ALEN] = { 0x02, 0, 0, 0, 0x01, 0xfe };
static const uint8_t mac_host[ETH_ALEN] = { 0x02, 0, 0, 0, 0x01, 0x01 };
static int if_in, if_out;

static const char *const setup_cmds[] = {
	"ip link add tin0 address 02:00:00:00:01:fe type veth peer name tin0p address 02:00:00:00:01:01",
	"ip link add tout0 address 02:00:00:00:02:fe type veth peer name tout0p",
	"ip addr add 10.0.1.254/24 dev tin0",
	"ip addr add 10.0.2.254/24 dev tout0",
	"ip link set tin0 up", "ip link set tin0p up", "ip link set tout0 up", "ip link set tout0p up",
	"ip neigh add 10.0.2.1 lladdr 02:00:00:00:02:01 dev tout0 nud permanent",
	"ip neigh add 10.0.2.2 lladdr 02:00:00:00:02:02 dev tout0 nud permanent",
	"ip neigh add 10.0.2.3 lladdr 02:00:00:00:02:03 dev tout0 nud permanent",
	"ip neigh add 10.0.2.4 lladdr 02:00:00:00:02:04 dev tout0 nud permanent",
};

static int setup_netns(void)
{
	if (pg_netns_setup(setup_cmds, sizeof(setup_cmds) / sizeof(setup_cmds[0])))
		return -1;
	if_in = pg_ifindex("tin0");
	if_out = pg_ifindex("tout0");
	return if_in && if_out ? 0 : -1;
}

/* ------------------------------------------------------------------------------------------ */
/* A BGP-like table                                                                             */

/*
 * Prefix length mix, per mille, roughly that of today's IPv4 DFZ (about 60 % /24, then /22, /23,
 * /21, /20, /16 ...), with a sprinkling of /25../32 as an IGP or customer routes add.
 */
static const struct { uint8_t plen; uint16_t permille; } plen_mix[] = {
	{ 8, 1 }, { 9, 1 }, { 10, 1 }, { 11, 2 }, { 12, 3 }, { 13, 5 }, { 14, 8 }, { 15, 10 },
	{ 16, 20 }, { 17, 12 }, { 18, 18 }, { 19, 30 }, { 20, 45 }, { 21, 50 }, { 22, 100 },
	{ 23, 85 }, { 24, 569 }, { 25, 6 }, { 26, 6 }, { 27, 6 }, { 28, 5 }, { 29, 6 },
	{ 30, 5 }, { 31, 2 }, { 32, 4 },
};

static uint8_t pick_plen(uint64_t *rng)
{
	uint32_t r = (uint32_t)(pg_rand(rng) % 1000), acc = 0;
	size_t i;

	for (i = 0; i < sizeof(plen_mix) / sizeof(plen_mix[0]); i++) {
		acc += plen_mix[i].permille;
		if (r < acc)
			return plen_mix[i].plen;
	}
	return 24;
}

/* A unicast prefix outside 0/8, 10/8 (the lab), 127/8 and 224/3. Host order address. */
static uint32_t pick_addr(uint64_t *rng, uint8_t plen)
{
	uint32_t a, first;

	do {
		a = (uint32_t)pg_rand(rng);
		first = a >> 24;
	} while (first == 0 || first == 10 || first == 127 || first >= 224);
	return plen ? a & ~((1ULL << (32 - plen)) - 1) : 0;
}

static int cmp_key(const void *a, const void *b)
{
	const struct ipxr_route4_key *x = a, *y = b;
	uint32_t xa = ntohl(x->addr), ya = ntohl(y->addr);

	if (xa != ya)
		return xa < ya ? -1 : 1;
	return (int)x->prefixlen - (int)y->prefixlen;
}

/* @n distinct prefixes (so no update replaces another), sorted; deterministic for a seed. */
static struct ipxr_route4_key *gen_table(uint32_t n, uint64_t seed)
{
	struct ipxr_route4_key *k = calloc(n + n / 8 + 64, sizeof(*k));
	uint64_t rng = seed;
	uint32_t have = 0, i, j;

	if (!k)
		return NULL;
	while (have < n) {
		uint32_t want = n - have + (n - have) / 16 + 16;

		for (i = 0; i < want; i++) {
			uint8_t plen = pick_plen(&rng);

			k[have + i].prefixlen = plen;
			k[have + i].addr = htonl(pick_addr(&rng, plen));
		}
		have += want;
		qsort(k, have, sizeof(*k), cmp_key);
		for (i = j = 0; i < have; i++)
			if (!j || cmp_key(&k[j - 1], &k[i]))
				k[j++] = k[i];
		have = j;
	}
	/* drop a random-ish tail past n: keep the first n in sorted order would bias to low
	 * addresses, so thin out evenly instead */
	if (have > n) {
		uint32_t extra = have - n;
		double step = (double)have / extra, next = step / 2;

		for (i = j = 0; i < have; i++) {
			if (extra && i == (uint32_t)next) {
				next += step;
				extra--;
				continue;
			}
			k[j++] = k[i];
		}
		have = j;
	}
	return k;
}

static uint32_t nh_of(const struct ipxr_route4_key *k)
{
	uint32_t h = ntohl(k->addr) * 2654435761U ^ k->prefixlen;

	return 1 + (h >> 16) % NGW;
}

static int load_routes(struct pg_router *r, const struct ipxr_route4_key *k, uint32_t n,
		       const char **how)
{
	const uint32_t chunk = 65536;
	struct ipxr_route *v = calloc(chunk, sizeof(*v));
	LIBBPF_OPTS(bpf_map_batch_opts, bo);	/* batch elem_flags take only BPF_F_LOCK */
	uint32_t done = 0, i;
	bool batch = true;

	if (!v)
		return -1;
	*how = "batch";
	while (done < n) {
		uint32_t cnt = n - done < chunk ? n - done : chunk;

		for (i = 0; i < cnt; i++) {
			v[i].type = IPXR_RT_UNICAST;
			v[i].nh_id = nh_of(&k[done + i]);
		}
		if (batch) {
			uint32_t c = cnt;

			if (!bpf_map_update_batch(r->route4, &k[done], v, &c, &bo)) {
				done += cnt;
				continue;
			}
			if (done == 0 && (errno == EINVAL || errno == ENOTSUPP ||
					  errno == EOPNOTSUPP)) {
				batch = false;		/* older kernel: one by one */
				*how = "one by one";
			} else {
				printf("# batch update at %u: %s\n", done + c, strerror(errno));
				free(v);
				return -1;
			}
		}
		for (i = 0; i < cnt; i++)
			if (bpf_map_update_elem(r->route4, &k[done + i], &v[i], BPF_ANY)) {
				printf("# route %u: %s\n", done + i, strerror(errno));
				free(v);
				return -1;
			}
		done += cnt;
	}
	free(v);
	return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Measuring                                                                                   */

struct result {
	double mean, median;
	uint64_t runs;
	int wrong;	/* calls whose last action was not the expected one */
};

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static struct result measure(int prog_fd, struct pg_frame *frames, int nframes,
			     const struct opts *o, uint32_t action)
{
	static struct pg_result res;
	uint32_t *d = calloc((size_t)nframes * o->passes, sizeof(*d));
	struct result r = {};
	double sum = 0;
	int pass, i, n = 0;

	if (!d) {
		r.wrong = -1;
		return r;
	}
	/* warm the next-hop caches and the trie's path */
	for (i = 0; i < nframes; i++)
		pg_run(prog_fd, (uint32_t)if_in, frames[i].data, frames[i].len, 0, 1, &res);
	for (pass = 0; pass < o->passes; pass++)
		for (i = 0; i < nframes; i++) {
			if (pg_run(prog_fd, (uint32_t)if_in, frames[i].data, frames[i].len, 0,
				   (uint32_t)o->repeat, &res) || res.retval != action) {
				if (!r.wrong++)
					printf("# frame %d: err %d action %s, want %s\n", i, res.err,
					       pg_xdp_action_name((int)res.retval),
					       pg_xdp_action_name((int)action));
				continue;
			}
			d[n++] = res.duration;
			sum += res.duration;
			r.runs += (uint64_t)o->repeat;
		}
	if (n) {
		r.mean = sum / n;
		qsort(d, (size_t)n, sizeof(*d), cmp_u32);
		r.median = n & 1 ? d[n / 2] : (d[n / 2 - 1] + d[n / 2]) / 2.0;
	}
	free(d);
	return r;
}

static void frame_to(struct pg_frame *f, uint32_t dst_host, uint8_t ttl, uint16_t id)
{
	char dst[16];
	struct pg_spec s = {
		.ttl = ttl, .proto = IPPROTO_UDP, .id = id, .frag_off = 0x4000,
		.src = "10.0.1.1", .dst = dst, .sport = 40000, .dport = 53, .payload = 22,
	};

	memcpy(s.dmac, mac_tin0, ETH_ALEN);
	memcpy(s.smac, mac_host, ETH_ALEN);
	snprintf(dst, sizeof(dst), "%u.%u.%u.%u", dst_host >> 24, (dst_host >> 16) & 0xff,
		 (dst_host >> 8) & 0xff, dst_host & 0xff);
	pg_build(f, &s);
}

static int bench_one(const struct opts *o, uint32_t nroutes, bool header)
{
	static struct pg_frame fwd[MAX_PACKETS], ttl1[MAX_PACKETS], noroute[MAX_PACKETS];
	static struct pg_frame local[MAX_PACKETS];
	struct { const char *name; struct pg_frame *f; int n; uint32_t action; } cases[] = {
		{ "forward", fwd, o->packets, XDP_REDIRECT },
		{ "no_route", noroute, o->packets, XDP_PASS },
		{ "ttl_exceeded", ttl1, o->packets, XDP_PASS },
		{ "local", local, o->packets, XDP_PASS },
	};
	struct ipxr_route4_key *keys;
	struct pg_router r;
	const char *how;
	uint64_t rng = o->seed ^ 0x5eed;
	double t0, gen_s, load_s;
	int i, rc = 0, g;
	size_t c;

	if (pg_router_load(&r, pg_obj_path()))
		return -1;
	if (pg_config_set(&r, NGW + 1))
		return -1;
	for (g = 1; g <= NGW; g++) {
		char gw[16];

		snprintf(gw, sizeof(gw), "10.0.2.%d", g);
		if (pg_nh_set(&r, (uint32_t)g, (uint32_t)if_out, gw, 1))
			return -1;
	}
	if (pg_route_set(&r, "10.0.1.254", 32, IPXR_RT_LOCAL, 0) ||
	    pg_route_set(&r, "10.0.2.254", 32, IPXR_RT_LOCAL, 0))
		return -1;

	t0 = pg_now_s();
	keys = gen_table(nroutes, o->seed);
	if (!keys)
		return -1;
	gen_s = pg_now_s() - t0;
	t0 = pg_now_s();
	if (load_routes(&r, keys, nroutes, &how)) {
		free(keys);
		pg_router_close(&r);
		return -1;
	}
	load_s = pg_now_s() - t0;
	printf("# %u routes: generated in %.2f s, loaded (%s) in %.2f s, %.0f routes/s\n", nroutes,
	       gen_s, how, load_s, load_s > 0 ? nroutes / load_s : 0.0);

	for (i = 0; i < o->packets; i++) {
		const struct ipxr_route4_key *k = &keys[pg_rand(&rng) % nroutes];
		uint32_t host = ntohl(k->addr);

		if (k->prefixlen < 32)
			host |= (uint32_t)pg_rand(&rng) & ((1U << (32 - k->prefixlen)) - 1);
		frame_to(&fwd[i], host, 255, (uint16_t)i);
		frame_to(&ttl1[i], host, 1, (uint16_t)i);
		frame_to(&noroute[i], 0x0a800000 | ((uint32_t)pg_rand(&rng) & 0x7fffff), 64,
			 (uint16_t)i);
		frame_to(&local[i], 0x0a0001fe, 64, (uint16_t)i);	/* 10.0.1.254 */
	}
	free(keys);

	if (header) {
		printf("| routes | case | distinct frames | runs | ns/pkt mean | ns/pkt median |\n");
		printf("|-------:|------|----------------:|-----:|------------:|--------------:|\n");
	}
	for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct result m = measure(r.prog_fd[o->prog], cases[c].f, cases[c].n, o,
					  cases[c].action);

		if (m.wrong) {
			printf("# %s: %d calls did not end in %s\n", cases[c].name, m.wrong,
			       pg_xdp_action_name((int)cases[c].action));
			rc = -1;
			continue;
		}
		printf("| %u | %s | %d | %llu | %.1f | %.1f |\n", nroutes, cases[c].name, cases[c].n,
		       (unsigned long long)m.runs, m.mean, m.median);
		if (o->json)
			printf("{\"routes\":%u,\"case\":\"%s\",\"prog\":\"%s\",\"frames\":%d,"
			       "\"runs\":%llu,\"ns_per_pkt\":%.1f,\"ns_per_pkt_median\":%.1f,"
			       "\"load_s\":%.3f,\"load_method\":\"%s\"}\n",
			       nroutes, cases[c].name, r.sec[o->prog], cases[c].n,
			       (unsigned long long)m.runs, m.mean, m.median, load_s, how);
	}
	pg_router_close(&r);
	return rc;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: nsperpkt [--routes N[,N...]] [--packets N] [--repeat N] [--passes N]\n"
		"                [--seed N] [--prog xdp_router|prog] [--json]\n"
		"  --routes   IPv4 routes in the table, e.g. 1,1000,100000,750000,1000000 (default 1)\n"
		"  --packets  distinct forward/no_route/ttl frames (default 256, max %d)\n"
		"  --repeat   runs per BPF_PROG_TEST_RUN call (default and max %d)\n"
		"  --passes   calls per frame (default 4)\n"
		"  --seed     table and frame PRNG seed (default 1)\n"
		"  --json     also print one JSON object per case\n", MAX_PACKETS, MAX_REPEAT);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "routes", required_argument, NULL, 'r' },
		{ "packets", required_argument, NULL, 'p' },
		{ "repeat", required_argument, NULL, 'n' },
		{ "passes", required_argument, NULL, 'P' },
		{ "seed", required_argument, NULL, 's' },
		{ "prog", required_argument, NULL, 'g' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct opts o = { .packets = 256, .repeat = MAX_REPEAT, .passes = 4, .seed = 1 };
	const char *v = getenv("V");
	cpu_set_t cpus;
	int c, i, rc = 0;
	char *tok, *save, *end;

	setvbuf(stdout, NULL, _IOLBF, 0);
	pg_verbose = v && *v && strcmp(v, "0");
	while ((c = getopt_long(argc, argv, "r:p:n:P:s:g:jh", lo, NULL)) != -1) {
		switch (c) {
		case 'r':
			for (tok = strtok_r(optarg, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
				unsigned long n = strtoul(tok, &end, 10);

				if (*end || !n || n > IPXR_MAX_ROUTES4 - 2 || o.nroutes == 16) {
					fprintf(stderr, "Error: bad route count \"%s\" (1..%u)\n", tok,
						IPXR_MAX_ROUTES4 - 2);
					return 1;
				}
				o.routes[o.nroutes++] = (uint32_t)n;
			}
			break;
		case 'p':
			o.packets = atoi(optarg);
			break;
		case 'n':
			o.repeat = atoi(optarg);
			break;
		case 'P':
			o.passes = atoi(optarg);
			break;
		case 's':
			o.seed = strtoull(optarg, NULL, 0);
			break;
		case 'g':
			if (!strcmp(optarg, "xdp_router"))
				o.prog = 0;
			else if (!strcmp(optarg, "prog"))
				o.prog = 1;
			else {
				fprintf(stderr, "Error: --prog \"%s\": xdp_router or prog\n", optarg);
				return 1;
			}
			break;
		case 'j':
			o.json = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (optind != argc || o.packets < 1 || o.packets > MAX_PACKETS || o.repeat < 1 ||
	    o.repeat > MAX_REPEAT || o.passes < 1) {
		usage(stderr);
		return 1;
	}
	if (!o.nroutes)
		o.routes[o.nroutes++] = 1;

	/* one CPU: test_run runs where we are, and the per-CPU maps stay warm */
	CPU_ZERO(&cpus);
	CPU_SET(sched_getcpu() < 0 ? 0 : sched_getcpu(), &cpus);
	sched_setaffinity(0, sizeof(cpus), &cpus);

	if (setup_netns()) {
		printf("# namespace setup failed\n");
		return 1;
	}
	for (i = 0; i < o.nroutes; i++)
		if (bench_one(&o, o.routes[i], i == 0))
			rc = 1;
	return rc;
}
