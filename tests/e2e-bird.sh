#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Real BIRD 2 drives the router: h2, the upstream, announces a BGP-shaped table of $N4 IPv4 and
# $N6 IPv6 prefixes over eBGP (tests/bird.sh); the router's BIRD installs them in its kernel's
# main table (proto bird); `ipxr sync`, running in the background, mirrors that table into the
# maps; h1's traffic to the prefixes goes through the router's XDP program.
#
#	$H1: h1-eth0 --- r-eth0  $R (BIRD: up4, up6 -> kernel; ipxr sync)  r-eth1 --- h2-eth0 :$H2
#	                                                      (BIRD: t4, t6, w4, w6 -> down4, down6)
#
# Checked: the kernel gets the table; the maps equal it route by route (`ipxr -j route show
# proto bird` against `ip -j route show proto bird`); a sample of the prefixes is forwarded by
# XDP alone (IpForwDatagrams / Ip6OutForwDatagrams unchanged while ipxr's forward counters
# rise); a prefix BIRD withdraws stops being forwarded by the fast path within 1 s (the time is
# printed); the BGP sessions going down and up leave no stale route; `kill -9` and a restart of
# ipxr sync under traffic lose no packet; `ipxr sync once` reconciles a change made while no
# daemon ran.
#
#	tests/e2e-bird.sh	(root; IPXR=path/to/ipxr, default build/asan/ipxr; V=1 verbose;
#				 N4=, N6= other table sizes)

# shellcheck source=tests/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=tests/lib6.sh
source "$(dirname "$0")/lib6.sh"
# shellcheck source=tests/bird.sh
source "$(dirname "$0")/bird.sh"

N4=${N4:-50000}
N6=${N6:-10000}
SAMPLES4=4		# addresses of the table h2 answers for, pinged from h1
SAMPLES6=3
W4=10.99.0.0/24		# withdrawn by the test: outside the generated table (it avoids 10/8)
W4_HOST=10.99.0.1
W6=2001:db8:77::/48	# and 2001:db8::/32
W6_HOST=2001:db8:77::1
LOAD_SECS=60		# bounds: BGP up and the table in the kernel; the maps catching up
SYNC_SECS=20

need_e2e_tools
for tool in bird birdc; do
	command -v "$tool" >/dev/null || { echo "not ok - $tool is installed (bird2)"; exit 1; }
done
[[ -x $ROUTEGEN ]] || { echo "not ok - $ROUTEGEN exists (make test builds it)"; exit 1; }

lib_init ipxr-bird
bird_init
topo_build || bail "topology h1 - r - h2 built"
topo6_build || bail "IPv6 on the topology"
topo_attach || bail "xdp_router.o attached on the router's ports"

# ---- helpers -----------------------------------------------------------------------------------

# routes_kernel FAM / routes_maps FAM: "DST GATEWAY DEV" of every proto bird route, sorted; the
# same jq reads both tools' JSON
ROUTE_JQ='.[] | "\(.dst) \(.gateway // "-") \(.dev // "-")"'
routes_kernel()
{
	ip -n "$R" -"$1" -j route show proto bird | jq -r "$ROUTE_JQ" | sort
}

routes_maps()
{
	"$IPXR" -n "$R" -"$1" -j route show proto bird | jq -r "$ROUTE_JQ" | sort
}

# maps_equal FAM: the maps hold exactly the kernel's proto bird routes of family FAM; the
# difference (kernel <, maps >) is in $LIB_TMP/diff$FAM
maps_equal()
{
	local k m

	k=$(routes_kernel "$1") && m=$(routes_maps "$1") || return 1
	diff <(printf '%s\n' "$k") <(printf '%s\n' "$m") >"$LIB_TMP/diff$1"
}

