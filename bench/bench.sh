#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: ipxr measured the way the field measures a software router, against what its users
# would otherwise run, in one run on this machine.
#
#   1. Forwarding rate. Three network namespaces joined by veth pairs:
#
#        src: bg<PID> ---- bi<PID> :rtr: bo<PID> ---- bs<PID> :snk
#
#      bench/trafgen sends UDP frames from src (BPF_PROG_TEST_RUN live frames; IPv4 64 bytes,
#      IPv6 66), to 65,536 destinations spread over the route table, 64 source ports each. The
#      router's ingress port forwards them by (a) the kernel's own IP forwarding, (b) ipxr's
#      XDP program, with its front table as `ipxr -b` left it, (b0) the same program with the
#      front table switched off (front_disable), so it asks the LPM trie alone, (d) the peer
#      design: bench/fwd_kern.c, a bpf_fib_lookup() forwarder as xdp_fwd and xdp-forward are,
#      on the kernel's copy of the same routes, (e) the floor: bench/floor_kern.c rewrites the
#      MACs and redirects to the egress port, no lookup, and (c) nothing: XDP_DROP on the
#      ingress port. The kernel and ipxr hold the same routes throughout; GRO is on at the
#      ingress port (so it takes redirected frames with or without a program), and the sink
#      port runs a counting XDP_DROP program. Tables: IPv4 1 and ROUTES routes, IPv6 1 and
#      ROUTES6 (the big tables of both families loaded together). The cases alternate, RUNS
#      rounds, in two modes:
#      - loop, the main figure: source, router and sink on LOOP_CPU, a closed loop (see
#        place()); the cost of a frame is the CPU time the three threads took per frame the
#        sink took, which other work on the machine does not change (it delays the loop, it
#        does not make it slower per frame); reported as Mpps per core and as per-run ratios;
#      - split, today's two-CPU mode (IPv4): source on CPU 0, router on CPU 1, rates counted
#        on the router's egress port.
#   2. Per-packet cost of the program (bench/nsperpkt, BPF_PROG_TEST_RUN with repeat) against
#      table size, both families (the trie alone, then with the front structure painted by
#      ipxr/lpm.c), forward and pass paths; plotted with gnuplot.
#   3. Control plane: ROUTES routes loaded with `ip -b` (the kernel alone), then, once those
#      are flushed, with `ipxr -b`, which writes the same routes to the kernel and compiles them
#      into the maps (same batch file), and the memory the maps and the kernel's FIB use.
#   4. BIRD and ipxr sync (bench/sync.sh): real BIRD 2 feeds SYNC_N4 IPv4 and SYNC_N6 IPv6
#      routes over eBGP into the router's kernel; how far behind the kernel the maps complete,
#      `ipxr sync`'s initial load (routes/s, peak RSS, CPU), CHURN_RATE changes/s of churn
#      (notification-to-trie latency, no drift), and forwarding with the mirrored table.
#
# CPU placement: see place(). The source runs SCHED_FIFO in both modes, so other work on the
# machine cannot make the source the limit.
#
# Usage: bench/bench.sh [--quick] [--out DIR] [--only forward|nsperpkt|sync]
# Writes DIR/latest.md, DIR/latest.json, DIR/forward.png and DIR/nsperpkt.png (DIR:
# bench/results, or build/bench-quick with --quick). Needs root. Tears down what it made, even
# when interrupted.
# Environment: ROUTES, ROUTES6, RUNS, WINDOW, WARMUP, LOOP_CPU, SEED override the sizes.
set -u

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
QUICK=0
OUT=
PARTS="forward nsperpkt sync"	# forward: parts 1 and 3 (one table); nsperpkt: 2; sync: 4
while [[ $# -gt 0 ]]; do
	case $1 in
	--quick) QUICK=1 ;;
	--out) OUT=$2; shift ;;
	--only) PARTS=$2; shift ;;
	*) echo "Usage: bench/bench.sh [--quick] [--out DIR] [--only forward|nsperpkt|sync]" >&2
	   exit 1 ;;
	esac
	shift
done
part() { [[ " $PARTS " == *" $1 "* ]]; }

if ((QUICK)); then
	ROUTES=${ROUTES:-100000}	# ip -b needs a minute for 750,000
	RUNS=${RUNS:-1}
	WARMUP=${WARMUP:-0.5}
	WINDOW=${WINDOW:-1}
	NSPP_ROUTES=${NSPP_ROUTES:-1,100000}
	NSPP_ROUTES6=${NSPP_ROUTES6:-1,100000}
	NSPP_PASSES=${NSPP_PASSES:-1}
	ECMP_ROUNDS=${ECMP_ROUNDS:-3}
	VLAN_ROUNDS=${VLAN_ROUNDS:-1}
	ROUTES6=${ROUTES6:-25000}
	OUT=${OUT:-$ROOT/build/bench-quick}
