package ghreport

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/smpipe/smpipe-action/results"
)

// ResultsTitle heads the results part of a deploy comment and the job
// summary.
const ResultsTitle = "### Results"

// ResultOptions tune ExecutionMarkdown.
type ResultOptions struct {
	// Compact leaves out the steps table (the job summary keeps it), for
	// a comment near GitHub's size limit.
	Compact bool
}

// ExecutionMarkdown renders what one execution did: its status and
// duration, for each model the quality gate's verdict, its metrics beside
// production's and the package it registered, the compute it used, its
// steps (collapsed) and what could not be read. Everything from SageMaker
// and S3 is escaped: step names, metric paths, messages and URIs are
// text anyone who can write a conf file or an evaluation script chose.
func ExecutionMarkdown(e *results.Execution, opt ResultOptions) string {
	var b strings.Builder
	b.WriteString("\n#### " + statusIcon(e.Status) + " " + literal(e.Pipeline) + ": " + text(e.Status))
	if e.Duration > 0 {
		b.WriteString(" in " + results.HumanDuration(e.Duration))
	}
	b.WriteString("\n\n" + executionLine(e.ARN, e.StudioURL, e.ConsoleURL) + "\n")
	if e.FailureReason != "" {
		b.WriteString("\n**Failure:** " + paragraph(e.FailureReason) + "\n")
	}
	for _, m := range e.Models {
		writeModel(&b, m, len(e.Models) > 1)
	}
	if len(e.Usage) > 0 {
		var total float64
		var parts []string
		for _, u := range e.Usage {
			total += u.InstanceHours()
			parts = append(parts, literal(u.InstanceType)+" "+hours(u.InstanceHours())+" ("+plural(u.Jobs, "job", "jobs")+")")
		}
		b.WriteString("\n**Compute:** " + hours(total) + " instance-hours: " + strings.Join(parts, ", ") + ".\n")
	}
	if len(e.Steps) > 0 {
		if opt.Compact {
			b.WriteString("\n" + plural(len(e.Steps), "step", "steps") + ": see the job summary.\n")
		} else {
			writeExecutionSteps(&b, e.Steps)
		}
	}
	writeNotes(&b, e.Notes)
	return b.String()
}

// executionLine names the execution and links it in Studio and in the
// console.
func executionLine(arn, studio, console string) string {
	s := "Execution " + arnCell(arn)
	if studio != "" {
		s += " · " + link("open in SageMaker Studio", studio)
	}
	if console != "" {
		s += " · " + link("open in the SageMaker console", console)
	}
	return s
}

// writeModel writes one model's gate, metrics, registration and notes;
// headed by its step when the pipeline has several models.
func writeModel(b *strings.Builder, m results.Model, headed bool) {
	if headed {
		b.WriteString("\n##### Model " + literal(m.Step))
		if m.Group != "" {
			b.WriteString(" → " + literal(m.Group))
		}
		b.WriteString("\n")
	}
	if g := m.Gate; g != nil {
		verdict := "did not run"
		switch {
		case g.Verdict == results.Passed && m.Registered != nil:
			verdict = "**passed**: the model was registered"
		case g.Verdict == results.Passed:
			// The gate's branch ran, and its registration did not succeed
			// (failed, or the execution ended before it).
			verdict = "**passed**, but the registration step did not succeed: no model package was registered"
		case g.Verdict == results.Failed:
			verdict = "**failed**: the model was not registered"
		}
		b.WriteString("\n**Quality gate** " + literal(g.Metric) + " " + text(g.Operator) + " " + number(g.Threshold) + ": " + verdict + ".")
		if g.Message != "" {
			b.WriteString(" " + paragraph(g.Message))
		}
		b.WriteString("\n")
	}
	if mt := m.Metrics; mt != nil {
		writeMetrics(b, mt, m.Gate)
	}
	if p := m.Registered; p != nil {
		b.WriteString("\n**Registered** " + literal(p.Group) + " version " + strconv.Itoa(int(p.Version)) + ", " + literal(p.ApprovalStatus))
		if p.ConsoleURL != "" {
			b.WriteString(": " + link("open in the model registry", p.ConsoleURL))
		}
		b.WriteString(".\n")
	}
	writeNotes(b, m.Notes)
}

