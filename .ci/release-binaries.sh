#!/usr/bin/env bash
# Build the smpipe CLI for linux and darwin on amd64 and arm64, write the
# conf files' JSON Schema (conf.schema.json, what `smpipe schema` prints) and
# SHA256SUMS of all of them beside the binaries, and check them. The release
# workflow attaches OUTDIR/* to the GitHub release; .ci/run runs the same
# script, so a broken release build fails CI before a tag does.
#
# Reproducible: CGO_ENABLED=0, -trimpath (no build machine paths) and fixed
# -ldflags; the Go toolchain adds no timestamps, and the commit it stamps
# (vcs.revision, read back by `smpipe version`) is the checkout's. The same
# commit built with the same Go version gives the same bytes: the check
# below rebuilds the host binary and compares.
#
# Usage: .ci/release-binaries.sh OUTDIR VERSION     (VERSION: vX.Y.Z or vX.Y.Z-pre)
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
fail() {
	echo "release-binaries: FAIL: $*" >&2
	exit 1
}
[[ $# -eq 2 ]] || fail "usage: $0 OUTDIR VERSION"
version=$2
[[ $version =~ ^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]] || fail "VERSION must look like v1.2.3 or v1.2.3-rc.1, not $version"
mkdir -p "$1"
out=$(cd "$1" && pwd)
platforms=(linux/amd64 linux/arm64 darwin/amd64 darwin/arm64)

# The go command stamps the commit only in a clone whose .git is a
# directory (not in a linked git worktree) and when git is installed; the
# release workflow builds in such a clone. -buildvcs is explicit because
# GOFLAGS may turn it off.
buildvcs=false
if [[ -d $repo/.git ]] && command -v git >/dev/null; then
	buildvcs=true
fi

build() { # GOOS GOARCH OUTPUT
	(cd "$repo" && CGO_ENABLED=0 GOOS=$1 GOARCH=$2 go build -trimpath -buildvcs=$buildvcs -ldflags="-s -w -X main.version=$version" -o "$3" .)
}

sha256() {
	if command -v sha256sum >/dev/null; then sha256sum "$@"; else shasum -a 256 "$@"; fi
}

rm -f "$out"/smpipe-* "$out/conf.schema.json" "$out/SHA256SUMS"
for p in "${platforms[@]}"; do
	os=${p%/*} arch=${p#*/}
	echo "release-binaries: building smpipe-$os-$arch"
	build "$os" "$arch" "$out/smpipe-$os-$arch"
done
# The schema editors download: what this commit prints, which must be the
# committed schema/conf.schema.json that the README's raw URLs name.
host="$(go env GOHOSTOS)-$(go env GOHOSTARCH)"
if [[ -x $out/smpipe-$host ]]; then
	"$out/smpipe-$host" schema >"$out/conf.schema.json"
else
	(cd "$repo" && go run . schema) >"$out/conf.schema.json"
fi
cmp -s "$out/conf.schema.json" "$repo/schema/conf.schema.json" ||
	fail "schema/conf.schema.json is not what smpipe schema prints: run go test . -run TestRun_schema -update"
(cd "$out" && sha256 smpipe-* conf.schema.json >SHA256SUMS)
cat "$out/SHA256SUMS"

# 1. The checksums verify, as a user's `sha256sum -c` will.
(cd "$out" && sha256 -c SHA256SUMS >/dev/null) || fail "SHA256SUMS does not verify"

# 2. What the toolchain recorded in each binary.
for p in "${platforms[@]}"; do
	os=${p%/*} arch=${p#*/}
	info=$(go version -m "$out/smpipe-$os-$arch")
	for want in CGO_ENABLED=0 -trimpath=true "GOOS=$os" "GOARCH=$arch"; do
		grep -qE $'^[[:space:]]*build[[:space:]]+'"$want"'$' <<<"$info" || fail "smpipe-$os-$arch was not built with $want"
	done
done

# 3. The host's binary reports the version, the commit and the Go version.
if [[ -x $out/smpipe-$host ]]; then
	got=$("$out/smpipe-$host" version)
	echo "release-binaries: smpipe-$host version:"$'\n'"$got"
	[[ $(sed -n 1p <<<"$got") == "smpipe $version" ]] || fail "the first line is not 'smpipe $version'"
	[[ $(sed -n 3p <<<"$got") == "go     $(go env GOVERSION) ${host/-//}" ]] || fail "the third line is not 'go     $(go env GOVERSION) ${host/-//}'"
	if [[ $buildvcs == true ]]; then
		commit=$(git -C "$repo" rev-parse HEAD)
		[[ $(sed -n 2p <<<"$got") == "commit $commit"* ]] || fail "the second line does not name the checkout's commit $commit"
	else
		echo "release-binaries: not a git clone with git installed (a linked worktree?); the commit is not stamped"
	fi

	# 4. Reproducible: a second build is the same file.
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	build "$(go env GOHOSTOS)" "$(go env GOHOSTARCH)" "$tmp/smpipe"
	cmp -s "$tmp/smpipe" "$out/smpipe-$host" || fail "a second build of smpipe-$host differs: the build is not reproducible"
else
	echo "release-binaries: no binary for this host ($host); version and reproducibility not checked"
fi
echo "release-binaries: OK"