# check_equal LABEL FAM WANT: the maps equal the kernel (within SYNC_SECS, 2 s once a check
# failed: the test stays bounded), which holds WANT proto bird routes of family FAM
EQUAL_FAILED=0
check_equal()
{
	local label=$1 fam=$2 want=$3 n secs=$SYNC_SECS

	((EQUAL_FAILED)) && secs=2
	if wait_for "$secs" maps_equal "$fam"; then
		n=$(routes_kernel "$fam" | grep -c .)
		expect_eq "$label: ipxr's IPv$fam maps equal the kernel's proto bird routes" "$n" "$want"
	else
		EQUAL_FAILED=1
		not_ok "$label: ipxr's IPv$fam maps equal the kernel's proto bird routes"
		diag "kernel <, maps > (first lines of $(grep -c '^[<>]' "$LIB_TMP/diff$fam") differences):"
		diag_output "$(grep '^[<>]' "$LIB_TMP/diff$fam" | head -n 8)"
	fi
}

bird_count() { ip -n "$R" -"$1" route show proto bird | grep -c .; }
bird_count_is() { [[ $(bird_count "$1") == "$2" ]]; }

# wait_kernel LABEL FAM WANT: the router's kernel holds WANT proto bird routes of FAM
wait_kernel()
{
	local t0=$SECONDS

	if wait_for "$LOAD_SECS" bird_count_is "$2" "$3"; then
		ok "$1: the router's kernel holds the $3 IPv$2 routes ($((SECONDS - t0)) s)"
		return 0
	fi
	not_ok "$1: the router's kernel holds the $3 IPv$2 routes"
	diag "it holds $(bird_count "$2")"
	bird_c r show protocols all >"$LIB_TMP/bird-r.protocols" 2>&1
	diag_output "$(tail -n 20 "$LIB_TMP/bird-r.protocols")"
	return 1
}

# sync_up LABEL: sync_start (tests/lib.sh), or stop the test with ipxr sync's last log lines
sync_up()
{
	sync_start && return 0
	diag_output "$(tail -n 20 "$SYNC_LOG")"
	bail "$1"
}

sync_alive()
{
	if kill -0 "$SYNC_PID" 2>/dev/null; then
		ok "ipxr sync still runs"
		return 0
	fi
	not_ok "ipxr sync still runs"
	diag_output "$(tail -n 20 "$SYNC_LOG")"
	return 1
}

# IPv4's name for the kernel's forwarding counter, as lib6.sh's fwd6
fwd4() { fwd_datagrams; }

# ---- the table and the two BIRDs ---------------------------------------------------------------

run bird_table "$LIB_TMP" "$N4" "$N6" || bail "routegen wrote the table"
cat >"$LIB_TMP/w.conf" <<EOF
protocol static w4 { ipv4; route $W4 blackhole; }
protocol static w6 { ipv6; route $W6 blackhole; }
EOF
mapfile -t S4 < <(head -n "$SAMPLES4" "$LIB_TMP/dsts4")
mapfile -t S6 < <(head -n "$SAMPLES6" "$LIB_TMP/dsts6")
# h2 answers for the sample and the withdrawn prefix's host
for a in "${S4[@]}" "$W4_HOST"; do
	run ip -n "$H2" addr add "$a/32" dev lo || bail "address $a on h2"
done
for a in "${S6[@]}" "$W6_HOST"; do
	run ip -n "$H2" addr add "$a/128" dev lo || bail "address $a on h2"
done

bird_conf_router "$LIB_TMP/r.conf" r "$R_IP1" "$R_IP1" "$H2_IP" "$R_IP6_1" "$H2_IP6"
bird_conf_announcer "$LIB_TMP/h2.conf" h2 "$H2_IP" "$H2_IP" "$R_IP1" "$H2_IP6" "$R_IP6_1" -- \
	"$LIB_TMP/t4.conf" "$LIB_TMP/t6.conf" "$LIB_TMP/w.conf"

# ipxr sync first: it follows the table as BIRD installs it, as on a router that boots
sync_up "ipxr -n $R sync runs and follows the table"
ok "ipxr -n $R sync runs in the background"

