#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# ipxr sync end to end: the fast path follows the router kernel's table main, whoever writes it,
# with real packets through bpf/xdp_router.o (h1 - r - h2, tests/lib.sh). The fast path's proof
# is the router kernel's IpForwDatagrams, still while ipxr's forward counter rises.
#
#	tests/sync.sh		(root; IPXR=path/to/ipxr, default build/asan/ipxr; V=1 verbose)
#
# Times are measured by polling the maps with the release build (ipxr/ipxr, a few ms a poll) and
# printed as diagnostics; the checks hold them to the issue's bounds (100 ms for a route or an
# address, 1 s for a port coming back up), far above what is measured.

# shellcheck source=tests/lib.sh
source "$(dirname "$0")/lib.sh"

need_e2e_tools
POLL_IPXR=${POLL_IPXR:-$ROOT/ipxr/ipxr}
[[ -x $POLL_IPXR ]] || POLL_IPXR=$IPXR

lib_init ipxr-sync
topo_build || bail "topology h1 - r - h2 built"
topo_attach || bail "xdp_router.o attached on the router's ports"

SYNC_LOG=$LIB_TMP/sync.log
: >"$SYNC_LOG"

# px ARGS...: the quick CLI, for polling the maps
px() { "$POLL_IPXR" -n "$R" "$@"; }

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# in_maps PREFIX: the maps hold exactly PREFIX
in_maps() { [[ -n $(px route show "$1" 2>/dev/null) ]]; }
not_in_maps() { [[ -z $(px route show "$1" 2>/dev/null) ]]; }

# wait_ms MAXMS CMD...: poll CMD until it succeeds; prints the milliseconds it took, or "timeout"
wait_ms()
{
	local max=$1 t0 t

	shift
	t0=$(now_ms)
	while :; do
		if "$@" >/dev/null 2>&1; then
			echo $(($(now_ms) - t0))
			return 0
		fi
		t=$(now_ms)
		if ((t - t0 > max)); then
			echo timeout
			return 1
		fi
		sleep 0.002
	done
}

# expect_le LABEL GOT MAX (integers)
expect_le()
{
	if [[ $2 =~ ^[0-9]+$ ]] && (($2 <= $3)); then
		ok "$1"
		return 0
	fi
	not_ok "$1"
	diag "got '$2', want at most $3"
	return 1
}

# The routes behind h2, answered by its loopback addresses.
run ip -n "$H2" addr add 198.51.100.1/32 dev lo &&
run ip -n "$H2" addr add 198.51.101.1/32 dev lo &&
run ip -n "$H2" addr add 203.0.113.1/32 dev lo || bail "h2's addresses"

# ---- ipxr sync once: routes written with ip ----------------------------------------------------

