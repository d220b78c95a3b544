// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel routes over rtnetlink: the one decoder of RTM_NEWROUTE/RTM_DELROUTE (dumps, lookups and
 * ipxr sync's notifications all end in nl_route_parse()), the writer of ipxr's route commands,
 * dumps, and the kernel's choice for one prefix.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kroute.h"
#include "netlink.h"

/* The gateway of a next hop, RTA_GATEWAY (the route's family) or RTA_VIA (any family). */
static void parse_gw(const struct nlattr *attr, int family, struct kroute *r)
{
	unsigned int len = mnl_attr_get_payload_len(attr);
	const struct rtvia *via;

	memset(&r->gw, 0, sizeof(r->gw));
	if (mnl_attr_get_type(attr) == RTA_GATEWAY) {
		if (len != af_bytes(family))
			return;
		r->gw.family = family;
		memcpy(r->gw.addr, mnl_attr_get_payload(attr), len);
	} else {
		via = mnl_attr_get_payload(attr);
		if (len < sizeof(*via) || !af_bytes(via->rtvia_family) ||
		    len - sizeof(*via) != af_bytes(via->rtvia_family))
			return;
		r->gw.family = via->rtvia_family;
		memcpy(r->gw.addr, via->rtvia_addr, af_bytes(via->rtvia_family));
	}
	r->gw.bitlen = af_bits(r->gw.family);
	r->has_gw = true;
}

static void parse_metrics(const struct nlattr *nest, struct kroute *r)
{
	const struct nlattr *attr;

	mnl_attr_for_each_nested(attr, nest) {
		if (mnl_attr_get_payload_len(attr) != sizeof(__u32))
			continue;
		if (mnl_attr_get_type(attr) == RTAX_MTU)
			r->mtu = mnl_attr_get_u32(attr);
		else if (mnl_attr_get_type(attr) == RTAX_LOCK)
			r->mtu_lock = mnl_attr_get_u32(attr) & (1U << RTAX_MTU);
	}
}

/*
 * One next hop is a plain route written another way. Several make a multipath route: its next
 * hops go into an interned set (kpath_intern()), and the route has no single device or gateway.
 */
static void parse_multipath(const struct nlattr *attr, int family, struct kroute *r)
{
	const struct rtnexthop *nh = mnl_attr_get_payload(attr);
	int len = mnl_attr_get_payload_len(attr), n = 0;
	static __thread struct kpath_set set;
	__u32 rtm_flags = r->flags;
	const struct nlattr *a;
	struct kroute one;

	set.n = 0;
	while (len >= (int)sizeof(*nh) && nh->rtnh_len >= sizeof(*nh) && nh->rtnh_len <= len) {
		memset(&one, 0, sizeof(one));
		for (a = (const void *)RTNH_DATA(nh);
		     (const char *)a + sizeof(*a) <= (const char *)nh + nh->rtnh_len &&
		     a->nla_len >= sizeof(*a) &&
		     (const char *)a + a->nla_len <= (const char *)nh + nh->rtnh_len;
		     a = (const void *)((const char *)a + NLA_ALIGN(a->nla_len))) {
			if (mnl_attr_get_type(a) == RTA_GATEWAY || mnl_attr_get_type(a) == RTA_VIA)
				parse_gw(a, family, &one);
		}
		if (n++ == 0) {
			r->oif = nh->rtnh_ifindex;
			r->flags |= nh->rtnh_flags;
			r->has_gw = one.has_gw;
			r->gw = one.gw;
		}
		if (set.n < KPATH_MAX) {
			struct kpath *p = &set.p[set.n++];

			memset(p, 0, sizeof(*p));
			p->oif = nh->rtnh_ifindex;
			p->has_gw = one.has_gw;
			p->gw = one.gw;
			p->weight = nh->rtnh_hops + 1;
			p->flags = nh->rtnh_flags;
		}
		len -= NLA_ALIGN(nh->rtnh_len);
		nh = RTNH_NEXT(nh);
	}
	if (n > 1) {
		r->multipath = true;
		r->oif = 0;
		r->has_gw = false;
		memset(&r->gw, 0, sizeof(r->gw));
		/* the route's flags are its own (dead: all members are); a member's are in set */
		r->flags = rtm_flags;
		r->paths = n <= KPATH_MAX ? kpath_intern(&set) : 0;
	}
}

