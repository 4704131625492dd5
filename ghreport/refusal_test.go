package ghreport

import (
	"strings"
	"testing"

	"github.com/smpipe/smpipe-action/compiler/diff"
)

func hostileRefusals() Refusals {
	d := diff.Pipeline{Name: "p", Status: diff.Changed, Steps: []diff.StepChange{{
		Name: "train|<b>x</b>", Status: diff.Changed,
		Settings: []diff.SettingChange{{Path: "hyperparams.note", Old: "a\n::error::forged", New: "@octocat [x](https://evil.example)", OldSet: true, NewSet: true}},
	}}, DefinitionDiff: "-  \"a\": 1\n+  \"a\": \"```\"\n"}
	return Refusals{List: []Refusal{
		{Pipeline: "house-<script>", Reason: "pipeline compiles differently\n::warning::x", Diff: &d, PR: 12, HeadSHA: strings.Repeat("c", 40),
			BaseChanges: []string{"housing/conf/conf.yaml", "docs/*not*emphasis*.md"}},
		{Pipeline: "other", Reason: "commit is not the merge of a pull request"},
	}}
}

func TestRefusalsMarkdown_golden(t *testing.T) {
	got := RefusalsMarkdown(hostileRefusals())
	checkGolden(t, "refusals.md", got)
	for _, bad := range []string{"<script>", "<b>", "](https://evil", "\n::"} {
		if strings.Contains(stripCodeSpans(got), bad) { // code spans are inert
			t.Errorf("markdown contains %q unescaped:\n%s", bad, got)
		}
	}
	if RefusalsMarkdown(Refusals{}) != "" {
		t.Error("no refusals must render nothing")
	}
}

func TestRefusalsLog_noCommandInjection(t *testing.T) {
	lines := RefusalsLog(hostileRefusals())
	if len(lines) < 4 {
		t.Fatalf("lines = %q", lines)
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, "smpipe: ") || strings.ContainsAny(l, "\r\n") {
			t.Errorf("log line %q must start with the prefix and be one line", l)
		}
	}
	if !strings.Contains(strings.Join(lines, "\n"), `step "train|<b>x</b>": hyperparams.note: "a\n::error::forged" → "@octocat [x](https://evil.example)"`) {
		t.Errorf("the log does not show the setting change quoted:\n%s", strings.Join(lines, "\n"))
	}
}