else
	ROUTES=${ROUTES:-750000}
	ROUTES6=${ROUTES6:-250000}
	RUNS=${RUNS:-3}
	WARMUP=${WARMUP:-0.5}
	WINDOW=${WINDOW:-2}
	NSPP_ROUTES=${NSPP_ROUTES:-1,1000,100000,750000,1000000}
	NSPP_ROUTES6=${NSPP_ROUTES6:-1,250000}
	NSPP_PASSES=${NSPP_PASSES:-4}
	ECMP_ROUNDS=${ECMP_ROUNDS:-7}
	VLAN_ROUNDS=${VLAN_ROUNDS:-3}
	OUT=${OUT:-$BENCH_DIR/results}
fi
SEED=${SEED:-1}
IPXR=${IPXR:-$ROOT/ipxr/ipxr}
XDP_OBJ=${XDP_OBJ:-$ROOT/bpf/xdp_router.o}
BIN=${BENCH_BIN:-$ROOT/build/bench}
NSPERPKT=${NSPERPKT:-$ROOT/bench/nsperpkt}
SRC_CPU=0		# two-CPU mode: the source here,
RTR_CPU=1		# the router's NAPI thread here
LOOP_CPU=${LOOP_CPU:-1}	# single-core mode: source, router and sink all here
FIFO_SRC=10		# the source's priority; its meter thread runs at one more
FIFO_RTR=20		# the router's NAPI thread (and the sink's, in the loop)

# the two-CPU mode puts the source and the router on CPUs of their own
if (($(nproc) < 2)); then
	echo "bench: needs 2 CPUs (the two-CPU mode: the source on one, the router on the other)" >&2
	exit 1
fi
for f in "$IPXR" "$XDP_OBJ" "$NSPERPKT" "$BIN/trafgen" "$BIN/routegen" "$BIN/gen_kern.o" \
	"$BIN/memlat" "$BIN/memlat_kern.o" \
	"$BIN/sink_kern.o" "$BIN/fwd_kern.o" "$BIN/floor_kern.o" "$BIN/maplat" \
	"$BIN/xdp_router_fresh.o" "$ROOT/bench/abcost"; do
	if [[ ! -e $f ]]; then
		echo "bench: $f is missing: run 'make bench'" >&2
		exit 1
	fi
done
for t in jq bpftool ethtool chrt taskset bird birdc /usr/bin/time; do
	command -v "$t" >/dev/null || { echo "bench: $t is missing: run 'make bench'" >&2; exit 1; }
done

# lib_init: root check, unique names with our PID, a private bpffs exported as TC_BPF_MNT, and
# the trap that deletes exactly the namespaces we made and unmounts the bpffs on any exit.
# shellcheck source=tests/lib.sh
source "$ROOT/tests/lib.sh"
# shellcheck source=tests/lib6.sh
source "$ROOT/tests/lib6.sh"
lib_init ipxr-bench
SRC=$H1
SNK=$H2
DEV_G=bg$$	# names unique on the machine: the NAPI kthreads are found by them
DEV_I=bi$$
DEV_O=bo$$
DEV_S=bs$$
MAC_G=02:00:00:00:01:01
MAC_I=02:00:00:00:01:fe
MAC_O=02:00:00:00:02:fe
MAC_S=02:00:00:00:02:01
mkdir -p "$OUT"
LOG=$LIB_TMP/bench.log
RAW=$LIB_TMP/raw.jsonl		# one JSON object per measurement, assembled at the end
: >"$RAW"

say() { printf '%s\n' "$*"; }
KEEP_LOG=$BIN/last.log		# the log outlives the run's temporary directory
# and the measurements, to assemble again with results.jq
keep_log() { cp "$LOG" "$KEEP_LOG" 2>/dev/null; cp "$RAW" "$BIN/last.raw.jsonl" 2>/dev/null; }
die()
{
	printf 'bench: %s\n' "$*" >&2
	[[ -s $LOG ]] && tail -n 20 "$LOG" >&2
	keep_log
	printf 'bench: the whole log is in %s\n' "$KEEP_LOG" >&2
	exit 1
}

# step CMD...: a setup command that must work (output kept in the log)
step()
{
	printf '$ %s\n' "$*" >>"$LOG"
	"$@" >>"$LOG" 2>&1 || die "failed: $*"
}

now() { date +%s.%N; }

# ---- topology ----------------------------------------------------------------------------------

