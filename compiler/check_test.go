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

func TestValidDuration(t *testing.T) {
	for s, want := range map[string]bool{
		"P10D": true, "PT12H": true, "P1Y2M3W4DT5H6M7S": true, "P1M": true, "PT1M": true, "P0D": true,
		"": false, "P": false, "PT": false, "P1DT": false, "10d": false, "P10d": false, "P1H": false,
		"P1D2D": false, "PT1H2H": false, "PD": false, "P1.5D": false, "P-1D": false, "P1DT1D": false,
	} {
		if got := validDuration(s); got != want {
			t.Errorf("validDuration(%q) = %v, want %v", s, got, want)
		}
	}
}

// TestQuoteHint: a syntax error on a line whose value starts with YAML
// syntax says to quote the value; other lines get no hint.
func TestQuoteHint(t *testing.T) {
	src := []byte("a:\n  operator: >=  # at least\n  - !=\n  name: plain\n  empty:\n")
	tests := map[int]string{
		2: `; a value starting with ">" must be quoted: ">="`,
		3: `; a value starting with "!" must be quoted: "!="`,
		4: "",
		5: "",
		0: "",
		9: "",
	}
	for line, want := range tests {
		if got := quoteHint(src, line); got != want {
			t.Errorf("line %d: %q, want %q", line, got, want)
		}
	}
}
