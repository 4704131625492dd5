package deploy

import (
	"context"
	"strings"
	"testing"

	"github.com/smpipe/smpipe-action/internal/fakeaws"
)

// previewAt is Options for preview pr12 of commit, as the action deploys
// it: a start key per workflow run, no ancestry check needed.
func previewAt(commit, key string) Options {
	return Options{CommitSHA: commit, Repository: testRepo, Start: true, Preview: "pr12",
		Tags: map[string]string{"smpipe:pull-request": "12"}, StartKey: key, IsAncestor: isAncestor}
}

// A preview is created with its tags, and every deploy with a new start
// key starts an execution of an unchanged definition; the same key starts
// once. A production deploy of the same definition at the same commit does
// not start again.
func TestDeploy_previewStartsOncePerKey(t *testing.T) {
	t.Parallel()
	e := setup(t)
	tg := newTarget("churn-pr12", definition("Train"))
	got := e.deployOK(t, previewAt(commitA, "run-1"), tg)
	if got[0].Status != StatusCreated || got[0].Start != Started {
		t.Fatalf("first preview = %+v", got[0])
	}
	p, _ := e.sm.Pipeline("churn-pr12")
	for k, v := range map[string]string{TagRepository: testRepo, TagPreview: "pr12", "smpipe:pull-request": "12", TagCommit: commitA} {
		if p.Tags[k] != v {
			t.Errorf("tag %s = %q, want %q (tags %v)", k, p.Tags[k], v, p.Tags)
		}
	}
	again := e.deployOK(t, previewAt(commitA, "run-1"), tg)
	if again[0].Status != StatusUnchanged || again[0].Start != AlreadyStarted || again[0].ExecutionARN != got[0].ExecutionARN {
		t.Errorf("a re-run of the same workflow run = %+v, want the execution it started", again[0])
	}
	next := e.deployOK(t, previewAt(commitA, "run-2"), tg)
	if next[0].Status != StatusUnchanged || next[0].Start != Started || next[0].ExecutionARN == got[0].ExecutionARN {
		t.Errorf("the label added again = %+v, want a new execution", next[0])
	}
	// A newer head whose definition is the same: a production deploy
	// would not start it again ("definition unchanged since"); a preview
	// asked for again does.
	later := e.deployOK(t, previewAt(commitB, "run-3"), tg)
	if later[0].Status != StatusUnchanged || later[0].Start != Started {
		t.Errorf("the label added again on a newer head = %+v, want a new execution", later[0])
	}
	if n := len(e.sm.Executions("churn-pr12")); n != 3 {
		t.Errorf("%d executions, want 3", n)
	}
}

// A preview follows its pull request's head through a force-push: the
// deployed commit need not be an ancestor.
func TestDeploy_previewFollowsAForcePush(t *testing.T) {
	t.Parallel()
	e := setup(t)
	e.deployOK(t, previewAt(commitC, "run-1"), newTarget("churn-pr12", definition("Train")))
	got := e.deployOK(t, previewAt(commitD, "run-2"), newTarget("churn-pr12", definition("Train", "Evaluate")))
	if got[0].Status != StatusUpdated || got[0].Start != Started {
		t.Errorf("preview after a force-push = %+v\n%s", got[0], e.log)
	}
}

// Ownership includes the preview: a preview never replaces a production
// pipeline or another pull request's preview, and a production deploy
// never replaces a preview.
func TestDeploy_previewOwnership(t *testing.T) {
	t.Parallel()
	theirs := definition("Theirs")
	for _, tc := range []struct {
		name    string
		seeded  map[string]string
		preview string
		want    string
	}{
		{"a production pipeline of that name", map[string]string{TagRepository: testRepo}, "pr12", "it is one of this repository's production pipelines"},
		{"another pull request's preview", map[string]string{TagRepository: testRepo, TagPreview: "pr13"}, "pr12", `this repository's preview "pr13"`},
		{"another repository's preview", map[string]string{TagRepository: "octo/other", TagPreview: "pr12"}, "pr12", `deployed it for "octo/other"`},
		{"a preview, to a production deploy", map[string]string{TagRepository: testRepo, TagPreview: "pr12"}, "", `this repository's preview "pr12"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := setup(t)
			e.sm.Seed(fakeaws.Pipeline{Name: "churn-pr12", Definition: theirs, RoleArn: testRole, Tags: tc.seeded})
			opts := previewAt(commitB, "run-1")
			opts.Preview = tc.preview
			got := e.d.Deploy(context.Background(), []Target{newTarget("churn-pr12", definition("Train"))}, opts)
			if r := got[0]; r.Status != StatusRefused || !strings.Contains(r.Reason, tc.want) {
				t.Errorf("result = %+v, want refused saying %q", r, tc.want)
			}
			if p, _ := e.sm.Pipeline("churn-pr12"); p.Definition != theirs {
				t.Errorf("the pipeline was changed: %s", p.Definition)
			}
			for _, op := range []string{"UpdatePipeline", "AddTags", "StartPipelineExecution"} {
				if n := e.sm.Calls(op); n != 0 {
					t.Errorf("%d %s calls", n, op)
				}
			}
		})
	}
}

// A large definition is staged under the target's own prefix: a preview's
// under the preview's.
func TestDeploy_stagePrefix(t *testing.T) {
	t.Parallel()
	e := setup(t)
	big := definition("Train", strings.Repeat("x", MaxInlineDefinition))
	tg := newTarget("churn-pr12", big)
	tg.StagePrefix = "smpipe-preview/churn-pr12"
	e.deployOK(t, previewAt(commitA, "run-1"), tg)
	if _, ok := e.s3.Object(testBucket, "smpipe-preview/churn-pr12/definitions/"+sha([]byte(big))+".json"); !ok {
		t.Errorf("the definition is not staged under the preview's prefix:\n%s", e.log)
	}
}
