// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of ipxr's parsers and printers: addresses and prefixes (with ip's leniencies),
 * host bits, "default", command abbreviations and ambiguity, duplicate keywords, the JSON
 * writer's escaping and layout. One "ok - label" / "not ok - label" line per check.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/icmpv6.h>
#include <linux/rtnetlink.h>

#include "json_print.h"
#include "kroute.h"
#include "nexthop.h"
#include "route.h"
#include "utils.h"

static int failed, passed;

static void check(int cond, const char *label)
{
	printf("%s - %s\n", cond ? "ok" : "not ok", label);
	if (cond)
		passed++;
	else
		failed++;
}

static __be32 A(const char *s)
{
	__be32 a;

	inet_pton(AF_INET, s, &a);
	return a;
}

static bool v4_is(const struct inet_prefix *p, const char *addr, unsigned int plen)
{
	__be32 a = A(addr);

	return p->family == AF_INET && p->bitlen == plen && memcmp(p->addr, &a, 4) == 0;
}

static bool v6_is(const struct inet_prefix *p, const char *addr, unsigned int plen)
{
	__u8 a[16];

	inet_pton(AF_INET6, addr, a);
	return p->family == AF_INET6 && p->bitlen == plen && memcmp(p->addr, a, 16) == 0;
}

static void test_addresses(void)
{
	struct inet_prefix p;
	__be32 a;

	check(get_ipv4("192.0.2.1", &a) == 0 && a == A("192.0.2.1"), "address: dotted quad");
	check(get_ipv4("10", &a) == 0 && a == A("10.0.0.0"), "address: short form 10 is 10.0.0.0");
	check(get_ipv4("10.1", &a) == 0 && a == A("10.1.0.0"), "address: short form 10.1");
	check(get_ipv4("172.16.5", &a) == 0 && a == A("172.16.5.0"), "address: short form a.b.c");
	check(get_ipv4("256.0.0.1", &a) < 0, "address: byte over 255 refused");
	check(get_ipv4("1.2.3.4.5", &a) < 0, "address: five parts refused");
	check(get_ipv4("1..2", &a) < 0, "address: empty part refused");
	check(get_ipv4("01.2.3.4", &a) < 0, "address: leading zero refused (octal doubt)");
	check(get_ipv4("", &a) < 0, "address: empty refused");
	check(get_ipv4("eth0", &a) < 0, "address: a name refused");
	check(get_ipv4("1.2.3.", &a) < 0, "address: trailing dot refused");
	check(get_ipv4("::1", &a) < 0, "address: IPv6 is not an IPv4 address");
	check(get_addr("192.0.2.1", AF_UNSPEC, &p) == 0 && v4_is(&p, "192.0.2.1", 32),
	      "address: IPv4 of either family, full length");
	check(get_addr("10.1", AF_INET, &p) == 0 && v4_is(&p, "10.1.0.0", 32),
	      "address: short IPv4 form with -4");
	check(get_addr("10.1.2.3", AF_INET6, &p) == -EAFNOSUPPORT,
	      "address: IPv4 refused with -6");
	check(parse_addr_arg("x.y", AF_UNSPEC, &p) == IPXR_EXIT_USAGE,
	      "address: bad one is a usage error");
}

/* IPv6: every form inet_pton reads, and what is not an address */
static void test_addresses6(void)
{
	static const struct {
		const char *in, *same_as;
	} good[] = {
		{ "2001:db8::1", "2001:db8:0:0:0:0:0:1" },
		{ "2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1" },
		{ "::", "0:0:0:0:0:0:0:0" },
		{ "::1", "0:0:0:0:0:0:0:1" },
		{ "1::", "1:0:0:0:0:0:0:0" },
		{ "fe80::1", "fe80:0:0:0:0:0:0:1" },
		{ "::ffff:192.0.2.1", "::ffff:c000:201" },
		{ "64:ff9b::192.0.2.1", "64:ff9b::c000:201" },
		{ "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8" },
		{ "1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304" },
		{ "FE80::ABCD", "fe80::abcd" },
	};
	static const char *const bad[] = {
		"1:2:3:4:5:6:7:8:9", "1::2::3", "12345::", ":1", "1:", "::g", "fe80::1%eth0",
		"::ffff:1.2.3", "::ffff:256.1.1.1", "1:2:3:4:5:6:7", ":::", "[::1]",
	};
	struct inet_prefix p;
	char label[128];
	unsigned int i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(label, sizeof(label), "address6: \"%s\" read as %s", good[i].in,
			 good[i].same_as);
		check(get_addr(good[i].in, AF_UNSPEC, &p) == 0 && v6_is(&p, good[i].same_as, 128),
		      label);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(label, sizeof(label), "address6: \"%s\" refused", bad[i]);
		check(get_addr(bad[i], AF_UNSPEC, &p) == -EINVAL, label);
	}
	check(get_addr("2001:db8::1", AF_INET, &p) == -EAFNOSUPPORT,
	      "address6: IPv6 refused with -4");
	check(get_addr("2001:db8::1", AF_INET6, &p) == 0, "address6: IPv6 taken with -6");
	check(parse_addr_arg("2001:db8::g", AF_UNSPEC, &p) == IPXR_EXIT_USAGE,
	      "address6: bad one is a usage error");
	check(addr_is_linklocal(AF_INET6, (get_addr("fe80::1", 0, &p), p.addr)) &&
	      addr_is_linklocal(AF_INET6, (get_addr("febf:ffff::1", 0, &p), p.addr)) &&
	      !addr_is_linklocal(AF_INET6, (get_addr("fec0::1", 0, &p), p.addr)) &&
	      !addr_is_linklocal(AF_INET6, (get_addr("2001:db8::1", 0, &p), p.addr)),
	      "address6: link-local is fe80::/10 exactly");
}

