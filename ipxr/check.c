// SPDX-License-Identifier: GPL-2.0
/*
 * ipxr check [ repair ]: the invariants the fast path's correctness rests on, each verified
 * against its source of truth, read-only and under the writers' lock (a quiescent state):
 *
 *   write	no write marker left by a writer that died half-way (ipxr_config.writing)
 *   route	the tries agree with the kernel table they compile (the kernel is the truth):
 *		each entry is the kernel's route for its prefix as compile_route() writes it
 *		(with the route counter ipxr_counted gives the prefix: a counter switched on or
 *		off by a command that died half-way may be in one and not the other),
 *		every route of protocol ipxr has its entry, no entry lacks a kernel route but the
 *		LOCAL copies of the router's addresses and ipxr's routes through a port that is
 *		down (the maps hold the other protocols' routes only under ipxr sync, which
 *		re-scans the whole table itself)
 *   nexthop	every next hop's reference count is the number of routes pointing to it, no
 *		route points to a free next hop, no next hop is held by no route
 *   front	the front structure of each family is in step with its trie, entry by entry
 *   standin	no stand-in kernel route without its link-local next hop
 *   port	some port runs the object with the pinned maps, and no port runs it with others
 *
 * The layout version is checked by opening the maps (maps.c). "repair" mends all but the
 * ports (compile_recover(), as the next writer after an interrupted one does); a port running
 * other maps needs the object attached again.
 */
#include <arpa/inet.h>
#include <net/if.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>

#include "check.h"
#include "compile.h"
#include "counted.h"
#include "lpm.h"
#include "json_print.h"
#include "kroute.h"
#include "maps.h"
#include "netlink.h"
#include "nexthop.h"
#include "ports.h"
#include "redirect.h"
#include "route.h"
#include "rt_names.h"
#include "utils.h"

/* Lines printed per kind of problem: the count says the rest. */
#define CHECK_SHOW	10

static struct {
	unsigned int problems;
	bool quiet;		/* recovering: mend, print nothing */
} ck;

static void __attribute__((format(printf, 2, 3))) problem(const char *area, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	ck.problems++;
	if (ck.quiet)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	open_json_object(NULL);
	print_string(PRINT_ANY, "check", "%s: ", area);
	print_string(PRINT_ANY, "problem", "%s", msg);
	close_json_object();
	print_nl();
}

static bool grow(void **v, size_t *alloc, size_t n, size_t size)
{
	void *nv;

	if (n < *alloc)
		return true;
	nv = realloc(*v, (*alloc ? 2 * *alloc : 256) * size);
	if (!nv)
		return false;
	*v = nv;
	*alloc = *alloc ? 2 * *alloc : 256;
	return true;
}

/* "blackhole 10.0.0.0/8", "10.1.0.0/16 via 10.0.2.2 dev r-eth1": for the messages */
static char *describe(char *buf, size_t len, const struct kroute *r)
{
	char p[PREFIX_STRLEN], a[INET6_ADDRSTRLEN], d[IF_NAMESIZE];
	int n;

	n = snprintf(buf, len, "%s%s%s", r->type == RTN_UNICAST ? "" : route_type_name(r->type),
		     r->type == RTN_UNICAST ? "" : " ", format_prefix(p, sizeof(p), &r->dst));
	if (r->has_gw && n >= 0 && (size_t)n < len)
		n += snprintf(buf + n, len - n, " via %s",
			      format_addr(a, sizeof(a), r->gw.family, r->gw.addr));
	if (r->oif && n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - n, " dev %s", dev_name(r->oif, d));
	return buf;
}

/* ------------------------------------------------------------------------------------------ */
/* The maps against the kernel table                                                           */

struct tscan {
	struct kroute group;	/* the best route so far of the prefix being dumped */
	bool have;
	struct inet_prefix *seen;	/* every prefix the kernel uses a route of */
	size_t nseen, aseen;
	struct kroute *todo;		/* kernel routes the maps do not hold as they are */
	size_t ntodo, atodo;
	bool nomem;
};

