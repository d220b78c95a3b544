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

struct nl_neigh {
	__u16 state;		/* NUD_* */
	__u32 flags_ext;	/* NTF_EXT_* */
	bool has_lladdr;
	__u8 lladdr[6];
};

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
void nl_close(void);

#endif /* IPXR_NETLINK_H */
