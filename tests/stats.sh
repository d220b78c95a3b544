#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The counters as an operator reads them: per port (ipxr_port_stats) against the pings sent,
# ipxr stats reset, the rates of "stats show interval N count N", the Prometheus format, the
# counted routes (route add ... counter, route change PREFIX counter), and ipxr monitor pass
# (the sampled frames the fast path handed to the kernel, -w pcap).
#
# Every neighbour is permanent and IPv6 is off in the namespaces, so no ARP, ND or MLD frame
# crosses the ports while a count is taken: each port counts the test's pings and nothing else.
#
#	tests/stats.sh		(root; IPXR=path/to/ipxr, default build/asan/ipxr; V=1 verbose)

# shellcheck source=tests/lib.sh
source "$(dirname "$0")/lib.sh"

N=20			# pings of each exact count
FRAME=98		# bytes of an ICMP echo frame with ping's 56 bytes of data

need_e2e_tools

# promtool_get: the path of a promtool. Debian ships it in prometheus (96 MB installed, and a
# service enabled on install), so unless one is installed only the binary is taken from the
# package, fetched once into IPXR_PROMTOOL_CACHE (default /var/cache/ipxr-promtool); on failure
# what went wrong, on stdout.
promtool_get()
{
	local cache=${IPXR_PROMTOOL_CACHE:-/var/cache/ipxr-promtool} dl out lock

	if command -v promtool; then
		return 0
	fi
	if [[ -x $cache/promtool ]]; then
		echo "$cache/promtool"
		return 0
	fi
	mkdir -p "$cache" && exec {lock}>"$cache/.lock" && flock -w 120 "$lock" ||
		{ echo "cannot lock $cache"; return 1; }
	if [[ ! -x $cache/promtool ]]; then
		dl=$(mktemp -d "$cache/.fetch.XXXXXX") || return 1
		# apt drops to the _apt user to download; let it write there
		chown _apt "$dl" 2>/dev/null
		if ! out=$(cd "$dl" && apt-get download prometheus 2>&1 &&
			   dpkg-deb -x "$dl"/prometheus_*.deb "$dl/x" 2>&1 &&
			   mv "$dl/x/usr/bin/promtool" "$cache/promtool"); then
			rm -rf "$dl"
			echo "apt-get download prometheus, for its promtool: $out"
			return 1
		fi
		rm -rf "$dl"
	fi
	exec {lock}>&-
	echo "$cache/promtool"
}

lib_init ipxr-stats
topo_build || bail "topology h1 - r - h2 built"
topo_attach || bail "xdp_router.o attached on the router's ports"

check "ipxr route add $NET1 dev r-eth0" ipxr route add "$NET1" dev r-eth0
check "ipxr route add $NET2 dev r-eth1" ipxr route add "$NET2" dev r-eth1

# no ARP during the counts: every neighbour is known for good
mac() { ip -n "$1" -j link show dev "$2" | jq -r '.[0].address'; }
run ip -n "$H1" neigh replace "$R_IP0" lladdr "$(mac "$R" r-eth0)" dev h1-eth0 nud permanent &&
run ip -n "$R" neigh replace "$H1_IP" lladdr "$(mac "$H1" h1-eth0)" dev r-eth0 nud permanent &&
run ip -n "$R" neigh replace "$H2_IP" lladdr "$(mac "$H2" h2-eth0)" dev r-eth1 nud permanent &&
run ip -n "$H2" neigh replace "$R_IP1" lladdr "$(mac "$R" r-eth1)" dev h2-eth0 nud permanent ||
	bail "permanent neighbour entries"
# the fast path learns the neighbours: the first frames may go to the kernel (no_neigh)
out=$(nsrun "$H1" ping -c 3 -i 0.1 -W 2 "$H2_IP" 2>&1)
expect_eq "ping h1 -> h2 through the router" "$(ping_stats "$out")" "3 3"

