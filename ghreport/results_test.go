package ghreport

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/smpipe/smpipe-action/internal/fakegithub"
	"github.com/smpipe/smpipe-action/results"
)

// hostileExecution is an execution whose every string came from someone
// who wanted to break the report: step names and failure reasons come from
// conf files, metric paths and the report's URI from an evaluation script.
func hostileExecution() *results.Execution {
	old, lower := 0.5, true
	return &results.Execution{
		Pipeline: "house-price-tf", ARN: "arn:aws:sagemaker:us-east-1:123456789012:pipeline/house-price-tf/execution/abc",
		Status: "Failed", Duration: 90 * time.Second,
		FailureReason: "@octocat see #12 <img src=x onerror=alert(1)> [click](https://evil.example) ``` fence",
		ConsoleURL:    `https://us-east-1.console.aws.amazon.com/sagemaker/home?region=us-east-1#/pipelines/x"onclick=alert(1)`,
		Steps: []results.Step{
			{Name: "step|with|pipes\nand a line", Status: "Failed", FailureReason: "line one\nline two | <script>alert(1)</script>"},
			{Name: "`backticks`", Status: "Succeeded<b>", CacheHit: true},
		},
		Usage: []results.Usage{{InstanceType: "ml.m5|large <b>", Jobs: 1, InstanceSeconds: 3600}},
		Models: []results.Model{{Step: "m-Register-RegisterModel", Group: "g`|", Gate: &results.Gate{Step: "gate", Metric: "a|b", Operator: "<=",
			Threshold: 0.5, Verdict: results.Failed, Message: "@team value is\n<!-- /smpipe:result -->"},
			Metrics: &results.Metrics{Source: "s3://bucket/k|ey\n<!-- /smpipe:result -->", Values: []results.Value{
				{Path: "a|b", New: 0.7, Old: &old, LowerIsBetter: &lower},
				{Path: "x\n<!-- /smpipe:result -->\n| forged | row |", New: 1},
			}},
			Notes: []string{"note with -->\n| a | table |"},
		}},
		Notes: []string{"> quoted\n# heading"},
	}
}

func TestExecutionMarkdown_hostile(t *testing.T) {
	md := ExecutionMarkdown(hostileExecution(), ResultOptions{})
	checkGolden(t, "results_hostile.md", md)
	// Outside code spans (where nothing is markup) no HTML, link,
	// mention, heading, marker or row survives.
	prose := stripCodeSpans(md)
	for _, bad := range []string{"<img", "<script", "<b>", "<!--", "@octocat", "@team", "](https://evil", "\n# heading", "\n| forged"} {
		if strings.Contains(prose, bad) {
			t.Errorf("the report carries %q outside code:\n%s", bad, prose)
		}
	}
	// Every table row keeps its columns: no "|" outside the separators.
	for _, line := range strings.Split(prose, "\n") {
		if !strings.HasPrefix(line, "| ") {
			continue
		}
		if n := strings.Count(line, " | ") + 2; n != 5 && n != 6 {
			t.Errorf("row with %d separators: %s", n, line)
		}
	}
	if strings.Contains(md, `x"onclick`) {
		t.Errorf("the console link was not made safe:\n%s", md)
	}

	// The block stays one block: replacing it finds its own end, not the
	// one a metric path spelled.
	body := SetResult("<!-- smpipe:v1 {} -->\ndeploy report\n", "house-price-tf", md)
	again := SetResult(body, "house-price-tf", RunningMarkdown(&results.Execution{Pipeline: "house-price-tf", ARN: "arn"}))
	if strings.Contains(again, "forged") || strings.Count(again, resultOpen) != 1 {
		t.Errorf("replacing the hostile block left some of it:\n%s", again)
	}
}

