/* SPDX-License-Identifier: GPL-2.0 */
/* The router's own addresses as LOCAL host routes: packets to them are the kernel's. */
#ifndef IPXR_LOCAL_H
#define IPXR_LOCAL_H

#include <stdbool.h>
#include <linux/types.h>

#include "maps.h"

/*
 * Bring the LOCAL entries of both tries (and their records, ipxr_local4 and ipxr_local6) in
 * line with the kernel's IPv4 and global IPv6 addresses. Done once per process, before the
 * first write. 0 or an exit code.
 */
int local_sync(void);
/* Whether @addr (of @f's family) is an address of this router (after local_sync). */
bool local_is_addr(const struct ipxr_family *f, const __u8 *addr);
/* The device of the LOCAL entry for @addr, from its record; 0 if none. */
__u32 local_ifindex(const struct ipxr_family *f, const __u8 *addr);
/* Forget a LOCAL entry removed by "route flush type local" (it returns at the next sync). */
void local_forget(const struct ipxr_family *f, const __u8 *addr);
void local_free(void);

#endif /* IPXR_LOCAL_H */