int nl_route_parse(const struct nlmsghdr *nlh, struct kroute *r)
{
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	unsigned int alen;
	const struct nlattr *attr;

	memset(r, 0, sizeof(*r));
	if ((nlh->nlmsg_type != RTM_NEWROUTE && nlh->nlmsg_type != RTM_DELROUTE) ||
	    nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*rtm)))
		return -EINVAL;
	if (rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6)
		return -EAFNOSUPPORT;
	/* IPv6's cached clones and exceptions are not routes of a table */
	if (rtm->rtm_flags & RTM_F_CLONED)
		return -EAFNOSUPPORT;
	alen = af_bytes(rtm->rtm_family);
	if (rtm->rtm_dst_len > af_bits(rtm->rtm_family))
		return -EINVAL;
	r->dst.family = rtm->rtm_family;
	r->dst.bitlen = rtm->rtm_dst_len;
	r->table = rtm->rtm_table;
	r->type = rtm->rtm_type;
	r->protocol = rtm->rtm_protocol;
	r->scope = rtm->rtm_scope;
	r->tos = rtm->rtm_tos;
	r->flags = rtm->rtm_flags;
	mnl_attr_for_each(attr, nlh, sizeof(*rtm)) {
		unsigned int len = mnl_attr_get_payload_len(attr);

		switch (mnl_attr_get_type(attr)) {
		case RTA_DST:
			if (len == alen)
				memcpy(r->dst.addr, mnl_attr_get_payload(attr), alen);
			break;
		case RTA_TABLE:
			if (len == sizeof(__u32))
				r->table = mnl_attr_get_u32(attr);
			break;
		case RTA_PRIORITY:
			if (len == sizeof(__u32))
				r->priority = mnl_attr_get_u32(attr);
			break;
		case RTA_OIF:
			if (len == sizeof(__u32))
				r->oif = mnl_attr_get_u32(attr);
			break;
		case RTA_GATEWAY:
		case RTA_VIA:
			parse_gw(attr, rtm->rtm_family, r);
			break;
		case RTA_PREFSRC:
			if (len == alen) {
				r->prefsrc.family = rtm->rtm_family;
				r->prefsrc.bitlen = af_bits(rtm->rtm_family);
				memcpy(r->prefsrc.addr, mnl_attr_get_payload(attr), alen);
				r->has_prefsrc = true;
			}
			break;
		case RTA_METRICS:
			parse_metrics(attr, r);
			break;
		case RTA_NH_ID:
			if (len == sizeof(__u32))
				r->nhid = mnl_attr_get_u32(attr);
			break;
		case RTA_MULTIPATH:
			parse_multipath(attr, rtm->rtm_family, r);
			break;
		case RTA_PREF:
			if (len == sizeof(__u8)) {
				r->pref = mnl_attr_get_u8(attr);
				r->has_pref = true;
			}
			break;
		}
	}
	/* the kernel never sends host bits; a prefix with them would not be a trie key */
	addr_mask(r->dst.family, r->dst.addr, r->dst.bitlen);
	return 0;
}

struct get_ctx {
	struct kroute r;
	int err;
	bool got;
};

static int get_cb(const struct nlmsghdr *nlh, void *data)
{
	struct get_ctx *g = data;

	if (!g->got && nl_route_parse(nlh, &g->r) == 0)
		g->got = true;
	return MNL_CB_OK;
}

/* RTA_MULTIPATH: a struct rtnexthop per next hop of @r, its gateway nested in it. */
static void put_multipath(struct nlmsghdr *nlh, const struct kroute *r)
{
	const struct kpath_set *s = kpath_get(r->paths);
	struct nlattr *nest = mnl_attr_nest_start(nlh, RTA_MULTIPATH);
	int family = r->dst.family;
	struct rtnexthop *nh;
	unsigned int i;

	for (i = 0; s && i < s->n; i++) {
		const struct kpath *p = &s->p[i];

		nh = mnl_nlmsg_get_payload_tail(nlh);
		nh->rtnh_len = sizeof(*nh);
		nh->rtnh_flags = p->flags & RTNH_F_ONLINK;
		nh->rtnh_hops = p->weight ? p->weight - 1 : 0;
		nh->rtnh_ifindex = p->oif;
		nlh->nlmsg_len += MNL_ALIGN(sizeof(*nh));
		if (p->has_gw && p->gw.family == family) {
			mnl_attr_put(nlh, RTA_GATEWAY, af_bytes(family), p->gw.addr);
		} else if (p->has_gw) {
			struct {
				struct rtvia via;
				__u8 addr[16];
			} v = { .via.rtvia_family = p->gw.family };

			memcpy(v.addr, p->gw.addr, af_bytes(p->gw.family));
			mnl_attr_put(nlh, RTA_VIA, sizeof(v.via) + af_bytes(p->gw.family), &v);
		}
		nh->rtnh_len = (char *)mnl_nlmsg_get_payload_tail(nlh) - (char *)nh;
	}
	mnl_attr_nest_end(nlh, nest);
}

