// SPDX-License-Identifier: GPL-2.0
/*
 * Opening the pinned maps. ipxr refuses to touch maps it does not understand: each map's type,
 * key and value sizes and size are checked against this build's layout, and the layout version
 * is read from the BTF of the config map, which the object that created the maps carries.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "lpm.h"
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
	/* lpm_open() checks the pools in it, when a writer maps them */
	[MAP_LPM] = { IPXR_MAP_LPM, BPF_MAP_TYPE_ARRAY_OF_MAPS, sizeof(__u32), sizeof(__u32),
		      IPXR_LPM_SLOTS },
	[MAP_PORTS] = { IPXR_MAP_PORTS, BPF_MAP_TYPE_HASH, sizeof(__u32), sizeof(struct ipxr_port),
			IPXR_MAX_PORTS },
	[MAP_ROUTE_SRC] = { IPXR_MAP_ROUTE_SRC, BPF_MAP_TYPE_HASH,
			    sizeof(struct ipxr_route_src_key), sizeof(struct ipxr_route_src),
			    IPXR_MAX_ROUTE_SRC },
	[MAP_PORT_STATS] = { IPXR_MAP_PORT_STATS, BPF_MAP_TYPE_PERCPU_ARRAY, sizeof(__u32),
			     sizeof(struct ipxr_port_stats), IPXR_MAX_PORT_STATS },
	/* a ring buffer has no key or value; its size is in bytes */
	[MAP_PASS_RING] = { IPXR_MAP_PASS_RING, BPF_MAP_TYPE_RINGBUF, 0, 0, IPXR_PASS_RING_SIZE },
	[MAP_COUNTED] = { IPXR_MAP_COUNTED, BPF_MAP_TYPE_HASH, sizeof(struct ipxr_route_src_key),
			  sizeof(__u32), IPXR_MAX_ROUTE_CNT },
	[MAP_ROUTE_CNT] = { IPXR_MAP_ROUTE_CNT, BPF_MAP_TYPE_PERCPU_ARRAY, sizeof(__u32),
			    sizeof(struct ipxr_counter), IPXR_MAX_ROUTE_CNT },
	[MAP_NH_GROUP] = { IPXR_MAP_NH_GROUP, BPF_MAP_TYPE_ARRAY, sizeof(__u32),
			   sizeof(struct ipxr_nh_group), IPXR_MAX_NH_GROUPS },
	[MAP_VLANS] = { IPXR_MAP_VLANS, BPF_MAP_TYPE_HASH, sizeof(struct ipxr_vlan_key),
			sizeof(__u32), IPXR_MAX_VLANS },
	[MAP_PORT_TAB] = { IPXR_MAP_PORT_TAB, BPF_MAP_TYPE_ARRAY, sizeof(__u32),
			   sizeof(struct ipxr_port), IPXR_PORT_TAB },
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
	bool locked;		/* the flock on lock_fd is held */
	/*
	 * A long-running writer (maps_keep()) holds the maps open across maps_close(): the pins'
	 * identity (device and inode of each pin and of the directory, taken before opening them)
	 * tells at the next maps_open() whether they are still the ones opened.
	 */
	bool keep;
	bool reopened;		/* the last maps_open() opened them anew */
	bool others;		/* ... or found that another writer wrote since our last close */
	__u32 writes;		/* the write generation our last maps_close() left */
	dev_t dev[MAP_COUNT + 1];
	ino_t ino[MAP_COUNT + 1];
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

/*
 * Whether @path is on a bpffs. A directory on another file system (the tmpfs or sysfs that `ip
 * netns exec` mounts over /sys) cannot hold pins, so the maps are somewhere this process does
 * not see.
 */
static bool on_bpffs(const char *path)
{
	struct statfs st;

	return statfs(path, &st) == 0 && st.f_type == BPF_FS_MAGIC;
}

