#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The oldest kernel ipxr claims, for real: Debian 12's own kernel (the package linux-image-amd64
# depends on, from the Debian archive) booted under qemu (TCG: no KVM needed) with an initramfs
# holding busybox, this tree's object, CLI and test programs, and the host's iproute2, ping and
# friends with their libraries (ldd). Inside, tests/vm/init runs every guest test,
# tests/vm/guest/*.sh, each with the real bash and tests/lib.sh, and sends its output back on a
# second serial port; this script prefixes each `ok -` / `not ok -` line with the guest kernel and
# the test's name. A kernel panic or oops, a guest that hangs (IPXR_VM_TIMEOUT seconds) or a test
# that does not finish fails, with the end of the guest's console.
#
#	tests/vm.sh		(root for the default cache; `make test` builds what it copies)
#	IPXR_VM_CACHE=DIR	the kernel, fetched once (default /var/cache/ipxr-vm: outside the
#				clone, so CI's fresh clones reuse it)
#	IPXR_VM_KEEP=1		keep the work directory (initramfs, console and result logs)
#	IPXR_VM_ONLY=NAME	run only guest test NAME (tests/vm/guest/NAME.sh), or the script
#				at path NAME (say, one that runs bench/nsperpkt)
#	IPXR_VM_TIMEOUT=SECS	the guest's whole run (default 300)
#
# A guest test is a bash script in tests/vm/guest/: it sources tests/lib.sh like the host's
# end-to-end tests and prints `ok - ` / `not ok - ` lines. A line `# vm-modules: MOD...` in it
# names kernel modules it needs (their dependencies are found and loaded first); `# vm-tools:
# CMD...` names host commands to copy into the guest besides the common set below.

set -u

cd "$(dirname "$0")/.." || exit 1
ROOT=$PWD
V=${V:-0}
CACHE=${IPXR_VM_CACHE:-/var/cache/ipxr-vm}
TIMEOUT=${IPXR_VM_TIMEOUT:-300}
MEM=${IPXR_VM_MEM:-1024}
META=linux-image-amd64

# Host commands every guest gets; busybox provides the rest. The real dash is /bin/sh, so
# system() and sh -c find these by PATH (busybox's sh would run its own applets instead).
TOOLS=(bash dash ip ping ss nstat bpftool jq socat ethtool tcpdump timeout sleep mktemp head tail
       sed grep awk sort sha256sum sysctl date cat env stat mountpoint)
# The CLI under test, as tests/run.sh picks it (default: the AddressSanitizer build).
IPXR=${IPXR:-build/asan/ipxr}
IPXR=${IPXR#"$ROOT"/}
# Files of this tree copied in (built by `make test`).
TREE=(bpf/xdp_router.o "$IPXR" tests/lib.sh tests/lib6.sh tests/test_xdp tests/lpm_check
      tests/vm/init)
# and, when built (make bench-tools), to time the program on this kernel by hand
OPTIONAL=(bench/nsperpkt)

WORK=
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup()
{
	[[ -n $WORK && ${IPXR_VM_KEEP:-0} != 1 ]] && rm -rf "$WORK"
	[[ -n $WORK && ${IPXR_VM_KEEP:-0} == 1 ]] && echo "# work directory kept: $WORK"
}
trap cleanup EXIT

fail() # LABEL [DIAG...]: one failed check, then stop
{
	echo "not ok - $1"
	shift
	local l
	for l in "$@"; do
		printf '# %s\n' "$l"
	done
	exit 1
}

for cmd in qemu-system-x86_64 cpio dpkg-deb apt-get apt-cache; do
	command -v "$cmd" >/dev/null || fail "vm: $cmd is installed (scripts/deps.sh test)"
done
if [[ ! -x /bin/busybox ]] || ldd /bin/busybox >/dev/null 2>&1; then
	fail "vm: a static /bin/busybox (Debian busybox-static) is installed"
fi
for f in "${TREE[@]}"; do
	[[ -e $f ]] || fail "vm: $f exists (make test builds it)"
done

# ---- the kernel: the package linux-image-amd64 depends on, fetched once ------------------------

# The archive's current Debian 12 kernel: linux-image-amd64 names exactly one (a glob would fetch
# every 6.1 build there is).
pkg=$(apt-cache depends "$META" 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9].*\)/\1/p' |
	head -n 1)
