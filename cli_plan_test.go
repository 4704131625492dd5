package main

import (
	"encoding/json"
	"os"
	"path/filepath"
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
	dir := gitRepo(t, "testdata/conf/ok/two-pipelines", replaceIn(t, "fraud/conf/conf.yaml", "learning_rate: 0.05", "learning_rate: 0.1"))

	code, out, errOut := runCLI(t, nil, "plan", "--base", "HEAD~1", dir)
	if code != exitOK {
		t.Fatalf("exit %d:\n%s", code, errOut)
	}
	for _, want := range []string{"<!-- smpipe:v1 ", "card-fraud-detection", "hyperparams.learning&#95;rate", "```mermaid"} {
		if !strings.Contains(out, want) {
			t.Errorf("markdown lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "store-demand-forecast") {
		t.Errorf("an untouched pipeline appears in the report")
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
	dir := gitRepo(t, "testdata/conf/ok/two-pipelines", replaceIn(t, "fraud/conf/conf.yaml", "step_class: Training", "step_class: Trainer"))
	code, out, errOut := runCLI(t, nil, "plan", "--base", "HEAD~1", dir)
	if code != exitProblem {
		t.Fatalf("exit %d, want %d", code, exitProblem)
	}
	if !strings.Contains(errOut, `fraud/conf/conf.yaml:49:25: error: unknown step_class "Trainer"`) || !strings.Contains(out, ":x:") {
		t.Errorf("stderr:\n%s\nstdout:\n%s", errOut, out)
	}
	if code, _, _ := runCLI(t, nil, "plan", dir); code != exitUsage {
		t.Errorf("plan without --base: exit %d, want %d", code, exitUsage)
	}
}

// TestRun_planInSubdirectory: the pipelines live below the repository root
// (the action's working-directory); changes outside that directory are
// ignored and paths stay relative to it.
func TestRun_planInSubdirectory(t *testing.T) {
	dir := t.TempDir()
	if err := os.CopyFS(filepath.Join(dir, "ml"), os.DirFS("testdata/conf/ok/two-pipelines")); err != nil {
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
