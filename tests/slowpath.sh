#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The slow path agrees (issue 13): for a route written with `ipxr route add ... via` to a prefix
# nothing else routes, what the fast path hands to the kernel is finished by a kernel that has
# the same route. A TTL 1 ping gets "Time to live exceeded" from the router, a DF packet over
# the egress MTU gets "Frag needed" with that MTU (IPv6: Packet Too Big), a route's own MTU
# counts too, and a TCP transfer whose MSS is above the egress MTU completes (path MTU
# discovery works). Both families. Then a port flap without ipxr sync: the router is at least as
# good as the kernel alone, which now has the route.
#
#	tests/slowpath.sh	(root; IPXR=path/to/ipxr, default build/asan/ipxr; V=1 verbose)

# shellcheck source=tests/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=tests/lib6.sh
source "$(dirname "$0")/lib6.sh"

GW4_NET=198.51.100.0/24		# behind h2; only ipxr writes a route to it
GW4_HOST=198.51.100.7

need_e2e_tools

lib_init ipxr-slow
topo_build || bail "topology h1 - r - h2 built"
topo6_build || bail "IPv6 addresses and routes on h1 - r - h2"
topo_attach || bail "xdp_router.o attached on the router's ports"
run ip -n "$H2" addr add "$GW4_HOST/32" dev lo

# ---- routes only ipxr writes ---------------------------------------------------------------------

check_fail "the router's kernel has no route to $GW4_HOST before ipxr writes one" \
	ip -n "$R" route get "$GW4_HOST"
check_fail "nor to $GW_HOST" ip -n "$R" -6 route get "$GW_HOST"
check "ipxr route add $GW4_NET via $H2_IP dev r-eth1" ipxr route add "$GW4_NET" via "$H2_IP" dev r-eth1
check "ipxr route add $GW_NET via $H2_IP6 dev r-eth1" ipxr route add "$GW_NET" via "$H2_IP6" dev r-eth1
# the connected routes the kernel has, compiled as they are: the replies by the fast path too
for r in "$NET1 dev r-eth0" "$NET2 dev r-eth1" "$NET6_1 dev r-eth0" "$NET6_2 dev r-eth1"; do
	# shellcheck disable=SC2086 # the route is words
	check "ipxr route add $r (the kernel's connected route)" ipxr route add $r
done

# ip route get and ipxr route get, read by the same jq program
same_get() # LABEL FAMILY ADDR
{
	local jqp='.[0] | {gateway, dev}' k f

	k=$(ip -n "$R" "$2" -j route get "$3" 2>/dev/null | jq -c "$jqp" 2>/dev/null)
	f=$(ipxr "$2" -j route get "$3" 2>/dev/null | jq -c "$jqp" 2>/dev/null)
	expect_eq "$1: ip route get and ipxr route get agree ($k)" "$f" "${k:-no kernel route}"
}
same_get "IPv4 via route" -4 "$GW4_HOST"
same_get "IPv6 via route" -6 "$GW_HOST"
out=$(ip -n "$R" route show "$GW4_NET")
expect_match "ip route show has it as proto ipxr (or 105 before make install)" \
	"^$GW4_NET via $H2_IP dev r-eth1 proto \(ipxr\|105\)" "$out"

# warm up: the first packets resolve the neighbours (no_neigh, forwarded by the kernel)
out=$(nsrun "$H1" ping -c 3 -i 0.2 -W 2 "$GW4_HOST" 2>&1)
expect_eq "ping h1 -> $GW4_HOST through the router (3 sent, 3 received)" "$(ping_stats "$out")" "3 3"
out=$(nsrun "$H1" ping -c 3 -i 0.2 -W 2 "$GW_HOST" 2>&1)
expect_eq "ping h1 -> $GW_HOST through the router (3 sent, 3 received)" "$(ping_stats "$out")" "3 3"
check_fast fwd_datagrams ipxr_stat "IPv4 via route by the fast path" 10 "$GW4_HOST"
check_fast fwd6 stat6 "IPv6 via route by the fast path" 10 "$GW_HOST"

