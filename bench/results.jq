# The results of one `make bench` run: bench.sh feeds the measurements (one JSON object each, in
# the order taken) as an array; the run's facts come as named arguments. Medians over runs; the
# targets of issue 5 evaluated at the end.

def median:
	map(select(. != null)) | sort
	| if length == 0 then null
	  elif length % 2 == 1 then .[(length - 1) / 2]
	  else (.[length / 2 - 1] + .[length / 2]) / 2 end;

def ratio($a; $b): if $a == null or $b == null or $b == 0 then null else $a / $b end;

. as $raw
| ($raw | map(select(.bench == "forward"))) as $fw
| ($raw | map(select(.bench == "nsperpkt" and .error == null))
	| map(del(.bench) | .lookup //= "trie")) as $ns
| ($raw | map(select(.bench == "front"))) as $front
| ($raw | map(select(.bench == "control"))) as $cp
| {
	date: $date, mode: $mode, commit: $commit, uncommitted_changes: ($dirty != ""),
	xdp_obj: $obj, xdp_obj_sha256: $obj_sha, ipxr: $ipxr, ipxr_version: $ipxr_version,
	kernel: $kernel, cpu: $cpu, cpus: $ncpus, seconds: $secs,
	placement: {
		source: "CPU 0: bench/trafgen, BPF_PROG_TEST_RUN live frames, SCHED_FIFO",
		router: "CPU 1: the ingress veth's threaded NAPI kthread, SCHED_FIFO (every case)",
		sink: "its NAPI kthread on CPU 0, SCHED_OTHER: it takes no time from the router",
		counted: ("kernel, xdp, trie: frames sent + dropped by a full ring on the router's"
			+ " egress port; drop: the XDP_DROP program's counter"),
		trie: ("xdp with the front table's state word cleared for the window: the program"
			+ " asks the LPM trie alone")
	},
	forwarding: {
		window_s: $window, runs: $runs,
		# one per table: its size and where it came from (batch files, or BIRD in part 4)
		tables: [ $fw | map({routes, table: (.table // "batch")}) | unique | .[] as $k
			| $k.routes as $t
			| ($fw | map(select(.routes == $t and (.table // "batch") == $k.table))) as $rs
			| ($front | map(select(.routes == $t)) | .[-1]) as $fr
			| {
				routes: $t,
				table: $k.table,
				# whether ipxr left the front table painted and in step (state word)
				front_painted: $fr.painted,
				front_state: $fr.state,
				kernel_pps: ($rs | map(select(.case == "kernel") | .pps) | median),
				xdp_pps: ($rs | map(select(.case == "xdp") | .pps) | median),
				trie_pps: ($rs | map(select(.case == "trie") | .pps) | median),
				drop_pps: ($rs | map(select(.case == "drop") | .pps) | median),
				# of (b), what the program forwarded itself rather than passed on
				xdp_fastpath_share: ($rs | map(select(.case == "xdp") | .fastpath_pps / .pps) | median),
				# router CPU time per packet: the real per-packet cost, caches as they are
				kernel_ns: ($rs | map(select(.case == "kernel") | .router_busy * 1e9 / .pps) | median),
				xdp_ns: ($rs | map(select(.case == "xdp") | .router_busy * 1e9 / .pps) | median),
				trie_ns: ($rs | map(select(.case == "trie") | .router_busy * 1e9 / .pps) | median),
				drop_ns: ($rs | map(select(.case == "drop") | .router_busy * 1e9 / .pps) | median),
				runs: ($rs | map(del(.bench, .routes)))
			}
			| . + {
				xdp_over_kernel: ratio(.xdp_pps; .kernel_pps),
				trie_over_kernel: ratio(.trie_pps; .kernel_pps),
				# what the front table bought, same run
				xdp_over_trie: ratio(.xdp_pps; .trie_pps),
				xdp_over_drop: ratio(.xdp_pps; .drop_pps),
				# the same by CPU time per packet, which holds when the source, not the
				# router, set (c)'s rate
				xdp_over_drop_cpu: ratio(.drop_ns; .xdp_ns)
			} ]
	},
	nsperpkt: $ns,
	# IPv4 forward path, the trie alone against the painted front table, same run and table
	front_table: [ $ns | map(select(.family == 4 and .case == "forward"))
		| group_by([.repeat == 1, .routes])[]
		| (map(select(.lookup == "trie")) | .[0]) as $t
		| (map(select(.lookup == "dir24")) | .[0]) as $d
		| select($d != null)
		| { routes: $d.routes, caches: (if $d.repeat == 1 then "cold" else "hot" end),
		    trie_ns: $t.ns_per_pkt, dir24_ns: $d.ns_per_pkt, dir24_median_ns: $d.ns_per_pkt_median,
		    trie_median_ns: $t.ns_per_pkt_median, trie_over_dir24: ratio($t.ns_per_pkt; $d.ns_per_pkt),
		    front_direct: $d.front_direct, paint_s: $d.paint_s } ],
	nsperpkt_errors: ($raw | map(select(.bench == "nsperpkt" and .error != null)) | map(del(.bench))),
	control: ({
		routes: $routes,
		ipxr_b_s: ($cp | map(select(.what == "ipxr -b") | .seconds) | median),
		ip_b_s: ($cp | map(select(.what == "ip -b") | .seconds) | median)
	}
	+ ($raw | map(select(.bench == "memory")) | .[0] // {} | {
		ipxr_route4_bytes: ((.maps // []) | map(select(.name == "ipxr_route4") | .bytes) | .[0]),
		ipxr_dir24_bytes: ((.maps // []) | map(select(.name == "ipxr_dir24") | .bytes) | .[0]),
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
		churn: ($raw | map(select(.bench == "sync_churn")) | .[0] // null
			| if . == null then null else del(.bench) end)
	} end)
| (.forwarding.tables | map(select(.routes == 1)) | .[0]) as $one
| (.forwarding.tables | map(select(.routes != 1 and .table != "bird")) | .[-1]) as $big
| (.forwarding.tables | map(select(.table == "bird")) | .[0]) as $bird
# what the router runs: the front table where the object has one
| ($ns | map(select(.family == 4 and .case == "forward" and .repeat > 1))
	| if any(.lookup == "dir24") then map(select(.lookup == "dir24")) else . end) as $f4
| ($f4 | map(select(.routes == 1)) | .[0].ns_per_pkt) as $ns1
| ($f4 | max_by(.routes) // {}) as $nsbig
| .targets = ([
	{ target: "xdp >= 4x kernel, 1 route", want: 4, got: $one.xdp_over_kernel },
	{ target: "xdp >= 3x kernel, \($big.routes // "?") routes", want: 3, got: $big.xdp_over_kernel },
	{ target: "xdp >= 60% of XDP_DROP, 1 route", want: 0.6, got: $one.xdp_over_drop },
	{ target: "xdp >= 60% of XDP_DROP, 1 route, by router CPU time per packet", want: 0.6,
	  got: $one.xdp_over_drop_cpu },
	{ target: "xdp >= 60% of XDP_DROP, \($big.routes // "?") routes", want: 0.6,
	  got: $big.xdp_over_drop },
	{ target: "xdp >= 60% of XDP_DROP, \($big.routes // "?") routes, by router CPU time per packet",
	  want: 0.6, got: $big.xdp_over_drop_cpu },
	{ target: ("ns/pkt forward with \($nsbig.routes // "?") routes <= 2x with 1 route"
		+ (if $nsbig.lookup == "dir24" then " (front table)" else "" end)),
	  want: 2, got: ratio($nsbig.ns_per_pkt; $ns1), lower_is_better: true },
	# issue 13: ipxr -b writes the kernel's route and the maps, within 2x of ip -b alone
	{ target: "ipxr -b (kernel and maps) within 2x of ip -b (speedup >= 0.5)", want: 0.5,
	  got: .control.ipxr_speedup },
	{ target: "BIRD table: fast path complete within 2 s of the kernel (s)", want: 2,
	  got: .sync.converge.lag_s, lower_is_better: true },
	{ target: "churn: notification to trie p99 < 10 ms", want: 10, got: .sync.churn.p99_ms,
	  lower_is_better: true },
	{ target: "churn: no drift (routes missing + stale after it)", want: 0,
	  got: (if .sync.churn.after == null then null
		else .sync.churn.after.missing + .sync.churn.after.stale end),
	  lower_is_better: true },
	{ target: "xdp >= 3x kernel, \($bird.routes // "?") BIRD routes mirrored by ipxr sync",
	  want: 3, got: $bird.xdp_over_kernel }
  ]
  | map(. + { met: (if .got == null then null
		    elif .lower_is_better then .got <= .want else .got >= .want end) }))
