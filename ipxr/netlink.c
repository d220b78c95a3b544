// SPDX-License-Identifier: GPL-2.0
/*
 * rtnetlink requests with libmnl. One socket per process, opened on first use, i.e. after
 * main() has entered the -n namespace: netlink sockets belong to the namespace they are made in.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/neighbour.h>
#include <linux/netconf.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include "netlink.h"

static struct mnl_socket *nl;
static unsigned int nl_portid;
static unsigned int nl_seq;

/*
 * Answers are read into one buffer for the life of the process. A dump fills as much of each
 * message as the reader's buffer takes (the kernel adapts to the largest recvmsg() it saw), so
 * a larger one means fewer system calls for a full table.
 */
#define NL_RECV_SIZE	32768

static char *nl_buf;
static char nl_ext_msg[256];	/* the kernel's extended ACK message of the last request */

static int nl_open(void)
{
	if (nl)
		return 0;
	nl = mnl_socket_open(NETLINK_ROUTE);
	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		int err = -errno;

		mnl_socket_close(nl);
		nl = NULL;
		return err;
	}
	/* the kernel's reasons ("Nexthop has invalid gateway") are worth more than errno's */
	{
		int on = 1;

		mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &on, sizeof(on));
	}
	nl_portid = mnl_socket_get_portid(nl);
	nl_seq = time(NULL);
	return 0;
}

void nl_close(void)
{
	if (nl)
		mnl_socket_close(nl);
	nl = NULL;
	free(nl_buf);
	nl_buf = NULL;
}

/* An NLMSG_ERROR: the errno, and the extended ACK's message when the kernel sent one. */
static int error_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *attr;
	unsigned int off = sizeof(*e);

	(void)data;
	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e))) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (e->error == 0)
		return MNL_CB_STOP;
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		/* the TLVs follow the request, echoed whole unless capped */
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			off += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
		if (mnl_nlmsg_size(off) <= nlh->nlmsg_len) {
			mnl_attr_for_each(attr, nlh, off) {
				if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
				    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
					snprintf(nl_ext_msg, sizeof(nl_ext_msg), "%s",
						 mnl_attr_get_str(attr));
			}
		}
	}
	errno = -e->error;
	return MNL_CB_ERROR;
}

const char *nl_error_msg(void)
{
	return nl_ext_msg;
}

static int talk(struct nlmsghdr *nlh, mnl_cb_t cb, void *data, bool ack)
{
	/* only NLMSG_ERROR is ours: types past the array get libmnl's handling (NLMSG_DONE) */
	static mnl_cb_t ctl[NLMSG_ERROR + 1] = { [NLMSG_ERROR] = error_cb };

	char *buf;
	int ret, err;

	err = nl_open();
	if (err)
		return err;
	nlh->nlmsg_seq = ++nl_seq;
	/*
	 * An ACK ends every request that is not a dump, so one loop serves both. A dump has both
	 * bits of NLM_F_DUMP: one alone is NLM_F_REPLACE or NLM_F_EXCL of a new-object request.
	 */
	if (ack && (nlh->nlmsg_flags & NLM_F_DUMP) != NLM_F_DUMP)
		nlh->nlmsg_flags |= NLM_F_ACK;
	if (!nl_buf) {
		nl_buf = malloc(NL_RECV_SIZE);
		if (!nl_buf)
			return -ENOMEM;
	}
	buf = nl_buf;
	nl_ext_msg[0] = '\0';
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		ret = mnl_socket_recvfrom(nl, buf, NL_RECV_SIZE);
		if (ret < 0) {
			ret = -errno;
			break;
		}
		ret = mnl_cb_run2(buf, ret, nlh->nlmsg_seq, nl_portid, cb, data, ctl, NLMSG_ERROR + 1);
		if (ret <= MNL_CB_STOP) {
			/* libmnl leaves the kernel's error in errno */
			ret = ret < 0 ? -errno : 0;
			break;
		}
	}
	return ret;
}

int nl_talk(struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	return talk(nlh, cb, data, true);
}

int nl_talk_reply(struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	return talk(nlh, cb, data, false);
}

static unsigned int af_len(int family)
{
	return family == AF_INET6 ? 16 : 4;
}

struct addr_dump {
	struct nl_addr *v;
	size_t n, alloc;
};