run ip -n "$R" route add 198.51.100.0/24 via "$H2_IP" proto static &&
run ip -n "$R" route add 198.51.101.0/24 via "$H2_IP" || bail "routes added with ip route"
check "ipxr sync once" ipxr sync once
expect_eq "the maps hold the table's routes (proto kernel, static, boot)" \
	"$(ipxr -j route show | jq -r '.[] | "\(.dst) \(.protocol // "boot")"' | sort)" \
	"10.0.1.0/24 kernel
10.0.2.0/24 kernel
198.51.100.0/24 static
198.51.101.0/24 boot"
out=$(nsrun "$H1" ping -c 3 -i 0.1 -W 2 198.51.100.1 2>&1)	# resolves h2 on the router
expect_eq "h1 reaches 198.51.100.1 by the routes ip wrote" "$(ping_stats "$out")" "3 3"
check_fast fwd_datagrams ipxr_stat "sync once, proto static" 20 198.51.100.1 0.01
check_fast fwd_datagrams ipxr_stat "sync once, proto boot" 20 198.51.101.1 0.01

# ---- following the kernel ----------------------------------------------------------------------

sync_start || bail "ipxr sync started and reconciled (log: $(tail -3 "$SYNC_LOG"))"
ok "ipxr sync started and reconciled"
check_fast fwd_datagrams ipxr_stat "after start-up on maps holding the routes" 20 198.51.100.1 0.01

# ipxr monitor watches the same changes, in text and in JSON
timeout --kill-after=2 120 "$IPXR" -n "$R" monitor route >"$LIB_TMP/mon.txt" 2>&1 &
MON_PID=$!
timeout --kill-after=2 120 "$IPXR" -n "$R" -j monitor >"$LIB_TMP/mon.json" 2>&1 &
MONJ_PID=$!
LIB_BG_PIDS+=("$MON_PID" "$MONJ_PID")
sleep 0.3

adds=() dels=()
for i in $(seq 1 20); do
	run ip -n "$R" route add "203.0.113.$((i * 4))/30" via "$H2_IP" || break
	adds+=("$(wait_ms 1000 in_maps "203.0.113.$((i * 4))/30")")
done
for i in $(seq 1 20); do
	run ip -n "$R" route del "203.0.113.$((i * 4))/30" || break
	dels+=("$(wait_ms 1000 not_in_maps "203.0.113.$((i * 4))/30")")
done
diag "route added with ip route -> in the maps, ms: ${adds[*]}"
diag "route deleted with ip route -> gone from the maps, ms: ${dels[*]}"
# The machine is shared: the median holds the daemon to the bound, the worst case to having
# followed every change at all.
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
worst=$(printf '%s\n' "${adds[@]}" "${dels[@]}" | sort -n | tail -1)
expect_le "routes added or deleted reach the maps within 100 ms (median $(median "${adds[@]}" \
"${dels[@]}") ms)" "$(median "${adds[@]}" "${dels[@]}")" 100
expect_le "every one of them reached the maps (worst ${worst} ms)" "$worst" 1000

sleep 0.2
kill "$MON_PID" "$MONJ_PID" 2>/dev/null
wait "$MON_PID" "$MONJ_PID" 2>/dev/null
expect_eq "ipxr monitor route printed each change as route show prints it" \
	"$(grep -c '^203\.0\.113\.[0-9]*/30 via 10\.0\.2\.2 dev r-eth1$' "$LIB_TMP/mon.txt") \
$(grep -c '^Deleted 203\.0\.113\.[0-9]*/30$' "$LIB_TMP/mon.txt")" "20 20"
expect_eq "ipxr -j monitor: one JSON object per line, 20 routes and 20 deletions" \
	"$(jq -rs '"\(map(select(.gateway == "10.0.2.2")) | length) \(map(select(.deleted)) |
		   length)"' "$LIB_TMP/mon.json")" \
	"20 20"

# a prefix the kernel holds twice: the maps have the route it uses, the lower metric
run ip -n "$R" route add 203.0.113.0/24 via "$H2_IP" metric 200
run ip -n "$R" route add 203.0.113.0/24 dev r-eth1 metric 100
wait_for 1 sh -c "'$POLL_IPXR' -n '$R' -j route show 203.0.113.0/24 | jq -e '.[0].metric == 100'"
expect_eq "two routes for one prefix: the maps hold the kernel's choice (metric 100, dev)" \
	"$(px -j route show 203.0.113.0/24 |
	   jq -r '.[0] | "\(.metric) \(.gateway // "-") \(.dev)"')" \
	"100 - r-eth1"
