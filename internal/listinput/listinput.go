// Package listinput is the one rule for lists given as a single string,
// as action inputs and repeatable flags take them: items separated by
// commas or line breaks, spaces around each trimmed, empty items dropped.
// Pipeline names, account IDs, branches and placeholder names are split
// alike, so a list written for one input works in another.
package listinput

import "strings"

// Split splits s into its items.
func Split(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(c rune) bool { return c == ',' || c == '\n' || c == '\r' }) {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
