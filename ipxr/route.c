// SPDX-License-Identifier: GPL-2.0
/*
 * ipxr route: add, change, replace, delete, show, flush, get.
 *
 * add, change and replace are one function that differs only in the map update flag, as
 * ip's iproute_modify differs only in netlink flags. Nothing is written before every word has
 * been checked, the device found and the gateway validated, so a failing command leaves the
 * table as it was.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <linux/icmpv6.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include "compile.h"
#include "counted.h"
#include "group.h"
#include "json_print.h"
#include "kroute.h"
#include "local.h"
#include "maps.h"
#include "netlink.h"
#include "nexthop.h"
#include "route.h"
#include "rt_names.h"
#include "stats.h"


/*
 * The kernel's route types ipxr takes, in ip's words. A local route is the kernel's own (it
 * makes one per address): shown and selected, never written.
 */
static const struct route_type_word {
	const char *name;
	__u8 type;
	bool writable;
} type_words[] = {
	{ "unicast", RTN_UNICAST, true },
	{ "local", RTN_LOCAL, false },
	{ "blackhole", RTN_BLACKHOLE, true },
	{ "unreachable", RTN_UNREACHABLE, true },
	{ "prohibit", RTN_PROHIBIT, true },
	{ "throw", RTN_THROW, true },
	{ NULL, 0, false },
};

const char *route_type_name(unsigned int type)
{
	const struct route_type_word *t;

	for (t = type_words; t->name; t++)
		if (t->type == type)
			return t->name;
	switch (type) {
	case RTN_BROADCAST:
		return "broadcast";
	case RTN_ANYCAST:
		return "anycast";
	case RTN_MULTICAST:
		return "multicast";
	case RTN_NAT:
		return "nat";
	}
	return "unknown";
}

/* A bare type word: any but local, which only "type local" (selectors) names. */
static int type_from_word(const char *w, bool allow_local)
{
	const struct route_type_word *t;

	for (t = type_words; t->name; t++)
		if (is_word(w, t->name) && (t->writable || allow_local))
			return t->type;
	return -1;
}

static int set_dst(struct route_req *req, const char *arg, enum route_match how)
{
	if (req->has_dst)
		return duparg("to", arg);
	req->has_dst = true;
	req->match = how;
	req->dst_arg = arg;
	return parse_prefix_arg(arg, ipxr.family, &req->dst);
}

static int match_word(const char *w, enum route_match *how)
{
	if (is_word(w, "exact"))
		*how = MATCH_EXACT;
	else if (is_word(w, "root"))
		*how = MATCH_ROOT;
	else if (is_word(w, "match"))
		*how = MATCH_MATCH;
	else
		return -1;
	return 0;
}

/*
 * The family of the route: its prefix's; "default" has none of its own and takes the
 * gateway's, else the source's, else -4/-6, else IPv4 (as ip decides it).
 */
static int resolve_family(struct route_req *req)
{
	int family = req->has_dst ? req->dst.family : AF_UNSPEC;
	unsigned int i;

	if (req->has_via) {
		if (family && family != req->via.family)
			return ipxr_error(IPXR_EXIT_USAGE, "prefix \"%s\" and gateway \"%s\" are "
					  "of different families.", req->dst_arg, req->via_arg);
		family = req->via.family;
	}
	for (i = 0; i < req->nnh; i++) {
		if (!req->nh[i].has_via)
			continue;
		if (family && family != req->nh[i].via.family)
			return ipxr_error(IPXR_EXIT_USAGE, "the gateway of nexthop %u is not of the "
					  "route's family.", i + 1);
		family = req->nh[i].via.family;
	}
	if (req->has_src) {
		if (family && family != req->src.family)
			return ipxr_error(IPXR_EXIT_USAGE, "the source address is not of the "
					  "route's family.");
		family = req->src.family;
	}
	if (!family)
		family = ipxr.family ? ipxr.family : AF_INET;
	req->family = family;
	req->dst.family = family;
	return 0;
}

/* What may be a prefix: "default", an address of either family (ip's short forms included). */
static bool prefix_shaped(const char *w)
{
	return is_word(w, "default") || strchr(w, ':') || (*w >= '0' && *w <= '9');
}

/* The argument of keyword @argv[0]: advances the loop, or prints ip's "argument is missing". */
#define NEXT_ARG()							\
	do {								\
		if (argc < 2)						\
			return missarg(w);				\
		argc--, argv++;						\
	} while (0)

#define DUP_CHECK(flag, key)						\
	do {								\
		if (flag)						\
			return duparg(key, *argv);			\
	} while (0)

static int parse_name_arg(enum rt_names_kind kind, const char *key, const char *arg,
			  __u32 *id)
{
	if (rt_id(kind, arg, id) == 0)
		return 0;
	return ipxr_error(IPXR_EXIT_USAGE, "invalid \"%s\" value \"%s\".", key, arg);
}

/*
 * NH := nexthop [ via [ FAMILY ] ADDRESS ] [ dev NAME ] [ weight NUMBER ] [ onlink ], repeated
 * to the end of the words (@argv[0] is the first "nexthop").
 */
static int parse_nexthops(int argc, char **argv, struct route_req *req)
{
	struct route_nh *nh = NULL;
	const char *w;
	__u32 v;
	int err;

	for (; argc > 0; argc--, argv++) {
		w = *argv;
		if (is_word(w, "nexthop")) {
			if (req->nnh == ROUTE_NH_MAX)
				return ipxr_error(IPXR_EXIT_USAGE, "at most %d next hops in a route.",
						  ROUTE_NH_MAX);
			nh = &req->nh[req->nnh++];
			nh->weight = 1;
		} else if (is_word(w, "via")) {
			NEXT_ARG();
			if ((is_word(*argv, "inet") || is_word(*argv, "inet6")) && argc > 1)
				argc--, argv++;
			DUP_CHECK(nh->has_via, "via");
			err = parse_addr_arg(*argv, ipxr.family, &nh->via);
			if (err)
				return err;
			nh->has_via = true;
		} else if (is_word(w, "dev") || is_word(w, "oif")) {
			NEXT_ARG();
			DUP_CHECK(nh->dev, "dev");
			nh->dev = *argv;
		} else if (is_word(w, "weight")) {
			NEXT_ARG();
			err = parse_u32_arg("weight", *argv, 256, &v);
			if (err)
				return err;
			if (!v)
				return ipxr_error(IPXR_EXIT_USAGE, "invalid \"weight\" value \"0\".");
			nh->weight = (__u16)v;
		} else if (is_word(w, "onlink")) {
			nh->onlink = true;
		} else {
			return ipxr_error(IPXR_EXIT_USAGE, "unknown nexthop keyword \"%s\": NH := "
					  "nexthop [ via ADDRESS ] [ dev NAME ] [ weight NUMBER ] "
					  "[ onlink ], after the other words.", w);
		}
	}
	return 0;
}

