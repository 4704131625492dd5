// Package bidi names the Unicode characters that reorder how text around
// them is displayed. A conf value carrying one can make a report show text
// in an order other than the bytes' ("Trojan Source"), so every report
// replaces them before rendering.
package bidi

// IsControl reports whether r is a bidirectional formatting character:
// the embeddings and overrides U+202A–U+202E, the isolates U+2066–U+2069,
// and the marks U+200E, U+200F and U+061C.
func IsControl(r rune) bool {
	return r >= 0x202A && r <= 0x202E || r >= 0x2066 && r <= 0x2069 || r == 0x200E || r == 0x200F || r == 0x061C
}