static void tscan_flush(struct tscan *sc)
{
	struct kroute m;
	int has_m;

	if (!sc->have)
		return;
	sc->have = false;
	if (sc->group.tos || (sc->group.flags & RTNH_F_DEAD))
		return;	/* no route the kernel would use: as if absent */
	if (!grow((void **)&sc->seen, &sc->aseen, sc->nseen, sizeof(*sc->seen))) {
		sc->nomem = true;
		return;
	}
	sc->seen[sc->nseen++] = sc->group.dst;
	has_m = compile_lookup(&sc->group.dst, &m);
	/* a host route to an address of the router: its LOCAL copy wins, as in the kernel */
	if (has_m == 1 && ((compile_same(&sc->group, &m) && m.counter == counted_slot(&m.dst)) ||
			   (m.type == RTN_LOCAL && m.table == RT_TABLE_LOCAL)))
		return;
	/*
	 * Without ipxr sync the maps hold the prefixes ipxr wrote, not the whole table: the
	 * fast path hands the others to the kernel, which is exact. A route of protocol ipxr
	 * missing from them is a write that did its kernel half only.
	 */
	if (has_m == 0 && sc->group.protocol != RTPROT_IPXR)
		return;
	if (!grow((void **)&sc->todo, &sc->atodo, sc->ntodo, sizeof(*sc->todo))) {
		sc->nomem = true;
		return;
	}
	sc->todo[sc->ntodo++] = sc->group;
}

static int tscan_cb(const struct kroute *r, void *data)
{
	struct tscan *sc = data;

	if (sc->have && prefix_equal(&sc->group.dst, &r->dst)) {
		if (kroute_preferred(r, &sc->group))
			sc->group = *r;
		return 0;
	}
	tscan_flush(sc);
	sc->group = *r;
	sc->have = true;
	return 0;
}

/*
 * A route of protocol ipxr through a port that exists but is not up: the kernel dropped it
 * with the port (IPv4 silently), the maps keep it and hand its packets to the kernel
 * (port_down) until the port is back and ipxr sync restores it. Not a difference.
 */
static bool kept_for_port(const struct kroute *m)
{
	char name[IF_NAMESIZE];

	return m->protocol == RTPROT_IPXR && m->type == RTN_UNICAST && m->oif &&
	       if_indextoname(m->oif, name) && !port_up_now(m->oif);
}

/* Every difference between the maps and the kernel table: mended when @repair, else shown. */
static int table_diff(bool repair)
{
	__u32 table = compile_table();
	const struct ipxr_family *f;
	struct route_key *keys;
	struct inet_prefix p;
	struct kroute m;
	struct tscan sc;
	char b1[160], b2[160], t[16];
	size_t nkeys, i, tries, extra = 0, missing = 0;
	int err, has_m;

	for (tries = 0;; tries++) {
		memset(&sc, 0, sizeof(sc));
		err = nl_route_dump(AF_UNSPEC, table, tscan_cb, &sc);
		tscan_flush(&sc);
		/* the table changed while it was dumped: the kernel says so, dump it again */
		if (err != -EINTR || tries == 3)
			break;
		free(sc.seen);
		free(sc.todo);
	}
	if (!err && sc.nomem)
		err = -ENOMEM;
	if (err) {
		free(sc.seen);
		free(sc.todo);
		return ipxr_error(IPXR_EXIT_REFUSED, "cannot dump table %s: %s",
				  rt_name(RT_NAMES_TABLE, table, t, sizeof(t)), strerror(-err));
	}
	for (i = 0; i < sc.ntodo; i++) {
		if (repair) {
			/* one route the maps refuse (its error printed) must not stop the rest */
			err = compile_route(&sc.todo[i]);
			if (err == IPXR_EXIT_NOMAPS)
				break;
			continue;
		}
		if (missing++ >= CHECK_SHOW)
			continue;
		has_m = compile_lookup(&sc.todo[i].dst, &m);
		if (has_m == 1 && compile_same(&sc.todo[i], &m)) {
			problem("route", "the maps hold %s with route counter %u, map %s gives "
				"the prefix %u", describe(b1, sizeof(b1), &m), m.counter,
				IPXR_MAP_COUNTED, counted_slot(&m.dst));
			continue;
		}
		problem("route", "the kernel routes %s, the maps %s%s%s",
			describe(b1, sizeof(b1), &sc.todo[i]), has_m == 1 ? "hold " : "",
			has_m == 1 ? describe(b2, sizeof(b2), &m) : "have no entry for it",
			has_m == 1 && !compile_same(&sc.todo[i], &m) ? " (another route)" : "");
	}
	err = 0;
	if (sc.nseen)
		qsort(sc.seen, sc.nseen, sizeof(*sc.seen), prefix_cmp);
	for_each_family(f) {
		err = route_keys(f, &keys, &nkeys);
		if (err) {
			err = ipxr_error(IPXR_EXIT_REFUSED, "cannot read map %s: %s",
					 map_layout[f->route_map].name, strerror(-err));
			break;
		}
		for (i = 0; i < nkeys; i++) {
			memset(&p, 0, sizeof(p));
			p.family = f->af;
			p.bitlen = keys[i].prefixlen;
			memcpy(p.addr, keys[i].addr, af_bytes(f->af));
			if (sc.nseen &&
			    bsearch(&p, sc.seen, sc.nseen, sizeof(*sc.seen), prefix_cmp))
				continue;
			if (compile_lookup(&p, &m) != 1 ||
			    (m.type == RTN_LOCAL && m.table == RT_TABLE_LOCAL) || kept_for_port(&m))
				continue;
			if (repair) {
				if (compile_remove(&p) == IPXR_EXIT_NOMAPS)
					break;
			} else if (extra++ < CHECK_SHOW) {
				problem("route", "the maps hold %s, table %s has no route for it",
					describe(b1, sizeof(b1), &m),
					rt_name(RT_NAMES_TABLE, table, t, sizeof(t)));
			}
		}
		free(keys);
	}
	if (missing > CHECK_SHOW)
		problem("route", "%zu kernel routes in all are not in the maps as the kernel has "
			"them", missing);
	if (extra > CHECK_SHOW)
		problem("route", "%zu map entries in all have no route in the kernel table", extra);
	/* shown once each above: the count of problems is of routes */
	ck.problems += (missing > CHECK_SHOW ? missing - CHECK_SHOW - 1 : 0) +
		       (extra > CHECK_SHOW ? extra - CHECK_SHOW - 1 : 0);
	free(sc.seen);
	free(sc.todo);
	return err;
}