run ip -n "$R" route del 203.0.113.0/24 dev r-eth1 metric 100
wait_for 1 sh -c "'$POLL_IPXR' -n '$R' -j route show 203.0.113.0/24 | jq -e '.[0].metric == 200'"
expect_eq "the preferred one deleted: the other one takes over (metric 200, via)" \
	"$(px -j route show 203.0.113.0/24 | jq -r '.[0] | "\(.metric) \(.gateway // "-")"')" \
	"200 $H2_IP"
run ip -n "$R" route del 203.0.113.0/24

# ---- addresses ---------------------------------------------------------------------------------

is_local() { [[ -n $(px route show type local "$1") ]]; }
not_local() { ! is_local "$1"; }
ta=() td=()
for i in 1 2 3 4 5; do
	run ip -n "$R" addr add "10.0.2.9$i/24" dev r-eth1
	ta+=("$(wait_ms 1000 is_local "10.0.2.9$i")")
	if ((i == 1)); then
		l0=$(ipxr_stat local packets)
		out=$(nsrun "$H1" ping -c 3 -i 0.05 -W 1 10.0.2.91 2>&1)
		expect_eq "h1 pings the new address: answered by the router's kernel, local" \
			"$(ping_stats "$out") $(delta "$l0" "$(ipxr_stat local packets)")" "3 3 3"
	fi
	run ip -n "$R" addr del "10.0.2.9$i/24" dev r-eth1
	td+=("$(wait_ms 1000 not_local "10.0.2.9$i")")
done
diag "address added -> local in the maps, ms: ${ta[*]}"
diag "address removed -> not local, ms: ${td[*]}"
expect_le "an address added to r-eth1 is local within 100 ms (median of 5)" \
	"$(median "${ta[@]}")" 100
expect_le "an address removed stops being local within 100 ms (median of 5)" \
	"$(median "${td[@]}")" 100
expect_le "every one of them (worst)" "$(printf '%s\n' "${ta[@]}" "${td[@]}" | sort -n | tail -1)" \
	1000

# ---- policy rules ------------------------------------------------------------------------------

run ip -n "$R" rule add from 10.9.0.0/16 lookup 100 pref 1000
wait_for 2 grep -q "policy rules: 1 non-default" "$SYNC_LOG"
expect_match "a non-default ip rule is reported in the log" \
	"warning: policy rules: 1 non-default, the fast path follows table main only" \
	"$(cat "$SYNC_LOG")"
expect_match "ipxr stats shows it" "^policy rules: 1 non-default" "$(ipxr stats)"
expect_eq "ipxr -j stats: policy_rules" "$(ipxr -j stats | jq -c .policy_rules)" \
	'{"non_default":1,"table":254}'
run ip -n "$R" rule del pref 1000

# ---- port flap ---------------------------------------------------------------------------------
#
# 198.51.102.0/24 is ipxr's own (proto ipxr): the kernel deletes it when r-eth1 goes down, ipxr
# sync keeps it in the maps (the program then hands its packets to the kernel, port_down) and
# puts it back when r-eth1 is up again.

run ip -n "$H2" addr add 198.51.102.1/32 dev lo
check "ipxr route add 198.51.102.0/24 via $H2_IP dev r-eth1 src 10.0.2.254" \
	ipxr route add 198.51.102.0/24 via "$H2_IP" dev r-eth1 src 10.0.2.254
expect_match "the maps keep the route's src, and show it as ip does" \
	"^198.51.102.0/24 via $H2_IP dev r-eth1 proto [a-z0-9]* src 10.0.2.254\$" \
	"$(px route show 198.51.102.0/24)"
check_fast fwd_datagrams ipxr_stat "ipxr's route before the flap" 10 198.51.102.1 0.01

# fast_again DEST: ms until one ping to DEST goes both ways through the fast path, or "timeout"
fast_again()
{
	local t0 f0 f1 out

	t0=$(now_ms)
	while (($(now_ms) - t0 < 3000)); do
		f0=$(px -j stats | jq '.reasons.forward.packets')
		out=$(nsrun "$H1" ping -c 1 -W 0.2 "$1" 2>&1)
		f1=$(px -j stats | jq '.reasons.forward.packets')
		if [[ $(ping_stats "$out") == "1 1" && $((f1 - f0)) -eq 2 ]]; then
			echo $(($(now_ms) - t0))
			return 0
		fi
		sleep 0.02
	done
	echo timeout
	return 1
}

flap() # WHAT DOWN-CMD UP-CMD
{
	local what=$1 down=$2 up=$3 d0 d1 t t0 up_ms

	d0=$(ipxr_stat port_down packets)
	run $down
	sleep 0.3
	nsrun "$H1" ping -c 3 -i 0.05 -W 0.2 198.51.102.1 >/dev/null 2>&1
	d1=$(ipxr_stat port_down packets)
	expect_ge "$what: while down, the fast path hands the traffic to the kernel (port_down)" \
		"$(delta "$d0" "$d1")" 3
	t0=$(now_ms)
	run $up
	# the kernel's own link state comes first: a carrier change reaches it through linkwatch
	t=$(wait_ms 3000 sh -c "ip -n '$R' link show dev r-eth1 | grep -q 'UP,LOWER_UP'")
	up_ms=$(($(now_ms) - t0))
	t=$(fast_again 198.51.102.1)
	diag "$what: the kernel saw r-eth1 up $up_ms ms after the command; forwarded by the fast" \
		"path again $t ms after that"
	expect_le "$what: the fast path forwards again within 1 s of the port being up ($t ms)" \
		"$t" 1000
	expect_match "$what: the gateway is a managed neighbour again" "managed" \
		"$(ip -n "$R" neigh show "$H2_IP" dev r-eth1)"
	# -N: the protocol's number, whether or not rt_protos.d names it "ipxr" here
	expect_eq "$what: ipxr's route is in the kernel again (proto ipxr, 105)" \
		"$(ip -N -n "$R" route show 198.51.102.0/24 | awk '{ print $1, $2, $3, $6, $7 }')" \
		"198.51.102.0/24 via $H2_IP proto 105"
	expect_match "$what: ... with its src (kept in the maps, ipxr_route_src)" " src 10.0.2.254" \
		"$(ip -n "$R" route show 198.51.102.0/24)"
	check_fast fwd_datagrams ipxr_stat "$what: after the flap" 10 198.51.102.1 0.01
}

flap "admin down/up" "ip -n $R link set dev r-eth1 down" "ip -n $R link set dev r-eth1 up"
# The peer going down is r-eth1 losing its carrier (veth has no "carrier off" of its own); h2's
# own default route goes with its port and comes back with it.
peer_up() { ip -n "$H2" link set dev h2-eth0 up && ip -n "$H2" route replace default via "$R_IP1"; }
flap "carrier loss" "ip -n $H2 link set dev h2-eth0 down" peer_up

# ---- IPv4 forwarding off on the port frames arrive by -----------------------------------------
#
# The kernel checks the ingress device (net.ipv4.conf.DEV.forwarding): with it off on r-eth0 it
# forwards nothing from h1, and the fast path must not either. ipxr sync follows the setting
# (RTM_NEWNETCONF) into r-eth0's record in ipxr_port_tab.

port_flags() # DEV -> the flags of its record in ipxr_port_tab, "none" without one
{
	local ifx

	ifx=$(ip -n "$R" -j link show dev "$1" | jq '.[0].ifindex')
	bpftool -j map lookup pinned "$(pinned ipxr_port_tab)" key $((ifx & 255)) $((ifx >> 8 & 255)) \
		0 0 2>/dev/null | jq -r '(.formatted.value.flags // .value.flags // "none")'
}
r0_flags=$(port_flags r-eth0)
expect_eq "r-eth0's record is in ipxr_port_tab: runs the object, up, a record (flags 1|2|32)" \
	"$((r0_flags & 35))" 35
check "... and not in ipxr_ports" sh -c "! bpftool map dump pinned '$(pinned ipxr_ports)' |
	grep -q 'key'"
run ip netns exec "$R" sysctl -qw net.ipv4.conf.r-eth0.forwarding=0
nofwd4() { local f; f=$(port_flags r-eth0); [[ $f =~ ^[0-9]+$ ]] && ((f & 16)); }
t=$(wait_ms 3000 nofwd4)
expect_le "forwarding off on r-eth0: sync flags its record within 1 s ($t ms)" "$t" 1000
f0=$(ipxr_stat fwd_disabled packets)
k0=$(fwd_datagrams)
out=$(nsrun "$H1" ping -c 3 -i 0.05 -W 0.3 198.51.102.1 2>&1)
f1=$(ipxr_stat fwd_disabled packets)
k1=$(fwd_datagrams)
expect_eq "forwarding off on r-eth0: h1's pings are not forwarded, as by the kernel (3 sent, 0 received)" \
	"$(ping_stats "$out")" "3 0"
expect_ge "... the fast path handed them to the kernel (fwd_disabled)" "$(delta "$f0" "$f1")" 3
expect_eq "... which forwarded none (IpForwDatagrams unchanged)" "$k1" "$k0"
run ip netns exec "$R" sysctl -qw net.ipv4.conf.r-eth0.forwarding=1
t=$(fast_again 198.51.102.1)
expect_le "forwarding on again: the fast path forwards within 1 s ($t ms)" "$t" 1000

# ---- reverse-path filtering on the port frames arrive by ---------------------------------------
#
# With net.ipv4.conf.r-eth0.rp_filter=1 the kernel drops what arrives on r-eth0 from a source it
# routes by another port (fib_validate_source()); the fast path must not forward it either, and
# hands it over as rp_filter. h1 sends from SPOOF, an address of h2's subnet (the router routes
# it by r-eth1). Loose mode (2) accepts it: a route to it exists. ipxr sync follows the
# device's setting and all's (one notification for every device) into r-eth0's record.

SPOOF=10.0.2.77
run ip -n "$H1" addr add "$SPOOF/32" dev h1-eth0
# h1 may ask for the router's MAC from SPOOF, which the router's filter then ignores
run ip -n "$H1" neigh replace "$R_IP0" dev h1-eth0 nud permanent \
	lladdr "$(ip -n "$R" -j link show dev r-eth0 | jq -r '.[0].address')"
# icmp_in_echos NS: echo requests NS received
# shellcheck disable=SC2016 # awk program, not shell
icmp_in_echos() { nsrun "$1" awk '$1 == "Icmp:" && !h { for (i = 2; i <= NF; i++) c[$i] = i; h = 1
	next } $1 == "Icmp:" { print $c["InEchos"]; exit }' /proc/net/snmp; }
rpf_flags() { local f; f=$(port_flags r-eth0); [[ $f =~ ^[0-9]+$ ]] && (((f & 192) == $1)); }
spoofed_dropped() # LABEL
{
	local r0 r1 k0 k1 e0 e1 out

	r0=$(ipxr_stat rp_filter packets)
	k0=$(fwd_datagrams)
	e0=$(icmp_in_echos "$H2")
	out=$(nsrun "$H1" ping -c 3 -i 0.05 -W 0.3 -I "$SPOOF" "$H2_IP" 2>&1)
	r1=$(ipxr_stat rp_filter packets)
	k1=$(fwd_datagrams)
	e1=$(icmp_in_echos "$H2")
	expect_eq "$1: h1's pings from $SPOOF do not reach h2, as with the kernel alone" \
		"$(ping_stats "$out") $(delta "$e0" "$e1")" "3 0 0"
	expect_ge "... the fast path handed them to the kernel (rp_filter)" "$(delta "$r0" "$r1")" 3
	expect_eq "... which forwarded none (IpForwDatagrams unchanged)" "$k1" "$k0"
}
spoofed_fast() # LABEL
{
	local f0 f1 k0 k1 e0 e1

	f0=$(ipxr_stat forward packets)
	k0=$(fwd_datagrams)
	e0=$(icmp_in_echos "$H2")
	nsrun "$H1" ping -c 3 -i 0.05 -W 0.3 -I "$SPOOF" "$H2_IP" >/dev/null 2>&1
	f1=$(ipxr_stat forward packets)
	k1=$(fwd_datagrams)
	e1=$(icmp_in_echos "$H2")
	expect_eq "$1: h1's pings from $SPOOF reach h2 by the fast path (h2 got 3, IpForwDatagrams unchanged)" \
		"$(delta "$e0" "$e1") $k1" "3 $k0"
	expect_ge "... counted as forwarded" "$(delta "$f0" "$f1")" 3
}
# a namespace's IPv4 "all" starts as the host's (net.core.devconf_inherit_init_net 0): 2 on many
run ip netns exec "$R" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.r-eth0.rp_filter=0
wait_for 3 rpf_flags 0
spoofed_fast "rp_filter off"
run ip netns exec "$R" sysctl -qw net.ipv4.conf.r-eth0.rp_filter=1
t=$(wait_ms 3000 rpf_flags 64)
expect_le "rp_filter=1 on r-eth0: sync flags its record strict within 1 s ($t ms)" "$t" 1000
spoofed_dropped "strict"
check_fast fwd_datagrams ipxr_stat "strict: h1's own pings still by the fast path" 10 "$H2_IP" 0.01
run ip netns exec "$R" sysctl -qw net.ipv4.conf.r-eth0.rp_filter=2
t=$(wait_ms 3000 rpf_flags 128)
expect_le "rp_filter=2 on r-eth0: sync flags its record loose within 1 s ($t ms)" "$t" 1000
spoofed_fast "loose"
# all.rp_filter=1 makes r-eth0's max(1, 0) strict: one notification, for all devices
run ip netns exec "$R" sysctl -qw net.ipv4.conf.r-eth0.rp_filter=0 net.ipv4.conf.all.rp_filter=1
t=$(wait_ms 3000 rpf_flags 64)
expect_le "all.rp_filter=1: sync flags r-eth0 strict within 1 s ($t ms)" "$t" 1000
spoofed_dropped "strict by all"
run ip netns exec "$R" sysctl -qw net.ipv4.conf.all.rp_filter=0
t=$(wait_ms 3000 rpf_flags 0)
expect_le "all.rp_filter=0: sync clears r-eth0's flags within 1 s ($t ms)" "$t" 1000
spoofed_fast "rp_filter off again"
run ip -n "$H1" addr del "$SPOOF/32" dev h1-eth0
run ip -n "$H1" neigh del "$R_IP0" dev h1-eth0
# Loose filtering on a device without an IPv4 address refuses what is not routed by the device
# itself (__fib_validate_source()'s last resort): strict. ipxr sync follows its addresses.
port_flags_of() { local f; f=$(port_flags "$1"); [[ $f =~ ^[0-9]+$ ]] && (((f & 192) == $2)); }
run ip -n "$R" link add rpf0 type veth peer name rpf1
run ip netns exec "$R" sysctl -qw net.ipv4.conf.rpf0.rp_filter=2
t=$(wait_ms 3000 port_flags_of rpf0 64)
expect_le "rp_filter=2 on rpf0, no IPv4 address: recorded strict within 1 s ($t ms)" "$t" 1000
run ip -n "$R" addr add 192.0.2.1/24 dev rpf0
t=$(wait_ms 3000 port_flags_of rpf0 128)
expect_le "... an address added: loose within 1 s ($t ms)" "$t" 1000
run ip -n "$R" addr del 192.0.2.1/24 dev rpf0
t=$(wait_ms 3000 port_flags_of rpf0 64)
expect_le "... the address deleted: strict again within 1 s ($t ms)" "$t" 1000
run ip -n "$R" link del rpf0

# ---- kill -9 and restart under traffic ---------------------------------------------------------

# r-eth1 going down took the kernel's static route with it, as it does without ipxr: put back,
# it reaches the maps through ipxr sync
run ip -n "$R" route replace 198.51.100.0/24 via "$H2_IP" proto static
wait_for 1 in_maps 198.51.100.0/24
check_fast fwd_datagrams ipxr_stat "a static route added again after the flap" 10 198.51.100.1 0.01
n=1500
fwd0=$(fwd_datagrams)
f0=$(ipxr_stat forward packets)
nsrun_t 20 "$H1" ping -c "$n" -i 0.002 -W 1 -q 198.51.100.1 >"$LIB_TMP/ping.out" 2>&1 &
ping_pid=$!
sleep 0.5
sync_ipxr=$SYNC_IPXR
sync_stop KILL
expect_eq "kill -9: ipxr sync (pid ${sync_ipxr:-none}) is gone" \
	"$(ps -o pid= -p "${sync_ipxr:-0}" | tr -d ' ')" ""
sync_start
started=$?
wait "$ping_pid"
fwd1=$(fwd_datagrams)
f1=$(ipxr_stat forward packets)
expect_eq "ipxr sync restarted after kill -9 while h1 sent $n pings" "$started" 0
expect_eq "kill -9 and restart under traffic: $n sent, $n answered" \
	"$(ping_stats "$(cat "$LIB_TMP/ping.out")")" "$n $n"
expect_eq "all of them by the fast path (forward +$((2 * n)), IpForwDatagrams unchanged)" \
	"$(delta "$f0" "$f1") $fwd1" "$((2 * n)) $fwd0"

# A prefix the kernel held twice before this ipxr sync started: its start-up scan knows, so the
# deletion of the preferred route is asked about, not taken for the prefix's last.
run ip -n "$R" route add 203.0.113.0/24 via "$H2_IP" metric 200
run ip -n "$R" route add 203.0.113.0/24 dev r-eth1 metric 100
wait_for 1 sh -c "'$POLL_IPXR' -n '$R' -j route show 203.0.113.0/24 | jq -e '.[0].metric == 100'"
sync_stop
sync_start || not_ok "ipxr sync started again"
run ip -n "$R" route del 203.0.113.0/24 dev r-eth1 metric 100
wait_for 1 sh -c "'$POLL_IPXR' -n '$R' -j route show 203.0.113.0/24 | jq -e '.[0].metric == 200'"
expect_eq "two routes from before the start, the preferred one deleted: the other takes over" \
	"$(px -j route show 203.0.113.0/24 | jq -r '.[0] | "\(.metric) \(.gateway // "-")"')" \
	"200 $H2_IP"
run ip -n "$R" route del 203.0.113.0/24

# ---- the object loaded again -------------------------------------------------------------------
#
# Detached, its maps unpinned, attached again: new, empty maps. ipxr sync sees the ports change,
# compiles the whole table into the new maps and records the ports as running the object.

run ip -n "$R" link set dev r-eth0 xdpdrv off &&
run ip -n "$R" link set dev r-eth1 xdpdrv off &&
run rm -f "$TC_BPF_MNT"/xdp/globals/ipxr_* && topo_attach || bail "the object attached again"
wait_for 2 in_maps 198.51.100.0/24
expect_match "the object loaded again: ipxr sync said so" "the maps were made anew" \
	"$(cat "$SYNC_LOG")"
out=$(nsrun "$H1" ping -c 3 -i 0.1 -W 1 198.51.100.1 2>&1)
check_fast fwd_datagrams ipxr_stat "the new maps, filled by ipxr sync" 10 198.51.100.1 0.01

# ---- the CLI writes between ipxr sync's batches -----------------------------------------------
#
# ipxr sync keeps the maps and the next hops it read across batches; a CLI write in between
# (here a new next hop) must be seen, or its next allocation would reuse the CLI's next hop.

run ip -n "$R" neigh replace 10.0.2.3 lladdr 02:00:00:00:02:03 dev r-eth1 nud permanent
run ip -n "$R" neigh replace 10.0.2.4 lladdr 02:00:00:00:02:04 dev r-eth1 nud permanent
check "ipxr route add 198.51.103.0/24 via 10.0.2.3 (the CLI, while ipxr sync runs)" \
	ipxr route add 198.51.103.0/24 via 10.0.2.3 dev r-eth1
run ip -n "$R" route add 198.51.104.0/24 via 10.0.2.4 dev r-eth1
wait_for 2 in_maps 198.51.104.0/24
expect_eq "a CLI write between batches: both routes keep their own gateway" \
	"$(px route show 198.51.103.0/24 | cut -d' ' -f1-3) / $(px route show 198.51.104.0/24 |
	   cut -d' ' -f1-3)" "198.51.103.0/24 via 10.0.2.3 / 198.51.104.0/24 via 10.0.2.4"
expect_eq "a CLI write between batches: each next hop counts its one route" \
	"$(px -j nexthop show dev r-eth1 | jq -r '.[] | select(.gateway == "10.0.2.3" or
	   .gateway == "10.0.2.4") | "\(.gateway) \(.routes)"' | sort | tr '\n' ' ')" \
	"10.0.2.3 1 10.0.2.4 1 "
