# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# shellcheck disable=SC2154,SC2034 # names and helpers shared with bench.sh, both ways
#
# Part 4 of make bench, sourced by bench/bench.sh after the other parts (it uses their helpers
# and forwarding harness): real BIRD 2 feeds a full table and ipxr sync mirrors it.
#
#	src ---- rtr ---- snk		bench.sh's topology, built again with fresh maps, plus
#	          |
#	         ann			the upstream: BIRD with SYNC_N4 IPv4 and SYNC_N6 IPv6 static
#					routes (bench/routegen), over eBGP; its next hops are the
#					sink's (10.0.2.1, 2001:db8:2::1), as a route server's are
#
#   (a) convergence: ipxr sync runs, then both BIRDs start; the router's BIRD writes the table
#       into the kernel (kernel protocol, proto bird). bench/maplat hears the same notifications
#       and reports when the kernel held the whole table and when the tries held its last
#       prefix, then checks every route. Then the maps are made anew (fresh pins) and
#       `ipxr sync once` loads the full table from the kernel alone: routes/s, peak RSS and CPU
#       time (GNU time), and once more on maps that already hold it (a restart).
#   (b) churn: CHURN_RATE route changes/s for CHURN_SECS s: the announcer disables and enables
#       its flap protocols in turn (50 protocols, CHURN_RATE/50 prefixes each, spread over the
#       table); bench/maplat times each change from its notification to the trie (p50/p99),
#       and at the end the maps must equal the kernel (no drift).
#   (c) forwarding with the mirrored table: bench.sh's forward_runs on the BIRD table, the
#       kernel forwarding the same table in the same run.

SYNC_N4=${SYNC_N4:-$( ((QUICK)) && echo 100000 || echo 1000000)}
SYNC_N6=${SYNC_N6:-$( ((QUICK)) && echo 20000 || echo 200000)}
CHURN_RATE=${CHURN_RATE:-10000}		# route changes per second
CHURN_SECS=${CHURN_SECS:-$( ((QUICK)) && echo 10 || echo 60)}
CHURN_FLAPS=50				# flap protocols; one is toggled every 1/50 s
SYNC_SCAN=${SYNC_SCAN:-}		# ipxr sync's re-scan interval (s), its default if empty
CHURN_LOG=${CHURN_LOG:-}		# FILE: each churn latency ("heard-at-s ms") to FILE.bird, .netlink
SYNC_NICE=$(sed -n 's/^Nice=//p' "$ROOT/systemd/ipxr-sync.service.in")
SYNC_NICE=${SYNC_NICE:-0}
MAPLAT=${MAPLAT:-$BIN/maplat}
SYNC_LOG=$BIN/last.sync.log	# ipxr sync's own log, kept after the run as bench.sh keeps its log
ANN=${H1%-h1}-ann
DEV_A=ba$$		# router side of the BGP link
DEV_N=bn$$		# announcer side

# shellcheck source=tests/bird.sh
source "$ROOT/tests/bird.sh"
# shellcheck source=tests/lib6.sh
source "$ROOT/tests/lib6.sh"
bird_init

