package ghreport

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMarker_roundTrip(t *testing.T) {
	t.Parallel()
	m := Marker{
		Kind: KindPlan, PR: 7, Base: "b", Head: "h", Run: 12, Attempt: 2, Truncated: true, Ladder: []string{"diffs"},
		Defs: map[string]string{"evil --> <!-- --!> \n x": "sha256:1", "a": "sha256:2"},
	}
	line := m.String()
	if strings.Contains(line, "\n") || strings.Count(line, "-->") != 1 || strings.Contains(line, "--!>") {
		t.Fatalf("marker can end early: %s", line)
	}
	got, ok := ParseMarker(line + "\nbody text")
	if !ok {
		t.Fatalf("ParseMarker(%q) failed", line)
	}
	if diff := cmp.Diff(m, got); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	if m.String() != line {
		t.Error("marker encoding is not deterministic")
	}
}

func TestParseMarker(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body string
		want       Marker
		ok         bool
	}{
		{"unknown fields ignored", `<!-- smpipe:v1 {"kind":"plan","pr":3,"head":"h","future":{"x":1}} -->` + "\nrest", Marker{Kind: KindPlan, PR: 3, Head: "h"}, true},
		{"CRLF", "<!-- smpipe:v1 {\"kind\":\"deploy\",\"head\":\"h\"} -->\r\nrest", Marker{Kind: KindDeploy, Head: "h"}, true},
		{"future version", `<!-- smpipe:v2 {"kind":"plan"} -->`, Marker{}, false},
		{"not on the first line", "hello\n" + `<!-- smpipe:v1 {"kind":"plan"} -->`, Marker{}, false},
		{"no kind", `<!-- smpipe:v1 {"pr":1} -->`, Marker{}, false},
		{"broken JSON", `<!-- smpipe:v1 {"kind": -->`, Marker{}, false},
		{"unclosed", `<!-- smpipe:v1 {"kind":"plan"}`, Marker{}, false},
		{"someone else's", `<!-- github-comment: {"Command":"plan"} -->`, Marker{}, false},
		{"empty", "", Marker{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ParseMarker(tt.body)
			if ok != tt.ok || !cmp.Equal(got, tt.want) {
				t.Errorf("ParseMarker = %+v, %v; want %+v, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}
