// SPDX-License-Identifier: GPL-2.0
/*
 * Opening the pinned maps. ipxr refuses to touch maps it does not understand: each map's type,
 * key and value sizes and size are checked against this build's layout, and the layout version
 * is read from the BTF of the config map, which the object that created the maps carries.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "dir24.h"
#include "maps.h"
#include "utils.h"

const struct map_expect map_layout[MAP_COUNT] = {
	[MAP_CONFIG] = { IPXR_MAP_CONFIG, BPF_MAP_TYPE_ARRAY, sizeof(__u32),
			 sizeof(struct ipxr_config), 1 },
	[MAP_ROUTE4] = { IPXR_MAP_ROUTE4, BPF_MAP_TYPE_LPM_TRIE, sizeof(struct ipxr_route4_key),
			 sizeof(struct ipxr_route), IPXR_MAX_ROUTES4 },
	[MAP_ROUTE6] = { IPXR_MAP_ROUTE6, BPF_MAP_TYPE_LPM_TRIE, sizeof(struct ipxr_route6_key),
			 sizeof(struct ipxr_route), IPXR_MAX_ROUTES6 },
	[MAP_NEXTHOP] = { IPXR_MAP_NEXTHOP, BPF_MAP_TYPE_ARRAY, sizeof(__u32),
			  sizeof(struct ipxr_nexthop), IPXR_MAX_NEXTHOPS },
	[MAP_NEIGH4] = { IPXR_MAP_NEIGH4, BPF_MAP_TYPE_LRU_HASH, sizeof(struct ipxr_neigh4_key),
			 sizeof(struct ipxr_neigh_cache), IPXR_MAX_NEIGH4 },
	[MAP_NEIGH6] = { IPXR_MAP_NEIGH6, BPF_MAP_TYPE_LRU_HASH, sizeof(struct ipxr_neigh6_key),
			 sizeof(struct ipxr_neigh_cache), IPXR_MAX_NEIGH6 },
	[MAP_STATS] = { IPXR_MAP_STATS, BPF_MAP_TYPE_PERCPU_ARRAY, sizeof(__u32),
			sizeof(struct ipxr_counter), IPXR_MAX_STATS * IPXR_SF_MAX },
	[MAP_NH_STATS] = { IPXR_MAP_NH_STATS, BPF_MAP_TYPE_PERCPU_ARRAY, sizeof(__u32),
			   sizeof(struct ipxr_counter), IPXR_MAX_NEXTHOPS },
	[MAP_LOCAL4] = { IPXR_MAP_LOCAL4, BPF_MAP_TYPE_HASH, sizeof(__be32), sizeof(__u32),
			 IPXR_MAX_LOCAL4 },
	[MAP_LOCAL6] = { IPXR_MAP_LOCAL6, BPF_MAP_TYPE_HASH, 16, sizeof(__u32),
			 IPXR_MAX_LOCAL6 },
	/* dir24_open() also checks BPF_F_MMAPABLE, when a writer maps it */
	[MAP_DIR24] = { IPXR_MAP_DIR24, BPF_MAP_TYPE_ARRAY, sizeof(__u32),
			sizeof(struct ipxr_dir24_pair), IPXR_DIR24_ENTRIES },
	[MAP_PORTS] = { IPXR_MAP_PORTS, BPF_MAP_TYPE_HASH, sizeof(__u32), sizeof(struct ipxr_port),
			IPXR_MAX_PORTS },
};

const struct ipxr_family ipxr_families[2] = {
	{
		.af = AF_INET, .name = "inet", .route_map = MAP_ROUTE4, .local_map = MAP_LOCAL4,
		.neigh_map = MAP_NEIGH4, .route_key_size = sizeof(struct ipxr_route4_key),
		.neigh_key_size = sizeof(struct ipxr_neigh4_key), .bits = 32,
		.max_routes = IPXR_MAX_ROUTES4, .sysctl = "ipv4", .stat_slot = IPXR_SF_INET,
	},
	{
		.af = AF_INET6, .name = "inet6", .route_map = MAP_ROUTE6, .local_map = MAP_LOCAL6,
		.neigh_map = MAP_NEIGH6, .route_key_size = sizeof(struct ipxr_route6_key),
		.neigh_key_size = sizeof(struct ipxr_neigh6_key), .bits = 128,
		.max_routes = IPXR_MAX_ROUTES6, .sysctl = "ipv6", .stat_slot = IPXR_SF_INET6,
	},
};

