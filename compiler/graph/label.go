package graph

import (
	"strconv"
	"strings"

	"github.com/smpipe/smpipe-action/internal/bidi"
)

// maxLabelRunes caps each line of a Mermaid label; longer text ends in "…".
const maxLabelRunes = 80

// label renders lines as the text of a quoted Mermaid label. Lines are
// joined with a newline inside the quotes, which Mermaid 10 and 11 both show
// as a line break (a literal <br/> would switch Mermaid 11 to markdown and
// turn backticks into "Unsupported markdown: codespans").
//
// Only ASCII letters and digits, an inner "-" and single spaces between
// words stay as they are; every other character is written as a Mermaid
// entity code (#quot; for '"', #<decimal>; otherwise). Mermaid 11 runs
// labels through a markdown parser before it decodes entities, so an encoded
// "_", "*", "`", "$" or "[" stays text, while the same character left bare
// could become emphasis, code, KaTeX or a link. Nothing a step name contains
// can end the label, start a statement, be read as HTML or markdown, or
// @mention anyone.
func label(lines ...string) string {
	var b strings.Builder
	for i, line := range lines {
		if i > 0 {
			b.WriteByte('\n')
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

// writeEncoded writes one label line with unsafe characters as entity
// codes. Invalid UTF-8 and bidirectional controls become U+FFFD.
func writeEncoded(b *strings.Builder, line string) {
	runes := []rune(line)
	for i, r := range runes {
		if i > 0 && (runes[i-1] == '¶' && r == 'ß' || runes[i-1] == 'ﬂ' && r == '°') {
			// Mermaid marks entities internally as ﬂ°…¶ß and turns any such
			// pair back into "&" or ";"; an invisible word joiner keeps a
			// name's own pair as text.
			b.WriteString("#8288;")
		}
		switch {
		case literal(runes, i):
			b.WriteRune(r)
		case bidi.IsControl(r):
			// Decoded, it would reorder the label's text on screen.
			b.WriteString("#65533;")
		case r == '"':
			b.WriteString("#quot;")
		default:
			b.WriteByte('#')
			b.WriteString(strconv.Itoa(int(r)))
			b.WriteByte(';')
		}
	}
}

// literal says whether runes[i] can be written as itself: an ASCII letter or
// digit anywhere; a "-" that does not start the line (where markdown reads a
// list or a rule); a space between two other characters (leading spaces
// would make a markdown code block).
func literal(runes []rune, i int) bool {
	r := runes[i]
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		return true
	case r == '-':
		return i > 0
	case r == ' ':
		return i > 0 && i < len(runes)-1 && runes[i-1] != ' ' && runes[i+1] != ' '
	}
	return false
}
