package deploy

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/smpipe/smpipe-action/internal/fakeaws"
)

func TestDeploy_throttlingAnd5xxAreRetried(t *testing.T) {
	t.Parallel()
	e := setup(t)
	e.sm.FailNext("DescribePipeline", 2, fakeaws.Throttling())
	e.sm.FailNext("CreatePipeline", 1, fakeaws.InternalError())
	e.sm.FailNext("ListPipelineExecutions", 1, fakeaws.Throttling())
	e.sm.FailNext("StartPipelineExecution", 2, fakeaws.InternalError())

	got := e.d.Deploy(context.Background(), []Target{newTarget("churn", definition("Train"))}, Options{CommitSHA: testCommit, Start: true})

	if got[0].Status != StatusCreated || got[0].Err != nil || got[0].ExecutionARN == "" {
		t.Fatalf("result = %+v\nlog:\n%s", got[0], e.log)
	}
	for op, want := range map[string]int{"DescribePipeline": 3, "CreatePipeline": 2, "ListPipelineExecutions": 2, "StartPipelineExecution": 3} {
		if n := e.sm.Calls(op); n != want {
			t.Errorf("%s calls = %d, want %d", op, n, want)
		}
	}
	if n := len(e.sm.Executions("churn")); n != 1 {
		t.Errorf("executions = %d, want 1", n)
	}
}

func TestDeploy_persistentThrottlingFails(t *testing.T) {
	t.Parallel()
	e := setup(t)
	e.sm.FailNext("DescribePipeline", 3, fakeaws.Throttling())

	got := e.d.Deploy(context.Background(), []Target{newTarget("churn", definition("Train"))}, Options{CommitSHA: testCommit, Start: true})

	if got[0].Status != StatusFailed || got[0].Err == nil || !strings.Contains(got[0].Err.Error(), "ThrottlingException") {
		t.Fatalf("result = %+v", got[0])
	}
	if e.sm.Calls("CreatePipeline") != 0 || e.sm.Calls("StartPipelineExecution") != 0 {
		t.Error("a pipeline that could not be described was created or started")
	}
}

func TestDeploy_notFoundStyles(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		opts []fakeaws.SageMakerOption
	}{
		{"ResourceNotFound", nil},
		{"moto ValidationException", []fakeaws.SageMakerOption{fakeaws.WithMotoNotFound()}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := setup(t, tc.opts...)
			got := e.d.Deploy(context.Background(), []Target{newTarget("churn", definition("Train"))}, Options{CommitSHA: testCommit})
			if got[0].Status != StatusCreated {
				t.Errorf("status = %s, err %v; want created", got[0].Status, got[0].Err)
			}
		})
	}
}

func TestDeploy_lostCreateRaceUpdates(t *testing.T) {
	t.Parallel()
	e := setup(t)
	// Another run creates the pipeline between our Describe and Create.
	e.sm.Seed(seededPipeline("churn", definition("Old")))
	e.sm.FailNext("DescribePipeline", 1, fakeaws.Fault{Code: "ResourceNotFound", Message: "Pipeline 'churn' does not exist."})
	tg := newTarget("churn", definition("Train"))

	got := e.d.Deploy(context.Background(), []Target{tg}, Options{CommitSHA: testCommit, Start: true})

	if got[0].Status != StatusUpdated || got[0].Err != nil {
		t.Fatalf("result = %+v\nlog:\n%s", got[0], e.log)
	}
	if e.sm.Calls("CreatePipeline") != 1 || e.sm.Calls("UpdatePipeline") != 1 {
		t.Errorf("create/update calls = %d/%d, want 1/1", e.sm.Calls("CreatePipeline"), e.sm.Calls("UpdatePipeline"))
	}
	if p, _ := e.sm.Pipeline("churn"); p.Definition != string(tg.Definition) {
		t.Errorf("definition = %s", p.Definition)
	}
}

func TestDeploy_conflictRetriedWithBackoff(t *testing.T) {
	t.Parallel()
	e := setup(t)
	e.sm.Seed(seededPipeline("churn", definition("Old")))
	e.sm.FailNext("UpdatePipeline", 2, fakeaws.Conflict())

	got := e.d.Deploy(context.Background(), []Target{newTarget("churn", definition("Train"))}, Options{CommitSHA: testCommit})

	if got[0].Status != StatusUpdated {
		t.Fatalf("result = %+v\nlog:\n%s", got[0], e.log)
	}
	if diff := cmp.Diff([]time.Duration{2 * time.Second, 4 * time.Second}, e.clock.Slept()); diff != "" {
		t.Errorf("sleeps (-want +got):\n%s", diff)
	}
}

func TestDeploy_conflictGivesUp(t *testing.T) {
	t.Parallel()
	e := setup(t)
	e.sm.Seed(seededPipeline("churn", definition("Old")))
	e.sm.FailNext("UpdatePipeline", conflictAttempts, fakeaws.Conflict())

	got := e.d.Deploy(context.Background(), []Target{newTarget("churn", definition("Train"))}, Options{CommitSHA: testCommit, Start: true})

	if got[0].Status != StatusFailed || !strings.Contains(got[0].Err.Error(), "ConflictException") {
		t.Fatalf("result = %+v", got[0])
	}
	if e.sm.Calls("StartPipelineExecution") != 0 {
		t.Error("started a pipeline whose update failed")
	}
}