/* The shared key buffers rely on the address following the first word in every key. */
_Static_assert(offsetof(struct ipxr_route4_key, addr) == offsetof(struct route_key, addr) &&
	       offsetof(struct ipxr_route6_key, addr) == offsetof(struct route_key, addr) &&
	       sizeof(struct ipxr_route6_key) == sizeof(struct route_key),
	       "route keys are {prefixlen, address}");
_Static_assert(offsetof(struct ipxr_neigh4_key, addr) == offsetof(struct neigh_key, addr) &&
	       offsetof(struct ipxr_neigh6_key, addr) == offsetof(struct neigh_key, addr) &&
	       sizeof(struct ipxr_neigh6_key) == sizeof(struct neigh_key),
	       "neighbour keys are {ifindex, address}");

const struct ipxr_family *family_get(int af)
{
	const struct ipxr_family *f;

	for_each_family(f)
		if (f->af == af)
			return f;
	return NULL;
}

static struct {
	int fd[MAP_COUNT];
	bool open;
	bool writable;
	int lock_fd;
	bool marked;		/* this process set ipxr_config.writing */
	bool keep_mark;		/* a write failed half-way: leave the marker for recovery */
} m = { .lock_fd = -1 };

const char *maps_dir(char *buf, size_t len)
{
	const char *mnt = getenv("TC_BPF_MNT");

	/* the same variable iproute2 pins under, so "ip link set ... obj" and ipxr agree */
	snprintf(buf, len, "%s/xdp/globals", mnt && *mnt ? mnt : "/sys/fs/bpf");
	return buf;
}

int map_fd(enum ipxr_map_id id)
{
	return m.fd[id];
}

static int err_missing(const char *path)
{
	const char *mnt = getenv("TC_BPF_MNT");

	return ipxr_error(IPXR_EXIT_NOMAPS, "ipxr maps not found: \"%s\" does not exist "
			  "(searched ${TC_BPF_MNT:-/sys/fs/bpf}/xdp/globals, TC_BPF_MNT=%s). Load "
			  "the XDP object first: ip link set dev DEV xdpdrv obj xdp_router.o "
			  "sec xdp_router", path, mnt && *mnt ? mnt : "(unset)");
}

static int err_access(const char *path, int err)
{
	return ipxr_error(IPXR_EXIT_REFUSED, "cannot open \"%s\": %s: ipxr needs root "
			  "(CAP_BPF and CAP_NET_ADMIN, and CAP_SYS_ADMIN for -n)", path,
			  strerror(err));
}

int check_map_info(const struct map_expect *e, __u32 type, __u32 key_size, __u32 value_size,
		   __u32 max_entries, char *why, size_t len)
{
	if (type == e->type && key_size == e->key_size && value_size == e->value_size &&
	    max_entries == e->max_entries)
		return 0;
	snprintf(why, len, "map %s has type %u key %u value %u max_entries %u, this ipxr "
		 "(map layout %d) expects type %u key %u value %u max_entries %u", e->name, type,
		 key_size, value_size, max_entries, IPXR_LAYOUT_VERSION, e->type, e->key_size,
		 e->value_size, e->max_entries);
	return -EINVAL;
}

static const struct btf_type *skip_mods(const struct btf *btf, __u32 id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);

	while (t && (btf_is_typedef(t) || btf_is_mod(t)))
		t = btf__type_by_id(btf, t->type);
	return t;
}

/*
 * The version of the layout the maps were created with: enumerator IPXR_LAYOUT_VERSION of the
 * enum ipxr_layout that types the first member of the config map's value. -ENOENT if absent.
 */
