#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Load tests that stay in CI (issue 11), each bounded well under a minute:
#
#  1. a route changed 1,000 times under a paced flow through the router, without losing a
#     packet: replaced through the same next hop, through alternating next hops, a more
#     specific route added and removed inside it, a /24 added and removed inside a /16;
#  2. 4 writers and 2 readers for 20,000 operations: every read lists each route once and
#     every route present throughout, the final table is exactly what the operations imply;
#  3. a load that grows the IPv4 front structure's pool past 64 MiB (doubling while it grows)
#     leaves a pool that fits: repainted at the end when a third of it is unused.
#
#	tests/load.sh		(root; IPXR=path/to/ipxr, default build/asan/ipxr; V=1 verbose)
#
# The writers use the release build (FAST_IPXR, default ipxr/ipxr) for the rate; ipxr check
# (the sanitizers' build) verifies the result. Topology: tests/lib.sh's h1 - r - h2, plus h3 on
# r-eth2; h2 and h3 both answer for 198.51.100.1 (and 203.0.113.1), so either next hop
# delivers the flow. No packet leaves the namespaces.

# shellcheck source=tests/lib.sh
source "$(dirname "$0")/lib.sh"

need_e2e_tools
FAST_IPXR=${FAST_IPXR:-$ROOT/ipxr/ipxr}
[[ -x $FAST_IPXR ]] || FAST_IPXR=$IPXR
CHANGES=${CHANGES:-1000}
OPS=${OPS:-5000}	# per writer

lib_init ipxr-load
H3=ipxr-load-$$-h3
topo_build || bail "topology h1 - r - h2 built"
run netns_add "$H3" &&
	run ip link add r-eth2 netns "$R" type veth peer name h3-eth0 netns "$H3" &&
	run ip -n "$R" addr add 10.0.3.254/24 dev r-eth2 &&
	run ip -n "$H3" addr add 10.0.3.2/24 dev h3-eth0 &&
	run ip -n "$R" link set dev r-eth2 up && run ip -n "$H3" link set dev h3-eth0 up &&
	run ip -n "$H3" route add default via 10.0.3.254 &&
	run ip netns exec "$H3" ethtool -K h3-eth0 tx off && run host_rx "$H3" h3-eth0 ||
	bail "h3 on r-eth2"
for ns in "$H2" "$H3"; do
	run ip -n "$ns" addr add 198.51.100.1/32 dev lo &&
		run ip -n "$ns" addr add 203.0.113.1/32 dev lo || bail "the flow's destinations"
done
topo_attach || bail "xdp_router.o attached on the router's ports"
run ip -n "$R" link set dev r-eth2 xdpdrv obj "$XDP_OBJ" sec xdp_router || bail "r-eth2 attached"

px() { timeout --kill-after=2 60 "$FAST_IPXR" -n "$R" "$@"; }

# ---- 1. changes under a paced flow ----

check "198.51.100.0/24 via h2" ipxr route add 198.51.100.0/24 via 10.0.2.2 dev r-eth1
check "203.0.0.0/16 via h2" ipxr route add 203.0.0.0/16 via 10.0.2.2 dev r-eth1
# both gateways resolved before the flow: the fast path forwards from the first packet
nsrun "$H1" ping -c 1 -W 2 198.51.100.1 >/dev/null
check "h3 answers" nsrun "$H1" ping -c 1 -W 2 10.0.3.2

# change KIND I: the I-th change of a kind
change()
{
	case $1 in
	same) px route replace 198.51.100.0/24 via 10.0.2.2 dev r-eth1 ;;
	alternate)
		if (($2 % 2)); then
			px route replace 198.51.100.0/24 via 10.0.3.2 dev r-eth2
		else
			px route replace 198.51.100.0/24 via 10.0.2.2 dev r-eth1
		fi
		;;
	specific)
		if (($2 % 2)); then
			px route del 198.51.100.0/25
		else
			px route add 198.51.100.0/25 via 10.0.3.2 dev r-eth2
		fi
		;;
	inside)
		if (($2 % 2)); then
			px route del 203.0.113.0/24
		else
			px route add 203.0.113.0/24 via 10.0.3.2 dev r-eth2
		fi
		;;
	esac
}

