package bidi

import "testing"

func TestIsControl(t *testing.T) {
	for _, r := range []rune{0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069, 0x200E, 0x200F, 0x061C} {
		if !IsControl(r) {
			t.Errorf("IsControl(%U) = false, want true", r)
		}
	}
	// Neighbours of each range, and characters a report must keep.
	for _, r := range []rune{0x2029, 0x202F, 0x2065, 0x206A, 0x200D, 0x2010, 0x061B, 0x061D, 'a', '|', 0xFFFD} {
		if IsControl(r) {
			t.Errorf("IsControl(%U) = true, want false", r)
		}
	}
}