static int layout_version(__u32 btf_id, __u32 value_type_id, long long *version)
{
	const struct btf_type *t;
	const struct btf_enum *e;
	struct btf *btf;
	int i, err = -ENOENT;

	if (!btf_id)
		return -ENOENT;
	btf = btf__load_from_kernel_by_id(btf_id);
	if (!btf)
		return -errno;
	t = skip_mods(btf, value_type_id);
	if (!t || !btf_is_struct(t) || !btf_vlen(t))
		goto out;
	t = skip_mods(btf, btf_members(t)[0].type);
	if (!t || !btf_is_enum(t) || strcmp(btf__name_by_offset(btf, t->name_off), "ipxr_layout"))
		goto out;
	for (i = 0, e = btf_enum(t); i < btf_vlen(t); i++, e++) {
		if (strcmp(btf__name_by_offset(btf, e->name_off), "IPXR_LAYOUT_VERSION") == 0) {
			*version = btf_kflag(t) ? (long long)(__u32)e->val : e->val;
			err = 0;
			break;
		}
	}
out:
	btf__free(btf);
	return err;
}

static void close_fds(void)
{
	int i;

	for (i = 0; i < MAP_COUNT; i++) {
		if (m.fd[i] > 0)
			close(m.fd[i]);
		m.fd[i] = -1;
	}
	m.open = false;
}

static int open_one(const char *dir, int id, bool write)
{
	LIBBPF_OPTS(bpf_obj_get_opts, opts, .file_flags = write ? 0 : BPF_F_RDONLY);
	const struct map_expect *e = &map_layout[id];
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	char path[PATH_MAX + 32], why[256];
	long long version = 0;
	int fd, err;

	snprintf(path, sizeof(path), "%s/%s", dir, e->name);
	fd = bpf_obj_get_opts(path, &opts);
	if (fd < 0) {
		err = errno;
		if (err == ENOENT)
			return err_missing(path);
		if (err == EPERM || err == EACCES)
			return err_access(path, err);
		return ipxr_error(IPXR_EXIT_NOMAPS, "cannot open \"%s\": %s", path, strerror(err));
	}
	m.fd[id] = fd;
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		err = errno;
		return ipxr_error(err == EPERM || err == EACCES ? IPXR_EXIT_REFUSED :
				  IPXR_EXIT_NOMAPS, "cannot read the map info of \"%s\": %s", path,
				  strerror(err));
	}
	if (check_map_info(e, info.type, info.key_size, info.value_size, info.max_entries,
			   why, sizeof(why)))
		return ipxr_error(IPXR_EXIT_NOMAPS, "\"%s\" is not of this ipxr's map layout: %s. "
				  "Reload the XDP object that matches this ipxr.", path, why);
	if (id != MAP_CONFIG)
		return 0;

	err = layout_version(info.btf_id, info.btf_value_type_id, &version);
	if (err == -EPERM || err == -EACCES)
		return err_access(path, -err);
	if (err)
		return ipxr_error(IPXR_EXIT_NOMAPS, "\"%s\" carries no ipxr layout version in its "
				  "BTF (enum ipxr_layout): %s. Reload the XDP object that matches "
				  "this ipxr (map layout %d).", path, strerror(-err),
				  IPXR_LAYOUT_VERSION);
	if (version != IPXR_LAYOUT_VERSION)
		return ipxr_error(IPXR_EXIT_NOMAPS, "the maps in \"%s\" have map layout "
				  "version %lld, this ipxr knows map layout version %d: load the "
				  "XDP object that matches this ipxr, or use the ipxr that matches "
				  "the object.", dir, version, IPXR_LAYOUT_VERSION);
	return 0;
}

int maps_lock(void)
{
	char dir[PATH_MAX];
	int err;

	if (m.lock_fd >= 0)
		return 0;
	maps_dir(dir, sizeof(dir));
	m.lock_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (m.lock_fd < 0) {
		err = errno;
		if (err == ENOENT || err == ENOTDIR)
			return err_missing(dir);
		if (err == EPERM || err == EACCES)
			return err_access(dir, err);
		return ipxr_error(IPXR_EXIT_NOMAPS, "cannot open \"%s\": %s", dir, strerror(err));
	}
	if (flock(m.lock_fd, LOCK_EX)) {
		err = errno;
		close(m.lock_fd);
		m.lock_fd = -1;
		return ipxr_error(IPXR_EXIT_REFUSED, "cannot lock \"%s\": %s", dir, strerror(err));
	}
	return 0;
}

