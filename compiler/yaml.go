package compiler

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/smpipe/smpipe-action/compiler/diag"
	"github.com/smpipe/smpipe-action/internal/fastyaml"
)

// maxAliasExpansion bounds the nodes reachable through aliases, per file,
// so that hostile input stays bounded in time and memory (the size of a
// file is bounded when it is read: workspace.MaxConfSize).
const maxAliasExpansion = 10_000

// parseYAML parses one conf file into its document node. A syntax error
// becomes a positioned diagnostic; the result is then nil. A second
// document and tags outside YAML's core schema are reported too: the
// original refused the first and smpipe would otherwise read the second
// kind as plain strings without a word.
func parseYAML(file string, src []byte, ds *diag.Diagnostics) *yaml.Node {
	// Most conf files are plain enough for fastyaml, which builds the same
	// tree several times faster; the rest, and every error, are yaml.v3's.
	if root, ok := fastyaml.Parse(src); ok {
		return root
	}
	dec := yaml.NewDecoder(bytes.NewReader(src))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if err != io.EOF {
			line, msg := yamlErrorLine(err)
			ds.Errorf(diag.Pos{File: file, Line: line, Col: 1}, "yaml-syntax", "%s%s", msg, quoteHint(src, line))
		}
		return nil
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case err == nil:
		ds.Errorf(diag.Pos{File: file, Line: next.Line, Col: next.Column}, "multiple-documents",
			"a second YAML document starts here; a conf file holds one document, so delete this \"---\" or move what follows to a file of its own")
	case err != io.EOF:
		line, msg := yamlErrorLine(err)
		ds.Errorf(diag.Pos{File: file, Line: line, Col: 1}, "yaml-syntax", "%s", msg)
	}
	if len(doc.Content) == 0 {
		return nil // empty file
	}
	checkTags(file, doc.Content[0], ds)
	return doc.Content[0]
}

// coreTags are the tags of YAML's core schema, which is all a conf file
// needs. yaml.v3 writes them in this short form whichever way they were
// spelled.
var coreTags = []string{"!!str", "!!int", "!!float", "!!bool", "!!null", "!!map", "!!seq"}

// checkTags reports every explicit tag outside the core schema (!!binary,
// !!timestamp, !custom): nothing in smpipe would honour it.
func checkTags(file string, n *yaml.Node, ds *diag.Diagnostics) {
	switch {
	case n.Style&yaml.TaggedStyle == 0 || slices.Contains(coreTags, n.Tag):
	case n.Kind == yaml.ScalarNode && n.Value == "" && !strings.HasPrefix(n.Tag, "!!"):
		// `operator: !=` is a tag on an empty value, not the text "!=".
		ds.Errorf(diag.Pos{File: file, Line: n.Line, Col: n.Column}, "yaml-tag",
			"%s reads as a YAML tag, not as text; quote it: \"%s\"", n.Tag, n.Tag)
	default:
		ds.Errorf(diag.Pos{File: file, Line: n.Line, Col: n.Column}, "yaml-tag",
			"tag %s is not supported; conf files hold plain strings, numbers, booleans, lists and mappings, so remove the tag", n.Tag)
	}
	for _, c := range n.Content { // aliases are not followed: their target is reported where it stands
		checkTags(file, c, ds)
	}
}

// quoteHint explains a syntax error on a line whose value starts with a
// character YAML reads as syntax (`operator: >=`): "" for other lines.
func quoteHint(src []byte, line int) string {
	text, ok := sourceLine(src, line)
	if !ok {
		return ""
	}
	text = strings.TrimSpace(text)
	_, value, ok := strings.Cut(text, ": ")
	if !ok {
		value, ok = strings.CutPrefix(text, "- ")
	}
	value, _, _ = strings.Cut(value, " #")
	value = strings.TrimSpace(value)
	if !ok || value == "" || !strings.ContainsRune(">|!&*%@`", rune(value[0])) || len(value) > 40 {
		return ""
	}
	return fmt.Sprintf("; a value starting with %q must be quoted: \"%s\"", value[:1], value)
}

