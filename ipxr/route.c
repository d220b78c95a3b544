// SPDX-License-Identifier: GPL-2.0
/*
 * ipxr route: add, change, replace, delete, show, flush, get.
 *
 * add, change and replace are one function that differs only in the map update flag, as
 * ip's iproute_modify differs only in netlink flags. Nothing is written before every word has
 * been checked, the device found and the gateway validated, so a failing command leaves the
 * table as it was.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <linux/neighbour.h>

#include "json_print.h"
#include "local.h"
#include "maps.h"
#include "netlink.h"
#include "nexthop.h"
#include "ports.h"
#include "route.h"

/* the kernel's NUD_VALID (include/net/neighbour.h): states with a usable lladdr */
#define NEIGH_VALID	(NUD_PERMANENT | NUD_NOARP | NUD_REACHABLE | NUD_PROBE | NUD_STALE | \
			 NUD_DELAY)

static const char *const type_names[] = {
	[IPXR_RT_UNSPEC] = "unspec",
	[IPXR_RT_UNICAST] = "unicast",
	[IPXR_RT_BLACKHOLE] = "blackhole",
	[IPXR_RT_LOCAL] = "local",
};

const char *route_type_name(unsigned int type)
{
	return type < sizeof(type_names) / sizeof(type_names[0]) ? type_names[type] : "unknown";
}

static int type_from_word(const char *w, bool allow_local)
{
	if (is_word(w, "unicast"))
		return IPXR_RT_UNICAST;
	if (is_word(w, "blackhole"))
		return IPXR_RT_BLACKHOLE;
	if (allow_local && is_word(w, "local"))
		return IPXR_RT_LOCAL;
	return -1;
}

static int set_dst(struct route_req *req, const char *arg, enum route_match how)
{
	if (req->has_dst)
		return duparg("to", arg);
	req->has_dst = true;
	req->match = how;
	req->dst_arg = arg;
	return parse_prefix_arg(arg, ipxr.family, &req->dst);
}

static int match_word(const char *w, enum route_match *how)
{
	if (is_word(w, "exact"))
		*how = MATCH_EXACT;
	else if (is_word(w, "root"))
		*how = MATCH_ROOT;
	else if (is_word(w, "match"))
		*how = MATCH_MATCH;
	else
		return -1;
	return 0;
}

/*
 * The family of the route: its prefix's; "default" has none of its own and takes the
 * gateway's, else -4/-6, else IPv4 (as ip decides it).
 */
static int resolve_family(struct route_req *req)
{
	int family = req->has_dst ? req->dst.family : AF_UNSPEC;

	if (req->has_via) {
		if (family && family != req->via.family)
			return ipxr_error(IPXR_EXIT_USAGE, "prefix \"%s\" and gateway \"%s\" are "
					  "of different families.", req->dst_arg, req->via_arg);
		family = req->via.family;
	}
	if (!family)
		family = ipxr.family ? ipxr.family : AF_INET;
	req->family = family;
	req->dst.family = family;
	return 0;
}