int maps_open(bool write)
{
	char dir[PATH_MAX];
	int i, err;

	if (m.open && (m.writable || !write))
		return 0;
	close_fds();
	maps_dir(dir, sizeof(dir));

	/*
	 * Writers serialise on the pin directory: two ipxr runs updating next-hop refcounts at
	 * once would lose counts. Readers need no lock: every map entry is updated whole, and
	 * route_keys() walks the tries so that a concurrent writer costs no route twice or none.
	 */
	if (write) {
		err = maps_lock();
		if (err)
			return err;
	}
	/* the version check comes first: the other maps' sizes mean nothing in another layout */
	for (i = 0; i < MAP_COUNT; i++)
		m.fd[i] = -1;
	for (i = 0; i < MAP_COUNT; i++) {
		err = open_one(dir, i, write);
		if (err) {
			close_fds();
			return err;
		}
	}
	m.open = true;
	m.writable = write;
	return 0;
}

static void front_end(void);

/* The last change is made: the marker goes, unless a failed write left work to recover. */
static void write_unmark(void)
{
	struct ipxr_config cfg;

	if (!m.marked)
		return;
	m.marked = false;
	if (m.keep_mark || config_read(&cfg))
		return;
	cfg.writing = 0;
	if (config_write(&cfg))
		ipxr_warn("cannot clear the write marker in map %s: %s: the next write recovers "
			  "as after an interrupted one", IPXR_MAP_CONFIG, strerror(errno));
}

int maps_write_mark(__u32 *dead)
{
	struct ipxr_config cfg;
	int err;

	*dead = 0;
	if (m.marked)
		return 0;
	err = config_read(&cfg);
	if (!err) {
		/* under the lock, a marker is never a live writer's: it died half-way */
		*dead = cfg.writing;
		cfg.magic = IPXR_LAYOUT_MAGIC;
		cfg.writing = (__u32)getpid();
		err = config_write(&cfg);
	}
	if (err)
		return ipxr_error(IPXR_EXIT_REFUSED, "cannot write map %s: %s", IPXR_MAP_CONFIG,
				  strerror(-err));
	m.marked = true;
	m.keep_mark = false;
	return 0;
}

void maps_write_failed(void)
{
	m.keep_mark = true;
}

__u32 maps_writing(void)
{
	struct ipxr_config cfg;

	return config_read(&cfg) ? 0 : cfg.writing;
}

void maps_close(void)
{
	front_end();	/* needs the trie still open */
	write_unmark();	/* after the front table's repaint: the last change */
	close_fds();
	if (m.lock_fd >= 0)
		close(m.lock_fd);	/* releases the flock */
	m.lock_fd = -1;
}

int config_read(struct ipxr_config *cfg)
{
	__u32 zero = 0;

	if (bpf_map_lookup_elem(map_fd(MAP_CONFIG), &zero, cfg))
		return -errno;
	return 0;
}

int config_write(const struct ipxr_config *cfg)
{
	__u32 zero = 0;

	if (bpf_map_update_elem(map_fd(MAP_CONFIG), &zero, cfg, BPF_ANY))
		return -errno;
	return 0;
}

static int ncpus(void)
{
	static int n;

	if (!n) {
		n = libbpf_num_possible_cpus();
		if (n <= 0)
			n = 1;
	}
	return n;
}

int percpu_sum(int fd, __u32 key, struct ipxr_counter *sum)
{
	int i, n = ncpus();
	struct ipxr_counter *v = calloc(n, sizeof(*v));

	memset(sum, 0, sizeof(*sum));
	if (!v)
		return -ENOMEM;
	if (bpf_map_lookup_elem(fd, &key, v)) {
		free(v);
		return -errno;
	}
	for (i = 0; i < n; i++) {
		sum->packets += v[i].packets;
		sum->bytes += v[i].bytes;
	}
	free(v);
	return 0;
}

