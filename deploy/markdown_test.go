package deploy

import (
	"errors"
	"strings"
	"testing"
)

func TestRenderMarkdown(t *testing.T) {
	t.Parallel()
	results := []Result{
		{Pipeline: "churn", Status: StatusCreated, PipelineARN: "arn:aws:sagemaker:eu-west-1:123456789012:pipeline/churn",
			ExecutionARN: "arn:aws:sagemaker:eu-west-1:123456789012:pipeline/churn/execution/abc", ExecutionStatus: "Failed",
			FailureReason: "Step failure: <script>alert(1)</script> @octocat",
			Steps: []StepResult{
				{Name: "Prep", Status: "Succeeded", JobARN: "arn:aws:sagemaker:eu-west-1:123456789012:processing-job/prep", CacheHit: true},
				{Name: "Train|<b>x</b>", Status: "Failed", FailureReason: "ClientError: [link](https://evil.example) @admin\nline2"},
			}},
		{Pipeline: "unchanged-one", Status: StatusUnchanged, PipelineARN: "arn:aws:sagemaker:eu-west-1:123456789012:pipeline/unchanged-one",
			ExecutionARN: "arn:aws:sagemaker:eu-west-1:123456789012:pipeline/unchanged-one/execution/def", ExecutionStatus: "Executing", AlreadyStarted: true},
		{Pipeline: "evil <img src=x> @team | *x*", Status: StatusFailed, Err: errors.New("pipeline \"evil\": staging: AccessDenied")},
	}
	got := RenderMarkdown(results, "eu-west-1")
	golden(t, "report.md", got)

	for _, bad := range []string{"<script", "<img", "<b>", "@octocat", "@admin", "@team", "](https://evil"} {
		if strings.Contains(got, bad) {
			t.Errorf("report contains %q unescaped", bad)
		}
	}
	if !strings.Contains(got, "https://eu-west-1.console.aws.amazon.com/sagemaker/home?region=eu-west-1#/pipelines/churn") {
		t.Error("no console link for churn")
	}
	for _, line := range strings.Split(got, "\n") {
		if strings.HasPrefix(line, "| ") && strings.Count(strings.ReplaceAll(line, `\|`, ""), "|") != 7 && strings.Count(strings.ReplaceAll(line, `\|`, ""), "|") != 6 {
			t.Errorf("table row has a wrong cell count: %q", line)
		}
	}
}

func TestConsoleURL(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ region, name, want string }{
		{"us-east-1", "p1", "https://us-east-1.console.aws.amazon.com/sagemaker/home?region=us-east-1#/pipelines/p1"},
		{"us-east-1", "p1)[x](y", ""},
		{"evil.com/", "p1", ""},
	} {
		if got := ConsoleURL(tc.region, tc.name); got != tc.want {
			t.Errorf("ConsoleURL(%q, %q) = %q, want %q", tc.region, tc.name, got, tc.want)
		}
	}
}

func TestRenderMarkdown_empty(t *testing.T) {
	t.Parallel()
	if got := RenderMarkdown(nil, "us-east-1"); !strings.Contains(got, "No pipelines to deploy.") {
		t.Errorf("got %q", got)
	}
}

func TestRenderMarkdown_problemsKeepTheWholeSentence(t *testing.T) {
	long := errors.New(`pipeline "churn": refusing to deploy definition sha256:` + strings.Repeat("1", 64) + ": the pull request was reviewed with sha256:" +
		strings.Repeat("2", 64) + "; the merge compiles differently (the base branch changed, or a file outside the pull request); re-run the plan and review again, or allow unreviewed deploys")
	md := RenderMarkdown([]Result{{Pipeline: "churn", Status: StatusFailed, Err: long}}, "us-east-1")
	if !strings.Contains(md, "review again, or allow unreviewed deploys") {
		t.Errorf("the refusal was cut:\n%s", md)
	}
	if strings.Contains(md, `- churn: pipeline &quot;churn&quot;`) || strings.Contains(md, `- churn: pipeline "churn"`) {
		t.Errorf("the pipeline is named twice:\n%s", md)
	}
	huge := RenderMarkdown([]Result{{Pipeline: "p", Status: StatusFailed, Err: errors.New(strings.Repeat("x", 5000))}}, "us-east-1")
	if !strings.Contains(huge, "…") || len(huge) > 3000 {
		t.Errorf("a huge error must be bounded and marked as cut (%d bytes)", len(huge))
	}
}
