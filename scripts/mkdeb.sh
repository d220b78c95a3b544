#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make deb: the Debian package (debian/), built with dpkg-buildpackage -b -us -uc from a copy of
# the working tree, since dpkg-buildpackage runs "make clean" in the tree it builds, which would
# remove build/ and the test binaries here. The .deb, .buildinfo and .changes end in build/deb/,
# with lintian's report (lintian.txt); lintian must have nothing to say beyond the overrides in
# debian/ipxr.lintian-overrides, each explained there.
#
#	scripts/mkdeb.sh	(no root needed: Rules-Requires-Root: no)
set -euo pipefail
cd "$(dirname "$0")/.."

version=$(sed -n 's/^VERSION[[:space:]]*:= *//p' Makefile)
changelog=$(dpkg-parsechangelog -S Version)
if [[ $version != "$changelog" ]]; then
	echo "mkdeb: debian/changelog is at $changelog, the Makefile's VERSION at $version:" \
	     "add an entry for $version to debian/changelog" >&2
	exit 1
fi

out=build/deb
src=$out/src/ipxr-$version
rm -rf "$out"
mkdir -p "$src"
# the working tree as it is (committed or not), without what .gitignore leaves out
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git ls-files -z --cached --others --exclude-standard |
		while IFS= read -r -d '' f; do
			[[ -e $f ]] && printf '%s\0' "$f"
		done | tar -cf - --null -T - | tar -xf - -C "$src"
else
	tar -cf - --exclude=./build --exclude=./.git . | tar -xf - -C "$src"
fi
echo "mkdeb: dpkg-buildpackage -b -us -uc in $src"
if ! (cd "$src" && dpkg-buildpackage -b -us -uc) >"$out/build.log" 2>&1; then
	tail -n 40 "$out/build.log" >&2
	echo "mkdeb: dpkg-buildpackage failed; the whole log is $out/build.log" >&2
	exit 1
fi
mv "$out"/src/*.deb "$out"/src/*.buildinfo "$out"/src/*.changes "$out/"
rm -rf "$out/src"
deb=$(ls "$out"/ipxr_"$version"_*.deb)
echo "mkdeb: $deb"

# Lintian as a maintainer runs it; informational tags and overridden ones are not failures.
if command -v lintian >/dev/null 2>&1; then
	rc=0
	lintian --fail-on error,warning "$deb" >"$out/lintian.txt" 2>&1 || rc=$?
	if [[ $rc -ne 0 ]]; then
		cat "$out/lintian.txt" >&2
		echo "mkdeb: lintian: errors or warnings (above)" >&2
		exit 1
	fi
	echo "mkdeb: lintian: no errors, no warnings"
fi