check "ipxr route del 198.51.104.0/24 (a route ipxr sync compiled)" ipxr route del 198.51.104.0/24
run ip -n "$R" route del 198.51.103.0/24
wait_for 2 not_in_maps 198.51.103.0/24
expect_eq "and deleted again, one by the CLI and one by ip: no next hop left for them" \
	"$(px -j nexthop show dev r-eth1 | jq '[.[] | select(.gateway == "10.0.2.3" or
	   .gateway == "10.0.2.4")] | length')" 0

# ---- overrun -----------------------------------------------------------------------------------

# maps_vs_kernel: the routes of table main as "DST GATEWAY DEV PROTO METRIC", from the kernel
# and from the maps, each sorted; equal when the maps are the kernel's copy
kernel_routes()
{
	ip -n "$R" -j route show table main |
		jq -r '.[] | "\(.dst) \(.gateway // "-") \(.dev) \(.protocol) \(.metric // 0)"' |
		sort
}
map_routes()
{
	px -j route show | jq -r '.[] | select(.type != "local") |
		"\(.dst) \(.gateway // "-") \(.dev) \(.protocol) \(.metric // 0)"' | sort
}

sync_stop
sync_start IPXR_SYNC_RCVBUF=4096 || not_ok "ipxr sync started with a 4 KiB receive buffer"
for i in $(seq 0 2999); do
	echo "route add 100.64.$((i / 250)).$((i % 250))/32 via $H2_IP"
