#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The longest CPU stall while "ipxr route flush all proto ipxr" deletes a full table (issue 11):
# N routes added by ipxr -b in a namespace of its own (one veth running the object, a private
# bpffs), then bench/stall's per-CPU probes run while the flush deletes them. Needs root, make
# and make bench/stall first. About 30 s for 1,000,000 routes here.
#
#	bench/flush-stall.sh [ N ]	(default 1,000,000)
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
N=${1:-1000000}
NS=ipxr-flushstall-$$
D=$(mktemp -d /tmp/ipxr-flushstall.XXXXXX) || exit 1
mkdir "$D/bpffs" && mount -t bpf bpf "$D/bpffs" || exit 1
export TC_BPF_MNT=$D/bpffs
cleanup() { ip netns del "$NS" 2>/dev/null; umount "$D/bpffs"; rm -rf "$D"; }
trap cleanup EXIT
# vb takes what the fast path would redirect into va (GRO on), so ipxr does not warn it drops
ip netns add "$NS" &&
	ip -n "$NS" link add va type veth peer name vb &&
	ip -n "$NS" addr add 10.0.2.254/24 dev va &&
	ip -n "$NS" link set va up && ip -n "$NS" link set vb up &&
	ip netns exec "$NS" ethtool -K vb gro on >/dev/null &&
	ip -n "$NS" link set dev va xdpdrv obj "$ROOT/bpf/xdp_router.o" sec xdp_router || exit 1
awk -v n="$N" 'BEGIN { for (i = 0; i < n; i++)
	printf "route add %d.%d.%d.0/24 via 10.0.2.2 dev va\n", 11 + int(i / 65536), int(i / 256) % 256, i % 256 }' \
	>"$D/batch"
t0=$(date +%s%N)
"$ROOT/ipxr/ipxr" -n "$NS" -b "$D/batch" 2>/dev/null || exit 1
echo "added $N routes in $((($(date +%s%N) - t0) / 1000000)) ms"
"$ROOT/bench/stall" probe 45 >"$D/probe" &
probe=$!
sleep 0.5
t0=$(date +%s%N)
"$ROOT/ipxr/ipxr" -n "$NS" route flush all proto ipxr || exit 1
echo "flushed them in $((($(date +%s%N) - t0) / 1000000)) ms"
wait "$probe"
tail -1 "$D/probe" | sed 's/^/while flushing: /'