// yamlErrorLine turns yaml.v3's "yaml: line N: msg" strings into a line and a
// message: the one place that knows their format.
func yamlErrorLine(err error) (int, string) {
	msg := err.Error()
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	line := 1
	if rest, ok := strings.CutPrefix(msg, "yaml: "); ok {
		msg = rest
		if n, text, ok := strings.Cut(strings.TrimPrefix(rest, "line "), ": "); ok && strings.HasPrefix(rest, "line ") {
			if v, err := strconv.Atoi(n); err == nil {
				line, msg = v, text
			}
		}
	}
	return line, "invalid YAML: " + msg
}

// reader walks yaml nodes of one file, resolving aliases within a budget and
// collecting diagnostics. It never stops at the first problem.
type reader struct {
	file   string
	ds     *diag.Diagnostics
	env    func(string) (string, bool)
	budget int
}

func (r *reader) pos(n *yaml.Node) diag.Pos {
	if n == nil {
		return diag.Pos{File: r.file}
	}
	return diag.Pos{File: r.file, Line: n.Line, Col: n.Column}
}

func (r *reader) errorf(n *yaml.Node, code, format string, args ...any) {
	r.ds.Errorf(r.pos(n), code, format, args...)
}

func (r *reader) warnf(n *yaml.Node, code, format string, args ...any) {
	r.ds.Warnf(r.pos(n), code, format, args...)
}

// resolve follows aliases, charging the alias budget so that "billion laughs"
// documents stop early with one error instead of exhausting memory.
func (r *reader) resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		r.budget -= countNodes(n.Alias, r.budget+1)
		if r.budget < 0 {
			if r.budget > -1<<30 {
				r.errorf(n, "alias", "too many alias expansions; this file expands to more than %d nodes", maxAliasExpansion)
			}
			r.budget = -1 << 30 // report once
			return nil
		}
		n = n.Alias
	}
	return n
}

