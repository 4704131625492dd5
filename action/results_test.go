package action_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/smpipe/smpipe-action/internal/actiontest"
	"github.com/smpipe/smpipe-action/internal/fakeaws"
	"github.com/smpipe/smpipe-action/internal/fakegithub"
)

// housingGroup is the model package group housing-tf registers to.
const housingGroup = "house-price-tf-houseprice"

// scriptHousing makes the next execution of house-price-tf run as
// statuses say, its jobs, report and registered model in SageMaker and S3
// as the steps would leave them, with mse as its evaluation.
func scriptHousing(t *testing.T, w *actiontest.World, mse string, statuses ...string) {
	t.Helper()
	prep := w.SM.AddProcessingJob(fakeaws.ProcessingJob{Name: "pipelines-h1-house-Prepare", InstanceType: "ml.m5.large", InstanceCount: 1, Seconds: 900})
	train := w.SM.AddTrainingJob(fakeaws.TrainingJob{Name: "pipelines-h1-house-Train", InstanceType: "ml.m5.xlarge", InstanceCount: 1, BillableSeconds: 3600})
	out := "s3://" + actiontest.Bucket + "/house-price-tf/h1/house-Evaluate/output/model_evaluation_metrics"
	eval := w.SM.AddProcessingJob(fakeaws.ProcessingJob{Name: "pipelines-h1-house-Evaluate", InstanceType: "ml.m5.large", InstanceCount: 1, Seconds: 300,
		Outputs: map[string]string{"model_evaluation_metrics": out}})
	w.S3.Plant(t, actiontest.Bucket, strings.TrimPrefix(out, "s3://"+actiontest.Bucket+"/")+"/model_evaluation_metrics.json",
		[]byte(`{"regression_metrics": {"mse": {"value": `+mse+`}}}`), "")
	registered := w.SM.AddModelPackage(fakeaws.ModelPackage{Group: housingGroup, ApprovalStatus: "PendingManualApproval", MetricsURI: out + "/model_evaluation_metrics.json"})
	w.SM.SetScript(pipeline, fakeaws.Script{Statuses: statuses, Seconds: 5400, Steps: []fakeaws.Step{
		{Name: "house-Prepare", Status: "Succeeded", JobKind: "ProcessingJob", JobArn: prep, Seconds: 960},
		{Name: "house-Train", Status: "Succeeded", JobKind: "TrainingJob", JobArn: train, Seconds: 3700},
		{Name: "house-Model-CreateModel", Status: "Succeeded", Seconds: 10},
		{Name: "house-Predict", Status: "Succeeded", Seconds: 400},
		{Name: "house-Evaluate", Status: "Succeeded", JobKind: "ProcessingJob", JobArn: eval, Seconds: 320},
		{Name: "house-Register-RegisterModel", Status: "Succeeded", JobKind: "RegisterModel", JobArn: registered.Arn, Seconds: 5},
	}})
}

// approveProduction puts an approved model with mse in the group.
func approveProduction(t *testing.T, w *actiontest.World, mse string) {
	t.Helper()
	key := "reports/production.json"
	w.S3.Plant(t, actiontest.Bucket, key, []byte(`{"regression_metrics": {"mse": {"value": `+mse+`}}}`), "")
	w.SM.AddModelPackage(fakeaws.ModelPackage{Group: housingGroup, ApprovalStatus: "Approved", MetricsURI: "s3://" + actiontest.Bucket + "/" + key})
}

// mergedChange is the housing example with an approved model whose mse is
// production ("" for none), pull request n (more epochs) merged as m, and
// the next execution scripted with mse and statuses. It returns the world,
// the base and m.
func mergedChange(t *testing.T, n int, production, mse string, statuses ...string) (*actiontest.World, string, string) {
	t.Helper()
	w, base := newWorld(t)
	if production != "" {
		approveProduction(t, w, production)
	}
	h := openPR(t, w, n, "epochs", base, func() { w.Git.Edit(conf, "epochs: 60", "epochs: 70") })
	m := merge(t, w, n, base, h)
	scriptHousing(t, w, mse, statuses...)
	return w, base, m
}