for kind in same alternate specific inside; do
	dest=198.51.100.1
	[[ $kind == inside ]] && dest=203.0.113.1
	f0=$(ipxr_stat forward packets)
	# a packet every 2 ms for as long as the changes take, and a little more
	# (env: a background job starts with SIGINT ignored, and ping ends on SIGINT)
	nsrun_t 120 "$H1" env --default-signal=INT ping -q -i 0.002 -W 1 "$dest" \
		>"$LIB_TMP/ping.$kind" 2>&1 &
	ping_pid=$!
	sleep 0.2
	t0=$(date +%s%N)
	failed=0
	for ((i = 0; i < CHANGES; i++)); do
		change "$kind" "$i" >/dev/null 2>&1 || failed=$((failed + 1))
	done
	t1=$(date +%s%N)
	sleep 0.2
	# SIGINT: ping prints its summary; the last request had 200 ms to be answered
	# SIGINT to ping itself, timeout(1)'s child (ip netns exec and env exec it)
	kill -INT "$(pgrep -P "$ping_pid")" 2>/dev/null
	wait "$ping_pid" 2>/dev/null
	read -r sent got <<<"$(ping_stats "$(cat "$LIB_TMP/ping.$kind")")"
	diag "$kind: $CHANGES changes in $(((t1 - t0) / 1000000)) ms, $sent packets sent, $got answered"
	expect_eq "$kind: $CHANGES changes, none refused" "$failed" 0
	expect_ge "$kind: the flow ran throughout (packets sent)" "${sent:-0}" 100
	expect_eq "$kind: zero loss while the route changed $CHANGES times" "${got:-x}" "${sent:-y}"
	# the requests; the answers go back by a route of the kernel only
	expect_ge "$kind: the fast path forwarded the flow" \
		"$(delta "$f0" "$(ipxr_stat forward packets)")" "$((${sent:-1} * 9 / 10))"
done
check "ipxr check after the changes" ipxr check

# ---- 2. four writers, two readers ----

# The stable routes, present throughout: every read must list all of them.
awk 'BEGIN { for (i = 0; i < 256; i++) printf "route add 10.99.%d.0/24 via 10.0.2.2 dev r-eth1\n", i }' \
	>"$LIB_TMP/stable"
check "256 stable routes" px -b "$LIB_TMP/stable"

# writer W's operations, in batches of 250 lines, and the table they leave (10.10W.0.0/16):
# add when absent; replace (through either gateway) or delete when present
awk -v ops="$OPS" -v dir="$LIB_TMP" 'BEGIN {
	gw[0] = "via 10.0.2.2 dev r-eth1"; gw[1] = "via 10.0.3.2 dev r-eth2"
	for (w = 0; w < 4; w++) {
		srand(1000 + w)
		delete have
		for (i = 0; i < ops; i++) {
			# /16, /20, /24 and /28 prefixes, nested: the walks meet deleted keys at every level
			r = int(rand() * 4); x = int(rand() * 16); y = int(rand() * 16)
			if (r == 0) p = sprintf("10.%d.0.0/16", 100 + w)
			else if (r == 1) p = sprintf("10.%d.%d.0/20", 100 + w, x * 16)
			else if (r == 2) p = sprintf("10.%d.%d.0/24", 100 + w, x * 16 + y)
			else p = sprintf("10.%d.%d.%d/28", 100 + w, x * 16 + y, int(rand() * 16) * 16)
			g = int(rand() * 2)
			f = sprintf("%s/w%d.%d", dir, w, int(i / 250))
			if (!(p in have)) {
				print "route add " p " " gw[g] > f; have[p] = g
			} else if (rand() < 0.5) {
				print "route replace " p " " gw[g] > f; have[p] = g
			} else {
				print "route del " p > f; delete have[p]
			}
		}
		for (p in have)
			print p, (have[p] ? "10.0.3.2" : "10.0.2.2") > (dir "/expect")
	}
}'
sort -o "$LIB_TMP/expect" "$LIB_TMP/expect"

