#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# ECMP end to end: a kernel multipath route over two egress ports to one network (r-eth1 and
# r-eth2, both to h2), mirrored by ipxr sync into a next-hop group, carries TCP and UDP flows
# over both ports by XDP (counted per port and per member); a port going down, or a gateway that
# stops answering ARP, moves only its flows to the other, within a second, and they come back
# when it returns. Also: the same by ipxr route add's nexthop clauses, by nexthop objects (ip
# nexthop, as FRR installs routes), from BIRD with two eBGP upstreams (h2 by both links) and
# merge paths, and an IPv6 multipath route by ipxr route add.
#
#	tests/ecmp.sh		(root; IPXR=path/to/ipxr, default build/asan/ipxr; V=1 verbose)

# shellcheck source=tests/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=tests/bird.sh
source "$(dirname "$0")/bird.sh"

need_e2e_tools
for tool in bird birdc; do
	command -v "$tool" >/dev/null || { echo "not ok - $tool is installed (bird2)"; exit 1; }
done
lib_init ipxr-ecmp
bird_init
topo_build || bail "topology h1 - r - h2 built"
H2_IP2=10.0.3.2
R_IP2=10.0.3.254
NET=198.51.100.0/24
DST=198.51.100.1
FLOWS=${FLOWS:-200}

run ip link add r-eth2 netns "$R" type veth peer name h2-eth1 netns "$H2" &&
run ip -n "$R" addr add "$R_IP2/24" dev r-eth2 &&
run ip -n "$H2" addr add "$H2_IP2/24" dev h2-eth1 &&
run ip -n "$R" link set dev r-eth2 up && run ip -n "$H2" link set dev h2-eth1 up &&
run ip netns exec "$H2" ethtool -K h2-eth1 tx off && run host_rx "$H2" h2-eth1 &&
run ip -n "$H2" addr add "$DST/32" dev lo || bail "second port r-eth2 - h2-eth1"
# h2 answers from its loopback by h2-eth0 whatever the port a flow came in by
run ip netns exec "$H2" sysctl -qw net.ipv4.conf.all.rp_filter=0 \
	net.ipv4.conf.h2-eth1.rp_filter=0 net.ipv4.conf.default.rp_filter=0 || bail "h2 rp_filter"
# ARP gives up on h2's second address in about a second once asked (the defaults take tens of
# seconds); set before the entry is made, as an entry keeps the reachable time it began with
run ip netns exec "$R" sysctl -qw net.ipv4.neigh.r-eth2.base_reachable_time_ms=500 \
	net.ipv4.neigh.r-eth2.delay_first_probe_time=1 net.ipv4.neigh.r-eth2.retrans_time_ms=200 \
	net.ipv4.neigh.r-eth2.ucast_solicit=2 net.ipv4.neigh.r-eth2.mcast_solicit=2 ||
	bail "r-eth2's neighbour timers"
topo_attach && run ip -n "$R" link set dev r-eth2 xdpdrv obj "$XDP_OBJ" sec xdp_router ||
	bail "xdp_router.o attached on the router's three ports"

# mj PREFIX JQ: what the maps hold for PREFIX (ipxr -j route show), through jq -c JQ
mj() { "$IPXR" -n "$R" -j route show "$1" | jq -c "$2"; }
# kj PREFIX JQ: the same of the kernel's route (ip -j route show)
kj() { ip -n "$R" -j route show "$1" | jq -c "$2"; }
# mj_is PREFIX JQ WANT: for wait_for
mj_is() { [[ $(mj "$1" "$2") == "$3" ]]; }

# port_tx DEV: packets the fast path sent out of DEV
port_tx()
{
	ipxr -j stats show dev "$1" 2>/dev/null | jq -r '.ports[0].tx.packets // "ERR"'
}

# udp_flows FIRST N [TO]: N UDP datagrams h1 -> DST (or socat address TO, as
# UDP6-SENDTO:[ADDR]), one flow each: source and destination port FIRST.., the same flows every
# time
udp_flows()
{
	nsrun "$H1" bash -c 'for ((p = $1; p < $1 + $2; p++)); do
		echo x | socat -u - "$3:$p,sourceport=$p"; done' _ "$1" "$2" "${3:-UDP4-SENDTO:$DST}"
}