int percpu_zero(int fd, __u32 key)
{
	struct ipxr_counter *v = calloc(ncpus(), sizeof(*v));
	int err = 0;

	if (!v)
		return -ENOMEM;
	if (bpf_map_update_elem(fd, &key, v, BPF_ANY))
		err = -errno;
	free(v);
	return err;
}

/* 1 and the entry when @key itself is in the trie, 0 when only a covering route (or none) is. */
int route_lookup_exact(const struct ipxr_family *f, const struct route_key *key,
		       struct ipxr_route *val)
{
	if (bpf_map_lookup_elem(map_fd(f->route_map), key, val))
		return errno == ENOENT ? 0 : -errno;
	return val->prefixlen == key->prefixlen;
}

/*
 * The order in which the kernel's get-next-key walks an LPM trie (kernel/bpf/lpm_trie.c,
 * post-order): below the first bit where @a and @b differ, the side of bit 0 first; a prefix
 * after every longer prefix inside it. It depends on the two keys alone, not on the rest of
 * the trie, so concurrent writers cannot reorder what a walk has seen.
 */
static int trie_order(const struct route_key *a, const struct route_key *b, unsigned int bits)
{
	unsigned int len = a->prefixlen < b->prefixlen ? a->prefixlen : b->prefixlen, i;
	int ba, bb;

	if (len > bits)
		len = bits;
	for (i = 0; i < len; i++) {
		ba = a->addr[i / 8] >> (7 - i % 8) & 1;
		bb = b->addr[i / 8] >> (7 - i % 8) & 1;
		if (ba != bb)
			return ba - bb;
	}
	/* one holds the other: the longer comes first */
	return (int)b->prefixlen - (int)a->prefixlen;
}

/*
 * get-next-key from a key that another writer just deleted starts over from the first key: a
 * plain walk then lists routes twice. An answer that does not follow the key asked from in
 * trie_order() is such a restart; the walk asks again from the listed key before, and so on
 * back (from the start at worst). Answers that do not follow the last key listed are routes
 * added behind the walk: passed over, not listed twice. A route present throughout is listed
 * once and none is skipped: after an existing key the kernel gives the next one present in
 * this fixed order.
 */
int trie_keys(int fd, unsigned int bits, struct route_key **keys, size_t *count)
{
	struct route_key *k = NULL, *n, cur, skip;
	size_t cnt = 0, alloc = 0;
	const struct route_key *prev = NULL;
	long j = -1;	/* the listed key last asked from, -1: none */

	for (;;) {
		if (bpf_map_get_next_key(fd, prev, &cur)) {
			if (errno == ENOENT)
				break;
			free(k);
			return -errno;
		}
		if (prev && trie_order(&cur, prev, bits) <= 0) {
			/* @prev is gone: ask from the listed key before it (or that one) */
			if (prev == &skip && j >= 0)
				prev = &k[j];
			else if (j > 0)
				prev = &k[--j];
			else
				prev = NULL, j = -1;
			continue;
		}
		if (cnt && trie_order(&cur, &k[cnt - 1], bits) <= 0) {
			skip = cur;
			prev = &skip;
			continue;
		}
		if (cnt == alloc) {
			alloc = alloc ? 2 * alloc : 1024;
			n = realloc(k, alloc * sizeof(*k));
			if (!n) {
				free(k);
				return -ENOMEM;
			}
			k = n;
		}
		k[cnt] = cur;
		j = (long)cnt++;
		prev = &k[j];
	}
	*keys = k;
	*count = cnt;
	return 0;
}

int route_keys(const struct ipxr_family *f, struct route_key **keys, size_t *count)
{
	return trie_keys(map_fd(f->route_map), f->bits, keys, count);
}

/* ------------------------------------------------------------------------------------------ */
/* The IPv4 front table                                                                        */

static struct {
	struct dir24 d;
	bool tried;	/* front_begin() done: once per process, a batch is one bracket */
	bool begun;	/* mapped and dir24_begin() done: dir24_end() is due */
} front;

