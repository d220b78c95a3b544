// SPDX-License-Identifier: GPL-2.0
/*
 * ipxr stats show: the fast path's outcome counters, per reason (IPXR_STAT_LIST) and summed per
 * XDP action with the action column of the same list, so a new reason needs no change here.
 */
#include <string.h>
#include <linux/bpf.h>

#include "json_print.h"
#include "maps.h"
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

static int stats_show(int argc, char **argv)
{
	struct ipxr_counter per[IPXR_STAT_MAX], sum;
	unsigned int i, a;
	int err;

	(void)argv;
	if (argc > 0)
		return badarg(argv[0]);
	err = maps_open(ipxr.batch);
	if (err)
		return err;
	for (i = 0; i < IPXR_STAT_MAX; i++) {
		err = percpu_sum(map_fd(MAP_STATS), i, &per[i]);
		if (err)
			return ipxr_error(IPXR_EXIT_REFUSED, "cannot read map %s: %s",
					  IPXR_MAP_STATS, strerror(-err));
	}
	open_json_object(NULL);
	open_json_object("actions");
	for (a = 0; a < sizeof(actions) / sizeof(actions[0]); a++) {
		memset(&sum, 0, sizeof(sum));
		for (i = 0; i < IPXR_STAT_MAX; i++) {
			if (reasons[i].action != actions[a].action)
				continue;
			sum.packets += per[i].packets;
			sum.bytes += per[i].bytes;
		}
		print_counter("action", actions[a].name, &sum);
	}
	close_json_object();
	open_json_object("reasons");
	for (i = 0; i < IPXR_STAT_MAX; i++)
		print_counter("reason", reasons[i].name, &per[i]);
	close_json_object();
	close_json_object();
	return 0;
}

static int stats_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("Usage: ipxr stats [ show ]\n");
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
