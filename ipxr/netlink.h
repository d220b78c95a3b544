/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What ipxr asks the kernel over rtnetlink (libmnl). All calls return 0 or a negative errno.
 * Addresses are in network order, 4 bytes for AF_INET and 16 for AF_INET6.
 */
#ifndef IPXR_NETLINK_H
#define IPXR_NETLINK_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "utils.h"

struct nl_addr {
	__u8 family;
	__u8 addr[16];
	int ifindex;
};

struct nl_route {
	unsigned char type;	/* RTN_* */
	int oif;
	bool has_gw;
	__u8 gw[16];
};

/* the kernel's NUD_VALID (include/net/neighbour.h): states with a usable lladdr */
#define NEIGH_VALID	(NUD_PERMANENT | NUD_NOARP | NUD_REACHABLE | NUD_PROBE | NUD_STALE | \
			 NUD_DELAY)

struct nl_neigh {
	__u8 family;
	int ifindex;
	bool has_dst;
	__u8 dst[16];		/* NDA_DST */
	__u16 state;		/* NUD_* */
	__u32 flags_ext;	/* NTF_EXT_* */
	bool has_lladdr;
	__u8 lladdr[6];
};

/*
 * The decoders of one RTM_NEWADDR/DELADDR and one RTM_NEWNEIGH/DELNEIGH message, for answers and
 * notifications alike: 0, -EINVAL (another type, a truncated header), -EAFNOSUPPORT (neither
 * IPv4 nor IPv6) or, for an address, -ENOENT (none in the message). An address is IFA_LOCAL,
 * else IFA_ADDRESS; attributes of the wrong size are ignored.
 */
struct nlmsghdr;
int nl_addr_parse(const struct nlmsghdr *nlh, struct nl_addr *a);
int nl_neigh_parse(const struct nlmsghdr *nlh, struct nl_neigh *n);
/*
 * An RTM_NEWNETCONF notification of an IPv4 device's forwarding or rp_filter setting: 0 and its
 * ifindex in *@ifindex, NETCONFA_IFINDEX_ALL for net.ipv4.conf.all.rp_filter; -EINVAL,
 * -EAFNOSUPPORT, or -ENOENT (another setting, or the defaults of devices to come).
 */
int nl_netconf_parse(const struct nlmsghdr *nlh, int *ifindex);

/* The router's IPv4 and IPv6 addresses; *@out is malloc()ed. */
int nl_addr_dump(struct nl_addr **out, size_t *count);
/* The kernel's FIB entry for @dst, leaving by @oif when non-zero ("ip route get fibmatch"). */
int nl_route_get(int family, const void *dst, int oif, struct nl_route *rt);
int nl_neigh_get(int family, const void *addr, int ifindex, struct nl_neigh *n);
/* Ask the kernel to keep @addr resolved (NTF_EXT_MANAGED), keeping a known lladdr. */
int nl_neigh_managed(int family, const void *addr, int ifindex);
int nl_neigh_del(int family, const void *addr, int ifindex);
/*
 * The kernel route "@dst/128 via @gw dev @ifindex" in @table, protocol static (replacing any
 * route to @dst there), and its removal.
 */
int nl_route6_host_add(__u32 table, const __u8 *dst, const __u8 *gw, int ifindex);
int nl_route6_host_del(__u32 table, const __u8 *dst);

/*
 * Kernel routes (kroute.h). nl_route_parse() is the one decoder of an RTM_NEWROUTE/DELROUTE
 * message, for dumps and notifications alike: 0, or -EAFNOSUPPORT for what ipxr does not compile
 * (another family, a cloned or cache entry). nl_route_write() sends RTM_NEWROUTE (with @nlflags:
 * NLM_F_CREATE | NLM_F_EXCL for add, NLM_F_REPLACE for change, both for replace) or RTM_DELROUTE.
 * nl_route_dump() runs @cb on every route of @family (AF_UNSPEC: both) in @table (0: all);
 * a non-zero return from @cb stops the dump and is returned; -EINTR when the kernel said the
 * table changed during the dump (NLM_F_DUMP_INTR: dump again). nl_route_exact() gives the route
 * the kernel uses for exactly @dst in @table: 1 and *@r, or 0 when it has none. It asks the
 * kernel's lookup first (one request); only when the answer comes from another table (a
 * local address, a policy rule) or the lookup fails otherwise than "no route" does it dump
 * @table, which costs a walk of the whole table. A throw route in the main table is seen only
 * by a dump.
 */
