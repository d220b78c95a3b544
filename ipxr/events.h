/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The rtnetlink notification socket of ipxr sync and ipxr monitor: subscribed to the groups
 * that can change what the fast path must do (links, addresses, routes, neighbours, rules,
 * nexthop objects), read without blocking so that what arrives together is handled together.
 */
#ifndef IPXR_EVENTS_H
#define IPXR_EVENTS_H

#include <stdbool.h>
#include <stddef.h>

#include "netlink.h"

/* The groups events_open() joins. */
enum {
	EV_LINK = 1 << 0,
	EV_ADDR = 1 << 1,
	EV_ROUTE = 1 << 2,
	EV_NEIGH = 1 << 3,
	EV_RULE = 1 << 4,
	EV_NEXTHOP = 1 << 5,
	EV_NETCONF = 1 << 6,	/* IPv4 devices' settings: a sub-interface's forwarding */
	EV_ALL = (1 << 7) - 1,
};

/*
 * The receive buffer a full-table storm needs: BIRD or FRR installing a million routes queues
 * several hundred megabytes of notifications faster than a batch is applied.
 */
#define EVENTS_RCVBUF	(256U << 20)

/*
 * Open the socket in the current network namespace, joined to @groups, with a receive buffer of
 * @rcvbuf bytes (SO_RCVBUFFORCE as root, SO_RCVBUF otherwise: the kernel then caps it at
 * net.core.rmem_max). Returns the socket's fd (for poll) or a negative errno.
 */
int events_open(unsigned int groups, unsigned int rcvbuf);
void events_close(void);

/*
 * Run @cb on every message queued now, without blocking, at most @max of them (0: no limit).
 * Returns the number of messages read, or -ENOBUFS when the kernel dropped notifications (the
 * queue is usable again: what follows arrives), or another negative errno.
 */
int events_read(nl_msg_cb cb, void *data, size_t max);

#endif /* IPXR_EVENTS_H */