static void test_prefixes(void)
{
	struct inet_prefix p;

	check(get_prefix("10.0.0.0/24", AF_UNSPEC, &p, false) == 0 && v4_is(&p, "10.0.0.0", 24),
	      "prefix: 10.0.0.0/24");
	check(get_prefix("default", AF_UNSPEC, &p, false) == 0 && p.family == AF_UNSPEC &&
	      p.bitlen == 0, "prefix: default has no family of its own");
	check(get_prefix("default", AF_INET6, &p, false) == 0 && p.family == AF_INET6 &&
	      p.bitlen == 0, "prefix: default with -6 is ::/0");
	check(get_prefix("0.0.0.0/0", AF_UNSPEC, &p, false) == 0 && v4_is(&p, "0.0.0.0", 0),
	      "prefix: 0.0.0.0/0");
	check(get_prefix("192.0.2.7", AF_UNSPEC, &p, false) == 0 && v4_is(&p, "192.0.2.7", 32),
	      "prefix: no length is a /32");
	check(get_prefix("10/8", AF_UNSPEC, &p, false) == 0 && v4_is(&p, "10.0.0.0", 8),
	      "prefix: short form 10/8");
	check(get_prefix("10.0.0.0/255.255.255.0", AF_UNSPEC, &p, false) == 0 && p.bitlen == 24,
	      "prefix: netmask form");
	check(get_prefix("10.0.0.0/255.0.255.0", AF_UNSPEC, &p, false) < 0,
	      "prefix: non-contiguous netmask refused");
	check(get_prefix("10.0.0.5/24", AF_UNSPEC, &p, false) == -EDOM,
	      "prefix: host bits set refused");
	check(get_prefix("10.0.0.5/24", AF_UNSPEC, &p, true) == 0 && v4_is(&p, "10.0.0.0", 24),
	      "prefix: host bits masked when allowed");
	check(get_prefix("10.0.0.0/33", AF_UNSPEC, &p, false) < 0, "prefix: length 33 refused");
	check(get_prefix("10.0.0.0/-1", AF_UNSPEC, &p, false) < 0,
	      "prefix: negative length refused");
	check(get_prefix("10.0.0.0/", AF_UNSPEC, &p, false) < 0, "prefix: empty length refused");
	check(get_prefix("10.0.0.0/08", AF_UNSPEC, &p, false) < 0,
	      "prefix: length with leading zero refused");
	check(get_prefix("10.0.0.0/24x", AF_UNSPEC, &p, false) < 0,
	      "prefix: trailing garbage refused");
	check(get_prefix("1.2.3.4/32", AF_UNSPEC, &p, false) == 0 && p.bitlen == 32,
	      "prefix: /32");
	check(get_prefix("10.0.0.0/8", AF_INET6, &p, false) == -EAFNOSUPPORT,
	      "prefix: IPv4 refused with -6");
	check(parse_prefix_arg("10.0.0.5/24", AF_UNSPEC, &p) == IPXR_EXIT_USAGE,
	      "prefix: host bits are a usage error");
	check(parse_prefix_arg("nonsense", AF_UNSPEC, &p) == IPXR_EXIT_USAGE,
	      "prefix: garbage is a usage error");
	check(parse_prefix_arg("10.0.0.0/8", AF_INET6, &p) == IPXR_EXIT_USAGE,
	      "prefix: family mismatch is a usage error");
}

static void test_prefixes6(void)
{
	struct inet_prefix p;

	check(get_prefix("2001:db8::/32", AF_UNSPEC, &p, false) == 0 &&
	      v6_is(&p, "2001:db8::", 32), "prefix6: 2001:db8::/32");
	check(get_prefix("2001:DB8:0:0::/64", AF_INET6, &p, false) == 0 &&
	      v6_is(&p, "2001:db8::", 64), "prefix6: upper case, uncompressed");
	check(get_prefix("::/0", AF_UNSPEC, &p, false) == 0 && v6_is(&p, "::", 0),
	      "prefix6: ::/0");
	check(get_prefix("2001:db8::1", AF_UNSPEC, &p, false) == 0 && v6_is(&p, "2001:db8::1", 128),
	      "prefix6: no length is a /128");
	check(get_prefix("2001:db8::1/128", AF_UNSPEC, &p, false) == 0 && p.bitlen == 128,
	      "prefix6: /128");
	check(get_prefix("2001:db8::/129", AF_UNSPEC, &p, false) == -EINVAL,
	      "prefix6: length 129 refused");
	check(get_prefix("2001:db8::/ffff:ffff::", AF_UNSPEC, &p, false) == -EINVAL,
	      "prefix6: no netmask form");
	check(get_prefix("2001:db8::/255.255.0.0", AF_UNSPEC, &p, false) == -EINVAL,
	      "prefix6: no dotted netmask");
	check(get_prefix("2001:db8::1/64", AF_UNSPEC, &p, false) == -EDOM,
	      "prefix6: host bits set refused");
	check(get_prefix("2001:db8::1/64", AF_UNSPEC, &p, true) == 0 && v6_is(&p, "2001:db8::", 64),
	      "prefix6: host bits masked when allowed");
	check(get_prefix("2001:db8:0:1::/63", AF_UNSPEC, &p, false) == -EDOM,
	      "prefix6: host bit just past the length");
	check(get_prefix("2001:db8:0:1::/64", AF_UNSPEC, &p, false) == 0,
	      "prefix6: the last bit of the length is not a host bit");
	check(get_prefix("ff00::/8", AF_UNSPEC, &p, false) == 0 && get_prefix("fe80::/10",
	      AF_UNSPEC, &p, false) == 0 && get_prefix("fec0::/10", AF_UNSPEC, &p, false) == 0 &&
	      get_prefix("fe80::/9", AF_UNSPEC, &p, false) == 0 &&
	      get_prefix("fec0::/9", AF_UNSPEC, &p, false) == -EDOM,
	      "prefix6: lengths inside a byte (8, 9, 10)");
	check(get_prefix("2001:db8::/32", AF_INET, &p, false) == -EAFNOSUPPORT,
	      "prefix6: refused with -4");
	check(get_prefix("2001:db8::/", AF_UNSPEC, &p, false) < 0,
	      "prefix6: empty length refused");
	check(parse_prefix_arg("2001:db8::1/64", AF_UNSPEC, &p) == IPXR_EXIT_USAGE,
	      "prefix6: host bits are a usage error");
}

