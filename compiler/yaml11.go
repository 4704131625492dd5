package compiler

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// The original loaded conf files with PyYAML (YAML 1.1) and passed each
// hyperparameter through Python's json.dumps. pyJSON reproduces the pair
// for one value, so a training job receives the bytes it received before:
// 300 → 300, binary:logistic → "binary:logistic", True and yes → true,
// "0.1" (quoted) → "0.1" as a string but 0.1 → 0.1 as a number.

// pyJSON returns the JSON text json.dumps writes for the value PyYAML
// loads from n. Problems (an unsupported tag, a bad explicit type) are
// reported; ok is false then.
func (r *reader) pyJSON(n *yaml.Node, what string) (string, bool) {
	n = r.resolve(n)
	if n == nil {
		return "", false
	}
	switch n.Kind {
	case yaml.SequenceNode:
		items := make([]string, 0, len(n.Content))
		for i, c := range n.Content {
			v, ok := r.pyJSON(c, fmt.Sprintf("%s[%d]", what, i))
			if !ok {
				return "", false
			}
			items = append(items, v)
		}
		return "[" + strings.Join(items, ", ") + "]", true
	case yaml.MappingNode:
		entries, ok := r.mapping(n, what, nil)
		if !ok {
			return "", false
		}
		items := make([]string, 0, len(entries))
		for _, kv := range entries {
			v, ok := r.pyJSON(kv.Value, what+"."+kv.Key)
			if !ok {
				return "", false
			}
			// json.dumps turns keys that are not strings into strings.
			key, isString, _ := typedScalar(kv.KeyN)
			if !isString {
				key = pyJSONString(key)
			}
			items = append(items, key+": "+v)
		}
		return "{" + strings.Join(items, ", ") + "}", true
	}
	v, isString, err := typedScalar(n)
	if err != nil {
		r.errorf(n, "type", "%s: %v", what, err)
		return "", false
	}
	if isString {
		v = pyJSONString(r.substituteValue(r.pos(n), n.Value))
	}
	return v, true
}

// typedScalar types a scalar as PyYAML's safe loader does (YAML 1.1
// implicit types; quoted and block scalars are strings) and returns its
// json.dumps text, and whether it is a string.
func typedScalar(n *yaml.Node) (text string, isString bool, err error) {
	v := n.Value
	tag := ""
	if n.Style&yaml.TaggedStyle != 0 {
		tag = n.Tag
	} else if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		tag = "!!str"
	}
	if tag == "" {
		for _, typed := range []func(string) (string, bool){yaml11Null, yaml11Bool, yaml11Int, yaml11Float} {
			if s, ok := typed(v); ok {
				return s, false, nil
			}
		}
		// Dates and times (a datetime that json.dumps could not encode in
		// the original) and everything else stay strings.
		return pyJSONString(v), true, nil
	}
	var (
		s  string
		ok bool
	)
	switch tag {
	case "!!str":
		return pyJSONString(v), true, nil
	case "!!null":
		s, ok = yaml11Null(v)
	case "!!bool":
		s, ok = yaml11Bool(v)
	case "!!int":
		s, ok = yaml11Int(v)
	case "!!float":
		if s, ok = yaml11Float(v); !ok {
			if i, isInt := yaml11Int(v); isInt {
				s, ok = pyFloat(i), true
			}
		}
	default: // a tag outside the core schema, reported by checkTags
		return pyJSONString(v), true, nil
	}
	if !ok {
		return "", false, fmt.Errorf("%q is not a valid %s", v, tag)
	}
	return s, false, nil
}

func yaml11Null(v string) (string, bool) {
	switch v {
	case "", "~", "null", "Null", "NULL":
		return "null", true
	}
	return "", false
}

func yaml11Bool(v string) (string, bool) {
	switch v {
	case "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON":
		return "true", true
	case "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF":
		return "false", true
	}
	return "", false
}