func TestSetResult(t *testing.T) {
	const head = "<!-- smpipe:v1 {\"kind\":\"deploy\"} -->\n## smpipe deploy\n\nthe table\n"
	a1, a2, b := "\n#### a running\n", "\n#### a done\n", "\n#### a-b running\n"
	one := SetResult(head, "a", a1)
	want := head + "\n" + ResultsTitle + "\n\n<!-- smpipe:result a -->\n" + a1 + "\n" + resultClose + "\n"
	if one != want {
		t.Fatalf("first block:\n%s\nwant:\n%s", one, want)
	}
	two := SetResult(one, "a-b", b)
	replaced := SetResult(two, "a", a2)
	if strings.Contains(replaced, "a running") || !strings.Contains(replaced, "a done") || !strings.Contains(replaced, "a-b running") ||
		strings.Count(replaced, ResultsTitle) != 1 {
		t.Errorf("after replacing a:\n%s", replaced)
	}
	if again := SetResult(replaced, "a", a2); again != replaced {
		t.Errorf("setting the same block again changed the body:\n%s", again)
	}
	// A body cut to GitHub's limit lost the block's end: the block is
	// replaced to the end.
	cut := one[:len(one)-len(resultClose)-3]
	if got := SetResult(cut, "a", a2); !strings.HasSuffix(got, a2+"\n"+resultClose+"\n") || strings.Contains(got, "a running") {
		t.Errorf("a cut body:\n%s", got)
	}
}

// A results block over the comment's room leaves its steps out.
func TestExecutionMarkdown_compact(t *testing.T) {
	e := hostileExecution()
	full, compact := ExecutionMarkdown(e, ResultOptions{}), ExecutionMarkdown(e, ResultOptions{Compact: true})
	if !strings.Contains(full, "<details><summary>2 steps") || strings.Contains(compact, "<details>") ||
		!strings.Contains(compact, "2 steps: see the job summary.") {
		t.Errorf("compact:\n%s", compact)
	}
}

// The records of followed executions are deployments of GitHub's REST API:
// created with smpipe's task, the target as payload, no status checks and
// no merge; listed newest first, at most results.MaxFollowed and only
// smpipe's own; states are their statuses.
func TestDeployments_records(t *testing.T) {
	t.Parallel()
	srv, c, _ := setup(t, nil)
	ctx := context.Background()
	d := Deployments{Client: c, Owner: "acme", Repo: "ml"}
	tg := results.Target{Pipeline: "house-price-tf", Execution: "arn:aws:sagemaker:us-east-1:123456789012:pipeline/house-price-tf/execution/abc",
		Region: "us-east-1", Commit: "c0ffee", Environment: "house-price-tf", Production: true,
		Comment: results.Comment{PR: 7, Kind: KindDeploy, Label: "eu"}}
	rec, err := d.Create(ctx, tg)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.SetState(ctx, rec, results.InProgress, "running", "https://studio-d-abc.studio.us-east-1.sagemaker.aws/pipelines/view/x"); err != nil {
		t.Fatal(err)
	}
	got := srv.Deployments(testRepo)
	if len(got) != 1 {
		t.Fatalf("%d deployments", len(got))
	}
	dep := got[0]
	var payload map[string]any
	if err := json.Unmarshal(dep.Payload, &payload); err != nil {
		t.Fatal(err)
	}
	wantPayload := map[string]any{"pipeline": "house-price-tf", "execution": tg.Execution, "region": "us-east-1", "pr": 7.0, "kind": "deploy", "label": "eu"}
	if diff := cmp.Diff(wantPayload, payload); diff != "" {
		t.Errorf("payload (-want +got):\n%s", diff)
	}
	if dep.SHA != "c0ffee" || dep.Task != DeploymentTask || dep.Environment != "house-price-tf" || !dep.ProductionEnvironment ||
		dep.TransientEnvironment || dep.Creator != BotLogin || len(dep.Statuses) != 1 || dep.Statuses[0].State != "in_progress" ||
		!strings.HasPrefix(dep.Statuses[0].LogURL, "https://studio-d-abc.") {
		t.Errorf("deployment = %+v", dep)
	}

	// Others' deployments are not smpipe's records: another task, another
	// creator, or a payload that names no execution.
	srv.AddDeployment(testRepo, fakegithub.Deployment{SHA: "c0ffee", Task: "deploy", Environment: "x", Creator: BotLogin, Payload: dep.Payload})
	srv.AddDeployment(testRepo, fakegithub.Deployment{SHA: "c0ffee", Task: DeploymentTask, Environment: "x", Creator: "mallory", Payload: dep.Payload})
	srv.AddDeployment(testRepo, fakegithub.Deployment{SHA: "c0ffee", Task: DeploymentTask, Environment: "x", Creator: BotLogin, Payload: json.RawMessage(`"text"`)})
	list, err := d.List(ctx, "c0ffee")
	if err != nil {
		t.Fatal(err)
	}
	want := []results.Record{{ID: rec.ID, Target: tg}}
	want[0].Target.Production = false // not read back: go-github v60 does not decode it
	if diff := cmp.Diff(want, list); diff != "" {
		t.Errorf("List (-want +got):\n%s", diff)
	}
	if s, err := d.State(ctx, rec); err != nil || s != results.InProgress {
		t.Errorf("State = %q, %v", s, err)
	}
	if err := d.SetState(ctx, rec, results.Success, strings.Repeat("long ", 40), ""); err != nil {
		t.Errorf("a long description: %v", err)
	}
	if s, _ := d.State(ctx, rec); s != results.Success {
		t.Errorf("State after success = %q", s)
	}
	if list, err := d.List(ctx, "other"); err != nil || len(list) != 0 {
		t.Errorf("List of another commit = %+v, %v", list, err)
	}
}

