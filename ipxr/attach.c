// SPDX-License-Identifier: GPL-2.0
/*
 * ipxr port attach|detach: the object on the router's ports, as named in a ports file
 * (/etc/ipxr/ports) or one port at a time, for boot (ipxr-attach.service) and for upgrades.
 *
 * The work is done by iproute2 itself, "ip -force link set dev NAME xdpdrv obj OBJ sec
 * xdp_router", so the maps are pinned exactly where and how the users' own "ip link set"
 * pins them ($TC_BPF_MNT/xdp/globals), shared with ports attached by hand, and an object of the
 * same layout attached again reuses the pinned maps (every route kept). -force replaces a
 * program already there in one step (the kernel swaps it atomically: nothing is dropped),
 * which is what an upgrade wants; without it ip refuses a port that runs a program.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <net/if.h>
#include <bpf/btf.h>

#include "attach.h"
#include "maps.h"
#include "ports.h"
#include "utils.h"

#ifndef IPXR_PORTS_PATH
#define IPXR_PORTS_PATH "/etc/ipxr/ports"
#endif

/* How a port gets the object: native with a fallback to generic unless a mode is named. */
enum attach_mode {
	MODE_AUTO,
	MODE_NATIVE,
	MODE_GENERIC,
};

struct port_req {
	char name[IF_NAMESIZE];
	enum attach_mode mode;
	const char *where;	/* "FILE:LINE" of the entry, for messages; "" when typed */
};

/* What ip printed on its last failure, for the message that follows it. */
static char ip_out[1024];

/*
 * Run ip with @args (NULL-terminated, args[0] "ip"); 0 when it succeeded. Its output is kept in
 * ip_out, one line, rather than shown: a failure of the native attempt is followed by the
 * generic one, and only what ipxr concludes should reach the operator.
 */