static int route_write(int cmd, int nlflags, const struct kroute *r, struct kroute *echo)
{
	struct get_ctx g = {};
	int err;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nlattr *nest;
	struct rtmsg *rtm;
	int family = r->dst.family;

	if (family != AF_INET && family != AF_INET6)
		return -EAFNOSUPPORT;
	nlh->nlmsg_type = cmd;
	nlh->nlmsg_flags = NLM_F_REQUEST | nlflags;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = family;
	rtm->rtm_dst_len = r->dst.bitlen;
	rtm->rtm_tos = r->tos;
	/* a table id past 255 only fits the attribute, as ip sends it */
	rtm->rtm_table = r->table < 256 ? r->table : RT_TABLE_UNSPEC;
	rtm->rtm_protocol = r->protocol;
	rtm->rtm_scope = r->scope;
	rtm->rtm_type = r->type;
	/* of the flags a dump shows, onlink is the one a writer gives */
	rtm->rtm_flags = r->flags & RTNH_F_ONLINK;
	if (r->table)
		mnl_attr_put_u32(nlh, RTA_TABLE, r->table);
	if (r->dst.bitlen)
		mnl_attr_put(nlh, RTA_DST, af_bytes(family), r->dst.addr);
	if (r->priority)
		mnl_attr_put_u32(nlh, RTA_PRIORITY, r->priority);
	if (r->oif)
		mnl_attr_put_u32(nlh, RTA_OIF, r->oif);
	if (r->has_gw && r->gw.family == family) {
		mnl_attr_put(nlh, RTA_GATEWAY, af_bytes(family), r->gw.addr);
	} else if (r->has_gw) {
		struct {
			struct rtvia via;
			__u8 addr[16];
		} v = { .via.rtvia_family = r->gw.family };

		memcpy(v.addr, r->gw.addr, af_bytes(r->gw.family));
		mnl_attr_put(nlh, RTA_VIA, sizeof(v.via) + af_bytes(r->gw.family), &v);
	}
	if (r->multipath)
		put_multipath(nlh, r);
	if (r->has_prefsrc)
		mnl_attr_put(nlh, RTA_PREFSRC, af_bytes(family), r->prefsrc.addr);
	if (r->mtu || r->mtu_lock) {
		nest = mnl_attr_nest_start(nlh, RTA_METRICS);
		if (r->mtu_lock)
			mnl_attr_put_u32(nlh, RTAX_LOCK, 1U << RTAX_MTU);
		if (r->mtu)
			mnl_attr_put_u32(nlh, RTAX_MTU, r->mtu);
		mnl_attr_nest_end(nlh, nest);
	}
	if (r->nhid)
		mnl_attr_put_u32(nlh, RTA_NH_ID, r->nhid);
	if (r->has_pref)
		mnl_attr_put_u8(nlh, RTA_PREF, r->pref);
	if (!echo)
		return nl_talk(nlh, NULL, NULL);
	/* the kernel sends the route as it stored (or removed) it to the writer, then the ACK */
	nlh->nlmsg_flags |= NLM_F_ECHO;
	err = nl_talk(nlh, get_cb, &g);
	if (!err && !g.got)
		return -ENOMSG;
	if (!err)
		*echo = g.r;
	return err;
}

int nl_route_write(int cmd, int nlflags, const struct kroute *r)
{
	return route_write(cmd, nlflags, r, NULL);
}

int nl_route_write_echo(int cmd, int nlflags, const struct kroute *r, struct kroute *echo)
{
	return route_write(cmd, nlflags, r, echo);
}

struct dump_ctx {
	int family;
	__u32 table;
	int (*cb)(const struct kroute *r, void *data);
	void *data;
	int ret;		/* the first non-zero return of @cb: later messages are read, unused */
	bool intr;
	const struct inet_prefix *want;	/* only this prefix's routes (nl_route_exact) */
};

