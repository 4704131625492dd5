package action_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/smpipe/smpipe-action/internal/actiontest"
	"github.com/smpipe/smpipe-action/internal/fakeaws"
	"github.com/smpipe/smpipe-action/internal/fakegithub"
)

const (
	previewRole     = "arn:aws:iam::123456789012:role/smpipe-preview"
	previewPipeline = pipeline + "-pr12"
	previewLabel    = "smpipe:preview"
	writer          = "octo-writer"
	previewSubject  = "repo:octo/repo:environment:preview"
)

// labeled is the preview job's run for pull request n at head, labeled by
// sender with label: mode preview, the preview role, the OIDC role of the
// preview environment.
func labeled(w *actiontest.World, n int, base, head, label, sender string) actiontest.Env {
	env := w.PREvent(actiontest.PR{Action: "labeled", Number: n, BaseSHA: base, HeadSHA: head, HeadRef: "feature", Label: label, Sender: sender})
	return previewJob(env)
}

func previewJob(env actiontest.Env) actiontest.Env {
	env["INPUT_MODE"] = "preview"
	env["INPUT_ROLE-TO-ASSUME"] = actiontest.RoleARN
	env["INPUT_PREVIEW-ROLE-ARN"] = previewRole
	return env
}

// previewWorld is the housing example on main with pull request 12 open
// (epochs 60 → 90, planned) and a writer who may label it; jobs run in the
// preview environment, and the deploy role trusts that environment alone,
// as the README's trust policy says.
func previewWorld(t *testing.T) (w *actiontest.World, base, head string) {
	t.Helper()
	w, base = newWorld(t)
	w.OIDC.SetJob(previewSubject, "preview")
	w.STS.Trust(actiontest.RoleARN, previewSubject)
	head = openPR(t, w, 12, "epochs", base, func() { w.Git.Edit(conf, "epochs: 60", "epochs: 90") })
	w.GH.SetPermission(w.Repo, writer, "write")
	return w, base, head
}

// A writer's label: the touched pipeline is deployed as house-price-tf-pr12
// with the preview role, staging and writing under the preview prefix and
// registering to the -preview group, tagged with the repository, the pull
// request and the head, and started; the label is removed; the plan
// comment gets the preview; the execution is a GitHub deployment the
// report run follows. The production pipeline is not touched.
func TestPreview_labelDeploysAndStarts(t *testing.T) {
	w, base, head := previewWorld(t)
	prod := fakeaws.Pipeline{Name: pipeline, Definition: `{"Version":"2020-12-01","Steps":[]}`, RoleArn: "arn:aws:iam::123456789012:role/prod",
		Tags: map[string]string{"smpipe:repository": w.Repo}}
	w.SM.Seed(prod)

	// A fixed deployment environment is production's: a preview's
	// deployments still go to the preview's own.
	env := labeled(w, 12, base, head, previewLabel, writer)
	env["INPUT_DEPLOYMENT-ENVIRONMENT"] = "production"
	r := w.Run(env)
	r.WantCode(t, exitOK)

	p, ok := w.SM.Pipeline(previewPipeline)
	if !ok {
		t.Fatalf("no preview pipeline:\n%s", r.Stdout)
	}
	if p.RoleArn != previewRole || strings.Contains(p.Definition, "role/smpipe-pipeline") {
		t.Errorf("the preview runs as %s, or its definition names the production role", p.RoleArn)
	}
	for k, v := range map[string]string{"smpipe:repository": w.Repo, "smpipe:preview": "pr12", "smpipe:pull-request": "12", "smpipe:commit": head} {
		if p.Tags[k] != v {
			t.Errorf("tag %s = %q, want %q", k, p.Tags[k], v)
		}
	}
	wantContains(t, "the preview's definition", p.Definition, "s3://smpipe-examples/smpipe-preview/"+previewPipeline+"/",
		`"ModelPackageGroupName":"house-price-tf-houseprice-preview"`, `"epochs":"90"`)
	if strings.Contains(p.Definition, "s3://smpipe-examples/house-price-tf/") || strings.Contains(p.Definition, `"s3://smpipe-examples/"`) {
		t.Errorf("the preview writes to production's locations:\n%s", p.Definition)
	}
	for _, put := range w.S3.Puts() {
		if !strings.HasPrefix(put.Key, "smpipe-preview/"+previewPipeline+"/") {
			t.Errorf("staged s3://%s/%s outside the preview's prefix", put.Bucket, put.Key)
		}
	}
	if n := len(w.SM.Executions(previewPipeline)); n != 1 {
		t.Errorf("%d executions of the preview, want 1", n)
	}
	if after, _ := w.SM.Pipeline(pipeline); after.Definition != prod.Definition || after.RoleArn != prod.RoleArn || len(w.SM.Executions(pipeline)) > 0 {
		t.Errorf("the production pipeline was touched: %+v", after)
	}
	if labels := w.GH.Labels(w.Repo, 12); len(labels) != 0 {
		t.Errorf("labels after the preview = %q, want the preview label removed", labels)
	}

	c := w.OnlyComment(t, 12)
	wantContains(t, "the plan comment", c.Body, "## smpipe plan", "### Preview of head `"+head[:12]+"`", "`"+previewPipeline+"`",
		"Asked for by octo-writer", ":hourglass_flowing_sand: `"+previewPipeline+"`: running")
	if m := actiontest.ParseMarker(t, c.Body); m.Kind != "plan" {
		t.Errorf("the comment's marker = %+v", m)
	}
	ds := w.GH.Deployments(w.Repo)
	if len(ds) != 1 {
		t.Fatalf("%d deployments, want 1", len(ds))
	}
	d := ds[0]
	var payload struct {
		Pipeline, Execution, Kind string
		PR                        int
	}
	if err := json.Unmarshal(d.Payload, &payload); err != nil || payload.Pipeline != previewPipeline || payload.Kind != "plan" || payload.PR != 12 {
		t.Errorf("deployment payload = %s", d.Payload)
	}
	if d.SHA != head || d.Environment != previewPipeline || d.ProductionEnvironment || !d.TransientEnvironment || strings.Join(states(d), ",") != "in_progress" {
		t.Errorf("deployment = %+v", d)
	}
	if out := r.Pipelines(t); len(out) != 1 || out[0].Name != previewPipeline || out[0].Status != "created" || out[0].ExecutionARN == "" {
		t.Errorf("pipelines output = %+v", out)
	}
	wantContains(t, "the job summary", r.Summary, "## smpipe preview", previewPipeline)
	w.CheckNoSecrets(t, 12)
}

