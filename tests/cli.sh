#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# ipxr's command line against real pinned maps: grammar, abbreviations, text and JSON output,
# batch mode, and every error case of the spec with its exit code, its message, and an
# unchanged table afterwards. Runs as root in a namespace, on a private bpffs, of its own.
#
#   IPXR=build/asan/ipxr bash tests/cli.sh      (V=1 for the commands' output)
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
IPXR=${IPXR:-build/asan/ipxr}
[[ $IPXR == /* ]] || IPXR=$ROOT/$IPXR
OBJ=$ROOT/bpf/xdp_router.o
NS=ipxr-cli-$$
TMP=$(mktemp -d /tmp/ipxr-cli.XXXXXX)
MNTS=()
# What this tree's ipxr and object are: the version, the map layout and the pass reasons, read
# from the files that define them so a new reason or layout needs no edit here.
IPXR_VERSION=$(sed -n 's/^VERSION[[:space:]]*:= *//p' Makefile)
LAYOUT=$(sed -n 's/.*IPXR_LAYOUT_VERSION = \([0-9]*\),.*/\1/p' bpf/ipxr_maps.h)
REASONS_JSON=$(sed -n 's/^[[:space:]]*X([A-Z_0-9]*,[[:space:]]*"\([a-z_0-9]*\)".*/\1/p' \
	       bpf/ipxr_maps.h | sort | jq -Rsc 'split("\n") | map(select(. != ""))')
npass=0
nfail=0

cleanup() {
	ip netns del "$NS" 2>/dev/null
	for m in "${MNTS[@]}"; do
		umount "$m" 2>/dev/null
	done
	rm -rf "$TMP"
}
trap cleanup EXIT

ok() {
	echo "ok - $1"
	npass=$((npass + 1))
}

nok() {
	echo "not ok - $1"
	nfail=$((nfail + 1))
	if [[ -s $TMP/err || -s $TMP/out ]]; then
		sed 's/^/# stdout: /' "$TMP/out" | head -20
		sed 's/^/# stderr: /' "$TMP/err" | head -20
	fi
}

verdict() {	# verdict LABEL CONDITION...
	local label=$1
	shift
	if "$@"; then ok "$label"; else nok "$label"; fi
}

diag() {
	echo "# $*"
}

die() {
	diag "setup failed: $*"
	echo "not ok - setup"
	exit 1
}

# run [ENV=...] ARGS...: ipxr -n NS ARGS, output in $TMP/out and $TMP/err, exit code in $rc
run() {
	"$IPXR" -n "$NS" "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	if [[ ${V:-0} == 1 ]]; then
		diag "ipxr $* -> $rc"
		sed 's/^/#   /' "$TMP/out" "$TMP/err"
	fi
	return 0
}

# expect LABEL RC ARGS...: exit code only
expect() {
	local label=$1 want=$2
	shift 2
	run "$@"
	verdict "$label (exit $want)" test "$rc" -eq "$want"
}

# snapshot: both route tables (but the LOCAL entries ipxr syncs) and the next hops, in one run
# (root ::/0 selects IPv6)
snapshot() {
	printf '%s\n' 'route show type unicast' 'route show blackhole' \
		'route show type unicast root ::/0' 'route show blackhole root ::/0' 'nexthop show' |
		"$IPXR" -n "$NS" -batch - 2>&1
	# and the kernel's half: a refused write leaves both unchanged
	ip -n "$NS" route show table all
	ip -n "$NS" -6 route show table all
}

# expect_err LABEL RC REGEX ARGS...: exit code, an "Error:" line matching REGEX, same table
expect_err() {
	local label=$1 want=$2 re=$3 before after
	shift 3
	before=$(snapshot)
	run "$@"
	if [[ $rc -eq $want ]] && grep -Eq -- "^Error: .*$re" "$TMP/err" &&
	   ! grep -q AddressSanitizer "$TMP/err"; then
		ok "$label (exit $want, message)"
	else
		nok "$label (exit $want, message /$re/; got $rc)"
	fi
	after=$(snapshot)
	verdict "$label: table unchanged" test "$before" == "$after"
	# what changed, for a failure seen only under load (the kernel's own routes, say)
	[[ $before == "$after" ]] || diff <(echo "$before") <(echo "$after") | sed 's/^/# /'
}

out_is() {	# out_is LABEL EXPECTED: stdout of the last run ("proto PX": ipxr's protocol)
	local got want=${2//proto PX/proto $PX}
	got=$(cat "$TMP/out")
	if [[ $got == "$want" ]]; then ok "$1"; else nok "$1"; diag "expected: $want"; fi
}

# The name ip prints for ipxr's protocol 105, from the files both read: "ipxr" once make install
# put etc/iproute2/rt_protos.d/ipxr.conf in place, else the number
PX=$(awk '$1 == 105 { n = $2 } END { print n }' /etc/iproute2/rt_protos \
	/etc/iproute2/rt_protos.d/*.conf 2>/dev/null)
PX=${PX:-105}

# agree LABEL: the kernel's routes and the fast path's agree (issue 13): every route ipxr's maps
# hold is the kernel's route for its prefix in table main, and every kernel route ipxr wrote
# (proto ipxr) is in the maps. Both tools' JSON read by one jq program; both families.
AGREE_JQ='map({type, dst, gateway, dev, protocol, scope, metric, flags} |
	with_entries(select(.value != null)) | if .type then del(.dev) else . end) | sort_by(.dst)'
agree() {
	local fam k f
	for fam in -4 -6; do
		k=$(ip -n "$NS" "$fam" -j route show table main | jq -c "$AGREE_JQ")
		f=$("$IPXR" -n "$NS" "$fam" -j route show | jq -c "$AGREE_JQ")
		# of several kernel routes for a prefix, the one the kernel uses: the lowest metric
		if jq -en --argjson k "$k" --argjson f "$f" --arg px "$PX" \
			'($f - $k) == [] and (($k | group_by(.dst) | map(min_by(.metric // 0)) |
			 map(select(.protocol == $px))) - $f) == []' >/dev/null; then
			ok "kernel and fast path agree ($fam): $1"
		else
			nok "kernel and fast path agree ($fam): $1"
			diag "kernel: $k" "maps: $f"
		fi
	done
}

json_ok() {	# json_ok LABEL [-s] JQ-FILTER: the last stdout is JSON and the filter is true
	local label=$1
	shift
	if jq -e "$@" "$TMP/out" >/dev/null 2>&1; then ok "$label"; else nok "$label"; fi
}

# in_step LABEL: the pinned front structure ipxr_lpm says what both tries say, entry by entry
# and for every route's first address, and no writer left it dirty (tests/lpm_check, i.e.
# lpm_verify(); its per-route check goes by the kernel trie's own longest match)
CHECK=$ROOT/tests/lpm_check
in_step() {
	"$CHECK" "$TC_BPF_MNT/xdp/globals" >"$TMP/out" 2>"$TMP/err"
	verdict "front structure in step: $1" test $? -eq 0
}

# word ADDRESS: the front structure's leaf for ADDRESS, as 0x%08x
word() {
	"$CHECK" "$TC_BPF_MNT/xdp/globals" "$1" 2>/dev/null | head -n 1
}

# leaf PLEN TYPE NH [TRIE]: the leaf a route of length PLEN, type TYPE (1 unicast, 2 blackhole,
# 3 local) and next hop NH paints (bpf/ipxr_maps.h); TRIE 1: the program asks the trie
leaf() {
	printf '0x%08x' $(( ${4:-0} << 30 | $1 << 22 | $2 << 16 | $3 ))
}

# --- setup: two router ports, a private bpffs, the program on both ports ---
for t in ip jq clang setpriv bpftool; do
	command -v "$t" >/dev/null || die "$t missing"
done
[[ -x $IPXR ]] || die "$IPXR not built (make asan)"
[[ -f $OBJ ]] || die "$OBJ not built (make)"
[[ -x $CHECK ]] || die "$CHECK not built (make test)"

mkdir -p "$TMP/bpffs" "$TMP/empty" "$TMP/bpffs2" "$TMP/bpffs3" "$TMP/bpffs4"
for m in bpffs empty bpffs2 bpffs3 bpffs4; do
	mount -t bpf bpf "$TMP/$m" || die "mount bpffs"
	MNTS+=("$TMP/$m")
done
export TC_BPF_MNT=$TMP/bpffs

ip netns add "$NS" || die "netns"
ipn() { ip -n "$NS" "$@"; }
# The kernel adds each port's link-local address, and its local and anycast routes, after the
# link comes up; a table snapshot taken meanwhile differs from the next one. No duplicate address
# detection, and a wait for those addresses, keep the snapshots of expect_err stable.
ip netns exec "$NS" sysctl -qw net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.all.accept_dad=0
# settle6: every port has its link-local address and its local route
settle6() {
	local i d n
	for ((i = 0; i < 100; i++)); do
		n=0
		for d in rtr-p0 rtr-p1 rtr-p2 rtr-p3; do
			ipn -6 route show table local type local dev "$d" | grep -q '^local fe80:' &&
				n=$((n + 1))
		done
		[[ $n -eq 4 && -z $(ipn -6 addr show tentative) ]] && return 0
		sleep 0.1
	done
	diag "link-local addresses not settled after 10 s"
}
ipn link add rtr-p0 type veth peer name rtr-p1 || die "veth"
ipn link add rtr-p2 type veth peer name rtr-p3 || die "veth"
for d in rtr-p0 rtr-p1 rtr-p2 rtr-p3 lo; do
	ipn link set "$d" up
done
ipn addr add 10.0.0.254/24 dev rtr-p0
ipn addr add 10.0.1.254/24 dev rtr-p1
ip netns exec "$NS" sysctl -qw net.ipv4.conf.all.forwarding=1 net.ipv4.conf.rtr-p0.forwarding=1 \
	net.ipv4.conf.rtr-p1.forwarding=1 net.ipv6.conf.all.forwarding=1
# global IPv6 addresses without duplicate address detection: usable at once
ipn addr add 2001:db8:a::fe/64 dev rtr-p0 nodad
ipn addr add 2001:db8:b::fe/64 dev rtr-p1 nodad
ipn link set dev rtr-p0 xdpdrv obj "$OBJ" sec xdp_router || die "attach rtr-p0"
ipn link set dev rtr-p1 xdpdrv obj "$OBJ" sec xdp_router || die "attach rtr-p1"
settle6

# --- version, help, usage ---
run -V
verdict "-V prints version and map layout" \
	test "$(cat "$TMP/out")" == "ipxr $IPXR_VERSION (map layout $LAYOUT)"
run help
verdict "help: usage on stdout, exit 0" test "$rc" -eq 0 -a -s "$TMP/out"
run route help
verdict "route help: grammar on stdout, exit 0" grep -q "ROUTE := " "$TMP/out"
run
verdict "no object: usage on stderr, exit 1" test "$rc" -eq 1 -a ! -s "$TMP/out"
grep -q "^Usage: ipxr" "$TMP/err" || nok "no object: usage text"
expect_err "unknown object" 1 'unknown object "frobnicate"' frobnicate
expect_err "unknown route command" 1 'unknown route command "launch"' route launch
expect_err "unknown option, quoted as typed" 1 'unknown option "-zz"' -zz route show
run -- help
verdict "-- ends the options" grep -q "^Usage: ipxr" "$TMP/out"

# --- maps missing (empty bpffs) ---
TC_BPF_MNT=$TMP/empty run route show
verdict "maps missing: exit 4" test "$rc" -eq 4
verdict "maps missing: names the path searched" grep -q "$TMP/empty/xdp/globals" "$TMP/err"
verdict "maps missing: mentions TC_BPF_MNT" grep -q "TC_BPF_MNT" "$TMP/err"
verdict "maps missing: says how to load the object" \
	grep -q "ip link set dev DEV xdpdrv obj xdp_router.o sec xdp_router" "$TMP/err"
verdict "maps missing: says where ip pins them" \
	grep -q "pins them in $TMP/empty/xdp/globals" "$TMP/err"
verdict "maps missing on a bpffs: no hint about mounts or namespaces" \
	test -s "$TMP/err" -a -z "$(grep "not a bpffs" "$TMP/err")"
# a directory that is no bpffs cannot hold the pins: said, with how to mount one
mkdir -p "$TMP/nobpffs"
TC_BPF_MNT=$TMP/nobpffs run route show
verdict "maps missing, no bpffs there: exit 4" test "$rc" -eq 4
verdict "maps missing, no bpffs there: says so and how to mount one" \
	grep -q "$TMP/nobpffs is not a bpffs: mount one (mount -t bpf bpf $TMP/nobpffs)" "$TMP/err"
# The README's commands typed inside `ip netns exec`: its /sys (a new sysfs) hides the bpffs the
# maps are pinned in, whatever the host has at /sys/fs/bpf.
(unset TC_BPF_MNT; ip netns exec "$NS" "$IPXR" route show >"$TMP/out" 2>"$TMP/err")
rc=$?
verdict "inside ip netns exec: exit 4" test "$rc" -eq 4
verdict "inside ip netns exec: names the namespace and ip netns exec's remount" \
	grep -q "not a bpffs in network namespace \"$NS\": \`ip netns exec\` remounts /sys" \
	"$TMP/err"
verdict "inside ip netns exec: offers ipxr -n NETNS and TC_BPF_MNT" \
	grep -q "Run \"ipxr -n $NS \.\.\.\" from outside.*in TC_BPF_MNT" "$TMP/err"
# -n enters only the network namespace: the same error without the remount story
(unset TC_BPF_MNT; "$IPXR" -n "$NS" route show >"$TMP/out" 2>"$TMP/err")
verdict "with -n: no ip netns exec hint (-n keeps /sys)" \
	test -s "$TMP/err" -a -z "$(grep "ip netns exec" "$TMP/err")"
TC_BPF_MNT=$TMP/empty run -j route add 10.0.0.0/8 dev rtr-p0
json_ok "maps missing with -j: valid JSON error on stdout" '.error | test("not found")'
verdict "maps missing with -j: exit 4" test "$rc" -eq 4

# --- add and show ---
expect "add via dev" 0 route add 192.0.2.0/24 via 10.0.0.1 dev rtr-p0
expect "add via without dev (dev from the kernel)" 0 route add 198.51.100.0/24 via 10.0.0.1
expect "add connected" 0 route add 10.9.0.0/16 dev rtr-p1
expect "add blackhole" 0 route add blackhole 10.66.0.0/16
expect "add host route" 0 route add 10.7.7.7 via 10.0.1.7 dev rtr-p1
expect "add default (abbreviated: r a)" 0 r a default via 10.0.0.1
expect "add with to and unicast keywords" 0 route add unicast to 203.0.113.0/25 dev rtr-p0
expect "add short-form prefix 172.16/12" 0 route add 172.16/12 dev rtr-p0
expect "add netmask form" 0 route add 172.31.5.0/255.255.255.0 dev rtr-p1

SHOW='default via 10.0.0.1 dev rtr-p0 proto PX
10.7.7.7 via 10.0.1.7 dev rtr-p1 proto PX
10.9.0.0/16 dev rtr-p1 proto PX scope link
blackhole 10.66.0.0/16 proto PX
172.16.0.0/12 dev rtr-p0 proto PX scope link
172.31.5.0/24 dev rtr-p1 proto PX scope link
192.0.2.0/24 via 10.0.0.1 dev rtr-p0 proto PX
198.51.100.0/24 via 10.0.0.1 dev rtr-p0 proto PX
203.0.113.0/25 dev rtr-p0 proto PX scope link'
run route show
out_is "route show: text, sorted by address then length" "$SHOW"
in_step "after the first writes (painted whole: the table was never painted)"
agree "after the first writes"
verdict "ip route show has ipxr's route, proto $PX" \
	grep -q "^192.0.2.0/24 via 10.0.0.1 dev rtr-p0 proto $PX $" <(ipn route show)
run ro sh
out_is "ro sh: abbreviated show" "$SHOW"
run route list
out_is "route list = show" "$SHOW"
run route
out_is "route without command shows" "$SHOW"

for opt in -j -json --json -js; do
	run "$opt" route show
	json_ok "route show $opt: JSON array of 9 routes" 'type == "array" and length == 9'
done
run -j route show
json_ok "route show -j: keys of a gateway route" \
	'.[] | select(.dst == "192.0.2.0/24") | (has("type") | not) and .gateway == "10.0.0.1"
	 and .dev == "rtr-p0" and (.nexthop | type) == "number" and .protocol == $px and
	 .flags == [] and (keys | length) == 6' --arg px "$PX"
json_ok "route show -j: connected route has no gateway" \
	'.[] | select(.dst == "10.9.0.0/16") | has("gateway") | not'
json_ok "route show -j: blackhole has no dev" \
	'.[] | select(.dst == "10.66.0.0/16") | .type == "blackhole" and (has("dev") | not)'
json_ok "route show -j: default is \"default\"" '.[0].dst == "default"'
json_ok "route show -j: host route without /32" 'any(.[]; .dst == "10.7.7.7")'
run -p route show
verdict "-p: pretty JSON, indented" grep -q '^    {' "$TMP/out"
json_ok "-p implies -j and is valid JSON" 'length == 9'
run -s route show
verdict "-s: next-hop counters on the next line" grep -Eq '^    nexthop id [0-9]+ \([0-9]+ routes?\): packets 0 bytes 0$' \
	"$TMP/out"
run -j -s route show
json_ok "-j -s: the next hop's counters under nexthop_stats, none under stats" \
	'all(.[] | select(.type != "blackhole"); .nexthop_stats.packets == 0 and .nexthop_stats.bytes == 0 and (has("stats") | not))'

# --- selectors ---
run route show root 192.0.0.0/3
out_is "show root: routes inside the prefix" '192.0.2.0/24 via 10.0.0.1 dev rtr-p0 proto PX
198.51.100.0/24 via 10.0.0.1 dev rtr-p0 proto PX
203.0.113.0/25 dev rtr-p0 proto PX scope link'
run route show match 192.0.2.77
out_is "show match: routes covering the address" 'default via 10.0.0.1 dev rtr-p0 proto PX
192.0.2.0/24 via 10.0.0.1 dev rtr-p0 proto PX'
run route show 192.0.2.0/24
out_is "show PREFIX is exact" '192.0.2.0/24 via 10.0.0.1 dev rtr-p0 proto PX'
run route show to exact 192.0.0.0/8
out_is "show to exact: nothing when absent" ''
run route show blackhole
out_is "show TYPE" 'blackhole 10.66.0.0/16 proto PX'
run route show type unicast via 10.0.1.7
out_is "show via" '10.7.7.7 via 10.0.1.7 dev rtr-p1 proto PX'
run route show dev rtr-p1
out_is "show dev" '10.7.7.7 via 10.0.1.7 dev rtr-p1 proto PX
10.9.0.0/16 dev rtr-p1 proto PX scope link
172.31.5.0/24 dev rtr-p1 proto PX scope link'
run route show type local
out_is "show type local: the router's addresses" 'local 10.0.0.254 dev rtr-p0
local 10.0.1.254 dev rtr-p1
local 127.0.0.1 dev lo'

# --- nexthops ---
run nexthop show
verdict "nexthop show: shared gateway next hop counts its routes" \
	grep -Eq '^id [0-9]+ via 10.0.0.1 dev rtr-p0 routes 3( |$)' "$TMP/out"
verdict "nexthop show: connected next hop" grep -Eq '^id [0-9]+ dev rtr-p1 routes 2$' "$TMP/out"
run -j nexthop show dev rtr-p1
json_ok "nexthop show -j dev: keys id gateway dev routes lladdr mtu managed failed" \
	'length == 2 and (.[] | select(.gateway == "10.0.1.7") | (keys | sort) ==
	 ["dev","failed","gateway","id","lladdr","managed","mtu","routes"] and .managed == true)'
id=$(jq '.[] | select(.gateway == "10.0.1.7") | .id' "$TMP/out")
run nexthop show id "$id"
verdict "nexthop show id" grep -Eq "^id $id via 10.0.1.7 dev rtr-p1 routes 1 managed$" \
	"$TMP/out"
verdict "managed neighbour created for a new gateway" \
	grep -q managed <(ipn neigh show 10.0.1.7 dev rtr-p1)

# an entry the kernel already resolved keeps its lladdr when ipxr makes it managed
ipn neigh replace 10.0.1.8 lladdr 02:00:00:00:01:08 dev rtr-p1 nud reachable
expect "add via a resolved neighbour" 0 route add 10.8.0.0/16 via 10.0.1.8 dev rtr-p1
verdict "managed neighbour keeps the resolved lladdr" \
	grep -q 'lladdr 02:00:00:00:01:08 managed' <(ipn neigh show 10.0.1.8 dev rtr-p1)
run route get 10.8.1.1
verdict "route get: lladdr from the kernel's neighbour table" grep -Eq \
	'^10.8.1.1 via 10.0.1.8 dev rtr-p1 route 10.8.0.0/16 nexthop [0-9]+ lladdr 02:00:00:00:01:08$' \
	"$TMP/out"
expect "delete the last route of a next hop" 0 route del 10.8.0.0/16
verdict "a neighbour the kernel had learnt stays when its last route goes" \
	grep -q 'lladdr 02:00:00:00:01:08' <(ipn neigh show 10.0.1.8 dev rtr-p1)

# a neighbour ipxr created for its gateway goes with the gateway's last route
expect "add via an unresolved gateway" 0 route add 100.64.0.0/16 via 10.0.1.9 dev rtr-p1
verdict "managed neighbour created for it" \
	grep -q managed <(ipn neigh show 10.0.1.9 dev rtr-p1)
expect "delete its only route" 0 route del 100.64.0.0/16
verdict "the neighbour ipxr created is deleted with it" \
	test -z "$(ipn neigh show 10.0.1.9 dev rtr-p1)"
run -j nexthop show
json_ok "freed next hop is gone" 'all(.[]; .gateway != "10.0.1.8")'

# --- route get ---
run route get 198.51.100.7
out_is "route get unicast" \
	'198.51.100.7 via 10.0.0.1 dev rtr-p0 route 198.51.100.0/24 nexthop 1 lladdr unresolved'
run route get 10.66.1.2
out_is "route get blackhole" 'blackhole 10.66.1.2 route 10.66.0.0/16'
run route get 10.0.0.254
out_is "route get local" 'local 10.0.0.254 dev rtr-p0'
run -j route get 10.9.3.4
json_ok "route get -j: an array of one, as ip's" 'length == 1'
json_ok "route get -j: keys" '.[0] | .dst == "10.9.3.4" and (has("type") | not) and
	.route == "10.9.0.0/16" and .dev == "rtr-p1" and (.nexthop | type) == "number" and
	has("lladdr") and (has("gateway") | not)'
expect "delete default" 0 route delete default
expect_err "route get without a route" 3 \
	'no route to 1\.2\.3\.4 in the fast path: the kernel decides$' route get 1.2.3.4
run -j route get 1.2.3.4
json_ok "-j on a lookup failure: JSON error object" '.error | test("no route")'
expect "re-add default" 0 route add default via 10.0.0.1 dev rtr-p0

# --- stats ---
run -j stats show
json_ok "stats -j: actions redirect drop pass" \
	'.actions | has("redirect") and has("drop") and has("pass") and .pass.packets >= 0'
json_ok "stats -j: every reason of IPXR_STAT_LIST" ".reasons | keys == $REASONS_JSON"
run stats
verdict "stats without command shows" grep -q '^reason forward packets' "$TMP/out"

# --- change, replace, delete ---
expect "change an existing route" 0 route change 203.0.113.0/25 dev rtr-p1
run route show 203.0.113.0/25
out_is "change took effect" '203.0.113.0/25 dev rtr-p1 proto PX scope link'
expect "replace an existing route" 0 route replace 203.0.113.0/25 via 10.0.0.1
expect "replace creates a missing route" 0 route replace 203.0.113.128/25 via 10.0.0.1
run -j nexthop show
json_ok "replace moved the reference counts" \
	'(.[] | select(.gateway == "10.0.0.1") | .routes) == 5 and
	 (.[] | select(.dev == "rtr-p1" and (has("gateway") | not)) | .routes) == 2'
expect "delete with matching via" 0 route del 203.0.113.128/25 via 10.0.0.1
expect "delete abbreviated (r d)" 0 r d 203.0.113.0/25
in_step "after change, replace and delete"
agree "after change, replace and delete"

# --- text output is valid input ---
"$IPXR" -n "$NS" route show >"$TMP/saved"
sed 's/^/route add /' "$TMP/saved" >"$TMP/readd"
expect_err "flush without a selector, as ip" 1 'Flush requires arguments' route flush
expect "flush all of ipxr's routes" 0 route flush proto ipxr
run route show
out_is "flush emptied the table" ''
in_step "after flush"
run -j nexthop show
json_ok "flush freed every next hop" 'length == 0'
run route show type local
verdict "flush kept the local routes" test "$(wc -l <"$TMP/out")" -eq 3
expect "show output re-fed through -batch" 0 -batch "$TMP/readd"
run route show
out_is "re-fed table is identical" "$(cat "$TMP/saved")"
in_step "after a batch"
agree "after flush and re-feed"

# --- the kernel half (issue 13): ip's grammar, ip's table, one route for both ---
# the card's example: the connected route the kernel made for rtr-p0's address is compiled as it
# is, not refused
expect "add the connected route the kernel already has" 0 route add 10.0.0.0/24 dev rtr-p0
run -j route show 10.0.0.0/24
json_ok "... compiled as the kernel has it: proto kernel, scope link" \
	'.[0].protocol == "kernel" and .[0].scope == "link" and .[0].dev == "rtr-p0"'
expect_err "adding it another way is refused" 2 'already exists' \
	route add 10.0.0.0/24 via 10.0.1.7
expect_err "... or with another protocol given" 2 'already exists' \
	route add 10.0.0.0/24 dev rtr-p0 proto static
agree "the connected route compiled"
expect "ip route show output loads into ipxr (sed 's/^/route add /' | ipxr -b -)" 0 \
	-b - < <(ipn route show | sed 's/^/route add /')
agree "after loading ip route show"
run -j route show
ipn -j route show >"$TMP/ipj"
verdict "one jq program reads both tools' JSON alike (the routes ipxr wrote)" test \
	"$(jq -c --arg px "$PX" "$AGREE_JQ"' | map(select(.protocol == $px))' "$TMP/out")" == \
	"$(jq -c --arg px "$PX" "$AGREE_JQ"' | map(select(.protocol == $px))' "$TMP/ipj")"
# an ip -b file with every keyword ipxr takes, a continuation line included
cat >"$TMP/ipb" <<'EOF'
route add 10.100.0.0/24 dev rtr-p0 proto static metric 10 scope link
route add 10.100.1.0/24 via 10.0.0.1 dev rtr-p0 proto bird preference 20 src 10.0.0.254
route add 10.100.2.0/24 via inet 10.0.0.1 dev rtr-p0 onlink mtu lock 1300 priority 30
route add 10.100.3.0/24 via 10.0.0.1 mtu 1400 \
	table main proto 186
route add 10.100.4.0/24 dev rtr-p1 table 100
route add unreachable 10.100.5.0/24
route add prohibit 10.100.6.0/24 metric 5
route add throw 10.100.7.0/24
route add blackhole 10.100.8.0/24 proto ipxr
route add 10.100.9.0/24 dev rtr-p0 linkdown
route add 2001:db8:100:1::/64 via fe80::1 dev rtr-p1 metric 256 pref high
route add unreachable 2001:db8:100:2::/64 dev lo metric 1024 pref medium
EOF
run -b "$TMP/ipb"
verdict "an ip -b file with every keyword loads (exit 0)" test "$rc" -eq 0
verdict "... a table other than the fast path's is noted" \
	grep -q "^$TMP/ipb:6: Warning: the fast path compiles table main: a route of table 100" \
	"$TMP/err"
ipn route show | grep -E '^([a-z]+ )?10\.100\.' | sed 's/ *$//' >"$TMP/kernel4"
verdict "... the kernel has every route (9 in main, 1 in table 100)" \
	test "$(wc -l <"$TMP/kernel4")" -eq 9 -a -n "$(ipn route show table 100)"
run route show root 10.100.0.0/16
out_is "... the fast path shows them as ip does" '10.100.0.0/24 dev rtr-p0 proto static scope link metric 10
10.100.1.0/24 via 10.0.0.1 dev rtr-p0 proto bird src 10.0.0.254 metric 20
10.100.2.0/24 via 10.0.0.1 dev rtr-p0 proto PX metric 30 onlink mtu lock 1300
10.100.3.0/24 via 10.0.0.1 dev rtr-p0 proto bgp mtu 1400
unreachable 10.100.5.0/24 proto PX
prohibit 10.100.6.0/24 proto PX metric 5
throw 10.100.7.0/24 proto PX
blackhole 10.100.8.0/24 proto PX
10.100.9.0/24 dev rtr-p0 proto PX scope link'
verdict "... ip prints the same lines, src included (kept in ipxr_route_src)" test \
	"$(sort "$TMP/kernel4")" == "$(sort "$TMP/out")"
run route show proto bird
out_is "show proto bird selects" \
	'10.100.1.0/24 via 10.0.0.1 dev rtr-p0 proto bird src 10.0.0.254 metric 20'
run route show root 10.100.0.0/16 metric 30
verdict "show metric selects" grep -q '^10.100.2.0/24 .* metric 30 ' "$TMP/out"
run route show table 100
out_is "show table 100: the fast path holds none of another table's" ''
verdict "... and says which table it compiles" \
	grep -q '^Warning: the fast path compiles table main: it holds no route of table 100' \
	"$TMP/err"
run route show table main root 10.100.0.0/16
verdict "show table main: the compiled table's" test "$(wc -l <"$TMP/out")" -eq 9
run route show table all type local
verdict "show table all type local: the LOCAL copies too" grep -q '^local 10.0.0.254 ' "$TMP/out"
run route show scope link root 10.100.0.0/16
verdict "show scope link selects" test "$(wc -l <"$TMP/out")" -eq 2
run -j route show root 10.100.0.0/16
json_ok "... kinds the kernel answers for are marked" \
	'[.[] | select(.fastpath == "kernel") | .type] | sort == ["prohibit","throw","unreachable"]'
run -6 route show 2001:db8:100:1::/64
out_is "... IPv6: metric and pref as given (pref kept in the route entry)" \
	'2001:db8:100:1::/64 via fe80::1 dev rtr-p1 proto PX metric 256 pref high'
verdict "... and the kernel has its pref high" \
	grep -q 'pref high' <(ipn -6 route show 2001:db8:100:1::/64)
agree "after the ip -b file"
run route get 10.100.5.1
out_is "route get of a kind the kernel answers for" \
	'unreachable 10.100.5.1 route 10.100.5.0/24 fastpath kernel'
run route get 10.100.2.9
verdict "route get: the route's MTU" grep -q ' mtu lock 1300$' "$TMP/out"
expect "route del as ip route del: by metric" 0 route del 10.100.6.0/24 metric 5
expect "route del of a kind: by type" 0 route del throw 10.100.7.0/24
expect_err "route del: another type is not the route" 2 'not found' \
	route del blackhole 10.100.5.0/24
agree "after deletes by metric and type"
expect "flush by proto (bird)" 0 route flush proto bird
verdict "... the kernel lost it" test -z "$(ipn route show 10.100.1.0/24)"
run route show 10.100.1.0/24
out_is "... and the fast path" ''
expect "flush by table" 0 route flush table 100
verdict "... the kernel's table 100 is empty" test -z "$(ipn route show table 100)"
expect "flush root" 0 route flush root 10.100.0.0/16
verdict "... the kernel lost every route inside" test -z "$(ipn route show root 10.100.0.0/16)"
run route show root 10.100.0.0/16
out_is "... and the fast path" ''
expect "flush an IPv6 prefix" 0 route flush root 2001:db8:100::/48
agree "after the flushes"
# make install's rt_protos.d file names protocol 105 for ip and for ipxr alike (a private mount
# namespace puts the tree's file where iproute2 reads protocol names; the host's stays as it is)
named=$(unshare -m sh -c 'mount --bind "$1/etc/iproute2/rt_protos.d" /etc/iproute2/rt_protos.d &&
	ip -n "$2" route add 10.102.0.0/24 dev rtr-p0 proto ipxr &&
	ip -n "$2" route show 10.102.0.0/24 && "$3" -n "$2" route add 10.102.0.0/24 dev rtr-p0 &&
	"$3" -n "$2" route show 10.102.0.0/24' sh "$ROOT" "$NS" "$IPXR" 2>&1)
verdict "rt_protos.d/ipxr.conf: ip route add ... proto ipxr works, both print proto ipxr" test \
	"$named" == "10.102.0.0/24 dev rtr-p0 proto ipxr scope link 
10.102.0.0/24 dev rtr-p0 proto ipxr scope link"
[[ $named == *"proto ipxr"* ]] || diag "$named"
expect "... and ipxr deletes it" 0 route del 10.102.0.0/24
# an aggregate whose every address a longer prefix routes: the kernel's lookups cannot see it
expect "aggregate: the two /17s" 0 -b - <<<'route add 10.110.0.0/17 dev rtr-p0
route add 10.110.128.0/17 dev rtr-p0'
expect "aggregate: the /16 over them" 0 route add 10.110.0.0/16 via 10.0.0.1 metric 7
run route show 10.110.0.0/16
out_is "aggregate: compiled as written" '10.110.0.0/16 via 10.0.0.1 dev rtr-p0 proto PX metric 7'
expect "aggregate: a second, lower metric" 0 route add 10.110.0.0/16 dev rtr-p1 metric 3
agree "an aggregate with two metrics"
expect "aggregate: delete the lower metric" 0 route del 10.110.0.0/16 metric 3
run route show 10.110.0.0/16
out_is "aggregate: the kernel's remaining route" \
	'10.110.0.0/16 via 10.0.0.1 dev rtr-p0 proto PX metric 7'
agree "after deleting one of an aggregate's metrics"
expect "aggregate: flush" 0 route flush root 10.110.0.0/16
agree "after the aggregate's flush"
# errors of the new words, each naming what is wrong; nothing changes
expect_err "bad proto" 1 'invalid "protocol" value "nosuchproto"' \
	route add 10.101.0.0/24 dev rtr-p0 proto nosuchproto
expect_err "bad scope" 1 'invalid "scope" value "wide"' route add 10.101.0.0/24 dev rtr-p0 scope wide
expect_err "bad table" 1 'invalid table "nosuchtable"' \
	route add 10.101.0.0/24 dev rtr-p0 table nosuchtable
expect_err "table all is a selector" 1 'table all' route add 10.101.0.0/24 dev rtr-p0 table all
expect_err "bad metric" 1 '"x"' route add 10.101.0.0/24 dev rtr-p0 metric x
expect_err "mtu lock without a number" 1 'argument is missing after "mtu"' \
	route add 10.101.0.0/24 dev rtr-p0 mtu lock
expect_err "duplicate metric (priority)" 1 'either "metric" is duplicate' \
	route add 10.101.0.0/24 dev rtr-p0 metric 1 priority 2
expect_err "local is the kernel's" 1 "local routes are the kernel's" \
	route add local 10.101.0.1 dev rtr-p0
expect_err "multipath: a weight of 0" 1 'invalid "weight" value "0"' \
	route add 10.101.0.0/24 nexthop via 10.0.0.1 weight 0 nexthop via 10.0.0.2
expect_err "multipath: via and nexthop clauses together" 1 'one of them' \
	route add 10.101.0.0/24 via 10.0.0.1 nexthop via 10.0.0.2
expect_err "src of the other family" 1 'source address is not of the route' \
	route add 10.101.0.0/24 dev rtr-p0 src 2001:db8:a::fe
expect_err "src that is not the router's: the kernel's refusal" 2 'Invalid prefsrc address' \
	route add 10.101.0.0/24 dev rtr-p0 src 10.9.9.9

# --- batch ---
cat >"$TMP/batch" <<'EOF'
# a comment line

route add 10.50.0.0/16 dev rtr-p0   # trailing comment
route add 10.51.0.0/16 via 10.0.0.1
r a blackhole 10.52.0.0/16
route add 10.53.0.0/16 dev eth9
route add 10.54.0.0/16 dev rtr-p0
EOF
run -b "$TMP/batch"
verdict "batch: exit code of the failing line (3)" test "$rc" -eq 3
verdict "batch: FILE:LINE prefix on the error" \
	grep -q "^$TMP/batch:6: Error: Cannot find device \"eth9\"$" "$TMP/err"
run route show root 10.48.0.0/12
out_is "batch: stops at the first error" '10.50.0.0/16 dev rtr-p0 proto PX scope link
10.51.0.0/16 via 10.0.0.1 dev rtr-p0 proto PX
blackhole 10.52.0.0/16 proto PX'
in_step "after a batch that stopped at an error"
expect "batch: flush the batch's routes" 0 route flush root 10.48.0.0/12
run -force -batch "$TMP/batch"
verdict "batch -force: still fails with the first code" test "$rc" -eq 3
run route show root 10.48.0.0/12
verdict "batch -force: goes on after the error" \
	grep -q "^10.54.0.0/16 dev rtr-p0 proto $PX scope link$" "$TMP/out"
printf 'route add 10.60.0.0/16 dev rtr-p1\nroute add 10.61.0.0/33 dev rtr-p1\n' |
	"$IPXR" -n "$NS" -batch - >"$TMP/out" 2>"$TMP/err"
rc=$?
verdict "batch from stdin: usage error exit 1" test "$rc" -eq 1
verdict "batch from stdin: -:LINE prefix" grep -q '^-:2: Error: invalid prefix "10.61.0.0/33"' \
	"$TMP/err"
printf 'route show 10.60.0.0/16\nnexthop show dev rtr-p1\n' |
	"$IPXR" -n "$NS" -j -batch - >"$TMP/out" 2>"$TMP/err"
verdict "batch -j: one JSON document per command" \
	test "$(jq -s 'length' "$TMP/out" 2>/dev/null)" == 2
expect "batch: missing file" 1 -batch "$TMP/nonexistent"
expect "flush the batch routes" 0 route flush root 10.48.0.0/12

# --- error cases: exit code, message, and the table left alone ---
expect_err "host bits set" 1 '"10\.0\.0\.5/24" has host bits set, did you mean 10\.0\.0\.0/24\?$' \
	route add 10.0.0.5/24 dev rtr-p0
expect_err "bad prefix" 1 'invalid prefix "10\.0\.0\.300/24"' route add 10.0.0.300/24 dev rtr-p0
expect_err "bad gateway address" 1 'IPv4 address is expected rather than "10\.0\.0\.256"' \
	route add 10.70.0.0/16 via 10.0.0.256
expect_err "bad gateway word" 1 '"gw1"' route add 10.70.0.0/16 via gw1
expect_err "unknown device" 3 'Cannot find device "eth9"$' route add 10.70.0.0/16 dev eth9
expect_err "unknown device in a selector" 3 'Cannot find device "eth9"$' route show dev eth9
expect_err "route to delete absent" 2 'route "10\.123\.0\.0/16" not found' route del 10.123.0.0/16
expect_err "delete a different route than given" 2 'not found' \
	route del 192.0.2.0/24 via 10.0.1.7
expect_err "delete: a shorter prefix is not the route" 2 'not found' route del 192.0.2.0/25
expect_err "route to add exists" 2 'route "192\.0\.2\.0/24" already exists \(File exists\)' \
	route add 192.0.2.0/24 dev rtr-p1
expect_err "change of an absent route" 2 'not found' route change 10.124.0.0/16 dev rtr-p0
expect_err "gateway not on-link" 2 'Nexthop has invalid gateway\.' \
	route add 10.70.0.0/16 via 10.0.5.1
expect_err "gateway not on-link on that dev" 2 'Nexthop has invalid gateway\.' \
	route add 10.70.0.0/16 via 10.0.0.1 dev rtr-p1
# the kernel takes a router address as IPv4 gateway: so does ipxr (the fast path passes those)
expect "gateway is a local address: the kernel takes it" 0 route add 10.70.0.0/16 via 10.0.0.254
agree "a route via a router address"
expect "gateway is a local address: deleted" 0 route del 10.70.0.0/16
expect_err "/32 of a router address" 2 '"10\.0\.0\.254" is an address of this router' \
	route add 10.0.0.254/32 dev rtr-p0
expect_err "delete a local route" 2 'address of this router' route del 10.0.1.254
expect_err "duplicate keyword" 1 'either "via" is duplicate, or "10\.0\.0\.2" is a garbage' \
	route add 10.70.0.0/16 via 10.0.0.1 via 10.0.0.2
expect_err "unknown keyword names the keyword" 1 'unknown keyword "foo"' \
	route add 10.70.0.0/16 dev rtr-p0 foo
expect_err "unknown keyword before the prefix" 1 'unknown keyword "foo"' \
	route add foo 10.70.0.0/16 dev rtr-p0
expect_err "keywords are not abbreviated" 1 'unknown keyword "v"' route add 10.70.0.0/16 v 10.0.0.1
expect_err "missing argument" 1 'argument is missing after "dev"' route add 10.70.0.0/16 dev
expect_err "missing prefix" 1 'a prefix is needed' route add via 10.0.0.1
expect_err "blackhole with a dev: the kernel's refusal" 2 \
	'Gateway, device and multipath can not be specified for this route type' \
	route add blackhole 10.70.0.0/16 dev rtr-p0
expect_err "unicast without via or dev" 1 'needs via ADDRESS or dev NAME' route add 10.70.0.0/16
expect_err "bad selector type" 1 'invalid route type "anycast"' route show type anycast
expect_err "bad nexthop id" 1 'invalid next-hop id "x"' nexthop show id x
expect_err "route get of a non-address" 1 'rather than "nowhere"' route get nowhere
run -j route add 10.0.0.5/24 dev rtr-p0
json_ok "-j on a usage error: JSON error object on stdout" '.error | test("host bits")'
run -j route del 10.123.0.0/16
json_ok "-j on a refused operation: JSON error object" '.error | test("not found")'

"$IPXR" -n "nonexistent-$$" route show >"$TMP/out" 2>"$TMP/err"
rc=$?
verdict "unknown netns: exit 3" test "$rc" -eq 3
verdict "unknown netns: message" grep -q "^Error: Cannot open network namespace \"nonexistent-$$\"" \
	"$TMP/err"

# forwarding off is worth a warning, not an error
ip netns exec "$NS" sysctl -qw net.ipv4.conf.rtr-p1.forwarding=0
run route add 10.71.0.0/16 dev rtr-p1
verdict "forwarding off: warning, exit 0" \
	grep -q '^Warning: forwarding is off on rtr-p1' "$TMP/err"
test "$rc" -eq 0 || nok "forwarding off: exit code $rc"
ip netns exec "$NS" sysctl -qw net.ipv4.conf.rtr-p1.forwarding=1
expect "remove the warning's route" 0 route del 10.71.0.0/16

# --- port attach|detach: the grammar, and attaching again keeps the table ---
run port help
verdict "port help: grammar on stdout, exit 0" grep -q "^MODE := { native | generic }" "$TMP/out"
expect_err "port: unknown command" 1 'unknown port command "launch"' port launch
expect_err "port attach dev: value missing" 1 'argument is missing after "dev"' port attach dev
expect_err "port attach: file and dev" 1 'either "file" or "dev", not both' \
	port attach file /dev/null dev rtr-p0
expect_err "port attach: dev twice" 1 'either "dev" is duplicate' \
	port attach dev rtr-p0 dev rtr-p1
expect_err "port attach: a mode needs dev" 1 'unknown keyword "generic"' port attach generic
expect_err "port attach: two modes" 1 'unknown keyword "generic"' \
	port attach dev rtr-p0 native generic
expect_err "port detach takes no object" 1 'unknown keyword "obj"' port detach obj "$OBJ"
expect_err "port attach: object missing" 3 'cannot read the XDP object "/nonexistent\.o"' \
	port attach dev rtr-p0 obj /nonexistent.o
expect_err "port attach: unknown device" 3 'Cannot find device "eth9"$' \
	port attach dev eth9 obj "$OBJ"
expect_err "port attach: ports file missing" 3 'Cannot open ports file "/nonexistent"' \
	port attach file /nonexistent
run -j port attach dev eth9 obj "$OBJ"
json_ok "port attach with -j: a JSON error" '.error | test("Cannot find device")'
before=$(snapshot)
id0=$(ip -n "$NS" -j link show dev rtr-p0 | jq '.[0].xdp.prog.id')
expect "port attach again (the same-layout upgrade)" 0 port attach dev rtr-p0 obj "$OBJ"
verdict "port attach again: silent" test ! -s "$TMP/err" -a ! -s "$TMP/out"
verdict "port attach again: a new program on rtr-p0" \
	test "$(ip -n "$NS" -j link show dev rtr-p0 | jq '.[0].xdp.prog.id')" != "$id0"
verdict "port attach again: every route and next hop kept" test "$(snapshot)" == "$before"
in_step "after port attach again"

# --- the front structure: every write to the tries keeps ipxr_lpm in step ---
# nested prefixes, each write checked entry by entry, and the leaves that matter spelt out
gw=$("$IPXR" -n "$NS" -j nexthop show | jq '.[] | select(.gateway == "10.0.0.1") | .id')
expect "front: add a /12" 0 route add 10.80.0.0/12 dev rtr-p0
in_step "add a /12"
expect "front: add a /16 inside it" 0 route add 10.81.0.0/16 via 10.0.0.1
in_step "add a /16 inside the /12"
expect "front: add a /24 inside that" 0 route add blackhole 10.81.2.0/24
expect "front: add a /25 inside that" 0 route add 10.81.2.128/25 via 10.0.0.1
expect "front: add a /32 inside that" 0 route add 10.81.2.7 via 10.0.0.1
in_step "add a /24, /25 and /32 inside the /16"
p0=$("$IPXR" -n "$NS" -j route show 10.80.0.0/12 | jq '.[0].nexthop')
verdict "front: an address of the /12 gets the /12" test "$(word 10.85.1.1)" == "$(leaf 12 1 "$p0")"
verdict "front: an address of the /16 gets the /16" test "$(word 10.81.3.1)" == "$(leaf 16 1 "$gw")"
verdict "front: beside the /25 and the /32, the /24 answers" \
	test "$(word 10.81.2.1)" == "$(leaf 24 2 0)"
verdict "front: the /25 answers for its half" test "$(word 10.81.2.200)" == "$(leaf 25 1 "$gw")"
verdict "front: the /32 answers for itself" test "$(word 10.81.2.7)" == "$(leaf 32 1 "$gw")"
expect "front: change the /16" 0 route change 10.81.0.0/16 dev rtr-p0
in_step "change"
verdict "front: change repainted the /16's entries" test "$(word 10.81.3.1)" == "$(leaf 16 1 "$p0")"
expect "front: replace the /24" 0 route replace 10.81.2.0/24 via 10.0.0.1
in_step "replace"
verdict "front: replace repainted the /24's entries" test "$(word 10.81.2.1)" == "$(leaf 24 1 "$gw")"
verdict "front: ... not the /32's" test "$(word 10.81.2.7)" == "$(leaf 32 1 "$gw")"
expect "front: delete the /16" 0 route del 10.81.0.0/16
in_step "delete a /16 between a /12 and a /24"
verdict "front: the /16's entries fall back to the /12" \
	test "$(word 10.81.3.1)" == "$(leaf 12 1 "$p0")"
expect "front: delete the /32" 0 route del 10.81.2.7/32
in_step "delete a /32 beside a /25"
verdict "front: the /32's address falls back to the /24" \
	test "$(word 10.81.2.7)" == "$(leaf 24 1 "$gw")"
verdict "front: the /25 still answers" test "$(word 10.81.2.200)" == "$(leaf 25 1 "$gw")"
expect "front: delete the /25" 0 route del 10.81.2.128/25
in_step "delete the last route longer than /24"
verdict "front: nothing longer left: the /24 answers alone" \
	test "$(word 10.81.2.200)" == "$(leaf 24 1 "$gw")"
expect_err "front: a refused write" 2 'already exists' route add 10.80.0.0/12 dev rtr-p1
in_step "after a refused write"
cat >"$TMP/front" <<'EOF'
route add 10.81.0.0/16 dev rtr-p1
route add 10.81.2.64/26 dev rtr-p1
route del 10.81.2.0/24
route replace 10.80.0.0/12 via 10.0.0.1
route add 10.81.0.0/16 dev rtr-p0
route change 10.81.0.0/16 dev rtr-p0
route add blackhole 10.95.0.0/16
EOF
run -force -b "$TMP/front"
verdict "front: a batch with a failing line (exit 2)" test "$rc" -eq 2
in_step "after a batch with -force"
verdict "front: the batch's last write is in the pool" test "$(word 10.95.1.1)" == "$(leaf 16 2 0)"
expect "front: flush root" 0 route flush root 10.80.0.0/12
in_step "after flush root"
expect "front: flush of one route" 0 route flush 10.95.0.0/16
in_step "after flush of one route"

# the router's addresses: a LOCAL /32 is a route like any other
ipn addr add 10.82.0.1/24 dev rtr-p0
expect "front: a write after an address was added" 0 route add 10.83.0.0/16 dev rtr-p0
run route show type local 10.82.0.1/32
out_is "front: the local route was synced" 'local 10.82.0.1 dev rtr-p0'
in_step "local sync added a /32"
verdict "front: the address gets its local leaf" test "$(word 10.82.0.1)" == "$(leaf 32 3 0)"
verdict "front: its neighbours the covering route" test "$(word 10.82.0.9)" == "$(leaf 0 1 "$gw")"
ipn addr del 10.82.0.1/24 dev rtr-p0
expect "front: a write after the address was removed" 0 route del 10.83.0.0/16
in_step "local sync deleted the /32"
verdict "front: ... and no longer" test "$(word 10.82.0.1)" == "$(leaf 0 1 "$gw")"
expect "front: flush type local" 0 route flush type local
in_step "flush type local"
expect "front: the next write syncs them back" 0 route add 10.83.0.0/16 dev rtr-p0
in_step "local routes synced back"
expect "front: and that route deleted" 0 route del 10.83.0.0/16

# a writer that died half-way leaves its pool's dirty word set (meta group 256, word 3):
# readers leave it so, the next writer repaints the pool whole from the trie
pool=$(bpftool -j map lookup pinned "$TC_BPF_MNT/xdp/globals/ipxr_lpm" key 0 0 0 0 |
	jq -r '.value | reverse | map(ltrimstr("0x")) | join("")')
pool=$((16#$pool))	# the inner map's id, little-endian bytes
meta=$(bpftool -j map lookup id "$pool" key 0 1 0 0 |
	jq -r '.value | to_entries | map(if .key == 12 then "1" else .value end) | join(" ")')
# shellcheck disable=SC2086 # one argument per byte
bpftool map update id "$pool" key 0 1 0 0 value $meta || nok "front: bpftool could not set the dirty word"
run route show
run -j route get 10.9.1.1
run -j stats show
"$CHECK" "$TC_BPF_MNT/xdp/globals" >"$TMP/out" 2>&1
verdict "front: readers leave a dirty pool dirty" grep -q "meta word 3: 0x1, expected 0" "$TMP/out"
expect "front: a refused write repaints it all the same" 2 route del 10.80.0.0/12
in_step "repainted whole after a writer died half-way"

# --- the IPv6 front structure: tails (path compression), compressed and expanded under churn ---
# A route alone below an entry is a tail; a second one expands it into groups, and a delete that
# leaves one compresses them back. After each change the pool is in step (lpm_check) and, at the
# addresses around a chain of prefixes of every length /0-/128, its leaf (what the program reads)
# names the route the kernel uses there: prefix length and next hop (ip route get ... fibmatch).
CHAIN=(0x2001 0x0db8 0xf1a5 0xa5a5 0xa5a5 0xa5a5 0xa5a5 0xa5a5)	# 16-bit groups
# addr6 LEN [FLIP]: the chain's first LEN bits (bit FLIP inverted first), the rest 0
addr6() {
	local g out=() v n
	for ((g = 0; g < 8; g++)); do
		v=${CHAIN[g]}
		[[ -n ${2:-} ]] && (($2 / 16 == g)) && v=$((v ^ (0x8000 >> ($2 % 16))))
		n=$(($1 - 16 * g))
		((n >= 16)) || v=$((n <= 0 ? 0 : v & (0xffff << (16 - n)) & 0xffff))
		out+=("$(printf '%x' "$v")")
	done
	local IFS=:
	echo "${out[*]}"
}
# the probes: the chain's address, and for each length L the address with bit L flipped (inside
# the chain's /L, outside its /L+1)
PROBES6=("$(addr6 128)")
for ((l = 0; l < 128; l++)); do PROBES6+=("$(addr6 128 "$l")"); done
CHAIN6=()
for ((l = 0; l <= 128; l++)); do CHAIN6+=("$(addr6 "$l")/$l"); done
# and beside the chain, off it at bit L, a /L+9 each (indexes 129 on): alone in their subtrees,
# tails that come and go with the churn (the probe with bit L flipped is inside)
for l in 20 36 47 52 68 84 100 111 116; do CHAIN6+=("$(addr6 $((l + 9)) "$l")/$((l + 9))"); done
# oracle6 LABEL: the leaf of every probe against the kernel's route for it
oracle6() {
	local i=0 bad=0 a k p len nh want got words
	mapfile -t words < <("$CHECK" "$TC_BPF_MNT/xdp/globals" "${PROBES6[@]}" 2>/dev/null |
		head -n "${#PROBES6[@]}")
	for a in "${PROBES6[@]}"; do
		got=${words[i]:-none}
		i=$((i + 1))
		if k=$(ipn -6 route get "$a" fibmatch 2>/dev/null); then
			read -r p _ <<<"$k"
			case $p in
			default) len=0 ;;
			*/*) len=${p#*/} ;;
			*) len=128 ;;
			esac
			case $k in
			*" dev rtr-p0 "*) nh=$nh6a ;;
			*" dev rtr-p1 "*) nh=$nh6b ;;
			*) nh=0 ;;
			esac
			want=$(leaf "$len" 1 "$nh")
		else
			k="no route"
			want=0x00000000
		fi
		if [[ $got != "$want" ]]; then
			bad=$((bad + 1))
			((bad <= 3)) && diag "$a: leaf $got, kernel: $k (want $want)"
		fi
	done
	verdict "front6: $1: ${#PROBES6[@]} addresses around the chain get the kernel's route" \
		test "$bad" -eq 0
}
# tails6: the IPv6 pool's tails in use
tails6() {
	"$CHECK" "$TC_BPF_MNT/xdp/globals" | sed -n 's/^inet6: in step: .*(\([0-9]*\) tails).*/\1/p'
}
gw6() { # gw6 LEN: the gateway of the chain's /LEN (even lengths rtr-p0, odd rtr-p1)
	if ((($1 + ${2:-0}) % 2)); then echo "via 2001:db8:b::1"; else echo "via 2001:db8:a::1"; fi
}
expect "front6: a lone /48" 0 route add 2001:db8:f1a5::/48 via 2001:db8:a::1
in_step "a lone IPv6 /48"
t0=$(tails6)
nh6a=$("$IPXR" -n "$NS" -j nexthop show | jq '.[] | select(.gateway == "2001:db8:a::1") | .id')
expect "front6: a /64 inside it" 0 route add 2001:db8:f1a5:0:1::/80 via 2001:db8:a::1
in_step "a /80 inside the /48: the tail expanded"
t1=$(tails6)
expect "front6: the /48 deleted" 0 route del 2001:db8:f1a5::/48
in_step "the /48 deleted: the /80 compressed into a tail where the /48's was"
t2=$(tails6)
verdict "front6: tails in use: lone /48 $t0, with the /80 below $t1, the /80 alone $t2" \
	test -n "$t0" -a "$t0" == "$t2"
