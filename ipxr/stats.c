// SPDX-License-Identifier: GPL-2.0
/*
 * ipxr stats: the fast path's counters. Per reason (IPXR_STAT_LIST), summed per XDP action with
 * the action column of the same list, so a new reason needs no change here; per family slot
 * (link, inet, inet6), the sums covering the slots selected (-4, -6); per port (ipxr_port_stats).
 * One snapshot of them feeds three printers: totals (show), rates between two snapshots
 * (show interval N, as ifstat and nstat print them) and the Prometheus text format (show
 * prometheus). reset zeroes every counter, next hops' and counted routes' included.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/rtnetlink.h>
#include <bpf/bpf.h>

#include "check.h"
#include "compile.h"
#include "counted.h"
#include "json_print.h"
#include "maps.h"
#include "nexthop.h"
#include "ports.h"
#include "route.h"
#include "rules.h"
#include "stats.h"
#include "utils.h"

struct reason {
	const char *name;
	int action;
};

#define IPXR_STAT_ROW(id, name, action) [IPXR_STAT_##id] = { name, action },
static const struct reason reasons[IPXR_STAT_MAX] = {
	IPXR_STAT_LIST(IPXR_STAT_ROW)
};
#undef IPXR_STAT_ROW

static const struct {
	const char *name;
	int action;
} actions[] = {
	{ "redirect", XDP_REDIRECT },
	{ "drop", XDP_DROP },
	{ "pass", XDP_PASS },
};

/* The counters' family slots: frames neither IPv4 nor IPv6 count as "link". */
static const char *const slot_names[IPXR_SF_MAX] = {
	[IPXR_SF_LINK] = "link",
	[IPXR_SF_INET] = "inet",
	[IPXR_SF_INET6] = "inet6",
};

/* all slots by default; -4/-6 select that family alone (its "link" frames are neither) */
static bool slot_selected(unsigned int slot)
{
	const struct ipxr_family *f = family_get(ipxr.family);

	return !f || f->stat_slot == slot;
}

void counter_print(int fd, __u32 idx, const char *key, const char *text_prefix)
{
	struct ipxr_counter c;

	if (percpu_sum(fd, idx, &c))
		memset(&c, 0, sizeof(c));
	print_nl();
	print_string(PRINT_FP, NULL, "%s", text_prefix);
	open_json_object(key);
	print_u64(PRINT_ANY, "packets", "packets %llu", c.packets);
	print_u64(PRINT_ANY, "bytes", " bytes %llu", c.bytes);
	close_json_object();
}

/*
 * What a counter pair prints as: totals, or (interval mode) per second over the last
 * @rate_secs. Every printer below goes through print_pair(), so both read the same.
 */
static double rate_secs;

static void print_pair(const struct ipxr_counter *c)
{
	if (!rate_secs) {
		print_u64(PRINT_ANY, "packets", " packets %llu", c->packets);
		print_u64(PRINT_ANY, "bytes", " bytes %llu", c->bytes);
		return;
	}
	print_u64(PRINT_ANY, "packets_per_sec", " packets/s %llu",
		  (uint64_t)(c->packets / rate_secs + 0.5));
	print_u64(PRINT_ANY, "bytes_per_sec", " bytes/s %llu",
		  (uint64_t)(c->bytes / rate_secs + 0.5));
}

static void print_counter(const char *kind, const char *name, const struct ipxr_counter *c)
{
	print_string(PRINT_FP, NULL, "%s ", kind);
	open_json_object(name);
	print_string(PRINT_FP, NULL, "%s", name);
	print_pair(c);
	close_json_object();
	print_nl();
}

static void add(struct ipxr_counter *sum, const struct ipxr_counter *c)
{
	sum->packets += c->packets;
	sum->bytes += c->bytes;
}

static bool is_zero(const struct ipxr_counter *c)
{
	return !c->packets && !c->bytes;
}

