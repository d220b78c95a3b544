// SPDX-License-Identifier: GPL-2.0
/*
 * The ports map, kept from the kernel's link information. IFLA_XDP names the program a device
 * runs; it is this object's when it uses the pinned ipxr_stats map (every path of the program
 * counts its outcome there, and no other program uses it), whichever section it was loaded from:
 * its name alone would take any program called xdp_route for ours. IFF_UP with
 * IFF_RUNNING (carrier) is what makes a port able to send.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include <libmnl/libmnl.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/netconf.h>
#include <linux/rtnetlink.h>

#include "maps.h"
#include "netlink.h"
#include "ports.h"
#include "utils.h"

#define VLAN_HLEN	4	/* one 802.1Q/802.1ad tag */
#define VLAN_VID_MASK	0x0fff

/* The last programs asked about: a handful of ports share one or two programs. */
#define PROG_CACHE	16

static struct {
	__u32 id;
	bool ours;
} prog_cache[PROG_CACHE];
static unsigned int prog_next;

/*
 * The id of the pinned ipxr_stats, asked again whenever the maps are opened anew (ipxr sync
 * outlives an object loaded again); the programs' answers were against the old one.
 */
static __u32 stats_map_id(void)
{
	static __u32 id;
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(map_fd(MAP_STATS), &info, &len))
		return 0;
	if (info.id != id) {
		memset(prog_cache, 0, sizeof(prog_cache));
		id = info.id;
	}
	return id;
}

/* Whether program @id uses the pinned ipxr_stats, i.e. is this object's. */
static bool prog_is_ours(__u32 id)
{
	__u32 stats = stats_map_id(), maps[64], len, i;
	struct bpf_prog_info info;
	bool ours = false;
	int fd;

	if (!stats)
		return false;
	for (i = 0; i < PROG_CACHE; i++)
		if (prog_cache[i].id == id)
			return prog_cache[i].ours;
	fd = bpf_prog_get_fd_by_id(id);
	if (fd < 0)
		return false;	/* gone since the message was sent: the next one says so */
	memset(&info, 0, sizeof(info));
	info.nr_map_ids = sizeof(maps) / sizeof(maps[0]);
	info.map_ids = (__u64)(unsigned long)maps;
	len = sizeof(info);
	if (!bpf_obj_get_info_by_fd(fd, &info, &len)) {
		if (info.nr_map_ids > sizeof(maps) / sizeof(maps[0]))
			info.nr_map_ids = sizeof(maps) / sizeof(maps[0]);
		for (i = 0; i < info.nr_map_ids; i++)
			ours |= maps[i] == stats;
	}
	close(fd);
	/* program ids are never reused, so an answer stays true */
	prog_cache[prog_next].id = id;
	prog_cache[prog_next].ours = ours;
	prog_next = (prog_next + 1) % PROG_CACHE;
	return ours;
}

struct xdp_attrs {
	__u8 attached;
	__u32 prog, drv, skb;
};

static int xdp_attr_cb(const struct nlattr *attr, void *data)
{
	struct xdp_attrs *x = data;

	/* the program ids are u32s: one shorter is not read (past the message, maybe) */
	if (mnl_attr_get_type(attr) != IFLA_XDP_ATTACHED &&
	    mnl_attr_get_payload_len(attr) < sizeof(__u32))
		return MNL_CB_OK;
	switch (mnl_attr_get_type(attr)) {
	case IFLA_XDP_ATTACHED:
		if (mnl_attr_get_payload_len(attr) >= 1)
			x->attached = mnl_attr_get_u8(attr);
		break;
	case IFLA_XDP_PROG_ID:
		x->prog = mnl_attr_get_u32(attr);
		break;
	case IFLA_XDP_DRV_PROG_ID:
		x->drv = mnl_attr_get_u32(attr);
		break;
	case IFLA_XDP_SKB_PROG_ID:
		x->skb = mnl_attr_get_u32(attr);
		break;
	}
	return MNL_CB_OK;
}

