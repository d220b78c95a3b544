#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# ipxr sync with IPv6 and a link-local gateway (tests/lib6.sh's topology): a route written with
# ip reaches the fast path, and the egress port going down and up takes the kernel's IPv6
# routes with it, ipxr's stand-in route of the gateway included; ipxr sync hands the traffic to
# the kernel while the port is down and, once it is up, puts back ipxr's own route and the
# stand-in, so the fast path forwards again within a second with no command.
#
#	tests/sync6.sh		(root; IPXR=path/to/ipxr, default build/asan/ipxr; V=1 verbose)

# shellcheck source=tests/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=tests/lib6.sh
source "$(dirname "$0")/lib6.sh"

need_e2e_tools
POLL_IPXR=${POLL_IPXR:-$ROOT/ipxr/ipxr}
[[ -x $POLL_IPXR ]] || POLL_IPXR=$IPXR

lib_init ipxr-sync6
topo_build || bail "topology h1 - r - h2 built"
topo6_build || bail "IPv6 on the topology"
topo_attach || bail "xdp_router.o attached on the router's ports"
# The ports keep their global addresses over the flap, as routers keep their static ones (the
# kernel still flushes the port's routes, and its link-local addresses)
run ip netns exec "$R" sysctl -qw net.ipv6.conf.r-eth1.keep_addr_on_down=1
run ip netns exec "$H2" sysctl -qw net.ipv6.conf.h2-eth0.keep_addr_on_down=1

