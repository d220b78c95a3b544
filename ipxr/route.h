/* SPDX-License-Identifier: GPL-2.0 */
#ifndef IPXR_ROUTE_H
#define IPXR_ROUTE_H

#include <stdbool.h>
#include <linux/types.h>

#include "utils.h"

/* What a ROUTE or SELECTOR on the command line says; the parser is shared with the tests. */
enum route_match {
	MATCH_EXACT,	/* "show PREFIX", "exact PREFIX" */
	MATCH_ROOT,	/* routes inside PREFIX */
	MATCH_MATCH,	/* routes that cover PREFIX */
};

struct route_req {
	int family;		/* AF_INET, AF_INET6: of the prefix, gateway, -4/-6, else IPv4 */
	bool has_type;
	__u8 type;		/* enum ipxr_route_type */
	bool has_dst;
	struct inet_prefix dst;
	enum route_match match;
	bool has_via;
	struct inet_prefix via;
	const char *dev;
	const char *dst_arg, *via_arg;	/* as typed, for messages */
};

/*
 * 0 or an exit code with the error printed. @selector: the show/flush grammar. Addresses of
 * the other family than -4/-6 (ipxr.family) are refused.
 */
int route_parse(int argc, char **argv, bool selector, struct route_req *req);
const char *route_type_name(unsigned int type);

int do_route(int argc, char **argv);

#endif /* IPXR_ROUTE_H */