/* The directions of struct ipxr_port_stats, in its order. */
static const char *const port_dirs[] = { "rx", "tx", "pass", "drop" };
#define PORT_DIRS	(sizeof(port_dirs) / sizeof(port_dirs[0]))
_Static_assert(sizeof(struct ipxr_port_stats) == PORT_DIRS * sizeof(struct ipxr_counter),
	       "one name per direction of struct ipxr_port_stats");

/* Everything the printers show, read at one moment (as near as per-CPU maps allow). */
struct snap {
	struct timespec t;
	struct ipxr_counter per[IPXR_SF_MAX][IPXR_STAT_MAX];
	struct ipxr_counter port[IPXR_MAX_PORT_STATS][PORT_DIRS];
	bool listed[IPXR_MAX_PORT_STATS];	/* shown even at zero: a port running the object */
	/* the counted prefixes (ipxr route change PREFIX counter), in counted_walk()'s order */
	unsigned int nroutes;
	struct inet_prefix route_pfx[IPXR_MAX_ROUTE_CNT];
	struct ipxr_counter route[IPXR_MAX_ROUTE_CNT];
};

static struct {
	int ifindex;		/* dev NAME: that port alone, 0: every port */
	__u32 interval;		/* seconds, 0: totals once */
	__u32 count;		/* interval mode: this many reports, 0: until interrupted */
	bool prometheus;
	volatile sig_atomic_t stop;
} opt;

static int read_failed(const char *map, int err)
{
	return ipxr_error(IPXR_EXIT_REFUSED, "cannot read map %s: %s", map, strerror(-err));
}

static unsigned int port_slot(int ifindex)
{
	return ifindex > 0 && ifindex < IPXR_MAX_PORT_STATS ? (unsigned int)ifindex : 0;
}

static bool port_selected(unsigned int slot)
{
	return !opt.ifindex || slot == port_slot(opt.ifindex);
}

static int snap_route(const struct inet_prefix *p, __u32 slot, void *data)
{
	struct snap *s = data;
	int err;

	err = percpu_sum(map_fd(MAP_ROUTE_CNT), slot, &s->route[s->nroutes]);
	if (err)
		return read_failed(IPXR_MAP_ROUTE_CNT, err);
	s->route_pfx[s->nroutes++] = *p;
	return 0;
}

static int snap_take(struct snap *s)
{
	struct ipxr_port port;
	unsigned int i, slot;
	__u32 *keys;
	size_t n, k;
	int err;

	clock_gettime(CLOCK_MONOTONIC, &s->t);
	for (slot = 0; slot < IPXR_SF_MAX; slot++) {
		for (i = 0; i < IPXR_STAT_MAX; i++) {
			err = percpu_sum(map_fd(MAP_STATS), IPXR_MAX_STATS * slot + i,
					 &s->per[slot][i]);
			if (err)
				return read_failed(IPXR_MAP_STATS, err);
		}
	}
	memset(s->listed, 0, sizeof(s->listed));
	for (slot = 0; slot < IPXR_MAX_PORT_STATS; slot++) {
		err = percpu_sum_n(map_fd(MAP_PORT_STATS), slot, (__u64 *)s->port[slot],
				   PORT_DIRS * 2);
		if (err)
			return read_failed(IPXR_MAP_PORT_STATS, err);
	}
	/* the ports that run the object are listed even before their first frame */
	err = ports_list(&keys, &n);
	if (err)
		return read_failed(IPXR_MAP_PORTS, err);
	for (k = 0; k < n; k++)
		if (keys[k] < IPXR_MAX_PORT_STATS && !port_record((int)keys[k], &port) &&
		    (port.flags & IPXR_PORT_F_XDP))
			s->listed[keys[k]] = true;
	free(keys);
	s->nroutes = 0;
	return counted_walk(snap_route, s);
}

