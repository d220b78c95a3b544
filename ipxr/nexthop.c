// SPDX-License-Identifier: GPL-2.0
/*
 * Next-hop allocation and reference counting, and "ipxr nexthop show".
 *
 * The whole table is read once per process and kept in memory: a batch of 750k routes over a
 * handful of next hops then costs one map update per route, the reference counts being written
 * once at the end. Entries whose count drops to zero stay in memory until nh_commit(), so a
 * "del" followed by an "add" through the same gateway in one batch reuses the entry, its id and
 * its managed neighbour instead of freeing and recreating them.
 */
#include <arpa/inet.h>
#include <net/if.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include "compile.h"
#include "json_print.h"
#include "kfeature.h"
#include "maps.h"
#include "netlink.h"
#include "nexthop.h"
#include "stats.h"
#include "utils.h"

#define NH_HASH_SIZE	(2 * IPXR_MAX_NEXTHOPS)	/* power of two, load factor <= 1/2 */

static struct {
	bool loaded;
	struct ipxr_nexthop *nh;	/* [IPXR_MAX_NEXTHOPS] */
	bool *dirty;
	bool *standin_ok;		/* stand-in kernel route (re)installed by this process */
	bool any_dirty;
	__u32 *hash;			/* open addressing over ids, 0: empty slot */
	struct ipxr_config cfg;
	__u32 free_hint;		/* no free id below this one */
} t;

struct gw_dev {
	struct inet_prefix gw;
	int ifindex;
};

static struct gw_dev *gw_cache;
static size_t gw_count, gw_alloc;

/* @gw NULL: the connected next hop of @ifindex, which serves both families */
static bool nh_same(const struct ipxr_nexthop *nh, int ifindex, const struct inet_prefix *gw)
{
	if (nh->ifindex != (__u32)ifindex)
		return false;
	if (gw)
		return nh->family == gw->family && !(nh->flags & IPXR_NH_F_CONNECTED) &&
		       memcmp(nh->gw, gw->addr, af_bytes(gw->family)) == 0;
	return nh->family == AF_UNSPEC && (nh->flags & IPXR_NH_F_CONNECTED);
}

/* @family AF_UNSPEC: connected; @gw holds af_bytes(@family) bytes */
static __u32 nh_hash(int ifindex, int family, const __u8 *gw)
{
	__u32 h = (__u32)ifindex * 0x9e3779b1u ^ (__u32)family * 0x5bd1e995u;
	unsigned int i;

	for (i = 0; i < af_bytes(family); i++)
		h = (h ^ gw[i]) * 0x01000193u;	/* FNV-1a over the gateway */
	h ^= h >> 15;
	return h & (NH_HASH_SIZE - 1);
}

static void hash_insert(__u32 id)
{
	const struct ipxr_nexthop *nh = &t.nh[id];
	__u32 i;

	i = nh_hash(nh->ifindex, nh->flags & IPXR_NH_F_CONNECTED ? AF_UNSPEC : nh->family, nh->gw);
	while (t.hash[i])
		i = (i + 1) & (NH_HASH_SIZE - 1);
	t.hash[i] = id;
}

static void hash_rebuild(void)
{
	__u32 id;

	memset(t.hash, 0, NH_HASH_SIZE * sizeof(*t.hash));
	for (id = 1; id < t.cfg.nh_hiwater && id < IPXR_MAX_NEXTHOPS; id++)
		if (t.nh[id].ifindex)
			hash_insert(id);
}

static __u32 hash_find(int ifindex, const struct inet_prefix *gw)
{
	__u32 i = gw ? nh_hash(ifindex, gw->family, gw->addr) : nh_hash(ifindex, AF_UNSPEC, NULL);

	for (; t.hash[i]; i = (i + 1) & (NH_HASH_SIZE - 1))
		if (nh_same(&t.nh[t.hash[i]], ifindex, gw))
			return t.hash[i];
	return 0;
}

