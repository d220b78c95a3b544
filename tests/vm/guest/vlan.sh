#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# 802.1Q-tagged frames are the kernel's: the program passes them (other_proto) and the kernel
# strips the tag and forwards them; the untagged replies, to a network ipxr has no route for,
# are passed as no_route and forwarded by the kernel too. Nothing is lost or answered by XDP.
# Needs 8021q (this host has none: the guest loads it).
#
# h2's veth puts the tag in the frame (txvlan off): with the offload on, a veth hands the frame
# to the peer's XDP program untagged, the tag in the skb's metadata, which the program cannot
# read (the rx_vlan_tag metadata kfunc needs Linux 6.8 and a device-bound program, which
# iproute2 does not load), so it routes the frame as if it came untagged.
#
# vm-modules: 8021q

# shellcheck source=tests/lib.sh
source "$(dirname "$0")/../../lib.sh"

N=10
VLAN_NET=10.0.3.0/24
R_VLAN_IP=10.0.3.254
H2_VLAN_IP=10.0.3.2

need_e2e_tools
lib_init vmvlan
topo_build || bail "topology h1 - r - h2 built"
topo_attach || bail "xdp_router.o attached on both ports"
run ip -n "$R" link add link r-eth1 name r-eth1.10 type vlan id 10 &&
run ip -n "$H2" link add link h2-eth0 name h2-eth0.10 type vlan id 10 &&
run ip -n "$R" addr add "$R_VLAN_IP/24" dev r-eth1.10 &&
run ip -n "$H2" addr add "$H2_VLAN_IP/24" dev h2-eth0.10 &&
run ip -n "$R" link set dev r-eth1.10 up &&
run ip -n "$H2" link set dev h2-eth0.10 up &&
run ip -n "$H2" route add "$NET1" via "$R_VLAN_IP" dev h2-eth0.10 &&
run ip netns exec "$H2" ethtool -K h2-eth0 txvlan off ||
	bail "VLAN 10 between r-eth1 and h2-eth0"
check "ipxr route add $NET1 dev r-eth0" ipxr route add "$NET1" dev r-eth0
check "ipxr route add $NET2 dev r-eth1" ipxr route add "$NET2" dev r-eth1

out=$(nsrun "$H2" ping -c 2 -i 0.2 -W 2 "$H1_IP" 2>&1)
expect_eq "warm-up: h2 pings h1 from VLAN 10 (2 sent, 2 answered)" "$(ping_stats "$out")" "2 2"
fwd0=$(fwd_datagrams)
o0=$(ipxr_stat other_proto packets)
n0=$(ipxr_stat no_route packets)
f0=$(ipxr_stat forward packets)
out=$(nsrun "$H2" ping -c "$N" -i 0.05 -W 1 "$H1_IP" 2>&1)
fwd1=$(fwd_datagrams)
o1=$(ipxr_stat other_proto packets)
n1=$(ipxr_stat no_route packets)
f1=$(ipxr_stat forward packets)
expect_eq "h2 pings h1 from VLAN 10 through the router: $N sent, $N answered" \
	"$(ping_stats "$out")" "$N $N"
expect_ge "the tagged echoes were passed as other_proto" "$(delta "$o0" "$o1")" "$N"
expect_eq "the replies to $VLAN_NET (no ipxr route) were passed as no_route" \
	"$(delta "$n0" "$n1")" "$N"
expect_eq "the kernel forwarded both ways (IpForwDatagrams +$((2 * N))), XDP none" \
	"$(delta "$fwd0" "$fwd1") $(delta "$f0" "$f1")" "$((2 * N)) 0"

lib_finish
