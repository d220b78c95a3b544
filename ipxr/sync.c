// SPDX-License-Identifier: GPL-2.0
/*
 * ipxr sync: keep the maps a compiled copy of one kernel routing table, as BIRD's kernel
 * protocol and FRR's zebra follow the kernel: dump, then follow the notifications, then re-scan
 * now and then as a safety net; an overrun (ENOBUFS) forces a re-scan. Every change goes through
 * the compile module (compile.h), as the CLI's writes do: this file only decides which prefixes
 * to ask the kernel about again, and when.
 *
 * What arrives together is handled together: a batch is everything queued on the notification
 * socket when the daemon wakes up (at most SYNC_BATCH_MAX messages), applied under one hold of
 * the maps' lock, which is released between batches so the CLI can write too. The maps stay
 * open and what was read of them (next hops, addresses, ports) stays between batches while
 * nobody else writes (compile_keep()); nothing is kept that the kernel and the maps cannot give
 * again, and ipxr's own routes that the kernel dropped with their port are remembered only as
 * the maps' entries of protocol ipxr. A re-scan runs a step at a time between batches.
 */
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/neighbour.h>
#include <linux/netconf.h>
#include <linux/nexthop.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "compile.h"
#include "group.h"
#include "events.h"
#include "kroute.h"
#include "maps.h"
#include "netlink.h"
#include "nexthop.h"
#include "ports.h"
#include "rt_names.h"
#include "rules.h"
#include "sync.h"
#include "utils.h"

/* One batch reads at most this many notifications before it applies them. */
#define SYNC_BATCH_MAX		20000
/*
 * While notifications stream in (a batch applied less than SYNC_STREAM_S ago), a batch that
 * found fewer than SYNC_GATHER waits up to SYNC_GATHER_S for more: a daemon loading a table at
 * 100,000 routes/s otherwise wakes ipxr sync for every few, and each batch's own cost (the
 * lock, the pins' identity, the write marker) comes to more than its routes'.
 */
#define SYNC_STREAM_S		0.010
#define SYNC_GATHER		256
#define SYNC_GATHER_S		0.001
/* More prefixes than this in one batch: one dump of the table is cheaper than asking for each. */
#define SYNC_DIRTY_MAX		20000
/*
 * Seconds between safety re-scans. Nothing known goes unnotified without a re-scan of its own
 * (an overrun, a port going down), and one costs 3-4 s of CPU on a full table, about 10 s
 * under churn (the kernel's IPv6 dump walks its tree from the root again for each piece once
 * the tree changed), with some tens of milliseconds added to the changes that wait meanwhile:
 * every ten minutes is about 1% of a core.
 */
#define SYNC_SCAN_DEFAULT	600
/* Fewer prefixes to ask the kernel about than this are asked for one by one, whatever the table. */
#define SYNC_ASK_MIN		64
/* ipxr sync table A table B ...: as many as ipxr_config records (table, tables[]) */
#define SYNC_TABLES_MAX		(1 + IPXR_CFG_TABLES_MAX)
/*
 * The notification socket's receive buffer (the kernel doubles it): a routing daemon loading a
 * full table (1,200,000 routes, about 1 KiB of buffer each) queues them faster than they are
 * compiled, the more so on a machine whose other cores the daemon and the kernel keep busy.
 * Only what is queued takes memory.
 */
#define SYNC_RCVBUF		(1U << 30)

struct port_state {
	int ifindex;
	bool up;
};

/*
 * A prefix to look at again. A notification that added a route carries it (@hint): when it is
 * plainly the route the kernel now uses for the prefix (see from_hint()), the batch compiles it
 * without asking the kernel again, which is what keeps a full-table load by a routing daemon
 * to the cost of the map writes.
 */
struct dirty {
	struct inet_prefix dst;	/* first: prefix_cmp() sorts these */
	bool hint;
	bool replace;		/* the notification said NLM_F_REPLACE */
	bool del;		/* @k is the route an RTM_DELROUTE removed */
	struct kroute k;
};

/*
 * A set of prefixes, open addressing (family 0: an empty slot), for the re-scan: the prefixes
 * the dump showed, those events changed while it ran, those with more than one kernel route.
 */
struct pset {
	struct inet_prefix *v;
	size_t n, cap;		/* cap: 0 or a power of two */
};

struct neigh_ev {
	int family;
	int ifindex;
	bool deleted;
	__u16 state;		/* NUD_* */
	__u8 addr[16];
};

static struct {
	/* options */
	__u32 table;		/* tables[0] */
	__u32 tables[SYNC_TABLES_MAX];	/* in the order of the ip rules that look them up */
	unsigned int ntables;
	bool once;
	unsigned int scan;	/* seconds, 0: never */

	volatile sig_atomic_t stop;
	bool journal;
	int fd;			/* the notification socket */		/* stderr is the journal: "<N>" priority prefixes */

	/* what the current batch must do */
	bool resync;		/* dump the table and diff it against the maps */
	bool overrun;		/* notifications were lost: the maps are behind */
	bool compact;		/* see front_compact(): the loop was idle after a load */
	bool rules;
	bool addrs;
	struct dirty *dirty;
	size_t ndirty, adirty;
	struct port_link *links;
	size_t nlinks, alinks;
	struct neigh_ev *neigh;
	size_t nneigh, aneigh;
	int *netconf;		/* devices whose IPv4 settings or addresses changed */
	size_t nnetconf, anetconf;
	int *restore;		/* ports that came up: the next complete re-scan puts back
				   ipxr's routes through them */
	size_t nrestore, arestore;

	/* the kernel's state, as last seen: recomputed at every start */
	struct port_state *ports;
	size_t nports, aports;
	__u32 *nhids;		/* nexthop objects routes of the table use */
	size_t nnhids, anhids;
	int rules_seen;

	/* routes of the table, as the last re-scan counted them and the batches since changed it */
	size_t routes;
	/*
	 * Prefixes that may hold more than one kernel route (metrics, protocols): the last
	 * re-scan's, and every prefix a route was added to since while the maps held one. A
	 * deletion elsewhere leaves the prefix without a route, and needs no question to the
	 * kernel (which could take a dump of the table for a prefix that longer ones cover).
	 */
	struct pset multi;
	/*
	 * With more than one table: the prefixes each table has a usable route for, as the last
	 * re-scan saw them and events since changed them. They decide which table a prefix's
	 * entry comes from (see effective()).
	 */
	struct pset idx[SYNC_TABLES_MAX];
	bool recount;		/* a batch failed: the next one recounts the next hops */

	/* counters, logged */
	unsigned long overruns, batches, events, scans;
	unsigned long compiled, removed, restored;
} s;

/* ------------------------------------------------------------------------------------------ */
/* Logging: stderr, with the priority prefix the journal reads when it is the journal          */

enum { LOG_ERR_ = 3, LOG_WARNING_ = 4, LOG_NOTICE_ = 5, LOG_INFO_ = 6 };

static void __attribute__((format(printf, 2, 3))) sync_log(int prio, const char *fmt, ...)
{
	static const char *const words[] = {
		[LOG_ERR_] = "error: ", [LOG_WARNING_] = "warning: ",
		[LOG_NOTICE_] = "", [LOG_INFO_] = "",
	};
	va_list ap;

	if (s.journal)
		fprintf(stderr, "<%d>", prio);
	else
		fprintf(stderr, "ipxr sync: %s", words[prio]);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* sd_notify(3) without libsystemd: one datagram to $NOTIFY_SOCKET, if systemd gave one. */
static void notify(const char *fmt, ...)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char msg[256];
	socklen_t len;
	va_list ap;
	int fd;

	if (!path || (path[0] != '/' && path[0] != '@') || strlen(path) >= sizeof(sa.sun_path))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	memcpy(sa.sun_path, path, strlen(path));
	if (path[0] == '@')
		sa.sun_path[0] = '\0';	/* an abstract socket */
	len = offsetof(struct sockaddr_un, sun_path) + strlen(path);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	sendto(fd, msg, strlen(msg), MSG_NOSIGNAL, (struct sockaddr *)&sa, len);
	close(fd);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ------------------------------------------------------------------------------------------ */
/* Growing arrays                                                                              */

static void *grow(void *v, size_t *alloc, size_t n, size_t size)
{
	size_t a = *alloc ? 2 * *alloc : 64;
	void *nv;

	if (n < *alloc)
		return v;
	nv = realloc(v, a * size);
	if (!nv)
		return NULL;
	*alloc = a;
	return nv;
}

#define PUSH(arr, n, alloc, val) ({						\
	void *_nv = grow((arr), &(alloc), (n), sizeof(*(arr)));			\
	bool _ok = _nv != NULL;							\
	if (_ok) {								\
		(arr) = _nv;							\
		(arr)[(n)++] = (val);						\
	}									\
	_ok;									\
})

