package ghreport

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func runnerEnv(t *testing.T) (func(string) string, string, string) {
	t.Helper()
	dir := t.TempDir()
	summary, output := filepath.Join(dir, "summary.md"), filepath.Join(dir, "output")
	env := map[string]string{"GITHUB_STEP_SUMMARY": summary, "GITHUB_OUTPUT": output}
	return func(k string) string { return env[k] }, summary, output
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestActions_SetOutputRandomDelimiter(t *testing.T) {
	t.Parallel()
	getenv, _, output := runnerEnv(t)
	x := NewActions(getenv, &strings.Builder{})
	hostile := "line1\n_GitHubActionsFileCommandDelimeter_\ninjected=1\nEOF"
	if err := x.SetOutput("report", hostile); err != nil {
		t.Fatal(err)
	}
	if err := x.SetOutput("pipelines", `[{"name":"a"}]`); err != nil {
		t.Fatal(err)
	}
	got := parseOutputs(t, read(t, output))
	if got["report"] != hostile || got["pipelines"] != `[{"name":"a"}]` || len(got) != 2 {
		t.Errorf("outputs = %q", got)
	}
	if err := x.SetOutput("bad name\nx", "v"); err == nil {
		t.Error("invalid output name accepted")
	}
}

// parseOutputs reads GITHUB_OUTPUT as the runner does: name<<DELIM blocks.
func parseOutputs(t *testing.T, s string) map[string]string {
	t.Helper()
	out := map[string]string{}
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	head := regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_-]*)<<(ghadelimiter_[A-Za-z0-9]+)$`)
	for i := 0; i < len(lines); i++ {
		m := head.FindStringSubmatch(lines[i])
		if m == nil {
			t.Fatalf("line %d is not a heredoc start: %q", i, lines[i])
		}
		var val []string
		for i++; i < len(lines) && lines[i] != m[2]; i++ {
			val = append(val, lines[i])
		}
		out[m[1]] = strings.Join(val, "\n")
	}
	return out
}

func TestActions_AddStepSummary(t *testing.T) {
	t.Parallel()
	getenv, summary, _ := runnerEnv(t)
	x := NewActions(getenv, &strings.Builder{})
	if err := x.AddStepSummary("# one\n"); err != nil {
		t.Fatal(err)
	}
	big := strings.Repeat("ééééééééé\n", MaxStepSummary/10)
	if err := x.AddStepSummary(big); err != nil {
		t.Fatal(err)
	}
	got := read(t, summary)
	if !strings.HasPrefix(got, "# one\n") || len(got)-len("# one\n\n") > MaxStepSummary || !strings.Contains(got, "cut at GitHub's 1 MiB limit") {
		t.Errorf("summary is %d bytes, ends %q", len(got), got[len(got)-80:])
	}

	none := NewActions(func(string) string { return "" }, &strings.Builder{})
	if err := none.AddStepSummary("x"); !errors.Is(err, ErrNoRunnerFile) {
		t.Errorf("outside Actions: %v", err)
	}
	if err := none.SetOutput("a", "x"); !errors.Is(err, ErrNoRunnerFile) {
		t.Errorf("outside Actions: %v", err)
	}
	bad := NewActions(func(string) string { return filepath.Join(t.TempDir(), "missing", "file") }, &strings.Builder{})
	if err := bad.AddStepSummary("x"); err == nil || !strings.Contains(err.Error(), "writing the step summary") {
		t.Errorf("unwritable summary: %v", err)
	}
}

func TestActions_logCommands(t *testing.T) {
	t.Parallel()
	var log strings.Builder
	x := NewActions(func(string) string { return "" }, &log)
	x.Group("pipeline evil\n::error::x")
	x.AddMask("s3cr3t")
	x.AddMask("")
	x.EndGroup()
	want := "::group::pipeline evil%0A::error::x\n::add-mask::s3cr3t\n::endgroup::\n"
	if log.String() != want {
		t.Errorf("log = %q, want %q", log.String(), want)
	}
}
