#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The forwarders `make bench` compares ipxr against must forward correctly, or the comparison
# means nothing: real packets through them on veth ports in network namespaces.
#  - bench/fwd_kern.c, the peer design (bpf_fib_lookup, as xdp_fwd and xdp-forward): on both
#    router ports it forwards IPv4 and IPv6 itself (the router kernel's forwarding counters do
#    not move), decrements the TTL and hop limit once with a valid IPv4 checksum (the hosts
#    accept the packets, with ttl 63), and hands to the kernel what the FIB cannot finish:
#    TTL 1 (the kernel answers "Time to live exceeded"), no route ("Unreachable").
#  - bench/floor_kern.c, the floor: redirects every frame to the port bench_floor_cfg names,
#    with the next hop's MAC (h2 takes the frames), past the router kernel.
#  - bench/memlat: it measures every case, and each dependent read costs time.
#
#	tests/bench-kern.sh		(root; build/bench/*_kern.o from `make bench-tools`; V=1)

# shellcheck source=tests/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=tests/lib6.sh
source "$(dirname "$0")/lib6.sh"

N=20
BIN=${BENCH_BIN:-$ROOT/build/bench}

for o in fwd_kern.o floor_kern.o memlat_kern.o memlat; do
	[[ -f $BIN/$o ]] || { echo "not ok - $BIN/$o exists (make bench-tools)"; exit 1; }
done
for tool in ping ethtool bpftool jq; do
	command -v "$tool" >/dev/null || { echo "not ok - $tool is installed"; exit 1; }
done

lib_init ipxr-benchkern
topo_build || bail "topology h1 - r - h2 built"
topo6_build || bail "IPv6 addresses and routes on h1 - r - h2"

# pings DST COUNT [PING ARGS...]: "SENT RECEIVED" of COUNT pings from h1
pings()
{
	local dst=$1 count=$2

	shift 2
	ping_stats "$(nsrun "$H1" ping -c "$count" -i 0.05 -W 1 -q "$@" "$dst" 2>&1)"
}

# ---- the peer -----------------------------------------------------------------------------------

if ! run ip -n "$R" link set dev r-eth0 xdpdrv obj "$BIN/fwd_kern.o" sec xdp ||
	! run ip -n "$R" link set dev r-eth1 xdpdrv obj "$BIN/fwd_kern.o" sec xdp; then
	bail "bench/fwd_kern.o attached on the router's ports"
fi

# the first packets find no neighbour yet (NO_NEIGH: the kernel forwards them and resolves it)
nsrun "$H1" ping -c 2 -i 0.2 -W 1 -q "$H2_IP" >/dev/null 2>&1
nsrun "$H1" ping -c 2 -i 0.2 -W 1 -q "$H2_IP6" >/dev/null 2>&1
f0=$(fwd_datagrams)
got=$(pings "$H2_IP" $N)
f1=$(fwd_datagrams)
expect_eq "peer: h1 pings h2 (IPv4), $N sent, $N answered" "$got" "$N $N"
expect_eq "peer: all forwarded in XDP (kernel ForwDatagrams unchanged)" "$(delta "$f0" "$f1")" 0
expect_match "peer: the TTL went down once each way, checksum valid (ttl=63)" \
	"$(nsrun "$H1" ping -c 1 -W 1 "$H2_IP" 2>&1)" "ttl=63"

f0=$(fwd6)
got=$(pings "$H2_IP6" $N)
f1=$(fwd6)
expect_eq "peer: h1 pings h2 (IPv6), $N sent, $N answered" "$got" "$N $N"
expect_eq "peer: all forwarded in XDP (kernel Ip6OutForwDatagrams unchanged)" \
	"$(delta "$f0" "$f1")" 0
expect_match "peer: the hop limit went down once each way (ttl=63)" \
	"$(nsrun "$H1" ping -c 1 -W 1 "$H2_IP6" 2>&1)" "ttl=63"

expect_match "peer: TTL 1 goes to the kernel, which answers Time to live exceeded" \
	"$(nsrun "$H1" ping -c 1 -W 1 -t 1 "$H2_IP" 2>&1)" "Time to live exceeded"
expect_match "peer: no route goes to the kernel, which answers Unreachable" \
	"$(nsrun "$H1" ping -c 1 -W 1 192.0.2.1 2>&1)" "Unreachable"

# ---- the floor ----------------------------------------------------------------------------------

if ! run ip -n "$R" link set dev r-eth1 xdpdrv off ||
	! run ip -n "$R" link set dev r-eth0 xdpdrv off ||
	! run ip -n "$R" link set dev r-eth0 xdpdrv obj "$BIN/floor_kern.o" sec xdp; then
	bail "bench/floor_kern.o attached on r-eth0"
fi
ifi=$(ip -n "$R" -j link show dev r-eth1 | jq '.[0].ifindex')
macs=$( (ip -n "$H2" -j link show dev h2-eth0; ip -n "$R" -j link show dev r-eth1) |
	jq -r '.[0].address' | sed 's/\([0-9a-f][0-9a-f]\)/0x\1/g; s/:/ /g' | tr '\n' ' ')
# shellcheck disable=SC2086 # one argument per byte
run bpftool map update pinned "$LIB_BPFFS/tc/globals/bench_floor_cfg" key 0 0 0 0 value \
	$((ifi & 255)) $((ifi >> 8 & 255)) $((ifi >> 16 & 255)) $((ifi >> 24)) $macs ||
	bail "bench_floor_cfg written"
# only r-eth0 has the floor: the requests pass the kernel, the replies do not
f0=$(fwd_datagrams)
got=$(pings "$H2_IP" $N)
f1=$(fwd_datagrams)
expect_eq "floor: h1 pings h2 (IPv4), $N sent, $N answered" "$got" "$N $N"
expect_eq "floor: the requests redirected in XDP, the replies forwarded by the kernel" \
	"$(delta "$f0" "$f1")" $N

# bench/memlat: its program reads the chains it is given (a run that does not pass fails it)
out=$("$BIN/memlat" --obj "$BIN/memlat_kern.o" --rounds 1 --json 2>&1)
rc=$?
expect_eq "memlat: every case measured (exit $rc)" \
	"$(grep -c '^{.*"ns_per_run":[0-9]' <<<"$out")" 6
expect_eq "memlat: each read costs time (0 < 1 < 3 reads, cold)" \
	"$(jq -rs 'map({(.case): .ns_per_run}) | add
		| (.["0 reads"] < .["1 read"] and .["1 read"] < .["3 reads"])' \
		<<<"$(grep '^{' <<<"$out")")" true

lib_finish