static size_t prefix_hash(const struct inet_prefix *p)
{
	__u32 h = 0x811c9dc5u ^ p->family ^ (__u32)p->bitlen << 8;
	unsigned int i;

	for (i = 0; i < af_bytes(p->family); i++)
		h = (h ^ p->addr[i]) * 0x01000193u;	/* FNV-1a */
	return h ^ h >> 16;
}

static bool pset_has(const struct pset *ps, const struct inet_prefix *p)
{
	size_t i;

	if (!ps->n)
		return false;
	for (i = prefix_hash(p) & (ps->cap - 1); ps->v[i].family; i = (i + 1) & (ps->cap - 1))
		if (prefix_equal(&ps->v[i], p))
			return true;
	return false;
}

static void pset_put(struct inet_prefix *v, size_t cap, const struct inet_prefix *p)
{
	size_t i;

	for (i = prefix_hash(p) & (cap - 1); v[i].family; i = (i + 1) & (cap - 1))
		if (prefix_equal(&v[i], p))
			return;
	v[i] = *p;
}

/* Add @p: false when out of memory. Kept at most 3/4 full. */
static bool pset_add(struct pset *ps, const struct inet_prefix *p)
{
	struct inet_prefix *nv;
	size_t cap, i;

	if (pset_has(ps, p))
		return true;
	if (4 * (ps->n + 1) > 3 * ps->cap) {
		cap = ps->cap ? 2 * ps->cap : 1024;
		nv = calloc(cap, sizeof(*nv));
		if (!nv)
			return false;
		for (i = 0; i < ps->cap; i++)
			if (ps->v[i].family)
				pset_put(nv, cap, &ps->v[i]);
		free(ps->v);
		ps->v = nv;
		ps->cap = cap;
	}
	pset_put(ps->v, ps->cap, p);
	ps->n++;
	return true;
}

/* Room for @n prefixes without growing (a growth rehashes everything at once). */
static void pset_reserve(struct pset *ps, size_t n)
{
	size_t cap = 1024;

	while (4 * n > 3 * cap)
		cap *= 2;
	if (ps->n || cap <= ps->cap)
		return;
	free(ps->v);
	ps->v = calloc(cap, sizeof(*ps->v));
	ps->cap = ps->v ? cap : 0;
}

static void pset_free(struct pset *ps)
{
	free(ps->v);
	memset(ps, 0, sizeof(*ps));
}

/* Remove @p, if there: the entries after it in its run move back (linear probing). */
static void pset_del(struct pset *ps, const struct inet_prefix *p)
{
	size_t i, j, h, mask = ps->cap - 1;

	if (!ps->n)
		return;
	for (i = prefix_hash(p) & mask; !prefix_equal(&ps->v[i], p); i = (i + 1) & mask)
		if (!ps->v[i].family)
			return;
	ps->n--;
	for (j = (i + 1) & mask; ps->v[j].family; j = (j + 1) & mask) {
		h = prefix_hash(&ps->v[j]) & mask;
		/* an entry may fill the hole at i only if its home slot is not in (i, j] */
		if ((j > i && (h <= i || h > j)) || (j < i && h <= i && h > j)) {
			ps->v[i] = ps->v[j];
			i = j;
		}
	}
	memset(&ps->v[i], 0, sizeof(ps->v[i]));
}

/* Out of memory while noting a change: dump everything instead, which needs no list. */
static void dirty_add(const struct inet_prefix *p, const struct kroute *hint, bool replace,
		      bool del)
{
	struct dirty d = { .dst = *p, .hint = hint != NULL, .replace = replace, .del = del };

	if (hint)
		d.k = *hint;
	if (s.ndirty >= SYNC_DIRTY_MAX || !PUSH(s.dirty, s.ndirty, s.adirty, d))
		s.resync = true;
}

static struct port_state *port_find(int ifindex)
{
	size_t i;

	for (i = 0; i < s.nports; i++)
		if (s.ports[i].ifindex == ifindex)
			return &s.ports[i];
	return NULL;
}

static bool nhid_used(__u32 id)
{
	size_t i;

	for (i = 0; i < s.nnhids; i++)
		if (s.nhids[i] == id)
			return true;
	return false;
}

static void nhid_note(__u32 id)
{
	if (id && !nhid_used(id))
		PUSH(s.nhids, s.nnhids, s.anhids, id);
}

/* ------------------------------------------------------------------------------------------ */
/* One decoder per notification type: each notes what the batch must look at again            */

/* The place of @table in the rule order, or -1 when ipxr sync does not follow it. */
static int table_pos(__u32 table)
{
	unsigned int i;

	for (i = 0; i < s.ntables; i++)
		if (s.tables[i] == table)
			return (int)i;
	return -1;
}

static void on_route(const struct nlmsghdr *nlh)
{
	struct kroute r;

	if (nl_route_parse(nlh, &r) || table_pos(r.table) < 0)
		return;
	nhid_note(r.nhid);
	dirty_add(&r.dst, &r, nlh->nlmsg_flags & NLM_F_REPLACE,
		  nlh->nlmsg_type == RTM_DELROUTE);
}

static void on_addr(const struct nlmsghdr *nlh)
{
	struct inet_prefix p = {};
	struct nl_addr a;

	s.addrs = true;
	if (nl_addr_parse(nlh, &a))
		return;
	/* loose reverse-path filtering is strict on a device without an IPv4 address */
	if (a.family == AF_INET && a.ifindex > 0 &&
	    !PUSH(s.netconf, s.nnetconf, s.anetconf, a.ifindex))
		s.resync = true;
	if (nlh->nlmsg_type != RTM_DELADDR)
		return;
	/* a route of the table to the address itself is the fast path's again once it is gone */
	p.family = a.family;
	p.bitlen = af_bits(a.family);
	memcpy(p.addr, a.addr, af_bytes(a.family));
	dirty_add(&p, NULL, false, false);
}

/*
 * A device's IPv4 forwarding or rp_filter setting changed, or all devices' rp_filter: the
 * records follow.
 */
static void on_netconf(const struct nlmsghdr *nlh)
{
	int ifindex;

	if (nl_netconf_parse(nlh, &ifindex) == 0 &&
	    !PUSH(s.netconf, s.nnetconf, s.anetconf, ifindex))
		s.resync = true;
}

static void on_link(const struct nlmsghdr *nlh)
{
	struct port_link l;

	if (port_link_parse(nlh, &l) == 0 && !PUSH(s.links, s.nlinks, s.alinks, l))
		s.resync = true;
}

static void on_neigh(const struct nlmsghdr *nlh)
{
	struct neigh_ev n = {};
	struct nl_neigh nn;

	if (nl_neigh_parse(nlh, &nn) || !nn.has_dst)
		return;
	n.family = nn.family;
	n.ifindex = nn.ifindex;
	n.deleted = nlh->nlmsg_type == RTM_DELNEIGH;
	n.state = nn.state;
	memcpy(n.addr, nn.dst, af_bytes(n.family));
	PUSH(s.neigh, s.nneigh, s.aneigh, n);
}