topo()
{
	local ns g

	for ns in "$SRC" "$R" "$SNK"; do
		step netns_add "$ns"
	done
	step ip link add "$DEV_G" netns "$SRC" address $MAC_G type veth \
		peer name "$DEV_I" netns "$R" address $MAC_I
	step ip link add "$DEV_O" netns "$R" address $MAC_O type veth \
		peer name "$DEV_S" netns "$SNK" address $MAC_S
	step ip -n "$R" addr add 10.0.1.254/24 dev "$DEV_I"
	step ip -n "$R" addr add 10.0.2.254/24 dev "$DEV_O"
	step ip -n "$SRC" link set "$DEV_G" up
	step ip -n "$R" link set "$DEV_I" up
	step ip -n "$R" link set "$DEV_O" up
	step ip -n "$SNK" link set "$DEV_S" up
	# gateways, all the sink's port: the routes spread over the first four as over BGP peers;
	# multipath routes take up to all 32 (ecmp_forward)
	for g in $(seq 1 32); do
		step ip -n "$R" neigh add 10.0.2.$g lladdr $MAC_S dev "$DEV_O" nud permanent
	done
	step ip netns exec "$R" sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.forwarding=1 \
		net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
		"net.ipv4.conf.$DEV_I.rp_filter=0" "net.ipv4.conf.$DEV_O.rp_filter=0"
	# GRO keeps the ingress port's NAPI running without a program, so it takes the source's
	# redirected frames in case (a) as in (b) and (c)
	step ip netns exec "$R" ethtool -K "$DEV_I" gro on
	step ip netns exec "$R" sh -c "echo 1 > /sys/class/net/$DEV_I/threaded"
	# (a veth has NAPI, and so a thread to place, only once XDP or GRO is on)
	step ip -n "$SNK" link set dev "$DEV_S" xdpdrv obj "$BIN/sink_kern.o" sec xdp
	step ip netns exec "$SNK" sh -c "echo 1 > /sys/class/net/$DEV_S/threaded"
	# the router object on the egress port pins the maps ipxr writes; it sees no traffic
	step ip -n "$R" link set dev "$DEV_O" xdpdrv obj "$XDP_OBJ" sec xdp_router
}

# topo6: IPv6 on the router's ports, and the sink's port as the four IPv6 gateways
topo6()
{
	local g

	step ipv6_on "$R" "$DEV_I" "$DEV_O"
	step ip -n "$R" addr add 2001:db8:1::fe/64 dev "$DEV_I" nodad
	step ip -n "$R" addr add 2001:db8:2::fe/64 dev "$DEV_O" nodad
	for g in 1 2 3 4; do
		step ip -n "$R" -6 neigh add 2001:db8:2::$g lladdr $MAC_S dev "$DEV_O" nud permanent
	done
	step ip netns exec "$R" sysctl -qw net.ipv6.conf.all.forwarding=1
}

napi_pid()
{
	ps -eo pid=,comm= | awk -v d="napi/$1-" 'index($2, d) == 1 { print $1 }'
}

# place MODE: the NAPI threads of the router's ingress port and of the sink's port.
#   loop: both on LOOP_CPU at FIFO_RTR, above the source there (FIFO_SRC): the closed loop.
#     Whenever the source flushes a batch into the router's ring, the router preempts it and
#     forwards the batch, then the sink takes it (equal priority: it waits for the router to
#     finish), then the source sends again. No ring overflows (the batch is no larger than a
#     veth ring), every frame sent is forwarded, and one CPU does all of it, so the CPU time
#     of the three threads per frame is the cost of the whole path, whatever else the
#     machine runs (ordinary tasks get no time on that CPU but what the RT throttle leaves).
#   split: the router's thread on RTR_CPU at FIFO_RTR; the sink's, ordinary, on the source's
#     CPU (a second machine would take no time from the router).
place()
{
	local mode=$1 p

	p=$(napi_pid "$DEV_I")
	[[ -n $p ]] || die "no NAPI thread for $DEV_I"
	RTR_PID=$p
	SNK_PID=
	if [[ $mode == loop ]]; then
		step taskset -pc "$LOOP_CPU" "$p"
		step chrt -f -p $FIFO_RTR "$p"
		for p in $(napi_pid "$DEV_S"); do
			step taskset -pc "$LOOP_CPU" "$p"
			step chrt -f -p $FIFO_RTR "$p"
			SNK_PID=$p
		done
		[[ -n $SNK_PID ]] || die "no NAPI thread for $DEV_S"
		return
	fi
	step taskset -pc $RTR_CPU "$p"
	step chrt -f -p $FIFO_RTR "$p"
	for p in $(napi_pid "$DEV_S"); do
		step taskset -pc $SRC_CPU "$p"
		step chrt -o -p 0 "$p"
	done
}

# floor_cfg: the floor program's egress port (ifindex, little-endian) and MAC addresses
floor_cfg()
{
	local ifi mac

	ifi=$(ip -n "$R" -j link show dev "$DEV_O" | jq '.[0].ifindex') || die "no $DEV_O"
	mac=$(sed 's/\([0-9a-f][0-9a-f]\)/0x\1/g; s/:/ /g' <<<"$MAC_S $MAC_O")
	# shellcheck disable=SC2086 # one argument per byte
	step bpftool map update pinned "$LIB_BPFFS/tc/globals/bench_floor_cfg" key 0 0 0 0 value \
		$((ifi & 255)) $((ifi >> 8 & 255)) $((ifi >> 16 & 255)) $((ifi >> 24)) $mac
}