[[ -n $pkg ]] || fail "vm: apt-cache depends $META names the Debian kernel package" \
	"apt knows no $META (not Debian, or apt-get update never ran?)"
kver=${pkg#linux-image-}
kdir=$CACHE/$pkg
mkdir -p "$CACHE" || fail "vm: create the cache directory $CACHE"
# one fetch at a time: CI and a developer may start at once
exec {lock}>"$CACHE/.lock" || fail "vm: open $CACHE/.lock"
flock -w 300 "$lock" || fail "vm: lock $CACHE/.lock (another fetch held it for 300 s)"
if [[ ! -f $kdir/vmlinuz || ! -f $kdir/.complete ]]; then
	dl=$(mktemp -d "$CACHE/.fetch.XXXXXX") || fail "vm: a download directory in $CACHE"
	# apt drops to the _apt user to download; let it write there
	chown _apt "$dl" 2>/dev/null
	if ! out=$(cd "$dl" && apt-get download "$pkg" 2>&1); then
		rm -rf "$dl"
		fail "vm: apt-get download $pkg (the kernel under test)" "$out"
	fi
	rm -rf "$kdir.new"
	if ! out=$(dpkg-deb -x "$dl"/"$pkg"_*.deb "$kdir.new" 2>&1); then
		rm -rf "$dl" "$kdir.new"
		fail "vm: unpack $pkg" "$out"
	fi
	rm -rf "$dl"
	{ mv "$kdir.new/boot/vmlinuz-$kver" "$kdir.new/vmlinuz" && touch "$kdir.new/.complete" &&
	  rm -rf "$kdir" && mv "$kdir.new" "$kdir"; } || fail "vm: $pkg into $kdir"
	echo "# fetched $pkg into $kdir"
fi
exec {lock}>&-
moddir=$kdir/lib/modules/$kver

# ---- the initramfs -----------------------------------------------------------------------------

WORK=$(mktemp -d /tmp/ipxr-vm.XXXXXX) || exit 1
fs=$WORK/root
mkdir -p "$fs"/{bin,sbin,usr/bin,usr/sbin,lib,lib64,etc,proc,sys,dev,run,tmp,root,ipxr/tests/vm} ||
	exit 1
ln -s ../bin/busybox "$fs/sbin/busybox"
cp /bin/busybox "$fs/bin/busybox"

# copy FILE and every library it loads to the same path in the guest
copy_with_libs()
{
	local f=$1 lib

	mkdir -p "$fs$(dirname "$f")" && cp -L "$f" "$fs$f" || return 1
	for lib in $(ldd "$f" 2>/dev/null | grep -o '/[^ ]*'); do
		[[ -e $fs$lib ]] && continue
		mkdir -p "$fs$(dirname "$lib")" && cp -L "$lib" "$fs$lib"
	done
}

guests=()
if [[ ${IPXR_VM_ONLY:-} == */* ]]; then
	guests=("$IPXR_VM_ONLY")
elif [[ -n ${IPXR_VM_ONLY:-} ]]; then
	guests=("tests/vm/guest/$IPXR_VM_ONLY.sh")
else
	guests=(tests/vm/guest/*.sh)
fi
tools=("${TOOLS[@]}")
mods=()
for g in "${guests[@]}"; do
	[[ -f $g ]] || fail "vm: guest test $g exists"
	read -ra more <<<"$(sed -n 's/^# vm-tools: *//p' "$g")"
	tools+=("${more[@]}")
	read -ra more <<<"$(sed -n 's/^# vm-modules: *//p' "$g")"
	mods+=("${more[@]}")
done

for t in "${tools[@]}"; do
	p=$(command -v "$t" || { [[ -x /usr/sbin/$t ]] && echo "/usr/sbin/$t"; } ||
	    { [[ -x /sbin/$t ]] && echo "/sbin/$t"; })
	[[ -n $p ]] || fail "vm: $t is installed on the host (copied into the guest)"
	p=$(readlink -f "$p")
	copy_with_libs "$p" || fail "vm: copy $p into the guest"
	# under its own name where PATH finds it, whatever the host's file is called
	[[ -e $fs/usr/bin/$t ]] || ln -s "$p" "$fs/usr/bin/$t"
done
ln -sf /usr/bin/dash "$fs/bin/sh"
ln -sf /usr/bin/bash "$fs/bin/bash"
# iproute2's tables (rt_tables...) and the name lookups ping and ss do
[[ -d /etc/iproute2 ]] && cp -r /etc/iproute2 "$fs/etc/"
if [[ -d /usr/share/iproute2 ]]; then
	mkdir -p "$fs/usr/share" && cp -r /usr/share/iproute2 "$fs/usr/share/"
fi
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$fs/etc/passwd"
printf 'root:x:0:\n' >"$fs/etc/group"
printf 'hosts: files\n' >"$fs/etc/nsswitch.conf"
printf '127.0.0.1 localhost\n::1 localhost\n' >"$fs/etc/hosts"
printf '6 tcp\n17 udp\n1 icmp\n58 ipv6-icmp\n' | awk '{print $2, $1}' >"$fs/etc/protocols"

# busybox for everything not copied: links created only where nothing is
for a in $(/bin/busybox --list); do
	[[ -e $fs/usr/bin/$a || -e $fs/bin/$a ]] || ln -s busybox "$fs/bin/$a"
done

# modules with what they depend on (the .modinfo "depends=" list), dependencies first
modlist=()
mod_add()
{
	local m=$1 f d

	for d in "${modlist[@]}"; do
		[[ ${d##*/} == "$m.ko" ]] && return 0
	done
	f=$(find "$moddir/kernel" -name "$m.ko" -print -quit)
	if [[ -z $f ]]; then
		# built in: nothing to load
		grep -q "/$m.ko$" "$moddir/modules.builtin" && return 0
		fail "vm: module $m in $pkg" "neither a module nor built in"
	fi
	for d in $(tr '\0' '\n' <"$f" | sed -n 's/^depends=//p' | tr ',' ' '); do
		mod_add "$d"
	done
	modlist+=("$f")
}
for m in veth "${mods[@]}"; do
	mod_add "$m"
done
mkdir -p "$fs/lib/modules"
: >"$fs/etc/modules"
for f in "${modlist[@]}"; do
	cp "$f" "$fs/lib/modules/" && echo "${f##*/}" >>"$fs/etc/modules"
done

for f in "${TREE[@]}" "${OPTIONAL[@]}"; do
	[[ -e $f ]] || continue
	{ mkdir -p "$fs/ipxr/$(dirname "$f")" && cp -L "$f" "$fs/ipxr/$f"; } || fail "vm: copy $f"
	if ldd "$f" >/dev/null 2>&1; then
		# its libraries: copied with it to where the host has it, then that copy goes
		copy_with_libs "$ROOT/$f" || fail "vm: the libraries of $f"
		rm -f "$fs$ROOT/$f"
	fi
done
mkdir -p "$fs/ipxr/tests/vm/guest"
cp "${guests[@]}" "$fs/ipxr/tests/vm/guest/"
ln -s ipxr/tests/vm/init "$fs/init"

(cd "$fs" && find . | cpio -o -H newc --quiet) >"$WORK/initramfs.cpio" ||
	fail "vm: build the initramfs"
echo "# guest: $pkg, initramfs $(($(stat -c %s "$WORK/initramfs.cpio") / 1048576)) MiB," \
	"modules: ${modlist[*]##*/}"

# ---- boot --------------------------------------------------------------------------------------

console=$WORK/console.log
results=$WORK/results.log
start=$SECONDS
# ttyS0 is the kernel's console, ttyS1 carries the tests' output alone. panic=-1 with -no-reboot
# makes a panic end qemu at once.
timeout --kill-after=5 "$TIMEOUT" qemu-system-x86_64 -machine q35 -accel tcg -cpu max \
	-smp "${IPXR_VM_SMP:-2}" -m "$MEM" -nodefaults -display none -no-reboot \
	-kernel "$kdir/vmlinuz" -initrd "$WORK/initramfs.cpio" \
	-append "console=ttyS0 panic=-1 oops=panic loglevel=4 ipxr.v=$V ipxr.cli=/ipxr/$IPXR" \
	-serial "file:$console" -serial "file:$results" -monitor none </dev/null \
	>"$WORK/qemu.out" 2>&1
rc=$?
secs=$((SECONDS - start))
tr -d '\r' <"$results" >"$results.txt"

console_tail()
{
	echo "# qemu exit $rc after ${secs}s; the guest's console ends:"
	tr -d '\r' <"$console" | tail -n "${1:-40}" | sed 's/^/#   /'
	[[ -s $WORK/qemu.out ]] && sed 's/^/# qemu: /' "$WORK/qemu.out"
}

# Runs of more than 80 diagnostic lines (a verifier log) keep their first 20 and last 50 lines.
shorten()
{
	awk 'function flush(  i) {
		if (n > 80) {
			for (i = 1; i <= 20; i++) print buf[i]
			print "# ... " n - 70 " lines left out ..."
			for (i = n - 49; i <= n; i++) print buf[i]
		} else {
			for (i = 1; i <= n; i++) print buf[i]
		}
		n = 0
	}
	/^# / { buf[++n] = $0; next }
	{ flush(); print }
	END { flush() }'
}

# Each guest test's lines come between "@@ipxr-vm begin NAME" and "@@ipxr-vm end NAME RC".
failed=0
read -r kernel ncpu < <(sed -n 's/^@@ipxr-vm kernel //p' "$results.txt" | head -n 1)
if [[ -z ${kernel:-} ]]; then
	echo "not ok - vm: the guest ($pkg) booted and ran its init"
	console_tail
	exit 1
fi
echo "ok - vm: guest booted Linux $kernel ($pkg) under TCG, $ncpu"
bad=$(sed -n 's/^@@ipxr-vm insmod-failed //p' "$results.txt" | tr '\n' ' ')
if [[ -n $bad ]]; then
	echo "not ok - vm $kernel: every module loaded (failed: $bad)"
	tr -d '\r' <"$console" | grep -i -E 'module|insmod' | tail -n 10 | sed 's/^/#   /'
	failed=1
fi
for g in "${guests[@]}"; do
	name=$(basename "$g" .sh)
	awk -v n="$name" -v k="${kernel%% *}" '
		$0 == "@@ipxr-vm begin " n { on = 1; next }
		on && $1 == "@@ipxr-vm" && $2 == "end" && $3 == n {
			print "# " n ": exit " $4 " after " $5 "s in the guest"
			print "@@rc " $4
			exit
		}
		on && /^ok - / { sub(/^ok - /, ""); print "ok - vm " k ": " n ": " $0; next }
		on && /^not ok - / {
			sub(/^not ok - /, ""); print "not ok - vm " k ": " n ": " $0; next
		}
		on { print "# " $0 }' "$results.txt" | shorten >"$WORK/$name.out"
	grc=$(sed -n 's/^@@rc //p' "$WORK/$name.out")
	# as tests/run.sh shows a test: with V=1 everything, else each failed check and what follows
	grep -v '^@@rc ' "$WORK/$name.out" | if [[ $V == 1 ]]; then cat; else
		awk '/^not ok - /{show = 1; print; next} /^ok - /{show = 0; print; next} show'
		grep ' in the guest$' "$WORK/$name.out"
	fi
	if [[ -z $grc ]]; then
		echo "not ok - vm $kernel: $name finished"
		grep '^# ' "$WORK/$name.out" | tail -n 20
		failed=1
	elif [[ $grc != 0 ]]; then
		grep -q '^not ok - ' "$WORK/$name.out" ||
			echo "not ok - vm $kernel: $name exited $grc"
		failed=1
	elif ! grep -q '^ok - ' "$WORK/$name.out"; then
		echo "not ok - vm $kernel: $name ran checks"
		failed=1
	fi
done

# What the kernel said: a panic, an oops, a BUG or a lockup fails the run whatever the tests saw.
oops='Kernel panic|BUG:|Oops|general protection|soft lockup|hung task|Call Trace'
if tr -d '\r' <"$console" | grep -E -q "$oops"; then
	echo "not ok - vm $kernel: the guest kernel logged no panic, oops or BUG"
	console_tail 80
	failed=1
else
	echo "ok - vm $kernel: the guest kernel logged no panic, oops or BUG"
fi
if grep -q '^@@ipxr-vm done' "$results.txt"; then
	echo "ok - vm $kernel: the guest ran every test and powered off (${secs}s)"
else
	echo "not ok - vm $kernel: the guest ran every test and powered off" \
		"(qemu exit $rc, ${secs}s)"
	[[ $rc == 124 || $rc == 137 ]] && echo "# killed after IPXR_VM_TIMEOUT=${TIMEOUT}s: a hang"
	console_tail
	failed=1
fi
exit $failed
