// SPDX-License-Identifier: GPL-2.0
/*
 * The one path from a kernel route to the maps (compile.h): trie entry, front-table words and
 * next-hop references. A kernel route becomes what the kernel does with it; what the fast path
 * cannot do exactly as the kernel would is an IPXR_RT_KERNEL entry, which hands the packet to
 * the kernel (which holds the same route) and counts it as kernel_route.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <linux/rtnetlink.h>

#include "check.h"
#include "compile.h"
#include "local.h"
#include "maps.h"
#include "nexthop.h"
#include "ports.h"

int compile_begin(void)
{
	__u32 dead = 0;
	int err = maps_open(true);

	/* before the first change, local_sync()'s and the front table's state word included */
	if (!err)
		err = maps_write_mark(&dead);
	/* the front table is left to the trie before its first write, local_sync()'s too */
	if (!err)
		err = front_begin();
	/* the program redirects only into ports recorded as running it and up */
	if (!err)
		err = ports_sync();
	if (!err)
		err = local_sync();
	if (!err)
		err = nh_load();
	if (!err && dead) {
		ipxr_warn("an ipxr write (pid %u) was interrupted half-way: recovering first (the "
			  "maps diffed with kernel table %u, next-hop references recounted, the "
			  "IPv4 front table repainted)", dead, compile_table());
		err = compile_recover();
	}
	if (!err)
		check_ports_warn();
	return err;
}

int compile_recover(void)
{
	int err;

	/*
	 * The counts first, recomputed from the routes (a dead writer's were never written):
	 * mending a route below releases its old next hop, and a stale count would reach zero
	 * and free a next hop that thousands of routes still use.
	 */
	err = compile_recount();
	/* what a killed write did to the kernel but not yet to the maps, or the other way */
	if (!err)
		err = check_reconcile();
	if (!err)
		err = compile_commit();
	/* stand-in kernel routes of next hops that died before their first route */
	if (!err)
		err = check_standins(true);
	/*
	 * The front table's state word already keeps a table half painted from use; repainting
	 * it all (at maps_close()) makes recovery exact whatever the dead writer did.
	 */
	front_invalidate(family_get(AF_INET));
	return err;
}

__u32 compile_table(void)
{
	struct ipxr_config cfg;

	if (config_read(&cfg) || !cfg.table)
		return RT_TABLE_MAIN;
	return cfg.table;
}

static void route_key_of(const struct inet_prefix *p, struct route_key *key)
{
	memset(key, 0, sizeof(*key));
	key->prefixlen = p->bitlen;
	memcpy(key->addr, p->addr, af_bytes(p->family));
}

/* What the fast path does with @r: a type of its own, and for unicast the next hop's pieces. */
static __u8 compile_type(const struct kroute *r)
{
	switch (r->type) {
	case RTN_UNICAST:
		/*
		 * Several next hops or a nexthop object: not compiled until ECMP lands. A gateway
		 * of the other family (RFC 5549) neither: a next hop holds one of the route's.
		 * A route the kernel does not use (all next hops dead) is its to answer for.
		 */
		if (r->multipath || r->nhid || (r->flags & RTNH_F_DEAD) ||
		    (r->has_gw && r->gw.family != r->dst.family) || (!r->oif && !r->has_gw))
			return IPXR_RT_KERNEL;
		return IPXR_RT_UNICAST;
	case RTN_BLACKHOLE:
		return IPXR_RT_BLACKHOLE;
	default:
		/* unreachable, prohibit, throw, local, broadcast, anycast, multicast, nat */
		return IPXR_RT_KERNEL;
	}
}

