// Package fastyaml parses the plain YAML that conf files are written in —
// block mappings and sequences, one-line scalars, one-line flow
// collections, comments — into exactly the yaml.v3 node tree yaml.v3
// builds for it, several times faster, and declines everything else.
//
// A large repository decodes thousands of conf files for one plan, and
// yaml.v3 spends most of that time in machinery (a token queue, events,
// simple-key bookkeeping) that files of this shape never need. The caller
// hands what Parse declines to yaml.v3, so the subset decides only speed,
// never meaning: for every input Parse accepts, the tree equals yaml.v3's
// in kind, tag, style, value, line and column (comments are not kept; no
// caller reads them), which the package's differential tests check on
// every conf file of the repository's testdata and on mutations of them.
package fastyaml

import (
	"bytes"
	"slices"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// Parse returns the root node of src's single document as yaml.v3 decodes
// it (the document node's only child), or ok false when src uses anything
// outside the subset: block scalars, multi-line scalars, anchors, aliases,
// tags, escapes in double quotes, document markers, directives, tabs,
// carriage returns, complex or merge keys, an empty document, and anything
// yaml.v3 would reject.
func Parse(src []byte) (root *yaml.Node, ok bool) {
	p := parser{src: src}
	if !p.splitLines() {
		return nil, false
	}
	first := p.nextContent(0)
	if first < 0 {
		return nil, false
	}
	// A content line holds at most a key and a value, except for flow
	// collections: one allocation for all nodes in the common case.
	contentLines := 0
	for _, l := range p.lines {
		if !l.blank {
			contentLines++
		}
	}
	p.nodes = make([]yaml.Node, 0, 2*contentLines+bytes.Count(src, []byte{','})+1)
	p.stack = make([]*yaml.Node, 0, 64)
	root = p.blockNode(first)
	if p.failed || p.nextContent(p.cur+1) >= 0 {
		return nil, false
	}
	return root, true
}

// maxDepth bounds nesting; deeper documents go to yaml.v3, which has its
// own limit and message.
const maxDepth = 64

// maxKeyLength is YAML's limit on an implicit key; a longer one is
// yaml.v3's to reject.
const maxKeyLength = 1024

type line struct {
	start, end int // byte offsets of the line in src, without its "\n"
	indent     int // leading spaces
	blank      bool
	ascii      bool
}

type parser struct {
	src    []byte
	lines  []line
	cur    int // the line being parsed
	depth  int
	failed bool
	nodes  []yaml.Node // allocated in blocks: one allocation for many nodes
	// stack holds the children of the collections being parsed, which
	// get an exactly sized Content each when they end.
	stack []*yaml.Node
	// The last column computed on a line with non-ASCII characters: nodes
	// are made left to right, so the next one counts on from there
	// instead of from the line's start (a long flow line would otherwise
	// cost its length for every item).
	colLine, colOff, colCol int
}

// children pops the nodes pushed on the stack since base into a slice of
// their own.
func (p *parser) children(base int) []*yaml.Node {
	out := slices.Clone(p.stack[base:])
	p.stack = p.stack[:base]
	return out
}

// splitLines indexes the lines and declines characters the subset does not
// handle. yaml.v3 counts columns in characters, treats U+0085, U+2028 and
// U+2029 as line breaks and refuses control characters, so anything
// beyond printable ASCII and ordinary text is left to it.
func (p *parser) splitLines() bool {
	src := p.src
	p.lines = make([]line, 0, bytes.Count(src, []byte{'\n'})+1)
	for start := 0; start < len(src); {
		end := bytes.IndexByte(src[start:], '\n')
		if end < 0 {
			end = len(src)
		} else {
			end += start
		}
		l := line{start: start, end: end, ascii: true}
		for i := start; i < end; {
			c := src[i]
			if c >= 0x20 && c < 0x7f {
				i++
				continue
			}
			if c < 0x80 {
				return false // tab, carriage return, other controls, DEL
			}
			r, size := utf8.DecodeRune(src[i:end])
			if r == utf8.RuneError || r < 0xa0 || r == 0x2028 || r == 0x2029 || r == 0xfeff || r >= 0xfffe && r <= 0xffff {
				return false
			}
			l.ascii = false
			i += size
		}
		for l.indent = 0; start+l.indent < end && src[start+l.indent] == ' '; l.indent++ {
		}
		content := start + l.indent
		l.blank = content == end || src[content] == '#'
		if l.indent == 0 && !l.blank && (src[content] == '%' || isMarker(src[content:end])) {
			return false // a directive or a document marker
		}
		p.lines = append(p.lines, l)
		start = end + 1
	}
	return true
}

// isMarker reports whether a line starts a document ("---") or ends one
// ("...").
func isMarker(s []byte) bool {
	return len(s) >= 3 && (string(s[:3]) == "---" || string(s[:3]) == "...") && (len(s) == 3 || s[3] == ' ')
}

// nextContent returns the index of the first line at or after i that is
// neither empty nor a comment, or -1.
func (p *parser) nextContent(i int) int {
	for ; i < len(p.lines); i++ {
		if !p.lines[i].blank {
			return i
		}
	}
	return -1
}

// fail declines the input; the caller gets nil nodes from then on.
func (p *parser) fail() *yaml.Node {
	p.failed = true
	return nil
}

// node allocates a node at byte offset off of line li.
func (p *parser) node(kind yaml.Kind, tag, value string, li, off int) *yaml.Node {
	if len(p.nodes) == cap(p.nodes) {
		p.nodes = make([]yaml.Node, 0, 64)
	}
	p.nodes = append(p.nodes, yaml.Node{Kind: kind, Tag: tag, Value: value, Line: li + 1, Column: p.column(li, off)})
	return &p.nodes[len(p.nodes)-1]
}

// column is the 1-based character column of byte offset off in line li.
func (p *parser) column(li, off int) int {
	l := p.lines[li]
	if l.ascii {
		return off - l.start + 1
	}
	from, col := l.start, 1
	if p.colLine == li+1 && p.colOff <= off {
		from, col = p.colOff, p.colCol
	}
	col += utf8.RuneCount(p.src[from:off])
	p.colLine, p.colOff, p.colCol = li+1, off, col
	return col
}

// blockNode parses the block node whose first line is li (the callers
// have checked that it is indented more than its parent).
func (p *parser) blockNode(li int) *yaml.Node {
	if p.failed {
		return nil
	}
	if p.depth++; p.depth > maxDepth {
		return p.fail()
	}
	defer func() { p.depth-- }()
	p.cur = li
	l := p.lines[li]
	off := l.start + l.indent
	if p.isDash(li, off) {
		return p.sequence(li, l.indent)
	}
	if _, _, isKey := p.key(li, off, false); isKey {
		return p.mapping(li, off)
	}
	return p.fail() // a scalar on a line of its own
}

// isDash reports whether a block sequence entry starts at off.
func (p *parser) isDash(li, off int) bool {
	end := p.lines[li].end
	return off < end && p.src[off] == '-' && (off+1 == end || p.src[off+1] == ' ')
}

// sequence parses a block sequence whose dashes stand at column indent,
// the first on line li.
func (p *parser) sequence(li, indent int) *yaml.Node {
	seq := p.node(yaml.SequenceNode, "!!seq", "", li, p.lines[li].start+indent)
	base := len(p.stack)
	for !p.failed {
		l := p.lines[li]
		dash := l.start + indent
		at := skipSpaces(p.src, dash+1, l.end)
		var item *yaml.Node
		switch {
		case at == l.end || p.src[at] == '#':
			if next := p.nextContent(li + 1); next >= 0 && p.lines[next].indent > indent {
				item = p.blockNode(next)
			} else {
				item = p.node(yaml.ScalarNode, "!!null", "", li, dash+1)
			}
		default:
			if _, _, isKey := p.key(li, at, false); isKey {
				item = p.mapping(li, at)
			} else {
				item = p.inlineValue(li, at)
			}
		}
		p.stack = append(p.stack, item)
		next := p.nextContent(p.cur + 1)
		if next < 0 || p.lines[next].indent < indent {
			break
		}
		if p.lines[next].indent > indent {
			return p.fail()
		}
		if !p.isDash(next, p.lines[next].start+indent) {
			break // the next key of a mapping whose value this sequence is
		}
		li = next
		p.cur = li
	}
	seq.Content = p.children(base)
	return seq
}

// mapping parses a block mapping whose first key starts at byte offset off
// of line li; the column of that key is the mapping's indentation.
func (p *parser) mapping(li, off int) *yaml.Node {
	indent := off - p.lines[li].start // the bytes before a key are ASCII
	m := p.node(yaml.MappingNode, "!!map", "", li, off)
	base := len(p.stack)
	for !p.failed {
		key, colon, isKey := p.key(li, off, true)
		if !isKey {
			return p.fail()
		}
		value := p.valueAfter(li, colon+1, indent)
		p.stack = append(p.stack, key, value)
		next := p.nextContent(p.cur + 1)
		if next < 0 || p.lines[next].indent < indent {
			break
		}
		if p.lines[next].indent > indent {
			return p.fail()
		}
		li = next
		p.cur = li
		off = p.lines[li].start + indent
	}
	m.Content = p.children(base)
	return m
}

// valueAfter parses the value of a mapping key at column indent whose ":"
// ends just before byte offset off of line li.
func (p *parser) valueAfter(li, off, indent int) *yaml.Node {
	l := p.lines[li]
	at := skipSpaces(p.src, off, l.end)
	if at < l.end && p.src[at] != '#' {
		if p.isDash(li, at) {
			return p.fail() // "key: - a"
		}
		return p.inlineValue(li, at)
	}
	next := p.nextContent(li + 1)
	switch {
	case next >= 0 && p.lines[next].indent > indent:
		return p.blockNode(next)
	case next >= 0 && p.lines[next].indent == indent && p.isDash(next, p.lines[next].start+indent):
		p.cur = next
		return p.sequence(next, indent)
	}
	// An empty value is a null at the character after the colon.
	return p.node(yaml.ScalarNode, "!!null", "", li, off)
}

// inlineValue parses a value starting at byte offset at of line li that
// must end on that line: a flow collection, a quoted or a plain scalar.
// (A more indented line after it, which would continue it, ends the
// mapping or sequence holding it, and they decline that.)
func (p *parser) inlineValue(li, at int) *yaml.Node {
	l := p.lines[li]
	var n *yaml.Node
	var end int
	switch c := p.src[at]; c {
	case '[', '{':
		n, end = p.flow(li, at)
	case '\'', '"':
		n, end = p.quoted(li, at)
	default:
		if !p.plainStart(at, l.end) {
			return p.fail()
		}
		end = at
		for end < l.end && !(p.src[end] == '#' && p.src[end-1] == ' ') {
			end++
		}
		v := bytes.TrimRight(p.src[at:end], " ")
		if bytes.Contains(v, []byte(": ")) || v[len(v)-1] == ':' || string(v) == "<<" {
			return p.fail()
		}
		n = p.plain(string(v), li, at)
	}
	if p.failed {
		return nil
	}
	if end = skipSpaces(p.src, end, l.end); end < l.end && !(p.src[end] == '#' && p.src[end-1] == ' ') {
		return p.fail()
	}
	return n
}

// plainStart reports whether a plain scalar may start at at: not with an
// indicator, except "-", "?" and ":" before a non-space.
func (p *parser) plainStart(at, end int) bool {
	switch p.src[at] {
	case '-', '?', ':':
		return at+1 < end && p.src[at+1] != ' '
	case ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`':
		return false
	}
	return true
}

// plain makes a plain scalar, tagged as yaml.v3 resolves it.
func (p *parser) plain(v string, li, at int) *yaml.Node {
	n := p.node(yaml.ScalarNode, "", v, li, at)
	n.Tag = plainTag(n)
	return n
}

// plainTag is the tag yaml.v3 resolves a plain scalar to. yaml.v3 decides
// !!str at once for a value that does not start like a number, a
// timestamp, a boolean or a null, but tries several parsers before
// deciding it for one that does (an image URI starting with an account
// number): a character no such literal holds settles that too.
func plainTag(n *yaml.Node) string {
	v := n.Value
	if v == "" {
		return "!!null"
	}
	switch {
	case strings.IndexByte("+-0123456789.", v[0]) >= 0:
		for i := 1; i < len(v); i++ {
			if strings.IndexByte(literalBytes, v[i]) < 0 {
				return "!!str"
			}
		}
	case strings.IndexByte("yYnNtTfFoO~", v[0]) < 0:
		return "!!str"
	}
	return n.ShortTag()
}

// literalBytes are the bytes of every number and timestamp yaml.v3 reads:
// decimal, hexadecimal, octal and binary integers with "_", floats with
// exponents (hexadecimal ones too) and .inf and .nan in any case, dates
// and times with zones.
const literalBytes = "0123456789abcdefABCDEFxXoObBpPiInN_+-.:tTzZ "

// key parses an implicit key at byte offset off of line li: a plain or
// quoted scalar on the line followed by ":" and a space or the line's end.
// It returns the key's node (only when build is set), the offset of the
// colon and whether there is a key there at all.
func (p *parser) key(li, off int, build bool) (*yaml.Node, int, bool) {
	l := p.lines[li]
	if q := p.src[off]; q == '\'' || q == '"' {
		v, end, ok := scanQuoted(p.src[:l.end], off)
		if !ok || end >= l.end || p.src[end] != ':' || end+1 < l.end && p.src[end+1] != ' ' || end-off > maxKeyLength {
			return nil, 0, false
		}
		var n *yaml.Node
		if build {
			n = p.quotedNode(v, q, li, off)
		}
		return n, end, true
	}
	if !p.plainStart(off, l.end) {
		return nil, 0, false
	}
	for i := off; i < l.end; i++ {
		switch c := p.src[i]; {
		case c == '#' && i > off && p.src[i-1] == ' ':
			return nil, 0, false
		case c == ':' && (i+1 == l.end || p.src[i+1] == ' '):
			// The limit runs to the colon, trailing spaces included.
			v := bytes.TrimRight(p.src[off:i], " ")
			if i-off > maxKeyLength || string(v) == "<<" {
				return nil, 0, false
			}
			var n *yaml.Node
			if build {
				n = p.plain(string(v), li, off)
			}
			return n, i, true
		}
	}
	return nil, 0, false
}

// quoted parses a single- or double-quoted scalar that closes on its line
// and returns it with the offset after the closing quote.
func (p *parser) quoted(li, at int) (*yaml.Node, int) {
	v, end, ok := scanQuoted(p.src[:p.lines[li].end], at)
	if !ok {
		return p.fail(), 0
	}
	return p.quotedNode(v, p.src[at], li, at), end
}

func (p *parser) quotedNode(v string, quote byte, li, at int) *yaml.Node {
	n := p.node(yaml.ScalarNode, "!!str", v, li, at)
	n.Style = yaml.DoubleQuotedStyle
	if quote == '\'' {
		n.Style = yaml.SingleQuotedStyle
	}
	return n
}

// scanQuoted reads the quoted scalar whose opening quote is at src[at] and
// returns its value and the offset after the closing quote; ok is false
// when it does not close within src or holds an escape ("\\" in double
// quotes, which yaml.v3 interprets).
func scanQuoted(src []byte, at int) (string, int, bool) {
	q := src[at]
	i := at + 1
	j := bytes.IndexByte(src[i:], q)
	if j < 0 {
		return "", 0, false
	}
	if q == '"' {
		if bytes.IndexByte(src[i:i+j], '\\') >= 0 {
			return "", 0, false
		}
		return string(src[i : i+j]), i + j + 1, true
	}
	var buf []byte
	for {
		buf = append(buf, src[i:i+j]...)
		i += j + 1
		if i >= len(src) || src[i] != '\'' {
			return string(buf), i, true
		}
		buf = append(buf, '\'') // '' is a quote
		i++
		if j = bytes.IndexByte(src[i:], '\''); j < 0 {
			return "", 0, false
		}
	}
}

// flow parses a flow sequence or mapping that closes on its line and
// returns it with the offset after it.
func (p *parser) flow(li, at int) (*yaml.Node, int) {
	if p.depth++; p.depth > maxDepth {
		return p.fail(), 0
	}
	defer func() { p.depth-- }()
	l := p.lines[li]
	open := p.src[at]
	closing := byte(']')
	n := p.node(yaml.SequenceNode, "!!seq", "", li, at)
	if open == '{' {
		closing = '}'
		n.Kind, n.Tag = yaml.MappingNode, "!!map"
	}
	n.Style = yaml.FlowStyle
	i := skipSpaces(p.src, at+1, l.end)
	if i < l.end && p.src[i] == closing {
		return n, i + 1
	}
	base := len(p.stack)
	for !p.failed {
		itemStart := i
		item, end := p.flowItem(li, i, open == '{')
		if p.failed {
			return nil, 0
		}
		p.stack = append(p.stack, item)
		i = skipSpaces(p.src, end, l.end)
		if open == '{' {
			if item.Kind != yaml.ScalarNode {
				return p.fail(), 0 // a collection as a key
			}
			// A key is followed by ": " and its value.
			if i+1 >= l.end || p.src[i] != ':' || p.src[i+1] != ' ' || end != i || i-itemStart > maxKeyLength {
				return p.fail(), 0
			}
			value, end := p.flowItem(li, skipSpaces(p.src, i+1, l.end), false)
			if p.failed {
				return nil, 0
			}
			p.stack = append(p.stack, value)
			i = skipSpaces(p.src, end, l.end)
		}
		switch {
		case i < l.end && p.src[i] == closing:
			n.Content = p.children(base)
			return n, i + 1
		case i < l.end && p.src[i] == ',':
			i = skipSpaces(p.src, i+1, l.end)
			if i < l.end && p.src[i] == closing {
				return p.fail(), 0 // a trailing comma
			}
		default:
			return p.fail(), 0
		}
	}
	return nil, 0
}

// flowItem parses one scalar or nested collection inside a flow
// collection; a key of a flow mapping ends at ": ".
func (p *parser) flowItem(li, at int, key bool) (*yaml.Node, int) {
	l := p.lines[li]
	if at >= l.end {
		return p.fail(), 0
	}
	switch p.src[at] {
	case '[', '{':
		return p.flow(li, at)
	case '\'', '"':
		return p.quoted(li, at)
	}
	if !p.plainStart(at, l.end) {
		return p.fail(), 0
	}
	end := at
loop:
	for ; end < l.end; end++ {
		switch p.src[end] {
		case ',', '[', ']', '{', '}':
			break loop
		case '?':
			return p.fail(), 0 // a key indicator anywhere in a flow collection
		case ':':
			if key && end+1 < l.end && p.src[end+1] == ' ' {
				break loop
			}
			return p.fail(), 0 // other colons inside flow scalars are yaml.v3's
		case '#':
			if p.src[end-1] == ' ' {
				return p.fail(), 0
			}
		}
	}
	v := bytes.TrimRight(p.src[at:end], " ")
	if string(v) == "<<" {
		return p.fail(), 0
	}
	return p.plain(string(v), li, at), at + len(v)
}

// skipSpaces returns the offset of the first non-space at or after i,
// end when there is none.
func skipSpaces(src []byte, i, end int) int {
	for i < end && src[i] == ' ' {
		i++
	}
	return i
}