/* iproute2's keyword loop: keywords take the next word, a bare word is the prefix. */
int route_parse(int argc, char **argv, bool selector, struct route_req *req)
{
	enum route_match how;
	const char *w;
	int type, err;
	__u32 v;

	memset(req, 0, sizeof(*req));
	for (; argc > 0; argc--, argv++) {
		w = *argv;
		how = MATCH_EXACT;
		if (is_word(w, "via")) {
			NEXT_ARG();
			/* ip's "via [ inet | inet6 ] ADDRESS" */
			if ((is_word(*argv, "inet") || is_word(*argv, "inet6")) && argc > 1)
				argc--, argv++;
			DUP_CHECK(req->has_via, "via");
			err = parse_addr_arg(*argv, ipxr.family, &req->via);
			if (err)
				return err;
			req->has_via = true;
			req->via_arg = *argv;
		} else if (is_word(w, "dev") || is_word(w, "oif")) {
			NEXT_ARG();
			DUP_CHECK(req->dev, "dev");
			req->dev = *argv;
		} else if (is_word(w, "proto") || is_word(w, "protocol")) {
			NEXT_ARG();
			DUP_CHECK(req->has_proto, "proto");
			err = parse_name_arg(RT_NAMES_PROTO, "protocol", *argv, &v);
			if (err)
				return err;
			req->has_proto = true;
			req->proto = v;
		} else if (is_word(w, "metric") || is_word(w, "priority") ||
			   is_word(w, "preference")) {
			NEXT_ARG();
			DUP_CHECK(req->has_metric, "metric");
			err = parse_u32_arg("metric", *argv, UINT32_MAX, &req->metric);
			if (err)
				return err;
			req->has_metric = true;
		} else if (is_word(w, "scope")) {
			NEXT_ARG();
			DUP_CHECK(req->has_scope, "scope");
			err = parse_name_arg(RT_NAMES_SCOPE, "scope", *argv, &v);
			if (err)
				return err;
			req->has_scope = true;
			req->scope = v;
		} else if (is_word(w, "src") && !selector) {
			NEXT_ARG();
			DUP_CHECK(req->has_src, "src");
			err = parse_addr_arg(*argv, ipxr.family, &req->src);
			if (err)
				return err;
			req->has_src = true;
		} else if (is_word(w, "table")) {
			NEXT_ARG();
			DUP_CHECK(req->has_table, "table");
			req->has_table = true;
			if (is_word(*argv, "all") && !selector)
				return ipxr_error(IPXR_EXIT_USAGE, "\"table all\" selects; a route is "
						  "in one table.");
			if (is_word(*argv, "all"))
				req->table = 0;
			else if (rt_id(RT_NAMES_TABLE, *argv, &req->table) || !req->table)
				return ipxr_error(IPXR_EXIT_USAGE, "invalid table \"%s\".", *argv);
		} else if (is_word(w, "onlink") && !selector) {
			req->onlink = true;
		} else if ((is_word(w, "linkdown") || is_word(w, "dead")) && !selector) {
			/* states the kernel reports (ip prints them); nothing a writer can set */
		} else if (is_word(w, "mtu") && !selector) {
			NEXT_ARG();
			DUP_CHECK(req->has_mtu, "mtu");
			if (is_word(*argv, "lock")) {
				req->mtu_lock = true;
				NEXT_ARG();
			}
			err = parse_u32_arg("mtu", *argv, UINT32_MAX, &req->mtu);
			if (err)
				return err;
			if (!req->mtu)
				return ipxr_error(IPXR_EXIT_USAGE, "invalid \"mtu\" value \"0\".");
			req->has_mtu = true;
		} else if (is_word(w, "pref") && !selector) {
			NEXT_ARG();
			DUP_CHECK(req->has_pref, "pref");
			if (is_word(*argv, "low"))
				req->pref = ICMPV6_ROUTER_PREF_LOW;
			else if (is_word(*argv, "medium"))
				req->pref = ICMPV6_ROUTER_PREF_MEDIUM;
			else if (is_word(*argv, "high"))
				req->pref = ICMPV6_ROUTER_PREF_HIGH;
			else
				return ipxr_error(IPXR_EXIT_USAGE, "invalid \"pref\" value \"%s\": "
						  "low, medium or high.", *argv);
			req->has_pref = true;
		} else if (is_word(w, "nhid") && !selector) {
			NEXT_ARG();
			DUP_CHECK(req->nhid, "nhid");
			err = parse_u32_arg("nexthop object id", *argv, UINT32_MAX, &req->nhid);
			if (err)
				return err;
			if (!req->nhid)
				return ipxr_error(IPXR_EXIT_USAGE, "invalid nexthop object id \"0\".");
		} else if ((is_word(w, "counter") || is_word(w, "nocounter")) && !selector) {
			DUP_CHECK(req->counter, "counter");
			req->counter = is_word(w, "counter") ? 1 : -1;
		} else if (is_word(w, "local") && !selector) {
			return ipxr_error(IPXR_EXIT_USAGE, "local routes are the kernel's: it makes "
					  "one for each address of the router (ip address add).");
		} else if (is_word(w, "nexthop") && !selector) {
			/* as ip: the next hops are the last words of the route */
			err = parse_nexthops(argc, argv, req);
			if (err)
				return err;
			break;
		} else if ((type = type_from_word(w, false)) >= 0 ||
			   (selector && is_word(w, "type"))) {
			if (type < 0) {
				NEXT_ARG();
				type = type_from_word(*argv, true);
				if (type < 0)
					return ipxr_error(IPXR_EXIT_USAGE,
							  "invalid route type \"%s\": unicast, "
							  "local, blackhole, unreachable, prohibit "
							  "or throw.", *argv);
			}
			DUP_CHECK(req->has_type, "type");
			req->has_type = true;
			req->type = type;
		} else {
			/* [ to ] [ root | match | exact ] PREFIX, or a bare PREFIX */
			if (is_word(w, "to")) {
				NEXT_ARG();
				w = *argv;
			} else if (!prefix_shaped(w) && !(selector && match_word(w, &how) == 0)) {
				return ipxr_error(IPXR_EXIT_USAGE, "unknown keyword \"%s\", try "
						  "\"ipxr route help\".", w);
			}
			if (selector && match_word(w, &how) == 0)
				NEXT_ARG();
			err = set_dst(req, *argv, how);
			if (err)
				return err;
		}
	}
	if (!selector && !req->has_dst)
		return ipxr_error(IPXR_EXIT_USAGE, "a prefix is needed: ROUTE := [ TYPE ] [ to ] "
				  "PREFIX [ via ADDRESS ] [ dev NAME ] [ INFO_SPEC ]");
	return resolve_family(req);
}

/* What ip would refuse before asking the kernel, and what ipxr never writes. */
static int route_check_write(const struct route_req *req)
{
	unsigned int i;

	if (req->has_type && req->type == RTN_LOCAL)
		return ipxr_error(IPXR_EXIT_USAGE, "local routes are the kernel's: it makes one "
				  "for each address of the router (ip address add).");
	if (req->has_table && !req->table)
		return ipxr_error(IPXR_EXIT_USAGE, "\"table all\" selects; a route goes in one "
				  "table.");
	if (req->nnh && (req->has_via || req->dev || req->nhid))
		return ipxr_error(IPXR_EXIT_USAGE, "a route has via and dev, nhid, or nexthop "
				  "clauses: one of them.");
	if (req->nnh && req->has_type && req->type != RTN_UNICAST)
		return ipxr_error(IPXR_EXIT_USAGE, "only a unicast route has next hops.");
	for (i = 0; i < req->nnh; i++) {
		if (!req->nh[i].has_via && !req->nh[i].dev)
			return ipxr_error(IPXR_EXIT_USAGE, "nexthop %u needs via ADDRESS or dev "
					  "NAME.", i + 1);
		if (req->nh[i].has_via && !req->nh[i].dev &&
		    addr_is_linklocal(req->nh[i].via.family, req->nh[i].via.addr))
			return ipxr_error(IPXR_EXIT_USAGE, "a link-local gateway needs dev.");
	}
	if ((!req->has_type || req->type == RTN_UNICAST) && !req->has_via && !req->dev &&
	    !req->nhid && !req->nnh)
		return ipxr_error(IPXR_EXIT_USAGE,
				  "a unicast route needs via ADDRESS or dev NAME.");
	/* fe80::/10 exists on every link: only the device says which neighbour is meant */
	if (req->has_via && addr_is_linklocal(req->via.family, req->via.addr) && !req->dev)
		return ipxr_error(IPXR_EXIT_USAGE, "a link-local gateway needs dev.");
	return 0;
}

/*
 * The fast path hands a packet to the kernel when forwarding is off on the egress device
 * (bpf_fib_lookup says FWD_DISABLED): say so once per device and family, it is the likely
 * mistake.
 */
