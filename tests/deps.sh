#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/deps.sh installs every command the scripts run: on a minimal Debian (debootstrap
# minbase: the Essential and priority-required packages, and apt) `make demo`, `make check` and
# `make bench` must not stop at a missing tool. tests/shcmds.awk reads the scripts of scripts/,
# tests/, bench/ and .ci/ and names each command they run and what for (test, demo, bench, ...);
# each must be a builtin, a function of the scripts, or a program from an Essential or
# priority-required package or from a package deps.sh names for that purpose. A failure names
# the command, where it is run and the package to add.
#
#   bash tests/deps.sh          (V=1: every command with its package)
set -u
cd "$(dirname "$0")/.." || exit 1
ROOT=$PWD
TMP=$(mktemp -d /tmp/ipxr-deps.XXXXXX) || exit 1
trap 'rm -rf "$TMP"' EXIT
npass=0
nfail=0

ok() {
	echo "ok - $1"
	npass=$((npass + 1))
}

nok() {
	echo "not ok - $1"
	nfail=$((nfail + 1))
}

diag() {
	printf '# %s\n' "$@"
}

# What runs each script, as a scripts/deps.sh purpose. A library's own purpose is that of its
# directory; the files sourcing it and the functions calling into it add theirs. A new script
# must be placed here, so that its commands are checked against the right list; one that runs
# elsewhere (a guest system's init, say) has no purpose of its own: echo "".
purpose_of() {
	case $1 in
	scripts/demo.sh) echo demo ;;
	scripts/deps.sh) echo build ;;
	scripts/check-fresh.sh) echo fresh ;;
	scripts/mkdeb.sh) echo deb ;;
	tests/* | .ci/*) echo test ;;
	bench/*) echo bench ;;
	completion/*) echo "" ;;	# run by whoever sources it
	*) return 1 ;;
	esac
}

# Functions the scripts call that shcmds.awk cannot see defined: tests/consistency.sh sources the
# completion file it is handed ("$file"), which defines _ipxr.
ALLOW=(_ipxr)

# scripts DIR: the shell scripts of DIR's tree, relative to DIR
scripts() {
	local f

	(cd "$1" && find scripts tests bench .ci completion -type f 2>/dev/null | LC_ALL=C sort |
	while IFS= read -r f; do
		if [[ $f == *.sh ]] || head -n 1 "$f" | grep -Eq '^#!.*\<(ba)?sh\>' ||
		   grep -q '^# shellcheck shell=bash' "$f"; then
			echo "$f"
		fi
	done)
}

# owners PATH...: "PATH<TAB>PACKAGE" for each path some package owns. A program may be reached
# through an alternatives link, and with usrmerge a package may own /bin/x for /usr/bin/x: try
# the path, its target, and both with and without /usr.
owners() {
	local p c
	local -a cands=()

	for p in "$@"; do
		for c in "$p" "$(readlink -f "$p")"; do
			cands+=("$c")
			case $c in
			/usr/bin/* | /usr/sbin/*) cands+=("${c#/usr}") ;;
			/bin/* | /sbin/*) cands+=("/usr$c") ;;
			esac
		done
	done
	dpkg -S "${cands[@]}" 2>/dev/null | sed -n 's/^\([^:]*\): \(\/.*\)$/\2\t\1/p' |
		sed 's/, /,/g'
}

# base PACKAGE: PACKAGE is on every Debian (Essential: yes or Priority: required)
declare -A BASE=()
base() {
	if [[ -z ${BASE[$1]-} ]]; then
		BASE[$1]=no
		case $(dpkg-query -W -f '${Essential} ${Priority}' "$1" 2>/dev/null) in
		yes* | *required) BASE[$1]=yes ;;
		esac
	fi
	[[ ${BASE[$1]} == yes ]]
}

# problems DIR: check DIR's tree; one "ok<TAB>TEXT" or "not ok<TAB>TEXT" line per command
problems() {
	local dir=$1 f p map='' file line cmd purposes path pkgs pkg purpose list where
	local -a files paths
	local -A seen where_of purposes_of builtin
	local -A covered_by_name covered_by_pkg

	mapfile -t files < <(scripts "$dir")
	for f in "${files[@]}"; do
		if ! p=$(purpose_of "$f"); then
			printf 'not ok\t%s: no scripts/deps.sh purpose in tests/deps.sh purpose_of\n' "$f"
			continue
		fi
		map+="$f=$p;"
	done
	# every purpose's list, as deps.sh prints it
	for purpose in build test demo bench fresh deb; do
		list=$(bash "$dir/scripts/deps.sh" "$purpose" --list) || {
			printf 'not ok\tscripts/deps.sh %s --list\n' "$purpose"
			return
		}
		while IFS=: read -r what pkg; do
			covered_by_name[$purpose:$what]=1
			covered_by_pkg[$purpose:$pkg]=1
		done <<<"$list"
	done
	while read -r cmd; do
		builtin[$cmd]=1
	done < <(compgen -b; compgen -k)
	for cmd in "${ALLOW[@]}"; do
		builtin[$cmd]=1
	done
	# one line per command: where it is first run, and every purpose it is run for
	while IFS=$'\t' read -r file line cmd purposes; do
		[[ -n ${builtin[$cmd]-} ]] && continue
		if [[ -z ${seen[$cmd]-} ]]; then
			seen[$cmd]=1
			where_of[$cmd]=$file:$line
			purposes_of[$cmd]=
		fi
		for p in ${purposes//,/ }; do
			[[ -n ${where_of[$cmd:$p]-} ]] && continue
			where_of[$cmd:$p]=$file:$line
			purposes_of[$cmd]+=${purposes_of[$cmd]:+,}$p
		done
	done < <(cd "$dir" && awk -v purposes="$map" -f "$ROOT/tests/shcmds.awk" "${files[@]}")

	local -A path_of pkgs_of
	for cmd in "${!seen[@]}"; do
		if [[ $cmd == /* ]]; then
			path=$cmd
		else
			path=$(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
				type -P "$cmd") || path=
		fi
		path_of[$cmd]=$path
	done
	mapfile -t paths < <(printf '%s\n' "${path_of[@]}" | grep .)
	while IFS=$'\t' read -r path pkgs; do
		pkgs_of[$path]+="${pkgs_of[$path]:+ }${pkgs//,/ }"
	done < <(owners "${paths[@]}")

	for cmd in $(printf '%s\n' "${!seen[@]}" | sort); do
		where=${where_of[$cmd]}
		path=${path_of[$cmd]}
		pkgs=
		if [[ -n $path ]]; then
			for p in "$path" "$(readlink -f "$path")" "${path#/usr}" "/usr$path"; do
				for pkg in ${pkgs_of[$p]-}; do
					[[ ,$pkgs, == *,$pkg,* ]] || pkgs+=${pkgs:+,}$pkg
				done
			done
		fi
		# a program of a package every Debian has needs no list
		for pkg in ${pkgs//,/ }; do
			if base "$pkg"; then
				printf 'ok\t%s (%s, on every Debian)\n' "$cmd" "$pkg"
				continue 2
			fi
		done
		local missing=
		for purpose in ${purposes_of[$cmd]//,/ }; do
			[[ -n ${covered_by_name[$purpose:$cmd]-} ]] && continue
			for pkg in ${pkgs//,/ }; do
				[[ -n ${covered_by_pkg[$purpose:$pkg]-} ]] && continue 2
			done
			# where it is run for the first purpose that lacks it
			[[ -z $missing ]] && where=${where_of[$cmd:$purpose]}
			missing+=${missing:+, }$purpose
		done
		if [[ -z $missing ]]; then
			printf 'ok\t%s (%s, for %s)\n' "$cmd" "${pkgs:-not installed here}" \
				"${purposes_of[$cmd]:-nothing}"
			continue
		fi
		printf 'not ok\t%s (%s, run for %s) ' "$cmd" "$where" "${purposes_of[$cmd]}"
		if [[ -n $pkgs ]]; then
			printf 'is in %s, which scripts/deps.sh does not install for %s: add %s:%s to its list\n' \
				"$pkgs" "$missing" "$cmd" "${pkgs%%,*}"
		elif [[ -n $path ]]; then
			printf 'is %s, which no package owns: scripts/deps.sh cannot install it\n' "$path"
		else
			printf 'is not installed, and scripts/deps.sh does not install it for %s: %s\n' \
				"$missing" "add $cmd:PACKAGE to its list"
		fi
	done
}

report() {	# report LABEL-PREFIX: problems' lines as checks
	local verdict text

	while IFS=$'\t' read -r verdict text; do
		if [[ $verdict == ok ]]; then
			ok "$1$text"
		else
			nok "$1$text"
		fi
	done
}

if ! command -v dpkg >/dev/null; then
	echo "not ok - dpkg is installed (the package check is Debian's)"
	exit 1
fi

# --- the extractor itself, on a script with every construct it must tell apart ---
cat >"$TMP/fixture.sh" <<'EOF'
#!/usr/bin/env bash
# notacommand1 in a comment
x=$(cmd_subst | cmd_pipe2) && cmd_and "$(cmd_in_dq "$(cmd_nested)")" || { cmd_brace; }
case $x in
notacommand2 | notacommand3) cmd_case arg ;;
*) cmd_case2; cmd_case3 ;;
esac
cat <<EOT
notacommand4 $(cmd_heredoc)
EOT
cat <<'EOT'
notacommand5 $(notacommand6)
EOT
for i in notacommand7 $(cmd_for_list); do cmd_loop "$i"; done
[[ -x notacommand8 && $(cmd_cond) ]] && cmd_after_cond
A=1 B=2 cmd_after_assign notacommand9
echo 'notacommand10; notacommand11' "notacommand12 | notacommand13" >/dev/null 2>&1
runs() { local a=$1; shift; timeout -k 2 5 ip netns exec "$a" "$@"; }
runs2() { runs ns "$@"; }
runs2 cmd_through_runners arg
wrap=(setpriv --reuid=1)
"${wrap[@]}" env A=1 cmd_after_env
sh -c 'cmd_in_sh_c | cmd_in_sh_c2'
trap 'cmd_in_trap' EXIT
while read -r l; do cmd_while; done < <(cmd_procsub)
if ! cmd_if; then cmd_then; elif cmd_elif; then :; else cmd_else; fi
(( x > 1 )) && cmd_after_arith
`cmd_backtick`
"${CLANG:-cmd_default}" -c
find . -name x -exec cmd_find_exec {} +
cmd_cont \
	notacommand14
function kw_func { cmd_in_kw_func; }
kw_func notacommand15
read -r a <<<"$(cmd_herestring)"
v=$(<"$file")
[[ $a < $b || ( -n $(cmd_in_cond_group) ) ]] && cmd_after_lt
case $v in (p1) cmd_paren_pattern ;& p2 | "p)3") cmd_fallthrough ;; esac
arr=($(cmd_in_array) notacommand16)
command -v notacommand17 >/dev/null
exec 3>/dev/null
exec {fd}>/dev/null
xargs -n 1 cmd_xargs </dev/null
echo "${v:-$(cmd_in_default)}" >&2
EOF
cat >"$TMP/fixture.want" <<'EOF'
:
cat
cmd_after_arith
cmd_after_assign
cmd_after_cond
cmd_after_env
cmd_after_lt
cmd_and
cmd_backtick
cmd_brace
cmd_case
cmd_case2
cmd_case3
cmd_cond
cmd_cont
cmd_default
cmd_elif
cmd_else
cmd_fallthrough
cmd_find_exec
cmd_for_list
cmd_heredoc
cmd_herestring
cmd_if
cmd_in_array
cmd_in_cond_group
cmd_in_default
cmd_in_dq
cmd_in_kw_func
cmd_in_sh_c
cmd_in_sh_c2
cmd_in_trap
cmd_loop
cmd_nested
cmd_paren_pattern
cmd_pipe2
cmd_procsub
cmd_subst
cmd_then
cmd_through_runners
cmd_while
cmd_xargs
command
echo
env
exec
find
ip
local
read
setpriv
sh
shift
timeout
trap
xargs
EOF
awk -f tests/shcmds.awk "$TMP/fixture.sh" | cut -f3 | LC_ALL=C sort -u >"$TMP/fixture.got"
if diff -u "$TMP/fixture.want" "$TMP/fixture.got" >"$TMP/fixture.diff"; then
	ok "extractor: the commands of a script with every construct, and only those"
else
	nok "extractor: the commands of a script with every construct, and only those"
	sed 's/^/# /' "$TMP/fixture.diff"
fi

# --- the tree ---
problems "$ROOT" >"$TMP/tree"
report "deps: " <"$TMP/tree"
[[ -s $TMP/tree ]] || nok "deps: the scripts run some command"

# --- self-test: a command deps.sh does not install for that purpose must fail ---
# man (man-db) is installed for the tests only: the demo running it must fail, naming both.
copy=$TMP/copy
mkdir -p "$copy"
cp -r scripts tests bench completion "$copy/" 2>/dev/null
mkdir -p "$copy/.ci" && cp .ci/* "$copy/.ci/"
# shellcheck disable=SC2016 # the text of a command for the copy, not expanded here
printf '%s\n' 'note "$(man -w ipxr 2>/dev/null | head -n 1)"' >>"$copy/scripts/demo.sh"
# and a program no package provides, in a pipeline of a library's function
sed -i 's/^diag_output()$/&\n{ ipxr-no-such-tool | true; }\nunused()/' "$copy/tests/lib.sh"
problems "$copy" >"$TMP/copy.out"
re='^not ok	man (scripts/demo.sh:[0-9]*, run for [a-z,]*) is in man-db, .* for demo: add man:man-db'
if grep -q "$re" "$TMP/copy.out"; then
	ok "self-test: man run by the demo is caught, with the package to add"
else
	nok "self-test: man run by the demo is caught, with the package to add"
	grep -v '^ok' "$TMP/copy.out" | sed 's/^/# /'
fi
re='^not ok	ipxr-no-such-tool (tests/lib.sh:[0-9]*, run for .*) is not installed'
if grep -q "$re" "$TMP/copy.out"; then
	ok "self-test: a command no package provides is caught"
else
	nok "self-test: a command no package provides is caught"
	grep -v '^ok' "$TMP/copy.out" | sed 's/^/# /'
fi

echo "# $npass passed, $nfail failed"
[[ $nfail -eq 0 ]]
