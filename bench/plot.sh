#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# plot.sh LATEST.JSON OUT.PNG: ns/packet of the program's forward path against route table size
# (log scale), one line per family, lookup (IPv4: trie alone or front table) and caches, from the
# per-packet benchmark in LATEST.JSON.
set -eu
json=$1 png=$2
data=$(mktemp)
trap 'rm -f "$data"' EXIT

# one gnuplot data block per series, separated by two blank lines: the forward path, hot caches
# then cold, the front table before the trie alone
series='.nsperpkt | map(select(.case == "forward"))
	| map(. + {mode: (if .repeat == 1 then "cold" else "hot" end),
		   via: (if .lookup == "dir24" then "front table" else "trie alone" end)})
	| group_by([.mode != "hot", .family, .via != "front table"])[]'
jq -r "$series"' | "# IPv\(.[0].family) \(.[0].via) \(.[0].mode)",
	(sort_by(.routes)[] | "\(.routes) \(.ns_per_pkt)"), "", ""' "$json" >"$data"
titles=$(jq -r "$series"' | "IPv\(.[0].family) forward, \(.[0].via), \(.[0].mode) caches"' "$json")
[[ -n $titles ]] || { echo "plot.sh: no per-packet results in $json" >&2; exit 1; }
sub=$(jq -r '"\(.mode) run \(.date), commit \(.commit), kernel \(.kernel)"' "$json")

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