t0=$SECONDS
check "the router's BIRD starts (bird -c -s -P in $R)" bird_start r "$R" "$LIB_TMP/r.conf" ||
	bail "BIRD started on the router"
check "h2's BIRD starts with $N4 + $N6 static routes" bird_start h2 "$H2" "$LIB_TMP/h2.conf" ||
	bail "BIRD started on h2"
check "eBGP sessions up4 and up6 Established" bird_wait_up r 30 up4 up6 ||
	bail "BGP sessions Established"
diag "BGP Established $((SECONDS - t0)) s after the BIRDs started"
wait_kernel "BGP" 4 $((N4 + 1)) || bail "the table reached the kernel"
wait_kernel "BGP" 6 $((N6 + 1)) || bail "the table reached the kernel"

check_equal "followed by ipxr sync" 4 $((N4 + 1))
check_equal "followed by ipxr sync" 6 $((N6 + 1))

# ---- the sample is forwarded by XDP ------------------------------------------------------------

# the first packet of each resolves the gateway's neighbour (it may go through the kernel)
for a in "${S4[@]}"; do nsrun "$H1" ping -c 1 -W 2 "$a" >/dev/null 2>&1; done
for a in "${S6[@]}"; do nsrun "$H1" ping -6 -c 1 -W 2 "$a" >/dev/null 2>&1; done
for a in "${S4[@]}"; do
	check_fast fwd4 stat4 "IPv4 BIRD route" 20 "$a" 0.01
done
for a in "${S6[@]}"; do
	check_fast fwd6 stat6 "IPv6 BIRD route" 20 "$a" 0.01
done

# ---- a withdrawn prefix ------------------------------------------------------------------------

# withdraw FAM PROTO PREFIX HOST: h1 pings HOST every 10 ms; BIRD on h2 disables PROTO, its
# only route PREFIX; nothing else covers HOST, so once the fast path has dropped the route the
# router's kernel answers "unreachable". The time from `birdc disable` to the first such answer
# is when the fast path stopped forwarding the prefix.
withdraw()
{
	local fam=$1 proto=$2 prefix=$3 host=$4 out=$LIB_TMP/ping-w$1 pid t0 tk='' first last ms i

	nsrun_t 10 "$H1" ping -"$fam" -D -n -i 0.01 -c 250 -W 1 "$host" >"$out" 2>&1 &
	pid=$!
	sleep 0.8
	t0=$(date +%s.%N)
	bird_c h2 disable "$proto" >/dev/null
	for ((i = 0; i < 400; i++)); do
		if ! ip -n "$R" -"$fam" route show "$prefix" proto bird | grep -q .; then
			tk=$(date +%s.%N)
			break
		fi
		sleep 0.005
	done
	wait "$pid"
	# the first "unreachable" from the router, the last echo reply
	first=$(sed -n 's/^\[\([0-9.]*\)\] From .*[Uu]nreachable.*/\1/p' "$out" | head -n 1)
	last=$(sed -n 's/^\[\([0-9.]*\)\] [0-9]* bytes from .*/\1/p' "$out" | tail -n 1)
	if [[ -z $tk ]]; then
		not_ok "IPv$fam: the router's kernel lost $prefix after birdc disable $proto"
	else
		ok "IPv$fam: the router's kernel lost $prefix after birdc disable $proto (polled: $(jq -n "($tk - $t0) * 1000 | round") ms)"
	fi
	if [[ -z $first ]]; then
		not_ok "IPv$fam: the fast path stopped forwarding $prefix (the router answers unreachable)"
		diag_output "$(tail -n 5 "$out")"
		return 1
	fi
	ms=$(jq -n "($first - $t0) * 1000 | round")
	diag "withdraw IPv$fam $prefix: gone from the kernel $(jq -n "(${tk:-0} - $t0) * 1000 | round") ms, from the fast path $ms ms after birdc disable"
	expect_ge "IPv$fam: $prefix stops being forwarded by the fast path within 1 s of the withdraw ($ms ms)" \
		$((1000 - ms)) 0
	expect_eq "IPv$fam: no echo reply after the first unreachable" \
		"$(jq -n "${last:-0} <= $first")" true
}