/* Before decoding a whole message: is it a route for @want at all? */
static bool dump_wanted(const struct nlmsghdr *nlh, const struct inet_prefix *want)
{
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *attr;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*rtm)) || rtm->rtm_family != want->family ||
	    rtm->rtm_dst_len != want->bitlen)
		return false;
	if (!want->bitlen)
		return true;
	mnl_attr_for_each(attr, nlh, sizeof(*rtm))
		if (mnl_attr_get_type(attr) == RTA_DST)
			return mnl_attr_get_payload_len(attr) == af_bytes(want->family) &&
			       !memcmp(mnl_attr_get_payload(attr), want->addr,
				       af_bytes(want->family));
	return false;
}

static int dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *d = data;
	struct kroute r;

	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		d->intr = true;
	/* a stopped dump is still read to its end, so the socket serves the next request */
	if (d->ret || (d->want && !dump_wanted(nlh, d->want)) || nl_route_parse(nlh, &r))
		return MNL_CB_OK;
	if ((d->family && r.dst.family != d->family) || (d->table && r.table != d->table))
		return MNL_CB_OK;
	d->ret = d->cb(&r, d->data);
	return MNL_CB_OK;
}

static int route_dump(int family, __u32 table, const struct inet_prefix *want,
		      int (*cb)(const struct kroute *r, void *data), void *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct dump_ctx d = { .family = family, .table = table, .cb = cb, .data = data,
			      .want = want };
	struct rtmsg *rtm;
	int err;

	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = family;
	err = nl_talk(nlh, dump_cb, &d);
	if (err)
		return err;
	if (d.ret)
		return d.ret;
	return d.intr ? -EINTR : 0;
}

int nl_route_dump(int family, __u32 table, int (*cb)(const struct kroute *r, void *data),
		  void *data)
{
	return route_dump(family, table, NULL, cb, data);
}

/* ------------------------------------------------------------------------------------------ */
/* A dump read a piece at a time                                                                */

/*
 * A thread receives the pieces into a ring and the caller parses them: the kernel's side of a
 * dump is not cheap when the table changes under it (an IPv6 dump walks its tree again from the
 * root, skipping what it has sent, after every change: 10-100 ms for four pieces of a 200,000
 * route table under churn), and that time must not hold up the caller's other work. The ring
 * is small: a piece read ahead is older than the table, which the caller allows for anyway.
 */
#define STREAM_PIECES	32

struct piece {
	int len;
	/* the size the kernel fills each dump message to (netlink.c); messages are 4-aligned */
	char buf[32768] __attribute__((aligned(8)));
};

struct nl_route_stream {
	struct mnl_socket *sock;
	unsigned int portid, seq;
	struct dump_ctx d;
	bool done;		/* the caller parsed the end of the dump */
	int efd;		/* readable when a piece is in the ring */
	int space_efd;		/* readable when the caller has taken a piece */
	pthread_t th;
	bool th_started;
	/*
	 * Single producer (the thread moves tail), single consumer (the caller moves head), no
	 * lock: a thread of lower priority holding one would stall the caller.
	 */
	unsigned int head, tail;
	int stop;		/* the caller closes the stream */
	int err;		/* the thread's receive error (errno), set before it stops */
	struct piece ring[STREAM_PIECES];
};

static unsigned int ld_acq(const unsigned int *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void st_rel(unsigned int *p, unsigned int v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

/* Whether the piece holds the dump's last message (its end, or an error instead of it). */
static bool piece_ends(const struct piece *p)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)p->buf;
	int len = p->len;

	for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len))
		if (nlh->nlmsg_type == NLMSG_DONE || nlh->nlmsg_type == NLMSG_ERROR)
			return true;
	return false;
}

