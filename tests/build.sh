#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The Makefile rebuilds ipxr when the paths compiled into it change: a plain `make`, then
# `make install PREFIX=/usr`, must install an ipxr that looks for its object in /usr/lib/ipxr,
# not in the /usr/local/lib/ipxr of the first build. Run on a copy of the tree, so the
# worktree's own build is not touched.
#
#   bash tests/build.sh          (V=1 for make's output)
set -u
cd "$(dirname "$0")/.." || exit 1
V=${V:-0}
TMP=$(mktemp -d /tmp/ipxr-build.XXXXXX) || exit 1
trap 'rm -rf "$TMP"' EXIT
npass=0
nfail=0

ok() {
	echo "ok - $1"
	npass=$((npass + 1))
}

nok() {
	echo "not ok - $1"
	nfail=$((nfail + 1))
}

# check LABEL CMD...: one check, passing when CMD succeeds
check() {
	local label=$1

	shift
	if "$@"; then ok "$label"; else nok "$label"; fi
}

# mk ARGS...: make in the copy, its output in $TMP/make.log
mk() {
	if [[ $V == 1 ]]; then
		make -C "$TMP/src" "$@" 2>&1 | tee "$TMP/make.log"
		return "${PIPESTATUS[0]}"
	fi
	make -C "$TMP/src" "$@" >"$TMP/make.log" 2>&1
}

# objpath BINARY: the object path BINARY's `port help` names as the default
objpath() {
	"$1" port help 2>&1 | sed -n 's/.*OBJECT: \([^)]*\)).*/\1/p'
}

mkdir -p "$TMP/src"
tar -c --exclude=ipxr/ipxr Makefile bpf ipxr scripts man completion systemd etc \
	2>/dev/null | tar -x -C "$TMP/src"

check "plain make builds ipxr" mk ipxr/ipxr
check "plain make: object in /usr/local/lib/ipxr" \
	test "$(objpath "$TMP/src/ipxr/ipxr")" = /usr/local/lib/ipxr/xdp_router.o
# make FORCEs the flags file, so "up to date" is told by whether ipxr was rebuilt
built=$(stat -c %y "$TMP/src/ipxr/ipxr")
check "make again with the same paths: ipxr not rebuilt" mk ipxr/ipxr
check "... (same binary)" test "$(stat -c %y "$TMP/src/ipxr/ipxr")" = "$built"
check "make install PREFIX=/usr after a plain make" \
	mk install PREFIX=/usr DESTDIR="$TMP/root" SYSCONFDIR=/etc
check "installed ipxr looks in /usr/lib/ipxr" \
	test "$(objpath "$TMP/root/usr/sbin/ipxr")" = /usr/lib/ipxr/xdp_router.o
check "installed object is where the installed ipxr looks" \
	test -f "$TMP/root/usr/lib/ipxr/xdp_router.o"
check "make with another SYSCONFDIR" mk ipxr/ipxr PREFIX=/usr SYSCONFDIR=/srv/etc
check "SYSCONFDIR is a path too: ipxr rebuilt for /srv/etc/ipxr/ports" \
	grep -q '/srv/etc/ipxr/ports' <("$TMP/src/ipxr/ipxr" port help 2>&1)

echo "# $npass passed, $nfail failed"
[[ $nfail -eq 0 ]]