/* iproute2's keyword loop: keywords take the next word, a bare word is the prefix. */
int route_parse(int argc, char **argv, bool selector, struct route_req *req)
{
	enum route_match how;
	const char *w;
	int type, err;

	memset(req, 0, sizeof(*req));
	for (; argc > 0; argc--, argv++) {
		w = *argv;
		how = MATCH_EXACT;
		if (is_word(w, "via")) {
			if (argc < 2)
				return missarg(w);
			argc--, argv++;
			if (req->has_via)
				return duparg("via", *argv);
			err = parse_addr_arg(*argv, ipxr.family, &req->via);
			if (err)
				return err;
			req->has_via = true;
			req->via_arg = *argv;
		} else if (is_word(w, "dev")) {
			if (argc < 2)
				return missarg(w);
			argc--, argv++;
			if (req->dev)
				return duparg("dev", *argv);
			req->dev = *argv;
		} else if ((type = type_from_word(w, false)) >= 0 ||
			   (selector && is_word(w, "type"))) {
			if (type < 0) {
				if (argc < 2)
					return missarg(w);
				argc--, argv++;
				type = type_from_word(*argv, true);
				if (type < 0)
					return ipxr_error(IPXR_EXIT_USAGE,
							  "invalid route type \"%s\": unicast, "
							  "blackhole or local.", *argv);
			}
			if (req->has_type)
				return duparg("type", *argv);
			req->has_type = true;
			req->type = type;
		} else {
			/* [ to ] [ root | match | exact ] PREFIX, or a bare PREFIX */
			if (is_word(w, "to")) {
				if (argc < 2)
					return missarg(w);
				argc--, argv++;
				w = *argv;
			}
			if (selector && match_word(w, &how) == 0) {
				if (argc < 2)
					return missarg(w);
				argc--, argv++;
			}
			err = set_dst(req, *argv, how);
			if (err)
				return err;
		}
	}
	if (!selector && !req->has_dst)
		return ipxr_error(IPXR_EXIT_USAGE, "a prefix is needed: ROUTE := [ TYPE ] [ to ] "
				  "PREFIX [ via ADDRESS ] [ dev NAME ]");
	return resolve_family(req);
}

/* A unicast route needs somewhere to go, a blackhole nowhere. */
static int route_check_write(const struct route_req *req)
{
	if (req->has_type && req->type == IPXR_RT_BLACKHOLE) {
		if (req->has_via || req->dev)
			return ipxr_error(IPXR_EXIT_USAGE, "a blackhole route takes neither via "
					  "nor dev.");
		return 0;
	}
	if (!req->has_via && !req->dev)
		return ipxr_error(IPXR_EXIT_USAGE,
				  "a unicast route needs via ADDRESS or dev NAME.");
	/* fe80::/10 exists on every link: only the device says which neighbour is meant */
	if (req->has_via && addr_is_linklocal(req->via.family, req->via.addr) && !req->dev)
		return ipxr_error(IPXR_EXIT_USAGE, "a link-local gateway needs dev.");
	return 0;
}

/*
 * The fast path hands a packet to the kernel when forwarding is off on the egress device
 * (bpf_fib_lookup says FWD_DISABLED): say so once per device and family, it is the likely
 * mistake.
 */
static void warn_forwarding(const struct ipxr_family *f, int ifindex)
{
	static struct {
		int ifindex, af;
	} warned[64];
	static unsigned int nwarned;
	char path[128], d[IF_NAMESIZE], c = '1';
	unsigned int i;
	FILE *fp;

	for (i = 0; i < nwarned; i++)
		if (warned[i].ifindex == ifindex && warned[i].af == f->af)
			return;
	if (nwarned < sizeof(warned) / sizeof(warned[0])) {
		warned[nwarned].ifindex = ifindex;
		warned[nwarned++].af = f->af;
	}
	snprintf(path, sizeof(path), "/proc/sys/net/%s/conf/%s/forwarding", f->sysctl,
		 dev_name(ifindex, d));
	fp = fopen(path, "r");
	if (!fp)
		return;
	if (fread(&c, 1, 1, fp) == 1 && c == '0')
		ipxr_warn("forwarding is off on %s (%s): the fast path hands its packets to the "
			  "kernel", d, path);
	fclose(fp);
}

static int write_prepare(const struct route_req *req, int *ifindex)
{
	int err;

	*ifindex = 0;
	if (req->dev) {
		err = dev_lookup_arg(req->dev, ifindex);
		if (err)
			return err;
	}
	err = maps_open(true);
	/* the front table is left to the trie before its first write, local_sync()'s too */
	if (!err)
		err = front_begin();
	/* the program redirects only into ports recorded as running it */
	if (!err)
		err = ports_sync();
	if (!err)
		err = local_sync();
	if (!err)
		err = nh_load();
	return err;
}

static void key_from_prefix(const struct inet_prefix *p, struct route_key *key)
{
	memset(key, 0, sizeof(*key));
	key->prefixlen = p->bitlen;
	memcpy(key->addr, p->addr, af_bytes(p->family));
}

