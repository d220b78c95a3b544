# ipxr: XDP IPv4 router (bpf/) and its iproute2-style CLI (ipxr/).
#
#   make               build bpf/xdp_router.o and ipxr/ipxr
#   make demo          install missing build dependencies (Debian), build, run a live demo
#   make check         install missing dependencies, build, run every test (root)
#   make check-fresh   make demo and make check in a new minimal Debian 12 (root, ~3 minutes)
#   make fuzz          the libFuzzer harnesses (tests/fuzz/), FUZZ_TIME seconds each (default 60)
#   make bench         forwarding on one core against the kernel, a bpf_fib_lookup forwarder and
#                      the bare-redirect floor (IPv4 and IPv6), ns/packet against table size,
#                      route loading, BIRD; results in bench/results/ (root, 13-24 minutes)
#   make bench-quick   the same, smaller and shorter (about 5 minutes), in build/bench-quick/
#   make install       PREFIX=/usr/local DESTDIR= (UNITDIR: where the systemd units go)
#   make deb           the Debian package, in build/deb/ (lintian-checked)
#   make clean

PREFIX		?= /usr/local
SBINDIR		?= $(PREFIX)/sbin
LIBDIR		?= $(PREFIX)/lib
BPFOBJDIR	?= $(LIBDIR)/ipxr
MANDIR		?= $(PREFIX)/share/man
BASHCOMPDIR	?= $(PREFIX)/share/bash-completion/completions
UNITDIR		?= $(LIBDIR)/systemd/system
# iproute2 reads protocol names from $(SYSCONFDIR)/iproute2/rt_protos.d/*.conf (Debian 12's 6.1
# too), so "ip route" prints ipxr's routes as "proto ipxr"
SYSCONFDIR	?= /etc

CC		?= cc
CLANG		?= clang
LLVM_STRIP	?= llvm-strip
PKG_CONFIG	?= pkg-config
VERSION		:= 0.8.0

CFLAGS		?= -O2 -g
WARNFLAGS	:= -Wall -Wextra -Werror
PKG_CFLAGS	= $(shell $(PKG_CONFIG) --cflags libbpf libmnl 2>/dev/null)
PKG_LIBS	= $(shell $(PKG_CONFIG) --libs libbpf libmnl 2>/dev/null)
IPXR_CFLAGS	= $(CFLAGS) $(WARNFLAGS) -std=gnu11 -D_GNU_SOURCE -DIPXR_VERSION=\"$(VERSION)\" \
		  -DIPXR_OBJ_PATH=\"$(BPFOBJDIR)/xdp_router.o\" \
		  -DIPXR_PORTS_PATH=\"$(SYSCONFDIR)/ipxr/ports\" -Ibpf -Iipxr $(PKG_CFLAGS)
IPXR_LIBS	= $(PKG_LIBS) -lelf -lz

# clang -target bpf does not search the multiarch include directory that holds <asm/types.h>.
MULTIARCH	:= $(shell $(CC) -print-multiarch 2>/dev/null || $(CC) -dumpmachine 2>/dev/null)
BPF_CFLAGS	:= -O2 -g -target bpf $(WARNFLAGS) -I/usr/include/$(MULTIARCH) -Ibpf