static void on_nexthop(const struct nlmsghdr *nlh)
{
	const struct nlattr *attr;

	/*
	 * Routes by a nexthop object change with it, unnotified: look at the table again. A
	 * member of a group changes the group's routes too, so any object counts once routes
	 * use one (nexthop objects change rarely; routes by them are compiled from what the
	 * kernel says of their next hops).
	 */
	if (s.nnhids)
		s.resync = true;
	mnl_attr_for_each(attr, nlh, sizeof(struct nhmsg))
		if (mnl_attr_get_type(attr) == NHA_ID && nhid_used(mnl_attr_get_u32(attr)))
			s.resync = true;
}

static int on_event(const struct nlmsghdr *nlh, void *data)
{
	(void)data;
	s.events++;
	switch (nlh->nlmsg_type) {
	case RTM_NEWROUTE:
	case RTM_DELROUTE:
		on_route(nlh);
		break;
	case RTM_NEWADDR:
	case RTM_DELADDR:
		on_addr(nlh);
		break;
	case RTM_NEWLINK:
	case RTM_DELLINK:
		on_link(nlh);
		break;
	case RTM_NEWNEIGH:
	case RTM_DELNEIGH:
		on_neigh(nlh);
		break;
	case RTM_NEWRULE:
	case RTM_DELRULE:
		s.rules = true;
		break;
	case RTM_NEWNEXTHOP:
	case RTM_DELNEXTHOP:
		on_nexthop(nlh);
		break;
	case RTM_NEWNETCONF:
		on_netconf(nlh);
		break;
	}
	return MNL_CB_OK;
}

/* ------------------------------------------------------------------------------------------ */
/* Applying: the kernel's answer for a prefix against what the maps hold                       */

/* Whether the maps' entry @m (compile_lookup) is what compiling the kernel's @k would write. */
static bool up_to_date(const struct kroute *k, const struct kroute *m)
{
	return compile_same(k, m);
}

/*
 * A route of protocol ipxr that the kernel no longer has, through a port that is not up: the
 * kernel dropped it with the port (IPv4 unnotified, IPv6 notified), and ipxr puts it back when
 * the port comes up. Until then the maps keep it (the program hands its packets to the kernel,
 * port_down) and it is the only record of it.
 */
static bool keep_for_port(const struct kroute *m)
{
	char name[IF_NAMESIZE];

	/* a port that is gone takes ipxr's routes with it, as the kernel's */
	return m->protocol == RTPROT_IPXR && m->type == RTN_UNICAST && m->oif &&
	       if_indextoname(m->oif, name) && !port_up_now(m->oif);
}

/* The kernel has no route for @m's prefix: drop the entry, keep it, or put it back. */
static int missing(const struct kroute *m)
{
	size_t i;
	int err;

	if (m->type == RTN_LOCAL && m->table == RT_TABLE_LOCAL)
		return 0;	/* a LOCAL copy of an address (local.c), not a route */
	if (keep_for_port(m))
		return 0;
	for (i = 0; i < s.nrestore && m->protocol == RTPROT_IPXR; i++) {
		if (s.restore[i] != m->oif)
			continue;
		err = nl_route_write(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, m);
		if (!err) {
			s.restored++;
			return 0;
		}
		sync_log(LOG_WARNING_, "cannot put back the route of protocol ipxr through "
			 "ifindex %d: %s", m->oif, strerror(-err));
		break;
	}
	s.removed++;
	return compile_remove(&m->dst);
}

/*
 * compile_route_new() while it pays: a route of a load or added again after its deletion has no
 * entry, and is written without reading the maps first. Where prefixes keep having one (a
 * re-scan of full maps, the notifications of what a re-scan compiled already), FRESH_MISSES
 * in a row stop it for the next FRESH_SKIP routes. -EEXIST: compile_lookup() and
 * compile_route() are the caller's.
 */
#define FRESH_MISSES	64
#define FRESH_SKIP	4096
static struct {
	unsigned int misses;	/* in a row */
	unsigned int skip;
} fresh;

static int fresh_write(const struct kroute *k)
{
	int err;

	if (fresh.skip) {
		fresh.skip--;
		return -EEXIST;
	}
	err = compile_route_new(k);
	if (err != -EEXIST) {
		fresh.misses = 0;
	} else if (++fresh.misses == FRESH_MISSES) {
		fresh.misses = 0;
		fresh.skip = FRESH_SKIP;
	}
	return err;
}

/* Whether @d's notification added a route the kernel may use as it is: TOS 0, one live path. */
static bool hint_plain(const struct dirty *d)
{
	return d->hint && !d->del && !d->k.tos && !d->k.multipath &&
	       !(d->k.flags & (RTNH_F_DEAD | RTNH_F_LINKDOWN));
}

/*
 * Whether the route @d's notification added is the one the kernel now uses for the prefix, as
 * far as the maps (the kernel's choice before it, when in step) tell: 1 and *@k, or 0 to ask
 * the kernel. The kernel prefers the lowest metric among usable routes of TOS 0; a new route
 * is that one when the prefix had none, when it beats the one the maps hold, or when it
 * replaced a route of the same metric and protocol. Anything else (an appended route of the
 * same metric, a dead one) is asked for; the periodic re-scan corrects what a stale map misled.
 */
static int from_hint(const struct dirty *d, int has_m, const struct kroute *m, struct kroute *k)
{
	const struct kroute *h = &d->k;

	if (!hint_plain(d))
		return 0;
	if (has_m == 1 && m->type == RTN_LOCAL && m->table == RT_TABLE_LOCAL)
		return 0;	/* an address of the router: compile_route() knows */
	if (has_m == 1 && h->priority > m->priority)
		return 0;
	if (has_m == 1 && h->priority == m->priority &&
	    !(d->replace && h->protocol == m->protocol))
		return 0;
	*k = *h;
	return 1;
}

/*
 * Whether the RTM_DELROUTE of @d leaves its prefix without a route, as far as the maps (@m)
 * and what the daemon knows of the table tell: the route removed is the one the maps hold,
 * and the prefix is not one that may hold another (s.multi). Otherwise the kernel is asked.
 */
static bool gone_by_hint(const struct dirty *d, int has_m, const struct kroute *m)
{
	if (!d->hint || !d->del || has_m != 1 || pset_has(&s.multi, &d->dst))
		return false;
	if (m->type == RTN_LOCAL && m->table == RT_TABLE_LOCAL)
		return false;
	return compile_same(&d->k, m);
}

/* ------------------------------------------------------------------------------------------ */
/* Several tables: ipxr sync table A table B ...                                               */

/*
 * The kernel looks up A first and uses A's longest match when A has any route covering the
 * destination; only then B, and so on. The maps hold one longest-match structure, so they hold:
 * every route of A, and a route Q of a later table only when no route of an earlier table covers
 * Q (is as long or shorter and contains it). That is exact: an address that A routes finds A's
 * match or a longer route of A, never a later table's route, which would be inside a route of A
 * and left out; an address that A does not route is routed by no entry of A, and every route of
 * B containing it is held. A throw route of A is compiled as the kernel's (the program hands its
 * packets to the kernel, which goes on to B) and covers B's routes like any other: exact, and
 * slower only for what the throw covers.
 */

static struct inet_prefix prefix_cut(const struct inet_prefix *p, unsigned int bitlen)
{
	struct inet_prefix c = { .family = p->family, .bitlen = bitlen };
	unsigned int i;

	for (i = 0; i < bitlen / 8; i++)
		c.addr[i] = p->addr[i];
	if (bitlen % 8)
		c.addr[i] = p->addr[i] & (0xff << (8 - bitlen % 8));
	return c;
}

/* Whether @ps holds @p or a shorter prefix containing it (strictly shorter unless @equal). */
static bool pset_covers(const struct pset *ps, const struct inet_prefix *p, bool equal)
{
	struct inet_prefix c;
	int l;

	if (!ps->n)
		return false;
	for (l = p->bitlen - !equal; l >= 0; l--) {
		c = prefix_cut(p, l);
		if (pset_has(ps, &c))
			return true;
	}
	return false;
}