func lastDeployment(t *testing.T, w *actiontest.World) fakegithub.Deployment {
	t.Helper()
	ds := w.GH.Deployments(w.Repo)
	if len(ds) != 1 {
		t.Fatalf("%d deployments, want one", len(ds))
	}
	return ds[0]
}

func states(d fakegithub.Deployment) []string {
	var out []string
	for _, s := range d.Statuses {
		out = append(out, s.State)
	}
	return out
}

// With wait, the merge's deploy reports the execution's results at once:
// in the deploy comment, the job summary and the deployment's final state.
func TestResults_wait(t *testing.T) {
	w, base, m := mergedChange(t, 20, "0.05", "0.04", "Succeeded")
	env := w.PushEvent(base, m)
	env["INPUT_WAIT"] = "true"
	r := w.Run(env)
	r.WantCode(t, exitOK)

	for what, body := range map[string]string{"the deploy comment": lastComment(t, w, 20), "the job summary": r.Summary} {
		wantContains(t, what, body, "### Results", ":white_check_mark: `house-price-tf`: Succeeded in 1h 30m 0s",
			"| `regression_metrics.mse.value` | 0.04 | ", "| -0.01 better |", "1.33 instance-hours",
			"**Registered** `house-price-tf-houseprice` version 2, `PendingManualApproval`")
	}
	d := lastDeployment(t, w)
	if d.SHA != m || d.Environment != pipeline || d.Task != "smpipe:run" || strings.Join(states(d), ",") != "in_progress,success" {
		t.Errorf("deployment = %+v, states %v", d, states(d))
	}
	var p struct{ Pipeline, Execution string }
	if err := json.Unmarshal(d.Payload, &p); err != nil || p.Pipeline != pipeline || !strings.Contains(p.Execution, "/execution/") {
		t.Errorf("payload = %s", d.Payload)
	}
	if u := d.Statuses[0].LogURL; !strings.Contains(u, "console.aws.amazon.com/sagemaker") || !strings.Contains(u, "/executions/") {
		t.Errorf("log_url = %q, want the execution in the console", u)
	}
}

// Without wait, the deploy records the execution in progress and a
// scheduled report run reports it once it has ended: in the deploy comment
// in place, the summary and the deployment; a later run reports nothing
// twice, from GitHub's records alone.
func TestResults_reportMode(t *testing.T) {
	w, base, m := mergedChange(t, 21, "0.03", "0.04", "Executing", "Succeeded")
	w.Run(w.PushEvent(base, m)).WantCode(t, exitOK)
	wantContains(t, "the deploy comment", lastComment(t, w, 21), "### Results", ":hourglass_flowing_sand: `house-price-tf`: running")
	if st := states(lastDeployment(t, w)); strings.Join(st, ",") != "in_progress" {
		t.Fatalf("deployment states = %v, want in_progress", st)
	}

	report := func() actiontest.Result {
		env := w.ScheduleEvent(m)
		env["INPUT_MODE"] = "report"
		return w.Run(env)
	}
	r := report() // still running
	r.WantCode(t, exitOK)
	wantContains(t, "the summary", r.Summary, "No followed execution has ended since the last report.")
	if st := states(lastDeployment(t, w)); len(st) != 1 {
		t.Errorf("a running execution changed its deployment: %v", st)
	}

	r = report()
	r.WantCode(t, exitOK)
	comments := w.GH.Comments(w.Repo, 21)
	body := comments[len(comments)-1].Body
	wantContains(t, "the deploy comment after the report", body, ":white_check_mark: `house-price-tf`: Succeeded", "| +0.01 **worse** |")
	if strings.Contains(body, "running") {
		t.Errorf("the comment still says running:\n%s", body)
	}
	if n := strings.Count(body, "### Results"); n != 1 {
		t.Errorf("%d results sections, want one", n)
	}
	wantContains(t, "the summary", r.Summary, "Succeeded in 1h 30m 0s")
	if st := states(lastDeployment(t, w)); strings.Join(st, ",") != "in_progress,success" {
		t.Errorf("deployment states = %v", st)
	}

	edits := w.GH.Count("PATCH /repos/{owner}/{repo}/issues/comments/{id}")
	r = report()
	r.WantCode(t, exitOK)
	wantContains(t, "the summary of a run with nothing left", r.Summary, "No execution to follow")
	if n := w.GH.Count("PATCH /repos/{owner}/{repo}/issues/comments/{id}"); n != edits {
		t.Errorf("a second report edited the comment again")
	}
	if st := states(lastDeployment(t, w)); len(st) != 2 {
		t.Errorf("a second report added states: %v", st)
	}
}