static void prefix_from_key(const struct ipxr_family *f, const struct route_key *key,
			    struct inet_prefix *p)
{
	memset(p, 0, sizeof(*p));
	p->family = f->af;
	p->bitlen = key->prefixlen;
	memcpy(p->addr, key->addr, f->bits / 8);
}

static char *format_key(char *buf, size_t len, const struct ipxr_family *f,
			const struct route_key *key)
{
	struct inet_prefix p;

	prefix_from_key(f, key, &p);
	return format_prefix(buf, len, &p);
}

/* Parse a ROUTE for a write and get the maps ready: the common head of modify and delete. */
static int write_begin(int argc, char **argv, bool check, struct route_req *req,
		       const struct ipxr_family **f, struct route_key *key, char *dst,
		       size_t dstlen, int *ifindex)
{
	int err = route_parse(argc, argv, false, req);

	if (!err && check)
		err = route_check_write(req);
	if (!err)
		err = write_prepare(req, ifindex);
	if (err)
		return err;
	*f = family_get(req->family);
	key_from_prefix(&req->dst, key);
	format_prefix(dst, dstlen, &req->dst);
	return 0;
}

static int finish_write(int err)
{
	int cerr = ipxr.batch ? 0 : nh_commit();

	return err ? err : cerr;
}

static int update_error(const struct ipxr_family *f, const char *dst, int err)
{
	if (err == EEXIST)
		return ipxr_error(IPXR_EXIT_REFUSED, "route \"%s\" already exists (%s): use "
				  "replace or change.", dst, strerror(err));
	if (err == ENOENT)
		return ipxr_error(IPXR_EXIT_REFUSED, "route \"%s\" not found (%s).", dst,
				  strerror(err));
	if (err == E2BIG || err == ENOSPC)
		return ipxr_error(IPXR_EXIT_REFUSED, "route table full (%u routes)",
				  f->max_routes);
	return ipxr_error(IPXR_EXIT_REFUSED, "cannot write route \"%s\": %s", dst, strerror(err));
}

static int local_refused(const struct ipxr_family *f, const char *dst)
{
	return ipxr_error(IPXR_EXIT_REFUSED, "\"%s\" is an address of this router: its /%u is a "
			  "local route the kernel handles (%s).", dst, f->bits, strerror(EEXIST));
}

/* The route, written with BPF_NOEXIST (add), BPF_EXIST (change) or BPF_ANY (replace). */
static int route_modify(int argc, char **argv, __u64 flags)
{
	struct ipxr_route val = {}, old = {};
	const struct ipxr_family *f;
	char dst[PREFIX_STRLEN];
	struct route_key key;
	struct route_req req;
	bool had_old = false;
	int ifindex, fd, err;
	__u32 nh_id = 0;

	err = write_begin(argc, argv, true, &req, &f, &key, dst, sizeof(dst), &ifindex);
	if (err)
		return err;
	if (key.prefixlen == f->bits && local_is_addr(f, key.addr))
		return local_refused(f, dst);

	val.type = req.has_type ? req.type : IPXR_RT_UNICAST;
	val.prefixlen = key.prefixlen;
	if (val.type == IPXR_RT_UNICAST) {
		if (req.has_via && !ifindex) {
			err = nh_gateway_dev(&req.via, &ifindex);
			if (err)
				return err;
		}
		err = nh_acquire(ifindex, req.has_via ? &req.via : NULL, &nh_id);
		if (err)
			return finish_write(err);
		val.nh_id = nh_id;
	}

	/*
	 * The trie's lookup is longest-match: its answer is the old value of this very key only
	 * when the key exists, which the update below tells.
	 */
	fd = map_fd(f->route_map);
	if (flags != BPF_NOEXIST && bpf_map_lookup_elem(fd, &key, &old) == 0)
		had_old = true;
	if (flags == BPF_ANY) {
		err = bpf_map_update_elem(fd, &key, &val, BPF_NOEXIST) ? errno : 0;
		if (err == EEXIST)
			err = bpf_map_update_elem(fd, &key, &val, BPF_EXIST) ? errno : 0;
		else
			had_old = false;
	} else {
		err = bpf_map_update_elem(fd, &key, &val, flags) ? errno : 0;
	}
	if (err) {
		nh_release(nh_id);
		return finish_write(update_error(f, dst, err));
	}
	front_set(f, &key, &val);
	if (had_old && old.type == IPXR_RT_UNICAST)
		nh_release(old.nh_id);
	if (val.type == IPXR_RT_UNICAST)
		warn_forwarding(f, ifindex);
	return finish_write(0);
}

