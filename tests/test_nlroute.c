// SPDX-License-Identifier: GPL-2.0
/*
 * ipxr's kernel-route calls (nlroute.c) against the real kernel, in a network namespace of the
 * process's own (unshare: it goes away with the process): routes written by nl_route_write()
 * read back by ip, routes written by ip decoded by nl_route_parse() (dumps and lookups), and
 * nl_route_exact() choosing as the kernel does (metrics, a longer prefix inside, reject types,
 * other tables, IPv6, multipath). Needs root.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <linux/rtnetlink.h>

#include "kroute.h"
#include "netlink.h"
#include "tap.h"
#include "utils.h"

static struct inet_prefix P(const char *s)
{
	struct inet_prefix p;

	if (get_prefix(s, AF_UNSPEC, &p, false)) {
		fprintf(stderr, "bad prefix %s\n", s);
		exit(2);
	}
	return p;
}

static int exact(const char *s, __u32 table, struct kroute *r)
{
	struct inet_prefix p = P(s);

	return nl_route_exact(&p, table, r);
}

static bool sh(const char *cmd)
{
	return system(cmd) == 0;
}

/* ip's one-line view of exactly @prefix in @table, for comparing with what ipxr wrote */
static bool ip_shows(const char *args, const char *want)
{
	char cmd[256], line[512] = "";
	FILE *p;

	snprintf(cmd, sizeof(cmd), "ip route show %s", args);
	if (args[0] == '-')
		snprintf(cmd, sizeof(cmd), "ip %.2s route show %s", args, args + 3);
	p = popen(cmd, "r");
	if (!p)
		return false;
	if (!fgets(line, sizeof(line), p))
		line[0] = 0;
	pclose(p);
	line[strcspn(line, "\n")] = 0;
	while (*line && line[strlen(line) - 1] == ' ')
		line[strlen(line) - 1] = 0;
	if (strcmp(line, want))
		printf("# ip route show %s: \"%s\", expected \"%s\"\n", args, line, want);
	return strcmp(line, want) == 0;
}

static int count_cb(const struct kroute *r, void *data)
{
	(void)r;
	(*(int *)data)++;
	return 0;
}

static int stop_cb(const struct kroute *r, void *data)
{
	(void)r;
	(void)data;
	return 42;
}

static int ip_count(const char *args)
{
	char cmd[256];
	int n = -1;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "ip %s | wc -l", args);
	p = popen(cmd, "r");
	if (p && fscanf(p, "%d", &n) != 1)
		n = -1;
	if (p)
		pclose(p);
	return n;
}

