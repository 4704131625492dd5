package deploy

import "strings"

// maxCell bounds free text (errors, failure reasons) in one table cell.
// Bounds on text from repositories and AWS in the report: table cells stay
// short; problem descriptions get room for a whole sentence.
const (
	maxCell    = 300
	maxProblem = 2000
)

// escapeText makes s inert inside a markdown table cell: no HTML, no
// markdown syntax, no @mentions, no line breaks, bounded length. Pipeline and
// step names come from pull requests and are treated as hostile.
func escapeText(s string) string { return escapeBounded(s, maxCell) }

// escapeBounded is escapeText with its own bound; a cut is marked with "…".
func escapeBounded(s string, limit int) string {
	if cut := truncateRunes(s, limit); cut != s {
		s = cut + "…"
	}
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '"':
			b.WriteString("&quot;")
		case '@':
			b.WriteString("@\u200b") // a zero-width space: no mention, no notification
		case '\n', '\r', '\t', '\v', '\f':
			b.WriteByte(' ')
		case '\\', '`', '*', '_', '{', '}', '[', ']', '(', ')', '#', '+', '.', '!', '|', '~', ':':
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			if r < 0x20 || r == 0x7f {
				continue
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

// codeSpan renders an identifier from AWS (an ARN) as inline code inside a
// table cell, falling back to escaped text when it could break out.
func codeSpan(s string) string {
	if s == "" {
		return ""
	}
	if strings.ContainsAny(s, "`\n\r<>&@") {
		return escapeText(s)
	}
	return "`" + strings.ReplaceAll(s, "|", `\|`) + "`"
}
