#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# End to end: real packets through bpf/xdp_router.o on veth ports in network namespaces, routes
# written with the CLI under test ($IPXR -n ROUTER), traffic with ping and socat.
#
# The fast path's proof is the router kernel's IpForwDatagrams counter: a packet the kernel
# forwards increments it, one that XDP redirects does not. Reason counters are compared exactly
# where every packet of the kind can be accounted for: IPv6 is off in the namespaces, ARP is not
# IPv4 (other_proto), and nothing but the test's own traffic runs in them.
#
#	tests/e2e.sh		(root; IPXR=path/to/ipxr, default build/asan/ipxr; V=1 verbose)

# shellcheck source=tests/lib.sh
source "$(dirname "$0")/lib.sh"

N=50			# pings of the exact fast-path count
GW_NET=198.51.100.0/24	# behind h2; the router's kernel has no route to it
GW_HOST=198.51.100.7
NEW_MAC=02:00:5e:10:00:22

need_e2e_tools

lib_init ipxr-e2e
topo_build || bail "topology h1 - r - h2 built"
topo_attach || bail "xdp_router.o attached on the router's ports"

# ---- the object as users attach it -------------------------------------------------------------

xdp_prog() # DEV -> "MODE NAME ID"
{
	ip -j -d -n "$R" link show dev "$1" |
		jq -r '.[0].xdp | "\(.mode) \(.prog.name) \(.prog.id)"'
}
read -r m0 name0 id0 <<<"$(xdp_prog r-eth0)"
read -r m1 name1 id1 <<<"$(xdp_prog r-eth1)"
expect_eq "r-eth0: 'xdpdrv obj ... sec xdp_router' runs xdp_route in driver mode" "$m0 $name0" "1 xdp_route"
expect_eq "r-eth1: 'xdpdrv obj' without sec runs section prog (xdp_route_prog)" "$m1 $name1" "1 xdp_route_prog"
maps0=$(bpftool prog show id "$id0" | sed -n 's/.*map_ids //p')
maps1=$(bpftool prog show id "$id1" | sed -n 's/.*map_ids //p')
expect_eq "both ports share the maps pinned in \$TC_BPF_MNT" "$maps0" "$maps1"
check "maps pinned where ipxr looks ($TC_BPF_MNT/xdp/globals)" test -e "$(pinned ipxr_route4)"

# ---- connected routes and the exact fast-path count --------------------------------------------

check "ipxr route add $NET1 dev r-eth0" ipxr route add "$NET1" dev r-eth0
check "ipxr route add $NET2 dev r-eth1" ipxr route add "$NET2" dev r-eth1
# the kernel already has them (the ports' addresses): compiled as the kernel has them
expect_eq "ipxr route show lists both connected routes, as the kernel has them" \
	"$(ipxr route show | sort)" "$NET1 dev r-eth0 proto kernel scope link src $R_IP0
$NET2 dev r-eth1 proto kernel scope link src $R_IP1"

# Warm up: the first packet to an unresolved host goes to the kernel (no_neigh), which ARPs.
out=$(nsrun "$H1" ping -c 3 -i 0.2 -W 2 "$H2_IP" 2>&1)
expect_eq "ping h1 -> h2 through the router (3 sent, 3 received)" "$(ping_stats "$out")" "3 3"
out=$(nsrun "$H2" ping -c 1 -W 2 "$H1_IP" 2>&1)
expect_eq "ping h2 -> h1 through the router" "$(ping_stats "$out")" "1 1"

check_fast fwd_datagrams ipxr_stat "echo + reply counted exactly" "$N" "$H2_IP" 0.01

# ---- TTL decremented by exactly one ------------------------------------------------------------