int nh_load(void)
{
	__u32 id;
	int err;

	if (t.loaded)
		return 0;
	t.nh = calloc(IPXR_MAX_NEXTHOPS, sizeof(*t.nh));
	t.dirty = calloc(IPXR_MAX_NEXTHOPS, sizeof(*t.dirty));
	t.standin_ok = calloc(IPXR_MAX_NEXTHOPS, sizeof(*t.standin_ok));
	t.hash = calloc(NH_HASH_SIZE, sizeof(*t.hash));
	if (!t.nh || !t.dirty || !t.standin_ok || !t.hash) {
		nh_free_all();
		return ipxr_error(IPXR_EXIT_REFUSED, "out of memory");
	}
	err = config_read(&t.cfg);
	if (err) {
		nh_free_all();
		return ipxr_error(IPXR_EXIT_REFUSED, "cannot read map %s: %s", IPXR_MAP_CONFIG,
				  strerror(-err));
	}
	if (t.cfg.nh_hiwater > IPXR_MAX_NEXTHOPS)
		t.cfg.nh_hiwater = IPXR_MAX_NEXTHOPS;
	for (id = 1; id < t.cfg.nh_hiwater; id++) {
		if (bpf_map_lookup_elem(map_fd(MAP_NEXTHOP), &id, &t.nh[id])) {
			err = errno;
			nh_free_all();
			return ipxr_error(IPXR_EXIT_REFUSED, "cannot read next hop %u: %s", id,
					  strerror(err));
		}
	}
	t.free_hint = 1;
	t.loaded = true;
	hash_rebuild();
	return 0;
}

const struct ipxr_nexthop *nh_get(__u32 id)
{
	if (!t.loaded || id == 0 || id >= IPXR_MAX_NEXTHOPS || !t.nh[id].ifindex)
		return NULL;
	return &t.nh[id];
}

void nh_free_all(void)
{
	free(t.nh);
	free(t.dirty);
	free(t.standin_ok);
	free(t.hash);
	memset(&t, 0, sizeof(t));
	free(gw_cache);
	gw_cache = NULL;
	gw_count = gw_alloc = 0;
}

/* Whole entries are written, cache cleared: the program refills it from the kernel. */
static int nh_write(__u32 id)
{
	struct ipxr_nexthop v = t.nh[id];

	memset(&v.cache, 0, sizeof(v.cache));
	if (bpf_map_update_elem(map_fd(MAP_NEXTHOP), &id, &v, BPF_ANY))
		return -errno;
	return 0;
}

int nh_gateway_dev(const struct inet_prefix *gw, int *ifindex)
{
	unsigned int len = af_bytes(gw->family);
	char a[INET6_ADDRSTRLEN];
	struct nl_route rt;
	struct gw_dev *n;
	size_t i;
	int err;

	for (i = 0; i < gw_count; i++) {
		if (gw_cache[i].gw.family == gw->family &&
		    memcmp(gw_cache[i].gw.addr, gw->addr, len) == 0) {
			*ifindex = gw_cache[i].ifindex;
			return 0;
		}
	}
	/* the gateway must be a neighbour: a connected route, not one through another router */
	err = nl_route_get(gw->family, gw->addr, 0, &rt);
	if (err || rt.type != RTN_UNICAST || rt.has_gw || !rt.oif)
		return ipxr_error(IPXR_EXIT_REFUSED, "Nexthop has invalid gateway. (no on-link "
				  "route to %s in the kernel%s%s)",
				  format_addr(a, sizeof(a), gw->family, gw->addr),
				  err ? ": " : "", err ? strerror(-err) : "");
	if (gw_count == gw_alloc) {
		gw_alloc = gw_alloc ? 2 * gw_alloc : 16;
		n = realloc(gw_cache, gw_alloc * sizeof(*n));
		if (!n)
			return ipxr_error(IPXR_EXIT_REFUSED, "out of memory");
		gw_cache = n;
	}
	gw_cache[gw_count].gw = *gw;
	gw_cache[gw_count++].ifindex = rt.oif;
	*ifindex = rt.oif;
	return 0;
}

