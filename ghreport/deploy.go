package ghreport

import (
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/smpipe/smpipe-action/compiler"
	"github.com/smpipe/smpipe-action/compiler/diff"
	"github.com/smpipe/smpipe-action/deploy"
)

// DeployOptions tune DeployMarkdown.
type DeployOptions struct {
	// Region is where the pipelines were deployed, for console links.
	Region string
	// Budget is the largest body in bytes (default DefaultBudget). Over it,
	// drift tables are cut and step tables left out; the job summary, which
	// has no budget (Budget < 0), keeps them.
	Budget int
}

// driftRowsCompact is how many drift table rows a body over budget keeps
// per pipeline.
const driftRowsCompact = 20

// DeployMarkdown renders deploy results for the job summary and the merged
// pull request: a count line, one table row per pipeline saying what is
// live and what was started, the problems, the drift of each pipeline whose
// live definition was edited outside smpipe (live against repository, as
// a settings table, collapsed) and, when waited for, the steps of each
// execution. Everything from a conf file, a pull request or AWS is escaped.
func DeployMarkdown(results []deploy.Result, opt DeployOptions) string {
	budget := opt.Budget
	if budget == 0 {
		budget = DefaultBudget
	}
	full := renderDeploy(results, opt.Region, false)
	if budget < 0 || len(full) <= budget {
		return full
	}
	return renderDeploy(results, opt.Region, true)
}

func renderDeploy(results []deploy.Result, region string, compact bool) string {
	var b strings.Builder
	b.WriteString("### SageMaker deploy\n\n")
	if len(results) == 0 {
		b.WriteString("No pipelines to deploy.\n")
		return b.String()
	}
	b.WriteString(deployCounts(results) + "\n\n")
	b.WriteString("| Pipeline | Definition | Execution | Execution status | Console |\n")
	b.WriteString("| --- | --- | --- | --- | --- |\n")
	for _, r := range results {
		link := ""
		if u := deploy.ConsoleURL(region, r.Pipeline); u != "" {
			link = "[open](" + u + ")"
		}
		b.WriteString("| " + text(r.Pipeline) + " | " + definitionCell(r) + " | " + executionCell(r) + " | " +
			text(r.ExecutionStatus) + " | " + link + " |\n")
	}
	writeDeployProblems(&b, results)
	for _, r := range results {
		if r.Drift != nil {
			writeDrift(&b, r, compact)
		}
	}
	for _, r := range results {
		if len(r.Steps) > 0 {
			if compact {
				b.WriteString("\nSteps of " + text(r.Pipeline) + ": see the job summary.\n")
				continue
			}
			writeSteps(&b, r)
		}
	}
	return b.String()
}

// deployCounts is "2 updated · 1 skipped · 1 start failed", in a fixed order.
func deployCounts(results []deploy.Result) string {
	var parts []string
	for _, s := range []deploy.Status{deploy.StatusCreated, deploy.StatusUpdated, deploy.StatusUnchanged,
		deploy.StatusSkipped, deploy.StatusRefused, deploy.StatusFailed, deploy.StatusDryRun} {
		n := 0
		for _, r := range results {
			if r.Status == s {
				n++
			}
		}
		if n > 0 {
			parts = append(parts, strconv.Itoa(n)+" "+string(s))
		}
	}
	for _, c := range []struct {
		what  string
		count func(deploy.Result) bool
	}{
		{"started", func(r deploy.Result) bool { return r.Start == deploy.Started }},
		{"start failed", func(r deploy.Result) bool { return r.Start == deploy.StartFailed }},
		{"with drift", func(r deploy.Result) bool { return r.Drift != nil }},
	} {
		n := 0
		for _, r := range results {
			if c.count(r) {
				n++
			}
		}
		if n > 0 {
			parts = append(parts, strconv.Itoa(n)+" "+c.what)
		}
	}
	return strings.Join(parts, " · ")
}

// definitionCell says what is live (see deploy.Result.DefinitionSummary),
// in bold when the pipeline did not move, and marks drift.
func definitionCell(r deploy.Result) string {
	s := text(r.DefinitionSummary())
	switch r.Status {
	case deploy.StatusSkipped, deploy.StatusRefused, deploy.StatusFailed:
		s = "**" + s + "**"
	}
	if d := r.Drift; d != nil {
		if d.Overwritten {
			s += " · **drift** replaced"
		} else {
			s += " · **drift**"
		}
	}
	return s
}

