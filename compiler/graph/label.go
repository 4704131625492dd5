package graph

import (
	"strconv"
	"strings"
)

// maxLabelRunes caps each line of a Mermaid label; longer text ends in "…".
const maxLabelRunes = 80

// label renders lines as the text of a quoted Mermaid label, lines joined
// with <br/>. Every character outside [A-Za-z0-9 _.,:/()+=-] is written as a
// Mermaid entity code, so nothing a step name contains can end the label,
// start a new statement, be read as HTML or markdown, or @mention anyone.
func label(lines ...string) string {
	var b strings.Builder
	for i, line := range lines {
		if i > 0 {
			b.WriteString("<br/>")
		}
		writeEncoded(&b, truncate(line, maxLabelRunes))
	}
	return b.String()
}

// truncate keeps at most n runes of s, the last one an ellipsis when cut.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// writeEncoded writes s with unsafe characters as entity codes. Invalid
// UTF-8 becomes U+FFFD.
func writeEncoded(b *strings.Builder, s string) {
	for _, r := range s {
		switch {
		case safeRune(r):
			b.WriteRune(r)
		case r == '"':
			b.WriteString("#quot;")
		default:
			b.WriteByte('#')
			b.WriteString(strconv.Itoa(int(r)))
			b.WriteByte(';')
		}
	}
}

func safeRune(r rune) bool {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		return true
	}
	return strings.ContainsRune(" _.,:/()+=-", r)
}
