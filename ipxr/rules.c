// SPDX-License-Identifier: GPL-2.0
/*
 * Counting the policy rules the fast path cannot follow. A new namespace holds, for IPv4,
 * "0: from all lookup local", "32766: from all lookup main", "32767: from all lookup default",
 * and for IPv6 the first two: a rule is a default one when it is one of these exactly (no
 * selector, no other action). Anything else (a VRF's l3mdev rule too) counts.
 */
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

struct rule_count {
	int n;
};

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
	if (!default_rule(frh, prio, table, other))
		c->n++;
	return MNL_CB_OK;
}

int rules_nondefault(void)
{
	static const int families[] = { AF_INET, AF_INET6 };
	struct rule_count c = {};
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
	}
	return c.n;
}

const char *rules_text(char *buf, unsigned long len, int n, unsigned int table)
{
	char t[64];

	snprintf(buf, len, "policy rules: %d non-default, the fast path follows table %s only", n,
		 rt_name(RT_NAMES_TABLE, table, t, sizeof(t)));
	return buf;
}