# port DEV DIR FIELD: a per-port counter from `ipxr -j stats show dev DEV`
port()
{
	local out

	out=$(ipxr -j stats show dev "$1" 2>/dev/null) || { echo "ERR"; return 1; }
	jq -r --arg d "$2" --arg f "$3" '.ports[0][$d][$f] // "ERR"' <<<"$out" 2>/dev/null ||
		echo "ERR"
}

# ports_line: every per-port counter of both ports, for "nothing moved" checks
ports_line()
{
	ipxr -j stats show | jq -c '[.ports[] | select(.ifname == "r-eth0" or .ifname == "r-eth1")]'
}

# ---- reset ---------------------------------------------------------------------------------------

check "ipxr stats reset" ipxr stats reset
out=$(ipxr -j stats show)
expect_eq "after reset: every reason counter is 0" \
	"$(jq '[.reasons[] | .packets + .bytes] | add' <<<"$out")" 0
expect_eq "after reset: every port counter is 0" \
	"$(jq '[.ports[] | (.rx, .tx, .pass, .drop) | .packets + .bytes] | add // 0' <<<"$out")" 0
expect_eq "after reset: both ports are listed, at 0" \
	"$(jq -c '[.ports[].ifname] | sort' <<<"$out")" '["r-eth0","r-eth1"]'
expect_eq "after reset: every next hop's counter is 0" \
	"$(ipxr -j -s nexthop show | jq '[.[] | .stats.packets + .stats.bytes] | add')" 0

# ---- per port: forwarded pings -------------------------------------------------------------------

out=$(nsrun "$H1" ping -c "$N" -i 0.02 -W 2 "$H2_IP" 2>&1)
expect_eq "$N pings h1 -> h2, all answered" "$(ping_stats "$out")" "$N $N"
expect_eq "r-eth0 rx: the $N echo requests" "$(port r-eth0 rx packets)" "$N"
expect_eq "r-eth0 rx bytes: $N x $FRAME" "$(port r-eth0 rx bytes)" "$((N * FRAME))"
expect_eq "r-eth1 tx: the $N requests redirected out of it" "$(port r-eth1 tx packets)" "$N"
expect_eq "r-eth1 rx: the $N echo replies" "$(port r-eth1 rx packets)" "$N"
expect_eq "r-eth0 tx: the $N replies, $((N * FRAME)) bytes" \
	"$(port r-eth0 tx packets) $(port r-eth0 tx bytes)" "$N $((N * FRAME))"
expect_eq "nothing passed or dropped on either port" \
	"$(port r-eth0 pass packets) $(port r-eth0 drop packets) $(port r-eth1 pass packets) $(port r-eth1 drop packets)" \
	"0 0 0 0"
out=$(ipxr stats show dev r-eth0)
expect_match "text: one line for the port, rx tx pass drop" \
	"^port r-eth0 rx packets $N bytes $((N * FRAME)) tx packets $N bytes $((N * FRAME)) pass packets 0 bytes 0 drop packets 0 bytes 0\$" \
	"$out"
expect_eq "dev r-eth0 shows that port alone" "$(grep -c '^port ' <<<"$out")" 1

# ---- per port: passed (TTL 1) and dropped (blackhole) --------------------------------------------

check "ipxr stats reset" ipxr stats reset
out=$(nsrun "$H1" ping -c 5 -i 0.02 -t 1 -W 1 "$H2_IP" 2>&1)
expect_match "h1's TTL-1 pings are answered by the router: time exceeded" "Time to live exceeded" \
	"$out"
expect_eq "r-eth0: the 5 TTL-1 frames received and passed" \
	"$(port r-eth0 rx packets) $(port r-eth0 pass packets)" "5 5"
expect_eq "and counted under ttl_exceeded" "$(ipxr_stat ttl_exceeded packets)" 5
expect_eq "r-eth1 saw none of them" "$(port r-eth1 tx packets) $(port r-eth1 rx packets)" "0 0"