/*
 * What the maps are to hold for @p: 1 and *@k, the kernel's route for @p in the first table
 * that has one, when no earlier table covers @p; 0 when none is to be held; a negative errno.
 */
static int effective(const struct inet_prefix *p, struct kroute *k)
{
	unsigned int i;
	int ret;

	for (i = 0; i < s.ntables; i++) {
		if (pset_has(&s.idx[i], p)) {
			ret = nl_route_exact(p, s.tables[i], k);
			if (ret)
				return ret;
			pset_del(&s.idx[i], p);	/* gone meanwhile: its event follows */
		}
		if (pset_covers(&s.idx[i], p, false))
			return 0;
	}
	return 0;
}

/*
 * Make the maps' entry for @p (@has_m, @m: what compile_lookup() read) what the kernel answered
 * (@has_k, @k: 1 and its route, 0 for none, a negative errno when it could not be asked).
 * 0 or an exit code.
 */
static int settle(const struct inet_prefix *p, int has_k, const struct kroute *k, int has_m,
		  const struct kroute *m)
{
	char buf[PREFIX_STRLEN];

	if (has_k < 0) {
		sync_log(LOG_WARNING_, "cannot ask the kernel for %s: %s: a full re-scan follows",
			 format_prefix(buf, sizeof(buf), p), strerror(-has_k));
		s.resync = true;
		return 0;
	}
	if (has_k) {
		nhid_note(k->nhid);
		if (has_m && up_to_date(k, m))
			return 0;
		s.compiled++;
		s.routes += !has_m;
		return compile_route(k);
	}
	if (!has_m)
		return 0;
	if (s.routes)
		s.routes--;
	return missing(m);
}

/* The maps' entry for @p (compile_lookup()), or an exit code with the error printed. */
static int maps_entry(const struct inet_prefix *p, struct kroute *m)
{
	char buf[PREFIX_STRLEN];
	int has_m = compile_lookup(p, m);

	if (has_m < 0)
		return -ipxr_error(IPXR_EXIT_REFUSED, "cannot read the maps for %s: %s",
				   format_prefix(buf, sizeof(buf), p), strerror(-has_m));
	return has_m;
}

/* Make the maps' entry for @p what effective() says. 0 or an exit code. */
static int apply_effective(const struct inet_prefix *p)
{
	struct kroute k, m;
	int has_m = maps_entry(p, &m);

	if (has_m < 0)
		return -has_m;
	return settle(p, effective(p, &k), &k, has_m, &m);
}

/*
 * A prefix a notification named, with several tables: ask each table it may concern for its
 * route there, note which have one, and decide the prefix; where a table gained or lost it,
 * the later tables' prefixes inside it are decided again (they appear or go). Their sets are
 * walked whole: a change of an earlier table's prefix set, rare beside a full table's churn.
 */
static int reconcile_tables(const struct dirty *d)
{
	const struct inet_prefix *p = &d->dst;
	unsigned int i, j, from = s.ntables;
	struct kroute k;
	size_t x;
	int ret, err;

	for (i = 0; i < s.ntables; i++) {
		if (d->hint && d->k.table != s.tables[i])
			continue;
		ret = nl_route_exact(p, s.tables[i], &k);
		if (ret < 0) {
			s.resync = true;
			return 0;
		}
		if (ret == 1 && (k.tos || (k.flags & RTNH_F_DEAD)))
			ret = 0;	/* as the re-scan: not a route the kernel would use */
		if (ret == pset_has(&s.idx[i], p))
			continue;
		if (ret && !pset_add(&s.idx[i], p)) {
			s.resync = true;
			return 0;
		}
		if (!ret)
			pset_del(&s.idx[i], p);
		if (i < from)
			from = i;
	}
	err = apply_effective(p);
	for (j = from + 1; j < s.ntables && !err; j++) {
		struct inet_prefix *in = NULL;
		size_t n = 0, alloc = 0, y;

		/* gathered first: deciding one may drop a stale prefix from the set walked */
		for (x = 0; x < s.idx[j].cap; x++)
			if (s.idx[j].v[x].family && s.idx[j].v[x].bitlen > p->bitlen &&
			    prefix_contains(p, &s.idx[j].v[x]) &&
			    !PUSH(in, n, alloc, s.idx[j].v[x]))
				s.resync = true;
		for (y = 0; y < n && !err; y++)
			err = apply_effective(&in[y]);
		free(in);
	}
	return err;
}

static int reconcile_prefix(const struct dirty *d)
{
	const struct inet_prefix *p = &d->dst;
	struct kroute k, m;
	int has_k, has_m;
	bool local;

	if (s.ntables > 1)
		return reconcile_tables(d);
	/*
	 * A route added to a prefix the maps have no entry for is the one the kernel uses
	 * (from_hint() with no entry): written at once, the maps not read first.
	 */
	if (hint_plain(d) && !d->replace) {
		int err = fresh_write(&d->k);

		if (err != -EEXIST) {
			nhid_note(d->k.nhid);
			s.compiled++;
			s.routes++;
			return err;
		}
	}
	has_m = maps_entry(p, &m);
	if (has_m < 0)
		return -has_m;
	local = has_m == 1 && m.type == RTN_LOCAL && m.table == RT_TABLE_LOCAL;
	/* a route added beside the one the maps hold: the prefix now has two */
	if (d->hint && !d->del && !d->replace && has_m == 1 && !local &&
	    !pset_add(&s.multi, p))
		s.resync = true;
	/*
	 * The notification's route is the maps' entry already: the CLI wrote both halves, or a
	 * re-scan's dump, newer than the queued notification, compiled it. Nothing to ask: the
	 * kernel refuses a second route equal to it (EEXIST), and one that differs only in what
	 * the fast path does not use compiles the same; the prefix is in s.multi (above), so its
	 * deletion asks.
	 */
	if (hint_plain(d) && has_m == 1 && !local && compile_same(&d->k, &m)) {
		nhid_note(m.nhid);
		return 0;
	}
	if (gone_by_hint(d, has_m, &m))
		has_k = 0;
	else if (!(has_k = from_hint(d, has_m, &m, &k)))
		has_k = nl_route_exact(p, s.table, &k);
	return settle(p, has_k, &k, has_m, &m);
}

/* ------------------------------------------------------------------------------------------ */
/* The full re-scan: one dump of the table, diffed against every entry of the maps              */

/*
 * A re-scan does not stop the following: the dump is read a piece at a time between event
 * batches, each piece compiled as it comes (the kernel makes a piece when it is read, so it is
 * never older than an event already applied), then the maps' keys are walked a slice at a time
 * and what the dump did not show is removed. A prefix an event changed while the re-scan runs
 * is the events' (s.scan.touched): the dump's view of it may be older, and its key may be new.
 */
#define SCAN_PIECES	1	/* dump messages per step, about 300 routes */
#define SCAN_KEYS	1000	/* keys of the maps per step */
/*
 * Steps a batch runs while no notification waits: the re-scan takes the idle time, and gives
 * way to the events within one step (a millisecond or so). After an overrun the maps are
 * known to be behind the kernel: the re-scan then takes its minimum share of every batch
 * even while notifications keep coming, or a storm would starve it.
 */
#define SCAN_IDLE_S	0.020
#define SCAN_BEHIND_S	0.005

enum scan_phase { SCAN_IDLE, SCAN_DUMP, SCAN_WALK };

