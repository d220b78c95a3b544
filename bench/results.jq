# The results of one `make bench` run: bench.sh feeds the measurements (one JSON object each, in
# the order taken) as an array; the run's facts come as named arguments. Medians over runs, and
# for the single-core loop the ratios of the forwarders run by run with their range; the targets
# of issues 9 (forwarding) and 13 (control plane, BIRD) evaluated at the end.

def median:
	map(select(. != null)) | sort
	| if length == 0 then null
	  elif length % 2 == 1 then .[(length - 1) / 2]
	  else (.[length / 2 - 1] + .[length / 2]) / 2 end;

def ratio($a; $b): if $a == null or $b == null or $b == 0 then null else $a / $b end;

# median and range of a list of numbers (nulls left out), with the list: null if empty
def spread: map(select(. != null)) | if length == 0 then null
	else {median: median, min: min, max: max, runs: .} end;
# a spread of ns/packet as one of rates: $k / ns (min and max swap)
def scale($k): if . == null then null
	else {median: ($k / .median), min: ($k / .max), max: ($k / .min),
	      runs: (.runs | map($k / .))} end;

# rr(RUNS; A; B): case A's rate over case B's, run by run (the rate of a run: 1 / loop_ns,
# packets per second of one CPU); the spread of those per-run ratios
def rr($rs; $a; $b):
	[ $rs | map(.run) | unique | .[] as $n
	  | ratio($rs | map(select(.case == $b and .run == $n) | .loop_ns) | .[0];
		  $rs | map(select(.case == $a and .run == $n) | .loop_ns) | .[0]) ] | spread;