# arrivals FIRST N: udp_flows FIRST N while both h2 ports capture; the destination ports that
# came in by h2-eth0 are then in $LIB_TMP/in.h2-eth0, those by h2-eth1 in $LIB_TMP/in.h2-eth1
arrivals()
{
	local dev pids=()

	for dev in h2-eth0 h2-eth1; do
		# not through nsrun_t: a function in the background is a subshell, $! not timeout
		timeout --kill-after=2 20 ip netns exec "$H2" tcpdump -l -n -i "$dev" \
			"udp and dst $DST and dst portrange $1-$(($1 + $2 - 1))" \
			>"$LIB_TMP/cap.$dev" 2>/dev/null &
		pids+=($!)
	done
	sleep 0.5
	udp_flows "$1" "$2"
	sleep 0.5
	kill "${pids[@]}" 2>/dev/null
	wait "${pids[@]}" 2>/dev/null
	for dev in h2-eth0 h2-eth1; do
		sed -n 's/.* > '"${DST//./\\.}"'\.\([0-9]*\): .*/\1/p' "$LIB_TMP/cap.$dev" |
			sort -n >"$LIB_TMP/in.$dev"
	done
}

# ---- the kernel's multipath route, mirrored -----------------------------------------------------

run ip -n "$R" route add "$NET" proto static nexthop via "$H2_IP" dev r-eth1 weight 1 \
	nexthop via "$H2_IP2" dev r-eth2 weight 1 || bail "multipath route added with ip route"
check "ipxr sync once" ipxr sync once
out=$(ipxr -j route show "$NET")
NHJQ='.[0].nexthops | map([.gateway, .dev, .weight])'
expect_eq "route show: the multipath route's next hops, as ip -j has them" \
	"$(jq -c "$NHJQ" <<<"$out")" "$(kj "$NET" "$NHJQ")"
expect_eq "route show: text as ip prints it" "$(ipxr route show "$NET" | sed 's/ *$//')" \
	"$(printf '%s proto static\n\tnexthop via %s dev %s weight 1\n\tnexthop via %s dev %s weight 1' \
		"$NET" "$H2_IP" r-eth1 "$H2_IP2" r-eth2)"
expect_eq "route show -s: counters per member" \
	"$(ipxr -j -s route show "$NET" | jq '[.[0].nexthops[].nexthop_stats.packets] | length')" 2

# ---- by hand: ipxr route add ... nexthop ... nexthop ... ----------------------------------------

check "ipxr route add with two nexthop clauses, weights 1 and 2" \
	ipxr route add 203.0.113.0/24 nexthop via "$H2_IP" dev r-eth1 \
	nexthop via "$H2_IP2" dev r-eth2 weight 2
expect_eq "the kernel holds it as a multipath route" "$(kj 203.0.113.0/24 "$NHJQ")" \
	"[[\"$H2_IP\",\"r-eth1\",1],[\"$H2_IP2\",\"r-eth2\",2]]"
expect_eq "the maps hold it as ip shows it" "$(mj 203.0.113.0/24 "$NHJQ")" \
	"$(kj 203.0.113.0/24 "$NHJQ")"
px=$(mj 203.0.113.0/24 '.[0].protocol' | tr -d '"')
want="203.0.113.0/24 proto $px nexthop via $H2_IP dev r-eth1 weight 1"
want+=" nexthop via $H2_IP2 dev r-eth2 weight 2"
expect_eq "route show's text is valid input for route add again" \
	"$(ipxr route show 203.0.113.0/24 | tr -s ' \t\n' ' ' | sed 's/ $//')" "$want"
check_fail "a nexthop clause with via and nexthop words mixed up is refused" \
	ipxr route add 203.0.114.0/24 via "$H2_IP" nexthop via "$H2_IP2" dev r-eth2
check_fail "a weight of 0 is refused" \
	ipxr route add 203.0.114.0/24 nexthop via "$H2_IP" weight 0 nexthop via "$H2_IP2"
check "ipxr route del of the multipath route" ipxr route del 203.0.113.0/24
expect_eq "gone from the kernel and the maps" \
	"$(ip -n "$R" route show 203.0.113.0/24)$(ipxr route show 203.0.113.0/24)" ""
out=$(ipxr check 2>&1)
expect_eq "its group freed, its next hops' references too (ipxr check)" "$?" 0 ||
	diag_output "$out"

# ---- flows spread over both ports by XDP --------------------------------------------------------

