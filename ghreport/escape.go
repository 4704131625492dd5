package ghreport

import (
	"net/url"
	"strings"
	"unicode/utf8"
)

// Strings from conf files and pull requests (step names, setting values,
// file paths, diagnostic text) are hostile: they must not break a table,
// start HTML, link somewhere, close our marker, ping people or cross-link
// issues. Everything the report writes from such a string goes through one
// of the functions here.

// zwj is a zero-width joiner. Put after "@" or "#" it stops GitHub from
// turning "@octocat" into a mention or "#123" into an issue cross-reference
// (both happen after markdown is rendered, so an HTML entity alone would not
// help), while the text still reads the same.
const zwj = "\u200d"

// maxCellRunes caps a table cell or inline value; setting values can be
// whole JSON documents.
const maxCellRunes = 300

// inlineEntities are the characters that could start markdown or HTML
// syntax inline (emphasis, code, links, images, autolinks, tags, entities,
// strike-through, table cells, headings, backslash escapes).
var inlineEntities = map[rune]string{
	'&':  "&amp;",
	'<':  "&lt;",
	'>':  "&gt;",
	'"':  "&quot;",
	'|':  "&#124;",
	'`':  "&#96;",
	'\\': "&#92;",
	'*':  "&#42;",
	'_':  "&#95;",
	'[':  "&#91;",
	']':  "&#93;",
	'(':  "&#40;",
	')':  "&#41;",
	'~':  "&#126;",
	'!':  "&#33;",
	'$':  "&#36;",
}

// text escapes s for use as plain inline markdown or HTML text: one line,
// capped at maxCellRunes, special characters as entities, mentions and
// issue references broken with a zero-width joiner.
func text(s string) string {
	return escapeLine(s, " ")
}

// maxParagraphRunes caps a sentence or two of explanation (a reason that
// quotes names and hashes), where a table cell's cap would cut it.
const maxParagraphRunes = 2000

// paragraph escapes s like text, with room for a whole explanation.
func paragraph(s string) string {
	return escapeRunes(s, " ", maxParagraphRunes)
}

// cell escapes s for a table cell: like text, but line breaks become <br>.
func cell(s string) string {
	if s == "" {
		return ""
	}
	return escapeLine(s, "<br>")
}

func escapeLine(s, newline string) string {
	return escapeRunes(s, newline, maxCellRunes)
}

func escapeRunes(s, newline string, limit int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = truncateRunes(s, limit)
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var b strings.Builder
	runes := []rune(s)
	for i, r := range runes {
		switch {
		case r == '\n' || r == '\r':
			b.WriteString(newline)
		case r == '@' || r == '#':
			b.WriteRune(r)
			if i+1 < len(runes) && isWordRune(runes[i+1]) {
				b.WriteString(zwj)
			}
		case r < 0x20 || r == 0x7f:
			// Control characters have no business in a report.
			b.WriteRune('\uFFFD')
		default:
			if e, ok := inlineEntities[r]; ok {
				b.WriteString(e)
			} else {
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}

func isWordRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_'
}

// truncateRunes keeps at most n runes of s, ending in "…" when cut.
func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// fence wraps body in a fenced code block with the info string lang. The
// fence is a run of backticks longer than any run inside body (at least
// three), so nothing in body can close it early. A fenced block is literal:
// no HTML, links or mentions.
func fence(lang, body string) string {
	n := max(longestRun(body, '`')+1, 3)
	f := strings.Repeat("`", n)
	body = strings.ToValidUTF8(body, "\uFFFD")
	if !strings.HasSuffix(body, "\n") {
		body += "\n"
	}
	return f + lang + "\n" + body + f + "\n"
}

func longestRun(s string, c byte) int {
	longest, run := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return longest
}

// safeURL returns u when it is an absolute http(s) URL, with characters
// that could end a markdown link destination or an HTML attribute
// percent-encoded; anything else gives "".
func safeURL(u string) string {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" {
		return ""
	}
	var b strings.Builder
	for _, c := range []byte(p.String()) {
		switch {
		case c <= 0x20 || c >= 0x7f, strings.IndexByte("()<>\"'`[]\\|{}^", c) >= 0:
			b.WriteString("%")
			b.WriteString(strings.ToUpper(hex2(c)))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func hex2(c byte) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[c>>4], digits[c&0xf]})
}

// link renders [label](url) with label escaped, or just the escaped label
// when url is not a safe http(s) URL.
func link(label, u string) string {
	if u = safeURL(u); u == "" {
		return text(label)
	}
	return "[" + text(label) + "](" + u + ")"
}
