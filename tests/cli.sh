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

# expect_err LABEL RC REGEX ARGS...: exit code, an "Error:" line matching REGEX, same table
expect_err() {
	local label=$1 want=$2 re=$3 before
	shift 3
	before=$("$IPXR" -n "$NS" route show type unicast; "$IPXR" -n "$NS" route show blackhole;
		 "$IPXR" -n "$NS" nexthop show)
	run "$@"
	if [[ $rc -eq $want ]] && grep -Eq -- "^Error: .*$re" "$TMP/err" &&
	   ! grep -q AddressSanitizer "$TMP/err"; then
		ok "$label (exit $want, message)"
	else
		nok "$label (exit $want, message /$re/; got $rc)"
	fi
	verdict "$label: table unchanged" test "$before" == \
		"$("$IPXR" -n "$NS" route show type unicast; "$IPXR" -n "$NS" route show blackhole;
		   "$IPXR" -n "$NS" nexthop show)"
}

out_is() {	# out_is LABEL EXPECTED: stdout of the last run
	local got
	got=$(cat "$TMP/out")
	if [[ $got == "$2" ]]; then ok "$1"; else nok "$1"; diag "expected: $2"; fi
}

json_ok() {	# json_ok LABEL JQ-FILTER: the last stdout is JSON and the filter is true
	if jq -e "$2" "$TMP/out" >/dev/null 2>&1; then ok "$1"; else nok "$1"; fi
}

# --- setup: two router ports, a private bpffs, the program on both ports ---
for t in ip jq clang setpriv; do
	command -v "$t" >/dev/null || die "$t missing"
done
[[ -x $IPXR ]] || die "$IPXR not built (make asan)"
[[ -f $OBJ ]] || die "$OBJ not built (make)"

mkdir -p "$TMP/bpffs" "$TMP/empty" "$TMP/bpffs2" "$TMP/bpffs3"
for m in bpffs empty bpffs2 bpffs3; do
	mount -t bpf bpf "$TMP/$m" || die "mount bpffs"
	MNTS+=("$TMP/$m")
done
export TC_BPF_MNT=$TMP/bpffs

ip netns add "$NS" || die "netns"
ipn() { ip -n "$NS" "$@"; }
ipn link add rtr-p0 type veth peer name rtr-p1 || die "veth"
ipn link add rtr-p2 type veth peer name rtr-p3 || die "veth"
for d in rtr-p0 rtr-p1 rtr-p2 rtr-p3 lo; do
	ipn link set "$d" up
done
ipn addr add 10.0.0.254/24 dev rtr-p0
ipn addr add 10.0.1.254/24 dev rtr-p1
ip netns exec "$NS" sysctl -qw net.ipv4.conf.all.forwarding=1 net.ipv4.conf.rtr-p0.forwarding=1 \
	net.ipv4.conf.rtr-p1.forwarding=1
ipn link set dev rtr-p0 xdpdrv obj "$OBJ" sec xdp_router || die "attach rtr-p0"
ipn link set dev rtr-p1 xdpdrv obj "$OBJ" sec xdp_router || die "attach rtr-p1"

# --- version, help, usage ---
run -V
verdict "-V prints version and map layout" test "$(cat "$TMP/out")" == "ipxr 0.1.0 (map layout 1)"
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

SHOW='default via 10.0.0.1 dev rtr-p0
10.7.7.7 via 10.0.1.7 dev rtr-p1
10.9.0.0/16 dev rtr-p1
blackhole 10.66.0.0/16
172.16.0.0/12 dev rtr-p0
172.31.5.0/24 dev rtr-p1
192.0.2.0/24 via 10.0.0.1 dev rtr-p0
198.51.100.0/24 via 10.0.0.1 dev rtr-p0
203.0.113.0/25 dev rtr-p0'
run route show
out_is "route show: text, sorted by address then length" "$SHOW"
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
	'.[] | select(.dst == "192.0.2.0/24") | .type == "unicast" and .gateway == "10.0.0.1"
	 and .dev == "rtr-p0" and (.nexthop | type) == "number" and (keys | length) == 5'
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
verdict "-s: next-hop counters on the next line" grep -Eq '^    nexthop [0-9]+ packets 0 bytes 0$' \
	"$TMP/out"
