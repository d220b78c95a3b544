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

"### Forwarding rate (64-byte UDP, \(.forwarding.runs) run(s) of \(.forwarding.window_s) s,"
	+ " median)",
"",
(["routes", "(a) kernel forwarding", "(b) ipxr XDP", "(c) XDP_DROP ceiling", "b/a", "b/c",
  "router CPU ns/packet (a / b / c)", "(b) forwarded in XDP"] | row),
([range(8) | "r"] | rule),
(.forwarding.tables[] | [(.routes | n0), (.kernel_pps | mpps), (.xdp_pps | mpps),
	(.drop_pps | mpps), "\(.xdp_over_kernel | x2)x", (.xdp_over_drop | pct),
	"\(.kernel_ns | n0) / \(.xdp_ns | n0) / \(.drop_ns | n0)", (.xdp_fastpath_share | pct)]
	| row),
"",
( [.forwarding.tables[] | .routes as $r | .runs[] | select(.offered_pps < 1.1 * .pps)
	| "\(.case) with \($r | n0) route(s), run \(.run)"] as $lim
  | if ($lim | length) > 0 then
	"Source within 10 % of the rate (that rate may be the source's, not the forwarder's): "
		+ "\($lim | join("; ")).", ""
    else empty end ),
"CPU 0: traffic source (`bench/trafgen`, `BPF_PROG_TEST_RUN` live frames, SCHED_FIFO). "
	+ "CPU 1: the router's ingress NAPI thread (SCHED_FIFO), in all three cases. "
	+ "Counted on the router's egress port (sent + dropped by a full ring); (c) by the drop "
	+ "program. Router CPU ns/packet: the NAPI thread's CPU time in the window over the "
	+ "packets it handled (every cache as it is, unlike the table below); it holds where the "
	+ "source, not the router, set a rate, as it can for (c).",
"",
"### Per-packet cost of the program (`BPF_PROG_TEST_RUN`, ns/packet, mean)",
"",
"hot: 256 destinations spread over the table, each frame run 250 times in a row (its trie "
	+ "path cached): the program's own cost. cold: 4,096 destinations, one run per call in "
	+ "turn, so the trie comes from memory as for real traffic; these include test_run's "
	+ "fixed cost per call (see the 1-route row).",
"",
(["family", "routes", "caches", "forward", "no_route", "ttl_exceeded", "local"] | row),
(["r", "r", "l", "r", "r", "r", "r"] | rule),
( . as $all
  | ($all.nsperpkt | map([.family, (if .repeat == 1 then 1 else 0 end), .routes]) | unique)[]
  | . as [$f, $cold, $r]
  | ($all.nsperpkt | map(select(.family == $f and .routes == $r
		and (if .repeat == 1 then 1 else 0 end) == $cold))
	| map({key: .case, value: .ns_per_pkt}) | from_entries) as $c
  | ["IPv\($f)", ($r | n0), (if $cold == 1 then "cold" else "hot" end), ($c.forward | ns),
     ($c.no_route | ns), ($c.ttl_exceeded | ns), ($c.local | ns)] | row ),
( if (.nsperpkt_errors | length) > 0 then
	"", (.nsperpkt_errors[] | "IPv\(.family): not measured: \(.error | gsub("\n"; " "))")
  else empty end ),
"",
"### Control plane (\(.control.routes | n0) routes, one batch file)",
"",
(["`ipxr -b`", "`ip -b` (kernel)", "ipxr speedup", "ipxr maps (memlock)",
  "of which `ipxr_route4`", "kernel FIB (fib_triestat)"] | row),
([range(6) | "r"] | rule),
(.control | ["\(.ipxr_b_s | x2) s", "\(.ip_b_s | x2) s", "\(.ipxr_speedup | x2)x",
	(.ipxr_maps_bytes | mib), (.ipxr_route4_bytes | mib),
	(if .kernel_fib_kb == null then null else .kernel_fib_kb * 1024 end | mib)] | row),
"",
"### Targets",
"",
(["target", "result", "met"] | row),
(["l", "r", "l"] | rule),
(.targets[] | [.target, (.got | x2),
	(if .met == null then "?" elif .met then "yes" else "**no**" end)] | row),
"",
"\(.mode) run of \(.date), commit \(.commit)"
	+ "\(if .uncommitted_changes then " (with uncommitted changes)" else "" end), "
	+ "`\(.xdp_obj)` (sha256 \(.xdp_obj_sha256)…) and `\(.ipxr)` (\(.ipxr_version)), "
	+ "kernel \(.kernel), \(.cpus) x \(.cpu), \(.seconds | round) s."
