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
	IPXR_LAYOUT_VERSION = 8,
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
#define IPXR_MAP_LPM		"ipxr_lpm"
#define IPXR_MAP_PORTS		"ipxr_ports"
#define IPXR_MAP_ROUTE_SRC	"ipxr_route_src"
#define IPXR_MAP_PORT_STATS	"ipxr_port_stats"
#define IPXR_MAP_PASS_RING	"ipxr_pass_ring"
#define IPXR_MAP_COUNTED	"ipxr_counted"
#define IPXR_MAP_ROUTE_CNT	"ipxr_route_cnt"
#define IPXR_MAP_NH_GROUP	"ipxr_nh_group"
#define IPXR_MAP_VLANS		"ipxr_vlans"
#define IPXR_MAP_PORT_TAB	"ipxr_port_tab"

#define IPXR_MAX_ROUTES4	(1U << 20)	/* 1,048,576: a full BGP table and then some */
#define IPXR_MAX_ROUTES6	(1U << 18)	/* 262,144: today's IPv6 table is ~230k */
#define IPXR_MAX_NEXTHOPS	65536
#define IPXR_MAX_NH_GROUPS	4096		/* distinct member sets of multipath routes */
#define IPXR_MAX_NEIGH4		65536		/* hosts on connected routes, LRU */
#define IPXR_MAX_NEIGH6		65536
#define IPXR_MAX_STATS		32		/* reasons per family, see IPXR_STAT_LIST */
#define IPXR_MAX_LOCAL4		4096		/* addresses of this router */
#define IPXR_MAX_LOCAL6		4096
#define IPXR_MAX_PORTS		4096		/* devices of the router's namespace */
#define IPXR_MAX_VLANS		IPXR_MAX_PORTS	/* VLAN sub-interfaces, one key each */
#define IPXR_MAX_ROUTE_SRC	(IPXR_MAX_ROUTES4 + IPXR_MAX_ROUTES6)	/* any route may have one */
#define IPXR_MAX_PORT_STATS	1024		/* ifindexes counted per port, see ipxr_port_stats */
#define IPXR_PASS_RING_SIZE	(256 * 1024)	/* bytes: some 1,400 samples of 128 bytes */
#define IPXR_SAMPLE_LEN		128		/* bytes of a passed frame a sample carries */
/*
 * Route counters, for the prefixes an operator asks to count (ipxr route counter add): slot 0
 * is "not counted", so 4,095 prefixes. Per CPU 16 bytes a slot, 64 KiB a CPU; one for each of a
 * full table's 1.2M routes would cost 19 MiB a CPU, and every lookup a trie read.
 */
#define IPXR_MAX_ROUTE_CNT	4096

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

#define IPXR_CFG_TABLES_MAX	3	/* tables after the first that ipxr sync follows */

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
	/*
	 * The write generation, moved on by every writer before it releases the maps' lock, so a
	 * writer that keeps the maps and what it read of them across batches (ipxr sync) knows
	 * when another wrote in between. The program does not read it.
	 */
	__u32 writes;
	/*
	 * The tables after @table that ipxr sync compiles too, in the order of the ip rules that
	 * look them up (ipxr sync table A table B), 0 after the last. The program does not read
	 * them: the maps already hold their merge.
	 */
	__u32 tables[IPXR_CFG_TABLES_MAX];
	/*
	 * Pass sampling (ipxr monitor pass): 0 off, N: one frame in N (on average) of those
	 * handed to the kernel is copied into ipxr_pass_ring. Read by the program on the pass
	 * path only, so forwarded frames pay nothing for it.
	 */
	__u32 sample;
};

/*
 * ipxr_nh_group: the next-hop groups of multipath routes (ECMP), an array indexed by the group id
 * an IPXR_RT_MULTIPATH route carries in nh_id. Routes with the same members share one group, as
 * they share next hops, so a member failing or the kernel changing a group is one write here
 * whatever the number of routes.
 *
 * The program hashes a frame's flow (addresses, protocol and ports for TCP and UDP; addresses
 * only for fragments and everything else, so all pieces of a datagram and every ICMP message of
 * a host pair take one path) and reads the bucket the hash's top bits name: one read,
 * whatever the number of members. Each bucket is one aligned __u16 store: a frame sees the old
 * member or the new one.
 *
 * home[] shares the buckets among all members in proportion to their weights; a change of
 * members moves only the buckets it must (resilient hashing, as the kernel's resilient nexthop
 * groups do). bucket[] is home[] with the buckets of dead members spread over the live ones, so
 * a member that fails moves only its own flows, and when it returns exactly those move back.
 * member[] is what the kernel route says. The program reads only seed and bucket[].
 */
