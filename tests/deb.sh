#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The Debian package end to end: scripts/mkdeb.sh (make deb) builds it, lintian-clean; dpkg
# installs it; the installed ipxr, manual pages and units work: the commands of
# ipxr-attach.service and ipxr-sync.service (its once mode), taken from the installed unit
# files, attach the installed object to a router's ports in namespaces of this test (its own
# bpffs, TC_BPF_MNT) and compile the kernel's routes, and pings take the fast path; then
# dpkg --purge leaves no file of the package behind. A machine where ipxr is installed already
# (package or make install into /usr) is left alone: the test says so and checks nothing else.
#
#	tests/deb.sh		(root; V=1 verbose)

# shellcheck source=tests/lib.sh
source "$(dirname "$0")/lib.sh"

need_e2e_tools
for tool in dpkg-buildpackage dh lintian man; do
	command -v "$tool" >/dev/null ||
		{ echo "not ok - $tool is installed (scripts/deps.sh test)"; exit 1; }
done

VERSION=$(sed -n 's/^VERSION[[:space:]]*:= *//p' "$ROOT/Makefile")
LAYOUT=$(sed -n 's/.*IPXR_LAYOUT_VERSION = \([0-9]*\),.*/\1/p' "$ROOT/bpf/ipxr_maps.h")

# installed, or removed with its configuration kept: either way the machine's, not ours
status=$(dpkg-query -W -f '${Status}' ipxr 2>/dev/null)
if [[ -n $status && $status != "unknown ok not-installed" ]]; then
	ok "# SKIP the ipxr package is on this machine already ($status): left as it is"
	exit 0
fi

lib_init ipxr-deb
INSTALLED=0

# the package goes even when the test stops half-way
# shellcheck disable=SC2317 # run by the EXIT trap
deb_cleanup()
{
	local rc=$?

	((INSTALLED)) && dpkg --purge ipxr >/dev/null 2>&1
	(exit "$rc")
	lib_cleanup
}
trap deb_cleanup EXIT

# ---- build ------------------------------------------------------------------------------------

check "scripts/mkdeb.sh (make deb) builds the package, lintian without errors or warnings" \
	"$ROOT/scripts/mkdeb.sh" || bail "the package is built"
DEB=$(ls "$ROOT"/build/deb/ipxr_"$VERSION"_*.deb 2>/dev/null)
check "the .deb is in build/deb/" test -f "$DEB" || bail "the package is built"
expect_eq "the package's version is the Makefile's VERSION" "$(dpkg-deb -f "$DEB" Version)" \
	"$VERSION"
expect_eq "lintian: no error or warning line" \
	"$(grep -E '^[EW]: ' "$ROOT/build/deb/lintian.txt")" ""
expect_eq "debian/changelog is at the Makefile's VERSION" \
	"$(cd "$ROOT" && dpkg-parsechangelog -S Version)" "$VERSION"

# What the package holds, and which of its directories exist before it: those stay at purge.
mapfile -t CONTENTS < <(dpkg-deb --fsys-tarfile "$DEB" | tar -t | sed 's|^\./|/|; s|/$||' |
			grep -v '^$')
pre_dirs=()
pre_files=()
for p in "${CONTENTS[@]}"; do
	if [[ -d $p ]]; then
		pre_dirs+=("$p")
	elif [[ -e $p ]]; then
		pre_files+=("$p")
	fi
