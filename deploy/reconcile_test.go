package deploy

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/smpipe/smpipe-action/internal/fakeaws"
)

// TestDeploy_reconcile deploys every pipeline of the repository, as
// `smpipe deploy --all` and a workflow_dispatch without names do: a missing
// pipeline is created, one whose earlier update failed catches up, one
// already live is left alone and not started again, one a newer commit
// deployed is skipped, all while SageMaker throttles.
func TestDeploy_reconcile(t *testing.T) {
	t.Parallel()
	e := setup(t)
	e.d.Concurrency = 2
	steady := newTarget("steady", definition("Train"))
	behindA, behindB := newTarget("behind", definition("Train")), newTarget("behind", definition("Train", "Evaluate"))
	ahead := newTarget("ahead", definition("Train", "Register"))
	e.deployOK(t, at(commitA), steady, behindA)
	e.sm.FailNext("UpdatePipeline", maxAttempts, fakeaws.Conflict())
	if got := e.d.Deploy(context.Background(), []Target{behindB}, at(commitB)); got[0].Status != StatusFailed {
		t.Fatalf("setting up a failed update: %+v", got[0])
	}
	e.deployOK(t, at(commitC), ahead)
	e.sm.FailNext("DescribePipeline", 3, fakeaws.Throttling())
	e.sm.FailNext("ListTags", 2, fakeaws.Throttling())
	missing := newTarget("missing", definition("Prep", "Train"))

	got := e.d.Deploy(context.Background(), []Target{ahead, behindB, missing, steady}, at(commitB))

	type outcome struct {
		Pipeline, Summary string
	}
	var have []outcome
	for _, r := range got {
		have = append(have, outcome{r.Pipeline, r.Summary()})
	}
	want := []outcome{
		{"ahead", "skipped: newer commit cccccccccccc is deployed"},
		{"behind", "updated, started"},
		{"missing", "created, started"},
		{"steady", "unchanged, not started: definition unchanged since aaaaaaaaaaaa"},
	}
	if diff := cmp.Diff(want, have); diff != "" {
		t.Errorf("reconcile (-want +got):\n%s\nlog:\n%s", diff, e.log)
	}
	if Failed(got) {
		t.Errorf("reconcile failed: %+v", got)
	}
	for _, tg := range []Target{behindB, missing, steady} {
		if p, _ := e.sm.Pipeline(tg.Pipeline); p.Definition != string(tg.Definition) || p.Tags[TagCommit] != commitB {
			t.Errorf("%s: live %s at %s, want the repository's at b", tg.Pipeline, p.Definition, p.Tags[TagCommit])
		}
	}
	if p, _ := e.sm.Pipeline("ahead"); p.Tags[TagCommit] != commitC {
		t.Errorf("ahead was moved to %s", p.Tags[TagCommit])
	}
	if n := len(e.sm.Executions("behind")); n != 2 {
		t.Errorf("behind has %d executions, want A's and the catch-up", n)
	}
}