int nl_addr_parse(const struct nlmsghdr *nlh, struct nl_addr *a)
{
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *attr;
	bool found = false, any = false;
	unsigned int len;

	memset(a, 0, sizeof(*a));
	if ((nlh->nlmsg_type != RTM_NEWADDR && nlh->nlmsg_type != RTM_DELADDR) ||
	    nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*ifa)))
		return -EINVAL;
	if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6)
		return -EAFNOSUPPORT;
	len = af_len(ifa->ifa_family);
	mnl_attr_for_each(attr, nlh, sizeof(*ifa)) {
		if (mnl_attr_get_payload_len(attr) != len)
			continue;
		/* IFA_LOCAL is the address itself (IFA_ADDRESS is the peer's on point-to-point) */
		if (mnl_attr_get_type(attr) == IFA_LOCAL) {
			memcpy(a->addr, mnl_attr_get_payload(attr), len);
			found = any = true;
		} else if (mnl_attr_get_type(attr) == IFA_ADDRESS && !found) {
			memcpy(a->addr, mnl_attr_get_payload(attr), len);
			any = true;
		}
	}
	if (!any)
		return -ENOENT;
	a->family = ifa->ifa_family;
	a->ifindex = ifa->ifa_index;
	return 0;
}

static int addr_cb(const struct nlmsghdr *nlh, void *data)
{
	struct addr_dump *d = data;
	struct nl_addr *nv, a;

	if (nl_addr_parse(nlh, &a))
		return MNL_CB_OK;
	if (d->n == d->alloc) {
		d->alloc = d->alloc ? 2 * d->alloc : 16;
		nv = realloc(d->v, d->alloc * sizeof(*nv));
		if (!nv)
			return MNL_CB_ERROR;
		d->v = nv;
	}
	d->v[d->n++] = a;
	return MNL_CB_OK;
}

int nl_addr_dump(struct nl_addr **out, size_t *count)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct addr_dump d = {};
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifa;
	int err;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETADDR;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_UNSPEC;	/* both families in one dump */
	err = nl_talk(nlh, addr_cb, &d);
	if (err) {
		free(d.v);
		return err;
	}
	*out = d.v;
	*count = d.n;
	return 0;
}

static int route_cb(const struct nlmsghdr *nlh, void *data)
{
	struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	struct nl_route *rt = data;
	const struct nlattr *attr;

	if (nlh->nlmsg_type != RTM_NEWROUTE)
		return MNL_CB_OK;
	rt->type = rtm->rtm_type;
	mnl_attr_for_each(attr, nlh, sizeof(*rtm)) {
		switch (mnl_attr_get_type(attr)) {
		case RTA_OIF:
			rt->oif = mnl_attr_get_u32(attr);
			break;
		case RTA_GATEWAY:
			if (mnl_attr_get_payload_len(attr) == af_len(rtm->rtm_family)) {
				memcpy(rt->gw, mnl_attr_get_payload(attr),
				       af_len(rtm->rtm_family));
				rt->has_gw = true;
			}
			break;
		}
	}
	return MNL_CB_OK;
}

int nl_route_get(int family, const void *dst, int oif, struct nl_route *rt)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;

	memset(rt, 0, sizeof(*rt));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = family;
	rtm->rtm_dst_len = 8 * af_len(family);
	/*
	 * The FIB entry itself, not a resolved route: given an oif, the kernel would otherwise
	 * assume any address on-link there, as it does when sending out of a bound socket.
	 */
	rtm->rtm_flags = RTM_F_FIB_MATCH;
	mnl_attr_put(nlh, RTA_DST, af_len(family), dst);
	if (oif)
		mnl_attr_put_u32(nlh, RTA_OIF, oif);
	return nl_talk(nlh, route_cb, rt);
}

static struct nlmsghdr *route6_host_msg(char *buf, int type, int flags, __u32 table,
					const __u8 *dst)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET6;
	rtm->rtm_dst_len = 128;
	/* a table id past 255 only fits the attribute (as ip sends it) */
	rtm->rtm_table = table < 256 ? table : RT_TABLE_UNSPEC;
	rtm->rtm_protocol = RTPROT_STATIC;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put_u32(nlh, RTA_TABLE, table);
	mnl_attr_put(nlh, RTA_DST, 16, dst);
	return nlh;
}

int nl_route6_host_add(__u32 table, const __u8 *dst, const __u8 *gw, int ifindex)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;

	nlh = route6_host_msg(buf, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, table, dst);
	mnl_attr_put(nlh, RTA_GATEWAY, 16, gw);
	mnl_attr_put_u32(nlh, RTA_OIF, ifindex);
	return nl_talk(nlh, NULL, NULL);
}

int nl_route6_host_del(__u32 table, const __u8 *dst)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];

	return nl_talk(route6_host_msg(buf, RTM_DELROUTE, 0, table, dst), NULL, NULL);
}

