// SPDX-License-Identifier: GPL-2.0
/*
 * Batch files as ip -batch reads them: "#" to the end of a line is a comment, a line ending in
 * "\" goes on with the next. ip reads lines of any length with getline(3); ipxr bounds them, so
 * that "ipxr -b /dev/zero" or a binary file given by mistake is an error at its first line
 * instead of memory grown until something fails, and a NUL byte, which would silently end the
 * command before the words after it, is an error too.
 */
#include <errno.h>
#include <string.h>

#include "batch.h"
#include "utils.h"

/*
 * One line of @f appended to @cmd at *@len, up to the first "#". Returns 0 with *@got false at
 * the end of the file (nothing read) and *@last set when the line had no newline, or an exit
 * code.
 */
static int read_line(FILE *f, char *cmd, size_t *len, bool *got, bool *last)
{
	bool comment = false;
	size_t n = 0;
	int c;

	ipxr.batch_line++;
	/* one thread reads: without stdio's lock, as fast as getline(3) */
	while ((c = getc_unlocked(f)) != EOF && c != '\n') {
		if (c == '\0')
			return ipxr_error(IPXR_EXIT_USAGE, "a NUL byte in column %zu: a batch file "
					  "is text.", n + 1);
		if (++n > BATCH_LINE_MAX)
			return ipxr_error(IPXR_EXIT_USAGE, "line longer than %d bytes.",
					  BATCH_LINE_MAX);
		if (c == '#')
			comment = true;
		if (comment)
			continue;
		if (*len == BATCH_LINE_MAX)
			return ipxr_error(IPXR_EXIT_USAGE, "command longer than %d bytes (with "
					  "its continuation lines).", BATCH_LINE_MAX);
		cmd[(*len)++] = c;
	}
	/* a directory opens, and fails at the first read: that is not an empty batch */
	if (ferror(f))
		return ipxr_error(IPXR_EXIT_USAGE, "cannot read \"%s\": %s.", ipxr.batch_file,
				  strerror(errno));
	*got = c != EOF || n;
	*last = c == EOF;
	if (!*got)
		ipxr.batch_line--;
	return 0;
}

int batch_read_cmd(FILE *f, char *cmd, bool *eof)
{
	bool got, last, first = true;
	size_t len = 0;
	int err;

	*eof = false;
	for (;;) {
		errno = 0;
		err = read_line(f, cmd, &len, &got, &last);
		if (err)
			return err;
		if (!got && first) {
			*eof = true;
			return 0;
		}
		first = false;
		/* as ip: "\" last, the comment cut, joins the next line (none at the end: done) */
		if (!got || !len || cmd[len - 1] != '\\')
			break;
		cmd[len - 1] = ' ';
		if (last)
			break;
	}
	cmd[len] = '\0';
	return 0;
}