static void warn_forwarding(const struct ipxr_family *f, int ifindex)
{
	static struct {
		int ifindex, af;
	} warned[64];
	static unsigned int nwarned;
	char path[128], d[IF_NAMESIZE], c = '1';
	unsigned int i;
	FILE *fp;

	for (i = 0; i < nwarned; i++)
		if (warned[i].ifindex == ifindex && warned[i].af == f->af)
			return;
	if (nwarned < sizeof(warned) / sizeof(warned[0])) {
		warned[nwarned].ifindex = ifindex;
		warned[nwarned++].af = f->af;
	}
	snprintf(path, sizeof(path), "/proc/sys/net/%s/conf/%s/forwarding", f->sysctl,
		 dev_name(ifindex, d));
	fp = fopen(path, "r");
	if (!fp)
		return;
	if (fread(&c, 1, 1, fp) == 1 && c == '0')
		ipxr_warn("forwarding is off on %s (%s): the fast path hands its packets to the "
			  "kernel", d, path);
	fclose(fp);
}

static void key_from_prefix(const struct inet_prefix *p, struct route_key *key)
{
	memset(key, 0, sizeof(*key));
	key->prefixlen = p->bitlen;
	memcpy(key->addr, p->addr, af_bytes(p->family));
}

static void prefix_from_key(const struct ipxr_family *f, const struct route_key *key,
			    struct inet_prefix *p)
{
	memset(p, 0, sizeof(*p));
	p->family = f->af;
	p->bitlen = key->prefixlen;
	memcpy(p->addr, key->addr, f->bits / 8);
}

static char *format_key(char *buf, size_t len, const struct ipxr_family *f,
			const struct route_key *key)
{
	struct inet_prefix p;

	prefix_from_key(f, key, &p);
	return format_prefix(buf, len, &p);
}

static int finish_write(int err)
{
	int cerr = ipxr.batch ? 0 : compile_commit();

	return err ? err : cerr;
}

/* The kernel refused a write: ip's words for it, and the kernel's own reason when it gave one. */
static int kernel_error(const char *dst, int err)
{
	const char *why = nl_error_msg();

	if (err == EEXIST)
		return ipxr_error(IPXR_EXIT_REFUSED, "route \"%s\" already exists (%s): use "
				  "replace or change.", dst, strerror(err));
	if (err == ESRCH || err == ENOENT)
		return ipxr_error(IPXR_EXIT_REFUSED, "route \"%s\" not found (%s).", dst,
				  strerror(err));
	if (*why)
		return ipxr_error(IPXR_EXIT_REFUSED, "%s. (the kernel refused route \"%s\": %s)",
				  why, dst, strerror(err));
	return ipxr_error(IPXR_EXIT_REFUSED, "the kernel refused route \"%s\": %s", dst,
			  strerror(err));
}

static int local_refused(const struct ipxr_family *f, const char *dst)
{
	return ipxr_error(IPXR_EXIT_REFUSED, "\"%s\" is an address of this router: its /%u is a "
			  "local route the kernel handles (%s).", dst, f->bits, strerror(EEXIST));
}

/* The kernel's metric of a route written with @priority (0: IPv6 routes get 1024). */
static __u32 kernel_metric(int family, __u32 priority)
{
	return priority || family != AF_INET6 ? priority : 1024;
}

static bool same_addr(const struct inet_prefix *a, const struct inet_prefix *b)
{
	return a->family == b->family && memcmp(a->addr, b->addr, af_bytes(a->family)) == 0;
}

/*
 * Whether kernel route @r is one that @sel describes, as the kernel matches a delete: what
 * @sel leaves out (0, scope nowhere) matches anything.
 */
static bool kroute_fits(const struct kroute *sel, const struct kroute *r)
{
	return (!sel->type || sel->type == r->type) &&
	       (!sel->protocol || sel->protocol == r->protocol) &&
	       (sel->scope == RT_SCOPE_NOWHERE || sel->scope == r->scope) &&
	       (!sel->priority || sel->priority == r->priority) &&
	       (!sel->oif || sel->oif == r->oif) &&
	       (!sel->has_gw || (r->has_gw && same_addr(&sel->gw, &r->gw))) &&
	       (!sel->has_prefsrc || (r->has_prefsrc && same_addr(&sel->prefsrc, &r->prefsrc))) &&
	       (!sel->nhid || sel->nhid == r->nhid);
}

struct find_ctx {
	const struct kroute *sel;
	struct kroute found;
	bool any;
};

static int find_cb(const struct kroute *r, void *data)
{
	struct find_ctx *x = data;

	if (r->dst.bitlen != x->sel->dst.bitlen || !same_addr(&r->dst, &x->sel->dst) ||
	    !kroute_fits(x->sel, r))
		return 0;
	x->found = *r;
	x->any = true;
	return 1;	/* the first in the kernel's order: the one it acts on */
}

/*
 * The kernel route of @sel->table that @sel describes: usually the one the kernel uses (one
 * lookup); another one costs a dump of the table. 1 and *@r, 0 when none, or a negative errno.
 */
static int kernel_find(const struct kroute *sel, struct kroute *r)
{
	struct find_ctx x = { .sel = sel };
	int ret = nl_route_exact(&sel->dst, sel->table, r);

	if (ret < 0)
		return ret;
	if (ret == 1 && kroute_fits(sel, r))
		return 1;
	if (ret == 0 && sel->table == RT_TABLE_MAIN)
		return 0;
	ret = nl_route_dump(sel->dst.family, sel->table, find_cb, &x);
	if (ret < 0)
		return ret;
	if (x.any)
		*r = x.found;
	return x.any;
}

/*
 * Make the maps hold what the kernel now does for @dst: the one compile path. @written is the
 * route just written (add, change, replace), @deleted the one just deleted, for what the
 * kernel's lookups cannot see: a throw, and a prefix whose every address a longer prefix
 * routes (an aggregate of a BGP table), which would otherwise cost a dump of the whole table.
 * There the kernel's choice is the written route unless the maps hold one of a lower metric
 * (a route of a lower metric that only the kernel has, written by another program, is missed
 * until ipxr sync's dump); after a delete the maps' entry stays unless it was the deleted
 * route, which another metric's may follow: only that case costs the dump.
 */
static int recompile(const struct inet_prefix *dst, __u32 table, const struct kroute *written,
		     const struct kroute *deleted)
{
	char d[PREFIX_STRLEN];
	struct kroute cur, held;
	int ret = nl_route_lookup_exact(dst, table, &cur), have;

	if (ret == -EAGAIN && (written || deleted)) {
		have = compile_lookup(dst, &held) == 1 && held.table == table;
		if (written) {
			/* as the kernel stored it: an IPv6 route without a metric has 1024 */
			cur = *written;
			cur.priority = kernel_metric(cur.dst.family, cur.priority);
			return have && held.priority < cur.priority ? 0 : compile_route(&cur);
		}
		if (have && held.priority != deleted->priority)
			return 0;
	}
	if (ret == -EAGAIN || ret == -EXDEV)
		ret = nl_route_exact(dst, table, &cur);
	if (ret < 0)
		return ipxr_error(IPXR_EXIT_REFUSED, "cannot read the kernel's route for \"%s\": "
				  "%s", format_prefix(d, sizeof(d), dst), strerror(-ret));
	if (ret == 1)
		return compile_route(&cur);
	if (written && written->type == RTN_THROW)
		return compile_route(written);
	return compile_remove(dst);
}

/* Put the kernel back as it was before a write whose fast-path half failed. */
static void kernel_undo(int cmd, int flags, const struct kroute *r, const char *dst)
{
	int err = nl_route_write(cmd, flags, r);

	if (err)
		ipxr_warn("cannot undo the kernel's half of the change to \"%s\": %s: the kernel "
			  "and the fast path differ until ipxr writes the route again", dst,
			  strerror(-err));
}

/* The nexthop clauses of @req as @k's multipath next hops. */
static void kroute_paths(const struct route_req *req, struct kroute *k)
{
	static struct kpath_set set;
	unsigned int i;

	memset(&set, 0, sizeof(set));
	for (i = 0; i < req->nnh; i++) {
		set.p[i].oif = req->nh[i].oif;
		set.p[i].has_gw = req->nh[i].has_via;
		set.p[i].gw = req->nh[i].via;
		set.p[i].weight = req->nh[i].weight;
		set.p[i].flags = req->nh[i].onlink ? RTNH_F_ONLINK : 0;
	}
	set.n = req->nnh;
	k->multipath = true;
	k->paths = kpath_intern(&set);
}