IPXR_SRCS	:= $(sort $(wildcard ipxr/*.c))
IPXR_HDRS	:= $(wildcard ipxr/*.h) bpf/ipxr_maps.h
IPXR_LIB_SRCS	:= $(filter-out ipxr/main.c,$(IPXR_SRCS))
ASAN_FLAGS	:= -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

TEST_BINS	:= tests/test_xdp tests/test_parse tests/test_lpm tests/lpm_check \
		   tests/test_nlroute tests/test_compile tests/fuzz_xdp tests/test_walk
# libFuzzer harnesses over the CLI's grammar and the netlink decoders: clang only
FUZZ_BINS	:= build/fuzz/fuzz_batch build/fuzz/fuzz_netlink
FUZZ_FLAGS	:= -fsanitize=fuzzer,address,undefined -fno-omit-frame-pointer \
		   -fno-sanitize-recover=all -Wno-gnu-variable-sized-type-not-at-end
FUZZ_TIME	?= 60
BENCH_BINS	:= bench/nsperpkt bench/stall bench/abcost

.PHONY: all clean install deps demo check check-fresh test bench-tools asan bench bench-quick fuzz \
	deb FORCE
all: build/.deps-ok bpf/xdp_router.o ipxr/ipxr

# Named missing packages beat a compiler error about a header; checked once per tree.
build/.deps-ok: scripts/deps.sh
	@scripts/deps.sh build --check
	@mkdir -p $(@D) && touch $@

deps:
	@scripts/deps.sh build

bpf/xdp_router.o: bpf/xdp_router.c bpf/ipxr_maps.h
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

# The flags ipxr is compiled with, paths included (IPXR_OBJ_PATH from PREFIX, IPXR_PORTS_PATH),
# in a file rewritten only when they change: "make install PREFIX=/usr" after a plain "make"
# then rebuilds ipxr, instead of installing one that looks for its object in /usr/local/lib.
build/cflags: FORCE
	@mkdir -p $(@D)
	@echo '$(IPXR_CFLAGS) $(LDFLAGS)' | cmp -s - $@ || echo '$(IPXR_CFLAGS) $(LDFLAGS)' >$@

ipxr/ipxr: $(IPXR_SRCS) $(IPXR_HDRS) Makefile build/cflags
	$(CC) $(IPXR_CFLAGS) $(LDFLAGS) -o $@ $(IPXR_SRCS) $(IPXR_LIBS)

# The same CLI under AddressSanitizer and UBSan, for the test suite.
asan: build/asan/ipxr
build/asan/ipxr: $(IPXR_SRCS) $(IPXR_HDRS) Makefile build/cflags
	@mkdir -p $(@D)
	$(CC) $(IPXR_CFLAGS) $(ASAN_FLAGS) -o $@ $(IPXR_SRCS) $(IPXR_LIBS)

tests/test_xdp: tests/test_xdp.c tests/pktgen.h tests/tap.h bpf/ipxr_maps.h ipxr/lpm.c ipxr/lpm.h \
		ipxr/nhgroup.c ipxr/nhgroup.h
	$(CC) $(IPXR_CFLAGS) $(ASAN_FLAGS) -pthread -Itests -o $@ $< ipxr/lpm.c ipxr/nhgroup.c \
		$(IPXR_LIBS)

tests/test_lpm: tests/test_lpm.c tests/tap.h bpf/ipxr_maps.h ipxr/lpm.c ipxr/lpm.h
	$(CC) $(IPXR_CFLAGS) $(ASAN_FLAGS) -Itests -o $@ $< ipxr/lpm.c $(IPXR_LIBS)

# the program under a million random and mutated frames, judged frame by frame
tests/fuzz_xdp: tests/fuzz_xdp.c tests/pktgen.h tests/tap.h bpf/ipxr_maps.h ipxr/lpm.c ipxr/lpm.h
	$(CC) $(IPXR_CFLAGS) $(ASAN_FLAGS) -Itests -o $@ $< ipxr/lpm.c $(IPXR_LIBS)

# nlroute.c's struct rtvia inside a struct is the GNU extension gcc takes silently
build/fuzz/%: tests/fuzz/%.c $(IPXR_LIB_SRCS) $(IPXR_HDRS) Makefile
	@mkdir -p $(@D)
	$(CLANG) $(IPXR_CFLAGS) $(FUZZ_FLAGS) -o $@ $< $(IPXR_LIB_SRCS) $(IPXR_LIBS)

# tests/fuzz/mkcorpus.sh's capture of a kernel's netlink dump (not a harness)
build/fuzz/nlcapture: tests/fuzz/nlcapture.c
	@mkdir -p $(@D)
	$(CC) $(IPXR_CFLAGS) -o $@ $< $(IPXR_LIBS)

fuzz: asan $(FUZZ_BINS)
	FUZZ_TIME=$(FUZZ_TIME) tests/fuzz.sh

# the shell tests' check that the pinned front structure is in step with the tries (lpm_verify)
tests/lpm_check: tests/lpm_check.c bpf/ipxr_maps.h ipxr/lpm.c ipxr/lpm.h
	$(CC) $(IPXR_CFLAGS) $(ASAN_FLAGS) -o $@ $< ipxr/lpm.c $(IPXR_LIBS)

tests/test_parse: tests/test_parse.c $(IPXR_LIB_SRCS) $(IPXR_HDRS)
	$(CC) $(IPXR_CFLAGS) $(ASAN_FLAGS) -Itests -o $@ $< $(IPXR_LIB_SRCS) $(IPXR_LIBS)

tests/test_nlroute: tests/test_nlroute.c tests/tap.h $(IPXR_LIB_SRCS) $(IPXR_HDRS)
	$(CC) $(IPXR_CFLAGS) $(ASAN_FLAGS) -Itests -o $@ $< $(IPXR_LIB_SRCS) $(IPXR_LIBS)

tests/test_compile: tests/test_compile.c tests/tap.h $(IPXR_LIB_SRCS) $(IPXR_HDRS)
	$(CC) $(IPXR_CFLAGS) $(ASAN_FLAGS) -Itests -o $@ $< $(IPXR_LIB_SRCS) $(IPXR_LIBS)

# its bpf_map_get_next_key() stands in for libbpf's (a writer between the walk's steps)
tests/test_walk: tests/test_walk.c tests/tap.h $(IPXR_LIB_SRCS) $(IPXR_HDRS)
	$(CC) $(IPXR_CFLAGS) $(ASAN_FLAGS) -Itests -o $@ $< $(IPXR_LIB_SRCS) $(IPXR_LIBS) -ldl

# the longest CPU stall while a full LPM trie is freed whole or key by key (issue 11)
bench/stall: bench/stall.c bpf/ipxr_maps.h
	$(CC) $(IPXR_CFLAGS) -pthread -o $@ $< $(IPXR_LIBS)

# What a change to the program costs per packet: objects side by side, runs interleaved
bench/abcost: bench/abcost.c tests/pktgen.h bpf/ipxr_maps.h
	$(CC) $(IPXR_CFLAGS) -Itests -o $@ $< $(IPXR_LIBS)

# It paints the front structure with ipxr's own painter, as ipxr does after loading routes.
bench/nsperpkt: bench/nsperpkt.c bench/table.h tests/pktgen.h bpf/ipxr_maps.h ipxr/lpm.c \
		ipxr/lpm.h ipxr/nhgroup.c ipxr/nhgroup.h
	$(CC) $(IPXR_CFLAGS) -Itests -o $@ $< ipxr/lpm.c ipxr/nhgroup.c $(IPXR_LIBS)

# The forwarding benchmark's traffic source, sink, peer forwarder and floor (XDP objects) and
# its table generator.
BENCH_TOOLS	:= build/bench/trafgen build/bench/routegen build/bench/gen_kern.o \
		   build/bench/fwd_kern.o build/bench/floor_kern.o \
		   build/bench/sink_kern.o build/bench/maplat build/bench/xdp_router_fresh.o \
		   build/bench/memlat_kern.o build/bench/memlat

# the router's object for bench/abcost: neighbour caches filled by hand never go stale
build/bench/xdp_router_fresh.o: bpf/xdp_router.c bpf/ipxr_maps.h
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) '-DIPXR_NEIGH_REFRESH_NS=(1ULL << 62)' -c $< -o $@

build/bench/%_kern.o: bench/%_kern.c
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

# what a dependent read of a large pool costs, for the limits of a lookup at scale
build/bench/memlat: bench/memlat.c
	@mkdir -p $(@D)
	$(CC) $(IPXR_CFLAGS) -o $@ $< $(IPXR_LIBS)

build/bench/trafgen: bench/trafgen.c
	@mkdir -p $(@D)
	$(CC) $(IPXR_CFLAGS) -o $@ $< $(IPXR_LIBS) -lpthread

# how far the maps are behind the kernel's table, for the BIRD part (bench/sync.sh)
build/bench/maplat: bench/maplat.c bpf/ipxr_maps.h
	@mkdir -p $(@D)
	$(CC) $(IPXR_CFLAGS) -o $@ $< $(IPXR_LIBS)

build/bench/routegen: bench/routegen.c bench/table.h
	@mkdir -p $(@D)
	$(CC) $(IPXR_CFLAGS) -o $@ $<

bench-tools: $(BENCH_BINS) $(BENCH_TOOLS)

bench:
	@scripts/deps.sh bench
	$(MAKE) all bench-tools
	bench/bench.sh

bench-quick:
	@scripts/deps.sh bench
	$(MAKE) all bench-tools
	bench/bench.sh --quick

# tests/e2e-bird.sh has the benchmark's generator write BIRD's table; tests/bench-kern.sh checks
# the benchmark's peer forwarder, floor and memlat
test: all asan $(TEST_BINS) $(FUZZ_BINS) build/bench/routegen build/bench/fwd_kern.o \
	build/bench/floor_kern.o build/bench/memlat_kern.o build/bench/memlat
	tests/run.sh

check:
	@scripts/deps.sh test
	$(MAKE) test

demo:
	@scripts/deps.sh demo
	$(MAKE) all
	scripts/demo.sh

# By hand, not in check: a minimal Debian 12 (debootstrap) runs the README's commands on HEAD.
check-fresh:
	@scripts/deps.sh fresh
	scripts/check-fresh.sh

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BPFOBJDIR) $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(BASHCOMPDIR)
	install -m 0755 ipxr/ipxr $(DESTDIR)$(SBINDIR)/ipxr
	install -m 0644 bpf/xdp_router.o $(DESTDIR)$(BPFOBJDIR)/xdp_router.o
	install -m 0644 man/*.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 completion/ipxr $(DESTDIR)$(BASHCOMPDIR)/ipxr
	install -d $(DESTDIR)$(UNITDIR)
	for u in ipxr-sync ipxr-attach; do \
		sed 's|@SBINDIR@|$(SBINDIR)|g; s|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
			systemd/$$u.service.in >$(DESTDIR)$(UNITDIR)/$$u.service && \
		chmod 0644 $(DESTDIR)$(UNITDIR)/$$u.service || exit 1; \
	done
	install -d $(DESTDIR)$(SYSCONFDIR)/iproute2/rt_protos.d
	install -m 0644 etc/iproute2/rt_protos.d/ipxr.conf \
		$(DESTDIR)$(SYSCONFDIR)/iproute2/rt_protos.d/ipxr.conf
	# the ports ipxr-attach.service attaches the object to; an operator's edits are kept
	install -d $(DESTDIR)$(SYSCONFDIR)/ipxr
	[ -e $(DESTDIR)$(SYSCONFDIR)/ipxr/ports ] || \
		install -m 0644 etc/ipxr/ports $(DESTDIR)$(SYSCONFDIR)/ipxr/ports

# dpkg-buildpackage cleans the tree it builds in: scripts/mkdeb.sh builds a copy of this one
deb:
	@scripts/deps.sh deb
	scripts/mkdeb.sh

clean:
	rm -rf bpf/*.o ipxr/ipxr build $(TEST_BINS) $(BENCH_BINS)