/*
 * The table cannot be mapped: mark it unused through the syscall instead (state word 0, the
 * program keeps to the trie), so the trie writes that follow cannot leave it saying something
 * else than the trie. Only if even that fails is the write refused.
 */
static int front_disable(int err)
{
	struct ipxr_dir24_pair pair;
	__u32 zero = 0;
	char dir[PATH_MAX];

	_Static_assert(IPXR_D24_STATE == 0, "the state word is word 0 of element 0");
	if (bpf_map_lookup_elem(m.fd[MAP_DIR24], &zero, &pair) == 0) {
		if (!(pair.word[0] & IPXR_D24_VALID))
			goto unused;
		pair.word[0] = 0;
		if (bpf_map_update_elem(m.fd[MAP_DIR24], &zero, &pair, BPF_ANY) == 0)
			goto unused;
	}
	return ipxr_error(IPXR_EXIT_REFUSED, "cannot map the IPv4 front table \"%s/%s\" (%s) "
			  "nor mark it unused (%s): the trie is left unchanged",
			  maps_dir(dir, sizeof(dir)), IPXR_MAP_DIR24, strerror(-err),
			  strerror(errno));
unused:
	ipxr_warn("cannot map the IPv4 front table \"%s/%s\": %s: it is left unused, IPv4 "
		  "lookups walk the trie until a later ipxr write can repaint it",
		  maps_dir(dir, sizeof(dir)), IPXR_MAP_DIR24, strerror(-err));
	return 0;
}

int front_begin(void)
{
	int err;

	if (front.tried)
		return 0;
	err = dir24_open(&front.d, m.fd[MAP_DIR24], m.fd[MAP_ROUTE4]);
	if (err) {
		err = front_disable(err);
		/* refused: the next write (batch -force) tries again, and is refused again */
		front.tried = !err;
		return err;
	}
	front.tried = true;
	dir24_begin(&front.d);
	front.begun = true;
	return 0;
}

/* The host-order address of an IPv4 key, or false for another family or no table. */
static bool front_addr(const struct ipxr_family *f, const struct route_key *key, __u32 *addr)
{
	__be32 a;

	if (!front.begun || f->af != AF_INET)
		return false;
	memcpy(&a, key->addr, sizeof(a));
	*addr = ntohl(a);
	return true;
}

static void front_warn(const struct route_key *key, int err)
{
	char a[INET_ADDRSTRLEN];

	ipxr_warn("cannot update the IPv4 front table for %s/%u: %s: it is repainted from the "
		  "trie before ipxr exits", inet_ntop(AF_INET, key->addr, a, sizeof(a)),
		  key->prefixlen, strerror(-err));
}

void front_set(const struct ipxr_family *f, const struct route_key *key,
	       const struct ipxr_route *val)
{
	__u32 addr;
	int err;

	if (front_addr(f, key, &addr)) {
		err = dir24_set(&front.d, addr, (__u8)key->prefixlen, val);
		if (err)
			front_warn(key, err);
	}
}

void front_del(const struct ipxr_family *f, const struct route_key *key)
{
	__u32 addr;
	int err;

	if (front_addr(f, key, &addr)) {
		err = dir24_del(&front.d, addr, (__u8)key->prefixlen);
		if (err)
			front_warn(key, err);
	}
}

void front_invalidate(const struct ipxr_family *f)
{
	if (front.begun && f->af == AF_INET)
		dir24_invalidate(&front.d);
}

static void front_end(void)
{
	char dir[PATH_MAX];
	int err;

	/* maps opened again (ipxr sync's next batch) begin a bracket of their own */
	front.tried = false;
	if (!front.begun)
		return;
	front.begun = false;
	err = dir24_end(&front.d);
	if (err)
		ipxr_warn("cannot repaint the IPv4 front table \"%s/%s\" from the trie: %s: it "
			  "is left unused, IPv4 lookups walk the trie until the next ipxr write",
			  maps_dir(dir, sizeof(dir)), IPXR_MAP_DIR24, strerror(-err));
	dir24_close(&front.d);
}