cap=$LIB_TMP/ttl.cap
bg "$H2" tcpdump -i h2-eth0 -c 1 -v -n -l 'icmp[icmptype] == icmp-echo' >"$cap" 2>"$cap.err"
tcpdump_pid=$BG_PID
wait_for 5 grep -q 'listening on' "$cap.err" || diag "tcpdump did not say it was listening"
fwd0=$(fwd_datagrams)
out=$(nsrun "$H1" ping -c 1 -t 64 -W 2 "$H2_IP" 2>&1)
wait "$tcpdump_pid"
fwd1=$(fwd_datagrams)
got=$(sed -n 's/.*(tos [^,]*, ttl \([0-9]*\),.*/\1/p' "$cap" | head -n 1)
expect_eq "h2 receives h1's echo sent with TTL 64 with TTL 63" "$got" 63
h2_ttl=$(nsrun "$H2" sysctl -n net.ipv4.ip_default_ttl)
got=$(sed -n 's/.* ttl=\([0-9]*\) .*/\1/p' <<<"$out" | head -n 1)
expect_eq "h1 receives h2's reply (TTL $h2_ttl) with TTL $((h2_ttl - 1))" "$got" "$((h2_ttl - 1))"
expect_eq "those went through the fast path (IpForwDatagrams unchanged)" "$fwd1" "$fwd0"
[[ $V == 1 ]] && diag_output "$(cat "$cap")"

# ---- TCP ---------------------------------------------------------------------------------------

check_tcp fwd_datagrams ipxr_stat TCP-LISTEN:5001 "TCP:$H2_IP:5001"

# ---- the router's own addresses ----------------------------------------------------------------

check_local ipxr_stat "$R_IP0" "$R_IP1"

# ---- TTL 1: the kernel answers time exceeded ---------------------------------------------------

check_ttl1 ipxr_stat "$H2_IP" "From $R_IP0 .*Time to live exceeded"

# ---- a via route to a prefix only ipxr knows ---------------------------------------------------

run ip -n "$H2" addr add "$GW_HOST/24" dev lo
check_fail "the router's kernel has no route to $GW_HOST" ip -n "$R" route get "$GW_HOST"
check "ipxr route add $GW_NET via $H2_IP dev r-eth1" ipxr route add "$GW_NET" via "$H2_IP" dev r-eth1
out=$(ipxr route get "$GW_HOST" 2>&1)
expect_match "ipxr route get $GW_HOST names the via route" \
	"^$GW_HOST via $H2_IP dev r-eth1 route $GW_NET nexthop [0-9]" "$out"

fast_ping() { check_fast fwd_datagrams ipxr_stat "$@"; }
via_ping() { fast_ping "$1" "$2" "$GW_HOST"; }
via_ping "via route" 10
# Those went by the front structure, not a trie walk: it is in step, and its leaf for the
# address answers directly (prefix length 24, unicast, not "ask the trie").
out=$("$ROOT/tests/lpm_check" "$TC_BPF_MNT/xdp/globals" "$GW_HOST" 2>&1)
expect_match "the front structure is in step with the tries" "^inet: in step" "$out"
expect_match "its leaf for $GW_HOST answers directly (0x0601....: /24, unicast)" "^0x0601" "$out"
out=$(ip -n "$R" neigh show "$H2_IP" dev r-eth1)
expect_match "ipxr made the gateway $H2_IP a managed neighbour" managed "$out"

# ---- blackhole, inside the via route's prefix --------------------------------------------------

check "ipxr route add blackhole 198.51.100.0/25" ipxr route add blackhole 198.51.100.0/25
bh_stats() # packets of the blackhole route's counters in `ipxr -s -j route show`
{
	ipxr -s -j route show | jq -r '.[] | select(.type == "blackhole" and .dst == "198.51.100.0/25") |
		.nexthop_stats.packets // "none"'
}
b0=$(ipxr_stat blackhole packets)
s0=$(bh_stats)
out=$(nsrun "$H1" ping -c 5 -i 0.05 -W 1 "$GW_HOST" 2>&1)
b1=$(ipxr_stat blackhole packets)
s1=$(bh_stats)
sent=$(ping_stats "$out")
sent=${sent%% *}
expect_eq "ping h1 -> $GW_HOST (in the /25): 5 sent, none answered" "$(ping_stats "$out")" "5 0"
expect_eq "reasons.blackhole rose by the 5 sent" "$(delta "$b0" "$b1")" 5
expect_eq "ipxr -s -j route show: the blackhole route's packets rose by 5" "$(delta "$s0" "$s1")" 5
out=$(ipxr -s route show)
if grep -A1 '^blackhole 198.51.100.0/25 ' <<<"$out" | grep -q "packets $s1 bytes [1-9]"; then
	ok "ipxr -s route show prints the blackhole route's counters (packets $s1)"
else
	not_ok "ipxr -s route show prints the blackhole route's counters (packets $s1)"
	diag_output "$out"
