// Package awsname checks the names SageMaker spells as
// [a-zA-Z0-9](-*[a-zA-Z0-9]){0,N}: pipelines, model package groups,
// execution display names. A regular expression with that bounded
// repetition compiles to thousands of instructions at start-up; this loop
// costs nothing until used.
package awsname

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
