/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Policy routing rules (ip rule). The fast path looks up one table for every packet, as if the
 * kernel had only its default rules; any other rule may send some traffic by another table, and
 * ipxr can only say so. The count is read from the kernel each time: nothing to keep in step.
 */
#ifndef IPXR_RULES_H
#define IPXR_RULES_H

#include <linux/types.h>

/*
 * The number of rules of both families other than the kernel's defaults and, with several
 * @tables (ipxr sync table A table B ...), the plain rules that look them up in their order;
 * or a negative errno.
 */
int rules_nondefault(const __u32 *tables, unsigned int ntables);

/* The warning ipxr sync logs and ipxr stats prints, for @n non-default rules and @tables. */
const char *rules_text(char *buf, unsigned long len, int n, const __u32 *tables,
		       unsigned int ntables);

#endif /* IPXR_RULES_H */
