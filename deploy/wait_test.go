package deploy

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/smpipe/smpipe-action/internal/fakeaws"
)

func scriptedSteps(failed bool) []fakeaws.Step {
	last := fakeaws.Step{Name: "Evaluate", Status: "Succeeded", JobKind: "ProcessingJob", JobArn: "arn:aws:sagemaker:us-east-1:123456789012:processing-job/eval"}
	if failed {
		last.Status, last.FailureReason = "Failed", "AlgorithmError: metric below threshold"
	}
	return []fakeaws.Step{
		{Name: "Preprocess", Status: "Succeeded", JobKind: "ProcessingJob", JobArn: "arn:aws:sagemaker:us-east-1:123456789012:processing-job/pre",
			CacheHitSource: "arn:aws:sagemaker:us-east-1:123456789012:pipeline/churn/execution/old"},
		{Name: "Train", Status: "Succeeded", JobKind: "TrainingJob", JobArn: "arn:aws:sagemaker:us-east-1:123456789012:training-job/train"},
		last,
	}
}

func TestDeploy_waitUntilDone(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		final      string
		reason     string
		wantFailed bool
	}{
		{"succeeded", "Succeeded", "", false},
		{"failed", "Failed", "Step failure: One or multiple steps failed.", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := setup(t)
			e.sm.SetScript("churn", fakeaws.Script{
				Statuses:      []string{"Executing", "Executing", "Executing", tc.final},
				FailureReason: tc.reason,
				Steps:         scriptedSteps(tc.wantFailed),
			})

			got := e.d.Deploy(context.Background(), []Target{newTarget("churn", definition("Train"))},
				Options{CommitSHA: testCommit, Repository: testRepo, Start: true, Wait: true, WaitTimeout: time.Hour})

			r := got[0]
			if r.Err != nil || r.ExecutionStatus != tc.final || r.FailureReason != tc.reason || Failed(got) != tc.wantFailed {
				t.Fatalf("result = %+v, Failed = %v\nlog:\n%s", r, Failed(got), e.log)
			}
			want := []StepResult{
				{Name: "Preprocess", Status: "Succeeded", JobARN: "arn:aws:sagemaker:us-east-1:123456789012:processing-job/pre", CacheHit: true},
				{Name: "Train", Status: "Succeeded", JobARN: "arn:aws:sagemaker:us-east-1:123456789012:training-job/train"},
				{Name: "Evaluate", Status: "Succeeded", JobARN: "arn:aws:sagemaker:us-east-1:123456789012:processing-job/eval"},
			}
			if tc.wantFailed {
				want[2].Status, want[2].FailureReason = "Failed", "AlgorithmError: metric below threshold"
			}
			if diff := cmp.Diff(want, r.Steps); diff != "" {
				t.Errorf("steps (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]time.Duration{15 * time.Second, 30 * time.Second, time.Minute}, e.clock.Slept()); diff != "" {
				t.Errorf("sleeps (-want +got):\n%s", diff)
			}
			log := e.log.String()
			if n := strings.Count(log, ": Executing\n"); n != 1 {
				t.Errorf("%d Executing progress lines, want 1 per status change:\n%s", n, log)
			}
			if !strings.Contains(log, ": "+tc.final+"\n") {
				t.Errorf("no progress line for %s:\n%s", tc.final, log)
			}
			if n := e.sm.Calls("ListPipelineExecutionSteps"); n != 2 {
				t.Errorf("ListPipelineExecutionSteps calls = %d, want 2 pages", n)
			}
		})
	}
}

func TestDeploy_waitTimesOut(t *testing.T) {
	t.Parallel()
	e := setup(t)
	e.sm.SetScript("churn", fakeaws.Script{Statuses: []string{"Executing"}})

	got := e.d.Deploy(context.Background(), []Target{newTarget("churn", definition("Train"))},
		Options{CommitSHA: testCommit, Repository: testRepo, Start: true, Wait: true, WaitTimeout: time.Minute})

	r := got[0]
	// The pipeline is live and its execution running: the wait failed, not
	// the deploy of the definition.
	if r.Status != StatusCreated || r.Start != Started || !Failed(got) || r.Err == nil || !strings.Contains(r.Err.Error(), "still Executing after 1m0s") {
		t.Fatalf("result = %+v", r)
	}
	if r.ExecutionARN == "" || r.ExecutionStatus != "Executing" {
		t.Errorf("execution not reported: %+v", r)
	}
	if diff := cmp.Diff([]time.Duration{15 * time.Second, 30 * time.Second, 15 * time.Second}, e.clock.Slept()); diff != "" {
		t.Errorf("sleeps (-want +got):\n%s", diff)
	}
}