static int vlan_attr_cb(const struct nlattr *attr, void *data)
{
	struct port_link *l = data;

	if (mnl_attr_validate(attr, MNL_TYPE_U16))
		return MNL_CB_OK;
	if (mnl_attr_get_type(attr) == IFLA_VLAN_ID)
		l->vlan_id = mnl_attr_get_u16(attr) & VLAN_VID_MASK;
	else if (mnl_attr_get_type(attr) == IFLA_VLAN_PROTOCOL)
		l->vlan_proto = mnl_attr_get_u16(attr);	/* as the wire has it */
	return MNL_CB_OK;
}

static int linkinfo_cb(const struct nlattr *attr, void *data)
{
	struct port_link *l = data;

	if (mnl_attr_get_type(attr) == IFLA_INFO_KIND &&
	    mnl_attr_validate(attr, MNL_TYPE_STRING) == 0)
		snprintf(l->kind, sizeof(l->kind), "%.*s", (int)mnl_attr_get_payload_len(attr),
			 mnl_attr_get_str(attr));
	/* the kernel puts the kind first: the data is read by it */
	else if (mnl_attr_get_type(attr) == IFLA_INFO_DATA && !strcmp(l->kind, "vlan"))
		l->vlan = mnl_attr_parse_nested(attr, vlan_attr_cb, l) >= 0 && l->vlan_proto;
	return MNL_CB_OK;
}

int port_link_parse(const struct nlmsghdr *nlh, struct port_link *l)
{
	const struct ifinfomsg *ifi;
	const struct nlattr *attr;
	struct xdp_attrs x = {};

	if ((nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK) ||
	    nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*ifi)))
		return -EINVAL;
	ifi = mnl_nlmsg_get_payload(nlh);
	memset(l, 0, sizeof(*l));
	l->ifindex = ifi->ifi_index;
	l->gone = nlh->nlmsg_type == RTM_DELLINK;
	l->ifi_flags = ifi->ifi_flags;
	l->link_netnsid = -1;
	mnl_attr_for_each(attr, nlh, sizeof(*ifi)) {
		switch (mnl_attr_get_type(attr)) {
		case IFLA_LINKINFO:
			mnl_attr_parse_nested(attr, linkinfo_cb, l);
			break;
		case IFLA_LINK:
			if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
				l->link = (int)mnl_attr_get_u32(attr);
			break;
		case IFLA_MTU:
			if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
				l->mtu = mnl_attr_get_u32(attr);
			break;
		case IFLA_LINK_NETNSID:
			if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
				l->link_netnsid = (int)mnl_attr_get_u32(attr);
			break;
		case IFLA_IFNAME:
			/* libmnl's MNL_TYPE_STRING does not promise a NUL: read no further */
			if (mnl_attr_validate(attr, MNL_TYPE_STRING) == 0)
				snprintf(l->name, sizeof(l->name), "%.*s",
					 (int)mnl_attr_get_payload_len(attr), mnl_attr_get_str(attr));
			break;
		case IFLA_XDP:
			mnl_attr_parse_nested(attr, xdp_attr_cb, &x);
			break;
		}
	}
	/*
	 * Native mode is what redirects between ports need; with programs in both modes the
	 * native one is the one that sees the frames first.
	 */
	if (x.drv) {
		l->prog_id = x.drv;
	} else if (x.skb) {
		l->prog_id = x.skb;
		l->skb_mode = true;
	} else if (x.attached == XDP_ATTACHED_DRV || x.attached == XDP_ATTACHED_SKB) {
		l->prog_id = x.prog;
		l->skb_mode = x.attached == XDP_ATTACHED_SKB;
	}
	return l->ifindex > 0 ? 0 : -EINVAL;
}

__u32 port_flags(const struct port_link *l)
{
	__u32 flags = 0;

	if (l->gone)
		return 0;
	if (l->prog_id && prog_is_ours(l->prog_id))
		flags |= IPXR_PORT_F_XDP | (l->skb_mode ? IPXR_PORT_F_SKB : 0);
	if ((l->ifi_flags & IFF_UP) && (l->ifi_flags & IFF_RUNNING))
		flags |= IPXR_PORT_F_UP;
	return flags;
}

/* Whether @ifindex's record, @vlan or not, has its place in ipxr_port_tab (ipxr_maps.h). */
static bool in_tab(__u32 ifindex, bool vlan)
{
	return ifindex < IPXR_PORT_TAB && !vlan;
}