/* @d = @a - @b, counter by counter, for the rates (a reset in between reads as 0). */
static void snap_diff(struct snap *d, const struct snap *a, const struct snap *b)
{
	__u64 *pd = (__u64 *)d->per, *pa = (__u64 *)a->per, *pb = (__u64 *)b->per;
	size_t i, n = sizeof(d->per) / sizeof(__u64);

	for (i = 0; i < n; i++)
		pd[i] = pa[i] >= pb[i] ? pa[i] - pb[i] : 0;
	pd = (__u64 *)d->port;
	pa = (__u64 *)a->port;
	pb = (__u64 *)b->port;
	n = sizeof(d->port) / sizeof(__u64);
	for (i = 0; i < n; i++)
		pd[i] = pa[i] >= pb[i] ? pa[i] - pb[i] : 0;
	memcpy(d->listed, a->listed, sizeof(d->listed));
	/* a prefix counted in between shows 0 until the next report */
	d->nroutes = a->nroutes;
	memcpy(d->route_pfx, a->route_pfx, sizeof(d->route_pfx));
	for (i = 0; i < a->nroutes; i++) {
		memset(&d->route[i], 0, sizeof(d->route[i]));
		if (i >= b->nroutes || memcmp(&a->route_pfx[i], &b->route_pfx[i],
					      sizeof(a->route_pfx[i])))
			continue;
		if (a->route[i].packets >= b->route[i].packets)
			d->route[i].packets = a->route[i].packets - b->route[i].packets;
		if (a->route[i].bytes >= b->route[i].bytes)
			d->route[i].bytes = a->route[i].bytes - b->route[i].bytes;
	}
	d->t = a->t;
}

static bool port_zero(const struct snap *s, unsigned int slot)
{
	unsigned int d;

	for (d = 0; d < PORT_DIRS; d++)
		if (!is_zero(&s->port[slot][d]))
			return false;
	return true;
}

/*
 * The name a port's counters go by: its device, or "other" for slot 0, which holds the ports
 * with an ifindex of IPXR_MAX_PORT_STATS or more. Whether the slot is shown at all.
 */
static bool port_label(const struct snap *s, unsigned int slot, char *name)
{
	if (!port_selected(slot))
		return false;
	if (!slot) {
		strcpy(name, "other");
		return opt.ifindex || !port_zero(s, 0);
	}
	dev_name((int)slot, name);
	return opt.ifindex || s->listed[slot] || !port_zero(s, slot);
}

/* One line per port: "port eno2 rx packets 10 bytes 980 tx ... pass ... drop ...". */
static void print_ports(const struct snap *s)
{
	char name[IF_NAMESIZE > 8 ? IF_NAMESIZE : 8];
	unsigned int slot, d;

	open_json_array("ports");
	for (slot = 0; slot < IPXR_MAX_PORT_STATS; slot++) {
		if (!port_label(s, slot, name))
			continue;
		open_json_object(NULL);
		print_string(PRINT_ANY, "ifname", "port %s", name);
		if (slot)
			print_uint(PRINT_JSON, "ifindex", NULL, slot);
		for (d = 0; d < PORT_DIRS; d++) {
			open_json_object(port_dirs[d]);
			print_string(PRINT_FP, NULL, " %s", port_dirs[d]);
			print_pair(&s->port[slot][d]);
			close_json_object();
		}
		close_json_object();
		print_nl();
	}
	close_json_array();
}

/* Whether @p is of the family -4/-6 select (any without). */
static bool route_selected(const struct inet_prefix *p)
{
	return !family_get(ipxr.family) || p->family == ipxr.family;
}

/* One line per counted prefix: "route 10.0.0.0/24 packets 10 bytes 980". */
static void print_routes(const struct snap *s)
{
	char d[PREFIX_STRLEN];
	unsigned int i;

	open_json_array("routes");
	for (i = 0; i < s->nroutes; i++) {
		if (!route_selected(&s->route_pfx[i]))
			continue;
		open_json_object(NULL);
		print_string(PRINT_ANY, "dst", "route %s",
			     format_prefix(d, sizeof(d), &s->route_pfx[i]));
		print_pair(&s->route[i]);
		close_json_object();
		print_nl();
	}
	close_json_array();
}