int nl_neigh_parse(const struct nlmsghdr *nlh, struct nl_neigh *n)
{
	const struct ndmsg *ndm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *attr;
	unsigned int len;

	memset(n, 0, sizeof(*n));
	if ((nlh->nlmsg_type != RTM_NEWNEIGH && nlh->nlmsg_type != RTM_DELNEIGH) ||
	    nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*ndm)))
		return -EINVAL;
	if (ndm->ndm_family != AF_INET && ndm->ndm_family != AF_INET6)
		return -EAFNOSUPPORT;
	n->family = ndm->ndm_family;
	n->ifindex = ndm->ndm_ifindex;
	n->state = ndm->ndm_state;
	len = af_len(n->family);
	mnl_attr_for_each(attr, nlh, sizeof(*ndm)) {
		switch (mnl_attr_get_type(attr)) {
		case NDA_DST:
			if (mnl_attr_get_payload_len(attr) == len) {
				memcpy(n->dst, mnl_attr_get_payload(attr), len);
				n->has_dst = true;
			}
			break;
		case NDA_LLADDR:
			if (mnl_attr_get_payload_len(attr) == 6) {
				memcpy(n->lladdr, mnl_attr_get_payload(attr), 6);
				n->has_lladdr = true;
			}
			break;
		case NDA_FLAGS_EXT:
			if (mnl_attr_get_payload_len(attr) == sizeof(__u32))
				n->flags_ext = mnl_attr_get_u32(attr);
			break;
		}
	}
	return 0;
}

int nl_netconf_parse(const struct nlmsghdr *nlh, int *ifindex)
{
	const struct netconfmsg *ncm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *attr;
	bool forwarding = false, rp_filter = false;

	*ifindex = 0;
	if (nlh->nlmsg_type != RTM_NEWNETCONF || nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*ncm)))
		return -EINVAL;
	if (ncm->ncm_family != AF_INET)
		return -EAFNOSUPPORT;
	mnl_attr_for_each(attr, nlh, sizeof(*ncm)) {
		switch (mnl_attr_get_type(attr)) {
		case NETCONFA_IFINDEX:
			if (mnl_attr_get_payload_len(attr) == sizeof(__s32))
				*ifindex = (int)mnl_attr_get_u32(attr);
			break;
		case NETCONFA_FORWARDING:
			forwarding = true;
			break;
		case NETCONFA_RP_FILTER:
			rp_filter = true;
			break;
		}
	}
	if ((forwarding || rp_filter) && *ifindex > 0)
		return 0;
	/*
	 * The kernel tells of net.ipv4.conf.all.rp_filter once, for all devices; a change of
	 * all.forwarding it tells device by device.
	 */
	if (rp_filter && *ifindex == NETCONFA_IFINDEX_ALL)
		return 0;
	return -ENOENT;
}

static int neigh_cb(const struct nlmsghdr *nlh, void *data)
{
	if (nlh->nlmsg_type == RTM_NEWNEIGH)
		nl_neigh_parse(nlh, data);
	return MNL_CB_OK;
}

static struct nlmsghdr *neigh_msg(char *buf, int type, int flags, int family, const void *addr,
				  int ifindex, __u16 state)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ndmsg *ndm;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = family;
	ndm->ndm_ifindex = ifindex;
	ndm->ndm_state = state;
	mnl_attr_put(nlh, NDA_DST, af_len(family), addr);
	return nlh;
}

int nl_neigh_get(int family, const void *addr, int ifindex, struct nl_neigh *n)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];

	memset(n, 0, sizeof(*n));
	return nl_talk(neigh_msg(buf, RTM_GETNEIGH, 0, family, addr, ifindex, 0), neigh_cb, n);
}

/*
 * The message "ip neigh replace GW dev DEV managed" sends: state NUD_NONE and no lladdr, so an
 * entry the kernel already resolved keeps its address and state and only gains the flag.
 */
int nl_neigh_managed(int family, const void *addr, int ifindex)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;

	nlh = neigh_msg(buf, RTM_NEWNEIGH, NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE, family, addr,
			ifindex, NUD_NONE);
	mnl_attr_put_u32(nlh, NDA_FLAGS_EXT, NTF_EXT_MANAGED);
	return nl_talk(nlh, NULL, NULL);
}

int nl_neigh_del(int family, const void *addr, int ifindex)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];

	return nl_talk(neigh_msg(buf, RTM_DELNEIGH, NLM_F_ACK, family, addr, ifindex, 0), NULL,
		       NULL);
}

int nl_dump(__u16 type, const void *hdr, size_t hdrlen, nl_msg_cb cb, void *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	memcpy(mnl_nlmsg_put_extra_header(nlh, hdrlen), hdr, hdrlen);
	return nl_talk(nlh, cb, data);
}
