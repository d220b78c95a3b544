// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness: a batch file, as ipxr -batch reads it (batch_read_cmd: comments,
 * continuation lines, its limits), each command split into words as the CLI splits them and
 * the words after "route COMMAND" given to the route grammar (route_parse) as a route to write
 * and as a selector, under each of -4, -6 and neither. Nothing is written: route_parse is the
 * grammar alone, every command's parser before it touches a map or the kernel.
 *
 *   make fuzz                    (every harness, FUZZ_TIME seconds each)
 *   build/fuzz/fuzz_batch tests/fuzz/corpus/batch
 */
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include "batch.h"
#include "route.h"
#include "utils.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static FILE *null;

	(void)argc;
	(void)argv;
	/*
	 * Every refused input prints an "Error:" line: millions of them would be the run's cost.
	 * Only the stdio stream goes: the sanitizers and libFuzzer still report on descriptor 2.
	 */
	null = fopen("/dev/null", "w");
	if (null)
		stderr = null;
	ipxr.batch_file = "fuzz";
	return 0;
}

static void parse_cmd(int argc, char **argv)
{
	static const int families[] = { AF_UNSPEC, AF_INET, AF_INET6 };
	struct route_req req;
	unsigned int i;

	/* "route add ...", "route show ...": the grammar is what follows the command word */
	if (argc >= 2 && is_word(argv[0], "route")) {
		argc -= 2;
		argv += 2;
	}
	for (i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
		ipxr.family = families[i];
		route_parse(argc, argv, false, &req);
		route_parse(argc, argv, true, &req);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char line[BATCH_LINE_MAX + 1], *args[BATCH_MAX_ARGS + 1];
	bool eof = false;
	int argc;
	FILE *f;

	if (!size)
		return 0;
	f = fmemopen((void *)data, size, "r");
	if (!f)
		return 0;
	ipxr.batch_line = 0;
	while (batch_read_cmd(f, line, &eof) == 0 && !eof) {
		argc = split_args(line, args, BATCH_MAX_ARGS);
		if (argc > 0)
			parse_cmd(argc, args);
	}
	fclose(f);
	return 0;
}
