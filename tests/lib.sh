# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# shellcheck disable=SC2034 # the address plan and names are used by the scripts sourcing this
#
# Helpers for ipxr's namespaced tests, in the manner of xdp-tools' lib/testing/test_runner.sh
# (our own code). Source it from a bash script, then:
#
#	lib_init e2e		# unique names, private bpffs, cleanup trap
#	topo_build		# h1 -- r -- h2 in three network namespaces
#	topo_attach		# the router object on r's two ports, as users attach it
#	...checks with ok / not_ok / check / expect_eq...
#	lib_finish		# summary; exit status 1 if a check failed
#
# Topology (names carry the test's prefix and the PID, so parallel runs never collide):
#
#	$H1: h1-eth0 10.0.1.1/24 --- r-eth0 10.0.1.254/24  $R  r-eth1 10.0.2.254/24 --- h2-eth0 10.0.2.2/24 :$H2
#
# The router forwards (sysctl) and runs bpf/xdp_router.o in native (driver) mode on both ports;
# the hosts' default routes point at it. A veth delivers frames that another device XDP_REDIRECTs
# into it only while its own end has NAPI running, which an XDP program on it or GRO turns on:
# on kernel 6.18 both work (checked with the object in tests/e2e.sh); we enable GRO on the hosts'
# ends (HOST_RX=gro, the default) or attach a trivial XDP_PASS program (HOST_RX=xdp, compiled
# here with clang). The hosts' ends also get `tx off`: a veth frame with a partial checksum that
# goes through XDP on the peer loses the "checksum later" mark, so TCP would see bad checksums.
#
# Conventions (tests/README in SPEC): one line per check, `ok - LABEL` or `not ok - LABEL`,
# diagnostics on `# ` lines, V=1 for verbose (every command shown with its output).

LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$LIB_DIR/.." && pwd)
V=${V:-0}
IPXR=${IPXR:-$ROOT/build/asan/ipxr}
[[ $IPXR == /* ]] || IPXR=$ROOT/$IPXR
XDP_OBJ=${XDP_OBJ:-$ROOT/bpf/xdp_router.o}
HOST_RX=${HOST_RX:-gro}

# The addressing plan, shared by the tests and the demo.
H1_IP=10.0.1.1
R_IP0=10.0.1.254
R_IP1=10.0.2.254
H2_IP=10.0.2.2
NET1=10.0.1.0/24
NET2=10.0.2.0/24

PASSED=0
FAILED=0
LIB_NETNS=()		# namespaces this process created, and only those are deleted
LIB_TMP=
LIB_BPFFS=
LIB_BG_PIDS=()		# background jobs (listeners, captures) started by the test

# ---- reporting ---------------------------------------------------------------------------------

diag()
{
	local line

	for line in "$@"; do
		printf '# %s\n' "$line"
	done
}

# diag_output TEXT: indent a command's output as diagnostics
diag_output()
{
	[[ -n $1 ]] || return 0
	printf '%s\n' "$1" | sed 's/^/#   /'
}

ok()
{
	PASSED=$((PASSED + 1))
	printf 'ok - %s\n' "$*"
}

not_ok()
{
	FAILED=$((FAILED + 1))
	printf 'not ok - %s\n' "$*"
}

# run_expecting SUCCESS|FAILURE LABEL CMD...: ok when CMD ends as expected; otherwise show its
# output. Returns CMD's own outcome for check, 0 for a failure check_fail expected.
run_expecting()
{
	local want=$1 label=$2 out rc

	shift 2
	out=$("$@" 2>&1)
	rc=$?
	if [[ ($want == SUCCESS && $rc -eq 0) || ($want == FAILURE && $rc -ne 0) ]]; then
		ok "$label"
		[[ $V == 1 ]] && diag "\$ $* (exit $rc)" && diag_output "$out"
	else
		not_ok "$label"
		diag "\$ $* (exit $rc, expected $want)"
		diag_output "$out"
	fi
	[[ $want == FAILURE ]] && return $((rc == 0))
	return $rc
}

# check LABEL CMD...: ok if CMD succeeds
check() { run_expecting SUCCESS "$@"; }

# check_fail LABEL CMD...: ok if CMD fails
check_fail() { run_expecting FAILURE "$@"; }

# expect_eq LABEL GOT WANT
expect_eq()
{
	if [[ "$2" == "$3" ]]; then
		ok "$1"
		[[ $V == 1 ]] && diag "got '$2'"
		return 0
	fi
	not_ok "$1"
	diag "got '$2', want '$3'"
	return 1
}

# expect_ge LABEL GOT MIN (integers)
expect_ge()
{
	if [[ $2 =~ ^-?[0-9]+$ ]] && (($2 >= $3)); then
		ok "$1"
		[[ $V == 1 ]] && diag "got $2 >= $3"
		return 0
	fi
	not_ok "$1"
	diag "got '$2', want at least $3"
	return 1
}

# run CMD...: a setup step that must work; shown with V=1, its failure is a failed check. CMD runs
# in this shell (not in a $(...) subshell), so a function's side effects, such as recording the
# namespaces it creates, stay.
run()
{
	local out rc _run_prev='' _run_failed=''

	# When CMD is a function, say which command in it failed: before each command, the DEBUG
	# trap (functrace: in functions too) sees the status of the one before. An ERR trap would
	# not do: bash turns it off in a function called from a condition (`run f || return 1`).
	local -
	set -T
	# shellcheck disable=SC2016 # expanded when the trap runs
	trap '(($?)) && _run_failed=$_run_prev; _run_prev=$BASH_COMMAND' DEBUG
	"$@" >"$LIB_TMP/run.out" 2>&1
	rc=$?
	trap - DEBUG
	out=$(<"$LIB_TMP/run.out")
	if [[ $V == 1 ]]; then
		diag "\$ $*"
		diag_output "$out"
	fi
	if [[ $rc -ne 0 ]]; then
		not_ok "setup: $*"
		diag "exit $rc"
		[[ -n $_run_failed && $_run_failed != '"$@"' ]] && diag "failed: $_run_failed"
		diag_output "$out"
	fi
	return $rc
}

# bail MSG: stop the test here (the trap still cleans up)
bail()
{
	not_ok "$*"
	diag "stopping: the remaining checks depend on this step"
	lib_finish
}

lib_finish()
{
	diag "$(basename "$0"): $PASSED passed, $FAILED failed"
	[[ $FAILED -eq 0 ]] && exit 0
	exit 1
}

# expect_match LABEL PATTERN TEXT: ok when a line of TEXT matches the grep PATTERN; else TEXT is
# shown
expect_match()
{
	if grep -q -- "$2" <<<"$3"; then
		ok "$1"
		return 0
	fi
	not_ok "$1"
	diag_output "$3"
	return 1
}

# ---- traffic -----------------------------------------------------------------------------------

TRAFFIC_TIMEOUT=${TRAFFIC_TIMEOUT:-10}

# nsrun NS CMD...: CMD in namespace NS, bounded by $TRAFFIC_TIMEOUT seconds
nsrun()
{
	local ns=$1

	shift
	timeout --kill-after=2 "$TRAFFIC_TIMEOUT" ip netns exec "$ns" "$@"
}

# nsrun_t SECS NS CMD...: the same with an explicit bound
nsrun_t()
{
	local secs=$1 ns=$2

	shift 2
	timeout --kill-after=2 "$secs" ip netns exec "$ns" "$@"
}

# ipxr ARGS...: the CLI under test in the router's namespace, bounded
ipxr()
{
	timeout --kill-after=2 "$TRAFFIC_TIMEOUT" "$IPXR" -n "$R" "$@"
}

# ipxr_stat REASON FIELD: a counter from `ipxr -j stats show`, e.g. `ipxr_stat forward packets`;
# "ERR" if ipxr fails or the reason is absent
ipxr_stat()
{
	local out

	out=$(ipxr -j stats show 2>/dev/null) || { echo "ERR"; return 1; }
	jq -r --arg r "$1" --arg f "$2" '.reasons[$r][$f] // "ERR"' <<<"$out" 2>/dev/null || echo "ERR"
}

# delta OLD NEW: NEW - OLD, or "ERR(OLD,NEW)" when either is not a number (a failed read must fail
# the check that uses it, not the script)
delta()
{
	if [[ $1 =~ ^[0-9]+$ && $2 =~ ^[0-9]+$ ]]; then
		echo $(($2 - $1))
	else
		echo "ERR($1,$2)"
	fi
}

# snmp_ip NS FIELD: a counter of the Ip: line of /proc/net/snmp in NS (IpForwDatagrams is
# "ForwDatagrams"), read without nstat's history files
snmp_ip()
{
	# shellcheck disable=SC2016 # awk program, not shell
	nsrun "$1" awk -v f="$2" '
		$1 == "Ip:" && !hdr { for (i = 2; i <= NF; i++) col[$i] = i; hdr = 1; next }
		$1 == "Ip:" && hdr { print $col[f]; exit }' /proc/net/snmp
}

fwd_datagrams()
{
	snmp_ip "$R" ForwDatagrams
}

# ping_stats OUTPUT: "TRANSMITTED RECEIVED" from ping's summary
ping_stats()
{
	sed -n 's/^\([0-9]*\) packets transmitted, \([0-9]*\) received.*/\1 \2/p' <<<"$1"
}

# bg NS CMD...: start CMD in NS in the background (killed at cleanup); its pid in $BG_PID
bg()
{
	local ns=$1

	shift
	timeout --kill-after=2 "$TRAFFIC_TIMEOUT" ip netns exec "$ns" "$@" &
	BG_PID=$!
	LIB_BG_PIDS+=("$BG_PID")
}

# wait_for SECS CMD...: poll CMD every 50 ms until it succeeds or SECS pass
wait_for()
{
	local secs=$1 i

	shift
	for ((i = 0; i < secs * 20; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	return 1
}

# ---- checks shared by the IPv4 and IPv6 end-to-end tests ---------------------------------------
#
# FWD is the function reading the router kernel's forwarding counter (fwd_datagrams, fwd6), STAT
# the one reading ipxr's counters (ipxr_stat, stat6): the proof is the same for both families.

# check_fast FWD STAT LABEL COUNT DEST [INTERVAL]: COUNT pings h1 -> DEST every INTERVAL seconds
# (default 0.05), all answered, all by the fast path: STAT forward +2xCOUNT, FWD unchanged
check_fast()
{
	local fwd=$1 stat=$2 label=$3 count=$4 dest=$5 fwd0 fwd1 f0 f1 out

	fwd0=$($fwd)
	f0=$($stat forward packets)
	out=$(nsrun "$H1" ping -c "$count" -i "${6:-0.05}" -W 1 -q "$dest" 2>&1)
	fwd1=$($fwd)
	f1=$($stat forward packets)
	expect_eq "$label: h1 pings $dest, $count sent, $count answered" "$(ping_stats "$out")" \
		"$count $count"
	expect_eq "$label: all by the fast path ($stat forward +$((2 * count)), $fwd unchanged)" \
		"$(delta "$f0" "$f1") $fwd1" "$((2 * count)) $fwd0"
}

# check_tcp FWD STAT LISTEN CONNECT: 2 MiB from h1 to h2 over TCP (socat addresses LISTEN on h2,
# CONNECT from h1), received intact, none of it forwarded by the kernel
check_tcp()
{
	local fwd=$1 stat=$2 listen=$3 connect=$4 listener fwd0 fwd1 b0 b1

	head -c $((2 * 1024 * 1024)) /dev/urandom >"$LIB_TMP/send"
	rm -f "$LIB_TMP/recv"
	bg "$H2" socat -u "$listen,reuseaddr" "OPEN:$LIB_TMP/recv,creat,trunc"
	listener=$BG_PID
	wait_for 5 nsrun "$H2" sh -c 'ss -Hltn "sport = :5001" | grep -q .' ||
		diag "socat did not listen on h2:5001"
	fwd0=$($fwd)
	b0=$($stat forward bytes)
	check "2 MiB over TCP h1 -> h2 with socat ($connect)" \
		nsrun "$H1" socat -u "OPEN:$LIB_TMP/send" "$connect"
	wait "$listener"
	fwd1=$($fwd)
	b1=$($stat forward bytes)
	expect_eq "the received file has the sent sha256" \
		"$(sha256sum <"$LIB_TMP/recv" 2>/dev/null)" "$(sha256sum <"$LIB_TMP/send")"
	expect_eq "the kernel forwarded no TCP segment ($fwd unchanged)" "$fwd1" "$fwd0"
	expect_ge "$stat forward bytes rose by at least the 2 MiB carried" "$(delta "$b0" "$b1")" \
		$((2 * 1024 * 1024))
}

# check_local STAT ADDR...: h1 pings each of the router's ADDRs; answered by the kernel, each
# echo counted as local
check_local()
{
	local stat=$1 addr l0 l1 out

	shift
	for addr in "$@"; do
		l0=$($stat local packets)
		out=$(nsrun "$H1" ping -c 5 -i 0.05 -W 1 "$addr" 2>&1)
		l1=$($stat local packets)
		expect_eq "h1 pings the router's $addr: 5 sent, 5 answered" "$(ping_stats "$out")" "5 5"
		expect_eq "$stat local rose by 5 (handed to the kernel)" "$(delta "$l0" "$l1")" 5
	done
}

# check_ttl1 STAT DEST PATTERN: an echo to DEST with TTL (hop limit) 1 is passed to the kernel,
# which answers with the ICMP error ping prints as PATTERN
check_ttl1()
{
	local stat=$1 t0 t1 out

	t0=$($stat ttl_exceeded packets)
	out=$(nsrun "$H1" ping -c 1 -t 1 -W 2 "$2" 2>&1)
	t1=$($stat ttl_exceeded packets)
	expect_match "ping -t 1 h1 -> $2 gets '$3'" "$3" "$out"
	expect_eq "$stat ttl_exceeded rose by 1" "$(delta "$t0" "$t1")" 1
}

# ---- ipxr sync in the router's namespace ---------------------------------------------------------
#
# For tests/sync.sh, sync6.sh and e2e-bird.sh. SYNC_PID is timeout(1)'s, which bounds the daemon's
# life if the test itself is killed, and is what to wait for; SYNC_IPXR is ipxr's own, which
# signals must go to: timeout passes SIGTERM on, but not SIGKILL or SIGSTOP.

SYNC_PID=
SYNC_IPXR=
SYNC_LOG=
SYNC_SECS=${SYNC_SECS:-10}
SYNC_ARGS=()	# words after "ipxr sync", e.g. (scan 1)

# sync_start [ENV=VALUE...]: ipxr sync "${SYNC_ARGS[@]}" in $R in the background, its log
# appended to $SYNC_LOG ($LIB_TMP/sync.log unless set); returns 0 once it follows the table (it
# logs "following table" when its start-up reconcile is done), 1 if it died or took more than
# SYNC_SECS
sync_start()
{
	local n0 i

	SYNC_LOG=${SYNC_LOG:-$LIB_TMP/sync.log}
	n0=$(grep -c "following table" "$SYNC_LOG" 2>/dev/null)
	env "$@" timeout --kill-after=2 300 "$IPXR" -n "$R" sync "${SYNC_ARGS[@]}" \
		>>"$SYNC_LOG" 2>&1 &
	SYNC_PID=$!
	LIB_BG_PIDS+=("$SYNC_PID")
	SYNC_IPXR=
	for ((i = 0; i < SYNC_SECS * 20; i++)); do
		[[ -n $SYNC_IPXR ]] || SYNC_IPXR=$(pgrep -P "$SYNC_PID" -x ipxr)
		(($(grep -c "following table" "$SYNC_LOG") > ${n0:-0})) && [[ -n $SYNC_IPXR ]] &&
			return 0
		kill -0 "$SYNC_PID" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

# sync_signal SIG: send SIG to ipxr sync itself
sync_signal()
{
	[[ -n $SYNC_IPXR ]] && kill -"$1" "$SYNC_IPXR" 2>/dev/null
}

# sync_stop [SIG]: SIG (TERM) to ipxr sync, and its exit status once it has gone (at most 5 s
# later, then SIGKILL: 137)
sync_stop()
{
	local rc i

	[[ -n $SYNC_PID ]] || return 0
	sync_signal "${1:-TERM}"
	for ((i = 0; i < 100; i++)); do
		kill -0 "$SYNC_IPXR" 2>/dev/null || break
		sleep 0.05
	done
	sync_signal KILL
	wait "$SYNC_PID" 2>/dev/null
	rc=$?
	SYNC_PID=
	SYNC_IPXR=
	return $rc
}

# ---- setup and cleanup -------------------------------------------------------------------------

lib_cleanup()
{
	local rc=$? ns pid

	trap - EXIT INT TERM
	for pid in "${LIB_BG_PIDS[@]}"; do
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	for ns in "${LIB_NETNS[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
	if [[ -n $LIB_BPFFS ]] && mountpoint -q "$LIB_BPFFS"; then
		umount "$LIB_BPFFS" 2>/dev/null || umount -l "$LIB_BPFFS"
	fi
	[[ -n $LIB_TMP && -d $LIB_TMP ]] && rm -rf "$LIB_TMP"
	exit $rc
}

# need_e2e_tools: stop before any setup when a tool the end-to-end tests use, or the CLI under
# test, is missing
need_e2e_tools()
{
	local tool

	for tool in jq socat tcpdump ping ethtool sha256sum; do
		command -v "$tool" >/dev/null || { echo "not ok - $tool is installed"; exit 1; }
	done
	if [[ ! -x $IPXR ]]; then
		echo "not ok - the CLI under test $IPXR exists (make asan)"
		exit 1
	fi
}

# lib_init PREFIX: names for this test, a private bpffs, and the cleanup trap
lib_init()
{
	local prefix=${1:-ipxr-test}

	if [[ $(id -u) -ne 0 ]]; then
		echo "# $(basename "$0"): needs root (network namespaces, bpffs, XDP)" >&2
		exit 1
	fi
	# Namespaces are "PREFIX-PID-h1" etc.: unique per run, and recognisably ours.
	H1=$prefix-$$-h1
	H2=$prefix-$$-h2
	R=$prefix-$$-r
	trap lib_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	LIB_TMP=$(mktemp -d "/tmp/$prefix.XXXXXX") || exit 1
	LIB_BPFFS=$LIB_TMP/bpffs
	mkdir "$LIB_BPFFS"
	if ! mount -t bpf bpf "$LIB_BPFFS"; then
		echo "not ok - mount a private bpffs at $LIB_BPFFS"
		exit 1
	fi
	# iproute2 pins the object's maps under $TC_BPF_MNT/tc/globals, and ipxr looks there.
	export TC_BPF_MNT=$LIB_BPFFS
}

netns_add()
{
	ip netns add "$1" || return 1
	LIB_NETNS+=("$1")
	ip -n "$1" link set dev lo up
	# IPv6 would add router solicitations and MLD reports to the reason counters.
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
}

# host_rx NS DEV: let DEV receive frames redirected into its peer by XDP (see top of file)
host_rx()
{
	case $HOST_RX in
	gro)
		ip netns exec "$1" ethtool -K "$2" gro on >/dev/null
		;;
	xdp)
		xdp_pass_obj || return 1
		ip -n "$1" link set dev "$2" xdpdrv obj "$LIB_TMP/xdp_pass.o" sec xdp
		;;
	none)	# to see what goes wrong without either: redirected frames are dropped
		;;
	*)
		echo "HOST_RX must be gro, xdp or none" >&2
		return 1
		;;
	esac
}