int main(void)
{
	struct kroute w = {}, r;
	int a, n, err;

	if (unshare(CLONE_NEWNET)) {
		printf("not ok - a network namespace of its own: %s (needs root)\n", strerror(errno));
		return 1;
	}
	if (!sh("ip link add ta type veth peer name tb && ip link set ta up && ip link set tb up "
		"&& ip addr add 10.1.0.1/24 dev ta && ip -6 addr add 2001:db8:f::1/64 dev ta "
		"nodad")) {
		printf("not ok - set up veth ta/tb\n");
		return 1;
	}
	a = if_nametoindex("ta");

	/* a route as ipxr writes one: proto ipxr, metric, mtu lock */
	w.dst = P("10.9.0.0/24");
	w.table = RT_TABLE_MAIN;
	w.type = RTN_UNICAST;
	w.protocol = RTPROT_IPXR;
	w.scope = RT_SCOPE_LINK;
	w.priority = 10;
	w.oif = a;
	w.mtu = 1300;
	w.mtu_lock = true;
	err = nl_route_write(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, &w);
	check(err == 0, "write: add 10.9.0.0/24 dev ta proto 105 metric 10 mtu lock 1300 (%d)", err);
	check(ip_shows("exact 10.9.0.0/24",
		       "10.9.0.0/24 dev ta proto 105 scope link metric 10 mtu lock 1300"),
	      "write: ip shows what was written");
	err = nl_route_write(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, &w);
	check(err == -EEXIST, "write: the same add again is EEXIST (%d)", err);

	err = nl_route_exact(&w.dst, RT_TABLE_MAIN, &r);
	check(err == 1 && r.oif == a && r.priority == 10 && r.mtu == 1300 && r.mtu_lock &&
	      r.protocol == RTPROT_IPXR && r.scope == RT_SCOPE_LINK && !r.has_gw &&
	      r.type == RTN_UNICAST && r.table == RT_TABLE_MAIN && r.dst.bitlen == 24,
	      "exact: the route written, every field decoded (%d)", err);

	/* a second route to the prefix with a lower metric is the kernel's choice */
	sh("ip route add 10.9.0.0/24 via 10.1.0.2 dev ta metric 5 proto static");
	err = nl_route_exact(&w.dst, RT_TABLE_MAIN, &r);
	check(err == 1 && r.priority == 5 && r.has_gw && r.gw.family == AF_INET &&
	      r.protocol == RTPROT_STATIC && r.mtu == 0,
	      "exact: of two metrics, the kernel's (lower) one, with its gateway");

	/* a longer prefix inside answers the lookup: the dump says what the /24 has */
	sh("ip route add 10.9.0.0/25 dev ta");
	err = nl_route_exact(&w.dst, RT_TABLE_MAIN, &r);
	check(err == 1 && r.dst.bitlen == 24 && r.priority == 5,
	      "exact: a longer prefix inside does not hide the /24 (%d, /%u)", err, r.dst.bitlen);

	/* reject types fail the lookup; the dump finds them */
	sh("ip route add unreachable 10.8.0.0/16 && ip route add prohibit 10.8.1.0/24 && "
	   "ip route add blackhole 10.8.2.0/24");
	err = exact("10.8.0.0/16", RT_TABLE_MAIN, &r);
	check(err == 1 && r.type == RTN_UNREACHABLE, "exact: unreachable (%d)", err);
	err = exact("10.8.1.0/24", RT_TABLE_MAIN, &r);
	check(err == 1 && r.type == RTN_PROHIBIT, "exact: prohibit (%d)", err);
	err = exact("10.8.2.0/24", RT_TABLE_MAIN, &r);
	check(err == 1 && r.type == RTN_BLACKHOLE, "exact: blackhole (%d)", err);
	/*
	 * A throw in main makes the lookup fail as "no route" does (nl_route_exact's documented
	 * limit); in a table the rules do not look at, the dump finds it.
	 */
	sh("ip route add throw 10.8.3.0/24 table 100");
	err = exact("10.8.3.0/24", 100, &r);
	check(err == 1 && r.type == RTN_THROW && r.table == 100, "exact: throw in table 100 (%d)",
	      err);

	/* nothing for the prefix: a covering route answers, or none at all */
	err = exact("10.9.0.128/26", RT_TABLE_MAIN, &r);
	check(err == 0, "exact: a prefix only covered by another has no route (%d)", err);
	err = exact("10.7.0.0/16", RT_TABLE_MAIN, &r);
	check(err == 0, "exact: a prefix nothing routes has no route (%d)", err);
	/* the connected route: the lookup of 10.1.0.0 must not stop at a local-table entry */
	err = exact("10.1.0.0/24", RT_TABLE_MAIN, &r);
	check(err == 1 && r.protocol == RTPROT_KERNEL && r.has_prefsrc && r.oif == a &&
	      r.scope == RT_SCOPE_LINK, "exact: the connected route, with its src (%d)", err);

	/* another table: the rules never look there, the dump does */
	sh("ip route add 10.9.0.0/24 dev ta table 100 metric 7");
	err = nl_route_exact(&w.dst, 100, &r);
	check(err == 1 && r.table == 100 && r.priority == 7, "exact: table 100 (%d)", err);
	err = exact("10.1.0.0/24", 100, &r);
	check(err == 0, "exact: table 100 has no connected route (%d)", err);
	w.table = 1000;
	w.priority = 0;
	err = nl_route_write(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, &w);
	check(err == 0 && ip_shows("table 1000",
				   "10.9.0.0/24 dev ta proto 105 scope link mtu lock 1300"),
	      "write: a table past 255 goes in RTA_TABLE (%d)", err);
	w.table = RT_TABLE_MAIN;

	/* multipath and nexthop objects are decoded as such (the fast path leaves them) */
	sh("ip route add 10.6.0.0/24 nexthop via 10.1.0.2 dev ta nexthop via 10.1.0.3 dev ta");
	err = exact("10.6.0.0/24", RT_TABLE_MAIN, &r);
	check(err == 1 && r.multipath && !r.oif && !r.has_gw, "exact: multipath (%d)", err);
	sh("ip route add 10.6.1.0/24 nexthop via 10.1.0.2 dev ta");
	err = exact("10.6.1.0/24", RT_TABLE_MAIN, &r);
	check(err == 1 && !r.multipath && r.oif == a && r.has_gw,
	      "exact: a one-hop nexthop list is a plain route (%d)", err);
	if (sh("ip nexthop add id 7 via 10.1.0.2 dev ta 2>/dev/null && "
	       "ip route add 10.6.2.0/24 nhid 7")) {
		err = exact("10.6.2.0/24", RT_TABLE_MAIN, &r);
		check(err == 1 && r.nhid == 7, "exact: a nexthop object's id (%d)", err);
	}

	/* IPv6, with a link-local gateway and a preference */
	sh("ip -6 route add 2001:db8:1::/64 via fe80::1 dev ta metric 100 pref high");
	err = exact("2001:db8:1::/64", RT_TABLE_MAIN, &r);
	check(err == 1 && r.has_gw && r.gw.family == AF_INET6 && r.gw.addr[0] == 0xfe &&
	      r.priority == 100 && r.has_pref && r.pref == 1 && r.oif == a,
	      "exact: IPv6 via fe80::1 metric 100 pref high (%d)", err);
	/* the connected /64's first address is an anycast address of the local table */
	err = exact("2001:db8:f::/64", RT_TABLE_MAIN, &r);
	check(err == 1 && r.protocol == RTPROT_KERNEL && r.oif == a,
	      "exact: IPv6 connected route past the local anycast entry (%d)", err);
	/* lookups alone: past the router's own addresses, past longer prefixes, blind to a cover */
	{
		struct inet_prefix p6 = P("2001:db8:f::/64"), p4 = P("10.9.0.0/24"),
				   agg = P("10.5.0.0/16");

		err = nl_route_lookup_exact(&p6, RT_TABLE_MAIN, &r);
		check(err == 1 && r.protocol == RTPROT_KERNEL,
		      "lookups: IPv6 connected /64 past its anycast and local addresses (%d)", err);
		err = nl_route_lookup_exact(&p4, RT_TABLE_MAIN, &r);
		check(err == 1 && r.dst.bitlen == 24, "lookups: past a /25 inside (%d)", err);
		sh("ip route add 10.5.0.0/16 dev ta metric 9 && ip route add 10.5.0.0/17 dev ta && "
		   "ip route add 10.5.128.0/17 dev ta");
		err = nl_route_lookup_exact(&agg, RT_TABLE_MAIN, &r);
		check(err == -EAGAIN, "lookups: an aggregate its longer prefixes cover is -EAGAIN "
		      "(%d)", err);
		err = nl_route_exact(&agg, RT_TABLE_MAIN, &r);
		check(err == 1 && r.priority == 9, "exact: the aggregate, by the dump (%d)", err);
	}
	w.dst = P("2001:db8:2::/48");
	w.priority = 0;
	w.scope = RT_SCOPE_UNIVERSE;
	w.has_gw = true;
	w.gw = P("2001:db8:f::2");
	w.mtu = 1280;
	w.mtu_lock = false;
	w.has_pref = true;
	w.pref = 3;	/* low */
	err = nl_route_write(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, &w);
	check(err == 0 && ip_shows("-6 exact 2001:db8:2::/48",
				   "2001:db8:2::/48 via 2001:db8:f::2 dev ta proto 105 metric 1024 "
				   "mtu 1280 pref low"),
	      "write: IPv6 via, mtu, pref (%d)", err);

	/* dumps: every route of a family and table, stopping, and deletes */
	n = 0;
	err = nl_route_dump(AF_INET, RT_TABLE_MAIN, count_cb, &n);
	check(err == 0 && n == ip_count("-4 -o route show table main"),
	      "dump: every IPv4 route of main (%d, %d)", err, n);
	n = 0;
	err = nl_route_dump(AF_UNSPEC, 0, count_cb, &n);
	check(err == 0 && n > ip_count("-4 -o route show table main"), "dump: both families, all "
	      "tables (%d)", n);
	err = nl_route_dump(AF_INET, 0, stop_cb, NULL);
	check(err == 42, "dump: a callback's non-zero return stops it (%d)", err);
	err = exact("10.9.0.0/24", RT_TABLE_MAIN, &r);
	check(err == 1, "dump: the socket serves a request after a stopped dump (%d)", err);

	memset(&w, 0, sizeof(w));
	w.dst = P("10.9.0.0/24");
	w.table = RT_TABLE_MAIN;
	w.scope = RT_SCOPE_NOWHERE;
	w.priority = 5;
	err = nl_route_write(RTM_DELROUTE, 0, &w);
	check(err == 0 && ip_shows("exact 10.9.0.0/24",
				   "10.9.0.0/24 dev ta proto 105 scope link metric 10 mtu lock 1300"),
	      "write: delete by metric as ip route del does (%d)", err);
	err = nl_route_write(RTM_DELROUTE, 0, &w);
	check(err == -ESRCH, "write: deleting it again is ESRCH (%d)", err);

	nl_close();
	printf("# %d passed, %d failed\n", n_ok, n_fail);
	return n_fail ? 1 : 0;
}
