package compiler

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"unicode/utf8"
)

// marshalCanonical encodes a definition as compact JSON, byte for byte as
// encoding/json does with HTML escaping off: struct fields in order under
// their json names (omitempty honoured), map keys sorted, strings escaped
// the same way. The same value always gives the same bytes.
//
// It covers the kinds definitions are made of (structs, string-keyed maps,
// slices, strings, booleans, integers, finite float64s, pointers,
// interfaces) and refuses others. encoding/json would do, but builds an
// encoder for every type on first use, which costs a one-pipeline `smpipe
// compile` a quarter of its compile time; a run uses each type only a few
// times.
func marshalCanonical(v any) ([]byte, error) {
	w := jsonWriter{buf: make([]byte, 0, 8<<10)}
	if err := w.value(reflect.ValueOf(v)); err != nil {
		return nil, err
	}
	return w.buf, nil
}

type jsonWriter struct{ buf []byte }

func (w *jsonWriter) value(v reflect.Value) error {
	switch v.Kind() {
	case reflect.Invalid:
		w.buf = append(w.buf, "null"...)
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			w.buf = append(w.buf, "null"...)
			return nil
		}
		return w.value(v.Elem())
	case reflect.Struct:
		w.buf = append(w.buf, '{')
		first := true
		for _, f := range jsonFields(v.Type()) {
			fv := v.Field(f.index)
			if f.omitEmpty && isEmptyValue(fv) {
				continue
			}
			if !first {
				w.buf = append(w.buf, ',')
			}
			first = false
			w.buf = appendJSONString(w.buf, f.name)
			w.buf = append(w.buf, ':')
			if err := w.value(fv); err != nil {
				return err
			}
		}
		w.buf = append(w.buf, '}')
	case reflect.Map:
		if v.Type().Key().Kind() != reflect.String {
			return fmt.Errorf("cannot encode a map keyed by %s", v.Type().Key())
		}
		if v.IsNil() {
			w.buf = append(w.buf, "null"...)
			return nil
		}
		w.buf = append(w.buf, '{')
		for i, k := range sortedKeys(v) {
			if i > 0 {
				w.buf = append(w.buf, ',')
			}
			w.buf = appendJSONString(w.buf, k.String())
			w.buf = append(w.buf, ':')
			if err := w.value(v.MapIndex(k)); err != nil {
				return err
			}
		}
		w.buf = append(w.buf, '}')
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return fmt.Errorf("cannot encode %s", v.Type()) // encoding/json would write base64
		}
		if v.Kind() == reflect.Slice && v.IsNil() {
			w.buf = append(w.buf, "null"...)
			return nil
		}
		w.buf = append(w.buf, '[')
		for i := range v.Len() {
			if i > 0 {
				w.buf = append(w.buf, ',')
			}
			if err := w.value(v.Index(i)); err != nil {
				return err
			}
		}
		w.buf = append(w.buf, ']')
	case reflect.String:
		w.buf = appendJSONString(w.buf, v.String())
	case reflect.Bool:
		w.buf = strconv.AppendBool(w.buf, v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		w.buf = strconv.AppendInt(w.buf, v.Int(), 10)
	case reflect.Uint, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		w.buf = strconv.AppendUint(w.buf, v.Uint(), 10)
	case reflect.Float64:
		f := v.Float()
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return fmt.Errorf("cannot encode %v", f)
		}
		w.buf = appendFloat(w.buf, f)
	default:
		return fmt.Errorf("cannot encode %s", v.Type())
	}
	return nil
}

// appendFloat writes a finite float64 as encoding/json does: the shortest
// text that reads back as f, with an exponent only below 1e-6 or from 1e21
// on, and a two-digit negative exponent without its leading zero.
func appendFloat(dst []byte, f float64) []byte {
	format := byte('f')
	if a := math.Abs(f); a != 0 && (a < 1e-6 || a >= 1e21) {
		format = 'e'
	}
	dst = strconv.AppendFloat(dst, f, format, -1, 64)
	if format == 'e' {
		if n := len(dst); n >= 4 && dst[n-4] == 'e' && dst[n-3] == '-' && dst[n-2] == '0' {
			dst[n-2] = dst[n-1]
			dst = dst[:n-1]
		}
	}
	return dst
}

// formatNumber is a number as the definition writes it, for settings and
// messages that must agree with it.
func formatNumber(f float64) string { return string(appendFloat(nil, f)) }

// appendJSONString quotes s as encoding/json does without HTML escaping:
// '"' and '\' escaped, \b \f \n \r \t by name, other control characters as
// \u00XX, invalid UTF-8 as \ufffd, U+2028 and U+2029 escaped.
func appendJSONString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[b>>4], hex[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case c == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case c == '\u2028' || c == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[c&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
