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
#      bench/trafgen sends 64-byte UDP frames from src (BPF_PROG_TEST_RUN live frames), to 65,536
#      destinations spread over the route table, in 4M flows. The router forwards them by
#      (a) the kernel's own IP forwarding, (b) ipxr's XDP program on the ingress port, with the
#      IPv4 front table ipxr_dir24 as `ipxr -b` painted it, (b0) the same program with the front
#      table's state word cleared, so it asks the LPM trie alone (what the table buys, in the
#      same run), and (c) nothing: XDP_DROP on the ingress port, what this machine can take in
#      at all. Everything else stays the same: the kernel and ipxr hold the same routes
#      throughout, GRO is on at the ingress port (so it takes redirected frames with or without
#      a program), and the sink port runs a counting XDP_DROP program. The cases alternate, RUNS
#      times each, with 1 route and with ROUTES routes; we report the median packets/s of each.
#   2. Per-packet cost of the program (bench/nsperpkt, BPF_PROG_TEST_RUN with repeat) against
#      table size, IPv4 (the trie alone, then with the front table painted by ipxr/dir24.c) and
#      IPv6, forward and pass paths; plotted with gnuplot.
#   3. Control plane: ROUTES routes loaded with `ip -b` (the kernel alone), then, once those
#      are flushed, with `ipxr -b`, which writes the same routes to the kernel and compiles them
#      into the maps (same batch file), and the memory the maps and the kernel's FIB use.
#   4. BIRD and ipxr sync (bench/sync.sh): real BIRD 2 feeds SYNC_N4 IPv4 and SYNC_N6 IPv6
#      routes over eBGP into the router's kernel; how far behind the kernel the maps complete,
#      `ipxr sync`'s initial load (routes/s, peak RSS, CPU), CHURN_RATE changes/s of churn
#      (notification-to-trie latency, no drift), and forwarding with the mirrored table.
#
# CPU placement (2 CPUs): CPU 0 runs the traffic source, SCHED_FIFO so other work on the machine
# cannot make the source the limit; CPU 1 runs the router: the ingress veth's NAPI is threaded
# and its kthread pinned there, SCHED_FIFO, for every case. Whatever the router sends out
# is counted on its egress port (packets sent plus dropped by a full peer ring, which is where
# a saturated sink drops them); the sink's own NAPI thread gets what CPU time is left, as a
# second machine would not take any from the router.
#
# Usage: bench/bench.sh [--quick] [--out DIR] [--only forward|nsperpkt|sync]
# Writes DIR/latest.md, DIR/latest.json and DIR/nsperpkt.png (DIR: bench/results, or
# build/bench-quick with --quick). Needs root. Tears down what it made, even when interrupted.
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
	OUT=${OUT:-$ROOT/build/bench-quick}
else
	ROUTES=${ROUTES:-750000}
	RUNS=${RUNS:-3}
	WARMUP=${WARMUP:-1}
	WINDOW=${WINDOW:-3}
	NSPP_ROUTES=${NSPP_ROUTES:-1,1000,100000,750000,1000000}
	NSPP_ROUTES6=${NSPP_ROUTES6:-1,250000}
	NSPP_PASSES=${NSPP_PASSES:-4}
	OUT=${OUT:-$BENCH_DIR/results}
fi
SEED=${SEED:-1}
IPXR=${IPXR:-$ROOT/ipxr/ipxr}
XDP_OBJ=${XDP_OBJ:-$ROOT/bpf/xdp_router.o}
BIN=${BENCH_BIN:-$ROOT/build/bench}
NSPERPKT=${NSPERPKT:-$ROOT/bench/nsperpkt}
SRC_CPU=0
RTR_CPU=1
FIFO_SRC=10		# the source's priority; its meter thread runs at one more
FIFO_RTR=20		# the router's NAPI thread

# the source and the router must not share a CPU
if (($(nproc) < 2)); then
	echo "bench: needs 2 CPUs (the source on one, the router on the other)" >&2
	exit 1
