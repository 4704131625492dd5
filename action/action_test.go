package action_test

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/smpipe/smpipe-action/action"
	"github.com/smpipe/smpipe-action/compiler"
	"github.com/smpipe/smpipe-action/internal/actiontest"
	"github.com/smpipe/smpipe-action/plan"
)

const (
	exitOK     = 0
	exitFailed = 1

	conf     = "housing/conf/conf.yaml"
	pipeline = "house-price-tf"
)

// inProcess runs the action as `smpipe action` does, in this process, with
// env as its whole environment.
func inProcess(ctx context.Context, env map[string]string, stdout, _ io.Writer) int {
	return action.Run(ctx, action.Env{
		Getenv:    func(k string) string { return env[k] },
		LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok },
		Stdout:    stdout,
		Version:   "test",
	})
}

// newWorld is the housing example committed on main, with the fakes.
func newWorld(t *testing.T) (*actiontest.World, string) {
	t.Helper()
	w := actiontest.New(t, "../testdata/conf/ok/housing-tf", inProcess)
	return w, w.Start(100, "House prices with TensorFlow")
}

// openPR branches from base, applies edit to the conf, commits, runs the
// plan and returns the head.
func openPR(t *testing.T, w *actiontest.World, n int, branch, base string, edit func()) string {
	t.Helper()
	head, r := pushPR(t, w, "opened", n, branch, base, nil, edit)
	r.WantCode(t, exitOK)
	return head
}

// pushPR commits edit on branch (created from base for "opened", the
// existing branch for "synchronize") and runs the plan of pull request n
// with the given inputs.
func pushPR(t *testing.T, w *actiontest.World, action string, n int, branch, base string, inputs map[string]string, edit func()) (string, actiontest.Result) {
	t.Helper()
	if action == "opened" {
		w.Git.Detach(base)
		w.Git.Branch(branch, true)
	} else {
		w.Git.Branch(branch, false)
	}
	edit()
	head := w.Git.Commit("Change " + branch)
	env := w.PREvent(actiontest.PR{Action: action, Number: n, BaseSHA: base, HeadSHA: head, HeadRef: branch})
	return head, w.Run(withInputs(env, inputs))
}

// withInputs sets inputs (by action.yml name) in env.
func withInputs(env actiontest.Env, inputs map[string]string) actiontest.Env {
	for k, v := range inputs {
		env["INPUT_"+strings.ToUpper(k)] = v
	}
	return env
}

// merge records the merge of head into main (whose tip is tip) as GitHub
// does for a merge commit, links it to pull request n, approved by a
// writer, and returns it.
func merge(t *testing.T, w *actiontest.World, n int, tip, head string) string {
	t.Helper()
	return w.Merge(n, tip, head, true)
}

// compileHash is the pipeline's definition hash at commit sha, compiled as
// the deploy job does.
func compileHash(t *testing.T, w *actiontest.World, sha string) string {
	t.Helper()
	rv, err := plan.OpenRevisions(plan.GitOptions{Dir: w.Git.Dir, Compile: compiler.Options{Region: "us-east-1",
		Getenv: func(string) (string, bool) { return "", false }}})
	if err != nil {
		t.Fatal(err)
	}
	defer rv.Close()
	plans, err := rv.Compile(context.Background(), sha, []string{pipeline})
	if err != nil || plans[pipeline] == nil {
		t.Fatalf("compiling at %s: %v", sha, err)
	}
	return plans[pipeline].Hash
}

func wantContains(t *testing.T, what, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			t.Errorf("%s lacks %q:\n%s", what, sub, s)
		}
	}
}

func wantNoCalls(t *testing.T, w *actiontest.World, before actiontest.Calls) {
	t.Helper()
	if after := w.Calls(); after != before {
		t.Errorf("AWS writes went from %+v to %+v, want none", before, after)
	}
}