int compile_route(const struct kroute *r)
{
	const struct ipxr_family *f = family_get(r->dst.family);
	struct ipxr_route val = {}, old;
	char dst[PREFIX_STRLEN];
	struct route_key key;
	int oif = r->oif, had, err;
	__u32 nh_id = 0;

	if (!f)
		return ipxr_error(IPXR_EXIT_USAGE, "route of unknown family %u", r->dst.family);
	route_key_of(&r->dst, &key);
	format_prefix(dst, sizeof(dst), &r->dst);
	/* the router's own address: the kernel's local table wins over any route to it */
	if (key.prefixlen == f->bits && local_is_addr(f, key.addr))
		return 0;
	val.type = compile_type(r);
	val.prefixlen = key.prefixlen;
	val.rtn_type = r->type;
	val.protocol = r->protocol;
	val.scope = r->scope;
	val.priority = r->priority;
	val.table = r->table;
	val.mtu = r->mtu;
	if (r->mtu_lock)
		val.flags |= IPXR_RT_F_MTU_LOCK;
	if (r->flags & RTNH_F_ONLINK)
		val.flags |= IPXR_RT_F_ONLINK;
	if (val.type == IPXR_RT_UNICAST) {
		if (!oif) {
			err = nh_gateway_dev(&r->gw, &oif);
			if (err)
				return err;
		}
		err = nh_acquire(oif, r->has_gw ? &r->gw : NULL, &nh_id);
		if (err)
			return err;
		val.nh_id = nh_id;
	}
	had = route_lookup_exact(f, &key, &old);
	if (had < 0) {
		nh_release(nh_id);
		return ipxr_error(IPXR_EXIT_REFUSED, "cannot read route \"%s\": %s", dst,
				  strerror(-had));
	}
	if (bpf_map_update_elem(map_fd(f->route_map), &key, &val, BPF_ANY)) {
		err = errno;
		nh_release(nh_id);
		if (err == E2BIG || err == ENOSPC || err == ENOMEM)
			return ipxr_error(IPXR_EXIT_REFUSED, "route table full (%u routes)",
					  f->max_routes);
		return ipxr_error(IPXR_EXIT_REFUSED, "cannot write route \"%s\": %s", dst,
				  strerror(err));
	}
	front_set(f, &key, &val);
	if (had == 1 && old.type == IPXR_RT_UNICAST)
		nh_release(old.nh_id);
	return 0;
}

bool compile_may_fail(const struct kroute *r)
{
	const struct ipxr_family *f = family_get(r->dst.family);
	struct route_key key;
	struct ipxr_route old;

	if (!f)
		return true;
	route_key_of(&r->dst, &key);
	/* a new key can meet a full trie */
	if (route_lookup_exact(f, &key, &old) != 1)
		return true;
	/* a new next hop can meet a full next-hop table, or a stand-in route the kernel refuses */
	return compile_type(r) == IPXR_RT_UNICAST &&
	       (!r->oif || !nh_exists(r->oif, r->has_gw ? &r->gw : NULL));
}

int compile_remove(const struct inet_prefix *dst)
{
	const struct ipxr_family *f = family_get(dst->family);
	char d[PREFIX_STRLEN];
	struct route_key key;
	struct ipxr_route old;
	int had;

	if (!f)
		return 0;
	route_key_of(dst, &key);
	had = route_lookup_exact(f, &key, &old);
	if (had < 0)
		return ipxr_error(IPXR_EXIT_REFUSED, "cannot read route \"%s\": %s",
				  format_prefix(d, sizeof(d), dst), strerror(-had));
	/* the LOCAL copies follow the router's addresses (local.c), not its routes */
	if (had == 0 || old.type == IPXR_RT_LOCAL)
		return 0;
	if (bpf_map_delete_elem(map_fd(f->route_map), &key)) {
		if (errno == ENOENT)
			return 0;
		return ipxr_error(IPXR_EXIT_REFUSED, "cannot delete route \"%s\": %s",
				  format_prefix(d, sizeof(d), dst), strerror(errno));
	}
	front_del(f, &key);
	if (old.type == IPXR_RT_UNICAST)
		nh_release(old.nh_id);
	return 0;
}

void compile_to_kroute(const struct ipxr_family *f, const struct route_key *key,
		       const struct ipxr_route *val, struct kroute *r)
{
	const struct ipxr_nexthop *nh;

	memset(r, 0, sizeof(*r));
	r->dst.family = f->af;
	r->dst.bitlen = key->prefixlen;
	memcpy(r->dst.addr, key->addr, f->bits / 8);
	r->table = val->table;
	r->type = val->rtn_type;
	r->protocol = val->protocol;
	r->scope = val->scope;
	r->priority = val->priority;
	r->mtu = val->mtu;
	r->mtu_lock = val->flags & IPXR_RT_F_MTU_LOCK;
	if (val->flags & IPXR_RT_F_ONLINK)
		r->flags |= RTNH_F_ONLINK;
	if (val->type == IPXR_RT_LOCAL) {
		r->type = RTN_LOCAL;
		r->table = RT_TABLE_LOCAL;
		r->scope = RT_SCOPE_HOST;
		r->protocol = RTPROT_KERNEL;
		r->oif = local_ifindex(f, key->addr);
		return;
	}
	if (val->type != IPXR_RT_UNICAST)
		return;
	nh = nh_get(val->nh_id);
	if (!nh)
		return;
	r->oif = nh->ifindex;
	if (!(nh->flags & IPXR_NH_F_CONNECTED)) {
		r->has_gw = true;
		r->gw.family = nh->family;
		r->gw.bitlen = af_bits(nh->family);
		memcpy(r->gw.addr, nh->gw, af_bytes(nh->family));
	}
}

