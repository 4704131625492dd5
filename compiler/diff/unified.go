package diff

import (
	"bytes"
	"strconv"
	"strings"
)

// maxEditCost bounds the Myers search. Past it the middle of the two texts
// is reported as one replaced block: still a correct diff, just not a
// minimal one, and it keeps memory and time bounded on unrelated inputs.
const maxEditCost = 2000

// op is one line of an edit script.
type op struct {
	kind byte // ' ', '-' or '+'
	line string
}

// Unified returns a unified diff of a and b (the format of diff -u) with
// the given number of context lines, or "" when they are equal. Lines are
// compared byte for byte; a last line without a newline is marked
// "\ No newline at end of file". The output depends only on the inputs.
func Unified(a, b []byte, nameA, nameB string, context int) string {
	if bytes.Equal(a, b) {
		return ""
	}
	if context < 0 {
		context = 0
	}
	la, lb := splitLines(a), splitLines(b)
	script := editScript(la, lb)

	var out strings.Builder
	out.WriteString("--- " + nameA + "\n")
	out.WriteString("+++ " + nameB + "\n")
	for _, h := range hunks(script, context) {
		writeHunk(&out, script, h)
	}
	return out.String()
}

// splitLines splits text into lines that keep their "\n", so a missing
// final newline shows as a difference.
func splitLines(text []byte) []string {
	var lines []string
	for len(text) > 0 {
		i := bytes.IndexByte(text, '\n')
		if i < 0 {
			lines = append(lines, string(text))
			break
		}
		lines = append(lines, string(text[:i+1]))
		text = text[i+1:]
	}
	return lines
}

// editScript returns the lines of a and b as kept, deleted and inserted
// lines, deletions before insertions within a change.
func editScript(a, b []string) []op {
	prefix := 0
	for prefix < len(a) && prefix < len(b) && a[prefix] == b[prefix] {
		prefix++
	}
	suffix := 0
	for suffix < len(a)-prefix && suffix < len(b)-prefix && a[len(a)-1-suffix] == b[len(b)-1-suffix] {
		suffix++
	}
	script := make([]op, 0, len(a)+len(b))
	for _, l := range a[:prefix] {
		script = append(script, op{' ', l})
	}
	script = append(script, myers(a[prefix:len(a)-suffix], b[prefix:len(b)-suffix])...)
	for _, l := range a[len(a)-suffix:] {
		script = append(script, op{' ', l})
	}
	return script
}

// myers is Myers' O(ND) greedy algorithm. The part of the V array that step
// d can read is saved before each step so the path can be traced back.
// Among equal-cost scripts it prefers deletions first, as diff does.
func myers(a, b []string) []op {
	n, m := len(a), len(b)
	if n == 0 || m == 0 {
		return replaceAll(a, b)
	}
	limit := min(n+m, maxEditCost)
	offset := limit + 1
	v := make([]int, 2*limit+3)
	var trace [][]int
	found := -1
	for d := 0; d <= limit && found < 0; d++ {
		// Step d reads diagonals -d-1 … d+1.
		trace = append(trace, append([]int(nil), v[offset-d-1:offset+d+2]...))
		for k := -d; k <= d; k += 2 {
			var x int
			if k == -d || (k != d && v[offset+k-1] < v[offset+k+1]) {
				x = v[offset+k+1] // down: insertion
			} else {
				x = v[offset+k-1] + 1 // right: deletion
			}
			y := x - k
			for x < n && y < m && a[x] == b[y] {
				x++
				y++
			}
			v[offset+k] = x
			if x >= n && y >= m {
				found = d
				break
			}
		}
	}
	if found < 0 {
		return replaceAll(a, b)
	}

	// Walk back from (n, m), collecting the script in reverse.
	var rev []op
	x, y := n, m
	for d := found; d > 0; d-- {
		vd := trace[d] // V before step d; vd[k+d+1] is diagonal k
		k := x - y
		var prevK int
		if k == -d || (k != d && vd[k-1+d+1] < vd[k+1+d+1]) {
			prevK = k + 1
		} else {
			prevK = k - 1
		}
		prevX := vd[prevK+d+1]
		prevY := prevX - prevK
		for x > prevX && y > prevY {
			x--
			y--
			rev = append(rev, op{' ', a[x]})
		}
		if x == prevX {
			y--
			rev = append(rev, op{'+', b[y]})
		} else {
			x--
			rev = append(rev, op{'-', a[x]})
		}
	}
	for x > 0 && y > 0 {
		x--
		y--
		rev = append(rev, op{' ', a[x]})
	}
	script := make([]op, len(rev))
	for i, o := range rev {
		script[len(rev)-1-i] = o
	}
	return script
}

func replaceAll(a, b []string) []op {
	script := make([]op, 0, len(a)+len(b))
	for _, l := range a {
		script = append(script, op{'-', l})
	}
	for _, l := range b {
		script = append(script, op{'+', l})
	}
	return script
}

// hunk is a range of the edit script to print.
type hunk struct{ start, end int }

// hunks groups changes whose context would touch or overlap.
func hunks(script []op, context int) []hunk {
	var out []hunk
	for i := 0; i < len(script); i++ {
		if script[i].kind == ' ' {
			continue
		}
		start := max(0, i-context)
		// Extend over this change and any change within 2*context kept lines.
		end := i
		for j := i; j < len(script); j++ {
			if script[j].kind != ' ' {
				end = j
				continue
			}
			if j-end > 2*context {
				break
			}
		}
		stop := min(len(script), end+context+1)
		if n := len(out); n > 0 && start <= out[n-1].end {
			out[n-1].end = stop
		} else {
			out = append(out, hunk{start, stop})
		}
		i = end
	}
	return out
}

func writeHunk(out *strings.Builder, script []op, h hunk) {
	// Line numbers of the hunk's first line on each side.
	lineA, lineB := 1, 1
	for _, o := range script[:h.start] {
		if o.kind != '+' {
			lineA++
		}
		if o.kind != '-' {
			lineB++
		}
	}
	countA, countB := 0, 0
	for _, o := range script[h.start:h.end] {
		if o.kind != '+' {
			countA++
		}
		if o.kind != '-' {
			countB++
		}
	}
	out.WriteString("@@ -" + hunkRange(lineA, countA) + " +" + hunkRange(lineB, countB) + " @@\n")
	for _, o := range script[h.start:h.end] {
		out.WriteByte(o.kind)
		out.WriteString(o.line)
		if !strings.HasSuffix(o.line, "\n") {
			out.WriteString("\n\\ No newline at end of file\n")
		}
	}
}

// hunkRange formats a hunk side as diff does: "start" for one line,
// "start,count" otherwise, with the line before the hunk for an empty side.
func hunkRange(start, count int) string {
	switch count {
	case 0:
		return strconv.Itoa(start-1) + ",0"
	case 1:
		return strconv.Itoa(start)
	}
	return strconv.Itoa(start) + "," + strconv.Itoa(count)
}