done >"$LIB_TMP/flood.batch"
# stopped while the flood comes, so that it cannot keep up however fast it is
sync_signal STOP
run ip -n "$R" -b "$LIB_TMP/flood.batch"
sync_signal CONT
wait_for 10 grep -q "overrun" "$SYNC_LOG"
expect_match "3000 route changes overran a stopped ipxr sync's 4 KiB buffer, and it said so" \
	"warning: netlink receive buffer overrun (ENOBUFS, [0-9]* since start)" "$(cat "$SYNC_LOG")"
kernel_routes >"$LIB_TMP/kernel"
wait_for 10 sh -c "'$POLL_IPXR' -n '$R' -j route show | jq -r '.[] | select(.type != \"local\") |
	\"\(.dst) \(.gateway // \"-\") \(.dev) \(.protocol) \(.metric // 0)\"' | sort |
	cmp -s - '$LIB_TMP/kernel'"
map_routes >"$LIB_TMP/maps"
if cmp -s "$LIB_TMP/kernel" "$LIB_TMP/maps"; then
	ok "after the overrun's re-scan the maps equal the kernel's table, route by route ($(wc -l \
		<"$LIB_TMP/kernel") routes)"
else
	not_ok "after the overrun's re-scan the maps equal the kernel's table, route by route"
	diag_output "$(diff "$LIB_TMP/kernel" "$LIB_TMP/maps" | head -20)"
