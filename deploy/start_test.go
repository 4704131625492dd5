package deploy

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"

	"github.com/smpipe/smpipe-action/internal/fakeaws"
)

// TestDeploy_updateLiveStartFailed: the update succeeded and the start did
// not. The result must say the new definition is live, and fail the job.
func TestDeploy_updateLiveStartFailed(t *testing.T) {
	t.Parallel()
	e := setup(t)
	e.deployOK(t, at(commitA), newTarget("churn", definition("Train")))
	newer := newTarget("churn", definition("Train", "Evaluate"))
	e.sm.FailNext("StartPipelineExecution", 1, fakeaws.ResourceLimitExceeded())

	got := e.d.Deploy(context.Background(), []Target{newer}, at(commitB))

	r := got[0]
	if r.Status != StatusUpdated || r.Start != StartFailed || r.ExecutionARN != "" || !Failed(got) {
		t.Fatalf("result = %+v\nlog:\n%s", r, e.log)
	}
	if got, want := r.Summary(), "updated (live), start failed"; got != want {
		t.Errorf("summary = %q, want %q", got, want)
	}
	for _, w := range []string{`pipeline "churn"`, newer.Hash + " is live", "ResourceLimitExceeded"} {
		if !strings.Contains(r.Err.Error(), w) {
			t.Errorf("error %q does not say %q", r.Err, w)
		}
	}
	if p, _ := e.sm.Pipeline("churn"); p.Definition != string(newer.Definition) || p.Tags[TagCommit] != commitB {
		t.Errorf("live: %s at %s, want B's definition", p.Definition, p.Tags[TagCommit])
	}

	// A re-run of the same job finds the definition live and unchanged, made
	// live by this very commit, and nothing started for it: it starts now.
	again := e.deployOK(t, at(commitB), newer)
	if again[0].Status != StatusUnchanged || again[0].Start != Started || again[0].ExecutionARN == "" {
		t.Fatalf("re-run = %+v", again[0])
	}
	ex := e.sm.Executions("churn")
	if len(ex) != 2 || ex[1].Token != ClientRequestToken("churn", commitB, newer.Hash) {
		t.Errorf("executions = %+v, want A's and one for B", ex)
	}
	// And a third run starts nothing more.
	third := e.deployOK(t, at(commitB), newer)
	if third[0].Start != AlreadyStarted || third[0].ExecutionARN != again[0].ExecutionARN || len(e.sm.Executions("churn")) != 2 {
		t.Errorf("third run = %+v, %d executions", third[0], len(e.sm.Executions("churn")))
	}
}

func TestDeploy_startPolicy(t *testing.T) {
	t.Parallel()
	e := setup(t)
	tg := newTarget("churn", definition("Train"))
	opts := at(commitA)
	opts.Start = false
	first := e.deployOK(t, opts, tg)
	if first[0].Start != NotStarted || first[0].StartReason != "starting executions is turned off" || first[0].Summary() != "created, not started: starting executions is turned off" {
		t.Errorf("start off: %+v", first[0])
	}

	// The definition went live at A without a start; a later commit that
	// leaves it unchanged does not start it either: that is A's to run.
	later := e.deployOK(t, at(commitB), tg)
	if later[0].Start != NotStarted || later[0].StartReason != "definition unchanged since aaaaaaaaaaaa" {
		t.Errorf("unchanged at B: %+v", later[0])
	}
	if n := e.sm.Calls("StartPipelineExecution") + e.sm.Calls("ListPipelineExecutions"); n != 0 {
		t.Errorf("%d start or list calls, want none", n)
	}
}

// A run whose update went live but whose tags were refused, and whose start
// failed too: its re-run finds the definition unchanged under a record of
// the previous definition, takes the definition as made live by its own
// commit, starts it and puts the record right.
func TestDeploy_rerunAfterTagsAndStartFailed(t *testing.T) {
	t.Parallel()
	e := setup(t)
	e.deployOK(t, at(commitA), newTarget("churn", definition("Train")))
	newer := newTarget("churn", definition("Train", "Evaluate"))
	e.sm.FailNext("AddTags", 1, fakeaws.Fault{Status: 400, Code: "AccessDeniedException", Message: "not allowed"})
	e.sm.FailNext("StartPipelineExecution", 1, fakeaws.ResourceLimitExceeded())
	if first := e.d.Deploy(context.Background(), []Target{newer}, at(commitB)); !Failed(first) {
		t.Fatalf("the run with refused tags and a failed start passed: %+v", first)
	}

	again := e.deployOK(t, at(commitB), newer)
	if r := again[0]; r.Status != StatusUnchanged || r.Start != Started {
		t.Errorf("re-run: status %s, start %s (%s); want unchanged and started", r.Status, r.Start, r.StartReason)
	}
	p, _ := e.sm.Pipeline("churn")
	if p.Tags[TagDefinitionCommit] != commitB || p.Tags[TagDefinitionHash] != newer.Hash {
		t.Errorf("record after the re-run: definition commit %s, hash %s; want %s and %s", p.Tags[TagDefinitionCommit], p.Tags[TagDefinitionHash], commitB, newer.Hash)
	}
}

// A re-run finds its execution behind a hundred and fifty others started
// since (a schedule's, say) and starts nothing: the search goes past the
// first page.
func TestDeploy_alreadyStartedBehindManyOthers(t *testing.T) {
	t.Parallel()
	e := setup(t)
	tg := newTarget("churn", definition("Train"))
	e.deployOK(t, at(commitA), tg)
	for i := range 150 {
		if _, err := e.d.SageMaker.StartPipelineExecution(context.Background(), &sagemaker.StartPipelineExecutionInput{
			PipelineName: aws.String("churn"), ClientRequestToken: aws.String(fmt.Sprintf("scheduled-run-%032d", i))}); err != nil {
			t.Fatal(err)
		}
	}
	before := e.sm.Calls("StartPipelineExecution")
	again := e.deployOK(t, at(commitA), tg)
	if r := again[0]; r.Start != AlreadyStarted {
		t.Errorf("re-run: start %s (%s), want already started", r.Start, r.StartReason)
	}
	if n := e.sm.Calls("StartPipelineExecution") - before; n != 0 {
		t.Errorf("%d StartPipelineExecution calls on the re-run", n)
	}
}