run sync_start || bail "ipxr sync started"
udp_flows 20000 20 # neighbours resolved, caches filled
fwd0=$(fwd_datagrams)
e1=$(port_tx r-eth1)
e2=$(port_tx r-eth2)
udp_flows 30000 "$FLOWS"
d1=$(delta "$e1" "$(port_tx r-eth1)")
d2=$(delta "$e2" "$(port_tx r-eth2)")
expect_eq "$FLOWS UDP flows all forwarded by XDP over the two ports ($d1 + $d2)" \
	"$((d1 + d2))" "$FLOWS"
expect_ge "both ports carry a share of the UDP flows (r-eth1 $d1)" "$d1" $((FLOWS / 4))
expect_ge "both ports carry a share of the UDP flows (r-eth2 $d2)" "$d2" $((FLOWS / 4))
expect_eq "the kernel forwarded none of them" "$(delta "$fwd0" "$(fwd_datagrams)")" 0

# TCP: connections to closed ports are answered by RST, one flow each
e1=$(port_tx r-eth1)
e2=$(port_tx r-eth2)
nsrun "$H1" bash -c 'for ((p = 40000; p < 40000 + $1; p++)); do
	timeout 1 bash -c "exec 3<>/dev/tcp/'"$DST"'/$p" 2>/dev/null; done' _ 40
d1=$(delta "$e1" "$(port_tx r-eth1)")
d2=$(delta "$e2" "$(port_tx r-eth2)")
expect_ge "40 TCP connections: SYNs over both ports (r-eth1 $d1)" "$d1" 5
expect_ge "40 TCP connections: SYNs over both ports (r-eth2 $d2)" "$d2" 5

# ---- a port goes down: only its flows move ------------------------------------------------------

arrivals 50000 "$FLOWS"
cp "$LIB_TMP/in.h2-eth0" "$LIB_TMP/a1"
cp "$LIB_TMP/in.h2-eth1" "$LIB_TMP/a2"
n1=$(wc -l <"$LIB_TMP/a1")
n2=$(wc -l <"$LIB_TMP/a2")
expect_eq "before: every flow reached h2 by one of its ports ($n1 + $n2)" "$((n1 + n2))" "$FLOWS"
expect_eq "before: no flow by both" "$(comm -12 "$LIB_TMP/a1" "$LIB_TMP/a2" | wc -l)" 0
# under load: flows keep going while the port goes down
bg "$H1" bash -c 'while :; do for ((p = 60000; p < 60050; p++)); do
	echo x | socat -u - UDP4-SENDTO:'"$DST"':$p,sourceport=$p; done; done'
load=$BG_PID
t0=$(date +%s%N)
run ip -n "$R" link set dev r-eth2 down
wait_for 1 mj_is "$NET" '.[0].nexthops[1].flags' '["dead"]'
t1=$(date +%s%N)
expect_eq "r-eth2 down: its member is dead in the group within 1 s ($(((t1 - t0) / 1000000)) ms)" \
	"$(mj "$NET" '.[0].nexthops[1].flags')" '["dead"]'
e1=$(port_tx r-eth1)
arrivals 50000 "$FLOWS"
expect_eq "r-eth2 down: every flow now reaches h2 by h2-eth0" "$(wc -l <"$LIB_TMP/in.h2-eth0")" \
	"$FLOWS"
expect_eq "r-eth2 down: the flows of r-eth1 are still there (none lost, none moved away)" \
	"$(comm -23 "$LIB_TMP/a1" "$LIB_TMP/in.h2-eth0" | wc -l)" 0
d1=$(delta "$e1" "$(port_tx r-eth1)")
expect_ge "r-eth2 down: and the fast path carries them ($d1 by r-eth1)" "$d1" "$FLOWS"
run ip -n "$R" link set dev r-eth2 up
wait_for 2 mj_is "$NET" '.[0].nexthops[1].flags' '[]'
expect_eq "r-eth2 up: its member is alive again" "$(mj "$NET" '.[0].nexthops[1].flags')" '[]'
wait_for 3 bash -c "ip -n $R neigh show $H2_IP2 dev r-eth2 | grep -q REACHABLE"
kill "$load" 2>/dev/null
arrivals 50000 "$FLOWS"
expect_eq "r-eth2 up: exactly its flows are back on it" \
	"$(cat "$LIB_TMP/in.h2-eth1")" "$(cat "$LIB_TMP/a2")"
expect_eq "r-eth2 up: and the others stayed on r-eth1" \
	"$(cat "$LIB_TMP/in.h2-eth0")" "$(cat "$LIB_TMP/a1")"

# ---- a gateway stops answering (its port stays up): only its flows move ----------------------