run -j -s route show
json_ok "-j -s: stats object with packets and bytes" \
	'all(.[]; .stats.packets == 0 and .stats.bytes == 0)'

# --- selectors ---
run route show root 192.0.0.0/3
out_is "show root: routes inside the prefix" '192.0.2.0/24 via 10.0.0.1 dev rtr-p0
198.51.100.0/24 via 10.0.0.1 dev rtr-p0
203.0.113.0/25 dev rtr-p0'
run route show match 192.0.2.77
out_is "show match: routes covering the address" 'default via 10.0.0.1 dev rtr-p0
192.0.2.0/24 via 10.0.0.1 dev rtr-p0'
run route show 192.0.2.0/24
out_is "show PREFIX is exact" '192.0.2.0/24 via 10.0.0.1 dev rtr-p0'
run route show to exact 192.0.0.0/8
out_is "show to exact: nothing when absent" ''
run route show blackhole
out_is "show TYPE" 'blackhole 10.66.0.0/16'
run route show type unicast via 10.0.1.7
out_is "show via" '10.7.7.7 via 10.0.1.7 dev rtr-p1'
run route show dev rtr-p1
out_is "show dev" '10.7.7.7 via 10.0.1.7 dev rtr-p1
10.9.0.0/16 dev rtr-p1
172.31.5.0/24 dev rtr-p1'
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
json_ok "nexthop show -j dev: keys id gateway dev routes lladdr mtu managed" \
	'length == 2 and (.[] | select(.gateway == "10.0.1.7") | (keys | sort) ==
	 ["dev","gateway","id","lladdr","managed","mtu","routes"] and .managed == true)'
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
json_ok "route get -j: keys" '.dst == "10.9.3.4" and .type == "unicast" and
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
json_ok "stats -j: every reason of IPXR_STAT_LIST" \
	'.reasons | keys | sort == ["blackhole","forward","fwd_disabled","ip_options","local",
	 "malformed","martian","mtu_exceeded","multicast","nh_invalid","no_neigh","no_route",
	 "other_proto","ttl_exceeded"]'
run stats
verdict "stats without command shows" grep -q '^reason forward packets' "$TMP/out"

# --- change, replace, delete ---
expect "change an existing route" 0 route change 203.0.113.0/25 dev rtr-p1
run route show 203.0.113.0/25
out_is "change took effect" '203.0.113.0/25 dev rtr-p1'
expect "replace an existing route" 0 route replace 203.0.113.0/25 via 10.0.0.1
expect "replace creates a missing route" 0 route replace 203.0.113.128/25 via 10.0.0.1
run -j nexthop show
json_ok "replace moved the reference counts" \
	'(.[] | select(.gateway == "10.0.0.1") | .routes) == 5 and
	 (.[] | select(.dev == "rtr-p1" and (has("gateway") | not)) | .routes) == 2'
expect "delete with matching via" 0 route del 203.0.113.128/25 via 10.0.0.1
expect "delete abbreviated (r d)" 0 r d 203.0.113.0/25

# --- text output is valid input ---
"$IPXR" -n "$NS" route show >"$TMP/saved"
sed 's/^/route add /' "$TMP/saved" >"$TMP/readd"
expect "flush all" 0 route flush
run route show
out_is "flush emptied the table" ''
run -j nexthop show
json_ok "flush freed every next hop" 'length == 0'
run route show type local
verdict "flush kept the local routes" test "$(wc -l <"$TMP/out")" -eq 3
expect "show output re-fed through -batch" 0 -batch "$TMP/readd"
run route show
out_is "re-fed table is identical" "$(cat "$TMP/saved")"

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
out_is "batch: stops at the first error" '10.50.0.0/16 dev rtr-p0
10.51.0.0/16 via 10.0.0.1 dev rtr-p0
blackhole 10.52.0.0/16'
expect "batch: flush the batch's routes" 0 route flush root 10.48.0.0/12
run -force -batch "$TMP/batch"
verdict "batch -force: still fails with the first code" test "$rc" -eq 3
run route show root 10.48.0.0/12
verdict "batch -force: goes on after the error" grep -q '^10.54.0.0/16 dev rtr-p0$' "$TMP/out"
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
expect_err "gateway is a local address" 2 'Nexthop has invalid gateway\.' \
	route add 10.70.0.0/16 via 10.0.0.254
