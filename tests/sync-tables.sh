#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# ipxr sync table 100 table main: the fast path follows two tables in the order of the ip rules
# that look them up ("pref 100 lookup 100", then the default "lookup main"), as the kernel does:
# for each of many addresses, the route `ipxr route get` finds in the maps is the one
# `ip route get ... fibmatch` says the kernel uses (prefix and table), before and after the
# covering routes of table 100 come and go while ipxr sync runs.
#
#	tests/sync-tables.sh	(root; IPXR=path/to/ipxr, default build/asan/ipxr; V=1 verbose)

# shellcheck source=tests/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=tests/lib6.sh
source "$(dirname "$0")/lib6.sh"

need_e2e_tools
POLL_IPXR=${POLL_IPXR:-$ROOT/ipxr/ipxr}
[[ -x $POLL_IPXR ]] || POLL_IPXR=$IPXR

lib_init ipxr-synctab
topo_build || bail "topology h1 - r - h2 built"
topo6_build || bail "IPv6 on the topology"
topo_attach || bail "xdp_router.o attached on the router's ports"

SYNC_LOG=$LIB_TMP/sync.log
: >"$SYNC_LOG"
px() { "$POLL_IPXR" -n "$R" "$@"; }

# kernel ADDR: "PREFIX TABLE" of the route the kernel uses for ADDR; for a reject route (which
# fibmatch does not show) its type, "none" when no table routes ADDR
kernel()
{
	local out w

	if ! out=$(ip -n "$R" route get "$1" fibmatch 2>&1); then
		case $out in
		*"Invalid argument"*) echo blackhole ;;
		*"No route to host"*) echo unreachable ;;
		*) echo none ;;
		esac
		return
	fi
	read -r -a w <<<"$out"
	[[ ${w[0]} == default ]] && w[0]=0.0.0.0/0
	[[ ${w[0]} == */* ]] || w[0]+=/32
	if [[ $out =~ table\ ([^ ]+) ]]; then
		echo "${w[0]} ${BASH_REMATCH[1]}"
	else
		echo "${w[0]} main"
	fi
}

# fast ADDR: the same of the maps' route for ADDR, "kernel" for a throw route (the program hands
# its packets to the kernel, which goes on to the next table)
fast()
{
	local j type route

	j=$(px -j route get "$1" 2>/dev/null) || { echo none; return; }
	type=$(jq -r '.[0].type // "unicast"' <<<"$j")
	route=$(jq -r '.[0].route // .[0].dst' <<<"$j")
	case $type in
	throw) echo kernel ;;
	blackhole | unreachable) echo "$type" ;;
	*) echo "$route $(px -j route show "$route" | jq -r '.[0].table // "main"')" ;;
	esac
}

ADDRS=()
for b in 40 50 60 64 70 80 100 127 128; do
	for c in 0 1 2 255; do
		ADDRS+=("10.$b.$c.1")
	done
done
ADDRS+=(2001:db8:50::1 2001:db8:50:1::1 2001:db8:50:2::1 2001:db8:51::1)

# agree LABEL: every address of ADDRS is routed by the fast path as by the kernel
agree()
{
	local a k f bad=0 first=

	for a in "${ADDRS[@]}"; do
		k=$(kernel "$a")
		f=$(fast "$a")
		if [[ $f != kernel && $k != "$f" ]]; then
			((bad++))
			[[ -n $first ]] || first="$a: kernel '$k', fast path '$f'"
		fi
	done
	if ((bad == 0)); then
		ok "$1 (${#ADDRS[@]} addresses)"
	else
		not_ok "$1"
		diag "$bad of ${#ADDRS[@]} differ, first $first"
	fi
}

# agree_soon LABEL: as agree, once ipxr sync had 100 ms per change to follow
agree_soon()
{
	sleep 0.3
	agree "$1"
}

run ip -n "$R" rule add pref 100 lookup 100 &&
run ip -n "$R" -6 rule add pref 100 lookup 100 || bail "ip rule pref 100 lookup 100"
# table 100 before main: a main route longer than a covering table-100 route loses to it, a
# table-100 route longer than a main route wins inside it, an equal prefix is table 100's
run ip -n "$R" route add 10.50.0.0/16 via "$H2_IP" table 100 &&
run ip -n "$R" route add 10.60.1.0/24 via "$H2_IP" table 100 &&
run ip -n "$R" route add 10.50.1.0/24 via "$H2_IP" &&
run ip -n "$R" route add blackhole 10.50.0.0/16 &&
run ip -n "$R" route add 10.60.0.0/16 via "$H2_IP" &&
run ip -n "$R" route add 10.70.0.0/16 via "$H2_IP" &&
run ip -n "$R" route add unreachable 10.128.0.0/9 &&
run ip -n "$R" -6 route add 2001:db8:50::/48 dev r-eth1 table 100 &&
run ip -n "$R" -6 route add 2001:db8:50:1::/64 dev r-eth1 &&
run ip -n "$R" -6 route add 2001:db8:50:2::/64 dev r-eth1 table 100 &&
run ip -n "$R" -6 route add 2001:db8::/32 dev r-eth1 || bail "routes of table 100 and main"

check "ipxr sync once table 100 table main" ipxr sync once table 100 table main
agree "sync once: the maps route as the kernel's rules and tables do"
expect_eq "table main's 10.50.1.0/24, under table 100's 10.50.0.0/16, is not in the maps" \
	"$(px route show 10.50.1.0/24)" ""
expect_eq "ipxr -j stats: the tables followed, in rule order" \
	"$(ipxr -j stats | jq -c .policy_rules)" '{"non_default":0,"table":100,"then":[254]}'
expect_match "ipxr stats names both" "follows table 100 then main only" "$(ipxr stats)"

SYNC_ARGS=(table 100 table main)
sync_start || bail "ipxr sync table 100 table main started"
ok "ipxr sync table 100 table main follows"
expect_eq "no warning for the rule that looks up table 100 before main" \
	"$(grep -c "non-default" "$SYNC_LOG")" 0

run ip -n "$R" route del 10.50.0.0/16 table 100 &&
run ip -n "$R" -6 route del 2001:db8:50::/48 table 100
agree_soon "table 100's covering route deleted: main's routes under it appear"
expect_match "main's 10.50.1.0/24 is in the maps" "10.50.1.0/24" "$(px route show 10.50.1.0/24)"
run ip -n "$R" route add 10.50.0.0/16 via "$H2_IP" table 100
agree_soon "and added back: they go"
run ip -n "$R" route add 10.64.0.0/10 via "$H2_IP" table 100
agree_soon "a shorter table-100 route covering main's 10.70.0.0/16 and 10.64-127"
run ip -n "$R" route add throw 10.80.0.0/16 table 100 &&
run ip -n "$R" route add 10.80.0.0/12 via "$H2_IP"
agree_soon "a throw route of table 100 (handed to the kernel)"
expect_match "the throw route is compiled, as the kernel's" "throw 10.80.0.0/16" \
	"$(px route show 10.80.0.0/16)"
run ip -n "$R" route del 10.64.0.0/10 table 100 &&
run ip -n "$R" route del 10.60.1.0/24 table 100
agree_soon "table 100's routes deleted: main's come back"
run ip -n "$R" route flush table 100 &&
run ip -n "$R" -6 route flush table 100
agree_soon "table 100 flushed: the maps are main's"

# a rule the fast path cannot follow still warns
run ip -n "$R" rule add from 10.9.0.0/16 lookup 200 pref 1000
wait_for 2 grep -q "policy rules: 1 non-default" "$SYNC_LOG"
expect_match "a rule to another table still warns" \
	"warning: policy rules: 1 non-default, the fast path follows table 100 then main only" \
	"$(cat "$SYNC_LOG")"
run ip -n "$R" rule del pref 1000
run ip -n "$R" rule del pref 100
run ip -n "$R" rule add pref 40000 lookup 100
wait_for 2 grep -q "policy rules: 1 non-default" "$SYNC_LOG"
expect_eq "a rule that looks up table 100 after main is out of order: it warns" \
	"$(ipxr -j stats | jq -c .policy_rules.non_default)" 1
run ip -n "$R" rule del pref 40000

sync_stop
expect_eq "ipxr sync stops on SIGTERM with status 0" "$?" 0
check "ipxr sync: the same table twice is refused" \
	run_expecting FAILURE ipxr sync once table 100 table 100

lib_finish
