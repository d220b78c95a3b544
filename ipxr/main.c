// SPDX-License-Identifier: GPL-2.0
/*
 * ipxr: manage the routes of the XDP IPv4/IPv6 router, in the manner of ip(8).
 *
 * main() reads the global options, enters the -n namespace before anything looks at devices
 * or netlink, then runs one command or a batch of them through the object table.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attach.h"
#include "batch.h"
#include "json_print.h"
#include "local.h"
#include "check.h"
#include "maps.h"
#include "monitor.h"
#include "netlink.h"
#include "nexthop.h"
#include "route.h"
#include "stats.h"
#include "sync.h"
#include "utils.h"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: ipxr [ OPTIONS ] OBJECT { COMMAND | help }\n"
		"       ipxr [ -force ] -batch FILENAME\n"
		"OBJECT := { route | nexthop | stats | sync | monitor | check | port }\n"
		"%s", ipxr_options_usage);
}

static int do_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	usage(stdout);
	return 0;
}

static int no_object(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	usage(stderr);
	return IPXR_EXIT_USAGE;
}

static const struct cmd objects[] = {
	{ "route", do_route },
	{ "nexthop", do_nexthop },
	{ "stats", do_stats },
	{ "sync", do_sync },
	{ "monitor", do_monitor },
	{ "check", do_check },
	{ "port", do_port },
	{ "help", do_help },
	{ NULL, NULL },
};

static int run_cmd(int argc, char **argv)
{
	bool amb;

	/* an unknown object is a usage error: show the usage with it */
	if (argc > 0 && !table_match(objects, sizeof(*objects), argv[0], &amb) && !amb) {
		ipxr_error(IPXR_EXIT_USAGE, "unknown object \"%s\", try \"ipxr help\".", argv[0]);
		usage(stderr);
		return IPXR_EXIT_USAGE;
	}
	return cmd_dispatch(objects, "object", no_object, argc, argv);
}

/*
 * Only the network namespace changes: unlike ip, no /sys remount, which would hide the bpffs
 * the maps are pinned in.
 */
static int enter_netns(const char *name)
{
	static const char *const dirs[] = { "/run/netns", "/var/run/netns" };
	char path[PATH_MAX];
	int fd = -1, err = ENOENT;
	unsigned int i;

	if (!*name || strchr(name, '/') || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return ipxr_error(IPXR_EXIT_LOOKUP, "invalid network namespace name \"%s\"", name);
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]) && fd < 0; i++) {
		snprintf(path, sizeof(path), "%s/%s", dirs[i], name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 && errno != ENOENT)
			err = errno;
	}
	if (fd < 0)
		return ipxr_error(err == ENOENT ? IPXR_EXIT_LOOKUP : IPXR_EXIT_REFUSED,
				  "Cannot open network namespace \"%s\": %s", name, strerror(err));
	if (setns(fd, CLONE_NEWNET)) {
		err = errno;
		close(fd);
		return ipxr_error(IPXR_EXIT_REFUSED, "cannot enter network namespace \"%s\": %s%s",
				  name, strerror(err), err == EPERM ?
				  ": ipxr needs root (CAP_SYS_ADMIN for -n, CAP_BPF and "
				  "CAP_NET_ADMIN for the maps)" : "");
	}
	close(fd);
	return 0;
}

/*
 * ip -batch: one command per line, "#" comments, FILE:LINE on errors, -force goes on after a
 * failing command (not after input that is not a batch file: see batch_read_cmd()).
 */
static int run_batch(const char *name)
{
	char line[BATCH_LINE_MAX + 1], *args[BATCH_MAX_ARGS + 1];
	unsigned long first_line, last_line;
	int first_rc = 0, rc, argc;
	bool eof;
	FILE *f;

	if (strcmp(name, "-") == 0) {
		f = stdin;
	} else {
		f = fopen(name, "r");
		if (!f)
			return ipxr_error(IPXR_EXIT_USAGE,
					  "Cannot open file \"%s\" for reading: %s", name,
					  strerror(errno));
	}
	ipxr.batch = true;
	ipxr.batch_file = name;
	ipxr.batch_line = 0;
	for (;;) {
		first_line = ipxr.batch_line + 1;
		/* unreadable or not text: no later line can be trusted, -force or not */
		rc = batch_read_cmd(f, line, &eof);
		if (rc && !first_rc)
			first_rc = rc;
		if (rc || eof)
			break;
		/* errors name the line the command starts on; counting goes on after its last */
		last_line = ipxr.batch_line;
		ipxr.batch_line = first_line;
		argc = split_args(line, args, BATCH_MAX_ARGS);
		if (argc == 0) {
			ipxr.batch_line = last_line;
			continue;
		}
		if (argc < 0)
			rc = ipxr_error(IPXR_EXIT_USAGE, argc == -E2BIG ? "too many arguments" :
					"unbalanced quotes");
		else
			rc = run_cmd(argc, args);
		ipxr.batch_line = last_line;
		if (rc && !first_rc)
			first_rc = rc;
		if (rc && !ipxr.force)
			break;
	}
	if (f != stdin)
		fclose(f);
	/* the next hops the batch changed, once: reference counts and freed entries */
	rc = nh_commit();
	ipxr.batch_file = NULL;
	return first_rc ? first_rc : rc;
}

