#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The bash completion (completion/ipxr) on real cases: a router namespace of its own with two
# ports running bpf/xdp_router.o, routes of both families written with the CLI under test, and
# _ipxr asked exactly as bash asks it: COMP_WORDS split where bash splits them (blanks, and runs
# of ':' and '=' from COMP_WORDBREAKS, so "2001:db8::/64" is five words), COMP_CWORD, COMP_LINE
# and COMP_POINT; COMPREPLY is compared with what must be offered. Two cases go through readline
# itself (an interactive bash under script(1)) to see the line it completes. Last, `make install`
# into a scratch DESTDIR must put the pages in man8 and the completion where bash-completion
# loads it from.
#
#	tests/completion.sh	(root; IPXR=path/to/ipxr, default build/asan/ipxr; V=1 verbose)

# shellcheck source=tests/lib.sh
source "$(dirname "$0")/lib.sh"

P0=veth-cmpl0		# the router's ports: names no other namespace here has
P1=veth-cmpl1

if [[ ! -x $IPXR ]]; then
	echo "not ok - the CLI under test $IPXR exists (make asan)"
	exit 1
fi
lib_init ipxr-cmpl
# the CLI under test is a sanitizer build, on a machine that may be busy with other tests
export IPXR_COMPLETION_TIMEOUT=30
# The command word the completion is given, and runs for live data: a link to the CLI under test
# in this test's directory, one word wherever the clone lives (its path may hold a blank).
if ! mkdir -p "$LIB_TMP/bin" || ! ln -sf "$IPXR" "$LIB_TMP/bin/ipxr"; then
	bail "a link to $IPXR in $LIB_TMP/bin"
fi
CMD=$LIB_TMP/bin/ipxr

# ---- asking the completion as bash does ----------------------------------------------------------

# shellcheck source=completion/ipxr
source "$ROOT/completion/ipxr"