static const char *fmt_prefix(const char *in)
{
	static char buf[PREFIX_STRLEN];
	struct inet_prefix p;

	if (get_prefix(in, AF_UNSPEC, &p, false))
		return "(parse error)";
	return format_prefix(buf, sizeof(buf), &p);
}

static void test_format(void)
{
	struct inet_prefix outer, inner, p;
	char buf[PREFIX_STRLEN];

	check(strcmp(fmt_prefix("0.0.0.0/0"), "default") == 0, "format: 0/0 is default");
	get_prefix("default", AF_UNSPEC, &p, false);
	check(strcmp(format_prefix(buf, sizeof(buf), &p), "default") == 0,
	      "format: default of no family");
	check(strcmp(fmt_prefix("10.1.2.3/32"), "10.1.2.3") == 0,
	      "format: host route without /32");
	check(strcmp(fmt_prefix("10.1.0.0/16"), "10.1.0.0/16") == 0,
	      "format: prefix with length");
	check(strcmp(fmt_prefix("0.0.0.0/1"), "0.0.0.0/1") == 0,
	      "format: 0.0.0.0/1 is not default");
	get_prefix("10.0.0.0/8", AF_UNSPEC, &outer, false);
	get_prefix("10.1.0.0/16", AF_UNSPEC, &inner, false);
	check(prefix_contains(&outer, &inner) && !prefix_contains(&inner, &outer),
	      "prefix_contains: 10/8 holds 10.1/16, not the reverse");
	get_prefix("::/0", AF_UNSPEC, &outer, false);
	check(!prefix_contains(&outer, &inner), "prefix_contains: ::/0 holds no IPv4 prefix");
	get_prefix("2001:db8::/32", AF_UNSPEC, &outer, false);
	get_prefix("2001:db8:ffff::/48", AF_UNSPEC, &inner, false);
	check(prefix_contains(&outer, &inner) && !prefix_contains(&inner, &outer),
	      "prefix_contains: 2001:db8::/32 holds 2001:db8:ffff::/48, not the reverse");
	get_prefix("2001:db9::/48", AF_UNSPEC, &inner, false);
	check(!prefix_contains(&outer, &inner), "prefix_contains: 2001:db9::/48 is outside");
}