expect_err "/32 of a router address" 2 '"10\.0\.0\.254" is an address of this router' \
	route add 10.0.0.254/32 dev rtr-p0
expect_err "delete a local route" 2 'address of this router' route del 10.0.1.254
expect_err "duplicate keyword" 1 'either "via" is duplicate, or "10\.0\.0\.2" is a garbage' \
	route add 10.70.0.0/16 via 10.0.0.1 via 10.0.0.2
expect_err "garbage word" 1 'either "to" is duplicate, or "foo" is a garbage' \
	route add 10.70.0.0/16 dev rtr-p0 foo
expect_err "keywords are not abbreviated" 1 '"v" is a garbage' route add 10.70.0.0/16 v 10.0.0.1
expect_err "missing argument" 1 'argument is missing after "dev"' route add 10.70.0.0/16 dev
expect_err "missing prefix" 1 'a prefix is needed' route add via 10.0.0.1
expect_err "blackhole with a dev" 1 'blackhole route takes neither' \
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

# --- not root ---
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all)
"${NOBODY[@]}" env TC_BPF_MNT="$TC_BPF_MNT" "$IPXR" route show >"$TMP/out" 2>"$TMP/err"
rc=$?
verdict "not root: exit 2" test "$rc" -eq 2
verdict "not root: EPERM/EACCES explained" \
	grep -Eq '^Error: .*(Permission denied|Operation not permitted).*needs root.*CAP_BPF' \
	"$TMP/err"
"${NOBODY[@]}" env TC_BPF_MNT="$TC_BPF_MNT" "$IPXR" -n "$NS" -j route add 10.72.0.0/16 \
	dev rtr-p0 >"$TMP/out" 2>"$TMP/err"
rc=$?
verdict "not root with -n: exit 2" test "$rc" -eq 2
json_ok "not root with -j: JSON error" '.error | test("needs root")'

# --- maps of another layout: built from a copy of the object with other numbers ---
build_variant() {	# build_variant DIR SED-EXPR
	mkdir -p "$1"
	cp bpf/xdp_router.c bpf/ipxr_maps.h "$1/"
	sed -i "$2" "$1/ipxr_maps.h"
	clang -O2 -g -target bpf -I/usr/include/"$(gcc -print-multiarch)" -I"$1" \
		-c "$1/xdp_router.c" -o "$1/xdp_router.o"
}
pin_variant() {	# pin_variant OBJ MNT: load on a spare port, unload, the pins stay
	TC_BPF_MNT=$2 ip -n "$NS" link set dev rtr-p2 xdpdrv obj "$1" sec xdp_router &&
		ip -n "$NS" link set dev rtr-p2 xdpdrv off
}
if build_variant "$TMP/v2" 's/IPXR_LAYOUT_VERSION = 1,/IPXR_LAYOUT_VERSION = 2,/' &&
   pin_variant "$TMP/v2/xdp_router.o" "$TMP/bpffs2"; then
	TC_BPF_MNT=$TMP/bpffs2 run route add 10.73.0.0/16 dev rtr-p0
	verdict "layout version mismatch: exit 4" test "$rc" -eq 4
	verdict "layout version mismatch: names both versions" \
		grep -Eq '^Error: .*layout version 2.*layout version 1' "$TMP/err"
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
run -j nexthop show
json_ok "table full: reference counts unchanged" \
	'(.[] | select(.gateway == "10.0.0.1") | .routes) == 3 and
	 (.[] | select(.dev == "rtr-p1" and (has("gateway") | not)) | .routes) == '"$((conn + need))"

echo "# $npass passed, $nfail failed"
[[ $nfail -eq 0 ]]