/*
 * The fast path follows one table as if the kernel had no other rule: say how many rules it
 * does not follow, as the kernel has them now (ipxr sync warns of each new one).
 */
static void print_rules(void)
{
	__u32 tables[1 + IPXR_CFG_TABLES_MAX];
	unsigned int nt = compile_tables(tables, 1 + IPXR_CFG_TABLES_MAX), i;
	__u32 table = tables[0];
	char text[160];
	int n = rules_nondefault(tables, nt);

	open_json_object("policy_rules");
	if (n < 0) {
		ipxr_warn("cannot list the policy rules: %s", strerror(-n));
		print_null(PRINT_JSON, "non_default", NULL, NULL);
	} else {
		print_uint(PRINT_JSON, "non_default", NULL, (unsigned int)n);
		print_string(PRINT_FP, NULL, "%s", rules_text(text, sizeof(text), n, tables,
									 nt));
		print_nl();
	}
	print_uint(PRINT_JSON, "table", NULL, table);
	/* the tables after it, in rule order (ipxr sync table A table B ...) */
	if (nt > 1) {
		open_json_array("then");
		for (i = 1; i < nt; i++)
			print_uint(PRINT_JSON, NULL, NULL, tables[i]);
		close_json_array();
	}
	close_json_object();
}

/* Actions, reasons, families and ports of @s, as totals or (rate_secs set) rates. */
static void print_snap(const struct snap *s)
{
	struct ipxr_counter sum[IPXR_STAT_MAX], act;
	unsigned int i, a, slot;
	char kind[32];

	memset(sum, 0, sizeof(sum));
	for (slot = 0; slot < IPXR_SF_MAX; slot++)
		for (i = 0; i < IPXR_STAT_MAX; i++)
			if (slot_selected(slot))
				add(&sum[i], &s->per[slot][i]);
	open_json_object("actions");
	for (a = 0; a < sizeof(actions) / sizeof(actions[0]); a++) {
		memset(&act, 0, sizeof(act));
		for (i = 0; i < IPXR_STAT_MAX; i++)
			if (reasons[i].action == actions[a].action)
				add(&act, &sum[i]);
		print_counter("action", actions[a].name, &act);
	}
	close_json_object();
	/* rates: the reasons that moved, in text; totals: every reason */
	open_json_object("reasons");
	for (i = 0; i < IPXR_STAT_MAX; i++)
		if (!rate_secs || is_json_context() || !is_zero(&sum[i]))
			print_counter("reason", reasons[i].name, &sum[i]);
	close_json_object();
	/* per family: every reason in JSON (stable keys), the non-zero ones in text */
	open_json_object("families");
	for (slot = 0; slot < IPXR_SF_MAX; slot++) {
		if (!slot_selected(slot))
			continue;
		open_json_object(slot_names[slot]);
		snprintf(kind, sizeof(kind), "%s reason", slot_names[slot]);
		for (i = 0; i < IPXR_STAT_MAX; i++)
			if (is_json_context() || !is_zero(&s->per[slot][i]))
				print_counter(kind, reasons[i].name, &s->per[slot][i]);
		close_json_object();
	}
	close_json_object();
	print_ports(s);
	print_routes(s);
}

/* A Prometheus label value: backslash, double quote and newline escaped. */
static void prom_label(const char *key, const char *val, bool first)
{
	printf("%s%s=\"", first ? "" : ",", key);
	for (; *val; val++) {
		if (*val == '\\' || *val == '"')
			printf("\\%c", *val);
		else if (*val == '\n')
			printf("\\n");
		else
			putchar(*val);
	}
	putchar('"');
}

static void prom_head(const char *name, const char *help)
{
	printf("# HELP %s %s\n# TYPE %s counter\n", name, help, name);
}

/* The metric name of an action: forward, drop, pass (ipxr_<it>_packets_total). */
static const char *prom_action(int action)
{
	return action == XDP_REDIRECT ? "forward" : action == XDP_DROP ? "drop" : "pass";
}