check "ipxr route add blackhole 198.51.100.0/24" ipxr route add blackhole 198.51.100.0/24
out=$(nsrun "$H1" ping -c 4 -i 0.02 -W 1 198.51.100.1 2>&1)
expect_eq "r-eth0: 4 blackholed frames counted as drop" "$(port r-eth0 drop packets)" 4
expect_eq "r-eth0 rx: all 9 frames" "$(port r-eth0 rx packets)" 9

# ---- rates ---------------------------------------------------------------------------------------

check "ipxr stats reset" ipxr stats reset
bg "$H1" ping -q -c 60 -i 0.05 -W 1 "$H2_IP" >/dev/null
ping_pid=$BG_PID
out=$(ipxr -j stats show dev r-eth0 interval 1 count 2)
wait "$ping_pid"
expect_eq "interval 1 count 2: two reports, one JSON object each" "$(jq -s length <<<"$out")" 2
rate=$(jq -s '.[1].ports[0].rx.packets_per_sec' <<<"$out")
if [[ $rate =~ ^[0-9]+$ ]] && ((rate >= 8 && rate <= 30)); then
	ok "rx rate of pings every 50 ms: $rate packets/s (8-30)"
else
	not_ok "rx rate of pings every 50 ms: $rate packets/s (8-30)"
	diag_output "$out"
fi
expect_eq "the reports carry their interval" "$(jq -s -c '[.[].interval]' <<<"$out")" "[1,1]"
out=$(ipxr stats show interval 1 count 1)
expect_match "text: the report starts with its interval" "^interval 1\$" "$out"
expect_match "text: rates per second" "^action redirect packets/s [0-9][0-9]* bytes/s [0-9][0-9]*\$" "$out"
check_fail "count without interval is refused" ipxr stats show count 2
check_fail "interval 0 is refused" ipxr stats show interval 0

# ---- Prometheus ----------------------------------------------------------------------------------

prom=$LIB_TMP/ipxr.prom
ipxr stats show prometheus >"$prom"
# The text exposition format, strictly: HELP then TYPE counter before each family's samples, one
# family's samples together, names and labels as the format allows, integer values, no series
# twice.
prom_check()
{
	# shellcheck disable=SC2016 # awk program, not shell
	awk '
	function fail(m) { print "line " NR ": " m ": " $0; bad = 1 }
	/^# HELP / { help[$3] = NR; next }
	/^# TYPE / {
		if (help[$3] != NR - 1) fail("TYPE without HELP just before")
		if ($4 != "counter") fail("not a counter")
		if ($3 in done) fail("family printed twice")
		typed[$3] = 1; cur = $3; done[$3] = 1; next
	}
	/^#/ { fail("comment"); next }
	{
		name = $1; sub(/\{.*/, "", name)
		if (name !~ /^[a-zA-Z_:][a-zA-Z0-9_:]*$/) fail("bad name")
		if (!(name in typed) || name != cur) fail("sample outside its family")
		if (name !~ /_total$/) fail("counter without _total")
		if ($0 !~ /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*"(,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*")*\})? [0-9]+$/)
			fail("bad sample")
		series = $0; sub(/ [0-9]+$/, "", series)
		if (series in seen) fail("series twice")
		seen[series] = 1; n++
	}
	END { if (!n) { print "no samples"; bad = 1 }; exit bad }' "$1"
}
out=$(prom_check "$prom" 2>&1)
expect_eq "prometheus: the text format, strictly" "$out" ""
if promtool=$(promtool_get); then
	check "promtool check metrics accepts it" sh -c "'$promtool' check metrics <'$prom'"
else
	not_ok "promtool, for the check of the Prometheus format"
	diag_output "$promtool"
fi
for m in ipxr_forward_packets_total ipxr_pass_packets_total ipxr_drop_bytes_total \
	ipxr_port_rx_packets_total ipxr_port_tx_bytes_total ipxr_port_pass_packets_total \
	ipxr_port_drop_packets_total ipxr_nexthop_packets_total ipxr_nexthop_bytes_total; do
	expect_eq "prometheus: $m is there" "$(grep -c "^# TYPE $m counter\$" "$prom")" 1
