/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The test programs' report lines (tests/run.sh reads them): one `ok - LABEL` or
 * `not ok - LABEL` per check, the tally in n_ok and n_fail. Included once per program.
 */
#ifndef IPXR_TESTS_TAP_H
#define IPXR_TESTS_TAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

static int n_ok, n_fail;

/* Report COND under the label FMT; returns COND so a caller can stop on a failed premise. */
static bool __attribute__((format(printf, 2, 3), unused)) check(bool cond, const char *fmt, ...)
{
	va_list ap;

	printf(cond ? "ok - " : "not ok - ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (cond)
		n_ok++;
	else
		n_fail++;
	return cond;
}

#endif /* IPXR_TESTS_TAP_H */