// countNodes counts nodes under n, stopping once limit is passed.
func countNodes(n *yaml.Node, limit int) int {
	count := 0
	var walk func(*yaml.Node)
	walk = func(n *yaml.Node) {
		if n == nil || count > limit {
			return
		}
		count++
		if n.Kind == yaml.AliasNode {
			walk(n.Alias)
			return
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(n)
	return count
}

func isNull(n *yaml.Node) bool {
	return n == nil || (n.Kind == yaml.ScalarNode && n.Tag == "!!null")
}

func kindName(n *yaml.Node) string {
	switch {
	case n == nil || isNull(n):
		return "null"
	case n.Kind == yaml.MappingNode:
		return "a mapping"
	case n.Kind == yaml.SequenceNode:
		return "a list"
	case n.Tag == "!!bool":
		return "a boolean"
	case n.Tag == "!!int", n.Tag == "!!float":
		return "a number"
	}
	return "a string"
}

// keyValue is one entry of a mapping, with the key's node for positions
// and, when the mapping was checked against a table, the key's entry.
type keyValue struct {
	Key   string
	KeyN  *yaml.Node
	Value *yaml.Node
	spec  *confKey
}

// mapping checks that n is a mapping and returns its entries in order. It owns
// the structural checks: duplicate keys, merge keys, non-string keys, and
// unknown keys against allowed (nil allowed means any key is accepted).
//
// It also reports, as missing, the keys allowed marks required that n lacks
// (or, for needsValue keys, holds without a value): keys.go is the one
// place that says which keys are required. A null n lacks them all.
func (r *reader) mapping(n *yaml.Node, what string, allowed *keyTable) ([]keyValue, bool) {
	return r.mappingAt(n, diag.Pos{}, what, allowed)
}

// mappingAt is mapping reporting missing keys at at (the mapping's own
// key, which reads better than its first entry); a zero at is n's place.
func (r *reader) mappingAt(n *yaml.Node, at diag.Pos, what string, allowed *keyTable) ([]keyValue, bool) {
	n = r.resolve(n)
	if n == nil {
		return nil, false
	}
	if at.IsZero() {
		at = r.pos(n)
	}
	if n.Kind != yaml.MappingNode {
		r.errorf(n, "type", "%s must be a mapping, found %s", what, kindName(n))
		if isNull(n) {
			r.missingKeys(at, what, allowed, nil)
		}
		return nil, false
	}
	seen := make(map[string]*yaml.Node, len(n.Content)/2)
	out := make([]keyValue, 0, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := r.resolve(n.Content[i]), n.Content[i+1]
		if k == nil {
			continue
		}
		if k.Kind != yaml.ScalarNode {
			r.errorf(k, "type", "keys in %s must be strings, found %s", what, kindName(k))
			continue
		}
		if k.Tag == "!!merge" {
			r.errorf(k, "merge-key", "merge keys (<<) are not supported in %s; write the keys out", what)
			continue
		}
		if prev, dup := seen[k.Value]; dup {
			r.ds.Errorf(r.pos(k), "duplicate-key", "key %q is already defined in %s at line %d", k.Value, what, prev.Line)
			continue
		}
		seen[k.Value] = k
		var spec *confKey
		if allowed != nil {
			if spec = allowed.get(k.Value); spec == nil {
				r.unknownKey(k, what, allowed.names)
				continue
			}
		}
		out = append(out, keyValue{Key: k.Value, KeyN: k, Value: v, spec: spec})
	}
	r.missingKeys(at, what, allowed, out)
	return out, true
}

// missingKeys reports the required keys of allowed that entries lack, at
// at, in the table's order.
func (r *reader) missingKeys(at diag.Pos, what string, allowed *keyTable, entries []keyValue) {
	if allowed == nil {
		return
	}
	for _, k := range allowed.keys {
		if !k.required {
			continue
		}
		i := slices.IndexFunc(entries, func(kv keyValue) bool { return kv.Key == k.name })
		if i >= 0 && (!k.needsValue || hasValue(r.resolve(entries[i].Value), k.typ)) {
			continue
		}
		r.ds.Errorf(at, "missing-key", "%s is missing required key %q", what, k.name)
	}
}

// hasValue reports whether n is a value of a key of type typ: not null,
// and not "" unless typ takes it (typeText).
func hasValue(n *yaml.Node, typ valueType) bool {
	return n != nil && !isNull(n) && (typ == typeText || !(n.Kind == yaml.ScalarNode && n.Value == ""))
}

func (r *reader) unknownKey(k *yaml.Node, what string, allowed []string) {
	r.warnf(k, "unknown-key", "unknown key %q in %s%s", k.Value, what, didYouMean(k.Value, allowed))
}

// str reads a scalar as a string (numbers and booleans keep their source text),
// substituting SMP_* placeholders. Null gives an unset Str.
func (r *reader) str(n *yaml.Node, what string) Str {
	s := r.rawStr(n, what)
	if s.Set {
		s.Value = r.substituteValue(s.Pos, s.Value)
	}
	return s
}

// rawStr is str without placeholder substitution.
func (r *reader) rawStr(n *yaml.Node, what string) Str {
	n = r.resolve(n)
	if isNull(n) {
		return Str{}
	}
	if n.Kind != yaml.ScalarNode {
		r.errorf(n, "type", "%s must be a string, found %s", what, kindName(n))
		return Str{}
	}
	return Str{Value: n.Value, Pos: r.pos(n), Set: true}
}

// nonEmptyStr treats "" like absent, as optional scalar settings should (the
// seed's template writes "" for "not set").
func (r *reader) nonEmptyStr(n *yaml.Node, what string) Str {
	s := r.str(n, what)
	if s.Value == "" {
		s.Set = false
	}
	return s
}

// boolean reads YAML 1.2 and 1.1 booleans and the strings "True"/"False" in
// any case, as the seed's PyYAML did.
func (r *reader) boolean(n *yaml.Node, what string) Bool {
	n = r.resolve(n)
	if isNull(n) {
		return Bool{}
	}
	if n.Kind == yaml.ScalarNode {
		switch strings.ToLower(n.Value) {
		case "true", "yes", "on", "y":
			return Bool{Value: true, Pos: r.pos(n), Set: true}
		case "false", "no", "off", "n":
			return Bool{Value: false, Pos: r.pos(n), Set: true}
		}
	}
	r.errorf(n, "type", "%s must be true or false, found %s", what, describe(n))
	return Bool{}
}

// positive reads a whole number from 1 to math.MaxInt32, the range of
// every count, size and duration SageMaker's API takes; "" counts as
// absent. A number outside the range says so, whatever its notation.
func (r *reader) positive(n *yaml.Node, what string) Int {
	n = r.resolve(n)
	if isNull(n) || (n.Kind == yaml.ScalarNode && n.Value == "") {
		return Int{}
	}
	if n.Kind != yaml.ScalarNode || !isNumber(n.Value) {
		r.errorf(n, "type", "%s must be a whole number, found %s", what, describe(n))
		return Int{}
	}
	text := strings.ReplaceAll(n.Value, "_", "")
	v, err := strconv.ParseInt(text, 10, 64)
	switch f, ferr := strconv.ParseFloat(text, 64); {
	case err == nil && v >= 1 && v <= math.MaxInt32:
		return Int{Value: v, Pos: r.pos(n), Set: true}
	case err == nil && v < 1:
		r.errorf(n, "value", "%s must be at least 1, found %d", what, v)
	case errors.Is(err, strconv.ErrRange) || ferr != nil || math.Abs(f) > math.MaxInt32:
		r.errorf(n, "value", "%s %s is out of range; use a whole number from 1 to %d", what, n.Value, math.MaxInt32)
	default:
		r.errorf(n, "type", "%s must be a whole number, found %s", what, describe(n))
	}
	return Int{}
}

// number reads a finite number, whole or not, as YAML writes numbers
// (quoted text is a string, not a number).
func (r *reader) number(n *yaml.Node, what string) Float {
	n = r.resolve(n)
	if n == nil {
		return Float{}
	}
	if n.Kind != yaml.ScalarNode || (n.Tag != "!!int" && n.Tag != "!!float") {
		hint := ""
		if _, err := strconv.ParseFloat(n.Value, 64); err == nil && n.Kind == yaml.ScalarNode && n.Tag == "!!str" {
			hint = "; write it without quotes"
		}
		r.errorf(n, "type", "%s must be a number, found %s%s", what, describe(n), hint)
		return Float{}
	}
	var f float64
	if err := n.Decode(&f); err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		r.errorf(n, "value", "%s must be a finite number, found %s", what, n.Value)
		return Float{}
	}
	return Float{Value: f, Pos: r.pos(n), Set: true}
}

// isNumber reports whether s is written as a decimal number: an optional
// sign, digits (with "_" between them) and an optional fraction and
// exponent. Hex, octal, ".inf" and the like are not counts.
func isNumber(s string) bool {
	s, _ = splitSign(s)
	i := runOf(s, "0123456789_")
	if i > 0 && i < len(s) && s[i] == '.' {
		i += 1 + runOf(s[i+1:], "0123456789_")
	}
	if i == 0 || s[0] == '_' {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		j := i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		d := runOf(s[j:], "0123456789")
		if d == 0 {
			return false
		}
		i = j + d
	}
	return i == len(s)
}

// describe names a node's kind and, for short scalars, its value.
func describe(n *yaml.Node) string {
	if n != nil && n.Kind == yaml.ScalarNode && !isNull(n) && len(n.Value) <= 40 {
		return fmt.Sprintf("%s %q", kindName(n), n.Value)
	}
	return kindName(n)
}

// sequence checks that n is a list and returns its items.
func (r *reader) sequence(n *yaml.Node, what string) ([]*yaml.Node, bool) {
	n = r.resolve(n)
	if isNull(n) {
		return nil, false
	}
	if n.Kind != yaml.SequenceNode {
		r.errorf(n, "type", "%s must be a list, found %s", what, kindName(n))
		return nil, false
	}
	return n.Content, true
}

// strList reads a list of strings.
func (r *reader) strList(n *yaml.Node, what string) StrList {
	items, ok := r.sequence(n, what)
	if !ok {
		return StrList{}
	}
	out := StrList{Pos: r.pos(r.resolve(n)), Set: true}
	for i, it := range items {
		if s := r.str(it, fmt.Sprintf("%s[%d]", what, i)); s.Set {
			out.Items = append(out.Items, s)
		}
	}
	return out
}