/*
 * Every counter in the Prometheus text exposition format (version 0.0.4), for node_exporter's
 * textfile collector. Each metric family is printed whole, HELP and TYPE first, as the format
 * requires; the names are stable (ipxr-stats(8)).
 */
static int print_prometheus(const struct snap *s)
{
	static const char *const units[] = { "packets", "bytes" };
	char name[64], help[160], dev[IF_NAMESIZE > 8 ? IF_NAMESIZE : 8], a[INET6_ADDRSTRLEN];
	char pfx[PREFIX_STRLEN];
	const struct ipxr_nexthop *nh;
	struct ipxr_counter c;
	unsigned int a_i, u, i, slot, d;
	char id[16];
	__u32 nid;
	int err;

	for (a_i = 0; a_i < sizeof(actions) / sizeof(actions[0]); a_i++) {
		for (u = 0; u < 2; u++) {
			snprintf(name, sizeof(name), "ipxr_%s_%s_total",
				 prom_action(actions[a_i].action), units[u]);
			snprintf(help, sizeof(help), "%s the XDP fast path %s, by family and "
				 "reason", units[u][0] == 'p' ? "Frames" : "Bytes of frames",
				 actions[a_i].action == XDP_REDIRECT ? "forwarded" :
				 actions[a_i].action == XDP_DROP ? "dropped" :
				 "handed to the kernel");
			prom_head(name, help);
			for (slot = 0; slot < IPXR_SF_MAX; slot++) {
				if (!slot_selected(slot))
					continue;
				for (i = 0; i < IPXR_STAT_MAX; i++) {
					if (reasons[i].action != actions[a_i].action)
						continue;
					printf("%s{", name);
					prom_label("family", slot_names[slot], true);
					prom_label("reason", reasons[i].name, false);
					printf("} %llu\n", (unsigned long long)(u ?
					       s->per[slot][i].bytes : s->per[slot][i].packets));
				}
			}
		}
	}
	for (d = 0; d < PORT_DIRS; d++) {
		for (u = 0; u < 2; u++) {
			snprintf(name, sizeof(name), "ipxr_port_%s_%s_total", port_dirs[d],
				 units[u]);
			snprintf(help, sizeof(help), "%s %s by the XDP fast path, per port",
				 units[u][0] == 'p' ? "Frames" : "Bytes of frames",
				 d == 0 ? "received" : d == 1 ? "redirected out of the port" :
				 d == 2 ? "received and handed to the kernel" :
				 "received and dropped");
			prom_head(name, help);
			for (slot = 0; slot < IPXR_MAX_PORT_STATS; slot++) {
				if (!port_label(s, slot, dev))
					continue;
				printf("%s{", name);
				prom_label("port", dev, true);
				printf("} %llu\n", (unsigned long long)(u ?
				       s->port[slot][d].bytes : s->port[slot][d].packets));
			}
		}
	}
	for (u = 0; u < 2; u++) {
		snprintf(name, sizeof(name), "ipxr_route_%s_total", units[u]);
		prom_head(name, u ? "Bytes of frames forwarded (or dropped) by a counted route" :
			  "Frames forwarded (or dropped) by a counted route");
		for (i = 0; i < s->nroutes; i++) {
			if (!route_selected(&s->route_pfx[i]))
				continue;
			printf("%s{", name);
			prom_label("prefix", format_prefix(pfx, sizeof(pfx), &s->route_pfx[i]),
				   true);
			printf("} %llu\n", (unsigned long long)(u ? s->route[i].bytes :
								 s->route[i].packets));
		}
	}
	err = nh_load();
	if (err)
		return err;
	for (u = 0; u < 2; u++) {
		snprintf(name, sizeof(name), "ipxr_nexthop_%s_total", units[u]);
		prom_head(name, u ? "Bytes of frames forwarded through the next hop" :
			  "Frames forwarded through the next hop");
		for (nid = 1; nid < IPXR_MAX_NEXTHOPS; nid++) {
			nh = nh_get(nid);
			if (!nh || !nh->ifindex)
				continue;
			err = percpu_sum(map_fd(MAP_NH_STATS), nid, &c);
			if (err)
				return read_failed(IPXR_MAP_NH_STATS, err);
			snprintf(id, sizeof(id), "%u", nid);
			printf("%s{", name);
			prom_label("id", id, true);
			if (!(nh->flags & IPXR_NH_F_CONNECTED))
				prom_label("via", format_addr(a, sizeof(a), nh->family, nh->gw),
					   false);
			prom_label("dev", dev_name(nh->ifindex, dev), false);
			printf("} %llu\n", (unsigned long long)(u ? c.bytes : c.packets));
		}
	}
	return 0;
}

