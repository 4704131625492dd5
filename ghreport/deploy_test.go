package ghreport

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/smpipe/smpipe-action/deploy"
	"github.com/smpipe/smpipe-action/internal/bidi"
)

const (
	liveDef = `{"Version":"2020-12-01","Steps":[{"Name":"Train","Type":"Training","Arguments":{"ResourceConfig":{"InstanceType":"ml.p4d.24xlarge"},"HyperParameters":{"eta":"0.3"}}}]}`
	repoDef = `{"Version":"2020-12-01","Steps":[{"Name":"Train","Type":"Training","Arguments":{"ResourceConfig":{"InstanceType":"ml.m5.xlarge"},"HyperParameters":{"eta":"0.2"}}},{"Name":"Evaluate","Type":"Processing","DependsOn":["Train"]}]}`
)

// deployResults has one result of every kind a deploy reports.
func deployResults() []deploy.Result {
	arn := func(p string) string { return "arn:aws:sagemaker:eu-west-1:123456789012:pipeline/" + p }
	return []deploy.Result{
		{Pipeline: "churn", Status: deploy.StatusCreated, Start: deploy.Started, PipelineARN: arn("churn"),
			ExecutionARN: arn("churn") + "/execution/abc", ExecutionStatus: "Failed",
			FailureReason: "Step failure: <script>alert(1)</script> @octocat, see https://evil.example/y or www.evil.example \u202eexe.txt",
			Steps: []deploy.StepResult{
				{Name: "Prep", Status: "Succeeded", JobARN: "arn:aws:sagemaker:eu-west-1:123456789012:processing-job/prep", CacheHit: true},
				{Name: "Train|<b>x</b>", Status: "Failed", FailureReason: "ClientError: [link](https://evil.example) @admin\nline2"},
			}},
		{Pipeline: "drifted", Status: deploy.StatusUpdated, Start: deploy.Started, ExecutionARN: arn("drifted") + "/execution/def",
			ExecutionStatus: "Executing", Drift: &deploy.Drift{Live: []byte(liveDef), LiveHash: "sha256:" + strings.Repeat("1", 64),
				RecordedHash: "sha256:" + strings.Repeat("2", 64), Repository: []byte(repoDef), Overwritten: true,
				// A role is any string in a conf file: a blank line must not
				// end its code span and the drift section with it.
				LiveRole:       "arn:aws:iam::123456789012:role/live",
				RepositoryRole: "arn:aws:iam::123456789012:role/x\n\n</details>\n\n## Approved [click](https://evil.example/r)\n\n<details>"}},
		{Pipeline: "half", Status: deploy.StatusUpdated, Start: deploy.StartFailed,
			Err: errors.New(`pipeline "half": sha256:3333 is live, but starting an execution failed: ResourceLimitExceeded: too many executions`)},
		{Pipeline: "older", Status: deploy.StatusSkipped, Reason: "newer commit bbbbbbbbbbbb is deployed", Start: deploy.NotStarted},
		{Pipeline: "steady", Status: deploy.StatusUnchanged, Start: deploy.NotStarted, StartReason: "definition unchanged since aaaaaaaaaaaa"},
		{Pipeline: "again", Status: deploy.StatusUnchanged, Start: deploy.AlreadyStarted, ExecutionARN: arn("again") + "/execution/ghi", ExecutionStatus: "Succeeded"},
		{Pipeline: "evil <img src=x> @team | *x*", Status: deploy.StatusFailed, Start: deploy.NotStarted,
			Err: errors.New("pipeline \"evil <img src=x> @team | *x*\": staging: AccessDenied")},
	}
}

