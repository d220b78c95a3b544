// SPDX-License-Identifier: GPL-2.0
/*
 * Seeds for fuzz_netlink: the current network namespace's links, addresses, routes (both
 * families, every table) and neighbours as its kernel dumps them, one message a file
 * (DIR/KIND-N), as ipxr reads them. tests/fuzz/mkcorpus.sh runs it in a namespace it builds.
 *
 *   nlcapture DIR
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

struct dump {
	const char *dir, *kind;
	unsigned int n;
};

static int save(const struct nlmsghdr *nlh, void *data)
{
	struct dump *d = data;
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s-%03u", d->dir, d->kind, d->n++);
	f = fopen(path, "w");
	if (!f || fwrite(nlh, 1, nlh->nlmsg_len, f) != nlh->nlmsg_len || fclose(f)) {
		perror(path);
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

static int dump(struct mnl_socket *nl, int type, size_t hdrlen, const char *dir,
		const char *kind)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct dump d = { .dir = dir, .kind = kind };
	unsigned int seq = (unsigned int)time(NULL) + (unsigned int)type;
	struct nlmsghdr *nlh;
	ssize_t n;
	int ret;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	/* the family byte leads every one of these headers: AF_UNSPEC, all families */
	mnl_nlmsg_put_extra_header(nlh, hdrlen);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n < 0)
			return -errno;
		ret = mnl_cb_run(buf, (size_t)n, seq, mnl_socket_get_portid(nl), save, &d);
	} while (ret > MNL_CB_STOP);
	printf("%s: %u messages\n", kind, d.n);
	return ret < 0 ? -errno : 0;
}

int main(int argc, char **argv)
{
	struct mnl_socket *nl;
	int err;

	if (argc != 2) {
		fprintf(stderr, "usage: nlcapture DIR\n");
		return 2;
	}
	nl = mnl_socket_open(NETLINK_ROUTE);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("netlink");
		return 1;
	}
	err = dump(nl, RTM_GETLINK, sizeof(struct ifinfomsg), argv[1], "link") ||
	      dump(nl, RTM_GETADDR, sizeof(struct ifaddrmsg), argv[1], "addr") ||
	      dump(nl, RTM_GETROUTE, sizeof(struct rtmsg), argv[1], "route") ||
	      dump(nl, RTM_GETNEIGH, sizeof(struct ndmsg), argv[1], "neigh");
	mnl_socket_close(nl);
	return err ? 1 : 0;
}
