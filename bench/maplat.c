// SPDX-License-Identifier: GPL-2.0
/*
 * maplat: how far ipxr's maps are behind the kernel's routing table, seen from outside ipxr
 * sync, for make bench. It listens to the same rtnetlink route notifications ipxr sync follows
 * and looks each changed prefix up in the pinned tries (ipxr_route4, ipxr_route6; read-only):
 * an entry is there when the trie's answer for {prefix length, address} carries that prefix
 * length (struct ipxr_route.prefixlen), so a covering route does not count.
 *
 *   maplat churn --time SECS [--log FILE]
 *				for every route event of --proto (default bird) in table main,
 *				the time from its notification to the trie holding (or no longer
 *				holding) the prefix; percentiles as JSON at the end. A prefix
 *				changed again before the trie caught up is timed from its last
 *				change (counted as superseded).
 *   maplat converge --n4 N --n6 N
 *				wait for N IPv4 and N IPv6 routes of --proto to have been added
 *				(the kernel holds the table), then for the trie to hold the last
 *				prefix the kernel was given, then verify the whole table (below),
 *				looking again at what differed as the pass goes on: complete when
 *				the last of it matched, once a pass finds nothing more; times as
 *				JSON (epoch seconds).
 *   maplat verify		dump table main and compare with the tries: the --proto routes
 *				missing from the tries, and trie entries the kernel does not have
 *				(a stale route); exit status 1 when either is non-zero.
 *
 * The notification's arrival here stands for the kernel's change: this process reads its socket
 * every --interval microseconds (default 200), so a latency is late by at most that much plus a
 * lookup pass. ipxr sync paints the front structure (ipxr_lpm) in the same commit as the tries.
 * Run it inside the router's namespace (ip netns exec), with TC_BPF_MNT set as for ipxr.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>

#include "ipxr_maps.h"

#define RCVBUF		(512 << 20)	/* a full-table storm without an overrun */

struct key {
	__u8 family;
	__u8 plen;
	__u8 addr[16];
};

struct slot {
	struct key k;
	bool used;
	bool want;		/* the kernel has the route */
	__u32 at;		/* churn: its place in struct churn's list */
	__u64 t_ns;		/* when its last change was heard */
};

/* An open-addressing set of prefixes: the pending changes, or the kernel's table. */
struct set {
	struct slot *s;
	size_t cap;		/* a power of two */
	size_t n;
};

static int fd4 = -1, fd6 = -1;
static int proto = RTPROT_BIRD;
static FILE *lat_log;		/* --log: each latency with when it was heard */
static unsigned long long enobufs;

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + (__u64)ts.tv_nsec;
}

static size_t key_hash(const struct key *k)
{
	const __u8 *p = (const __u8 *)k;
	__u64 h = 14695981039346656037ULL;
	size_t i;

	for (i = 0; i < sizeof(*k); i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	return (size_t)(h ^ (h >> 29));
}

static bool set_init(struct set *s, size_t cap)
{
	s->cap = cap;
	s->n = 0;
	s->s = calloc(cap, sizeof(*s->s));
	return s->s;
}

static struct slot *set_find(struct set *s, const struct key *k, bool add)
{
	size_t i = key_hash(k) & (s->cap - 1);

	while (s->s[i].used) {
		if (!memcmp(&s->s[i].k, k, sizeof(*k)))
			return &s->s[i];
		i = (i + 1) & (s->cap - 1);
	}
	if (!add || s->n + 1 >= s->cap / 2)
		return NULL;
	s->s[i].used = true;
	s->s[i].k = *k;
	s->n++;
	return &s->s[i];
}

/* Remove slot @i, moving later entries of its run back (linear probing). */
static void set_del(struct set *s, size_t i)
{
	size_t j = i, h;

	s->s[i].used = false;
	s->n--;
	for (;;) {
		j = (j + 1) & (s->cap - 1);
		if (!s->s[j].used)
			return;
		h = key_hash(&s->s[j].k) & (s->cap - 1);
		/* move j to the hole at i if its home h is not cyclically in (i, j] */
		if ((i <= j) ? (h <= i || h > j) : (h <= i && h > j)) {
			s->s[i] = s->s[j];
			s->s[j].used = false;
			i = j;
		}
	}
}

/* ---- the tries -------------------------------------------------------------------------------- */

/* 1 if the trie holds exactly @k, 0 if not, -1 on a lookup error other than "no match" */
static int in_maps(const struct key *k)
{
	struct ipxr_route v;
	int err;

	if (k->family == AF_INET) {
		struct ipxr_route4_key q = { .prefixlen = k->plen };

		memcpy(&q.addr, k->addr, 4);
		err = bpf_map_lookup_elem(fd4, &q, &v);
	} else {
		struct ipxr_route6_key q = { .prefixlen = k->plen };

		memcpy(q.addr, k->addr, 16);
		err = bpf_map_lookup_elem(fd6, &q, &v);
	}
	if (err)
		return errno == ENOENT ? 0 : -1;
	return v.prefixlen == k->plen;
}

static int open_map(const char *name)
{
	LIBBPF_OPTS(bpf_obj_get_opts, opts, .file_flags = BPF_F_RDONLY);
	const char *mnt = getenv("TC_BPF_MNT");
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/tc/globals/%s", mnt ? mnt : "/sys/fs/bpf", name);
	fd = bpf_obj_get_opts(path, &opts);
	if (fd < 0)
		fprintf(stderr, "maplat: %s: %s\n", path, strerror(errno));
	return fd;
}

/* ---- netlink ---------------------------------------------------------------------------------- */

struct nlroute {
	struct key k;
	__u32 table;
	__u8 protocol;
	__u8 type;
};

static int attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;

	if (mnl_attr_type_valid(a, RTA_MAX) > 0)
		tb[mnl_attr_get_type(a)] = a;
	return MNL_CB_OK;
}