// Deployments any workflow with deployments: write could have made are
// left alone: one whose payload names another pipeline's execution, and one
// a person made with smpipe's task and a good payload. Nothing is read for
// them and no state is set.
func TestResults_foreignDeploymentsAreLeftAlone(t *testing.T) {
	for _, tc := range []struct {
		name, creator, execution, log string
	}{
		{"another pipeline's execution", fakegithub.BotLogin, "arn:aws:sagemaker:us-east-1:123456789012:pipeline/other-team/execution/1",
			"is not an execution ARN of pipeline house-price-tf; left alone"},
		{"someone else's deployment", "mallory", "arn:aws:sagemaker:us-east-1:123456789012:pipeline/house-price-tf/execution/1", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, base := newWorld(t)
			w.GH.AddDeployment(w.Repo, fakegithub.Deployment{SHA: base, Task: "smpipe:run", Environment: pipeline, Creator: tc.creator,
				Payload: json.RawMessage(`{"pipeline": "house-price-tf", "execution": "` + tc.execution + `", "pr": 3}`)})
			env := w.ScheduleEvent(base)
			env["INPUT_MODE"] = "report"
			r := w.Run(env)
			r.WantCode(t, exitOK)
			wantContains(t, "the log", r.Stdout, tc.log)
			wantContains(t, "the summary", r.Summary, "No execution to follow")
			if n := w.SM.TotalCalls(); n != 0 {
				t.Errorf("%d SageMaker calls for a foreign deployment", n)
			}
			if st := states(lastDeployment(t, w)); len(st) != 0 {
				t.Errorf("states = %v, want none", st)
			}
		})
	}
}

// With wait and a Studio domain, a failed run ends its deployment in
// failure, its log the execution in Studio.
func TestResults_waitFailedLinksStudio(t *testing.T) {
	w, base, m := mergedChange(t, 22, "0.05", "0.09", "Failed")
	env := w.PushEvent(base, m)
	env["INPUT_WAIT"], env["INPUT_STUDIO-DOMAIN-ID"] = "true", "d-abcdefgh1234"
	r := w.Run(env)
	r.WantCode(t, exitFailed) // the execution failed
	d := lastDeployment(t, w)
	if strings.Join(states(d), ",") != "in_progress,failure" {
		t.Errorf("states = %v, want in_progress, failure", states(d))
	}
	const studio = "https://studio-d-abcdefgh1234.studio.us-east-1.sagemaker.aws/pipelines/view/house-price-tf/executions/000000000001/graph"
	if d.Statuses[0].LogURL != studio {
		t.Errorf("log_url = %q, want %q", d.Statuses[0].LogURL, studio)
	}
	wantContains(t, "the deploy comment", lastComment(t, w, 22), ":x: `house-price-tf`: Failed", "[open in SageMaker Studio]("+studio+")",
		"| +0.04 **worse** |")
}

