#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# ipxr -batch against input that is not a batch file (issue 11, reproducer 3): a read error is
# an error naming the file, a line over BATCH_LINE_MAX bytes and a NUL byte are errors at
# FILE:LINE and nothing after them runs, while what batch files are (comments, continuation
# lines, -force, standard input) still works. One namespace, two ports, a private bpffs.
#
#   IPXR=build/asan/ipxr bash tests/batch.sh      (V=1 for the commands' output)
set -u
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

# the limit, from the header that defines it
MAX=$(sed -n 's/^#define BATCH_LINE_MAX[[:space:]]*\([0-9]*\).*/\1/p' "$ROOT/ipxr/batch.h")

# batch LABEL WANT_RC ERR_REGEX [-force] FILE: ipxr -b FILE, its exit code and stderr checked;
# bounded, so a reader that grows without end fails here instead of filling memory
batch() {
	local label=$1 want=$2 re=$3 out rc opts=()
	shift 3
	[[ $1 == -force ]] && opts=(-force) && shift
	out=$(timeout --kill-after=1 3 "$IPXR" -n "$R" "${opts[@]}" -b "$1" 2>&1 </dev/null)
	rc=$?
	if [[ $rc -eq $want ]] && grep -Eq -- "$re" <<<"$out"; then
		ok "$label (exit $want)"
		[[ $V == 1 ]] && diag_output "$out"
	else
		not_ok "$label (exit $want)"
		diag "exit $rc, stderr must match /$re/"
		diag_output "$out"
	fi
}

# routes: ipxr's IPv4 table as "DST TYPE" lines
routes() {
	"$IPXR" -n "$R" -j route show | jq -r '.[] | "\(.dst) \(.type // "unicast")"' | sort
}

lib_init ipxr-batch
[[ -x $IPXR ]] || bail "$IPXR is built (make asan)"
[[ -n $MAX ]] || bail "BATCH_LINE_MAX is read from ipxr/batch.h"
run netns_add "$R" || bail "namespace"
run ip -n "$R" link add r-eth0 type veth peer name r-eth1 || bail "veth"
run ip -n "$R" addr add "$R_IP0/24" dev r-eth0 && run ip -n "$R" addr add "$R_IP1/24" dev r-eth1 &&
	run ip -n "$R" link set r-eth0 up && run ip -n "$R" link set r-eth1 up || bail "addresses"
run ip netns exec "$R" sysctl -qw net.ipv4.conf.all.forwarding=1 || bail "forwarding"
run ip -n "$R" link set dev r-eth0 xdpdrv obj "$XDP_OBJ" sec xdp_router &&
	run ip -n "$R" link set dev r-eth1 xdpdrv obj "$XDP_OBJ" || bail "attach"
T=$LIB_TMP

# --- a read error is not an empty batch ---
batch "a directory: read error naming it" 1 "^$T:1: Error: cannot read \"$T\": Is a directory" "$T"
batch "a missing file: error naming it" 1 "\"$T/none\"" "$T/none"

# --- a file that is not text ---
batch "/dev/zero: NUL byte at line 1, at once" 1 '^/dev/zero:1: Error: a NUL byte' /dev/zero

printf 'route add 192.0.2.0/24 dev r-eth1\nroute add 192.0.3.0/24 dev r-eth1\0 blackhole\n' \
	>"$T/nul"
printf 'route add 192.0.4.0/24 dev r-eth1\n' >>"$T/nul"
batch "NUL byte: error at FILE:LINE" 1 "^$T/nul:2: Error: a NUL byte in column 34" "$T/nul"
expect_eq "NUL byte: the line before it ran, it and the lines after it did not" \
	"$(routes)" "192.0.2.0/24 unicast"
batch "NUL byte with -force: still an error, the rest not run" 1 "^$T/nul:2: Error: a NUL" \
	-force "$T/nul"
expect_eq "NUL byte with -force: no route of the NUL line, none after it" \
	"$(routes)" "192.0.2.0/24 unicast"

# a line of exactly the limit is a line (a comment here), one byte more is not
{
	echo 'route add 192.0.5.0/24 dev r-eth1'
	printf '#%*s\n' $((MAX - 1)) '' | tr ' ' x
	echo 'route add 192.0.6.0/24 dev r-eth1'
	printf '#%*s\n' "$MAX" '' | tr ' ' x
	echo 'route add 192.0.7.0/24 dev r-eth1'
} >"$T/long"
batch "a line of $((MAX + 1)) bytes: error at FILE:LINE" 1 \
	"^$T/long:4: Error: line longer than $MAX bytes" "$T/long"
expect_eq "long line: a line of $MAX bytes is read, nothing after the long one runs" \
	"$(routes)" "$(printf '%s\n' '192.0.2.0/24 unicast' '192.0.5.0/24 unicast' \
	'192.0.6.0/24 unicast')"
# continuation lines cannot make a command over the limit either
{
	printf 'route add 192.0.8.0/24 \\\n'
	for _ in $(seq 1 $((MAX / 64 + 1))); do printf '%63s\\\n' ''; done
	echo 'dev r-eth1'
} >"$T/cont"
batch "continued command over $MAX bytes: an error" 1 \
	"^$T/cont:[0-9]+: Error: command longer than $MAX bytes" "$T/cont"
# a line with no newline that never ends (bounded by the 3 s above)
batch "endless line from a pipe: an error" 1 "^/dev/fd/[0-9]+:1: Error: line longer than $MAX" \
	<(yes x | tr -d '\n' 2>/dev/null)
out=$(yes x | tr -d '\n' | timeout 3 "$IPXR" -n "$R" -b - 2>&1)
rc=$?
expect_eq "endless line on standard input: exit 1" "$rc" 1
expect_match "endless line on standard input: -:1: line longer" "^-:1: Error: line longer" "$out"

# --- what batch files are still works ---
cat >"$T/good" <<'EOF2'
# a comment line
route add 192.0.9.0/24 \
	dev r-eth1	# continued, with a comment
route add 192.0.10.0/24 dev r-eth9
route add blackhole 192.0.11.0/24

EOF2
batch "good file: stops at the failing line 4" 3 "^$T/good:4: Error: Cannot find device" "$T/good"
expect_eq "good file: continuation line joined" "$(routes | grep -c '^192.0.9.0/24 unicast$')" 1
expect_eq "good file: nothing after the failing line" "$(routes | grep -c '192.0.11.0')" 0
batch "good file -force: first failure's code" 3 "^$T/good:4: Error: Cannot find" -force "$T/good"
expect_eq "good file -force: goes on after the failing command" \
	"$(routes | grep -c '^192.0.11.0/24 blackhole$')" 1
out=$(printf 'route del 192.0.11.0/24\nroute del 192.0.9.0/24 # last line, no newline' |
	"$IPXR" -n "$R" -b - 2>&1)
expect_eq "standard input, last line without a newline: exit 0" "$?" 0
expect_eq "standard input: both lines ran" "$(routes | grep -c '192.0.\(9\|11\).0')" 0
lib_finish