/* A ROUTE as the kernel takes it for add, change and replace; ip's defaults, proto ipxr. */
static void kroute_for_write(const struct route_req *req, int oif, struct kroute *k)
{
	memset(k, 0, sizeof(*k));
	k->dst = req->dst;
	k->table = req->has_table ? req->table : RT_TABLE_MAIN;
	k->type = req->has_type ? req->type : RTN_UNICAST;
	k->protocol = req->has_proto ? req->proto : RTPROT_IPXR;
	if (req->has_scope)
		k->scope = req->scope;
	else if (req->family == AF_INET && k->type == RTN_UNICAST && !req->has_via && !req->nhid)
		k->scope = RT_SCOPE_LINK;	/* ip's default for an IPv4 route without gateway */
	else
		k->scope = RT_SCOPE_UNIVERSE;
	k->priority = req->metric;
	k->oif = oif;
	k->has_gw = req->has_via;
	k->gw = req->via;
	k->has_prefsrc = req->has_src;
	k->prefsrc = req->src;
	k->mtu = req->mtu;
	k->mtu_lock = req->mtu_lock;
	if (req->onlink)
		k->flags |= RTNH_F_ONLINK;
	k->has_pref = req->has_pref;
	k->pref = req->pref;
	k->nhid = req->nhid;
	if (req->nnh) {
		kroute_paths(req, k);
		if (req->family == AF_INET && !req->has_scope)
			k->scope = RT_SCOPE_UNIVERSE;
	}
}

/* ip route del's message: what is not given matches anything (scope nowhere, type 0). */
static void kroute_for_delete(const struct route_req *req, int oif, struct kroute *k)
{
	memset(k, 0, sizeof(*k));
	k->dst = req->dst;
	k->table = req->has_table ? req->table : RT_TABLE_MAIN;
	k->type = req->has_type ? req->type : 0;
	k->protocol = req->has_proto ? req->proto : 0;
	k->scope = req->has_scope ? req->scope : RT_SCOPE_NOWHERE;
	k->priority = req->metric;
	k->oif = oif;
	k->has_gw = req->has_via;
	k->gw = req->via;
	k->has_prefsrc = req->has_src;
	k->prefsrc = req->src;
	k->nhid = req->nhid;
	/* as ip: the kernel deletes the route with these next hops */
	if (req->nnh)
		kroute_paths(req, k);
}

/*
 * "route add 10.0.0.0/24 dev eno4" where eno4's address made that route already: the kernel
 * says EEXIST, yet the route asked for is there, the same way (type, device, gateway, source,
 * MTU as given; any protocol unless one is given). It is compiled as it is.
 */
static bool kernel_has_same(const struct route_req *req, const struct kroute *k,
			    struct kroute *cur)
{
	struct kroute sel = *k;

	sel.protocol = req->has_proto ? k->protocol : 0;
	sel.scope = req->has_scope ? k->scope : RT_SCOPE_NOWHERE;
	sel.priority = kernel_metric(k->dst.family, k->priority);
	if (kernel_find(&sel, cur) != 1)
		return false;
	return cur->has_gw == k->has_gw && (!req->has_mtu || (cur->mtu == k->mtu &&
							     cur->mtu_lock == k->mtu_lock));
}

/* "route change PREFIX counter": the prefix alone and the word, nothing for the kernel. */
static bool counter_only(const struct route_req *r)
{
	return r->counter && !r->has_type && !r->has_via && !r->dev && !r->has_proto &&
	       !r->has_metric && !r->has_scope && !r->has_src && !r->has_table && !r->onlink &&
	       !r->has_mtu && !r->has_pref && !r->nhid;
}

struct write_ctx {
	const struct ipxr_family *f;
	struct route_req req;
	char dst[PREFIX_STRLEN];
	int oif;
	bool compiled;		/* the table is the fast path's: compile after the kernel */
};

/* Parse a ROUTE for a write and get the maps ready: the common head of modify and delete. */
static int write_begin(int argc, char **argv, bool modify, bool counter_ok,
		       struct write_ctx *w)
{
	static __u32 noted_table;
	unsigned int i;
	char t[16];
	int err;

	memset(w, 0, sizeof(*w));
	err = route_parse(argc, argv, false, &w->req);
	/* "route change PREFIX counter" writes no route: nothing to check of one */
	if (!err && modify && !(counter_ok && counter_only(&w->req)))
		err = route_check_write(&w->req);
	if (!err && w->req.has_table && !w->req.table)
		err = ipxr_error(IPXR_EXIT_USAGE, "\"table all\" selects; a route is in one table.");
	if (!err && w->req.dev)
		err = dev_lookup_arg(w->req.dev, &w->oif);
	for (i = 0; !err && i < w->req.nnh; i++)
		if (w->req.nh[i].dev)
			err = dev_lookup_arg(w->req.nh[i].dev, &w->req.nh[i].oif);
	/* the maps must be writable before the kernel is touched: one fails, nothing changes */
	if (!err)
		err = compile_begin();
	if (err)
		return err;
	w->f = family_get(w->req.family);
	format_prefix(w->dst, sizeof(w->dst), &w->req.dst);
	w->compiled = (w->req.has_table ? w->req.table : RT_TABLE_MAIN) == compile_table();
	if (!w->compiled && noted_table != w->req.table) {
		noted_table = w->req.table;
		ipxr_warn("the fast path compiles table %s: a route of table %s is written to the "
			  "kernel only", rt_name(RT_NAMES_TABLE, compile_table(), t, sizeof(t)),
			  rt_name(RT_NAMES_TABLE, w->req.table, t + 8, 8));
	}
	return 0;
}

/*
 * add, change and replace: the kernel route first (NLM_F_CREATE | NLM_F_EXCL, NLM_F_REPLACE,
 * both), then the maps from what the kernel now uses for the prefix. If the maps cannot follow,
 * the kernel is put back.
 */
/*
 * Count @w's prefix or stop counting it, as its "counter"/"nocounter" says, before the maps are
 * compiled (compile_route() copies the slot). *@changed: to undo with the opposite word.
 */
static int counter_apply(const struct write_ctx *w, bool *changed)
{
	*changed = false;
	if (!w->req.counter)
		return 0;
	return counted_set(&w->req.dst, w->req.counter > 0, changed);
}

static void counter_undo(const struct write_ctx *w, bool changed)
{
	bool again;

	if (changed)
		counted_set(&w->req.dst, w->req.counter < 0, &again);
}

/*
 * "route change PREFIX counter|nocounter": the kernel's route stays as it is; its entry in the
 * maps is compiled again with the slot or without. The prefix need not have a route yet: a
 * route it gets later (ipxr sync, a write) is counted from its first packet.
 */
static int route_counter(struct write_ctx *w)
{
	bool changed;
	int err = counter_apply(w, &changed);

	if (err || !changed)
		return finish_write(err);
	err = recompile(&w->req.dst, compile_table(), NULL, NULL);
	if (err)
		counter_undo(w, changed);
	return finish_write(err);
}