fi
for f in "$IPXR" "$XDP_OBJ" "$NSPERPKT" "$BIN/trafgen" "$BIN/routegen" "$BIN/gen_kern.o" \
	"$BIN/sink_kern.o" "$BIN/maplat"; do
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
	# four gateways, all the sink's port: the routes spread over them as over BGP peers
	for g in 1 2 3 4; do
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

napi_pid()
{
	ps -eo pid=,comm= | awk -v d="napi/$1-" 'index($2, d) == 1 { print $1 }'
}

# place: the router's NAPI thread on its CPU at FIFO_RTR; the sink's, ordinary, off it
place()
{
	local p

	p=$(napi_pid "$DEV_I")
	[[ -n $p ]] || die "no NAPI thread for $DEV_I"
	step taskset -pc $RTR_CPU "$p"
	step chrt -f -p $FIFO_RTR "$p"
	RTR_PID=$p
	for p in $(napi_pid "$DEV_S"); do
		step taskset -pc $SRC_CPU "$p"
		step chrt -o -p 0 "$p"
	done
}

# forwarder CASE: what handles the frames arriving at the router's ingress port
forwarder()
{
	step ip -n "$R" link set dev "$DEV_I" xdpdrv off
	case $1 in
	kernel) ;;
	xdp | trie) step ip -n "$R" link set dev "$DEV_I" xdpdrv obj "$XDP_OBJ" sec xdp_router ;;
	drop) step ip -n "$R" link set dev "$DEV_I" xdpdrv obj "$BIN/sink_kern.o" sec xdp ;;
	esac
	place
}

# The program's own IPv4 "forward" counter: index IPXR_MAX_STATS * family slot + reason, where
# layout 2 has three family slots (96 entries) and layout 1 one.
fwd_counter()
{
	local stats=$LIB_BPFFS/tc/globals/ipxr_stats entries

	entries=$(bpftool -j map show pinned "$stats" | jq '.max_entries')
	if [[ $entries == 96 ]]; then
		echo "$stats:32"
	else
		echo "$stats:0"
	fi
}

# The front table's pair of words 0 and 1 (word 0: the state; VALID is bit 31, byte 3's 0x80),
# as bpftool's bytes "0x.. 0x.. ..."
front_bytes()
{
	bpftool -j map lookup pinned "$D24" key 0 0 0 0 | jq -r '.value | join(" ")'
}

# front_check ROUTES: whether `ipxr -b` left the front table painted and in step (state word
# VALID); sets FRONT_ON, records the state word
front_check()
{
	local b state

	FRONT_ON=0
	if [[ -e $D24 ]]; then
		b=$(front_bytes) || die "reading $D24"
		read -ra b <<<"$b"
		state=$(printf '0x%02x%02x%02x%02x' "${b[3]}" "${b[2]}" "${b[1]}" "${b[0]}")
		((state & 0x80000000)) && FRONT_ON=1
		say "  front table ipxr_dir24: state word $state:" \
			"$( ((FRONT_ON)) && echo "in step (painted by ipxr)" ||
				echo "NOT in step: (b) is the trie alone, no (b0) case")"
	else
		say "  no ipxr_dir24 pinned: (b) is the trie alone, no (b0) case"
	fi
	jq -nc --argjson r "$1" --arg s "${state:-}" --argjson p "$FRONT_ON" \
		'{bench: "front", routes: $r, state: (if $s == "" then null else $s end),
		  painted: ($p == 1)}' >>"$RAW"
}

