#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# VLAN sub-interfaces forwarded by XDP: a router on a stick. r-eth1 is a trunk; h2 is on VLAN 10
# (h2-eth0.10), h3 on VLAN 20 (h2-eth0.20, moved into h3's namespace: a VLAN device works with
# its lower device in another one) and on QinQ 802.1ad 100 / 802.1Q 200; h1 is untagged on
# r-eth0. Ping and TCP between all of them go by the fast path (xdp forward counts them, the
# kernel's IpForwDatagrams does not move): push, pop, rewrite and QinQ. Then with ipxr sync
# running: a sub-interface down (vlan_down) and up again, its IPv4 forwarding off (fwd_disabled)
# and on again, one added and removed, which sync follows; a VLAN with no sub-interface is the
# kernel's (vlan_unknown). Needs 8021q (this host has none: the guest loads it).
#
# VLAN offload: h2's veth puts the tag in the frame (txvlan off). With the offload on, a veth
# hands the frame to the peer's XDP program untagged, the tag in the skb's metadata, which the
# program cannot read (the rx_vlan_tag metadata kfunc needs Linux 6.8 and a device-bound program,
# which iproute2 does not load): the frame is routed as one that came untagged on the trunk.
# The last part shows that, as ipxr-route(8) warns.
#
# vm-modules: 8021q
# vm-tools: pgrep

# shellcheck source=tests/lib.sh
source "$(dirname "$0")/../../lib.sh"

N=10
H2_V10=10.0.3.2
H3_V20=10.0.4.2
H3_QQ=10.0.6.2
H2_V30=10.0.7.2

need_e2e_tools
lib_init vmvlan
H3=vmvlan-$$-h3
topo_build || bail "topology h1 - r - h2 built"
run netns_add "$H3" || bail "namespace h3"
topo_attach || bail "xdp_router.o attached on both ports"

# vlan NS LOWER NAME PROTO ID ADDR: a VLAN device, its tag in the frame, up with ADDR/24
vlan()
{
	run ip -n "$1" link add link "$2" name "$3" type vlan protocol "$4" id "$5" &&
	{ ip netns exec "$1" ethtool -K "$3" tx off >/dev/null 2>&1 || :; } &&
	run ip -n "$1" addr add "$6/24" dev "$3" &&
	run ip -n "$1" link set dev "$3" up
}

# both tags in the frame: 802.1Q (txvlan) and 802.1ad (tx-vlan-stag-hw-insert)
run ip netns exec "$H2" ethtool -K h2-eth0 txvlan off tx-vlan-stag-hw-insert off &&
vlan "$R" r-eth1 r-eth1.10 802.1Q 10 10.0.3.254 &&
vlan "$R" r-eth1 r-eth1.20 802.1Q 20 10.0.4.254 &&
vlan "$R" r-eth1 r-eth1.100 802.1ad 100 10.0.5.254 &&
vlan "$R" r-eth1.100 r-eth1.100.200 802.1Q 200 10.0.6.254 &&
vlan "$H2" h2-eth0 h2-eth0.10 802.1Q 10 "$H2_V10" &&
run ip -n "$H2" link add link h2-eth0 name h2-eth0.20 type vlan id 20 &&
run ip -n "$H2" link set dev h2-eth0.20 netns "$H3" &&
{ ip netns exec "$H3" ethtool -K h2-eth0.20 tx off >/dev/null 2>&1 || :; } &&
run ip -n "$H3" addr add "$H3_V20/24" dev h2-eth0.20 &&
run ip -n "$H3" link set dev h2-eth0.20 up &&
vlan "$H2" h2-eth0 h2-eth0.100 802.1ad 100 10.0.5.2 &&
run ip -n "$H2" link add link h2-eth0.100 name h2-eth0.100.200 type vlan id 200 &&
run ip -n "$H2" link set dev h2-eth0.100.200 netns "$H3" &&
{ ip netns exec "$H3" ethtool -K h2-eth0.100.200 tx off >/dev/null 2>&1 || :; } &&
run ip -n "$H3" addr add "$H3_QQ/24" dev h2-eth0.100.200 &&
run ip -n "$H3" link set dev h2-eth0.100.200 up &&
vlan "$H2" h2-eth0 h2-eth0.30 802.1Q 30 "$H2_V30" &&
run ip -n "$H2" route replace default via 10.0.3.254 dev h2-eth0.10 &&
run ip -n "$H3" route add 10.0.1.0/24 via 10.0.6.254 dev h2-eth0.100.200 &&
run ip -n "$H3" route add 10.0.3.0/24 via 10.0.4.254 dev h2-eth0.20 ||
	bail "VLANs 10, 20, 30 and QinQ 100.200 between r-eth1 and h2-eth0"

