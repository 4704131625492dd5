package ghreport

import (
	"fmt"
	"strings"

	"github.com/smpipe/smpipe-action/compiler/diff"
)

// Refusal is a pipeline the deploy left alone because it is not what a
// reviewed pull request showed.
type Refusal struct {
	Pipeline string
	Reason   string // why, and what to do
	// PR is the pull request behind the commit that gave the pipeline its
	// definition, 0 when there is none; HeadSHA its head, the reviewed
	// commit.
	PR      int
	HeadSHA string
	// Diff is from the reviewed head to the deployed definition, when both
	// compiled and differ.
	Diff *diff.Pipeline
	// BaseChanges are the files that changed on the base branch since the
	// pull request branched off: where an unreviewed difference came from.
	// BaseChangesErr says why they could not be listed.
	BaseChanges    []string
	BaseChangesErr string
}

// Refusals is the part of a deploy report that explains refusals.
type Refusals struct {
	List []Refusal
}

// maxBaseChanges bounds the listed base-branch files.
const maxBaseChanges = 50

// RefusalsMarkdown renders what the reviewers did not see, for the refused
// pipelines whose reviewed head and deployed commit both compiled: the
// settings that differ (the PR report's table), the dependencies, the
// definition diff, and the files the base branch gained since the pull
// request branched off (once per pull request). The reasons themselves are
// the results' errors, listed with the deploy's problems.
func RefusalsMarkdown(r Refusals) string {
	var b strings.Builder
	listed := map[int]bool{}
	for _, f := range r.List {
		if f.Diff == nil {
			continue
		}
		if b.Len() == 0 {
			b.WriteString("\n### Not deployed: what the reviewers did not see\n")
		}
		b.WriteString("\n#### " + text(f.Pipeline) + "\n\nChanged between pull request #" + fmt.Sprint(f.PR) + "'s reviewed head " +
			code(shortSHA(f.HeadSHA)) + " and the deployed commit:\n")
		writeSettings(&b, *f.Diff, -1)
		writeEdges(&b, f.Diff.Edges)
		if d := f.Diff.DefinitionDiff; d != "" {
			b.WriteString("\n<details><summary>Definition diff, reviewed head → deployed (" +
				plural(strings.Count(d, "\n"), "line", "lines") + ")</summary>\n\n" + fence("diff", d) + "\n</details>\n")
		}
		if f.PR == 0 || listed[f.PR] {
			continue
		}
		listed[f.PR] = true
		switch {
		case f.BaseChangesErr != "":
			b.WriteString("\nThe base branch's changes since pull request #" + fmt.Sprint(f.PR) + " branched off could not be listed: " +
				paragraph(f.BaseChangesErr) + "\n")
		case len(f.BaseChanges) > 0:
			b.WriteString("\n<details><summary>" + plural(len(f.BaseChanges), "file", "files") +
				" changed on the base branch since pull request #" + fmt.Sprint(f.PR) + " branched off</summary>\n\n")
			for i, p := range f.BaseChanges {
				if i == maxBaseChanges {
					b.WriteString("- … " + plural(len(f.BaseChanges)-i, "more file", "more files") + "\n")
					break
				}
				b.WriteString("- " + text(p) + "\n")
			}
			b.WriteString("\n</details>\n")
		}
	}
	return b.String()
}

// RefusalsLog renders the same as lines for the job log. Every line starts
// with "smpipe: " so nothing taken from the repository can start a workflow
// command, and carries no line break.
func RefusalsLog(r Refusals) []string {
	var out []string
	add := func(format string, args ...any) {
		line := fmt.Sprintf(format, args...)
		out = append(out, "smpipe: "+strings.Map(func(c rune) rune {
			if c == '\n' || c == '\r' || c == '\u2028' || c == '\u2029' {
				return ' '
			}
			return c
		}, line))
	}
	for _, f := range r.List {
		add("pipeline %q not deployed: %s", f.Pipeline, f.Reason)
		if f.Diff == nil {
			continue
		}
		for _, s := range f.Diff.Steps {
			if len(s.Settings) == 0 {
				add("  step %q %s", s.Name, s.Status)
			}
			for _, c := range s.Settings {
				add("  step %q: %s: %s → %s", s.Name, c.Path, logValue(c.Old, c.OldSet), logValue(c.New, c.NewSet))
			}
		}
		for _, e := range f.Diff.Edges {
			add("  dependency %q → %q %s", e.Edge.From, e.Edge.To, e.Status)
		}
		if f.PR == 0 || f.Diff == nil {
			continue
		}
		if f.BaseChangesErr != "" {
			add("base branch changes since pull request #%d branched off could not be listed: %s", f.PR, f.BaseChangesErr)
		} else if len(f.BaseChanges) > 0 {
			shown := f.BaseChanges[:min(len(f.BaseChanges), maxBaseChanges)]
			add("changed on the base branch since pull request #%d branched off: %q", f.PR, shown)
		}
	}
	return out
}

func logValue(v string, set bool) string {
	if !set {
		return "(not set)"
	}
	return fmt.Sprintf("%q", truncateRunes(v, maxCellRunes))
}