func TestDeploy_oneFailingAmongThree(t *testing.T) {
	t.Parallel()
	e := setup(t)
	targets := []Target{
		newTarget("alpha", definition("A")),
		newTarget("bravo", definition("B")),
		newTarget("charlie", definition("C")),
	}
	e.s3.FailKey(targets[1].Artifacts[0].Key, fakeaws.Fault{Status: 403, Code: "AccessDenied", Message: "Access Denied"})
	e.d.Concurrency = 2

	got := e.d.Deploy(context.Background(), targets, Options{CommitSHA: testCommit, Start: true})

	if !Failed(got) {
		t.Error("Failed() = false with one failed pipeline")
	}
	for i, name := range []string{"alpha", "bravo", "charlie"} {
		if got[i].Pipeline != name {
			t.Fatalf("result %d is %q, want %q (input order)", i, got[i].Pipeline, name)
		}
	}
	for _, r := range []Result{got[0], got[2]} {
		if r.Status != StatusCreated || r.Err != nil || r.ExecutionARN == "" {
			t.Errorf("%s: %+v", r.Pipeline, r)
		}
	}
	if got[1].Status != StatusFailed || !strings.Contains(got[1].Err.Error(), "staging") {
		t.Errorf("bravo: %+v", got[1])
	}
	if _, ok := e.sm.Pipeline("bravo"); ok {
		t.Error("bravo was created although its staging failed")
	}
	if n := len(e.sm.Executions("bravo")); n != 0 {
		t.Errorf("bravo executions = %d, want 0", n)
	}
}

func TestDeploy_invalidTargetsRefused(t *testing.T) {
	t.Parallel()
	good := newTarget("churn", definition("Train"))
	badHash := good
	badHash.Hash = "sha256:" + strings.Repeat("0", 64)
	badName := newTarget("evil\n::error::x", definition("Train"))
	noRole := good
	noRole.RoleArn = ""
	badSHA := newTarget("churn", definition("Train"))
	badSHA.Artifacts = append([]Artifact(nil), badSHA.Artifacts...)
	badSHA.Artifacts[0].SHA256 = strings.Repeat("a", 64)
	escape := newTarget("churn", definition("Train"))
	escape.Artifacts = []Artifact{{Bucket: testBucket, Key: "k", Path: "../secret"}}
	notJSON := newTarget("churn", "{")

	for _, tc := range []struct {
		name, want string
		t          Target
	}{
		{"hash mismatch", "does not match the definition", badHash},
		{"hostile name", "not a valid SageMaker pipeline name", badName},
		{"no role", "no pipeline role", noRole},
		{"content changed after compile", "expects", badSHA},
		{"path outside root", "not a slash-separated path inside the repository", escape},
		{"definition not JSON", "not JSON", notJSON},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := setup(t)
			got := e.d.Deploy(context.Background(), []Target{tc.t}, Options{CommitSHA: testCommit, Start: true})
			if got[0].Status != StatusFailed || got[0].Err == nil || !strings.Contains(got[0].Err.Error(), tc.want) {
				t.Fatalf("result = %+v, want failure containing %q", got[0], tc.want)
			}
			if e.sm.Calls("CreatePipeline")+e.sm.Calls("UpdatePipeline")+e.sm.Calls("StartPipelineExecution") != 0 {
				t.Error("an invalid target reached SageMaker")
			}
			if e.s3.Calls("PutObject") != 0 {
				t.Error("an invalid target uploaded something")
			}
			for _, line := range strings.Split(strings.TrimSpace(e.log.String()), "\n") {
				if strings.HasPrefix(line, "::") {
					t.Errorf("log line could be read as a workflow command: %q", line)
				}
			}
		})
	}
}

func TestDeploy_cancelledContext(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	got := e.d.Deploy(ctx, []Target{newTarget("churn", definition("Train"))}, Options{CommitSHA: testCommit})
	if !errors.Is(got[0].Err, context.Canceled) || e.sm.TotalCalls() != 0 {
		t.Errorf("result = %+v, calls %d", got[0], e.sm.TotalCalls())
	}
}

func TestDeploy_hostileErrorTextStaysOnOneLogLine(t *testing.T) {
	t.Parallel()
	e := setup(t)
	e.sm.FailNext("CreatePipeline", 1, fakeaws.Fault{Code: "ValidationException", Message: "bad step\n::error::pwned\r\n::add-mask::x"})

	got := e.d.Deploy(context.Background(), []Target{newTarget("churn", definition("Train"))}, Options{CommitSHA: testCommit})

	if got[0].Status != StatusFailed {
		t.Fatalf("result = %+v", got[0])
	}
	for _, line := range strings.Split(e.log.String(), "\n") {
		if line != "" && !strings.HasPrefix(line, `pipeline "churn": `) {
			t.Errorf("log line escaped its prefix: %q", line)
		}
	}
}