done
out=$(ipxr -j stats show dev r-eth0)
want=$(jq '.ports[0].rx.packets' <<<"$out")
got=$(sed -n 's/^ipxr_port_rx_packets_total{port="r-eth0"} \([0-9]*\)$/\1/p' "$prom")
if [[ $got =~ ^[0-9]+$ && $want =~ ^[0-9]+$ ]] && ((got <= want && got >= want - 2)); then
	ok "prometheus: r-eth0's rx packets as -j shows them ($got, $want)"
else
	not_ok "prometheus: r-eth0's rx packets as -j shows them ($got, $want)"
fi
expect_match "prometheus: pass samples by family and reason" \
	'^ipxr_pass_packets_total{family="inet",reason="ttl_exceeded"} [0-9][0-9]*$' "$(cat "$prom")"
expect_match "prometheus: next hops by id and dev (and via for a gateway)" \
	'^ipxr_nexthop_packets_total{id="[0-9][0-9]*",dev="r-eth1"} [0-9][0-9]*$' "$(cat "$prom")"
check_fail "prometheus with -j is refused" ipxr -j stats show prometheus

# ---- ipxr -s route show: the next hop's counters, labelled so -------------------------------------

out=$(ipxr -s route show "$NET2")
expect_match "-s route show: the counters are the next hop's, labelled with its id" \
	'^    nexthop id [0-9][0-9]* (1 route): packets [0-9][0-9]* bytes [0-9][0-9]*$' "$out"
out=$(ipxr -j -s route show "$NET2")
expect_eq "-j -s route show: under nexthop_stats, with the route's nexthop id" \
	"$(jq -c '.[0] | [has("nexthop_stats"), has("stats"), (.nexthop_stats.packets >= 0)]' <<<"$out")" \
	'[true,false,true]'

# ---- route counters: only the prefixes asked for -------------------------------------------------

HOST2=$H2_IP/32
SHOWN2=$H2_IP		# a /32 as ip and ipxr print it
# rc PREFIX FIELD: a counted prefix's counter from `ipxr -j stats show`, "NONE" if not listed
rc()
{
	ipxr -j stats show | jq -r --arg d "${1%/32}" --arg f "$2" \
		'[.routes[] | select(.dst == $d)][0][$f] // "NONE"' 2>/dev/null || echo "ERR"
}
counted_line() { ipxr route show "$1" | grep -q ' counter$'; }

expect_eq "no prefix is counted by default" "$(ipxr -j stats show | jq -c .routes)" "[]"
check "ipxr route add $HOST2 dev r-eth1 counter" ipxr route add "$HOST2" dev r-eth1 counter
expect_match "the kernel has the route, without any word of ipxr's counter" \
	"^$SHOWN2 dev r-eth1 proto [a-z0-9]* scope link \$" "$(ip -n "$R" route show "$HOST2")"
expect_match "route show: the route says counter (valid input for route add)" \
	"^$SHOWN2 dev r-eth1 proto [a-z0-9]* scope link counter\$" "$(ipxr route show "$HOST2")"
check "ipxr stats reset" ipxr stats reset
out=$(nsrun "$H1" ping -c "$N" -i 0.02 -W 2 "$H2_IP" 2>&1)
expect_eq "$N pings h1 -> h2 through the counted route, all answered" "$(ping_stats "$out")" \
	"$N $N"
expect_eq "stats show -j: $HOST2 forwarded the $N requests, $((N * FRAME)) bytes" \
	"$(rc "$HOST2" packets) $(rc "$HOST2" bytes)" "$N $((N * FRAME))"
expect_eq "the replies went by $NET1, which is not counted: one route listed" \
	"$(ipxr -j stats show | jq '.routes | length')" 1
expect_match "stats show text: one line per counted route" \
	"^route $SHOWN2 packets $N bytes $((N * FRAME))\$" "$(ipxr stats show)"
