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

#include "json_print.h"
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

static void test_addresses(void)
{
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
	check(get_ipv4("::1", &a) < 0, "address: IPv6 refused");
	check(parse_addr_arg("x.y", &a) == IPXR_EXIT_USAGE, "address: bad one is a usage error");
}

static void test_prefixes(void)
{
	struct prefix4 p;

	check(get_prefix4("10.0.0.0/24", &p, false) == 0 && p.addr == A("10.0.0.0") &&
	      p.plen == 24, "prefix: 10.0.0.0/24");
	check(get_prefix4("default", &p, false) == 0 && p.addr == 0 && p.plen == 0,
	      "prefix: default is 0.0.0.0/0");
	check(get_prefix4("0.0.0.0/0", &p, false) == 0 && p.plen == 0, "prefix: 0.0.0.0/0");
	check(get_prefix4("192.0.2.7", &p, false) == 0 && p.plen == 32,
	      "prefix: no length is a /32");
	check(get_prefix4("10/8", &p, false) == 0 && p.addr == A("10.0.0.0") && p.plen == 8,
	      "prefix: short form 10/8");
	check(get_prefix4("10.0.0.0/255.255.255.0", &p, false) == 0 && p.plen == 24,
	      "prefix: netmask form");
	check(get_prefix4("10.0.0.0/255.0.255.0", &p, false) < 0,
	      "prefix: non-contiguous netmask refused");
	check(get_prefix4("10.0.0.5/24", &p, false) == -EDOM, "prefix: host bits set refused");
	check(get_prefix4("10.0.0.5/24", &p, true) == 0 && p.addr == A("10.0.0.0"),
	      "prefix: host bits masked when allowed");
	check(get_prefix4("10.0.0.0/33", &p, false) < 0, "prefix: length 33 refused");
	check(get_prefix4("10.0.0.0/-1", &p, false) < 0, "prefix: negative length refused");
	check(get_prefix4("10.0.0.0/", &p, false) < 0, "prefix: empty length refused");
	check(get_prefix4("10.0.0.0/08", &p, false) < 0,
	      "prefix: length with leading zero refused");
	check(get_prefix4("10.0.0.0/24x", &p, false) < 0, "prefix: trailing garbage refused");
	check(get_prefix4("1.2.3.4/32", &p, false) == 0 && p.plen == 32, "prefix: /32");
	check(parse_prefix_arg("10.0.0.5/24", &p) == IPXR_EXIT_USAGE,
	      "prefix: host bits are a usage error");
	check(parse_prefix_arg("nonsense", &p) == IPXR_EXIT_USAGE,
	      "prefix: garbage is a usage error");
}

static void test_format(void)
{
	char buf[32];
	struct prefix4 outer = { A("10.0.0.0"), 8 }, inner = { A("10.1.0.0"), 16 };

	check(strcmp(format_prefix(buf, sizeof(buf), 0, 0), "default") == 0,
	      "format: 0/0 is default");
	check(strcmp(format_prefix(buf, sizeof(buf), A("10.1.2.3"), 32), "10.1.2.3") == 0,
	      "format: host route without /32");
	check(strcmp(format_prefix(buf, sizeof(buf), A("10.1.0.0"), 16), "10.1.0.0/16") == 0,
	      "format: prefix with length");
	check(strcmp(format_prefix(buf, sizeof(buf), A("0.0.0.0"), 1), "0.0.0.0/1") == 0,
	      "format: 0.0.0.0/1 is not default");
	check(prefix_contains(&outer, &inner) && !prefix_contains(&inner, &outer),
	      "prefix_contains: 10/8 holds 10.1/16, not the reverse");
	check(plen_mask(0) == 0 && plen_mask(32) == 0xffffffff &&
	      plen_mask(24) == A("255.255.255.0"),
	      "plen_mask: 0, 24, 32");
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

static void test_route_grammar(void)
{
	struct route_req r;

	check(parse("10.0.0.0/24 via 10.1.1.1 dev eth0", false, &r) == 0 && r.has_dst &&
	      r.dst.plen == 24 && r.has_via && r.via == A("10.1.1.1") && strcmp(r.dev, "eth0") == 0,
	      "route: prefix via dev");
	check(parse("to default via 10.1.1.1", false, &r) == 0 && r.dst.plen == 0,
	      "route: to default");
	check(parse("blackhole 10.1.0.0/16", false, &r) == 0 && r.has_type &&
	      r.type == 2, "route: blackhole type word");
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
	check(parse("root 10.0.0.0/8", true, &r) == 0 && r.match == MATCH_ROOT && r.dst.plen == 8,
	      "selector: root");
	check(parse("to match 10.1.2.3", true, &r) == 0 && r.match == MATCH_MATCH,
	      "selector: to match");
	check(parse("exact 10.0.0.0/8", true, &r) == 0 && r.match == MATCH_EXACT,
	      "selector: exact");
	check(parse("10.0.0.0/8", true, &r) == 0 && r.match == MATCH_EXACT,
	      "selector: bare prefix is exact");
	check(parse("type local", true, &r) == 0 && r.has_type && r.type == 3,
	      "selector: type local");
	check(parse("type bogus", true, &r) == IPXR_EXIT_USAGE, "selector: bad type refused");
	check(parse("blackhole type unicast", true, &r) == IPXR_EXIT_USAGE,
	      "selector: duplicate type refused");
	check(parse("root 10.0.0.0/8 match 10.0.0.0/8", true, &r) == IPXR_EXIT_USAGE,
	      "selector: two prefixes refused");
	check(strcmp(route_type_name(1), "unicast") == 0 &&
	      strcmp(route_type_name(9), "unknown") == 0,
	      "route type names");
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
	test_prefixes();
	test_format();
	test_tables();
	test_route_grammar();
	test_json();
	test_text();
	test_split();
	test_duparg();
	printf("# %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
