// SPDX-License-Identifier: GPL-2.0
/*
 * rtnetlink notifications (libmnl). One socket per process, made in the namespace ipxr runs in
 * (main() entered the -n one before): notifications are of that namespace only.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include "events.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK	270
#endif

/* A kernel notification holds one object: a page of them per recv() keeps syscalls few. */
#define EVENTS_BUF	(64 * 1024)

static struct mnl_socket *ev;
static char *ev_buf;

static const struct {
	unsigned int flag;
	unsigned int group;
} groups_of[] = {
	{ EV_LINK, RTNLGRP_LINK },
	{ EV_ADDR, RTNLGRP_IPV4_IFADDR },
	{ EV_ADDR, RTNLGRP_IPV6_IFADDR },
	{ EV_ROUTE, RTNLGRP_IPV4_ROUTE },
	{ EV_ROUTE, RTNLGRP_IPV6_ROUTE },
	{ EV_NEIGH, RTNLGRP_NEIGH },
	{ EV_RULE, RTNLGRP_IPV4_RULE },
	{ EV_RULE, RTNLGRP_IPV6_RULE },
	{ EV_NEXTHOP, RTNLGRP_NEXTHOP },
	{ EV_NETCONF, RTNLGRP_IPV4_NETCONF },
};

void events_close(void)
{
	if (ev)
		mnl_socket_close(ev);
	ev = NULL;
	free(ev_buf);
	ev_buf = NULL;
}

int events_open(unsigned int groups, unsigned int rcvbuf)
{
	int fd, err;
	unsigned int i;

	events_close();
	ev_buf = malloc(EVENTS_BUF);
	ev = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (!ev || !ev_buf) {
		err = ev_buf ? -errno : -ENOMEM;
		events_close();
		return err;
	}
	fd = mnl_socket_get_fd(ev);
	/* forced past rmem_max when root; else the kernel's cap, which an overrun then reports */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)))
		goto fail;
	if (mnl_socket_bind(ev, 0, MNL_SOCKET_AUTOPID) < 0)
		goto fail;
	for (i = 0; i < sizeof(groups_of) / sizeof(groups_of[0]); i++) {
		if (!(groups & groups_of[i].flag))
			continue;
		int group = (int)groups_of[i].group;

		if (mnl_socket_setsockopt(ev, NETLINK_ADD_MEMBERSHIP, &group, sizeof(group)) < 0)
			goto fail;
	}
	/* an overrun must be seen as ENOBUFS, not hidden */
	setsockopt(fd, SOL_NETLINK, NETLINK_NO_ENOBUFS, &(int){ 0 }, sizeof(int));
	return fd;
fail:
	err = -errno;
	events_close();
	return err;
}

struct run_ctx {
	nl_msg_cb cb;
	void *data;
	size_t n;
};

static int one_msg(const struct nlmsghdr *nlh, void *data)
{
	struct run_ctx *c = data;

	c->n++;
	return c->cb(nlh, c->data);
}

int events_read(nl_msg_cb cb, void *data, size_t max)
{
	struct run_ctx c = { .cb = cb, .data = data };
	ssize_t len;
	int ret;

	if (!ev)
		return -EBADF;
	for (;;) {
		if (max && c.n >= max)
			return (int)c.n;
		len = mnl_socket_recvfrom(ev, ev_buf, EVENTS_BUF);
		if (len < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				return (int)c.n;
			return -errno;
		}
		/* notifications carry sequence 0 and port 0: no filtering by either */
		ret = mnl_cb_run(ev_buf, (size_t)len, 0, 0, one_msg, &c);
		if (ret < MNL_CB_STOP)
			return -errno ? -errno : -EIO;
	}
}
