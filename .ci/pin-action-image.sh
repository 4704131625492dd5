#!/usr/bin/env bash
# Point an action.yml at a pushed image by digest: replace `image: Dockerfile`
# under `runs:` with `image: docker://IMAGE@DIGEST`. The release workflow runs
# this on the release tag's action.yml after pushing the image, so that
# `uses: smpipe/smpipe-action@vX.Y.Z` (or @<commit>) always runs the image
# built for that release, while the branch keeps building from the Dockerfile
# (`uses: ./`, forks). release_test.go runs it too.
#
# Usage: .ci/pin-action-image.sh ACTION_YML IMAGE DIGEST
#   IMAGE   registry/name without tag, lower case: ghcr.io/smpipe/smpipe-action
#   DIGEST  sha256:<64 hex digits>, as docker/build-push-action outputs it
set -euo pipefail

fail() {
	echo "pin-action-image: $*" >&2
	exit 1
}
[[ $# -eq 3 ]] || fail "usage: $0 ACTION_YML IMAGE DIGEST"
file=$1 image=$2 digest=$3
[[ $digest =~ ^sha256:[0-9a-f]{64}$ ]] || fail "not a sha256 digest: $digest"
component='[a-z0-9]+([._-][a-z0-9]+)*'
[[ $image =~ ^$component(\.$component)*(:[0-9]+)?(/$component)+$ ]] ||
	fail "not an image name (lower case, registry/name, no tag or digest): $image"

# Exactly one `image:` in the top-level runs: mapping, and it must still
# build from the Dockerfile: pinning twice, or pinning something else, is a
# mistake worth stopping a release for.
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
awk -v ref="docker://$image@$digest" '
	/^[^[:space:]#]/ { inruns = ($0 ~ /^runs:[[:space:]]*$/) }
	inruns && /^[[:space:]]+image:/ {
		n++
		value = $0
		sub(/^[[:space:]]+image:[[:space:]]*/, "", value)
		sub(/[[:space:]]+#.*$/, "", value)
		gsub(/^["'\'']|["'\'']$/, "", value)
		if (value != "Dockerfile") { bad = value; next }
		match($0, /^[[:space:]]+/)
		print substr($0, 1, RLENGTH) "image: " ref
		next
	}
	{ print }
	END {
		if (n != 1) { printf "pin-action-image: expected one image: under runs:, found %d\n", n > "/dev/stderr"; exit 1 }
		if (bad != "") { printf "pin-action-image: runs.image is %s, not Dockerfile: already pinned?\n", bad > "/dev/stderr"; exit 1 }
	}
' "$file" >"$tmp" || exit 1
cat "$tmp" >"$file"
echo "pin-action-image: $file runs docker://$image@$digest"