/* RFC 5952 output, and the same result for every input spelling of one address */
static void test_format6(void)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1" },	/* first of equal runs */
		{ "2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1" },	/* a lone 0 stays */
		{ "2001:0db8::0001", "2001:db8::1" },			/* no leading zeros */
		{ "2001:DB8::A:B", "2001:db8::a:b" },			/* lower case */
		{ "2001:db8:0:0:0:0:2:1", "2001:db8::2:1" },
		{ "2001:0:0:1:0:0:0:1", "2001:0:0:1::1" },		/* the longest run */
		{ "0:0:1:0:0:1:0:0", "::1:0:0:1:0:0" },
		{ "1:0:0:0:0:0:0:0", "1::" },
		{ "0:0:0:0:0:0:0:0", "::" },
		{ "0:0:0:0:0:0:0:1", "::1" },
		{ "1:2:3:4:5:6:7:0", "1:2:3:4:5:6:7:0" },
		{ "0:1:2:3:4:5:6:7", "0:1:2:3:4:5:6:7" },
		{ "::ffff:192.0.2.1", "::ffff:192.0.2.1" },		/* IPv4-mapped: dotted */
		{ "::FFFF:C000:0201", "::ffff:192.0.2.1" },
		{ "::ffff:0.0.0.0", "::ffff:0.0.0.0" },
		{ "::1:0", "::1:0" },		/* glibc: ::0.1.0.0 (IPv4-compatible) */
		{ "::1.2.3.4", "::102:304" },		/* deprecated IPv4-compatible: hex */
		{ "64:ff9b::192.0.2.1", "64:ff9b::c000:201" },
		{ "::ffff:0:1.2.3.4", "::ffff:0:102:304" },
		{ "fe80::1", "fe80::1" },
		{ "FFFF:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
		  "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff" },
	};
	char buf[INET6_ADDRSTRLEN], ref[INET6_ADDRSTRLEN], label[160];
	unsigned int i, j, differ = 0;
	__u8 a[16];

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		inet_pton(AF_INET6, cases[i].in, a);
		format_ipv6(buf, sizeof(buf), a);
		snprintf(label, sizeof(label), "RFC 5952: %s -> %s", cases[i].in, cases[i].out);
		check(strcmp(buf, cases[i].out) == 0, label);
	}
	check(strcmp(fmt_prefix("2001:DB8:0:0:0:0:0:1/128"), "2001:db8::1") == 0,
	      "format6: host route without /128, canonical");
	check(strcmp(fmt_prefix("2001:0DB8:0:0::/64"), "2001:db8::/64") == 0,
	      "format6: prefix with length, canonical");
	check(strcmp(fmt_prefix("::/0"), "default") == 0, "format6: ::/0 is default");
	check(strcmp(fmt_prefix("::/1"), "::/1") == 0, "format6: ::/1 is not default");

	/*
	 * Outside ::/96 (where glibc dots IPv4-compatible addresses) glibc's inet_ntop writes RFC
	 * 5952 too: compare on addresses with random runs of zero fields.
	 */
	srand(5952);
	for (i = 0; i < 20000; i++) {
		for (j = 0; j < 16; j += 2) {
			unsigned int r = rand();

			a[j] = r % 3 ? 0 : r >> 8;
			a[j + 1] = r % 3 ? 0 : r >> 16;
		}
		if (!memcmp(a, (const __u8[12]){ 0 }, 12) && (a[12] || a[13]))
			continue;
		format_ipv6(buf, sizeof(buf), a);
		inet_ntop(AF_INET6, a, ref, sizeof(ref));
		if (strcmp(buf, ref) && differ++ < 5)
			printf("# differs from glibc: %s vs %s\n", buf, ref);
	}
	check(differ == 0, "format6: as glibc's inet_ntop on 20000 addresses outside ::/96");
	check(strlen(format_ipv6(buf, sizeof(buf), (const __u8[16]){ 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff })) == 39 &&
	      strlen(format_ipv6(buf, sizeof(buf), (const __u8[16]){ [10] = 0xff, [11] = 0xff,
		[12] = 255, [13] = 255, [14] = 255, [15] = 255 })) == 22,
	      "format6: the longest forms fit INET6_ADDRSTRLEN");
	check(strcmp(format_ipv6(buf, 6, (const __u8[16]){ 0x20, 0x01, 0x0d, 0xb8, [15] = 1 }),
		     "2001:") == 0, "format6: a short buffer is truncated, not overrun");
}

static void test_standin(void)
{
	__u8 a[16];
	char buf[INET6_ADDRSTRLEN];

	nh_standin_addr(3, a);
	check(strcmp(format_ipv6(buf, sizeof(buf), a), "100::3") == 0,
	      "stand-in address of next hop 3 is 100::3");
	nh_standin_addr(65535, a);
	check(strcmp(format_ipv6(buf, sizeof(buf), a), "100::ffff") == 0,
	      "stand-in address of next hop 65535 is 100::ffff");
	check(a[0] == 0x01 && a[1] == 0 && a[12] == 0 && a[13] == 0 && a[14] == 0xff,
	      "stand-in: 0100:0000, zeros, the id in network order");
}

static int called;
static int f_one(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	called = 1;
	return 0;
}

static int f_two(int argc, char **argv)
{
	(void)argv;
	called = 2;
	return argc;
}

static const struct cmd tbl[] = {
	{ "show", f_one },
	{ "set", f_two },
	{ "list", f_one },
	{ "sh", f_two },	/* exact word beats the longer row it prefixes */
	{ NULL, NULL },
};

static void test_tables(void)
{
	char *args_lis[] = { "lis", NULL };
	char *args_sho[] = { "sho", "x", NULL };
	char *args_s[] = { "s", NULL };
	char *args_se[] = { "se", "a", "b", NULL };
	char *args_no[] = { "nope", NULL };
	char *args_sh[] = { "sh", NULL };
	bool amb;

	called = 0;
	check(cmd_dispatch(tbl, "command", f_two, 1, args_lis) == 0 && called == 1,
	      "dispatch: unique prefix lis runs list");
	called = 0;
	check(cmd_dispatch(tbl, "command", f_two, 2, args_sho) == 0 && called == 1,
	      "dispatch: sho runs show with the rest of argv");
	called = 0;
	check(cmd_dispatch(tbl, "command", f_two, 3, args_se) == 2 && called == 2,
	      "dispatch: se runs set and passes two arguments");
	called = 0;
	check(cmd_dispatch(tbl, "command", f_two, 1, args_s) == IPXR_EXIT_USAGE && called == 0,
	      "dispatch: ambiguous prefix s is a usage error");
	check(table_match(tbl, sizeof(*tbl), "s", &amb) == NULL && amb,
	      "table_match: s is ambiguous (show, set, sh)");
	called = 0;
	check(cmd_dispatch(tbl, "command", f_two, 1, args_no) == IPXR_EXIT_USAGE && called == 0,
	      "dispatch: unknown word is a usage error");
	called = 0;
	check(cmd_dispatch(tbl, "command", f_two, 1, args_sh) == 0 && called == 2,
	      "dispatch: exact word wins over an abbreviation");
	called = 0;
	check(cmd_dispatch(tbl, "command", f_two, 0, args_no) == 0 && called == 2,
	      "dispatch: no word runs the default");
	check(table_match(tbl, sizeof(*tbl), "", &amb) == NULL,
	      "table_match: empty word matches none");
}