static struct scan {
	enum scan_phase phase;
	struct nl_route_stream *st;
	struct kroute group;	/* the best route so far of the prefix being dumped */
	int group_size;		/* routes of it in the table */
	bool have;
	struct pset seen;	/* every prefix of the table the dump showed */
	struct pset touched;	/* prefixes events changed since the re-scan began */
	struct pset multi;	/* prefixes with more than one route, becomes s.multi */
	unsigned int ti;	/* several tables: the one being dumped, in rule order */
	struct pset idx[SYNC_TABLES_MAX];	/* becomes s.idx */
	bool intr;		/* the kernel said the table changed during the dump */
	/*
	 * Notifications changed IPv6 routes since the re-scan began. The kernel's IPv6 dump, when
	 * the tree changed between two of its pieces, starts again from the root and skips as
	 * many routes as it had given, without a word (no NLM_F_DUMP_INTR): after a deletion
	 * before its place, routes are skipped over and would look gone (under churn a re-scan
	 * removed 1,500 routes the kernel still had). What such a dump did not show is asked
	 * about. IPv4's dump goes on from the last prefix it gave, and misses none that stayed.
	 */
	bool changed6;
	bool behind;		/* begun after an overrun (see SCAN_BEHIND_S) */
	int err;		/* a map refused all writes (IPXR_EXIT_NOMAPS) */
	bool nomem;
	const struct ipxr_family *f;	/* the trie being walked */
	struct route_key cur;	/* the next key to look at */
	bool has_cur;
	size_t compiled, removed, asked;
	double t0;
} sc;

/*
 * The prefix's group is complete: make the maps hold its best route, unless events own it. The
 * kernel dumps the routes of one prefix one after the other; the one it uses among them
 * (metrics, protocols) is what kroute_preferred() picks, as nl_route_exact() does.
 */
static void scan_flush(void)
{
	struct kroute m;
	int has_m, err;

	if (!sc.have)
		return;
	sc.have = false;
	if (sc.group_size > 1 && !pset_add(&sc.multi, &sc.group.dst))
		sc.nomem = true;
	if (sc.group.tos || (sc.group.flags & RTNH_F_DEAD))
		return;	/* no route of the prefix is one the kernel would use: as if absent */
	if (s.ntables > 1) {
		unsigned int i;

		if (!pset_add(&sc.idx[sc.ti], &sc.group.dst)) {
			sc.nomem = true;
			return;
		}
		/* the earlier tables were dumped before: a prefix one of them covers is theirs */
		for (i = 0; i < sc.ti; i++)
			if (pset_covers(&sc.idx[i], &sc.group.dst, true))
				return;
	}
	if (!pset_add(&sc.seen, &sc.group.dst)) {
		sc.nomem = true;
		return;
	}
	if (pset_has(&sc.touched, &sc.group.dst))
		return;
	nhid_note(sc.group.nhid);
	err = fresh_write(&sc.group);
	if (err == -EEXIST) {
		has_m = compile_lookup(&sc.group.dst, &m);
		if (has_m == 1 && up_to_date(&sc.group, &m))
			return;
		err = compile_route(&sc.group);
	}
	s.compiled++;
	sc.compiled++;
	/* one route the maps refuse (a gateway gone meanwhile) must not stop the rest */
	if (err == IPXR_EXIT_NOMAPS)
		sc.err = err;
}

static int scan_cb(const struct kroute *r, void *data)
{
	(void)data;
	if (sc.have && prefix_equal(&sc.group.dst, &r->dst)) {
		sc.group_size++;
		if (kroute_preferred(r, &sc.group))
			sc.group = *r;
		return 0;
	}
	scan_flush();
	sc.group = *r;
	sc.group_size = 1;
	sc.have = true;
	return sc.err;
}

static void scan_stop(void)
{
	unsigned int i;

	nl_route_stream_close(sc.st);
	for (i = 0; i < SYNC_TABLES_MAX; i++)
		pset_free(&sc.idx[i]);
	pset_free(&sc.seen);
	pset_free(&sc.touched);
	pset_free(&sc.multi);
	memset(&sc, 0, sizeof(sc));
}

static bool scanning(void)
{
	return sc.phase != SCAN_IDLE;
}

/* Begin a re-scan, or begin the running one again (what it saw may be older than a loss). */
static int scan_start(void)
{
	scan_stop();
	s.scans++;
	sc.t0 = now_s();
	sc.st = nl_route_stream_open(AF_UNSPEC, s.table);
	if (!sc.st)
		return ipxr_error(IPXR_EXIT_REFUSED, "cannot dump table %u: %s", s.table,
				  strerror(errno));
	sc.phase = SCAN_DUMP;
	/* as many as the last re-scan saw and then some: no rehash of a million in one step */
	pset_reserve(&sc.seen, s.routes + s.routes / 8);
	return 0;
}

/* An event changed @p while a re-scan runs: the re-scan leaves it alone. */
static void scan_touch(const struct inet_prefix *p)
{
	if (!scanning())
		return;
	sc.changed6 |= p->family == AF_INET6;
	if (!pset_add(&sc.touched, p))
		sc.nomem = true;
}

static int scan_key(const struct route_key *key)
{
	struct dirty d = { .dst.family = sc.f->af };
	struct kroute m;

	d.dst.bitlen = key->prefixlen;
	memcpy(d.dst.addr, key->addr, af_bytes(sc.f->af));
	if (pset_has(&sc.seen, &d.dst) || pset_has(&sc.touched, &d.dst))
		return 0;
	if (compile_lookup(&d.dst, &m) != 1)
		return 0;
	if (m.type == RTN_LOCAL && m.table == RT_TABLE_LOCAL)
		return 0;	/* a LOCAL copy of an address (local.c), not a route */
	/* a dump the table changed under may have missed it: the kernel says */
	if (sc.intr || (sc.changed6 && sc.f->af == AF_INET6)) {
		sc.asked++;
		return reconcile_prefix(&d);
	}
	sc.removed++;
	if (s.routes)
		s.routes--;
	return missing(&m);
}

/* The key after @cur in the trie walked (@cur NULL: its first): 1, 0 at its end, or an error. */
static int next_key(const struct route_key *cur, struct route_key *next)
{
	if (bpf_map_get_next_key(map_fd(sc.f->route_map), cur, next) == 0)
		return 1;
	if (errno == ENOENT)
		return 0;
	return ipxr_error(IPXR_EXIT_REFUSED, "cannot walk map %s: %s",
			  map_layout[sc.f->route_map].name, strerror(errno));
}

/* A slice of the walk of the maps' keys: 1 when more is to come, 0 at the end, or an error. */
static int scan_walk(unsigned int budget)
{
	struct route_key next;
	struct ipxr_route val;
	int ret, err;

	/*
	 * The key in hand went between two slices (an event, another writer): the trie cannot
	 * go on from it, so this trie is walked again from its start.
	 */
	if (sc.has_cur && route_lookup_exact(sc.f, &sc.cur, &val) != 1)
		sc.has_cur = false;
	while (budget--) {
		if (!sc.has_cur) {
			ret = next_key(NULL, &sc.cur);
			if (ret < 0)
				return ret;
			if (ret == 0) {
				if (++sc.f == ipxr_families + 2)
					return 0;
				continue;
			}
			sc.has_cur = true;
		}
		/* the next key first: looking at this one may delete it */
		ret = next_key(&sc.cur, &next);
		if (ret < 0)
			return ret;
		err = scan_key(&sc.cur);
		if (err == IPXR_EXIT_NOMAPS)
			return err;
		if (ret == 0) {
			sc.has_cur = false;
			if (++sc.f == ipxr_families + 2)
				return 0;
			continue;
		}
		sc.cur = next;
	}
	return 1;
}

/*
 * One step of the running re-scan, under the batch's hold of the maps: a few pieces of the dump,
 * or a slice of the walk. 0 (done or more to come; scanning() tells) or an exit code.
 */
