package compiler

import (
	"regexp"
	"strings"
	"testing"
)

func TestValidName_matchesSageMakerPatterns(t *testing.T) {
	step := regexp.MustCompile(`^[A-Za-z0-9\-_]{1,64}$`)
	channel := regexp.MustCompile(`^[A-Za-z0-9\.\-_]{1,64}$`)
	for _, s := range []string{"", "a", "a-b_c", "a.b", "a b", "é", "a/b", strings.Repeat("x", 64), strings.Repeat("x", 65), "ok-CreateModel"} {
		if got, want := validName(s, ""), step.MatchString(s); got != want {
			t.Errorf("step name %q: %v, pattern says %v", s, got, want)
		}
		if got, want := validName(s, "."), channel.MatchString(s); got != want {
			t.Errorf("channel name %q: %v, pattern says %v", s, got, want)
		}
	}
}