static void *stream_thread(void *arg)
{
	struct nl_route_stream *st = arg;
	struct pollfd pfd = { .fd = st->space_efd, .events = POLLIN };
	unsigned int tail = st->tail;
	struct piece *p;
	eventfd_t v;
	ssize_t n;

	/* the kernel's walk is the thread's CPU time: the caller's work comes first */
	setpriority(PRIO_PROCESS, (id_t)gettid(), getpriority(PRIO_PROCESS, 0) + 10);
	while (!__atomic_load_n(&st->stop, __ATOMIC_RELAXED)) {
		if (tail - ld_acq(&st->head) == STREAM_PIECES) {
			poll(&pfd, 1, 100);
			eventfd_read(st->space_efd, &v);
			continue;
		}
		p = &st->ring[tail % STREAM_PIECES];
		n = mnl_socket_recvfrom(st->sock, p->buf, sizeof(p->buf));
		/* EAGAIN: the receive timeout, a look at st->stop */
		if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
			continue;
		if (n < 0) {
			__atomic_store_n(&st->err, errno, __ATOMIC_RELEASE);
			eventfd_write(st->efd, 1);
			break;
		}
		p->len = (int)n;
		st_rel(&st->tail, ++tail);
		eventfd_write(st->efd, 1);
		if (piece_ends(p))
			break;
	}
	return NULL;
}

struct nl_route_stream *nl_route_stream_open(int family, __u32 table)
{
	char req[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(req);
	struct timeval tv = { .tv_usec = 100 * 1000 };
	struct nl_route_stream *st = calloc(1, sizeof(*st));
	sigset_t all, old;
	struct rtmsg *rtm;
	int err;

	if (!st)
		return NULL;
	st->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	st->space_efd = st->efd < 0 ? -1 : eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (st->space_efd < 0)
		goto fail;
	st->sock = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!st->sock)
		goto fail;
	if (mnl_socket_bind(st->sock, 0, MNL_SOCKET_AUTOPID) < 0)
		goto fail;
	/* the thread blocks in receive only for this long between looks at st->stop */
	if (setsockopt(mnl_socket_get_fd(st->sock), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)))
		goto fail;
	st->portid = mnl_socket_get_portid(st->sock);
	st->seq = time(NULL);
	st->d.family = family;
	st->d.table = table;
	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = st->seq;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = family;
	if (mnl_socket_sendto(st->sock, nlh, nlh->nlmsg_len) < 0)
		goto fail;
	/* signals stay the caller's (ipxr sync's SIGTERM) */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&st->th, NULL, stream_thread, st);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		errno = err;
		goto fail;
	}
	st->th_started = true;
	return st;
fail:
	err = errno;
	nl_route_stream_close(st);
	errno = err;
	return NULL;
}

int nl_route_stream_fd(const struct nl_route_stream *st)
{
	return st->efd;
}

int nl_route_stream_read(struct nl_route_stream *st, unsigned int max,
			 int (*cb)(const struct kroute *r, void *data), void *data)
{
	unsigned int head = st->head;
	struct piece *p;
	eventfd_t v;
	int ret, err;

	st->d.cb = cb;
	st->d.data = data;
	eventfd_read(st->efd, &v);	/* before the ring: a piece after it wakes the poll again */
	while (max-- && !st->done) {
		if (head == ld_acq(&st->tail)) {
			err = __atomic_load_n(&st->err, __ATOMIC_ACQUIRE);
			if (err && head == ld_acq(&st->tail))
				return -err;
			return 1;
		}
		p = &st->ring[head % STREAM_PIECES];
		ret = mnl_cb_run(p->buf, p->len, st->seq, st->portid, dump_cb, &st->d);
		st_rel(&st->head, ++head);
		eventfd_write(st->space_efd, 1);
		if (ret < 0)
			return -errno;
		if (ret == MNL_CB_STOP)
			st->done = true;
		if (st->d.ret)
			return st->d.ret;
	}
	/* more in the ring already: the caller polls, so say so */
	if (!st->done && head != ld_acq(&st->tail))
		eventfd_write(st->efd, 1);
	return st->done ? 0 : 1;
}

bool nl_route_stream_intr(const struct nl_route_stream *st)
{
	return st->d.intr;
}

void nl_route_stream_close(struct nl_route_stream *st)
{
	if (!st)
		return;
	if (st->th_started) {
		__atomic_store_n(&st->stop, 1, __ATOMIC_RELAXED);
		eventfd_write(st->space_efd, 1);
		pthread_join(st->th, NULL);
	}
	if (st->sock)
		mnl_socket_close(st->sock);
	if (st->efd >= 0)
		close(st->efd);
	if (st->space_efd >= 0)
		close(st->space_efd);
	free(st);
}

struct exact_ctx {
	const struct inet_prefix *dst;
	struct kroute best;
	bool found;
};

