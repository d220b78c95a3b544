/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Map layout shared by the XDP program (bpf/xdp_router.c) and ipxr.
 *
 * Every map is pinned by name, so several ports loading the object share one table and a
 * reloaded program keeps its routes. Any change to a key, a value or a map's size must bump
 * IPXR_LAYOUT_VERSION: ipxr reads the version from the BTF of the pinned config map and refuses
 * to write a layout it does not know.
 */
#ifndef IPXR_MAPS_H
#define IPXR_MAPS_H

#include <linux/types.h>

/*
 * Carried in the BTF of the config map's value type, so the version travels with the object that
 * created the maps: no program run or loader step is needed to stamp it.
 */
enum ipxr_layout {
	IPXR_LAYOUT_MAGIC = 0x69707872,	/* "ipxr" */
	IPXR_LAYOUT_VERSION = 4,
};

#define IPXR_MAP_CONFIG		"ipxr_config"
#define IPXR_MAP_ROUTE4		"ipxr_route4"
#define IPXR_MAP_ROUTE6		"ipxr_route6"
#define IPXR_MAP_NEXTHOP	"ipxr_nexthop"
#define IPXR_MAP_NEIGH4		"ipxr_neigh4"
#define IPXR_MAP_NEIGH6		"ipxr_neigh6"
#define IPXR_MAP_STATS		"ipxr_stats"
#define IPXR_MAP_NH_STATS	"ipxr_nh_stats"
#define IPXR_MAP_LOCAL4		"ipxr_local4"
#define IPXR_MAP_LOCAL6		"ipxr_local6"
#define IPXR_MAP_DIR24		"ipxr_dir24"
#define IPXR_MAP_PORTS		"ipxr_ports"

#define IPXR_MAX_ROUTES4	(1U << 20)	/* 1,048,576: a full BGP table and then some */
#define IPXR_MAX_ROUTES6	(1U << 18)	/* 262,144: today's IPv6 table is ~230k */
#define IPXR_MAX_NEXTHOPS	65536
#define IPXR_MAX_NEIGH4		65536		/* hosts on connected routes, LRU */
#define IPXR_MAX_NEIGH6		65536
#define IPXR_MAX_STATS		32		/* reasons per family, see IPXR_STAT_LIST */
#define IPXR_MAX_LOCAL4		4096		/* addresses of this router */
#define IPXR_MAX_LOCAL6		4096
#define IPXR_MAX_PORTS		4096		/* devices of the router's namespace */

/*
 * The kernel's bpf_fib_lookup() refuses link-local destinations (BPF_FIB_LKUP_RET_NOT_FWDED), yet
 * link-local gateways are the common case for IPv6. For each such next hop ipxr installs a kernel
 * route "IPXR_STANDIN6_PREFIX::<nh id>/128 via fe80::.. dev DEV" in its own kernel table
 * IPXR_KERNEL_TABLE, which nothing routes by; the program looks the stand-in up in that table
 * (BPF_FIB_LOOKUP_DIRECT | BPF_FIB_LOOKUP_TBID) and the kernel answers with the gateway's
 * neighbour entry. The stand-ins come from the discard-only prefix 100::/64 (RFC 6666).
 */
#define IPXR_KERNEL_TABLE	1768978546U	/* 0x69707872, "ipxr" */
#define IPXR_STANDIN6_HI	0x01000000U	/* first 32 bits: 0100:0000:: */

/*
 * A neighbour entry older than this is looked up again in the kernel's tables. Overridable only
 * to measure what the cache saves (0: a kernel lookup for every packet).
 */
#ifndef IPXR_NEIGH_REFRESH_NS
#define IPXR_NEIGH_REFRESH_NS	(250ULL * 1000 * 1000)
#endif