/* The fast path resolves a link-local gateway only where the kernel has BPF_FIB_LOOKUP_TBID. */
static int check_tbid(int ifindex, const struct inet_prefix *gw)
{
	char a[INET6_ADDRSTRLEN], d[IF_NAMESIZE], what[INET6_ADDRSTRLEN + IF_NAMESIZE + 16];

	snprintf(what, sizeof(what), "via %s dev %s",
		 format_addr(a, sizeof(a), gw->family, gw->addr), dev_name(ifindex, d));
	return kfeature_fib_tbid(what);
}

/*
 * Keep the gateway resolved by the kernel, so the fast path finds its MAC even when no packet
 * goes to it through the kernel. An entry someone else made static or managed is theirs: it is
 * left alone and so not deleted later.
 */
static bool make_managed(int ifindex, const struct inet_prefix *gw)
{
	char a[INET6_ADDRSTRLEN];
	struct nl_neigh n;
	int err;

	bool existed = nl_neigh_get(gw->family, gw->addr, ifindex, &n) == 0;

	if (existed && ((n.state & (NUD_PERMANENT | NUD_NOARP)) || (n.flags_ext & NTF_EXT_MANAGED)))
		return false;
	err = nl_neigh_managed(gw->family, gw->addr, ifindex);
	if (err) {
		ipxr_warn("cannot ask the kernel to keep %s resolved (managed neighbour): %s",
			  format_addr(a, sizeof(a), gw->family, gw->addr), strerror(-err));
		return false;
	}
	/*
	 * An entry the kernel had already learnt stays the kernel's: ipxr owns, and later deletes,
	 * only an entry it created.
	 */
	return !existed;
}

void nh_standin_addr(__u32 id, __u8 *addr)
{
	__be32 hi = htonl(IPXR_STANDIN6_HI), lo = htonl(id);

	memset(addr, 0, 16);
	memcpy(addr, &hi, 4);
	memcpy(addr + 12, &lo, 4);
}

/*
 * bpf_fib_lookup() refuses link-local destinations, so the program resolves a link-local
 * gateway through the kernel route "<stand-in>/128 via GW dev DEV" in ipxr's own kernel table
 * (see IPXR_KERNEL_TABLE). Installed with replace: it may survive from a run that died.
 */
static int standin_install(__u32 id, const struct ipxr_nexthop *nh)
{
	char a[INET6_ADDRSTRLEN], g[INET6_ADDRSTRLEN], d[IF_NAMESIZE];
	__u8 dst[16];
	int err;

	nh_standin_addr(id, dst);
	err = nl_route6_host_add(IPXR_KERNEL_TABLE, dst, nh->gw, nh->ifindex);
	if (!err) {
		t.standin_ok[id] = true;
		return 0;
	}
	return ipxr_error(IPXR_EXIT_REFUSED, "cannot install the kernel route %s via %s dev %s "
			  "table %u for the link-local gateway: %s", format_ipv6(a, sizeof(a), dst),
			  format_ipv6(g, sizeof(g), nh->gw), dev_name(nh->ifindex, d),
			  IPXR_KERNEL_TABLE, strerror(-err));
}

static void standin_remove(__u32 id)
{
	__u8 dst[16];
	int err;

	nh_standin_addr(id, dst);
	err = nl_route6_host_del(IPXR_KERNEL_TABLE, dst);
	/* gone already: its device went away or down, which removes IPv6 routes */
	if (err && err != -ESRCH && err != -ENOENT)
		ipxr_warn("cannot delete the kernel route of next hop %u in table %u: %s", id,
			  IPXR_KERNEL_TABLE, strerror(-err));
	t.standin_ok[id] = false;
}

/* Let go of what the kernel keeps for a next hop: its stand-in route, our neighbour entry. */
static void nh_kernel_release(__u32 id, const struct ipxr_nexthop *nh)
{
	int err;

	if (nh->flags & IPXR_NH_F_STANDIN)
		standin_remove(id);
	if (nh->flags & IPXR_NH_F_MANAGED) {
		err = nl_neigh_del(nh->family, nh->gw, nh->ifindex);
		if (err && err != -ENOENT)
			ipxr_warn("cannot delete the managed neighbour of next hop %u: %s", id,
				  strerror(-err));
	}
}

