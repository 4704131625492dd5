// Package awsname checks the names SageMaker spells as
// [a-zA-Z0-9](-*[a-zA-Z0-9]){0,N}: pipelines, model package groups,
// execution display names. A regular expression with that bounded
// repetition compiles to thousands of instructions at start-up; this loop
// costs nothing until used.
package awsname

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// Hyphenated reports whether s is 1 to max characters of ASCII letters and
// digits, with hyphens only between them (never first or last).
func Hyphenated(s string, max int) bool {
	if len(s) == 0 || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '-' && i > 0 && i < len(s)-1:
		default:
			return false
		}
	}
	return true
}

// Suffixed is name followed by "-" and suffix, within limit characters: when
// that is too long, name is cut and the first 8 hex digits of its SHA-256
// go before the suffix, so that two long names sharing a beginning stay
// apart and the suffix always ends the result. name and suffix must be
// Hyphenated; so is the result, when limit leaves room for the suffix and
// the hash.
func Suffixed(name, suffix string, limit int) string {
	if len(name)+1+len(suffix) <= limit {
		return name + "-" + suffix
	}
	sum := sha256.Sum256([]byte(name))
	hash := hex.EncodeToString(sum[:4])
	keep := limit - len(suffix) - len(hash) - 2
	cut := strings.TrimRight(name[:min(len(name), max(keep, 0))], "-")
	if cut == "" {
		return hash + "-" + suffix
	}
	return cut + "-" + hash + "-" + suffix
}
