package deploy

import (
	"fmt"
	"github.com/smpipe/smpipe-action/internal/awsname"
	"regexp"
	"strings"
)

var regionRE = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)

// ConsoleURL links to the pipeline in the SageMaker console; it is empty for
// a region or name that is not well formed.
func ConsoleURL(region, pipeline string) string {
	if !regionRE.MatchString(region) || !awsname.Hyphenated(pipeline, 256) {
		return ""
	}
	return fmt.Sprintf("https://%s.console.aws.amazon.com/sagemaker/home?region=%s#/pipelines/%s", region, region, pipeline)
}

// RenderMarkdown renders deploy results as markdown for a PR comment or the
// job summary: one table row per pipeline (status, pipeline and execution
// ARNs, console link), the errors, and a step table per waited execution.
func RenderMarkdown(results []Result, region string) string {
	var b strings.Builder
	b.WriteString("### SageMaker deploy\n\n")
	if len(results) == 0 {
		b.WriteString("No pipelines to deploy.\n")
		return b.String()
	}
	b.WriteString("| Pipeline | Status | Pipeline ARN | Execution | Execution status | Console |\n")
	b.WriteString("| --- | --- | --- | --- | --- | --- |\n")
	for _, r := range results {
		exec := codeSpan(r.ExecutionARN)
		if r.AlreadyStarted {
			exec += " (already started)"
		}
		link := ""
		if u := ConsoleURL(region, r.Pipeline); u != "" {
			link = "[open](" + u + ")"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", escapeText(r.Pipeline), statusCell(r),
			codeSpan(r.PipelineARN), exec, escapeText(r.ExecutionStatus), link)
	}

	var errs []Result
	for _, r := range results {
		if r.Err != nil || r.FailureReason != "" {
			errs = append(errs, r)
		}
	}
	if len(errs) > 0 {
		b.WriteString("\n**Problems**\n\n")
		for _, r := range errs {
			msg := r.FailureReason
			if r.Err != nil {
				msg = r.Err.Error()
			}
			msg = strings.TrimPrefix(msg, fmt.Sprintf("pipeline %q: ", r.Pipeline))
			fmt.Fprintf(&b, "- %s: %s\n", escapeText(r.Pipeline), escapeBounded(msg, maxProblem))
		}
	}

	for _, r := range results {
		if len(r.Steps) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n**Steps of %s**\n\n", escapeText(r.Pipeline))
		b.WriteString("| Step | Status | Cache | Job | Failure reason |\n")
		b.WriteString("| --- | --- | --- | --- | --- |\n")
		for _, s := range r.Steps {
			cache := ""
			if s.CacheHit {
				cache = "hit"
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", escapeText(s.Name), escapeText(s.Status), cache,
				codeSpan(s.JobARN), escapeText(s.FailureReason))
		}
	}
	return b.String()
}

func statusCell(r Result) string {
	switch r.Status {
	case StatusCreated, StatusUpdated, StatusUnchanged, StatusDryRun:
		return string(r.Status)
	case StatusFailed:
		return "**failed**"
	}
	return escapeText(string(r.Status))
}