# forwarder CASE MODE: what handles the frames arriving at the router's ingress port
forwarder()
{
	step ip -n "$R" link set dev "$DEV_I" xdpdrv off
	case $1 in
	kernel) ;;
	xdp | trie) step ip -n "$R" link set dev "$DEV_I" xdpdrv obj "$XDP_OBJ" sec xdp_router ;;
	peer) step ip -n "$R" link set dev "$DEV_I" xdpdrv obj "$BIN/fwd_kern.o" sec xdp ;;
	floor)
		step ip -n "$R" link set dev "$DEV_I" xdpdrv obj "$BIN/floor_kern.o" sec xdp
		floor_cfg
		;;
	drop) step ip -n "$R" link set dev "$DEV_I" xdpdrv obj "$BIN/sink_kern.o" sec xdp ;;
	esac
	place "$2"
}

# fwd_counter [FAMILY]: the program's own "forward" counter of FAMILY (default 4): index
# IPXR_MAX_STATS * family slot + reason, where layout 2 and later have three family slots
# (96 entries: link, IPv4, IPv6) and layout 1 one.
fwd_counter()
{
	local stats=$LIB_BPFFS/tc/globals/ipxr_stats entries

	entries=$(bpftool -j map show pinned "$stats" | jq '.max_entries')
	if [[ $entries == 96 ]]; then
		echo "$stats:$(( ${1:-4} == 6 ? 64 : 32 ))"
	else
		echo "$stats:0"
	fi
}

# front_disable check|off|on FAMILY: the one place that knows how case (b0) switches ipxr's
# front structure off, so that the program asks its LPM trie alone. check: whether `ipxr -b`
# left a pool for FAMILY in ipxr_lpm (sets FRONT_ON, and FRONT_STATE for the results); off: take
# the pool out of its slot (key 0: IPv4, 1: IPv6), pinned meanwhile so it lives on; on: put it
# back and drop that pin.
front_disable()
{
	local g=$LIB_BPFFS/tc/globals key=0 id

	[[ $2 == 6 ]] && key=1
	case $1 in
	check)
		FRONT_ON=0
		FRONT_STATE=
		[[ -e $g/ipxr_lpm ]] || return 0
		id=$(bpftool -j map lookup pinned "$g/ipxr_lpm" key $key 0 0 0 2>/dev/null |
			jq -r '.value | reverse | map(ltrimstr("0x")) | join("")') || return 0
		[[ -n $id ]] || return 0
		FRONT_STATE="pool map id $((16#$id))"
		FRONT_ON=1
		;;
	off)
		rm -f "$g/bench_lpm${2}_saved"
		id=$(bpftool -j map lookup pinned "$g/ipxr_lpm" key $key 0 0 0 |
			jq -r '.value | reverse | map(ltrimstr("0x")) | join("")') ||
			die "reading $g/ipxr_lpm"
		step bpftool map pin id "$((16#$id))" "$g/bench_lpm${2}_saved"
		step bpftool map delete pinned "$g/ipxr_lpm" key $key 0 0 0
		;;
	on)
		step bpftool map update pinned "$g/ipxr_lpm" key $key 0 0 0 \
			value pinned "$g/bench_lpm${2}_saved"
		rm -f "$g/bench_lpm${2}_saved"
		;;
	esac
}

# front_check FAMILY ROUTES: whether (b0) has a front table to switch off; records it
front_check()
{
	front_disable check "$1"
	if ((FRONT_ON)); then
		say "  IPv$1 front table in step (state ${FRONT_STATE:-?}): (b0) switches it off"
	elif [[ -n $FRONT_STATE ]]; then
		say "  IPv$1 front table NOT in step after ipxr -b (state $FRONT_STATE):" \
			"(b) is the trie alone, no (b0) case"
	fi
	jq -nc --argjson f "$1" --argjson r "$2" --arg s "$FRONT_STATE" --argjson p "$FRONT_ON" \
		'{bench: "front", family: $f, routes: $r,
		  state: (if $s == "" then null else $s end),
		  painted: (if $s == "" then null else $p == 1 end)}' >>"$RAW"
}