# reader R: full -j route show and nexthop show until the writers are done
reader()
{
	local out n=0 bad=0

	while [[ ! -e $LIB_TMP/writers.done ]]; do
		out=$("$FAST_IPXR" -n "$R" -j route show 2>/dev/null) || { bad=$((bad + 1)); continue; }
		jq -e 'length == (map(.dst) | unique | length) and
		       ([.[] | select(.dst | startswith("10.99."))] | length) == 256' \
			<<<"$out" >/dev/null || bad=$((bad + 1))
		out=$("$FAST_IPXR" -n "$R" -j nexthop show 2>/dev/null) || { bad=$((bad + 1)); continue; }
		jq -e 'length == (map(.id) | unique | length)' <<<"$out" >/dev/null ||
			bad=$((bad + 1))
		n=$((n + 1))
	done
	echo "$n $bad" >"$LIB_TMP/reader.$1"
}

writer()
{
	local b rc=0

	for ((b = 0; b < OPS / 250; b++)); do
		"$FAST_IPXR" -n "$R" -b "$LIB_TMP/w$1.$b" 2>>"$LIB_TMP/werr.$1" || rc=1
	done
	echo "$rc" >"$LIB_TMP/writer.$1"
}

t0=$(date +%s%N)
reader 0 &
r0=$!
reader 1 &
r1=$!
for w in 0 1 2 3; do
	writer "$w" &
	wpid[w]=$!
done
for w in 0 1 2 3; do
	wait "${wpid[w]}"
done
: >"$LIB_TMP/writers.done"
wait "$r0" "$r1"
t1=$(date +%s%N)
diag "4 writers x $OPS operations in $(((t1 - t0) / 1000000)) ms"
for w in 0 1 2 3; do
	expect_eq "writer $w: every operation succeeded" "$(cat "$LIB_TMP/writer.$w")" 0
	[[ -s $LIB_TMP/werr.$w ]] && diag_output "$(head -3 "$LIB_TMP/werr.$w")"
done
for r in 0 1; do
	read -r n bad <"$LIB_TMP/reader.$r"
	diag "reader $r: $n reads of route show and nexthop show"
	expect_ge "reader $r read while the writers wrote" "$n" 5
	expect_eq "reader $r: no route twice, none of the stable ones missing" "$bad" 0
done
px -j route show root 10.100.0.0/14 | jq -r '.[] | "\(.dst) \(.gateway)"' | sort >"$LIB_TMP/got"
expect_eq "the final table is what the operations imply ($(wc -l <"$LIB_TMP/expect") routes)" \
	"$(diff "$LIB_TMP/expect" "$LIB_TMP/got" | head -5)" ""
ip -n "$R" route show root 10.100.0.0/14 proto 105 |
	awk '{ print $1, $3 }' | sort >"$LIB_TMP/kernel"
expect_eq "the kernel's table too" "$(diff "$LIB_TMP/expect" "$LIB_TMP/kernel" | head -5)" ""
check "ipxr check after the writers" ipxr check

# --- 3. a pool grown by a load is given back ---
# /32s in 40,000 /16s of their own: two groups each, 80,000 groups, past the 65,536 (64 MiB)
# up to which pools double
lpm_groups4() {	# the IPv4 pool's groups (max_entries of the map in slot 0 of ipxr_lpm)
	local id
	id=$(bpftool -j map lookup pinned "$(pinned ipxr_lpm)" key 0 0 0 0 |
	     jq -r '.value | reverse | map(ltrimstr("0x")) | join("")')
	bpftool -j map show id $((16#$id)) | jq -r .max_entries	# little-endian bytes
}
awk 'BEGIN { n = 0; for (a = 11; a < 200 && n < 40000; a++) for (b = 0; b < 256 && n < 40000;
     b++) { if (a == 127 || a == 169) continue; printf "route add %d.%d.7.7/32 via 10.0.2.2 dev r-eth1\n", a, b; n++ } }' \
	>"$LIB_TMP/spread"
check "40,000 /32s in /16s of their own in one batch" px -b "$LIB_TMP/spread"
groups=$(lpm_groups4)
diag "IPv4 pool after the load: $groups groups"
expect_ge "the pool holds the load's 80,000 groups" "$groups" 80000
expect_eq "and fits it: under 100,000 groups, not the 131,072 of its last doubling" \
	"$((groups < 100000))" 1
check "ipxr check after the load" ipxr check
sed 's/^route add/route del/' "$LIB_TMP/spread" >"$LIB_TMP/unspread"
check "the 40,000 /32s deleted" px -b "$LIB_TMP/unspread"

lib_finish
