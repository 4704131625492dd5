package deploy

import (
	"context"
	"strings"
	"testing"
)

func TestDeploy_dryRunMakesNoCalls(t *testing.T) {
	t.Parallel()
	e := setup(t)
	big := newTarget("big", `{"Steps":[],"Pad":"`+strings.Repeat("x", MaxInlineDefinition)+`"}`)
	targets := []Target{newTarget("churn", definition("Train")), big}
	opts := Options{CommitSHA: testCommit, Repository: testRepo, Start: true, Wait: true, DryRun: true, KMSKeyID: "alias/smpipe"}

	got := e.d.Deploy(context.Background(), targets, opts)

	for _, r := range got {
		if r.Status != StatusDryRun || r.Err != nil {
			t.Errorf("%s: %+v", r.Pipeline, r)
		}
	}
	if n := e.sm.TotalCalls(); n != 0 {
		t.Errorf("SageMaker calls = %d, want 0", n)
	}
	for _, op := range []string{"HeadObject", "PutObject", "GetObject"} {
		if n := e.s3.Calls(op); n != 0 {
			t.Errorf("S3 %s calls = %d, want 0", op, n)
		}
	}
	// Each target's lines are whole and in order; targets may interleave.
	var churn, bigLines []string
	for _, line := range strings.SplitAfter(e.log.String(), "\n") {
		switch {
		case strings.HasPrefix(line, `pipeline "churn"`):
			churn = append(churn, line)
		case strings.HasPrefix(line, `pipeline "big"`):
			bigLines = append(bigLines, line)
		case line != "":
			t.Errorf("unexpected log line %q", line)
		}
	}
	golden(t, "dry-run.log", strings.Join(churn, "")+strings.Join(bigLines, ""))
}

func TestDeploy_dryRunWithoutClients(t *testing.T) {
	t.Parallel()
	var log syncBuffer
	d := &Deployer{Log: &log}
	got := d.Deploy(context.Background(), []Target{newTarget("churn", definition("Train"))}, Options{DryRun: true, Start: true})
	if got[0].Status != StatusDryRun || !strings.Contains(log.String(), "StartPipelineExecution") {
		t.Errorf("result %+v, log:\n%s", got[0], log.String())
	}
}