. as $raw
| ($raw | map(select(.bench == "forward" and .group == null))) as $fw
| ($raw | map(select(.bench == "forward" and .group != null))) as $fwg
| ($raw | map(select(.bench == "nsperpkt" and .error == null))
	| map(del(.bench) | .lookup //= "trie")) as $ns
| ($raw | map(select(.bench == "front"))) as $front
| ($raw | map(select(.bench == "control"))) as $cp
| {
	date: $date, mode: $mode, commit: $commit, uncommitted_changes: ($dirty != ""),
	xdp_obj: $obj, xdp_obj_sha256: $obj_sha, ipxr: $ipxr, ipxr_version: $ipxr_version,
	kernel: $kernel, cpu: $cpu, cpus: $ncpus, seconds: $secs,
	load_average: $load,
	placement: {
		loop: ("CPU \($loop_cpu) runs all of it: bench/trafgen's sender (BPF_PROG_TEST_RUN live"
			+ " frames, SCHED_FIFO), and above it (SCHED_FIFO) the NAPI threads of the"
			+ " router's ingress port and of the sink's port: a closed loop, every frame sent"
			+ " is forwarded; cost = CPU time of the three threads / frames the sink took"),
		split: ("CPU 0: the source (SCHED_FIFO) and the sink's NAPI thread (SCHED_OTHER);"
			+ " CPU 1: the router's ingress NAPI thread, SCHED_FIFO; counted: frames sent +"
			+ " dropped by a full ring on the router's egress port"),
		drop: "the XDP_DROP program's counter at the router's ingress port",
		trie: ("xdp with the front table switched off for the window (bench.sh"
			+ " front_disable): the program asks the LPM trie alone")
	},
	forwarding: {
		window_s: $window, runs: $runs, loop_cpu: $loop_cpu,
		# the main figure: the single-core closed loop, one entry per table and family
		loop: [ $fw | map(select(.mode == "loop")) | group_by([.family, .routes, .table])[]
			| . as $rs | .[0] as $k
			| ($front | map(select(.routes == $k.routes and (.family // 4) == $k.family))
				| .[-1]) as $fr
			| {
				family: $k.family, routes: $k.routes, table: $k.table,
				front_painted: $fr.painted, front_state: $fr.state,
				cases: ($rs | group_by(.case) | map({
					key: .[0].case,
					value: {
						# packets per second of one CPU: 1e9 / loop_ns
						mpps_per_core: (map(.loop_ns) | spread | scale(1e3)),
						loop_ns: (map(.loop_ns) | median),
						wall_pps: (map(.pps) | median),
						# CPU share the loop got (the RT throttle leaves 5 % to others)
						cpu_share: (map(.loop_cpu_s / .seconds) | median),
						lost: (map(ratio(.offered_pps - .pps; .offered_pps)) | median),
						fastpath_share: (map(ratio(.fastpath_pps; .pps)) | median)
					}
				}) | from_entries),
				ratios: {
					ipxr_over_peer: rr($rs; "xdp"; "peer"),
					ipxr_over_kernel: rr($rs; "xdp"; "kernel"),
					peer_over_kernel: rr($rs; "peer"; "kernel"),
					ipxr_over_trie: rr($rs; "xdp"; "trie"),
					ipxr_share_of_floor: rr($rs; "xdp"; "floor"),
					peer_share_of_floor: rr($rs; "peer"; "floor"),
					kernel_share_of_floor: rr($rs; "kernel"; "floor"),
					ipxr_share_of_drop: rr($rs; "xdp"; "drop"),
					floor_share_of_drop: rr($rs; "floor"; "drop")
				},
				runs: ($rs | map(del(.bench, .mode, .family, .routes, .table)))
			} ],
		# today's two-CPU mode, IPv4: the second table
		two_cpu: [ $fw | map(select(.mode == "split")) | map({routes, table: (.table // "batch")})
			| unique | .[] as $k
			| $k.routes as $t
			| ($fw | map(select(.mode == "split" and .routes == $t
				and (.table // "batch") == $k.table))) as $rs
			| ($front | map(select(.routes == $t and (.family // 4) == 4)) | .[-1]) as $fr
			| {
				routes: $t,
				table: $k.table,
				front_painted: $fr.painted,
				front_state: $fr.state,
				kernel_pps: ($rs | map(select(.case == "kernel") | .pps) | median),
				xdp_pps: ($rs | map(select(.case == "xdp") | .pps) | median),
				trie_pps: ($rs | map(select(.case == "trie") | .pps) | median),
				drop_pps: ($rs | map(select(.case == "drop") | .pps) | median),
				# of (b), what the program forwarded itself rather than passed on
				xdp_fastpath_share: ($rs | map(select(.case == "xdp") | ratio(.fastpath_pps; .pps)) | median),
				# router CPU time per packet: the real per-packet cost, caches as they are
				kernel_ns: ($rs | map(select(.case == "kernel") | ratio(.router_busy * 1e9; .pps)) | median),
				xdp_ns: ($rs | map(select(.case == "xdp") | ratio(.router_busy * 1e9; .pps)) | median),
				trie_ns: ($rs | map(select(.case == "trie") | ratio(.router_busy * 1e9; .pps)) | median),
				drop_ns: ($rs | map(select(.case == "drop") | ratio(.router_busy * 1e9; .pps)) | median),
				runs: ($rs | map(del(.bench, .routes)))
			}
			| . + {
				xdp_over_kernel: ratio(.xdp_pps; .kernel_pps),
				trie_over_kernel: ratio(.trie_pps; .kernel_pps),
				xdp_over_trie: ratio(.xdp_pps; .trie_pps),
				xdp_over_drop: ratio(.xdp_pps; .drop_pps),
				xdp_over_drop_cpu: ratio(.drop_ns; .xdp_ns)
			} ]
	},
	nsperpkt: $ns,
	# forward path, the trie alone against the painted front structure, same run and table
	front_table: [ $ns | map(select(.case == "forward"))
		| group_by([.family, .repeat == 1, .routes])[]
		| (map(select(.lookup == "trie")) | .[0]) as $t
		| (map(select(.lookup == "lpm")) | .[0]) as $d
		| select($d != null)
		| { family: $d.family, routes: $d.routes, caches: (if $d.repeat == 1 then "cold" else "hot" end),
		    trie_ns: $t.ns_per_pkt, lpm_ns: $d.ns_per_pkt, lpm_median_ns: $d.ns_per_pkt_median,
		    trie_median_ns: $t.ns_per_pkt_median, trie_over_lpm: ratio($t.ns_per_pkt; $d.ns_per_pkt),
		    front_direct: $d.front_direct, paint_s: $d.paint_s,
		    pool_bytes: $d.pool_bytes } ],
	nsperpkt_errors: ($raw | map(select(.bench == "nsperpkt" and .error != null)) | map(del(.bench))),
	# bench/memlat: dependent reads of a large pool, cold and hot
	memlat: [ $raw | map(select(.bench == "memlat"))[] | del(.bench) ],
	# multipath: per group size, the median of the rounds' ns/packet (forward, hot caches)
	ecmp: [ $raw | map(select(.bench == "ecmp")) | group_by(.group)[]
		| { group: .[0].group, ns_per_pkt: (map(.ns_per_pkt) | median),
		    rounds: map(.ns_per_pkt) } ],
	# multipath forwarding (single-core loop): per group size, each case's rate and, run by
	# run, its rate over the same case through one next hop
	ecmp_forward: [ $fwg | group_by(.group)[] | . as $rs | .[0].group as $n
		| { group: $n,
		    cases: ($rs | group_by(.case) | map(.[0].case as $c | {
			key: $c,
			value: {
				mpps_per_core: (map(.loop_ns) | spread | scale(1e3)),
				loop_ns: (map(.loop_ns) | median),
				over_one: ([ .[] | .run as $r
					| ratio($fwg | map(select(.group == 1 and .case == $c
						and .run == $r) | .loop_ns) | .[0]; .loop_ns) ]
					| spread)
			} }) | from_entries) } ],
	# VLANs: per family and case, untagged and tagged to tagged, the median of the rounds
	vlan: [ $raw | map(select(.bench == "vlan")) | group_by([.family, .case, .tagged])[]
		| { family: .[0].family, case: .[0].case, tagged: .[0].tagged,
		    ns_per_pkt: (map(.ns_per_pkt) | median), rounds: map(.ns_per_pkt) } ],
	control: ({
		routes: $routes,
		routes6: $routes6,
		ipxr_b_s: ($cp | map(select(.what == "ipxr -b") | .seconds) | median),
		ipxr_b6_s: ($cp | map(select(.what == "ipxr -b IPv6") | .seconds) | median),
		ip_b_s: ($cp | map(select(.what == "ip -b") | .seconds) | median)
	}
	+ ($raw | map(select(.bench == "memory")) | .[0] // {} | {
		ipxr_route4_bytes: ((.maps // []) | map(select(.name == "ipxr_route4") | .bytes) | .[0]),
		ipxr_lpm_bytes: ((.maps // []) | map(select(.name | test("^ipxr_lpm")) | .bytes) | add),
		ipxr_maps_bytes: ((.maps // []) | map(.bytes) | add),
		ipxr_maps: .maps,
		kernel_fib_kb: .kernel_fib_kb
	}))
}
| .control += { ipxr_speedup: ratio(.control.ip_b_s; .control.ipxr_b_s) }
# part 4: BIRD feeds the kernel, ipxr sync mirrors it
| .sync = ($raw | map(select(.bench == "sync_converge")) | .[0] // null | if . == null then null
	else {
		converge: del(.bench),
		load: ($raw | map(select(.bench == "sync_load") | del(.bench))),
		churn: ($raw | map(select(.bench == "sync_churn" and .source != "netlink")) | .[0]
			// null | if . == null then null else del(.bench) end),
		churn_netlink: ($raw | map(select(.bench == "sync_churn" and .source == "netlink"))
			| .[0] // null | if . == null then null else del(.bench) end)
	} end)
# issue 9's targets, on the single-core loop
| (.forwarding.loop | map(select(.table == "batch"))) as $lt
| ($lt | map(select(.family == 4 and .routes == 1)) | .[0]) as $v4one
| ($lt | map(select(.family == 4 and .routes != 1)) | .[-1]) as $v4big
| ($lt | map(select(.family == 6 and .routes == 1)) | .[0]) as $v6one
| ($lt | map(select(.family == 6 and .routes != 1)) | .[-1]) as $v6big
| (.forwarding.loop | map(select(.table == "bird")) | .[0]) as $bird
# a table's rate over the 1-route table's, run by run (the runs of the two are minutes apart)
| def over_one($big; $one; $c):
	[ $big.runs | map(select(.case == $c))[] as $b
	  | ratio($one.runs | map(select(.case == $c and .run == $b.run) | .loop_ns) | .[0];
		  $b.loop_ns) ] | spread;
  .forwarding.table_size = [ ([$v4big, $v4one], [$v6big, $v6one])
	| select(.[0] != null and .[1] != null) | . as [$b, $o]
	| { family: $b.family, routes: $b.routes,
	    ipxr: over_one($b; $o; "xdp"), peer: over_one($b; $o; "peer"),
	    kernel: over_one($b; $o; "kernel") } ]
| (.forwarding.table_size | map(select(.family == 6)) | .[0]) as $v6size
# what the router runs: with the front table where the object has one (any lookup but "trie")
| def cold($f): $ns | map(select(.family == $f and .case == "forward" and .repeat == 1))
	| if any(.lookup != "trie") then map(select(.lookup != "trie")) else . end;
  def growth($f): (cold($f)) as $c | ($c | map(select(.routes == 1)) | .[0].ns_per_pkt) as $one
	| ($c | max_by(.routes) // {}) as $big
	| {routes: $big.routes, got: ratio($big.ns_per_pkt; $one)};
  growth(4) as $g4 | growth(6) as $g6
| def tgt($t; $w; $s): { target: $t, want: $w, got: $s.median, min: $s.min, max: $s.max };
  .targets = ([
	tgt("ipxr >= 1.5x peer (bpf_fib_lookup), IPv4, 1 route"; 1.5; $v4one.ratios.ipxr_over_peer),
	tgt("ipxr >= 2x peer, IPv4, \($v4big.routes // "?") routes"; 2; $v4big.ratios.ipxr_over_peer),
	tgt("ipxr, IPv6, \($v6big.routes // "?") routes >= 0.8x its 1-route rate"; 0.8; $v6size.ipxr),
	tgt("ipxr >= 1.5x peer, IPv6, \($v6big.routes // "?") routes"; 1.5;
	    $v6big.ratios.ipxr_over_peer),
	( [$v4one, $v4big, $v6one, $v6big][] | select(. != null)
	  | tgt("ipxr >= 90% of the floor (MACs + redirect), IPv\(.family), \(.routes) route(s)"; 0.9;
		.ratios.ipxr_share_of_floor) ),
	{ target: "ns/packet cold, IPv4, \($g4.routes // "?") routes <= 1.5x 1 route", want: 1.5,
	  got: $g4.got, lower_is_better: true },
	{ target: "ns/packet cold, IPv6, \($g6.routes // "?") routes <= 1.5x 1 route", want: 1.5,
	  got: $g6.got, lower_is_better: true },
	# issue 10: a 2-way group's hash and bucket read, against one next hop
	{ target: "ECMP: a 2-way group costs <= 10 ns/packet more than one next hop (ns)", want: 10,
	  got: ((.ecmp | map(select(.group == 2)) | .[0].ns_per_pkt) as $two
		| (.ecmp | map(select(.group == 1)) | .[0].ns_per_pkt) as $one
		| if $two == null or $one == null then null else $two - $one end),
	  lower_is_better: true },
	# issue 13: ipxr -b writes the kernel's route and the maps, within 2x of ip -b alone
	{ target: "ipxr -b (kernel and maps) within 2x of ip -b (speedup >= 0.5)", want: 0.5,
	  got: .control.ipxr_speedup },
	{ target: "BIRD table: fast path complete within 2 s of the kernel (s)", want: 2,
	  got: .sync.converge.lag_s, lower_is_better: true },
	{ target: "churn (BIRD): notification to trie p99 < 10 ms", want: 10,
	  got: .sync.churn.p99_ms, lower_is_better: true },
	{ target: "churn (netlink writes): notification to trie p99 < 10 ms", want: 10,
	  got: .sync.churn_netlink.p99_ms, lower_is_better: true },
	{ target: "churn: no drift (routes missing + stale after it)", want: 0,
	  got: (if .sync.churn.after == null then null
		else .sync.churn.after.missing + .sync.churn.after.stale end),
	  lower_is_better: true },
	tgt("ipxr >= 3x kernel, \($bird.routes // "?") BIRD routes mirrored by ipxr sync"; 3;
	    $bird.ratios.ipxr_over_kernel)
  ]
  | map(. + { met: (if .got == null then null
		    elif .lower_is_better then .got <= .want else .got >= .want end) }))
