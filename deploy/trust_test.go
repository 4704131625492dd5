package deploy

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/smpipe/smpipe-action/internal/fakeaws"
)

// A pipeline smpipe did not create for this repository is left alone: made
// by hand, or deployed by smpipe for another repository. Names compare
// without regard to case, as SageMaker's do. Before, a pull request adding
// an anchor named like another team's pipeline replaced its definition
// and role on merge.
func TestDeploy_pipelinesOfOthersAreRefused(t *testing.T) {
	t.Parallel()
	handmade := definition("Handmade")
	for _, tc := range []struct {
		name   string
		seeded fakeaws.Pipeline
		want   string
	}{
		{"made by hand", fakeaws.Pipeline{Name: "churn", Definition: handmade, RoleArn: "arn:aws:iam::123456789012:role/theirs"},
			"it carries no smpipe tags"},
		{"another repository's", fakeaws.Pipeline{Name: "churn", Definition: handmade, RoleArn: "arn:aws:iam::123456789012:role/theirs",
			Tags: map[string]string{TagRepository: "octo/other", TagCommit: commitA}}, `its smpipe:repository tag says smpipe deployed it for "octo/other"`},
		{"the same name in other case", fakeaws.Pipeline{Name: "Churn", Definition: handmade, RoleArn: "arn:aws:iam::123456789012:role/theirs"},
			`(as "Churn": SageMaker names differ only in case)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := setup(t)
			e.sm.Seed(tc.seeded)
			got := e.d.Deploy(context.Background(), []Target{newTarget("churn", definition("Train"))}, at(commitB))
			r := got[0]
			if r.Status != StatusRefused || !r.Failed() || !strings.Contains(r.Reason, tc.want) || !strings.Contains(r.Reason, "--adopt churn") {
				t.Errorf("result = %+v", r)
			}
			for _, op := range []string{"UpdatePipeline", "CreatePipeline", "AddTags", "StartPipelineExecution"} {
				if n := e.sm.Calls(op); n != 0 {
					t.Errorf("%d %s calls on a pipeline that is not ours", n, op)
				}
			}
			if n := e.s3.Calls("PutObject"); n != 0 {
				t.Errorf("%d uploads for a refused pipeline", n)
			}
			if p, _ := e.sm.Pipeline("churn"); p.Definition != handmade || p.RoleArn != tc.seeded.RoleArn {
				t.Errorf("live = %s %s, want it untouched", p.Definition, p.RoleArn)
			}
		})
	}
}

// Adopting takes a pipeline over: its whole live state is reported as
// drift (there is no record to check it against), replaced, and tagged as
// this repository's, so the next deploy needs no adopt.
func TestDeploy_adopt(t *testing.T) {
	t.Parallel()
	e := setup(t)
	e.sm.Seed(fakeaws.Pipeline{Name: "Churn", Definition: definition("Handmade"), RoleArn: "arn:aws:iam::123456789012:role/theirs"})
	opts := at(commitA)
	opts.Adopt = []string{"CHURN"}

	got := e.deployOK(t, opts, newTarget("churn", definition("Train")))

	r := got[0]
	if r.Status != StatusUpdated || r.Drift == nil || !strings.Contains(r.Drift.Unverified, "adopted") || !r.Drift.Overwritten {
		t.Fatalf("result = %+v", r)
	}
	if p, _ := e.sm.Pipeline("churn"); p.Tags[TagRepository] != testRepo || p.Definition != definition("Train") {
		t.Errorf("live = %s tagged %v", p.Definition, p.Tags)
	}
	if got := e.deployOK(t, at(commitB), newTarget("churn", definition("Train", "Evaluate"))); got[0].Status != StatusUpdated {
		t.Errorf("next deploy without adopt = %+v", got[0])
	}
}

// Approve is asked once, about the pipelines whose deploy would change
// SageMaker only; what it refuses is left alone before anything is staged.
func TestDeploy_approve(t *testing.T) {
	t.Parallel()
	e := setup(t)
	e.deployOK(t, at(commitA), newTarget("same", definition("Train")), newTarget("moved", definition("Train")))
	before := e.s3.Calls("PutObject")

	var asked [][]string
	opts := at(commitB)
	opts.Approve = func(_ context.Context, names []string) (map[string]string, error) {
		asked = append(asked, slices.Sorted(slices.Values(names)))
		return map[string]string{"moved": "nobody reviewed it"}, nil
	}
	got := e.d.Deploy(context.Background(), []Target{newTarget("same", definition("Train")), newTarget("moved", definition("Train", "Evaluate")),
		newTarget("fresh", definition("Train"))}, opts)

	if len(asked) != 1 || !slices.Equal(asked[0], []string{"fresh", "moved"}) {
		t.Errorf("asked %q, want once about fresh and moved (same is live as it is)", asked)
	}
	byName := map[string]Result{}
	for _, r := range got {
		byName[r.Pipeline] = r
	}
	if r := byName["moved"]; r.Status != StatusRefused || r.Reason != "nobody reviewed it" || r.Err == nil {
		t.Errorf("moved = %+v", r)
	}
	if byName["same"].Status != StatusUnchanged || byName["fresh"].Status != StatusCreated {
		t.Errorf("same = %s, fresh = %s", byName["same"].Status, byName["fresh"].Status)
	}
	if p, _ := e.sm.Pipeline("moved"); p.Definition != definition("Train") {
		t.Errorf("the refused pipeline changed: %s", p.Definition)
	}
	if n := e.s3.Calls("PutObject") - before; n != 2 {
		t.Errorf("%d uploads, want the new pipeline's two only", n)
	}

	opts.Approve = func(context.Context, []string) (map[string]string, error) { return nil, errors.New("GitHub is down") }
	got = e.d.Deploy(context.Background(), []Target{newTarget("moved", definition("Train", "Evaluate"))}, opts)
	if got[0].Status != StatusFailed || !strings.Contains(got[0].Err.Error(), "GitHub is down") {
		t.Errorf("an unanswered question must refuse: %+v", got[0])
	}
}

// recordAt compiles, for the drift check, what each commit deployed.
func recordAt(defs map[string]Recorded) func(context.Context, string, string) (Recorded, error) {
	return func(_ context.Context, commit, _ string) (Recorded, error) {
		r, ok := defs[commit]
		if !ok {
			return Recorded{}, errors.New("unknown commit")
		}
		return r, nil
	}
}

// Drift is judged against what the recorded commit compiles to, not
// against the definition-hash tag: a console edit that also rewrites the
// tag is still reported, and so is an edit of the role alone. Before, the
// first went unreported and the second was reverted silently.
func TestDeploy_driftFromTheRecordedCommit(t *testing.T) {
	t.Parallel()
	train := newTarget("churn", definition("Train"))
	record := recordAt(map[string]Recorded{commitA: {Definition: train.Definition, Role: train.RoleArn}})
	for _, tc := range []struct {
		name  string
		edit  func(sm *fakeaws.SageMaker)
		wants []string
	}{
		{"definition and its tag", func(sm *fakeaws.SageMaker) {
			sm.EditDefinition("churn", consoleEdit)
			sm.SetTag("churn", TagDefinitionHash, "sha256:"+sha([]byte(consoleEdit)))
		}, []string{"its definition", "differ from what commit aaaaaaaaaaaa deployed"}},
		{"role only", func(sm *fakeaws.SageMaker) { sm.EditRole("churn", "arn:aws:iam::123456789012:role/console") },
			[]string{`its role ("arn:aws:iam::123456789012:role/console", not "` + testRole + `")`}},
		{"record moved off the history", func(sm *fakeaws.SageMaker) {
			sm.EditDefinition("churn", consoleEdit)
			sm.SetTag("churn", TagDefinitionCommit, commitD)
		}, []string{"its record names commit dddddddddddd, which is not in the history of bbbbbbbbbbbb"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := setup(t)
			e.deployOK(t, at(commitA), train)
			tc.edit(e.sm)
			opts := at(commitB)
			opts.Recorded = record
			got := e.deployOK(t, opts, newTarget("churn", definition("Train", "Evaluate")))
			r := got[0]
			if r.Status != StatusUpdated || r.Drift == nil || !r.Drift.Overwritten {
				t.Fatalf("result = %+v\nlog:\n%s", r, e.log)
			}
			for _, w := range tc.wants {
				if !strings.Contains(r.Drift.Summary(), w) {
					t.Errorf("drift %q lacks %q", r.Drift.Summary(), w)
				}
			}
			if !strings.Contains(e.log.String(), "drift: ") {
				t.Errorf("the log does not report the drift before replacing it:\n%s", e.log)
			}
		})
	}

	// What the record compiles to is not drift, whatever the tags say.
	e := setup(t)
	e.deployOK(t, at(commitA), train)
	e.sm.SetTag("churn", TagDefinitionHash, "sha256:"+strings.Repeat("0", 64))
	opts := at(commitB)
	opts.Recorded = record
	if got := e.deployOK(t, opts, newTarget("churn", definition("Train", "Evaluate"))); got[0].Drift != nil {
		t.Errorf("a pipeline live as its recorded commit deployed it reported drift: %s", got[0].Drift.Summary())
	}
}
