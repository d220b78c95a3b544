// SPDX-License-Identifier: GPL-2.0
/*
 * compile.c, the one path from a kernel route to the maps, on real maps and real kernel routes:
 * in network and mount namespaces of the process's own (they go away with it), a veth pair runs
 * the XDP object (pinned in a private bpffs), the kernel gets routes from ip, and each kernel
 * route as nl_route_exact() gives it is compiled; the trie entry, the front-table word and the
 * next-hop references are checked, and compile_lookup() gives the route back. Needs root.
 *
 * Usage: tests/test_compile [OBJECT]  (default bpf/xdp_router.o)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/mount.h>
#include <bpf/bpf.h>
#include <linux/rtnetlink.h>

#include "compile.h"
#include "group.h"
#include "lpm.h"
#include "maps.h"
#include "netlink.h"
#include "nexthop.h"
#include "tap.h"

static char dir[] = "/tmp/ipxr-test-compile.XXXXXX";

static struct inet_prefix P(const char *s)
{
	struct inet_prefix p;

	if (get_prefix(s, AF_UNSPEC, &p, false)) {
		fprintf(stderr, "bad prefix %s\n", s);
		exit(2);
	}
	return p;
}

static bool sh(const char *cmd)
{
	return system(cmd) == 0;
}

/* What the kernel uses for @s, compiled: the CLI's path after a write */
static int compile_kernel(const char *s)
{
	struct inet_prefix p = P(s);
	struct kroute r;
	int ret = nl_route_exact(&p, RT_TABLE_MAIN, &r);

	if (ret < 0)
		return ret;
	return ret ? compile_route(&r) : compile_remove(&p);
}

static bool entry(const char *s, struct ipxr_route *val)
{
	struct inet_prefix p = P(s);
	const struct ipxr_family *f = family_get(p.family);
	struct route_key key = { .prefixlen = p.bitlen };

	memcpy(key.addr, p.addr, af_bytes(p.family));
	return route_lookup_exact(f, &key, val) == 1;
}

/* The front structure's leaf for the IPv4 address @a, read from the pinned pool */
static __u32 front_word(const char *a)
{
	in_addr_t addr = inet_addr(a);
	struct lpm l;
	__u32 w = IPXR_LPM_GROUP;	/* none: not what any check below wants */

	if (lpm_open(&l, AF_INET, map_fd(MAP_LPM), map_fd(MAP_ROUTE4)) == 0 && l.w)
		w = lpm_leaf(&l, (const __u8 *)&addr);
	lpm_close(&l);
	return w;
}

static bool leaf_is(__u32 w, __u8 type)
{
	return !(w & (IPXR_LPM_GROUP | IPXR_LPM_TRIE)) && lpm_leaf_type(w) == type;
}