// A pipeline deleted while its execution ran: the report says so and the
// deployment ends in error; with comment false the pull request is left
// alone.
func TestResults_reportDeletedPipelineWithoutComment(t *testing.T) {
	w, base, m := mergedChange(t, 23, "", "0.04", "Executing")
	w.Run(w.PushEvent(base, m)).WantCode(t, exitOK)
	w.SM.ForgetExecutions(pipeline)

	env := w.ScheduleEvent(m)
	env["INPUT_MODE"], env["INPUT_COMMENT"] = "report", "false"
	edits := w.GH.Count("PATCH /repos/{owner}/{repo}/issues/comments/{id}")
	r := w.Run(env)
	r.WantCode(t, exitOK)
	wantContains(t, "the summary", r.Summary, ":grey_question: `house-price-tf`: Gone", "its pipeline was deleted since")
	if st := states(lastDeployment(t, w)); strings.Join(st, ",") != "in_progress,error" {
		t.Errorf("states = %v", st)
	}
	if n := w.GH.Count("PATCH /repos/{owner}/{repo}/issues/comments/{id}"); n != edits {
		t.Errorf("comment false, yet the comment was edited")
	}
	if out := r.Pipelines(t); len(out) != 1 || out[0].Status != "Gone" || out[0].ExecutionARN == "" {
		t.Errorf("pipelines output = %+v", out)
	}
}

// A report run that cannot follow anything refuses, naming the input,
// before it asks for credentials: a bad studio-domain-id, or deployments
// turned off.
func TestResults_reportRefusesItsInputs(t *testing.T) {
	for _, tc := range []struct{ input, value, want string }{
		{"STUDIO-DOMAIN-ID", "https://evil.example/", "input studio-domain-id is"},
		{"DEPLOYMENTS", "false", "mode report follows the executions recorded as GitHub deployments"},
	} {
		t.Run(tc.input, func(t *testing.T) {
			w, base := newWorld(t)
			env := w.ScheduleEvent(base)
			env["INPUT_MODE"], env["INPUT_"+tc.input] = "report", tc.value
			r := w.Run(env)
			r.WantCode(t, exitFailed)
			if lines := r.ErrorLines(tc.want); len(lines) != 1 {
				t.Errorf("want one error saying %q:\n%s", tc.want, r.Stdout)
			}
			if n := len(w.STS.Tokens()); n != 0 {
				t.Errorf("credentials were requested for a run that could not follow anything")
			}
		})
	}
}

// With wait, a deploy comment that could not be written leaves the
// deployment in progress: the report run finishes it, its results in the
// job summary, and says that the pull request has no comment to take them.
func TestResults_waitCommentFailedLeavesTheReportRun(t *testing.T) {
	w, base, m := mergedChange(t, 24, "0.05", "0.04", "Succeeded")
	env := w.PushEvent(base, m)
	env["INPUT_WAIT"] = "true"
	w.GH.Inject(1, fakegithub.Fault{Route: "POST /repos/{owner}/{repo}/issues/{number}/comments", Status: 500})
	r := w.Run(env)
	r.WantCode(t, exitOK)
	wantContains(t, "the log", r.Stdout, "could not post the deploy result to pull request #24", "left to the report run")
	if st := states(lastDeployment(t, w)); strings.Join(st, ",") != "in_progress" {
		t.Fatalf("states after a deploy whose comment failed = %v, want in_progress", st)
	}

	env = w.ScheduleEvent(m)
	env["INPUT_MODE"] = "report"
	r = w.Run(env)
	r.WantCode(t, exitOK)
	wantContains(t, "the summary", r.Summary, ":white_check_mark: `house-price-tf`: Succeeded in 1h 30m 0s")
	wantContains(t, "the log", r.Stdout, "were not written to pull request #24", "no smpipe deploy comment")
	if st := states(lastDeployment(t, w)); strings.Join(st, ",") != "in_progress,success" {
		t.Errorf("states after the report = %v", st)
	}
}