// yaml11Int recognises a YAML 1.1 integer as PyYAML does (binary 0b…,
// octal 0…, decimal, hex 0x…, sexagesimal 1:30, "_" as a separator) and
// returns the decimal digits Python prints; Python integers have no size
// limit.
func yaml11Int(v string) (string, bool) {
	s, neg := splitSign(v)
	if !intSyntax(s) {
		return "", false
	}
	d := strings.ReplaceAll(s, "_", "")
	var (
		n  *big.Int
		ok bool
	)
	switch {
	case d == "0":
		return "0", true
	case strings.HasPrefix(d, "0b"):
		n, ok = new(big.Int).SetString(d[2:], 2)
	case strings.HasPrefix(d, "0x"):
		n, ok = new(big.Int).SetString(d[2:], 16)
	case d[0] == '0':
		n, ok = new(big.Int).SetString(d[1:], 8)
	case strings.Contains(d, ":"):
		n, ok = new(big.Int), true
		for part := range strings.SplitSeq(d, ":") {
			p, _ := new(big.Int).SetString(part, 10)
			n.Mul(n, big.NewInt(60)).Add(n, p)
		}
	default:
		n, ok = new(big.Int).SetString(d, 10)
	}
	if !ok { // "0b_": the original crashed on it
		return "", false
	}
	if neg {
		n.Neg(n)
	}
	return n.String(), true
}

// intSyntax matches PyYAML's integer pattern (after the sign):
// 0b[01_]+ | 0[0-7_]+ | 0 | [1-9][0-9_]* | 0x[0-9a-fA-F_]+ | [1-9][0-9_]*(:[0-5]?[0-9])+
func intSyntax(s string) bool {
	switch {
	case s == "0":
		return true
	case strings.HasPrefix(s, "0b"):
		return len(s) > 2 && runOf(s[2:], "01_") == len(s)-2
	case strings.HasPrefix(s, "0x"):
		return len(s) > 2 && runOf(s[2:], "0123456789abcdefABCDEF_") == len(s)-2
	case strings.HasPrefix(s, "0"):
		return runOf(s[1:], "01234567_") == len(s)-1
	case s != "" && s[0] >= '1' && s[0] <= '9':
		i := 1 + runOf(s[1:], "0123456789_")
		if i == len(s) {
			return true
		}
		return sexagesimalTail(s[i:]) == len(s)-i
	}
	return false
}

// sexagesimalTail returns how much of s is (:[0-5]?[0-9])+, 0 for none.
func sexagesimalTail(s string) int {
	i := 0
	for i < len(s) && s[i] == ':' {
		switch {
		case i+2 < len(s) && s[i+1] >= '0' && s[i+1] <= '5' && isDigit(s[i+2]):
			i += 3
		case i+1 < len(s) && isDigit(s[i+1]):
			i += 2
		default:
			return i
		}
	}
	return i
}

// yaml11Float recognises a YAML 1.1 float as PyYAML does and returns
// Python's repr of it. The pattern (after an optional sign where shown):
// [0-9][0-9_]*.[0-9_]*([eE][-+][0-9]+)? | .[0-9][0-9_]*([eE][-+][0-9]+)?
// (no sign) | [0-9][0-9_]*(:[0-5]?[0-9])+.[0-9_]* | .inf | .nan (no
// sign): a dot is required and an exponent needs its sign, so 1e3 and
// 1.0e3 are strings.
func yaml11Float(v string) (string, bool) {
	switch v {
	case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF":
		return "Infinity", true
	case "-.inf", "-.Inf", "-.INF":
		return "-Infinity", true
	case ".nan", ".NaN", ".NAN":
		return "NaN", true
	}
	s, neg := splitSign(v)
	if s == "" || !floatSyntax(s, len(s) < len(v)) {
		return "", false
	}
	d := strings.ReplaceAll(s, "_", "")
	var f float64
	if whole, frac, ok := strings.Cut(d, "."); ok && strings.Contains(whole, ":") {
		for part := range strings.SplitSeq(whole, ":") {
			p, _ := strconv.ParseFloat(part, 64)
			f = f*60 + p
		}
		fr, _ := strconv.ParseFloat("0."+frac+"0", 64)
		f += fr
	} else {
		f, _ = strconv.ParseFloat(d, 64) // out of range gives ±Inf, as in Python
	}
	if neg {
		f = -f
	}
	return pyFloatValue(f), true
}

