#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# plot.sh LATEST.JSON OUT.PNG [FORWARD.PNG]: from a benchmark's LATEST.JSON,
#  - OUT.PNG: ns/packet of the program's forward path against route table size (log scale), one
#    line per family, lookup (IPv4: trie alone or front table) and caches (per-packet part);
#  - FORWARD.PNG: the single-core forwarding rates (Mpps per core), one group of bars per
#    family and table, one bar per forwarder, the range over the runs as error bars.
set -eu
json=$1 png=$2 fwd=${3:-}
data=$(mktemp)
trap 'rm -f "$data"' EXIT
sub=$(jq -r '"\(.mode) run \(.date), commit \(.commit), kernel \(.kernel)"' "$json")

if [[ -n $fwd ]]; then
	# one row per table: its label, then median min max of each forwarder ("-": not run)
	cases=(kernel peer xdp trie floor drop)
	ftitles=("(a) kernel" "(d) peer: bpf_fib_lookup" "(b) ipxr" "(b0) ipxr, trie alone"
		"(e) floor: MACs + redirect" "(c) XDP_DROP")
	jq -r '.forwarding.loop[] | select(.table == "batch")
		| [("IPv\(.family), \(.routes) route" + (if .routes == 1 then "" else "s" end)),
		   (.cases as $c | ("kernel", "peer", "xdp", "trie", "floor", "drop")
		    | $c[.].mpps_per_core // null
		    | if . == null then "-", "-", "-" else .median, .min, .max end)]
		| map(tostring) | join("\t")' "$json" >"$data"
	if [[ -s $data ]]; then
		plots=
		for i in "${!cases[@]}"; do
			c=$((2 + 3 * i))
			plots+="${plots:+, }'$data' using $c:$((c + 1)):$((c + 2))"
			((i == 0)) && plots+=":xtic(1)"
			plots+=" title '${ftitles[$i]}' noenhanced"
		done
		gnuplot <<GP
set terminal pngcairo size 1100,520 enhanced font 'sans,10'
set output '$fwd'
set title "Forwarding on one CPU: source, router and sink in a closed loop (veth, UDP)\\n{/*0.8 $sub}"
set datafile missing '-'
set datafile separator "\t"
set style data histogram
set style histogram errorbars gap 2 lw 1
set style fill solid 0.7 border -1
set boxwidth 0.9
set ylabel 'Mpps per core (median; bars: min-max over the runs)'
set yrange [0:*]
set grid ytics
set key outside right top
plot $plots
GP
	else
		echo "plot.sh: no single-core forwarding results in $json" >&2
	fi
fi

# one gnuplot data block per series, separated by two blank lines: the forward path, hot caches
# then cold, the front table before the trie alone
series='.nsperpkt | map(select(.case == "forward"))
	| map(. + {mode: (if .repeat == 1 then "cold" else "hot" end),
		   via: (if .lookup == "lpm" then "front structure" else "trie alone" end)})
	| group_by([.mode != "hot", .family, .via != "front table"])[]'
jq -r "$series"' | "# IPv\(.[0].family) \(.[0].via) \(.[0].mode)",
	(sort_by(.routes)[] | "\(.routes) \(.ns_per_pkt)"), "", ""' "$json" >"$data"
titles=$(jq -r "$series"' | "IPv\(.[0].family) forward, \(.[0].via), \(.[0].mode) caches"' "$json")
[[ -n $titles ]] || { echo "plot.sh: no per-packet results in $json" >&2; exit 1; }

plots=
i=0
while IFS= read -r t; do
	dash=1 lw=2
	[[ $t == *"trie alone"* ]] && dash=2
	[[ $t == *cold* ]] && lw=1
	plots+="${plots:+, }'$data' index $i using 1:2 with linespoints dt $dash lw $lw"
	plots+=" title '$t' noenhanced"
	i=$((i + 1))
done <<<"$titles"

gnuplot <<GP
set terminal pngcairo size 1100,560 enhanced font 'sans,10'
set output '$png'
set title "ipxr XDP program, forward path: ns/packet against route table size" . \
	" (BPF\\\\_PROG\\\\_TEST\\\\_RUN)\\n{/*0.8 $sub}"
set logscale x 10
set xrange [0.7:2000000]
set format x "10^{%L}"
set xlabel 'routes in the table'
set ylabel 'ns/packet (mean, log scale)'
set logscale y 10
set grid
set key outside right top
plot $plots
GP