struct ipxr_config {
	enum ipxr_layout magic;		/* the enum's BTF holds IPXR_LAYOUT_VERSION */
	__u32 nh_hiwater;		/* next-hop ids in use are below this */
	__u32 table;			/* the kernel table the maps are compiled from, 0: main */
	/*
	 * Nonzero (the writer's pid) from before a writer's first change to after its last: a
	 * writer that finds it set knows one died half-way, and recovers before it writes
	 * (compile_begin()): next-hop counts recounted, front table repainted, maps diffed with
	 * the kernel table. Never read by the XDP program.
	 */
	__u32 writing;
	__u32 reserved[4];
};

struct ipxr_route4_key {
	__u32 prefixlen;
	__be32 addr;
};

enum ipxr_route_type {
	IPXR_RT_UNSPEC,
	IPXR_RT_UNICAST,	/* forward to nh_id */
	IPXR_RT_BLACKHOLE,	/* drop and count */
	IPXR_RT_LOCAL,		/* an address of this router: hand to the kernel */
	/*
	 * The kernel's route is one the fast path leaves to it: unreachable, prohibit, throw (it
	 * sends the ICMP error or goes on to the next table), local, broadcast, anycast, and what
	 * ipxr does not compile yet (multipath, nexthop objects). The kernel holds the same route,
	 * so passing is exact.
	 */
	IPXR_RT_KERNEL,
};

enum ipxr_route_flags {
	IPXR_RT_F_MTU_LOCK = 1 << 0,	/* "mtu lock N": path MTU discovery may not lower it */
	IPXR_RT_F_ONLINK = 1 << 1,	/* the gateway was declared on-link */
};

/*
 * One trie entry: what the fast path does (type, nh_id, mtu) and what the kernel route it was
 * compiled from says (rtn_type to mtu), so ipxr shows routes as ip does and ipxr sync diffs the
 * maps against the kernel without asking it again.
 */
struct ipxr_route {
	__u8 type;		/* enum ipxr_route_type */
	__u8 flags;		/* enum ipxr_route_flags */
	/*
	 * The prefix length of the entry's own key: a trie lookup returns the longest match, so
	 * this is how ipxr tells an exact entry from a covering one in a single lookup.
	 */
	__u16 prefixlen;
	__u32 nh_id;		/* index into ipxr_nexthop; 0 for non-unicast types */
	__u8 rtn_type;		/* the kernel route's RTN_*; 0 for ipxr's LOCAL copies */
	__u8 protocol;		/* RTPROT_* */
	__u8 scope;		/* RT_SCOPE_* */
	__u8 reserved;
	__u32 priority;		/* the metric */
	__u32 table;		/* the kernel table */
	/*
	 * The route's MTU (RTAX_MTU), 0: none. Packets larger than the smaller of it and the
	 * egress device's MTU go to the kernel, which fragments them or sends the ICMP error.
	 */
	__u32 mtu;
};

/*
 * What the fast path learnt from the kernel about one neighbour. Written only by the XDP program;
 * ipxr clears it (stamp_ns = 0) whenever it rewrites the entry that holds it.
 */
struct ipxr_neigh_cache {
	__u64 stamp_ns;		/* bpf_ktime_get_coarse_ns() of the last good lookup, 0: invalid */
	__u8 dmac[6];
	__u8 smac[6];
	__u16 mtu;		/* MTU of the kernel's route to the neighbour */
	__u16 reserved;
};

enum ipxr_nh_flags {
	IPXR_NH_F_CONNECTED = 1 << 0,	/* no gateway: the destination itself is the neighbour */
	IPXR_NH_F_MANAGED = 1 << 1,	/* ipxr asked the kernel to keep the gateway resolved */
	IPXR_NH_F_STANDIN = 1 << 2,	/* link-local gateway: resolve through IPXR_KERNEL_TABLE */
};

struct ipxr_nexthop {
	/* set by ipxr */
	__u32 ifindex;		/* egress device, 0: free slot */
	__u32 refcnt;		/* routes pointing here */
	__u8 family;		/* AF_INET or AF_INET6, AF_UNSPEC for a connected next hop */
	__u8 flags;		/* enum ipxr_nh_flags */
	__u16 reserved;
	__u8 gw[16];		/* gateway; an IPv4 address in the first 4 bytes */
	/* set by the XDP program */
	struct ipxr_neigh_cache cache;
};