int nh_acquire(int ifindex, const struct inet_prefix *gw, __u32 *id)
{
	struct ipxr_nexthop *nh;
	__u32 i;
	int err;

	err = nh_load();
	if (err)
		return err;
	i = hash_find(ifindex, gw);
	if (i) {
		/*
		 * The kernel drops IPv6 routes with their device's carrier or state: writing a
		 * route through the next hop puts its stand-in back, once per run.
		 */
		if ((t.nh[i].flags & IPXR_NH_F_STANDIN) && !t.standin_ok[i]) {
			err = standin_install(i, &t.nh[i]);
			if (err)
				return err;
		}
		t.nh[i].refcnt++;
		t.dirty[i] = t.any_dirty = true;
		*id = i;
		return 0;
	}
	if (gw && addr_is_linklocal(gw->family, gw->addr)) {
		err = check_tbid(ifindex, gw);
		if (err)
			return err;
	}
	for (i = t.free_hint; i < IPXR_MAX_NEXTHOPS && t.nh[i].ifindex; i++)
		;
	if (i >= IPXR_MAX_NEXTHOPS)
		return ipxr_error(IPXR_EXIT_REFUSED, "next-hop table full (%u next hops): %s",
				  IPXR_MAX_NEXTHOPS - 1, strerror(ENOSPC));
	t.free_hint = i + 1;

	/* the counters of a previous user of this id are not this next hop's */
	err = percpu_zero(map_fd(MAP_NH_STATS), i);
	if (err)
		return ipxr_error(IPXR_EXIT_REFUSED, "cannot clear the counters of next hop %u: %s",
				  i, strerror(-err));
	nh = &t.nh[i];
	memset(nh, 0, sizeof(*nh));
	nh->ifindex = ifindex;
	nh->refcnt = 1;
	if (gw) {
		nh->family = gw->family;
		memcpy(nh->gw, gw->addr, af_bytes(gw->family));
		if (make_managed(ifindex, gw))
			nh->flags |= IPXR_NH_F_MANAGED;
		if (addr_is_linklocal(gw->family, gw->addr)) {
			err = standin_install(i, nh);
			if (err) {
				nh_kernel_release(i, nh);
				memset(nh, 0, sizeof(*nh));
				t.free_hint = i;
				return err;
			}
			nh->flags |= IPXR_NH_F_STANDIN;
		}
	} else {
		nh->family = AF_UNSPEC;
		nh->flags = IPXR_NH_F_CONNECTED;
	}
	err = nh_write(i);
	if (!err && i >= t.cfg.nh_hiwater) {
		struct ipxr_config cfg;

		/*
		 * Recorded before any route uses the id, so a later run always sees the entry;
		 * read again, not t.cfg: the write marker may have changed since nh_load(), and
		 * a writer that keeps its next hops across holds of the lock (ipxr sync) must
		 * not undo another writer's fields.
		 */
		err = config_read(&cfg);
		if (!err) {
			cfg.magic = IPXR_LAYOUT_MAGIC;
			cfg.nh_hiwater = i + 1;
			err = config_write(&cfg);
		}
		if (!err)
			t.cfg.nh_hiwater = i + 1;
	}
	if (err) {
		nh_kernel_release(i, nh);
		memset(nh, 0, sizeof(*nh));
		nh_write(i);
		t.free_hint = i;
		return ipxr_error(IPXR_EXIT_REFUSED, "cannot write next hop %u: %s", i,
				  strerror(-err));
	}
	hash_insert(i);
	*id = i;
	return 0;
}

void nh_release(__u32 id)
{
	if (!t.loaded || id == 0 || id >= IPXR_MAX_NEXTHOPS || !t.nh[id].ifindex)
		return;
	if (t.nh[id].refcnt)
		t.nh[id].refcnt--;
	t.dirty[id] = t.any_dirty = true;
}

