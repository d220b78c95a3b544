#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Trusted under faults (issue 11): a writer killed at any instant leaves state the next write
# makes exact, ipxr check finds what is wrong, ports running other maps are noticed, route flush
# needs a selector and the documented teardown leaves nothing behind.
#
#	tests/faults.sh		(root; IPXR=path/to/ipxr, default build/asan/ipxr; V=1 verbose)
#
# Topology: tests/lib.sh's h1 - r - h2, plus h3 on r-eth2 (10.0.3.2), the reproducers' second
# gateway. Routes go through the router's ports; no packet leaves the namespaces.

# shellcheck source=tests/lib.sh
source "$(dirname "$0")/lib.sh"

need_e2e_tools
FAST_IPXR=${FAST_IPXR:-$ROOT/ipxr/ipxr}
[[ -x $FAST_IPXR ]] || FAST_IPXR=$IPXR

lib_init ipxr-faults
H3=ipxr-faults-$$-h3
topo_build || bail "topology h1 - r - h2 built"
run netns_add "$H3" &&
	run ip link add r-eth2 netns "$R" type veth peer name h3-eth0 netns "$H3" &&
	run ip -n "$R" addr add 10.0.3.254/24 dev r-eth2 &&
	run ip -n "$H3" addr add 10.0.3.2/24 dev h3-eth0 &&
	run ip -n "$R" link set dev r-eth2 up && run ip -n "$H3" link set dev h3-eth0 up &&
	run host_rx "$H3" h3-eth0 || bail "h3 on r-eth2"
topo_attach || bail "xdp_router.o attached on the router's ports"
run ip -n "$R" link set dev r-eth2 xdpdrv obj "$XDP_OBJ" sec xdp_router || bail "r-eth2 attached"

# px ARGS...: the release build, for the big batches (the sanitizers' build is 10 times slower)
px() { timeout --kill-after=2 60 "$FAST_IPXR" -n "$R" "$@"; }

# check_ok LABEL: ipxr check passes
check_ok() { check "$1: ipxr check passes" ipxr check; }

# gen_batch FILE N GW DEV: N "route add 100.X.Y.0/24 via GW dev DEV" lines
gen_batch()
{
	awk -v n="$2" -v gw="$3" -v dev="$4" 'BEGIN {
		for (i = 0; i < n; i++)
			printf "route add 100.%d.%d.0/24 via %s dev %s\n", int(i / 256) % 256, i % 256, gw, dev
	}' >"$1"
}

# in_trie: how many routes inside 100.0.0.0/8 the maps hold, and through which gateways
routes_100() { px -j route show root 100.0.0.0/8 | jq -r 'length'; }

check "a route through h2" ipxr route add 198.51.100.0/24 via 10.0.2.2 dev r-eth1
check_ok "fresh state"

# ---- reproducer 1: an interrupted batch, then a delete and an add through another gateway ----

check "100.0.0.0/8 via 10.0.2.2" ipxr route add 100.0.0.0/8 via 10.0.2.2 dev r-eth1
gen_batch "$LIB_TMP/big" 60000 10.0.2.2 r-eth1
"$FAST_IPXR" -n "$R" -b "$LIB_TMP/big" >/dev/null 2>&1 &
pid=$!
# kill it half-way: once the trie holds some of its routes
for ((i = 0; i < 400; i++)); do
	n=$(routes_100 2>/dev/null)
	[[ $n =~ ^[0-9]+$ ]] && ((n > 2000)) && break
	sleep 0.02
done
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
n=$(routes_100)
diag "the batch was killed with $n routes of 100.0.0.0/8 in the maps"
expect_ge "the batch was killed half-way" "$((60000 - n))" 1
check_fail "ipxr check finds the interrupted write" ipxr check
ipxr check >"$LIB_TMP/check.out" 2>&1
expect_match "ipxr check names the interrupted writer" "^write: " "$(cat "$LIB_TMP/check.out")"
expect_eq "ipxr -j check: the problems as JSON" \
	"$(ipxr -j check 2>/dev/null | jq -r '.[0].check')" write
check "route del 100.0.0.0/8 (the next write recovers first)" \
	ipxr route del 100.0.0.0/8 via 10.0.2.2 dev r-eth1
check "route add 192.0.2.0/24 via 10.0.3.2 dev r-eth2" \
	ipxr route add 192.0.2.0/24 via 10.0.3.2 dev r-eth2