verdict "front6: the /80's leaf" test "$(word 2001:db8:f1a5:0:1::9)" == "$(leaf 80 1 "$nh6a")"
verdict "front6: beside it, no route" test "$(word 2001:db8:f1a5:0:2::9)" == 0x00000000
expect "front6: the /80 deleted" 0 route del 2001:db8:f1a5:0:1::/80
# the chain whole, then random halves of it flipped, replaced, in batches (one bracket each)
for ((l = 0; l <= 128; l++)); do
	echo "route add ${CHAIN6[l]} $(gw6 "$l")"
done >"$TMP/chain6"
expect "front6: a chain of every length /0-/128 in one batch" 0 -b "$TMP/chain6"
nh6b=$("$IPXR" -n "$NS" -j nexthop show | jq '.[] | select(.gateway == "2001:db8:b::1") | .id')
in_step "the whole chain"
oracle6 "the whole chain"
declare -A live6=()
for ((l = 0; l < ${#CHAIN6[@]}; l++)); do live6[$l]=$((l <= 128)); done
RANDOM=6
seen_t=()
for ((round = 1; round <= 6; round++)); do
	for ((l = 0; l < ${#CHAIN6[@]}; l++)); do
		((RANDOM % 2)) || continue
		if ((live6[$l])); then
			if ((RANDOM % 3)); then
				echo "route del ${CHAIN6[l]}"
				live6[$l]=0
			else
				echo "route replace ${CHAIN6[l]} $(gw6 "$l" "$round")"
			fi
		else
			echo "route add ${CHAIN6[l]} $(gw6 "$l" "$round")"
			live6[$l]=1
		fi
	done >"$TMP/churn6"
	expect "front6: churn round $round ($(wc -l <"$TMP/churn6") changes in a batch)" 0 \
		-b "$TMP/churn6"
	in_step "churn round $round"
	oracle6 "churn round $round"
	seen_t+=("$(tails6)")
done
# the routes beside the chain come and go alone: so do their tails
verdict "front6: tails in use changed with the churn (${seen_t[*]})" \
	test "$(printf '%s\n' "${seen_t[@]}" | sort -u | wc -l)" -gt 1
for ((l = 0; l < ${#CHAIN6[@]}; l++)); do
	((live6[$l])) && echo "route del ${CHAIN6[l]}"
done >"$TMP/chain6"
expect "front6: the chain deleted" 0 -b "$TMP/chain6"
in_step "the chain deleted"
oracle6 "the chain deleted"

# --- IPv6: the same grammar and code paths; the family from the prefix, else the gateway ---
conn_p1=$("$IPXR" -n "$NS" -j nexthop show dev rtr-p1 |
	jq '.[] | select(has("gateway") | not) | .routes')
expect "6: add via a global gateway with dev" 0 route add 2001:db8:100::/48 via 2001:db8:a::1 dev rtr-p0
expect "6: add via without dev (dev from the kernel)" 0 route add 2001:db8:101::/48 via 2001:db8:a::1
expect "6: add a shorter prefix at the same address" 0 route add 2001:db8:100::/40 dev rtr-p1
expect "6: add connected" 0 route add 2001:db8:200::/40 dev rtr-p1
expect "6: add blackhole" 0 route add blackhole 2001:db8:666::/48
expect "6: add host route" 0 route add 2001:db8:300::7 via 2001:db8:b::7 dev rtr-p1
expect "6: default via a link-local gateway is IPv6" 0 route add default via fe80::1 dev rtr-p1
# entered in odd forms, shown canonical (RFC 5952)
expect "6: upper case, leading zeros, uncompressed" 0 \
	route add 2001:0DB8:0400:0000:0000:0000:0000:0000/56 dev rtr-p0
expect "6: two equal zero runs" 0 route add 2001:db8:0:0:1:0:0:1 dev rtr-p0
expect "6: a single zero field" 0 route add 2001:db8:0:1:1:1:1:1/128 dev rtr-p0
expect "6: IPv4-mapped in mixed form" 0 route add ::FFFF:198.51.100.0/120 dev rtr-p1
expect "6: NAT64 prefix in mixed form" 0 route add 64:ff9b::192.0.2.0/120 via 2001:db8:a::1

SHOW6='default via fe80::1 dev rtr-p1 proto PX metric 1024 pref medium
::ffff:198.51.100.0/120 dev rtr-p1 proto PX metric 1024 pref medium
64:ff9b::c000:200/120 via 2001:db8:a::1 dev rtr-p0 proto PX metric 1024 pref medium
2001:db8::1:0:0:1 dev rtr-p0 proto PX metric 1024 pref medium
2001:db8:0:1:1:1:1:1 dev rtr-p0 proto PX metric 1024 pref medium
2001:db8:100::/40 dev rtr-p1 proto PX metric 1024 pref medium
2001:db8:100::/48 via 2001:db8:a::1 dev rtr-p0 proto PX metric 1024 pref medium
2001:db8:101::/48 via 2001:db8:a::1 dev rtr-p0 proto PX metric 1024 pref medium
2001:db8:200::/40 dev rtr-p1 proto PX metric 1024 pref medium
2001:db8:300::7 via 2001:db8:b::7 dev rtr-p1 proto PX metric 1024 pref medium
2001:db8:400::/56 dev rtr-p0 proto PX metric 1024 pref medium
blackhole 2001:db8:666::/48 proto PX metric 1024 pref medium'
run -6 route show
out_is "6: -6 route show: canonical text, sorted by address then length" "$SHOW6"
agree "after the IPv6 writes"
for opt in "-f inet6" "-family inet6" "--family inet6" "-fa inet6"; do
	# shellcheck disable=SC2086 # the option and its argument are two words
	run $opt route show
	out_is "6: $opt route show = -6" "$SHOW6"
done
run route show
verdict "6: route show without -6 lists IPv4 only (as ip)" \
	test "$rc" -eq 0 -a -s "$TMP/out" -a -z "$(grep : "$TMP/out")"
v4show=$(cat "$TMP/out")
run -4 route show
out_is "6: -4 route show = route show" "$v4show"
run -f inet route show
out_is "6: -f inet route show = route show" "$v4show"
run -j -6 route show
json_ok "6: -j -6 route show: valid JSON, 12 routes, canonical dst" \
	'length == 12 and .[0].dst == "default" and .[0].gateway == "fe80::1" and
	 .[2].dst == "64:ff9b::c000:200/120" and .[3].dst == "2001:db8::1:0:0:1" and
	 .[4].dst == "2001:db8:0:1:1:1:1:1"'
json_ok "6: -j: keys of a gateway route" \
	'.[] | select(.dst == "2001:db8:100::/48") | (has("type") | not) and
	 .gateway == "2001:db8:a::1" and .dev == "rtr-p0" and (.nexthop | type) == "number" and
	 .metric == 1024 and .pref == "medium" and (keys | length) == 8'
json_ok "6: -j: blackhole without dev" \
	'.[] | select(.type == "blackhole") | .dst == "2001:db8:666::/48" and (has("dev") | not)'
run -j -s -6 route show
json_ok "6: -j -s: next-hop stats on IPv6 routes" \
	'all(.[] | select(.type != "blackhole"); .nexthop_stats.packets >= 0)'

# selectors: an IPv6 prefix or gateway selects IPv6 without -6
run route show root 2001:db8:100::/40
out_is "6: show root" '2001:db8:100::/40 dev rtr-p1 proto PX metric 1024 pref medium
2001:db8:100::/48 via 2001:db8:a::1 dev rtr-p0 proto PX metric 1024 pref medium
2001:db8:101::/48 via 2001:db8:a::1 dev rtr-p0 proto PX metric 1024 pref medium'
run route show match 2001:db8:100::5
out_is "6: show match" 'default via fe80::1 dev rtr-p1 proto PX metric 1024 pref medium
2001:db8:100::/40 dev rtr-p1 proto PX metric 1024 pref medium
2001:db8:100::/48 via 2001:db8:a::1 dev rtr-p0 proto PX metric 1024 pref medium'
run route show 2001:DB8:100:0::/48
out_is "6: show PREFIX is exact, in any spelling" '2001:db8:100::/48 via 2001:db8:a::1 dev rtr-p0 proto PX metric 1024 pref medium'
run route show via fe80::1
out_is "6: show via a link-local gateway" 'default via fe80::1 dev rtr-p1 proto PX metric 1024 pref medium'
run -6 route show default
out_is "6: -6 show default" 'default via fe80::1 dev rtr-p1 proto PX metric 1024 pref medium'
run -6 route show dev rtr-p1 type unicast
out_is "6: -6 show dev" 'default via fe80::1 dev rtr-p1 proto PX metric 1024 pref medium
::ffff:198.51.100.0/120 dev rtr-p1 proto PX metric 1024 pref medium
2001:db8:100::/40 dev rtr-p1 proto PX metric 1024 pref medium
2001:db8:200::/40 dev rtr-p1 proto PX metric 1024 pref medium
2001:db8:300::7 via 2001:db8:b::7 dev rtr-p1 proto PX metric 1024 pref medium'

# local host routes: global addresses and ::1, never link-local ones
run -6 route show type local
out_is "6: local /128s of the router's global addresses (no fe80::)" 'local ::1 dev lo
local 2001:db8:a::fe dev rtr-p0
local 2001:db8:b::fe dev rtr-p1'
run route show type local
verdict "6: IPv4 local routes listed apart" test "$(grep -c : "$TMP/out")" -eq 0
ipn addr add 2001:db8:c::fe/64 dev rtr-p1 nodad
expect "6: a write after an address appears" 0 route add 2001:db8:700::/48 dev rtr-p1
run -6 route show type local dev rtr-p1
out_is "6: new address synced as local /128" 'local 2001:db8:b::fe dev rtr-p1
local 2001:db8:c::fe dev rtr-p1'
expect_err "6: /128 of a router address" 2 \
	'"2001:db8:c::fe" is an address of this router: its /128 is a local route' \
	route add 2001:db8:c::fe/128 dev rtr-p0
expect_err "6: delete a local route" 2 'address of this router' route del 2001:db8:a::fe
ipn addr del 2001:db8:c::fe/64 dev rtr-p1
expect "6: a write after the address went" 0 route del 2001:db8:700::/48
run -6 route show type local dev rtr-p1
out_is "6: removed address no longer local" 'local 2001:db8:b::fe dev rtr-p1'

# next hops: IPv6 gateways, families, the connected next hop shared by both families
run -j nexthop show
json_ok "6: nexthop show: the global gateway counts its 3 routes, managed" \
	'(.[] | select(.gateway == "2001:db8:a::1") | .routes == 3 and .dev == "rtr-p0" and
	  .managed == true)'
json_ok "6: one connected next hop per device serves both families" \
	'([.[] | select(.dev == "rtr-p1" and (has("gateway") | not))] | length == 1) and
	 (.[] | select(.dev == "rtr-p1" and (has("gateway") | not)) | .routes) == '"$((conn_p1 + 3))"
run -6 nexthop show
verdict "6: -6 nexthop show: IPv6 gateways" \
	grep -Eq '^id [0-9]+ via fe80::1 dev rtr-p1 routes 1 managed$' "$TMP/out"
verdict "6: -6 nexthop show: no IPv4 gateway" test -z "$(grep -E 'via [0-9.]+ ' "$TMP/out")"
verdict "6: -6 nexthop show: connected next hops too" grep -Eq '^id [0-9]+ dev rtr-p1 routes' \
	"$TMP/out"
run -4 nexthop show
verdict "6: -4 nexthop show: no IPv6 gateway" test -z "$(grep 'via .*:' "$TMP/out")"
verdict "6: -4 nexthop show: IPv4 gateways and connected" \
	grep -Eq '^id [0-9]+ via 10\.0\.0\.1 dev rtr-p0 routes' "$TMP/out"
run -j -6 nexthop show
json_ok "6: -j -6 nexthop show: valid JSON with IPv6 gateway keys" \
	'.[] | select(.gateway == "fe80::1") | (keys | sort) ==
	 ["dev","failed","gateway","id","lladdr","managed","mtu","routes"]'
ll=$(jq '.[] | select(.gateway == "fe80::1") | .id' "$TMP/out")

# a link-local gateway: managed neighbour and stand-in route in ipxr's kernel table
standin() { ip -n "$NS" -6 route show table 1768978546; }
verdict "6: link-local gateway: stand-in route 100::<id> via it in table 1768978546" \
	grep -Eq "^100::$(printf %x "${ll:-0}") via fe80::1 dev rtr-p1 proto static" <(standin)
verdict "6: link-local gateway: managed neighbour" \
	grep -q managed <(ipn -6 neigh show fe80::1 dev rtr-p1)
verdict "6: global gateway: managed neighbour" \
	grep -q managed <(ipn -6 neigh show 2001:db8:a::1 dev rtr-p0)
expect "6: a second route via the same link-local gateway" 0 \
	route add 2001:db8:500::/48 via fe80::1 dev rtr-p1
expect "6: the same link-local address on another device" 0 \
	route add 2001:db8:501::/48 via fe80::1 dev rtr-p0
verdict "6: one stand-in per next hop (2)" test "$(standin | grep -c 'via fe80::1')" -eq 2
ip -n "$NS" -6 route flush table 1768978546
expect "6: route replace through the next hop" 0 route replace default via fe80::1 dev rtr-p1
verdict "6: a lost stand-in route is put back by the next write through it" \
	grep -Eq "^100::$(printf %x "${ll:-0}") via fe80::1 dev rtr-p1" <(standin)
expect "6: delete one of two routes of the next hop" 0 route del default via fe80::1 dev rtr-p1
verdict "6: the stand-in stays while a route uses it" \
	grep -Eq "^100::$(printf %x "${ll:-0}") via fe80::1 dev rtr-p1" <(standin)
expect "6: delete the last route via fe80::1 dev rtr-p1" 0 route del 2001:db8:500::/48
verdict "6: the stand-in route goes with the last route" \
	test -z "$(standin | grep 'dev rtr-p1')"
verdict "6: the managed neighbour ipxr created goes too" \
	test -z "$(ipn -6 neigh show fe80::1 dev rtr-p1)"
expect "6: delete the route via fe80::1 dev rtr-p0" 0 route del 2001:db8:501::/48
verdict "6: ipxr's kernel table is empty again" test -z "$(standin)"
expect "6: re-add default via fe80::1" 0 route add default via fe80::1 dev rtr-p1

# a neighbour the kernel had resolved keeps its lladdr, and stays
ipn -6 neigh replace 2001:db8:b::8 lladdr 02:00:00:00:02:08 dev rtr-p1 nud reachable
expect "6: add via a resolved neighbour" 0 route add 2001:db8:800::/48 via 2001:db8:b::8 dev rtr-p1
verdict "6: managed neighbour keeps the resolved lladdr" \
	grep -q 'lladdr 02:00:00:00:02:08 .*managed' <(ipn -6 neigh show 2001:db8:b::8 dev rtr-p1)
run route get 2001:db8:800::1
verdict "6: route get: lladdr from the kernel's neighbour table" grep -Eq \
	'^2001:db8:800::1 via 2001:db8:b::8 dev rtr-p1 route 2001:db8:800::/48 nexthop [0-9]+ lladdr 02:00:00:00:02:08$' \
	"$TMP/out"
expect "6: delete it" 0 route del 2001:db8:800::/48
verdict "6: a neighbour the kernel had learnt stays" \
	grep -q 'lladdr 02:00:00:00:02:08' <(ipn -6 neigh show 2001:db8:b::8 dev rtr-p1)
expect "6: add via an unresolved global gateway" 0 route add 2001:db8:801::/48 via 2001:db8:b::9
verdict "6: managed neighbour created for it" \
	grep -q managed <(ipn -6 neigh show 2001:db8:b::9 dev rtr-p1)
expect "6: delete its only route" 0 route del 2001:db8:801::/48 via 2001:db8:b::9
verdict "6: the neighbour ipxr created is deleted with it" \
	test -z "$(ipn -6 neigh show 2001:db8:b::9 dev rtr-p1)"

# route get
run route get 2001:db8:100::5
verdict "6: route get via a gateway" grep -Eq \
	'^2001:db8:100::5 via 2001:db8:a::1 dev rtr-p0 route 2001:db8:100::/48 nexthop [0-9]+ lladdr unresolved$' \
	"$TMP/out"
run route get 2001:0DB8:0300:0000::0007
verdict "6: route get of a host route, address written canonical" grep -Eq \
	'^2001:db8:300::7 via 2001:db8:b::7 dev rtr-p1 route 2001:db8:300::7 nexthop [0-9]+ ' \
	"$TMP/out"
run route get 2001:db8:2ff::1
verdict "6: route get connected" grep -Eq \
	'^2001:db8:2ff::1 dev rtr-p1 route 2001:db8:200::/40 nexthop [0-9]+ lladdr unresolved$' \
	"$TMP/out"
run route get 2001:db8:666:1::1
out_is "6: route get blackhole" 'blackhole 2001:db8:666:1::1 route 2001:db8:666::/48'
run route get 2001:db8:a::fe
out_is "6: route get local" 'local 2001:db8:a::fe dev rtr-p0'
run route get 2001:db8:ffff::1
verdict "6: route get falls to the default route" grep -Eq \
	'^2001:db8:ffff::1 via fe80::1 dev rtr-p1 route default nexthop [0-9]+ ' "$TMP/out"
run -j route get 2001:db8:100::5
json_ok "6: route get -j: keys" '.[0] | .dst == "2001:db8:100::5" and (has("type") | not) and
	.route == "2001:db8:100::/48" and .gateway == "2001:db8:a::1" and .dev == "rtr-p0" and
	(.nexthop | type) == "number" and has("lladdr")'
expect "6: delete default" 0 route delete default via fe80::1 dev rtr-p1
expect_err "6: route get without a route" 3 \
	'no route to 2001:db8:ffff::1 in the fast path: the kernel decides$' route get 2001:db8:ffff::1
expect_err "6: route get, -4 with an IPv6 address" 1 'IPv4 address is expected rather than' \
	-4 route get 2001:db8::1
expect "6: re-add default" 0 route add default via fe80::1 dev rtr-p1

# change, replace
expect "6: change a route to a gateway" 0 route change 2001:db8:400::/56 via 2001:db8:a::1
run route show 2001:db8:400::/56
out_is "6: change took effect" '2001:db8:400::/56 via 2001:db8:a::1 dev rtr-p0 proto PX metric 1024 pref medium'
expect "6: replace creates a missing route" 0 route replace 2001:db8:401::/56 via 2001:db8:a::1
expect "6: replace an existing route" 0 route replace 2001:db8:400::/56 dev rtr-p0
run -j nexthop show
json_ok "6: change and replace moved the reference counts" \
	'(.[] | select(.gateway == "2001:db8:a::1") | .routes) == 4'
expect "6: delete with the matching via" 0 route del 2001:db8:401::/56 via 2001:db8:a::1

# errors: exit code, message, both tables left alone
expect_err "6: host bits set" 1 \
	'"2001:db8:1::1/64" has host bits set, did you mean 2001:db8:1::/64\?$' \
	route add 2001:db8:1::1/64 dev rtr-p0
expect_err "6: host bits set, odd form: the suggestion is canonical" 1 \
	'"2001:DB8:0:0:0:0:0:1/64" has host bits set, did you mean 2001:db8::/64\?$' \
	route add 2001:DB8:0:0:0:0:0:1/64 dev rtr-p0
expect_err "6: bad prefix" 1 'invalid prefix "2001:db8::g/64"' route add 2001:db8::g/64 dev rtr-p0
expect_err "6: prefix length 129" 1 'invalid prefix "2001:db8::/129"' \
	route add 2001:db8::/129 dev rtr-p0
expect_err "6: two ::" 1 'invalid prefix "2001::db8::/64"' route add 2001::db8::/64 dev rtr-p0
expect_err "6: bad gateway address" 1 'an IPv6 address is expected rather than "2001:db8::g"' \
	route add 2001:db8:700::/48 via 2001:db8::g
expect_err "6: IPv6 prefix via an IPv4 gateway" 1 \
	'prefix "2001:db8:700::/48" and gateway "10\.0\.0\.1" are of different families\.$' \
	route add 2001:db8:700::/48 via 10.0.0.1
expect_err "6: IPv4 prefix via an IPv6 gateway" 1 'are of different families' \
	route add 10.80.0.0/16 via 2001:db8:a::1
expect_err "6: -6 with an IPv4 prefix" 1 'an IPv6 prefix is expected rather than "10\.80\.0\.0/16"' \
	-6 route add 10.80.0.0/16 dev rtr-p0
expect_err "6: -4 with an IPv6 gateway" 1 \
	'an IPv4 address is expected rather than "2001:db8:a::1"' -4 route add default via 2001:db8:a::1
expect_err "6: -6 show with an IPv4 selector" 1 'IPv6 prefix is expected' -6 route show 10.0.0.0/8
expect_err "6: a link-local gateway needs dev" 1 'a link-local gateway needs dev\.$' \
	route add 2001:db8:700::/48 via fe80::1
expect_err "6: gateway not on-link" 2 'the kernel refused route "2001:db8:700::/48": No route' \
	route add 2001:db8:700::/48 via 2001:db8:ff::1
expect_err "6: gateway not on-link on that dev" 2 'kernel refused route .*: No route to host' \
	route add 2001:db8:700::/48 via 2001:db8:a::1 dev rtr-p1
expect_err "6: gateway is a local address" 2 'Gateway can not be a local address\.' \
	route add 2001:db8:700::/48 via 2001:db8:a::fe
ip netns exec "$NS" sysctl -qw net.ipv6.conf.rtr-p2.disable_ipv6=1
expect_err "6: link-local gateway on a device without IPv6" 2 'IPv6 is disabled on nexthop device' \
	route add 2001:db8:700::/48 via fe80::1 dev rtr-p2
verdict "6: no stand-in left behind by the refused gateway" test -z "$(standin | grep rtr-p2)"
ip netns exec "$NS" sysctl -qw net.ipv6.conf.rtr-p2.disable_ipv6=0
settle6
expect_err "6: route to delete absent" 2 'route "2001:db8:777::/48" not found' \
	route del 2001:db8:777::/48
expect_err "6: delete a different route than given" 2 'not found' \
	route del 2001:db8:100::/48 via 2001:db8:b::7
expect_err "6: delete: a shorter prefix is not the route" 2 'not found' \
	route del 2001:db8:100::/47
expect_err "6: route to add exists" 2 'route "2001:db8:100::/48" already exists \(File exists\)' \
	route add 2001:db8:0100:0::/48 dev rtr-p1
expect_err "6: route exists, through a new link-local gateway" 2 'already exists' \
	route add 2001:db8:100::/48 via fe80::99 dev rtr-p0
verdict "6: ... its new next hop freed: no stand-in route left" test -z "$(standin | grep fe80::99)"
verdict "6: ... and no managed neighbour left" test -z "$(ipn -6 neigh show fe80::99 dev rtr-p0)"
expect_err "6: change of an absent route" 2 'not found' route change 2001:db8:777::/48 dev rtr-p0
expect_err "6: route get of a non-address" 1 'rather than "2001:db8::g"' route get 2001:db8::g
expect_err "unknown family" 1 'invalid family "inet7": inet or inet6\.$' -f inet7 route show
expect_err "-fo is not -force (only the whole word is)" 1 'unknown option "-fo"' -fo route show
run -j -6 route add 2001:db8:1::1/64 dev rtr-p0
json_ok "6: -j on a usage error: JSON error object" '.error | test("host bits")'
run -j -f inet7 route show
json_ok "6: -j on a bad family: JSON error object" '.error | test("invalid family")'

# forwarding off for IPv6 on the device: a warning naming the IPv6 sysctl
ip netns exec "$NS" sysctl -qw net.ipv6.conf.rtr-p1.forwarding=0
run route add 2001:db8:900::/48 dev rtr-p1
verdict "6: forwarding off: warning names /proc/sys/net/ipv6/conf/rtr-p1/forwarding" \
	grep -q '^Warning: forwarding is off on rtr-p1 (/proc/sys/net/ipv6/conf/rtr-p1/forwarding)' \
	"$TMP/err"
test "$rc" -eq 0 || nok "6: forwarding off: exit code $rc"
run route add 10.92.0.0/16 dev rtr-p1
verdict "6: IPv6 forwarding off does not warn for an IPv4 route" test "$rc" -eq 0 -a ! -s "$TMP/err"
ip netns exec "$NS" sysctl -qw net.ipv6.conf.rtr-p1.forwarding=1
expect "6: remove the warning's routes" 0 -batch - <<<'route del 2001:db8:900::/48
route del 10.92.0.0/16'

# stats per family
run -j stats show
json_ok "6: stats -j: families link, inet, inet6" '.families | keys == ["inet","inet6","link"]'
json_ok "6: stats -j: every reason in every family" \
	"[.families[] | keys] | unique == [$REASONS_JSON]"
json_ok "6: stats -j: reasons are the sums over the families" \
	'. as $s | all(.reasons | keys[]; . as $r |
	 $s.reasons[$r].packets == ([$s.families[][$r].packets] | add) and
	 $s.reasons[$r].bytes == ([$s.families[][$r].bytes] | add))'
run -6 -j stats show
json_ok "6: stats -6 -j: inet6 only, its reasons are the sums" \
	'(.families | keys) == ["inet6"] and .reasons == .families.inet6'
run -4 -j stats show
json_ok "6: stats -4 -j: inet only" '(.families | keys) == ["inet"] and .reasons == .families.inet'
run stats show
verdict "6: stats text: per-family lines are non-zero and well formed" test -z "$(grep -vE \
	'^(action|reason) [a-z_]+ packets [0-9]+ bytes [0-9]+$|^(link|inet|inet6) reason [a-z_]+ packets [1-9][0-9]* bytes [1-9][0-9]*$|^port [a-z0-9-]+( (rx|tx|pass|drop) packets [0-9]+ bytes [0-9]+){4}$|^policy rules: [0-9]+ non-default, the fast path follows table [a-z0-9]+ only$' \
	"$TMP/out")"

# help
run help
verdict "help lists -4, -6 and -f[amily] { inet | inet6 }" \
	grep -q -- '-force | -4 | -6 | -f\[amily\] { inet | inet6 } | -h\[elp\] }$' "$TMP/out"
for obj in route nexthop stats; do
	run "$obj" help
	verdict "$obj help: the OPTIONS with -4 | -6 | -f[amily] { inet | inet6 }" \
		grep -q -- '-force | -4 | -6 | -f\[amily\] { inet | inet6 } | -h\[elp\] }$' "$TMP/out"
done

# text output is valid input; -6 flush leaves IPv4, flush leaves IPv6
"$IPXR" -n "$NS" -6 route show >"$TMP/saved6"
"$IPXR" -n "$NS" route show >"$TMP/saved4"
expect "6: route flush (IPv4)" 0 route flush table main proto ipxr
run -6 route show
out_is "6: route flush left the IPv6 routes" "$(cat "$TMP/saved6")"
expect "6: IPv4 table re-fed" 0 -batch - < <(sed 's/^/route add /' "$TMP/saved4")
run route show
out_is "6: IPv4 table identical" "$(cat "$TMP/saved4")"
expect "6: -6 route flush root 2001:db8:100::/40" 0 -6 route flush root 2001:db8:100::/40
run -6 route show root 2001:db8::/32
verdict "6: flush root removed the routes inside" test -z "$(grep '^2001:db8:10[01]::' "$TMP/out")"
expect "6: -6 route flush" 0 -6 route flush proto ipxr
run -6 route show
out_is "6: -6 route flush emptied the IPv6 table" ''
run route show
out_is "6: -6 route flush left IPv4 alone" "$(cat "$TMP/saved4")"
run -6 route show type local
verdict "6: -6 flush kept the local routes" test "$(wc -l <"$TMP/out")" -eq 3
run -j -6 nexthop show
json_ok "6: -6 flush freed the IPv6 gateways" 'all(.[]; (.gateway // "") | test(":") | not)'
verdict "6: -6 flush removed the stand-in routes" test -z "$(standin)"
verdict "6: -6 flush removed the managed neighbours" \
	test -z "$(ipn -6 neigh show fe80::1 dev rtr-p1; ipn -6 neigh show 2001:db8:a::1 dev rtr-p0)"
expect "6: -6 show output re-fed through -batch" 0 -batch - < <(sed 's/^/route add /' "$TMP/saved6")
run -6 route show
out_is "6: re-fed IPv6 table is identical" "$(cat "$TMP/saved6")"
verdict "6: re-fed: the stand-in route is back" grep -q 'via fe80::1 dev rtr-p1' <(standin)
printf '%s\n' 'route show default' 'route del default' 'route show default' \
	'route add default via fe80::1 dev rtr-p1' | "$IPXR" -n "$NS" -6 -j -batch - >"$TMP/out"
json_ok "6: -6 applies to every line of a batch (default is ::/0)" -s \
	'length == 2 and .[0][0].gateway == "fe80::1" and .[1] == []'
run route show default
verdict "6: ... and left IPv4's default alone" \
	grep -q "^default via 10.0.0.1 dev rtr-p0 proto $PX$" "$TMP/out"
run -6 route show default
out_is "6: ... and re-added IPv6's" 'default via fe80::1 dev rtr-p1 proto PX metric 1024 pref medium'
in_step "IPv6 writes leave the IPv4 table alone"
expect "6: ip -6 route show loads into ipxr (fe80::/64 ... proto kernel metric 256 pref medium)" \
	0 -b - < <(ipn -6 route show | sed 's/^/route add /')
run -6 -j route show
json_ok "6: ... the kernel's fe80::/64 compiled with its metric" \
	'any(.[]; .dst == "fe80::/64" and .metric == 256 and .protocol == "kernel")'
agree "after loading ip -6 route show"

# --- not root ---
# The unprivileged user runs a copy of the binary, in a directory it can enter: the clone may
# live where it cannot (/root is mode 700), and then the kernel refuses the exec, not ipxr the
# user. $TMP opens for traversal only, so that it is the pinned maps' own checks that refuse.
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all)
NOBODY_IPXR=$TMP/nobody/ipxr
mkdir -p "$TMP/nobody" && cp "$IPXR" "$NOBODY_IPXR" && chmod 755 "$TMP/nobody" "$NOBODY_IPXR" &&
	chmod o+x "$TMP" || die "a copy of $IPXR the unprivileged user can run"
"${NOBODY[@]}" test -x "$NOBODY_IPXR" || die "$NOBODY_IPXR is not executable by uid 65534"
"${NOBODY[@]}" env TC_BPF_MNT="$TC_BPF_MNT" "$NOBODY_IPXR" route show >"$TMP/out" 2>"$TMP/err"
rc=$?
verdict "not root: exit 2" test "$rc" -eq 2
verdict "not root: EPERM/EACCES explained" \
	grep -Eq '^Error: .*(Permission denied|Operation not permitted).*needs root.*CAP_BPF' \
	"$TMP/err"
"${NOBODY[@]}" env TC_BPF_MNT="$TC_BPF_MNT" "$NOBODY_IPXR" -n "$NS" -j route add 10.72.0.0/16 \
	dev rtr-p0 >"$TMP/out" 2>"$TMP/err"
rc=$?
verdict "not root with -n: exit 2" test "$rc" -eq 2
json_ok "not root with -j: JSON error" '.error | test("needs root")'

# --- maps of another layout: built from a copy of the object with other numbers ---
build_variant() {	# build_variant DIR SED-EXPR
	mkdir -p "$1"
	cp bpf/*.c bpf/*.h "$1/"
	sed -i "$2" "$1/ipxr_maps.h"
	clang -O2 -g -target bpf -I/usr/include/"$(gcc -print-multiarch)" -I"$1" \
		-c "$1/xdp_router.c" -o "$1/xdp_router.o"
}
pin_variant() {	# pin_variant OBJ MNT: load on a spare port, unload, the pins stay
	TC_BPF_MNT=$2 ip -n "$NS" link set dev rtr-p2 xdpdrv obj "$1" sec xdp_router &&
		ip -n "$NS" link set dev rtr-p2 xdpdrv off
}
other=$((LAYOUT + 1))
if build_variant "$TMP/v3" "s/IPXR_LAYOUT_VERSION = $LAYOUT,/IPXR_LAYOUT_VERSION = $other,/" &&
   pin_variant "$TMP/v3/xdp_router.o" "$TMP/bpffs2"; then
	TC_BPF_MNT=$TMP/bpffs2 run route add 10.73.0.0/16 dev rtr-p0
	verdict "layout version mismatch: exit 4" test "$rc" -eq 4
	verdict "layout version mismatch: names both versions" \
		grep -Eq "^Error: .*layout version $other.*layout version $LAYOUT" "$TMP/err"
	TC_BPF_MNT=$TMP/bpffs2 run route show
	verdict "layout version mismatch: readers refuse too (exit 4)" test "$rc" -eq 4
else
	nok "layout version mismatch: could not build or pin the variant object"
fi
if build_variant "$TMP/small" 's/IPXR_MAX_LOCAL4\t\t4096/IPXR_MAX_LOCAL4\t\t64/' &&
   pin_variant "$TMP/small/xdp_router.o" "$TMP/bpffs3"; then
	TC_BPF_MNT=$TMP/bpffs3 run route show
	verdict "map of another size: exit 4" test "$rc" -eq 4
	verdict "map of another size: says which map and what differs" \
		grep -q 'ipxr_local4.*max_entries 64.*max_entries 4096' "$TMP/err"
else
	nok "map size mismatch: could not build or pin the variant object"
fi

if build_variant "$TMP/small6" 's/IPXR_MAX_ROUTES6\t(1U << 18)/IPXR_MAX_ROUTES6\t(1U << 10)/' &&
   pin_variant "$TMP/small6/xdp_router.o" "$TMP/bpffs4"; then
	TC_BPF_MNT=$TMP/bpffs4 run -6 route show
	verdict "ipxr_route6 of another size: exit 4" test "$rc" -eq 4
	verdict "ipxr_route6 of another size: says which map and what differs" \
		grep -q 'ipxr_route6.*max_entries 1024.*max_entries 262144' "$TMP/err"
else
	nok "ipxr_route6 size mismatch: could not build or pin the variant object"
fi

# --- IPv6 table full: fill the trie to its 262,144 entries, then one more ---
have6=$(( $("$IPXR" -n "$NS" -6 route show | wc -l) +
	  $("$IPXR" -n "$NS" -6 route show type local | wc -l) ))
need6=$(( 262144 - have6 ))
conn6=$("$IPXR" -n "$NS" -j nexthop show dev rtr-p1 |
	jq '.[] | select(has("gateway") | not) | .routes')
gw6=$("$IPXR" -n "$NS" -j nexthop show | jq '.[] | select(.gateway == "2001:db8:a::1") | .routes')
awk -v n="$need6" 'BEGIN { for (i = 0; i < n; i++)
	printf "route add 2001:db8:%x:%x::/64 dev rtr-p1\n", 4096 + int(i / 65536), i % 65536 }' \
	>"$TMP/fill6"
start=$SECONDS
expect "6: fill the IPv6 route table ($need6 routes in one batch)" 0 -batch "$TMP/fill6"
diag "filled in $((SECONDS - start)) s"
run route add 2001:db8:ff00::/48 via 2001:db8:a::1
verdict "6: table full: exit 2" test "$rc" -eq 2
verdict "6: table full: message" grep -q '^Error: route table full (262144 routes)$' "$TMP/err"
run route show 2001:db8:ff00::/48
verdict "6: table full: nothing added" test "$rc" -eq 0 -a ! -s "$TMP/out"
verdict "6: table full: the kernel's half undone" test -z "$(ipn -6 route show 2001:db8:ff00::/48)"
run -j nexthop show
json_ok "6: table full: reference counts unchanged" \
	'(.[] | select(.gateway == "2001:db8:a::1") | .routes) == '"$gw6"' and
	 (.[] | select(.dev == "rtr-p1" and (has("gateway") | not)) | .routes) == '"$((conn6 + need6))"
run route add 10.93.0.0/16 dev rtr-p1
verdict "6: a full IPv6 table leaves IPv4 writable" test "$rc" -eq 0
expect "6: and that IPv4 route deleted" 0 route del 10.93.0.0/16

# --- table full: fill the trie to its max_entries, then one more ---
have=$(( $("$IPXR" -n "$NS" route show | wc -l) + $("$IPXR" -n "$NS" route show type local |
	wc -l) ))
need=$(( 1048576 - have ))
conn=$("$IPXR" -n "$NS" -j nexthop show dev rtr-p1 | jq '.[] | select(has("gateway") | not) | .routes')
awk -v n="$need" 'BEGIN { for (i = 0; i < n; i++) { x = 1677721600 + i;
	printf "route add %d.%d.%d.%d dev rtr-p1\n", int(x / 16777216), int(x / 65536) % 256,
	int(x / 256) % 256, x % 256 } }' >"$TMP/fill"
start=$SECONDS
expect "fill the route table ($need routes in one batch)" 0 -batch "$TMP/fill"
diag "filled in $((SECONDS - start)) s"
run route add 10.74.0.0/16 via 10.0.0.1
verdict "table full: exit 2" test "$rc" -eq 2
verdict "table full: message" grep -q '^Error: route table full (1048576 routes)$' "$TMP/err"
run route show 10.74.0.0/16
verdict "table full: nothing added" test "$rc" -eq 0 -a ! -s "$TMP/out"
verdict "table full: the kernel's half undone" test -z "$(ipn route show 10.74.0.0/16)"
run -j nexthop show
json_ok "table full: reference counts unchanged" \
	'(.[] | select(.gateway == "10.0.0.1") | .routes) == 3 and
	 (.[] | select(.dev == "rtr-p1" and (has("gateway") | not)) | .routes) == '"$((conn + need))"
in_step "a full table ($need /32 routes added in one batch)"

echo "# $npass passed, $nfail failed"
[[ $nfail -eq 0 ]]