expect_match "-s route show: the route's own counter, labelled route" \
	"^    route: packets $N bytes $((N * FRAME))\$" "$(ipxr -s route show "$HOST2")"
expect_eq "-j -s route show: counter true, route_stats" \
	"$(ipxr -j -s route show "$HOST2" | jq -c '.[0] | [.counter, .route_stats.packets]')" \
	"[true,$N]"
expect_eq "-j route show of an uncounted route: no counter key" \
	"$(ipxr -j -s route show "$NET1" | jq -c '.[0] | [has("counter"), has("route_stats")]')" \
	"[false,false]"
ipxr stats show prometheus >"$LIB_TMP/rc.prom"
expect_match "prometheus: ipxr_route_packets_total by prefix" \
	"^ipxr_route_packets_total{prefix=\"$SHOWN2\"} $N\$" "$(cat "$LIB_TMP/rc.prom")"
expect_match "prometheus: ipxr_route_bytes_total by prefix" \
	"^ipxr_route_bytes_total{prefix=\"$SHOWN2\"} $((N * FRAME))\$" "$(cat "$LIB_TMP/rc.prom")"
expect_eq "prometheus with a counted route: the text format, strictly" \
	"$(prom_check "$LIB_TMP/rc.prom" 2>&1)" ""
expect_eq "-6 stats show lists no IPv4 route counter" \
	"$(ipxr -6 -j stats show | jq -c .routes)" "[]"
check "ipxr stats reset" ipxr stats reset
expect_eq "stats reset zeroes the route counters" "$(rc "$HOST2" packets) $(rc "$HOST2" bytes)" \
	"0 0"

# count a route that exists: the kernel's route is not touched
kbefore=$(ip -n "$R" route show "$NET1")
check "ipxr route change $NET1 counter" ipxr route change "$NET1" counter
expect_eq "route change PREFIX counter: the kernel's route is unchanged" \
	"$(ip -n "$R" route show "$NET1")" "$kbefore"
check "route show $NET1 says counter" counted_line "$NET1"
out=$(nsrun "$H1" ping -c 5 -i 0.02 -W 2 "$H2_IP" 2>&1)
expect_eq "$NET1 counts the 5 replies, $HOST2 the 5 requests" \
	"$(rc "$NET1" packets) $(rc "$HOST2" packets)" "5 5"
check "ipxr route change $NET1 counter again: nothing to do" ipxr route change "$NET1" counter
expect_eq "... and the counts are kept" "$(rc "$NET1" packets)" 5
check "ipxr route change $NET1 nocounter" ipxr route change "$NET1" nocounter
expect_eq "nocounter: the prefix is no longer listed" "$(rc "$NET1" packets)" NONE
check_fail "route show $NET1: no counter word any more" counted_line "$NET1"
check_fail "counter twice is refused" ipxr route change "$NET1" counter nocounter
check_fail "counter is not a selector" ipxr route show counter

# ipxr's own state: the kernel route deleted and added back by another program keeps it
SYNC_LOG=$LIB_TMP/rc-sync.log
if sync_start; then
	ok "ipxr sync started"
else
	not_ok "ipxr sync started"
	diag_output "$(cat "$SYNC_LOG")"
fi
run ip -n "$R" route del "$HOST2"
wait_for 5 sh -c "! '$IPXR' -n '$R' route show '$HOST2' | grep -q ." ||
	diag "ipxr sync did not remove $HOST2"
expect_eq "ip route del: the route leaves the maps" "$(ipxr route show "$HOST2")" ""
expect_eq "... its prefix stays counted, with its counts" "$(rc "$HOST2" packets)" 5
run ip -n "$R" route add "$HOST2" dev r-eth1
if wait_for 5 counted_line "$HOST2"; then
	ok "ip route add (not ipxr): ipxr sync compiles it counted again"
else
	not_ok "ip route add (not ipxr): ipxr sync compiles it counted again"
	diag_output "$(ipxr route show "$HOST2")"
