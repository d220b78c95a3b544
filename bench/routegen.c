// SPDX-License-Identifier: GPL-2.0
/*
 * routegen: a BGP-like IPv4 or IPv6 table (bench/table.h) as a batch file that both `ip -b` and
 * `ipxr -b` read ("route add PREFIX via GATEWAY dev DEV" per line), or as the routes of a BIRD
 * static protocol ("route PREFIX blackhole;", --format bird: what a BGP speaker announces in
 * tests/bird.sh), and destinations inside it for bench/trafgen and the tests (one address per
 * line, prefixes picked at random, host bits random).
 *
 * Usage: routegen --routes N [--family 4|6] [--format ip|bird] [--seed N] --dev DEV
 *                 [--gw PREFIX] [--ngw N] [--out FILE] [--dsts FILE] [--ndsts N]
 * --routes 0 writes the single route "default via GATEWAY1"; destinations still come from a
 * table of --dst-routes (default 750000) so every table size sees the same traffic. Gateways are
 * the --gw string followed by 1..ngw: "10.0.2." (IPv4) or "2001:db8:2::" (IPv6) by default.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include "table.h"

static void put4(FILE *f, uint32_t a)
{
	fprintf(f, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
}

static void put6(FILE *f, const uint8_t a[16])
{
	char s[INET6_ADDRSTRLEN];

	fputs(inet_ntop(AF_INET6, a, s, sizeof(s)), f);
}

/* One route of the table in the chosen format; @gwn is its gateway's number (1..ngw). */
static void put_route(FILE *f, bool bird, const char *gw, uint32_t gwn, const char *dev)
{
	if (bird)
		fputs(" blackhole;\n", f);
	else
		fprintf(f, " via %s%u dev %s\n", gw, gwn, dev);
}

/* The IPv6 table: the same shape as IPv4's, gateways picked from the prefix's first word. */
static int write6(FILE *f, uint32_t routes, uint64_t seed, bool bird, const char *gw,
		  uint32_t ngw, const char *dev)
{
	struct tb_route6 *t;
	uint32_t i, w;

	if (!routes) {
		fprintf(f, "route add default via %s1 dev %s\n", gw, dev);
		return 0;
	}
	t = tb_gen6(routes, seed);
	if (!t)
		return 1;
	for (i = 0; i < routes; i++) {
		fputs(bird ? "route " : "route add ", f);
		put6(f, t[i].addr);
		fprintf(f, "/%u", t[i].plen);
		w = (uint32_t)t[i].addr[2] << 8 | t[i].addr[3];
		put_route(f, bird, gw, tb_gw_of(w ^ ((uint32_t)t[i].addr[4] << 16), t[i].plen, ngw),
			  dev);
	}
	free(t);
	return 0;
}

static int dsts6(FILE *f, uint32_t n, uint32_t ndsts, uint64_t seed)
{
	struct tb_route6 *t = tb_gen6(n, seed);
	uint8_t a[16];
	uint64_t rng;
	uint32_t i;

	if (!t)
		return 1;
	rng = seed ^ 0xd576;
	for (i = 0; i < ndsts; i++) {
		tb_host6(&t[tb_rand(&rng) % n], &rng, a);
		put6(f, a);
		fputc('\n', f);
	}
	free(t);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "routes", required_argument, NULL, 'r' },
		{ "seed", required_argument, NULL, 's' },
		{ "dev", required_argument, NULL, 'd' },
		{ "gw", required_argument, NULL, 'g' },
		{ "ngw", required_argument, NULL, 'n' },
		{ "out", required_argument, NULL, 'o' },
		{ "dsts", required_argument, NULL, 'D' },
		{ "ndsts", required_argument, NULL, 'N' },
		{ "dst-routes", required_argument, NULL, 'R' },
		{ "family", required_argument, NULL, 'f' },
		{ "format", required_argument, NULL, 'F' },
		{}
	};
	const char *dev = NULL, *gw = NULL, *out = NULL, *dsts = NULL;
	uint32_t routes = 0, ngw = 4, ndsts = 65536, dst_routes = 750000, i;
	uint64_t seed = 1, rng;
	bool have_routes = false, bird = false, v6 = false;
	struct tb_route4 *t;
	FILE *f;
	int c;

	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'r':
			routes = (uint32_t)strtoul(optarg, NULL, 0);
			have_routes = true;
			break;
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'd':
			dev = optarg;
			break;
		case 'g':
			gw = optarg;
			break;
		case 'n':
			ngw = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'o':
			out = optarg;
			break;
		case 'D':
			dsts = optarg;
			break;
		case 'N':
			ndsts = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'R':
			dst_routes = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'f':
			if (strcmp(optarg, "4") && strcmp(optarg, "6"))
				goto usage;
			v6 = optarg[0] == '6';
			break;
		case 'F':
			if (strcmp(optarg, "ip") && strcmp(optarg, "bird"))
				goto usage;
			bird = optarg[0] == 'b';
			break;
		default:
			goto usage;
		}
	}
	if (!gw)
		gw = v6 ? "2001:db8:2::" : "10.0.2.";
	if (!have_routes || (!dev && !bird) || !ngw || ngw > 250 || !dst_routes) {
		fprintf(stderr, "routegen: --routes and --dev (but for --format bird) are required\n");
		return 1;
	}
	if (bird && !routes) {
		fprintf(stderr, "routegen: --format bird needs --routes > 0\n");
		return 1;
	}
	if (out) {
		f = fopen(out, "w");
		if (!f) {
			perror(out);
			return 1;
		}
		if (v6) {
			if (write6(f, routes, seed, bird, gw, ngw, dev))
				return 1;
		} else if (!routes) {
			fprintf(f, "route add default via %s1 dev %s\n", gw, dev);
		} else {
			t = tb_gen4(routes, seed);
			if (!t)
				return 1;
			for (i = 0; i < routes; i++) {
				fputs(bird ? "route " : "route add ", f);
				put4(f, t[i].addr);
				fprintf(f, "/%u", t[i].plen);
				put_route(f, bird, gw, tb_gw_of(t[i].addr, t[i].plen, ngw), dev);
			}
			free(t);
		}
		if (fclose(f)) {
			perror(out);
			return 1;
		}
	}
	if (dsts) {
		uint32_t n = routes ? routes : dst_routes;

		f = fopen(dsts, "w");
		if (!f) {
			perror(dsts);
			return 1;
		}
		if (v6) {
			if (dsts6(f, n, ndsts, seed) || fclose(f)) {
				perror(dsts);
				return 1;
			}
			return 0;
		}
		t = tb_gen4(n, seed);
		if (!t) {
			perror(dsts);
			return 1;
		}
		rng = seed ^ 0xd575;
		for (i = 0; i < ndsts; i++) {
			put4(f, tb_host4(&t[tb_rand(&rng) % n], &rng));
			fputc('\n', f);
		}
		free(t);
		if (fclose(f)) {
			perror(dsts);
			return 1;
		}
	}
	return 0;
usage:
	fprintf(stderr, "Usage: routegen --routes N [--family 4|6] [--format ip|bird] [--seed N] "
		"--dev DEV [--gw PREFIX] [--ngw N] [--out FILE] [--dsts FILE] [--ndsts N] "
		"[--dst-routes N]\n");
	return 1;
}
