#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Write the fuzzers' seed corpora (tests/fuzz/corpus/), by hand, as root, when the grammar or
# the decoders learn something new; the output is committed. In a network namespace of its
# own (unshare: gone when it ends) it builds ports with addresses, neighbours, the router
# object attached, and routes of every kind ipxr reads (gateways, IPv6 via IPv4, multipath,
# metrics, blackhole and the other types, other tables); then
#   corpus/netlink/  the kernel's dump of all of it, one rtnetlink message a file (nlcapture)
#   corpus/batch/    its `ip route show` lines as `route add` commands, one a file, and batch
#                    files of ipxr's own grammar with comments and continuation lines
#                    (tests/fuzz/seeds/*.batch)
#
#   make build/fuzz/nlcapture && tests/fuzz/mkcorpus.sh
set -eu
cd "$(dirname "$0")/../.."
[[ ${1:-} == inside ]] || exec unshare -n "$0" inside
OUT=tests/fuzz/corpus
# what this script wrote before; regress-* are inputs a fuzzer once crashed on, kept
mkdir -p "$OUT/netlink" "$OUT/batch"
rm -f "$OUT"/netlink/{link,addr,route,neigh}-* "$OUT"/batch/ip-* "$OUT"/batch/*.batch

ip link set lo up
ip link add r-eth0 type veth peer name r-eth1
ip link add r-eth2 mtu 1280 type veth peer name r-eth3
for d in r-eth0 r-eth1 r-eth2 r-eth3; do ip link set "$d" up; done
ip link set dev r-eth0 xdpdrv obj bpf/xdp_router.o sec xdp_router 2>/dev/null ||
	ip link set dev r-eth0 xdpgeneric obj bpf/xdp_router.o sec xdp_router
ip addr add 10.0.1.254/24 dev r-eth0
ip addr add 10.0.2.254/24 dev r-eth2
ip addr add 2001:db8:1::fe/64 dev r-eth0 nodad
ip addr add 2001:db8:2::fe/64 dev r-eth2 nodad
ip neigh add 10.0.1.1 lladdr 02:00:00:00:01:01 dev r-eth0 nud permanent
ip neigh add 10.0.2.1 lladdr 02:00:00:00:02:01 dev r-eth2 nud reachable
ip -6 neigh add fe80::1 lladdr 02:00:00:00:62:01 dev r-eth0 nud permanent
ip -6 neigh add 2001:db8:1::1 lladdr 02:00:00:00:61:01 dev r-eth0 nud stale
ip route add 198.51.100.0/24 via 10.0.1.1 dev r-eth0 proto static metric 20
ip route add 198.51.101.0/24 dev r-eth2 mtu lock 1200 src 10.0.2.254
ip route add 198.51.102.0/25 nexthop via 10.0.1.1 dev r-eth0 nexthop via 10.0.2.1 dev r-eth2
ip route add blackhole 192.0.2.0/24
ip route add unreachable 192.0.3.0/24 metric 5
ip route add prohibit 192.0.4.0/24
ip route add throw 192.0.5.0/24
ip route add 203.0.113.0/24 via 10.0.2.1 dev r-eth2 table 100 onlink
ip route add default via 10.0.1.1 dev r-eth0 proto 105
ip -6 route add 2001:db8:100::/48 via fe80::1 dev r-eth0 pref high
ip -6 route add 2001:db8:101::/48 via 2001:db8:1::1 dev r-eth0 metric 1024 mtu 1400
ip -6 route add blackhole 2001:db8:102::/48
ip route add 2001:db8:103::/64 via inet 10.0.1.1 dev r-eth0 2>/dev/null || true
ip route add 198.51.104.0/24 via inet6 fe80::1 dev r-eth0
ip -6 route add 2001:db8:104::/64 nexthop via fe80::1 dev r-eth0 nexthop via 2001:db8:1::1 dev r-eth0
ip nexthop add id 7 via 10.0.1.1 dev r-eth0
ip route add 198.51.103.0/24 nhid 7
sleep 0.2	# IPv6 addresses' local routes
build/fuzz/nlcapture "$OUT/netlink"

n=0
{ ip route show table all; ip -6 route show table all; } | while read -r line; do
	n=$((n + 1))
	printf 'route add %s\n' "$line" >"$OUT/batch/ip-$(printf %03d $n)"
done
cp tests/fuzz/seeds/*.batch "$OUT/batch/"
echo "$(ls "$OUT/netlink" | wc -l) netlink messages, $(ls "$OUT/batch" | wc -l) batch files"