static int parse(const char *line, bool selector, struct route_req *req)
{
	/* static: the parsed request keeps pointers into the words (dev names) */
	static char buf[256];
	char *argv[32];
	int argc;

	snprintf(buf, sizeof(buf), "%s", line);
	argc = split_args(buf, argv, 31);
	return route_parse(argc, argv, selector, req);
}

/* What ip route show prints and ip -b files hold (issue 13): every keyword, ip's meaning. */
static void test_route_grammar_ip(void)
{
	struct route_req r;

	check(parse("10.1.0.0/24 dev v1 proto kernel scope link src 10.1.0.1", false, &r) == 0 &&
	      r.has_proto && r.proto == RTPROT_KERNEL && r.has_scope &&
	      r.scope == RT_SCOPE_LINK && r.has_src && v4_is(&r.src, "10.1.0.1", 32),
	      "ip: connected route as ip prints it");
	check(parse("default via 10.0.0.1 dev eth0 proto static metric 100", false, &r) == 0 &&
	      r.proto == RTPROT_STATIC && r.has_metric && r.metric == 100 && r.dst.bitlen == 0,
	      "ip: default via, proto static metric 100");
	check(parse("blackhole 10.9.0.0/16", false, &r) == 0 && r.type == RTN_BLACKHOLE,
	      "ip: blackhole");
	check(parse("fe80::/64 dev v1 proto kernel metric 256 pref medium", false, &r) == 0 &&
	      r.family == AF_INET6 && r.metric == 256 && r.has_pref &&
	      r.pref == ICMPV6_ROUTER_PREF_MEDIUM, "ip: IPv6 with pref medium");
	check(parse("2001:db8::/32 via fe80::1 dev v1 pref high", false, &r) == 0 &&
	      r.pref == ICMPV6_ROUTER_PREF_HIGH, "ip: pref high");
	check(parse("10.0.0.0/8 dev v1 pref bogus", false, &r) == IPXR_EXIT_USAGE,
	      "ip: bad pref refused");
	check(parse("unreachable 10.2.0.0/16", false, &r) == 0 && r.type == RTN_UNREACHABLE &&
	      parse("prohibit 10.2.0.0/16", false, &r) == 0 && r.type == RTN_PROHIBIT &&
	      parse("throw 10.2.0.0/16", false, &r) == 0 && r.type == RTN_THROW,
	      "ip: unreachable, prohibit, throw");
	check(parse("local 10.2.0.1", false, &r) == IPXR_EXIT_USAGE,
	      "ip: local is no type word of a write");
	check(parse("10.2.0.0/16 via 10.0.0.1 metric 5 priority 6", false, &r) == IPXR_EXIT_USAGE,
	      "ip: metric and priority are one keyword (duplicate)");
	check(parse("10.2.0.0/16 via 10.0.0.1 preference 7", false, &r) == 0 && r.metric == 7,
	      "ip: preference is the metric");
	check(parse("10.2.0.0/16 via 10.0.0.1 onlink", false, &r) == 0 && r.onlink,
	      "ip: onlink");
	check(parse("10.2.0.0/16 dev v1 linkdown dead", false, &r) == 0,
	      "ip: linkdown and dead as ip prints them");
	check(parse("10.2.0.0/16 dev v1 mtu lock 1300", false, &r) == 0 && r.has_mtu &&
	      r.mtu == 1300 && r.mtu_lock, "ip: mtu lock 1300");
	check(parse("10.2.0.0/16 dev v1 mtu 1400", false, &r) == 0 && r.mtu == 1400 &&
	      !r.mtu_lock, "ip: mtu 1400");
	check(parse("10.2.0.0/16 dev v1 mtu lock", false, &r) == IPXR_EXIT_USAGE,
	      "ip: mtu lock without a number");
	check(parse("10.2.0.0/16 dev v1 mtu 0", false, &r) == IPXR_EXIT_USAGE, "ip: mtu 0");
	check(parse("10.2.0.0/16 dev v1 table 100", false, &r) == 0 && r.has_table &&
	      r.table == 100, "ip: table 100");
	check(parse("10.2.0.0/16 dev v1 table main", false, &r) == 0 &&
	      r.table == RT_TABLE_MAIN, "ip: table main");
	check(parse("10.2.0.0/16 dev v1 table nosuchtable", false, &r) == IPXR_EXIT_USAGE,
	      "ip: unknown table name");
	check(parse("10.2.0.0/16 dev v1 proto ipxr", false, &r) == 0 && r.proto == RTPROT_IPXR,
	      "ip: proto ipxr (known before make install names it)");
	check(parse("10.2.0.0/16 dev v1 proto 186", false, &r) == 0 && r.proto == 186,
	      "ip: proto by number");
	check(parse("10.2.0.0/16 dev v1 proto 256", false, &r) == IPXR_EXIT_USAGE,
	      "ip: proto past 255");
	check(parse("10.2.0.0/16 dev v1 scope 253", false, &r) == 0 && r.scope == 253 &&
	      parse("10.2.0.0/16 dev v1 scope universe", false, &r) == 0 && r.scope == 0,
	      "ip: scope by number and as universe");
	check(parse("10.2.0.0/16 via inet 10.0.0.1", false, &r) == 0 && r.has_via,
	      "ip: via inet ADDRESS");
	check(parse("10.2.0.0/16 nhid 7", false, &r) == 0 && r.nhid == 7, "ip: nhid");
	check(parse("10.2.0.0/16 dev v1 counter", false, &r) == 0 && r.counter == 1 &&
	      parse("10.2.0.0/16 nocounter", false, &r) == 0 && r.counter == -1 &&
	      parse("10.2.0.0/16 dev v1", false, &r) == 0 && r.counter == 0,
	      "ipxr: counter, nocounter, neither");
	check(parse("10.2.0.0/16 counter nocounter", false, &r) == IPXR_EXIT_USAGE &&
	      parse("10.2.0.0/16 counter counter", false, &r) == IPXR_EXIT_USAGE,
	      "ipxr: counter and nocounter exclude each other, once");
	check(parse("counter", true, &r) == IPXR_EXIT_USAGE, "selector: counter is not one");
	check(parse("10.2.0.0/16 metric 5 nexthop via 10.0.0.1 dev v1 nexthop via inet 10.0.0.2 "
		    "weight 3 onlink", false, &r) == 0 && r.nnh == 2 && r.has_metric &&
	      r.nh[0].has_via && !strcmp(r.nh[0].dev, "v1") && r.nh[0].weight == 1 &&
	      r.nh[1].has_via && !r.nh[1].dev && r.nh[1].weight == 3 && r.nh[1].onlink,
	      "ip: multipath, nexthop clauses after the other words");
	check(parse("10.2.0.0/16 nexthop via 10.0.0.1 weight 0", false, &r) == IPXR_EXIT_USAGE &&
	      parse("10.2.0.0/16 nexthop via 10.0.0.1 weight 257", false, &r) == IPXR_EXIT_USAGE,
	      "ip: a weight is 1 to 256");
	check(parse("10.2.0.0/16 nexthop via 10.0.0.1 metric 5", false, &r) == IPXR_EXIT_USAGE,
	      "ip: a route word after the nexthop clauses is refused");
	check(parse("10.2.0.0/16 counter nexthop via 10.0.0.1 nexthop via 10.0.0.2", false,
		    &r) == 0 && r.counter == 1 && r.nnh == 2 &&
	      parse("10.2.0.0/16 nexthop via 10.0.0.1 counter", false, &r) == IPXR_EXIT_USAGE,
	      "ipxr: a multipath route counted, counter before the nexthop clauses");
	check(parse("10.2.0.0/16 nexthop via 2001:db8::1", false, &r) == IPXR_EXIT_USAGE,
	      "ip: a nexthop gateway of the other family");
	check(parse("10.2.0.0/16 nexthop via 10.0.0.1 via 10.0.0.2", false, &r) == IPXR_EXIT_USAGE,
	      "ip: via twice in one nexthop clause");
	check(parse("10.2.0.0/16 dev v1 src 2001:db8::1", false, &r) == IPXR_EXIT_USAGE,
	      "ip: src of the other family");
	check(parse("10.2.0.0/16 oif v1", false, &r) == 0 && strcmp(r.dev, "v1") == 0,
	      "ip: oif is dev");
	check(parse("proto bird", true, &r) == 0 && r.has_proto && r.proto == RTPROT_BIRD,
	      "selector: proto bird");
	check(parse("table 100", true, &r) == 0 && r.has_table && r.table == 100 &&
	      parse("table all", true, &r) == 0 && r.has_table && r.table == 0,
	      "selector: table N, table all");
	check(parse("type unreachable", true, &r) == 0 && r.type == RTN_UNREACHABLE,
	      "selector: type unreachable");
}

