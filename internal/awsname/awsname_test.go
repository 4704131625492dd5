package awsname

import (
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