struct kroute;

/*
 * nl_route_dump() a piece at a time, on a socket of its own that a thread reads ahead (a few
 * pieces), for a reader that must go on with other work between pieces (ipxr sync's re-scan
 * between event batches). Each piece shows the table as it was when the kernel made it.
 * nl_route_stream_open() sends the request (NULL and errno on failure); nl_route_stream_read()
 * reads at most @max pieces, running @cb on each route of the family and table asked for: 1
 * when more is to come (poll nl_route_stream_fd()), 0 when the dump is complete, a negative
 * errno or @cb's non-zero return. nl_route_stream_intr(): the kernel said the table changed
 * while it was dumped (NLM_F_DUMP_INTR).
 */
struct nl_route_stream;
struct nl_route_stream *nl_route_stream_open(int family, __u32 table);
int nl_route_stream_fd(const struct nl_route_stream *st);
int nl_route_stream_read(struct nl_route_stream *st, unsigned int max,
			 int (*cb)(const struct kroute *r, void *data), void *data);
bool nl_route_stream_intr(const struct nl_route_stream *st);
void nl_route_stream_close(struct nl_route_stream *st);
struct nlmsghdr;
int nl_route_parse(const struct nlmsghdr *nlh, struct kroute *r);
int nl_route_write(int cmd, int nlflags, const struct kroute *r);
/*
 * The same with NLM_F_ECHO: *@echo is the route as the kernel stored it (RTM_NEWROUTE) or the
 * one it deleted (RTM_DELROUTE: the first that @r describes), decoded by nl_route_parse().
 */
int nl_route_write_echo(int cmd, int nlflags, const struct kroute *r, struct kroute *echo);
int nl_route_dump(int family, __u32 table, int (*cb)(const struct kroute *r, void *data),
		  void *data);
int nl_route_exact(const struct inet_prefix *dst, __u32 table, struct kroute *r);
/*
 * nl_route_exact() by lookups alone, never a dump: -EAGAIN where no lookup can see @dst
 * (every address of it is routed by longer prefixes or belongs to another table: an
 * aggregate), -EXDEV where they did not tell (a reject route's error, more prefixes inside
 * than it probes). A dump costs a walk of the whole table: a writer that knows what it just
 * wrote or deleted can decide an -EAGAIN without one.
 */
int nl_route_lookup_exact(const struct inet_prefix *dst, __u32 table, struct kroute *r);

/*
 * For the files that speak rtnetlink (netlink.c, nlroute.c): send @nlh on the process's socket
 * and run @cb (a libmnl mnl_cb_t) on every answer until the ACK or the end of the dump.
 */
int nl_talk(struct nlmsghdr *nlh, int (*cb)(const struct nlmsghdr *nlh, void *data),
	    void *data);
/*
 * A request the kernel answers with exactly one message (a GET of one object) or an error,
 * sent without NLM_F_ACK: @cb returns MNL_CB_STOP on the answer. One receive instead of two.
 */
int nl_talk_reply(struct nlmsghdr *nlh, int (*cb)(const struct nlmsghdr *nlh, void *data),
		  void *data);

/* The kernel's message for the last request that failed ("" when it gave none). */
const char *nl_error_msg(void);

/*
 * A dump for the modules that decode their own messages (links, rules): of @type, with the
 * family header @hdr; @cb runs on every message and returns MNL_CB_OK to go on, MNL_CB_STOP or
 * MNL_CB_ERROR.
 */
typedef int (*nl_msg_cb)(const struct nlmsghdr *nlh, void *data);
int nl_dump(__u16 type, const void *hdr, size_t hdrlen, nl_msg_cb cb, void *data);

void nl_close(void);

#endif /* IPXR_NETLINK_H */
