// SPDX-License-Identifier: GPL-2.0
/*
 * routegen: a BGP-like IPv4 table (bench/table.h) as a batch file that both `ip -b` and
 * `ipxr -b` read ("route add PREFIX via GATEWAY dev DEV" per line), and destinations inside it
 * for bench/trafgen (one address per line, prefixes picked at random, host bits random).
 *
 * Usage: routegen --routes N [--seed N] --dev DEV [--gw A.B.C.] [--ngw N] [--out FILE]
 *                 [--dsts FILE] [--ndsts N]
 * --routes 0 writes the single route "default via GATEWAY1"; destinations still come from a
 * table of --dst-routes (default 750000) so every table size sees the same traffic.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include "table.h"

static void put4(FILE *f, uint32_t a)
{
	fprintf(f, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
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
		{}
	};
	const char *dev = NULL, *gw = "10.0.2.", *out = NULL, *dsts = NULL;
	uint32_t routes = 0, ngw = 4, ndsts = 65536, dst_routes = 750000, i;
	uint64_t seed = 1, rng;
	bool have_routes = false;
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
		default:
			fprintf(stderr, "Usage: routegen --routes N [--seed N] --dev DEV [--gw A.B.C.] "
				"[--ngw N] [--out FILE] [--dsts FILE] [--ndsts N] [--dst-routes N]\n");
			return 1;
		}
	}
	if (!have_routes || !dev || !ngw || ngw > 250 || !dst_routes) {
		fprintf(stderr, "routegen: --routes and --dev are required\n");
		return 1;
	}
	if (out) {
		f = fopen(out, "w");
		if (!f) {
			perror(out);
			return 1;
		}
		if (!routes) {
			fprintf(f, "route add default via %s1 dev %s\n", gw, dev);
		} else {
			t = tb_gen4(routes, seed);
			if (!t)
				return 1;
			for (i = 0; i < routes; i++) {
				fputs("route add ", f);
				put4(f, t[i].addr);
				fprintf(f, "/%u via %s%u dev %s\n", t[i].plen, gw,
					tb_gw_of(t[i].addr, t[i].plen, ngw), dev);
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
		t = tb_gen4(n, seed);
		if (!f || !t) {
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
}