withdraw 4 w4 "$W4" "$W4_HOST"
withdraw 6 w6 "$W6" "$W6_HOST"
check_equal "after the withdraw" 4 "$N4"
check_equal "after the withdraw" 6 "$N6"
check "birdc enable w4 w6 (announced again)" birdc_each h2 enable w4 w6
check_equal "announced again" 4 $((N4 + 1))
check_equal "announced again" 6 $((N6 + 1))

# ---- the BGP sessions go down and up -----------------------------------------------------------

check "birdc disable up4 up6 on the router" birdc_each r disable up4 up6
wait_kernel "sessions down" 4 0
wait_kernel "sessions down" 6 0
check_equal "sessions down: no stale route" 4 0
check_equal "sessions down: no stale route" 6 0
out=$(nsrun "$H1" ping -c 1 -W 2 "${S4[0]}" 2>&1)
expect_match "sessions down: h1 -> ${S4[0]} gets unreachable from the router" \
	"From $R_IP0 .*Unreachable" "$out"
check "birdc enable up4 up6" birdc_each r enable up4 up6
check "sessions Established again" bird_wait_up r 30 up4 up6
wait_kernel "sessions up again" 4 $((N4 + 1))
wait_kernel "sessions up again" 6 $((N6 + 1))
check_equal "sessions up again" 4 $((N4 + 1))
check_equal "sessions up again" 6 $((N6 + 1))
nsrun "$H1" ping -c 1 -W 2 "${S4[0]}" >/dev/null 2>&1
check_fast fwd4 stat4 "sessions up again" 20 "${S4[0]}" 0.01

# ---- kill -9 and restart of ipxr sync under traffic --------------------------------------------

COUNT=2000		# one every 2 ms: 4 s of traffic, the daemon dead from 0.8 s to 1.2 s
dst=${S4[1]}
sync_alive
fwd0=$(fwd4)
f0=$(stat4 forward packets)
out=$LIB_TMP/ping-kill
nsrun_t 15 "$H1" ping -c "$COUNT" -i 0.002 -W 2 -q "$dst" >"$out" 2>&1 &
pid=$!
sleep 0.8
sync_stop KILL
sleep 0.4
sync_up "ipxr -n $R sync restarted and follows the table"
wait "$pid"
fwd1=$(fwd4)
f1=$(stat4 forward packets)
expect_eq "kill -9 and restart of ipxr sync under traffic: $COUNT echoes to $dst, all answered" \
	"$(ping_stats "$(cat "$out")")" "$COUNT $COUNT"
expect_eq "all by the fast path (forward +$((2 * COUNT)), IpForwDatagrams unchanged)" \
	"$(delta "$f0" "$f1") $fwd1" "$((2 * COUNT)) $fwd0"
check_equal "after the restart" 4 $((N4 + 1))
check_equal "after the restart" 6 $((N6 + 1))
sync_alive

# ---- SIGTERM, then ipxr sync once --------------------------------------------------------------

sync_stop TERM
rc=$?
expect_eq "ipxr sync exits 0 within 5 s of SIGTERM" "$rc" 0
[[ $rc == 0 ]] || diag_output "$(tail -n 20 "$SYNC_LOG")"

# a change made with no daemon running stays out of the maps until `ipxr sync once`
run bird_c h2 disable w4
wait_kernel "w4 withdrawn, no ipxr sync" 4 "$N4"
check "ipxr -n $R sync once" "$IPXR" -n "$R" sync once
check_equal "ipxr sync once" 4 "$N4"
check_equal "ipxr sync once" 6 $((N6 + 1))

check "the router's BIRD stops cleanly (SIGTERM)" bird_stop r
lib_finish