done
if ((${#pre_files[@]})); then
	ok "# SKIP files of the package exist already (make install into /usr?): ${pre_files[*]}"
	lib_finish
fi

# ---- install ---------------------------------------------------------------------------------

check "dpkg -i installs it" dpkg -i "$DEB" || bail "the package is installed"
INSTALLED=1
# from here on the CLI under test is the package's (lib.sh's helpers run $IPXR)
IPXR=/usr/sbin/ipxr
mapfile -t LISTED < <(dpkg -L ipxr)
expect_ge "dpkg -L ipxr lists its files" "${#LISTED[@]}" 20
for f in /usr/sbin/ipxr /usr/lib/ipxr/xdp_router.o /lib/systemd/system/ipxr-attach.service \
	 /lib/systemd/system/ipxr-sync.service /etc/iproute2/rt_protos.d/ipxr.conf \
	 /etc/ipxr/ports /usr/share/bash-completion/completions/ipxr; do
	check "installed: $f" test -f "$f"
done
expect_eq "ipxr -V" "$("$IPXR" -V)" "ipxr $VERSION (map layout $LAYOUT)"
# -a: a page from make install in /usr/local would come first
expect_match "man -w ipxr finds the package's page" '^/usr/share/man/man8/ipxr\.8\.gz$' \
	"$(man -aw ipxr 2>&1)"
expect_match "man -w ipxr-port finds the package's page" \
	'^/usr/share/man/man8/ipxr-port\.8\.gz$' "$(man -aw ipxr-port 2>&1)"
expect_match "the installed ipxr attaches the installed object by default" \
	'OBJECT: /usr/lib/ipxr/xdp_router.o' "$("$IPXR" port help)"
expect_match "... and reads /etc/ipxr/ports by default" 'FILE: /etc/ipxr/ports by default' \
	"$("$IPXR" port help)"
expect_eq "the installed /etc/ipxr/ports names no port (all comments)" \
	"$(sed 's/#.*//' /etc/ipxr/ports | tr -d ' \t\n')" ""
expect_match "the installed completion completes the port object" 'port' \
	"$(bash -c 'source /usr/share/bash-completion/completions/ipxr; COMP_WORDS=(ipxr p);
		    COMP_CWORD=1; COMP_LINE="ipxr p"; COMP_POINT=6; _ipxr; echo "${COMPREPLY[*]}"')"
expect_match "ip route names protocol 105 ipxr (rt_protos.d)" '^105[[:space:]]\+ipxr' \
	"$(cat /etc/iproute2/rt_protos.d/ipxr.conf)"

# ---- the units' commands, against namespaces of this test ------------------------------------

# unit_cmd UNIT KEY: the command line of KEY (ExecStart, ExecStop) in the installed UNIT, with
# systemd's "$$" as the shell's "$"
unit_cmd() { sed -n "s/^$2=//p" "/lib/systemd/system/$1" | sed 's/\$\$/$/g'; }

attach_cmd=$(unit_cmd ipxr-attach.service ExecStart)
stop_cmd=$(unit_cmd ipxr-attach.service ExecStop)
sync_cmd=$(unit_cmd ipxr-sync.service ExecStart)
expect_eq "ipxr-attach.service runs the installed ipxr port attach" "$attach_cmd" \
	'/usr/sbin/ipxr port attach $IPXR_PORTS_ARGS'
expect_eq "ipxr-sync.service runs the installed ipxr sync" "$sync_cmd" \
	'/usr/sbin/ipxr sync $IPXR_SYNC_ARGS'
expect_match "ipxr-attach.service is ordered before ipxr-sync.service" \
	'^Before=ipxr-sync.service' "$(cat /lib/systemd/system/ipxr-attach.service)"

topo_build || bail "topology h1 - r - h2 built"
printf '# test ports\nr-eth0\nr-eth1\n' >"$LIB_TMP/ports"
# as systemd runs them: its environment file's words split on blanks (unquoted in sh)
unit_run() { ip netns exec "$R" env "$@"; }
check "ipxr-attach.service's command (IPXR_PORTS_ARGS=\"file PORTS\")" \
	unit_run IPXR_PORTS_ARGS="file $LIB_TMP/ports" sh -c "$attach_cmd"
expect_match "r-eth0 runs the installed object natively" ' xdp ' "$(ip -n "$R" link show r-eth0)"
check "ipxr-sync.service's command in its once mode (IPXR_SYNC_ARGS=once)" \
	unit_run IPXR_SYNC_ARGS=once sh -c "$sync_cmd"
expect_match "the kernel's connected route is in the maps" "^$NET2 dev r-eth1" \
	"$(ipxr route show)"
# the first echo resolves h1's and h2's neighbour entries through the kernel: not counted
run nsrun "$H1" ping -c 1 -W 2 "$H2_IP"
check_fast fwd_datagrams ipxr_stat "the installed package" 20 "$H2_IP"
check "ipxr-attach.service's stop command without IPXR_DETACH" \
	unit_run IPXR_PORTS_ARGS="file $LIB_TMP/ports" sh -c "$stop_cmd"
expect_match "... leaves the object attached" ' xdp ' "$(ip -n "$R" link show r-eth0)"
check "ipxr-attach.service's stop command with IPXR_DETACH=yes" \
	unit_run IPXR_DETACH=yes IPXR_PORTS_ARGS="file $LIB_TMP/ports" sh -c "$stop_cmd"
expect_eq "... detaches it" "$(ip -n "$R" link show | grep -c ' xdp')" 0

# ---- purge -----------------------------------------------------------------------------------

check "dpkg --purge ipxr" dpkg --purge ipxr && INSTALLED=0
status=$(dpkg-query -W -f '${Status}' ipxr 2>/dev/null)
check "dpkg no longer knows ipxr (status: ${status:-none})" \
	test -z "$status" -o "$status" == "unknown ok not-installed"
left=()
for p in "${LISTED[@]}"; do
	[[ $p == /. || ! -e $p ]] && continue
	# a directory that was there before the package stays
	[[ -d $p ]] && printf '%s\n' "${pre_dirs[@]}" | grep -qxF -- "$p" && continue
	left+=("$p")
done
expect_eq "nothing of the package is left (of ${#LISTED[@]} paths dpkg -L listed)" \
	"${left[*]}" ""
check "/etc/ipxr is gone" test ! -e /etc/ipxr

lib_finish