fi
sed 's/route add/route del/' "$LIB_TMP/flood.batch" >"$LIB_TMP/unflood.batch"
run ip -n "$R" -b "$LIB_TMP/unflood.batch"
kernel_routes >"$LIB_TMP/kernel"
wait_for 10 sh -c "'$POLL_IPXR' -n '$R' route show | grep -c '^100\.64\.' | grep -qx 0"
map_routes >"$LIB_TMP/maps"
expect_eq "and after deleting them again too" "$(diff "$LIB_TMP/kernel" "$LIB_TMP/maps")" ""

# ---- re-scans under churn ---------------------------------------------------------------------
#
# A re-scan every second while 10,000 routes come, change gateway and go: a re-scan is read a
# piece at a time between event batches, and leaves the prefixes events changed meanwhile to
# them. At the end the maps equal the kernel.

sync_stop
SYNC_ARGS=(scan 1)
sync_start || not_ok "ipxr sync started with a re-scan every second"
SYNC_ARGS=()
for i in $(seq 0 9999); do
	echo "route add 100.66.$((i / 250)).$((i % 250))/32 via $H2_IP"
done >"$LIB_TMP/churn.add"
sed "s/route add \(.*\) via .*/route replace \1 dev r-eth1/" "$LIB_TMP/churn.add" \
	>"$LIB_TMP/churn.repl"
