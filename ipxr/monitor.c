// SPDX-License-Identifier: GPL-2.0
/*
 * ipxr monitor route: the fast path's route changes as they happen, as "ip monitor route" prints
 * the kernel's. The maps say nothing when they change, the kernel does: each notification of
 * the table the fast path follows names a prefix, which is watched until the maps do for it what
 * the kernel now does (compile_same()), then printed as the maps hold it. A prefix the maps have
 * not followed within MONITOR_WAIT_MS is printed as they hold it then, marked unsynced.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>

#include "compile.h"
#include "events.h"
#include "json_print.h"
#include "kroute.h"
#include "maps.h"
#include "monitor.h"
#include "netlink.h"
#include "nexthop.h"
#include "passmon.h"
#include "ports.h"
#include "route.h"
#include "utils.h"

#define MONITOR_WAIT_MS		1000
#define MONITOR_POLL_MS		5

struct watch {
	struct inet_prefix dst;
	long long deadline;	/* ms, CLOCK_MONOTONIC */
};

/* What was last printed for a prefix, so a notification that changed nothing prints nothing. */
struct seen {
	struct inet_prefix dst;
	bool present;
	struct ipxr_route val;
};

static struct {
	__u32 table;
	struct watch *w;
	size_t nw, aw;
	struct seen *seen;
	size_t nseen, aseen;
	volatile sig_atomic_t stop;
} mon;

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static int on_route(const struct nlmsghdr *nlh, void *data)
{
	struct watch *nw;
	struct kroute r;
	size_t i;

	(void)data;
	if ((nlh->nlmsg_type != RTM_NEWROUTE && nlh->nlmsg_type != RTM_DELROUTE) ||
	    nl_route_parse(nlh, &r) || r.table != mon.table)
		return MNL_CB_OK;
	for (i = 0; i < mon.nw; i++)
		if (prefix_equal(&mon.w[i].dst, &r.dst))
			return MNL_CB_OK;	/* watched already: its deadline stays */
	if (mon.nw == mon.aw) {
		mon.aw = mon.aw ? 2 * mon.aw : 64;
		nw = realloc(mon.w, mon.aw * sizeof(*nw));
		if (!nw)
			return MNL_CB_ERROR;
		mon.w = nw;
	}
	mon.w[mon.nw].dst = r.dst;
	mon.w[mon.nw++].deadline = now_ms() + MONITOR_WAIT_MS;
	return MNL_CB_OK;
}

static struct seen *seen_find(const struct inet_prefix *p)
{
	size_t i;

	for (i = 0; i < mon.nseen; i++)
		if (prefix_equal(&mon.seen[i].dst, p))
			return &mon.seen[i];
	return NULL;
}

/* Whether the maps do for @p what the kernel does: 1, 0, or a negative errno. */
static int followed(const struct inet_prefix *p, bool *present, struct kroute *m)
{
	struct kroute k;
	int has_k, has_m;

	has_k = nl_route_exact(p, mon.table, &k);
	if (has_k < 0)
		return has_k;
	has_m = compile_lookup(p, m);
	if (has_m < 0)
		return has_m;
	*present = has_m == 1 && !(m->type == RTN_LOCAL && m->table == RT_TABLE_LOCAL);
	if (has_k)
		return has_m == 1 && compile_same(&k, m);
	/* ipxr sync keeps ipxr's own routes that the kernel dropped with their port */
	return !*present || (m->protocol == RTPROT_IPXR && m->oif && !port_up_now(m->oif));
}

/* The maps hold nothing for @p: deleted, or (@unsynced) not there although the kernel routes it. */
static void print_deleted(const struct inet_prefix *p, bool unsynced)
{
	char buf[PREFIX_STRLEN];

	open_json_object(NULL);
	if (unsynced)
		print_bool(PRINT_JSON, "synced", NULL, false);
	print_string(PRINT_FP, NULL, "%s", unsynced ? "Unsynced " : "Deleted ");
	print_bool(PRINT_JSON, "deleted", NULL, true);
	print_string(PRINT_ANY, "dst", "%s", format_prefix(buf, sizeof(buf), p));
	if (unsynced)
		print_string(PRINT_FP, NULL, "%s", " (not in the fast path)");
	close_json_object();
	print_nl();
}