// The label is the switch: a re-run of the same job finds it gone and does
// nothing; adding it again starts a new execution of the same preview.
func TestPreview_labelAddedAgainRunsAgain(t *testing.T) {
	w, base, head := previewWorld(t)
	env := labeled(w, 12, base, head, previewLabel, writer)
	w.Run(env).WantCode(t, exitOK)

	before := w.Calls()
	r := w.Run(env) // the same workflow run, re-run
	r.WantCode(t, exitOK)
	wantContains(t, "the log", r.Stdout, "no longer has the label")
	wantNoCalls(t, w, before)

	r = w.Run(labeled(w, 12, base, head, previewLabel, writer))
	r.WantCode(t, exitOK)
	if n := len(w.SM.Executions(previewPipeline)); n != 2 {
		t.Errorf("%d executions after the label was added again, want 2\n%s", n, r.Stdout)
	}
	if out := r.Pipelines(t); len(out) != 1 || out[0].Status != "unchanged" || out[0].Execution != "started" {
		t.Errorf("pipelines output = %+v", out)
	}
	body := w.OnlyComment(t, 12).Body
	for what, n := range map[string]int{"### Preview of head": 1, "### Results": 1, ": running": 1} {
		if got := strings.Count(body, what); got != n {
			t.Errorf("%q appears %d times in the plan comment, want %d:\n%s", what, got, n, body)
		}
	}
	if ds := w.GH.Deployments(w.Repo); len(ds) != 2 {
		t.Errorf("%d deployments, want one per execution", len(ds))
	}
}

