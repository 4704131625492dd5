package awsname

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"
	"testing"
)

func TestHyphenated_matchesTheServicePattern(t *testing.T) {
	re := regexp.MustCompile(`^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}$`)
	for _, s := range []string{"", "a", "a-b", "a--b", "-a", "a-", "a_b", "A9", "é", "a.b", strings.Repeat("a", 256), strings.Repeat("a", 257), "x" + strings.Repeat("-y", 100)} {
		if got, want := Hyphenated(s, 256), re.MatchString(s); got != want {
			t.Errorf("Hyphenated(%q) = %v, the service pattern says %v", s, got, want)
		}
	}
}

func TestSuffixed(t *testing.T) {
	long := strings.Repeat("a", 250)
	for _, c := range []struct {
		name, suffix string
		limit        int
		want         string
	}{
		{"train", "pr12", 256, "train-pr12"},
		{strings.Repeat("a", 251), "pr12", 256, strings.Repeat("a", 251) + "-pr12"},
		{long + "-bbbbbb", "pr12", 256, long[:242] + "-" + hashOf(long+"-bbbbbb") + "-pr12"},
		// A cut that ends on a hyphen drops it.
		{strings.Repeat("a", 45) + "-" + strings.Repeat("b", 20), "preview", 63, strings.Repeat("a", 45) + "-" + hashOf(strings.Repeat("a", 45)+"-"+strings.Repeat("b", 20)) + "-preview"},
	} {
		got := Suffixed(c.name, c.suffix, c.limit)
		if got != c.want {
			t.Errorf("Suffixed(%q, %q, %d) = %q, want %q", c.name, c.suffix, c.limit, got, c.want)
		}
		if !Hyphenated(got, c.limit) {
			t.Errorf("Suffixed(%q, %q, %d) = %q is not a valid name", c.name, c.suffix, c.limit, got)
		}
	}
	// Long names that share their first characters stay apart.
	a, b := Suffixed(long+"-one", "pr1", 256), Suffixed(long+"-two", "pr1", 256)
	if a == b {
		t.Errorf("two long names give one preview name %q", a)
	}
}

func hashOf(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:4])
}