# neigh_state: the kernel's state of the gateway's entry; member_dead: the fast path's member
neigh_state() { ip -n "$R" -j neigh show "$H2_IP2" dev r-eth2 | jq -r '.[0].state[0] // "NONE"'; }
member_dead() { [[ $(mj "$NET" '.[0].nexthops[1].flags') == '["dead"]' ]]; }
run ip -n "$H2" link set dev h2-eth1 arp off || bail "h2-eth1 stops answering ARP"
sleep 1
# the kernel asks again only when it has something to send: a ping from the router
bg "$R" bash -c "ping -c 4 -i 0.5 -W 1 $H2_IP2 >/dev/null 2>&1"
wait_for 10 bash -c "[[ \$(ip -n $R -j neigh show $H2_IP2 dev r-eth2 | jq -r '.[0].state[0]') == FAILED ]]"
ok=$?
t_fail=$(date +%s%N)
# a managed entry that failed is probed again now and then: FAILED and INCOMPLETE alternate
expect_eq "h2-eth1 silent: the kernel's entry for $H2_IP2 fails" "$ok" 0
# each look at the maps takes a while: the lag measured is an upper bound
for ((i = 0; i < 50; i++)); do
	member_dead && break
	sleep 0.05
done
lag=$((($(date +%s%N) - t_fail) / 1000000))
expect_eq "the member whose gateway failed is dead in its group" "$(member_dead && echo dead)" dead
expect_ge "and it left the group within 1 s of the failure (at most $lag ms)" 1000 "$lag"
expect_eq "nexthop show: the gateway is failed" \
	"$("$IPXR" -n "$R" -j nexthop show dev r-eth2 | jq -c --arg g "$H2_IP2" 'map(select(.gateway == $g) | .failed)')" '[true]'
arrivals 50000 "$FLOWS"
expect_eq "gateway failed: every flow now reaches h2 by h2-eth0" \
	"$(wc -l <"$LIB_TMP/in.h2-eth0")" "$FLOWS"
expect_eq "gateway failed: the flows of r-eth1 did not move" \
	"$(comm -23 "$LIB_TMP/a1" "$LIB_TMP/in.h2-eth0" | wc -l)" 0
run ip -n "$H2" link set dev h2-eth1 arp on
nsrun "$R" ping -c 1 -W 2 "$H2_IP2" >/dev/null 2>&1
wait_for 3 bash -c "ip -n $R neigh show $H2_IP2 dev r-eth2 | grep -q REACHABLE"
wait_for 1 mj_is "$NET" '.[0].nexthops[1].flags' '[]'
expect_eq "h2-eth1 answers again: its member is alive within 1 s of REACHABLE" \
	"$(mj "$NET" '.[0].nexthops[1].flags')" '[]'
arrivals 50000 "$FLOWS"
expect_eq "gateway back: exactly its flows are back on it" \
	"$(cat "$LIB_TMP/in.h2-eth1")" "$(cat "$LIB_TMP/a2")"
expect_eq "gateway back: and the others stayed on r-eth1" \
	"$(cat "$LIB_TMP/in.h2-eth0")" "$(cat "$LIB_TMP/a1")"

# ---- nexthop objects (FRR's zebra): a group, then the group replaced ---------------------------

run ip -n "$R" nexthop add id 1 via "$H2_IP" dev r-eth1 &&
run ip -n "$R" nexthop add id 2 via "$H2_IP2" dev r-eth2 &&
run ip -n "$R" nexthop add id 10 group 1,1/2,2 &&
run ip -n "$R" route add 192.0.2.0/24 nhid 10 proto static || bail "nexthop objects and a route"
GWJQ='.[0].nexthops // [] | map([.gateway, .weight])'
want="[[\"$H2_IP\",1],[\"$H2_IP2\",2]]"
wait_for 2 mj_is 192.0.2.0/24 "$GWJQ" "$want"
expect_eq "a route by nexthop group 10 (weights 1, 2): the fast path's group" \
	"$(mj 192.0.2.0/24 "$GWJQ")" "$want"