// Nothing reaches AWS (no credentials are even asked for) when the label
// is another one, the pull request comes from a fork, or the label was
// added by someone without write access; the action's own event checks
// name why.
func TestPreview_refusedBeforeAWS(t *testing.T) {
	for _, tc := range []struct {
		name       string
		label      string
		sender     string
		permission string
		fork       bool
		code       int
		want       string
		labelLeft  bool
		// record changes GitHub's record of the pull request after the
		// event: what the action believes over the payload.
		record func(w *actiontest.World, head string)
		// job, when set, says where the job runs (its OIDC claims).
		job func(w *actiontest.World)
	}{
		{"another label", "bug", writer, "write", false, exitOK, `was labeled "bug", not "smpipe:preview"`, true, nil, nil},
		{"a fork", previewLabel, writer, "write", true, exitFailed, "comes from a fork", true, nil, nil},
		{"a label added by a triager", previewLabel, "octo-triager", "read", false, exitFailed, "only people with write access may start a preview", false, nil, nil},
		{"a label added by an outsider", previewLabel, "someone", "none", false, exitFailed, "only people with write access may start a preview", false, nil, nil},
		{"a fork by GitHub's record", previewLabel, writer, "write", false, exitFailed, "comes from a fork (contributor/ml-pipelines), as GitHub has it", true,
			func(w *actiontest.World, head string) {
				w.GH.SetPull(w.Repo, fakegithub.PullRequest{Number: 12, State: "open", HeadSHA: head, HeadRepo: "contributor/ml-pipelines", Labels: []string{previewLabel}})
			}, nil},
		{"a closed pull request", previewLabel, writer, "write", false, exitFailed, "pull request #12 is closed", true,
			func(w *actiontest.World, head string) {
				w.GH.SetPull(w.Repo, fakegithub.PullRequest{Number: 12, State: "closed", HeadSHA: head, Labels: []string{previewLabel}})
			}, nil},
		// A pull request can rewrite its own workflow: a job without the
		// environment was approved by no reviewer.
		{"a job in no environment", previewLabel, writer, "write", false, exitFailed, "this job runs in no GitHub environment", true, nil,
			func(w *actiontest.World) { w.OIDC.SetJob("repo:octo/repo:pull_request", "") }},
		{"a job in an environment without reviewers", previewLabel, writer, "write", false, exitFailed, `this job runs in the GitHub environment "scratch"`, true, nil,
			func(w *actiontest.World) { w.OIDC.SetJob("repo:octo/repo:environment:scratch", "scratch") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, base, head := previewWorld(t)
			w.GH.SetPermission(w.Repo, tc.sender, tc.permission)
			pr := actiontest.PR{Action: "labeled", Number: 12, BaseSHA: base, HeadSHA: head, HeadRef: "feature", Label: tc.label, Sender: tc.sender}
			if tc.fork {
				pr.HeadRepo = "contributor/ml-pipelines"
			}
			env := previewJob(w.PREvent(pr))
			if tc.record != nil {
				tc.record(w, head)
			}
			if tc.job != nil {
				tc.job(w)
			}
			r := w.Run(env)
			r.WantCode(t, tc.code)
			wantContains(t, "the log", r.Stdout, tc.want)
			if n := w.SM.TotalCalls() + len(w.STS.Tokens()) + w.S3.Calls("PutObject"); n != 0 {
				t.Errorf("%d calls reached AWS", n)
			}
			if left := slices.Contains(w.GH.Labels(w.Repo, 12), tc.label); left != tc.labelLeft {
				t.Errorf("label left on the pull request: %v, want %v", left, tc.labelLeft)
			}
		})
	}
}

// A pull request that rewrites its workflow rewrites the action's inputs
// too: a job in an environment without reviewers that names that
// environment as the preview environment passes smpipe's own check, and
// the deploy role's trust policy (environment:preview only) still gives it
// nothing, so nothing reaches SageMaker or S3.
func TestPreview_rewrittenWorkflowGetsNoCredentials(t *testing.T) {
	w, base, head := previewWorld(t)
	w.OIDC.SetJob("repo:octo/repo:environment:scratch", "scratch")
	env := labeled(w, 12, base, head, previewLabel, writer)
	env["INPUT_PREVIEW-ENVIRONMENT"] = "scratch"
	r := w.Run(env)
	r.WantCode(t, exitFailed)
	wantContains(t, "the log", r.Stdout, "STS refused the GitHub OIDC token", "AccessDenied")
	if n := w.SM.TotalCalls() + w.S3.Calls("PutObject") + w.S3.Calls("HeadObject"); n != 0 {
		t.Errorf("%d calls reached SageMaker or S3", n)
	}
	if got := w.STS.Tokens(); len(got) == 0 {
		t.Errorf("the role was never asked for: the test does not reach the trust policy")
	}
	w.CheckNoSecrets(t, 12)
}