static int route_modify(int argc, char **argv, int nlflags)
{
	struct kroute k, old, cur;
	struct write_ctx w;
	struct route_key key;
	bool had_old = false, counter_changed;
	int err;

	err = write_begin(argc, argv, true, nlflags == NLM_F_REPLACE, &w);
	if (err)
		return err;
	key_from_prefix(&w.req.dst, &key);
	if (key.prefixlen == w.f->bits && local_is_addr(w.f, key.addr))
		return local_refused(w.f, w.dst);
	if (nlflags == NLM_F_REPLACE && counter_only(&w.req))
		return route_counter(&w);
	kroute_for_write(&w.req, w.oif, &k);

	if (w.compiled && (nlflags & NLM_F_REPLACE) && compile_may_fail(&k)) {
		/*
		 * The route a replace takes the place of (same prefix and metric), to put back if
		 * the maps cannot follow; not needed when they cannot fail: an existing prefix
		 * through an existing next hop (a churn's replace, one lookup saved).
		 */
		struct kroute sel = { .dst = k.dst, .table = k.table, .scope = RT_SCOPE_NOWHERE,
				      .priority = kernel_metric(k.dst.family, k.priority) };

		err = kernel_find(&sel, &old);
		if (err < 0)
			return ipxr_error(IPXR_EXIT_REFUSED, "cannot read the kernel's route for "
					  "\"%s\": %s", w.dst, strerror(-err));
		had_old = err == 1 && old.priority == sel.priority;
	}
	err = counter_apply(&w, &counter_changed);
	if (err)
		return finish_write(err);
	err = nl_route_write(RTM_NEWROUTE, nlflags, &k);
	if (err == -EEXIST && (nlflags & NLM_F_EXCL) && w.compiled &&
	    kernel_has_same(&w.req, &k, &cur)) {
		/*
		 * Nothing written to the kernel, nothing to undo if the maps refuse; what they
		 * get is the kernel's choice for the prefix, which may be another metric's.
		 */
		err = recompile(&k.dst, k.table, NULL, NULL);
		if (err)
			counter_undo(&w, counter_changed);
		return finish_write(err);
	}
	if (err) {
		counter_undo(&w, counter_changed);
		return kernel_error(w.dst, -err);
	}
	if (!w.compiled)
		return 0;
	err = recompile(&k.dst, k.table, &k, NULL);
	if (err) {
		if (had_old)
			kernel_undo(RTM_NEWROUTE, NLM_F_REPLACE, &old, w.dst);
		else
			kernel_undo(RTM_DELROUTE, 0, &k, w.dst);
		counter_undo(&w, counter_changed);
		return finish_write(err);
	}
	if (k.type == RTN_UNICAST && w.oif)
		warn_forwarding(w.f, w.oif);
	return finish_write(0);
}

static int route_add(int argc, char **argv)
{
	return route_modify(argc, argv, NLM_F_CREATE | NLM_F_EXCL);
}

static int route_change(int argc, char **argv)
{
	return route_modify(argc, argv, NLM_F_REPLACE);
}

static int route_replace(int argc, char **argv)
{
	return route_modify(argc, argv, NLM_F_CREATE | NLM_F_REPLACE);
}

/* As ip route del: the kernel deletes the first route the words describe; then the maps. */
static int route_delete(int argc, char **argv)
{
	struct kroute k, old;
	struct write_ctx w;
	struct route_key key;
	struct ipxr_route val;
	bool had_old = false;
	int err;

	err = write_begin(argc, argv, false, false, &w);
	if (err)
		return err;
	key_from_prefix(&w.req.dst, &key);
	if (key.prefixlen == w.f->bits && route_lookup_exact(w.f, &key, &val) == 1 &&
	    val.type == IPXR_RT_LOCAL)
		return local_refused(w.f, w.dst);
	kroute_for_delete(&w.req, w.oif, &k);
	/* the kernel echoes the route it deleted: what to put back if the maps cannot follow */
	err = nl_route_write_echo(RTM_DELROUTE, 0, &k, &old);
	if (err && err != -ENOMSG)
		return kernel_error(w.dst, -err);
	had_old = !err;
	if (!w.compiled)
		return 0;
	err = recompile(&k.dst, k.table, NULL, had_old ? &old : NULL);
	if (err && had_old)
		kernel_undo(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, &old, w.dst);
	return finish_write(err);
}

struct route_entry {
	const struct ipxr_family *f;
	struct route_key key;
	struct ipxr_route val;
};

/* IPv4 before IPv6, then by address (network order compares as bytes), then length */
static int cmp_entry(const void *a, const void *b)
{
	const struct route_entry *x = a, *y = b;
	int c;

	if (x->f != y->f)
		return x->f < y->f ? -1 : 1;
	c = memcmp(x->key.addr, y->key.addr, sizeof(x->key.addr));
	if (c)
		return c;
	return (int)x->key.prefixlen - (int)y->key.prefixlen;
}

/* The next hop of a map entry is the one @req names (gateway, device), if it names one. */
static bool nh_matches(const struct route_req *req, const struct ipxr_route *rt, int ifindex)
{
	const struct ipxr_nexthop *nh;

	if (!req->has_via && !ifindex)
		return true;
	if (rt->type != IPXR_RT_UNICAST)
		return false;
	nh = nh_get(rt->nh_id);
	if (!nh)
		return false;
	if (ifindex && nh->ifindex != (__u32)ifindex)
		return false;
	return !req->has_via ||
	       (!(nh->flags & IPXR_NH_F_CONNECTED) && nh->family == req->via.family &&
		memcmp(nh->gw, req->via.addr, af_bytes(req->via.family)) == 0);
}

/* The RTN_* type of a map entry: the kernel route's, RTN_LOCAL for ipxr's LOCAL copies. */
static __u8 entry_rtn_type(const struct ipxr_route *v)
{
	if (v->type == IPXR_RT_LOCAL)
		return RTN_LOCAL;
	return v->rtn_type ? v->rtn_type : RTN_UNICAST;
}

static bool selected(const struct route_req *req, const struct route_entry *e, int ifindex)
{
	__u8 type = entry_rtn_type(&e->val);
	struct inet_prefix p;

	prefix_from_key(e->f, &e->key, &p);
	if (req->has_type ? type != req->type : type == RTN_LOCAL)
		return false;
	/* the LOCAL copies are no table's route: "table" selects only the compiled ones */
	if (req->has_table && req->table && (type == RTN_LOCAL || e->val.table != req->table))
		return false;
	if (req->has_proto && (type == RTN_LOCAL || e->val.protocol != req->proto))
		return false;
	if (req->has_scope && (type == RTN_LOCAL || e->val.scope != req->scope))
		return false;
	if (req->has_metric && (type == RTN_LOCAL || e->val.priority != req->metric))
		return false;
	if (req->has_dst) {
		switch (req->match) {
		case MATCH_EXACT:
			if (p.bitlen != req->dst.bitlen ||
			    memcmp(p.addr, req->dst.addr, sizeof(p.addr)))
				return false;
			break;
		case MATCH_ROOT:
			if (!prefix_contains(&req->dst, &p))
				return false;
			break;
		case MATCH_MATCH:
			if (!prefix_contains(&p, &req->dst))
				return false;
			break;
		}
	}
	if (type == RTN_LOCAL && ifindex && !req->has_via)
		return local_ifindex(e->f, e->key.addr) == (__u32)ifindex;
	return nh_matches(req, &e->val, ifindex);
}

/* The routes of @f a selector picks, appended to *@v. */
static int collect_family(const struct ipxr_family *f, const struct route_req *req, int ifindex,
			  struct route_entry **v, size_t *count)
{
	struct route_entry *nv, *e;
	struct route_key *keys;
	size_t n, i, m = *count;
	int err;

	err = route_keys(f, &keys, &n);
	if (err)
		return ipxr_error(IPXR_EXIT_REFUSED, "cannot read map %s: %s",
				  map_layout[f->route_map].name, strerror(-err));
	nv = realloc(*v, (m + n + 1) * sizeof(**v));
	if (!nv) {
		free(keys);
		return ipxr_error(IPXR_EXIT_REFUSED, "out of memory");
	}
	*v = nv;
	for (i = 0; i < n; i++) {
		e = &nv[m];
		e->f = f;
		e->key = keys[i];
		/* the key is in the trie, so the longest match is its own entry */
		if (bpf_map_lookup_elem(map_fd(f->route_map), &keys[i], &e->val))
			continue;
		if (selected(req, e, ifindex))
			m++;
	}
	free(keys);
	*count = m;
	return 0;
}