/* Print @p as the maps hold it, unless that is what was printed last. */
static int report(const struct inet_prefix *p, bool present, bool unsynced)
{
	const struct ipxr_family *f = family_get(p->family);
	struct ipxr_route val = {};
	struct route_key key = { .prefixlen = p->bitlen };
	struct seen *s = seen_find(p), *ns;

	memcpy(key.addr, p->addr, af_bytes(p->family));
	if (present && route_lookup_exact(f, &key, &val) != 1)
		present = false;	/* gone meanwhile */
	if (s && s->present == present && (!present || !memcmp(&s->val, &val, sizeof(val))) &&
	    !unsynced)
		return 0;
	if (!s) {
		if (mon.nseen == mon.aseen) {
			mon.aseen = mon.aseen ? 2 * mon.aseen : 64;
			ns = realloc(mon.seen, mon.aseen * sizeof(*ns));
			if (!ns)
				return ipxr_error(IPXR_EXIT_REFUSED, "out of memory");
			mon.seen = ns;
		}
		s = &mon.seen[mon.nseen++];
		s->dst = *p;
	}
	s->present = present;
	s->val = val;
	if (present)
		route_print(f, &key, &val, unsynced);
	else
		print_deleted(p, unsynced);
	fflush(stdout);
	return 0;
}

/* One round over the watched prefixes: print and forget those the maps followed. */
static int check_watched(void)
{
	long long now = now_ms();
	struct kroute m;
	size_t i, n;
	bool present;
	int ret, err;

	/* the next hops as ipxr sync left them, for the lookups and the printer */
	nh_free_all();
	err = nh_load();
	if (err)
		return err;
	for (i = n = 0; i < mon.nw; i++) {
		ret = followed(&mon.w[i].dst, &present, &m);
		if (ret < 0)
			return ipxr_error(IPXR_EXIT_REFUSED, "cannot compare the maps with the "
					  "kernel: %s", strerror(-ret));
		if (ret || now >= mon.w[i].deadline) {
			err = report(&mon.w[i].dst, present, !ret);
			if (err)
				return err;
			continue;
		}
		mon.w[n++] = mon.w[i];
	}
	mon.nw = n;
	return 0;
}

static void on_signal(int sig)
{
	(void)sig;
	mon.stop = 1;
}

static int monitor_route(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct pollfd pfd = { .events = POLLIN };
	int n, err;

	if (argc > 0)
		return badarg(argv[0]);
	err = maps_open(false);
	if (err)
		return err;
	mon.table = compile_table();
	pfd.fd = events_open(EV_ROUTE, EVENTS_RCVBUF);
	if (pfd.fd < 0)
		return ipxr_error(IPXR_EXIT_REFUSED, "cannot open the rtnetlink notification "
				  "socket: %s", strerror(-pfd.fd));
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	err = 0;
	while (!mon.stop && !err) {
		n = poll(&pfd, 1, mon.nw ? MONITOR_POLL_MS : -1);
		if (n < 0 && errno != EINTR) {
			err = ipxr_error(IPXR_EXIT_REFUSED, "poll: %s", strerror(errno));
			break;
		}
		if (n > 0) {
			n = events_read(on_route, NULL, 0);
			if (n == -ENOBUFS)
				ipxr_warn("netlink receive buffer overrun: route changes were "
					  "missed");
			else if (n < 0)
				err = ipxr_error(IPXR_EXIT_REFUSED, "reading notifications: %s",
						 strerror(-n));
		}
		if (!err && mon.nw)
			err = check_watched();
	}
	events_close();
	free(mon.w);
	free(mon.seen);
	memset(&mon, 0, sizeof(mon));
	return err;
}

static int monitor_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("Usage: ipxr [ OPTIONS ] monitor [ route ]\n"
	       "       ipxr [ OPTIONS ] monitor pass [ reason REASON ] [ dev NAME ] "
	       "[ rate RATE ]\n"
	       "                                     [ count NUMBER ] [ -w FILE ]\n"
	       "       ipxr [ OPTIONS ] monitor help\n"
	       "RATE := { NUMBER | 1/NUMBER }\n%s", ipxr_options_usage);
	return 0;
}

static const struct cmd monitor_cmds[] = {
	{ "route", monitor_route },
	{ "pass", monitor_pass },
	{ "help", monitor_help },
	{ NULL, NULL },
};

int do_monitor(int argc, char **argv)
{
	return cmd_dispatch(monitor_cmds, "monitor object", monitor_route, argc, argv);
}
