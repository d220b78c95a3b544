# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# shellcheck disable=SC2034 # the address plan is used by the scripts sourcing this
#
# IPv6 on top of tests/lib.sh's topology (source lib.sh first), for tests/e2e6.sh and the demo:
#
#	topo_build && topo6_build && topo_attach
#
#	$H1: h1-eth0 2001:db8:1::1/64 --- r-eth0 2001:db8:1::fe/64  $R  r-eth1 2001:db8:2::fe/64
#	     --- h2-eth0 2001:db8:2::2/64 fe80::2 :$H2, which also has 2001:db8:98::2 and
#	     2001:db8:99::2 on lo (prefixes only ipxr routes, via h2's global or link-local address)
#
# The router's ports also carry fe80::fe, the hosts' default gateway, as a router advert would
# make it.

H1_IP6=2001:db8:1::1
R_IP6_0=2001:db8:1::fe
R_IP6_1=2001:db8:2::fe
H2_IP6=2001:db8:2::2
NET6_1=2001:db8:1::/64
NET6_2=2001:db8:2::/64
R_LL=fe80::fe			# the router's link-local address on both ports, the hosts' gateway
H2_LL=fe80::2
LL_NET=2001:db8:99::/64		# behind h2's link-local address; the router's kernel has no route
LL_HOST=2001:db8:99::2
GW_NET=2001:db8:98::/64		# behind h2's global address; no kernel route either
GW_HOST=2001:db8:98::2
STANDIN_TABLE=1768978546	# IPXR_KERNEL_TABLE: ipxr's stand-in routes for link-local gateways

# stat6 REASON FIELD: an IPv6 counter from `ipxr -j stats show`, "ERR" if unreadable
stat6()
{
	local out

	out=$(ipxr -6 -j stats show 2>/dev/null) || { echo "ERR"; return 1; }
	jq -r --arg r "$1" --arg f "$2" '.families.inet6[$r][$f] // "ERR"' <<<"$out" 2>/dev/null ||
		echo "ERR"
}

# stat4 REASON FIELD: the same for IPv4
stat4()
{
	local out

	out=$(ipxr -4 -j stats show 2>/dev/null) || { echo "ERR"; return 1; }
	jq -r --arg r "$1" --arg f "$2" '.families.inet[$r][$f] // "ERR"' <<<"$out" 2>/dev/null ||
		echo "ERR"
}

fwd6()
{
	# shellcheck disable=SC2016 # awk program, not shell
	nsrun "$R" awk '$1 == "Ip6OutForwDatagrams" { print $2 }' /proc/net/snmp6
}

# ipv6_on NS DEV...: IPv6 on, without duplicate address detection (the addresses are planned,
# and DAD would hold them tentative for a second)
ipv6_on()
{
	local ns=$1 dev

	shift
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
		net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.all.disable_ipv6=0 \
		net.ipv6.conf.default.disable_ipv6=0 net.ipv6.conf.lo.disable_ipv6=0 || return 1
	for dev in "$@"; do
		ip netns exec "$ns" sysctl -qw "net.ipv6.conf.$dev.accept_dad=0" \
			"net.ipv6.conf.$dev.disable_ipv6=0" || return 1
	done
}

topo6_build()
{
	run ipv6_on "$H1" h1-eth0 && run ipv6_on "$R" r-eth0 r-eth1 && run ipv6_on "$H2" h2-eth0 ||
		return 1
	run ip -n "$H1" addr add "$H1_IP6/64" dev h1-eth0 nodad &&
	run ip -n "$R" addr add "$R_IP6_0/64" dev r-eth0 nodad &&
	run ip -n "$R" addr add "$R_IP6_1/64" dev r-eth1 nodad &&
	run ip -n "$R" addr add "$R_LL/64" dev r-eth0 nodad &&
	run ip -n "$R" addr add "$R_LL/64" dev r-eth1 nodad &&
	run ip -n "$H2" addr add "$H2_IP6/64" dev h2-eth0 nodad &&
	run ip -n "$H2" addr add "$H2_LL/64" dev h2-eth0 nodad &&
	run ip -n "$H2" addr add "$LL_HOST/128" dev lo &&
	run ip -n "$H2" addr add "$GW_HOST/128" dev lo || return 1
	# Hosts reach everything through the router's link-local address, as with router adverts.
	run ip -n "$H1" -6 route add default via "$R_LL" dev h1-eth0 &&
	run ip -n "$H2" -6 route add default via "$R_LL" dev h2-eth0 || return 1
	run ip netns exec "$R" sysctl -qw net.ipv6.conf.all.forwarding=1
}