e1=$(port_tx r-eth1)
e2=$(port_tx r-eth2)
udp_flows 30000 "$FLOWS" UDP4-SENDTO:192.0.2.1
d1=$(delta "$e1" "$(port_tx r-eth1)")
d2=$(delta "$e2" "$(port_tx r-eth2)")
expect_ge "nexthop group: flows by XDP over both ports, about 1:2 (r-eth1 $d1)" "$d1" $((FLOWS / 6))
expect_ge "nexthop group: flows by XDP over both ports, about 1:2 (r-eth2 $d2)" "$d2" $((FLOWS / 2))
run ip -n "$R" nexthop replace id 10 group 1
ONEJQ='[.[0].gateway, .[0].dev, (.[0].nexthops | length)]'
wait_for 2 mj_is 192.0.2.0/24 "$ONEJQ" "[\"$H2_IP\",\"r-eth1\",0]"
expect_eq "group 10 replaced by its first member alone: the route follows within 2 s" \
	"$(mj 192.0.2.0/24 "$ONEJQ")" "[\"$H2_IP\",\"r-eth1\",0]"

# ---- BIRD: two eBGP upstreams, merge paths --------------------------------------------------

BGP_NET=100.64.0.0/24
BGP_HOST=100.64.0.1
run ip -n "$H2" addr add "$BGP_HOST/32" dev lo || bail "h2's address in $BGP_NET"
conf_h2=$LIB_TMP/bird-h2.conf
bird_common "$conf_h2" h2 10.0.2.2
cat >>"$conf_h2" <<EOF
protocol static { ipv4; route $BGP_NET blackhole; route 100.64.1.0/24 blackhole; }
EOF
bird_bgp "$conf_h2" downa 65002 "$H2_IP" 65001 "$R_IP1" \
	"ipv4 { import none; export where source = RTS_STATIC; };"
bird_bgp "$conf_h2" downb 65002 "$H2_IP2" 65001 "$R_IP2" \
	"ipv4 { import none; export where source = RTS_STATIC; };"
conf_r=$LIB_TMP/bird-r.conf
bird_common "$conf_r" r 10.0.1.254
cat >>"$conf_r" <<EOF
protocol kernel k4 {
	ipv4 { import none; export all; };
	merge paths on;
}
EOF
bird_bgp "$conf_r" upa 65001 "$R_IP1" 65002 "$H2_IP" "ipv4 { import all; export none; };"
bird_bgp "$conf_r" upb 65001 "$R_IP2" 65002 "$H2_IP2" "ipv4 { import all; export none; };"
run bird_start h2 "$H2" "$conf_h2" && run bird_start r "$R" "$conf_r" &&
	run bird_wait_up r 30 upa upb || bail "BIRD: both eBGP sessions up"
DEVJQ='.[0].nexthops // [] | map(.dev) | sort'
BOTH='["r-eth1","r-eth2"]'
kj_is() { [[ $(kj "$1" "$2") == "$3" ]]; }
wait_for 10 kj_is "$BGP_NET" "$DEVJQ" "$BOTH"
expect_eq "BIRD merge paths: the kernel has $BGP_NET over both upstreams" \
	"$(kj "$BGP_NET" "$DEVJQ")" "$BOTH"
wait_for 2 mj_is "$BGP_NET" "$DEVJQ" "$BOTH"
expect_eq "ipxr sync: the fast path's group has both" "$(mj "$BGP_NET" "$DEVJQ")" "$BOTH"
e1=$(port_tx r-eth1)
e2=$(port_tx r-eth2)
fwd0=$(fwd_datagrams)
udp_flows 31000 "$FLOWS" "UDP4-SENDTO:$BGP_HOST"
d1=$(delta "$e1" "$(port_tx r-eth1)")
d2=$(delta "$e2" "$(port_tx r-eth2)")
expect_ge "BGP multipath: flows by XDP over both upstreams (r-eth1 $d1)" "$d1" $((FLOWS / 4))
expect_ge "BGP multipath: flows by XDP over both upstreams (r-eth2 $d2)" "$d2" $((FLOWS / 4))
expect_eq "BGP multipath: the kernel forwarded none of them" \
	"$(delta "$fwd0" "$(fwd_datagrams)")" 0
# one upstream withdraws: BIRD replaces the route by its one path, the fast path follows
run bird_c h2 disable downb
wait_for 5 mj_is "$BGP_NET" '[.[0].dev, (.[0].nexthops | length)]' '["r-eth1",0]'
expect_eq "upstream b withdrawn: the route is by r-eth1 alone in the fast path" \
	"$(mj "$BGP_NET" '[.[0].dev, (.[0].nexthops | length)]')" '["r-eth1",0]'