enum opt_id {
	OPT_VERSION, OPT_STATS, OPT_JSON, OPT_PRETTY, OPT_NETNS, OPT_BATCH, OPT_FORCE, OPT_INET,
	OPT_INET6, OPT_FAMILY, OPT_HELP,
};

struct opt {
	const char *name;
	enum opt_id id;
	bool has_arg;
};

/*
 * Any unique prefix of a row is the option ("-b" is -batch, "-n" -netns), as in ip. -force is
 * the exception, as in ip and the grammar: only the whole word, so that "-f" is -family.
 */
static const struct opt options[] = {
	{ "Version", OPT_VERSION, false },
	{ "statistics", OPT_STATS, false },
	{ "json", OPT_JSON, false },
	{ "pretty", OPT_PRETTY, false },
	{ "netns", OPT_NETNS, true },
	{ "batch", OPT_BATCH, true },
	{ "4", OPT_INET, false },
	{ "6", OPT_INET6, false },
	{ "family", OPT_FAMILY, true },
	{ "help", OPT_HELP, false },
	{ NULL, 0, false },
};

static const struct opt opt_force = { "force", OPT_FORCE, false };

static int set_family(const char *name)
{
	if (is_word(name, "inet"))
		ipxr.family = AF_INET;
	else if (is_word(name, "inet6"))
		ipxr.family = AF_INET6;
	else
		return ipxr_error(IPXR_EXIT_USAGE, "invalid family \"%s\": inet or inet6.", name);
	return 0;
}

static void cleanup(void)
{
	nh_free_all();
	local_free();
	maps_close();
	nl_close();
	dev_cache_free();
}

int main(int argc, char **argv)
{
	const char *netns = NULL, *batch = NULL, *family = NULL, *word;
	const struct opt *o;
	int rc;

	atexit(cleanup);
	for (argc--, argv++; argc > 0 && argv[0][0] == '-' && argv[0][1]; argc--, argv++) {
		bool amb = false;

		if (strcmp(argv[0], "--") == 0) {
			/* the usual end of options, so an object can never be taken for one */
			argc--, argv++;
			break;
		}
		word = argv[0] + 1;
		if (*word == '-')
			word++;	/* --json as -json */
		o = is_word(word, opt_force.name) ? &opt_force :
		    table_match(options, sizeof(*options), word, &amb);
		if (!o && !amb)
			ipxr_error(IPXR_EXIT_USAGE, "unknown option \"%s\", try \"ipxr help\".",
				   argv[0]);
		else if (!o)
			table_find(options, sizeof(*options), word, "option");
		if (!o) {
			usage(stderr);
			return IPXR_EXIT_USAGE;
		}
		if (o->has_arg && argc < 2)
			return missarg(argv[0]);
		switch (o->id) {
		case OPT_VERSION:
			printf("ipxr %s (map layout %d)\n", IPXR_VERSION, IPXR_LAYOUT_VERSION);
			return 0;
		case OPT_STATS:
			ipxr.stats++;
			break;
		case OPT_JSON:
			ipxr.json = true;
			break;
		case OPT_PRETTY:
			ipxr.json = ipxr.pretty = true;	/* -p implies -j */
			break;
		case OPT_NETNS:
			netns = ipxr.netns = *++argv;
			argc--;
			break;
		case OPT_BATCH:
			batch = *++argv;
			argc--;
			break;
		case OPT_FORCE:
			ipxr.force = true;
			break;
		case OPT_INET:
			ipxr.family = AF_INET;
			break;
		case OPT_INET6:
			ipxr.family = AF_INET6;
			break;
		case OPT_FAMILY:
			family = *++argv;	/* checked once -j is known */
			argc--;
			break;
		case OPT_HELP:
			usage(stdout);
			return 0;
		}
	}
	json_setup(stdout, ipxr.json, ipxr.pretty);
	if (family) {
		rc = set_family(family);
		if (rc)
			return rc;
	}
	if (netns) {
		rc = enter_netns(netns);
		if (rc)
			return rc;
	}
	if (batch) {
		if (argc > 0)
			return ipxr_error(IPXR_EXIT_USAGE, "unexpected \"%s\" after -batch %s",
					  argv[0], batch);
		return run_batch(batch);
	}
	if (argc < 1) {
		usage(stderr);
		return IPXR_EXIT_USAGE;
	}
	return run_cmd(argc, argv);
}