bool nh_exists(int ifindex, const struct inet_prefix *gw)
{
	return t.loaded && hash_find(ifindex, gw) != 0;
}

int nh_recount(const __u32 *counts)
{
	__u32 id;
	int err = nh_load();

	if (err)
		return err;
	for (id = 1; id < t.cfg.nh_hiwater && id < IPXR_MAX_NEXTHOPS; id++) {
		if (!t.nh[id].ifindex || t.nh[id].refcnt == counts[id])
			continue;
		t.nh[id].refcnt = counts[id];
		t.dirty[id] = t.any_dirty = true;
	}
	return 0;
}

int nh_commit(void)
{
	struct ipxr_nexthop *nh;
	bool freed = false;
	int err, ret = 0;
	__u32 id;

	if (!t.loaded || !t.any_dirty)
		return 0;
	for (id = 1; id < t.cfg.nh_hiwater; id++) {
		if (!t.dirty[id])
			continue;
		t.dirty[id] = false;
		nh = &t.nh[id];
		if (nh->ifindex && nh->refcnt == 0) {
			/* no route points here any more: free the slot, and what the kernel kept */
			nh_kernel_release(id, nh);
			memset(nh, 0, sizeof(*nh));
			freed = true;
			if (id < t.free_hint)
				t.free_hint = id;
		}
		err = nh_write(id);
		if (err && !ret)
			ret = ipxr_error(IPXR_EXIT_REFUSED, "cannot write next hop %u: %s", id,
					 strerror(-err));
	}
	t.any_dirty = false;
	if (freed)
		hash_rebuild();
	if (ret)
		maps_write_failed();	/* counts left off: the next writer recounts */
	return ret;
}

/*
 * What the kernel dropped for the next hops on port @ifindex when it went down, asked for again
 * now that it is up: the gateways' managed neighbours (the kernel flushes neighbour entries on
 * admin down and on carrier loss, managed ones included) and the stand-in routes of link-local
 * gateways (IPv6 routes go with the link). Each next hop's cache is cleared, so the program
 * asks the kernel for the neighbour at once instead of after IPXR_NEIGH_REFRESH_NS.
 */
int nh_port_up(int ifindex)
{
	struct inet_prefix gw;
	struct nl_neigh n;
	struct ipxr_nexthop *nh;
	int err, ret = 0;
	__u32 id;

	err = nh_load();
	if (err)
		return err;
	for (id = 1; id < t.cfg.nh_hiwater; id++) {
		nh = &t.nh[id];
		if (nh->ifindex != (__u32)ifindex || !nh->refcnt)
			continue;
		if (!(nh->flags & IPXR_NH_F_CONNECTED)) {
			memset(&gw, 0, sizeof(gw));
			gw.family = nh->family;
			gw.bitlen = af_bits(nh->family);
			memcpy(gw.addr, nh->gw, af_bytes(nh->family));
			/*
			 * Packets the kernel tried to send while the port was down left an
			 * unresolved entry whose next probe is up to a second away: a new one
			 * is probed at once.
			 */
			if (nl_neigh_get(gw.family, gw.addr, ifindex, &n) == 0 &&
			    (n.state & (NUD_INCOMPLETE | NUD_FAILED | NUD_NONE)) &&
			    !(n.flags_ext & NTF_EXT_MANAGED))
				nl_neigh_del(gw.family, gw.addr, ifindex);
			if (make_managed(ifindex, &gw)) {
				nh->flags |= IPXR_NH_F_MANAGED;
				t.dirty[id] = t.any_dirty = true;
			}
			if (nh->flags & IPXR_NH_F_STANDIN) {
				err = standin_install(id, nh);
				if (err && !ret)
					ret = err;
			}
		}
		err = nh_write(id);
		if (err && !ret)
			ret = ipxr_error(IPXR_EXIT_REFUSED, "cannot write next hop %u: %s", id,
					 strerror(-err));
	}
	return ret;
}