// A pull request closed, reopened and labeled again at the same head gets
// its preview again, and closing it again deletes it again: SageMaker
// answers a repeated request token as it did the first time, so each
// create and each delete must carry a token of its own.
func TestPreview_reopenedPullRequestPreviewsAgain(t *testing.T) {
	w, base, head := previewWorld(t)
	closePR := func() {
		t.Helper()
		r := w.Run(previewJob(w.PREvent(actiontest.PR{Action: "closed", Number: 12, BaseSHA: base, HeadSHA: head, HeadRef: "feature"})))
		r.WantCode(t, exitOK)
		if _, ok := w.SM.Pipeline(previewPipeline); ok {
			t.Fatalf("the preview of #12 is still there after the close:\n%s", r.Stdout)
		}
	}
	w.Run(labeled(w, 12, base, head, previewLabel, writer)).WantCode(t, exitOK)
	closePR()

	r := w.Run(labeled(w, 12, base, head, previewLabel, writer))
	r.WantCode(t, exitOK)
	if _, ok := w.SM.Pipeline(previewPipeline); !ok {
		t.Fatalf("the preview was not created again:\n%s", r.Stdout)
	}
	if out := r.Pipelines(t); len(out) != 1 || out[0].Status != "created" || out[0].Execution != "started" {
		t.Errorf("pipelines output = %+v", out)
	}
	closePR()
}

// Closing the pull request deletes its previews, stopping what runs, and
// nothing else: not the production pipeline, not another pull request's
// preview, not another repository's, not a pipeline merely named like one.
func TestPreview_closeDeletesOnlyItsPreviews(t *testing.T) {
	w, base, head := previewWorld(t)
	w.Run(labeled(w, 12, base, head, previewLabel, writer)).WantCode(t, exitOK)
	others := map[string]map[string]string{
		pipeline:                {"smpipe:repository": w.Repo},
		pipeline + "-pr13":      {"smpipe:repository": w.Repo, "smpipe:preview": "pr13", "smpipe:pull-request": "13"},
		"theirs-pr12":           {"smpipe:repository": "acme/other", "smpipe:preview": "pr12", "smpipe:pull-request": "12"},
		"handmade-pr12":         nil,
		"release-pr12":          {"smpipe:repository": w.Repo},
		"mislabelled-pr12":      {"smpipe:repository": w.Repo, "smpipe:preview": "pr12", "smpipe:pull-request": "13"},
		pipeline + "-pr12-copy": {"smpipe:repository": w.Repo, "smpipe:preview": "pr12", "smpipe:pull-request": "12"},
	}
	for name, tags := range others {
		w.SM.Seed(fakeaws.Pipeline{Name: name, Definition: `{"Version":"2020-12-01","Steps":[]}`, RoleArn: previewRole, Tags: tags})
	}

	env := previewJob(w.PREvent(actiontest.PR{Action: "closed", Number: 12, BaseSHA: base, HeadSHA: head, HeadRef: "feature"}))
	r := w.Run(env)
	r.WantCode(t, exitOK)
	if _, ok := w.SM.Pipeline(previewPipeline); ok {
		t.Errorf("the preview of #12 is still there:\n%s", r.Stdout)
	}
	for name := range others {
		if _, ok := w.SM.Pipeline(name); !ok {
			t.Errorf("%s was deleted", name)
		}
	}
	if n := w.SM.Calls("DeletePipeline"); n != 1 {
		t.Errorf("%d DeletePipeline calls, want 1", n)
	}
	wantContains(t, "the job summary", r.Summary, "`"+previewPipeline+"`", "#12", "deleted (1 running execution stopped first)")
	if out := r.Pipelines(t); len(out) != 1 || out[0].Name != previewPipeline || out[0].Status != "deleted" {
		t.Errorf("pipelines output = %+v", out)
	}
}