#define IPXR_NHG_MAX		32	/* members of one group */
#define IPXR_NHG_BUCKET_BITS	8
#define IPXR_NHG_BUCKETS	(1 << IPXR_NHG_BUCKET_BITS)	/* a weight-1 member of a 32-way
								 * group still has 8 */

enum ipxr_nhg_flags {
	IPXR_NHG_F_DEAD = 1 << 0,	/* the member's port is down or its neighbour is lost */
};

struct ipxr_nhg_member {
	__u32 nh_id;		/* index into ipxr_nexthop */
	__u16 weight;		/* 1-256, as the kernel's */
	__u16 flags;		/* enum ipxr_nhg_flags */
};

struct ipxr_nh_group {
	__u32 refcnt;		/* routes pointing here, 0: free slot */
	__u32 seed;		/* mixed into the flow hash: routers in a row do not polarise */
	__u32 kernel_id;	/* the kernel's nexthop object (NHA_ID), 0: an RTA_MULTIPATH set */
	__u16 count;		/* members in member[] */
	__u16 reserved;
	struct ipxr_nhg_member member[IPXR_NHG_MAX];
	__u16 bucket[IPXR_NHG_BUCKETS];	/* a live member's nh_id per hash bucket */
	__u16 home[IPXR_NHG_BUCKETS];	/* the member's nh_id with every member alive */
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
	 * ipxr does not compile (a gateway of the other family, a nexthop object the kernel does
	 * not describe). The kernel holds the same route, so passing is exact.
	 */
	IPXR_RT_KERNEL,
	IPXR_RT_MULTIPATH,	/* forward by the group nh_id of ipxr_nh_group, hashed per flow */
};

enum ipxr_route_flags {
	IPXR_RT_F_MTU_LOCK = 1 << 0,	/* "mtu lock N": path MTU discovery may not lower it */
	IPXR_RT_F_ONLINK = 1 << 1,	/* the gateway was declared on-link */
	IPXR_RT_F_SRC = 1 << 2,		/* the route has a source address in ipxr_route_src */
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
	__u32 nh_id;		/* index into ipxr_nexthop (ipxr_nh_group for multipath) */
	__u8 rtn_type;		/* the kernel route's RTN_*; 0 for ipxr's LOCAL copies */
	__u8 protocol;		/* RTPROT_* */
	__u8 scope;		/* RT_SCOPE_* */
	__u8 pref;		/* IPv6 router preference (RTA_PREF) + 1, 0: none */
	__u32 priority;		/* the metric */
	__u32 table;		/* the kernel table */
	/*
	 * The route's MTU (RTAX_MTU), 0: none. Packets larger than the smaller of it and the
	 * egress device's MTU go to the kernel, which fragments them or sends the ICMP error.
	 */
	__u32 mtu;
	/*
	 * The prefix's slot in ipxr_route_cnt, 0: not counted. Copied from ipxr_counted each time
	 * the route is compiled, so it outlives the route. A counted route is painted as an
	 * IPXR_LPM_TRIE leaf: the leaf has no room for the slot.
	 */
	__u32 counter;
};

/*
 * ipxr_counted: the prefixes the operator asked to count (key: struct ipxr_route_src_key, value:
 * __u32 slot of ipxr_route_cnt), ipxr's own state, not the kernel's: a prefix stays counted while
 * its route is deleted and added again (ipxr sync recompiles it with the same slot), until
 * "ipxr route counter del". The program reads only the slot copied into struct ipxr_route.
 * ipxr_route_cnt: per-CPU struct ipxr_counter per slot, frames the fast path forwarded by the
 * route (or dropped, for a blackhole route).
 */

/*
 * The kernel route's source address (RTA_PREFSRC, "src"), for the routes that have one only: the
 * fast path does not read it, ipxr shows it and writes it back when it restores a route. Keyed
 * by family and prefix, as the tries are by prefix.
 */
struct ipxr_route_src_key {
	__u8 family;		/* AF_INET, AF_INET6 */
	__u8 prefixlen;
	__u16 pad;		/* 0 */
	__u8 addr[16];		/* the prefix, network order, bits past prefixlen 0 */
};

