package deploy

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestDeploy_firstDeployCreatesAndStarts(t *testing.T) {
	t.Parallel()
	e := setup(t)
	tg := newTarget("churn", definition("Train"))
	opts := Options{CommitSHA: testCommit, Repository: testRepo, Version: "v1.2.3", Start: true}

	got := e.d.Deploy(context.Background(), []Target{tg}, opts)

	token := ClientRequestToken("churn", testCommit, tg.Hash)
	want := []Result{{
		Pipeline: "churn", Status: StatusCreated, Start: Started, Hash: tg.Hash,
		PipelineARN:     "arn:aws:sagemaker:us-east-1:123456789012:pipeline/churn",
		ExecutionARN:    "arn:aws:sagemaker:us-east-1:123456789012:pipeline/churn/execution/000000000001",
		ExecutionStatus: "Executing", Uploaded: 2,
	}}
	if diff := cmp.Diff(want, got, cmpopts.EquateErrors()); diff != "" {
		t.Fatalf("results (-want +got):\n%s\nlog:\n%s", diff, e.log)
	}
	p, ok := e.sm.Pipeline("churn")
	if !ok {
		t.Fatal("pipeline not created")
	}
	if p.Definition != string(tg.Definition) || p.RoleArn != testRole || p.CreateToken != token || p.Description != "pipeline churn" {
		t.Errorf("stored pipeline = %+v", p)
	}
	wantTags := map[string]string{TagRepository: testRepo, TagCommit: testCommit, TagDefinitionCommit: testCommit,
		TagDefinitionHash: tg.Hash, TagVersion: "v1.2.3"}
	if diff := cmp.Diff(wantTags, p.Tags); diff != "" {
		t.Errorf("tags (-want +got):\n%s", diff)
	}
	ex := e.sm.Executions("churn")
	if len(ex) != 1 {
		t.Fatalf("executions = %d, want 1", len(ex))
	}
	if ex[0].Token != token || ex[0].DisplayName != ExecutionDisplayName(testCommit, token) || !strings.Contains(ex[0].Description, tokenMarker(token)) {
		t.Errorf("execution = %+v", ex[0])
	}
	for _, a := range tg.Artifacts {
		b, ok := e.s3.Object(a.Bucket, a.Key)
		if !ok || sha(b) != a.SHA256 {
			t.Errorf("object %s: present %v, content sha %s, want %s", a.Key, ok, sha(b), a.SHA256)
		}
	}
	if Failed(got) {
		t.Error("Failed() = true for a successful deploy")
	}
}

func TestDeploy_secondDeploySameCommitDoesNothing(t *testing.T) {
	t.Parallel()
	e := setup(t)
	tg := newTarget("churn", definition("Train"))
	opts := Options{CommitSHA: testCommit, Repository: testRepo, Start: true}
	first := e.d.Deploy(context.Background(), []Target{tg}, opts)
	if Failed(first) {
		t.Fatalf("first deploy failed: %+v", first)
	}
	puts, creates := e.s3.Calls("PutObject"), e.sm.Calls("CreatePipeline")

	second := e.d.Deploy(context.Background(), []Target{tg}, opts)

	want := []Result{{
		Pipeline: "churn", Status: StatusUnchanged, Start: AlreadyStarted, Hash: tg.Hash,
		PipelineARN:     first[0].PipelineARN,
		LiveCommit:      testCommit,
		ExecutionARN:    first[0].ExecutionARN,
		ExecutionStatus: "Executing", Skipped: 2,
	}}
	if diff := cmp.Diff(want, second, cmpopts.EquateErrors()); diff != "" {
		t.Errorf("second deploy (-want +got):\n%s", diff)
	}
	for _, c := range []struct {
		what      string
		got, want int
	}{
		{"PutObject", e.s3.Calls("PutObject") - puts, 0},
		{"CreatePipeline", e.sm.Calls("CreatePipeline") - creates, 0},
		{"UpdatePipeline", e.sm.Calls("UpdatePipeline"), 0},
		{"AddTags", e.sm.Calls("AddTags"), 0},
		{"StartPipelineExecution", e.sm.Calls("StartPipelineExecution"), 1},
		{"executions", len(e.sm.Executions("churn")), 1},
	} {
		if c.got != c.want {
			t.Errorf("%s = %d, want %d", c.what, c.got, c.want)
		}
	}
}