/*
 * ipxr_dir24: the IPv4 front table, one __u32 word per /24 (word index: host-order destination
 * >> 8), created BPF_F_MMAPABLE so ipxr paints it through mmap. The kernel rounds array values up
 * to 8 bytes, so the words go in pairs: element i holds words 2i and 2i + 1 and the mapping is
 * one flat __u32[IPXR_DIR24_SLOTS] (64 MiB; single words would take 128).
 * As DPDK's rte_lpm and VPP keep a DIR-24-8 table in front of their tries, it answers most
 * lookups with one read instead of the 20-odd node visits of a full table's LPM trie walk.
 * ipxr_route4 stays the source of truth (show, get, exact lookups, prefixes longer than /24);
 * the front table is derived from it and only ever says "use this route" where the trie would
 * say the same for every address of the /24. An entry:
 *
 *   bit 31     IPXR_D24_VALID   painted; 0: the whole word means nothing, ask the trie
 *   bit 30     IPXR_D24_LONGER  a route longer than /24 lies inside this /24: ask the trie
 *   bit 29     IPXR_D24_OPAQUE  the covering route does not fit the word (nh_id > 0xffff, or a
 *                               route MTU): ask
 *   bits 24-28 prefix length (0..24) of the covering route, 0 also when there is none
 *   bits 16-23 its type (enum ipxr_route_type); IPXR_RT_UNSPEC with no route: no_route
 *   bits 0-15  its nh_id
 *
 * Words with LONGER or OPAQUE still name the covering route: ipxr paints from them.
 * Slot 0 (0.0.0.0/24) is never a destination the program looks up (0/8 is martian), so it holds
 * the table's state: IPXR_D24_VALID | the id of the ipxr_route4 map it was painted from while the
 * table is in step with the trie; without IPXR_D24_VALID (while ipxr writes, or never painted:
 * 0) the program uses the trie alone. An object that only ever writes the trie therefore stays
 * correct, and a writer that dies half-way leaves a table nobody reads until ipxr repaints it.
 */
#define IPXR_DIR24_SLOTS	(1U << 24)	/* words */
#define IPXR_DIR24_ENTRIES	(IPXR_DIR24_SLOTS / 2)	/* map elements */
#define IPXR_D24_STATE		0		/* the slot holding the state word */
#define IPXR_D24_VALID		(1U << 31)
#define IPXR_D24_LONGER		(1U << 30)
#define IPXR_D24_OPAQUE		(1U << 29)
#define IPXR_D24_PLEN_SHIFT	24
#define IPXR_D24_PLEN_MASK	0x1fU
#define IPXR_D24_TYPE_SHIFT	16
#define IPXR_D24_TYPE_MASK	0xffU
#define IPXR_D24_NH_MASK	0xffffU
/* a word the program may act on without the trie: valid, nothing longer, nothing left out */
#define IPXR_D24_DIRECT(e)	(((e) & (IPXR_D24_VALID | IPXR_D24_LONGER | IPXR_D24_OPAQUE)) == \
				 IPXR_D24_VALID)

struct ipxr_dir24_pair {
	__u32 word[2];
};

struct ipxr_route6_key {
	__u32 prefixlen;
	__u8 addr[16];
};

struct ipxr_neigh4_key {
	__u32 ifindex;
	__be32 addr;
};

struct ipxr_neigh6_key {
	__u32 ifindex;
	__u8 addr[16];
};

/*
 * ipxr_local4 (ipxr_local6) records which /32 (/128) entries of ipxr_route4 (ipxr_route6) are
 * IPXR_RT_LOCAL copies of the router's own addresses (key: the address, __be32 or __u8[16]; value:
 * __u32 ifindex), so ipxr can add and remove them as the kernel's addresses change without walking
 * the whole route table. The XDP program never reads them: the copies in the tries cost the fast
 * path nothing.
 */