/*
 * The name under /run/netns of the network namespace this process is in (the one `ip netns
 * exec NAME` entered), or empty. Each name there is a bind mount of the namespace's nsfs inode,
 * the number /proc/self/ns/net links to; the initial namespace has no name, so it is never
 * taken for one (reading /proc/1 to tell it would need more than root under some sandboxes).
 */
static void netns_name(char *name, size_t len)
{
	char link[64], path[PATH_MAX];
	unsigned long long ino;
	struct dirent *de;
	struct stat st;
	ssize_t n;
	DIR *d;

	*name = '\0';
	n = readlink("/proc/self/ns/net", link, sizeof(link) - 1);
	if (n <= 0)
		return;
	link[n] = '\0';
	if (sscanf(link, "net:[%llu]", &ino) != 1)
		return;
	d = opendir("/run/netns");
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/run/netns/%s", de->d_name);
		if (stat(path, &st) == 0 && st.st_ino == ino) {
			snprintf(name, len, "%s", de->d_name);
			break;
		}
	}
	closedir(d);
}

/*
 * The first error a new user meets, so it says where ip pins the maps and, when that place is
 * not a bpffs, why: most often the /sys that `ip netns exec` remounts, which hides the host's
 * /sys/fs/bpf although the object is attached and its maps are pinned there.
 */
