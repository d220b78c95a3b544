// SPDX-License-Identifier: GPL-2.0
/*
 * Ports that drop the frames redirected into them (redirect.h): the kernel's xdp-features over
 * the netdev generic netlink family, and for a veth its peer, named so the message can say
 * where to turn GRO on.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/if_link.h>
#include <linux/net_namespace.h>
#include <linux/rtnetlink.h>

#include "netlink.h"
#include "ports.h"
#include "redirect.h"

/*
 * The netdev family's words (uapi linux/netdev.h, Linux 6.3), named here: the build hosts'
 * headers (Debian 12's) are older.
 */
#define NETDEV_FAMILY_NAME		"netdev"
#define NETDEV_FAMILY_VERSION		1
#define NETDEV_CMD_DEV_GET		1
#define NETDEV_A_DEV_IFINDEX		1
#define NETDEV_A_DEV_XDP_FEATURES	3
#define NETDEV_XDP_ACT_NDO_XMIT		(1ULL << 2)

static struct {
	struct mnl_socket *sk;
	unsigned int portid, seq;
	int family;		/* the netdev family's id; 0 not asked yet, -1 none */
} gn;

static int genl_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr);

	if (type >= 0 && type <= NETDEV_A_DEV_XDP_FEATURES)
		tb[type] = attr;
	return MNL_CB_OK;
}

/* One request on the generic netlink socket; @cb on the answer. 0 or a negative errno. */
static int genl_talk(struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	int ret;

	nlh->nlmsg_seq = ++gn.seq;
	if (mnl_socket_sendto(gn.sk, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		ret = mnl_socket_recvfrom(gn.sk, buf, sizeof(buf));
		if (ret < 0)
			return -errno;
		ret = mnl_cb_run(buf, ret, nlh->nlmsg_seq, gn.portid, cb, data);
	} while (ret > MNL_CB_STOP);
	return ret < 0 ? -errno : 0;
}

static struct nlmsghdr *genl_msg(char *buf, __u16 type, __u8 cmd, __u8 version)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = version;
	return nlh;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *attr;

	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(attr) == CTRL_ATTR_FAMILY_ID &&
		    mnl_attr_validate(attr, MNL_TYPE_U16) == 0)
			*(int *)data = mnl_attr_get_u16(attr);
	return MNL_CB_OK;
}

/* The netdev family's id, asked once: > 0, or 0 when the kernel has none. */
static int netdev_family(void)
{
	char buf[256];
	struct nlmsghdr *nlh;
	int id = 0;

	if (gn.family)
		return gn.family > 0 ? gn.family : 0;
	gn.family = -1;
	gn.sk = mnl_socket_open(NETLINK_GENERIC);
	if (!gn.sk)
		return 0;
	if (mnl_socket_bind(gn.sk, 0, MNL_SOCKET_AUTOPID) < 0) {
		mnl_socket_close(gn.sk);
		gn.sk = NULL;
		return 0;
	}
	gn.portid = mnl_socket_get_portid(gn.sk);
	gn.seq = time(NULL);
	nlh = genl_msg(buf, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, NETDEV_FAMILY_NAME);
	if (genl_talk(nlh, family_cb, &id) || id <= 0)
		return 0;
	gn.family = id;
	return id;
}

struct features {
	bool have;
	__u64 xdp;
};

static int features_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[NETDEV_A_DEV_XDP_FEATURES + 1] = {};
	struct features *f = data;

	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), genl_attr_cb, tb);
	if (tb[NETDEV_A_DEV_XDP_FEATURES] &&
	    mnl_attr_validate(tb[NETDEV_A_DEV_XDP_FEATURES], MNL_TYPE_U64) == 0) {
		f->have = true;
		f->xdp = mnl_attr_get_u64(tb[NETDEV_A_DEV_XDP_FEATURES]);
	}
	return MNL_CB_OK;
}

