package ghreport

import (
	"fmt"
	"strings"

	"github.com/smpipe/smpipe-action/compiler/diff"
)

// Refusal is a pipeline the deploy left alone because what was merged is
// not what was reviewed.
type Refusal struct {
	Pipeline string
	Reason   string         // one sentence: why, and what to do
	Diff     *diff.Pipeline // from the reviewed head to the merge, when both compiled
}

// Refusals is the part of a deploy report that explains refusals.
type Refusals struct {
	PR      int    // the merged pull request; 0 when there is none
	HeadSHA string // its head, the reviewed commit
	List    []Refusal
	// BaseChanges are the files that changed on the base branch since the
	// pull request's merge base: where an unreviewed difference came from.
	// BaseChangesErr says why they could not be listed.
	BaseChanges    []string
	BaseChangesErr string
}

// maxBaseChanges bounds the listed base-branch files.
const maxBaseChanges = 50

// RefusalsMarkdown renders what the reviewers did not see, for the refused
// pipelines whose reviewed head and merge both compiled: the settings that
// differ (the PR report's table), the dependencies, the definition diff,
// and the files the base branch gained since the pull request branched
// off. The reasons themselves are the results' errors, listed with the
// deploy's problems.
func RefusalsMarkdown(r Refusals) string {
	var b strings.Builder
	for _, f := range r.List {
		if f.Diff == nil {
			continue
		}
		if b.Len() == 0 {
			b.WriteString("\n### Not deployed: what the reviewers did not see\n")
		}
		b.WriteString("\n#### " + text(f.Pipeline) + "\n\nChanged between the reviewed head " + code(shortSHA(r.HeadSHA)) + " and the merge:\n")
		writeSettings(&b, *f.Diff, -1)
		writeEdges(&b, f.Diff.Edges)
		if d := f.Diff.DefinitionDiff; d != "" {
			b.WriteString("\n<details><summary>Definition diff, reviewed head → merge (" +
				plural(strings.Count(d, "\n"), "line", "lines") + ")</summary>\n\n" + fence("diff", d) + "\n</details>\n")
		}
	}
	if b.Len() == 0 || r.PR == 0 {
		return b.String()
	}
	switch {
	case r.BaseChangesErr != "":
		b.WriteString("\nThe base branch's changes since pull request #" + fmt.Sprint(r.PR) + " branched off could not be listed: " +
			paragraph(r.BaseChangesErr) + "\n")
	case len(r.BaseChanges) > 0:
		b.WriteString("\n<details><summary>" + plural(len(r.BaseChanges), "file", "files") +
			" changed on the base branch since pull request #" + fmt.Sprint(r.PR) + " branched off</summary>\n\n")
		for i, p := range r.BaseChanges {
			if i == maxBaseChanges {
				b.WriteString("- … " + plural(len(r.BaseChanges)-i, "more file", "more files") + "\n")
				break
			}
			b.WriteString("- " + text(p) + "\n")
		}
		b.WriteString("\n</details>\n")
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
	}
	if len(r.List) > 0 && r.PR != 0 {
		if r.BaseChangesErr != "" {
			add("base branch changes since pull request #%d branched off could not be listed: %s", r.PR, r.BaseChangesErr)
		} else if len(r.BaseChanges) > 0 {
			shown := r.BaseChanges[:min(len(r.BaseChanges), maxBaseChanges)]
			add("changed on the base branch since pull request #%d branched off: %q", r.PR, shown)
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