/* Decode a route message; false if it is not one we follow. */
static bool decode(const struct nlmsghdr *nlh, struct nlroute *r)
{
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[RTA_MAX + 1] = {};
	size_t alen;

	if (rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6)
		return false;
	mnl_attr_parse(nlh, sizeof(*rtm), attr_cb, tb);
	memset(r, 0, sizeof(*r));
	r->k.family = rtm->rtm_family;
	r->k.plen = rtm->rtm_dst_len;
	r->table = tb[RTA_TABLE] ? mnl_attr_get_u32(tb[RTA_TABLE]) : rtm->rtm_table;
	r->protocol = rtm->rtm_protocol;
	r->type = rtm->rtm_type;
	alen = rtm->rtm_family == AF_INET ? 4 : 16;
	if (tb[RTA_DST] && mnl_attr_get_payload_len(tb[RTA_DST]) == alen)
		memcpy(r->k.addr, mnl_attr_get_payload(tb[RTA_DST]), alen);
	return true;
}

static struct mnl_socket *nl_open(unsigned int groups)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);
	int rcv = RCVBUF;

	if (!nl || mnl_socket_bind(nl, groups, MNL_SOCKET_AUTOPID) < 0) {
		perror("maplat: netlink");
		exit(2);
	}
	if (setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv)))
		setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	return nl;
}

typedef void (*route_fn)(const struct nlmsghdr *nlh, const struct nlroute *r, __u64 t, void *d);

/* Read what the socket holds now (wait up to @wait_ms for the first); each route to @fn */
static int nl_drain(struct mnl_socket *nl, int wait_ms, route_fn fn, void *d)
{
	static char buf[1 << 20];
	struct pollfd p = { .fd = mnl_socket_get_fd(nl), .events = POLLIN };
	int got = 0;

	while (poll(&p, 1, got ? 0 : wait_ms) > 0) {
		ssize_t n = recv(p.fd, buf, sizeof(buf), MSG_DONTWAIT);
		const struct nlmsghdr *nlh;
		__u64 t = now_ns();
		int len;

		if (n < 0) {
			if (errno == ENOBUFS) {
				enobufs++;
				continue;
			}
			if (errno == EAGAIN || errno == EINTR)
				break;
			perror("maplat: recv");
			exit(2);
		}
		len = (int)n;
		for (nlh = (struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, len);
		     nlh = mnl_nlmsg_next(nlh, &len)) {
			struct nlroute r;

			if (nlh->nlmsg_type != RTM_NEWROUTE && nlh->nlmsg_type != RTM_DELROUTE)
				continue;
			if (decode(nlh, &r))
				fn(nlh, &r, t, d);
			got++;
		}
	}
	return got;
}

static bool followed(const struct nlroute *r)
{
	return r->table == RT_TABLE_MAIN && (proto < 0 || r->protocol == proto);
}

/* ---- churn ------------------------------------------------------------------------------------ */

/*
 * The pending changes are a set (a prefix changed again is found) and a dense list of its keys:
 * each poll looks up only what is pending, not the set's whole capacity, which at a million
 * slots took tens of milliseconds and half a core a pass, and made every latency that late.
 */