// The scheduled report run (and mode preview on a schedule) deletes the
// previews of closed pull requests and leaves those of open ones.
func TestPreview_scheduleDeletesPreviewsOfClosedPullRequests(t *testing.T) {
	for _, mode := range []string{"report", "preview"} {
		t.Run(mode, func(t *testing.T) {
			w, base, head := previewWorld(t)
			w.Run(labeled(w, 12, base, head, previewLabel, writer)).WantCode(t, exitOK)
			w.SM.Seed(fakeaws.Pipeline{Name: pipeline + "-pr13", Definition: `{"Version":"2020-12-01","Steps":[]}`, RoleArn: previewRole,
				Tags: map[string]string{"smpipe:repository": w.Repo, "smpipe:preview": "pr13", "smpipe:pull-request": "13"}})
			w.GH.SetPull(w.Repo, fakegithub.PullRequest{Number: 13, State: "open", HeadSHA: head})
			w.GH.SetPull(w.Repo, fakegithub.PullRequest{Number: 12, State: "closed", HeadSHA: head}) // closed without a run of the preview job

			env := w.ScheduleEvent(base)
			env["INPUT_MODE"] = mode
			env["INPUT_PREVIEW-CLEANUP"] = "true" // read by mode report; mode preview always cleans up on a schedule
			r := w.Run(env)
			r.WantCode(t, exitOK)
			if _, ok := w.SM.Pipeline(previewPipeline); ok {
				t.Errorf("the preview of closed #12 is still there:\n%s", r.Stdout)
			}
			if _, ok := w.SM.Pipeline(pipeline + "-pr13"); !ok {
				t.Error("the preview of open #13 was deleted")
			}
			wantContains(t, "the job summary", r.Summary, "Previews deleted: their pull requests are closed", "`"+previewPipeline+"`")
		})
	}
}

// When the preview's execution ends, the report run puts its results into
// the plan comment's preview section: metrics beside production's approved
// model, the model registered to the -preview group.
func TestPreview_resultsInThePlanComment(t *testing.T) {
	w, base, head := previewWorld(t)
	approveProduction(t, w, "0.05")
	scriptPreview(t, w, "0.04", "Executing", "Succeeded")
	w.Run(labeled(w, 12, base, head, previewLabel, writer)).WantCode(t, exitOK)

	env := w.ScheduleEvent(base)
	env["INPUT_MODE"] = "report"
	r := w.Run(env) // still running
	r.WantCode(t, exitOK)
	wantContains(t, "the plan comment", w.OnlyComment(t, 12).Body, "`"+previewPipeline+"`: running")

	r = w.Run(env)
	r.WantCode(t, exitOK)
	body := w.OnlyComment(t, 12).Body
	wantContains(t, "the plan comment", body, "## smpipe plan", "### Preview of head",
		":white_check_mark: `"+previewPipeline+"`: Succeeded", "| `regression_metrics.mse.value` | 0.04 | 0.05 | -0.01 better |",
		"**Registered** `"+housingGroup+"-preview` version")
	if strings.Contains(body, ": running") {
		t.Errorf("the comment still says running:\n%s", body)
	}
	if st := states(w.GH.Deployments(w.Repo)[0]); strings.Join(st, ",") != "in_progress,success" {
		t.Errorf("deployment states = %v", st)
	}
}

// scriptPreview is scriptHousing for the preview of #12: its jobs, its
// report under the preview's prefix and its model in the -preview group.
func scriptPreview(t *testing.T, w *actiontest.World, mse string, statuses ...string) {
	t.Helper()
	out := "s3://" + actiontest.Bucket + "/smpipe-preview/" + previewPipeline + "/p1/house-Evaluate/output/model_evaluation_metrics"
	eval := w.SM.AddProcessingJob(fakeaws.ProcessingJob{Name: "pipelines-p1-house-Evaluate", InstanceType: "ml.m5.large", InstanceCount: 1, Seconds: 300,
		Outputs: map[string]string{"model_evaluation_metrics": out}})
	w.S3.Plant(t, actiontest.Bucket, strings.TrimPrefix(out, "s3://"+actiontest.Bucket+"/")+"/model_evaluation_metrics.json",
		[]byte(`{"regression_metrics": {"mse": {"value": `+mse+`}}}`), "")
	registered := w.SM.AddModelPackage(fakeaws.ModelPackage{Group: housingGroup + "-preview", ApprovalStatus: "PendingManualApproval",
		MetricsURI: out + "/model_evaluation_metrics.json"})
	w.SM.SetScript(previewPipeline, fakeaws.Script{Statuses: statuses, Seconds: 1800, Steps: []fakeaws.Step{
		{Name: "house-Evaluate", Status: "Succeeded", JobKind: "ProcessingJob", JobArn: eval, Seconds: 320},
		{Name: "house-Register-RegisterModel", Status: "Succeeded", JobKind: "RegisterModel", JobArn: registered.Arn, Seconds: 5},
	}})
}