static int scan_step(unsigned int pieces, unsigned int keys)
{
	char name[64];
	int ret;

	if (sc.phase == SCAN_DUMP) {
		ret = nl_route_stream_read(sc.st, pieces, scan_cb, NULL);
		if (ret == 0) {
			scan_flush();
			sc.intr |= nl_route_stream_intr(sc.st);
			nl_route_stream_close(sc.st);
			sc.st = NULL;
		}
		if (ret == 0 && ++sc.ti < s.ntables) {
			/* the next table in rule order: it is decided against the earlier ones */
			sc.st = nl_route_stream_open(AF_UNSPEC, s.tables[sc.ti]);
			if (!sc.st)
				ret = -errno;
		} else if (ret == 0) {
			unsigned int i;

			/* what the walk's questions (sc.intr) and the events decide by from now */
			for (i = 0; i < s.ntables && s.ntables > 1; i++) {
				pset_free(&s.idx[i]);
				s.idx[i] = sc.idx[i];
				memset(&sc.idx[i], 0, sizeof(sc.idx[i]));
			}
			sc.phase = SCAN_WALK;
			sc.f = ipxr_families;
			sc.has_cur = false;
		}
		if (!ret && sc.nomem)
			ret = -ENOMEM;
		if (ret < 0 || sc.err) {
			ret = sc.err ? sc.err : ipxr_error(IPXR_EXIT_REFUSED, "cannot dump table "
							    "%u: %s", s.tables[sc.ti],
							    strerror(-ret));
			scan_stop();
			return ret;
		}
		return 0;
	}
	if (sc.phase != SCAN_WALK)
		return 0;
	ret = scan_walk(keys);
	if (ret == 1)
		return 0;
	if (ret) {
		scan_stop();
		return ret;
	}
	if (sc.nomem) {
		scan_stop();
		return ipxr_error(IPXR_EXIT_REFUSED, "cannot re-scan table %u: out of memory",
				  s.table);
	}
	s.routes = sc.seen.n;
	/* what the dump found of several routes a prefix: the deletions that must ask */
	pset_free(&s.multi);
	s.multi = sc.multi;
	memset(&sc.multi, 0, sizeof(sc.multi));
	s.nrestore = 0;
	sync_log(LOG_INFO_, "table %s re-scanned: %zu routes, %zu compiled, %zu removed, %zu "
		 "asked, %zu left to events, in %.3f s%s", rt_name(RT_NAMES_TABLE, s.table, name,
		 sizeof(name)), sc.seen.n, sc.compiled, sc.removed, sc.asked, sc.touched.n,
		 now_s() - sc.t0,
		 sc.intr ? " (the table changed during the dump: the kernel was asked about the "
		 "entries it did not show)" : "");
	scan_stop();
	return 0;
}

/* Whether a notification waits on the socket. */
static bool events_waiting(void)
{
	struct pollfd pfd = { .fd = s.fd, .events = POLLIN };

	return poll(&pfd, 1, 0) == 1;
}

/* The share of the running re-scan one batch runs (see SCAN_IDLE_S). */
static int scan_slice(void)
{
	double t0 = now_s(), t;
	int err;

	do {
		err = scan_step(SCAN_PIECES, SCAN_KEYS);
		t = now_s() - t0;
	} while (!err && scanning() && t < SCAN_IDLE_S &&
		 ((sc.behind && t < SCAN_BEHIND_S) || !events_waiting()));
	return err;
}

/* The running re-scan to its end. */
static int scan_finish(void)
{
	struct pollfd pfd = { .events = POLLIN };
	int err = 0;

	while (!err && scanning()) {
		err = scan_step(64, 100000);
		if (!err && sc.phase == SCAN_DUMP) {
			pfd.fd = nl_route_stream_fd(sc.st);
			poll(&pfd, 1, 1000);
		}
	}
	return err;
}

/* A whole re-scan at once (start-up, sync once): nothing else is waiting to run. */
static int reconcile_all(void)
{
	int err = scan_start();

	return err ? err : scan_finish();
}

/* ------------------------------------------------------------------------------------------ */
/* One batch                                                                                    */

static void apply_links(void)
{
	struct port_state *ps, st;
	size_t i;
	bool up;
	int err;

	for (i = 0; i < s.nlinks; i++) {
		struct port_link *l = &s.links[i];

		err = ports_apply(l, NULL, NULL);
		if (err)
			sync_log(LOG_WARNING_, "cannot record port %s (ifindex %d) in map %s: %s",
				 l->name, l->ifindex, IPXR_MAP_PORTS, strerror(-err));
		up = !l->gone && (l->ifi_flags & IFF_UP) && (l->ifi_flags & IFF_RUNNING);
		ps = port_find(l->ifindex);
		if (!ps) {
			st.ifindex = l->ifindex;
			st.up = !up;	/* a new port: as if it had changed */
			if (!PUSH(s.ports, s.nports, s.aports, st))
				continue;
			ps = &s.ports[s.nports - 1];
		}
		if (ps->up == up)
			continue;
		ps->up = up;
		/* multipath members on the port leave their groups' buckets, or take theirs back */
		err = grp_port_event(l->ifindex, up);
		if (err)
			sync_log(LOG_WARNING_, "cannot update the next-hop groups through port %s "
				 "(ifindex %d)", l->name, l->ifindex);
		if (up) {
			sync_log(LOG_NOTICE_, "port %s (ifindex %d) is up: its gateways are "
				 "resolved again", l->name, l->ifindex);
			nh_port_up(l->ifindex);
			PUSH(s.restore, s.nrestore, s.arestore, l->ifindex);
		} else {
			sync_log(LOG_NOTICE_, "port %s (ifindex %d) is %s: its next hops hand "
				 "traffic to the kernel", l->name, l->ifindex,
				 l->gone ? "gone" : "down");
		}
		/*
		 * The kernel deletes a port's IPv4 routes when it goes down or away without a
		 * word, and ipxr's own routes through a port that came up are to be put back:
		 * either way only the whole table tells.
		 */
		s.resync = true;
	}
}

static void apply_neigh(void)
{
	struct port_state *ps;
	bool failed = false;
	size_t i;

	/* events may have been lost: the neighbour table says which gateways are failed */
	if (s.resync)
		failed = nh_neigh_refresh();
	for (i = 0; i < s.nneigh; i++) {
		ps = port_find(s.neigh[i].ifindex);
		failed |= nh_neigh_event(s.neigh[i].family, s.neigh[i].addr, s.neigh[i].ifindex,
					 s.neigh[i].deleted, s.neigh[i].state,
					 ps ? ps->up : port_up_now(s.neigh[i].ifindex));
	}
	/* a gateway that stopped answering leaves its groups' buckets, one that answers again
	 * takes its own back: only the flows through it move */
	if (failed && grp_ports_refresh())
		sync_log(LOG_WARNING_, "cannot update the next-hop groups after a gateway failed "
			 "or came back");
}

static void check_rules(void)
{
	char text[160];
	int n = rules_nondefault(s.tables, s.ntables);

	if (n < 0) {
		sync_log(LOG_WARNING_, "cannot list the policy rules: %s", strerror(-n));
		return;
	}
	if (n > s.rules_seen)
		sync_log(LOG_WARNING_, "%s: traffic a rule sends to another table is forwarded "
			 "by this one (see ipxr-sync(8), POLICY ROUTING)",
			 rules_text(text, sizeof(text), n, s.tables, s.ntables));
	else if (n < s.rules_seen)
		sync_log(LOG_NOTICE_, "%s", rules_text(text, sizeof(text), n, s.tables, s.ntables));
	s.rules_seen = n;
}

static void batch_reset(void)
{
	s.resync = s.rules = s.addrs = s.overrun = s.compact = false;
	/* s.restore is the re-scan's: it lasts until one is complete */
	s.ndirty = s.nlinks = s.nneigh = s.nnetconf = 0;
}

/*
 * The id of the pinned IPv4 trie: another one (the object was unloaded and attached again, the
 * maps made anew) holds none of what was compiled, and only a re-scan fills it.
 */
static __u32 maps_generation(void)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(map_fd(MAP_ROUTE4), &info, &len))
		return 0;
	return info.id;
}

static __u32 maps_gen;

