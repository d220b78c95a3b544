#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Frames the fast path redirects into a veth whose peer has neither an XDP program nor GRO are
# dropped by the kernel (veth advertises no ndo_xdp_xmit then: the netdev family's
# xdp-features), after the program counted them forwarded. ipxr check, ipxr sync, every write
# and stats show say so, naming the port, its peer and the fix; with GRO or XDP on the peer
# they are quiet. The hosts' ends start with neither (HOST_RX=none).
#
#	tests/vethpeer.sh	(root; IPXR=path/to/ipxr, default build/asan/ipxr; V=1 verbose)

# shellcheck source=tests/lib.sh
source "$(dirname "$0")/lib.sh"

HOST_RX=none
need_e2e_tools

lib_init ipxr-vpeer
topo_build || bail "topology h1 - r - h2 built, the hosts' veth ends without XDP or GRO"
topo_attach || bail "xdp_router.o attached on the router's ports"

out=$(ipxr route add "$NET1" dev r-eth0 2>&1)
expect_match "route add warns: r-eth0's peer h1-eth0 takes no redirected frame" \
	"Warning: port r-eth0 is a veth whose peer h1-eth0 in netns $H1 has no XDP program" "$out"
out=$(ipxr route add "$NET2" dev r-eth1 2>&1)
check "ipxr route add $NET2 dev r-eth1" test $? = 0

out=$(nsrun "$H1" ping -c 5 -i 0.05 -W 1 "$H2_IP" 2>&1)
expect_eq "the pings are lost: redirected into veths whose peers drop them" \
	"$(ping_stats "$out")" "5 0"
expect_ge "... yet counted forwarded" "$(ipxr_stat forward packets)" 5

out=$(ipxr check 2>&1)
rc=$?
expect_eq "ipxr check: exit 5 (a problem)" "$rc" 5
want="^port: port r-eth1 is a veth whose peer h2-eth0 in netns $H2 has no XDP program and GRO"
want+=" off: the kernel drops every frame the fast path redirects into r-eth1, which ipxr"
want+=" counts as forwarded; attach an XDP program on h2-eth0, or turn GRO on: ip netns exec"
want+=" $H2 ethtool -K h2-eth0 gro on\$"
expect_match "ipxr check names r-eth1, its peer and the fix" "$want" "$out"
expect_match "... and r-eth0's" "^port: port r-eth0 is a veth whose peer h1-eth0 in netns $H1 " \
	"$out"
out=$(ipxr stats show 2>&1 >/dev/null)
expect_match "stats show warns on stderr too, where the forward counter is" \
	"^Warning: port r-eth1 is a veth whose peer h2-eth0 in netns $H2 has no XDP program" "$out"
out=$(ipxr stats show prometheus 2>&1 >/dev/null)
expect_eq "stats show prometheus (a file for a collector) stays quiet" "$out" ""

SYNC_LOG=$LIB_TMP/sync.log
if sync_start; then ok "ipxr sync started"; else not_ok "ipxr sync started"; fi
expect_match "ipxr sync warns at start" "Warning: port r-eth1 is a veth whose peer h2-eth0" \
	"$(cat "$SYNC_LOG")"
sync_stop
expect_eq "ipxr sync exits 0 on SIGTERM" "$?" 0

# GRO on h2's end: r-eth1 takes redirected frames, r-eth0 still not
run ip netns exec "$H2" ethtool -K h2-eth0 gro on
out=$(ipxr check 2>&1)
expect_eq "GRO on h2-eth0: r-eth1 is no longer reported" "$(grep -c 'port r-eth1 ' <<<"$out")" 0
expect_match "... r-eth0 still is" "port r-eth0 is a veth whose peer h1-eth0" "$out"

# an XDP program on h1's end: nothing to report
xdp_pass_obj || bail "XDP_PASS object built"
run ip -n "$H1" link set dev h1-eth0 xdpdrv obj "$LIB_TMP/xdp_pass.o" sec xdp
out=$(ipxr check 2>&1)
rc=$?
expect_eq "XDP on h1-eth0, GRO on h2-eth0: ipxr check exits 0" "$rc" 0
[[ $rc == 0 ]] || diag_output "$out"
expect_eq "stats show says nothing on stderr" "$(ipxr stats show 2>&1 >/dev/null)" ""
out=$(nsrun "$H1" ping -c 5 -i 0.05 -W 1 "$H2_IP" 2>&1)
expect_eq "and the pings go through" "$(ping_stats "$out")" "5 5"

# back to neither on h2's end: reported again
run ip netns exec "$H2" ethtool -K h2-eth0 gro off
out=$(ipxr check 2>&1)
expect_eq "GRO off again on h2-eth0: ipxr check exits 5" "$?" 5
expect_match "... naming r-eth1 again" "port r-eth1 is a veth whose peer h2-eth0" "$out"

lib_finish