int check_reconcile(void)
{
	return table_diff(true);
}

/* ------------------------------------------------------------------------------------------ */
/* Next-hop references                                                                         */

static int check_nexthops(void)
{
	const struct ipxr_nexthop *nh;
	unsigned int shown = 0;
	__u32 *counts, id;
	int err;

	counts = calloc(IPXR_MAX_NEXTHOPS, sizeof(*counts));
	if (!counts)
		return ipxr_error(IPXR_EXIT_REFUSED, "out of memory");
	err = compile_count_refs(counts);
	if (err)
		goto out;
	if (counts[0])
		problem("nexthop", "%u unicast routes have no next hop (id 0)", counts[0]);
	for (id = 1; id < IPXR_MAX_NEXTHOPS; id++) {
		nh = nh_get(id);
		if (!nh && counts[id]) {
			problem("nexthop", "%u routes point to next hop %u, which is free: they "
				"hand their packets to the kernel (nh_invalid), and the id may be "
				"given to another gateway", counts[id], id);
		} else if (nh && nh->refcnt != counts[id]) {
			if (shown++ < CHECK_SHOW)
				problem("nexthop", "next hop %u counts %u routes, %u point to it%s",
					id, nh->refcnt, counts[id],
					nh->refcnt < counts[id] ? ": it would be freed, and its id "
					"given to another gateway, while routes still use it" : "");
			else
				ck.problems++;
		} else if (nh && !counts[id]) {
			problem("nexthop", "next hop %u is held by no route", id);
		}
	}
out:
	free(counts);
	return err;
}

/* ------------------------------------------------------------------------------------------ */
/* The front structure                                                                         */

struct front_shown {
	const struct ipxr_family *f;
	unsigned int n;
};

static void front_report(void *ctx, const __u8 *addr, __u8 plen, __u32 got, __u32 want)
{
	struct front_shown *sh = ctx;
	char a[INET6_ADDRSTRLEN];

	if (sh->n++ >= CHECK_SHOW)
		return;
	if (!addr)
		problem("front", "the %s pool's bookkeeping word %u holds 0x%08x, not 0x%08x",
			sh->f->name, plen, got, want);
	else
		problem("front", "%s/%u: the %s pool holds 0x%08x, the trie paints 0x%08x",
			inet_ntop(sh->f->af, addr, a, sizeof(a)), plen, sh->f->name, got, want);
}

