// Package ghreport turns a plan (the touched pipelines compiled on base and
// head, their diff and diagnostics) into what GitHub shows: the sticky pull
// request comment, the job summary, workflow-command annotations and
// outputs. It also holds the small GitHub REST client smpipe needs
// (comments, changed files, the PR a merge commit came from) and the event
// payload types.
//
// Everything that reaches markdown from a conf file or a pull request is
// escaped here (escape.go); callers pass raw strings.
package ghreport

import (
	"github.com/smpipe/smpipe-action/compiler/diag"
	"github.com/smpipe/smpipe-action/compiler/diff"
)

// Report is the plan of one pull request run: plain data, no rendering.
type Report struct {
	// Label names the job's plan when several jobs plan one pull request
	// (the action's label input); it heads the report and keys its comment.
	Label      string
	Repository string // "owner/name"
	PR         int
	BaseSHA    string
	HeadSHA    string
	// Worktree marks a head that is a working tree, not a commit (smpipe
	// plan on a laptop): the title says so instead of showing a SHA.
	Worktree   bool
	RunURL     string // the workflow run (its summary holds the full report)
	RunID      int64  // GITHUB_RUN_ID, recorded in the marker
	RunAttempt int    // GITHUB_RUN_ATTEMPT, recorded in the marker
	Pipelines  []PipelineReport
	// PreExisting are problems outside the touched pipelines; they never
	// block the run and are shown once, collapsed.
	PreExisting diag.Diagnostics
	// NothingTouched is set when the change touches no pipeline.
	NothingTouched bool
}

// PipelineReport is one touched pipeline.
type PipelineReport struct {
	Name string
	// Anchor is the conf file that defines the pipeline (the one with
	// conf.sagemakerPipeline), slash-separated, relative to the root.
	Anchor string
	Diff   diff.Pipeline
	// Errors are the findings about this pipeline on head; BaseErrors on
	// base (shown for context: base may already have been broken).
	Errors     diag.Diagnostics
	BaseErrors diag.Diagnostics
	// Mermaid is the DAG (diagram text, no fence). When empty, Markdown
	// renders Diff.Merged itself with graph.Mermaid.
	Mermaid string
	// DeployPlaceholders are the SMP_* placeholders head's definition needs
	// and the plan's environment does not set: the deploy resolves them from
	// its own environment, and fails naming them if it cannot.
	DeployPlaceholders []string
	// Live is how the live pipeline stands against the base branch; nil
	// when the plan had no AWS credentials or could not read it.
	Live *LiveView
	// Preview is what a preview run changes of head (its models' preview:
	// mappings); nil when none of its models has one.
	Preview *diff.Pipeline
}

// Defs returns the head definition hash of every pipeline that compiled on
// head, by pipeline name: what the plan comment records as reviewed.
func (r Report) Defs() map[string]string {
	defs := map[string]string{}
	for _, p := range r.Pipelines {
		if p.Diff.NewHash != "" && !p.Errors.HasErrors() {
			defs[p.Name] = p.Diff.NewHash
		}
	}
	return defs
}

// PlanMarker is the marker of r's plan comment, before the size ladder
// (Markdown fills Truncated and Ladder).
func (r Report) PlanMarker() Marker {
	m := Marker{
		Kind:    KindPlan,
		Label:   r.Label,
		PR:      r.PR,
		Base:    r.BaseSHA,
		Head:    r.HeadSHA,
		Run:     r.RunID,
		Attempt: r.RunAttempt,
	}
	if defs := r.Defs(); len(defs) > 0 {
		m.Defs = defs
	}
	return m
}