check "ipxr route add $NET1 dev r-eth0" ipxr route add "$NET1" dev r-eth0
check "ipxr route add 10.0.3.0/24 dev r-eth1.10" ipxr route add 10.0.3.0/24 dev r-eth1.10
check "ipxr route add 10.0.4.0/24 dev r-eth1.20" ipxr route add 10.0.4.0/24 dev r-eth1.20
check "ipxr route add 10.0.6.0/24 dev r-eth1.100.200" \
	ipxr route add 10.0.6.0/24 dev r-eth1.100.200
expect_match "route show names the sub-interface as ip does" \
	"^10.0.6.0/24 dev r-eth1.100.200 " "$(ipxr route show 10.0.6.0/24)"
expect_match "ip route shows the same device" "^10.0.6.0/24 dev r-eth1.100.200 " \
	"$(ip -n "$R" route show 10.0.6.0/24)"
expect_match "nexthop show names it too" "dev r-eth1.100.200" "$(ipxr nexthop show dev r-eth1.100.200)"
expect_eq "the maps name 4 sub-interfaces (ipxr_vlans)" \
	"$(bpftool -j map dump pinned "$(pinned ipxr_vlans)" | jq length)" 4

# neighbours first: their first frames are the kernel's (no_neigh), which resolves them
for dst in "$H2_V10" "$H3_V20" "$H3_QQ"; do
	nsrun "$H1" ping -c 2 -i 0.2 -W 2 "$dst" >/dev/null 2>&1
done
nsrun "$H2" ping -c 2 -i 0.2 -W 2 "$H3_V20" >/dev/null 2>&1

check_fast fwd_datagrams ipxr_stat "untagged <-> VLAN 10 (push, pop)" "$N" "$H2_V10"
check_fast fwd_datagrams ipxr_stat "untagged -> VLAN 20 on h3, back by QinQ" "$N" "$H3_V20"
check_fast fwd_datagrams ipxr_stat "untagged <-> QinQ 100.200" "$N" "$H3_QQ"

# from_to NS DEST LABEL: NS pings DEST, all answered, all by the fast path
from_to()
{
	local fwd0 fwd1 f0 f1 out

	fwd0=$(fwd_datagrams)
	f0=$(ipxr_stat forward packets)
	out=$(nsrun "$1" ping -c "$N" -i 0.05 -W 1 -q "$2" 2>&1)
	fwd1=$(fwd_datagrams)
	f1=$(ipxr_stat forward packets)
	expect_eq "$3: $N sent, $N answered" "$(ping_stats "$out")" "$N $N"
	expect_eq "$3: all by the fast path (forward +$((2 * N)), IpForwDatagrams unchanged)" \
		"$(delta "$f0" "$f1") $fwd1" "$((2 * N)) $fwd0"
}
nsrun "$H2" ping -c 2 -i 0.2 -W 2 "$H3_QQ" >/dev/null 2>&1
from_to "$H2" "$H3_V20" "VLAN 10 <-> VLAN 20 (rewrite)"
from_to "$H2" "$H3_QQ" "VLAN 10 -> QinQ 100.200 (a second tag pushed), back from VLAN 20"

