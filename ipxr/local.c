// SPDX-License-Identifier: GPL-2.0
/*
 * Sync of the router's addresses into LOCAL /32 routes. The kernel's local table wins over
 * any route, so a packet to one of our addresses must reach the kernel even when a covering
 * route would forward it: the LOCAL /32 is the longest match. ipxr_local4 records which /32s
 * are such copies, so addresses that went away are removed without walking the trie.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "local.h"
#include "maps.h"
#include "netlink.h"
#include "nexthop.h"
#include "utils.h"

static struct nl_addr4 *addrs;	/* sorted by address, one per address */
static size_t naddrs;
static bool synced;

static int cmp_addr(const void *a, const void *b)
{
	__u32 x = ntohl(((const struct nl_addr4 *)a)->addr);
	__u32 y = ntohl(((const struct nl_addr4 *)b)->addr);

	return x < y ? -1 : x > y;
}

static struct nl_addr4 *find(__be32 addr)
{
	struct nl_addr4 k = { .addr = addr };

	if (!naddrs)
		return NULL;
	return bsearch(&k, addrs, naddrs, sizeof(*addrs), cmp_addr);
}

bool local_is_addr(__be32 addr)
{
	return find(addr) != NULL;
}

void local_forget(__be32 addr)
{
	struct nl_addr4 *a = find(addr);

	if (!a)
		return;
	memmove(a, a + 1, (addrs + naddrs - (a + 1)) * sizeof(*a));
	naddrs--;
	bpf_map_delete_elem(map_fd(MAP_LOCAL4), &addr);
}

void local_free(void)
{
	free(addrs);
	addrs = NULL;
	naddrs = 0;
	synced = false;
}

static int refused(const char *what, __be32 addr, int err)
{
	char a[INET_ADDRSTRLEN];

	return ipxr_error(IPXR_EXIT_REFUSED, "cannot %s the local route %s: %s", what,
			  format_addr(a, sizeof(a), addr), strerror(err));
}

static int add_local(__be32 addr, __u32 ifindex)
{
	struct ipxr_route4_key key = { .prefixlen = 32, .addr = addr };
	struct ipxr_route val = { .type = IPXR_RT_LOCAL, .prefixlen = 32 }, old;
	int ret;

	ret = route4_lookup_exact(&key, &old);
	if (ret < 0)
		return refused("read", addr, -ret);
	if (bpf_map_update_elem(map_fd(MAP_ROUTE4), &key, &val, BPF_ANY))
		return refused("add", addr, errno);
	/* a host route added before the address was: the address now wins, as in the kernel */
	if (ret == 1 && old.type == IPXR_RT_UNICAST)
		nh_release(old.nh_id);
	if (bpf_map_update_elem(map_fd(MAP_LOCAL4), &addr, &ifindex, BPF_ANY))
		return refused("record", addr, errno);
	return 0;
}

static int del_local(__be32 addr)
{
	struct ipxr_route4_key key = { .prefixlen = 32, .addr = addr };
	struct ipxr_route old;
	int ret;

	ret = route4_lookup_exact(&key, &old);
	if (ret < 0)
		return refused("read", addr, -ret);
	if (ret == 1 && old.type == IPXR_RT_LOCAL &&
	    bpf_map_delete_elem(map_fd(MAP_ROUTE4), &key) && errno != ENOENT)
		return refused("delete", addr, errno);
	if (bpf_map_delete_elem(map_fd(MAP_LOCAL4), &addr) && errno != ENOENT)
		return refused("forget", addr, errno);
	return 0;
}

int local_sync(void)
{
	int fd = map_fd(MAP_LOCAL4), err;
	__be32 key, *prev = NULL, *stale = NULL;
	size_t i, j, nstale = 0;
	struct nl_addr4 *a;
	__u32 ifindex;
	__be32 *ns;

	if (synced)
		return 0;
	err = nh_load();
	if (err)
		return err;
	err = nl_addr4_dump(&addrs, &naddrs);
	if (err)
		return ipxr_error(IPXR_EXIT_REFUSED, "cannot list the router's addresses: %s",
				  strerror(-err));
	qsort(addrs, naddrs, sizeof(*addrs), cmp_addr);
	/* the same address on two devices: one LOCAL entry does */
	for (i = j = 0; i < naddrs; i++)
		if (!j || addrs[j - 1].addr != addrs[i].addr)
			addrs[j++] = addrs[i];
	naddrs = j;

	/* entries recorded earlier: keep the current ones, collect the stale ones */
	while (bpf_map_get_next_key(fd, prev, &key) == 0) {
		prev = &key;
		a = find(key);
		if (a && bpf_map_lookup_elem(fd, &key, &ifindex) == 0 &&
		    ifindex == (__u32)a->ifindex) {
			a->ifindex = -a->ifindex;	/* mark: already in place */
			continue;
		}
		if (a)
			continue;	/* moved to another device: rewritten below */
		ns = realloc(stale, (nstale + 1) * sizeof(*stale));
		if (!ns) {
			free(stale);
			return ipxr_error(IPXR_EXIT_REFUSED, "out of memory");
		}
		stale = ns;
		stale[nstale++] = key;
	}
	for (i = 0, err = 0; i < nstale && !err; i++)
		err = del_local(stale[i]);
	free(stale);
	for (i = 0; i < naddrs; i++) {
		if (addrs[i].ifindex < 0) {
			addrs[i].ifindex = -addrs[i].ifindex;
			continue;
		}
		if (!err)
			err = add_local(addrs[i].addr, addrs[i].ifindex);
	}
	if (err)
		return err;
	synced = true;
	return 0;
}