/*
 * The flag a neighbour entry in @state gives a gateway next hop: failed when the kernel gave up
 * on it, alive when it holds a usable lladdr; an entry being resolved (INCOMPLETE, or made
 * anew after a delete) changes nothing until the kernel knows.
 */
static __u8 failed_flag(__u8 flags, __u16 state)
{
	if (state & NUD_FAILED)
		return flags | IPXR_NH_F_FAILED;
	if (state & NEIGH_VALID)
		return flags & ~IPXR_NH_F_FAILED;
	return flags;
}

/*
 * The kernel's neighbour entry for @addr on @ifindex changed: now in @state, or @deleted. A next
 * hop through that gateway forgets its cached MAC; one whose entry went or failed while its port
 * is up (@port_up) gets it back as a managed entry, so the kernel resolves it again without
 * waiting for traffic. True when the gateway became failed or alive: the groups it is a member
 * of are to be refilled (grp_ports_refresh()).
 */
bool nh_neigh_event(int family, const __u8 *addr, int ifindex, bool deleted, __u16 state,
		    bool port_up)
{
	struct inet_prefix gw = { .family = family, .bitlen = af_bits(family) };
	bool gone = deleted || (state & NUD_FAILED);
	__u8 flags;
	__u32 id;

	if (!t.loaded || (family != AF_INET && family != AF_INET6))
		return false;
	memcpy(gw.addr, addr, af_bytes(family));
	id = hash_find(ifindex, &gw);
	if (!id || !t.nh[id].refcnt)
		return false;
	if (gone && port_up && make_managed(ifindex, &gw)) {
		t.nh[id].flags |= IPXR_NH_F_MANAGED;
		t.dirty[id] = t.any_dirty = true;
	}
	flags = t.nh[id].flags;
	if (!deleted)
		t.nh[id].flags = failed_flag(flags, state);
	nh_write(id);
	return (t.nh[id].flags ^ flags) & IPXR_NH_F_FAILED;
}

/*
 * Every gateway's failed flag as the kernel's neighbour table has it now, for when events may
 * have been missed (ipxr sync starting, or its socket overrun). True when one changed.
 */
bool nh_neigh_refresh(void)
{
	struct nl_neigh n;
	bool changed = false;
	__u8 flags;
	__u32 id;

	if (!t.loaded)
		return false;
	for (id = 1; id < t.cfg.nh_hiwater; id++) {
		struct ipxr_nexthop *nh = &t.nh[id];

		if (!nh->refcnt || (nh->flags & IPXR_NH_F_CONNECTED))
			continue;
		flags = nh->flags;
		/* no entry at all: nothing says the gateway is gone */
		if (nl_neigh_get(nh->family, nh->gw, (int)nh->ifindex, &n))
			nh->flags &= ~IPXR_NH_F_FAILED;
		else
			nh->flags = failed_flag(flags, n.state);
		if (nh->flags == flags)
			continue;
		changed = true;
		nh_write(id);
	}
	return changed;
}

/* ipxr nexthop show */

void nh_print_counters(__u32 id, const char *key, const char *text_prefix)
{
	counter_print(map_fd(MAP_NH_STATS), id, key, text_prefix);
}

static void print_nexthop(__u32 id, const struct ipxr_nexthop *nh)
{
	char a[INET6_ADDRSTRLEN], d[IF_NAMESIZE], mac[18];

	open_json_object(NULL);
	print_uint(PRINT_ANY, "id", "id %u", id);
	if (!(nh->flags & IPXR_NH_F_CONNECTED))
		print_string(PRINT_ANY, "gateway", " via %s",
			     format_addr(a, sizeof(a), nh->family, nh->gw));
	print_string(PRINT_ANY, "dev", " dev %s", dev_name(nh->ifindex, d));
	print_uint(PRINT_ANY, "routes", " routes %u", nh->refcnt);
	/* what the fast path last learnt; connected next hops cache per host in ipxr_neigh4 */
	if (nh->cache.stamp_ns) {
		print_string(PRINT_ANY, "lladdr", " lladdr %s",
			     format_mac(mac, sizeof(mac), nh->cache.dmac));
		print_uint(PRINT_ANY, "mtu", " mtu %u", nh->cache.mtu);
	} else {
		print_null(PRINT_JSON, "lladdr", NULL, NULL);
		print_null(PRINT_JSON, "mtu", NULL, NULL);
	}
	print_bool(PRINT_ANY, "managed", " managed", nh->flags & IPXR_NH_F_MANAGED);
	print_bool(PRINT_ANY, "failed", " failed", nh->flags & IPXR_NH_F_FAILED);
	if (ipxr.stats)
		nh_print_counters(id, "stats", "    ");
	close_json_object();
	print_nl();
}