func TestDeploy_waitStepsUnavailableDegrades(t *testing.T) {
	t.Parallel()
	e := setup(t)
	e.sm.SetScript("churn", fakeaws.Script{Statuses: []string{"Succeeded"}, Steps: scriptedSteps(false)})
	e.sm.FailNext("ListPipelineExecutionSteps", 10, fakeaws.Unimplemented())

	got := e.d.Deploy(context.Background(), []Target{newTarget("churn", definition("Train"))},
		Options{CommitSHA: testCommit, Repository: testRepo, Start: true, Wait: true})

	r := got[0]
	if r.Err != nil || r.ExecutionStatus != "Succeeded" || r.Steps != nil {
		t.Fatalf("result = %+v", r)
	}
	if !strings.Contains(e.log.String(), "reporting the execution status only") {
		t.Errorf("log does not explain the missing steps:\n%s", e.log)
	}
}

// Waiting on an execution a re-run finds already ended reads it once, for
// its failure reason and steps, and its outcome decides the run.
func TestDeploy_waitOnAlreadyFinishedExecution(t *testing.T) {
	t.Parallel()
	e := setup(t)
	e.sm.SetScript("churn", fakeaws.Script{Statuses: []string{"Failed"}, FailureReason: "OOM", Steps: scriptedSteps(true)})
	tg := newTarget("churn", definition("Train"))
	opts := Options{CommitSHA: testCommit, Repository: testRepo, Start: true, Wait: true}
	e.d.Deploy(context.Background(), []Target{tg}, opts)
	before := e.sm.Calls("DescribePipelineExecution")

	got := e.d.Deploy(context.Background(), []Target{tg}, opts)

	r := got[0]
	if r.Start != AlreadyStarted || r.ExecutionStatus != "Failed" || r.FailureReason != "OOM" || len(r.Steps) == 0 || !r.Failed() {
		t.Fatalf("result = %+v", r)
	}
	if n := e.sm.Calls("DescribePipelineExecution") - before; n != 1 {
		t.Errorf("read a finished execution %d times, want once", n)
	}
}

// Without waiting, an execution a re-run or a reconcile finds already
// started decides nothing: that it failed long ago does not fail this run.
func TestDeploy_alreadyStartedFailedWithoutWait(t *testing.T) {
	t.Parallel()
	e := setup(t)
	e.sm.SetScript("churn", fakeaws.Script{Statuses: []string{"Failed"}, FailureReason: "OOM"})
	tg := newTarget("churn", definition("Train"))
	opts := Options{CommitSHA: testCommit, Repository: testRepo, Start: true}
	if first := e.d.Deploy(context.Background(), []Target{tg}, opts); Failed(first) {
		t.Fatalf("first deploy failed: %+v", first)
	}
	again := e.d.Deploy(context.Background(), []Target{tg}, opts)
	if r := again[0]; r.Start != AlreadyStarted || r.Failed() {
		t.Errorf("re-run: start %s, failed %v (status %s); want already started and not failed", r.Start, r.Failed(), r.ExecutionStatus)
	}
}

// Waiting comes after every pipeline is deployed and started: a long
// execution never holds back another pipeline's deploy, whatever the
// concurrency.
func TestDeploy_waitAfterEveryStart(t *testing.T) {
	t.Parallel()
	e := setup(t)
	var targets []Target
	for i := range 5 {
		name := fmt.Sprintf("p%d", i)
		e.sm.SetScript(name, fakeaws.Script{Statuses: []string{"Executing"}})
		targets = append(targets, newTarget(name, definition("Train")))
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	created := -1
	var once sync.Once
	e.d.Concurrency = 2
	e.d.Sleep = func(ctx context.Context, _ time.Duration) error {
		once.Do(func() { created = e.sm.Calls("CreatePipeline"); cancel() })
		<-ctx.Done()
		return ctx.Err()
	}
	got := e.d.Deploy(ctx, targets, Options{CommitSHA: testCommit, Repository: testRepo, Start: true, Wait: true})
	if created != 5 {
		t.Errorf("%d pipelines created when the first wait began, want all 5", created)
	}
	for _, r := range got {
		if r.Start != Started {
			t.Errorf("%s: start %s, want started before any wait", r.Pipeline, r.Start)
		}
	}
}