# measure MODE CASE FAMILY ROUTES RUN: one window; appends a JSON object to $RAW
measure()
{
	local mode=$1 case=$2 fam=$3 routes=$4 run=$5 out pps fast args src

	forwarder "$case" "$mode"
	[[ $case == trie ]] && front_disable off "$fam"
	src=10.0.1.1
	((fam == 6)) && src=2001:db8:1::1
	args=(--cpu "$SRC_CPU")
	[[ $mode == loop ]] && args=(--cpu "$LOOP_CPU" --loop "$RTR_PID" --loop "$SNK_PID")
	# the second meter tells how much of (b) the program forwarded itself (not passed to the
	# kernel, which would forward it too and be counted all the same)
	out=$(ip netns exec "$SRC" "$BIN/trafgen" --dev "$DEV_G" --dst-mac $MAC_I \
		--src "$src" \
		--dst-file "$LIB_TMP/dsts${fam/4/}.txt" "${args[@]}" --rt $FIFO_SRC --batch 256 \
		--warmup "$WARMUP" --time "$WINDOW" --count "$LIB_BPFFS/tc/globals/bench_sink_cnt" \
		--count "$(fwd_counter "$fam")" --tx-count "$R:$DEV_O" --busy "$RTR_PID" \
		2>>"$LOG") || die "trafgen failed ($mode $case IPv$fam)"
	printf '%s %s IPv%s %s: %s\n' "$mode" "$case" "$fam" "$routes" "$out" >>"$LOG"
	[[ $case == trie ]] && front_disable on "$fam"
	# loop: what the sink took (the drop case: what the drop program took at ingress);
	# split: what left the router's egress port, sent or dropped by the sink's full ring
	if [[ $case == drop ]]; then
		pps=$(jq '.rx_pps[0]' <<<"$out")
	elif [[ $mode == loop ]]; then
		pps=$(jq '.rx_pps[0]' <<<"$out")
	else
		pps=$(jq '.tx_pps' <<<"$out")
	fi
	# FWD_TABLE: where the routes came from, "bird" in part 4 (else ip -b and ipxr -b);
	# FWD_GROUP: the routes' next hops, a multipath group of that many (ecmp_forward)
	jq -c --arg m "$mode" --arg c "$case" --argjson f "$fam" --argjson r "$routes" \
		--argjson n "$run" --argjson p "$pps" --arg t "${FWD_TABLE:-batch}" \
		--argjson g "${FWD_GROUP:-null}" \
		'{bench: "forward", mode: $m, case: $c, family: $f, routes: $r, table: $t, run: $n,
		  group: $g,
		  pps: $p, offered_pps: .offered_pps, router_busy: .busy, seconds: .seconds,
		  src_cpu_s: .src_cpu_s, loop_cpu_s: .loop_cpu_s, cpu_s: .cpu_s,
		  loop_ns: (if $m == "loop" and $p > 0 then .loop_cpu_s * 1e9 / ($p * .seconds)
			    else null end),
		  fastpath_pps: (if $c == "xdp" or $c == "trie" then .rx_pps[1] else null end)}' \
		<<<"$out" >>"$RAW"
	fast=
	[[ $case == xdp || $case == trie ]] &&
		fast=$(jq -r '", fast path \(.rx_pps[1] / 1e3 | round / 1e3) Mpps"' <<<"$out")
	if [[ $mode == loop ]]; then
		printf '  %-6s %8.3f Mpps, %6.1f ns/packet of one CPU (sent %.3f Mpps, CPU %.2f s%s)\n' \
			"$case" "$(jq -n "$pps / 1e6")" \
			"$(jq -n --argjson o "$out" "\$o.loop_cpu_s * 1e9 / ($pps * \$o.seconds + 1e-9)")" \
			"$(jq '.offered_pps / 1e6' <<<"$out")" "$(jq '.loop_cpu_s' <<<"$out")" "$fast"
	else
		printf '  %-6s %8.3f Mpps  (source offered %.2f Mpps, router CPU busy %.0f%%%s)\n' \
			"$case" "$(jq -n "$pps / 1e6")" "$(jq '.offered_pps / 1e6' <<<"$out")" \
			"$(jq '.busy * 100' <<<"$out")" "$fast"
	fi
}

# forward_runs ROUTES [FAMILY [MODES]]: RUNS rounds over the cases, each case once per round in
# turn (interleaved, so a change in the machine's load hits every case alike), in each mode:
# loop (the main figure) and split, the two-CPU mode (IPv4 only, not on BIRD's table)
forward_runs()
{
	local routes=$1 fam=${2:-4} modes=${3:-} run c m cases

	[[ -n $modes ]] || modes=$( ((fam == 4)) && [[ ${FWD_TABLE:-} != bird ]] &&
		echo "loop split" || echo loop)
	front_check "$fam" "$routes"
	say "forwarding, IPv$fam, $routes route(s): $RUNS run(s) of $modes:" \
		"kernel, xdp (ipxr)$( ((FRONT_ON)) && echo ", trie (ipxr, front table off)")," \
		"peer (bpf_fib_lookup), floor (MACs + redirect), drop"
	for ((run = 1; run <= RUNS; run++)); do
		for m in $modes; do
			cases=(kernel xdp peer floor drop)
			[[ $m == split ]] && cases=(kernel xdp drop)
			((FRONT_ON)) && cases=("${cases[@]:0:2}" trie "${cases[@]:2}")
			say " run $run, $m:"
			for c in "${cases[@]}"; do
				measure "$m" "$c" "$fam" "$routes" "$run"
			done
		done
	done
	# leave (b)'s verdicts in the log: every frame should have been forwarded
	"$IPXR" -n "$R" -j stats show >>"$LOG" 2>&1
}

