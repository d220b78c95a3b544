// SPDX-License-Identifier: GPL-2.0
/*
 * ipxr stats show: the fast path's outcome counters, per reason (IPXR_STAT_LIST) and summed per
 * XDP action with the action column of the same list, so a new reason needs no change here;
 * then per family slot (link, inet, inet6), the sums covering the slots selected (-4, -6).
 */
#include <string.h>
#include <linux/bpf.h>
#include <linux/rtnetlink.h>

#include "compile.h"
#include "json_print.h"
#include "maps.h"
#include "rules.h"
#include "stats.h"
#include "utils.h"

struct reason {
	const char *name;
	int action;
};

#define IPXR_STAT_ROW(id, name, action) [IPXR_STAT_##id] = { name, action },
static const struct reason reasons[IPXR_STAT_MAX] = {
	IPXR_STAT_LIST(IPXR_STAT_ROW)
};
#undef IPXR_STAT_ROW

static const struct {
	const char *name;
	int action;
} actions[] = {
	{ "redirect", XDP_REDIRECT },
	{ "drop", XDP_DROP },
	{ "pass", XDP_PASS },
};

/* The counters' family slots: frames neither IPv4 nor IPv6 count as "link". */
static const char *const slot_names[IPXR_SF_MAX] = {
	[IPXR_SF_LINK] = "link",
	[IPXR_SF_INET] = "inet",
	[IPXR_SF_INET6] = "inet6",
};

/* all slots by default; -4/-6 select that family alone (its "link" frames are neither) */
static bool slot_selected(unsigned int slot)
{
	const struct ipxr_family *f = family_get(ipxr.family);

	return !f || f->stat_slot == slot;
}

static void print_counter(const char *kind, const char *name, const struct ipxr_counter *c)
{
	print_string(PRINT_FP, NULL, "%s ", kind);
	open_json_object(name);
	print_string(PRINT_FP, NULL, "%s", name);
	print_u64(PRINT_ANY, "packets", " packets %llu", c->packets);
	print_u64(PRINT_ANY, "bytes", " bytes %llu", c->bytes);
	close_json_object();
	print_nl();
}

static void add(struct ipxr_counter *sum, const struct ipxr_counter *c)
{
	sum->packets += c->packets;
	sum->bytes += c->bytes;
}

/*
 * The fast path follows one table as if the kernel had no other rule: say how many rules it
 * does not follow, as the kernel has them now (ipxr sync warns of each new one).
 */
static void print_rules(void)
{
	__u32 tables[1 + IPXR_CFG_TABLES_MAX];
	unsigned int nt = compile_tables(tables, 1 + IPXR_CFG_TABLES_MAX), i;
	__u32 table = tables[0];
	char text[160];
	int n = rules_nondefault(tables, nt);

	open_json_object("policy_rules");
	if (n < 0) {
		ipxr_warn("cannot list the policy rules: %s", strerror(-n));
		print_null(PRINT_JSON, "non_default", NULL, NULL);
	} else {
		print_uint(PRINT_JSON, "non_default", NULL, (unsigned int)n);
		print_string(PRINT_FP, NULL, "%s", rules_text(text, sizeof(text), n, tables,
									 nt));
		print_nl();
	}
	print_uint(PRINT_JSON, "table", NULL, table);
	/* the tables after it, in rule order (ipxr sync table A table B ...) */
	if (nt > 1) {
		open_json_array("then");
		for (i = 1; i < nt; i++)
			print_uint(PRINT_JSON, NULL, NULL, tables[i]);
		close_json_array();
	}
	close_json_object();
}

static int stats_show(int argc, char **argv)
{
	struct ipxr_counter per[IPXR_SF_MAX][IPXR_STAT_MAX], sum[IPXR_STAT_MAX], act;
	char kind[32];
	unsigned int i, a, slot;
	int err;

	(void)argv;
	if (argc > 0)
		return badarg(argv[0]);
	err = maps_open(ipxr.batch);
	if (err)
		return err;
	memset(sum, 0, sizeof(sum));
	for (slot = 0; slot < IPXR_SF_MAX; slot++) {
		for (i = 0; i < IPXR_STAT_MAX; i++) {
			err = percpu_sum(map_fd(MAP_STATS), IPXR_MAX_STATS * slot + i,
					 &per[slot][i]);
			if (err)
				return ipxr_error(IPXR_EXIT_REFUSED, "cannot read map %s: %s",
						  IPXR_MAP_STATS, strerror(-err));
			if (slot_selected(slot))
				add(&sum[i], &per[slot][i]);
		}
	}
	open_json_object(NULL);
	open_json_object("actions");
	for (a = 0; a < sizeof(actions) / sizeof(actions[0]); a++) {
		memset(&act, 0, sizeof(act));
		for (i = 0; i < IPXR_STAT_MAX; i++)
			if (reasons[i].action == actions[a].action)
				add(&act, &sum[i]);
		print_counter("action", actions[a].name, &act);
	}
	close_json_object();
	open_json_object("reasons");
	for (i = 0; i < IPXR_STAT_MAX; i++)
		print_counter("reason", reasons[i].name, &sum[i]);
	close_json_object();
	/* per family: every reason in JSON (stable keys), the non-zero ones in text */
	open_json_object("families");
	for (slot = 0; slot < IPXR_SF_MAX; slot++) {
		if (!slot_selected(slot))
			continue;
		open_json_object(slot_names[slot]);
		snprintf(kind, sizeof(kind), "%s reason", slot_names[slot]);
		for (i = 0; i < IPXR_STAT_MAX; i++)
			if (is_json_context() || per[slot][i].packets || per[slot][i].bytes)
				print_counter(kind, reasons[i].name, &per[slot][i]);
		close_json_object();
	}
	close_json_object();
	print_rules();
	close_json_object();
	return 0;
}

static int stats_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("Usage: ipxr [ OPTIONS ] stats [ show ]\n%s", ipxr_options_usage);
	return 0;
}

static const struct cmd stats_cmds[] = {
	{ "show", stats_show },
	{ "help", stats_help },
	{ NULL, NULL },
};

int do_stats(int argc, char **argv)
{
	return cmd_dispatch(stats_cmds, "stats command", stats_show, argc, argv);
}