fi
out=$(nsrun "$H1" ping -c 3 -i 0.02 -W 2 "$H2_IP" 2>&1)
expect_eq "3 more pings: counted under $HOST2 (5 + 3)" "$(rc "$HOST2" packets)" 8
sync_stop
expect_eq "ipxr sync exits 0 on SIGTERM" "$?" 0

# A counter switched off by a command killed between its two writes (ipxr_counted first, then
# the route): the prefix is no longer counted but its route still counts into the slot, which
# another prefix may take. ipxr check names it, repair compiles the route again.
# shellcheck disable=SC2046 # one argument per byte
run bpftool map delete pinned "$LIB_BPFFS/tc/globals/ipxr_counted" key 2 32 0 0 \
	$(tr . ' ' <<<"$H2_IP") 0 0 0 0 0 0 0 0 0 0 0 0
out=$(ipxr check 2>&1)
expect_eq "counter half switched off: ipxr check exits 5" "$?" 5
expect_match "... naming the route and its stale counter" \
	"route: the maps hold $SHOWN2 .* with route counter [1-9][0-9]*, map ipxr_counted gives the prefix 0" \
	"$out"
check "ipxr check repair" ipxr check repair
check_fail "the route no longer says counter" counted_line "$HOST2"
out=$(ipxr check 2>&1)
expect_eq "ipxr check passes after the repair" "$?" 0 || diag_output "$out"
check "ipxr route change $HOST2 counter: counted again" ipxr route change "$HOST2" counter

# bounded: 4,095 prefixes, the next is refused with the limit
{
	for ((i = 0; i < 4094; i++)); do
		echo "route change 10.200.$((i / 256)).$((i % 256))/32 counter"
	done
} >"$LIB_TMP/count.batch"
check "ipxr -b: 4,094 more prefixes counted (4,095 in all)" ipxr -b "$LIB_TMP/count.batch"
expect_eq "stats show lists the 4,095" "$(ipxr -j stats show | jq '.routes | length')" 4095
out=$(ipxr route change 10.201.0.0/24 counter 2>&1)
rc_=$?
expect_eq "the 4,096th is refused: exit 2" "$rc_" 2
expect_match "... naming the limit" "4095 prefixes are counted already" "$out"
sed 's/ counter$/ nocounter/' "$LIB_TMP/count.batch" >"$LIB_TMP/uncount.batch"
check "ipxr -b: the 4,094 released" ipxr -b "$LIB_TMP/uncount.batch"
check "then one more can be counted" ipxr route change 10.201.0.0/24 counter
check "ipxr route change 10.201.0.0/24 nocounter" ipxr route change 10.201.0.0/24 nocounter
check "ipxr route del $HOST2" ipxr route del "$HOST2"
check "ipxr route change $HOST2 nocounter (no route: the prefix alone)" \
	ipxr route change "$HOST2" nocounter
expect_eq "no prefix counted at the end" "$(ipxr -j stats show | jq -c .routes)" "[]"

# ---- ipxr monitor pass ---------------------------------------------------------------------------

# sample_rate: ipxr_config.sample as the pinned map holds it
sample_rate()
{
	bpftool -j map dump pinned "$(pinned ipxr_config)" | jq -r '.[0].formatted.value.sample'
}
sampling_on() { [[ $(sample_rate) != 0 ]]; }
# monitor OUT ARGS...: ipxr monitor pass ARGS in the background, once it samples
monitor()
{
	local out=$1

	shift
	ipxr "$@" >"$out" 2>"$out.err" &
	MON_PID=$!
	LIB_BG_PIDS+=("$MON_PID")
	wait_for 5 sampling_on || diag "the monitor did not turn sampling on"
}