static void on_signal(int sig)
{
	(void)sig;
	opt.stop = 1;
}

/* Sleep until @t + @secs (CLOCK_MONOTONIC), or an interrupt. */
static void sleep_until(const struct timespec *t, __u32 secs)
{
	struct timespec until = { .tv_sec = t->tv_sec + secs, .tv_nsec = t->tv_nsec };

	while (!opt.stop &&
	       clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL) == EINTR)
		;
}

static double secs_between(const struct timespec *a, const struct timespec *b)
{
	return (a->tv_sec - b->tv_sec) + (a->tv_nsec - b->tv_nsec) / 1e9;
}

/*
 * Rates every @opt.interval seconds, as ifstat prints them: each report the change since the
 * last, per second, until interrupted or @opt.count reports. With -j, one JSON object a report.
 * Frees @prev.
 */
static int stats_rates(struct snap *prev)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct snap *cur = malloc(sizeof(*cur)), *d = malloc(sizeof(*d)), *t;
	__u32 n = 0;
	int err = 0;

	if (!cur || !d) {
		free(prev);
		free(cur);
		free(d);
		return ipxr_error(IPXR_EXIT_REFUSED, "out of memory");
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	while (!opt.stop && (!opt.count || n < opt.count)) {
		sleep_until(&prev->t, opt.interval);
		if (opt.stop)
			break;
		err = snap_take(cur);
		if (err)
			break;
		snap_diff(d, cur, prev);
		rate_secs = secs_between(&cur->t, &prev->t);
		if (rate_secs <= 0)
			rate_secs = opt.interval;
		open_json_object(NULL);
		print_uint(PRINT_ANY, "interval", "interval %u", opt.interval);
		print_nl();
		print_snap(d);
		close_json_object();
		print_nl();
		fflush(stdout);
		rate_secs = 0;
		t = prev;
		prev = cur;
		cur = t;
		n++;
	}
	free(prev);
	free(cur);
	free(d);
	return err;
}