# ecmp_forward: the forwarding rate of the default route through one next hop and through
# multipath groups of 2, 8 and 32 gateways (issue 10), single-core loop, ipxr and the kernel
# (which picks a path per packet by its own hash), the group sizes in turn in every run; the
# destinations spread the flows over the members
ecmp_forward()
{
	local run n c g args

	say "forwarding, IPv4, the default route by one next hop and groups of 2, 8, 32:" \
		"$RUNS run(s) of loop: xdp (ipxr), kernel"
	for ((run = 1; run <= RUNS; run++)); do
		for n in 1 2 8 32; do
			args=(via 10.0.2.1 dev "$DEV_O")
			if ((n > 1)); then
				args=()
				for ((g = 1; g <= n; g++)); do
					args+=(nexthop via "10.0.2.$g" dev "$DEV_O")
				done
			fi
			step "$IPXR" -n "$R" route replace default "${args[@]}"
			say " run $run, $n next hop(s):"
			for c in xdp kernel; do
				FWD_GROUP=$n measure loop "$c" 4 1 "$run"
			done
		done
	done
	step "$IPXR" -n "$R" route replace default via 10.0.2.1 dev "$DEV_O"
}

# timed LABEL CMD...: run CMD, record its wall time in $RAW as control-plane LABEL
timed()
{
	local label=$1 t0 t1

	shift
	printf '$ %s\n' "$*" >>"$LOG"
	t0=$(now)
	"$@" >>"$LOG" 2>&1 || die "failed: $*"
	t1=$(now)
	jq -nc --arg l "$label" --argjson s "$(jq -n "$t1 - $t0")" --argjson r "$ROUTES" \
		'{bench: "control", what: $l, routes: $r, seconds: $s}' >>"$RAW"
	printf '  %-8s %7.2f s\n' "$label" "$(jq -n "$t1 - $t0")"
}

# memory: bytes_memlock of every ipxr map (what the kernel charges for it), and the size of the
# kernel's main FIB trie from /proc/net/fib_triestat
memory()
{
	local maps fib id k

	# several objects may be loaded on this machine: ours are the ones pinned in our bpffs
	# the pools of ipxr_lpm are not pinned: they are found through its slots (0: IPv4, 1: IPv6)
	maps=$( (for m in "$LIB_BPFFS"/tc/globals/ipxr_*; do
		bpftool -j map show pinned "$m"
	done
	for k in 0 1; do
		id=$(bpftool -j map lookup pinned "$LIB_BPFFS/tc/globals/ipxr_lpm" key $k 0 0 0 \
			2>/dev/null | jq -r '.value | reverse | map(ltrimstr("0x")) | join("")')
		[[ -n $id ]] && bpftool -j map show id "$((16#$id))"
	done) | jq -sc '[.[] | {name, bytes: .bytes_memlock}]')
	# shellcheck disable=SC2016 # awk program, not shell
	fib=$(ip netns exec "$R" awk '/^Main:/ { main = 1 } main && /^Total size:/ { print $3; exit }' \
		/proc/net/fib_triestat)
	jq -nc --argjson m "$maps" --argjson f "${fib:-null}" --argjson r "$ROUTES" \
		'{bench: "memory", routes: $r, maps: $m, kernel_fib_kb: $f}' >>"$RAW"
	say "  memory: $(jq -r 'map("\(.name) \(.bytes)") | join(", ")' <<<"$maps") B in all;" \
		"kernel FIB ${fib:-?} kB"
}

# ---- 2: per-packet cost -------------------------------------------------------------------------

# nsperpkt FAMILY ROUTES hot|cold
nsperpkt()
{
	local fam=$1 routes=$2 mode=$3 out args

	# hot: each frame run 250 times in a row (its trie path cached); cold: 4096 frames in turn
	args=(--passes "$NSPP_PASSES")
	[[ $mode == cold ]] && args=(--repeat 1 --packets 4096 --passes 2)
	say "per-packet cost, IPv$fam, routes $routes, $mode caches"
	out=$(IPXR_BPF_OBJ=$XDP_OBJ "$NSPERPKT" --family "$fam" --routes "$routes" "${args[@]}" \
		--json 2>&1)
	printf '%s\n' "$out" >>"$LOG"
	if ! grep -q '^{' <<<"$out"; then
		say "  IPv$fam: no results (see the log)"
		grep '^#' <<<"$out" | head -n 5 | sed 's/^/  /'
		[[ $mode == cold ]] && return 0	# said once is enough
		jq -nc --argjson f "$fam" \
			--arg e "$(grep -m1 -E 'did not end|counted as|no ipxr|failed' <<<"$out" | sed 's/^# //')" \
			'{bench: "nsperpkt", family: $f, error: $e}' >>"$RAW"
		return 0
	fi
	grep '^|' <<<"$out" | sed 's/^/  /'
	grep '^{' <<<"$out" | jq -c --argjson f "$fam" '. + {bench: "nsperpkt", family: $f}' >>"$RAW"
}