static int nexthop_show(int argc, char **argv)
{
	bool has_id = false;
	const char *dev = NULL;
	struct ipxr_nexthop nh;
	int ifindex = 0, err;
	__u32 want = 0, id, *counts = NULL;

	for (; argc > 0; argc--, argv++) {
		if (is_word(*argv, "id")) {
			if (argc < 2)
				return missarg(*argv);
			if (has_id)
				return duparg("id", argv[1]);
			argc--, argv++;
			err = parse_u32_arg("next-hop id", *argv, IPXR_MAX_NEXTHOPS - 1, &want);
			if (err)
				return err;
			has_id = true;
		} else if (is_word(*argv, "dev")) {
			if (argc < 2)
				return missarg(*argv);
			if (dev)
				return duparg("dev", argv[1]);
			argc--, argv++;
			dev = *argv;
		} else {
			return badarg(*argv);
		}
	}
	if (dev) {
		err = dev_lookup_arg(dev, &ifindex);
		if (err)
			return err;
	}
	err = maps_open(ipxr.batch);
	if (!err)
		err = nh_commit();	/* in a batch, show what the lines before did */
	if (!err)
		err = nh_load();
	if (err)
		return err;
	/*
	 * Another writer is at work (its counts are written at its end) or died half-way: the
	 * counts in the map are not the routes', which the tries tell.
	 */
	if (!ipxr.batch && maps_writing()) {
		counts = calloc(IPXR_MAX_NEXTHOPS, sizeof(*counts));
		if (!counts)
			return ipxr_error(IPXR_EXIT_REFUSED, "out of memory");
		err = compile_count_refs(counts);
		if (err) {
			free(counts);
			return err;
		}
	}

	open_json_array(NULL);
	for (id = 1; id < t.cfg.nh_hiwater; id++) {
		if (!t.nh[id].ifindex || (has_id && id != want) ||
		    (ifindex && t.nh[id].ifindex != (__u32)ifindex))
			continue;
		/* -4/-6 keep the gateways of that family; a connected next hop serves both */
		if (ipxr.family && !(t.nh[id].flags & IPXR_NH_F_CONNECTED) &&
		    t.nh[id].family != ipxr.family)
			continue;
		/* the in-memory copy has our counts; the map has the program's cache */
		if (bpf_map_lookup_elem(map_fd(MAP_NEXTHOP), &id, &nh))
			memset(&nh.cache, 0, sizeof(nh.cache));
		nh.ifindex = t.nh[id].ifindex;
		nh.refcnt = counts ? counts[id] : t.nh[id].refcnt;
		nh.family = t.nh[id].family;
		nh.flags = t.nh[id].flags;
		memcpy(nh.gw, t.nh[id].gw, sizeof(nh.gw));
		print_nexthop(id, &nh);
	}
	close_json_array();
	free(counts);
	return 0;
}

static int nexthop_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("Usage: ipxr [ OPTIONS ] nexthop { show | list } [ id ID ] [ dev NAME ]\n%s",
	       ipxr_options_usage);
	return 0;
}

static const struct cmd nexthop_cmds[] = {
	{ "show", nexthop_show },
	{ "list", nexthop_show },
	{ "help", nexthop_help },
	{ NULL, NULL },
};

int do_nexthop(int argc, char **argv)
{
	return cmd_dispatch(nexthop_cmds, "nexthop command", nexthop_show, argc, argv);
}