int port_record(int ifindex, struct ipxr_port *v)
{
	__u32 key = (__u32)ifindex;

	if (ifindex <= 0)
		return -ENOENT;
	if (in_tab(key, false) && !bpf_map_lookup_elem(map_fd(MAP_PORT_TAB), &key, v) &&
	    (v->flags & IPXR_PORT_F_KNOWN))
		return 0;
	return bpf_map_lookup_elem(map_fd(MAP_PORTS), &key, v) ? -ENOENT : 0;
}

/* Device @key's record is @v, in its map; none is left in the other. */
static int record_put(__u32 key, const struct ipxr_port *v)
{
	static const struct ipxr_port none;
	struct ipxr_port old;

	if (in_tab(key, v->flags & IPXR_PORT_F_VLAN)) {
		if (bpf_map_update_elem(map_fd(MAP_PORT_TAB), &key, v, BPF_ANY))
			return -errno;
		if (bpf_map_delete_elem(map_fd(MAP_PORTS), &key) && errno != ENOENT)
			return -errno;
		return 0;
	}
	if (bpf_map_update_elem(map_fd(MAP_PORTS), &key, v, BPF_ANY))
		return -errno;
	if (in_tab(key, false) && !bpf_map_lookup_elem(map_fd(MAP_PORT_TAB), &key, &old) &&
	    old.flags && bpf_map_update_elem(map_fd(MAP_PORT_TAB), &key, &none, BPF_ANY))
		return -errno;
	return 0;
}

static int record_del(__u32 key)
{
	static const struct ipxr_port none;

	if (in_tab(key, false) && bpf_map_update_elem(map_fd(MAP_PORT_TAB), &key, &none, BPF_ANY))
		return -errno;
	if (bpf_map_delete_elem(map_fd(MAP_PORTS), &key) && errno != ENOENT)
		return -errno;
	return 0;
}

/* Append @key to the list *@keys of *@n keys. */
static int key_push(__u32 **keys, size_t *n, size_t *alloc, __u32 key)
{
	__u32 *nk;

	if (*n == *alloc) {
		*alloc = *alloc ? 2 * *alloc : 64;
		nk = realloc(*keys, *alloc * sizeof(*nk));
		if (!nk)
			return -ENOMEM;
		*keys = nk;
	}
	(*keys)[(*n)++] = key;
	return 0;
}

/*
 * The whole of ipxr_port_tab in @tab (IPXR_PORT_TAB records): one batch read, as small as it
 * is; an index at a time where the kernel has no batch reads of arrays.
 */
static int tab_read(struct ipxr_port *tab)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	__u32 idx[IPXR_PORT_TAB], cnt = IPXR_PORT_TAB, out_batch, key;
	int fd = map_fd(MAP_PORT_TAB);

	if (!bpf_map_lookup_batch(fd, NULL, &out_batch, idx, tab, &cnt, &opts) ||
	    (errno == ENOENT && cnt == IPXR_PORT_TAB))
		return 0;
	for (key = 0; key < IPXR_PORT_TAB; key++)
		if (bpf_map_lookup_elem(fd, &key, &tab[key]))
			return -errno;
	return 0;
}

int ports_list(__u32 **out, size_t *count)
{
	struct ipxr_port *tab;
	__u32 key, next, *keys = NULL;
	size_t n = 0, alloc = 0;
	void *prev = NULL;
	int err;

	tab = calloc(IPXR_PORT_TAB, sizeof(*tab));
	if (!tab)
		return -ENOMEM;
	err = tab_read(tab);
	for (key = 1; !err && key < IPXR_PORT_TAB; key++)
		if (tab[key].flags & IPXR_PORT_F_KNOWN)
			err = key_push(&keys, &n, &alloc, key);
	while (!err && bpf_map_get_next_key(map_fd(MAP_PORTS), prev, &next) == 0) {
		key = next;
		prev = &key;
		err = key_push(&keys, &n, &alloc, key);
	}
	free(tab);
	if (err) {
		free(keys);
		return err;
	}
	*out = keys;
	*count = n;
	return 0;
}

__u32 port_get(int ifindex)
{
	struct ipxr_port v;

	if (port_record(ifindex, &v))
		return 0;
	return v.flags;
}

