/* SPDX-License-Identifier: GPL-2.0 */
/* What ipxr asks the kernel over rtnetlink (libmnl). All calls return 0 or a negative errno. */
#ifndef IPXR_NETLINK_H
#define IPXR_NETLINK_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

struct nl_addr4 {
	__be32 addr;
	int ifindex;
};

struct nl_route4 {
	unsigned char type;	/* RTN_* */
	int oif;
	bool has_gw;
	__be32 gw;
};

struct nl_neigh4 {
	__u16 state;		/* NUD_* */
	__u32 flags_ext;	/* NTF_EXT_* */
	bool has_lladdr;
	__u8 lladdr[6];
};

/* The router's IPv4 addresses; *@out is malloc()ed. */
int nl_addr4_dump(struct nl_addr4 **out, size_t *count);
/* The kernel's FIB entry for @dst, leaving by @oif when non-zero ("ip route get fibmatch"). */
int nl_route4_get(__be32 dst, int oif, struct nl_route4 *rt);
int nl_neigh4_get(__be32 addr, int ifindex, struct nl_neigh4 *n);
/* Ask the kernel to keep @addr resolved (NTF_EXT_MANAGED), keeping a known lladdr. */
int nl_neigh4_managed(__be32 addr, int ifindex);
int nl_neigh4_del(__be32 addr, int ifindex);
void nl_close(void);

#endif /* IPXR_NETLINK_H */