/*
 * ipxr_ports: what the fast path must know of an egress port before it redirects a frame there
 * (key: __u32 ifindex). ipxr writes it from the kernel's link information (RTM_NEWLINK, IFLA_XDP)
 * at every write and ipxr sync on every link event. A port with no entry, or without
 * IPXR_PORT_F_XDP, is not redirected to: a device that does not run this object (lo, a tunnel, a
 * bridge, a VLAN upper, a port with another program or none) may drop redirected frames, so the
 * frame goes to the kernel (port_no_xdp), which forwards it by the same route. A port that is
 * not IPXR_PORT_F_UP (admin down or no carrier) hands its frames to the kernel too (port_down):
 * it answers as it does for a dead link.
 */
enum ipxr_port_flags {
	IPXR_PORT_F_XDP = 1 << 0,	/* runs this object's program (native or generic mode) */
	IPXR_PORT_F_UP = 1 << 1,	/* IFF_UP and IFF_RUNNING: admin up with carrier */
	IPXR_PORT_F_SKB = 1 << 2,	/* the program is attached in generic (skb) mode */
};

struct ipxr_port {
	__u32 flags;		/* enum ipxr_port_flags */
	__u32 prog_id;		/* the XDP program attached there, 0: none (for ipxr's display) */
};

struct ipxr_counter {
	__u64 packets;
	__u64 bytes;
};

/*
 * Fast-path outcomes: X(enum suffix, name shown by ipxr, XDP action). The pass reasons are the
 * cases the kernel must see to answer correctly (ICMP errors, ARP and ND, local delivery). New
 * reasons go at the end: the position is the counter's index.
 */
#define IPXR_STAT_LIST(X)							\
	X(FORWARD,	"forward",	XDP_REDIRECT)				\
	X(BLACKHOLE,	"blackhole",	XDP_DROP)				\
	X(OTHER_PROTO,	"other_proto",	XDP_PASS)				\
	X(MALFORMED,	"malformed",	XDP_PASS)				\
	X(IP_OPTIONS,	"ip_options",	XDP_PASS)				\
	X(MULTICAST,	"multicast",	XDP_PASS)				\
	X(MARTIAN,	"martian",	XDP_PASS)				\
	X(LOCAL,	"local",	XDP_PASS)				\
	X(NO_ROUTE,	"no_route",	XDP_PASS)				\
	X(TTL,		"ttl_exceeded",	XDP_PASS)				\
	X(MTU,		"mtu_exceeded",	XDP_PASS)				\
	X(NO_NEIGH,	"no_neigh",	XDP_PASS)				\
	X(NH_INVALID,	"nh_invalid",	XDP_PASS)				\
	X(FWD_DISABLED,	"fwd_disabled",	XDP_PASS)				\
	X(ND,		"nd",		XDP_PASS)				\
	X(LINK_LOCAL,	"link_local",	XDP_PASS)				\
	X(HOP_BY_HOP,	"hop_by_hop",	XDP_PASS)				\
	X(KERNEL_ROUTE,	"kernel_route",	XDP_PASS)				\
	X(PORT_NO_XDP,	"port_no_xdp",	XDP_PASS)				\
	X(PORT_DOWN,	"port_down",	XDP_PASS)

#define IPXR_STAT_ENUM(id, name, action) IPXR_STAT_##id,
enum ipxr_stat {
	IPXR_STAT_LIST(IPXR_STAT_ENUM)
	IPXR_STAT_MAX
};
#undef IPXR_STAT_ENUM

/*
 * ipxr_stats holds IPXR_MAX_STATS counters per family, at IPXR_MAX_STATS * family + reason:
 * frames that are neither IPv4 nor IPv6 (other_proto, a truncated Ethernet header) count as
 * IPXR_SF_LINK.
 */
enum ipxr_stat_family {
	IPXR_SF_LINK,
	IPXR_SF_INET,
	IPXR_SF_INET6,
	IPXR_SF_MAX
};

#endif /* IPXR_MAPS_H */