# the router's own address on a sub-interface: the kernel's, tags and all, and it answers
l0=$(ipxr_stat local packets)
out=$(nsrun "$H2" ping -c 5 -i 0.05 -W 1 10.0.3.254 2>&1)
l1=$(ipxr_stat local packets)
expect_eq "h2 pings r-eth1.10's address: 5 sent, 5 answered" "$(ping_stats "$out")" "5 5"
expect_eq "the echoes were passed as local, tags put back" "$(delta "$l0" "$l1")" 5

check_tcp fwd_datagrams ipxr_stat TCP-LISTEN:5001 "TCP:$H2_V10:5001"
# the same from h2 on VLAN 10 to h3 on VLAN 20
head -c $((2 * 1024 * 1024)) /dev/urandom >"$LIB_TMP/send"
rm -f "$LIB_TMP/recv"
bg "$H3" socat -u TCP-LISTEN:5002,reuseaddr "OPEN:$LIB_TMP/recv,creat,trunc"
listener=$BG_PID
wait_for 5 nsrun "$H3" sh -c 'ss -Hltn "sport = :5002" | grep -q .' ||
	diag "socat did not listen on h3:5002"
fwd0=$(fwd_datagrams)
check "2 MiB over TCP VLAN 10 -> VLAN 20" nsrun "$H2" socat -u "OPEN:$LIB_TMP/send" \
	"TCP:$H3_V20:5002"
wait "$listener"
expect_eq "the received file has the sent sha256" \
	"$(sha256sum <"$LIB_TMP/recv" 2>/dev/null)" "$(sha256sum <"$LIB_TMP/send")"
expect_eq "the kernel forwarded no segment between the VLANs" "$(fwd_datagrams)" "$fwd0"

# a VLAN the router has no sub-interface for: the kernel's, which drops it
u0=$(ipxr_stat vlan_unknown packets)
nsrun "$H2" ping -c 2 -i 0.2 -W 1 10.0.7.254 >/dev/null 2>&1
u1=$(ipxr_stat vlan_unknown packets)
expect_ge "VLAN 30 (no sub-interface) is passed as vlan_unknown" "$(delta "$u0" "$u1")" 1

# ---- ipxr sync follows the sub-interfaces -------------------------------------------------------
SYNC_SECS=30
sync_start || { diag_output "$(cat "$SYNC_LOG")"; bail "ipxr sync follows the table"; }

run ip -n "$R" link set dev r-eth1.20 down
vlan_down_seen()
{
	local d0 d1

	d0=$(ipxr_stat vlan_down packets)
	nsrun "$H3" ping -c 1 -W 1 10.0.4.254 >/dev/null 2>&1
	d1=$(ipxr_stat vlan_down packets)
	[[ $(delta "$d0" "$d1") =~ ^[1-9] ]]
}
check "r-eth1.20 down: its frames are passed as vlan_down" wait_for 5 vlan_down_seen
run ip -n "$R" link set dev r-eth1.20 up
# the kernel dropped the IPv4 routes through it; sync puts ipxr's back
# fast_again HOST: one ping h1 -> HOST answered, request and reply both forwarded by XDP
fast_again()
{
	local f0 f1

	f0=$(ipxr_stat forward packets)
	nsrun "$H1" ping -c 1 -W 1 "$1" >/dev/null 2>&1 || return 1
	f1=$(ipxr_stat forward packets)
	[[ $(delta "$f0" "$f1") == 2 ]]
}
check "r-eth1.20 up again: VLAN 20 forwarded by XDP again" wait_for 10 fast_again "$H3_V20"