/* The routes a selector picks: of its family (ip's rule), sorted. */
static int collect(const struct route_req *req, int ifindex, struct route_entry **out,
		   size_t *count)
{
	const struct ipxr_family *f;
	int err;

	*out = NULL;
	*count = 0;
	for_each_family(f) {
		if (f->af != req->family)
			continue;
		err = collect_family(f, req, ifindex, out, count);
		if (err) {
			free(*out);
			*out = NULL;
			return err;
		}
	}
	qsort(*out, *count, sizeof(**out), cmp_entry);
	return 0;
}

/*
 * The kernel route's own words, in ip's order and with ip's JSON keys (after dst, gateway and
 * dev): table unless main, proto unless boot, scope unless global, src, metric, flags, mtu, and
 * an IPv6 route's pref, as ip route show prints them.
 */
static void print_kernel_words(const struct route_entry *e)
{
	static const char *const prefs[] = {
		[ICMPV6_ROUTER_PREF_LOW] = "low", [ICMPV6_ROUTER_PREF_MEDIUM] = "medium",
		[ICMPV6_ROUTER_PREF_HIGH] = "high", [ICMPV6_ROUTER_PREF_INVALID] = "invalid",
	};
	const struct ipxr_route *v = &e->val;
	int family = e->f->af;
	char b[32], a[INET6_ADDRSTRLEN];
	struct inet_prefix src;

	if (v->table && v->table != RT_TABLE_MAIN)
		print_string(PRINT_ANY, "table", " table %s",
			     rt_name(RT_NAMES_TABLE, v->table, b, sizeof(b)));
	if (v->protocol != RTPROT_BOOT)
		print_string(PRINT_ANY, "protocol", " proto %s",
			     rt_name(RT_NAMES_PROTO, v->protocol, b, sizeof(b)));
	if (v->scope != RT_SCOPE_UNIVERSE)
		print_string(PRINT_ANY, "scope", " scope %s",
			     rt_name(RT_NAMES_SCOPE, v->scope, b, sizeof(b)));
	if (compile_src(e->f, &e->key, v, &src) == 1)
		print_string(PRINT_ANY, "prefsrc", " src %s",
			     format_addr(a, sizeof(a), family, src.addr));
	/* the kernel reports an IPv4 metric only when set, an IPv6 one always */
	if (v->priority || family == AF_INET6)
		print_uint(PRINT_ANY, "metric", " metric %u", v->priority);
	open_json_array("flags");
	if (v->flags & IPXR_RT_F_ONLINK)
		print_string(PRINT_ANY, NULL, " %s", "onlink");
	close_json_array();
	if (v->mtu) {
		open_json_array("metrics");
		open_json_object(NULL);
		print_string(PRINT_FP, NULL, "%s", v->flags & IPXR_RT_F_MTU_LOCK ? " mtu lock" :
			     " mtu");
		print_uint(PRINT_ANY, "mtu", " %u", v->mtu);
		close_json_object();
		close_json_array();
	}
	if (family == AF_INET6)
		print_string(PRINT_ANY, "pref", " pref %s",
			     prefs[v->pref ? (v->pref - 1) & 3 : ICMPV6_ROUTER_PREF_MEDIUM]);
}

/*
 * A multipath route's next hops, one line each as ip prints them ("nexthop via GW dev DEV weight
 * W", JSON "nexthops"), with -s each member's counters (the next hop's, as for one).
 */
static void print_nexthops(__u32 grp_id)
{
	const struct ipxr_nh_group *g = grp_load() ? NULL : grp_get(grp_id);
	char a[INET6_ADDRSTRLEN], d[IF_NAMESIZE], prefix[64];
	const struct ipxr_nexthop *nh;
	unsigned int i;

	open_json_array("nexthops");
	for (i = 0; g && i < g->count; i++) {
		nh = nh_get(g->member[i].nh_id);
		open_json_object(NULL);
		print_string(PRINT_FP, NULL, "%s", "\n\tnexthop");
		if (nh && !(nh->flags & IPXR_NH_F_CONNECTED))
			print_string(PRINT_ANY, "gateway", " via %s",
				     format_addr(a, sizeof(a), nh->family, nh->gw));
		if (nh)
			print_string(PRINT_ANY, "dev", " dev %s", dev_name(nh->ifindex, d));
		print_uint(PRINT_ANY, "weight", " weight %u", g->member[i].weight);
		open_json_array("flags");
		if (g->member[i].flags & IPXR_NHG_F_DEAD)
			print_string(PRINT_ANY, NULL, " %s", "dead");
		close_json_array();
		print_uint(PRINT_JSON, "nexthop", NULL, g->member[i].nh_id);
		if (ipxr.stats) {
			/* the next hop's, summed over every route and group through it */
			snprintf(prefix, sizeof(prefix), "\t    nexthop id %u: ",
				 g->member[i].nh_id);
			nh_print_counters(g->member[i].nh_id, "nexthop_stats", prefix);
		}
		close_json_object();
	}
	close_json_array();
}

/* One line per route, as ip route show prints it, valid input for "ipxr route add" (without -s). */
static void print_route(const struct route_entry *e, bool unsynced)
{
	char dst[PREFIX_STRLEN], a[INET6_ADDRSTRLEN], d[IF_NAMESIZE];
	const struct ipxr_nexthop *nh = NULL;
	__u8 type = entry_rtn_type(&e->val);

	open_json_object(NULL);
	/* ipxr monitor: a change the maps did not follow in time */
	if (unsynced) {
		print_string(PRINT_FP, NULL, "%s", "Unsynced ");
		print_bool(PRINT_JSON, "synced", NULL, false);
	}
	/* ip omits the type of a unicast route, in text and JSON */
	if (type != RTN_UNICAST)
		print_string(PRINT_ANY, "type", "%s ", route_type_name(type));
	print_string(PRINT_ANY, "dst", "%s", format_key(dst, sizeof(dst), e->f, &e->key));
	if (e->val.type == IPXR_RT_UNICAST) {
		nh = nh_get(e->val.nh_id);
		if (nh && !(nh->flags & IPXR_NH_F_CONNECTED))
			print_string(PRINT_ANY, "gateway", " via %s",
				     format_addr(a, sizeof(a), nh->family, nh->gw));
		if (nh)
			print_string(PRINT_ANY, "dev", " dev %s", dev_name(nh->ifindex, d));
	} else if (e->val.type == IPXR_RT_LOCAL) {
		print_string(PRINT_ANY, "dev", " dev %s",
			     dev_name(local_ifindex(e->f, e->key.addr), d));
	}
	if (e->val.type != IPXR_RT_LOCAL)
		print_kernel_words(e);
	/* ipxr's word, not the kernel's: "route add" takes it back */
	if (e->val.counter)
		print_bool(PRINT_ANY, "counter", " counter", true);
	if (e->val.type == IPXR_RT_MULTIPATH)
		print_nexthops(e->val.nh_id);
	/* ipxr's own: what the fast path does with it */
	if (e->val.type == IPXR_RT_UNICAST)
		print_uint(PRINT_JSON, "nexthop", NULL, e->val.nh_id);
	if (e->val.type == IPXR_RT_MULTIPATH)
		print_uint(PRINT_JSON, "group", NULL, e->val.nh_id);
	if (e->val.type == IPXR_RT_KERNEL)
		print_string(PRINT_JSON, "fastpath", NULL, "kernel");
	/* a blackhole's drops count under next hop 0 */
	if (ipxr.stats && (e->val.type == IPXR_RT_UNICAST || e->val.type == IPXR_RT_BLACKHOLE)) {
		char prefix[64];

		/*
		 * The counters are the next hop's, summed over every route through it (a route
		 * has its own only when counted, below): labelled so, in text and JSON, lest
		 * they read as this route's traffic.
		 */
		if (e->val.type == IPXR_RT_BLACKHOLE)
			snprintf(prefix, sizeof(prefix), "    nexthop id 0 (every blackhole "
				 "route): ");
		else
			snprintf(prefix, sizeof(prefix), "    nexthop id %u (%u route%s): ",
				 e->val.nh_id, nh ? nh->refcnt : 0,
				 nh && nh->refcnt == 1 ? "" : "s");
		nh_print_counters(e->val.nh_id, "nexthop_stats", prefix);
	}
	if (ipxr.stats && e->val.counter)
		counter_print(map_fd(MAP_ROUTE_CNT), e->val.counter, "route_stats", "    route: ");
	close_json_object();
	print_nl();
}

