package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/smpipe/smpipe-action/internal/testrepo"
)

// gitRepo copies an example into a new git repository, commits it, applies
// edit and commits again; it returns the checkout.
func gitRepo(t *testing.T, example string, edit func(dir string)) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(example)); err != nil {
		t.Fatal(err)
	}
	testrepo.Commit(t, dir, "base")
	edit(dir)
	testrepo.Commit(t, dir, "head")
	return dir
}

func replaceIn(t *testing.T, file, old, new string) func(string) {
	return func(dir string) {
		p := filepath.Join(dir, file)
		b, err := os.ReadFile(p)
		if err != nil || !strings.Contains(string(b), old) {
			t.Fatalf("%s does not contain %q (%v)", file, old, err)
		}
		if err := os.WriteFile(p, []byte(strings.Replace(string(b), old, new, 1)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestRun_plan(t *testing.T) {
	dir := gitRepo(t, "../testdata/conf/ok/two-pipelines", replaceIn(t, "fraud/conf/conf.yaml", "learning_rate: 0.05", "learning_rate: 0.1"))

	code, out, errOut := runCLI(t, nil, "plan", "--base", "HEAD~1", "--head", "HEAD", dir)
	if code != exitOK {
		t.Fatalf("exit %d:\n%s", code, errOut)
	}
	for _, want := range []string{"## smpipe plan: 1 pipeline touched", "card-fraud-detection", "`hyperparams.learning_rate`", "```mermaid"} {
		if !strings.Contains(out, want) {
			t.Errorf("markdown lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "store-demand-forecast") {
		t.Errorf("an untouched pipeline appears in the report")
	}
	// On a terminal the report is complete and about this plan alone: no
	// comment marker, no pointer to a job summary that does not exist.
	for _, unwanted := range []string{"<!-- smpipe:", "Full report", "job summary"} {
		if strings.Contains(out, unwanted) {
			t.Errorf("local plan output contains %q:\n%s", unwanted, out)
		}
	}

	code, out, _ = runCLI(t, nil, "plan", "--base", "HEAD~1", "--format", "json", dir)
	var rep struct {
		OK        bool
		Pipelines []struct{ Name, Status string }
	}
	if code != exitOK || json.Unmarshal([]byte(out), &rep) != nil || len(rep.Pipelines) != 1 || rep.Pipelines[0].Status != "changed" {
		t.Errorf("json plan: exit %d, %+v", code, rep)
	}

	code, out, _ = runCLI(t, nil, "graph", "--base", "HEAD~1", dir)
	if code != exitOK || !strings.Contains(out, "classDef changed") {
		t.Errorf("graph --base: exit %d:\n%s", code, out)
	}
}

func TestRun_planBrokenHead(t *testing.T) {
	dir := gitRepo(t, "../testdata/conf/ok/two-pipelines", replaceIn(t, "fraud/conf/conf.yaml", "step_class: Training", "step_class: Trainer"))
	code, out, errOut := runCLI(t, nil, "plan", "--base", "HEAD~1", dir)
	if code != exitProblem {
		t.Fatalf("exit %d, want %d", code, exitProblem)
	}
	if !strings.Contains(errOut, `fraud/conf/conf.yaml:49:25: error: unknown step_class "Trainer"`) || !strings.Contains(out, ":x:") {
		t.Errorf("stderr:\n%s\nstdout:\n%s", errOut, out)
	}
	if code, _, errOut := runCLI(t, nil, "plan", "--head", "HEAD", dir); code != exitUsage || !strings.Contains(errOut, "--head needs --base") {
		t.Errorf("plan --head without --base: exit %d, want %d:\n%s", code, exitUsage, errOut)
	}
}

// TestRun_planInSubdirectory: the pipelines live below the repository root
// (the action's working-directory); changes outside that directory are
// ignored and paths stay relative to it.
func TestRun_planInSubdirectory(t *testing.T) {
	dir := t.TempDir()
	if err := os.CopyFS(filepath.Join(dir, "ml"), os.DirFS("../testdata/conf/ok/two-pipelines")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "README.md"), []byte("root\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	testrepo.Commit(t, dir, "base")
	replaceIn(t, "ml/demand/conf/conf.yaml", "ml.c5.2xlarge", "ml.c5.4xlarge")(dir)
	if err := os.WriteFile(filepath.Join(dir, "README.md"), []byte("changed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	testrepo.Commit(t, dir, "head")

	code, out, errOut := runCLI(t, nil, "plan", "--base", "HEAD~1", "--format", "json", filepath.Join(dir, "ml"))
	if code != exitOK {
		t.Fatalf("exit %d:\n%s", code, errOut)
	}
	var rep struct {
		Pipelines []struct{ Name, Anchor string }
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Pipelines) != 1 || rep.Pipelines[0].Name != "store-demand-forecast" || rep.Pipelines[0].Anchor != "demand/conf/conf.yaml" {
		t.Errorf("pipelines = %+v, want only store-demand-forecast anchored at demand/conf/conf.yaml", rep.Pipelines)
	}
}

// TestRun_planWorkingTree: without --head, plan compares with the working
// tree, as git diff does, so uncommitted edits and new untracked files show
// (ignored ones count too, but touch only what reads them); --head keeps
// comparing commits.
func TestRun_planWorkingTree(t *testing.T) {
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS("../testdata/conf/ok/two-pipelines")); err != nil {
		t.Fatal(err)
	}
	write := func(name, content string) {
		t.Helper()
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(".gitignore", "scratch/\n")
	testrepo.Commit(t, dir, "base")

	type report struct {
		Base, Head string
		Worktree   bool
		Pipelines  []struct{ Name, Status string }
	}
	plan := func(args ...string) report {
		t.Helper()
		code, out, errOut := runCLI(t, nil, append([]string{"plan", "--format", "json", dir}, args...)...)
		var rep report
		if code != exitOK || json.Unmarshal([]byte(out), &rep) != nil {
			t.Fatalf("plan %q: exit %d\n%s\n%s", args, code, out, errOut)
		}
		return rep
	}
	names := func(rep report) []string {
		var out []string
		for _, p := range rep.Pipelines {
			out = append(out, p.Name+" "+p.Status)
		}
		return out
	}

	if got := plan(); len(got.Pipelines) != 0 || !got.Worktree || len(got.Base) != 40 || got.Head != "" {
		t.Errorf("clean working tree: %+v; want no pipeline, the working tree against HEAD", got)
	}

	// An ignored file no pipeline reads touches nothing.
	write("scratch/notes.txt", "not a conf file")
	replaceIn(t, "fraud/conf/conf.yaml", "learning_rate: 0.05", "learning_rate: 0.1")(dir)
	got := plan()
	if want := []string{"card-fraud-detection changed"}; !slices.Equal(names(got), want) {
		t.Errorf("uncommitted edit: pipelines %q, want %q", names(got), want)
	}
	if got := plan("--base", "HEAD"); !slices.Equal(names(got), []string{"card-fraud-detection changed"}) {
		t.Errorf("--base HEAD: pipelines %q", names(got))
	}
	if got := plan("--base", "HEAD", "--head", "HEAD"); len(got.Pipelines) != 0 || got.Worktree || got.Head != got.Base {
		t.Errorf("--head HEAD must ignore the working tree: %+v", got)
	}

	code, out, errOut := runCLI(t, nil, "plan", dir)
	if code != exitOK || !strings.Contains(out, "head: working tree · base `") || strings.Contains(out, "Full report") {
		t.Errorf("markdown plan of the working tree: exit %d\n%s\n%s", code, out, errOut)
	}
}

// TestRun_planUnknownRevision: a revision that does not exist reads as git
// says it, without advice about shallow clones in a full one.
func TestRun_planUnknownRevision(t *testing.T) {
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS("../testdata/conf/ok/housing-tf")); err != nil {
		t.Fatal(err)
	}
	testrepo.Commit(t, dir, "only")
	for _, args := range [][]string{{"--base", "HEAD~1"}, {"--base", "HEAD", "--head", "no-such-branch"}} {
		code, _, errOut := runCLI(t, nil, append([]string{"plan", dir}, args...)...)
		rev := args[len(args)-1]
		if code != exitProblem || !strings.Contains(errOut, "unknown revision "+rev+"\n") || strings.Contains(errOut, "shallow") || strings.Contains(errOut, "EOF") {
			t.Errorf("plan %q: exit %d, stderr %q; want exit 1 and \"unknown revision %s\"", args, code, errOut, rev)
		}
	}
}