# comp LINE: COMPREPLY for LINE typed up to its end (a trailing blank starts a new word), sorted,
# on one line; the command word is $CMD, the CLI under test
comp()
{
	local line="$CMD $1" tok piece
	local -a words=()

	for tok in $line; do
		# bash makes a word of each run of word-break characters, and of what lies between
		while [[ -n $tok ]]; do
			if [[ $tok == [:=]* ]]; then
				piece=${tok%%[!:=]*}
			else
				piece=${tok%%[:=]*}
			fi
			words+=("$piece")
			tok=${tok#"$piece"}
		done
	done
	[[ $line == *' ' ]] && words+=("")
	COMP_WORDS=("${words[@]}")
	COMP_CWORD=$((${#words[@]} - 1))
	COMP_LINE=$line
	COMP_POINT=${#line}
	COMPREPLY=()
	_ipxr
	printf '%s\n' "${COMPREPLY[@]}" | sed '/^$/d' | sort | tr '\n' ' ' | sed 's/ $//'
}

# offers LABEL LINE WANT: COMPREPLY for LINE is exactly the words of WANT
offers()
{
	local want

	want=$(tr -s ' \t\n' '\n' <<<"$3" | sed '/^$/d' | sort -u | tr '\n' ' ' | sed 's/ $//')
	expect_eq "$1: ipxr $2<TAB> offers [$want]" "$(comp "$2")" "$want"
}

# offers_some LABEL LINE WORD...: COMPREPLY for LINE has every WORD
# offers_none LABEL LINE WORD...: COMPREPLY for LINE has none of them
has_words()
{
	local want=$1 label=$2 line=$3 got w bad=
	shift 3

	got=" $(comp "$line") "
	for w in "$@"; do
		if [[ $want == yes && $got != *" $w "* ]] ||
		   [[ $want == no && $got == *" $w "* ]]; then
			bad+=" $w"
		fi
	done
	if [[ -z $bad ]]; then
		ok "$label"
		[[ $V == 1 ]] && diag "ipxr $line<TAB> -> [${got# }]"
	else
		not_ok "$label"
		diag "ipxr $line<TAB> -> [${got# }]; wrong:$bad"
	fi
}
offers_some() { has_words yes "$@"; }
offers_none() { has_words no "$@"; }

# readline_line KEYS: the line an interactive bash shows after KEYS (TAB included) are typed;
# the command word must be "ipxr": $LIB_TMP/bin/ipxr is the CLI under test
readline_line()
{
	local rc=$LIB_TMP/bashrc

	cat >"$rc" <<-EOF
		PS1='\$ '
		PATH=$LIB_TMP/bin:\$PATH
		source ${ROOT@Q}/completion/ipxr
		bind 'set bell-style none'
		bind 'set enable-bracketed-paste off'
	EOF
	# type, give bash time to complete, then print the line instead of running it
	{
		sleep 1
		printf '%s' "$1"
		sleep 2
		printf '\001echo "LINE=\n'
		sleep 0.5
		printf '"\nexit\n'
	} | TERM=dumb timeout 20 script -qfec "bash --noprofile --rcfile $rc -i" /dev/null \
		2>&1 | tr -d '\r' | sed -n 's/.*LINE=//p' | tail -1
}

# ---- the router: two ports, the object, routes of both families ----------------------------------

setup()
{
	netns_add "$R" || return 1
	# lib.sh turns IPv6 off in its namespaces; this one routes it
	ip netns exec "$R" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 \
		net.ipv6.conf.default.disable_ipv6=0 net.ipv4.ip_forward=1 \
		net.ipv6.conf.all.forwarding=1 || return 1
	ip -n "$R" link add "$P0" type veth peer name "$P0-peer" &&
	ip -n "$R" link add "$P1" type veth peer name "$P1-peer" || return 1
	for d in "$P0" "$P0-peer" "$P1" "$P1-peer"; do
		ip -n "$R" link set dev "$d" up || return 1
	done
	ip -n "$R" addr add 10.0.0.254/24 dev "$P0" &&
	ip -n "$R" addr add 10.0.1.254/24 dev "$P1" &&
	ip -n "$R" -6 addr add 2001:db8:f::254/64 dev "$P0" nodad || return 1
	ip -n "$R" link set dev "$P0" xdpdrv obj "$XDP_OBJ" sec xdp_router &&
	ip -n "$R" link set dev "$P1" xdpdrv obj "$XDP_OBJ"
}
run setup || bail "router namespace with two ports running xdp_router.o"

routes=(
	"198.51.100.0/24 via 10.0.0.1 dev $P0"
	"198.51.200.0/24 via 10.0.0.1 dev $P0"
	"10.9.0.0/16 dev $P1"
	"blackhole 192.0.2.0/24"
	"default via 10.0.1.1"
	"2001:db8:1::/64 dev $P0"
	"2001:db8:2::/64 dev $P1"
	"2001:db8:3::/64 via fe80::1 dev $P1"
	"blackhole 2001:db8:dead::/48"
)
for r in "${routes[@]}"; do
	# shellcheck disable=SC2086 # the words of the route
	check "ipxr route add $r" ipxr route add $r
done
ids=$(ipxr nexthop show | awk '$1 == "id" { print $2 }' | tr '\n' ' ')
check "the routes made next hops (ids: $ids)" test -n "$ids"
V4="10.9.0.0/16 198.51.100.0/24 198.51.200.0/24 192.0.2.0/24 default"
V6="2001:db8:1::/64 2001:db8:2::/64 2001:db8:3::/64 2001:db8:dead::/48"

# ---- the grammar ---------------------------------------------------------------------------------

offers "objects" "" "route nexthop stats sync monitor check port help"
offers "port: attach, detach, help" "port " "attach detach help"
offers "port attach: file, dev, obj" "port attach " "file dev obj"
offers "port attach dev NAME: a mode, obj" "port attach dev rtr-p0 " "native generic obj"
offers "port attach dev NAME native: obj alone" "port attach dev rtr-p0 native " "obj"
offers "port attach file: not dev too" "port attach file /etc/ipxr/ports " "obj"
offers "port detach: file, dev (no mode, no object)" "port detach " "file dev"
offers "port detach dev NAME: nothing more" "port detach dev rtr-p0 " ""
offers "sync: once, help" "sync " "once help"
offers "sync once: table and scan" "sync once " "table scan"
offers "sync once table: main" "sync once table " "main"
offers "sync once: table is repeatable (ipxr sync table A table B)" "sync once table 100 " \
	"table scan"
offers "sync once: a word once given is not offered again" "sync once scan 5 table 100 " "table"
offers "monitor: route, pass, help" "monitor " "route pass help"
offers "monitor pass: its keywords" "monitor pass " "reason dev rate count -w"
offers "monitor pass: a keyword once given is not offered again" "monitor pass count 3 rate 10 " \
	"reason dev -w"
offers "monitor pass rate: a number, nothing offered" "monitor pass rate " ""
offers "stats: show, reset, help" "stats " "show reset help"
offers "stats show: its keywords" "stats show " "dev prometheus interval count"
offers "stats show: a keyword once given is not offered again" "stats show interval 1 " \
	"dev prometheus count"
offers "global options, -4 -6 -family included" "-" \
	"-Version -statistics -json -pretty -netns -batch -family -force -4 -6 -help"
offers "-f is -family: the families" "-f " "inet inet6"
offers "options may come in any number" "-6 -j r" "route"
offers "abbreviated object and command (r a)" "-n $R r a " "unicast blackhole unreachable prohibit throw to default"
offers "after a prefix, the next hop and ip's route words" "-n $R route add 10.8.0.0/16 " \
	"via dev proto metric scope src table onlink mtu pref nhid linkdown dead counter nocounter nexthop"
offers "in a nexthop clause: its own words" "-n $R route add 10.8.0.0/16 nexthop " \
	"via dev weight onlink"
offers "a nexthop clause with a gateway: the rest, and the next clause" \
	"-n $R route add 10.8.0.0/16 nexthop via 10.0.0.1 " "dev weight onlink nexthop"
offers "a second clause starts afresh" \
	"-n $R route add 10.8.0.0/16 nexthop via 10.0.0.1 weight 2 nexthop " "via dev weight onlink"
offers "weight: a number, nothing offered" "-n $R route add 10.8.0.0/16 nexthop dev x weight " ""
offers "a blackhole takes no next hop (but may be counted)" \
	"-n $R route add blackhole 10.8.0.0/16 " "proto metric scope table counter nocounter"
offers "a word once given is not offered again" \
	"-n $R route add 10.8.0.0/16 via 10.0.0.1 proto bird metric 7 " \
	"dev scope src table onlink mtu pref nhid linkdown dead counter nocounter"
offers "counter given: neither counter nor nocounter again" \
	"-n $R route change 10.8.0.0/16 counter " \
	"via dev proto metric scope src table onlink mtu pref nhid linkdown dead nexthop"
offers "proto: the protocol names" "-n $R route add 10.8.0.0/16 dev x proto " \
	"ipxr kernel boot static bird"
offers "scope: the scope names" "-n $R route add 10.8.0.0/16 dev x scope " \
	"global site link host nowhere"
offers "table: the table names" "-n $R route add 10.8.0.0/16 dev x table " "main local default"
offers "show table: all too" "-n $R route show table " "main local default all"
offers "mtu: lock" "-n $R route add 10.8.0.0/16 dev x mtu " "lock"
offers "pref: the preferences" "-n $R route add 10.8.0.0/16 dev x pref " "low medium high"
offers "metric: a number, nothing offered" "-n $R route add 10.8.0.0/16 dev x metric " ""
offers "selectors: type takes local too" "-n $R route show type " "unicast blackhole unreachable prohibit throw local"
offers "selectors after to: a prefix of either family" "-n $R route show to " \
	"root match exact default $V4 $V6"

# ---- live data: namespaces, devices, the table, next hops ----------------------------------------

offers_some "-n completes namespace names (ours among them)" "-n " "$R"
offers_some "dev completes the devices of the -n namespace" "-n $R route add 10.8.0.0/16 dev " \
	"$P0" "$P1" "$P0-peer" lo
host_dev=$(ip -o link show | awk -F': ' '$2 != "lo" { sub(/@.*/, "", $2); print $2; exit }')
if [[ -n $host_dev ]] && ! ip -n "$R" link show dev "$host_dev" >/dev/null 2>&1; then
	offers_none "dev with -n offers no device of the host's namespace ($host_dev)" \
		"-n $R route add 10.8.0.0/16 dev " "$host_dev"
fi
offers_none "dev without -n offers none of the router namespace's devices" \
	"route add 10.8.0.0/16 dev " "$P0" "$P1"
offers_some "nexthop dev completes devices of the namespace" "-n $R nexthop show dev " "$P0"
offers "route del completes the prefixes in the table, both families (not local ones)" \
	"-n $R route del " "unicast blackhole unreachable prohibit throw to default $V4 $V6"
offers "route del with a typed start" "-n $R route del 198.51.1" "198.51.100.0/24"
offers "route get completes the addresses in the table" "-n $R route get " \
	"10.9.0.0 198.51.100.0 198.51.200.0 192.0.2.0 2001:db8:1:: 2001:db8:2:: 2001:db8:3::
	 2001:db8:dead::"
offers "-4 keeps route del to IPv4 prefixes" "-n $R -4 route del " \
	"unicast blackhole unreachable prohibit throw to default $V4"
offers "-6 keeps route del to IPv6 prefixes" "-n $R -6 route del " \
	"unicast blackhole unreachable prohibit throw to default $V6"
# readline replaces what follows the last ':' of the word, so that is what is offered
offers "an IPv6 prefix split at ':' by bash completes after its last ':'" \
	"-n $R route del 2001:db8:" "1::/64 2::/64 3::/64 dead::/48"
offers "-6 and a split IPv6 prefix" "-n $R -6 route del 2001:db8:d" "dead::/48"
offers "via completes the gateways in use of the prefix's family" \
	"-n $R route add 10.8.0.0/16 via " "inet inet6 10.0.0.1 10.0.1.1"
offers "via after an IPv6 prefix: the IPv6 gateways" "-n $R route add 2001:db8:9::/64 via " \
	"inet inet6 fe80::1"
offers "via after default: every gateway" "-n $R route add default via " \
	"inet inet6 10.0.0.1 10.0.1.1 fe80::1"
offers "via inet6: the IPv6 gateways" "-n $R route add default via inet6 " "fe80::1"
offers "nexthop show id completes the ids in use" "-n $R nexthop show id " "$ids"
: >"$LIB_TMP/batch.txt"
offers_some "-b completes file names and - (standard input)" "-b $LIB_TMP/bat" \
	"$LIB_TMP/batch.txt"

# ---- through readline ----------------------------------------------------------------------------

expect_eq "readline: 'ipxr -n R route del 198.51.1<TAB>' completes the prefix" \
	"$(readline_line "ipxr -n $R route del 198.51.1"$'\t')" \
	"ipxr -n $R route del 198.51.100.0/24 "
expect_eq "readline: 'ipxr -n R route del 2001:db8:de<TAB>' completes the IPv6 prefix" \
	"$(readline_line "ipxr -n $R route del 2001:db8:de"$'\t')" \
	"ipxr -n $R route del 2001:db8:dead::/48 "

# ---- where make install puts them ----------------------------------------------------------------

dest=$LIB_TMP/dest
if run make -C "$ROOT" -s install DESTDIR="$dest" PREFIX=/usr/local; then
	for page in "$ROOT"/man/*.8; do
		check "make install: ${page##*/} in \$(PREFIX)/share/man/man8" \
			cmp -s "$page" "$dest/usr/local/share/man/man8/${page##*/}"
	done
	check "make install: completion in \$(PREFIX)/share/bash-completion/completions/ipxr" \
		cmp -s "$ROOT/completion/ipxr" \
		"$dest/usr/local/share/bash-completion/completions/ipxr"
	# bash-completion loads a command's completion on first use from
	# <dir>/bash-completion/completions for each dir of XDG_DATA_DIRS, which defaults to
	# /usr/local/share:/usr/share: so the installed file is found there.
	bc=/usr/share/bash-completion/bash_completion
	if [[ -r $bc ]]; then
		got=$(XDG_DATA_DIRS=$dest/usr/local/share bash -c \
			"source $bc; __load_completion ipxr; complete -p ipxr" 2>&1)
		expect_eq "bash-completion loads the installed completion for ipxr" "$got" \
			"complete -F _ipxr ipxr"
	else
		ok "bash-completion loads the installed completion # SKIP $bc not installed"
	fi
fi

lib_finish