void route_print(const struct ipxr_family *f, const struct route_key *key,
		 const struct ipxr_route *val, bool unsynced)
{
	struct route_entry e = { .f = f, .key = *key, .val = *val };

	print_route(&e, unsynced);
}

static int route_show(int argc, char **argv)
{
	struct route_entry *v = NULL;
	struct route_req req;
	int ifindex = 0, err;
	size_t n = 0, i;

	err = route_parse(argc, argv, true, &req);
	if (!err && req.dev)
		err = dev_lookup_arg(req.dev, &ifindex);
	if (!err)
		err = maps_open(ipxr.batch);
	if (!err)
		err = nh_load();
	if (!err)
		err = collect(&req, ifindex, &v, &n);
	if (err)
		return err;
	if (req.has_table && req.table && req.table != compile_table()) {
		char t1[16], t2[16];
		const char *name = rt_name(RT_NAMES_TABLE, req.table, t2, sizeof(t2));

		ipxr_warn("the fast path compiles table %s: it holds no route of table %s (ip "
			  "route show table %s lists the kernel's)",
			  rt_name(RT_NAMES_TABLE, compile_table(), t1, sizeof(t1)), name, name);
	}
	open_json_array(NULL);
	for (i = 0; i < n; i++)
		print_route(&v[i], false);
	close_json_array();
	free(v);
	return 0;
}

struct flush_ctx {
	const struct route_req *req;
	int ifindex;
	struct kroute *v;
	size_t n, alloc;
};