# front_off / front_on: take the IPv4 pool out of ipxr_lpm's slot 0 (the program then asks the
# trie alone), pinned meanwhile so it lives on; put it back and drop that pin
front_off()
{
	local g=$LIB_BPFFS/tc/globals

	rm -f "$g/bench_lpm4_saved"
	step bpftool map pin id "$(bpftool -j map lookup pinned "$g/ipxr_lpm" key 0 0 0 0 |
		jq -r '.value | reverse | map(ltrimstr("0x")) | join("") | "0x" + .' |
		xargs printf '%d')" "$g/bench_lpm4_saved"
	step bpftool map delete pinned "$g/ipxr_lpm" key 0 0 0 0
}
front_on()
{
	local g=$LIB_BPFFS/tc/globals

	step bpftool map update pinned "$g/ipxr_lpm" key 0 0 0 0 value pinned "$g/bench_lpm4_saved"
	rm -f "$g/bench_lpm4_saved"
}

# measure CASE ROUTES RUN: one window; appends a JSON object to $RAW
measure()
{
	local case=$1 routes=$2 run=$3 out pps fast

	forwarder "$case"
	[[ $case == trie ]] && front_off
	# the second meter tells how much of (b) the program forwarded itself (not passed to the
	# kernel, which would forward it too and be counted on the egress port all the same)
	out=$(ip netns exec "$SRC" "$BIN/trafgen" --dev "$DEV_G" --dst-mac $MAC_I --src 10.0.1.1 \
		--dst-file "$LIB_TMP/dsts.txt" --cpu $SRC_CPU --rt $FIFO_SRC --batch 256 \
		--warmup "$WARMUP" \
		--time "$WINDOW" --count "$LIB_BPFFS/tc/globals/bench_sink_cnt" \
		--count "$FWD_COUNTER" --tx-count "$R:$DEV_O" --busy "$RTR_PID" 2>>"$LOG") ||
		die "trafgen failed ($case)"
	[[ $case == trie ]] && front_on
	# (a), (b), (b0): what left the egress port; (c): what the drop program counted at ingress
	if [[ $case == drop ]]; then
		pps=$(jq '.rx_pps[0]' <<<"$out")
	else
		pps=$(jq '.tx_pps' <<<"$out")
	fi
	# FWD_TABLE: where the routes came from, "bird" in part 4 (else ip -b and ipxr -b)
	jq -c --arg c "$case" --argjson r "$routes" --argjson n "$run" --argjson p "$pps" \
		--arg t "${FWD_TABLE:-batch}" \
		'{bench: "forward", case: $c, routes: $r, table: $t, run: $n, pps: $p,
		  offered_pps: .offered_pps, router_busy: .busy, seconds: .seconds,
		  fastpath_pps: (if $c == "xdp" or $c == "trie" then .rx_pps[1] else null end)}' \
		<<<"$out" >>"$RAW"
	fast=
	[[ $case == xdp || $case == trie ]] &&
		fast=$(jq -r '", fast path \(.rx_pps[1] / 1e3 | round / 1e3) Mpps"' <<<"$out")
	printf '  %-6s %8.3f Mpps  (source offered %.2f Mpps, router CPU busy %.0f%%%s)\n' "$case" \
		"$(jq -n "$pps / 1e6")" "$(jq '.offered_pps / 1e6' <<<"$out")" \
		"$(jq '.busy * 100' <<<"$out")" "$fast"
}