func writeMetrics(b *strings.Builder, m *results.Metrics, g *results.Gate) {
	prod := "Production"
	if p := m.Production; p != nil {
		prod = "Production (version " + strconv.Itoa(int(p.Version)) + ")"
		if p.ConsoleURL != "" {
			prod = link(prod, p.ConsoleURL)
		}
	}
	b.WriteString("\n| Metric | This run | " + prod + " | Change |\n| --- | --- | --- | --- |\n")
	for _, v := range m.Values {
		name := literal(v.Path)
		if g != nil && g.Metric == v.Path {
			name += " (gate)"
		}
		old, change := "", ""
		if v.Old != nil {
			old = number(*v.Old)
			change = signed(v.New - *v.Old)
			if better := v.Better(); better != nil {
				if *better {
					change += " better"
				} else {
					change += " **worse**"
				}
			}
		}
		b.WriteString("| " + name + " | " + number(v.New) + " | " + old + " | " + change + " |\n")
	}
	b.WriteString("\nFrom " + literal(m.Source) + ".\n")
}

func writeExecutionSteps(b *strings.Builder, steps []results.Step) {
	b.WriteString("\n<details><summary>" + plural(len(steps), "step", "steps") + "</summary>\n\n")
	b.WriteString("| Step | Status | Duration | Cache | Failure reason |\n| --- | --- | --- | --- | --- |\n")
	for _, s := range steps {
		cache := ""
		if s.CacheHit {
			cache = "hit"
		}
		d := ""
		if s.Duration > 0 {
			d = results.HumanDuration(s.Duration)
		}
		b.WriteString("| " + literal(s.Name) + " | " + text(s.Status) + " | " + d + " | " + cache + " | " + cell(s.FailureReason) + " |\n")
	}
	b.WriteString("\n</details>\n")
}

func writeNotes(b *strings.Builder, notes []string) {
	for _, n := range notes {
		b.WriteString("\n> " + paragraph(n) + "\n")
	}
}

func statusIcon(status string) string {
	switch status {
	case "Succeeded":
		return ":white_check_mark:"
	case "Failed", "CompletedWithFailures":
		return ":x:"
	case "Stopped", "Stopping":
		return ":stop_sign:"
	case results.Gone:
		return ":grey_question:"
	}
	return ":hourglass_flowing_sand:"
}

// number writes a metric as people read it: up to 4 significant digits.
func number(f float64) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return text(fmt.Sprint(f))
	}
	return strconv.FormatFloat(f, 'g', 4, 64)
}

func signed(f float64) string {
	if f > 0 {
		return "+" + number(f)
	}
	return number(f)
}

func hours(h float64) string { return strconv.FormatFloat(h, 'f', 2, 64) }

// Results blocks: a comment carries, under ResultsTitle, one block per
// followed pipeline, which a report run replaces when that pipeline's
// execution ends. The blocks only place the text; what is reported comes
// from the records and SageMaker, never from the comment.
const (
	resultOpen  = "<!-- smpipe:result "
	resultClose = "<!-- /smpipe:result -->"
)

// RunningMarkdown is a started execution's block before it ends: its name
// and links.
func RunningMarkdown(e *results.Execution) string {
	return "\n#### " + statusIcon("Executing") + " " + literal(e.Pipeline) + ": running\n\n" + executionLine(e.ARN, e.StudioURL, e.ConsoleURL) + "\n"
}

// SetResult puts md as pipeline's results block into a comment body:
// replacing the block it had (up to the end of the body when a cut to
// GitHub's limit lost the block's end), else adding one under
// ResultsTitle. pipeline must be a SageMaker pipeline name (letters,
// digits, hyphens): it sits in an HTML comment. The block's markers are
// found only as whole lines, which no escaped text can be.
func SetResult(body, pipeline, md string) string {
	open := "\n" + resultOpen + pipeline + " -->\n"
	block := open + md + "\n" + resultClose + "\n"
	if i := strings.Index(body, open); i >= 0 {
		end := len(body)
		if j := strings.Index(body[i+len(open):], "\n"+resultClose+"\n"); j >= 0 {
			end = i + len(open) + j + len("\n"+resultClose+"\n")
		}
		return body[:i] + block + body[end:]
	}
	if !strings.Contains(body, "\n"+ResultsTitle+"\n") {
		body = strings.TrimRight(body, "\n") + "\n\n" + ResultsTitle + "\n"
	}
	return strings.TrimRight(body, "\n") + "\n" + block
}
