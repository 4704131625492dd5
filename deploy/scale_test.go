package deploy

import (
	"fmt"
	"testing"
)

// TestDeploy_reconcileCallsPerPipeline counts the AWS calls of a reconcile
// of 1,000 pipelines against the fakes: a bounded number per pipeline,
// whatever their number. The figures are the README's (What a deploy
// does): an in-sync pipeline costs DescribePipeline and one page of
// ListTags, one S3 HeadObject per artifact (the staged code is confirmed
// still there, and restored when a lifecycle rule deleted it), plus AddTags
// when the deployed commit moved; nothing is uploaded or started for it
// (a re-run of the same commit lists executions once, to find the one it
// started).
func TestDeploy_reconcileCallsPerPipeline(t *testing.T) {
	if testing.Short() {
		t.Skip("a thousand pipelines")
	}
	const n = 1000
	e := setup(t)
	targets := make([]Target, n)
	for i := range targets {
		targets[i] = newTarget(fmt.Sprintf("p%04d", i), definition(fmt.Sprintf("Train%d", i)))
	}
	e.deployOK(t, at(commitA), targets...)

	for _, tc := range []struct {
		commit string
		want   map[string]int // calls per pipeline, by operation
	}{
		{commitA, map[string]int{"DescribePipeline": 1, "ListTags": 1, "ListPipelineExecutions": 1}},
		{commitB, map[string]int{"DescribePipeline": 1, "ListTags": 1, "AddTags": 1}},
	} {
		before := map[string]int{}
		for _, op := range []string{"DescribePipeline", "ListTags", "AddTags", "UpdatePipeline", "StartPipelineExecution", "ListPipelineExecutions"} {
			before[op] = e.sm.Calls(op)
		}
		total, puts, heads := e.sm.TotalCalls(), e.s3.Calls("PutObject"), e.s3.Calls("HeadObject")
		got := e.deployOK(t, at(tc.commit), targets...)
		for op, b := range before {
			if per := float64(e.sm.Calls(op)-b) / n; per != float64(tc.want[op]) {
				t.Errorf("reconcile at %s: %.2f %s calls per pipeline, want %d", short(tc.commit), per, op, tc.want[op])
			}
		}
		wantTotal := 0
		for _, c := range tc.want {
			wantTotal += c * n
		}
		if d := e.sm.TotalCalls() - total; d != wantTotal {
			t.Errorf("reconcile at %s: %d SageMaker calls, want %d", short(tc.commit), d, wantTotal)
		}
		if d := e.s3.Calls("PutObject") - puts; d != 0 {
			t.Errorf("reconcile at %s: %d uploads for pipelines already live", short(tc.commit), d)
		}
		if d := e.s3.Calls("HeadObject") - heads; d != len(targets[0].Artifacts)*n {
			t.Errorf("reconcile at %s: %d HeadObject calls, want one per artifact", short(tc.commit), d)
		}
		if got[0].Status != StatusUnchanged {
			t.Errorf("result = %+v", got[0])
		}
	}
}
