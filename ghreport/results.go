package ghreport

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/smpipe/smpipe-action/results"
)

// ResultsTitle heads the results part of a deploy comment and the job
// summary.
const ResultsTitle = "### Results"

// ExecutionMarkdown renders what one execution did: its status and
// duration, the quality gate's verdict, its metrics beside production's,
// the model it registered, the compute it used, its steps (collapsed) and
// what could not be read. Everything from SageMaker and S3 is escaped.
func ExecutionMarkdown(e *results.Execution) string {
	var b strings.Builder
	b.WriteString("\n#### " + statusIcon(e.Status) + " " + code(e.Pipeline) + ": " + text(e.Status))
	if e.Duration > 0 {
		b.WriteString(" in " + duration(e.Duration))
	}
	b.WriteString("\n\n")
	exec := "Execution " + arnCell(e.ARN)
	if e.ConsoleURL != "" {
		exec += " · " + link("open in SageMaker", e.ConsoleURL)
	}
	b.WriteString(exec + "\n")
	if e.FailureReason != "" {
		b.WriteString("\n**Failure:** " + paragraph(e.FailureReason) + "\n")
	}
	if g := e.Gate; g != nil {
		verdict := "did not run"
		switch g.Verdict {
		case "passed":
			verdict = "**passed**: the model was registered"
		case "failed":
			verdict = "**failed**: the model was not registered"
		}
		b.WriteString("\n**Quality gate** " + code(g.Metric) + " " + text(g.Operator) + " " + number(g.Threshold) + ": " + verdict + ".")
		if g.Message != "" {
			b.WriteString(" " + paragraph(g.Message))
		}
		b.WriteString("\n")
	}
	if m := e.Metrics; m != nil {
		writeMetrics(&b, m, e.Gate)
	}
	if p := e.Registered; p != nil {
		b.WriteString("\n**Registered** " + code(p.Group) + " version " + strconv.Itoa(int(p.Version)) + ", " + code(p.ApprovalStatus))
		if p.ConsoleURL != "" {
			b.WriteString(": " + link("open in the model registry", p.ConsoleURL))
		}
		b.WriteString(".\n")
	}
	if len(e.Usage) > 0 {
		var total float64
		var parts []string
		for _, u := range e.Usage {
			total += u.InstanceHours()
			parts = append(parts, code(u.InstanceType)+" "+hours(u.InstanceHours())+" ("+plural(u.Jobs, "job", "jobs")+")")
		}
		b.WriteString("\n**Compute:** " + hours(total) + " instance-hours: " + strings.Join(parts, ", ") + ".\n")
	}
	if len(e.Steps) > 0 {
		b.WriteString("\n<details><summary>" + plural(len(e.Steps), "step", "steps") + "</summary>\n\n")
		b.WriteString("| Step | Status | Duration | Cache | Failure reason |\n| --- | --- | --- | --- | --- |\n")
		for _, s := range e.Steps {
			cache := ""
			if s.CacheHit {
				cache = "hit"
			}
			d := ""
			if s.Duration > 0 {
				d = duration(s.Duration)
			}
			b.WriteString("| " + code(s.Name) + " | " + text(s.Status) + " | " + d + " | " + cache + " | " + cell(s.FailureReason) + " |\n")
		}
		b.WriteString("\n</details>\n")
	}
	for _, n := range e.Notes {
		b.WriteString("\n> " + paragraph(n) + "\n")
	}
	return b.String()
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
		name := code(v.Path)
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
	b.WriteString("\nFrom " + code(m.Source) + ".\n")
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

// duration is d as 1h 2m 3s.
func duration(d time.Duration) string {
	d = d.Round(time.Second)
	h, m, s := int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60
	switch {
	case h > 0:
		return fmt.Sprintf("%dh %dm %ds", h, m, s)
	case m > 0:
		return fmt.Sprintf("%dm %ds", m, s)
	}
	return fmt.Sprintf("%ds", s)
}

// Results blocks: a deploy comment carries, under ResultsTitle, one block
// per started pipeline, which the report run replaces when that pipeline's
// execution ends. The blocks only place the text; what is reported comes
// from GitHub's deployments and SageMaker, never from the comment.
const (
	resultOpen  = "<!-- smpipe:result "
	resultClose = "<!-- /smpipe:result -->"
)

// RunningMarkdown is a started execution's block before it ends.
func RunningMarkdown(pipeline, arn, consoleURL string) string {
	s := "\n#### " + statusIcon("Executing") + " " + code(pipeline) + ": running\n\nExecution " + arnCell(arn)
	if consoleURL != "" {
		s += " · " + link("open in SageMaker", consoleURL)
	}
	return s + "\n"
}

// SetResult puts md as pipeline's results block into a comment body:
// replacing the block it had, else adding one under ResultsTitle. pipeline
// must be a SageMaker pipeline name (letters, digits, hyphens).
func SetResult(body, pipeline, md string) string {
	open := resultOpen + pipeline + " -->"
	block := open + "\n" + md + "\n" + resultClose
	if i := strings.Index(body, open); i >= 0 {
		if j := strings.Index(body[i:], resultClose); j >= 0 {
			return body[:i] + block + body[i+j+len(resultClose):]
		}
	}
	if !strings.Contains(body, "\n"+ResultsTitle+"\n") {
		body = strings.TrimRight(body, "\n") + "\n\n" + ResultsTitle + "\n"
	}
	return strings.TrimRight(body, "\n") + "\n\n" + block + "\n"
}