static int batch_apply(void)
{
	bool started = false, all_conf = false;
	size_t i, n, asks;
	__u32 gen;
	int err;

	if (s.addrs)
		compile_addrs_changed();
	err = compile_begin();
	if (err) {
		compile_end();
		return err;
	}
	gen = maps_generation();
	if (gen != maps_gen) {
		sync_log(LOG_NOTICE_, "the maps were made anew (the XDP object was loaded again): "
			 "full re-scan");
		maps_gen = gen;
		s.resync = true;
	}
	if (s.compact && front_compact())
		sync_log(LOG_INFO_, "the load is over: front structure pools repainted to fit");
	apply_links();
	for (i = 0; i < s.nnetconf; i++) {
		/* all devices' rp_filter: every record, once a batch */
		if (s.netconf[i] == NETCONFA_IFINDEX_ALL) {
			if (all_conf)
				continue;
			all_conf = true;
		}
		if (ports_netconf(s.netconf[i]))
			sync_log(LOG_WARNING_, "cannot record the IPv4 settings of ifindex %d in "
				 "map %s", s.netconf[i], IPXR_MAP_PORTS);
	}
	apply_neigh();
	if (s.rules)
		check_rules();
	if (s.recount) {
		/* a failed batch may have left next-hop counts the tries do not back */
		err = compile_recount();
		s.recount = err != 0;
	}
	if (s.ndirty)
		qsort(s.dirty, s.ndirty, sizeof(*s.dirty), prefix_cmp);
	/* a prefix changed twice in the batch: the kernel says which route won */
	for (i = n = 0; i < s.ndirty; i++) {
		if (n && !prefix_cmp(&s.dirty[n - 1], &s.dirty[i])) {
			if ((s.dirty[n - 1].hint && !s.dirty[n - 1].del && !s.dirty[n - 1].replace) ||
			    (s.dirty[i].hint && !s.dirty[i].del && !s.dirty[i].replace))
				if (!pset_add(&s.multi, &s.dirty[i].dst))
					s.resync = true;
			s.dirty[n - 1].hint = false;
		} else {
			s.dirty[n++] = s.dirty[i];
		}
	}
	for (i = asks = 0; i < n; i++)
		asks += !s.dirty[i].hint || (s.dirty[i].del && pset_has(&s.multi, &s.dirty[i].dst));
	/*
	 * Asking the kernel for one prefix costs about what 30 routes of a dump do (80 us against
	 * 2.6 us, 20,000 routes): past that, one re-scan answers for them all, unless one runs
	 * already (it may have passed them).
	 */
	if (!scanning() && asks > SYNC_ASK_MIN && asks * 30 > s.routes)
		s.resync = true;
	/*
	 * A re-scan begun now (an overrun, a port down, a batch too large) reads the table after
	 * every change of this batch: it answers for them. One already running may be older than
	 * they are: they are applied, and it leaves their prefixes alone.
	 */
	if (s.resync) {
		err = scan_start();
		sc.behind = s.overrun;
		s.resync = false;
		started = true;
		n = 0;
	}
	/* one route the maps refuse (its error printed) must not hold up the others */
	for (i = 0; i < n && err != IPXR_EXIT_NOMAPS; i++) {
		scan_touch(&s.dirty[i].dst);
		err = reconcile_prefix(&s.dirty[i]);
	}
	if (err != IPXR_EXIT_NOMAPS)
		err = 0;
	/* a prefix that asked for a re-scan (the kernel could not be asked): begin it now */
	if (!err && s.resync && !started) {
		err = scan_start();
		s.resync = false;
	}
	/*
	 * With several tables a re-scan runs to its end in the batch that began it: events
	 * decide by the tables' prefix sets, which only a complete dump of them all gives.
	 */
	if (!err && scanning())
		err = s.ntables > 1 ? scan_finish() : scan_slice();
	if (!err)
		err = compile_commit();
	if (err)
		s.recount = true;
	compile_end();
	s.batches++;
	return err;
}

/* ------------------------------------------------------------------------------------------ */

static void on_signal(int sig)
{
	(void)sig;
	s.stop = 1;
}

static unsigned int rcvbuf_size(void)
{
	/* For the overrun test only: a tiny buffer that a burst of changes overruns. */
	const char *v = getenv("IPXR_SYNC_RCVBUF");
	char *end;
	unsigned long n;

	if (!v || !*v)
		return SYNC_RCVBUF;
	n = strtoul(v, &end, 0);
	return *end || !n || n > SYNC_RCVBUF ? SYNC_RCVBUF : (unsigned int)n;
}

static void init_ports(void)
{
	struct port_state st;
	__u32 *keys;
	size_t n, i;

	/* the ports as the first ports_sync() recorded them */
	if (ports_list(&keys, &n))
		return;
	for (i = 0; i < n; i++) {
		st.ifindex = (int)keys[i];
		st.up = port_get(st.ifindex) & IPXR_PORT_F_UP;
		PUSH(s.ports, s.nports, s.aports, st);
	}
	free(keys);
}

static int sync_start(void)
{
	int err;

	err = compile_begin();
	if (!err) {
		maps_gen = maps_generation();
		init_ports();
		s.rules_seen = 0;
		check_rules();
		err = reconcile_all();
	}
	/*
	 * Reference counts are derived from the tries: a writer killed between its route writes
	 * and its commit (ipxr sync itself, kill -9) left them off, and a start puts them right.
	 */
	if (!err)
		err = compile_commit();
	if (!err)
		err = compile_recount();
	compile_end();
	return err;
}

/* The next re-scan: every s.scan seconds, sooner after a failed batch; 0: none due. */
static double next_scan;
/*
 * A look at the pools (front_compact()) once a load that may have grown them is over: armed by
 * a batch of SYNC_COMPACT_BATCH route changes or more, or a re-scan, and done at the end of a
 * window of SYNC_COMPACT_S in which fewer than SYNC_COMPACT_BATCH changes came (a full table's
 * load comes at thousands a second; steady BGP churn at tens).
 */
#define SYNC_COMPACT_S		5
#define SYNC_COMPACT_BATCH	1000
static struct {
	bool armed;
	double start;		/* of the window, 0: none */
	size_t changes;		/* in the window */
} cw;

static int poll_timeout(void)
{
	double left, t = next_scan, next_compact = cw.armed ? cw.start + SYNC_COMPACT_S : 0;

	if (next_compact && (!t || next_compact < t))
		t = next_compact;
	if (!t)
		return -1;
	left = t - now_s();
	return left > 0 ? (int)(left * 1000) + 1 : 0;
}

/* Whether the pools are to be looked at in this batch (see cw). */
static bool compact_due(void)
{
	double now = now_s();

	if (s.ndirty >= SYNC_COMPACT_BATCH || s.resync || scanning())
		cw.armed = true;
	if (!cw.armed)
		return false;
	if (!cw.start)
		cw.start = now;
	cw.changes += s.ndirty;
	if (now - cw.start < SYNC_COMPACT_S)
		return false;
	if (cw.changes < SYNC_COMPACT_BATCH && !scanning() && !s.resync) {
		cw.armed = false;
		cw.start = 0;
		cw.changes = 0;
		return true;
	}
	cw.start = now;
	cw.changes = 0;
	return false;
}


/*
 * Notifications were lost (ENOBUFS): a re-scan answers for them. The kernel drops every
 * notification for the socket, silently, from the loss until its queue has been read empty
 * (netlink's congested state): the queue is read to its end now, before the re-scan's dump
 * begins, so that what the dump has passed by cannot be lost unreported. What is read is
 * older than the dump, which the re-scan answers for too; the congested state stops new
 * notifications from coming meanwhile, so the queue only shrinks.
 */
static void overrun(void)
{
	int n;

	s.overruns++;
	sync_log(LOG_WARNING_, "netlink receive buffer overrun (ENOBUFS, %lu since start): "
		 "notifications were lost, full re-scan", s.overruns);
	s.resync = s.overrun = true;
	while ((n = events_read(on_event, NULL, 0)) == -ENOBUFS)
		s.overruns++;	/* another loss while reading: the same re-scan answers */
}