int compile_lookup(const struct inet_prefix *dst, struct kroute *r)
{
	const struct ipxr_family *f = family_get(dst->family);
	struct route_key key;
	struct ipxr_route val;
	int ret;

	if (!f)
		return -EAFNOSUPPORT;
	route_key_of(dst, &key);
	ret = route_lookup_exact(f, &key, &val);
	if (ret != 1)
		return ret;
	compile_to_kroute(f, &key, &val, r);
	return 1;
}

int compile_count_refs(__u32 *counts)
{
	const struct ipxr_family *f;
	struct route_key *keys;
	struct ipxr_route val;
	size_t n, i;
	int err;

	memset(counts, 0, IPXR_MAX_NEXTHOPS * sizeof(*counts));
	for_each_family(f) {
		err = route_keys(f, &keys, &n);
		if (err)
			return ipxr_error(IPXR_EXIT_REFUSED, "cannot read map %s: %s",
					  map_layout[f->route_map].name, strerror(-err));
		for (i = 0; i < n; i++)
			/* the key is in the trie: the longest match is its own entry */
			if (bpf_map_lookup_elem(map_fd(f->route_map), &keys[i], &val) == 0 &&
			    val.prefixlen == keys[i].prefixlen && val.type == IPXR_RT_UNICAST &&
			    val.nh_id < IPXR_MAX_NEXTHOPS)
				counts[val.nh_id]++;
		free(keys);
	}
	return 0;
}

int compile_recount(void)
{
	__u32 *counts;
	int err;

	counts = calloc(IPXR_MAX_NEXTHOPS, sizeof(*counts));
	if (!counts)
		return ipxr_error(IPXR_EXIT_REFUSED, "out of memory");
	err = compile_count_refs(counts);
	if (!err)
		err = nh_recount(counts);
	free(counts);
	return err ? err : nh_commit();
}

int compile_commit(void)
{
	return nh_commit();
}

void compile_end(void)
{
	maps_close();	/* ends the front table's bracket and releases the lock */
	nh_free_all();
	local_free();
}

int compile_set_table(__u32 table)
{
	struct ipxr_config cfg;
	int err = maps_open(true);

	if (err)
		return err;
	err = config_read(&cfg);
	if (!err) {
		cfg.magic = IPXR_LAYOUT_MAGIC;
		cfg.table = table == RT_TABLE_MAIN ? 0 : table;
		err = config_write(&cfg);
	}
	maps_close();
	if (err)
		return ipxr_error(IPXR_EXIT_REFUSED, "cannot write map %s: %s", IPXR_MAP_CONFIG,
				  strerror(-err));
	return 0;
}

static bool same_addr(const struct inet_prefix *a, const struct inet_prefix *b)
{
	return a->family == b->family && memcmp(a->addr, b->addr, af_bytes(a->family)) == 0;
}

bool compile_same(const struct kroute *k, const struct kroute *m)
{
	if (k->table != m->table || k->type != m->type || k->protocol != m->protocol ||
	    k->scope != m->scope || k->priority != m->priority || k->mtu != m->mtu ||
	    k->mtu_lock != m->mtu_lock ||
	    (k->flags & RTNH_F_ONLINK) != (m->flags & RTNH_F_ONLINK))
		return false;
	/* what compile_route() keeps of the next hop: nothing unless the fast path forwards */
	if (compile_type(k) != IPXR_RT_UNICAST)
		return !m->oif && !m->has_gw;
	if (!k->oif || k->oif != m->oif || k->has_gw != m->has_gw)
		return false;
	return !k->has_gw || same_addr(&k->gw, &m->gw);
}