xdp_pass_obj()
{
	[[ -f $LIB_TMP/xdp_pass.o ]] && return 0
	printf '%s\n' '#include <linux/bpf.h>' \
		'__attribute__((section("xdp"), used)) int xdp_pass(struct xdp_md *ctx) { return XDP_PASS; }' \
		'char _license[] __attribute__((section("license"), used)) = "GPL";' |
		${CLANG:-clang} -O2 -target bpf -I/usr/include/"$(${CC:-cc} -print-multiarch)" \
			-c -x c - -o "$LIB_TMP/xdp_pass.o"
}

# topo_build: the three namespaces, addresses, routes and sysctls; no XDP yet
topo_build()
{
	local ns

	for ns in "$H1" "$R" "$H2"; do
		run netns_add "$ns" || return 1
	done
	run ip link add h1-eth0 netns "$H1" type veth peer name r-eth0 netns "$R" || return 1
	run ip link add r-eth1 netns "$R" type veth peer name h2-eth0 netns "$H2" || return 1
	run ip -n "$H1" addr add "$H1_IP/24" dev h1-eth0 &&
	run ip -n "$R" addr add "$R_IP0/24" dev r-eth0 &&
	run ip -n "$R" addr add "$R_IP1/24" dev r-eth1 &&
	run ip -n "$H2" addr add "$H2_IP/24" dev h2-eth0 || return 1
	for ns in "$H1:h1-eth0" "$R:r-eth0" "$R:r-eth1" "$H2:h2-eth0"; do
		run ip -n "${ns%%:*}" link set dev "${ns#*:}" up || return 1
	done
	run ip -n "$H1" route add default via "$R_IP0" &&
	run ip -n "$H2" route add default via "$R_IP1" || return 1
	# bpf_fib_lookup needs forwarding on the ports (FWD_DISABLED otherwise).
	run ip netns exec "$R" sysctl -qw net.ipv4.ip_forward=1 \
		net.ipv4.conf.all.forwarding=1 || return 1
	run ip netns exec "$H1" ethtool -K h1-eth0 tx off &&
	run ip netns exec "$H2" ethtool -K h2-eth0 tx off || return 1
	run host_rx "$H1" h1-eth0 && run host_rx "$H2" h2-eth0
}

# topo_attach: the router object on both ports, EXACTLY as the manual tells users to: one port
# with `sec xdp_router`, the other without `sec` (iproute2's default section "prog").
topo_attach()
{
	run ip -n "$R" link set dev r-eth0 xdpdrv obj "$XDP_OBJ" sec xdp_router &&
	run ip -n "$R" link set dev r-eth1 xdpdrv obj "$XDP_OBJ"
}

# pinned MAP: path of a map pinned by iproute2 in the private bpffs
pinned()
{
	echo "$TC_BPF_MNT/xdp/globals/$1"
}