# ---- TTL 1 -------------------------------------------------------------------------------------

check_ttl1 ipxr_stat "$GW4_HOST" "From $R_IP0 .*Time to live exceeded"
check_ttl1 stat6 "$GW_HOST" "From $R_IP6_0 .*Time exceeded: Hop limit"

# ---- over the egress MTU -----------------------------------------------------------------------

# mtu_frag LABEL STAT PING-ARGS PATTERN: one DF ping over the MTU, answered by the kernel's error
mtu_frag()
{
	local label=$1 stat=$2 pattern=$4 m0 m1 out

	m0=$($stat mtu_exceeded packets)
	# shellcheck disable=SC2086 # the ping arguments are words
	out=$(nsrun "$H1" ping -c 1 -W 2 -M do $3 2>&1)
	m1=$($stat mtu_exceeded packets)
	expect_match "$label: '$pattern'" "$pattern" "$out"
	expect_eq "$label: $stat mtu_exceeded rose by 1 (handed to the kernel)" \
		"$(delta "$m0" "$m1")" 1
}

run ip -n "$R" link set dev r-eth1 mtu 1300
sleep 0.3	# the next hops' cached MTU is refreshed with the neighbour
mtu_frag "IPv4 1428 bytes DF into a 1300-byte egress" ipxr_stat "-s 1400 $GW4_HOST" \
	"From $R_IP0 .*Frag needed and DF set (mtu = 1300)"
mtu_frag "IPv6 1448 bytes into a 1300-byte egress" stat6 "-s 1400 $GW_HOST" \
	"From $R_IP6_0 .*Packet too big: mtu=1300"

# path MTU discovery: h1 and h2 have 1500-byte links, the router's egress 1300; h1 forgets what
# the pings taught it, so the transfer starts with segments too large for the egress
tcp_pmtu() # LABEL STAT FWD LISTEN CONNECT
{
	local label=$1 stat=$2 listener m0 m1 f0 f1

	head -c $((1024 * 1024)) /dev/urandom >"$LIB_TMP/send"
	rm -f "$LIB_TMP/recv"
	run ip -n "$H1" route flush cache
	run ip -n "$H1" -6 route flush cache
	bg "$H2" socat -u "$4,reuseaddr" "OPEN:$LIB_TMP/recv,creat,trunc"
	listener=$BG_PID
	wait_for 5 nsrun "$H2" sh -c 'ss -Hltn "sport = :5003" | grep -q .' ||
		diag "socat did not listen on h2:5003"
	m0=$($stat mtu_exceeded packets)
	f0=$($stat forward packets)
	check "$label: 1 MiB over TCP h1 -> h2 (MSS 1460 and 1440, egress MTU 1300)" \
		timeout 20 ip netns exec "$H1" socat -u "OPEN:$LIB_TMP/send" "$5"
	wait "$listener"
	m1=$($stat mtu_exceeded packets)
	f1=$($stat forward packets)
	expect_eq "$label: the received file has the sent sha256" \
		"$(sha256sum <"$LIB_TMP/recv" 2>/dev/null)" "$(sha256sum <"$LIB_TMP/send")"
	expect_ge "$label: segments over the MTU went to the kernel (mtu_exceeded +$(delta "$m0" \
		"$m1"))" "$(delta "$m0" "$m1")" 1
	expect_ge "$label: the rest by the fast path (forward +$(delta "$f0" "$f1"))" \
		"$(delta "$f0" "$f1")" 700
}
tcp_pmtu "IPv4 PMTUD" ipxr_stat fwd_datagrams TCP4-LISTEN:5003 "TCP4:$GW4_HOST:5003"
tcp_pmtu "IPv6 PMTUD" stat6 fwd6 TCP6-LISTEN:5003 "TCP6:[$GW_HOST]:5003"
run ip -n "$R" link set dev r-eth1 mtu 1500
sleep 0.3

# ---- the route's own MTU -----------------------------------------------------------------------

