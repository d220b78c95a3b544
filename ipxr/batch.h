/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The batch file reader (ipxr -batch): one command at a time, with ip's comments and
 * continuation lines, and bounds that make a file which is not a batch file an error.
 */
#ifndef IPXR_BATCH_H
#define IPXR_BATCH_H

#include <stdbool.h>
#include <stdio.h>

/*
 * The longest line, and the longest command its continuation lines make, in bytes without the
 * newline; written in ipxr(8). A route command is a few hundred bytes at most.
 */
#define BATCH_LINE_MAX	4096
/* The most words of a command (ip takes 100); written in ipxr(8). */
#define BATCH_MAX_ARGS	128

/*
 * The next command of @f into @cmd (BATCH_LINE_MAX + 1 bytes), comments cut, continuation lines
 * joined; ipxr.batch_line counts the lines read. Returns 0 (with *@eof set at the end of the
 * file), or an exit code with the error printed as FILE:LINE: a read error, a line or command
 * over the limit, a NUL byte. After an error the rest of the file cannot be trusted.
 */
int batch_read_cmd(FILE *f, char *cmd, bool *eof);

#endif /* IPXR_BATCH_H */
