/* SPDX-License-Identifier: GPL-2.0 */
/* The router's own addresses as LOCAL /32 routes: packets to them are the kernel's. */
#ifndef IPXR_LOCAL_H
#define IPXR_LOCAL_H

#include <stdbool.h>
#include <linux/types.h>

/*
 * Bring the LOCAL entries of the trie (and their record, ipxr_local4) in line with the kernel's
 * IPv4 addresses. Done once per process, before the first write. 0 or an exit code.
 */
int local_sync(void);
/* Whether @addr is an address of this router (after local_sync). */
bool local_is_addr(__be32 addr);
/* Forget a LOCAL entry removed by "route flush type local" (it returns at the next sync). */
void local_forget(__be32 addr);
void local_free(void);

#endif /* IPXR_LOCAL_H */
