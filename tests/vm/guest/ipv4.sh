#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# IPv4 through the router: the object attached in both forms (a verifier refusal shows its log),
# routes written and shown with ipxr, ping and TCP forwarded by XDP while the kernel's forwarding
# counter stands still, and the exceptions the kernel must answer: TTL 1 (time exceeded) and a
# packet over the egress MTU with DF set (fragmentation needed). Runs on the host too.

# shellcheck source=tests/lib.sh
source "$(dirname "$0")/../../lib.sh"

need_e2e_tools
lib_init vm4
topo_build || bail "topology h1 - r - h2 built"
topo_attach || bail "xdp_router.o attached on both ports (sec xdp_router, and no sec)"
progs=$(for d in r-eth0 r-eth1; do
	ip -j -d -n "$R" link show dev "$d" | jq -r '.[0].xdp | "\(.mode) \(.prog.name)"'
done)
expect_eq "driver mode, sections xdp_router and prog" "$progs" "1 xdp_route
1 xdp_route_prog"

check "ipxr route add $NET1 dev r-eth0" ipxr route add "$NET1" dev r-eth0
check "ipxr route add $NET2 dev r-eth1" ipxr route add "$NET2" dev r-eth1
# the kernel's connected routes, which ipxr compiled as the kernel holds them
expect_eq "ipxr route show lists both" "$(ipxr route show | sort)" \
	"$NET1 dev r-eth0 proto kernel scope link src $R_IP0
$NET2 dev r-eth1 proto kernel scope link src $R_IP1"

# the first packets resolve the neighbours through the kernel (no_neigh)
out=$(nsrun "$H1" ping -c 3 -i 0.2 -W 2 "$H2_IP" 2>&1)
expect_eq "ping h1 -> h2 through the router (3 sent, 3 received)" "$(ping_stats "$out")" "3 3"
check_fast fwd_datagrams ipxr_stat "echo + reply by XDP" 20 "$H2_IP" 0.02
# ipxr painted the front structure (pools it creates, puts in ipxr_lpm and writes through mmap)
out=$("$ROOT/tests/lpm_check" "$TC_BPF_MNT/xdp/globals" "$H2_IP" 2>&1)
expect_match "the front structure is in step with the tries" "^inet: in step" "$out"
expect_match "its leaf for $H2_IP: the connected /24, unicast (0x0601....)" "^0x0601" "$out"
check_tcp fwd_datagrams ipxr_stat TCP-LISTEN:5001 "TCP:$H2_IP:5001"
check_ttl1 ipxr_stat "$H2_IP" "From $R_IP0 .*Time to live exceeded"

run ip -n "$R" link set dev r-eth1 mtu 1400
run ip -n "$H2" link set dev h2-eth0 mtu 1400
sleep 0.3	# the cached MTU is refreshed with the neighbour
m0=$(ipxr_stat mtu_exceeded packets)
out=$(nsrun "$H1" ping -c 1 -s 1420 -M "do" -W 2 "$H2_IP" 2>&1)
m1=$(ipxr_stat mtu_exceeded packets)
expect_match "a 1448-byte DF packet to a 1400-byte link: 'Frag needed' (mtu = 1400) from $R_IP0" \
	"From $R_IP0 .*Frag needed.*mtu = 1400" "$out"
expect_eq "mtu_exceeded rose by 1" "$(delta "$m0" "$m1")" 1
fwd0=$(fwd_datagrams)
f0=$(ipxr_stat forward packets)
out=$(nsrun "$H1" ping -c 3 -i 0.05 -s 1300 -M "do" -W 1 "$H2_IP" 2>&1)
expect_eq "1328-byte packets still pass the 1400-byte link (3 sent, 3 answered)" \
	"$(ping_stats "$out")" "3 3"
expect_eq "by XDP (forward +6, IpForwDatagrams unchanged)" \
	"$(delta "$f0" "$(ipxr_stat forward packets)") $(fwd_datagrams)" "6 $fwd0"

check "ipxr route del $NET2 dev r-eth1" ipxr route del "$NET2" dev r-eth1
expect_eq "ipxr route show lists $NET1 alone" "$(ipxr route show)" \
	"$NET1 dev r-eth0 proto kernel scope link src $R_IP0"
expect_eq "... and so does the kernel: route del deletes its route, as ip route del" \
	"$(ip -n "$R" route show "$NET2")" ""
fwd0=$(fwd_datagrams)
n0=$(ipxr_stat no_route packets)
out=$(nsrun "$H1" ping -c 3 -i 0.05 -W 1 "$H2_IP" 2>&1)
fwd1=$(fwd_datagrams)
n1=$(ipxr_stat no_route packets)
expect_match "after route del the kernel answers: Destination Net Unreachable from $R_IP0" \
	"From $R_IP0 .*Destination Net Unreachable" "$out"
expect_eq "no_route +3 and IpForwDatagrams +0 (handed to the kernel, which has no route)" \
	"$(delta "$n0" "$n1") $(delta "$fwd0" "$fwd1")" "3 0"

lib_finish