struct churn {
	struct set pending;
	struct key *list;	/* the pending prefixes, pending.n of them */
	__u64 *lat;		/* ns */
	size_t nlat, caplat;
	unsigned long long events, superseded, replaced, errors;
	/* the most changes heard in one 100 ms: how bursty the source was */
	__u64 bucket;
	unsigned long long in_bucket, peak_100ms;
};

static void churn_event(const struct nlmsghdr *nlh, const struct nlroute *r, __u64 t, void *d)
{
	struct churn *c = d;
	struct slot *s;

	if (!followed(r))
		return;
	/* a replace keeps the prefix in the trie: presence cannot time it */
	if (nlh->nlmsg_type == RTM_NEWROUTE && (nlh->nlmsg_flags & NLM_F_REPLACE)) {
		c->replaced++;
		return;
	}
	c->events++;
	if (t / 100000000ULL != c->bucket) {
		c->bucket = t / 100000000ULL;
		c->in_bucket = 0;
	}
	if (++c->in_bucket > c->peak_100ms)
		c->peak_100ms = c->in_bucket;
	s = set_find(&c->pending, &r->k, false);
	if (s) {
		c->superseded++;
	} else {
		s = set_find(&c->pending, &r->k, true);
		if (s) {
			s->at = (__u32)(c->pending.n - 1);
			c->list[s->at] = r->k;
		}
	}
	if (!s) {
		c->errors++;
		return;
	}
	s->want = nlh->nlmsg_type == RTM_NEWROUTE;
	s->t_ns = t;
}

/* Take list entry @i (its slot @s) off: the last entry moves into its place. */
static void churn_done(struct churn *c, size_t i, struct slot *s)
{
	size_t last = c->pending.n - 1;

	set_del(&c->pending, (size_t)(s - c->pending.s));
	if (i != last) {
		c->list[i] = c->list[last];
		set_find(&c->pending, &c->list[i], false)->at = (__u32)i;
	}
}

static void churn_poll(struct churn *c)
{
	size_t i = 0;

	while (i < c->pending.n) {
		struct slot *s = set_find(&c->pending, &c->list[i], false);
		int in = in_maps(&s->k);

		if (in < 0) {
			c->errors++;
		} else if (in == s->want) {
			if (c->nlat == c->caplat) {
				c->caplat = c->caplat ? 2 * c->caplat : 1 << 16;
				c->lat = realloc(c->lat, c->caplat * sizeof(*c->lat));
				if (!c->lat)
					exit(2);
			}
			c->lat[c->nlat++] = now_ns() - s->t_ns;
			if (lat_log)
				fprintf(lat_log, "%.6f %.3f\n", (double)s->t_ns / 1e9,
					(double)c->lat[c->nlat - 1] / 1e6);
			churn_done(c, i, s);
			continue;	/* entry i is now the one that was last */
		}
		i++;
	}
}