static int route_add(int argc, char **argv)
{
	return route_modify(argc, argv, BPF_NOEXIST);
}

static int route_change(int argc, char **argv)
{
	return route_modify(argc, argv, BPF_EXIST);
}

static int route_replace(int argc, char **argv)
{
	return route_modify(argc, argv, BPF_ANY);
}

static bool nh_matches(const struct route_req *req, const struct ipxr_route *rt, int ifindex)
{
	const struct ipxr_nexthop *nh;

	if (!req->has_via && !ifindex)
		return true;
	if (rt->type == IPXR_RT_LOCAL && !req->has_via)
		return false;	/* checked by the caller with the local record */
	if (rt->type != IPXR_RT_UNICAST)
		return false;
	nh = nh_get(rt->nh_id);
	if (!nh)
		return false;
	if (ifindex && nh->ifindex != (__u32)ifindex)
		return false;
	return !req->has_via ||
	       (!(nh->flags & IPXR_NH_F_CONNECTED) && nh->family == req->via.family &&
		memcmp(nh->gw, req->via.addr, af_bytes(req->via.family)) == 0);
}

static int route_delete(int argc, char **argv)
{
	const struct ipxr_family *f;
	char dst[PREFIX_STRLEN];
	struct ipxr_route old;
	struct route_key key;
	struct route_req req;
	int ifindex, err;

	err = write_begin(argc, argv, false, &req, &f, &key, dst, sizeof(dst), &ifindex);
	if (err)
		return err;

	err = route_lookup_exact(f, &key, &old);
	if (err < 0)
		return ipxr_error(IPXR_EXIT_REFUSED, "cannot read route \"%s\": %s", dst,
				  strerror(-err));
	if (err == 1 && old.type == IPXR_RT_LOCAL)
		return local_refused(f, dst);
	/* like ip, the words given must describe the route: a different one is not deleted */
	if (err == 0 || (req.has_type && req.type != old.type) || !nh_matches(&req, &old, ifindex))
		return update_error(f, dst, ENOENT);
	if (bpf_map_delete_elem(map_fd(f->route_map), &key))
		return update_error(f, dst, errno);
	front_del(f, &key);
	if (old.type == IPXR_RT_UNICAST)
		nh_release(old.nh_id);
	return finish_write(0);
}

struct route_entry {
	const struct ipxr_family *f;
	struct route_key key;
	struct ipxr_route val;
};

/* IPv4 before IPv6, then by address (network order compares as bytes), then length */
static int cmp_entry(const void *a, const void *b)
{
	const struct route_entry *x = a, *y = b;
	int c;

	if (x->f != y->f)
		return x->f < y->f ? -1 : 1;
	c = memcmp(x->key.addr, y->key.addr, sizeof(x->key.addr));
	if (c)
		return c;
	return (int)x->key.prefixlen - (int)y->key.prefixlen;
}

static bool selected(const struct route_req *req, const struct route_entry *e, int ifindex)
{
	struct inet_prefix p;

	prefix_from_key(e->f, &e->key, &p);
	if (req->has_type ? e->val.type != req->type : e->val.type == IPXR_RT_LOCAL)
		return false;
	if (req->has_dst) {
		switch (req->match) {
		case MATCH_EXACT:
			if (p.bitlen != req->dst.bitlen ||
			    memcmp(p.addr, req->dst.addr, sizeof(p.addr)))
				return false;
			break;
		case MATCH_ROOT:
			if (!prefix_contains(&req->dst, &p))
				return false;
			break;
		case MATCH_MATCH:
			if (!prefix_contains(&p, &req->dst))
				return false;
			break;
		}
	}
	if (e->val.type == IPXR_RT_LOCAL && ifindex && !req->has_via)
		return local_ifindex(e->f, e->key.addr) == (__u32)ifindex;
	return nh_matches(req, &e->val, ifindex);
}

