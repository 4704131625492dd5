package deploy

import (
	"context"
	"errors"
	"strings"
	"testing"

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

	got := e.d.Deploy(context.Background(), []Target{newTarget("churn", definition("Train"))}, Options{CommitSHA: testCommit, Repository: testRepo, Start: true})

	if got[0].Status != StatusCreated || got[0].Err != nil || got[0].ExecutionARN == "" {
		t.Fatalf("result = %+v\nlog:\n%s", got[0], e.log)
	}
	for op, want := range map[string]int{"DescribePipeline": 3, "CreatePipeline": 2, "ListPipelineExecutions": 2, "StartPipelineExecution": 3} {
		if n := e.sm.Calls(op); n != want {
			t.Errorf("%s calls = %d, want %d", op, n, want)
		}
	}
	if n := len(e.retries.Codes()); n != 6 {
		t.Errorf("the SDK retryer backed off %d times, want 6: %v", n, e.retries.Codes())
	}
	if slept := e.clock.Slept(); len(slept) != 0 {
		t.Errorf("the Deployer slept %v; retries belong to the SDK retryer", slept)
	}
	if n := len(e.sm.Executions("churn")); n != 1 {
		t.Errorf("executions = %d, want 1", n)
	}
}

func TestDeploy_persistentThrottlingFails(t *testing.T) {
	t.Parallel()
	e := setup(t)
	e.sm.FailNext("DescribePipeline", maxAttempts, fakeaws.Throttling())

	got := e.d.Deploy(context.Background(), []Target{newTarget("churn", definition("Train"))}, Options{CommitSHA: testCommit, Repository: testRepo, Start: true})

	if got[0].Status != StatusFailed || got[0].Err == nil || !strings.Contains(got[0].Err.Error(), "ThrottlingException") {
		t.Fatalf("result = %+v", got[0])
	}
	if n := e.sm.Calls("DescribePipeline"); n != maxAttempts {
		t.Errorf("DescribePipeline calls = %d, want %d", n, maxAttempts)
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
			got := e.d.Deploy(context.Background(), []Target{newTarget("churn", definition("Train"))}, Options{CommitSHA: testCommit, Repository: testRepo})
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

	got := e.d.Deploy(context.Background(), []Target{tg}, Options{CommitSHA: testCommit, Repository: testRepo, Start: true})

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

// TestDeploy_conflictRetriedBySDKRetryer: ConflictException (another update
// of the pipeline in flight) is retried by the SDK's retryer that
// NewClients configures, not by a loop in deploy, and nothing sleeps.
func TestDeploy_conflictRetriedBySDKRetryer(t *testing.T) {
	t.Parallel()
	e := setup(t)
	e.sm.Seed(seededPipeline("churn", definition("Old")))
	e.sm.FailNext("UpdatePipeline", 2, fakeaws.Conflict())
	e.sm.FailNext("AddTags", 1, fakeaws.Conflict())

	got := e.d.Deploy(context.Background(), []Target{newTarget("churn", definition("Train"))}, Options{CommitSHA: testCommit, Repository: testRepo})

	if got[0].Status != StatusUpdated || got[0].Err != nil {
		t.Fatalf("result = %+v\nlog:\n%s", got[0], e.log)
	}
	if n := e.sm.Calls("UpdatePipeline"); n != 3 {
		t.Errorf("UpdatePipeline calls = %d, want 3", n)
	}
	if diff := cmp.Diff([]string{"ConflictException", "ConflictException", "ConflictException"}, e.retries.Codes()); diff != "" {
		t.Errorf("retried errors (-want +got):\n%s", diff)
	}
	if slept := e.clock.Slept(); len(slept) != 0 {
		t.Errorf("the Deployer slept %v", slept)
	}
}

func TestDeploy_conflictGivesUp(t *testing.T) {
	t.Parallel()
	e := setup(t)
	e.sm.Seed(seededPipeline("churn", definition("Old")))
	e.sm.FailNext("UpdatePipeline", maxAttempts, fakeaws.Conflict())

	got := e.d.Deploy(context.Background(), []Target{newTarget("churn", definition("Train"))}, Options{CommitSHA: testCommit, Repository: testRepo, Start: true})

	if got[0].Status != StatusFailed || !strings.Contains(got[0].Err.Error(), "ConflictException") {
		t.Fatalf("result = %+v", got[0])
	}
	if e.sm.Calls("StartPipelineExecution") != 0 {
		t.Error("started a pipeline whose update failed")
	}
	if p, _ := e.sm.Pipeline("churn"); p.Definition != definition("Old") {
		t.Errorf("definition = %s, want the old one still live", p.Definition)
	}
}

// TestDeploy_accessDeniedRetriedOnlyForStart: AccessDeniedException is
// retried for StartPipelineExecution (permissions of a new pipeline take a
// moment), and nowhere else.
func TestDeploy_accessDeniedRetriedOnlyForStart(t *testing.T) {
	t.Parallel()
	denied := fakeaws.Fault{Status: 400, Code: "AccessDeniedException", Message: "not authorized"}
	e := setup(t)
	e.sm.FailNext("StartPipelineExecution", 1, denied)
	got := e.d.Deploy(context.Background(), []Target{newTarget("churn", definition("Train"))}, Options{CommitSHA: testCommit, Repository: testRepo, Start: true})
	if got[0].Start != Started || e.sm.Calls("StartPipelineExecution") != 2 {
		t.Errorf("start = %s after %d calls, want started after 2", got[0].Start, e.sm.Calls("StartPipelineExecution"))
	}

	e = setup(t)
	e.sm.FailNext("CreatePipeline", 1, denied)
	got = e.d.Deploy(context.Background(), []Target{newTarget("churn", definition("Train"))}, Options{CommitSHA: testCommit, Repository: testRepo, Start: true})
	if got[0].Status != StatusFailed || e.sm.Calls("CreatePipeline") != 1 {
		t.Errorf("status = %s after %d CreatePipeline calls, want failed after 1", got[0].Status, e.sm.Calls("CreatePipeline"))
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

	got := e.d.Deploy(context.Background(), targets, Options{CommitSHA: testCommit, Repository: testRepo, Start: true})

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
	noRegion := good
	noRegion.Region = ""

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
		{"no region", "names no region", noRegion},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := setup(t)
			got := e.d.Deploy(context.Background(), []Target{tc.t}, Options{CommitSHA: testCommit, Repository: testRepo, Start: true})
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
	got := e.d.Deploy(ctx, []Target{newTarget("churn", definition("Train"))}, Options{CommitSHA: testCommit, Repository: testRepo})
	if !errors.Is(got[0].Err, context.Canceled) || e.sm.TotalCalls() != 0 {
		t.Errorf("result = %+v, calls %d", got[0], e.sm.TotalCalls())
	}
}

func TestDeploy_hostileErrorTextStaysOnOneLogLine(t *testing.T) {
	t.Parallel()
	e := setup(t)
	e.sm.FailNext("CreatePipeline", 1, fakeaws.Fault{Code: "ValidationException", Message: "bad step\n::error::pwned\r\n::add-mask::x"})

	got := e.d.Deploy(context.Background(), []Target{newTarget("churn", definition("Train"))}, Options{CommitSHA: testCommit, Repository: testRepo})

	if got[0].Status != StatusFailed {
		t.Fatalf("result = %+v", got[0])
	}
	for _, line := range strings.Split(e.log.String(), "\n") {
		if line != "" && !strings.HasPrefix(line, `pipeline "churn": `) {
			t.Errorf("log line escaped its prefix: %q", line)
		}
	}
}

// TestDeploy_tagsNotRecorded: the update went live but its record did not;
// the result says what is live and fails, since the next deploy would read
// a stale record.
func TestDeploy_tagsNotRecorded(t *testing.T) {
	t.Parallel()
	e := setup(t)
	e.deployOK(t, at(commitA), newTarget("churn", definition("Train")))
	e.sm.FailNext("AddTags", 1, fakeaws.Fault{Code: "ValidationException", Message: "tag limit"})

	got := e.d.Deploy(context.Background(), []Target{newTarget("churn", definition("Train", "Evaluate"))}, at(commitB))

	r := got[0]
	if r.Status != StatusUpdated || r.Start != Started || !Failed(got) || !strings.Contains(r.Err.Error(), "recording the smpipe tags") {
		t.Fatalf("result = %+v", r)
	}
	if got, want := r.Summary(), "updated (live), started"; got != want {
		t.Errorf("summary = %q, want %q", got, want)
	}
}
