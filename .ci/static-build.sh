#!/usr/bin/env bash
# Build the action binary exactly as the Dockerfile does and check that it is
# a static, trimmed executable small enough for a < 25 MB image.
#
# The go build command is read from the Dockerfile (its one RUN line that
# contains "go build"), so the flags cannot drift apart: this script only
# swaps the output directory for a temporary one and builds for the host's
# GOOS/GOARCH. Needs Go; uses file(1) and ldd(1) when they can be had.
#
# Usage: .ci/static-build.sh [SRCDIR]   (default: the repository root)
# SRCDIR lets the check run against a stand-in main package while the real
# one does not compile yet; the Dockerfile is always the repository's.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
src=$(cd "${1:-$repo}" && pwd)
dockerfile=$repo/Dockerfile
image_budget_mb=25
base_image_mb=3 # gcr.io/distroless/static-debian12 is about 2 MB compressed

fail() {
	echo "static-build: FAIL: $*" >&2
	exit 1
}

# Join backslash-continued lines, then keep the RUN instructions that build.
build_lines=$(awk '
	/\\$/ { sub(/\\$/, ""); buf = buf $0; next }
	{ print buf $0; buf = "" }
' "$dockerfile" | grep -E '^[[:space:]]*RUN[[:space:]].*[[:space:]]go[[:space:]]+build[[:space:]]' || true)
[[ -n $build_lines ]] || fail "no RUN line with 'go build' in $dockerfile"
[[ $(wc -l <<<"$build_lines") -eq 1 ]] || fail "more than one RUN line with 'go build' in $dockerfile"

cmd=$(sed -E 's/^[[:space:]]*RUN[[:space:]]+//; s/[[:space:]]+$//' <<<"$build_lines")
echo "static-build: Dockerfile builds with: $cmd"

# The shape this script knows how to run and check.
[[ $cmd == CGO_ENABLED=0\ * ]] || fail "the build must start with CGO_ENABLED=0"
[[ $cmd == *' go build '* ]] || fail "expected 'go build' in: $cmd"
[[ $cmd == *' -trimpath '* ]] || fail "the build must pass -trimpath"
[[ $cmd == *'-ldflags="-s -w '* ]] || fail "the build must strip with -ldflags=\"-s -w ...\""
[[ $cmd == *' -o /out/smpipe .' ]] || fail "the build must end with '-o /out/smpipe .'"
# shellcheck disable=SC2016 # a literal "$(" is what is looked for
[[ $cmd != *[\;\&\|\`]* && $cmd != *'$('* ]] || fail "the build line must be one plain command"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bin=$tmp/smpipe
# A value that cannot occur by chance, so its presence proves -X took effect.
version="static-build-check-$$-$RANDOM$RANDOM"

# Docker runs the RUN line with /bin/sh and the ARGs in the environment; do
# the same with the host platform as the target and $tmp in place of /out.
run=${cmd% -o /out/smpipe .}" -o \"\$OUT\" ."
(
	cd "$src"
	env VERSION="$version" TARGETOS="$(go env GOOS)" TARGETARCH="$(go env GOARCH)" OUT="$bin" \
		sh -ec "$run"
) || fail "go build failed in $src"

# 1. What the Go toolchain recorded.
info=$(go version -m "$bin")
grep -qE $'^[[:space:]]*build[[:space:]]+CGO_ENABLED=0$' <<<"$info" ||
	fail "go version -m does not show CGO_ENABLED=0:"$'\n'"$info"
grep -qE $'^[[:space:]]*build[[:space:]]+-trimpath=true$' <<<"$info" ||
	fail "go version -m does not show -trimpath=true:"$'\n'"$info"
# With -trimpath the toolchain does not record -ldflags (go.dev/issue/52372),
# so check their effects: -X set the version, -s -w left no symbol table.
# -X on a variable that does not exist is silently ignored.
grep -qaF "$version" "$bin" ||
	fail "the binary does not contain the -X main.version value: declare 'var version string' in package main"
nm=$(go tool nm "$bin" 2>&1 || true)
[[ $nm == *'no symbols'* ]] || fail "the binary still has a symbol table: -ldflags lost -s"
# -trimpath: no build machine paths left in the binary.
! grep -qaF "$src" "$bin" || fail "the binary contains the source path $src despite -trimpath"

# 2. What the system loader thinks.
if ! command -v file >/dev/null && [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
	echo "static-build: installing file(1) with apt-get"
	{ apt-get -o DPkg::Lock::Timeout=600 update -qq && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq file; } >/dev/null 2>&1 || true
fi
if command -v file >/dev/null; then
	desc=$(file -b "$bin")
	[[ $desc == *'statically linked'* || $desc == *'static-pie linked'* ]] ||
		fail "file(1) does not call the binary static: $desc"
	[[ $desc == *', stripped'* ]] || fail "file(1) does not call the binary stripped: $desc"
	echo "static-build: file: $desc"
else
	echo "static-build: file(1) not available; skipped that check"
fi
if command -v ldd >/dev/null; then
	# glibc's ldd exits 1 and says so for a static executable.
	out=$(ldd "$bin" 2>&1 || true)
	[[ $out == *'not a dynamic executable'* || $out == *'statically linked'* ]] ||
		fail "ldd lists dynamic dependencies:"$'\n'"$out"
	echo "static-build: ldd: $out"
else
	echo "static-build: ldd not available; skipped that check"
fi

# 3. Size. Reported, and a warning past the budget; the image is this binary
# on top of distroless/static.
bytes=$(wc -c <"$bin")
mib=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1048576 }')
estimate=$(awk -v b="$bytes" -v base="$base_image_mb" 'BEGIN { printf "%.1f", b / 1048576 + base }')
echo "static-build: binary $bytes bytes ($mib MiB); image about $estimate MB (target < $image_budget_mb MB)"
if awk -v e="$estimate" -v t="$image_budget_mb" 'BEGIN { exit !(e >= t) }'; then
	echo "static-build: WARNING: the image would exceed the $image_budget_mb MB target" >&2
fi
echo "static-build: OK"