/* Whether the family's trie holds any route: 1, 0, or a negative errno. */
static int trie_has_routes(const struct ipxr_family *f)
{
	struct route_key key;

	if (!bpf_map_get_next_key(map_fd(f->route_map), NULL, &key))
		return 1;
	return errno == ENOENT ? 0 : -errno;
}

static int check_front(void)
{
	const struct ipxr_family *f;
	struct lpm l;
	long bad;
	int err;

	for_each_family(f) {
		struct front_shown sh = { .f = f };

		err = lpm_open(&l, f->af, map_fd(MAP_LPM), map_fd(f->route_map));
		if (err)
			return ipxr_error(IPXR_EXIT_REFUSED, "cannot map the %s front structure "
					  "(%s): %s", f->name, IPXR_MAP_LPM, strerror(-err));
		bad = lpm_verify(&l, front_report, &sh);
		lpm_close(&l);
		if (bad == -ENOENT) {
			/* no pool: right (the program uses the trie) until the first route */
			err = trie_has_routes(f);
			if (err < 0)
				return ipxr_error(IPXR_EXIT_REFUSED, "cannot read the %s trie: %s",
						  f->name, strerror(-err));
			if (err)
				problem("front", "the %s front structure has no pool though the trie "
					"holds routes: lookups walk the trie until the next write",
					f->name);
			continue;
		}
		if (bad < 0)
			return ipxr_error(IPXR_EXIT_REFUSED, "cannot verify the %s front structure: "
					  "%s", f->name, strerror((int)-bad));
		if (bad > CHECK_SHOW) {
			problem("front", "%ld entries of the %s pool in all differ from the trie",
				bad, f->name);
			ck.problems += bad - CHECK_SHOW - 1;
		}
	}
	return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Stand-in routes                                                                             */

struct standins {
	struct kroute *stray;
	size_t n, alloc;
	bool nomem;
};

static int standin_cb(const struct kroute *r, void *data)
{
	struct standins *x = data;
	const struct ipxr_nexthop *nh;
	__be32 hi, lo;
	__u8 want[16];

	if (r->dst.family != AF_INET6 || r->dst.bitlen != 128)
		return 0;
	memcpy(&hi, r->dst.addr, 4);
	memcpy(&lo, r->dst.addr + 12, 4);
	if (ntohl(hi) != IPXR_STANDIN6_HI)
		return 0;
	nh_standin_addr(ntohl(lo), want);
	nh = nh_get(ntohl(lo));
	if (!memcmp(want, r->dst.addr, 16) && nh && (nh->flags & IPXR_NH_F_STANDIN) &&
	    r->has_gw && !memcmp(r->gw.addr, nh->gw, 16) && r->oif == (int)nh->ifindex)
		return 0;
	if (!grow((void **)&x->stray, &x->alloc, x->n, sizeof(*x->stray))) {
		x->nomem = true;
		return 0;
	}
	x->stray[x->n++] = *r;
	return 0;
}

int check_standins(bool repair)
{
	struct standins x = {};
	char b[160];
	size_t i;
	int err;

	err = nl_route_dump(AF_INET6, IPXR_KERNEL_TABLE, standin_cb, &x);
	if (!err && x.nomem)
		err = -ENOMEM;
	for (i = 0; !err && i < x.n; i++) {
		if (!repair) {
			problem("standin", "kernel route %s table %u is the stand-in of no "
				"link-local next hop", describe(b, sizeof(b), &x.stray[i]),
				IPXR_KERNEL_TABLE);
			continue;
		}
		err = nl_route6_host_del(IPXR_KERNEL_TABLE, x.stray[i].dst.addr);
		if (err == -ESRCH || err == -ENOENT)
			err = 0;
	}
	free(x.stray);
	if (err)
		return ipxr_error(IPXR_EXIT_REFUSED, "cannot %s the stand-in routes of table %u: "
				  "%s", repair ? "clean" : "list", IPXR_KERNEL_TABLE,
				  strerror(-err));
	return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Ports: which maps the programs they run use                                                 */

struct links {
	struct port_link *l;
	size_t n, alloc;
};

static int links_cb(const struct nlmsghdr *nlh, void *data)
{
	struct links *x = data;
	struct port_link l;

	if (port_link_parse(nlh, &l) || !l.prog_id)
		return MNL_CB_OK;
	if (!grow((void **)&x->l, &x->alloc, x->n, sizeof(*x->l)))
		return MNL_CB_ERROR;
	x->l[x->n++] = l;
	return MNL_CB_OK;
}

typedef void (*port_report_fn)(void *ctx, const char *msg);

static void port_mismatch(char *msg, size_t len, const struct port_link *l,
			  const struct bpf_map_info *m, __u32 pinned)
{
	snprintf(msg, len, "port %s runs XDP program %u with map %s id %u, not the pinned one "
		 "(id %u): ipxr's writes do not reach what it forwards by; attach the object "
		 "again (ip link set dev %s xdp off, then ... obj xdp_router.o)", l->name,
		 l->prog_id, m->name, m->id, pinned, l->name);
}

/*
 * For each port running an ipxr program (one that uses maps of ipxr's names), whether its maps
 * are the pinned ones. Reports what is wrong; returns 0 or a negative errno.
 */
static int ports_verify(port_report_fn report, void *ctx)
{
	__u32 pinned[MAP_COUNT] = {}, ids[64], len, i, k, good = 0;
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct bpf_prog_info pinfo;
	struct bpf_map_info minfo;
	struct links x = {};
	char msg[512];
	size_t p;
	int fd, mfd, err, id;

	for (id = 0; id < MAP_COUNT; id++) {
		memset(&minfo, 0, sizeof(minfo));
		len = sizeof(minfo);
		if (!bpf_obj_get_info_by_fd(map_fd(id), &minfo, &len))
			pinned[id] = minfo.id;
	}
	err = nl_dump(RTM_GETLINK, &ifi, sizeof(ifi), links_cb, &x);
	for (p = 0; !err && p < x.n; p++) {
		bool ipxr = false, same = true;

		fd = bpf_prog_get_fd_by_id(x.l[p].prog_id);
		if (fd < 0)
			continue;	/* replaced since the dump */
		memset(&pinfo, 0, sizeof(pinfo));
		pinfo.nr_map_ids = sizeof(ids) / sizeof(ids[0]);
		pinfo.map_ids = (__u64)(unsigned long)ids;
		len = sizeof(pinfo);
		if (bpf_obj_get_info_by_fd(fd, &pinfo, &len)) {
			close(fd);
			continue;
		}
		close(fd);
		if (pinfo.nr_map_ids > sizeof(ids) / sizeof(ids[0]))
			pinfo.nr_map_ids = sizeof(ids) / sizeof(ids[0]);
		for (i = 0; i < pinfo.nr_map_ids; i++) {
			mfd = bpf_map_get_fd_by_id(ids[i]);
			if (mfd < 0)
				continue;
			memset(&minfo, 0, sizeof(minfo));
			len = sizeof(minfo);
			err = bpf_obj_get_info_by_fd(mfd, &minfo, &len);
			close(mfd);
			err = 0;
			for (k = 0; k < MAP_COUNT; k++) {
				if (strcmp(minfo.name, map_layout[k].name))
					continue;
				ipxr = true;
				if (minfo.id == pinned[k])
					break;
				if (same)
					port_mismatch(msg, sizeof(msg), &x.l[p], &minfo, pinned[k]);
				same = false;
			}
		}
		if (ipxr && !same)
			report(ctx, msg);
		/* a port the fast path redirects into: does the kernel take the frames there? */
		if (ipxr && same && redirect_refused(&x.l[p], msg, sizeof(msg)) == 1)
			report(ctx, msg);
		good += ipxr && same;
	}
	free(x.l);
	if (err)
		return err;
	if (!good)
		report(ctx, "no port runs the XDP object with the pinned maps: the fast path "
		       "forwards nothing that ipxr writes (attach it: ip link set dev DEV xdpdrv "
		       "obj xdp_router.o sec xdp_router)");
	return 0;
}

static void port_problem(void *ctx, const char *msg)
{
	(void)ctx;
	problem("port", "%s", msg);
}

/* The warnings' text, kept so that ipxr sync says each state once */
struct port_warnings {
	char text[2048];
	size_t len;
};

static void port_collect(void *ctx, const char *msg)
{
	struct port_warnings *w = ctx;
	int n;

	if (w->len >= sizeof(w->text) - 1)
		return;
	n = snprintf(w->text + w->len, sizeof(w->text) - w->len, "%s\n", msg);
	if (n > 0)
		w->len += (size_t)n;
	if (w->len >= sizeof(w->text))
		w->len = sizeof(w->text) - 1;
}

void check_ports_warn(void)
{
	static struct port_warnings last;
	static double last_time = -1e9;
	struct port_warnings now = {};
	struct timespec ts;
	char *line, *save;
	double t;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	t = ts.tv_sec + ts.tv_nsec / 1e9;
	if (t - last_time < 10)
		return;
	last_time = t;
	if (ports_verify(port_collect, &now) || !strcmp(now.text, last.text))
		return;
	last = now;
	for (line = strtok_r(now.text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		ipxr_warn("%s", line);
}

void check_redirect_warn(void)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct links x = {};
	char msg[512];
	size_t p;

	/* asked after the dump: redirect_refused() talks on the same socket */
	if (!nl_dump(RTM_GETLINK, &ifi, sizeof(ifi), links_cb, &x))
		for (p = 0; p < x.n; p++)
			if ((port_get(x.l[p].ifindex) & IPXR_PORT_F_XDP) &&
			    redirect_refused(&x.l[p], msg, sizeof(msg)) == 1)
				ipxr_warn("%s", msg);
	free(x.l);
}

/* ------------------------------------------------------------------------------------------ */
/* The command                                                                                 */

static int run_checks(void)
{
	__u32 dead = maps_writing();
	int err, ret = 0;

	ck.problems = 0;
	if (dead)
		problem("write", "ipxr (pid %u) was interrupted while writing: the next write "
			"recovers (or ipxr check repair)", dead);
	err = table_diff(false);
	if (err)
		ret = err;
	err = check_nexthops();
	if (err && !ret)
		ret = err;
	err = check_front();
	if (err && !ret)
		ret = err;
	err = check_standins(false);
	if (err && !ret)
		ret = err;
	err = ports_verify(port_problem, NULL);
	if (err && !ret)
		ret = ipxr_error(IPXR_EXIT_REFUSED, "cannot list the ports: %s", strerror(-err));
	return ret;
}

static int check_run(bool repair)
{
	int err;

	/* under the lock: no writer is half-way, what differs is wrong */
	err = maps_open(false);
	if (!err)
		err = maps_lock();
	if (!err)
		err = nh_load();
	if (err)
		return err;
	open_json_array(NULL);
	err = run_checks();
	close_json_array();
	if (err)
		return err;
	if (!repair) {
		if (ck.problems)
			return ipxr_error(IPXR_EXIT_INCONSISTENT, "%u problems found: ipxr check "
					  "repair mends all but the ports", ck.problems);
		return 0;
	}
	/* the maps again, writable: compile_begin() recovers first if a writer died */
	nh_free_all();
	err = compile_begin();
	if (!err)
		err = compile_recover();
	if (!err)
		err = compile_commit();
	if (err)
		return err;
	/* what cannot be mended here: the programs the ports run */
	ck.problems = 0;
	ck.quiet = true;
	ports_verify(port_problem, NULL);
	ck.quiet = false;
	if (ck.problems)
		return ipxr_error(IPXR_EXIT_INCONSISTENT, "mended all but the ports (see above)");
	return 0;
}

static int check_verify(int argc, char **argv)
{
	if (argc > 0)
		return badarg(*argv);
	return check_run(false);
}

static int check_repair(int argc, char **argv)
{
	if (argc > 0)
		return badarg(*argv);
	return check_run(true);
}

static int check_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("Usage: ipxr [ OPTIONS ] check [ repair ]\n%s", ipxr_options_usage);
	return 0;
}

static const struct cmd check_cmds[] = {
	{ "repair", check_repair },
	{ "help", check_help },
	{ NULL, NULL },
};

int do_check(int argc, char **argv)
{
	return cmd_dispatch(check_cmds, "check command", check_verify, argc, argv);
}