int main(int argc, char **argv)
{
	const char *obj = argc > 1 ? argv[1] : "bpf/xdp_router.o";
	const struct ipxr_nexthop *nh;
	struct ipxr_route v, v2;
	struct kroute r;
	char cmd[512];
	__u32 nh1, w;
	int ta, err;

	if (unshare(CLONE_NEWNET | CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE,
							 NULL)) {
		printf("not ok - namespaces of its own: %s (needs root)\n", strerror(errno));
		return 1;
	}
	if (!mkdtemp(dir) || mount("bpffs", dir, "bpf", 0, NULL)) {
		printf("not ok - a private bpffs: %s\n", strerror(errno));
		return 1;
	}
	setenv("TC_BPF_MNT", dir, 1);
	snprintf(cmd, sizeof(cmd),
		 "ip link add ta type veth peer name tb && ip link set ta up && ip link set tb up "
		 "&& ip addr add 10.1.0.1/24 dev ta && ip -6 addr add 2001:db8:f::1/64 dev ta nodad "
		 "&& sysctl -qw net.ipv4.conf.all.forwarding=1 && "
		 "ip link set dev ta xdpdrv obj %s sec xdp_router", obj);
	if (!check(sh(cmd), "set up: veth ta/tb, the object on ta"))
		goto out;
	ta = if_nametoindex("ta");
	if (!check(compile_begin() == 0, "compile_begin: maps open for writing"))
		goto out;
	check(compile_table() == RT_TABLE_MAIN, "compile_table: main by default");

	/* unicast via a gateway, with metric, proto and a route MTU */
	sh("ip route add 10.9.0.0/24 via 10.1.0.2 dev ta proto 105 metric 10 mtu lock 1300");
	err = compile_kernel("10.9.0.0/24");
	check(err == 0 && entry("10.9.0.0/24", &v) && v.type == IPXR_RT_UNICAST &&
	      v.rtn_type == RTN_UNICAST && v.protocol == 105 && v.priority == 10 &&
	      v.table == RT_TABLE_MAIN && v.mtu == 1300 && (v.flags & IPXR_RT_F_MTU_LOCK) &&
	      v.scope == RT_SCOPE_UNIVERSE && v.prefixlen == 24,
	      "unicast via: trie entry with proto, metric, table, mtu lock (%d)", err);
	nh1 = v.nh_id;
	nh = nh_get(nh1);
	check(nh && nh->ifindex == (__u32)ta && nh->family == AF_INET && nh->refcnt == 1 &&
	      nh->gw[0] == 10 && nh->gw[3] == 2, "unicast via: its next hop, one reference");

	/* a second prefix through the same gateway shares the next hop */
	sh("ip route add 10.10.0.0/16 via 10.1.0.2 dev ta");
	err = compile_kernel("10.10.0.0/16");
	check(err == 0 && entry("10.10.0.0/16", &v2) && v2.nh_id == nh1 && nh_get(nh1)->refcnt == 2,
	      "shared next hop: two references (%d)", err);

	/* the connected route, as the kernel made it */
	err = compile_kernel("10.1.0.0/24");
	check(err == 0 && entry("10.1.0.0/24", &v) && v.type == IPXR_RT_UNICAST &&
	      v.protocol == RTPROT_KERNEL && v.scope == RT_SCOPE_LINK && nh_get(v.nh_id) &&
	      (nh_get(v.nh_id)->flags & IPXR_NH_F_CONNECTED), "connected route: a connected next hop");

	/* a lower metric takes over: the kernel's choice replaces the entry and its reference */
	sh("ip route add 10.9.0.0/24 dev ta metric 5");
	err = compile_kernel("10.9.0.0/24");
	check(err == 0 && entry("10.9.0.0/24", &v) && v.priority == 5 && v.mtu == 0 &&
	      v.nh_id != nh1 && nh_get(nh1)->refcnt == 1,
	      "lower metric: compiled instead, old reference released (%d)", err);
	sh("ip route del 10.9.0.0/24 dev ta metric 5");
	err = compile_kernel("10.9.0.0/24");
	check(err == 0 && entry("10.9.0.0/24", &v) && v.priority == 10 && v.nh_id == nh1,
	      "its delete: the metric 10 route again (%d)", err);

	/* the kernel's kinds */
	sh("ip route add blackhole 10.66.0.0/16 && ip route add unreachable 10.67.0.0/16 && "
	   "ip route add prohibit 10.68.0.0/16 && ip route add 10.69.0.0/16 nexthop via 10.1.0.2 "
	   "nexthop via 10.1.0.3");
	check(compile_kernel("10.66.0.0/16") == 0 && entry("10.66.0.0/16", &v) &&
	      v.type == IPXR_RT_BLACKHOLE && v.rtn_type == RTN_BLACKHOLE && !v.nh_id,
	      "blackhole: dropped in XDP");
	check(compile_kernel("10.67.0.0/16") == 0 && entry("10.67.0.0/16", &v) &&
	      v.type == IPXR_RT_KERNEL && v.rtn_type == RTN_UNREACHABLE,
	      "unreachable: handed to the kernel");
	check(compile_kernel("10.68.0.0/16") == 0 && entry("10.68.0.0/16", &v) &&
	      v.type == IPXR_RT_KERNEL && v.rtn_type == RTN_PROHIBIT, "prohibit: handed to the kernel");
	check(compile_kernel("10.69.0.0/16") == 0 && entry("10.69.0.0/16", &v) &&
	      v.type == IPXR_RT_MULTIPATH && v.rtn_type == RTN_UNICAST && grp_get(v.nh_id) &&
	      grp_get(v.nh_id)->count == 2 && grp_get(v.nh_id)->member[0].nh_id == nh1 &&
	      grp_get(v.nh_id)->member[1].weight == 1 && nh_get(nh1)->refcnt == 3,
	      "multipath: a group of its two next hops, holding a reference on each");
	{
		__u32 grp = v.nh_id, other = grp_get(grp)->member[1].nh_id;

		sh("ip route add 10.70.0.0/16 nexthop via 10.1.0.2 nexthop via 10.1.0.3");
		check(compile_kernel("10.70.0.0/16") == 0 && entry("10.70.0.0/16", &v) &&
		      v.nh_id == grp && grp_get(grp)->refcnt == 2 && nh_get(nh1)->refcnt == 3,
		      "multipath: a route with the same next hops shares the group");
		sh("ip route del 10.69.0.0/16 && ip route del 10.70.0.0/16");
		check(compile_kernel("10.69.0.0/16") == 0 && compile_kernel("10.70.0.0/16") == 0 &&
		      !entry("10.69.0.0/16", &v) && compile_commit() == 0 && !grp_get(grp) &&
		      nh_get(nh1)->refcnt == 2 && !nh_get(other),
		      "multipath routes removed: the group freed, its references released");
	}

	/* compile_lookup gives back what the maps keep */
	err = compile_lookup(&(struct inet_prefix){ .family = AF_INET, .bitlen = 24,
						    .addr = { 10, 9, 0, 0 } }, &r);
	check(err == 1 && r.type == RTN_UNICAST && r.protocol == 105 && r.priority == 10 &&
	      r.oif == ta && r.has_gw && r.gw.addr[3] == 2 && r.mtu == 1300 && r.mtu_lock &&
	      r.table == RT_TABLE_MAIN, "compile_lookup: the route back as a kroute (%d)", err);
	err = compile_lookup(&(struct inet_prefix){ .family = AF_INET, .bitlen = 32,
						    .addr = { 10, 1, 0, 1 } }, &r);
	check(err == 1 && r.type == RTN_LOCAL && r.table == RT_TABLE_LOCAL && r.oif == ta,
	      "compile_lookup: a LOCAL copy is the local table's (%d)", err);

	/* gone from the kernel: removed, its reference released; LOCAL copies stay */
	sh("ip route del 10.10.0.0/16");
	err = compile_kernel("10.10.0.0/16");
	check(err == 0 && !entry("10.10.0.0/16", &v) && nh_get(nh1)->refcnt == 1,
	      "removed: entry gone, reference released (%d)", err);
	check(compile_remove(&(struct inet_prefix){ .family = AF_INET, .bitlen = 32,
						    .addr = { 10, 1, 0, 1 } }) == 0 &&
	      entry("10.1.0.1/32", &v) && v.type == IPXR_RT_LOCAL,
	      "compile_remove leaves the LOCAL copy of an address");
	sh("ip route add 10.1.0.1/32 dev ta metric 3");
	check(compile_kernel("10.1.0.1/32") == 0 && entry("10.1.0.1/32", &v) &&
	      v.type == IPXR_RT_LOCAL, "a kernel host route to an address: the LOCAL copy stays");

	/* IPv6: a link-local gateway gets its stand-in, the route its metric and pref */
	sh("ip -6 route add 2001:db8:1::/48 via fe80::2 dev ta metric 100");
	err = compile_kernel("2001:db8:1::/48");
	check(err == 0 && entry("2001:db8:1::/48", &v) && v.type == IPXR_RT_UNICAST &&
	      v.priority == 100 && nh_get(v.nh_id) &&
	      (nh_get(v.nh_id)->flags & IPXR_NH_F_STANDIN), "IPv6 via fe80::2: stand-in next hop");
	sh("ip -6 route add unreachable 2001:db8:2::/48");
	check(compile_kernel("2001:db8:2::/48") == 0 && entry("2001:db8:2::/48", &v) &&
	      v.type == IPXR_RT_KERNEL && v.rtn_type == RTN_UNREACHABLE, "IPv6 unreachable");

	/* the counts written back are what the routes hold */
	check(compile_commit() == 0, "compile_commit");
	/* a count kept by hand that went wrong (a writer that died): recounted from the routes */
	{
		struct inet_prefix gw = P("10.1.0.2");
		__u32 leak, orphan;

		nh_acquire(ta, &gw, &leak);
		gw = P("10.1.0.77");
		nh_acquire(ta, &gw, &orphan);
		compile_commit();
		check(leak == nh1 && nh_get(nh1)->refcnt == 2 && nh_get(orphan),
		      "recount: premise, a leaked reference and an orphan next hop");
		check(compile_recount() == 0 && nh_get(nh1)->refcnt == 1 && !nh_get(orphan),
		      "recount: counts from the tries, the orphan freed");
	}
	{
		struct ipxr_nexthop m;

		check(bpf_map_lookup_elem(map_fd(MAP_NEXTHOP), &nh1, &m) == 0 && m.refcnt == 1,
		      "compile_commit: the map's count is the routes' (1)");
	}
	/*
	 * The front structure of a first writer is painted whole when it closes the maps (it was
	 * not in step before), then read as the program reads it.
	 */
	maps_close();
	if (maps_open(false) == 0) {
		w = front_word("10.9.0.1");
		check(!(w & IPXR_LPM_GROUP) && (w & IPXR_LPM_TRIE),
		      "front structure: a route with an MTU sends the program to the trie (%#x)", w);
		w = front_word("10.66.7.1");
		check(leaf_is(w, IPXR_RT_BLACKHOLE), "front structure: the blackhole painted (%#x)",
		      w);
		w = front_word("10.67.1.1");
		check(leaf_is(w, IPXR_RT_KERNEL), "front structure: the kernel's kind painted (%#x)",
		      w);
		w = front_word("10.10.7.1");
		check(leaf_is(w, IPXR_RT_UNSPEC), "front structure: no route where the /16 was (%#x)",
		      w);
	}
out:
	maps_close();
	nh_free_all();
	nl_close();
	umount2(dir, MNT_DETACH);
	rmdir(dir);
	printf("# %d passed, %d failed\n", n_ok, n_fail);
	return n_fail ? 1 : 0;
}
