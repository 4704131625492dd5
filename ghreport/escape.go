package ghreport

import (
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/smpipe/smpipe-action/internal/bidi"
)

// Strings from conf files and pull requests (step names, setting values,
// file paths, diagnostic text) are hostile: they must not break a table,
// start HTML, link somewhere, close our marker, ping people, cross-link
// issues or reorder the text around them. Everything the report writes from
// such a string goes through one of the functions here.
//
// The report must also read well as raw markdown (an e-mail notification, a
// terminal). So instead of writing markdown's special characters as HTML
// entities, any word that holds one (an identifier such as SMP_ROLE, a path,
// a URL, a quoted name) becomes a code span, where nothing is markup, no
// link, mention or issue reference is made, and the text shows as written.
// What is left outside code spans is plain words and punctuation.

// maxCellRunes caps a table cell or inline value; setting values can be
// whole JSON documents.
const maxCellRunes = 300

// text renders s as one line of inline markdown, capped at maxCellRunes.
// It is safe in a table cell too.
func text(s string) string { return inline(s, false, maxCellRunes) }

// maxParagraphRunes caps a sentence or two of explanation (a reason that
// quotes names and hashes), where a table cell's cap would cut it.
const maxParagraphRunes = 2000

// paragraph renders s like text, with room for a whole explanation.
func paragraph(s string) string { return inline(s, false, maxParagraphRunes) }

// cell renders s for a table cell: like text, but line breaks become <br>.
func cell(s string) string {
	if s == "" {
		return ""
	}
	return inline(s, true, maxCellRunes)
}

func inline(s string, breaks bool, limit int) string {
	s = neutralise(truncateRunes(strings.ToValidUTF8(s, "\uFFFD"), limit))
	var b strings.Builder
	for len(s) > 0 {
		switch s[0] {
		case '\n':
			if breaks {
				b.WriteString("<br>")
			} else {
				b.WriteByte(' ')
			}
			s = s[1:]
			continue
		case ' ':
			b.WriteByte(' ')
			s = s[1:]
			continue
		case '"':
			// A Go-quoted name from a diagnostic, spaces and all.
			if q, err := strconv.QuotedPrefix(s); err == nil {
				writeCode(&b, q)
				s = s[len(q):]
				continue
			}
		}
		end := strings.IndexAny(s, " \n")
		if end < 0 {
			end = len(s)
		}
		writeWord(&b, s[:end])
		s = s[end:]
	}
	return b.String()
}

// literal renders s as code on one line, capped at maxCellRunes: for names
// and paths that read best as written (step names, metric paths, S3 URIs).
// Control characters are neutralised and each "|" is written between
// spans, so it is safe in a table cell too.
func literal(s string) string {
	if s == "" {
		return ""
	}
	s = neutralise(truncateRunes(strings.ToValidUTF8(s, "\uFFFD"), maxCellRunes))
	var b strings.Builder
	writeCode(&b, strings.ReplaceAll(s, "\n", " "))
	return b.String()
}

// writeWord writes one word: opening parentheses and closing punctuation as
// they are, the rest as itself when it is plain, else as a code span.
func writeWord(b *strings.Builder, w string) {
	core := strings.TrimLeft(w, "(")
	b.WriteString(w[:len(w)-len(core)])
	end := len(core)
	for end > 0 {
		c := core[end-1]
		if strings.IndexByte(".,;:?!", c) < 0 && (c != ')' || strings.Count(core[:end], ")") <= strings.Count(core[:end], "(")) {
			break // a ")" closing a "(" of the word belongs to it
		}
		end--
	}
	core, tail := core[:end], core[end:]
	if plain(core) {
		writePlain(b, core)
	} else {
		writeCode(b, core)
	}
	b.WriteString(tail)
}

// plain reports whether w is safe as markdown text: letters, digits (of any
// script), "@" and "#" (see writePlain), inner "-", "'", ".", "," and "%",
// and no www. link or GH-123 issue reference. Anything else could be
// emphasis, code, a link, an autolink, HTML, an entity, an emoji code, math
// or a table cell.
func plain(w string) bool {
	if len(w) >= 4 && strings.EqualFold(w[:4], "www.") || strings.HasPrefix(w, "-") || issueReference(w) {
		return false
	}
	for _, r := range w {
		if r < utf8.RuneSelf && !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-'.,%@#", r)) {
			return false
		}
	}
	return true
}

// issueReference reports whether w contains GH-<digits>, which GitHub links
// to an issue (and records on that issue's timeline) like #<digits>.
func issueReference(w string) bool {
	for i := 0; i+3 < len(w); i++ {
		if strings.EqualFold(w[i:i+3], "gh-") && w[i+3] >= '0' && w[i+3] <= '9' && (i == 0 || !isWordByte(w[i-1])) {
			return true
		}
	}
	return false
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

// zwj is a zero-width joiner. Put after "@" or "#" it stops GitHub from
// turning "@octocat" into a mention, "#123" into an issue reference or
// "a@b.org" into a mail link (all made after markdown is rendered), while
// the text, raw or rendered, reads the same.
const zwj = "\u200d"

// writePlain writes a plain word, breaking mentions and references.
func writePlain(b *strings.Builder, w string) {
	for i := 0; i < len(w); i++ {
		b.WriteByte(w[i])
		if (w[i] == '@' || w[i] == '#') && i+1 < len(w) && w[i+1] != '@' && w[i+1] != '#' {
			b.WriteString(zwj)
		}
	}
}

// writeCode writes s as code spans. A "|" ends a table cell even inside a
// code span, and a backslash escaping it would show outside tables, so each
// "|" is written between spans as an entity.
func writeCode(b *strings.Builder, s string) {
	for i, part := range strings.Split(s, "|") {
		if i > 0 {
			b.WriteString("&#124;")
		}
		if part != "" {
			b.WriteString(codeSpan(part))
		}
	}
}

// codeSpan renders s as an inline code span: delimited by more backticks
// than any run inside it, padded when it starts or ends with a backtick.
func codeSpan(s string) string {
	delim := strings.Repeat("`", longestRun(s, '`')+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") || strings.HasPrefix(s, " ") && strings.HasSuffix(s, " ") {
		s = " " + s + " "
	}
	return delim + s + delim
}

// neutralise replaces control characters (line breaks excepted, CRLF
// becoming LF) and bidirectional formatting characters with U+FFFD.
func neutralise(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.Map(func(r rune) rune {
		if r == '\n' {
			return r
		}
		if r < 0x20 || r == 0x7f || bidi.IsControl(r) {
			return '\uFFFD'
		}
		return r
	}, s)
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
// no HTML, links or mentions; bidirectional controls become U+FFFD.
func fence(lang, body string) string {
	n := max(longestRun(body, '`')+1, 3)
	f := strings.Repeat("`", n)
	body = strings.Map(func(r rune) rune {
		if bidi.IsControl(r) {
			return '\uFFFD'
		}
		return r
	}, strings.ToValidUTF8(body, "\uFFFD"))
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