// A report run that could neither show the results (no comment) nor end
// the deployment fails: the warning about the comment does not hide the
// error, and the deployment stays in progress for the next run.
func TestResults_reportStateRefusedIsAnErrorDespiteTheWarning(t *testing.T) {
	w, base, m := mergedChange(t, 26, "0.05", "0.04", "Succeeded")
	env := w.PushEvent(base, m)
	env["INPUT_WAIT"] = "true"
	w.GH.Inject(1, fakegithub.Fault{Route: "POST /repos/{owner}/{repo}/issues/{number}/comments", Status: 500})
	w.Run(env).WantCode(t, exitOK)

	env = w.ScheduleEvent(m)
	env["INPUT_MODE"] = "report"
	w.GH.Inject(1, fakegithub.Fault{Route: "POST /repos/{owner}/{repo}/deployments/{id}/statuses", Status: 403})
	r := w.Run(env)
	r.WantCode(t, exitFailed)
	if st := states(lastDeployment(t, w)); strings.Join(st, ",") != "in_progress" {
		t.Errorf("states after the refused report = %v, want in_progress", st)
	}
}

// A report run whose token may not edit the deploy comment does not
// count the results as shown: the deployment stays in progress, the run
// fails saying so, and the next run with the permission shows them.
func TestResults_reportCommentRefusedIsRetried(t *testing.T) {
	w, base, m := mergedChange(t, 25, "0.05", "0.04", "Executing", "Succeeded")
	w.Run(w.PushEvent(base, m)).WantCode(t, exitOK)
	report := func() actiontest.Result {
		env := w.ScheduleEvent(m)
		env["INPUT_MODE"] = "report"
		return w.Run(env)
	}
	report().WantCode(t, exitOK) // still running

	w.GH.Inject(1, fakegithub.Fault{Route: "PATCH /repos/{owner}/{repo}/issues/comments/{id}", Status: 403})
	r := report()
	r.WantCode(t, exitFailed)
	wantContains(t, "the log", r.Stdout, "pull-requests: write")
	if st := states(lastDeployment(t, w)); strings.Join(st, ",") != "in_progress" {
		t.Fatalf("states after a refused edit = %v, want in_progress", st)
	}
	report().WantCode(t, exitOK)
	wantContains(t, "the deploy comment", lastComment(t, w, 25), ":white_check_mark: `house-price-tf`: Succeeded")
	if st := states(lastDeployment(t, w)); strings.Join(st, ",") != "in_progress,success" {
		t.Errorf("states = %v", st)
	}
}

// A deployment any workflow with deployments: write could have made, naming
// a pipeline of another repository in the same account, ends in error
// before anything of the execution is read; nothing of it reaches the pull
// request, and later runs leave it alone.
func TestResults_forgedDeploymentOfAnotherTeamsPipeline(t *testing.T) {
	w, base := newWorld(t)
	w.SM.Seed(fakeaws.Pipeline{Name: "fraud-model", Definition: "{}", RoleArn: "arn:aws:iam::123456789012:role/p",
		Tags: map[string]string{"smpipe:repository": "acme/fraud"}})
	theirs, _ := w.SM.Pipeline("fraud-model")
	w.GH.AddDeployment(w.Repo, fakegithub.Deployment{SHA: base, Task: "smpipe:run", Environment: "fraud-model", Creator: fakegithub.BotLogin,
		Payload: json.RawMessage(`{"pipeline": "fraud-model", "execution": "` + theirs.Arn + `/execution/abc123", "region": "us-east-1", "pr": 3, "kind": "deploy"}`)})
	env := w.ScheduleEvent(base)
	env["INPUT_MODE"] = "report"
	r := w.Run(env)
	r.WantCode(t, exitOK)
	wantContains(t, "the log", r.Stdout, `pipeline "fraud-model" is not this repository's`, "given the final state error")
	for _, op := range []string{"DescribePipelineExecution", "ListPipelineExecutionSteps", "DescribePipelineDefinitionForExecution"} {
		if n := w.SM.Calls(op); n != 0 {
			t.Errorf("%d %s calls for another repository's pipeline", n, op)
		}
	}
	d := lastDeployment(t, w)
	if strings.Join(states(d), ",") != "error" || !strings.Contains(d.Statuses[0].Description, "not this repository's") || d.Statuses[0].LogURL != "" {
		t.Errorf("statuses = %+v", d.Statuses)
	}
	if n := w.GH.Count("PATCH /repos/{owner}/{repo}/issues/comments/{id}") + w.GH.Count("POST /repos/{owner}/{repo}/issues/{number}/comments"); n != 0 {
		t.Errorf("%d comment writes for another repository's pipeline", n)
	}
	env = w.ScheduleEvent(base)
	env["INPUT_MODE"] = "report"
	w.Run(env).WantCode(t, exitOK)
	if st := states(lastDeployment(t, w)); len(st) != 1 {
		t.Errorf("a later run changed it again: %v", st)
	}
}

