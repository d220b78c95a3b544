# latest.json (results.jq) as the Markdown that goes into bench/results/latest.md and the README.

def n0: if . == null then "-" else (. | round | tostring
	| [ while(length > 0; .[:-3]) | .[-3:] ] | reverse | join(",")) end;
def mpps: if . == null then "-" else ((. / 10000 | round) / 100 | tostring) + " Mpps" end;
def x2: if . == null then "-" else ((. * 100 | round) / 100 | tostring) end;
def pct: if . == null then "-" else ((. * 100 | round | tostring) + " %") end;
def mib: if . == null then "-" else ((. / 1048576 * 100 | round) / 100 | tostring) + " MiB" end;
def ns: if . == null then "-" else ((. * 10 | round) as $t | "\($t / 10 | floor).\($t % 10)") end;
# a table row from its cells, and the rule under a header (right-aligned unless "l")
def row: "| " + join(" | ") + " |";
def rule: "|" + (map(if . == "l" then "---" else "--:" end) | join("|")) + "|";

# a per-run ratio's median with its range over the runs: "1.23x (1.2-1.25)"
def rx: if . == null then "-" elif (.runs | length) < 2 then "\(.median | x2)x"
	else "\(.median | x2)x (\(.min | x2)-\(.max | x2))" end;
def rpct: if . == null then "-" elif (.runs | length) < 2 then (.median | pct)
	else "\(.median | pct) (\(.min * 100 | round)-\(.max * 100 | round))" end;
def rate: if . == null then "-" else ((.median * 100 | round) / 100 | tostring) end;
def tname: "IPv\(.family), \(.routes | n0)" + (if .table == "bird" then " (BIRD, ipxr sync)" else "" end);

"### Forwarding, one CPU: source, router and sink in a closed loop (Mpps per core, median of "
	+ "\(.forwarding.runs) run(s) of \(.forwarding.window_s) s)",
"",
(["routes", "(a) kernel", "(d) peer: bpf_fib_lookup", "(b) ipxr", "(b0) ipxr, trie alone",
  "(e) floor: MACs + redirect", "(c) XDP_DROP"] | row),
([range(7) | "r"] | rule),
(.forwarding.loop[] | .cases as $c
 | [tname, ($c.kernel.mpps_per_core | rate), ($c.peer.mpps_per_core | rate),
    ($c.xdp.mpps_per_core | rate), ($c.trie.mpps_per_core | rate),
    ($c.floor.mpps_per_core | rate), ($c.drop.mpps_per_core | rate)] | row),
"",
"Ratios, run by run (median, and min-max over the runs):",
"",
(["routes", "ipxr / peer", "ipxr / kernel", "peer / kernel", "ipxr / trie alone",
  "ipxr share of floor", "peer share of floor", "floor share of XDP_DROP"] | row),
([range(8) | "r"] | rule),
(.forwarding.loop[] | .ratios as $r
 | [tname, ($r.ipxr_over_peer | rx), ($r.ipxr_over_kernel | rx), ($r.peer_over_kernel | rx),
    ($r.ipxr_over_trie | rx), ($r.ipxr_share_of_floor | rpct), ($r.peer_share_of_floor | rpct),
    ($r.floor_share_of_drop | rpct)] | row),
( if (.forwarding.table_size | length) > 0 then
	"",
	"The full table against one route, same family (rate with the table / rate with 1 route):",
	"",
	(["routes", "ipxr", "peer", "kernel"] | row),
	(["r", "r", "r", "r"] | rule),
	(.forwarding.table_size[] | ["IPv\(.family), \(.routes | n0)", (.ipxr | rx), (.peer | rx),
		(.kernel | rx)] | row)
  else empty end ),
"",
"Each rate is 1 / (the CPU time the source, the router's and the sink's NAPI threads took on "
	+ "CPU \(.forwarding.loop_cpu) in the window, per frame the sink took): the cost of the "
	+ "whole path on one core, which other work on the machine does not change (it takes "
	+ "wall time, not the loop's CPU time). The forwarders ran in turn in every run. "
	+ "(d): a bpf_fib_lookup() forwarder written for the bench (`bench/fwd_kern.c`), the "
	+ "design of xdp_fwd and xdp-forward, on the same routes in the kernel; (e): "
	+ "`bench/floor_kern.c` rewrites the MACs and redirects to the egress port, no lookup; "
	+ "(b0): ipxr with its front table switched off (`front_disable` in `bench/bench.sh`). "
	+ "IPv4: 64-byte frames, IPv6: 66-byte ones (UDP, no payload); 65,536 destinations "
	+ "spread over the big table, 64 source ports each.",
