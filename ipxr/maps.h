/* SPDX-License-Identifier: GPL-2.0 */
/* The pinned maps of the XDP router: opening, checking their layout, small accessors. */
#ifndef IPXR_MAPS_H_USER
#define IPXR_MAPS_H_USER

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "ipxr_maps.h"

enum ipxr_map_id {
	MAP_CONFIG,
	MAP_ROUTE4,
	MAP_ROUTE6,
	MAP_NEXTHOP,
	MAP_NEIGH4,
	MAP_NEIGH6,
	MAP_STATS,
	MAP_NH_STATS,
	MAP_LOCAL4,
	MAP_LOCAL6,
	MAP_LPM,
	MAP_PORTS,
	MAP_ROUTE_SRC,
	MAP_PORT_STATS,
	MAP_PASS_RING,
	MAP_COUNTED,
	MAP_ROUTE_CNT,
	MAP_NH_GROUP,
	MAP_VLANS,
	MAP_PORT_TAB,
	MAP_COUNT,
};

/*
 * What differs between IPv4 and IPv6 for ipxr is data, not code: one row per family, and the
 * route, local-address and neighbour code takes the row.
 */
struct ipxr_family {
	int af;				/* AF_INET, AF_INET6 */
	const char *name;		/* "inet", "inet6": -f and the stats output */
	enum ipxr_map_id route_map;	/* LPM trie of struct route_key -> struct ipxr_route */
	enum ipxr_map_id local_map;	/* address -> ifindex of the LOCAL host routes */
	enum ipxr_map_id neigh_map;	/* struct neigh_key -> neighbours of connected routes */
	__u32 route_key_size;
	__u32 neigh_key_size;
	unsigned int bits;		/* address length */
	__u32 max_routes;
	const char *sysctl;		/* /proc/sys/net/<sysctl>/conf/DEV/forwarding */
	enum ipxr_stat_family stat_slot;
};

extern const struct ipxr_family ipxr_families[2];
#define for_each_family(f) for ((f) = ipxr_families; (f) < ipxr_families + 2; (f)++)

/* The row of @af; NULL for anything but AF_INET and AF_INET6. */
const struct ipxr_family *family_get(int af);

/*
 * Both tries' keys are {prefixlen, address}, as are both neighbour caches' {ifindex, address}:
 * one buffer of the IPv6 size serves either, the map reading route_key_size (neigh_key_size)
 * bytes of it.
 */
struct route_key {
	__u32 prefixlen;
	__u8 addr[16];
};

struct neigh_key {
	__u32 ifindex;
	__u8 addr[16];
};

/*
 * Open every map once per process (read-only unless @write; a later writer call reopens them
 * writable and takes the lock). Returns 0 or an exit code with the error printed.
 */
int maps_open(bool write);
void maps_close(void);

/*
 * For a writer that runs long (ipxr sync): @keep makes maps_close() release only the lock and
 * end the front table's bracket, keeping the maps open and the front table mapped; the next
 * maps_open(true) takes the lock and checks that the pins are still the ones opened (a stat
 * each), opening them anew if not. maps_keep(false) then maps_close() closes everything.
 */
void maps_keep(bool keep);

/*
 * After maps_open(): whether what a writer kept from its last hold of the lock (next hops,
 * addresses, ports) must be read again: the maps were opened anew, or another writer wrote
 * since (the write generation ipxr_config.writes moved on). Always true for a first open.
 */
bool maps_fresh(void);

/* Take the writers' lock without opening the maps writable (ipxr check reads under it). */
int maps_lock(void);

/*
 * The write-in-progress marker (ipxr_config.writing), set by a writer before its first change
 * and cleared by maps_close() after its last: *@dead is the pid a writer that died half-way
 * left in it (0: none), for the caller to recover from. 0 or an exit code with the error
 * printed. maps_write_failed(): a write could not finish (a commit failed), the marker stays.
 * maps_writing(): the marker as it is now (a reader: a writer is at work, or one died).
 */
int maps_write_mark(__u32 *dead);
void maps_write_failed(void);
__u32 maps_writing(void);
int map_fd(enum ipxr_map_id id);
const char *maps_dir(char *buf, size_t len);

/*
 * The map layout version the pinned ipxr_config's BTF carries, whatever this ipxr's: 0, or
 * -ENOENT when nothing is pinned, another negative errno when it cannot be told.
 */
int pinned_layout(long long *version);

/*
 * The front structure ipxr_lpm (ipxr/lpm.h) is derived from both tries and must follow every
 * write to them: front_begin() after maps_open(true) and before the first write of the process
 * (local_sync() included), front_set()/front_del() after each successful update or delete,
 * front_invalidate() for a bulk change; maps_close() ends it (repainting a pool from its trie
 * if needed). Only a writer maps the pools, writable. front_begin() returns 0 or an exit code
 * with the error printed; the others only warn, since a pool that could not be painted is
 * taken out of use and the program keeps to the trie. front_repaint_all(), between
 * front_begin() and maps_close(), repaints both pools whole from the tries now (recovery after
 * a writer died half-way): 0 or a negative errno, with a warning.
 */
int front_begin(void);
void front_set(const struct ipxr_family *f, const struct route_key *key,
	       const struct ipxr_route *val);
void front_del(const struct ipxr_family *f, const struct route_key *key);
void front_invalidate(const struct ipxr_family *f);
int front_repaint_all(void);
/* Pools a load left a third unused are repainted to fit at maps_close(): true if any. */
bool front_compact(void);

/* Check a map's info against what this ipxr was built for: 0 or a message in @why. */
struct map_expect {
	const char *name;
	__u32 type;
	__u32 key_size;
	__u32 value_size;
	__u32 max_entries;
};

extern const struct map_expect map_layout[MAP_COUNT];

int check_map_info(const struct map_expect *e, __u32 type, __u32 key_size, __u32 value_size,
		   __u32 max_entries, char *why, size_t len);

int config_read(struct ipxr_config *cfg);
int config_write(const struct ipxr_config *cfg);

/*
 * Per-CPU counters of @fd at @key, summed; zeroing is done on next-hop allocation and by ipxr
 * stats reset. percpu_sum_n(): a value of @n __u64 counters (struct ipxr_port_stats).
 */
int percpu_sum(int fd, __u32 key, struct ipxr_counter *sum);
int percpu_sum_n(int fd, __u32 key, __u64 *sum, size_t n);
int percpu_zero(int fd, __u32 key);

/*
 * The LPM trie's lookup returns the longest match, not the entry for the key itself. Returns
 * 1 and the value when exactly @key is in @f's trie, 0 when not, or a negative errno.
 */
int route_lookup_exact(const struct ipxr_family *f, const struct route_key *key,
		       struct ipxr_route *val);

/*
 * All keys of @f's trie, in the kernel's walk order: each route present throughout the walk
 * exactly once however other writers change the trie meanwhile (collected first: deleting
 * while walking would restart the walk). trie_keys(): the same for the LPM trie @fd of
 * @bits-bit addresses. 0 or a negative errno.
 */
int route_keys(const struct ipxr_family *f, struct route_key **keys, size_t *count);
int trie_keys(int fd, unsigned int bits, struct route_key **keys, size_t *count);

#endif /* IPXR_MAPS_H_USER */