px() { "$POLL_IPXR" -n "$R" "$@"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
in_maps() { [[ -n $(px -6 route show "$1" 2>/dev/null) ]]; }
standin() { ip -n "$R" -6 route show table "$STANDIN_TABLE" | grep -q "via $H2_LL dev r-eth1"; }

sync_start || bail "ipxr sync started"
ok "ipxr sync started"

# warm up the neighbours both ways through the kernel
out=$(nsrun "$H1" ping -6 -c 3 -i 0.1 -W 2 "$H2_IP6" 2>&1)
expect_eq "h1 pings h2 over IPv6 by the connected routes ipxr sync compiled" \
	"$(ping_stats "$out")" "3 3"

# a route written with ip through the link-local gateway: compiled, with its stand-in
run ip -n "$R" -6 route add "$GW_NET" via "$H2_LL" dev r-eth1
wait_for 1 in_maps "$GW_NET"
expect_eq "ip -6 route add $GW_NET via $H2_LL: in the maps" \
	"$(px -6 -j route show "$GW_NET" | jq -r '.[0] | "\(.gateway) \(.dev)"')" "$H2_LL r-eth1"
check "its next hop's stand-in route is in table $STANDIN_TABLE" standin
out=$(nsrun "$H1" ping -6 -c 2 -i 0.1 -W 2 "$GW_HOST" 2>&1)
check_fast fwd6 stat6 "ip's route via $H2_LL" 20 "$GW_HOST" 0.01

check "ipxr route add $LL_NET via $H2_LL dev r-eth1" \
	ipxr route add "$LL_NET" via "$H2_LL" dev r-eth1
check_fast fwd6 stat6 "ipxr's route via $H2_LL" 20 "$LL_HOST" 0.01

# fast_again DEST: ms until one echo to DEST goes both ways through the fast path, or "timeout"
fast_again()
{
	local t0 f0 f1 out

	t0=$(now_ms)
	while (($(now_ms) - t0 < 3000)); do
		f0=$(px -6 -j stats | jq '.reasons.forward.packets')
		out=$(nsrun "$H1" ping -6 -c 1 -W 0.2 "$1" 2>&1)
		f1=$(px -6 -j stats | jq '.reasons.forward.packets')
		if [[ $(ping_stats "$out") == "1 1" && $((f1 - f0)) -eq 2 ]]; then
			echo $(($(now_ms) - t0))
			return 0
		fi
		sleep 0.02
	done
	echo timeout
	return 1
}

d0=$(stat6 port_down packets)
run ip -n "$R" link set dev r-eth1 down
sleep 0.3
check_fail "r-eth1 down: the kernel dropped ipxr's route" \
	sh -c "ip -n '$R' -6 route show '$LL_NET' | grep -q ."
check_fail "and the stand-in route" standin
# the protocol's name where rt_protos.d names it, its number (105) where it is not installed
expect_match "the maps keep ipxr's route (its only record until the port is up)" \
	'^\(ipxr\|105\)$' "$(px -6 -j route show "$LL_NET" | jq -r '.[0].protocol')"
nsrun "$H1" ping -6 -c 3 -i 0.05 -W 0.2 "$LL_HOST" >/dev/null 2>&1
expect_ge "while down, the fast path hands the traffic to the kernel (port_down)" \
	"$(delta "$d0" "$(stat6 port_down packets)")" 3
run ip -n "$R" link set dev r-eth1 up
wait_for 3 sh -c "ip -n '$R' link show dev r-eth1 | grep -q 'UP,LOWER_UP'"
# the router's configuration gives the port its link-local gateway address back; h2 lost its
# carrier meanwhile, and its IPv6 routes with it
run ip -n "$R" addr add "$R_LL/64" dev r-eth1 nodad
run ip -n "$H2" -6 route replace default via "$R_LL" dev h2-eth0
t=$(fast_again "$LL_HOST")
diag "r-eth1 up -> ipxr's IPv6 route forwarded by the fast path again after $t ms"
if [[ $t =~ ^[0-9]+$ ]] && ((t <= 1000)); then
	ok "the fast path forwards ipxr's IPv6 route again within 1 s of up ($t ms)"
else
	not_ok "the fast path forwards ipxr's IPv6 route again within 1 s of up ($t ms)"
	diag_output "$(tail -5 "$SYNC_LOG")"
fi
expect_eq "ipxr's route is in the kernel again (proto ipxr, 105)" \
	"$(ip -N -n "$R" -6 route show "$LL_NET" | awk '{ print $1, $2, $3, $4, $5, $6, $7 }')" \
	"$LL_NET via $H2_LL dev r-eth1 proto 105"
check "the stand-in route is back" standin
check_fast fwd6 stat6 "after the flap, ipxr's route via $H2_LL" 20 "$LL_HOST" 0.01

# ---- IPv6 re-scans under churn ----------------------------------------------------------------
#
# The kernel's IPv6 dump, when the tree changed between two of its pieces, starts again from the
# root and skips as many routes as it had given: after a deletion before its place it skips
# over routes that never changed. A re-scan every second while 2,000 routes low in the tree go
# and come must not take those for gone: none of 20,000 routes that stay is ever removed.

sync_stop
SYNC_ARGS=(scan 1)
sync_start || not_ok "ipxr sync started with a re-scan every second"
SYNC_ARGS=()
for i in $(seq 0 19999); do
	echo "route add blackhole 2001:db8:f0:$(printf %x "$i")::/64"
done >"$LIB_TMP/stay6.add"
for i in $(seq 0 1999); do
	echo "route add blackhole 2001:db8:e0:$(printf %x "$i")::/64"
done >"$LIB_TMP/churn6.add"
sed 's/route add blackhole/route del/' "$LIB_TMP/churn6.add" >"$LIB_TMP/churn6.del"
run ip -n "$R" -6 -b "$LIB_TMP/stay6.add"
wait_for 10 sh -c "'$POLL_IPXR' -n '$R' -6 route show | grep -c '^blackhole 2001:db8:f0:' |
	grep -qx 20000"
scans0=$(grep -c "re-scanned" "$SYNC_LOG")
t_end=$(($(now_ms) + 5000))
rounds=0
while (($(now_ms) < t_end)); do
	if ! out=$(ip -n "$R" -6 -b "$LIB_TMP/churn6.add" 2>&1 &&
		ip -n "$R" -6 -b "$LIB_TMP/churn6.del" 2>&1); then
		not_ok "round $((rounds + 1)) of the IPv6 churn"
		diag_output "$out"
		break
	fi
	rounds=$((rounds + 1))
done
# the re-scan running then, to its end
wait_for 10 sh -c "(($(grep -c "re-scanned" "$SYNC_LOG") + 2 <= \$(grep -c re-scanned '$SYNC_LOG')))"
scans=$(sed -n "$((scans0 + 1)),\$ p" "$SYNC_LOG" | grep "re-scanned")
diag_output "$scans"
expect_ge "re-scans ran during $rounds rounds of 4,000 IPv6 changes" "$(grep -c . <<<"$scans")" 3
expect_eq "no re-scan removed a route the kernel kept (the dump skipped some: asked instead)" \
	"$(grep -o '[0-9]* removed' <<<"$scans" | awk '{ n += $1 } END { print n + 0 }')" 0
expect_eq "the 20,000 IPv6 routes that stayed are all in the maps" \
	"$(px -6 route show | grep -c '^blackhole 2001:db8:f0:')" 20000
sed 's/route add blackhole/route del/' "$LIB_TMP/stay6.add" >"$LIB_TMP/stay6.del"
run ip -n "$R" -6 -b "$LIB_TMP/stay6.del"
# sync stopped before it has read every deletion would leave some in the maps
check "the 20,000 deleted with ip -b: gone from the maps" wait_for 10 sh -c \
	"! '$POLL_IPXR' -n '$R' -6 route show | grep -q '^blackhole 2001:db8:f0:'"

sync_stop
[[ $V == 1 ]] && diag_output "$(cat "$SYNC_LOG")"
# every invariant ipxr relies on, after all the scenarios above (ipxr-check(8))
check "ipxr check passes at the end" ipxr check

lib_finish
