// SPDX-License-Identifier: GPL-2.0
/*
 * Counting the policy rules the fast path cannot follow. A new namespace holds, for IPv4,
 * "0: from all lookup local", "32766: from all lookup main", "32767: from all lookup default",
 * and for IPv6 the first two: a rule is a default one when it is one of these exactly (no
 * selector, no other action). Anything else (a VRF's l3mdev rule too) counts, but for one
 * case: when ipxr sync follows several tables (table A table B ...), plain rules (no selector,
 * "lookup A") that look up the listed tables in their order, A before B, are what it follows.
 * A listed table out of that order, or looked up twice, counts.
 */
#include <stdlib.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include "netlink.h"
#include "rt_names.h"
#include "rules.h"
#include "utils.h"

#define RULES_LISTED_MAX	64

struct rule_count {
	int n;
	const __u32 *tables;	/* several: the listed tables, in order */
	unsigned int ntables;
	struct listed {
		__u32 prio;
		unsigned int pos;
	} listed[RULES_LISTED_MAX];
	unsigned int nlisted;
};

static int cmp_listed(const void *a, const void *b)
{
	const struct listed *x = a, *y = b;

	return x->prio < y->prio ? -1 : x->prio > y->prio;
}

/* A plain rule "lookup @table": 1 and noted when @table is a listed one, else 0. */
static int listed_rule(struct rule_count *c, const struct fib_rule_hdr *frh, __u32 prio,
		       __u32 table, bool other)
{
	unsigned int i;

	if (c->ntables < 2 || other || frh->dst_len || frh->src_len || frh->tos ||
	    frh->action != FR_ACT_TO_TBL || (frh->flags & FIB_RULE_INVERT) ||
	    c->nlisted == RULES_LISTED_MAX)
		return 0;
	for (i = 0; i < c->ntables; i++) {
		if (c->tables[i] == table) {
			c->listed[c->nlisted].prio = prio;
			c->listed[c->nlisted++].pos = i;
			return 1;
		}
	}
	return 0;
}

/* The family's listed rules, in priority order, must look the tables up in theirs. */
static void listed_check(struct rule_count *c)
{
	unsigned int i;
	int last = -1;

	qsort(c->listed, c->nlisted, sizeof(c->listed[0]), cmp_listed);
	for (i = 0; i < c->nlisted; i++) {
		if ((int)c->listed[i].pos > last)
			last = c->listed[i].pos;
		else
			c->n++;
	}
	c->nlisted = 0;
}

static bool default_rule(const struct fib_rule_hdr *frh, __u32 prio, __u32 table, bool other)
{
	if (other || frh->dst_len || frh->src_len || frh->tos || frh->action != FR_ACT_TO_TBL ||
	    (frh->flags & FIB_RULE_INVERT))
		return false;
	return (prio == 0 && table == RT_TABLE_LOCAL) ||
	       (prio == 32766 && table == RT_TABLE_MAIN) ||
	       (frh->family == AF_INET && prio == 32767 && table == RT_TABLE_DEFAULT);
}

static int rule_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct fib_rule_hdr *frh = mnl_nlmsg_get_payload(nlh);
	struct rule_count *c = data;
	const struct nlattr *attr;
	__u32 prio = 0, table = frh->table;
	bool other = false;

	if (nlh->nlmsg_type != RTM_NEWRULE)
		return MNL_CB_OK;
	mnl_attr_for_each(attr, nlh, sizeof(*frh)) {
		switch (mnl_attr_get_type(attr)) {
		case FRA_PRIORITY:
			prio = mnl_attr_get_u32(attr);
			break;
		case FRA_TABLE:
			table = mnl_attr_get_u32(attr);
			break;
		case FRA_PROTOCOL:
		case FRA_SUPPRESS_PREFIXLEN:	/* the kernel reports -1: no suppression */
			break;
		case FRA_SUPPRESS_IFGROUP:
			other |= mnl_attr_get_u32(attr) != (__u32)-1;
			break;
		default:
			other = true;	/* a selector (iif, oif, fwmark, ports, uid...) or a goto */
		}
	}
	if (!listed_rule(c, frh, prio, table, other) && !default_rule(frh, prio, table, other))
		c->n++;
	return MNL_CB_OK;
}

int rules_nondefault(const __u32 *tables, unsigned int ntables)
{
	static const int families[] = { AF_INET, AF_INET6 };
	struct rule_count c = { .tables = tables, .ntables = ntables };
	struct fib_rule_hdr frh;
	unsigned int i;
	int err;

	for (i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
		memset(&frh, 0, sizeof(frh));
		frh.family = families[i];
		err = nl_dump(RTM_GETRULE, &frh, sizeof(frh), rule_cb, &c);
		/* IPv6 disabled in this namespace: it has no rules to follow */
		if (err && !(families[i] == AF_INET6 && err == -EAFNOSUPPORT))
			return err;
		listed_check(&c);
	}
	return c.n;
}

const char *rules_text(char *buf, unsigned long len, int n, const __u32 *tables,
		       unsigned int ntables)
{
	unsigned int i;
	size_t l;
	char t[64];

	l = snprintf(buf, len, "policy rules: %d non-default, the fast path follows table %s", n,
		     rt_name(RT_NAMES_TABLE, tables[0], t, sizeof(t)));
	for (i = 1; i < ntables && l < len; i++)
		l += snprintf(buf + l, len - l, " then %s",
			      rt_name(RT_NAMES_TABLE, tables[i], t, sizeof(t)));
	if (l < len)
		snprintf(buf + l, len - l, " only");
	return buf;
}