/* The key of ipxr_vlans that names sub-interface record @p, false when it has none. */
static bool vlan_key(const struct ipxr_port *p, struct ipxr_vlan_key *k)
{
	memset(k, 0, sizeof(*k));
	if (!(p->flags & IPXR_PORT_F_VLAN) || !p->ntags || p->ntags > IPXR_VLAN_MAX_TAGS)
		return false;
	k->ifindex = p->link;
	memcpy(k->tag, p->tag, p->ntags * sizeof(p->tag[0]));
	return true;
}

/*
 * An integer sysctl of net.ipv4.conf.@dev, @dflt when unreadable, in the namespace ipxr runs
 * in: /proc/sys/net is that of the process.
 */
static int ipv4_conf(const char *dev, const char *name, int dflt)
{
	char path[128];
	FILE *f;
	int v;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/%s/%s", dev, name);
	f = fopen(path, "r");
	if (!f)
		return dflt;
	if (fscanf(f, "%d", &v) != 1)
		v = dflt;
	fclose(f);
	return v;
}

/*
 * Whether device @name has an IPv4 address. SIOCGIFADDR finds those labelled with its name (the
 * primary one is); one labelled otherwise alone is missed, which only makes loose filtering
 * strict in the record: more frames for the kernel, never fewer.
 */
static bool ipv4_has_addr(const char *name)
{
	struct ifreq ifr = {};
	int fd, ok;

	if (strlen(name) >= sizeof(ifr.ifr_name))
		return false;
	strcpy(ifr.ifr_name, name);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	ok = ioctl(fd, SIOCGIFADDR, &ifr) == 0;
	close(fd);
	return ok;
}

/*
 * The reverse-path filtering of device @name as IPXR_PORT_F_RPF_* flags: the larger of
 * net.ipv4.conf.all.rp_filter and its own, as IN_DEV_RPFILTER(). Loose filtering accepts a
 * source routed by another device only when @name has an IPv4 address (__fib_validate_source()
 * goes to its last resort otherwise, which refuses): that is strict filtering. A setting that
 * cannot be read is taken as strict, the one that forwards least.
 */
static __u32 ipv4_rp_filter(const char *name)
{
	int all = ipv4_conf("all", "rp_filter", 1), dev = ipv4_conf(name, "rp_filter", 1);
	int mode = all > dev ? all : dev;

	if (mode <= 0)
		return 0;
	if (mode == 2 && ipv4_has_addr(name))
		return IPXR_PORT_F_RPF_LOOSE;
	return IPXR_PORT_F_RPF_STRICT;
}

/*
 * Sub-interface @l's record: its tags and the port under them from its lower device's record
 * (a VLAN itself for QinQ), which a link dump or an event has written before. Frames may be
 * redirected to it when that port runs the object, and it is up when both are. A lower device
 * not known (yet), in another namespace, or a third tag leave it without a link: the kernel
 * then has its frames (port_no_xdp, vlan_unknown).
 */
static void vlan_resolve(const struct port_link *l, struct ipxr_port *v)
{
	struct ipxr_port lower, root;
	__u32 key = (__u32)l->link;
	__u64 max;

	v->flags = IPXR_PORT_F_VLAN | (v->flags & IPXR_PORT_F_UP);
	v->lower = key;
	if (l->link <= 0 || l->link_netnsid >= 0 || port_record((int)key, &lower))
		return;
	if (lower.flags & IPXR_PORT_F_VLAN) {
		key = lower.link;
		if (lower.ntags != 1 || port_record((int)key, &root))
			return;
		v->tag[0] = lower.tag[0];
		v->ntags = 2;
	} else {
		root = lower;
		v->ntags = 1;
	}
	v->tag[v->ntags - 1].proto = l->vlan_proto;
	v->tag[v->ntags - 1].vid = htons(l->vlan_id);
	v->link = key;
	v->flags |= root.flags & (IPXR_PORT_F_XDP | IPXR_PORT_F_SKB);
	if (!(root.flags & IPXR_PORT_F_UP) || !(lower.flags & IPXR_PORT_F_UP))
		v->flags &= ~IPXR_PORT_F_UP;
	max = (__u64)root.mtu + ETH_HLEN + VLAN_HLEN;
	v->max_len = max > 0xffff ? 0xffff : (__u16)max;
}