struct ipxr_route_src {
	__u8 addr[16];		/* an IPv4 address in the first 4 bytes */
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
	/*
	 * The kernel's neighbour entry for the gateway is FAILED (it stopped answering): as a
	 * multipath member it carries no flows until the kernel resolves it again. Kept here, not
	 * in the group, so that every group the gateway is in, and one made later, agrees.
	 */
	IPXR_NH_F_FAILED = 1 << 3,
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
 * ipxr_lpm: the compiled front structure of both tries, a multibit trie with leaf pushing as
 * DPDK's rte_lpm and rte_lpm6 build (strides 16, then 8 per level: IPv4 16-8-8, at most 3 reads
 * per packet; IPv6 16-8-...-8, for every prefix length /0-/128), with path compression for IPv6:
 * an entry whose part of the address space holds exactly one route longer than the entry points
 * at a tail (struct ipxr_lpm_tail) instead of a chain of groups. A full IPv6 table is mostly
 * prefixes alone in their /24 or /32: each costs a 32-byte tail, not three or four 1 KiB groups,
 * and a packet reads the root, a group or two and the tail.
 *
 * ipxr_lpm is a BPF_MAP_TYPE_ARRAY_OF_MAPS with one slot per family (IPXR_LPM_SLOT4/6). A slot
 * holds a pool: an array map of struct ipxr_lpm_group created, sized and painted by ipxr through
 * mmap (BPF_F_MMAPABLE; BPF_F_INNER_MAP lets pools of any size share the slot), so a router with
 * ten routes pays about 257 KiB, not a table sized for the whole address space. Groups 0-255 are
 * the root: the entry for an address is group byte 0, index byte 1; an entry pointing to group g
 * continues with index byte 2 in g, and so on. Group IPXR_LPM_META holds ipxr's bookkeeping,
 * which the program never reads.
 *
 * The tries ipxr_route4/6 stay the source of truth (show, get, exact lookups, ipxr sync); the
 * pools are derived from them. An empty slot means "not painted": the program uses the trie.
 * ipxr grows or repaints a pool by building a new one whole and storing it in the slot, so a
 * packet sees the old pool or the new one, each complete. An entry (one aligned __u32, written
 * with one store):
 *
 *   bit 31      IPXR_LPM_GROUP  bits 0-29 are the index of the group holding the next level
 *   bits 31, 30 IPXR_LPM_TAIL   (IPv6 only) bits 0-29 are the index of a tail: group index
 *                               << IPXR_LPM_TAIL_SHIFT | the tail's place in that group
 *   otherwise a leaf, the longest route covering every address of the entry:
 *   bit 30      IPXR_LPM_TRIE   the route does not fit a leaf (a route MTU, an nh_id over
 *                               0xffff, a counter): the program asks the trie
 *   bits 22-29  the route's prefix length (what ipxr paints by), 0 also for no route
 *   bits 16-21  its type (enum ipxr_route_type); IPXR_RT_UNSPEC: no route
 *   bits 0-15   its nh_id
 */
#define IPXR_LPM_SLOT4		0
#define IPXR_LPM_SLOT6		1
#define IPXR_LPM_SLOTS		2
#define IPXR_LPM_ROOT_GROUPS	256		/* 65,536 root entries */
#define IPXR_LPM_META		256		/* the group after the root */
#define IPXR_LPM_MIN_GROUPS	(IPXR_LPM_META + 1)
#define IPXR_LPM_GROUP		(1U << 31)
#define IPXR_LPM_TRIE		(1U << 30)
#define IPXR_LPM_IDX_MASK	0x7fffffffU
#define IPXR_LPM_PLEN_SHIFT	22
#define IPXR_LPM_PLEN_MASK	0xffU
#define IPXR_LPM_TYPE_SHIFT	16
#define IPXR_LPM_TYPE_MASK	0x3fU
#define IPXR_LPM_NH_MASK	0xffffU

struct ipxr_lpm_group {
	__u32 e[256];
};

/*
 * A tail: the one route inside an entry that is longer than the entry. The program compares the
 * destination's first lpm_leaf_plen(hit) bits with addr and takes hit or miss, both leaves. ipxr
 * writes a tail whole before an entry points at it; while it is reachable addr stays as it is and
 * hit and miss change with one store each, as entries do. Tails are carved 32 to a group: a group
 * that holds tails holds nothing else.
 */
