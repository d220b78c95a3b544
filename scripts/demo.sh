#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make demo`: ipxr routing real packets between three network namespaces, then tearing them
# down. Needs root, the built bpf/xdp_router.o and ipxr/ipxr (IPXR=... for another binary).
#
#	h1 10.0.1.1 --- r-eth0 10.0.1.254 [router r] 10.0.2.254 r-eth1 --- 10.0.2.2 h2
#	                                                                   198.51.100.7 (lo)
#	and over IPv6 the plan of tests/lib6.sh (h2's 2001:db8:99::2 behind its link-local address)

cd "$(dirname "$0")/.." || exit 1
IPXR=${IPXR:-ipxr/ipxr}
XDP_OBJ=${XDP_OBJ:-bpf/xdp_router.o}
# shellcheck source=tests/lib.sh
source tests/lib.sh
# shellcheck source=tests/lib6.sh
source tests/lib6.sh
V=0

if [[ ! -x $IPXR || ! -f $XDP_OBJ ]]; then
	echo "demo: build first: make (needs $IPXR and $XDP_OBJ)" >&2
	exit 1
fi
start=$SECONDS
lib_init ipxr-demo
# A step that fails stops the demo and says which: set-up runs through tests/lib.sh's run, which
# prints the command and its output when it fails; any other command failing here is named by
# this trap (the EXIT trap of lib_init still tears everything down).
trap 'echo "demo: failed (exit $?): $BASH_COMMAND; cleaning up" >&2; exit 1' ERR

# setup_failed STEP: run has shown the failing command and its output
setup_failed()
{
	echo "demo: set-up failed: $1 (the command and its output are above); cleaning up" >&2
	exit 1
}

bold=
plain=
if [[ -t 1 ]]; then
	bold=$'\033[1m'
	plain=$'\033[0m'
fi

say()
{
	printf '\n%s%s%s\n' "$bold" "$*" "$plain"
}

note()
{
	printf '  %s\n' "$@"
}

# show SHOWN CMD...: print SHOWN as the command typed, run CMD, indent its output; stop the demo
# if it fails
show()
{
	local shown=$1 out rc

	shift
	printf '  # %s\n' "$shown"
	out=$("$@" 2>&1)
	rc=$?
	[[ -n $out ]] && printf '%s\n' "$out" | sed 's/^/      /'
	if [[ $rc -ne 0 ]]; then
		echo "demo: that failed (exit $rc); cleaning up" >&2
		exit 1
	fi
}

# sh_ip ARGS: ip, shown as typed
sh_ip()
{
	show "ip $*" ip "$@"
}

# r_ipxr ARGS: ipxr in the router's namespace
r_ipxr()
{
	show "ipxr -n $R $*" "$IPXR" -n "$R" "$@"
}

# in_ns NS CMD...: a command run in a host's namespace
in_ns()
{
	local ns=$1

	shift
	show "ip netns exec $ns $*" nsrun "$ns" "$@"
}

say "ipxr demo: an XDP IPv4 and IPv6 fast path in three network namespaces"
note "h1 ($H1_IP, $H1_IP6) --- r-eth0 [$R] r-eth1 --- h2 ($H2_IP, $H2_IP6)" \
	"h2 also has 198.51.100.7 and $LL_HOST on its lo" \
	"namespaces: $H1, $R, $H2; private bpffs: $TC_BPF_MNT (TC_BPF_MNT)"
topo_build || setup_failed "the namespaces, veth pairs, addresses and routes (topo_build)"
topo6_build || setup_failed "the IPv6 addresses and routes (topo6_build)"
run ip -n "$H2" addr add 198.51.100.7/24 dev lo || setup_failed "h2's address on lo"

say "1. Attach the router object to both ports, as with any XDP object"
sh_ip -n "$R" link set dev r-eth0 xdpdrv obj "$XDP_OBJ" sec xdp_router
sh_ip -n "$R" link set dev r-eth1 xdpdrv obj "$XDP_OBJ"
note "Both ports share one set of maps, pinned by iproute2 in $TC_BPF_MNT/xdp/globals."

