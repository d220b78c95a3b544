#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# readme.sh [LATEST.MD]: put a benchmark's results table (default bench/results/latest.md) into
# README.md's Performance section, between its two bench-results comment lines.
set -eu
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
md=${1:-$root/bench/results/latest.md}
readme=$root/README.md
if ! grep -q '^<!-- bench results:' "$readme" ||
	! grep -q '^<!-- end of bench results -->' "$readme"; then
	echo "readme.sh: no bench-results markers in $readme" >&2
	exit 1
fi
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
awk -v md="$md" '
	/^<!-- bench results:/ { print; while ((getline l < md) > 0) { sub(/^### /, "#### ", l); print l }
				 skip = 1; next }
	/^<!-- end of bench results -->/ { skip = 0 }
	!skip' "$readme" >"$tmp"
cat "$tmp" >"$readme"
