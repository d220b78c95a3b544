#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check-fresh`: the README's two commands where a new user meets them. debootstrap builds a
# minimal Debian 12 (bookworm, --variant=minbase: the Essential and priority-required packages
# and apt, the shape of many cloud and container images) in a temporary directory, from the
# mirror this machine's apt uses; the tree's HEAD is cloned into its /root (mode 700), and there,
# in a chroot, runs what the README says: apt-get install make git, make demo, make check.
# Everything is unmounted and deleted afterwards, also on failure or ^C. Run by hand (root, the
# mirror reachable); here it takes under 3 minutes, most of it make check.
#
#	scripts/check-fresh.sh		(MIRROR=URL to choose the mirror, SUITE=bookworm)
#
# The chroot is entered with what `ip netns exec` needs: the root a mount point of its own (the
# chroot bind-mounted onto itself, so ip can make it a slave and remount /sys), proc, sysfs, a
# bpffs at /sys/fs/bpf, /dev, and a tmpfs on /run for /run/netns. The tests' namespaces live in
# this machine's kernel, as they would on the user's.
set -u
cd "$(dirname "$0")/.." || exit 1
ROOT=$PWD
SUITE=${SUITE:-bookworm}

# All of it in a mount namespace of its own: no mount made here propagates to the machine, and
# the kernel drops every one of them when the run ends, however it ends.
if [[ -z ${IPXR_FRESH_NS-} && $(id -u) -eq 0 ]]; then
	exec env IPXR_FRESH_NS=1 unshare --mount --propagation=private "$ROOT/scripts/${0##*/}" "$@"
fi

say() {
	printf 'check-fresh: %s\n' "$*"
}

if [[ $(id -u) -ne 0 ]]; then
	echo "check-fresh: must run as root (debootstrap, chroot, mounts)" >&2
	exit 1
fi

# mirror: the first Debian archive (not -security, -updates) in apt's sources, both formats
mirror() {
	local f

	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
		 /etc/apt/sources.list.d/*.sources; do
		[[ -r $f ]] || continue
		awk '
			# one-line format: deb [options] URI SUITE COMPONENTS...
			/^deb[ \t]/ {
				i = 2
				if ($i ~ /^\[/)
					while ($i !~ /\]$/)
						i++
				if ($i ~ /^\[/ || $i ~ /\]$/)
					i++
				if ($(i + 1) !~ /-/ && $i !~ /security/) {
					print $i
					exit
				}
			}
			# deb822: a stanza of Types, URIs, Suites
			/^URIs:/ { uri = $2 }
			/^Suites:/ { for (i = 2; i <= NF; i++) if ($i !~ /-/) suite = 1 }
			/^[ \t]*$/ { if (uri != "" && suite && uri !~ /security/) { print uri; exit }
				     uri = ""; suite = 0 }
			END { if (uri != "" && suite && uri !~ /security/) print uri }' "$f" | head -n 1
	done | head -n 1
}

MIRROR=${MIRROR:-$(mirror)}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
TMP=$(mktemp -d /tmp/ipxr-fresh.XXXXXX) || exit 1
CHROOT=$TMP/rootfs
start=$SECONDS
status=1

# mounts_under DIR: mount points at or under DIR, deepest first
mounts_under() {
	awk -v d="$1" '{ m = $5; gsub(/\\040/, " ", m); if (m == d || index(m, d "/") == 1) print m }' \
		/proc/self/mountinfo | sort -r
}

cleanup() {
	local pid m left

	trap - EXIT INT TERM
	# processes still running inside the chroot (a test's leftover), by pid
	for pid in /proc/[0-9]*; do
		[[ $(readlink "$pid/root" 2>/dev/null) == "$CHROOT" ]] && kill -9 "${pid#/proc/}" 2>/dev/null
	done
	while IFS= read -r m; do
		umount "$m" 2>/dev/null || umount -l "$m"
	done < <(mounts_under "$CHROOT")
	left=$(mounts_under "$TMP")
	if [[ -n $left ]]; then
		# never delete through a mount that stayed (the host's /dev would go with it)
		say "still mounted, $TMP left in place: $left" >&2
	else
		rm -rf --one-file-system "$TMP"
	fi
	say "$( ((status == 0)) && echo passed || echo FAILED) in $((SECONDS - start)) s"
	exit $status
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# step LABEL CMD...: one stage, timed; its output as it comes; the first failure ends the run
step() {
	local label=$1 t0=$SECONDS rc

	shift
	say "$label"
	"$@"
	rc=$?
	if ((rc != 0)); then
		say "$label: failed (exit $rc) after $((SECONDS - t0)) s: $*" >&2
		exit 1
	fi
	say "$label: done in $((SECONDS - t0)) s"
}

head=$(git -C "$ROOT" rev-parse --short HEAD) || exit 1
branch=$(git -C "$ROOT" rev-parse --abbrev-ref HEAD)
if [[ -n $(git -C "$ROOT" status --porcelain --untracked-files=no) ]]; then
	say "the work tree has uncommitted changes: they are not tested, HEAD ($head) is"
fi
say "Debian $SUITE minbase from $MIRROR into $CHROOT; the tree at $head ($branch)"

# bootstrap: debootstrap's output only when it fails
bootstrap() {
	debootstrap --variant=minbase "$SUITE" "$CHROOT" "$MIRROR" >"$TMP/debootstrap.log" 2>&1 &&
		return 0
	tail -n 20 "$TMP/debootstrap.log" >&2
	return 1
}

# mounts: what the tests need in the chroot (see the top); a netns a test adds is a bind mount
# under its /run/netns, unmounted with the rest
mounts() {
	mount --bind "$CHROOT" "$CHROOT" &&
	mount -t proc proc "$CHROOT/proc" &&
	mount -t sysfs sysfs "$CHROOT/sys" &&
	mount -t bpf bpf "$CHROOT/sys/fs/bpf" &&
	mount --rbind /dev "$CHROOT/dev" &&
	mount -t tmpfs -o mode=755 tmpfs "$CHROOT/run"
}

step "debootstrap --variant=minbase $SUITE" bootstrap

# The clone is made inside, with the chroot's own git, from a bundle of HEAD.
step "bundle HEAD" git -C "$ROOT" bundle create -q "$CHROOT/root/ipxr.bundle" HEAD "$branch"
cp /etc/resolv.conf "$CHROOT/etc/resolv.conf"
# packages installed in a chroot must not start services on the machine
printf '#!/bin/sh\nexit 101\n' >"$CHROOT/usr/sbin/policy-rc.d"
chmod 755 "$CHROOT/usr/sbin/policy-rc.d"

step "mounts: the chroot onto itself, proc, sysfs, bpffs, /dev, a tmpfs on /run" mounts

# inside CMD: a login-like root shell in the chroot, with nothing of this environment
inside() {
	chroot "$CHROOT" /usr/bin/env -i HOME=/root TERM="${TERM:-dumb}" LANG=C.UTF-8 \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		/bin/bash -c "$1"
}

# What the README tells a new user to do, as root in /root.
step "apt-get install make git (as the README says)" inside \
	'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq make git >/dev/null'
step "git clone into /root/ipxr (/root mode 700)" inside \
	'chmod 700 /root && git clone -q /root/ipxr.bundle /root/ipxr'
step "make demo" inside 'cd /root/ipxr && make demo'
step "make check" inside 'cd /root/ipxr && make check'
status=0
