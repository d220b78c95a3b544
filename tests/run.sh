#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Run every ipxr test in order, as root, and add up their checks.
#
#	tests/run.sh			(`make test` builds what it needs first)
#	V=1 tests/run.sh		every test's whole output, not only its failures
#	ALLOW_MISSING=1 tests/run.sh	skip tests not written or built yet (never in CI)
#	IPXR=ipxr/ipxr tests/run.sh	another CLI binary (default build/asan/ipxr)
#
# Each test prints `ok - LABEL` / `not ok - LABEL` per check and `# ` diagnostics. The last line
# printed here is `N passed, N failed`; the exit status is non-zero if a check failed or a test
# exited non-zero (a test that dies without a `not ok` line counts as one failed check).

set -u

TESTS=(tests/test_parse tests/test_lpm tests/test_xdp tests/fuzz_xdp tests/test_nlroute
       tests/test_compile tests/test_walk tests/cli.sh tests/batch.sh tests/faults.sh tests/load.sh
       tests/e2e.sh tests/stats.sh tests/vethpeer.sh tests/e2e6.sh tests/slowpath.sh tests/sync.sh
       tests/sync6.sh tests/sync-tables.sh tests/ecmp.sh tests/attach.sh tests/e2e-bird.sh
       tests/vm.sh tests/fuzz.sh tests/consistency.sh tests/completion.sh tests/deps.sh
       tests/build.sh tests/deb.sh tests/bench-kern.sh)
TEST_TIMEOUT=${TEST_TIMEOUT:-600}	# seconds per test; each also bounds its own traffic

cd "$(dirname "$0")/.." || exit 1

if [[ $(id -u) -ne 0 ]]; then
	echo "tests/run.sh: must run as root: the tests load XDP programs, mount a bpffs and create" >&2
	echo "network namespaces (try: sudo make test)" >&2
	exit 1
fi

V=${V:-0}
export V
export IPXR=${IPXR:-build/asan/ipxr}

# Sanitizers: stop at the first error, with an exit code none of ipxr's own (0-4) can be
# mistaken for. Leak detection needs LeakSanitizer to work here (it does not under some
# ptrace-restricted sandboxes): probe it once with a program that leaks on purpose.
SAN_EXIT=86
lsan_works()
{
	local dir rc

	dir=$(mktemp -d) || return 1
	printf '%s\n' '#include <stdlib.h>' 'void *p;' \
		'int main(void) { p = malloc(7); p = 0; return 0; }' >"$dir/leak.c"
	if ! ${CC:-cc} -fsanitize=address -g -o "$dir/leak" "$dir/leak.c" 2>/dev/null; then
		rm -rf "$dir"
		return 1
	fi
	ASAN_OPTIONS=detect_leaks=1:exitcode=$SAN_EXIT "$dir/leak" >"$dir/out" 2>&1
	rc=$?
	# A working LSan reports the leak; a broken one dies with "LeakSanitizer has encountered a
	# fatal error" instead.
	grep -q 'detected memory leaks' "$dir/out" && [[ $rc -eq $SAN_EXIT ]]
	rc=$?
	rm -rf "$dir"
	return $rc
}
leaks=0
lsan_works && leaks=1
# Reports also go to files, so one is seen even when a test hides the CLI's stderr or expects it
# to fail: any report counts as a failed check of the test that ran it.
san_dir=$(mktemp -d) || exit 1
export ASAN_OPTIONS=${ASAN_OPTIONS:-halt_on_error=1:abort_on_error=0:exitcode=$SAN_EXIT:detect_leaks=$leaks:strict_string_checks=1:detect_stack_use_after_return=1:log_path=$san_dir/asan}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1:exitcode=$SAN_EXIT:log_path=$san_dir/ubsan}
echo "# IPXR=$IPXR"
echo "# ASAN_OPTIONS=$ASAN_OPTIONS"
echo "# UBSAN_OPTIONS=$UBSAN_OPTIONS"
[[ $leaks == 1 ]] || echo "# LeakSanitizer does not work here: leak detection off"

total_pass=0
total_fail=0
status=0
out=$(mktemp) || exit 1
trap 'rm -rf "$out" "$san_dir"' EXIT

# report NAME RC SECONDS: add up OUT's checks and print them
report()
{
	local name=$1 rc=$2 secs=$3 pass fail f

	for f in "$san_dir"/*; do
		[[ -f $f ]] || continue
		{
			echo "not ok - $name: no sanitizer report (${f##*/})"
			sed 's/^/# /' "$f"
		} >>"$out"
		rm -f "$f"
	done
	pass=$(grep -c '^ok - ' "$out")
	fail=$(grep -c '^not ok - ' "$out")
	if [[ $rc -ne 0 && $fail -eq 0 ]]; then
		echo "not ok - $name exited $rc" >>"$out"
		fail=1
	elif [[ $rc -eq 0 && $pass -eq 0 && $fail -eq 0 ]]; then
		echo "not ok - $name ran no checks" >>"$out"
		fail=1
	fi
	[[ $rc -eq 124 || $rc -eq 137 ]] && echo "# $name: killed after ${TEST_TIMEOUT}s" >>"$out"
	[[ $rc -eq $SAN_EXIT ]] && echo "# $name: exit $SAN_EXIT is a sanitizer report" >>"$out"
	[[ $rc -ne 0 || $fail -ne 0 ]] && status=1
	total_pass=$((total_pass + pass))
	total_fail=$((total_fail + fail))

	echo "== $name: $pass passed, $fail failed, exit $rc (${secs}s)"
	if [[ $V == 1 ]]; then
		cat "$out"
	elif [[ $fail -ne 0 || $rc -ne 0 ]]; then
		# each failed check with the diagnostics after it, and the test's last words
		awk '/^not ok - /{show = 1; print; next} /^ok - /{show = 0; next} show && /^#/{print}' "$out"
		echo "# last lines of $name:"
		tail -n 15 "$out" | sed 's/^/#   /'
	fi
}

for t in "${TESTS[@]}"; do
	if [[ ! -e $t ]]; then
		if [[ ${ALLOW_MISSING:-0} == 1 ]]; then
			echo "== $t: does not exist yet, skipped (ALLOW_MISSING=1)"
			continue
		fi
		echo "not ok - $t exists (build it with make test)" >"$out"
		report "$t" 1 0
		continue
	fi
	start=$SECONDS
	case $t in
	*.sh) timeout --kill-after=10 "$TEST_TIMEOUT" bash "$t" >"$out" 2>&1 ;;
	*) timeout --kill-after=10 "$TEST_TIMEOUT" "./$t" >"$out" 2>&1 ;;
	esac
	report "$t" $? $((SECONDS - start))
done

# The manual pages: mandoc's linter at warning level must have nothing to say.
shopt -s nullglob
pages=(man/*.8)
if [[ ${#pages[@]} -gt 0 ]]; then
	lint=$(mandoc -Tlint -Wwarning "${pages[@]}" 2>&1)
	if [[ -z $lint ]]; then
		echo "ok - mandoc -Tlint -Wwarning ${pages[*]} prints nothing" >"$out"
	else
		{
			echo "not ok - mandoc -Tlint -Wwarning ${pages[*]} prints nothing"
			printf '%s\n' "$lint" | sed 's/^/# /'
		} >"$out"
	fi
	report "mandoc lint" 0 0
fi

echo "$total_pass passed, $total_fail failed"
[[ $total_fail -eq 0 && $status -eq 0 ]]
