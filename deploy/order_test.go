package deploy

import (
	"context"
	"strings"
	"testing"
)

// TestDeploy_rerunOfOlderJobDoesNotRollBack: merge A, merge B, then re-run
// A's deploy job. A's definition must not go live again.
func TestDeploy_rerunOfOlderJobDoesNotRollBack(t *testing.T) {
	t.Parallel()
	e := setup(t)
	defA, defB := newTarget("churn", definition("Train")), newTarget("churn", definition("Train", "Evaluate"))
	e.deployOK(t, at(commitA), defA)
	e.deployOK(t, at(commitB), defB)
	updates, executions, heads := e.sm.Calls("UpdatePipeline"), len(e.sm.Executions("churn")), e.s3.Calls("HeadObject")

	got := e.d.Deploy(context.Background(), []Target{defA}, at(commitA))

	r := got[0]
	if r.Status != StatusSkipped || r.Reason != "newer commit bbbbbbbbbbbb is deployed" || r.Err != nil || r.LiveCommit != commitB {
		t.Fatalf("result = %+v\nlog:\n%s", r, e.log)
	}
	if Failed(got) {
		t.Error("a skip because a newer commit is live failed the deploy")
	}
	if got := r.Summary(); got != "skipped: newer commit bbbbbbbbbbbb is deployed" {
		t.Errorf("summary = %q", got)
	}
	p, _ := e.sm.Pipeline("churn")
	if p.Definition != string(defB.Definition) || p.Tags[TagCommit] != commitB {
		t.Errorf("live definition %s at commit %s, want B's", p.Definition, p.Tags[TagCommit])
	}
	if e.sm.Calls("UpdatePipeline") != updates || len(e.sm.Executions("churn")) != executions || e.sm.Calls("AddTags") != 1 {
		t.Errorf("the skipped pipeline was touched: UpdatePipeline %d→%d, executions %d→%d, AddTags %d",
			updates, e.sm.Calls("UpdatePipeline"), executions, len(e.sm.Executions("churn")), e.sm.Calls("AddTags"))
	}
	if n := e.s3.Calls("HeadObject"); n != heads {
		t.Errorf("HeadObject calls %d→%d: a skipped pipeline's artifacts were staged", heads, n)
	}
}

// TestDeploy_unchangedDeployMovesTheRecordForward: C deploys A's definition
// unchanged; a re-run of B's job (between them) must then be refused,
// although the definition C left live is A's.
func TestDeploy_unchangedDeployMovesTheRecordForward(t *testing.T) {
	t.Parallel()
	e := setup(t)
	defX, defY := newTarget("churn", definition("Train")), newTarget("churn", definition("Train", "Evaluate"))
	e.deployOK(t, at(commitA), defX)

	got := e.deployOK(t, at(commitC), defX)
	if got[0].Status != StatusUnchanged || got[0].Start != NotStarted || got[0].StartReason != "definition unchanged since aaaaaaaaaaaa" {
		t.Fatalf("deploy of C = %+v", got[0])
	}
	p, _ := e.sm.Pipeline("churn")
	if p.Tags[TagCommit] != commitC || p.Tags[TagDefinitionCommit] != commitA || p.VersionID != 1 {
		t.Errorf("after C: tags %v, version %d; want commit C, definition commit A, no new version", p.Tags, p.VersionID)
	}

	got = e.d.Deploy(context.Background(), []Target{defY}, at(commitB))
	if got[0].Status != StatusSkipped || got[0].Reason != "newer commit cccccccccccc is deployed" {
		t.Errorf("re-run of B = %+v", got[0])
	}
	if p, _ := e.sm.Pipeline("churn"); p.Definition != string(defX.Definition) {
		t.Errorf("live definition = %s, want X", p.Definition)
	}
}

func TestDeploy_deployedCommitThatCannotBePlaced(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, deployed, reason string
		want                   []string
	}{
		{"unknown to the repository", commitGone, "cannot tell whether the deployed commit eeeeeeeeeeee is older than bbbbbbbbbbbb",
			[]string{"not in the repository", "fetch-depth: 0", "remove the smpipe:commit tag"}},
		{"rewritten history", commitD, "deployed commit dddddddddddd is not in the history of bbbbbbbbbbbb",
			[]string{"neither commit is an ancestor of the other", "remove the smpipe:commit tag"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := setup(t)
			old := newTarget("churn", definition("Old"))
			e.deployOK(t, at(tc.deployed), old)

			got := e.d.Deploy(context.Background(), []Target{newTarget("churn", definition("Train"))}, at(commitB))

			r := got[0]
			if r.Status != StatusSkipped || r.Reason != tc.reason || r.Err == nil || !Failed(got) {
				t.Fatalf("result = %+v", r)
			}
			for _, w := range tc.want {
				if !strings.Contains(r.Err.Error(), w) {
					t.Errorf("error %q does not say %q", r.Err, w)
				}
			}
			if p, _ := e.sm.Pipeline("churn"); p.Definition != string(old.Definition) || e.sm.Calls("UpdatePipeline") != 0 {
				t.Error("the pipeline was changed")
			}
		})
	}
}

func TestDeploy_withoutAncestryCheckSaysSo(t *testing.T) {
	t.Parallel()
	e := setup(t)
	e.deployOK(t, at(commitB), newTarget("churn", definition("Train", "Evaluate")))
	opts := at(commitA)
	opts.IsAncestor = nil

	got := e.d.Deploy(context.Background(), []Target{newTarget("churn", definition("Train"))}, opts)

	if got[0].Status != StatusUpdated {
		t.Errorf("status = %s, want updated: without the hook nothing is checked", got[0].Status)
	}
	if !strings.Contains(e.log.String(), "no ancestry check configured") {
		t.Errorf("the log does not say the check was skipped:\n%s", e.log)
	}
}
