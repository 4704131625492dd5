package workspace

import (
	"fmt"
	"strconv"
	"strings"
)

// ParseSize reads a size limit as flags and action inputs give it: a number
// of bytes, optionally followed by KiB, MiB or GiB (case and spaces are
// free, and K, M, G and KB, MB, GB mean the same binary units).
func ParseSize(s string) (int64, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	units := []struct {
		suffixes []string
		shift    uint
	}{{[]string{"gib", "gb", "g"}, 30}, {[]string{"mib", "mb", "m"}, 20}, {[]string{"kib", "kb", "k"}, 10}, {[]string{"b"}, 0}}
	shift := uint(0)
found:
	for _, u := range units {
		for _, suf := range u.suffixes {
			if num, ok := strings.CutSuffix(v, suf); ok {
				v, shift = strings.TrimSpace(num), u.shift
				break found
			}
		}
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 || n > (1<<62)>>shift {
		return 0, fmt.Errorf("size %q: give a positive whole number of bytes, optionally with KiB, MiB or GiB (for example 512MiB)", s)
	}
	return n << shift, nil
}