/* The family of a ROUTE or SELECTOR: the prefix's, else the gateway's, else -4/-6, else IPv4. */
static void test_route_grammar6(void)
{
	struct route_req r;

	check(parse("2001:db8::/32 via fe80::1 dev eth0", false, &r) == 0 &&
	      v6_is(&r.dst, "2001:db8::", 32) && v6_is(&r.via, "fe80::1", 128) &&
	      r.family == AF_INET6, "route6: prefix via link-local dev");
	check(parse("default via fe80::1 dev eth0", false, &r) == 0 && r.family == AF_INET6 &&
	      r.dst.family == AF_INET6 && r.dst.bitlen == 0,
	      "route6: default takes the gateway's family");
	check(parse("default dev eth0", false, &r) == 0 && r.family == AF_INET,
	      "route6: default without gateway nor -6 is IPv4");
	ipxr.family = AF_INET6;
	check(parse("default dev eth0", false, &r) == 0 && r.family == AF_INET6 &&
	      r.dst.family == AF_INET6, "route6: default with -6 is IPv6");
	check(parse("10.0.0.0/8 dev eth0", false, &r) == IPXR_EXIT_USAGE,
	      "route6: -6 with an IPv4 prefix refused");
	check(parse("default via 10.0.0.1", false, &r) == IPXR_EXIT_USAGE,
	      "route6: -6 with an IPv4 gateway refused");
	check(parse("", true, &r) == 0 && r.family == AF_INET6, "selector6: -6 alone selects IPv6");
	ipxr.family = AF_INET;
	check(parse("default via fe80::1 dev eth0", false, &r) == IPXR_EXIT_USAGE,
	      "route6: -4 with an IPv6 gateway refused");
	check(parse("", true, &r) == 0 && r.family == AF_INET, "selector6: -4 selects IPv4");
	ipxr.family = AF_UNSPEC;
	check(parse("10.0.0.0/8 via 2001:db8::1", false, &r) == IPXR_EXIT_USAGE,
	      "route6: IPv4 prefix via IPv6 gateway refused");
	check(parse("2001:db8::/32 via 10.0.0.1", false, &r) == IPXR_EXIT_USAGE,
	      "route6: IPv6 prefix via IPv4 gateway refused");
	check(parse("2001:db8::1/32 dev eth0", false, &r) == IPXR_EXIT_USAGE,
	      "route6: host bits refused");
	check(parse("blackhole 2001:db8::/32", false, &r) == 0 && r.family == AF_INET6 &&
	      r.type == RTN_BLACKHOLE, "route6: blackhole");
	check(parse("", true, &r) == 0 && r.family == AF_INET, "selector6: nothing selects IPv4");
	check(parse("root 2001:db8::/32", true, &r) == 0 && r.family == AF_INET6 &&
	      r.match == MATCH_ROOT, "selector6: an IPv6 prefix selects IPv6");
	check(parse("via fe80::1", true, &r) == 0 && r.family == AF_INET6,
	      "selector6: an IPv6 gateway selects IPv6");
	check(parse("match 2001:db8::1", true, &r) == 0 && r.dst.bitlen == 128,
	      "selector6: match an address");
}