/* Write @l's record (and its ipxr_vlans key); whether it changed in *@changed. */
static int port_write(const struct port_link *l, struct ipxr_port *was, bool *had, bool *changed)
{
	struct ipxr_vlan_key ok, nk;
	struct ipxr_port v = {};
	__u32 key = l->ifindex, sub = l->ifindex;
	bool oldk, newk;
	int err;

	*had = port_record(l->ifindex, was) == 0;
	*changed = false;
	oldk = *had && vlan_key(was, &ok);
	if (l->gone) {
		if (oldk)
			bpf_map_delete_elem(map_fd(MAP_VLANS), &ok);
		if (!*had)
			return 0;
		*changed = true;
		return record_del(key);
	}
	v.flags = port_flags(l);
	v.prog_id = l->prog_id;
	v.mtu = l->mtu;
	if (l->vlan)
		vlan_resolve(l, &v);
	/* taken as on when it cannot be read */
	if (!ipv4_conf(l->name, "forwarding", 1))
		v.flags |= IPXR_PORT_F_NOFWD4;
	v.flags |= ipv4_rp_filter(l->name);
	v.flags |= IPXR_PORT_F_KNOWN;
	newk = vlan_key(&v, &nk);
	if (oldk && (!newk || memcmp(&ok, &nk, sizeof(ok))))
		bpf_map_delete_elem(map_fd(MAP_VLANS), &ok);
	if (*had && !memcmp(was, &v, sizeof(v)))
		return 0;
	*changed = true;
	/* the record first: a key found names a sub-interface the program can look up */
	err = record_put(key, &v);
	if (err)
		return err;
	if (newk && bpf_map_update_elem(map_fd(MAP_VLANS), &nk, &sub, BPF_ANY))
		return -errno;
	return 0;
}

static int link_one_cb(const struct nlmsghdr *nlh, void *data)
{
	port_link_parse(nlh, data);
	return MNL_CB_STOP;
}

int port_link_get(int ifindex, int netnsid, struct port_link *l)
{
	struct ifinfomsg *ifi;
	struct nlmsghdr *nlh;
	char buf[256];

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	if (netnsid >= 0)
		mnl_attr_put_u32(nlh, IFLA_TARGET_NETNSID, (__u32)netnsid);
	memset(l, 0, sizeof(*l));
	return nl_talk_reply(nlh, link_one_cb, l);
}

/*
 * The sub-interfaces on @ifindex take its new state: their records are written again from what
 * the kernel says of them now (a QinQ pair's inner one through the outer). Not during a link
 * dump, which holds the netlink socket: ports_sync() orders its records itself.
 */
static void vlans_follow(int ifindex, int depth)
{
	__u32 key, next, *subs = NULL, *ns;
	struct ipxr_port p, was;
	struct port_link l;
	size_t n = 0, i;
	void *prev = NULL;
	bool had, changed;
	int fd = map_fd(MAP_PORTS);

	if (depth > IPXR_VLAN_MAX_TAGS)
		return;
	/* sub-interfaces' records are all in the hash */
	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &p) || !(p.flags & IPXR_PORT_F_VLAN) ||
		    p.lower != (__u32)ifindex)
			continue;
		ns = realloc(subs, (n + 1) * sizeof(*subs));
		if (!ns)
			break;
		subs = ns;
		subs[n++] = key;
	}
	for (i = 0; i < n; i++) {
		if (port_link_get((int)subs[i], -1, &l) || l.ifindex != (int)subs[i])
			continue;
		if (!port_write(&l, &was, &had, &changed) && changed)
			vlans_follow(l.ifindex, depth + 1);
	}
	free(subs);
}

int ports_netconf(int ifindex)
{
	struct ipxr_port p;
	struct port_link l;

	/* net.ipv4.conf.all.rp_filter: every device's filtering may have changed */
	if (ifindex == NETCONFA_IFINDEX_ALL)
		return ports_sync();
	if (port_record(ifindex, &p) || port_link_get(ifindex, -1, &l) || l.ifindex != ifindex)
		return 0;
	return ports_apply(&l, NULL, NULL);
}

int ports_apply(const struct port_link *l, __u32 *old, __u32 *new)
{
	struct ipxr_port was;
	bool had, changed;
	int err;

	err = port_write(l, &was, &had, &changed);
	if (old)
		*old = had ? was.flags : 0;
	if (new)
		*new = l->gone ? 0 : port_get(l->ifindex);
	if (!err && changed && !l->gone)
		vlans_follow(l->ifindex, 1);
	return err;
}

