#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# End to end over IPv6, with IPv4 on the same ports: real packets through bpf/xdp_router.o on
# veth ports in network namespaces, routes written with the CLI under test ($IPXR -n ROUTER).
#
# The fast path's proof is the router kernel's Ip6OutForwDatagrams (the only IPv6 forwarding
# counter this kernel keeps; nstat shows it under the same name): a packet the kernel forwards
# increments it, one that XDP redirects does not. IPv6 brings neighbour discovery, router
# solicitations and MLD reports along, so reason counters other than the traffic's own are never
# compared exactly; the traffic's own (forward, local, ttl_exceeded, mtu_exceeded) are.
#
#	tests/e2e6.sh		(root; IPXR=path/to/ipxr, default build/asan/ipxr; V=1 verbose)

# shellcheck source=tests/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=tests/lib6.sh
source "$(dirname "$0")/lib6.sh"

N=50				# pings of the exact fast-path counts
NEW_MAC=02:00:5e:10:00:66

need_e2e_tools

lib_init ipxr-e2e6
topo_build || bail "topology h1 - r - h2 built"
topo6_build || bail "IPv6 addresses and routes on h1 - r - h2"
topo_attach || bail "xdp_router.o attached on the router's ports"

# ---- a mixed IPv4 and IPv6 table on the same ports ---------------------------------------------

check "ipxr route add $NET1 dev r-eth0" ipxr route add "$NET1" dev r-eth0
check "ipxr route add $NET2 dev r-eth1" ipxr route add "$NET2" dev r-eth1
check "ipxr route add $NET6_1 dev r-eth0" ipxr route add "$NET6_1" dev r-eth0
check "ipxr route add $NET6_2 dev r-eth1" ipxr route add "$NET6_2" dev r-eth1
check "ipxr route add $LL_NET via $H2_LL dev r-eth1 (link-local next hop)" \
	ipxr route add "$LL_NET" via "$H2_LL" dev r-eth1
# written the long way: the CLI must print it canonically (RFC 5952)
check "ipxr route add 2001:0db8:0098:0000::/64 via 2001:db8:2:0:0:0:0:2" \
	ipxr route add 2001:0db8:0098:0000::/64 via 2001:db8:2:0:0:0:0:2