forward_runs()
{
	local routes=$1 run c cases=(kernel xdp drop)

	front_check "$routes"
	((FRONT_ON)) && cases=(kernel xdp trie drop)
	say "forwarding, $routes route(s): $RUNS run(s) of (a) kernel, (b) xdp," \
		"$( ((FRONT_ON)) && echo "(b0) trie (xdp, front table off), ")(c) drop"
	for ((run = 1; run <= RUNS; run++)); do
		for c in "${cases[@]}"; do
			measure "$c" "$routes" "$run"
		done
	done
	# leave (b)'s verdicts in the log: every frame should have been forwarded
	"$IPXR" -n "$R" -j stats show >>"$LOG" 2>&1
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
	local maps fib

	# several objects may be loaded on this machine: ours are the ones pinned in our bpffs
	maps=$(for m in "$LIB_BPFFS"/tc/globals/ipxr_*; do
		bpftool -j map show pinned "$m"
	done | jq -sc '[.[] | {name, bytes: .bytes_memlock}]')
	# shellcheck disable=SC2016 # awk program, not shell
	fib=$(ip netns exec "$R" awk '/^Main:/ { main = 1 } main && /^Total size:/ { print $3; exit }' \
		/proc/net/fib_triestat)
	jq -nc --argjson m "$maps" --argjson f "${fib:-null}" --argjson r "$ROUTES" \
		'{bench: "memory", routes: $r, maps: $m, kernel_fib_kb: $f}' >>"$RAW"
	say "  memory: ipxr_route4 $(jq '.[] | select(.name == "ipxr_route4") | .bytes' <<<"$maps") B," \
		"ipxr_dir24 $(jq '.[] | select(.name == "ipxr_dir24") | .bytes' <<<"$maps") B," \
		"all ipxr maps $(jq '[.[].bytes] | add' <<<"$maps") B, kernel FIB ${fib:-?} kB"
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

# ---- run ---------------------------------------------------------------------------------------

T_START=$(now)
say "ipxr bench ($( ((QUICK)) && echo quick || echo full)): routes $ROUTES, $RUNS run(s) of" \
	"${WINDOW} s, source on CPU $SRC_CPU, router on CPU $RTR_CPU; log in $KEEP_LOG"
step "$BIN/routegen" --routes 0 --dev "$DEV_O" --out "$LIB_TMP/r1.txt" --seed "$SEED" \
	--dsts "$LIB_TMP/dsts.txt" --dst-routes "$ROUTES"
step "$BIN/routegen" --routes "$ROUTES" --dev "$DEV_O" --out "$LIB_TMP/rbig.txt" --seed "$SEED"
topo
FWD_COUNTER=$(fwd_counter)
D24=$LIB_BPFFS/tc/globals/ipxr_dir24

if part forward; then
	# 1 route: the default route, in the kernel and in ipxr (ipxr writes the kernel's route,
	# and deletes it, too)
	step "$IPXR" -n "$R" -b "$LIB_TMP/r1.txt"
	forward_runs 1
	step "$IPXR" -n "$R" route del default

	# 3 (its loads are those of the big table of 1): the kernel alone, then both
	say "control plane: $ROUTES routes"
	timed "ip -b" ip -n "$R" -b "$LIB_TMP/rbig.txt"
	step ip -n "$R" route flush proto boot
	timed "ipxr -b" "$IPXR" -n "$R" -b "$LIB_TMP/rbig.txt"
	memory
	forward_runs "$ROUTES"
fi

if part nsperpkt; then
	nsperpkt 4 "$NSPP_ROUTES" hot
	nsperpkt 4 "$NSPP_ROUTES" cold
	nsperpkt 6 "$NSPP_ROUTES6" hot
	nsperpkt 6 "$NSPP_ROUTES6" cold
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
	--argjson routes "$ROUTES" --argjson runs "$RUNS" --argjson window "$WINDOW" \
	--argjson secs "$(jq -n "$T_END - $T_START")" \
	-f "$BENCH_DIR/results.jq" "$RAW" >"$LIB_TMP/latest.json" || die "assembling the results"
jq -r -f "$BENCH_DIR/markdown.jq" "$LIB_TMP/latest.json" >"$LIB_TMP/latest.md" ||
	die "writing the table"
cp "$LIB_TMP/latest.json" "$LIB_TMP/latest.md" "$OUT/"
keep_log
if command -v gnuplot >/dev/null; then
	"$BENCH_DIR/plot.sh" "$OUT/latest.json" "$OUT/nsperpkt.png" >>"$LOG" 2>&1 ||
		say "bench: the plot failed (see $OUT/latest.json)"
else
	say "bench: gnuplot is missing, no plot ('make bench' installs gnuplot-nox)"
fi
say ""
cat "$OUT/latest.md"
say ""
say "results: $OUT/latest.md, latest.json, nsperpkt.png" \
	"($(printf '%.0f' "$(jq -n "$T_END - $T_START")") s)"
