/* SPDX-License-Identifier: GPL-2.0 */
/* ipxr sync: the fast path follows the kernel's routing table. */
#ifndef IPXR_SYNC_H
#define IPXR_SYNC_H

int do_sync(int argc, char **argv);

#endif /* IPXR_SYNC_H */