func TestDeployMarkdown_golden(t *testing.T) {
	t.Parallel()
	got := DeployMarkdown(deployResults(), DeployOptions{Region: "eu-west-1"})
	checkGolden(t, "deploy.md", got)

	for _, bad := range []string{"<script", "<img", "<b>", "@octocat", "@admin", "@team", "](https://evil", "https://evil", "www.evil"} {
		if strings.Contains(stripCodeSpans(got), bad) { // code spans are inert
			t.Errorf("report contains %q unescaped", bad)
		}
	}
	if strings.ContainsFunc(got, bidi.IsControl) {
		t.Errorf("a bidirectional control survived")
	}
	if strings.Contains(got, "\n## Approved") || strings.Contains(got, "\n</details>\n\n## ") {
		t.Errorf("a role from the conf file ended its code span and wrote a heading")
	}
	for _, want := range []string{
		"https://eu-west-1.console.aws.amazon.com/sagemaker/home?region=eu-west-1#/pipelines/churn",
		"updated (live)", "**start failed**", "**skipped: newer commit bbbbbbbbbbbb is deployed**",
		"not started: definition unchanged since aaaaaaaaaaaa", "| Step | Setting | Live | Repository |",
		"<details><summary>Drift on drifted",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("report does not contain %q", want)
		}
	}
	for _, line := range strings.Split(got, "\n") {
		if !strings.HasPrefix(line, "| ") {
			continue
		}
		if n := strings.Count(strings.ReplaceAll(line, `\|`, ""), "|"); n != 6 && n != 5 {
			t.Errorf("table row has %d cell separators: %q", n, line)
		}
	}
}

func TestDeployMarkdown_problemsKeepTheWholeSentence(t *testing.T) {
	t.Parallel()
	long := errors.New(`pipeline "churn": refusing to deploy definition sha256:` + strings.Repeat("1", 64) + ": the pull request was reviewed with sha256:" +
		strings.Repeat("2", 64) + "; the merge compiles differently (the base branch changed, or a file outside the pull request); re-run the plan and review again, or allow unreviewed deploys")
	md := DeployMarkdown([]deploy.Result{{Pipeline: "churn", Status: deploy.StatusFailed, Err: long}}, DeployOptions{})
	if !strings.Contains(md, "review again, or allow unreviewed deploys") {
		t.Errorf("the refusal was cut:\n%s", md)
	}
	if strings.Contains(md, "- churn: pipeline &quot;churn&quot;") {
		t.Errorf("the pipeline is named twice:\n%s", md)
	}
	huge := DeployMarkdown([]deploy.Result{{Pipeline: "p", Status: deploy.StatusFailed, Err: errors.New(strings.Repeat("x", 5000))}}, DeployOptions{})
	if !strings.Contains(huge, "…") || len(huge) > 3000 {
		t.Errorf("a huge error must be bounded and marked as cut (%d bytes)", len(huge))
	}
}

func TestDeployMarkdown_empty(t *testing.T) {
	t.Parallel()
	if got := DeployMarkdown(nil, DeployOptions{}); !strings.Contains(got, "No pipelines to deploy.") {
		t.Errorf("got %q", got)
	}
}

// TestDeployMarkdown_budget: a report over budget cuts drift tables and
// leaves step tables to the job summary, which keeps everything.
func TestDeployMarkdown_budget(t *testing.T) {
	t.Parallel()
	var steps []string
	for i := range 200 {
		steps = append(steps, fmt.Sprintf(`{"Name":"S%d","Type":"Processing","Arguments":{"X":"%d"}}`, i, i))
	}
	big := `{"Steps":[` + strings.Join(steps, ",") + `]}`
	r := deployResults()
	r[1].Drift.Repository = []byte(big)
	r[0].Steps = append(r[0].Steps, make([]deploy.StepResult, 300)...)

	full := DeployMarkdown(r, DeployOptions{Budget: -1})
	small := DeployMarkdown(r, DeployOptions{Budget: 8000})
	if len(small) > 8000 || len(small) >= len(full) {
		t.Fatalf("compact report is %d bytes (full %d), want at most 8000", len(small), len(full))
	}
	for _, want := range []string{"Steps of churn: see the job summary.", "more settings in the job summary", "**start failed**"} {
		if !strings.Contains(small, want) {
			t.Errorf("compact report does not contain %q", want)
		}
	}
	if !strings.Contains(full, "**Steps of churn**") || strings.Contains(full, "more settings") {
		t.Error("the summary (no budget) left something out")
	}
}
