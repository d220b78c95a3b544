#!/usr/bin/env bash
# Check the tools ipxr needs for a purpose (build, test, demo, bench, deb); on Debian or Ubuntu
# install the missing ones with apt-get and say so, elsewhere name them and fail. With --check,
# only name what is missing (plain `make` must not run apt-get behind the user's back); with
# --list, print the command-or-file:package pairs of the purpose (tests/deps.sh checks them
# against what the scripts run).
set -euo pipefail

purpose=${1:-build}
mode=${2:-}
# command-or-file:debian-package
need=(
	clang:clang llvm-strip:llvm pkg-config:pkg-config cc:gcc make:make
	/usr/include/bpf/libbpf.h:libbpf-dev /usr/include/libmnl/libmnl.h:libmnl-dev
	/usr/include/libelf.h:libelf-dev /usr/include/zlib.h:zlib1g-dev
	/usr/include/linux/bpf.h:linux-libc-dev ip:iproute2
)
case "$purpose" in
bench)
	need+=(bpftool:bpftool ethtool:ethtool jq:jq gnuplot:gnuplot-nox chrt:util-linux
	       taskset:util-linux sysctl:procps ps:procps git:git bird:bird2 birdc:bird2
	       /usr/bin/time:time ping:iputils-ping)
	;;
test|demo)
	need+=(bpftool:bpftool ethtool:ethtool ping:iputils-ping socat:socat nstat:iproute2
	       jq:jq mandoc:mandoc tcpdump:tcpdump sha256sum:coreutils setpriv:util-linux
	       sysctl:procps bird:bird2 birdc:bird2)
	;;
# `make check-fresh`: a minimal Debian built and entered, the tree cloned into it
fresh)
	need+=(debootstrap:debootstrap git:git)
	;;
esac
# `make deb` (scripts/mkdeb.sh), and tests/deb.sh, which runs it
if [[ $purpose == deb || $purpose == test ]]; then
	# dpkg-buildpackage refuses to build without build-essential, an implicit Build-Depends
	need+=(dpkg-buildpackage:dpkg-dev dpkg-parsechangelog:dpkg-dev dh:debhelper
	       lintian:lintian git:git /var/lib/dpkg/info/build-essential.list:build-essential)
fi
# the documentation tests render the pages and drive the completion as bash-completion loads it
if [[ $purpose == test ]]; then
	need+=(man:man-db groff:groff-base script:bsdutils
	       /usr/share/bash-completion/bash_completion:bash-completion)
	# tests/vm.sh: Debian 12's kernel under qemu, in an initramfs of busybox and the host's tools
	need+=(qemu-system-x86_64:qemu-system-x86 /var/lib/dpkg/info/busybox-static.list:busybox-static
	       cpio:cpio dpkg-deb:dpkg ldd:libc-bin dash:dash mountpoint:util-linux)
	# tests/fuzz.sh: libFuzzer is clang's runtime, which the clang package only recommends;
	# Debian 12's clang is 14 (clang not installed yet: its runtime is asked for by that name)
	clang_major=$(clang -dumpversion 2>/dev/null | cut -d. -f1)
	need+=("$(clang -print-file-name="libclang_rt.fuzzer-$(uname -m).a" 2>/dev/null ||
		  echo libclang_rt.fuzzer):libclang-rt-${clang_major:-14}-dev")
fi
if [[ $mode == --list ]]; then
	printf '%s\n' "${need[@]}"
	exit 0
fi

missing=()
for item in "${need[@]}"; do
	what=${item%%:*}
	pkg=${item#*:}
	if [[ $what == /* ]]; then
		[[ -e $what ]] && continue
	else
		command -v "$what" >/dev/null 2>&1 && continue
		# sbin tools are not on a plain user's PATH
		[[ -x /usr/sbin/$what || -x /sbin/$what ]] && continue
	fi
	missing+=("$pkg")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
if [[ $mode == --check ]]; then
	echo "deps: missing build dependencies (Debian packages): ${missing[*]}" >&2
	echo "deps: 'make demo' or 'make check' installs them with apt-get" >&2
	exit 1
fi
if command -v apt-get >/dev/null 2>&1; then
	echo "deps: installing missing packages with apt-get: ${missing[*]}"
	sudo=
	[[ $(id -u) -eq 0 ]] || sudo=sudo
	# apt-get's output only when it fails, then with the command
	apt_get() {
		local out

		if ! out=$(DEBIAN_FRONTEND=noninteractive $sudo apt-get "$@" 2>&1); then
			echo "deps: failed: ${sudo:+$sudo }apt-get $*" >&2
			printf '%s\n' "$out" >&2
			exit 1
		fi
	}
	apt_get update -qq
	apt_get install -y -qq --no-install-recommends "${missing[@]}"
	echo "deps: installed ${missing[*]}"
else
	echo "deps: missing packages (Debian names): ${missing[*]}" >&2
	echo "deps: install them with your package manager, then run make again" >&2
	exit 1
fi