static void test_route_grammar(void)
{
	struct route_req r;

	check(parse("10.0.0.0/24 via 10.1.1.1 dev eth0", false, &r) == 0 && r.has_dst &&
	      v4_is(&r.dst, "10.0.0.0", 24) && r.has_via && v4_is(&r.via, "10.1.1.1", 32) &&
	      strcmp(r.dev, "eth0") == 0 && r.family == AF_INET,
	      "route: prefix via dev");
	check(parse("to default via 10.1.1.1", false, &r) == 0 && r.dst.bitlen == 0 &&
	      r.family == AF_INET && r.dst.family == AF_INET, "route: to default");
	check(parse("blackhole 10.1.0.0/16", false, &r) == 0 && r.has_type &&
	      r.type == RTN_BLACKHOLE, "route: blackhole type word");
	check(parse("10.0.0.0/24 via 1.1.1.1 via 2.2.2.2", false, &r) == IPXR_EXIT_USAGE,
	      "route: duplicate via refused");
	check(parse("10.0.0.0/24 dev a dev b", false, &r) == IPXR_EXIT_USAGE,
	      "route: duplicate dev refused");
	check(parse("10.0.0.0/24 10.1.0.0/24", false, &r) == IPXR_EXIT_USAGE,
	      "route: two prefixes refused");
	check(parse("unicast blackhole 10.0.0.0/24", false, &r) == IPXR_EXIT_USAGE,
	      "route: two types refused");
	check(parse("10.0.0.0/24 via", false, &r) == IPXR_EXIT_USAGE,
	      "route: missing argument after via");
	check(parse("via 10.1.1.1", false, &r) == IPXR_EXIT_USAGE, "route: missing prefix");
	check(parse("10.0.0.5/24 dev x", false, &r) == IPXR_EXIT_USAGE,
	      "route: host bits refused");
	check(parse("10.0.0.0/24 v 10.1.1.1", false, &r) == IPXR_EXIT_USAGE,
	      "route: keywords are not abbreviated (v)");
	check(parse("type local 10.0.0.0/24", false, &r) == IPXR_EXIT_USAGE,
	      "route: type keyword only in selectors");
	check(parse("", true, &r) == 0 && !r.has_dst && !r.has_type, "selector: empty");
	check(parse("root 10.0.0.0/8", true, &r) == 0 && r.match == MATCH_ROOT && r.dst.bitlen == 8,
	      "selector: root");
	check(parse("to match 10.1.2.3", true, &r) == 0 && r.match == MATCH_MATCH,
	      "selector: to match");
	check(parse("exact 10.0.0.0/8", true, &r) == 0 && r.match == MATCH_EXACT,
	      "selector: exact");
	check(parse("10.0.0.0/8", true, &r) == 0 && r.match == MATCH_EXACT,
	      "selector: bare prefix is exact");
	check(parse("type local", true, &r) == 0 && r.has_type && r.type == RTN_LOCAL,
	      "selector: type local");
	check(parse("type bogus", true, &r) == IPXR_EXIT_USAGE, "selector: bad type refused");
	check(parse("blackhole type unicast", true, &r) == IPXR_EXIT_USAGE,
	      "selector: duplicate type refused");
	check(parse("root 10.0.0.0/8 match 10.0.0.0/8", true, &r) == IPXR_EXIT_USAGE,
	      "selector: two prefixes refused");
	test_route_grammar6();
	check(strcmp(route_type_name(RTN_UNICAST), "unicast") == 0 &&
	      strcmp(route_type_name(RTN_THROW), "throw") == 0 &&
	      strcmp(route_type_name(200), "unknown") == 0,
	      "route type names");
	test_route_grammar_ip();
}

