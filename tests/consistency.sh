#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# One source of truth for ipxr's words: `ipxr help`, `ipxr OBJECT help`, the man pages and the
# bash completion must list the same options, objects, commands and keywords, and the man pages the
# same pass reasons as bpf/ipxr_maps.h. Every set is extracted mechanically:
#
#   help        the grammar lines of `ipxr help` and `ipxr OBJECT help` (lines starting with
#               `ipxr` or `NAME :=`, with their indented continuations; other lines are prose)
#   man         the same grammar in the SYNOPSIS of ipxr(8) and ipxr-OBJECT(8), rendered by
#               mandoc, plus the tags of their OPTIONS, OBJECTS and COMMANDS sections
#   completion  what _ipxr offers, asked as bash asks it (COMP_WORDS, COMP_CWORD, COMP_LINE),
#               walking every keyword it offers a few words deep
#
# A word that one source has and another lacks fails a check that names the word and where it is
# missing, as the kernel's test_bpftool_synctypes.py does for bpftool. The pages must also be
# clean for `mandoc -Tlint` (every level, style included) and `groff -ww -z`, and render with
# `man -l`. The comparison is finally run on a completion and a page with one word added, which
# must fail, so that this test is known to be able to fail.
#
#   bash tests/consistency.sh                   (V=1 to print every set)
#   HELP_DIR=DIR bash tests/consistency.sh      help texts from DIR/{ipxr,route,nexthop,stats}.txt
#                                               instead of running $IPXR, to try a new help text
set -u
cd "$(dirname "$0")/.." || exit 1
ROOT=$PWD
IPXR=${IPXR:-build/asan/ipxr}
[[ $IPXR == /* ]] || IPXR=$ROOT/$IPXR
HELP_DIR=${HELP_DIR:-}
V=${V:-0}
TMP=$(mktemp -d /tmp/ipxr-consistency.XXXXXX) || exit 1
trap 'rm -rf "$TMP"' EXIT
npass=0
nfail=0

ok() {
	echo "ok - $*"
	npass=$((npass + 1))
}

nok() {
	echo "not ok - $*"
	nfail=$((nfail + 1))
}

diag() {
	printf '%s\n' "$@" | sed 's/^/# /'
}

# ---- extraction ------------------------------------------------------------------------------

# render PAGE: the page as plain text, lines unwrapped as far as 250 columns allow
render() {
	mandoc -Tascii -Owidth=250 "$1" | sed 's/.\x08//g'
}

# section TITLE: the body of the section (SH) titled TITLE of the rendered page on stdin
section() {
	awk -v t="$1" '/^[^ \t]/ { on = ($0 == t); next } on'
}

# tags PAGE TITLE: the tags of the indented lists (.TP, .TQ) in the section (.SH) TITLE of PAGE,
# up to its first subsection, as plain text: the words a reader sees in the margin
tags() {
	awk -v t="$2" '
		/^\.SH/ { s = $0; sub(/^\.SH[ \t]*/, "", s); gsub(/"/, "", s); on = (s == t); next }
		/^\.SS/ { on = 0; next }
		on && /^\.(TP|TQ)/ { tag = 1; next }
		on && tag {
			tag = 0; line = $0
			sub(/^\.[A-Z]+[ \t]*/, "", line)
			gsub(/\\f[BIRP]|\\&/, "", line)
			gsub(/\\-/, "-", line)
			gsub(/"/, " ", line)
			print line
		}' "$1"
}

# statements: grammar lines joined with their continuations, one per line, "Usage:" and
# parenthesised remarks dropped; any other line is prose and ends a statement
statements() {
	awk '
	function flush() { if (cur != "") print cur; cur = "" }
	{
		n = match($0, /[^ \t]/)
		line = $0
		sub(/^[ \t]*(Usage:[ \t]*)?/, "", line)
		if (line ~ /^ipxr([ \t]|$)/ || line ~ /^[A-Z][A-Z_]*[ \t]+:=/) {
			flush(); cur = line; ind = n
		} else if (cur != "" && n > ind) {
			cur = cur " " line
		} else {
			flush()
		}
	}
	END { flush() }' | sed -E 's/\([^()]*\)//g'
}

# tokens: each statement on stdin as its tokens separated by blanks; -V[ersion] becomes
# -Version, ADDRESS[/PLEN] ADDRESS, brackets, braces and bars are tokens of their own
tokens() {
	sed -E 's/(-[A-Za-z0-9]+)\[([a-z]+)\]/\1\2/g; s/\[\/[A-Z]+\]//g; s/([][{}|])/ \1 /g'
}

is_literal() { [[ $1 =~ ^[a-z][a-z0-9_]*$ ]]; }
is_nonterm() { [[ $1 =~ ^[A-Z][A-Z_]*$ ]]; }
is_option() { [[ $1 =~ ^-[A-Za-z0-9][A-Za-z0-9]*$ ]]; }

# words_of TOKEN...: append to WORDS the literal words TOKEN... stand for, nonterminals expanded
# through the productions in PROD (each expanded once per call, so a loop cannot hang)
words_of() {
	local t
	local -a body
	for t in "$@"; do
		if is_literal "$t"; then
			WORDS+=("$t")
		elif is_nonterm "$t" && [[ -n ${PROD[$t]+x} && -z ${EXPANDING[$t]-} ]]; then
			EXPANDING[$t]=1
			read -ra body <<<"${PROD[$t]}"
			words_of "${body[@]}"
			unset "EXPANDING[$t]"
		fi
	done
}

# put FILE WORD...: append the words to FILE, one per line
put() {
	local f=$1
	shift
	(($#)) && printf '%s\n' "$@" >>"$f"
	return 0
}

# grammar DIR: read grammar statements on stdin and write the sets they define to DIR:
#   options, optvals (literal values of options), objects, cmds.OBJ, kw.OBJ.CMD, and valkw (the
#   keywords and options followed by a value that is not a literal word: dev NAME, -n NAME)
grammar() {
	local dir=$1 stmt name obj i j n t f
	local -a tok usages=() group every=()
	local -A PROD=() EXPANDING=()
	local -a WORDS

	mkdir -p "$dir"
	: >"$dir/options"; : >"$dir/optvals"; : >"$dir/objects"; : >"$dir/valkw"
	while read -ra tok; do
		if [[ ${tok[1]-} == ":=" ]]; then
			PROD[${tok[0]}]=${tok[*]:2}
		elif ((${#tok[@]})); then
			usages+=("${tok[*]}")
		fi
	done < <(tokens)
	# a keyword or option followed by a nonterminal with no literal in it takes a free value
	for stmt in "${usages[@]}" "${PROD[@]}"; do
		read -ra tok <<<"$stmt"
		for ((i = 0; i + 1 < ${#tok[@]}; i++)); do
			t=${tok[i + 1]}
			is_literal "${tok[i]}" || is_option "${tok[i]}" || continue
			is_nonterm "$t" || continue
			WORDS=()
			words_of "$t"
			((${#WORDS[@]})) || put "$dir/valkw" "${tok[i]}"
		done
	done
	if [[ -n ${PROD[OPTIONS]+x} ]]; then
		read -ra tok <<<"${PROD[OPTIONS]}"
		for t in "${tok[@]}"; do
			is_option "$t" && put "$dir/options" "$t"
		done
		WORDS=()
		words_of "${tok[@]}"
		put "$dir/optvals" "${WORDS[@]}"
	fi
	WORDS=()
	words_of OBJECT
	put "$dir/objects" "${WORDS[@]}"
	for stmt in "${usages[@]}"; do
		read -ra tok <<<"$stmt"
		n=${#tok[@]}
		i=1
		# [ OPTIONS ] or other options before the object
		while ((i < n)); do
			if [[ ${tok[i]} == "[" && ${tok[i + 1]-} == OPTIONS &&
			      ${tok[i + 2]-} == "]" ]]; then
				((i += 3))
			elif [[ ${tok[i]} == "[" ]] && is_option "${tok[i + 1]-}"; then
				put "$dir/options" "${tok[i + 1]}"
				((i += 3))
			elif is_option "${tok[i]}"; then
				put "$dir/options" "${tok[i]}"
				((i++))
				is_nonterm "${tok[i]-}" && ((i++))
			else
				break
			fi
		done
		((i < n)) || continue
		if [[ ${tok[i]} == OBJECT ]]; then
			# ipxr [ OPTIONS ] OBJECT { COMMAND | help }: commands of every object
			for t in "${tok[@]:i+1}"; do
				is_literal "$t" && every+=("$t")
			done
			continue
		fi
		is_literal "${tok[i]}" || continue
		obj=${tok[i]}
		((i++))
		# the command: { a | b }, [ a | b ] or a word
		group=()
		if [[ ${tok[i]-} == "{" || ${tok[i]-} == "[" ]]; then
			for ((j = i + 1; j < n; j++)); do
				[[ ${tok[j]} == "}" || ${tok[j]} == "]" ]] && break
				is_literal "${tok[j]}" && group+=("${tok[j]}")
			done
			i=$((j + 1))
		elif is_literal "${tok[i]-}"; then
			group=("${tok[i]}")
			((i++))
		fi
		for name in "${group[@]}"; do
			put "$dir/cmds.$obj" "$name"
			: >>"$dir/kw.$obj.$name"
			WORDS=()
			words_of "${tok[@]:i}"
			put "$dir/kw.$obj.$name" "${WORDS[@]}"
		done
	done
	# "help" after every object, as the top-level usage says
	if ((${#every[@]})); then
		while read -r obj; do
			put "$dir/cmds.$obj" "${every[@]}"
		done <"$dir/objects"
	fi
	for f in "$dir"/{options,optvals,objects,valkw} "$dir"/cmds.* "$dir"/kw.*; do
		[[ -e $f ]] && sort -u -o "$f" "$f"
	done
	return 0
}

# ---- the completion, asked as bash asks ------------------------------------------------------

# complete WORD...: COMPREPLY for the command line "WORD... " (the last word is the one being
# completed; "" to complete a new word), split the way bash splits it, one word per line
complete_line() {
	local line="$*" w
	local -a cw=()

	for w in "$@"; do
		cw+=("$w")
	done
	COMP_WORDS=("${cw[@]}")
	COMP_CWORD=$((${#cw[@]} - 1))
	COMP_LINE=$line
	COMP_POINT=${#line}
	COMPREPLY=()
	_ipxr >/dev/null 2>&1
	printf '%s\n' "${COMPREPLY[@]}"
}

# completion_sets DIR FILE VALKW: the sets the completion FILE offers; VALKW lists the keywords
# whose value is free (not collected: device names, addresses, files)
completion_sets() {
	local dir=$1 file=$2 valkw=$3 o obj cmd w state prog key depth s
	local -a queue next words
	local -A seen_state free found

	mkdir -p "$dir"
	# The completion asks the command being completed for live data (prefixes, next hops):
	# here a command that does not exist, so it offers only the grammar's words.
	prog=$TMP/no-such-ipxr
	mapfile -t words <"$valkw"
	for w in "${words[@]}"; do
		free[$w]=1
	done
	# shellcheck disable=SC1090
	source "$file" || return 1
	declare -F _ipxr >/dev/null || return 1
	complete_line "$prog" - | grep -E '^-' | sort -u >"$dir/options"
	complete_line "$prog" "" | sort -u >"$dir/objects"
	# after an option without a value the objects come next: the rest is the option's values
	: >"$dir/optvals"
	for o in $(cat "$dir/options"); do
		[[ -n ${free[$o]-} ]] && continue
		complete_line "$prog" "$o" "" | grep -E '^[a-z][a-z0-9_]*$' |
			grep -vxFf "$dir/objects" >>"$dir/optvals"
	done
	sort -u -o "$dir/optvals" "$dir/optvals"
	# "ipxr help" is offered with the objects, but is not one
	sed -i '/^help$/d' "$dir/objects"
	for obj in $(cat "$dir/objects"); do
		complete_line "$prog" "$obj" "" | sort -u >"$dir/cmds.$obj"
		for cmd in $(cat "$dir/cmds.$obj"); do
			# breadth first over the keywords offered, two keywords deep: every state
			# is a set of words typed after the command
			queue=("")
			seen_state=()
			found=()
			for ((depth = 0; depth <= 2 && ${#queue[@]}; depth++)); do
				next=()
				for state in "${queue[@]}"; do
					# shellcheck disable=SC2086
					complete_line "$prog" "$obj" "$cmd" $state "" >"$TMP/reply"
					mapfile -t words <"$TMP/reply"
					for w in "${words[@]}"; do
						is_literal "$w" || continue
						found[$w]=1
						[[ " $state " == *" $w "* ]] && continue
						s="$state $w"
						# a free value after the keyword: any word will do
						[[ -n ${free[$w]-} ]] && s+=" x1"
						# shellcheck disable=SC2086
						sorted_words $s
						key=$REPLY
						[[ -n ${seen_state[$key]-} ]] && continue
						seen_state[$key]=1
						next+=("$s")
					done
				done
				queue=("${next[@]}")
			done
			printf '%s\n' "${!found[@]}" | sed '/^$/d' | sort >"$dir/kw.$obj.$cmd"
		done
	done
}

# sorted_words WORD...: REPLY is the words in order, on one line (no subshell: this runs for
# every word the completion offers)
sorted_words() {
	local -a a=("$@")
	local i j t
	for ((i = 1; i < ${#a[@]}; i++)); do
		for ((j = i; j > 0; j--)); do
			[[ ${a[j - 1]} > ${a[j]} ]] || break
			t=${a[j]} a[j]=${a[j - 1]} a[j - 1]=$t
		done
	done
	REPLY="${a[*]}"
}

# ---- comparison ------------------------------------------------------------------------------

# compare WHAT NAME:FILE...: every word of any FILE must be in all of them; a missing FILE is
# an empty set. One ok line when they agree, one not ok line per word missing somewhere.
compare() {
	local what=$1 w src i bad=0
	local -a names=() list all missing present
	local -A has=() union=()
	shift
	i=0
	for src in "$@"; do
		names[i]=${src%%:*}
		list=()
		[[ -f ${src#*:} ]] && mapfile -t list <"${src#*:}"
		for w in "${list[@]}"; do
			[[ -n $w ]] || continue
			has[$i.$w]=1
			union[$w]=1
		done
		((i++))
	done
	mapfile -t all < <(printf '%s\n' "${!union[@]}" | sed '/^$/d' | sort)
	for w in "${all[@]}"; do
		missing=() present=()
		for ((i = 0; i < ${#names[@]}; i++)); do
			if [[ -n ${has[$i.$w]-} ]]; then
				present+=("${names[i]}")
			else
				missing+=("${names[i]}")
			fi
		done
		if ((${#missing[@]})); then
			nok "$what: \"$w\" is missing from $(join_by ', ' "${missing[@]}")" \
			    "(present in $(join_by ', ' "${present[@]}"))"
			bad=1
		fi
	done
	((bad)) || ok "$what agree in $(join_by ', ' "${names[@]}"): ${all[*]}"
	return $bad
}

join_by() {
	local sep=$1 out=$2
	shift 2
	for w in "$@"; do
		out+="$sep$w"
	done
	printf '%s' "$out"
}

# check_sources HELP MAN COMP MANDIR: compare the sets extracted into the first three directories
check_sources() {
	local help=$1 man=$2 comp=$3 mandir=$4 obj cmd objs cmds work

	compare "global options" "ipxr help:$help/top/options" \
		"ipxr(8) SYNOPSIS:$man/top/options" "ipxr(8) OPTIONS:$man/top/optsection" \
		"completion:$comp/options"
	compare "option values" "ipxr help:$help/top/optvals" \
		"ipxr(8) SYNOPSIS:$man/top/optvals" "completion:$comp/optvals"
	compare "objects" "ipxr help:$help/top/objects" "ipxr(8) SYNOPSIS:$man/top/objects" \
		"ipxr(8) OBJECTS:$man/top/objsection" "man pages:$man/pages" \
		"completion:$comp/objects"
	objs=$(cat "$help/top/objects" "$man/top/objects" "$comp/objects" 2>/dev/null | sort -u)
	for obj in $objs; do
		# the top-level usage's "OBJECT { COMMAND | help }" holds for every object
		work=$(mktemp -d "$TMP/cmds.XXXXXX")
		cat "$help/top/cmds.$obj" "$help/$obj/cmds.$obj" 2>/dev/null | sort -u >"$work/help"
		cat "$man/top/cmds.$obj" "$man/$obj/cmds.$obj" 2>/dev/null | sort -u >"$work/man"
		compare "$obj commands" "ipxr $obj help:$work/help" \
			"ipxr-$obj(8) SYNOPSIS:$work/man" "completion:$comp/cmds.$obj"
		if grep -qs '^\.SH COMMANDS' "$mandir/ipxr-$obj.8"; then
			compare "$obj commands" "ipxr-$obj(8) SYNOPSIS:$work/man" \
				"ipxr-$obj(8) COMMANDS:$man/$obj/cmdsection"
		fi
		cmds=$(cat "$work/help" "$work/man" "$comp/cmds.$obj" 2>/dev/null | sort -u)
		for cmd in $cmds; do
			compare "$obj $cmd keywords" "ipxr $obj help:$help/$obj/kw.$obj.$cmd" \
				"ipxr-$obj(8) SYNOPSIS:$man/$obj/kw.$obj.$cmd" \
				"completion:$comp/kw.$obj.$cmd"
		done
	done
}

# man_sets DIR MANDIR: the sets of the pages in MANDIR
man_sets() {
	local dir=$1 mandir=$2 obj page

	render "$mandir/ipxr.8" | section SYNOPSIS | statements | grammar "$dir/top"
	# each OPTIONS tag names its option, short and long: keep the long spelling
	tags "$mandir/ipxr.8" OPTIONS | tokens | awk '
		{ best = ""
		  for (i = 1; i <= NF; i++)
			if ($i ~ /^-[A-Za-z0-9]/ && length($i) > length(best))
				best = $i
		  if (best != "") print best }' | sort -u >"$dir/top/optsection"
	tags "$mandir/ipxr.8" OBJECTS | awk '{ print $1 }' | sort -u >"$dir/top/objsection"
	: >"$dir/pages"
	for page in "$mandir"/ipxr-*.8; do
		obj=${page##*/ipxr-}
		obj=${obj%.8}
		echo "$obj" >>"$dir/pages"
		render "$page" | section SYNOPSIS | statements | grammar "$dir/$obj"
		tags "$page" COMMANDS | awk '{ print $1 }' | sort -u >"$dir/$obj/cmdsection"
	done
	sort -u -o "$dir/pages" "$dir/pages"
}

# help_sets DIR: the sets of ipxr's help texts
help_sets() {
	local dir=$1 obj text

	for obj in ipxr route nexthop stats; do
		if [[ -n $HELP_DIR ]]; then
			text=$(cat "$HELP_DIR/$obj.txt") || return 1
		elif [[ $obj == ipxr ]]; then
			text=$("$IPXR" help) || return 1
		else
			text=$("$IPXR" "$obj" help) || return 1
		fi
		[[ $obj == ipxr ]] && obj=top
		statements <<<"$text" | grammar "$dir/$obj"
	done
	# objects beyond the three asked above: their help too
	for obj in $(cat "$dir/top/objects"); do
		[[ -d $dir/$obj ]] && continue
		if [[ -n $HELP_DIR ]]; then
			text=$(cat "$HELP_DIR/$obj.txt" 2>/dev/null)
		else
			text=$("$IPXR" "$obj" help 2>/dev/null)
		fi
		statements <<<"$text" | grammar "$dir/$obj"
	done
}

show_sets() {
	local f
	[[ $V == 1 ]] || return 0
	for f in $(find "$1" -type f | sort); do
		diag "${f#"$TMP"/}: $(tr '\n' ' ' <"$f")"
	done
}

# ---- the pages themselves --------------------------------------------------------------------

for t in mandoc groff man; do
	command -v "$t" >/dev/null || { nok "$t is installed (scripts/deps.sh test)"; }
done
[[ -n $HELP_DIR || -x $IPXR ]] || { nok "$IPXR is built (make asan)"; exit 1; }

pages=(man/*.8)
for page in "${pages[@]}"; do
	out=$(mandoc -Tlint -Wstyle "$page" 2>&1)
	if [[ -z $out ]]; then
		ok "$page: mandoc -Tlint -Wstyle says nothing"
	else
		nok "$page: mandoc -Tlint -Wstyle says nothing"
		diag "$out"
	fi
	out=$(groff -man -ww -z "$page" 2>&1)
	if [[ -z $out ]]; then
		ok "$page: groff -man -ww -z says nothing"
	else
		nok "$page: groff -man -ww -z says nothing"
		diag "$out"
	fi
	name=${page##*/}
	name=${name%.8}
	out=$(MANWIDTH=80 man -l -P cat "$page" 2>&1 >"$TMP/man.raw")
	sed 's/.\x08//g' "$TMP/man.raw" >"$TMP/man.out"
	if [[ -z $out ]] && grep -q "^NAME" "$TMP/man.out" &&
	   grep -Eq "^ +$name +- " "$TMP/man.out"; then
		ok "$page: man -l renders it (NAME: $name)"
	else
		nok "$page: man -l renders it (NAME: $name)"
		diag "$out" "$(head -5 "$TMP/man.out")"
	fi
done

# ---- help, man and completion agree ----------------------------------------------------------

help_sets "$TMP/help" || nok "ipxr help and ipxr OBJECT help print their usage"
man_sets "$TMP/man" man
cat "$TMP"/help/*/valkw "$TMP"/man/*/valkw | sort -u >"$TMP/valkw"
(completion_sets "$TMP/comp" completion/ipxr "$TMP/valkw") ||
	nok "completion/ipxr defines _ipxr"
show_sets "$TMP/help"
show_sets "$TMP/man"
show_sets "$TMP/comp"
check_sources "$TMP/help" "$TMP/man" "$TMP/comp" man

# ---- the pass reasons: the header's list is the source ---------------------------------------

sed -n 's/^[[:space:]]*X([A-Z_0-9]*,[[:space:]]*"\([a-z_0-9]*\)".*/\1/p' bpf/ipxr_maps.h |
	sort -u >"$TMP/reasons.h"
[[ -s $TMP/reasons.h ]] || nok "bpf/ipxr_maps.h: IPXR_STAT_LIST has reasons"
tags man/ipxr-stats.8 REASONS | awk '{ print $1 }' | sort -u >"$TMP/reasons.stats"
tags man/ipxr-route.8 "THE FAST PATH" | awk '{ print $1 }' | sort -u >"$TMP/reasons.route"
tags man/xdp_router.8 COUNTERS | awk '{ print $1 }' | sort -u >"$TMP/reasons.xdp"
compare "pass reasons" "bpf/ipxr_maps.h IPXR_STAT_LIST:$TMP/reasons.h" \
	"ipxr-stats(8) REASONS:$TMP/reasons.stats" \
	"ipxr-route(8) THE FAST PATH:$TMP/reasons.route" \
	"xdp_router(8) COUNTERS:$TMP/reasons.xdp"

# ---- this test can fail ----------------------------------------------------------------------

# A completion that offers one keyword more, and a page whose grammar has one more, must each
# fail the comparison, naming the word and where it is missing.
self_test() {
	local what=$1 out
	shift
	out=$("$@" 2>&1)	# a subshell: its checks do not count here
	if grep -q '^not ok - .*"ipxrbogus" is missing from' <<<"$out"; then
		ok "self-test: $what is caught: $(grep -m1 '^not ok - .*ipxrbogus' <<<"$out" |
			sed 's/^not ok - //')"
	else
		nok "self-test: $what is caught"
		diag "$out"
	fi
}
sed 's/nexthop\/show | nexthop\/list)/&\n\t\tkw+=" ipxrbogus"/' completion/ipxr \
	>"$TMP/bogus.completion"
self_test "a keyword only the completion offers" eval '
	completion_sets "$TMP/comp2" "$TMP/bogus.completion" "$TMP/valkw" >/dev/null
	check_sources "$TMP/help" "$TMP/man" "$TMP/comp2" man'
mkdir -p "$TMP/man2"
cp man/*.8 "$TMP/man2/"
sed -i 's/^\(\.RB "{ " show " | " list " } \[ \)" id$/\1" ipxrbogus " ] [ " id/' \
	"$TMP/man2/ipxr-nexthop.8"
self_test "a keyword only ipxr-nexthop(8) has" eval '
	man_sets "$TMP/man3" "$TMP/man2"
	check_sources "$TMP/help" "$TMP/man3" "$TMP/comp" "$TMP/man2"'

diag "$(basename "$0"): $npass passed, $nfail failed"
((nfail == 0))