#define IPXR_LPM_TAIL		(IPXR_LPM_GROUP | IPXR_LPM_TRIE)
#define IPXR_LPM_TAIL_MASK	0x3fffffffU
#define IPXR_LPM_TAIL_SHIFT	5		/* 32 tails a group */

struct ipxr_lpm_tail {
	__u8 addr[16];		/* the route's prefix, network order, bits past its length 0 */
	__u32 hit;		/* the route's leaf (which carries its prefix length) */
	__u32 miss;		/* the leaf of the rest: the route covering the entry */
	__u32 next;		/* ipxr's: the next free tail; the program never reads it */
	__u32 reserved;
};

/*
 * The words of group IPXR_LPM_META (ipxr's alone). A pool whose magic, family or trie id is not
 * this trie's, or whose dirty word is set (a writer died while painting it: each entry is the
 * old or the new route, but some changes may be missing), is repainted whole by the next writer.
 */
enum ipxr_lpm_meta {
	IPXR_LPM_M_MAGIC,	/* IPXR_LAYOUT_MAGIC */
	IPXR_LPM_M_FAMILY,	/* 4 or 6 */
	IPXR_LPM_M_TRIE_ID,	/* id of the trie map the pool was painted from */
	IPXR_LPM_M_DIRTY,	/* nonzero while a writer paints */
	IPXR_LPM_M_HIWATER,	/* groups below it have been used */
	IPXR_LPM_M_FREE,	/* first free group (reusable now), 0: none */
	IPXR_LPM_M_LIMBO,	/* first group freed but maybe still read, 0: none */
	IPXR_LPM_M_USED,	/* groups in use, root and meta included */
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
 * ipxr_ports and ipxr_port_tab: what the fast path must know of a port, the one a frame arrives
 * on and the one it is redirected to. ipxr writes the records from the kernel's link information
 * (RTM_NEWLINK, IFLA_XDP) at every write and ipxr sync on every link event. A device's record is
 * in one of the two maps: ipxr_port_tab, an array indexed by ifindex, holds those of devices
 * below IPXR_PORT_TAB that are not VLAN sub-interfaces (the ports of nearly every router: read
 * with one inlined array access, where a hash lookup cost 6 ns a frame); ipxr_ports, a hash by
 * __u32 ifindex, the others. An array entry without IPXR_PORT_F_KNOWN holds no record (it is
 * all zeroes), and the program then looks in the hash. The program reads only the flags of an
 * array record, one aligned word, so a record rewritten in place is never seen half done;
 * sub-interfaces, whose tags and link it reads too, stay in the hash, whose updates replace an
 * entry whole. A port with no entry, or without
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
	IPXR_PORT_F_VLAN = 1 << 3,	/* an 802.1Q/802.1ad sub-interface, see below */
	/*
	 * A device whose IPv4 forwarding is off (net.ipv4.conf.DEV.forwarding 0): the IPv4 frames
	 * arriving on it (tagged ones on a sub-interface) are the kernel's (fwd_disabled), which
	 * routes none of them but those for the router itself. The kernel checks the device a
	 * frame comes in by; bpf_fib_lookup() asked about the egress port checks that one.
	 */
	IPXR_PORT_F_NOFWD4 = 1 << 4,
	IPXR_PORT_F_KNOWN = 1 << 5,	/* set in every record: an array entry without it is none */
	/*
	 * Reverse-path filtering on the device (net.ipv4.conf.{all,DEV}.rp_filter, the larger of
	 * the two, as the kernel's fib_validate_source() takes it): the IPv4 frames arriving on it
	 * are forwarded only when the route back to their source is unicast and, strict (1),
	 * leaves by this device (any member of a multipath route), or, loose (2), exists. The
	 * rest (rp_filter) is the kernel's, which drops it as a martian source. Loose filtering
	 * on a device without an IPv4 address is strict in the kernel, and recorded so.
	 */
	IPXR_PORT_F_RPF_STRICT = 1 << 6,
	IPXR_PORT_F_RPF_LOOSE = 1 << 7,
};

#define IPXR_PORT_F_RPF		(IPXR_PORT_F_RPF_STRICT | IPXR_PORT_F_RPF_LOOSE)

#define IPXR_PORT_TAB		1024	/* ifindexes with a place in ipxr_port_tab */

