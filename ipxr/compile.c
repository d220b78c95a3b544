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
#include <linux/icmpv6.h>
#include <linux/rtnetlink.h>

#include "check.h"
#include "compile.h"
#include "counted.h"
#include "group.h"
#include "local.h"
#include "maps.h"
#include "nexthop.h"
#include "ports.h"

static struct {
	bool keep;		/* compile_keep(): what was read stays across compile_end() */
	bool committed;		/* compile_commit() succeeded since compile_begin() */
	bool ports;		/* ports_sync() done for the maps open now */
} cs;

/*
 * The entry compile_lookup() read last: compiling or removing the same prefix right after (ipxr
 * sync's diff, the CLI's) needs no second read of it. Forgotten at every write to a trie and
 * whenever the lock is taken or given back.
 */
static struct {
	bool valid;
	int af;
	struct route_key key;
	int had;
	struct ipxr_route val;
} last;

static int lookup_exact(const struct ipxr_family *f, const struct route_key *key,
			struct ipxr_route *val)
{
	if (last.valid && last.af == f->af && !memcmp(&last.key, key, sizeof(*key))) {
		*val = last.val;
		return last.had;
	}
	return route_lookup_exact(f, key, val);
}

void compile_keep(bool keep)
{
	cs.keep = keep;
	maps_keep(keep);
}

