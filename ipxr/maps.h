/* SPDX-License-Identifier: GPL-2.0 */
/* The pinned maps of the XDP router: opening, checking their layout, small accessors. */
#ifndef IPXR_MAPS_H_USER
#define IPXR_MAPS_H_USER

#include <stdbool.h>
#include <linux/types.h>

#include "ipxr_maps.h"

enum ipxr_map_id {
	MAP_CONFIG,
	MAP_ROUTE4,
	MAP_NEXTHOP,
	MAP_NEIGH4,
	MAP_STATS,
	MAP_NH_STATS,
	MAP_LOCAL4,
	MAP_COUNT,
};

/*
 * Open every map once per process (read-only unless @write; a later writer call reopens them
 * writable and takes the lock). Returns 0 or an exit code with the error printed.
 */
int maps_open(bool write);
void maps_close(void);
int map_fd(enum ipxr_map_id id);
const char *maps_dir(char *buf, size_t len);

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

/* Per-CPU counters of @fd at @key, summed; zeroing is done on next-hop allocation. */
int percpu_sum(int fd, __u32 key, struct ipxr_counter *sum);
int percpu_zero(int fd, __u32 key);

/*
 * The LPM trie's lookup returns the longest match, not the entry for the key itself. Returns
 * 1 and the value when exactly @key is in the trie, 0 when not, or a negative errno.
 */
int route4_lookup_exact(const struct ipxr_route4_key *key, struct ipxr_route *val);

/* All keys of the trie (collected first: deleting while walking restarts the walk). */
int route4_keys(struct ipxr_route4_key **keys, size_t *count);

#endif /* IPXR_MAPS_H_USER */