static int cmp_u64(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

static double pct_ms(const __u64 *v, size_t n, double p)
{
	size_t i;

	if (!n)
		return -1;
	i = (size_t)(p * (double)(n - 1) + 0.5);
	return (double)v[i] / 1e6;
}

static int churn(double secs, unsigned int interval_us)
{
	struct mnl_socket *nl = nl_open(RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE);
	struct churn c = {};
	__u64 t0 = now_ns(), end = t0 + (__u64)(secs * 1e9), grace;

	if (!set_init(&c.pending, 1 << 20))
		return 2;
	c.list = calloc(c.pending.cap / 2, sizeof(*c.list));
	if (!c.list)
		return 2;
	/* ready: the script starts the churn once this line is out */
	fprintf(stderr, "maplat: listening\n");
	while (now_ns() < end) {
		nl_drain(nl, 0, churn_event, &c);
		churn_poll(&c);
		usleep(interval_us);
	}
	/* changes heard before the end get 2 s to reach the trie; later ones are not counted */
	grace = now_ns() + 2000000000ULL;
	while (c.pending.n && now_ns() < grace) {
		churn_poll(&c);
		usleep(interval_us);
	}
	qsort(c.lat, c.nlat, sizeof(*c.lat), cmp_u64);
	printf("{\"seconds\": %.3f, \"events\": %llu, \"events_per_s\": %.1f, \"timed\": %zu, "
	       "\"superseded\": %llu, \"replaced\": %llu, \"never_seen\": %zu, \"errors\": %llu, "
	       "\"enobufs\": %llu, \"p50_ms\": %.3f, \"p90_ms\": %.3f, \"p99_ms\": %.3f, "
	       "\"p999_ms\": %.3f, \"max_ms\": %.3f, \"interval_us\": %u, "
	       "\"peak_per_100ms\": %llu}\n",
	       secs, c.events, (double)c.events / secs, c.nlat, c.superseded, c.replaced,
	       c.pending.n, c.errors, enobufs, pct_ms(c.lat, c.nlat, 0.5),
	       pct_ms(c.lat, c.nlat, 0.9), pct_ms(c.lat, c.nlat, 0.99),
	       pct_ms(c.lat, c.nlat, 0.999), pct_ms(c.lat, c.nlat, 1), interval_us, c.peak_100ms);
	mnl_socket_close(nl);
	return enobufs || c.errors ? 1 : 0;
}

/* ---- verify ----------------------------------------------------------------------------------- */

#define DIFFS_MAX	(1 << 20)	/* differences watched at once by converge */
#define DIFFS_EVERY	8192		/* routes checked between two looks at them */

struct diff {
	struct key k;
	bool want;		/* the kernel has it */
};

struct table {
	struct set all;		/* every prefix of table main, and the router's local addresses */
	unsigned long long routes, missing, extra, entries;
	char sample[256];	/* the first difference, for the log */
	/*
	 * converge: the differences found, looked at again every DIFFS_EVERY routes checked and
	 * dropped once they match; when the last one did.
	 */
	bool watch;
	struct diff *diffs;
	size_t ndiffs;
	__u64 t_settled;
};

/* Drop the watched differences that match now. */
static void diffs_look(struct table *tb)
{
	size_t i = 0;
	int in;

	while (i < tb->ndiffs) {
		in = in_maps(&tb->diffs[i].k);
		if (in >= 0 && in != tb->diffs[i].want) {
			i++;
			continue;
		}
		tb->t_settled = now_ns();
		tb->diffs[i] = tb->diffs[--tb->ndiffs];
	}
}

static void diff_watch(struct table *tb, const struct key *k, bool want)
{
	if (!tb->watch)
		return;
	if (!tb->diffs) {
		tb->diffs = malloc(DIFFS_MAX * sizeof(*tb->diffs));
		if (!tb->diffs)
			exit(2);
	}
	if (tb->ndiffs == DIFFS_MAX)
		diffs_look(tb);
	if (tb->ndiffs < DIFFS_MAX) {
		tb->diffs[tb->ndiffs].k = *k;
		tb->diffs[tb->ndiffs++].want = want;
	}
}

/* Every DIFFS_EVERY routes checked: a look at the differences watched. */
static void diffs_tick(struct table *tb)
{
	if (tb->watch && tb->ndiffs && !((tb->routes + tb->entries) % DIFFS_EVERY))
		diffs_look(tb);
}

static void table_route(const struct nlmsghdr *nlh, const struct nlroute *r, __u64 t, void *d)
{
	struct table *tb = d;

	(void)nlh;
	(void)t;
	/* the tries also hold the router's own addresses (from table local) */
	if (r->table != RT_TABLE_MAIN && !(r->table == RT_TABLE_LOCAL && r->type == RTN_LOCAL))
		return;
	set_find(&tb->all, &r->k, true);
	if (!followed(r))
		return;
	tb->routes++;
	diffs_tick(tb);
	if (in_maps(&r->k) != 1) {
		diff_watch(tb, &r->k, true);
		if (!tb->missing++) {
			char a[INET6_ADDRSTRLEN];

			inet_ntop(r->k.family, r->k.addr, a, sizeof(a));
			snprintf(tb->sample, sizeof(tb->sample), "missing %s/%u", a, r->k.plen);
		}
	}
}

static int dump_cb(const struct nlmsghdr *nlh, void *d)
{
	struct nlroute r;

	if (decode(nlh, &r))
		table_route(nlh, &r, 0, d);
	return MNL_CB_OK;
}

static int dump(int family, struct table *tb)
{
	static char buf[1 << 20];
	struct mnl_socket *nl = nl_open(0);
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;
	unsigned int seq = (unsigned int)time(NULL);
	ssize_t n;
	int ret = MNL_CB_OK;

	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (__u8)family;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	while ((n = mnl_socket_recvfrom(nl, buf, sizeof(buf))) > 0) {
		ret = mnl_cb_run(buf, (size_t)n, seq, mnl_socket_get_portid(nl), dump_cb, tb);
		if (ret <= MNL_CB_STOP)
			break;
	}
	mnl_socket_close(nl);
	return ret < 0 || n < 0 ? -1 : 0;
}

/* Trie entries the kernel has not got: walk both tries (BPF_MAP_GET_NEXT_KEY). */
static void extras(struct table *tb)
{
	struct ipxr_route4_key k4, n4;
	struct ipxr_route6_key k6, n6;
	struct key k;
	bool first;

	for (first = true; !bpf_map_get_next_key(fd4, first ? NULL : &k4, &n4); first = false) {
		k4 = n4;
		memset(&k, 0, sizeof(k));
		k.family = AF_INET;
		k.plen = (__u8)k4.prefixlen;
		memcpy(k.addr, &k4.addr, 4);
		tb->entries++;
		diffs_tick(tb);
		if (set_find(&tb->all, &k, false))
			continue;
		diff_watch(tb, &k, false);
		if (!tb->extra++ && !tb->sample[0]) {
			char a[INET6_ADDRSTRLEN];

			inet_ntop(AF_INET, k.addr, a, sizeof(a));
			snprintf(tb->sample, sizeof(tb->sample), "stale %s/%u", a, k.plen);
		}
	}
	for (first = true; !bpf_map_get_next_key(fd6, first ? NULL : &k6, &n6); first = false) {
		k6 = n6;
		memset(&k, 0, sizeof(k));
		k.family = AF_INET6;
		k.plen = (__u8)k6.prefixlen;
		memcpy(k.addr, k6.addr, 16);
		tb->entries++;
		diffs_tick(tb);
		if (set_find(&tb->all, &k, false))
			continue;
		diff_watch(tb, &k, false);
		if (!tb->extra++ && !tb->sample[0]) {
			char a[INET6_ADDRSTRLEN];

			inet_ntop(AF_INET6, k.addr, a, sizeof(a));
			snprintf(tb->sample, sizeof(tb->sample), "stale %s/%u", a, k.plen);
		}
	}
}

/* One comparison of the kernel's table and the tries; @tb is filled. */
static int verify_once(struct table *tb)
{
	struct diff *diffs = tb->diffs;
	bool watch = tb->watch;

	free(tb->all.s);
	memset(tb, 0, sizeof(*tb));
	tb->diffs = diffs;
	tb->watch = watch;
	if (!set_init(&tb->all, 1 << 23))
		return -1;
	if (dump(AF_INET, tb) || dump(AF_INET6, tb))
		return -1;
	extras(tb);
	return 0;
}

static void print_table(const char *name, const struct table *tb, __u64 t0, __u64 t1)
{
	printf("\"%s\": {\"routes\": %llu, \"missing\": %llu, \"stale\": %llu, "
	       "\"trie_entries\": %llu, \"first_difference\": \"%s\", \"seconds\": %.3f}",
	       name, tb->routes, tb->missing, tb->extra, tb->entries, tb->sample,
	       (double)(t1 - t0) / 1e9);
}

static int verify(void)
{
	struct table tb = {};
	__u64 t0 = now_ns(), t1;

	if (verify_once(&tb)) {
		perror("maplat: route dump");
		return 2;
	}
	t1 = now_ns();
	printf("{");
	print_table("verify", &tb, t0, t1);
	printf("}\n");
	return tb.missing || tb.extra ? 1 : 0;
}

/* ---- converge --------------------------------------------------------------------------------- */

struct conv {
	long long have4, have6;	/* routes of --proto added less deleted */
	struct key last;
	bool last_want;
	__u64 t_last;
};

static void conv_event(const struct nlmsghdr *nlh, const struct nlroute *r, __u64 t, void *d)
{
	struct conv *c = d;
	long long *have = r->k.family == AF_INET ? &c->have4 : &c->have6;

	if (!followed(r))
		return;
	if (nlh->nlmsg_type == RTM_DELROUTE)
		(*have)--;
	else if (!(nlh->nlmsg_flags & NLM_F_REPLACE))
		(*have)++;
	c->last = r->k;
	c->last_want = nlh->nlmsg_type == RTM_NEWROUTE;
	c->t_last = t;
}

static int converge(long long n4, long long n6, double timeout, unsigned int interval_us)
{
	struct mnl_socket *nl = nl_open(RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE);
	__u64 t0 = now_ns(), end = t0 + (__u64)(timeout * 1e9), t_full, t_last_map, t_done, tv;
	unsigned long long first_missing = 0, first_stale = 0;
	char first_sample[sizeof(((struct table *)0)->sample)] = "";
	struct table tb = { .watch = true };
	struct conv c = {};
	int passes = 0, in;

	fprintf(stderr, "maplat: listening\n");
	while (c.have4 < n4 || c.have6 < n6) {
		if (now_ns() > end) {
			printf("{\"error\": \"the kernel got %lld of %lld IPv4 and %lld of %lld IPv6 "
			       "routes in %.0f s\", \"enobufs\": %llu}\n", c.have4, n4, c.have6, n6,
			       timeout, enobufs);
			return 1;
		}
		nl_drain(nl, 100, conv_event, &c);
	}
	t_full = c.t_last;
	/* the trie holding the last prefix the kernel got: most of the table is there then */
	while ((in = in_maps(&c.last)) != c.last_want) {
		if (in < 0 || now_ns() > end)
			break;
		usleep(interval_us);
	}
	t_last_map = t_done = now_ns();
	mnl_socket_close(nl);
	/*
	 * Complete is when the last route a pass found different matched (each is looked at
	 * again while the pass goes on), once a pass finds nothing more. A pass takes seconds:
	 * timed by the end of the pass that found the maps equal, the lag would hold one.
	 */
	for (;;) {
		passes++;
		if (verify_once(&tb))
			return 2;
		while (tb.ndiffs && now_ns() < end) {
			usleep(interval_us);
			diffs_look(&tb);
		}
		tv = now_ns();
		if (passes == 1) {
			first_missing = tb.missing;
			first_stale = tb.extra;
			memcpy(first_sample, tb.sample, sizeof(first_sample));
		}
		if (tb.t_settled > t_done)
			t_done = tb.t_settled;
		if ((!tb.missing && !tb.extra) || tv >= end)
			break;
	}
	printf("{\"kernel_full\": %.6f, \"trie_last\": %.6f, \"complete\": %.6f, "
	       "\"lag_s\": %.3f, \"verify_passes\": %d, \"first_pass_missing\": %llu, "
	       "\"first_pass_stale\": %llu, \"first_pass_difference\": \"%s\", "
	       "\"enobufs\": %llu, ",
	       (double)t_full / 1e9, (double)t_last_map / 1e9, (double)t_done / 1e9,
	       (double)(t_done - t_full) / 1e9, passes, first_missing, first_stale, first_sample,
	       enobufs);
	print_table("verify", &tb, t_last_map, tv);
	printf("}\n");
	return tb.missing || tb.extra || tb.ndiffs ? 1 : 0;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "time", required_argument, NULL, 't' },
		{ "interval", required_argument, NULL, 'i' },
		{ "proto", required_argument, NULL, 'p' },
		{ "n4", required_argument, NULL, '4' },
		{ "n6", required_argument, NULL, '6' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "log", required_argument, NULL, 'l' },
		{}
	};
	double secs = 10, timeout = 300;
	unsigned int interval = 200;
	long long n4 = 0, n6 = 0;
	const char *cmd;
	int c;

	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 't':
			secs = strtod(optarg, NULL);
			break;
		case 'i':
			interval = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'p':
			proto = !strcmp(optarg, "any") ? -1 : !strcmp(optarg, "bird") ? RTPROT_BIRD :
				atoi(optarg);
			break;
		case '4':
			n4 = atoll(optarg);
			break;
		case '6':
			n6 = atoll(optarg);
			break;
		case 'T':
			timeout = strtod(optarg, NULL);
			break;
		case 'l':
			lat_log = fopen(optarg, "w");
			if (!lat_log) {
				perror(optarg);
				return 2;
			}
			break;
		default:
			goto usage;
		}
	}
	if (optind != argc - 1)
		goto usage;
	cmd = argv[optind];
	fd4 = open_map(IPXR_MAP_ROUTE4);
	fd6 = open_map(IPXR_MAP_ROUTE6);
	if (fd4 < 0 || fd6 < 0)
		return 2;
	if (!strcmp(cmd, "churn"))
		return churn(secs, interval);
	if (!strcmp(cmd, "converge"))
		return converge(n4, n6, timeout, interval);
	if (!strcmp(cmd, "verify"))
		return verify();
usage:
	fprintf(stderr, "Usage: maplat [--proto bird|any|N] [--interval US] [--log FILE] churn --time SECS\n"
		"       maplat [--proto P] [--timeout SECS] converge --n4 N --n6 N\n"
		"       maplat [--proto P] verify\n");
	return 2;
}
