/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ports maps (ipxr_port_tab, ipxr_ports): which devices run this object's XDP program and
 * are up, and whether they forward IPv4, as the kernel's link information and settings say. The
 * program redirects only into ports that run it; see ipxr_maps.h.
 */
#ifndef IPXR_PORTS_H
#define IPXR_PORTS_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include <net/if.h>

struct nlmsghdr;
struct ipxr_port;

/* One RTM_NEWLINK/RTM_DELLINK message, decoded. */
struct port_link {
	int ifindex;
	bool gone;		/* RTM_DELLINK */
	unsigned int ifi_flags;	/* IFF_* */
	__u32 prog_id;		/* the XDP program attached, 0: none */
	bool skb_mode;		/* attached in generic mode only */
	char name[IF_NAMESIZE];
	char kind[16];		/* IFLA_INFO_KIND ("veth", "bridge"...), "" for none */
	int link;		/* IFLA_LINK: a veth's peer, 0: none */
	int link_netnsid;	/* IFLA_LINK_NETNSID: the namespace @link is in, -1: this one */
	__u32 mtu;		/* IFLA_MTU */
	bool vlan;		/* an 8021q device ("vlan"): @link is its lower device */
	__u16 vlan_id;		/* IFLA_VLAN_ID */
	__be16 vlan_proto;	/* IFLA_VLAN_PROTOCOL, network order */
};

/* 0, or -EINVAL for a message that is not a link's. */
int port_link_parse(const struct nlmsghdr *nlh, struct port_link *l);

/*
 * Device @ifindex as the kernel has it now, in the namespace of id @netnsid (-1: this one, the
 * namespace ipxr runs in): 0 and *@l, or a negative errno.
 */
int port_link_get(int ifindex, int netnsid, struct port_link *l);

/* The record ipxr keeps for @l (enum ipxr_port_flags), asking the kernel about its program. */
__u32 port_flags(const struct port_link *l);

/*
 * Device @ifindex's IPv4 settings changed (a netconf notification, or an IPv4 address coming or
 * going): its record is written again, for its forwarding (IPXR_PORT_F_NOFWD4) and reverse-path
 * filtering (IPXR_PORT_F_RPF_*) flags. 0 or a negative errno.
 */
int ports_netconf(int ifindex);

/*
 * Write @l's record; *@old and *@new (either may be NULL) get the flags before and after (0:
 * no record). A VLAN sub-interface's record is resolved through its lower device's (link, tags,
 * the link's state), and the sub-interfaces on @l are recorded again when @l's record changes.
 * Returns 0 or a negative errno.
 */
int ports_apply(const struct port_link *l, __u32 *old, __u32 *new);

/*
 * Record every device of the namespace from one link dump and drop the records of devices that
 * are gone. Every ipxr write calls it once, after maps_open(true) (compile_begin()); ipxr sync
 * at start and after an overrun. 0 or an exit code with the error printed.
 */
int ports_sync(void);

/* The flags of @ifindex's record (0 when none) as the maps hold it. */
__u32 port_get(int ifindex);

/*
 * @ifindex's record in *@v, from ipxr_port_tab or ipxr_ports (see ipxr_maps.h): 0, or -ENOENT
 * when there is none.
 */
int port_record(int ifindex, struct ipxr_port *v);

/* The ifindexes that have a record, in *@keys (malloc'd, *@n of them): 0 or a negative errno. */
int ports_list(__u32 **keys, size_t *n);

/* Whether @ifindex is up with carrier now, as the kernel says (not the map). */
bool port_up_now(int ifindex);

#endif /* IPXR_PORTS_H */
