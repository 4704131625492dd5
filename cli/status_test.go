package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/smpipe/smpipe-action/internal/fakeaws"
)

// TestRun_status reports the newest execution of a pipeline from a laptop,
// as markdown and as JSON, and an execution named by its ARN.
func TestRun_status(t *testing.T) {
	sm, env := cliAWS(t)
	env["GITHUB_REPOSITORY"] = "acme/ml-pipelines"
	train := sm.AddTrainingJob(fakeaws.TrainingJob{Name: "pipelines-x-house-Train", InstanceType: "ml.m5.xlarge", InstanceCount: 2, BillableSeconds: 900})
	sm.SetScript("house-price-tf", fakeaws.Script{Statuses: []string{"Failed"}, FailureReason: "Step failure: One or multiple steps failed.", Seconds: 1000,
		Steps: []fakeaws.Step{{Name: "house-Train", Status: "Failed", FailureReason: "AlgorithmError: out of memory", JobKind: "TrainingJob", JobArn: train, Seconds: 960}}})
	if code, out, errOut := runCLI(t, env, "deploy", example); code != exitOK {
		t.Fatalf("deploy: exit %d\n%s\n%s", code, out, errOut)
	}

	code, out, errOut := runCLI(t, env, "status", "--pipeline", "house-price-tf")
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	for _, want := range []string{":x: `house-price-tf`: Failed in 16m 40s", "AlgorithmError: out of memory", "0.50 instance-hours"} {
		if !strings.Contains(out, want) {
			t.Errorf("the report lacks %q:\n%s", want, out)
		}
	}

	code, out, errOut = runCLI(t, env, "status", "--root", example, "--format", "json")
	var got struct {
		Executions []struct {
			Pipeline, Status, ExecutionArn string
			DurationSeconds                float64
			Usage                          []struct{ InstanceType string }
		}
	}
	if code != exitOK || json.Unmarshal([]byte(out), &got) != nil || len(got.Executions) != 1 || got.Executions[0].Status != "Failed" {
		t.Fatalf("json: exit %d, %+v\n%s\n%s", code, got, out, errOut)
	}
	if d := got.Executions[0].DurationSeconds; d != 1000 { // 16m 40s, as the markdown says
		t.Errorf("durationSeconds = %v, want 1000", d)
	}
	arn := got.Executions[0].ExecutionArn
	if code, out, _ = runCLI(t, env, "status", "--execution", arn); code != exitOK || !strings.Contains(out, arn) {
		t.Errorf("--execution: exit %d\n%s", code, out)
	}
	if code, _, errOut = runCLI(t, env, "status", "--execution", "not-an-arn"); code != exitUsage || !strings.Contains(errOut, "is not a SageMaker pipeline execution ARN") {
		t.Errorf("a bad ARN: exit %d, %s", code, errOut)
	}

	// The execution's region is in its ARN; the Studio domain adds a
	// Studio link.
	delete(env, "AWS_REGION")
	code, out, errOut = runCLI(t, env, "status", "--execution", arn, "--studio-domain-id", "d-abcdefgh1234")
	if code != exitOK || !strings.Contains(out, "[open in SageMaker Studio](https://studio-d-abcdefgh1234.studio.us-east-1.sagemaker.aws/pipelines/view/") {
		t.Errorf("--studio-domain-id: exit %d\n%s\n%s", code, out, errOut)
	}
	if code, _, errOut = runCLI(t, env, "status", "--execution", arn, "--studio-domain-id", "evil.example"); code != exitUsage ||
		!strings.Contains(errOut, "is not a SageMaker domain ID") {
		t.Errorf("a bad domain: exit %d, %s", code, errOut)
	}
}
