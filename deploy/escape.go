package deploy

import "strings"

// maxCell bounds free text (errors, failure reasons) in one table cell.
const maxCell = 300

// escapeText makes s inert inside a markdown table cell: no HTML, no
// markdown syntax, no @mentions, no line breaks, bounded length. Pipeline and
// step names come from pull requests and are treated as hostile.
func escapeText(s string) string {
	s = truncateRunes(s, maxCell)
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