/*
 * VLAN sub-interfaces (8021q devices, "ip link add link eno4 name eno4.100 type vlan id 100",
 * 802.1ad too, and one on another: QinQ) are ports of their own, with IPXR_PORT_F_VLAN: routes
 * name them, the kernel resolves their neighbours and gives their MAC and MTU. A frame for one
 * leaves by @link, the physical device under every tag (the one running the program), with
 * @ntags tags pushed, outermost first. For a sub-interface ipxr sets IPXR_PORT_F_XDP when @link
 * runs the object, IPXR_PORT_F_UP when the sub-interface and @link both are up. The other
 * fields are 0 for a port that is not a VLAN.
 */
#define IPXR_VLAN_MAX_TAGS	2

struct ipxr_vlan_tag {
	__be16 proto;		/* ETH_P_8021Q or ETH_P_8021AD */
	__be16 vid;		/* the VLAN id; the priority bits are the frame's (0 when pushed) */
};

struct ipxr_port {
	__u32 flags;		/* enum ipxr_port_flags */
	__u32 prog_id;		/* the XDP program attached there, 0: none (for ipxr's display) */
	__u32 mtu;		/* IFLA_MTU, for ipxr (the program asks the FIB for MTUs) */
	__u32 link;		/* VLAN: the port frames leave by, under every tag */
	__u32 lower;		/* VLAN: the device directly under it (for ipxr) */
	/*
	 * VLAN: the longest frame, tags included, @link takes from a redirect (its MTU plus the
	 * Ethernet header and one tag, as the kernel's xdp_ok_fwd_dev() allows): a QinQ frame
	 * can be 4 bytes over, and is then the kernel's to send.
	 */
	__u16 max_len;
	__u8 ntags;		/* VLAN: 1 or 2 */
	__u8 pad;
	struct ipxr_vlan_tag tag[IPXR_VLAN_MAX_TAGS];
};

/*
 * ipxr_vlans: which sub-interface a tagged frame arriving on a port is for (value: __u32 its
 * ifindex, whose ipxr_ports entry says whether it is up). A frame whose tags no key names is the
 * kernel's (vlan_unknown): it drops it or hands it to a device ipxr does not follow.
 */
struct ipxr_vlan_key {
	__u32 ifindex;		/* the port it arrives on (a sub-interface's link) */
	struct ipxr_vlan_tag tag[IPXR_VLAN_MAX_TAGS];	/* vid without priority bits; 0s: none */
};

struct ipxr_counter {
	__u64 packets;
	__u64 bytes;
};

/*
 * ipxr_port_stats: per-CPU counters per port, at the port's ifindex (a direct index: one array
 * lookup per direction, no hash). Ports whose ifindex is IPXR_MAX_PORT_STATS or more share
 * slot 0, which no device has: ipxr shows it as "other". rx, pass and drop count at the port a
 * frame arrived on (every frame the program sees is rx; pass and drop are its fates there,
 * rx - pass - drop were forwarded), tx at the port the fast path redirected it out of.
 */
struct ipxr_port_stats {
	struct ipxr_counter rx;
	struct ipxr_counter tx;
	struct ipxr_counter pass;
	struct ipxr_counter drop;
};

/*
 * One record of ipxr_pass_ring (BPF_MAP_TYPE_RINGBUF): a frame the fast path handed to the
 * kernel, sampled at ipxr_config.sample, with its first IPXR_SAMPLE_LEN bytes.
 */
struct ipxr_pass_sample {
	__u64 tstamp_ns;	/* bpf_ktime_get_ns() */
	__u32 ifindex;		/* the port it arrived on */
	__u32 len;		/* the frame's length */
	__u16 reason;		/* enum ipxr_stat */
	__u8 family;		/* enum ipxr_stat_family */
	__u8 pad;
	__u32 caplen;		/* bytes of data[] that hold the frame */
	__u8 data[IPXR_SAMPLE_LEN];
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
	X(PORT_DOWN,	"port_down",	XDP_PASS)				\
	X(VLAN_UNKNOWN,	"vlan_unknown",	XDP_PASS)				\
	X(VLAN_DOWN,	"vlan_down",	XDP_PASS)				\
	X(VLAN_NOROOM,	"vlan_noroom",	XDP_DROP)				\
	X(RP_FILTER,	"rp_filter",	XDP_PASS)

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