fi
out=$(nsrun "$H1" ping -c 3 -i 0.05 -W 1 198.51.100.200 2>&1)
expect_eq "198.51.100.200, outside the /25, is still forwarded (3 sent, 3 answered)" \
	"$(ping_stats "$out")" "3 3"
check "ipxr route del blackhole 198.51.100.0/25" ipxr route del blackhole 198.51.100.0/25
via_ping "blackhole removed" 5

# ---- the managed neighbour resolves the gateway on its own -------------------------------------

# The kernel had learnt h2 from traffic before ipxr made it managed: ipxr did not create the entry,
# so removing the route must leave it (SPEC: ipxr deletes the neighbour only if it created it).
check "ipxr route del $GW_NET" ipxr route del "$GW_NET"
out=$(ip -n "$R" neigh show "$H2_IP" dev r-eth1)
if grep -q lladdr <<<"$out"; then
	ok "route del left the kernel's own entry for $H2_IP (ipxr had not created it)"
else
	not_ok "route del left the kernel's own entry for $H2_IP (ipxr had not created it)"
	diag "ip neigh show $H2_IP dev r-eth1: '$out'"
fi
run ip -n "$R" neigh flush dev r-eth1
run ip -n "$H2" neigh flush dev h2-eth0
check_fail "after the flush the router has no lladdr for $H2_IP" \
	sh -c "ip -n '$R' neigh show '$H2_IP' dev r-eth1 | grep -q lladdr"
check "ipxr route add $GW_NET via $H2_IP dev r-eth1 again" ipxr route add "$GW_NET" via "$H2_IP" dev r-eth1
# Nothing sends to h2 in between: only the managed entry makes the kernel ARP for the gateway.
if wait_for 2 sh -c "ip -n '$R' neigh show '$H2_IP' dev r-eth1 | grep -q lladdr"; then
	ok "the router's kernel resolved the gateway by itself (managed neighbour)"
else
	not_ok "the router's kernel resolved the gateway by itself (managed neighbour)"
	diag_output "$(ip -n "$R" -d neigh show dev r-eth1)"
fi
via_ping "after a neighbour flush" 5

# ---- route del and route flush stop forwarding -------------------------------------------------

no_route_ping() # LABEL: pings to GW_HOST fail, each counted no_route
{
	local n0 n1 out sent

	n0=$(ipxr_stat no_route packets)
	out=$(nsrun "$H1" ping -c 3 -i 0.2 -W 1 "$GW_HOST" 2>&1)
	n1=$(ipxr_stat no_route packets)
	sent=$(ping_stats "$out")
	expect_eq "$1: ping h1 -> $GW_HOST, 3 sent, none answered" "$sent" "3 0"
	expect_eq "$1: reasons.no_route rose by the 3 sent" "$(delta "$n0" "$n1")" 3
}
check "ipxr route del $GW_NET via $H2_IP dev r-eth1" ipxr route del "$GW_NET" via "$H2_IP" dev r-eth1
no_route_ping "after route del"
out=$(ip -n "$R" neigh show "$H2_IP" dev r-eth1)
expect_eq "route del removed the managed neighbour ipxr had created for $H2_IP" "$out" ""
out=$(ipxr route get "$GW_HOST" 2>&1)
expect_eq "ipxr route get $GW_HOST: no route in the fast path (exit 3)" "$?" 3

check "ipxr route add $GW_NET via $H2_IP (dev from the kernel)" ipxr route add "$GW_NET" via "$H2_IP"
via_ping "re-added" 3
check "ipxr route flush proto ipxr" ipxr route flush proto ipxr
expect_eq "ipxr route show has the kernel's connected routes only after the flush" \
	"$(ipxr route show | sort)" "$NET1 dev r-eth0 proto kernel scope link src $R_IP0
$NET2 dev r-eth1 proto kernel scope link src $R_IP1"
check_fail "the flush removed ipxr's route from the kernel too" \
	sh -c "ip -n '$R' route show '$GW_NET' | grep -q ."
no_route_ping "after route flush"