/* The routes of @f a selector picks, appended to *@v. */
static int collect_family(const struct ipxr_family *f, const struct route_req *req, int ifindex,
			  struct route_entry **v, size_t *count)
{
	struct route_entry *nv, *e;
	struct route_key *keys;
	size_t n, i, m = *count;
	int err;

	err = route_keys(f, &keys, &n);
	if (err)
		return ipxr_error(IPXR_EXIT_REFUSED, "cannot read map %s: %s",
				  map_layout[f->route_map].name, strerror(-err));
	nv = realloc(*v, (m + n + 1) * sizeof(**v));
	if (!nv) {
		free(keys);
		return ipxr_error(IPXR_EXIT_REFUSED, "out of memory");
	}
	*v = nv;
	for (i = 0; i < n; i++) {
		e = &nv[m];
		e->f = f;
		e->key = keys[i];
		/* the key is in the trie, so the longest match is its own entry */
		if (bpf_map_lookup_elem(map_fd(f->route_map), &keys[i], &e->val))
			continue;
		if (selected(req, e, ifindex))
			m++;
	}
	free(keys);
	*count = m;
	return 0;
}

/* The routes a selector picks: of its family (ip's rule), sorted. */
static int collect(const struct route_req *req, int ifindex, struct route_entry **out,
		   size_t *count)
{
	const struct ipxr_family *f;
	int err;

	*out = NULL;
	*count = 0;
	for_each_family(f) {
		if (f->af != req->family)
			continue;
		err = collect_family(f, req, ifindex, out, count);
		if (err) {
			free(*out);
			*out = NULL;
			return err;
		}
	}
	qsort(*out, *count, sizeof(**out), cmp_entry);
	return 0;
}

/* One line per route, valid input for "ipxr route add" (without -s). */
static void print_route(const struct route_entry *e)
{
	char dst[PREFIX_STRLEN], a[INET6_ADDRSTRLEN], d[IF_NAMESIZE];
	const struct ipxr_nexthop *nh = NULL;

	open_json_object(NULL);
	if (e->val.type == IPXR_RT_UNICAST)
		print_string(PRINT_JSON, "type", NULL, "unicast");
	else
		print_string(PRINT_ANY, "type", "%s ", route_type_name(e->val.type));
	print_string(PRINT_ANY, "dst", "%s", format_key(dst, sizeof(dst), e->f, &e->key));
	if (e->val.type == IPXR_RT_UNICAST) {
		nh = nh_get(e->val.nh_id);
		if (nh && !(nh->flags & IPXR_NH_F_CONNECTED))
			print_string(PRINT_ANY, "gateway", " via %s",
				     format_addr(a, sizeof(a), nh->family, nh->gw));
		if (nh)
			print_string(PRINT_ANY, "dev", " dev %s", dev_name(nh->ifindex, d));
		print_uint(PRINT_JSON, "nexthop", NULL, e->val.nh_id);
	} else if (e->val.type == IPXR_RT_LOCAL) {
		print_string(PRINT_ANY, "dev", " dev %s",
			     dev_name(local_ifindex(e->f, e->key.addr), d));
	}
	if (ipxr.stats && e->val.type != IPXR_RT_LOCAL) {
		char prefix[32];

		/* the counters are the next hop's, shared by its routes: say whose */
		snprintf(prefix, sizeof(prefix), "    nexthop %u ", e->val.nh_id);
		nh_print_counters(e->val.nh_id, prefix);
	}
	close_json_object();
	print_nl();
}

