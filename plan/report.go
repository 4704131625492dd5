package plan

import (
	"fmt"
	"net/url"
	"slices"

	"github.com/smpipe/smpipe-action/compiler/diag"
	"github.com/smpipe/smpipe-action/ghreport"
)

// ReportMeta is what a report knows beyond the plan.
type ReportMeta struct {
	Repository       string // owner/name; empty outside GitHub
	ServerURL        string // https://github.com
	PR               int
	BaseSHA, HeadSHA string
	Worktree         bool // the head is the working tree (HeadSHA empty)
	RunURL           string
	RunID            int64
	RunAttempt       int
	// Prefix is the compile root inside the repository ("." or
	// working-directory), so file links point at the right lines.
	Prefix string
}

// Report turns a plan into the report the pull request gets.
func (res *Result) Report(m ReportMeta) ghreport.Report {
	rep := ghreport.Report{Repository: m.Repository, PR: m.PR, BaseSHA: m.BaseSHA, HeadSHA: m.HeadSHA, Worktree: m.Worktree,
		RunURL: m.RunURL, RunID: m.RunID, RunAttempt: m.RunAttempt,
		PreExisting: res.PreExisting, NothingTouched: len(res.Pipelines) == 0}
	for _, p := range res.Pipelines {
		pr := ghreport.PipelineReport{Name: p.Name, Anchor: p.Anchor, Diff: p.Diff, Errors: p.Errors, BaseErrors: p.BaseErrors, Preview: p.Preview}
		if p.Head != nil && len(p.Head.Unresolved) > 0 {
			// Listed once as what the deploy resolves, instead of one warning
			// per value that uses them.
			pr.DeployPlaceholders = p.Head.Unresolved
			pr.Errors = slices.DeleteFunc(slices.Clone(p.Errors), func(d diag.Diagnostic) bool {
				return d.Code == "placeholder" && d.Severity != diag.Error
			})
		}
		rep.Pipelines = append(rep.Pipelines, pr)
	}
	return rep
}

// BlobURL links diagnostics to their lines at the head commit.
func (m ReportMeta) BlobURL() func(diag.Pos) string {
	if m.Repository == "" || m.HeadSHA == "" {
		return nil
	}
	server := m.ServerURL
	if server == "" {
		server = "https://github.com"
	}
	return func(p diag.Pos) string {
		file := p.File
		if m.Prefix != "" && m.Prefix != "." {
			file = m.Prefix + "/" + file
		}
		u := fmt.Sprintf("%s/%s/blob/%s/%s", server, m.Repository, m.HeadSHA, (&url.URL{Path: file}).EscapedPath())
		if p.Line > 0 {
			u += fmt.Sprintf("#L%d", p.Line)
		}
		return u
	}
}