# the trunk loses its program and gets it back: its sub-interfaces follow
run ip -n "$R" link set dev r-eth1 xdpdrv off
no_xdp_seen()
{
	local p0 p1

	p0=$(ipxr_stat port_no_xdp packets)
	nsrun "$H1" ping -c 1 -W 1 "$H2_V10" >/dev/null 2>&1
	p1=$(ipxr_stat port_no_xdp packets)
	[[ $(delta "$p0" "$p1") =~ ^[1-9] ]]
}
check "r-eth1 without the object: r-eth1.10's frames are port_no_xdp" wait_for 5 no_xdp_seen
run ip -n "$R" link set dev r-eth1 xdpdrv obj "$XDP_OBJ"
check "r-eth1 runs the object again: VLAN 10 by XDP again" wait_for 10 fast_again "$H2_V10"

# IPv4 forwarding off on r-eth1.10: the kernel routes nothing that comes in by it, nor does XDP
fwd4() { ip netns exec "$R" sh -c "echo $1 > /proc/sys/net/ipv4/conf/r-eth1.10/forwarding"; }
run fwd4 0
fwd_off_seen()
{
	local d0 d1

	d0=$(ipxr_stat fwd_disabled packets)
	nsrun "$H1" ping -c 1 -W 1 "$H2_V10" >/dev/null 2>&1 && return 1
	d1=$(ipxr_stat fwd_disabled packets)
	[[ $(delta "$d0" "$d1") =~ ^[1-9] ]]
}
check "r-eth1.10 forwarding off: its replies are the kernel's (fwd_disabled), not routed" \
	wait_for 5 fwd_off_seen
run fwd4 1
check "r-eth1.10 forwarding on again: VLAN 10 by XDP again" wait_for 10 fast_again "$H2_V10"

run vlan "$R" r-eth1 r-eth1.30 802.1Q 30 10.0.7.254 ||
	not_ok "r-eth1.30 added with 10.0.7.254/24"
keys_are() { [[ $(bpftool -j map dump pinned "$(pinned ipxr_vlans)" | jq length) == "$1" ]]; }
check "sync records r-eth1.30 in ipxr_vlans" wait_for 5 keys_are 5
nsrun "$H1" ping -c 2 -i 0.2 -W 2 "$H2_V30" >/dev/null 2>&1
check "sync compiles 10.0.7.0/24 dev r-eth1.30" wait_for 5 \
	sh -c "'$IPXR' -n '$R' route show 10.0.7.0/24 | grep -q 'dev r-eth1.30'"
check_fast fwd_datagrams ipxr_stat "new sub-interface r-eth1.30" "$N" "$H2_V30"
run ip -n "$R" link del dev r-eth1.30
check "sync forgets r-eth1.30 (ipxr_vlans back to 4 keys)" wait_for 5 keys_are 4
u0=$(ipxr_stat vlan_unknown packets)
nsrun "$H2" ping -c 2 -i 0.2 -W 1 10.0.7.254 >/dev/null 2>&1
u1=$(ipxr_stat vlan_unknown packets)
expect_ge "VLAN 30 is vlan_unknown again" "$(delta "$u0" "$u1")" 1
sync_stop
expect_eq "ipxr sync stopped cleanly" "$?" 0

# ---- VLAN offload on h2's veth: the tag never reaches the program ------------------------------
run ip netns exec "$H2" ethtool -K h2-eth0 txvlan on
out=$(nsrun "$H2" ping -c "$N" -i 0.05 -W 1 -q "$H1_IP" 2>&1)
expect_eq "txvlan on: h2 still pings h1 ($N sent, $N answered)" "$(ping_stats "$out")" "$N $N"
fwd0=$(fwd_datagrams)
f0=$(ipxr_stat forward packets)
out=$(nsrun "$H2" ping -c "$N" -i 0.05 -W 1 -q 10.0.6.2 2>&1)
f1=$(ipxr_stat forward packets)
expect_eq "txvlan on: VLAN 10 -> QinQ still answered" "$(ping_stats "$out")" "$N $N"
expect_eq "txvlan on: routed by XDP as if untagged on r-eth1 (forward +$((2 * N)))" \
	"$(delta "$f0" "$f1") $(fwd_datagrams)" "$((2 * N)) $fwd0"
run ip netns exec "$H2" ethtool -K h2-eth0 txvlan off

lib_finish