run bird_c h2 enable downb
wait_for 15 mj_is "$BGP_NET" "$DEVJQ" "$BOTH"
expect_eq "upstream b back: both paths again" "$(mj "$BGP_NET" "$DEVJQ")" "$BOTH"
bird_stop r
bird_stop h2

# ---- IPv6: a multipath route over both ports ----------------------------------------------------

# The router's link-local source for neighbour solicitations is planned (fe80::fe, nodad): the
# kernel's own may still be tentative, and then the kernel sends no solicitation for a managed
# entry (nor for a forwarded packet: its source is not the router's).
# shellcheck source=tests/lib6.sh
source "$(dirname "$0")/lib6.sh"
NET6=2001:db8:100::/64
DST6=2001:db8:100::1
run ipv6_on "$H1" h1-eth0 && run ipv6_on "$R" r-eth0 r-eth1 r-eth2 &&
run ipv6_on "$H2" h2-eth0 h2-eth1 &&
run ip -n "$H1" addr add "$H1_IP6/64" dev h1-eth0 nodad &&
run ip -n "$R" addr add "$R_IP6_0/64" dev r-eth0 nodad &&
run ip -n "$R" addr add "$R_IP6_1/64" dev r-eth1 nodad &&
run ip -n "$R" addr add 2001:db8:3::fe/64 dev r-eth2 nodad &&
run ip -n "$R" addr add "$R_LL/64" dev r-eth1 nodad &&
run ip -n "$R" addr add "$R_LL/64" dev r-eth2 nodad &&
run ip -n "$H2" addr add "$H2_IP6/64" dev h2-eth0 nodad &&
run ip -n "$H2" addr add 2001:db8:3::2/64 dev h2-eth1 nodad &&
run ip -n "$H2" addr add "$DST6/128" dev lo &&
run ip -n "$H1" -6 route add default via "$R_IP6_0" dev h1-eth0 &&
run ip -n "$H2" -6 route add default via "$R_IP6_1" dev h2-eth0 &&
run ip netns exec "$R" sysctl -qw net.ipv6.conf.all.forwarding=1 || bail "IPv6 on both ports"
check "ipxr -6 route add with two nexthop clauses" ipxr -6 route add "$NET6" \
	nexthop via "$H2_IP6" dev r-eth1 nexthop via 2001:db8:3::2 dev r-eth2
expect_eq "IPv6: the kernel holds it as a multipath route, the maps as ip shows it" \
	"$(mj "$NET6" "$NHJQ")" "$(ip -n "$R" -6 -j route show "$NET6" | jq -c "$NHJQ")"
udp_flows 20000 20 "UDP6-SENDTO:[$DST6]" # neighbours resolved, caches filled
sleep 0.5
fwd0=$(fwd6)
e1=$(port_tx r-eth1)
e2=$(port_tx r-eth2)
udp_flows 30000 "$FLOWS" "UDP6-SENDTO:[$DST6]"
d1=$(delta "$e1" "$(port_tx r-eth1)")
d2=$(delta "$e2" "$(port_tx r-eth2)")
expect_eq "IPv6: $FLOWS UDP flows all forwarded by XDP over the two ports ($d1 + $d2)" \
	"$((d1 + d2))" "$FLOWS"
expect_ge "IPv6: both ports carry a share (r-eth1 $d1)" "$d1" $((FLOWS / 4))
expect_ge "IPv6: both ports carry a share (r-eth2 $d2)" "$d2" $((FLOWS / 4))
expect_eq "IPv6: the kernel forwarded none of them" "$(delta "$fwd0" "$(fwd6)")" 0 ||
	diag_output "$(ipxr -j stats show | jq -c '.families.inet6')"
check "ipxr -6 route del of the multipath route" ipxr -6 route del "$NET6"

sync_stop
# a port that changed while no ipxr sync ran: the next writer's first look follows it
member2() { mj "$NET" '.[0].nexthops[1].flags'; }
run ip -n "$R" link set dev r-eth2 down
check "r-eth2 down with no daemon: ipxr sync once" ipxr sync once
expect_eq "r-eth2 down with no daemon: its member is dead after sync once" "$(member2)" '["dead"]'
run ip -n "$R" link set dev r-eth2 up
check "r-eth2 up again: ipxr sync once" ipxr sync once
expect_eq "r-eth2 up again: its member is alive after sync once" "$(member2)" '[]'
out=$(ipxr check 2>&1)
expect_eq "ipxr check: maps, groups and next-hop counts in step with the kernel" "$?" 0 ||
	diag_output "$out"
lib_finish