// A report run looks at the newest results.MaxListed deployments only,
// 100 a request.
func TestDeployments_listIsBounded(t *testing.T) {
	t.Parallel()
	srv, c, _ := setup(t, nil)
	for i := range results.MaxListed + 30 {
		srv.AddDeployment(testRepo, fakegithub.Deployment{SHA: "c" + strconv.Itoa(i), Task: DeploymentTask, Environment: "p", Creator: BotLogin,
			Payload: json.RawMessage(`{"pipeline": "p", "execution": "arn:aws:sagemaker:us-east-1:123456789012:pipeline/p/execution/` + strconv.Itoa(i) + `"}`)})
	}
	list, err := Deployments{Client: c, Owner: "acme", Repo: "ml"}.List(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != results.MaxListed || list[0].Target.Commit != "c"+strconv.Itoa(results.MaxListed+29) {
		t.Errorf("%d records, the first of %s", len(list), list[0].Target.Commit)
	}
	if n := srv.Count("GET /repos/{owner}/{repo}/deployments"); n != results.MaxListed/100 {
		t.Errorf("%d list requests, want %d", n, results.MaxListed/100)
	}
}

// More than 100 newer records that any workflow with deployments: write
// could have made do not hide an older record of smpipe's: the report run
// is what tells them apart, and they do not count there.
func TestDeployments_listIsNotStarvedByJunk(t *testing.T) {
	t.Parallel()
	srv, c, _ := setup(t, nil)
	srv.AddDeployment(testRepo, fakegithub.Deployment{SHA: "real", Task: DeploymentTask, Environment: "p", Creator: BotLogin,
		Payload: json.RawMessage(`{"pipeline": "p", "execution": "arn:aws:sagemaker:us-east-1:123456789012:pipeline/p/execution/1"}`)})
	for i := range 150 {
		srv.AddDeployment(testRepo, fakegithub.Deployment{SHA: "junk" + strconv.Itoa(i), Task: DeploymentTask, Environment: "p", Creator: BotLogin,
			Payload: json.RawMessage(`{"pipeline": "p", "execution": "not an execution"}`)})
	}
	list, err := Deployments{Client: c, Owner: "acme", Repo: "ml"}.List(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(list) == 0 || list[len(list)-1].Target.Commit != "real" {
		t.Errorf("the older record is not listed among %d", len(list))
	}
}

// Results go into the comment the target names, in place; a target
// without a pull request, or a pull request without that comment, shows
// nothing.
func TestResultComments_show(t *testing.T) {
	t.Parallel()
	m := Marker{Kind: KindDeploy, PR: 7, Head: "c0ffee"}
	running := SetResult(m.String()+"\n## smpipe deploy\n", "house-price-tf", RunningMarkdown(&results.Execution{Pipeline: "house-price-tf", ARN: "arn"}))
	srv, c, _ := setup(t, func(s *fakegithub.Server) {
		s.AddComment(testRepo, 7, BotLogin, running)
		s.AddComment(testRepo, 7, "mallory", running) // a copy by someone else
	})
	ctx := context.Background()
	rc := ResultComments{Client: c, Owner: "acme", Repo: "ml", Redact: func(s string) string { return strings.ReplaceAll(s, "123456789012", "***") }}
	e := hostileExecution()
	tg := results.Target{Pipeline: "house-price-tf", Commit: "c0ffee", Comment: results.Comment{PR: 7, Kind: KindDeploy}}
	if err := rc.Show(ctx, tg, e); err != nil {
		t.Fatal(err)
	}
	cs := srv.Comments(testRepo, 7)
	if strings.Contains(cs[0].Body, ": running") || !strings.Contains(cs[0].Body, ":x: `house-price-tf`: Failed") ||
		strings.Contains(cs[0].Body, "123456789012") || cs[1].Body != running {
		t.Errorf("comments after Show:\n%s\n---\n%s", cs[0].Body, cs[1].Body)
	}
	edits := srv.Count("PATCH /repos/{owner}/{repo}/issues/comments/{id}")
	if err := rc.Show(ctx, tg, e); err != nil || srv.Count("PATCH /repos/{owner}/{repo}/issues/comments/{id}") != edits {
		t.Errorf("showing the same results again edited the comment (%v)", err)
	}
	if err := rc.Show(ctx, results.Target{Pipeline: "house-price-tf", Commit: "c0ffee"}, e); err != nil {
		t.Errorf("Show without a pull request = %v", err)
	}
	for _, other := range []results.Target{
		{Pipeline: "house-price-tf", Commit: "beef", Comment: results.Comment{PR: 7, Kind: KindDeploy}},                // another merge
		{Pipeline: "house-price-tf", Commit: "c0ffee", Comment: results.Comment{PR: 7, Kind: KindDeploy, Label: "eu"}}, // another label
	} {
		if err := rc.Show(ctx, other, e); !errors.Is(err, results.ErrNoComment) {
			t.Errorf("Show(%+v) = %v, want ErrNoComment", other, err)
		}
	}
	if n := srv.Count("PATCH /repos/{owner}/{repo}/issues/comments/{id}"); n != edits {
		t.Errorf("targets without their comment edited one")
	}
}

// A token that may not edit the comment is an error, not results shown:
// the record stays open for a run that may.
func TestResultComments_showRefused(t *testing.T) {
	t.Parallel()
	m := Marker{Kind: KindDeploy, PR: 7, Head: "c0ffee"}
	running := SetResult(m.String()+"\n## smpipe deploy\n", "house-price-tf", RunningMarkdown(&results.Execution{Pipeline: "house-price-tf", ARN: "arn"}))
	srv, c, _ := setup(t, func(s *fakegithub.Server) { s.AddComment(testRepo, 7, BotLogin, running) })
	srv.Inject(1, fakegithub.Fault{Route: "PATCH /repos/{owner}/{repo}/issues/comments/{id}", Status: http.StatusForbidden})
	rc := ResultComments{Client: c, Owner: "acme", Repo: "ml"}
	tg := results.Target{Pipeline: "house-price-tf", Commit: "c0ffee", Comment: results.Comment{PR: 7, Kind: KindDeploy}}
	err := rc.Show(context.Background(), tg, hostileExecution())
	if err == nil || errors.Is(err, results.ErrNoComment) || !strings.Contains(err.Error(), "pull-requests: write") {
		t.Errorf("Show refused = %v", err)
	}
	if srv.Comments(testRepo, 7)[0].Body != running {
		t.Errorf("the comment changed")
	}
}

// The gate's verdict says the model was registered only when a package
// was: a gate that passed before a registration that failed, or never
// ran, says so.
func TestExecutionMarkdown_gateVerdict(t *testing.T) {
	t.Parallel()
	registered := &results.Package{ARN: "arn:aws:sagemaker:us-east-1:123456789012:model-package/wine/3", Group: "wine", Version: 3, ApprovalStatus: "PendingManualApproval"}
	for _, tc := range []struct {
		name       string
		verdict    string
		registered *results.Package
		want, not  string
	}{
		{"passed and registered", results.Passed, registered, "**passed**: the model was registered.", "did not succeed"},
		{"passed, registration failed", results.Passed, nil, "**passed**, but the registration step did not succeed", "the model was registered"},
		{"failed", results.Failed, nil, "**failed**: the model was not registered.", "passed"},
		{"did not run", "", nil, ": did not run.", "registered"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := &results.Execution{Pipeline: "wine", ARN: "arn", Status: "Failed", Models: []results.Model{{Step: "wine-Register",
				Gate: &results.Gate{Step: "gate", Metric: "mse", Operator: "<=", Threshold: 0.5, Verdict: tc.verdict}, Registered: tc.registered}}}
			md := ExecutionMarkdown(e, ResultOptions{})
			gate := md[strings.Index(md, "**Quality gate**"):]
			gate = gate[:strings.Index(gate, "\n")]
			if !strings.Contains(gate, tc.want) || strings.Contains(gate, tc.not) {
				t.Errorf("gate line = %q, want %q and not %q", gate, tc.want, tc.not)
			}
		})
	}
}