# ipxr's protocol as ip (and ipxr) print it: named once make install installed its rt_protos.d
PX=$(awk '$1 == 105 { n = $2 } END { print n }' /etc/iproute2/rt_protos \
	/etc/iproute2/rt_protos.d/*.conf 2>/dev/null)
PX=${PX:-105}
# the connected routes are the kernel's, compiled as it has them; the others ipxr's
V4_SHOW="$NET1 dev r-eth0 proto kernel scope link src $R_IP0
$NET2 dev r-eth1 proto kernel scope link src $R_IP1"
expect_eq "ipxr -6 route show lists the IPv6 routes, canonically" "$(ipxr -6 route show | sort)" \
	"$NET6_1 dev r-eth0 proto kernel metric 256 pref medium
$NET6_2 dev r-eth1 proto kernel metric 256 pref medium
$GW_NET via $H2_IP6 dev r-eth1 proto $PX metric 1024 pref medium
$LL_NET via $H2_LL dev r-eth1 proto $PX metric 1024 pref medium"
expect_eq "ipxr route show (as ip: IPv4 by default) lists the IPv4 routes" \
	"$(ipxr route show | sort)" "$V4_SHOW"

# Warm up: first packets to unresolved hosts go to the kernel (no_neigh), which resolves them.
out=$(nsrun "$H1" ping -c 3 -i 0.2 -W 2 "$H2_IP6" 2>&1)
expect_eq "ping -6 h1 -> h2 through the router (3 sent, 3 received)" "$(ping_stats "$out")" "3 3"
out=$(nsrun "$H2" ping -c 1 -W 2 "$H1_IP6" 2>&1)
expect_eq "ping -6 h2 -> h1 through the router" "$(ping_stats "$out")" "1 1"
out=$(nsrun "$H1" ping -c 1 -W 2 "$H2_IP" 2>&1)
expect_eq "ping h1 -> h2 over IPv4 too" "$(ping_stats "$out")" "1 1"

check_fast fwd6 stat6 "echo + reply counted exactly" "$N" "$H2_IP6" 0.01

# Both families at once through the same ports, each counted in its own family.
fwd0=$(fwd6)
fwd40=$(fwd_datagrams)
f0=$(stat6 forward packets)
f40=$(stat4 forward packets)
bg "$H1" ping -c "$N" -i 0.01 -W 1 -q "$H2_IP" >/dev/null
pid4=$BG_PID
out=$(nsrun "$H1" ping -c "$N" -i 0.01 -W 1 -q "$H2_IP6" 2>&1)
wait "$pid4"
rc4=$?
fwd1=$(fwd6)
fwd41=$(fwd_datagrams)
f1=$(stat6 forward packets)
f41=$(stat4 forward packets)
expect_eq "IPv4 and IPv6 pings at once: all answered (IPv6 $N/$N, IPv4 ping exit 0)" \
	"$(ping_stats "$out") $rc4" "$N $N 0"
expect_eq "mixed: inet6 forward +$((2 * N)), inet forward +$((2 * N))" \
	"$(delta "$f0" "$f1") $(delta "$f40" "$f41")" "$((2 * N)) $((2 * N))"
expect_eq "mixed: the kernel forwarded neither (Ip6OutForwDatagrams, IpForwDatagrams unchanged)" \
	"$fwd1 $fwd41" "$fwd0 $fwd40"

# ---- hop limit lowered by exactly one ----------------------------------------------------------

cap=$LIB_TMP/hlim.cap
bg "$H2" tcpdump -i h2-eth0 -c 1 -v -n -l 'icmp6 and ip6[40] == 128' >"$cap" 2>"$cap.err"
tcpdump_pid=$BG_PID
wait_for 5 grep -q 'listening on' "$cap.err" || diag "tcpdump did not say it was listening"
out=$(nsrun "$H1" ping -c 1 -t 64 -W 2 "$H2_IP6" 2>&1)
wait "$tcpdump_pid"
got=$(sed -n 's/.*hlim \([0-9]*\),.*/\1/p' "$cap" | head -n 1)
expect_eq "h2 receives h1's echo sent with hop limit 64 with hop limit 63" "$got" 63
got=$(sed -n 's/.* ttl=\([0-9]*\) .*/\1/p' <<<"$out" | head -n 1)
expect_eq "h1 receives h2's reply (hop limit 64) with hop limit 63" "$got" 63
[[ $V == 1 ]] && diag_output "$(cat "$cap")"

# ---- TCP over IPv6 -----------------------------------------------------------------------------

check_tcp fwd6 stat6 TCP6-LISTEN:5001 "TCP6:[$H2_IP6]:5001"

# ---- next hops only ipxr knows: a link-local gateway, a global one -----------------------------

fast_ping6() { check_fast fwd6 stat6 "$@"; }

out=$(ip -n "$R" -6 route get "$LL_HOST" 2>&1)
expect_match "the router's kernel has ipxr's route to $LL_HOST (the slow path agrees)" \
	"via $H2_LL dev r-eth1 proto $PX" "$out"
out=$(ip -n "$R" -6 route show table "$STANDIN_TABLE")
expect_match "ipxr put the link-local gateway's stand-in route in kernel table $STANDIN_TABLE" \
	"^100::[0-9a-f]* via $H2_LL dev r-eth1" "$out"
out=$(ipxr route get "$LL_HOST" 2>&1)
expect_match "ipxr route get $LL_HOST names the link-local next hop" \
	"^$LL_HOST via $H2_LL dev r-eth1 route $LL_NET nexthop [0-9]" "$out"
fast_ping6 "link-local next hop" 10 "$LL_HOST"
fast_ping6 "global next hop" 10 "$GW_HOST"
out=$(ip -n "$R" neigh show "$H2_LL" dev r-eth1)
expect_match "ipxr made the link-local gateway $H2_LL a managed neighbour" managed "$out"

# ---- the router's own addresses ----------------------------------------------------------------

check_local stat6 "$R_IP6_0" "$R_IP6_1"

# ---- hop limit 1: the kernel answers time exceeded ---------------------------------------------

check_ttl1 stat6 "$H2_IP6" "From $R_IP6_0 .*Time exceeded: Hop limit"

# ---- the next hop's MAC changes ----------------------------------------------------------------

run ip -n "$H2" link set dev h2-eth0 address "$NEW_MAC"
out=$(nsrun "$H1" ping -c 2 -i 0.1 -W 1 "$LL_HOST" 2>&1)
expect_eq "h2 changed its MAC: the router still sends to the old one, pings are lost" \
	"$(ping_stats "$out")" "2 0"
# What the kernel does on h2's unsolicited neighbour advertisement: new lladdr, state STALE.
run ip -n "$R" neigh replace "$H2_LL" lladdr "$NEW_MAC" dev r-eth1 nud stale
run ip -n "$R" neigh replace "$H2_IP6" lladdr "$NEW_MAC" dev r-eth1 nud stale
run ip -n "$R" neigh replace "$H2_IP" lladdr "$NEW_MAC" dev r-eth1 nud stale
sleep 0.3	# > IPXR_NEIGH_REFRESH_NS: the fast path looks the neighbour up again
fast_ping6 "h2's new MAC learnt through the link-local next hop" 5 "$LL_HOST"

# ---- longer than the egress MTU: the kernel sends Packet Too Big -------------------------------

run ip -n "$R" link set dev r-eth1 mtu 1400
run ip -n "$H2" link set dev h2-eth0 mtu 1400
sleep 0.3	# the cached MTU is refreshed with the neighbour
m0=$(stat6 mtu_exceeded packets)
out=$(nsrun "$H1" ping -c 1 -s 1420 -M "do" -W 2 "$H2_IP6" 2>&1)
m1=$(stat6 mtu_exceeded packets)
expect_match "a 1468-byte packet to a 1400-byte link gets Packet too big (mtu=1400) from $R_IP6_0" \
	"From $R_IP6_0 .*Packet too big: mtu=1400" "$out"
expect_eq "families.inet6.mtu_exceeded rose by 1" "$(delta "$m0" "$m1")" 1
out=$(nsrun "$H1" ping -c 3 -i 0.05 -s 1300 -W 1 "$H2_IP6" 2>&1)
expect_eq "1348-byte packets still pass the 1400-byte link (3 sent, 3 answered)" \
	"$(ping_stats "$out")" "3 3"

# ---- -6 flush leaves IPv4 alone ----------------------------------------------------------------

check "ipxr -6 route flush proto ipxr" ipxr -6 route flush proto ipxr
check "ipxr -6 route del $NET6_1 dev r-eth0 (the kernel's connected route, as ip route del)" \
	ipxr -6 route del "$NET6_1" dev r-eth0
check "ipxr -6 route del $NET6_2 dev r-eth1" ipxr -6 route del "$NET6_2" dev r-eth1
# put back with ip: the kernel's alone
run ip -n "$R" -6 route add "$NET6_1" dev r-eth0 proto kernel metric 256
run ip -n "$R" -6 route add "$NET6_2" dev r-eth1 proto kernel metric 256
expect_eq "ipxr -6 route show is empty after it" "$(ipxr -6 route show)" ""
expect_eq "the IPv4 routes are still there" "$(ipxr route show | sort)" "$V4_SHOW"
expect_eq "the stand-in route went with its next hop" \
	"$(ip -n "$R" -6 route show table "$STANDIN_TABLE" 2>/dev/null)" ""
fwd0=$(fwd6)
n0=$(stat6 no_route packets)
out=$(nsrun "$H1" ping -c 5 -i 0.05 -W 1 "$H2_IP6" 2>&1)
fwd1=$(fwd6)
n1=$(stat6 no_route packets)
expect_eq "without IPv6 routes in ipxr, h1 -> h2 still works (5 sent, 5 answered)" \
	"$(ping_stats "$out")" "5 5"
expect_eq "the kernel forwarded them (Ip6OutForwDatagrams +10, inet6 no_route +10)" \
	"$(delta "$fwd0" "$fwd1") $(delta "$n0" "$n1")" "10 10"
out=$(nsrun "$H1" ping -c 3 -i 0.05 -W 1 "$H2_IP" 2>&1)
expect_eq "IPv4 still forwarded after the IPv6 flush (3 sent, 3 answered)" \
	"$(ping_stats "$out")" "3 3"

# every invariant ipxr relies on, after all the scenarios above (ipxr-check(8))
check "ipxr check passes at the end" ipxr check

lib_finish