# vlan_cost: untagged frames against frames tagged on the way in and out (issue 15: untagged
# within 2 ns/packet of the layout before VLANs; tagged to tagged measured), IPv4 and IPv6,
# 1,000 routes, front structure, hot caches, forward and ttl_exceeded, VLAN_ROUNDS times
vlan_cost()
{
	local fam r out tagged args

	say "per-packet cost of VLAN tags (1,000 routes, front structure, hot caches):" \
		"untagged, then tagged to tagged, $VLAN_ROUNDS rounds"
	for ((r = 1; r <= VLAN_ROUNDS; r++)); do
		for fam in 4 6; do
			for tagged in false true; do
				args=()
				$tagged && args=(--vlan)
				out=$(IPXR_BPF_OBJ=$XDP_OBJ "$NSPERPKT" --family "$fam" --routes 1000 \
					--front lpm --passes "$NSPP_PASSES" "${args[@]}" --json 2>&1)
				printf '%s\n' "$out" >>"$LOG"
				grep '^{' <<<"$out" | jq -c --argjson t "$tagged" --argjson r "$r" \
					'select(.case == "forward" or .case == "ttl_exceeded")
					 | {bench: "vlan", family, case, tagged: $t, round: $r, ns_per_pkt,
					    ns_per_pkt_median}' >>"$RAW"
			done
		done
	done
	jq -rs 'map(select(.bench == "vlan")) | group_by([.family, .case, .tagged])[]
		| "  IPv\(.[0].family) \(.[0].case) \(if .[0].tagged then "tagged" else "untagged" end):"
		+ " \(map(.ns_per_pkt) | sort | .[length / 2 | floor]) ns"' "$RAW" | tee -a "$LOG"
}

# ecmp_cost: what a multipath route's flow hash and bucket read add (issue 10's target: a 2-way
# group at most 10 ns/packet over one next hop), hot caches: bench/abcost runs one next hop and
# groups of 2, 8 and 32 in turn, call by call in one process (nsperpkt's runs are minutes apart,
# too far for a few nanoseconds), ECMP_ROUNDS times
ecmp_cost()
{
	local r out

	say "per-packet cost of multipath routes (IPv4, hot caches, bench/abcost): one next hop," \
		"groups of 2, 8 and 32, $ECMP_ROUNDS rounds"
	for ((r = 1; r <= ECMP_ROUNDS; r++)); do
		out=$("$ROOT/bench/abcost" "$BIN/xdp_router_fresh.o" 2>&1) ||
			die "bench/abcost failed: $out"
		printf '%s\n' "$out" >>"$LOG"
		# shellcheck disable=SC2016 # jq program, not shell
		awk '$1 == "forward" { print 1, $3 } $1 ~ /^fwd_group/ { sub("fwd_group", "", $1);
			print $1, $3 }' <<<"$out" |
			jq -Rc --argjson r "$r" 'split(" ") | {bench: "ecmp", group: (.[0] | tonumber),
				round: $r, ns_per_pkt: (.[1] | tonumber)}' >>"$RAW"
	done
	jq -rs 'map(select(.bench == "ecmp")) | group_by(.group)[]
		| "  \(.[0].group) next hop(s): \(map(.ns_per_pkt) | sort | .[length / 2 | floor]) ns"
		+ " (rounds: \(map(.ns_per_pkt) | map(tostring) | join(", ")))"' "$RAW" | tee -a "$LOG"
}

# memlat: what one dependent read of a large pool costs, cold and hot (bench/memlat): the
# memory's share of a lookup at scale, which no structure avoids once its reads miss the caches
memlat_part()
{
	local out

	say "memory: cost of dependent reads of a 96 MiB pool of 1 KiB groups (bench/memlat)"
	out=$("$BIN/memlat" --obj "$BIN/memlat_kern.o" --cpu "$LOOP_CPU" --json 2>&1) ||
		die "bench/memlat failed: $out"
	printf '%s\n' "$out" >>"$LOG"
	grep '^|' <<<"$out" | sed 's/^/  /' | tee -a "$LOG"
	grep '^{' <<<"$out" | jq -c '. + {bench: "memlat"}' >>"$RAW"
}

# ---- run ---------------------------------------------------------------------------------------

T_START=$(now)
say "ipxr bench ($( ((QUICK)) && echo quick || echo full)): routes $ROUTES IPv4, $ROUTES6 IPv6," \
	"$RUNS run(s) of ${WINDOW} s; single-core loop on CPU $LOOP_CPU; two-CPU mode: source on" \
	"CPU $SRC_CPU, router on CPU $RTR_CPU; log in $KEEP_LOG"