static int list_or_flush(int argc, char **argv, bool flush)
{
	struct route_entry *v = NULL;
	struct route_req req;
	int ifindex = 0, err;
	size_t n = 0, i;

	err = route_parse(argc, argv, true, &req);
	if (!err && req.dev)
		err = dev_lookup_arg(req.dev, &ifindex);
	if (err)
		return err;
	if (flush) {
		err = write_prepare(&req, &ifindex);
	} else {
		err = maps_open(ipxr.batch);
		if (!err)
			err = nh_load();
	}
	if (!err)
		err = collect(&req, ifindex, &v, &n);
	if (err)
		return err;
	if (!flush) {
		open_json_array(NULL);
		for (i = 0; i < n; i++)
			print_route(&v[i]);
		close_json_array();
		free(v);
		return 0;
	}
	/* many routes at once: the front table is repainted from the trie once, at the end */
	if (n)
		front_invalidate(v[0].f);
	for (i = 0; i < n && !err; i++) {
		if (bpf_map_delete_elem(map_fd(v[i].f->route_map), &v[i].key) && errno != ENOENT) {
			char dst[PREFIX_STRLEN];

			err = update_error(v[i].f, format_key(dst, sizeof(dst), v[i].f, &v[i].key),
					   errno);
			break;
		}
		if (v[i].val.type == IPXR_RT_UNICAST)
			nh_release(v[i].val.nh_id);
		else if (v[i].val.type == IPXR_RT_LOCAL)
			local_forget(v[i].f, v[i].key.addr);
	}
	free(v);
	return finish_write(err);
}

static int route_show(int argc, char **argv)
{
	return list_or_flush(argc, argv, false);
}

static int route_flush(int argc, char **argv)
{
	return list_or_flush(argc, argv, true);
}

/* The neighbour's MAC as the fast path would use it: its fresh cache, else the kernel's. */
static bool find_lladdr(const struct ipxr_neigh_cache *nc, int family, const __u8 *addr,
			int ifindex, __u8 *mac)
{
	struct timespec ts;
	struct nl_neigh n;
	__u64 now;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);	/* bpf_ktime_get_coarse_ns() */
	now = (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
	if (nc && nc->stamp_ns && now - nc->stamp_ns < IPXR_NEIGH_REFRESH_NS) {
		memcpy(mac, nc->dmac, 6);
		return true;
	}
	if (nl_neigh_get(family, addr, ifindex, &n) == 0 && (n.state & NEIGH_VALID) &&
	    n.has_lladdr) {
		memcpy(mac, n.lladdr, 6);
		return true;
	}
	return false;
}

/* The unicast part of "route get": gateway or connected, device, next hop, neighbour's MAC. */
static void print_get_unicast(const struct ipxr_family *f, const struct inet_prefix *dst,
			      const char *rdst, __u32 nh_id)
{
	char a[INET6_ADDRSTRLEN], d[IF_NAMESIZE], macs[18];
	const struct ipxr_nexthop *nh = nh_get(nh_id);
	struct ipxr_neigh_cache nc;
	struct ipxr_nexthop cur = {};
	struct neigh_key nkey;
	const __u8 *nbr;
	bool have_nc;
	__u8 mac[6];
	int family;

	if (!nh) {
		print_string(PRINT_ANY, "route", " route %s", rdst);
		print_uint(PRINT_ANY, "nexthop", " nexthop %u", nh_id);
		print_string(PRINT_FP, NULL, "%s", " (invalid next hop)");
		return;
	}
	if (!(nh->flags & IPXR_NH_F_CONNECTED)) {
		family = nh->family;
		nbr = nh->gw;
		print_string(PRINT_ANY, "gateway", " via %s",
			     format_addr(a, sizeof(a), family, nbr));
		have_nc = bpf_map_lookup_elem(map_fd(MAP_NEXTHOP), &nh_id, &cur) == 0;
		nc = cur.cache;
	} else {
		family = dst->family;
		nbr = dst->addr;
		memset(&nkey, 0, sizeof(nkey));
		nkey.ifindex = nh->ifindex;
		memcpy(nkey.addr, dst->addr, f->bits / 8);
		have_nc = bpf_map_lookup_elem(map_fd(f->neigh_map), &nkey, &nc) == 0;
	}
	print_string(PRINT_ANY, "dev", " dev %s", dev_name(nh->ifindex, d));
	print_string(PRINT_ANY, "route", " route %s", rdst);
	print_uint(PRINT_ANY, "nexthop", " nexthop %u", nh_id);
	if (find_lladdr(have_nc ? &nc : NULL, family, nbr, nh->ifindex, mac))
		print_string(PRINT_ANY, "lladdr", " lladdr %s",
			     format_mac(macs, sizeof(macs), mac));
	else
		print_null(PRINT_ANY, "lladdr", " lladdr %s", "unresolved");
}