/* ip route flush's filter, on a kernel route */
static int flush_cb(const struct kroute *r, void *data)
{
	struct flush_ctx *x = data;
	const struct route_req *req = x->req;
	struct kroute *nv;

	if (req->has_type && r->type != req->type)
		return 0;
	if ((req->has_proto && r->protocol != req->proto) ||
	    (req->has_scope && r->scope != req->scope) ||
	    (req->has_metric && r->priority != req->metric) ||
	    (x->ifindex && r->oif != x->ifindex) ||
	    (req->has_via && !(r->has_gw && same_addr(&r->gw, &req->via))))
		return 0;
	if (req->has_dst) {
		if (req->match == MATCH_EXACT &&
		    (r->dst.bitlen != req->dst.bitlen || !same_addr(&r->dst, &req->dst)))
			return 0;
		if (req->match == MATCH_ROOT && !prefix_contains(&req->dst, &r->dst))
			return 0;
		if (req->match == MATCH_MATCH && !prefix_contains(&r->dst, &req->dst))
			return 0;
	}
	if (x->n == x->alloc) {
		x->alloc = x->alloc ? 2 * x->alloc : 64;
		nv = realloc(x->v, x->alloc * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		x->v = nv;
	}
	x->v[x->n++] = *r;
	return 0;
}

/*
 * As ip route flush: the kernel routes of the table (main unless given) that the selector
 * picks, then the maps: every prefix the kernel lost, and every map entry the selector picks,
 * becomes what the kernel now has for it. "type local" flushes ipxr's LOCAL copies only (they
 * return at the next write).
 */
static int flush_family(const struct route_req *req, int ifindex)
{
	struct route_entry *v = NULL;
	struct flush_ctx x = { .req = req, .ifindex = ifindex };
	char dst[PREFIX_STRLEN];
	size_t n = 0, i;
	int err, ret = 0;

	if (!req->has_type || req->type != RTN_LOCAL) {
		err = nl_route_dump(req->family, req->has_table ? req->table : RT_TABLE_MAIN,
				    flush_cb, &x);
		if (err) {
			free(x.v);
			return ipxr_error(IPXR_EXIT_REFUSED, "cannot list the kernel's routes: %s",
					  strerror(-err));
		}
	}
	for (i = 0; i < x.n; i++) {
		err = nl_route_write(RTM_DELROUTE, 0, &x.v[i]);
		if (err && err != -ESRCH) {
			ret = kernel_error(format_prefix(dst, sizeof(dst), &x.v[i].dst), -err);
			break;
		}
	}
	/* the maps follow the kernel for each prefix it lost (one of several may remain) */
	for (i = 0; i < x.n && !ret; i++)
		if (x.v[i].table == compile_table())
			ret = recompile(&x.v[i].dst, x.v[i].table, NULL, &x.v[i]);
	free(x.v);
	if (!ret)
		ret = collect(req, ifindex, &v, &n);
	for (i = 0; i < n && !ret; i++) {
		struct inet_prefix p;

		prefix_from_key(v[i].f, &v[i].key, &p);
		if (v[i].val.type != IPXR_RT_LOCAL) {
			/* an entry the kernel does not back (left by an older ipxr): it goes */
			ret = recompile(&p, compile_table(), NULL, NULL);
			continue;
		}
		if (bpf_map_delete_elem(map_fd(v[i].f->route_map), &v[i].key) && errno != ENOENT) {
			ret = ipxr_error(IPXR_EXIT_REFUSED, "cannot delete the local route %s: %s",
					 format_prefix(dst, sizeof(dst), &p), strerror(errno));
			break;
		}
		front_del(v[i].f, &v[i].key);
		local_forget(v[i].f, v[i].key.addr);
	}
	free(v);
	return ret;
}

/*
 * A selector is needed, as ip route flush says; "all" first stands for every prefix of both
 * families (of one with -4/-6), the selector's other words still apply: "ipxr route flush all
 * proto ipxr" takes away every route ipxr wrote, and with them their next hops.
 */
static int route_flush(int argc, char **argv)
{
	struct route_req req;
	int ifindex = 0, err, ret = 0, family;
	bool all = false;

	if (argc == 0)
		return ipxr_error(IPXR_EXIT_USAGE, "Flush requires arguments (as ip route flush: "
				  "e.g. proto ipxr, table main, root PREFIX; all: every route of "
				  "both families).");
	if (is_word(*argv, "all")) {
		all = true;
		argc--, argv++;
	}
	err = route_parse(argc, argv, true, &req);
	if (!err && all && req.has_dst)
		err = ipxr_error(IPXR_EXIT_USAGE, "\"all\" is every prefix: no prefix after it.");
	if (!err && req.dev)
		err = dev_lookup_arg(req.dev, &ifindex);
	if (!err)
		err = compile_begin();
	if (err)
		return err;
	if (!all)
		return finish_write(flush_family(&req, ifindex));
	for (family = AF_INET; family; family = family == AF_INET ? AF_INET6 : 0) {
		if (ipxr.family && ipxr.family != family)
			continue;
		/* a gateway names its family: the other one has nothing to flush */
		if (req.has_via && req.via.family != family)
			continue;
		req.family = family;
		req.dst.family = family;
		ret = flush_family(&req, ifindex);
		if (ret)
			break;
	}
	return finish_write(ret);
}

/* The neighbour's MAC as the fast path would use it: its fresh cache, else the kernel's. */
static bool find_lladdr(const struct ipxr_neigh_cache *nc, int family, const __u8 *addr,
			int ifindex, __u8 *mac)
{
	struct timespec ts;
	struct nl_neigh n;
	__u64 now;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);	/* bpf_ktime_get_coarse_ns() */
	now = (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
	if (nc && nc->stamp_ns && now - nc->stamp_ns < IPXR_NEIGH_REFRESH_NS) {
		memcpy(mac, nc->dmac, 6);
		return true;
	}
	if (nl_neigh_get(family, addr, ifindex, &n) == 0 && (n.state & NEIGH_VALID) &&
	    n.has_lladdr) {
		memcpy(mac, n.lladdr, 6);
		return true;
	}
	return false;
}

/* The unicast part of "route get": gateway or connected, device, next hop, neighbour's MAC. */
static void print_get_unicast(const struct ipxr_family *f, const struct inet_prefix *dst,
			      const char *rdst, __u32 nh_id)
{
	char a[INET6_ADDRSTRLEN], d[IF_NAMESIZE], macs[18];
	const struct ipxr_nexthop *nh = nh_get(nh_id);
	struct ipxr_neigh_cache nc;
	struct ipxr_nexthop cur = {};
	struct neigh_key nkey;
	const __u8 *nbr;
	bool have_nc;
	__u8 mac[6];
	int family;

	if (!nh) {
		print_string(PRINT_ANY, "route", " route %s", rdst);
		print_uint(PRINT_ANY, "nexthop", " nexthop %u", nh_id);
		print_string(PRINT_FP, NULL, "%s", " (invalid next hop)");
		return;
	}
	if (!(nh->flags & IPXR_NH_F_CONNECTED)) {
		family = nh->family;
		nbr = nh->gw;
		print_string(PRINT_ANY, "gateway", " via %s",
			     format_addr(a, sizeof(a), family, nbr));
		have_nc = bpf_map_lookup_elem(map_fd(MAP_NEXTHOP), &nh_id, &cur) == 0;
		nc = cur.cache;
	} else {
		family = dst->family;
		nbr = dst->addr;
		memset(&nkey, 0, sizeof(nkey));
		nkey.ifindex = nh->ifindex;
		memcpy(nkey.addr, dst->addr, f->bits / 8);
		have_nc = bpf_map_lookup_elem(map_fd(f->neigh_map), &nkey, &nc) == 0;
	}
	print_string(PRINT_ANY, "dev", " dev %s", dev_name(nh->ifindex, d));
	print_string(PRINT_ANY, "route", " route %s", rdst);
	print_uint(PRINT_ANY, "nexthop", " nexthop %u", nh_id);
	if (find_lladdr(have_nc ? &nc : NULL, family, nbr, nh->ifindex, mac))
		print_string(PRINT_ANY, "lladdr", " lladdr %s",
			     format_mac(macs, sizeof(macs), mac));
	else
		print_null(PRINT_ANY, "lladdr", " lladdr %s", "unresolved");
}

static int route_get(int argc, char **argv)
{
	char dst[INET6_ADDRSTRLEN], rdst[PREFIX_STRLEN], d[IF_NAMESIZE];
	const struct ipxr_family *f;
	struct route_key key, k;
	struct inet_prefix a;
	struct ipxr_route val, v;
	int err, p;

	if (argc > 0 && is_word(*argv, "to"))
		argc--, argv++;
	if (argc < 1)
		return ipxr_error(IPXR_EXIT_USAGE, "an address is needed: ipxr route get ADDRESS");
	if (argc > 1)
		return badarg(argv[1]);
	err = parse_addr_arg(*argv, ipxr.family, &a);
	if (err)
		return err;
	err = maps_open(ipxr.batch);
	if (!err)
		err = nh_load();
	if (err)
		return err;
	f = family_get(a.family);
	key_from_prefix(&a, &key);
	format_addr(dst, sizeof(dst), f->af, a.addr);
	if (bpf_map_lookup_elem(map_fd(f->route_map), &key, &val))
		return ipxr_error(IPXR_EXIT_LOOKUP, "no route to %s in the fast path: the kernel "
				  "decides", dst);
	/* the trie does not say which prefix matched: the longest existing one is it */
	for (p = f->bits; p >= 0; p--) {
		k = key;
		k.prefixlen = p;
		addr_mask(f->af, k.addr, p);
		if (route_lookup_exact(f, &k, &v) == 1)
			break;
	}
	if (p < 0)
		k.prefixlen = 0;
	format_key(rdst, sizeof(rdst), f, &k);

	/* an array of one, as ip route get answers */
	open_json_array(NULL);
	open_json_object(NULL);
	if (entry_rtn_type(&val) != RTN_UNICAST)
		print_string(PRINT_ANY, "type", "%s ", route_type_name(entry_rtn_type(&val)));
	print_string(PRINT_ANY, "dst", "%s", dst);
	if (val.type == IPXR_RT_LOCAL) {
		print_string(PRINT_ANY, "dev", " dev %s",
			     dev_name(local_ifindex(f, a.addr), d));
		print_string(PRINT_JSON, "route", NULL, rdst);
	} else if (val.type == IPXR_RT_UNICAST) {
		print_get_unicast(f, &a, rdst, val.nh_id);
	} else {
		print_string(PRINT_ANY, "route", " route %s", rdst);
	}
	if (val.mtu) {
		open_json_array("metrics");
		open_json_object(NULL);
		print_string(PRINT_FP, NULL, "%s", val.flags & IPXR_RT_F_MTU_LOCK ? " mtu lock" :
			     " mtu");
		print_uint(PRINT_ANY, "mtu", " %u", val.mtu);
		close_json_object();
		close_json_array();
	}
	/* what the fast path does: the kernel answers for the kinds it is handed */
	if (val.type == IPXR_RT_KERNEL)
		print_string(PRINT_ANY, "fastpath", " fastpath %s", "kernel");
	close_json_object();
	close_json_array();
	print_nl();
	return 0;
}

static int route_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("Usage: ipxr [ OPTIONS ] route { add | change | replace | delete } ROUTE\n"
	       "       ipxr [ OPTIONS ] route change PREFIX { counter | nocounter }\n"
	       "       ipxr [ OPTIONS ] route { show | list } [ SELECTOR ]\n"
	       "       ipxr [ OPTIONS ] route flush { all [ SELECTOR ] | SELECTOR }\n"
	       "       ipxr [ OPTIONS ] route get ADDRESS\n"
	       "       ipxr route help\n"
	       "ROUTE := [ TYPE ] [ to ] PREFIX [ via [ FAMILY ] ADDRESS ] [ dev NAME ] [ INFO_SPEC ]\n"
	       "         [ nexthop NH ]...\n"
	       "SELECTOR := [ [ to ] [ root | match | exact ] PREFIX ]\n"
	       "            [ TYPE | type { TYPE | local } ] [ via [ FAMILY ] ADDRESS ]\n"
	       "            [ dev NAME ]"
	       " [ proto RTPROTO ] [ metric NUMBER ] [ scope SCOPE ]\n"
	       "            [ table { TABLE | all } ]\n"
	       "INFO_SPEC := [ proto RTPROTO ] [ metric NUMBER ] [ scope SCOPE ] [ src ADDRESS ]\n"
	       "             [ table TABLE ] [ onlink ] [ mtu [ lock ] NUMBER ] [ pref PREF ]\n"
	       "             [ nhid ID ] [ linkdown ] [ dead ] [ counter | nocounter ]\n"
	       "NH := [ via [ FAMILY ] ADDRESS ] [ dev NAME ] [ weight NUMBER ] [ onlink ]\n"
	       "PREFIX := { ADDRESS[/PLEN] | default }\n"
	       "TYPE := { unicast | blackhole | unreachable | prohibit | throw }\n"
	       "FAMILY := { inet | inet6 }\n"
	       "RTPROTO := { ipxr | kernel | boot | static | bird | NAME | NUMBER }\n"
	       "SCOPE := { global | site | link | host | nowhere | NUMBER }\n"
	       "TABLE := { main | local | default | NAME | NUMBER }\n"
	       "PREF := { low | medium | high }\n"
	       "metric may be written priority or preference, dev oif, as ip takes them.\n"
	       "%s", ipxr_options_usage);
	return 0;
}

/* Row order is the abbreviation order: every first letter is unique on purpose. */
static const struct cmd route_cmds[] = {
	{ "add", route_add },
	{ "change", route_change },
	{ "replace", route_replace },
	{ "delete", route_delete },
	{ "show", route_show },
	{ "list", route_show },
	{ "flush", route_flush },
	{ "get", route_get },
	{ "help", route_help },
	{ NULL, NULL },
};

int do_route(int argc, char **argv)
{
	return cmd_dispatch(route_cmds, "route command", route_show, argc, argv);
}
