#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Every libFuzzer harness (build/fuzz/fuzz_*, from tests/fuzz/*.c) for FUZZ_TIME seconds from
# its seed corpus in tests/fuzz/corpus/NAME/, the inputs it finds kept in a temporary
# directory (the tree's corpus is not touched). A crash, a leak, a sanitizer report or a
# timeout is a failed check with the report and the input; each run prints libFuzzer's
# executions and coverage (cov: edges, ft: features).
#
#   FUZZ_TIME=60 bash tests/fuzz.sh      (make fuzz; make check runs it with 60 s a harness)
#   FUZZ_ONLY=fuzz_netlink bash tests/fuzz.sh    (one harness)
set -u
cd "$(dirname "$0")/.." || exit 1
FUZZ_TIME=${FUZZ_TIME:-60}
read -ra HARNESSES <<<"${FUZZ_ONLY:-fuzz_batch fuzz_netlink}"
IPXR=${IPXR:-build/asan/ipxr}
TMP=$(mktemp -d /tmp/ipxr-fuzz.XXXXXX) || exit 1
trap 'rm -rf "$TMP"' EXIT
nfail=0
leaks=1
[[ ${ASAN_OPTIONS:-} == *detect_leaks=0* ]] && leaks=0

for h in "${HARNESSES[@]}"; do
	bin=build/fuzz/$h
	seeds=tests/fuzz/corpus/${h#fuzz_}
	if [[ ! -x $bin ]]; then
		echo "not ok - $h is built (make $bin: clang with libFuzzer, Debian: libclang-rt-dev)"
		nfail=$((nfail + 1))
		continue
	fi
	if [[ ! -d $seeds ]] || [[ -z $(ls -A "$seeds") ]]; then
		echo "not ok - $h has a seed corpus in $seeds"
		nfail=$((nfail + 1))
		continue
	fi
	mkdir -p "$TMP/$h"
	# The grammar's words, from the help texts that list them (one source, never stale), as
	# a libFuzzer dictionary: mutations then splice in keywords rather than find them a byte
	# at a time.
	dict=()
	if [[ $h == fuzz_batch ]] && [[ -x $IPXR ]]; then
		{ "$IPXR" help; "$IPXR" route help; "$IPXR" nexthop help; } 2>&1 |
			grep -o '[a-z][a-z0-9]*' | sort -u | sed 's/.*/"&"/' >"$TMP/$h.dict"
		dict=(-dict="$TMP/$h.dict")
	fi
	# The sanitizers' reports go to this output, not to tests/run.sh's log files, so the
	# failure shows with its input; leaks are libFuzzer's to find (-detect_leaks), unless
	# tests/run.sh found LeakSanitizer broken here.
	ASAN_OPTIONS=halt_on_error=1:abort_on_error=0:detect_leaks=$leaks \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		timeout --kill-after=10 $((FUZZ_TIME + 60)) "$bin" -max_total_time="$FUZZ_TIME" \
		-print_final_stats=1 -timeout=10 -rss_limit_mb=2048 -detect_leaks="$leaks" \
		-artifact_prefix="$TMP/$h-" \
		"${dict[@]}" "$TMP/$h" "$seeds" >"$TMP/$h.log" 2>&1
	rc=$?
	done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$TMP/$h.log" | tail -n 1)
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$TMP/$h.log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$TMP/$h.log")
	cov=$(sed -n 's/.* cov: \([0-9]*\) ft: \([0-9]*\) .*/cov: \1 ft: \2/p' <<<"$done_line")
	artifacts=("$TMP/$h"-*)
	if [[ $rc -eq 0 && -n $done_line && ! -e ${artifacts[0]} ]]; then
		echo "ok - $h: ${FUZZ_TIME} s from $(ls "$seeds" | wc -l) seeds, no crash" \
			"(${execs:-?} executions, ${rate:-?}/s, ${cov:-no coverage line})"
	else
		echo "not ok - $h: ${FUZZ_TIME} s, no crash (exit $rc)"
		nfail=$((nfail + 1))
		grep -E -A 25 'ERROR: |runtime error|==[0-9]+== ?ERROR|Timeout|out-of-memory' \
			"$TMP/$h.log" | head -n 60 | sed 's/^/# /'
		for a in "${artifacts[@]}"; do
			[[ -e $a ]] || continue
			echo "# input ${a##*/} (base64): $(base64 -w0 "$a" | head -c 2000)"
		done
	fi
	echo "# $h: $done_line"
done
[[ $nfail -eq 0 ]]
