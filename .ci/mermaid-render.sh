#!/usr/bin/env bash
# Renders every DIR/*.mmd with the real Mermaid (@mermaid-js/mermaid-cli in
# Debian's headless Chromium), once per pinned Mermaid version under
# .ci/mermaid/m*/, and fails naming each file that does not parse or render.
#
#   bash .ci/mermaid-render.sh DIR
#
# On a fresh Debian machine, as root, it installs Chromium (apt) and the
# pinned npm packages into .ci/.cache/ (no browser download: puppeteer is
# pointed at /usr/bin/chromium). SVGs are kept in .ci/.cache/out/<version>/.
set -euo pipefail

dir=${1:?usage: bash .ci/mermaid-render.sh DIR}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=$here/.cache

shopt -s nullglob
files=("$dir"/*.mmd)
if ((${#files[@]} == 0)); then
	echo "mermaid-render: no .mmd files in $dir" >&2
	exit 1
fi

if [[ ! -x /usr/bin/chromium ]]; then
	apt-get -o DPkg::Lock::Timeout=600 update
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y chromium
fi
if ! command -v npm >/dev/null; then
	apt-get -o DPkg::Lock::Timeout=600 update
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y nodejs npm
fi

# install VERSION_DIR: npm install of the pinned package.json into the cache,
# skipped when the same package.json is already installed there.
install() {
	local src=$1 dst=$cache/$(basename "$1")
	mkdir -p "$dst"
	if [[ -d $dst/node_modules ]] && cmp -s "$src/package.json" "$dst/package.json"; then
		return
	fi
	rm -rf "$dst/node_modules" "$dst/package-lock.json"
	cp "$src/package.json" "$dst/package.json"
	(cd "$dst" && PUPPETEER_SKIP_DOWNLOAD=1 npm install --no-audit --no-fund --ignore-scripts --loglevel=error)
}

status=0
for src in "$here"/mermaid/m*/; do
	src=${src%/}
	version=$(basename "$src")
	echo "-- rendering ${#files[@]} diagrams with Mermaid ${version#m}"
	install "$src"
	cp "$here/mermaid/render.mjs" "$cache/$version/render.mjs"
	if ! node "$cache/$version/render.mjs" "$here/mermaid/puppeteer.json" "$cache/out/$version" "${files[@]}"; then
		echo "mermaid-render: Mermaid ${version#m} failed on the files marked FAIL above" >&2
		status=1
	fi
done
exit $status