uptime | sed 's/^ */  load before: /'
# the same destinations for every table of a family, drawn from the big table's prefixes:
# dsts.txt (IPv4, also written by part 4 for its table) and dsts6.txt
step "$BIN/routegen" --routes 0 --dev "$DEV_O" --out "$LIB_TMP/r1.txt" --seed "$SEED" \
	--dsts "$LIB_TMP/dsts.txt" --dst-routes "$ROUTES"
step "$BIN/routegen" --routes "$ROUTES" --dev "$DEV_O" --out "$LIB_TMP/rbig.txt" --seed "$SEED"
step "$BIN/routegen" --family 6 --routes 0 --dev "$DEV_O" --out "$LIB_TMP/r1v6.txt" \
	--seed "$SEED" --dsts "$LIB_TMP/dsts6.txt" --dst-routes "$ROUTES6"
step "$BIN/routegen" --family 6 --routes "$ROUTES6" --dev "$DEV_O" --out "$LIB_TMP/rbig6.txt" \
	--seed "$SEED"
topo
topo6

if part forward; then
	# 1 route per family: the default routes, in the kernel and in ipxr (ipxr writes the
	# kernel's routes, and deletes them, too)
	step "$IPXR" -n "$R" -b "$LIB_TMP/r1.txt"
	step "$IPXR" -n "$R" -b "$LIB_TMP/r1v6.txt"
	forward_runs 1 4
	ecmp_forward
	forward_runs 1 6
	step "$IPXR" -n "$R" route del default
	step "$IPXR" -n "$R" -6 route del default

	# 3 (its loads are those of the big tables of 1): the kernel alone, then both
	say "control plane: $ROUTES routes"
	timed "ip -b" ip -n "$R" -b "$LIB_TMP/rbig.txt"
	step ip -n "$R" route flush proto boot
	timed "ipxr -b" "$IPXR" -n "$R" -b "$LIB_TMP/rbig.txt"
	timed "ipxr -b IPv6" "$IPXR" -n "$R" -b "$LIB_TMP/rbig6.txt"
	memory
	# both tables stay loaded, as on a router with full tables of both families
	forward_runs "$ROUTES" 4
	forward_runs "$ROUTES6" 6
fi

if part nsperpkt; then
	nsperpkt 4 "$NSPP_ROUTES" hot
	nsperpkt 4 "$NSPP_ROUTES" cold
	nsperpkt 6 "$NSPP_ROUTES6" hot
	nsperpkt 6 "$NSPP_ROUTES6" cold
	ecmp_cost
	vlan_cost
	memlat_part
fi

# 4, last: it builds the topology again, with fresh maps
if part sync; then
	# shellcheck source=bench/sync.sh
	source "$BENCH_DIR/sync.sh"
	sync_part
fi

T_END=$(now)
# ---- results -----------------------------------------------------------------------------------

jq -s \
	--arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
	--arg kernel "$(uname -r)" \
	--arg cpu "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)" \
	--argjson ncpus "$(nproc)" \
	--arg commit "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)" \
	--arg dirty "$(git -C "$ROOT" status --porcelain -- bpf ipxr 2>/dev/null | head -c 1)" \
	--arg mode "$( ((QUICK)) && echo quick || echo full)" \
	--arg obj "${XDP_OBJ#"$ROOT"/}" --arg ipxr "${IPXR#"$ROOT"/}" \
	--arg ipxr_version "$("$IPXR" -V 2>&1 | head -n 1)" \
	--arg obj_sha "$(sha256sum "$XDP_OBJ" | cut -c1-16)" \
	--argjson routes "$ROUTES" --argjson routes6 "$ROUTES6" --argjson runs "$RUNS" \
	--argjson window "$WINDOW" --argjson loop_cpu "$LOOP_CPU" \
	--arg load "$(cut -d' ' -f1-3 /proc/loadavg)" \
	--argjson secs "$(jq -n "$T_END - $T_START")" \
	-f "$BENCH_DIR/results.jq" "$RAW" >"$LIB_TMP/latest.json" || die "assembling the results"
jq -r -f "$BENCH_DIR/markdown.jq" "$LIB_TMP/latest.json" >"$LIB_TMP/latest.md" ||
	die "writing the table"
cp "$LIB_TMP/latest.json" "$LIB_TMP/latest.md" "$OUT/"
keep_log
if command -v gnuplot >/dev/null; then
	"$BENCH_DIR/plot.sh" "$OUT/latest.json" "$OUT/nsperpkt.png" "$OUT/forward.png" \
		>>"$LOG" 2>&1 ||
		say "bench: the plot failed (see $OUT/latest.json)"
else
	say "bench: gnuplot is missing, no plot ('make bench' installs gnuplot-nox)"
fi
say ""
cat "$OUT/latest.md"
say ""
say "results: $OUT/latest.md, latest.json, forward.png, nsperpkt.png" \
	"($(printf '%.0f' "$(jq -n "$T_END - $T_START")") s)"
