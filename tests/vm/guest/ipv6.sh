#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# IPv6 through the router, IPv4 on the same ports: next hops on-link, global and link-local (the
# last needs BPF_FIB_LOOKUP_TBID, see xdp_router(8)), ping and TCP forwarded by XDP while the
# kernel's Ip6OutForwDatagrams stands still, hop limit 1 (time exceeded) and a packet over the
# egress MTU (Packet Too Big) answered by the kernel. Runs on the host too.

# shellcheck source=tests/lib.sh
source "$(dirname "$0")/../../lib.sh"
# shellcheck source=tests/lib6.sh
source "$(dirname "$0")/../../lib6.sh"

need_e2e_tools
lib_init vm6
topo_build || bail "topology h1 - r - h2 built"
topo6_build || bail "IPv6 addresses and routes on h1 - r - h2"
topo_attach || bail "xdp_router.o attached on both ports (sec xdp_router, and no sec)"

check "ipxr route add $NET6_1 dev r-eth0" ipxr route add "$NET6_1" dev r-eth0
check "ipxr route add $NET6_2 dev r-eth1" ipxr route add "$NET6_2" dev r-eth1
check "ipxr route add $LL_NET via $H2_LL dev r-eth1 (link-local next hop)" \
	ipxr route add "$LL_NET" via "$H2_LL" dev r-eth1
check "ipxr route add $GW_NET via $H2_IP6 (global next hop)" ipxr route add "$GW_NET" via "$H2_IP6"
check "ipxr route add $NET1 dev r-eth0" ipxr route add "$NET1" dev r-eth0
check "ipxr route add $NET2 dev r-eth1" ipxr route add "$NET2" dev r-eth1
# proto ipxr is 105 where iproute2's rt_protos.d has no name for it (the guest)
expect_eq "ipxr -6 route show lists the IPv6 routes" \
	"$(ipxr -6 route show | sed 's/ proto 105 / proto ipxr /' | sort)" \
	"$NET6_1 dev r-eth0 proto kernel metric 256 pref medium
$NET6_2 dev r-eth1 proto kernel metric 256 pref medium
$GW_NET via $H2_IP6 dev r-eth1 proto ipxr metric 1024 pref medium
$LL_NET via $H2_LL dev r-eth1 proto ipxr metric 1024 pref medium"

out=$(nsrun "$H1" ping -c 3 -i 0.2 -W 2 "$H2_IP6" 2>&1)
expect_eq "ping -6 h1 -> h2 through the router (3 sent, 3 received)" "$(ping_stats "$out")" "3 3"
out=$(nsrun "$H1" ping -c 1 -W 2 "$H2_IP" 2>&1)
expect_eq "ping h1 -> h2 over IPv4 on the same ports" "$(ping_stats "$out")" "1 1"
check_fast fwd6 stat6 "on-link" 20 "$H2_IP6" 0.02
check_fast fwd6 stat6 "link-local next hop" 10 "$LL_HOST"
check_fast fwd6 stat6 "global next hop" 10 "$GW_HOST"
check_fast fwd_datagrams stat4 "IPv4 beside IPv6" 10 "$H2_IP"
# those went by the front structure: in step, and a plain unicast leaf for the global next hop's
# destination (neither a group nor "ask the trie")
out=$("$ROOT/tests/lpm_check" "$TC_BPF_MNT/xdp/globals" "$GW_HOST" 2>&1)
expect_match "the front structure is in step with the tries (IPv6)" "^inet6: in step" "$out"
w=$(head -n 1 <<<"$out")
expect_eq "its leaf for $GW_HOST is unicast ($w)" \
	"$(( (w & 0xc0000000) == 0 && (w >> 16 & 0x3f) == 1 ))" 1
check_tcp fwd6 stat6 TCP6-LISTEN:5001 "TCP6:[$H2_IP6]:5001"
check_ttl1 stat6 "$H2_IP6" "From $R_IP6_0 .*Time exceeded: Hop limit"

run ip -n "$R" link set dev r-eth1 mtu 1400
run ip -n "$H2" link set dev h2-eth0 mtu 1400
sleep 0.3	# the cached MTU is refreshed with the neighbour
m0=$(stat6 mtu_exceeded packets)
out=$(nsrun "$H1" ping -c 1 -s 1420 -M "do" -W 2 "$H2_IP6" 2>&1)
m1=$(stat6 mtu_exceeded packets)
expect_match "a 1468-byte packet to a 1400-byte link gets Packet too big (mtu=1400) from $R_IP6_0" \
	"From $R_IP6_0 .*Packet too big: mtu=1400" "$out"
expect_eq "inet6 mtu_exceeded rose by 1" "$(delta "$m0" "$m1")" 1

check "ipxr route del $LL_NET via $H2_LL dev r-eth1" \
	ipxr route del "$LL_NET" via "$H2_LL" dev r-eth1
expect_eq "the stand-in route went with its next hop" \
	"$(ip -n "$R" -6 route show table "$STANDIN_TABLE" 2>/dev/null)" ""
n0=$(stat6 no_route packets)
out=$(nsrun "$H1" ping -c 3 -i 0.05 -W 1 "$LL_HOST" 2>&1)
n1=$(stat6 no_route packets)
expect_eq "after route del $LL_HOST is unreachable (the kernel has no route)" \
	"$(ping_stats "$out")" "3 0"
expect_eq "inet6 no_route rose by the 3 sent" "$(delta "$n0" "$n1")" 3

lib_finish
