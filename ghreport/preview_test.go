package ghreport

import (
	"errors"
	"strings"
	"testing"

	"github.com/smpipe/smpipe-action/deploy"
	"github.com/smpipe/smpipe-action/results"
)

const previewExec = "arn:aws:sagemaker:us-east-1:123456789012:pipeline/house-price-tf-pr12/execution/abc"

func previewReport() PreviewReport {
	return PreviewReport{Label: "", PR: 12, Head: "0123456789abcdef0123456789abcdef01234567", Suffix: "pr12", Requester: "octo-writer",
		Role: "arn:aws:iam::123456789012:role/smpipe-preview", Bucket: "smpipe-examples", Prefix: "smpipe-preview", Region: "us-east-1",
		Pipelines: []PreviewPipeline{
			{Pipeline: "house-price-tf", Result: deploy.Result{Pipeline: "house-price-tf-pr12", Status: deploy.StatusCreated, Start: deploy.Started,
				ExecutionARN: previewExec}},
			{Pipeline: "evil <img src=x> @team", Result: deploy.Result{Pipeline: "evil-pr12", Status: deploy.StatusRefused, Start: deploy.NotStarted,
				Reason: "a pipeline of that name already exists", Err: errors.New("pipeline \"evil-pr12\" not deployed: [x](https://evil.example) @admin")}},
		},
		Problems: []string{`pipeline "broken": broken/conf/conf.yaml does not compile; fix the errors annotated on it`},
	}
}

func TestPreviewMarkdown_golden(t *testing.T) {
	t.Parallel()
	got := PreviewMarkdown(previewReport())
	checkGolden(t, "preview.md", got)
	for _, bad := range []string{"<img", "@team", "@admin", "](https://evil"} {
		if strings.Contains(stripCodeSpans(got), bad) {
			t.Errorf("the preview section contains %q unescaped", bad)
		}
	}
}

// A preview's section and result blocks go at the end of the plan comment;
// a new preview replaces both; a result lands only in the block of its own
// execution.
func TestSetPreview(t *testing.T) {
	t.Parallel()
	plan := "<!-- smpipe:v1 {\"kind\":\"plan\"} -->\n## smpipe plan: 1 pipeline touched\n\nFull report: the job summary.\n"
	first := SetPreview(plan, PreviewMarkdown(previewReport()), map[string]string{
		"house-price-tf-pr12": RunningMarkdown(&results.Execution{Pipeline: "house-price-tf-pr12", ARN: previewExec}),
	})
	if !strings.HasPrefix(first, plan[:len(plan)-1]) || !strings.Contains(first, "### Preview of head `0123456789ab`") ||
		!strings.Contains(first, ResultsTitle) || !strings.Contains(first, "`house-price-tf-pr12`: running") {
		t.Fatalf("first preview:\n%s", first)
	}

	// The report of an execution another preview replaced changes nothing.
	if got := SetPreviewResult(first, "house-price-tf-pr12", previewExec+"-old", "#### done\n"); got != first {
		t.Errorf("a stale execution's result was written:\n%s", got)
	}
	done := SetPreviewResult(first, "house-price-tf-pr12", previewExec, "\n#### :white_check_mark: done\n")
	if !strings.Contains(done, "done") || strings.Contains(done, ": running") {
		t.Errorf("the execution's result did not replace its block:\n%s", done)
	}

	r := previewReport()
	r.Head = "fedcba9876543210fedcba9876543210fedcba98"
	r.Pipelines = r.Pipelines[:1]
	second := SetPreview(done, PreviewMarkdown(r), map[string]string{
		"house-price-tf-pr12": RunningMarkdown(&results.Execution{Pipeline: "house-price-tf-pr12", ARN: previewExec + "2"}),
	})
	for what, n := range map[string]int{previewOpen: 1, ResultsTitle: 1, "`house-price-tf-pr12`: running": 1, "0123456789ab": 0, "done": 0} {
		if got := strings.Count(second, what); got != n {
			t.Errorf("%q appears %d times after a second preview, want %d:\n%s", what, got, n, second)
		}
	}
	if !strings.HasPrefix(second, plan[:len(plan)-1]) {
		t.Errorf("the plan was changed:\n%s", second)
	}
}

// Text from a conf file or a metrics report can hold a marker's characters
// in a code span; only a marker standing as a whole line is ours.
func TestMarkers_onlyWholeLines(t *testing.T) {
	t.Parallel()
	const arn = "arn:aws:sagemaker:us-east-1:123456789012:pipeline/beta/execution/bbbbbbbbbbbb"
	plan := "## smpipe plan\n\n| hyperparams.note | `\"<!-- smpipe:preview -->\"` |\n\nFull report: see the summary.\n"
	once := SetPreview(plan, previewOpen+"\nfirst\n"+previewClose, nil)
	twice := SetPreview(once, previewOpen+"\nsecond\n"+previewClose, nil)
	if !strings.Contains(twice, "Full report: see the summary.") || strings.Contains(twice, "first") || !strings.Contains(twice, "second") {
		t.Errorf("a marker in a code span cut the plan:\n%s", twice)
	}

	body := "Metric `<!-- smpipe:result beta --><!-- /smpipe:result -->`\n" +
		SetResult("", "beta", "Execution "+arnCell(arn)+"\nrunning")
	if !hasResultBlock(body, "beta", arn) {
		t.Errorf("a marker in a code span hid beta's block:\n%s", body)
	}
	if kept := resultBlock().ReplaceAllString(body, "\n"); !strings.Contains(kept, "Metric `<!-- smpipe:result beta -->") {
		t.Errorf("a marker in a code span was taken for a block:\n%s", kept)
	}
}
