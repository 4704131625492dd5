#!/usr/bin/env bash
# Lint the repository's workflows and the example workflows in the docs with
# actionlint. Exits non-zero on any finding.
#
# Workflows: .github/workflows/*.yml and *.yaml. The self-test workflow runs
# the action with `uses: ./`, which is how actionlint checks action.yml too.
#
# Docs: in README.md, each ```yaml block that follows the
# line
#     <!-- actionlint: workflow -->
# (blank lines between are allowed) is a complete workflow and is linted. A
# ```yaml block with a top-level `jobs:` key but no marker is an error, so an
# example cannot slip out of the check. README.md must mark at least one.
#
# run: scripts are checked with shellcheck (and pyflakes) when on PATH.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
actionlint_pkg=github.com/rhysd/actionlint/cmd/actionlint@v1.7.12
marker='<!-- actionlint: workflow -->'

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

status=0

# extract DOC PREFIX: write each marked yaml block of DOC to
# $tmp/PREFIX-line<L>.yml (L: the line of its opening fence), print how many,
# and fail on unmarked blocks that look like workflows.
extract() {
	local doc=$1 prefix=$2
	awk -v marker="$marker" -v out="$tmp/$prefix" -v doc="$doc" '
		function flush() {
			if (marked) {
				n++
				file = sprintf("%s-line%d.yml", out, start)
				printf "%s", body > file
				close(file)
			} else if (body ~ /(^|\n)jobs:/) {
				printf "%s:%d: yaml block with a top-level jobs: key has no \"%s\" marker above it\n", doc, start, marker > "/dev/stderr"
				bad = 1
			}
		}
		infence {
			if ($0 ~ /^[[:space:]]*```[[:space:]]*$/) { flush(); infence = 0; marked = 0; next }
			body = body $0 "\n"
			next
		}
		skip {
			if ($0 ~ /^[[:space:]]*```/) skip = 0
			next
		}
		$0 == marker { pending = 1; next }
		/^```(yaml|yml)[[:space:]]*$/ {
			infence = 1; marked = pending; pending = 0; body = ""; start = NR
			next
		}
		/^[[:space:]]*```/ { pending = 0; skip = 1; next }
		/^[[:space:]]*$/ { next }
		{ pending = 0 }
		END {
			if (infence) { printf "%s:%d: unterminated yaml block\n", doc, start > "/dev/stderr"; bad = 1 }
			if (pending) { printf "%s: marker at the end with no yaml block after it\n", doc > "/dev/stderr"; bad = 1 }
			print n + 0
			exit bad
		}
	' "$doc"
}

files=()
for f in .github/workflows/*.yml .github/workflows/*.yaml; do
	[[ -e $f ]] && files+=("$f")
done
[[ ${#files[@]} -gt 0 ]] || {
	echo "actionlint.sh: no workflows under .github/workflows" >&2
	exit 1
}

for doc in README.md; do
	[[ -f $doc ]] || continue
	prefix=${doc//\//_}
	if ! n=$(extract "$doc" "$prefix"); then
		status=1
	fi
	echo "actionlint.sh: $doc: ${n:-0} example workflow(s)"
	if [[ $doc == README.md && ${n:-0} -eq 0 ]]; then
		echo "actionlint.sh: $doc marks no example workflow with \"$marker\"" >&2
		status=1
	fi
done
for f in "$tmp"/*.yml; do
	[[ -e $f ]] && files+=("$f")
done

flags=(-no-color)
command -v shellcheck >/dev/null || {
	echo "actionlint.sh: shellcheck not found; run: scripts are not shellchecked"
	flags+=(-shellcheck=)
}
command -v pyflakes >/dev/null || flags+=(-pyflakes=)
# actionlint v1.7.12 predates concurrency.queue (GitHub, 2026-05: `queue: max`
# keeps up to 100 pending runs). Ignore exactly that one complaint.
flags+=(-ignore 'unexpected key "queue" for "concurrency" section')

# A finding in a doc example names a temp file such as docs_action.md-line42.yml:
# the document and the line of the block's opening fence, so line N of that
# file is line 42+N of the document.
go run "$actionlint_pkg" "${flags[@]}" "${files[@]}" || status=1
exit "$status"
