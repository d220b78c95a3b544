#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# ipxr port attach|detach, boot and upgrade (h1 - r - h2, tests/lib.sh): a ports file attaches
# the object to the router's two ports natively, sharing one set of pinned maps; ipxr sync once
# compiles the kernel's routes and real traffic takes the fast path; a bridge without native XDP
# falls back to generic mode and says so; attaching again under ping -f (the same-layout
# upgrade) keeps every route and loses no packet; a new map layout (a copy of the tree with the
# version bumped) is rebuilt by ipxr sync from the kernel, with what is lost counted; detach
# removes the program in either mode.
#
#	tests/attach.sh		(root; IPXR=path/to/ipxr, default build/asan/ipxr; V=1 verbose)

# shellcheck source=tests/lib.sh
source "$(dirname "$0")/lib.sh"

need_e2e_tools
command -v bpftool >/dev/null || { echo "not ok - bpftool is installed"; exit 1; }
lib_init ipxr-attach
topo_build || bail "topology h1 - r - h2 built"

# px ARGS...: ipxr in the router's namespace, its output as it is
px() { "$IPXR" -n "$R" "$@"; }

# prog_id DEV: the XDP program on DEV in the router's namespace ("" when none)
prog_id() { ip -n "$R" -j link show dev "$1" | jq -r '.[0].xdp.prog.id // empty'; }

# xdp_mode DEV: "xdp" (native), "xdpgeneric", or "none", as ip link show prints it
xdp_mode()
{
	local out

	out=$(ip -n "$R" link show dev "$1")
	if grep -q ' xdpgeneric ' <<<"$out"; then echo xdpgeneric
	elif grep -q ' xdp ' <<<"$out"; then echo xdp
	else echo none
	fi
}

map_ids() { bpftool prog show id "$1" -j | jq -c '.map_ids | sort'; }

# A route through a gateway: h2 owns 10.0.9.9, the router's kernel routes 10.0.9.0/24 via h2.
GW_DEST=10.0.9.9
run ip -n "$H2" addr add "$GW_DEST/32" dev lo &&
run ip -n "$R" route add 10.0.9.0/24 via "$H2_IP" || bail "a route via h2 in the router's kernel"

PORTS=$LIB_TMP/ports
cat >"$PORTS" <<EOF
# the router's ports (ipxr-port(8))

r-eth0		# towards h1
r-eth1 native	# towards h2
EOF

# ---- attach from the ports file ----------------------------------------------------------------

out=$(px port attach file "$PORTS" obj "$XDP_OBJ" 2>&1)
rc=$?
expect_eq "port attach file: exit 0, nothing said" "$rc:$out" "0:"
expect_eq "ip link show: r-eth0 runs xdp in native mode" "$(xdp_mode r-eth0)" xdp
expect_eq "ip link show: r-eth1 runs xdp in native mode" "$(xdp_mode r-eth1)" xdp
p0=$(prog_id r-eth0)
p1=$(prog_id r-eth1)
m0=$(map_ids "$p0")
expect_match "r-eth0's program uses maps" '^\[[0-9]' "$m0"
expect_eq "both ports' programs share the same maps (map ids)" "$(map_ids "$p1")" "$m0"
check "the maps are pinned where ip pins them (\$TC_BPF_MNT/xdp/globals)" \
	test -e "$(pinned ipxr_config)"
# the pinned maps are the ones the programs use (every path of the program counts in ipxr_stats)
st_id=$(bpftool map show pinned "$(pinned ipxr_stats)" -j | jq -r .id)
expect_match "the pinned ipxr_stats is the programs' ($st_id in $m0)" "[[,]${st_id}[],]" "$m0"
check "ipxr sync once compiles the kernel's routes" px sync once
expect_match "the route via h2 is in the maps" "^10.0.9.0/24 via $H2_IP dev r-eth1" \
	"$(px route show)"
# the first echoes resolve the neighbour entries through the kernel: not counted
run nsrun "$H1" ping -c 1 -W 2 "$H2_IP" && run nsrun "$H1" ping -c 1 -W 2 "$GW_DEST"
check_fast fwd_datagrams ipxr_stat "attached by ipxr port attach" 20 "$H2_IP"
check_fast fwd_datagrams ipxr_stat "attached by ipxr port attach, via a gateway" 20 "$GW_DEST"

# ---- the ports file's mistakes -----------------------------------------------------------------

printf 'r-eth0\nr-eth1 turbo\n' >"$LIB_TMP/bad"
out=$(px port attach file "$LIB_TMP/bad" obj "$XDP_OBJ" 2>&1)
rc=$?
expect_eq "a bad mode word: exit 1" "$rc" 1
expect_match "a bad mode word: FILE:LINE and the word" "^Error: $LIB_TMP/bad:2: \"turbo\"" "$out"
expect_eq "a bad ports file touches no port (r-eth0's program unchanged)" "$(prog_id r-eth0)" \
	"$p0"