expect_eq "pass sampling is off by default" "$(sample_rate)" 0
mon=$LIB_TMP/mon
monitor "$mon" monitor pass reason ttl_exceeded count 3
out=$(nsrun "$H1" ping -c 5 -i 0.05 -t 1 -W 1 "$H2_IP" 2>&1)
wait "$MON_PID"
expect_eq "monitor pass reason ttl_exceeded count 3: exits after 3 frames" "$?" 0
expect_eq "3 lines, each the port, the reason and the frame" \
	"$(grep -cE "^[0-9:.]+ r-eth0 ttl_exceeded inet: IP $H1_IP > $H2_IP: proto 1 \(ICMP type 8 code 0\) echo request, ttl 1, length $FRAME\$" "$mon")" 3
[[ $V == 1 ]] && diag_output "$(cat "$mon" "$mon.err")"
expect_eq "sampling is off again after the monitor" "$(sample_rate)" 0

monitor "$mon" -j monitor pass dev r-eth0 rate 1/1 count 2
out=$(nsrun "$H1" ping -c 4 -i 0.05 -t 1 -W 1 "$H2_IP" 2>&1)
wait "$MON_PID"
expect_eq "-j monitor pass dev r-eth0 count 2: two JSON objects with dev, reason, addresses" \
	"$(jq -s -c '[.[] | [.dev, .reason, .family, .src, .dst, .ttl, .len, .caplen]] | unique' "$mon")" \
	"[[\"r-eth0\",\"ttl_exceeded\",\"inet\",\"$H1_IP\",\"$H2_IP\",1,$FRAME,$FRAME]]"
expect_eq "... and exactly two" "$(jq -s length "$mon")" 2

monitor "$mon" monitor pass dev r-eth1 count 1
nsrun "$H1" ping -c 3 -i 0.05 -t 1 -W 1 "$H2_IP" >/dev/null 2>&1
nsrun "$H2" ping -c 1 -t 1 -W 1 "$H1_IP" >/dev/null 2>&1
wait "$MON_PID"
expect_eq "monitor pass dev r-eth1: h2's frame only, none of h1's" \
	"$(grep -c " r-eth1 ttl_exceeded inet: IP $H2_IP > $H1_IP:" "$mon") $(wc -l <"$mon")" "1 1"

pcap=$LIB_TMP/pass.pcap
monitor "$mon" monitor pass count 2 -w "$pcap"
nsrun "$H1" ping -c 4 -i 0.05 -t 1 -W 1 "$H2_IP" >/dev/null 2>&1
wait "$MON_PID"
expect_match "monitor pass -w: says how many frames it wrote" "^2 frames written to $pcap\$" \
	"$(cat "$mon.err")"
out=$(tcpdump -n -r "$pcap" 2>&1)
expect_eq "tcpdump -r reads the pcap: 2 ICMP echo requests h1 -> h2" \
	"$(grep -c "IP $H1_IP > $H2_IP: ICMP echo request" <<<"$out")" 2
expect_match "tcpdump: link type Ethernet" "link-type EN10MB" "$out"
# a monitor killed before it could turn sampling off: the next one says so and turns it off
"$IPXR" -n "$R" monitor pass >/dev/null 2>&1 &
killed=$!
LIB_BG_PIDS+=("$killed")
wait_for 5 sampling_on || diag "the monitor did not turn sampling on"
kill -KILL "$killed"
wait "$killed" 2>/dev/null
expect_eq "a monitor killed with SIGKILL leaves sampling on" "$(sample_rate)" 1
monitor "$mon" monitor pass count 1
nsrun "$H1" ping -c 2 -i 0.05 -t 1 -W 1 "$H2_IP" >/dev/null 2>&1
wait "$MON_PID"
expect_match "the next monitor warns that it found sampling on" "sampling was on already" \
	"$(cat "$mon.err")"
expect_eq "and turns it off when it stops" "$(sample_rate)" 0
check_fail "reason forward is not a pass reason" ipxr monitor pass reason forward
check_fail "rate 0 is refused" ipxr monitor pass rate 0
check_fail "-w with -j is refused" ipxr -j monitor pass -w "$pcap"

lib_finish