# Without routes in the fast path the kernel forwards h1 <-> h2 itself: every packet passes as
# no_route. ipxr route del deletes the kernel's connected routes as ip route del does; put back
# with ip, they are the kernel's alone.
check "ipxr route del $NET1 dev r-eth0" ipxr route del "$NET1" dev r-eth0
check "ipxr route del $NET2 dev r-eth1" ipxr route del "$NET2" dev r-eth1
check_fail "... from the kernel too" sh -c "ip -n '$R' route show '$NET1' | grep -q ."
run ip -n "$R" route add "$NET1" dev r-eth0 proto kernel scope link src "$R_IP0"
run ip -n "$R" route add "$NET2" dev r-eth1 proto kernel scope link src "$R_IP1"
expect_eq "ipxr route show is empty" "$(ipxr route show)" ""
fwd0=$(fwd_datagrams)
n0=$(ipxr_stat no_route packets)
out=$(nsrun "$H1" ping -c 5 -i 0.05 -W 1 "$H2_IP" 2>&1)
fwd1=$(fwd_datagrams)
n1=$(ipxr_stat no_route packets)
expect_eq "without ipxr routes h1 -> h2 still works (5 sent, 5 answered)" "$(ping_stats "$out")" "5 5"
expect_eq "the kernel forwarded them (IpForwDatagrams +10, no_route +10)" \
	"$(delta "$fwd0" "$fwd1") $(delta "$n0" "$n1")" "10 10"

check "ipxr route add $NET1 dev r-eth0 after the flush" ipxr route add "$NET1" dev r-eth0
check "ipxr route add $NET2 dev r-eth1 after the flush" ipxr route add "$NET2" dev r-eth1

fast_ping "connected routes again" 5 "$H2_IP"

# ---- the next hop's MAC changes ----------------------------------------------------------------

run ip -n "$H2" link set dev h2-eth0 address "$NEW_MAC"
out=$(nsrun "$H1" ping -c 2 -i 0.1 -W 1 "$H2_IP" 2>&1)
expect_eq "h2 changed its MAC: the router still sends to the old one, pings are lost" \
	"$(ping_stats "$out")" "2 0"
# What the kernel does on h2's gratuitous ARP: take the new lladdr, state STALE.
fwd0=$(fwd_datagrams)
f0=$(ipxr_stat forward packets)
start=$(date +%s%N)
run ip -n "$R" neigh replace "$H2_IP" lladdr "$NEW_MAC" dev r-eth1 nud stale
sleep 0.3	# > IPXR_NEIGH_REFRESH_NS: the fast path looks the neighbour up again
out=$(nsrun "$H1" ping -D -c 5 -i 0.05 -W 1 "$H2_IP" 2>&1)
fwd1=$(fwd_datagrams)
f1=$(ipxr_stat forward packets)
expect_eq "router learnt h2's new MAC: 5 pings h1 -> h2, 5 answered" "$(ping_stats "$out")" "5 5"
# ping -D stamps each reply [seconds.micros]: the first one counts
first=$(sed -n 's/^\[\([0-9]*\)\.\([0-9]*\)\] .*bytes from.*/\1\2/p' <<<"$out" | head -n 1)
if [[ -n $first ]]; then
	ms=$(((first - start / 1000) / 1000))
	expect_ge "the first reply came within 1 s of the update ($ms ms)" "$((1000 - ms))" 0
else
	not_ok "the first reply came within 1 s of the update (no reply)"
fi
expect_eq "all by the fast path (forward +10, IpForwDatagrams unchanged)" \
	"$(delta "$f0" "$f1") $fwd1" "10 $fwd0"

# ---- the neighbour goes away -------------------------------------------------------------------

run ip -n "$R" neigh del "$H2_IP" dev r-eth1
sleep 0.3
fwd0=$(fwd_datagrams)
nn0=$(ipxr_stat no_neigh packets)
out=$(nsrun "$H1" ping -c 1 -W 2 "$H2_IP" 2>&1)
fwd1=$(fwd_datagrams)
nn1=$(ipxr_stat no_neigh packets)
expect_eq "neighbour deleted: ping h1 -> h2 still answered" "$(ping_stats "$out")" "1 1"
expect_eq "the echo went to the kernel as no_neigh, which forwarded it (+1, +1)" \
	"$(delta "$nn0" "$nn1") $(delta "$fwd0" "$fwd1")" "1 1"
fast_ping "the kernel resolved h2 again" 5 "$H2_IP"

# every invariant ipxr relies on, after all the scenarios above (ipxr-check(8))
check "ipxr check passes at the end" ipxr check

lib_finish