printf 'nosuchport0\nr-eth0\n' >"$LIB_TMP/missing"
out=$(px port attach file "$LIB_TMP/missing" obj "$XDP_OBJ" 2>&1)
rc=$?
expect_eq "a missing device: exit 3" "$rc" 3
expect_match "a missing device: named with FILE:LINE" \
	"^Error: $LIB_TMP/missing:1: Cannot find device \"nosuchport0\"" "$out"
p0b=$(prog_id r-eth0)
check "a missing device: the next port is still attached (program replaced)" \
	test -n "$p0b" -a "$p0b" != "$p0"
printf '# no port yet\n\n' >"$LIB_TMP/none"
out=$(px port attach file "$LIB_TMP/none" obj "$XDP_OBJ" 2>&1)
rc=$?
expect_eq "a ports file of comments: exit 0, said" "$rc:$out" \
	"0:Warning: $LIB_TMP/none names no port: nothing to attach"
out=$(px port attach file "$LIB_TMP/nonexistent" 2>&1)
expect_match "a ports file that does not exist: said" 'Cannot open ports file' "$out"

# ---- a port without native XDP: generic, said --------------------------------------------------

run ip -n "$R" link add br-x type bridge && run ip -n "$R" link set dev br-x up ||
	bail "a bridge in the router's namespace"
out=$(px port attach dev br-x obj "$XDP_OBJ" 2>&1)
rc=$?
expect_eq "a bridge: exit 0" "$rc" 0
expect_match "a bridge: falls back to generic mode and says so on stderr" \
	'^Warning: port br-x: native mode failed (.*native.*): attached in generic mode (xdpgeneric)' \
	"$out"
expect_eq "ip link show: br-x runs xdpgeneric" "$(xdp_mode br-x)" xdpgeneric
expect_eq "br-x's program shares the routers' maps" "$(map_ids "$(prog_id br-x)")" "$m0"
out=$(px port attach dev br-x native obj "$XDP_OBJ" 2>&1)
rc=$?
expect_eq "a bridge with native named: exit 2, no fallback" "$rc" 2
expect_match "a bridge with native named: ip's answer in the error" \
	'^Error: port br-x: cannot attach .* in native mode: .*native' "$out"
check "detach dev br-x (generic mode)" px port detach dev br-x
expect_eq "ip link show: br-x runs nothing" "$(xdp_mode br-x)" none

# ---- upgrade, same layout: attach again under a flood -------------------------------------------

routes0=$(px route show)
nh0=$(px nexthop show)
f0=$(ipxr_stat forward packets)
# A ping flood (-f: the next echo as soon as the last is answered, some 100,000 a second
# here, so 400,000 last a few seconds); the object is attached again on both ports, again and
# again while the flood runs
nsrun_t 20 "$H1" ping -f -q -c 400000 -W 1 "$GW_DEST" >"$LIB_TMP/flood" 2>&1 &
flood=$!
LIB_BG_PIDS+=("$flood")
sleep 0.2
cp "$XDP_OBJ" "$LIB_TMP/new.o"
up_rc=0
during=0
for ((i = 0; i < 10; i++)); do
	kill -0 "$flood" 2>/dev/null || break
	px port attach file "$PORTS" obj "$LIB_TMP/new.o" >>"$LIB_TMP/upgrade.log" 2>&1 || up_rc=1
	kill -0 "$flood" 2>/dev/null && during=$((during + 1))
done
wait "$flood"
f1=$(ipxr_stat forward packets)
expect_eq "upgrade: the attaches under traffic succeed" "$up_rc:$(cat "$LIB_TMP/upgrade.log")" "0:"
expect_ge "upgrade: at least 3 attaches of both ports ended while the flood ran" "$during" 3
check "upgrade: r-eth0 runs a new program" test "$(prog_id r-eth0)" != "$p0b"
expect_eq "upgrade: the new programs use the same maps" "$(map_ids "$(prog_id r-eth1)")" "$m0"
expect_eq "upgrade: every route kept" "$(px route show)" "$routes0"
expect_eq "upgrade: every next hop kept" "$(px nexthop show)" "$nh0"
stats=$(ping_stats "$(cat "$LIB_TMP/flood")")
diag "same-layout upgrade, $during attaches of both ports under ping -f: $stats (sent received)"
expect_eq "upgrade: no packet lost (400000 sent, 400000 answered)" "$stats" "400000 400000"
expect_ge "upgrade: the fast path carried them (forward +800000)" "$(delta "$f0" "$f1")" 800000

# ---- detach ----------------------------------------------------------------------------------

check "port detach file" px port detach file "$PORTS"
expect_eq "ip link show: r-eth0 runs nothing" "$(xdp_mode r-eth0)" none
expect_eq "ip link show: r-eth1 runs nothing" "$(xdp_mode r-eth1)" none
check "the pinned maps stay after detach" test -e "$(pinned ipxr_config)"
fwd0=$(fwd_datagrams)
out=$(nsrun "$H1" ping -c 5 -i 0.05 -W 1 -q "$GW_DEST" 2>&1)
fwd1=$(fwd_datagrams)
expect_eq "detached: the kernel forwards (5 answered, IpForwDatagrams +10)" \
	"$(ping_stats "$out") $(delta "$fwd0" "$fwd1")" "5 5 10"