sed 's/route add \(.*\) via .*/route del \1/' "$LIB_TMP/churn.add" >"$LIB_TMP/churn.del"
scans0=$(grep -c "re-scanned" "$SYNC_LOG")
t_end=$(($(now_ms) + 4000))
rounds=0
while (($(now_ms) < t_end)); do
	ip -n "$R" -b "$LIB_TMP/churn.add" &&
		ip -n "$R" -b "$LIB_TMP/churn.repl" &&
		ip -n "$R" -b "$LIB_TMP/churn.del" || break
	rounds=$((rounds + 1))
done
ip -n "$R" -b "$LIB_TMP/churn.add"
ip -n "$R" -b "$LIB_TMP/churn.repl"
kernel_routes >"$LIB_TMP/kernel"
wait_for 10 sh -c "'$POLL_IPXR' -n '$R' -j route show | jq -r '.[] | select(.type != \"local\") |
	\"\(.dst) \(.gateway // \"-\") \(.dev) \(.protocol) \(.metric // 0)\"' | sort |
	cmp -s - '$LIB_TMP/kernel'"
map_routes >"$LIB_TMP/maps"
if cmp -s "$LIB_TMP/kernel" "$LIB_TMP/maps"; then
	ok "after $rounds rounds of 30,000 changes under re-scans the maps equal the kernel's" \
		"table, route by route ($(wc -l <"$LIB_TMP/kernel") routes)"
