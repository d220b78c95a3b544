// SPDX-License-Identifier: GPL-2.0
/*
 * Sync of the router's addresses into LOCAL host routes (/32, /128). The kernel's local table
 * wins over any route, so a packet to one of our addresses must reach the kernel even when a
 * covering route would forward it: the LOCAL host route is the longest match. ipxr_local4 and
 * ipxr_local6 record which host routes are such copies, so addresses that went away are removed
 * without walking the trie.
 *
 * IPv6 link-local addresses are left out: the program hands all link-local traffic to the
 * kernel before any lookup, and fe80::/10 is not routed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "local.h"
#include "netlink.h"
#include "nexthop.h"
#include "utils.h"

static struct nl_addr *addrs;	/* sorted by family then address, one per address */
static size_t naddrs;
static bool synced;

static int cmp_addr(const void *a, const void *b)
{
	const struct nl_addr *x = a, *y = b;

	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	return memcmp(x->addr, y->addr, sizeof(x->addr));
}

static struct nl_addr *find(int family, const __u8 *addr)
{
	struct nl_addr k = { .family = family };

	if (!naddrs)
		return NULL;
	memcpy(k.addr, addr, af_bytes(family));
	return bsearch(&k, addrs, naddrs, sizeof(*addrs), cmp_addr);
}

bool local_is_addr(const struct ipxr_family *f, const __u8 *addr)
{
	return find(f->af, addr) != NULL;
}

__u32 local_ifindex(const struct ipxr_family *f, const __u8 *addr)
{
	__u32 ifindex = 0;

	bpf_map_lookup_elem(map_fd(f->local_map), addr, &ifindex);
	return ifindex;
}

void local_forget(const struct ipxr_family *f, const __u8 *addr)
{
	struct nl_addr *a = find(f->af, addr);

	if (!a)
		return;
	memmove(a, a + 1, (addrs + naddrs - (a + 1)) * sizeof(*a));
	naddrs--;
	bpf_map_delete_elem(map_fd(f->local_map), addr);
}

void local_free(void)
{
	free(addrs);
	addrs = NULL;
	naddrs = 0;
	synced = false;
}

static int refused(const struct ipxr_family *f, const char *what, const __u8 *addr, int err)
{
	char a[INET6_ADDRSTRLEN];

	return ipxr_error(IPXR_EXIT_REFUSED, "cannot %s the local route %s: %s", what,
			  format_addr(a, sizeof(a), f->af, addr), strerror(err));
}

static void host_key(const struct ipxr_family *f, const __u8 *addr, struct route_key *key)
{
	memset(key, 0, sizeof(*key));
	key->prefixlen = f->bits;
	memcpy(key->addr, addr, f->bits / 8);
}

static int add_local(const struct ipxr_family *f, const __u8 *addr, __u32 ifindex)
{
	struct ipxr_route val = { .type = IPXR_RT_LOCAL, .prefixlen = f->bits }, old;
	struct route_key key;
	int ret;

	host_key(f, addr, &key);
	ret = route_lookup_exact(f, &key, &old);
	if (ret < 0)
		return refused(f, "read", addr, -ret);
	if (bpf_map_update_elem(map_fd(f->route_map), &key, &val, BPF_ANY))
		return refused(f, "add", addr, errno);
	front_set(f, &key, &val);
	/* a host route added before the address was: the address now wins, as in the kernel */
	if (ret == 1 && old.type == IPXR_RT_UNICAST)
		nh_release(old.nh_id);
	if (bpf_map_update_elem(map_fd(f->local_map), addr, &ifindex, BPF_ANY))
		return refused(f, "record", addr, errno);
	return 0;
}

static int del_local(const struct ipxr_family *f, const __u8 *addr)
{
	struct route_key key;
	struct ipxr_route old;
	int ret;

	host_key(f, addr, &key);
	ret = route_lookup_exact(f, &key, &old);
	if (ret < 0)
		return refused(f, "read", addr, -ret);
	if (ret == 1 && old.type == IPXR_RT_LOCAL) {
		if (bpf_map_delete_elem(map_fd(f->route_map), &key) == 0)
			front_del(f, &key);
		else if (errno != ENOENT)
			return refused(f, "delete", addr, errno);
	}
	if (bpf_map_delete_elem(map_fd(f->local_map), addr) && errno != ENOENT)
		return refused(f, "forget", addr, errno);
	return 0;
}

/*
 * The records of one family: keep the current ones (marking their address as in place), delete
 * the stale ones.
 */
static int sync_records(const struct ipxr_family *f)
{
	__u8 key[16] = {}, *prev = NULL, (*stale)[16] = NULL, (*ns)[16];
	int fd = map_fd(f->local_map), err = 0;
	size_t i, nstale = 0;
	struct nl_addr *a;
	__u32 ifindex;

	while (bpf_map_get_next_key(fd, prev, key) == 0) {
		prev = key;
		a = find(f->af, key);
		if (a && bpf_map_lookup_elem(fd, key, &ifindex) == 0 &&
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
		memcpy(stale[nstale++], key, sizeof(key));
	}
	for (i = 0; i < nstale && !err; i++)
		err = del_local(f, stale[i]);
	free(stale);
	return err;
}

int local_sync(void)
{
	const struct ipxr_family *f;
	size_t i, j;
	int err;

	if (synced)
		return 0;
	err = nh_load();
	if (err)
		return err;
	local_free();	/* what an earlier, failed sync of this batch left */
	err = nl_addr_dump(&addrs, &naddrs);
	if (err)
		return ipxr_error(IPXR_EXIT_REFUSED, "cannot list the router's addresses: %s",
				  strerror(-err));
	/* only routable addresses; the same address on two devices: one LOCAL entry does */
	for (i = j = 0; i < naddrs; i++)
		if (!addr_is_linklocal(addrs[i].family, addrs[i].addr))
			addrs[j++] = addrs[i];
	naddrs = j;
	qsort(addrs, naddrs, sizeof(*addrs), cmp_addr);
	for (i = j = 0; i < naddrs; i++)
		if (!j || cmp_addr(&addrs[j - 1], &addrs[i]))
			addrs[j++] = addrs[i];
	naddrs = j;

	for_each_family(f) {
		err = sync_records(f);
		if (err)
			break;
	}
	for (i = 0; i < naddrs; i++) {
		if (addrs[i].ifindex < 0) {
			addrs[i].ifindex = -addrs[i].ifindex;
			continue;
		}
		if (!err)
			err = add_local(family_get(addrs[i].family), addrs[i].addr,
					addrs[i].ifindex);
	}
	if (err)
		return err;
	synced = true;
	return 0;
}