/* When the last batch was applied. */
static double last_batch;

/* More of a stream of notifications, @n read so far (see SYNC_GATHER). */
static void gather(int n)
{
	struct pollfd pfd = { .fd = s.fd, .events = POLLIN };
	double until = now_s() + SYNC_GATHER_S, left;
	int more;

	while (n < SYNC_GATHER && (left = until - now_s()) > 0) {
		if (poll(&pfd, 1, (int)(left * 1000) + 1) != 1)
			break;
		more = events_read(on_event, NULL, SYNC_BATCH_MAX - n);
		if (more <= 0) {
			if (more == -ENOBUFS)
				overrun();
			break;
		}
		n += more;
	}
}

static int sync_loop(int fd)
{
	struct pollfd pfd[2] = { { .fd = fd, .events = POLLIN }, { .fd = -1, .events = POLLIN } };
	bool maps_gone = false;
	char name[64];
	int n, err;

	next_scan = s.scan ? now_s() + s.scan : 0;
	while (!s.stop) {
		/*
		 * A re-scan running goes on between batches: its dump when the kernel has the
		 * next piece ready, its walk of the maps at once.
		 */
		pfd[1].fd = sc.phase == SCAN_DUMP ? nl_route_stream_fd(sc.st) : -1;
		n = poll(pfd, 2, sc.phase == SCAN_WALK ? 0 : poll_timeout());
		if (n < 0 && errno != EINTR)
			return ipxr_error(IPXR_EXIT_REFUSED, "poll: %s", strerror(errno));
		if (s.stop)
			break;
		batch_reset();
		if (n > 0 && (pfd[0].revents & POLLIN)) {
			n = events_read(on_event, NULL, SYNC_BATCH_MAX);
			if (n == -ENOBUFS) {
				overrun();
			} else if (n < 0) {
				return ipxr_error(IPXR_EXIT_REFUSED, "reading notifications: %s",
						  strerror(-n));
			} else if (n < SYNC_GATHER && now_s() - last_batch < SYNC_STREAM_S) {
				gather(n);
			}
		}
		/* the safety re-scan is due: one running already is as good */
		if (next_scan && now_s() >= next_scan && !scanning())
			s.resync = true;
		s.compact = compact_due();
		if (!s.resync && !s.ndirty && !s.nlinks && !s.nneigh && !s.nnetconf && !s.rules &&
		    !s.addrs && !scanning() && !s.compact)
			continue;
		if (s.resync)
			next_scan = s.scan ? now_s() + s.scan : 0;
		err = batch_apply();
		last_batch = now_s();
		/*
		 * Maps that are gone (the object detached and unpinned) are waited for: attaching
		 * it again is a link event, which tries again, and its maps are new, which a re-scan
		 * fills. Anything else is tried again in a second, not at once: what failed may
		 * fail again (a dump refused).
		 */
		if (err == IPXR_EXIT_NOMAPS && !maps_gone)
			sync_log(LOG_WARNING_, "the maps are gone: waiting for the XDP object to "
				 "be attached again");
		else if (err && err != IPXR_EXIT_NOMAPS)
			sync_log(LOG_WARNING_, "a batch could not be applied: full re-scan in 1 s");
		maps_gone = err == IPXR_EXIT_NOMAPS;
		if (err && !maps_gone)
			next_scan = now_s() + 1;
		notify("STATUS=following table %s: %lu batches, %lu compiled, %lu removed, %lu "
		       "overruns", rt_name(RT_NAMES_TABLE, s.table, name, sizeof(name)), s.batches,
		       s.compiled, s.removed, s.overruns);
	}
	return 0;
}

static void sync_usage(FILE *out)
{
	fprintf(out, "Usage: ipxr [ OPTIONS ] sync [ once ] [ table TABLE_ID ]... [ scan SECONDS ]\n"
		"       ipxr [ OPTIONS ] sync help\n"
		"TABLE_ID := { main | NAME | NUMBER }\n%s", ipxr_options_usage);
}

static int sync_parse(int argc, char **argv)
{
	bool has_scan = false;
	__u32 v;
	int err;

	s.scan = SYNC_SCAN_DEFAULT;
	for (; argc > 0; argc--, argv++) {
		if (is_word(*argv, "once")) {
			if (s.once)
				return duparg("once", *argv);
			s.once = true;
		} else if (is_word(*argv, "table")) {
			if (argc < 2)
				return missarg(*argv);
			argc--, argv++;
			if (rt_id(RT_NAMES_TABLE, *argv, &v) || v == 0 || v == RT_TABLE_LOCAL ||
			    v == IPXR_KERNEL_TABLE)
				return ipxr_error(IPXR_EXIT_USAGE, "invalid table \"%s\": the fast "
						  "path follows routing tables, main or another "
						  "one's name or number", *argv);
			if (table_pos(v) >= 0)
				return duparg("table", *argv);
			if (s.ntables == SYNC_TABLES_MAX)
				return ipxr_error(IPXR_EXIT_USAGE, "too many tables: the fast path "
						  "follows at most %d", SYNC_TABLES_MAX);
			s.tables[s.ntables++] = v;
		} else if (is_word(*argv, "scan")) {
			if (argc < 2)
				return missarg(*argv);
			if (has_scan)
				return duparg("scan", argv[1]);
			argc--, argv++;
			err = parse_u32_arg("scan interval", *argv, 86400, &v);
			if (err)
				return err;
			s.scan = v;
			has_scan = true;
		} else if (is_word(*argv, "help")) {
			sync_usage(stdout);
			return -1;
		} else {
			return badarg(*argv);
		}
	}
	if (!s.ntables)
		s.tables[s.ntables++] = RT_TABLE_MAIN;
	s.table = s.tables[0];
	return 0;
}

int do_sync(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	char name[64];
	int fd = -1, err;
	unsigned int i;

	memset(&s, 0, sizeof(s));
	s.fd = -1;
	err = sync_parse(argc, argv);
	if (err)
		return err < 0 ? 0 : err;
	s.journal = getenv("JOURNAL_STREAM") != NULL;
	err = compile_set_tables(s.tables, s.ntables);
	if (err)
		return err;
	if (!s.once) {
		/* joined before the first dump, so no change falls between the two */
		fd = s.fd = events_open(EV_ALL, rcvbuf_size());
		if (fd < 0)
			return ipxr_error(IPXR_EXIT_REFUSED, "cannot open the rtnetlink "
					  "notification socket: %s", strerror(-fd));
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGINT, &sa, NULL);
		/* opening and reading the maps for every batch would cost more than the batch */
		compile_keep(true);
	}
	err = sync_start();
	if (err)
		goto out;
	if (s.once) {
		sync_log(LOG_INFO_, "table %s compiled: %lu routes written, %lu removed",
			 rt_name(RT_NAMES_TABLE, s.table, name, sizeof(name)), s.compiled,
			 s.removed);
		goto out;
	}
	sync_log(LOG_NOTICE_, "following table %s (re-scan every %u s)",
		 rt_name(RT_NAMES_TABLE, s.table, name, sizeof(name)), s.scan);
	notify("READY=1\nSTATUS=following table %s", name);
	err = sync_loop(fd);
	notify("STOPPING=1");
	sync_log(LOG_NOTICE_, "stopped: %lu batches, %lu notifications, %lu re-scans, %lu "
		 "overruns, %lu routes compiled, %lu removed, %lu put back", s.batches, s.events,
		 s.scans, s.overruns, s.compiled, s.removed, s.restored);
out:
	scan_stop();
	pset_free(&s.multi);
	for (i = 0; i < SYNC_TABLES_MAX; i++)
		pset_free(&s.idx[i]);
	compile_keep(false);
	compile_end();	/* closes what was kept */
	events_close();
	free(s.dirty);
	free(s.links);
	free(s.neigh);
	free(s.netconf);
	free(s.restore);
	free(s.ports);
	free(s.nhids);
	memset(&s, 0, sizeof(s));
	return err;
}