out=$(px port detach dev nosuchport0 2>&1)
rc=$?
expect_eq "detach of a device that is gone: exit 0 with a warning" "$rc:$out" \
	"0:Warning: Cannot find device \"nosuchport0\": nothing to detach"

# ---- a new map layout: the maps rebuilt from the kernel -----------------------------------------
#
# A copy of the tree with IPXR_LAYOUT_VERSION bumped stands for the next release: its ipxr
# refuses the old maps, so the pins go, the new object is attached (empty maps) and its ipxr sync
# once rebuilds them from the kernel. Meanwhile the new program finds no route and hands packets
# to the kernel, which forwards them: what is lost is counted and said.

check "attach the current object again" px port attach file "$PORTS" obj "$XDP_OBJ"
check "ipxr sync once" px sync once
NEW=$LIB_TMP/next
mkdir -p "$NEW"
cp -r "$ROOT/bpf" "$ROOT/ipxr" "$ROOT/Makefile" "$ROOT/scripts" "$NEW/"
rm -f "$NEW"/bpf/*.o "$NEW/ipxr/ipxr"
layout=$(sed -n 's/.*IPXR_LAYOUT_VERSION = \([0-9]*\),.*/\1/p' "$ROOT/bpf/ipxr_maps.h")
next=$((layout + 1))
sed -i "s/IPXR_LAYOUT_VERSION = $layout,/IPXR_LAYOUT_VERSION = $next,/" "$NEW/bpf/ipxr_maps.h"
mkdir -p "$NEW/build" && touch "$NEW/build/.deps-ok"
if run make -s -C "$NEW" bpf/xdp_router.o ipxr/ipxr; then
	nx() { "$NEW/ipxr/ipxr" -n "$R" "$@"; }
	expect_eq "the next release's ipxr -V" "$(nx -V)" "ipxr $(sed -n 's/^VERSION[[:space:]]*:= *//p' \
		"$ROOT/Makefile") (map layout $next)"
	out=$(nx route show 2>&1)
	expect_match "the next ipxr refuses the old maps, naming both layouts" \
		"map layout version $layout, this ipxr knows map layout version $next" "$out"
	# same sizes, new meaning: ip would reuse the old pins, so ipxr refuses to attach over them
	p0=$(prog_id r-eth0)
	out=$(nx port attach file "$PORTS" obj "$NEW/bpf/xdp_router.o" 2>&1)
	rc=$?
	expect_eq "new layout over the old pins: refused (exit 4)" "$rc" 4
	expect_match "... naming both layouts and how to rebuild" \
		"are of map layout $layout and .* of map layout $next: .*rm -f $TC_BPF_MNT/xdp/globals/ipxr_\*" \
		"$out"
	expect_eq "... and no port touched" "$(prog_id r-eth0)" "$p0"
	routes0=$(px route show)
	nsrun_t 20 "$H1" ping -f -q -c 200000 -W 1 "$GW_DEST" >"$LIB_TMP/flood" 2>&1 &
	flood=$!
	LIB_BG_PIDS+=("$flood")
	sleep 0.2
	t0=$(date +%s%N)
	rm -f "$TC_BPF_MNT"/xdp/globals/ipxr_*
	check "new layout: attach the new object (new, empty maps)" \
		nx port attach file "$PORTS" obj "$NEW/bpf/xdp_router.o"
	check "new layout: ipxr sync once rebuilds the maps from the kernel" nx sync once
	t1=$(date +%s%N)
	kill -0 "$flood" 2>/dev/null
	expect_eq "new layout: the flood outlasted the switch" "$?" 0
	wait "$flood"
	diag "new layout: pins removed to maps rebuilt in $(((t1 - t0) / 1000000)) ms"
	stats=$(ping_stats "$(cat "$LIB_TMP/flood")")
	read -r sent got <<<"$stats"
	diag "new layout under ping -f: $stats (sent received), $((sent - got)) lost"
	expect_eq "new layout: every route rebuilt" "$(nx route show)" "$routes0"
	expect_eq "new layout: no packet lost (the kernel forwarded meanwhile)" "$stats" \
		"200000 200000"
	f0=$("$NEW/ipxr/ipxr" -n "$R" -j stats show | jq '.reasons.forward.packets')
	out=$(nsrun "$H1" ping -c 10 -i 0.05 -W 1 -q "$GW_DEST" 2>&1)
	f1=$("$NEW/ipxr/ipxr" -n "$R" -j stats show | jq '.reasons.forward.packets')
	expect_eq "new layout: the fast path forwards again (10 answered, forward +20)" \
		"$(ping_stats "$out") $(delta "$f0" "$f1")" "10 10 20"
	check "new layout: detach" nx port detach file "$PORTS"
fi

lib_finish