static int route_get(int argc, char **argv)
{
	char dst[INET6_ADDRSTRLEN], rdst[PREFIX_STRLEN], d[IF_NAMESIZE];
	const struct ipxr_family *f;
	struct route_key key, k;
	struct inet_prefix a;
	struct ipxr_route val, v;
	int err, p;

	if (argc > 0 && is_word(*argv, "to"))
		argc--, argv++;
	if (argc < 1)
		return ipxr_error(IPXR_EXIT_USAGE, "an address is needed: ipxr route get ADDRESS");
	if (argc > 1)
		return badarg(argv[1]);
	err = parse_addr_arg(*argv, ipxr.family, &a);
	if (err)
		return err;
	err = maps_open(ipxr.batch);
	if (!err)
		err = nh_load();
	if (err)
		return err;
	f = family_get(a.family);
	key_from_prefix(&a, &key);
	format_addr(dst, sizeof(dst), f->af, a.addr);
	if (bpf_map_lookup_elem(map_fd(f->route_map), &key, &val))
		return ipxr_error(IPXR_EXIT_LOOKUP, "no route to %s in the fast path: the kernel "
				  "decides", dst);
	/* the trie does not say which prefix matched: the longest existing one is it */
	for (p = f->bits; p >= 0; p--) {
		k = key;
		k.prefixlen = p;
		addr_mask(f->af, k.addr, p);
		if (route_lookup_exact(f, &k, &v) == 1)
			break;
	}
	if (p < 0)
		k.prefixlen = 0;
	format_key(rdst, sizeof(rdst), f, &k);

	open_json_object(NULL);
	if (val.type != IPXR_RT_UNICAST)
		print_string(PRINT_ANY, "type", "%s ", route_type_name(val.type));
	else
		print_string(PRINT_JSON, "type", NULL, "unicast");
	print_string(PRINT_ANY, "dst", "%s", dst);
	if (val.type == IPXR_RT_LOCAL) {
		print_string(PRINT_ANY, "dev", " dev %s",
			     dev_name(local_ifindex(f, a.addr), d));
		print_string(PRINT_JSON, "route", NULL, rdst);
	} else if (val.type == IPXR_RT_BLACKHOLE) {
		print_string(PRINT_ANY, "route", " route %s", rdst);
	} else {
		print_get_unicast(f, &a, rdst, val.nh_id);
	}
	close_json_object();
	print_nl();
	return 0;
}

static int route_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("Usage: ipxr [ OPTIONS ] route { add | change | replace | delete } ROUTE\n"
	       "       ipxr [ OPTIONS ] route { show | list | flush } [ SELECTOR ]\n"
	       "       ipxr [ OPTIONS ] route get ADDRESS\n"
	       "       ipxr route help\n"
	       "ROUTE := [ TYPE ] [ to ] PREFIX [ via ADDRESS ] [ dev NAME ]\n"
	       "SELECTOR := [ [ to ] [ root | match | exact ] PREFIX ]\n"
	       "            [ TYPE | type { TYPE | local } ] [ via ADDRESS ] [ dev NAME ]\n"
	       "PREFIX := { ADDRESS[/PLEN] | default }\n"
	       "TYPE := { unicast | blackhole }\n"
	       "%s", ipxr_options_usage);
	return 0;
}

/* Row order is the abbreviation order: every first letter is unique on purpose. */
static const struct cmd route_cmds[] = {
	{ "add", route_add },
	{ "change", route_change },
	{ "replace", route_replace },
	{ "delete", route_delete },
	{ "show", route_show },
	{ "list", route_show },
	{ "flush", route_flush },
	{ "get", route_get },
	{ "help", route_help },
	{ NULL, NULL },
};

int do_route(int argc, char **argv)
{
	return cmd_dispatch(route_cmds, "route command", route_show, argc, argv);
}