check "ipxr route replace $GW4_NET via $H2_IP dev r-eth1 mtu 1280" \
	ipxr route replace "$GW4_NET" via "$H2_IP" dev r-eth1 mtu 1280
check "ipxr route replace $GW_NET via $H2_IP6 dev r-eth1 mtu 1280" \
	ipxr route replace "$GW_NET" via "$H2_IP6" dev r-eth1 mtu 1280
out=$(ip -n "$R" route show "$GW4_NET")
expect_match "the kernel's route has mtu 1280" " mtu 1280" "$out"
run ip -n "$H1" route flush cache
run ip -n "$H1" -6 route flush cache
mtu_frag "IPv4 1328 bytes DF on a route with mtu 1280 (egress 1500)" ipxr_stat \
	"-s 1300 $GW4_HOST" "From $R_IP0 .*Frag needed and DF set (mtu = 1280)"
mtu_frag "IPv6 1348 bytes on a route with mtu 1280" stat6 "-s 1300 $GW_HOST" \
	"From $R_IP6_0 .*Packet too big: mtu=1280"
check_fast fwd_datagrams ipxr_stat "IPv4 packets under the route MTU still by the fast path" 5 \
	"$GW4_HOST"

# ---- port flap without ipxr sync: no worse than the kernel alone -------------------------------

# carrier loss: the kernel keeps the routes (linkdown) and drops the neighbours; traffic the
# fast path cannot finish (no_neigh) is forwarded by the kernel, which resolves the neighbour
run ip -n "$H2" link set dev h2-eth0 down
sleep 2
run ip -n "$H2" link set dev h2-eth0 up
# h2's own routes went with its admin down (the router's port only lost its carrier)
run ip -n "$H2" route replace default via "$R_IP1"
run ip -n "$H2" -6 route replace default via "$R_LL" dev h2-eth0
wait_for 5 sh -c "ip -n '$R' link show dev r-eth1 | grep -q LOWER_UP" ||
	diag "r-eth1 did not get its carrier back"
out=$(ip -n "$R" route show "$GW4_NET")
expect_match "carrier loss: the kernel kept the route" "^$GW4_NET via $H2_IP" "$out"
f0=$(ipxr_stat forward packets)
out=$(nsrun "$H1" ping -c 20 -i 0.05 -W 1 "$GW4_HOST" 2>&1)
f1=$(ipxr_stat forward packets)
expect_eq "after a carrier loss of 2 s: 20 pings to $GW4_HOST, 20 answered" \
	"$(ping_stats "$out")" "20 20"
expect_ge "... and the fast path forwards again (forward +$(delta "$f0" "$f1"))" \
	"$(delta "$f0" "$f1")" 10

# admin down: the kernel deletes the IPv4 routes through the port (without a notification);
# without ipxr sync ipxr's route stays lost there, as ip's would; h1 -> h2 works as before
run ip -n "$R" link set dev r-eth1 down
run ip -n "$R" link set dev r-eth1 up
wait_for 5 sh -c "ip -n '$R' link show dev r-eth1 | grep -q LOWER_UP" ||
	diag "r-eth1 did not come back up"
check_fail "admin down: the kernel dropped the via route (as it drops ip's)" \
	sh -c "ip -n '$R' route show '$GW4_NET' | grep -q ."
out=$(nsrun "$H1" ping -c 5 -i 0.2 -W 2 "$H2_IP" 2>&1)
expect_eq "after a port down/up: h1 -> h2 answered (5 sent, 5 answered)" "$(ping_stats "$out")" \
	"5 5"
check "ipxr route replace puts the kernel's half back" \
	ipxr route replace "$GW4_NET" via "$H2_IP" dev r-eth1
out=$(nsrun "$H1" ping -c 5 -i 0.2 -W 2 "$GW4_HOST" 2>&1)
expect_eq "... and $GW4_HOST is reachable again (5 sent, 5 answered)" "$(ping_stats "$out")" "5 5"

lib_finish