else
	not_ok "after $rounds rounds of 30,000 changes under re-scans the maps equal the kernel's table"
	diag_output "$(diff "$LIB_TMP/kernel" "$LIB_TMP/maps" | head -20)"
fi
scans=$(sed -n "$((scans0 + 1)),\$ p" "$SYNC_LOG" | grep "re-scanned")
expect_ge "re-scans ran during the churn" "$(grep -c . <<<"$scans")" 3
expect_ge "a re-scan left prefixes to the events applied while it ran (interleaved)" \
	"$(grep -o '[0-9]* left to events' <<<"$scans" | sort -n | tail -1 |
	cut -d' ' -f1)" 1
run ip -n "$R" -b "$LIB_TMP/churn.del"
wait_for 10 sh -c "'$POLL_IPXR' -n '$R' route show | grep -c '^100\.66\.' | grep -qx 0"
expect_eq "and all deleted again" "$(px route show | grep -c '^100\.66\.')" 0

sync_stop
expect_match "SIGTERM stops ipxr sync with a summary" "stopped: [0-9]* batches" \
	"$(tail -2 "$SYNC_LOG")"
[[ $V == 1 ]] && diag_output "$(cat "$SYNC_LOG")"
# every invariant ipxr relies on, after all the scenarios above (ipxr-check(8))
check "ipxr check passes at the end" ipxr check

lib_finish