// A forged record naming a pipeline that does not exist has no tags to
// check, and its execution reads as gone: it adds nothing to the deploy
// comment it names, which holds no block of that execution.
func TestResults_forgedRecordOfAMissingPipelineWritesNothing(t *testing.T) {
	w, base, m := mergedChange(t, 24, "0.03", "0.04", "Succeeded")
	w.Run(w.PushEvent(base, m)).WantCode(t, exitOK)
	w.GH.AddDeployment(w.Repo, fakegithub.Deployment{SHA: m, Task: "smpipe:run", Environment: "totally-forged", Creator: fakegithub.BotLogin,
		Payload: json.RawMessage(`{"pipeline": "totally-forged", "execution": "arn:aws:sagemaker:us-east-1:123456789012:pipeline/totally-forged/execution/abc123", "region": "us-east-1", "pr": 24, "kind": "deploy"}`)})
	env := w.ScheduleEvent(m)
	env["INPUT_MODE"] = "report"
	w.Run(env).WantCode(t, exitOK)
	if after := lastComment(t, w, 24); strings.Contains(after, "totally-forged") {
		t.Errorf("the forged record changed the deploy comment:\n%s", after)
	}
}

// With wait, results too large for the deploy comment go in without their
// steps tables, and a deployment is ended only when the comment holds its
// results: none is lost to a cut at GitHub's limit.
func TestResults_waitLargeResultsFitTheComment(t *testing.T) {
	w := actiontest.New(t, "../testdata/conf/ok/two-pipelines", inProcess)
	base := w.Start(100, "Two pipelines")
	w.Git.Detach(base)
	w.Git.Branch("both", true)
	w.Git.Edit("fraud/conf/conf.yaml", "max_iter: 300", "max_iter: 400")
	w.Git.Edit("demand/conf/conf.yaml", "horizon_days: 28", "horizon_days: 29")
	head := w.Git.Commit("Change both")
	w.Run(w.PREvent(actiontest.PR{Action: "opened", Number: 30, BaseSHA: base, HeadSHA: head, HeadRef: "both"})).WantCode(t, exitOK)
	m := merge(t, w, 30, base, head)
	var steps []fakeaws.Step
	for i := range 150 {
		steps = append(steps, fakeaws.Step{Name: fmt.Sprintf("fraud-Shard-%03d", i), Status: "Failed",
			FailureReason: strings.Repeat("ClientError: the shard could not be read ", 8)})
	}
	w.SM.SetScript("card-fraud-detection", fakeaws.Script{Statuses: []string{"Failed"}, Seconds: 600, Steps: steps})
	w.SM.SetScript("store-demand-forecast", fakeaws.Script{Statuses: []string{"Succeeded"}, Seconds: 600,
		Steps: []fakeaws.Step{{Name: "demand-Aggregate", Status: "Succeeded"}}})
	env := w.PushEvent(base, m)
	env["INPUT_WAIT"] = "true"
	w.Run(env)

	body := lastComment(t, w, 30)
	wantContains(t, "the deploy comment", body, "`store-demand-forecast`: Succeeded", "`card-fraud-detection`: Failed")
	if strings.Contains(body, "was cut to fit") {
		t.Errorf("the deploy comment was cut (%d characters)", len(body))
	}
	for _, d := range w.GH.Deployments(w.Repo) {
		if st := states(d); len(st) != 2 {
			t.Errorf("deployment %s: states %v, want ended", d.Environment, st)
		}
	}
}