struct link_dump {
	int *seen;
	size_t n, alloc;
	struct port_link *vlans;
	size_t nvlans;
	int err;
};

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	struct link_dump *d = data;
	struct ipxr_port was;
	struct port_link l, *nv;
	bool had, changed;
	int *ns, err;

	if (port_link_parse(nlh, &l))
		return MNL_CB_OK;
	err = port_write(&l, &was, &had, &changed);
	if (err && !d->err)
		d->err = err;
	/* written again once every lower device is: the dump need not list them first */
	if (l.vlan) {
		nv = realloc(d->vlans, (d->nvlans + 1) * sizeof(*nv));
		if (!nv)
			return MNL_CB_ERROR;
		d->vlans = nv;
		d->vlans[d->nvlans++] = l;
	}
	if (d->n == d->alloc) {
		d->alloc = d->alloc ? 2 * d->alloc : 64;
		ns = realloc(d->seen, d->alloc * sizeof(*ns));
		if (!ns)
			return MNL_CB_ERROR;
		d->seen = ns;
	}
	d->seen[d->n++] = l.ifindex;
	return MNL_CB_OK;
}

/*
 * Keys of ipxr_vlans that no sub-interface's record names (left by a writer that died between
 * the two writes, or by one of another build): the kernel has those frames again.
 */
static void vlans_sweep(void)
{
	struct ipxr_vlan_key key, next, want;
	struct ipxr_vlan_key *stale = NULL, *ns;
	int fd = map_fd(MAP_VLANS);
	size_t n = 0, i;
	void *prev = NULL;
	struct ipxr_port p;
	__u32 sub;

	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (!bpf_map_lookup_elem(fd, &key, &sub) && !port_record((int)sub, &p) &&
		    vlan_key(&p, &want) &&
		    !memcmp(&want, &key, sizeof(key)))
			continue;
		ns = realloc(stale, (n + 1) * sizeof(*stale));
		if (!ns)
			break;
		stale = ns;
		stale[n++] = key;
	}
	for (i = 0; i < n; i++)
		bpf_map_delete_elem(fd, &stale[i]);
	free(stale);
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

int ports_sync(void)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct link_dump d = {};
	__u32 *keys = NULL;
	size_t nkeys = 0, i;
	struct ipxr_port was;
	bool had, changed;
	int err, k, pass;

	err = nl_dump(RTM_GETLINK, &ifi, sizeof(ifi), link_cb, &d);
	/* a QinQ pair's inner sub-interface after the outer one: one pass per tag */
	for (pass = 0; !err && pass < IPXR_VLAN_MAX_TAGS; pass++)
		for (i = 0; i < d.nvlans; i++) {
			err = port_write(&d.vlans[i], &was, &had, &changed);
			if (err)
				break;
		}
	free(d.vlans);
	if (!err)
		err = d.err;
	if (err) {
		free(d.seen);
		return ipxr_error(IPXR_EXIT_REFUSED, "cannot record the ports in map %s: %s",
				  IPXR_MAP_PORTS, strerror(-err));
	}
	qsort(d.seen, d.n, sizeof(*d.seen), cmp_int);
	/* devices that went away while nobody listened: listed first, deleting restarts walks */
	if (!ports_list(&keys, &nkeys)) {
		for (i = 0; i < nkeys; i++) {
			struct port_link gone = { .ifindex = (int)keys[i], .gone = true };

			k = (int)keys[i];
			if (d.n && bsearch(&k, d.seen, d.n, sizeof(*d.seen), cmp_int))
				continue;
			port_write(&gone, &was, &had, &changed);
		}
		free(keys);
	}
	free(d.seen);
	vlans_sweep();
	return 0;
}

bool port_up_now(int ifindex)
{
	struct ifreq ifr = {};
	int fd, ok;

	if (!if_indextoname(ifindex, ifr.ifr_name))
		return false;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	ok = ioctl(fd, SIOCGIFFLAGS, &ifr) == 0 && (ifr.ifr_flags & IFF_UP) &&
	     (ifr.ifr_flags & IFF_RUNNING);
	close(fd);
	return ok;
}