say "2. Routes for the fast path"
r_ipxr route add 10.0.1.0/24 dev r-eth0
r_ipxr route add 10.0.2.0/24 dev r-eth1
r_ipxr route add 198.51.100.0/24 via 10.0.2.2 dev r-eth1
note "The router's kernel has no route to 198.51.100.0/24:"
printf '  # ip -n %s route get 198.51.100.7\n' "$R"
ip -n "$R" route get 198.51.100.7 2>&1 | sed 's/^/      /'
note "ipxr made the gateway a managed neighbour, so the kernel keeps its MAC resolved:"
sh_ip -n "$R" neigh show 10.0.2.2
note "IPv6 in the same table, through the same ports; the family is the prefix's. The usual"
note "IPv6 next hop is a router's link-local address:"
r_ipxr route add "$NET6_1" dev r-eth0
r_ipxr route add "$NET6_2" dev r-eth1
r_ipxr route add "$LL_NET" via "$H2_LL" dev r-eth1
note "bpf_fib_lookup() refuses link-local addresses, so ipxr gave the gateway a stand-in route in"
note "a kernel table of its own; the fast path asks the kernel for that, and gets fe80::2's MAC:"
sh_ip -n "$R" -6 route show table "$STANDIN_TABLE"

fwd0=$(fwd_datagrams)
say "3. Traffic"
note "Warm-up: a packet to a host whose MAC the kernel has not resolved yet goes to the kernel"
note "(reason no_neigh), which forwards it and ARPs; the fast path takes over from the next one."
in_ns "$H1" ping -c 2 -i 0.2 -W 2 -q 10.0.2.2
in_ns "$H1" ping -c 2 -i 0.2 -W 2 -q "$LL_HOST"
fwd1=$(fwd_datagrams)
fwd61=$(fwd6)
in_ns "$H1" ping -c 20 -i 0.01 -W 1 -q 10.0.2.2
in_ns "$H1" ping -c 20 -i 0.01 -W 1 -q "$LL_HOST"
in_ns "$H1" ping -c 20 -i 0.01 -W 1 -q 198.51.100.7
note "TTL as seen by h1 in h2's reply (h2 sends 64, the fast path took one off):"
printf '  # ip netns exec %s ping -c 1 10.0.2.2\n' "$H1"
nsrun "$H1" ping -c 1 -W 1 10.0.2.2 | grep 'ttl=' | sed 's/^/      /'
head -c $((8 * 1024 * 1024)) /dev/urandom >"$LIB_TMP/send"
bg "$H2" socat -u TCP-LISTEN:5001,reuseaddr "OPEN:$LIB_TMP/recv,creat,trunc"
listener=$BG_PID
wait_for 5 nsrun "$H2" sh -c 'ss -Hltn "sport = :5001" | grep -q .'
t0=$(date +%s%N)
in_ns "$H1" socat -u "OPEN:$LIB_TMP/send" "TCP:10.0.2.2:5001"
t1=$(date +%s%N)
wait "$listener"
if cmp -s "$LIB_TMP/send" "$LIB_TMP/recv"; then
	note "8 MiB over TCP h1 -> h2 in $(((t1 - t0) / 1000000)) ms, received intact (cmp)."
else
	note "TCP transfer: the received file differs!"
fi
fwd2=$(fwd_datagrams)
fwd62=$(fwd6)

say "4. What ipxr shows"
note "The routes, printed as valid 'ipxr route add' input (IPv4 by default, as ip; -6 for IPv6):"
r_ipxr route show
r_ipxr -6 route show
note "With -s: each route's next-hop counters (packets and bytes the fast path sent there):"
r_ipxr -s route show
note "The route and next hop the fast path uses for one address, with the cached MAC:"
r_ipxr route get 198.51.100.7
r_ipxr route get "$LL_HOST"
r_ipxr nexthop show
note "Per XDP action and per reason, then per family: 'forward' was redirected by XDP; the pass"
note "reasons are what the kernel had to see (ARP is other_proto, neighbour discovery nd, the"
note "first packet to an unresolved host no_neigh):"
r_ipxr stats show

say "5. What the router's kernel forwarded (IpForwDatagrams, Ip6OutForwDatagrams)"
note "before any traffic: $fwd0; after the warm-up: $fwd1 (+$((fwd1 - fwd0)) while neighbours resolved)" \
	"after 40 pings, 20 of them to a prefix only ipxr knows, and 8 MiB of TCP: $fwd2 (+$((fwd2 - fwd1)))" \
	"IPv6, after the warm-up: $fwd61; after 20 pings via the link-local next hop: $fwd62"
if [[ $fwd2 == "$fwd1" && $fwd62 == "$fwd61" ]]; then
	note "Unchanged: every one of those packets was forwarded by XDP, none by the kernel."
else
	note "The kernel forwarded some of them: see the pass reasons in 'ipxr stats show' above."
fi

say "Done in $((SECONDS - start)) s; removing the namespaces and the bpffs."