// executionCell says what was started, with the execution's ARN, and why
// nothing was.
func executionCell(r deploy.Result) string {
	s := text(r.StartSummary())
	switch r.Start {
	case deploy.Started, deploy.AlreadyStarted:
		s += " " + arnCell(r.ExecutionARN)
	case deploy.StartFailed:
		s = "**" + s + "**"
	}
	return s
}

// arnPattern is what an ARN from AWS looks like; anything else is escaped
// as text rather than trusted inside a code span.
// It is compiled on first use, not at every run's start-up.
var arnPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^arn:[A-Za-z0-9:/._+=,@-]+$`) })

func arnCell(s string) string {
	if s == "" {
		return ""
	}
	if !arnPattern().MatchString(s) {
		return text(s)
	}
	return "`" + s + "`"
}

func writeDeployProblems(b *strings.Builder, results []deploy.Result) {
	var lines []string
	for _, r := range results {
		msg := r.FailureReason
		if r.Err != nil {
			msg = r.Err.Error()
		}
		if msg == "" {
			continue
		}
		// Errors name their pipeline, which the line names already.
		msg = strings.ReplaceAll(msg, "pipeline "+strconv.Quote(r.Pipeline)+": ", "")
		lines = append(lines, "- "+text(r.Pipeline)+": "+paragraph(msg)+"\n")
	}
	if len(lines) == 0 {
		return
	}
	b.WriteString("\n**Problems**\n\n")
	for _, l := range lines {
		b.WriteString(l)
	}
}

// writeDrift shows what was changed outside smpipe: the live definition
// and role against the repository's, setting by setting, collapsed, with
// what smpipe's record says it had made live.
func writeDrift(b *strings.Builder, r deploy.Result, compact bool) {
	d := r.Drift
	verb := "replaced with the repository's"
	if !d.Overwritten {
		verb = "left as it is"
	}
	b.WriteString("\n<details><summary>Drift on " + text(r.Pipeline) + ": the live pipeline was changed outside smpipe; " + verb + "</summary>\n\n")
	live := "not JSON"
	if d.LiveHash != "" {
		live = code(shortHash(d.LiveHash))
	}
	switch {
	case d.Unverified != "":
		b.WriteString("Live definition " + live + "; it cannot be checked against smpipe's record: " + text(d.Unverified) + ".\n")
	case d.RecordedCommit != "":
		b.WriteString("Live definition " + live + "; commit " + code(shortSHA(d.RecordedCommit)) + ", which its record names, deployed " +
			code(shortHash(d.RecordedHash)) + ".\n")
	default:
		b.WriteString("Live definition " + live + ", last deployed by smpipe as " + code(shortHash(d.RecordedHash)) + ".\n")
	}
	switch {
	case d.RoleChanged():
		b.WriteString("Role: live " + code(d.LiveRole) + ", deployed " + code(d.RecordedRole) + ", repository " + code(d.RepositoryRole) + ".\n")
	case d.LiveRole != d.RepositoryRole:
		b.WriteString("Role: live " + code(d.LiveRole) + ", repository " + code(d.RepositoryRole) + ".\n")
	}
	rows := -1
	if compact {
		rows = driftRowsCompact
	}
	writeDefinitionDiff(b, r.Pipeline, d.Live, d.Repository, rows, "Live", "Repository")
	b.WriteString("\n</details>\n")
}

// writeDefinitionDiff shows, setting by setting, how two definitions of a
// pipeline differ (a live one edited outside smpipe against a compiled one),
// at most rows rows (-1: all).
func writeDefinitionDiff(b *strings.Builder, pipeline string, from, to []byte, rows int, fromTitle, toTitle string) {
	p, err := diff.Definitions(pipeline, from, to, compiler.DefinitionKind)
	switch {
	case err != nil:
		b.WriteString("\nThe live definition cannot be compared: " + text(err.Error()) + "\n")
	case len(settingRows(p)) == 0 && len(p.Edges) == 0:
		b.WriteString("\nNo setting differs: only the formatting or the order of keys.\n")
	default:
		writeSettingsTable(b, p, rows, fromTitle, toTitle)
		writeEdges(b, p.Edges)
	}
}

func writeSteps(b *strings.Builder, r deploy.Result) {
	b.WriteString("\n**Steps of " + text(r.Pipeline) + "**\n\n")
	b.WriteString("| Step | Status | Cache | Job | Failure reason |\n")
	b.WriteString("| --- | --- | --- | --- | --- |\n")
	for _, s := range r.Steps {
		cache := ""
		if s.CacheHit {
			cache = "hit"
		}
		b.WriteString("| " + text(s.Name) + " | " + text(s.Status) + " | " + cache + " | " + arnCell(s.JobARN) + " | " + text(s.FailureReason) + " |\n")
	}
}
