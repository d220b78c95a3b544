// SPDX-License-Identifier: GPL-2.0
/*
 * The ports map, kept from the kernel's link information. IFLA_XDP names the program a device
 * runs; it is this object's when it uses the pinned ipxr_stats map (every path of the program
 * counts its outcome there, and no other program uses it), whichever section it was loaded from:
 * its name alone would take any program called xdp_route for ours. IFF_UP with
 * IFF_RUNNING (carrier) is what makes a port able to send.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "maps.h"
#include "netlink.h"
#include "ports.h"
#include "utils.h"

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

static int linkinfo_cb(const struct nlattr *attr, void *data)
{
	char *kind = data;

	if (mnl_attr_get_type(attr) == IFLA_INFO_KIND &&
	    mnl_attr_validate(attr, MNL_TYPE_STRING) == 0)
		snprintf(kind, 16, "%.*s", (int)mnl_attr_get_payload_len(attr),
			 mnl_attr_get_str(attr));
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
			mnl_attr_parse_nested(attr, linkinfo_cb, l->kind);
			break;
		case IFLA_LINK:
			if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
				l->link = (int)mnl_attr_get_u32(attr);
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

__u32 port_get(int ifindex)
{
	struct ipxr_port v;
	__u32 key = ifindex;

	if (bpf_map_lookup_elem(map_fd(MAP_PORTS), &key, &v))
		return 0;
	return v.flags;
}

int ports_apply(const struct port_link *l, __u32 *old, __u32 *new)
{
	struct ipxr_port v = {}, was = {};
	__u32 key = l->ifindex;
	bool had;

	had = bpf_map_lookup_elem(map_fd(MAP_PORTS), &key, &was) == 0;
	if (old)
		*old = had ? was.flags : 0;
	if (new)
		*new = 0;
	if (l->gone) {
		if (had && bpf_map_delete_elem(map_fd(MAP_PORTS), &key) && errno != ENOENT)
			return -errno;
		return 0;
	}
	v.flags = port_flags(l);
	v.prog_id = l->prog_id;
	if (new)
		*new = v.flags;
	if (had && was.flags == v.flags && was.prog_id == v.prog_id)
		return 0;
	if (bpf_map_update_elem(map_fd(MAP_PORTS), &key, &v, BPF_ANY))
		return -errno;
	return 0;
}

struct link_dump {
	int *seen;
	size_t n, alloc;
	int err;
};

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	struct link_dump *d = data;
	struct port_link l;
	int *ns, err;

	if (port_link_parse(nlh, &l))
		return MNL_CB_OK;
	err = ports_apply(&l, NULL, NULL);
	if (err && !d->err)
		d->err = err;
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

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

int ports_sync(void)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct link_dump d = {};
	__u32 key, next, *stale = NULL, *ns;
	size_t nstale = 0, i;
	int fd = map_fd(MAP_PORTS), err, k;
	void *prev = NULL;

	err = nl_dump(RTM_GETLINK, &ifi, sizeof(ifi), link_cb, &d);
	if (!err)
		err = d.err;
	if (err) {
		free(d.seen);
		return ipxr_error(IPXR_EXIT_REFUSED, "cannot record the ports in map %s: %s",
				  IPXR_MAP_PORTS, strerror(-err));
	}
	qsort(d.seen, d.n, sizeof(*d.seen), cmp_int);
	/* devices that went away while nobody listened: collected first, deleting restarts walks */
	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		k = (int)key;
		if (d.n && bsearch(&k, d.seen, d.n, sizeof(*d.seen), cmp_int))
			continue;
		ns = realloc(stale, (nstale + 1) * sizeof(*stale));
		if (!ns)
			break;
		stale = ns;
		stale[nstale++] = key;
	}
	for (i = 0; i < nstale; i++)
		bpf_map_delete_elem(fd, &stale[i]);
	free(stale);
	free(d.seen);
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