others=$(px -j route show root 100.0.0.0/8 | jq '[.[] | select(.gateway != "10.0.2.2")] | length')
expect_eq "every route of the killed batch still goes via 10.0.2.2" "$others" 0
nh2=$(px -j nexthop show | jq '.[] | select(.gateway == "10.0.2.2") | .routes')
expect_eq "next hop 10.0.2.2 counts the routes that use it" "$nh2" "$(($(routes_100) + 1))"
check_ok "after recovery"

# ---- kill -9 at 10 random instants of a batch mixing adds, replaces and deletes ----

gen_batch "$LIB_TMP/mix" 20000 10.0.3.2 r-eth2
awk '{ print } NR % 3 == 0 { sub(/^route add/, "route replace"); sub(/10.0.3.2 dev r-eth2/, "10.0.2.2 dev r-eth1"); print }
     NR % 7 == 0 { sub(/^route (add|replace)/, "route del"); print }' "$LIB_TMP/mix" >"$LIB_TMP/mix2"
bad=0
for ((k = 0; k < 10; k++)); do
	px route flush root 100.0.0.0/8 >/dev/null 2>&1
	"$FAST_IPXR" -n "$R" -force -b "$LIB_TMP/mix2" >/dev/null 2>&1 &
	pid=$!
	sleep "0.$((RANDOM % 9 + 1))"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	ipxr route replace 203.0.113.0/24 via 10.0.3.2 dev r-eth2 >"$LIB_TMP/write.out" 2>&1
	if ! ipxr check >"$LIB_TMP/check.out" 2>&1; then
		bad=$((bad + 1))
		diag "kill $k: the next write said:"
		diag_output "$(head -5 "$LIB_TMP/write.out")"
		diag "and ipxr check after it:"
		diag_output "$(head -5 "$LIB_TMP/check.out")"
	fi
done
expect_eq "ipxr check passes after the next write, each of 10 kills" "$bad" 0
px route flush root 100.0.0.0/8 >/dev/null 2>&1

# ---- ipxr check finds what it is for, and repair mends it ----

nh=$(px -j nexthop show | jq '.[] | select(.gateway == "10.0.3.2") | .id')
# its reference count (bytes 4-7 of struct ipxr_nexthop) set to 99 behind ipxr's back
key="$((nh & 255)) $((nh >> 8 & 255)) 0 0"
# shellcheck disable=SC2086 # words on purpose
val=$(bpftool -j map lookup pinned "$(pinned ipxr_nexthop)" key $key |
	jq -r '.value | .[4] = "0x63" | .[5] = "0x00" | .[6] = "0x00" | .[7] = "0x00" | join(" ")')
# shellcheck disable=SC2086
run bpftool map update pinned "$(pinned ipxr_nexthop)" key $key value $val
ipxr check >"$LIB_TMP/check.out" 2>&1
rc=$?
expect_eq "a wrong reference count: ipxr check exits 5" "$rc" 5
expect_match "ipxr check names the next hop" "^nexthop: next hop $nh counts 99 routes" \
	"$(cat "$LIB_TMP/check.out")"
# a route of ipxr the maps miss (a write killed after its kernel half), and one the kernel lost
ip -n "$R" route add 198.18.0.0/24 via 10.0.2.2 dev r-eth1 proto 105
bpftool map delete pinned "$(pinned ipxr_route4)" key 24 0 0 0 198 51 100 0 2>/dev/null
ipxr check >"$LIB_TMP/check.out" 2>&1
expect_match "ipxr check: a kernel route the maps miss" \
	"^route: the kernel routes 198.18.0.0/24 via 10.0.2.2 dev r-eth1, the maps have no entry" \
	"$(cat "$LIB_TMP/check.out")"
expect_match "ipxr check: a kernel route deleted behind ipxr's back" \
	"^route: the kernel routes 198.51.100.0/24" "$(cat "$LIB_TMP/check.out")"
check "ipxr check repair" ipxr check repair
check_ok "after repair"
expect_eq "repair compiled the kernel's route" \
	"$(ipxr -j route show 198.18.0.0/24 | jq -r '.[0].gateway')" 10.0.2.2

# ---- reproducer 4: ports running other maps, maps used by no port ----

rm -f "$(pinned ipxr_nexthop)"
run ip -n "$R" -force link set dev r-eth1 xdpdrv obj "$XDP_OBJ" sec xdp_router
ipxr route add 198.18.1.0/24 via 10.0.2.2 dev r-eth1 >"$LIB_TMP/out" 2>&1
expect_match "a write warns that a port runs other maps" \
	"port r-eth0 runs XDP program [0-9]* with map ipxr_nexthop id" "$(cat "$LIB_TMP/out")"