static int err_missing(const char *path)
{
	const char *env = getenv("TC_BPF_MNT");
	const char *mnt = env && *env ? env : "/sys/fs/bpf";
	char ns[NAME_MAX + 1], hint[PATH_MAX + 512] = "";

	if (!on_bpffs(mnt)) {
		/* -n keeps this process's /sys: nothing hides the bpffs then */
		if (ipxr.netns)
			*ns = '\0';
		else
			netns_name(ns, sizeof(ns));
		if (*ns)
			snprintf(hint, sizeof(hint), " %s is not a bpffs in network namespace "
				 "\"%s\": `ip netns exec` remounts /sys, which hides the bpffs ip "
				 "pinned the maps in. Run \"ipxr -n %s ...\" from outside instead (it "
				 "enters only the network namespace), or mount a bpffs for the "
				 "namespace and give its path to both ip and ipxr in TC_BPF_MNT.",
				 mnt, ns, ns);
		else
			snprintf(hint, sizeof(hint), " %s is not a bpffs: mount one (mount -t bpf "
				 "bpf %s) before attaching the object.", mnt, mnt);
	}
	return ipxr_error(IPXR_EXIT_NOMAPS, "ipxr maps not found: \"%s\" does not exist. "
			  "\"ip link set dev DEV xdpdrv obj xdp_router.o sec xdp_router\" pins "
			  "them in %s/xdp/globals (${TC_BPF_MNT:-/sys/fs/bpf}/xdp/globals, "
			  "TC_BPF_MNT=%s): load the XDP object first (ipxr port attach).%s", path,
			  mnt, env && *env ? env : "(unset)", hint);
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

int pinned_layout(long long *version)
{
	LIBBPF_OPTS(bpf_obj_get_opts, opts, .file_flags = BPF_F_RDONLY);
	char dir[PATH_MAX], path[PATH_MAX + 32];
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	int fd, err;

	snprintf(path, sizeof(path), "%s/%s", maps_dir(dir, sizeof(dir)), IPXR_MAP_CONFIG);
	fd = bpf_obj_get_opts(path, &opts);
	if (fd < 0)
		return -errno;
	err = bpf_obj_get_info_by_fd(fd, &info, &len) ? -errno :
	      layout_version(info.btf_id, info.btf_value_type_id, version);
	close(fd);
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

/* Slot @id's (MAP_COUNT: the directory's) identity now; 0 when it cannot be told. */
static void pin_identity(const char *path, int id)
{
	struct stat st;

	if (stat(path, &st)) {
		m.dev[id] = 0;
		m.ino[id] = 0;
		return;
	}
	m.dev[id] = st.st_dev;
	m.ino[id] = st.st_ino;
}

/*
 * Whether every pin is still the one maps_open() opened: a stat per pin, against the dozen
 * opens, map-info reads and BTF load of opening them again. An object loaded again pins new
 * maps (new inodes); one unloaded removes them.
 */
static bool pins_same(const char *dir)
{
	char path[PATH_MAX + 32];
	struct stat st;
	int i;

	for (i = 0; i <= MAP_COUNT; i++) {
		if (i < MAP_COUNT)
			snprintf(path, sizeof(path), "%s/%s", dir, map_layout[i].name);
		else
			snprintf(path, sizeof(path), "%s", dir);
		if (stat(path, &st) || !m.ino[i] || st.st_dev != m.dev[i] ||
		    st.st_ino != m.ino[i])
			return false;
	}
	return true;
}

static void front_unmap(void);

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
	pin_identity(path, id);
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

static int lock_dir(const char *dir)
{
	int err;

	if (m.lock_fd < 0) {
		m.lock_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (m.lock_fd < 0) {
			err = errno;
			if (err == ENOENT || err == ENOTDIR)
				return err_missing(dir);
			if (err == EPERM || err == EACCES)
				return err_access(dir, err);
			return ipxr_error(IPXR_EXIT_NOMAPS, "cannot open \"%s\": %s", dir,
					  strerror(err));
		}
	}
	if (flock(m.lock_fd, LOCK_EX)) {
		err = errno;
		close(m.lock_fd);
		m.lock_fd = -1;
		return ipxr_error(IPXR_EXIT_REFUSED, "cannot lock \"%s\": %s", dir,
				  strerror(err));
	}
	m.locked = true;
	return 0;
}

int maps_lock(void)
{
	char dir[PATH_MAX];

	if (m.locked)
		return 0;
	return lock_dir(maps_dir(dir, sizeof(dir)));
}

/* The write generation in the config map (ipxr_config.writes), or 0 when it cannot be read. */
static __u32 writes_now(void)
{
	struct ipxr_config cfg;

	return config_read(&cfg) ? 0 : cfg.writes;
}

int maps_open(bool write)
{
	char dir[PATH_MAX];
	int i, err;

	m.reopened = m.others = false;
	maps_dir(dir, sizeof(dir));
	if (m.open && m.keep && m.writable && write) {
		/*
		 * Kept from the last batch: the lock first (a writer may be replacing the pins'
		 * content), then whether they are the same maps and whether someone else wrote
		 * (the write generation moved past ours). The directory is kept open for its lock;
		 * a new directory (bpffs mounted again) is new maps.
		 */
		err = lock_dir(dir);
		if (err)
			return err;
		if (pins_same(dir)) {
			m.others = writes_now() != m.writes;
			return 0;
		}
		front_unmap();
		close_fds();
		close(m.lock_fd);
		m.lock_fd = -1;
		m.locked = false;
	} else if (m.open && (m.writable || !write)) {
		return 0;
	}
	close_fds();
	front_unmap();

	/*
	 * Writers serialise on the pin directory: two ipxr runs updating next-hop refcounts at
	 * once would lose counts. Readers need no lock: every map entry is updated whole, and
	 * route_keys() walks the tries so that a concurrent writer costs no route twice or none.
	 */
	if (write) {
		pin_identity(dir, MAP_COUNT);
		err = lock_dir(dir);
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
	m.reopened = m.others = true;
	return 0;
}

void maps_keep(bool keep)
{
	m.keep = keep;
}

bool maps_fresh(void)
{
	return m.reopened || m.others;
}

static void front_end(void);

/*
 * Every writer moves the write generation on before it lets go of the lock: a writer that keeps
 * what it read of the maps (maps_keep()) learns at its next maps_open() whether that still holds.
 */
static void writes_bump(void)
{
	struct ipxr_config cfg;

	if (config_read(&cfg))
		return;
	cfg.writes++;
	if (config_write(&cfg) == 0)
		m.writes = cfg.writes;
}

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
	if (m.open && m.writable && m.locked)
		writes_bump();
	/* a writer that goes away (not ipxr sync between batches) ends its load here */
	if (!m.keep)
		front_compact();
	front_end();	/* needs the trie still open */
	write_unmark();	/* after the front structure's repaint: the last change */
	if (m.keep && m.open && m.writable && m.locked) {
		flock(m.lock_fd, LOCK_UN);	/* the maps stay open, the front structure mapped */
		m.locked = false;
		return;
	}
	front_unmap();
	close_fds();
	if (m.lock_fd >= 0)
		close(m.lock_fd);	/* releases the flock */
	m.lock_fd = -1;
	m.locked = false;
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

int percpu_sum_n(int fd, __u32 key, __u64 *sum, size_t n)
{
	int cpu, cpus = ncpus();
	__u64 *v = calloc((size_t)cpus * n, sizeof(*v));
	size_t i;

	memset(sum, 0, n * sizeof(*sum));
	if (!v)
		return -ENOMEM;
	if (bpf_map_lookup_elem(fd, &key, v)) {
		free(v);
		return -errno;
	}
	for (cpu = 0; cpu < cpus; cpu++)
		for (i = 0; i < n; i++)
			sum[i] += v[(size_t)cpu * n + i];
	free(v);
	return 0;
}

int percpu_sum(int fd, __u32 key, struct ipxr_counter *sum)
{
	_Static_assert(sizeof(*sum) == 2 * sizeof(__u64), "a counter is two __u64");
	return percpu_sum_n(fd, key, (__u64 *)sum, 2);
}

int percpu_zero(int fd, __u32 key)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	void *v;
	int err = 0;

	/* the value size rounded up to 8 bytes, per CPU, as the kernel copies it */
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	v = calloc(ncpus(), (info.value_size + 7) & ~7U);
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
/* The front structure                                                                         */

static struct {
	struct lpm l[2];	/* by family: ipxr_families' order */
	bool tried;	/* front_begin() done: once per process, a batch is one bracket */
	bool mapped[2];	/* lpm_open() done: kept across brackets while the maps are kept */
	bool begun[2];	/* mapped and lpm_begin() done: lpm_end() is due */
} front;

static int front_idx(const struct ipxr_family *f)
{
	return f->af == AF_INET ? 0 : 1;
}

/*
 * A pool cannot be mapped: take it out of its slot instead (the program then uses the trie),
 * so the trie writes that follow cannot leave it saying something else than the trie. Only if
 * even that fails is the write refused.
 */
static int front_unused(const struct ipxr_family *f, int err)
{
	__u32 slot = f->af == AF_INET ? IPXR_LPM_SLOT4 : IPXR_LPM_SLOT6;
	char dir[PATH_MAX];

	if (bpf_map_delete_elem(m.fd[MAP_LPM], &slot) && errno != ENOENT)
		return ipxr_error(IPXR_EXIT_REFUSED, "cannot map the %s front structure \"%s/%s\" "
				  "(%s) nor take it out of use (%s): the trie is left unchanged",
				  f->name, maps_dir(dir, sizeof(dir)), IPXR_MAP_LPM,
				  strerror(-err), strerror(errno));
	ipxr_warn("cannot map the %s front structure \"%s/%s\": %s: it is left unused, lookups "
		  "walk the trie until a later ipxr write can repaint it", f->name,
		  maps_dir(dir, sizeof(dir)), IPXR_MAP_LPM, strerror(-err));
	return 0;
}

int front_begin(void)
{
	const struct ipxr_family *f;
	int err, i;

	if (front.tried)
		return 0;
	/*
	 * A mapping kept from the last bracket is of these maps (maps_open() checked the pins)
	 * but not of their pools if another writer has written since: it may have grown or
	 * repainted a pool, which puts a new one in the slot.
	 */
	if (maps_fresh())
		front_unmap();
	for_each_family(f) {
		i = front_idx(f);
		if (!front.mapped[i]) {
			err = lpm_open(&front.l[i], f->af, m.fd[MAP_LPM], m.fd[f->route_map]);
			if (err) {
				lpm_close(&front.l[i]);
				err = front_unused(f, err);
				if (err)
					return err;	/* refused: the next write tries again */
				continue;
			}
			front.mapped[i] = true;
		}
		lpm_begin(&front.l[i]);
		front.begun[i] = true;
	}
	front.tried = true;
	return 0;
}

/* The family's pool being painted, or NULL. */
static struct lpm *front_of(const struct ipxr_family *f)
{
	int i = front_idx(f);

	return front.begun[i] ? &front.l[i] : NULL;
}

static void front_warn(const struct ipxr_family *f, const struct route_key *key, int err)
{
	char a[INET6_ADDRSTRLEN];

	ipxr_warn("cannot update the %s front structure for %s/%u: %s: it is repainted from the "
		  "trie before ipxr exits", f->name, inet_ntop(f->af, key->addr, a, sizeof(a)),
		  key->prefixlen, strerror(-err));
}

void front_set(const struct ipxr_family *f, const struct route_key *key,
	       const struct ipxr_route *val)
{
	struct lpm *l = front_of(f);
	int err;

	if (l) {
		err = lpm_set(l, key->addr, (__u8)key->prefixlen, val);
		if (err)
			front_warn(f, key, err);
	}
}

void front_del(const struct ipxr_family *f, const struct route_key *key)
{
	struct lpm *l = front_of(f);
	int err;

	if (l) {
		err = lpm_del(l, key->addr, (__u8)key->prefixlen);
		if (err)
			front_warn(f, key, err);
	}
}

void front_invalidate(const struct ipxr_family *f)
{
	struct lpm *l = front_of(f);

	if (l)
		lpm_invalidate(l);
}

bool front_compact(void)
{
	const struct ipxr_family *f;
	bool any = false;

	for_each_family(f) {
		struct lpm *l = front_of(f);

		if (l && lpm_compact(l))
			any = true;
	}
	return any;
}

int front_repaint_all(void)
{
	const struct ipxr_family *f;
	char dir[PATH_MAX];
	int err, ret = 0;

	for_each_family(f) {
		struct lpm *l = front_of(f);

		if (!l)
			continue;
		err = lpm_repaint(l);
		if (err) {
			ipxr_warn("cannot repaint the %s front structure \"%s/%s\" from the trie: "
				  "%s", f->name, maps_dir(dir, sizeof(dir)), IPXR_MAP_LPM,
				  strerror(-err));
			lpm_invalidate(l);	/* tried again at maps_close() */
			ret = err;
		}
	}
	return ret;
}

static void front_end(void)
{
	const struct ipxr_family *f;
	char dir[PATH_MAX];
	int err, i;

	/* maps opened again (ipxr sync's next batch) begin a bracket of their own */
	front.tried = false;
	for_each_family(f) {
		i = front_idx(f);
		if (!front.begun[i])
			continue;
		front.begun[i] = false;
		err = lpm_end(&front.l[i]);
		if (err) {
			ipxr_warn("cannot repaint the %s front structure \"%s/%s\" from the trie: "
				  "%s: it is left unused, lookups walk the trie until the next ipxr "
				  "write", f->name, maps_dir(dir, sizeof(dir)), IPXR_MAP_LPM,
				  strerror(-err));
			/* the slot may no longer hold the pool mapped: map it again next time */
			lpm_close(&front.l[i]);
			front.mapped[i] = false;
		}
	}
}

static void front_unmap(void)
{
	int i;

	for (i = 0; i < 2; i++) {
		if (front.mapped[i])
			lpm_close(&front.l[i]);
		front.mapped[i] = false;
	}
	front.tried = false;
}