// With wait, a preview whose results could not be put into the plan
// comment leaves its deployment in progress for the report run, rather
// than ending it with the results shown nowhere in the pull request.
func TestPreview_waitCommentFailedLeavesTheReportRun(t *testing.T) {
	w, base, head := previewWorld(t)
	approveProduction(t, w, "0.05")
	scriptPreview(t, w, "0.04", "Succeeded")
	env := labeled(w, 12, base, head, previewLabel, writer)
	env["INPUT_WAIT"] = "true"
	w.GH.Inject(1, fakegithub.Fault{Route: "PATCH /repos/{owner}/{repo}/issues/comments/{id}", Status: 422})
	r := w.Run(env)
	r.WantCode(t, exitOK)
	wantContains(t, "the log", r.Stdout, "could not put the preview into pull request #12's plan comment")
	if st := states(w.GH.Deployments(w.Repo)[0]); strings.Join(st, ",") != "in_progress" {
		t.Fatalf("deployment states after the preview = %v, want in_progress", st)
	}
	report := w.ScheduleEvent(base)
	report["INPUT_MODE"] = "report"
	r = w.Run(report)
	r.WantCode(t, exitOK)
	// The preview section never reached the plan comment, so its results
	// have no place there: the report says so and ends the deployment.
	wantContains(t, "the summary", r.Summary, ":white_check_mark: `"+previewPipeline+"`: Succeeded")
	wantContains(t, "the log", r.Stdout, "were not written to pull request #12", "holds no block of execution")
	if st := states(w.GH.Deployments(w.Repo)[0]); strings.Join(st, ",") != "in_progress,success" {
		t.Errorf("deployment states after the report = %v", st)
	}
}

// A preview deployed while the pull request moved on (a push planned a
// newer head meanwhile) is not written into the newer head's plan
// comment, where it would say running forever: it stays in the job
// summary, and its deployment is left to the report run.
func TestPreview_ofAnOlderHeadStaysOutOfTheNewerComment(t *testing.T) {
	w, base, h1 := previewWorld(t)
	h2, r := pushPR(t, w, "synchronize", 12, "epochs", base, nil, func() { w.Git.Edit(conf, "epochs: 90", "epochs: 95") })
	r.WantCode(t, exitOK)

	r = w.Run(labeled(w, 12, base, h1, previewLabel, writer)) // the job saw h1
	r.WantCode(t, exitOK)
	wantContains(t, "the log", r.Stdout, "the plan comment is of a newer head than "+h1[:12])
	body := w.OnlyComment(t, 12).Body
	if strings.Contains(body, "smpipe:preview") || !strings.Contains(body, h2[:7]) {
		t.Errorf("the plan comment of %s got the preview of %s:\n%s", h2[:12], h1[:12], body)
	}
	if st := states(lastDeployment(t, w)); strings.Join(st, ",") != "in_progress" {
		t.Errorf("deployment states = %v, want in_progress (left to the report run)", st)
	}
}

// A plan of the same head again (a re-run, or a slow plan finishing after
// the preview) keeps that head's preview and its results.
func TestPreview_replanOfTheSameHeadKeepsThePreview(t *testing.T) {
	w, base, head := previewWorld(t)
	w.Run(labeled(w, 12, base, head, previewLabel, writer)).WantCode(t, exitOK)
	before := w.OnlyComment(t, 12).Body
	if !strings.Contains(before, "smpipe:preview") {
		t.Fatalf("no preview in the plan comment:\n%s", before)
	}
	w.Run(w.PREvent(actiontest.PR{Action: "synchronize", Number: 12, BaseSHA: base, HeadSHA: head, HeadRef: "epochs"})).WantCode(t, exitOK)
	after := w.OnlyComment(t, 12).Body
	if !strings.Contains(after, "<!-- smpipe:preview -->") || !strings.Contains(after, "<!-- smpipe:result "+previewPipeline+" -->") {
		t.Errorf("the re-plan of the same head dropped its preview:\n%s", after)
	}
}