static int run_ip(char *const args[])
{
	char buf[512];
	int pipefd[2], status;
	size_t len = 0;
	ssize_t n;
	pid_t pid;
	char *p;

	if (pipe2(pipefd, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return -errno;
	}
	if (pid == 0) {
		dup2(pipefd[1], STDOUT_FILENO);
		dup2(pipefd[1], STDERR_FILENO);
		execvp(args[0], args);
		fprintf(stderr, "cannot run %s: %s", args[0], strerror(errno));
		_exit(127);
	}
	close(pipefd[1]);
	/* read to the end, what does not fit too: ip must not block on a full pipe */
	while ((n = read(pipefd[0], buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR)) {
		if (n <= 0 || len >= sizeof(ip_out) - 1)
			continue;
		if ((size_t)n > sizeof(ip_out) - 1 - len)
			n = sizeof(ip_out) - 1 - len;
		memcpy(ip_out + len, buf, n);
		len += n;
	}
	close(pipefd[0]);
	ip_out[len] = '\0';
	/* one line: newlines of ip's message and libbpf's warnings joined */
	while (len && (ip_out[len - 1] == '\n' || ip_out[len - 1] == ' '))
		ip_out[--len] = '\0';
	for (p = ip_out; *p; p++)
		if (*p == '\n')
			*p = ' ';
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}

static int ip_xdp(const char *dev, const char *how, const char *obj)
{
	char *args[] = { "ip", "-force", "link", "set", "dev", (char *)dev, (char *)how,
			 (char *)(obj ? "obj" : "off"), (char *)obj, obj ? "sec" : NULL,
			 "xdp_router", NULL };

	return run_ip(args);
}

static int attach_one(const struct port_req *r, const char *obj)
{
	char native_out[sizeof(ip_out)];

	if (!if_nametoindex(r->name))
		return ipxr_error(IPXR_EXIT_LOOKUP, "%sCannot find device \"%s\"", r->where,
				  r->name);
	if (r->mode != MODE_GENERIC) {
		if (!ip_xdp(r->name, "xdpdrv", obj))
			return 0;
		if (r->mode == MODE_NATIVE)
			return ipxr_error(IPXR_EXIT_REFUSED, "%sport %s: cannot attach %s in native "
					  "mode: %s", r->where, r->name, obj, ip_out);
	}
	memcpy(native_out, ip_out, sizeof(native_out));
	if (ip_xdp(r->name, "xdpgeneric", obj)) {
		if (r->mode == MODE_GENERIC)
			return ipxr_error(IPXR_EXIT_REFUSED, "%sport %s: cannot attach %s in generic "
					  "mode: %s", r->where, r->name, obj, ip_out);
		return ipxr_error(IPXR_EXIT_REFUSED, "%sport %s: cannot attach %s: native mode: "
				  "%s; generic mode: %s", r->where, r->name, obj, native_out,
				  ip_out);
	}
	/* slower than native by far, and a port the operator may have thought native */
	if (r->mode == MODE_AUTO)
		ipxr_warn("%sport %s: native mode failed (%s): attached in generic mode "
			  "(xdpgeneric)", r->where, r->name, native_out);
	return 0;
}

/*
 * Both modes, each a no-op where it has no program: "xdp off" alone removes the mode the
 * driver defaults to, which leaves a generic program on a driver with native support.
 */
static int detach_one(const struct port_req *r)
{
	int err;

	if (!if_nametoindex(r->name)) {
		/* gone already: nothing of ours is left on it */
		ipxr_warn("%sCannot find device \"%s\": nothing to detach", r->where, r->name);
		return 0;
	}
	err = ip_xdp(r->name, "xdpdrv", NULL);
	if (!err)
		err = ip_xdp(r->name, "xdpgeneric", NULL);
	if (err)
		return ipxr_error(IPXR_EXIT_REFUSED, "%sport %s: cannot detach: %s", r->where,
				  r->name, ip_out);
	return 0;
}

static int parse_mode(const char *word, enum attach_mode *mode)
{
	if (is_word(word, "native"))
		*mode = MODE_NATIVE;
	else if (is_word(word, "generic"))
		*mode = MODE_GENERIC;
	else
		return -EINVAL;
	return 0;
}

/*
 * The ports file: one port a line, "NAME [ native | generic ]", "#" to the end of a line a
 * comment. The whole file is read before any port is touched, so a typo on the last line does
 * not leave half the ports attached.
 */
static int read_ports(const char *file, struct port_req **reqs, size_t *n)
{
	char line[512], *words[4], *save, *w;
	struct port_req *r, *nr;
	unsigned long lineno = 0;
	int nw, err = 0;
	FILE *f;

	*reqs = NULL;
	*n = 0;
	f = fopen(file, "r");
	if (!f)
		return ipxr_error(errno == ENOENT ? IPXR_EXIT_LOOKUP : IPXR_EXIT_USAGE,
				  "Cannot open ports file \"%s\": %s", file, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			err = ipxr_error(IPXR_EXIT_USAGE, "%s:%lu: line too long", file, lineno);
			break;
		}
		line[strcspn(line, "#\n")] = '\0';
		nw = 0;
		for (w = strtok_r(line, " \t\r", &save); w && nw < 4;
		     w = strtok_r(NULL, " \t\r", &save))
			words[nw++] = w;
		if (!nw)
			continue;
		nr = realloc(*reqs, (*n + 1) * sizeof(**reqs));
		if (!nr) {
			err = ipxr_error(IPXR_EXIT_REFUSED, "out of memory");
			break;
		}
		*reqs = nr;
		r = &nr[*n];
		memset(r, 0, sizeof(*r));
		if (asprintf((char **)&r->where, "%s:%lu: ", file, lineno) < 0) {
			err = ipxr_error(IPXR_EXIT_REFUSED, "out of memory");
			break;
		}
		(*n)++;
		if (strlen(words[0]) >= IF_NAMESIZE) {
			err = ipxr_error(IPXR_EXIT_USAGE, "%s:%lu: \"%s\" is not a valid device "
					 "name", file, lineno, words[0]);
			break;
		}
		strcpy(r->name, words[0]);
		if (nw > 2 || (nw == 2 && parse_mode(words[1], &r->mode))) {
			err = ipxr_error(IPXR_EXIT_USAGE, "%s:%lu: \"%s\": a port is \"NAME [ native "
					 "| generic ]\"", file, lineno, words[1]);
			break;
		}
	}
	if (!err && ferror(f))
		err = ipxr_error(IPXR_EXIT_USAGE, "cannot read \"%s\": %s", file, strerror(errno));
	fclose(f);
	return err;
}

static void free_ports(struct port_req *reqs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free((char *)reqs[i].where);
	free(reqs);
}

/*
 * The program redirects only into ports the ports map records as running it: record the
 * change at once rather than at the next write or ipxr sync's next link event. Maps absent
 * (every port detached and the pins removed) is not an error of the attach or detach.
 */
static int record_ports(void)
{
	char dir[PATH_MAX];
	int err;

	if (access(maps_dir(dir, sizeof(dir)), F_OK))
		return 0;
	err = maps_open(true);
	if (!err)
		err = ports_sync();
	maps_close();
	return err;
}

static void port_usage(FILE *out)
{
	fprintf(out,
		"Usage: ipxr [ OPTIONS ] port attach [ file FILE | dev NAME [ MODE ] ] "
		"[ obj OBJECT ]\n"
		"       ipxr [ OPTIONS ] port detach [ file FILE | dev NAME ]\n"
		"       ipxr [ OPTIONS ] port help\n"
		"MODE := { native | generic }\n"
		"(FILE: %s by default; OBJECT: %s)\n%s", IPXR_PORTS_PATH, IPXR_OBJ_PATH,
		ipxr_options_usage);
}

/* The map layout version @obj was built with, from its BTF (enum ipxr_layout); -ENOENT: none. */
static int object_layout(const char *obj, long long *version)
{
	const struct btf_type *t;
	const struct btf_enum *e;
	struct btf *btf;
	int id, i, err = -ENOENT;

	btf = btf__parse(obj, NULL);
	if (!btf)
		return -errno;
	id = btf__find_by_name_kind(btf, "ipxr_layout", BTF_KIND_ENUM);
	t = id > 0 ? btf__type_by_id(btf, id) : NULL;
	for (i = 0, e = t ? btf_enum(t) : NULL; t && i < btf_vlen(t); i++, e++) {
		if (strcmp(btf__name_by_offset(btf, e->name_off), "IPXR_LAYOUT_VERSION") == 0) {
			*version = btf_kflag(t) ? (long long)(__u32)e->val : e->val;
			err = 0;
			break;
		}
	}
	btf__free(btf);
	return err;
}

/*
 * ip reuses a pinned map whenever its type, sizes and flags match the object's (libbpf does not
 * compare the layout version), so an object of a new layout attached over old pins of the same
 * sizes would run on maps whose meaning changed. Refused, saying how to rebuild them instead.
 */
static int check_layout(const char *obj)
{
	long long want = 0, have = 0;
	char dir[PATH_MAX];

	if (object_layout(obj, &want) || pinned_layout(&have) || want == have)
		return 0;	/* not ours, nothing pinned yet, or the same layout */
	maps_dir(dir, sizeof(dir));
	return ipxr_error(IPXR_EXIT_NOMAPS, "the maps pinned in %s are of map layout %lld and "
			  "%s of map layout %lld: ip would give the new program the old maps. "
			  "Remove them first (rm -f %s/ipxr_*): the object pins new ones, and ipxr "
			  "sync rebuilds them from the kernel's table (ipxr-port(8), UPGRADES)",
			  dir, have, obj, want, dir);
}

static int port_run(int argc, char **argv, bool attach)
{
	struct port_req one = { .where = "" }, *reqs = NULL;
	const char *file = NULL, *obj = NULL, *dev = NULL;
	bool has_mode = false;
	int err = 0, rc, first = 0;
	size_t n = 0, i;

	for (; argc > 0; argc--, argv++) {
		const char **slot = is_word(*argv, "file") ? &file :
				    is_word(*argv, "dev") ? &dev :
				    attach && is_word(*argv, "obj") ? &obj : NULL;

		if (slot) {
			if (argc < 2)
				return missarg(*argv);
			if (*slot)
				return duparg(*argv, argv[1]);
			argc--, argv++;
			*slot = *argv;
		} else if (attach && dev && !has_mode && !parse_mode(*argv, &one.mode)) {
			has_mode = true;
		} else {
			return badarg(*argv);
		}
	}
	if (file && dev)
		return ipxr_error(IPXR_EXIT_USAGE, "either \"file\" or \"dev\", not both");
	if (dev) {
		if (strlen(dev) >= IF_NAMESIZE)
			return ipxr_error(IPXR_EXIT_USAGE, "\"%s\" is not a valid device name", dev);
		strcpy(one.name, dev);
		reqs = &one;
		n = 1;
	} else {
		err = read_ports(file ? file : IPXR_PORTS_PATH, &reqs, &n);
		if (err) {
			free_ports(reqs, n);
			return err;
		}
	}
	/* the package's file is all comments until the operator names the ports */
	if (!n)
		ipxr_warn("%s names no port: nothing to %s", file ? file : IPXR_PORTS_PATH,
			  attach ? "attach" : "detach");
	if (!obj)
		obj = IPXR_OBJ_PATH;
	if (attach && access(obj, R_OK))
		err = ipxr_error(IPXR_EXIT_LOOKUP, "cannot read the XDP object \"%s\": %s", obj,
				 strerror(errno));
	else if (attach)
		err = check_layout(obj);
	/* every port tried, the first failure's exit code returned: boot gets what it can */
	for (i = 0; !err && i < n; i++) {
		rc = attach ? attach_one(&reqs[i], obj) : detach_one(&reqs[i]);
		if (rc && !first)
			first = rc;
	}
	if (!err) {
		rc = record_ports();
		err = first ? first : rc;
	}
	if (reqs != &one)
		free_ports(reqs, n);
	return err;
}

static int port_attach(int argc, char **argv)
{
	return port_run(argc, argv, true);
}

static int port_detach(int argc, char **argv)
{
	return port_run(argc, argv, false);
}

static int port_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	port_usage(stdout);
	return 0;
}

static int port_none(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	port_usage(stderr);
	return IPXR_EXIT_USAGE;
}

static const struct cmd port_cmds[] = {
	{ "attach", port_attach },
	{ "detach", port_detach },
	{ "help", port_help },
	{ NULL, NULL },
};

int do_port(int argc, char **argv)
{
	return cmd_dispatch(port_cmds, "port command", port_none, argc, argv);
}