int compile_begin(void)
{
	bool refresh_groups = false;
	__u32 dead = 0;
	int err = maps_open(true);

	last.valid = false;
	/* before the first change, local_sync()'s and the front structure's included */
	if (!err)
		err = maps_write_mark(&dead);
	if (err)
		return err;
	cs.committed = false;
	/*
	 * What was read under an earlier hold of the lock (next hops and their counts, the
	 * router's addresses, the ports) holds as long as nobody else wrote and the maps are the
	 * same: otherwise read it again. A writer that died half-way did not move the write
	 * generation on, so its marker says the same.
	 */
	if (dead || maps_fresh()) {
		nh_free_all();
		grp_free_all();
		local_free();
		counted_forget();
		cs.ports = false;
	}
	/* the front structure's bracket opens before its first write, local_sync()'s too */
	err = front_begin();
	/*
	 * The program redirects only into ports recorded as running it and up; ipxr sync keeps
	 * the record in step from link events (ports_apply()) after this first look.
	 */
	if (!err && !cs.ports) {
		err = ports_sync();
		cs.ports = !err;
		refresh_groups = !err;
	}
	if (!err)
		err = local_sync();
	if (!err)
		err = nh_load();
	if (!err)
		err = grp_load();
	/* ports just read: groups written while a port changed unseen follow it now */
	if (!err && refresh_groups)
		err = grp_ports_refresh();
	if (!err && dead) {
		ipxr_warn("an ipxr write (pid %u) was interrupted half-way: recovering first (the "
			  "maps diffed with kernel table %u, next-hop references recounted, the "
			  "front structure repainted)", dead, compile_table());
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
	 * Every entry of a pool half painted is old or new, so readers may go on with it, and a
	 * pool left dirty is repainted at the end of this write anyway; repainting both (at
	 * maps_close()) also covers what check_reconcile() changed in bulk.
	 */
	front_invalidate(family_get(AF_INET));
	front_invalidate(family_get(AF_INET6));
	return err;
}

void compile_addrs_changed(void)
{
	local_free();
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

static void src_key_of(const struct inet_prefix *p, struct ipxr_route_src_key *key)
{
	memset(key, 0, sizeof(*key));
	key->family = p->family;
	key->prefixlen = p->bitlen;
	memcpy(key->addr, p->addr, af_bytes(p->family));
}

/*
 * The route's IPv6 preference as the entry keeps it: medium, which every IPv6 route has unless
 * told otherwise, is 0 like no preference at all.
 */
static __u8 pref_code(const struct kroute *r)
{
	if (!r->has_pref || r->dst.family != AF_INET6 || r->pref == ICMPV6_ROUTER_PREF_MEDIUM)
		return 0;
	return r->pref + 1;
}

/*
 * Whether every next hop of multipath route @r is one the fast path can take: a device, and a
 * gateway of the route's own family if any (as for a single next hop).
 */
static bool paths_ok(const struct kroute *r)
{
	const struct kpath_set *s = kpath_get(r->paths);
	unsigned int i;

	if (!s || s->n < 2)
		return false;
	for (i = 0; i < s->n; i++)
		if (!s->p[i].oif || (s->p[i].has_gw && s->p[i].gw.family != r->dst.family))
			return false;
	return true;
}

/* What the fast path does with @r: a type of its own, and for unicast the next hop's pieces. */
static __u8 compile_type(const struct kroute *r)
{
	switch (r->type) {
	case RTN_UNICAST:
		/*
		 * Several next hops: a group, hashed per flow. A route by a nexthop object (FRR's
		 * zebra installs them) comes with the object's next hops too, as a plain route's
		 * or RTA_MULTIPATH (the kernel's nexthop_compat_mode, on by default), and is
		 * compiled from them; ipxr sync looks again when a nexthop object changes.
		 * Without them (compat mode off) the kernel has it.
		 */
		if (r->multipath && !(r->flags & RTNH_F_DEAD))
			return paths_ok(r) ? IPXR_RT_MULTIPATH : IPXR_RT_KERNEL;
		/*
		 * A gateway of the other family (RFC 5549) is not compiled: a next hop holds one
		 * of the route's. A route the kernel does not use (all next hops dead) is its to
		 * answer for.
		 */
		if (r->multipath || (r->flags & RTNH_F_DEAD) ||
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

/* What a route entry of @type holds a reference on: its next hop, or its group. */
static void ref_release(__u8 type, __u32 id)
{
	if (type == IPXR_RT_UNICAST)
		nh_release(id);
	else if (type == IPXR_RT_MULTIPATH)
		grp_release(id);
}

/*
 * The group of multipath route @r's next hops: one next-hop reference per member, which the
 * group takes over. 0 or an exit code, with nothing held.
 */
static int group_acquire(const struct kroute *r, __u32 *id)
{
	const struct kpath_set *s = kpath_get(r->paths);
	__u32 nh[IPXR_NHG_MAX];
	__u16 w[IPXR_NHG_MAX];
	unsigned int i, n = 0;
	int err = 0;

	for (i = 0; s && i < s->n && !err; i++) {
		err = nh_acquire(s->p[i].oif, s->p[i].has_gw ? &s->p[i].gw : NULL, &nh[n]);
		w[n] = s->p[i].weight ? s->p[i].weight : 1;
		n += !err;
	}
	if (!err)
		err = grp_acquire(nh, w, n, id);
	if (err)
		for (i = 0; i < n; i++)
			nh_release(nh[i]);
	return err;
}

/*
 * compile_route(), and with @fresh compile_route_new(): the entry is written with BPF_NOEXIST
 * and not read first, and a prefix that has one already is left as it was (-EEXIST).
 */
static int compile_write(const struct kroute *r, bool fresh)
{
	const struct ipxr_family *f = family_get(r->dst.family);
	struct ipxr_route val = {}, old;
	struct ipxr_route_src_key skey;
	struct ipxr_route_src src = {};
	char dst[PREFIX_STRLEN];
	struct route_key key;
	int oif = r->oif, had = 0, err;
	__u32 nh_id = 0;

	if (!f)
		return ipxr_error(IPXR_EXIT_USAGE, "route of unknown family %u", r->dst.family);
	route_key_of(&r->dst, &key);
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
	val.pref = pref_code(r);
	/* the operator's choice, kept by ipxr across the kernel route's deletion and return */
	val.counter = counted_slot(&r->dst);
	if (r->has_prefsrc && r->prefsrc.family == r->dst.family)
		val.flags |= IPXR_RT_F_SRC;
	/* the source address is written before the entry: not over an entry's that may be there */
	if (fresh && (val.flags & IPXR_RT_F_SRC))
		return -EEXIST;
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
	} else if (val.type == IPXR_RT_MULTIPATH) {
		err = group_acquire(r, &nh_id);
		if (err)
			return err;
		val.nh_id = nh_id;
	}
	if (!fresh)
		had = lookup_exact(f, &key, &old);
	last.valid = false;
	if (had < 0) {
		ref_release(val.type, nh_id);
		return ipxr_error(IPXR_EXIT_REFUSED, "cannot read route \"%s\": %s",
				  format_prefix(dst, sizeof(dst), &r->dst), strerror(-had));
	}
	/* the source address first: whoever sees the entry's flag finds it */
	src_key_of(&r->dst, &skey);
	if (val.flags & IPXR_RT_F_SRC) {
		memcpy(src.addr, r->prefsrc.addr, af_bytes(r->dst.family));
		if (bpf_map_update_elem(map_fd(MAP_ROUTE_SRC), &skey, &src, BPF_ANY)) {
			err = errno;
			ref_release(val.type, nh_id);
			return ipxr_error(IPXR_EXIT_REFUSED, "cannot write the source address of "
					  "route \"%s\" (map %s): %s",
					  format_prefix(dst, sizeof(dst), &r->dst), IPXR_MAP_ROUTE_SRC,
					  strerror(err));
		}
	}
	if (bpf_map_update_elem(map_fd(f->route_map), &key, &val, fresh ? BPF_NOEXIST : BPF_ANY)) {
		err = errno;
		ref_release(val.type, nh_id);
		if (fresh && err == EEXIST)
			return -EEXIST;
		if ((val.flags & IPXR_RT_F_SRC) && !(had == 1 && (old.flags & IPXR_RT_F_SRC)))
			bpf_map_delete_elem(map_fd(MAP_ROUTE_SRC), &skey);
		if (err == E2BIG || err == ENOSPC || err == ENOMEM)
			return ipxr_error(IPXR_EXIT_REFUSED, "route table full (%u routes)",
					  f->max_routes);
		return ipxr_error(IPXR_EXIT_REFUSED, "cannot write route \"%s\": %s",
				  format_prefix(dst, sizeof(dst), &r->dst), strerror(err));
	}
	front_set(f, &key, &val);
	if (had == 1 && (old.flags & IPXR_RT_F_SRC) && !(val.flags & IPXR_RT_F_SRC))
		bpf_map_delete_elem(map_fd(MAP_ROUTE_SRC), &skey);
	if (had == 1)
		ref_release(old.type, old.nh_id);
	return 0;
}

int compile_route(const struct kroute *r)
{
	return compile_write(r, false);
}

int compile_route_new(const struct kroute *r)
{
	return compile_write(r, true);
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
	if (compile_type(r) == IPXR_RT_MULTIPATH)
		return true;
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
	had = lookup_exact(f, &key, &old);
	last.valid = false;
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
	if (old.flags & IPXR_RT_F_SRC) {
		struct ipxr_route_src_key skey;

		src_key_of(dst, &skey);
		bpf_map_delete_elem(map_fd(MAP_ROUTE_SRC), &skey);
	}
	ref_release(old.type, old.nh_id);
	return 0;
}

int compile_src(const struct ipxr_family *f, const struct route_key *key,
		const struct ipxr_route *val, struct inet_prefix *src)
{
	struct ipxr_route_src_key skey = { .family = f->af, .prefixlen = key->prefixlen };
	struct ipxr_route_src v;

	if (!(val->flags & IPXR_RT_F_SRC))
		return 0;
	memcpy(skey.addr, key->addr, f->bits / 8);
	if (bpf_map_lookup_elem(map_fd(MAP_ROUTE_SRC), &skey, &v))
		return 0;
	memset(src, 0, sizeof(*src));
	src->family = f->af;
	src->bitlen = f->bits;
	memcpy(src->addr, v.addr, f->bits / 8);
	return 1;
}

/* A multipath route's next hops as the kernel describes them, from its group @id. */
static void group_to_kroute(__u32 id, struct kroute *r)
{
	const struct ipxr_nh_group *g = grp_load() ? NULL : grp_get(id);
	const struct ipxr_nexthop *nh;
	static struct kpath_set s;
	struct kpath *p;
	unsigned int i;

	r->multipath = true;
	if (!g)
		return;
	memset(&s, 0, sizeof(s));
	for (i = 0; i < g->count && i < KPATH_MAX; i++) {
		nh = nh_get(g->member[i].nh_id);
		if (!nh)
			continue;
		p = &s.p[s.n++];
		p->oif = nh->ifindex;
		p->weight = g->member[i].weight;
		if (!(nh->flags & IPXR_NH_F_CONNECTED)) {
			p->has_gw = true;
			p->gw.family = nh->family;
			p->gw.bitlen = af_bits(nh->family);
			memcpy(p->gw.addr, nh->gw, af_bytes(nh->family));
		}
	}
	r->paths = kpath_intern(&s);
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
	r->counter = val->counter;
	if (val->flags & IPXR_RT_F_ONLINK)
		r->flags |= RTNH_F_ONLINK;
	r->has_prefsrc = compile_src(f, key, val, &r->prefsrc) == 1;
	if (f->af == AF_INET6) {
		r->has_pref = true;
		r->pref = val->pref ? val->pref - 1 : ICMPV6_ROUTER_PREF_MEDIUM;
	}
	if (val->type == IPXR_RT_LOCAL) {
		r->type = RTN_LOCAL;
		r->table = RT_TABLE_LOCAL;
		r->scope = RT_SCOPE_HOST;
		r->protocol = RTPROT_KERNEL;
		r->oif = local_ifindex(f, key->addr);
		return;
	}
	if (val->type == IPXR_RT_MULTIPATH) {
		group_to_kroute(val->nh_id, r);
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
	last.valid = ret >= 0;
	last.af = f->af;
	last.key = key;
	last.had = ret;
	last.val = val;
	if (ret != 1)
		return ret;
	compile_to_kroute(f, &key, &val, r);
	return 1;
}

/*
 * The routes of the tries pointing to each next hop (@counts) and to each group (@gcounts,
 * may be NULL); a group any route uses holds a reference on each of its members.
 */
static int count_refs(__u32 *counts, __u32 *gcounts)
{
	const struct ipxr_nh_group *g;
	const struct ipxr_family *f;
	struct route_key *keys;
	struct ipxr_route val;
	__u32 *gc = gcounts;
	size_t n, i;
	int err;

	if (!gc)
		gc = calloc(IPXR_MAX_NH_GROUPS, sizeof(*gc));
	if (!gc)
		return ipxr_error(IPXR_EXIT_REFUSED, "out of memory");
	memset(counts, 0, IPXR_MAX_NEXTHOPS * sizeof(*counts));
	memset(gc, 0, IPXR_MAX_NH_GROUPS * sizeof(*gc));
	err = grp_load();
	for_each_family(f) {
		if (err)
			break;
		err = route_keys(f, &keys, &n);
		if (err) {
			err = ipxr_error(IPXR_EXIT_REFUSED, "cannot read map %s: %s",
					 map_layout[f->route_map].name, strerror(-err));
			break;
		}
		for (i = 0; i < n; i++) {
			/* the key is in the trie: the longest match is its own entry */
			if (bpf_map_lookup_elem(map_fd(f->route_map), &keys[i], &val) ||
			    val.prefixlen != keys[i].prefixlen)
				continue;
			if (val.type == IPXR_RT_UNICAST && val.nh_id < IPXR_MAX_NEXTHOPS)
				counts[val.nh_id]++;
			else if (val.type == IPXR_RT_MULTIPATH && val.nh_id < IPXR_MAX_NH_GROUPS)
				gc[val.nh_id]++;
		}
		free(keys);
	}
	for (i = 1; !err && i < IPXR_MAX_NH_GROUPS; i++) {
		g = grp_get(i);
		for (n = 0; g && gc[i] && n < g->count; n++)
			if (g->member[n].nh_id < IPXR_MAX_NEXTHOPS)
				counts[g->member[n].nh_id]++;
	}
	if (!gcounts)
		free(gc);
	return err;
}

int compile_count_refs(__u32 *counts)
{
	return count_refs(counts, NULL);
}

int compile_recount(void)
{
	__u32 *counts, *gcounts;
	int err;

	counts = calloc(IPXR_MAX_NEXTHOPS, sizeof(*counts));
	gcounts = calloc(IPXR_MAX_NH_GROUPS, sizeof(*gcounts));
	if (!counts || !gcounts) {
		free(counts);
		free(gcounts);
		return ipxr_error(IPXR_EXIT_REFUSED, "out of memory");
	}
	err = count_refs(counts, gcounts);
	/*
	 * Groups first: freeing one releases its members, whose counts nh_recount() then sets
	 * to what the routes and the groups left say.
	 */
	if (!err)
		err = grp_recount(gcounts);
	if (!err)
		err = grp_commit();
	if (!err)
		err = nh_recount(counts);
	free(counts);
	free(gcounts);
	return err ? err : nh_commit();
}

int compile_commit(void)
{
	/* a group freed releases its members: before their counts are written */
	int err = grp_commit();

	if (!err)
		err = nh_commit();

	cs.committed = !err;
	return err;
}

void compile_end(void)
{
	last.valid = false;
	/*
	 * Next hops whose counts this process changed but did not write cannot be kept: the next
	 * compile_begin() reads them again from the maps, and a re-scan recounts.
	 */
	if (!cs.committed)
		maps_keep(false);
	maps_close();	/* ends the front structure's bracket and releases the lock */
	if (!cs.keep || !cs.committed) {
		nh_free_all();
		grp_free_all();
		local_free();
		cs.ports = false;
	}
	maps_keep(cs.keep);
}

int compile_tables(__u32 *tables, unsigned int max)
{
	struct ipxr_config cfg;
	unsigned int n = 1, i;

	tables[0] = compile_table();
	if (config_read(&cfg))
		return n;
	for (i = 0; i < IPXR_CFG_TABLES_MAX && n < max; i++)
		if (cfg.tables[i])
			tables[n++] = cfg.tables[i];
	return n;
}

int compile_set_tables(const __u32 *tables, unsigned int n)
{
	struct ipxr_config cfg;
	unsigned int i;
	int err;

	if (n < 1 || n > 1 + IPXR_CFG_TABLES_MAX)
		return ipxr_error(IPXR_EXIT_USAGE, "the fast path follows 1 to %d tables",
				  1 + IPXR_CFG_TABLES_MAX);
	err = maps_open(true);
	if (err)
		return err;
	err = config_read(&cfg);
	if (!err) {
		cfg.magic = IPXR_LAYOUT_MAGIC;
		cfg.table = tables[0] == RT_TABLE_MAIN ? 0 : tables[0];
		for (i = 0; i < IPXR_CFG_TABLES_MAX; i++)
			cfg.tables[i] = i + 1 < n ? tables[i + 1] : 0;
		err = config_write(&cfg);
	}
	maps_close();
	if (err)
		return ipxr_error(IPXR_EXIT_REFUSED, "cannot write map %s: %s", IPXR_MAP_CONFIG,
				  strerror(-err));
	return 0;
}

int compile_set_table(__u32 table)
{
	return compile_set_tables(&table, 1);
}

static bool same_addr(const struct inet_prefix *a, const struct inet_prefix *b)
{
	return a->family == b->family && memcmp(a->addr, b->addr, af_bytes(a->family)) == 0;
}

/* Two next-hop sets with the same devices, gateways and weights in the same order. */
static bool paths_same(__u32 a, __u32 b)
{
	const struct kpath_set *x = kpath_get(a), *y = kpath_get(b);
	unsigned int i;

	if (!x || !y || x->n != y->n)
		return false;
	for (i = 0; i < x->n; i++)
		if (x->p[i].oif != y->p[i].oif || x->p[i].has_gw != y->p[i].has_gw ||
		    (x->p[i].has_gw && !same_addr(&x->p[i].gw, &y->p[i].gw)) ||
		    (x->p[i].weight ? x->p[i].weight : 1) != (y->p[i].weight ? y->p[i].weight : 1))
			return false;
	return true;
}

bool compile_same(const struct kroute *k, const struct kroute *m)
{
	if (k->table != m->table || k->type != m->type || k->protocol != m->protocol ||
	    k->scope != m->scope || k->priority != m->priority || k->mtu != m->mtu ||
	    k->mtu_lock != m->mtu_lock ||
	    (k->flags & RTNH_F_ONLINK) != (m->flags & RTNH_F_ONLINK) ||
	    pref_code(k) != pref_code(m) || k->has_prefsrc != m->has_prefsrc ||
	    (k->has_prefsrc && !same_addr(&k->prefsrc, &m->prefsrc)))
		return false;
	/* a group: the same next hops and weights, in the kernel's order */
	if (compile_type(k) == IPXR_RT_MULTIPATH)
		return m->multipath && paths_same(k->paths, m->paths);
	/* what compile_route() keeps of the next hop: nothing unless the fast path forwards */
	if (compile_type(k) != IPXR_RT_UNICAST)
		return !m->oif && !m->has_gw && !m->multipath;
	if (!k->oif || k->oif != m->oif || k->has_gw != m->has_gw)
		return false;
	return !k->has_gw || same_addr(&k->gw, &m->gw);
}