/* @ifindex's xdp-features: 1 and *@xdp, 0 when the kernel does not tell, or a negative errno. */
static int xdp_features(int ifindex, __u64 *xdp)
{
	int family = netdev_family(), err;
	struct features f = {};
	char buf[256];
	struct nlmsghdr *nlh;

	if (!family)
		return 0;
	nlh = genl_msg(buf, family, NETDEV_CMD_DEV_GET, NETDEV_FAMILY_VERSION);
	mnl_attr_put_u32(nlh, NETDEV_A_DEV_IFINDEX, ifindex);
	err = genl_talk(nlh, features_cb, &f);
	if (err)
		return err;
	*xdp = f.xdp;
	return f.have;
}

/* ---- a veth's peer, to name it ------------------------------------------------------------- */

static int nsid_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *attr;

	mnl_attr_for_each(attr, nlh, sizeof(struct rtgenmsg))
		if (mnl_attr_get_type(attr) == NETNSA_NSID &&
		    mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
			*(int *)data = (int)mnl_attr_get_u32(attr);
	return MNL_CB_STOP;
}

/* The name in /run/netns of the namespace this one knows as @nsid, or "" when none has it. */
static void netns_name(int nsid, char *name, size_t len)
{
	char buf[256], path[300];
	struct nlmsghdr *nlh;
	struct rtgenmsg *g;
	struct dirent *de;
	DIR *d;
	int fd, id;

	name[0] = '\0';
	d = opendir("/run/netns");
	if (!d)
		return;
	while ((de = readdir(d)) && !name[0]) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/run/netns/%s", de->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		nlh = mnl_nlmsg_put_header(buf);
		nlh->nlmsg_type = RTM_GETNSID;
		nlh->nlmsg_flags = NLM_F_REQUEST;
		g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
		g->rtgen_family = AF_UNSPEC;
		mnl_attr_put_u32(nlh, NETNSA_FD, fd);
		id = -1;
		if (!nl_talk_reply(nlh, nsid_cb, &id) && id == nsid)
			snprintf(name, len, "%.*s", (int)(len - 1), de->d_name);
		close(fd);
	}
	closedir(d);
}

/* The peer of veth @l as its namespace sees it: 0 and *@p, or a negative errno. */
static int veth_peer(const struct port_link *l, struct port_link *p)
{
	return port_link_get(l->link, l->link_netnsid, p);
}

int redirect_refused(const struct port_link *l, char *msg, size_t len)
{
	char ns[128], where[200];
	struct port_link peer;
	__u64 xdp = 0;
	int ret = xdp_features(l->ifindex, &xdp);

	if (ret <= 0)
		return ret;
	if (xdp & NETDEV_XDP_ACT_NDO_XMIT)
		return 0;
	/* a veth advertises it while its peer has a program or GRO, and no more TX queues */
	if (strcmp(l->kind, "veth") || !l->link || veth_peer(l, &peer) || !peer.name[0] ||
	    peer.prog_id) {
		snprintf(msg, len, "port %s cannot take redirected frames (its driver has no "
			 "ndo_xdp_xmit now): the kernel drops every frame the fast path forwards "
			 "there, which ipxr counts as forwarded", l->name);
		return 1;
	}
	ns[0] = '\0';
	if (l->link_netnsid >= 0)
		netns_name(l->link_netnsid, ns, sizeof(ns));
	if (l->link_netnsid < 0)
		snprintf(where, sizeof(where), "ethtool -K %s gro on", peer.name);
	else if (ns[0])
		snprintf(where, sizeof(where), "ip netns exec %s ethtool -K %s gro on", ns,
			 peer.name);
	else
		snprintf(where, sizeof(where), "ethtool -K %s gro on, in netns id %d", peer.name,
			 l->link_netnsid);
	snprintf(msg, len, "port %s is a veth whose peer %s%s%s has no XDP program and GRO off: "
		 "the kernel drops every frame the fast path redirects into %s, which ipxr counts "
		 "as forwarded; attach an XDP program on %s, or turn GRO on: %s", l->name,
		 peer.name, ns[0] ? " in netns " : "", ns, l->name, peer.name, where);
	return 1;
}