# sync_topo: bench.sh's three namespaces again, with new maps, IPv6 on the router, and the
# announcer's link
sync_topo()
{
	local ns

	for ns in "$SRC" "$R" "$SNK"; do
		ip netns del "$ns" 2>/dev/null
	done
	rm -f "$LIB_BPFFS"/tc/globals/*
	topo
	step netns_add "$ANN"
	step ip link add "$DEV_A" netns "$R" type veth peer name "$DEV_N" netns "$ANN"
	step ipv6_on "$R" "$DEV_I" "$DEV_O" "$DEV_A"
	step ipv6_on "$ANN" "$DEV_N"
	step ip -n "$R" addr add 10.0.3.254/24 dev "$DEV_A"
	step ip -n "$R" addr add 2001:db8:3::fe/64 dev "$DEV_A" nodad
	step ip -n "$R" addr add 2001:db8:2::fe/64 dev "$DEV_O" nodad
	step ip -n "$R" -6 neigh add 2001:db8:2::1 lladdr $MAC_S dev "$DEV_O" nud permanent
	step ip -n "$ANN" addr add 10.0.3.1/24 dev "$DEV_N"
	step ip -n "$ANN" addr add 2001:db8:3::1/64 dev "$DEV_N" nodad
	step ip -n "$R" link set "$DEV_A" up
	step ip -n "$ANN" link set "$DEV_N" up
	step ip netns exec "$R" sysctl -qw net.ipv6.conf.all.forwarding=1
}

SYNC_PID=
# sync_daemon: ipxr sync in the background, once it follows the table (its start-up reconcile
# done: it logs "following table ...")
sync_daemon()
{
	local log=$SYNC_LOG n0 i

	n0=$(grep -c "following table" "$log" 2>/dev/null)
	# at the priority its systemd unit gives it
	# shellcheck disable=SC2086 # SYNC_SCAN: a number of seconds or nothing
	nice -n "$SYNC_NICE" "$IPXR" -n "$R" sync ${SYNC_SCAN:+scan $SYNC_SCAN} >>"$log" 2>&1 &
	SYNC_PID=$!
	LIB_BG_PIDS+=("$SYNC_PID")
	for ((i = 0; i < 3000; i++)); do
		(($(grep -c "following table" "$log") > ${n0:-0})) && return 0
		kill -0 "$SYNC_PID" 2>/dev/null || break
		sleep 0.1
	done
	die "ipxr sync did not start following the table: $(tail -n 5 "$log")"
}

# proc_cpu PID: user + system CPU seconds so far; proc_hwm PID: peak RSS in kB
proc_cpu()
{
	local f

	read -ra f <"/proc/$1/stat" || return 1
	# fields 14 and 15, after a comm without spaces
	jq -n "(${f[13]} + ${f[14]}) / $(getconf CLK_TCK)"
}
proc_hwm() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"; }

# maplat_bg OUT ARGS...: bench/maplat in the router's namespace, in the background, once it
# listens
maplat_bg()
{
	local out=$1 i

	shift
	ip netns exec "$R" "$MAPLAT" "$@" >"$out" 2>"$out.err" &
	MAPLAT_PID=$!
	for ((i = 0; i < 100; i++)); do
		grep -q listening "$out.err" 2>/dev/null && return 0
		sleep 0.05
	done
	die "maplat did not start: $(cat "$out.err")"
}

# (a) ------------------------------------------------------------------------------------------

sync_converge()
{
	local t0 tb out=$LIB_TMP/converge.json base4 base6 k4 k6 cpu hwm

	# each tick toggles an IPv4 and an IPv6 flap protocol: half the changes each
	step bird_table "$LIB_TMP" "$SYNC_N4" "$SYNC_N6" "$CHURN_FLAPS" \
		$((CHURN_RATE / CHURN_FLAPS / 2)) "$SEED"
	# the forwarding part's destinations, inside this table
	step "$ROUTEGEN" --routes "$SYNC_N4" --format bird --seed "$SEED" --out /dev/null \
		--dsts "$LIB_TMP/dsts.txt"
	bird_conf_router "$LIB_TMP/r.conf" r 10.0.3.254 10.0.3.254 10.0.3.1 2001:db8:3::fe \
		2001:db8:3::1
	bird_conf_announcer "$LIB_TMP/ann.conf" ann 10.0.3.1 10.0.3.1 10.0.3.254 2001:db8:3::1 \
		2001:db8:3::fe 10.0.2.1 2001:db8:2::1 -- "$LIB_TMP/t4.conf" "$LIB_TMP/t6.conf"
	base4=$(kernel_routes4 "$R")
	base6=$(kernel_routes6 "$R")

	say "BIRD -> kernel -> ipxr sync: $SYNC_N4 IPv4 + $SYNC_N6 IPv6 routes"
	sync_daemon
	maplat_bg "$out" --timeout 600 converge --n4 "$SYNC_N4" --n6 "$SYNC_N6"
	t0=$(now)
	step bird_start r "$R" "$LIB_TMP/r.conf"
	step bird_start ann "$ANN" "$LIB_TMP/ann.conf"
	step bird_wait_up r 60 up4 up6
	tb=$(now)
	wait "$MAPLAT_PID" || say "  maplat: the maps did not equal the kernel ($(cat "$out"))"
	cat "$out.err" >>"$LOG"
	grep -q '^{' "$out" || die "maplat converge: $(cat "$out" "$out.err")"
	k4=$(($(kernel_routes4 "$R") - base4))
	k6=$(($(kernel_routes6 "$R") - base6))
	cpu=$(proc_cpu "$SYNC_PID")
	hwm=$(proc_hwm "$SYNC_PID")
	jq -c --argjson t0 "$t0" --argjson tb "$tb" --argjson n4 "$SYNC_N4" --argjson n6 "$SYNC_N6" \
		--argjson k4 "$k4" --argjson k6 "$k6" --argjson cpu "$cpu" --argjson hwm "$hwm" \
		'{bench: "sync_converge", n4: $n4, n6: $n6, kernel4: $k4, kernel6: $k6,
		  bgp_up_s: ($tb - $t0), kernel_full_s: (.kernel_full - $t0),
		  trie_last_s: (.trie_last - $t0), complete_s: (.complete - $t0), lag_s,
		  verify_passes, first_pass_missing, first_pass_stale, first_pass_difference,
		  verify, enobufs,
		  daemon_cpu_s: $cpu, daemon_hwm_kb: $hwm}' "$out" >>"$RAW"
	tail -n 1 "$RAW" | jq -r '"  BGP up \(.bgp_up_s * 100 | round / 100) s, kernel full \(.kernel_full_s * 100 | round / 100) s, fast path complete \(.complete_s * 100 | round / 100) s after BIRD started: \(.lag_s * 1000 | round) ms behind the kernel (\(.verify.missing) missing, \(.verify.stale) stale); ipxr sync so far \(.daemon_cpu_s) s CPU, peak RSS \(.daemon_hwm_kb / 1024 | round) MiB"'
}

# sync_load: the full table loaded by `ipxr sync once` into new maps, then once more
sync_load()
{
	local what=$1 out=$LIB_TMP/load.time f

	printf '$ ipxr sync once (%s)\n' "$what" >>"$LOG"
	/usr/bin/time -o "$out" -f '%e %U %S %M' "$IPXR" -n "$R" sync once >>"$LOG" 2>&1 ||
		die "ipxr sync once failed ($what)"
	read -ra f <"$out"
	jq -nc --arg w "$what" --argjson n $((SYNC_N4 + SYNC_N6)) --argjson e "${f[0]}" \
		--argjson u "${f[1]}" --argjson s "${f[2]}" --argjson m "${f[3]}" \
		'{bench: "sync_load", what: $w, routes: $n, seconds: $e, user_s: $u, sys_s: $s,
		  maxrss_kb: $m, routes_per_s: (if $e > 0 then $n / $e else null end)}' >>"$RAW"
	tail -n 1 "$RAW" | jq -r '"  ipxr sync once (\(.what)): \(.seconds) s, \(.routes_per_s // 0 | round) routes/s, CPU \(.user_s) s user + \(.sys_s) s sys, peak RSS \(.maxrss_kb / 1024 | round) MiB"'
}

sync_initial_load()
{
	local out=$LIB_TMP/verify.json

	kill -TERM "$SYNC_PID"
	wait "$SYNC_PID" 2>/dev/null
	# new maps: the object attached again after its pins are gone, as on a router that booted
	# (the sink's counter stays)
	step ip -n "$R" link set dev "$DEV_O" xdpdrv off
	rm -f "$LIB_BPFFS"/tc/globals/ipxr_*
	step ip -n "$R" link set dev "$DEV_O" xdpdrv obj "$XDP_OBJ" sec xdp_router
	sync_load "new maps"
	ip netns exec "$R" "$MAPLAT" verify >"$out" 2>&1 ||
		say "  after ipxr sync once: the maps differ from the kernel: $(cat "$out")"
	sync_load "maps already full"
}

# (b) ------------------------------------------------------------------------------------------

# churn_drive SECS: toggle flap protocols t4_fN and t6_fN (N = tick mod 50) every 1/50 s,
# through one birdc
churn_drive()
{
	local secs=$1 tick=0 p f t0 dt
	local -a up

	for ((p = 0; p < CHURN_FLAPS; p++)); do up[p]=1; done
	t0=${EPOCHREALTIME/./}
	{
		while ((tick < secs * CHURN_FLAPS)); do
			p=$((tick % CHURN_FLAPS))
			for f in 4 6; do
				if ((up[p])); then
					echo "disable t${f}_f$p"
				else
					echo "enable t${f}_f$p"
				fi
			done
			up[p]=$((1 - up[p]))
			tick=$((tick + 1))
			# the next tick's time, in microseconds
			dt=$((t0 + tick * 1000000 / CHURN_FLAPS - ${EPOCHREALTIME/./}))
			((dt > 0)) && sleep "$(printf '0.%06d' "$dt")"
		done
		# everything announced again at the end
		for ((p = 0; p < CHURN_FLAPS; p++)); do
			((up[p])) || printf 'enable t4_f%d\nenable t6_f%d\n' "$p" "$p"
		done
	} | BIRDC_TIMEOUT=$((secs + 30)) bird_c ann >/dev/null
}

sync_churn()
{
	local out=$LIB_TMP/churn.json vout=$LIB_TMP/churn-verify.json cpu0 cpu1 i per

	per=$((CHURN_RATE / CHURN_FLAPS))
	say "churn: $CHURN_RATE route changes/s for $CHURN_SECS s (BIRD disables or enables" \
		"$((per / 2)) IPv4 and $((per / 2)) IPv6 prefixes $CHURN_FLAPS times a second)"
	sync_daemon
	cpu0=$(proc_cpu "$SYNC_PID")
	maplat_bg "$out" --time "$CHURN_SECS" ${CHURN_LOG:+--log "$CHURN_LOG.bird"} churn
	churn_drive "$CHURN_SECS"
	wait "$MAPLAT_PID"
	cpu1=$(proc_cpu "$SYNC_PID")
	grep -q '^{' "$out" || die "maplat churn: $(cat "$out" "$out.err")"
	# no drift: once BIRD has put the table back, the maps equal the kernel
	for ((i = 0; i < 100; i++)); do
		ip netns exec "$R" "$MAPLAT" verify >"$vout" 2>&1 && break
		sleep 0.2
	done
	jq -c --slurpfile v "$vout" --argjson c "$(jq -n "$cpu1 - $cpu0")" \
		--argjson rate "$CHURN_RATE" \
		'. + {bench: "sync_churn", source: "bird", target_rate: $rate, daemon_cpu_s: $c,
		      after: $v[0].verify}' "$out" >>"$RAW"
	tail -n 1 "$RAW" | jq -r '"  \(.events) changes (\(.events_per_s | round)/s, at most \(.peak_per_100ms) in 100 ms): notification to trie p50 \(.p50_ms) ms, p99 \(.p99_ms) ms, max \(.max_ms) ms; \(.never_seen) never seen, \(.enobufs) overruns (maplat); ipxr sync \(.daemon_cpu_s) s CPU; after: \(.after.missing) missing, \(.after.stale) stale"'
}

# (b') churn by netlink writes, the other source the issue names: the same rate, CHURN_FLAPS
# groups of CHURN_RATE/CHURN_FLAPS/2 IPv4 /24s (in 10.128.0.0/9) and as many IPv6 /48s (in
# fd00::/16) of protocol static, outside BIRD's table (routegen leaves out 10/8 and all but
# 2000::/3), one group deleted or added again by `ip -b` each 1/CHURN_FLAPS s
churn_files()
{
	local dir=$1 per=$((CHURN_RATE / CHURN_FLAPS / 2))

	awk -v flaps="$CHURN_FLAPS" -v per="$per" -v dir="$dir" 'BEGIN {
		for (g = 0; g < flaps; g++) {
			add = dir "/add." g; del = dir "/del." g
			for (i = 0; i < per; i++) {
				n = g * per + i
				r4 = sprintf("10.%d.%d.0/24", 128 + int(n / 256), n % 256)
				r6 = sprintf("fd00:0:%x::/48", n)
				printf "route add %s via 10.0.2.1 proto static\n", r4 > add
				printf "route add %s via 2001:db8:2::1 proto static\n", r6 > add
				printf "route del %s proto static\n", r4 > del
				printf "route del %s proto static\n", r6 > del
			}
			close(add); close(del)
		}
	}'
}

sync_churn_netlink()
{
	local out=$LIB_TMP/churn-nl.json dir=$LIB_TMP/churn-nl cpu0 cpu1 tick=0 g t0 dt nl_fd
	local -a up

	mkdir -p "$dir"
	churn_files "$dir"
	for ((g = 0; g < CHURN_FLAPS; g++)); do
		step ip -n "$R" -b "$dir/add.$g"
		up[g]=1
	done
	say "churn by netlink writes: $CHURN_RATE route changes/s for $CHURN_SECS s (one ip -b" \
		"deletes or adds $((CHURN_RATE / CHURN_FLAPS)) routes $CHURN_FLAPS times a second)"
	sync_daemon
	cpu0=$(proc_cpu "$SYNC_PID")
	maplat_bg "$out" --time "$CHURN_SECS" --proto 4 ${CHURN_LOG:+--log "$CHURN_LOG.netlink"} churn
	# one ip -b reading its commands as they come: no process started per tick
	exec {nl_fd}> >(exec ip -n "$R" -force -b - >/dev/null 2>&1)
	t0=${EPOCHREALTIME/./}
	while ((tick < CHURN_SECS * CHURN_FLAPS)); do
		g=$((tick % CHURN_FLAPS))
		if ((up[g])); then
			cat "$dir/del.$g" >&"$nl_fd"
		else
			cat "$dir/add.$g" >&"$nl_fd"
		fi
		up[g]=$((1 - up[g]))
		tick=$((tick + 1))
		dt=$((t0 + tick * 1000000 / CHURN_FLAPS - ${EPOCHREALTIME/./}))
		((dt > 0)) && sleep "$(printf '0.%06d' "$dt")"
	done
	exec {nl_fd}>&-
	wait "$MAPLAT_PID"
	cpu1=$(proc_cpu "$SYNC_PID")
	grep -q '^{' "$out" || die "maplat churn (netlink): $(cat "$out" "$out.err")"
	for ((g = 0; g < CHURN_FLAPS; g++)); do
		ip -n "$R" -b "$dir/del.$g" 2>/dev/null
	done
	jq -c --argjson c "$(jq -n "$cpu1 - $cpu0")" --argjson rate "$CHURN_RATE" \
		'. + {bench: "sync_churn", source: "netlink", target_rate: $rate,
		      daemon_cpu_s: $c}' "$out" >>"$RAW"
	tail -n 1 "$RAW" | jq -r '"  \(.events) changes (\(.events_per_s | round)/s, at most \(.peak_per_100ms) in 100 ms): notification to trie p50 \(.p50_ms) ms, p99 \(.p99_ms) ms, max \(.max_ms) ms; \(.never_seen) never seen, \(.enobufs) overruns (maplat); ipxr sync \(.daemon_cpu_s) s CPU"'
}

# ---- run -----------------------------------------------------------------------------------------

# SYNC_STEPS: the steps after convergence, all by default; a subset when working on one of them
# (the results then lack the others' rows)
SYNC_STEPS=${SYNC_STEPS:-load churn netlink forward}

sync_step() { [[ " $SYNC_STEPS " == *" $1 "* ]]; }

sync_part()
{
	: >"$SYNC_LOG"
	sync_topo
	FWD_COUNTER=$(fwd_counter)
	sync_converge
	if sync_step load; then
		sync_initial_load
	else
		kill -TERM "$SYNC_PID"
		wait "$SYNC_PID" 2>/dev/null
	fi
	if sync_step churn; then
		sync_churn
		kill -TERM "$SYNC_PID"
		wait "$SYNC_PID" 2>/dev/null
	fi
	sync_step netlink && sync_churn_netlink
	if sync_step forward; then
		FWD_TABLE=bird
		forward_runs "$SYNC_N4"
		FWD_TABLE=
	fi
	kill -TERM "$SYNC_PID" 2>/dev/null
	wait "$SYNC_PID" 2>/dev/null
	bird_kill ann
	bird_kill r
}