"",
( [.forwarding.loop[] | tname as $t | .cases | to_entries[]
	| select(.value.wall_pps != null and (.value.lost // 0) > 0.001)
	| "\($t) \(.key) \(.value.lost | pct)"] as $l
  | if ($l | length) > 0 then
	"**Frames lost in the loop** (sent, not taken by the sink): \($l | join("; ")).", ""
    else empty end ),
( [.forwarding.loop[] | tname as $t | .cases | to_entries[]
	| select(.value.cpu_share != null)] as $all
  | "Wall-clock rates of the loop: "
	+ ([.forwarding.loop[] | tname as $t | .cases
	    | "\($t): " + ([to_entries[] | "\(.key) \(.value.wall_pps | mpps)"] | join(", "))]
	   | join("; "))
	+ ". The loop got \([.forwarding.loop[].cases[].cpu_share | select(. != null)] | min
		| pct)-\([.forwarding.loop[].cases[].cpu_share | select(. != null)] | max | pct) "
	+ "of its CPU (SCHED_FIFO; the RT throttle leaves 5 % to ordinary tasks); load average "
	+ "at the end of the run \(.load_average)." ),
"",
"### Forwarding, two CPUs (IPv4, 64-byte UDP, median of \(.forwarding.runs) run(s))",
"",
(["routes", "(a) kernel forwarding", "(b) ipxr XDP", "(b0) ipxr XDP, trie alone",
  "(c) XDP_DROP ceiling", "b/a", "b/b0", "b/c", "router CPU ns/packet (a / b / b0 / c)",
  "(b) forwarded in XDP"] | row),
([range(10) | "r"] | rule),
(.forwarding.two_cpu[] | [(.routes | n0) + (if .table == "bird" then " (BIRD, ipxr sync)" else "" end),
	(.kernel_pps | mpps), (.xdp_pps | mpps),
	(.trie_pps | mpps), (.drop_pps | mpps), "\(.xdp_over_kernel | x2)x",
	"\(.xdp_over_trie | x2)x", (.xdp_over_drop | pct),
	"\(.kernel_ns | n0) / \(.xdp_ns | n0) / \(.trie_ns | n0) / \(.drop_ns | n0)",
	(.xdp_fastpath_share | pct)] | row),
"",
( [(.forwarding.loop[] | select(.front_painted == false) | tname)] as $np
  | if ($np | length) > 0 then
	"**The front table was not in step after `ipxr -b`** with \($np | join(", ")): "
		+ "(b) ran on the trie alone there.", ""
    else empty end ),
( [.forwarding.two_cpu[] | .routes as $r | .runs[] | select(.offered_pps < 1.1 * .pps)
	| "\(if .case == "trie" then "b0" else .case end) with \($r | n0) route(s), run \(.run)"]
	as $lim
  | if ($lim | length) > 0 then
	"Source within 10 % of the rate (that rate may be the source's, not the forwarder's): "
		+ "\($lim | join("; ")).", ""
    else empty end ),
"CPU 0: traffic source (`bench/trafgen`, SCHED_FIFO) and the sink's NAPI thread (ordinary). "
	+ "CPU 1: the router's ingress NAPI thread (SCHED_FIFO), in every case. "
	+ "Counted on the router's egress port (sent + dropped by a full ring); (c) by the drop "
	+ "program. Router CPU ns/packet: the NAPI thread's CPU time in the window over the "
	+ "packets it handled. These rates depend on what else runs on the machine: compare "
	+ "within a row.",
"",
"### Per-packet cost of the program (`BPF_PROG_TEST_RUN`, ns/packet, mean)",
"",
"hot: 256 destinations spread over the table, each frame run 250 times in a row (its trie "
	+ "path cached): the program's own cost. cold: 4,096 destinations, one run per call in "
	+ "turn, so the trie comes from memory as for real traffic; these include test_run's "
	+ "fixed cost per call (see the 1-route row). IPv4 is timed on each table twice: "
	+ "with the trie alone (no front structure), then with the front structure painted from "
	+ "the trie by ipxr's painter (`ipxr/lpm.c`), which is what a router running ipxr runs.",
"",
(["family", "routes", "caches", "lookup", "forward", "no_route", "ttl_exceeded", "local"] | row),
(["r", "r", "l", "l", "r", "r", "r", "r"] | rule),
( . as $all
  | ($all.nsperpkt | map([.family, (if .repeat == 1 then 1 else 0 end), .routes,
		(if .lookup == "lpm" then 1 else 0 end)]) | unique)[]
  | . as [$f, $cold, $r, $d]
  | ($all.nsperpkt | map(select(.family == $f and .routes == $r
		and (if .repeat == 1 then 1 else 0 end) == $cold
		and (if .lookup == "lpm" then 1 else 0 end) == $d))
	| map({key: .case, value: .ns_per_pkt}) | from_entries) as $c
  | ["IPv\($f)", ($r | n0), (if $cold == 1 then "cold" else "hot" end),
     (if $d == 1 then "front structure" else "trie alone" end), ($c.forward | ns),
     ($c.no_route | ns), ($c.ttl_exceeded | ns), ($c.local | ns)] | row ),
( if (.front_table | length) > 0 then
	"",
	"### What the front structure buys (forward path, same run and table)",
	"",
	(["family", "routes", "caches", "trie alone", "front structure", "trie / front",
	  "frames the front answers", "full paint from the trie", "pool"] | row),
	(["l", "r", "l", "r", "r", "r", "r", "r", "r"] | rule),
	(.front_table | sort_by([.family, .caches == "cold", .routes])[]
	 | ["IPv\(.family)", (.routes | n0), .caches, "\(.trie_ns | ns) ns", "\(.lpm_ns | ns) ns",
	    "\(.trie_over_lpm | x2)x", (.front_direct | pct), "\(.paint_s | x2) s",
	    (.pool_bytes | mib)] | row),
	"",
	"Frames the front structure does not answer (a leaf that asks the trie: a route MTU) "
		+ "take the trie; with cold caches a few slow frames move the mean (the per-call medians: "
		+ ([.front_table[] | select(.caches == "cold") | "IPv\(.family) \(.routes | n0) routes "
			+ "\(.trie_median_ns | ns) -> \(.lpm_median_ns | ns) ns"] | join(", "))
		+ ")."
  else empty end ),
( if (.nsperpkt_errors | length) > 0 then
	"", (.nsperpkt_errors[] | "IPv\(.family): not measured: \(.error | gsub("\n"; " "))")
  else empty end ),
( if (.memlat // [] | length) > 0 then
	(.memlat | map(select(.reads == 0)) | .[0].ns_per_run) as $base
	| "",
	"### Memory: what a dependent read of a large pool costs",
	"",
	(["case", "caches", "ns/run", "over no read", "rounds"] | row),
	(["l", "l", "r", "r", "l"] | rule),
	(.memlat[]
	 | [.case, .caches, (.ns_per_run | ns),
	    (if .reads == 0 or .caches == "hot" or $base == null then "-"
	     else "+\(.ns_per_run - $base | ns) ns" end),
	    (.rounds | map(ns) | join(", "))] | row),
	"",
	"`bench/memlat`: a program that only reads 0 to 3 entries of a 96 MiB array of 1 KiB "
		+ "groups (the size of ipxr's front structure for a full IPv4 table), each naming "
		+ "the group of the next; cold: 4,096 frames in turn, each from a different group, "
		+ "as nsperpkt's cold rows, after a round that brings the pool into the last-level "
		+ "cache; the median of the rounds. A lookup at scale pays this for each read "
		+ "that misses, whatever its structure."
  else empty end ),
( if (.ecmp // [] | length) > 0 then
	(.ecmp | map(select(.group == 1)) | .[0].ns_per_pkt) as $one
	| "",
	"### Multipath routes (ECMP): the forward path by group size",
	"",
	(["next hops", "ns/packet", "over one next hop", "rounds"] | row),
	(["r", "r", "r", "l"] | rule),
	(.ecmp | sort_by(.group)[]
	 | [(.group | n0), (.ns_per_pkt | ns),
	    (if .group == 1 or $one == null then "-" else "+\(.ns_per_pkt - $one | ns) ns" end),
	    (.rounds | map(ns) | join(", "))] | row),
	"",
	"`bench/abcost`: IPv4, hot caches, one route by the trie through one next hop and "
		+ "one through a group of N (its members twins of that next hop), call by call in "
		+ "one process; the median of the rounds: the flow hash and the bucket read, then "
		+ "the member's next hop as for a single one."
  else empty end ),
( if (.ecmp_forward // [] | length) > 0 then
	"",
	"### Multipath routes (ECMP): forwarding rate by group size",
	"",
	(["next hops", "ipxr ns/packet", "ipxr Mpps/core", "ipxr over one next hop",
	  "kernel Mpps/core", "kernel over one next hop"] | row),
	(["r", "r", "r", "r", "r", "r"] | rule),
	(.ecmp_forward | sort_by(.group)[]
	 | [(.group | n0), (.cases.xdp.loop_ns | ns), (.cases.xdp.mpps_per_core.median | x2),
	    (if .group == 1 then "-" else "\(.cases.xdp.over_one.median | x2)x "
		+ "(\(.cases.xdp.over_one.min | x2)-\(.cases.xdp.over_one.max | x2))" end),
	    (.cases.kernel.mpps_per_core.median | x2),
	    (if .group == 1 then "-" else "\(.cases.kernel.over_one.median | x2)x "
		+ "(\(.cases.kernel.over_one.min | x2)-\(.cases.kernel.over_one.max | x2))" end)]
	 | row),
	"",
	"Single-core loop, 64-byte UDP to 65,536 destinations, the default route through one "
		+ "next hop or a group of N gateways on the sink's port (the group sizes in turn "
		+ "in every run; medians, and the range of the per-run ratios); ns/packet is the CPU time of source, router and sink per frame."
  else empty end ),
( if (.vlan // [] | length) > 0 then
	"",
	"### VLANs: untagged frames and tagged to tagged",
	"",
	(["family", "case", "untagged ns/packet", "tagged ns/packet", "tags cost"] | row),
	(["l", "l", "r", "r", "r"] | rule),
	(.vlan | group_by([.family, .case])[]
	 | (map(select(.tagged | not)) | .[0].ns_per_pkt) as $u
	 | (map(select(.tagged)) | .[0].ns_per_pkt) as $t
	 | ["IPv\(.[0].family)", .[0].case, ($u | ns), ($t | ns),
	    (if $u == null or $t == null then "-" else "+\($t - $u | ns) ns" end)] | row),
	"",
	"`bench/nsperpkt --vlan`: 1,000 routes through the front structure, hot caches, median "
		+ "of the rounds; tagged: in on VLAN 10 of the ingress port, out on VLAN 100 (tags "
		+ "off on the way in, on again on the way out; put back for a passed frame)."
  else empty end ),
"",
"### Control plane (\(.control.routes | n0) IPv4 routes, one batch file; then \(.control.routes6 | n0) IPv6)",
"",
(["`ipxr -b` (kernel and maps)", "`ip -b` (kernel)", "ipxr speedup", "`ipxr -b`, IPv6",
  "ipxr maps (memlock, both tables)", "of which `ipxr_route4`", "of which the `ipxr_lpm` pools",
  "kernel FIB (fib_triestat)"] | row),
([range(8) | "r"] | rule),
(.control | ["\(.ipxr_b_s | x2) s", "\(.ip_b_s | x2) s", "\(.ipxr_speedup | x2)x",
	"\(.ipxr_b6_s | x2) s",
	(.ipxr_maps_bytes | mib), (.ipxr_route4_bytes | mib), (.ipxr_lpm_bytes | mib),
	(if .kernel_fib_kb == null then null else .kernel_fib_kb * 1024 end | mib)] | row),
"",
( if .sync != null then
	(.sync.converge) as $c | (.sync.churn) as $h | (.sync.churn_netlink) as $hn
	| def s2: if . == null then "-" else ((. * 100 | round) / 100 | tostring) + " s" end;
	  def ms: if . == null then "-" else ((. * 100 | round) / 100 | tostring) + " ms" end;
	"### BIRD drives the router: `ipxr sync` (\($c.n4 | n0) IPv4 + \($c.n6 | n0) IPv6 routes over eBGP)",
	"",
	(["kernel full", "fast path complete", "behind the kernel", "missing / stale after",
	  "ipxr sync CPU", "ipxr sync peak RSS"] | row),
	([range(6) | "r"] | rule),
	(["\($c.kernel_full_s | s2)", "\($c.complete_s | s2)", "\($c.lag_s | s2)",
	  "\($c.verify.missing | n0) / \($c.verify.stale | n0)", "\($c.daemon_cpu_s | s2)",
	  (if $c.daemon_hwm_kb == null then null else $c.daemon_hwm_kb * 1024 end | mib)] | row),
	"",
	"Times from the start of the two BIRDs (BGP up in \($c.bgp_up_s | s2)); `ipxr sync` ran "
		+ "throughout and followed the notifications. Complete: `bench/maplat`, listening to "
		+ "the same notifications, saw the tries hold the last prefix the kernel got, then "
		+ "checked every route of the kernel's table against them, looking again at what "
		+ "differed as it went: complete is when the last of it matched "
		+ "(\($c.first_pass_missing // 0 | n0) routes missing at first), once a second "
		+ "check finds nothing.",
	"",
	(["`ipxr sync once`", "seconds", "routes/s", "CPU user + sys", "peak RSS"] | row),
	(["l", "r", "r", "r", "r"] | rule),
	(.sync.load[] | [.what, (.seconds | s2), (.routes_per_s | n0),
		"\(.user_s) + \(.sys_s) s", (.maxrss_kb * 1024 | mib)] | row),
	"",
	( if $h != null then
		(["churn by", "changes/s, s", "peak in 100 ms", "changes timed", "p50", "p99", "max",
		  "never seen", "overruns", "ipxr sync CPU", "missing / stale after"] | row),
		(["l"] + [range(10) | "r"] | rule),
		([$h, $hn][] | select(. != null) |
		 [(if .source == "netlink" then "netlink writes" else "BIRD" end),
		  "\(.events_per_s | n0) for \(.seconds | round)",
		  (if .peak_per_100ms == null then "-" else (.peak_per_100ms | n0) end), (.timed | n0),
		  (.p50_ms | ms), (.p99_ms | ms), (.max_ms | ms), (.never_seen | n0),
		  (.enobufs | n0), (.daemon_cpu_s | s2),
		  (if .after == null then "-" else "\(.after.missing | n0) / \(.after.stale | n0)"
		   end)] | row),
		"",
		"Churn: BIRD on the upstream disables and enables flap protocols (a share of its "
			+ "prefixes spread over the table, each protocol in a table of its own piped "
			+ "into master) 50 times a second; the router's BIRD writes them to the kernel "
			+ "at that rate except after its kernel scan (every 60 s), when what queued "
			+ "meanwhile comes at once (peak in 100 ms); each change is timed from "
			+ "its rtnetlink notification to the trie holding (or no longer holding) the "
			+ "prefix, polled every \($h.interval_us) µs. Netlink writes: `ip -b` deletes or "
			+ "adds again a group of routes of its own (protocol static, outside BIRD's "
			+ "table) 50 times a second.",
		""
	  else empty end )
  else empty end ),
"### Targets",
"",
(["target", "result", "met"] | row),
(["l", "r", "l"] | rule),
(.targets[] | [.target,
	(.got | x2) + (if .min != null and .min != .max then " (\(.min | x2)-\(.max | x2))" else "" end),
	(if .met == null then "?" elif .met then "yes" else "**no**" end)] | row),
"",
"\(.mode) run of \(.date), commit \(.commit)"
	+ "\(if .uncommitted_changes then " (with uncommitted changes)" else "" end), "
	+ "`\(.xdp_obj)` (sha256 \(.xdp_obj_sha256)…) and `\(.ipxr)` (\(.ipxr_version)), "
	+ "kernel \(.kernel), \(.cpus) x \(.cpu), \(.seconds | round) s."