func floatSyntax(s string, signed bool) bool {
	if s[0] == '.' {
		if signed || len(s) < 2 || !isDigit(s[1]) {
			return false
		}
		i := 2 + runOf(s[2:], "0123456789_")
		return exponentTail(s[i:])
	}
	if !isDigit(s[0]) {
		return false
	}
	i := 1 + runOf(s[1:], "0123456789_")
	if i < len(s) && s[i] == ':' {
		i += sexagesimalTail(s[i:])
		if i == len(s) || s[i] != '.' {
			return false
		}
		return runOf(s[i+1:], "0123456789_") == len(s)-i-1
	}
	if i == len(s) || s[i] != '.' {
		return false
	}
	i++
	i += runOf(s[i:], "0123456789_")
	return exponentTail(s[i:])
}

// exponentTail reports whether s is empty or [eE][-+][0-9]+.
func exponentTail(s string) bool {
	if s == "" {
		return true
	}
	return len(s) >= 3 && (s[0] == 'e' || s[0] == 'E') && (s[1] == '+' || s[1] == '-') && runOf(s[2:], "0123456789") == len(s)-2
}

// runOf returns the length of the longest prefix of s made of bytes in set.
func runOf(s, set string) int {
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(set, s[i]) < 0 {
			return i
		}
	}
	return len(s)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func splitSign(v string) (string, bool) {
	switch {
	case strings.HasPrefix(v, "-"):
		return v[1:], true
	case strings.HasPrefix(v, "+"):
		return v[1:], false
	}
	return v, false
}

// pyFloat is the repr of the float an integer text converts to.
func pyFloat(intText string) string {
	f, _ := strconv.ParseFloat(intText, 64)
	return pyFloatValue(f)
}

// pyFloatValue writes f as Python's repr (and so json.dumps) does: the
// shortest digits that read back as f, in positional notation when the
// decimal exponent is from -4 to 15 (always with a fractional part), else
// in scientific notation with a signed, at least two-digit exponent.
func pyFloatValue(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case math.IsNaN(f):
		return "NaN"
	}
	e := strconv.FormatFloat(f, 'e', -1, 64) // e.g. "-1.2345e+17"
	mant, expText, _ := strings.Cut(e, "e")
	exp, _ := strconv.Atoi(expText)
	sign := ""
	if strings.HasPrefix(mant, "-") {
		sign, mant = "-", mant[1:]
	}
	digits := strings.Replace(mant, ".", "", 1)
	if exp < -4 || exp >= 16 {
		m := digits[:1]
		if len(digits) > 1 {
			m += "." + digits[1:]
		}
		es := strconv.Itoa(abs(exp))
		if len(es) < 2 {
			es = "0" + es
		}
		if exp < 0 {
			return sign + m + "e-" + es
		}
		return sign + m + "e+" + es
	}
	if exp < 0 {
		return sign + "0." + strings.Repeat("0", -exp-1) + digits
	}
	if len(digits) <= exp+1 {
		return sign + digits + strings.Repeat("0", exp+1-len(digits)) + ".0"
	}
	return sign + digits[:exp+1] + "." + digits[exp+1:]
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// pyJSONString quotes s as json.dumps does by default (ensure_ascii):
// '"' and '\' escaped, \b \f \n \r \t by name, other control characters
// and everything outside ASCII as \uXXXX (surrogate pairs above U+FFFF).
func pyJSONString(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch c {
			case '"':
				b.WriteString(`\"`)
			case '\\':
				b.WriteString(`\\`)
			case '\b':
				b.WriteString(`\b`)
			case '\f':
				b.WriteString(`\f`)
			case '\n':
				b.WriteString(`\n`)
			case '\r':
				b.WriteString(`\r`)
			case '\t':
				b.WriteString(`\t`)
			default:
				if c < 0x20 {
					fmt.Fprintf(&b, `\u%04x`, c)
				} else {
					b.WriteByte(c)
				}
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r > 0xFFFF {
			r -= 0x10000
			fmt.Fprintf(&b, `\u%04x\u%04x`, 0xD800+(r>>10), 0xDC00+(r&0x3FF))
		} else {
			fmt.Fprintf(&b, `\u%04x`, r)
		}
		i += size
	}
	b.WriteByte('"')
	return b.String()
}