static char *capture_json(void (*fn)(void), bool pretty)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	json_setup(f, true, pretty);
	fn();
	fclose(f);
	json_setup(stdout, false, false);
	return buf;
}

static void doc_escape(void)
{
	open_json_object(NULL);
	print_string(PRINT_ANY, "s", "%s", "a\"b\\c\n\t\x01\x7f\xc3\xa9\xff");
	close_json_object();
}

static void doc_nested(void)
{
	open_json_array(NULL);
	open_json_object(NULL);
	print_uint(PRINT_ANY, "id", "id %u", 3);
	print_u64(PRINT_ANY, "big", "%llu", 18446744073709551615ULL);
	print_bool(PRINT_ANY, "managed", " managed", true);
	print_null(PRINT_ANY, "lladdr", " lladdr %s", "unresolved");
	print_string(PRINT_FP, "text_only", "%s", "x");
	open_json_object("stats");
	print_u64(PRINT_ANY, "packets", "%llu", 1);
	close_json_object();
	close_json_object();
	open_json_object(NULL);
	close_json_object();
	close_json_array();
}

static void doc_empty(void)
{
	open_json_array(NULL);
	close_json_array();
}

static void doc_abort(void)
{
	open_json_array(NULL);
	open_json_object(NULL);
	print_string(PRINT_ANY, "k", "%s", "v");
	ipxr_error(2, "bad \"%s\"", "x");
}

static void test_json(void)
{
	char *s;

	s = capture_json(doc_escape, false);
	check(strcmp(s, "{\"s\":\"a\\\"b\\\\c\\n\\t\\u0001\\u007f\xc3\xa9\\ufffd\"}\n") == 0,
	      "json: escaping of quotes, backslash, controls, UTF-8 kept, invalid bytes replaced");
	free(s);
	s = capture_json(doc_nested, false);
	check(strcmp(s, "[{\"id\":3,\"big\":18446744073709551615,\"managed\":true,"
		     "\"lladdr\":null,\"stats\":{\"packets\":1}},{}]\n") == 0,
	      "json: compact nesting, numbers, bool, null, text-only fields skipped");
	free(s);
	s = capture_json(doc_nested, true);
	check(strcmp(s, "[\n    {\n        \"id\": 3,\n        \"big\": 18446744073709551615,\n"
		     "        \"managed\": true,\n        \"lladdr\": null,\n"
		     "        \"stats\": {\n            \"packets\": 1\n        }\n    },\n"
		     "    {}\n]\n") == 0, "json: pretty layout with 4-space indent");
	free(s);
	s = capture_json(doc_empty, false);
	check(strcmp(s, "[]\n") == 0, "json: empty array");
	free(s);
	s = capture_json(doc_empty, true);
	check(strcmp(s, "[]\n") == 0, "json: empty array, pretty");
	free(s);
	s = capture_json(doc_abort, false);
	check(strcmp(s, "[{\"k\":\"v\"}]\n{\"error\":\"bad \\\"x\\\"\"}\n") == 0,
	      "json: an error closes the open document and prints {\"error\": ...}");
	free(s);
}

static void doc_text(void)
{
	print_string(PRINT_ANY, "dst", "%s", "10.0.0.0/24");
	print_string(PRINT_JSON, "type", NULL, "unicast");
	print_string(PRINT_ANY, "gateway", " via %s", "10.0.0.1");
	print_uint(PRINT_ANY, "nexthop", " nexthop %u", 3);
	print_bool(PRINT_ANY, "managed", " managed", false);
	print_null(PRINT_ANY, "lladdr", " lladdr %s", "unresolved");
	print_nl();
}

static void test_text(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	json_setup(f, false, false);
	doc_text();
	fclose(f);
	json_setup(stdout, false, false);
	check(strcmp(buf, "10.0.0.0/24 via 10.0.0.1 nexthop 3 lladdr unresolved\n") == 0,
	      "text: one print path, JSON-only fields skipped, false flag omitted");
	free(buf);
}

static void test_split(void)
{
	char line[] = "  route add  \"10.0.0.0/24\" dev 'a b'\t\n";
	char bad[] = "route \"add";
	char *argv[8];
	int argc = split_args(line, argv, 7);

	check(argc == 5 && strcmp(argv[0], "route") == 0 && strcmp(argv[2], "10.0.0.0/24") == 0 &&
	      strcmp(argv[4], "a b") == 0, "batch: words split, quotes removed");
	check(split_args(bad, argv, 7) < 0, "batch: unbalanced quote refused");
}

static void test_duparg(void)
{
	check(duparg("via", "x") == IPXR_EXIT_USAGE, "duparg returns the usage exit code");
	check(missarg("dev") == IPXR_EXIT_USAGE, "missarg returns the usage exit code");
}

int main(void)
{
	const char *v = getenv("V");

	/* the parsers print their errors: keep them out of the TAP-like stream unless V=1 */
	if (!v || strcmp(v, "1"))
		if (!freopen("/dev/null", "w", stderr))
			return 2;
	test_addresses();
	test_addresses6();
	test_prefixes();
	test_prefixes6();
	test_format();
	test_format6();
	test_standin();
	test_tables();
	test_route_grammar();
	test_json();
	test_text();
	test_split();
	test_duparg();
	printf("# %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