func TestDeploy_changedDefinitionUpdatesAndStarts(t *testing.T) {
	t.Parallel()
	e := setup(t)
	opts := Options{CommitSHA: testCommit, Repository: testRepo, Start: true}
	if r := e.d.Deploy(context.Background(), []Target{newTarget("churn", definition("Train"))}, opts); Failed(r) {
		t.Fatalf("first deploy failed: %+v", r)
	}
	changed := newTarget("churn", definition("Train", "Evaluate"))
	opts.CommitSHA = "fedcba9876543210fedcba9876543210fedcba98"

	got := e.d.Deploy(context.Background(), []Target{changed}, opts)

	if got[0].Status != StatusUpdated || got[0].Err != nil || got[0].Start != Started {
		t.Fatalf("result = %+v\nlog:\n%s", got[0], e.log)
	}
	p, _ := e.sm.Pipeline("churn")
	if p.Definition != string(changed.Definition) || p.VersionID != 2 {
		t.Errorf("pipeline definition/version = %s / %d", p.Definition, p.VersionID)
	}
	if p.Tags[TagDefinitionHash] != changed.Hash || p.Tags[TagCommit] != opts.CommitSHA || p.Tags[TagDefinitionCommit] != opts.CommitSHA {
		t.Errorf("tags not updated: %v", p.Tags)
	}
	ex := e.sm.Executions("churn")
	if len(ex) != 2 {
		t.Fatalf("executions = %d, want 2", len(ex))
	}
	if ex[1].VersionID != 2 || ex[1].Arn != got[0].ExecutionARN {
		t.Errorf("new execution = %+v, want pinned to version 2", ex[1])
	}
	if n := e.sm.Calls("UpdatePipeline"); n != 1 {
		t.Errorf("UpdatePipeline calls = %d, want 1", n)
	}
}

func TestDeploy_equalDefinitionWithOtherFormattingIsUnchanged(t *testing.T) {
	t.Parallel()
	e := setup(t)
	tg := newTarget("churn", definition("Train"))
	e.sm.Seed(seededPipeline("churn", `{ "Steps": [ {"Arguments": {}, "Type": "Training", "Name": "Train"} ],
		"Parameters": [], "Metadata": {}, "Version": "2020-12-01" }`))

	got := e.d.Deploy(context.Background(), []Target{tg}, Options{CommitSHA: testCommit, Repository: testRepo})

	if got[0].Status != StatusUnchanged {
		t.Errorf("status = %s, want unchanged (log:\n%s)", got[0].Status, e.log)
	}
	if n := e.sm.Calls("UpdatePipeline"); n != 0 {
		t.Errorf("UpdatePipeline calls = %d, want 0", n)
	}
}

func TestDeploy_roleChangeUpdates(t *testing.T) {
	t.Parallel()
	e := setup(t)
	tg := newTarget("churn", definition("Train"))
	old := seededPipeline("churn", string(tg.Definition))
	old.RoleArn = "arn:aws:iam::123456789012:role/old"
	e.sm.Seed(old)

	got := e.d.Deploy(context.Background(), []Target{tg}, Options{CommitSHA: testCommit, Repository: testRepo})

	p, _ := e.sm.Pipeline("churn")
	if got[0].Status != StatusUpdated || p.RoleArn != testRole {
		t.Errorf("status %s, role %s; want updated to %s", got[0].Status, p.RoleArn, testRole)
	}
}

// TestDeploy_regionMismatchRefused: a target compiled for one region (image
// URIs, SAGEMAKER_REGION) must not be deployed through a client of another.
func TestDeploy_regionMismatchRefused(t *testing.T) {
	t.Parallel()
	elsewhere := newTarget("churn", definition("Train"))
	elsewhere.Region = "eu-west-1"
	for _, tc := range []struct {
		name   string
		target Target
		region string // Options.Region
		want   string
	}{
		{"target compiled for another region", elsewhere, "", "compiled for region eu-west-1 but the deploy goes to us-east-1"},
		{"options disagree with the client", newTarget("churn", definition("Train")), "eu-west-1", "set to region eu-west-1 but its SageMaker client calls us-east-1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := setup(t) // the client is for us-east-1
			opts := at(commitA)
			opts.Region = tc.region
			got := e.d.Deploy(context.Background(), []Target{tc.target}, opts)
			if got[0].Status != StatusFailed || got[0].Err == nil || !strings.Contains(got[0].Err.Error(), tc.want) {
				t.Fatalf("result = %+v, want a refusal saying %q", got[0], tc.want)
			}
			if n := e.sm.TotalCalls() + e.s3.Calls("HeadObject") + e.s3.Calls("PutObject"); n != 0 {
				t.Errorf("%d AWS calls for a refused target", n)
			}
		})
	}
}

// TestDeploy_regionFromOptions: a SageMaker client that does not tell its
// region is checked against Options.Region, and refused without one.
func TestDeploy_regionFromOptions(t *testing.T) {
	t.Parallel()
	e := setup(t)
	e.d.SageMaker = struct{ SageMakerAPI }{e.d.SageMaker} // hides Options()
	tg := newTarget("churn", definition("Train"))

	got := e.d.Deploy(context.Background(), []Target{tg}, at(commitA))
	if got[0].Status != StatusFailed || !strings.Contains(got[0].Err.Error(), "cannot tell which region") {
		t.Errorf("no region known: %+v", got[0])
	}
	opts := at(commitA)
	opts.Region = "us-east-1"
	if got := e.d.Deploy(context.Background(), []Target{tg}, opts); got[0].Status != StatusCreated {
		t.Errorf("Options.Region us-east-1: %+v", got[0])
	}
}