ipxr check >"$LIB_TMP/check.out" 2>&1
rc=$?
expect_eq "ipxr check fails on a port running other maps" "$rc" 5
expect_match "ipxr check names the ports" "^port: port r-eth2 runs" "$(cat "$LIB_TMP/check.out")"
for dev in r-eth0 r-eth1 r-eth2; do
	ip -n "$R" link set dev "$dev" xdp off
done
ipxr route add 198.18.2.0/24 via 10.0.2.2 dev r-eth1 >"$LIB_TMP/out" 2>&1
expect_match "a write warns that no port runs the object" \
	"no port runs the XDP object with the pinned maps" "$(cat "$LIB_TMP/out")"
check_fail "ipxr check fails when no port runs the object" ipxr check

# ---- maps made anew: ipxr check repair compiles ipxr's kernel routes into them ----

rm -f "$TC_BPF_MNT"/xdp/globals/ipxr_*
for dev in r-eth0 r-eth1 r-eth2; do
	run ip -n "$R" link set dev "$dev" xdpdrv obj "$XDP_OBJ" sec xdp_router
done
check_fail "new maps: ipxr check misses ipxr's kernel routes" ipxr check
check "ipxr check repair" ipxr check repair
check_ok "new maps repaired"
expect_eq "repair compiled ipxr's routes" \
	"$(ipxr -j route show 192.0.2.0/24 | jq -r '.[0].gateway')" 10.0.3.2

# ---- reproducer 5: route flush needs a selector; the documented teardown ----

nroutes() { ip -n "$R" -j route show table main | jq length; }
before=$(nroutes)
ipxr route flush >/dev/null 2>&1
expect_eq "route flush without a selector refuses (exit 1)" "$?" 1
expect_eq "route flush without a selector deletes nothing" "$(nroutes)" "$before"
ipxr -4 route flush >/dev/null 2>&1
expect_eq "route -4 flush without a selector refuses too" "$?" 1

# The teardown from a normal history: the pins removed above orphaned the managed neighbour
# entries of the first maps' next hops (xdp_router(8) says so), so start from none.
check "ipxr route flush all proto ipxr" ipxr route flush all proto ipxr
ip -n "$R" neigh flush dev r-eth1
ip -n "$R" neigh flush dev r-eth2
check "a route via 10.0.3.2 anew" ipxr route add 192.0.2.0/24 via 10.0.3.2 dev r-eth2
# IPv6 with a link-local gateway: a stand-in route and a managed neighbour to take away
run ip netns exec "$R" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 \
	net.ipv6.conf.r-eth1.disable_ipv6=0
check "an IPv6 route via a link-local gateway" \
	ipxr route add 2001:db8:1::/48 via fe80::1 dev r-eth1
expect_eq "its stand-in route is in table 1768978546" \
	"$(ip -n "$R" -6 -j route show table 1768978546 | jq length)" 1
expect_match "its gateway is a managed neighbour" "managed" \
	"$(ip -n "$R" -6 neigh show fe80::1 dev r-eth1)"
check "a managed IPv4 neighbour too" ipxr route add 198.18.7.0/24 via 10.0.2.2 dev r-eth1
check_ok "before the teardown"

# exactly README's and xdp_router(8)'s teardown
check "ipxr route flush all proto ipxr" ipxr route flush all proto ipxr
for dev in r-eth0 r-eth1 r-eth2; do
	ip -n "$R" link set dev "$dev" xdpdrv off
done
rm -f "$TC_BPF_MNT"/xdp/globals/ipxr_*
expect_eq "teardown: no route of protocol ipxr (IPv4)" \
	"$(ip -n "$R" -4 route show table all proto 105)" ""
expect_eq "teardown: no route of protocol ipxr (IPv6)" \
	"$(ip -n "$R" -6 route show table all proto 105)" ""
expect_eq "teardown: no stand-in route" "$(ip -n "$R" -6 route show table 1768978546)" ""
expect_eq "teardown: no managed neighbour" \
	"$(ip -n "$R" neigh show; ip -n "$R" -6 neigh show | grep managed)" \
	"$(ip -n "$R" neigh show | grep -v managed)"
expect_eq "teardown: no pin" "$(ls "$TC_BPF_MNT/xdp/globals" | grep '^ipxr_')" ""
expect_eq "teardown: the kernel's connected routes stay" \
	"$(ip -n "$R" -4 route show proto kernel | wc -l)" 3

lib_finish
