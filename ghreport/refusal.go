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

// RefusalsMarkdown renders why pipelines were not deployed: the reason, the
// settings that differ between the reviewed head and the merge (the PR
// report's table), the definition diff, and the base branch's changes.
func RefusalsMarkdown(r Refusals) string {
	if len(r.List) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("\n### Not deployed: not what was reviewed\n")
	for _, f := range r.List {
		b.WriteString("\n#### " + text(f.Pipeline) + "\n\n" + paragraph(f.Reason) + "\n")
		if f.Diff == nil {
			continue
		}
		if len(settingRows(*f.Diff)) > 0 {
			b.WriteString("\nChanged between the reviewed head " + code(shortSHA(r.HeadSHA)) + " and the merge:\n")
			writeSettings(&b, *f.Diff, -1)
		}
		writeEdges(&b, f.Diff.Edges)
		if d := f.Diff.DefinitionDiff; d != "" {
			b.WriteString("\n<details><summary>Definition diff, reviewed head → merge (" +
				plural(strings.Count(d, "\n"), "line", "lines") + ")</summary>\n\n" + fence("diff", d) + "\n</details>\n")
		}
	}
	if r.PR == 0 {
		return b.String()
	}
	switch {
	case r.BaseChangesErr != "":
		b.WriteString("\nThe base branch's changes since pull request #" + fmt.Sprint(r.PR) + " branched off could not be listed: " +
			text(r.BaseChangesErr) + "\n")
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