static int stats_show(int argc, char **argv)
{
	struct snap *s;
	int err;

	memset(&opt, 0, sizeof(opt));
	for (; argc > 0; argc--, argv++) {
		if (is_word(*argv, "dev")) {
			if (argc < 2)
				return missarg(*argv);
			if (opt.ifindex)
				return duparg(*argv, argv[1]);
			err = dev_lookup_arg(argv[1], &opt.ifindex);
			if (err)
				return err;
		} else if (is_word(*argv, "interval")) {
			if (argc < 2)
				return missarg(*argv);
			if (opt.interval)
				return duparg(*argv, argv[1]);
			err = parse_u32_arg(*argv, argv[1], 86400, &opt.interval);
			if (err)
				return err;
			if (!opt.interval)
				return ipxr_error(IPXR_EXIT_USAGE, "interval \"%s\": at least 1 "
						  "second", argv[1]);
		} else if (is_word(*argv, "count")) {
			if (argc < 2)
				return missarg(*argv);
			if (opt.count)
				return duparg(*argv, argv[1]);
			err = parse_u32_arg(*argv, argv[1], UINT32_MAX, &opt.count);
			if (err)
				return err;
			if (!opt.count)
				return ipxr_error(IPXR_EXIT_USAGE, "count \"%s\": at least 1",
						  argv[1]);
		} else if (is_word(*argv, "prometheus")) {
			if (opt.prometheus)
				return duparg(*argv, *argv);
			opt.prometheus = true;
		} else {
			return badarg(*argv);
		}
		if (!is_word(*argv, "prometheus")) {
			argc--;
			argv++;
		}
	}
	if (opt.count && !opt.interval)
		return ipxr_error(IPXR_EXIT_USAGE, "count needs interval: it bounds the reports of "
				  "\"interval SECONDS\"");
	if (opt.prometheus && (opt.interval || ipxr.json))
		return ipxr_error(IPXR_EXIT_USAGE, "prometheus is a format of its own: not with %s",
				  ipxr.json ? "-json" : "interval");
	if (opt.ifindex >= IPXR_MAX_PORT_STATS)
		ipxr_warn("ifindex %d is above the %d ports counted one by one: its counters are "
			  "those of every such port (\"other\")", opt.ifindex,
			  IPXR_MAX_PORT_STATS - 1);
	err = maps_open(ipxr.batch);
	if (err)
		return err;
	/* frames counted forwarded that the kernel then drops: said where they are counted */
	if (!opt.prometheus)
		check_redirect_warn();
	s = malloc(sizeof(*s));
	if (!s)
		return ipxr_error(IPXR_EXIT_REFUSED, "out of memory");
	err = snap_take(s);
	if (!err && opt.prometheus) {
		err = print_prometheus(s);
	} else if (!err && opt.interval) {
		err = stats_rates(s);
		s = NULL;	/* stats_rates() frees it */
	} else if (!err) {
		open_json_object(NULL);
		print_snap(s);
		print_rules();
		close_json_object();
	}
	free(s);
	return err;
}

/*
 * Every counter to zero: reasons, ports, next hops (those in use and the blackhole's 0) and
 * counted routes.
 */
static int stats_reset(int argc, char **argv)
{
	struct ipxr_config cfg;
	__u32 i, n;
	int err;

	if (argc > 0)
		return badarg(argv[0]);
	err = maps_open(true);
	if (!err)
		err = config_read(&cfg) ? ipxr_error(IPXR_EXIT_REFUSED, "cannot read map %s: %s",
						     IPXR_MAP_CONFIG, strerror(errno)) : 0;
	if (err)
		return err;
	n = cfg.nh_hiwater < IPXR_MAX_NEXTHOPS ? cfg.nh_hiwater : IPXR_MAX_NEXTHOPS;
	for (i = 0; i < IPXR_MAX_STATS * IPXR_SF_MAX && !err; i++)
		err = percpu_zero(map_fd(MAP_STATS), i);
	for (i = 0; i < IPXR_MAX_PORT_STATS && !err; i++)
		err = percpu_zero(map_fd(MAP_PORT_STATS), i);
	for (i = 0; i < (n ? n : 1) && !err; i++)
		err = percpu_zero(map_fd(MAP_NH_STATS), i);
	for (i = 1; i < IPXR_MAX_ROUTE_CNT && !err; i++)
		err = percpu_zero(map_fd(MAP_ROUTE_CNT), i);
	if (err)
		return ipxr_error(IPXR_EXIT_REFUSED, "cannot reset the counters: %s",
				  strerror(-err));
	return 0;
}

static int stats_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("Usage: ipxr [ OPTIONS ] stats [ show ] [ dev NAME ] [ prometheus ]\n"
	       "       ipxr [ OPTIONS ] stats [ show ] [ dev NAME ] interval SECONDS "
	       "[ count NUMBER ]\n"
	       "       ipxr [ OPTIONS ] stats reset\n%s", ipxr_options_usage);
	return 0;
}

static const struct cmd stats_cmds[] = {
	{ "show", stats_show },
	{ "reset", stats_reset },
	{ "help", stats_help },
	{ NULL, NULL },
};

int do_stats(int argc, char **argv)
{
	return cmd_dispatch(stats_cmds, "stats command", stats_show, argc, argv);
}