/* The kernel's own order: TOS 0 (what a lookup without TOS matches), lowest metric, not dead. */
static int exact_cb(const struct kroute *r, void *data)
{
	struct exact_ctx *x = data;

	if (!prefix_equal(&r->dst, x->dst) || r->tos || (r->flags & RTNH_F_DEAD))
		return 0;
	if (!x->found || r->priority < x->best.priority) {
		x->best = *r;
		x->found = true;
	}
	return 0;
}

static int get_reply_cb(const struct nlmsghdr *nlh, void *data)
{
	get_cb(nlh, data);
	return MNL_CB_STOP;
}

/* The kernel's FIB entry for the lookup of @addr: 0 and *@g filled, or a negative errno. */
static int fib_match(int family, const __u8 *addr, struct get_ctx *g)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;

	memset(g, 0, sizeof(*g));
	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = family;
	rtm->rtm_dst_len = af_bits(family);
	rtm->rtm_flags = RTM_F_FIB_MATCH;
	mnl_attr_put(nlh, RTA_DST, af_bytes(family), addr);
	/* one answer, no ACK after it: a write and its lookup cost three receives, not four */
	return nl_talk_reply(nlh, get_reply_cb, g);
}

/* The last address of @p into @out; false if @p has no address after it (all ones). */
static void prefix_last(const struct inet_prefix *p, __u8 *out)
{
	unsigned int i, bytes = af_bytes(p->family);

	memcpy(out, p->addr, bytes);
	for (i = p->bitlen; i < 8 * bytes; i++)
		out[i / 8] |= 0x80 >> (i % 8);
}

static bool addr_next(__u8 *a, unsigned int bytes)
{
	int i;

	for (i = bytes - 1; i >= 0; i--)
		if (++a[i])
			return true;
	return false;
}

/*
 * The lookups nl_route_exact() tries before it dumps the table: a BGP table nests prefixes, so
 * the first address of one is often inside a longer one; the address after that one, or the
 * prefix's last address, usually is not.
 */
#define EXACT_PROBES	8

int nl_route_lookup_exact(const struct inet_prefix *dst, __u32 table, struct kroute *r)
{
	unsigned int bytes = af_bytes(dst->family), n;
	__u8 probe[16], last[16];
	struct get_ctx g;
	int err;

	if (!table)
		table = RT_TABLE_MAIN;
	prefix_last(dst, last);
	memcpy(probe, dst->addr, bytes);
	/* the addresses of the prefix in order, each probe past what the last answer covers */
	for (n = 0; n < EXACT_PROBES; n++) {
		/* the FIB entry the lookup of an address of the prefix ends in */
		err = fib_match(dst->family, probe, &g);
		if (err == -ENETUNREACH && table == RT_TABLE_MAIN)
			return 0;	/* no table the rules consult, main included, routes it */
		if (err || !g.got)
			return -EXDEV;	/* a reject route's error: the dump tells */
		if (g.r.table != table) {
			/*
			 * Another table's entry for this one address (an address of the router,
			 * IPv6's subnet-router anycast, a rule): the next address may be ours.
			 */
			if (!memcmp(probe, last, bytes) || !addr_next(probe, bytes))
				return -EAGAIN;
			continue;
		}
		if (prefix_equal(&g.r.dst, dst)) {
			*r = g.r;
			return 1;
		}
		/*
		 * Shorter: the table's longest usable match for an address of the prefix is
		 * not the prefix, which therefore has no route there the kernel would use.
		 */
		if (g.r.dst.bitlen < dst->bitlen)
			return 0;
		/* a longer prefix inside answered: go on past its end */
		prefix_last(&g.r.dst, probe);
		if (!memcmp(probe, last, bytes) || !addr_next(probe, bytes))
			return -EAGAIN;	/* every address so far a longer prefix's: covered */
	}
	return -EXDEV;
}

int nl_route_exact(const struct inet_prefix *dst, __u32 table, struct kroute *r)
{
	struct exact_ctx x = { .dst = dst };
	int err = nl_route_lookup_exact(dst, table, r);

	if (err != -EAGAIN && err != -EXDEV)
		return err;
	if (!table)
		table = RT_TABLE_MAIN;
	err = route_dump(dst->family, table, dst, exact_cb, &x);
	if (err)
		return err;
	if (!x.found)
		return 0;
	*r = x.best;
	return 1;
}
