package action

import (
	"context"
	"strconv"
	"strings"

	"github.com/smpipe/smpipe-action/compiler/diff"
	"github.com/smpipe/smpipe-action/ghreport"
	"github.com/smpipe/smpipe-action/gitrev"
	"github.com/smpipe/smpipe-action/plan"
)

// plan compiles base and head of the pull request, writes the report to the
// job summary and the sticky comment, and annotates the conf lines.
func (r *runner) plan(ctx context.Context) int {
	gha := r.gha
	base, headSHA, pr := "", "", 0
	switch {
	case r.ev.PullRequest != nil:
		base, headSHA, pr = r.ev.PullRequest.BaseSHA, r.ev.PullRequest.HeadSHA, r.ev.PullRequest.Number
	case r.ev.Push != nil && r.ev.Push.Before != zeroSHA:
		base = r.ev.Push.Before
	}
	gha.Group("smpipe plan: compile base and head")
	res, baseSHA, checkedOut, err := plan.FromGit(ctx, plan.GitOptions{Dir: r.dir, Base: base, Token: r.in.Token, TokenHost: r.tokenHost(), Compile: r.compile})
	gha.EndGroup()
	if err != nil {
		gha.Errorf("%s", err)
		r.setOutputs(outputs{errors: 1})
		return exitFailed
	}
	if headSHA == "" {
		headSHA = checkedOut
	}
	runID, _ := strconv.ParseInt(r.env.Getenv("GITHUB_RUN_ID"), 10, 64)
	attempt, _ := strconv.Atoi(r.env.Getenv("GITHUB_RUN_ATTEMPT"))
	meta := plan.ReportMeta{Repository: r.repo, ServerURL: r.env.Getenv("GITHUB_SERVER_URL"), PR: pr, BaseSHA: baseSHA,
		HeadSHA: headSHA, RunURL: r.runURL(), RunID: runID, RunAttempt: attempt, Prefix: r.in.WorkingDirectory}
	rep := res.Report(meta)
	rep.Label = r.in.Label
	if views := r.liveViews(ctx, res, baseSHA); views != nil {
		for i := range rep.Pipelines {
			rep.Pipelines[i].Live = views[rep.Pipelines[i].Name]
		}
	}

	// Annotations point at the changed conf lines; pre-existing problems
	// elsewhere stay in the summary only.
	_ = ghreport.Annotations(r.env.Stdout, prefixed(res.Failing, r.in.WorkingDirectory), 10)
	r.summary(ghreport.Summary(rep))
	body, budget := ghreport.Markdown(rep, ghreport.MarkdownOptions{BlobURL: meta.BlobURL()})

	out := outputs{report: body}
	for _, p := range res.Pipelines {
		status := p.Diff.Status.String()
		if p.Failed() {
			status = "failed"
		}
		out.pipelines = append(out.pipelines, pipelineOutput{Name: p.Name, Status: status, Hash: p.Diff.NewHash})
		out.changed = out.changed || p.Diff.Status != diff.Unchanged
	}
	out.errors, _ = res.Failing.Count()
	r.setOutputs(out)

	switch {
	case r.in.Comment == commentOff:
	case pr == 0:
		gha.Noticef("smpipe: not a pull request event, so no comment; the report is in the job summary")
	case r.ev.PullRequest != nil && r.ev.PullRequest.IsFork:
		gha.Noticef("smpipe: pull request from a fork: its token cannot comment, so the report is in the job summary (see the fork relay in the smpipe docs)")
	case r.in.Token == "":
		gha.Noticef("smpipe: no github-token, so no comment; the report is in the job summary")
	default:
		// A plan that touches nothing never starts a comment; with
		// changes-only, neither does one that changes nothing and fails
		// nothing (dflook's "no changes to apply").
		worthNew := !rep.NothingTouched
		if r.in.Comment == commentChangesOnly {
			worthNew = worthNew && (out.changed || out.errors > 0)
		}
		if current, err := r.currentHead(ctx, pr); err != nil {
			gha.Warningf("smpipe: could not read pull request #%d to tell whether this run plans its current head; updating the comment anyway: %s", pr, err)
		} else if current != "" && !strings.EqualFold(current, headSHA) {
			gha.Noticef("smpipe: pull request #%d's head is now %s and this run planned %s: the run for the new head updates the comment; left it alone",
				pr, gitrev.ShortSHA(current), gitrev.ShortSHA(headSHA))
			break
		}
		if err := r.postPlan(ctx, pr, body, budget.Marker, worthNew); err != nil {
			// The report is in the summary; a comment failure never fails the plan.
			gha.Warningf("smpipe: could not update the pull request comment: %s", err)
		}
	}
	if !res.OK() {
		return exitFailed
	}
	return exitOK
}

// currentHead is pull request pr's head as GitHub has it now: the only
// record of which run is current. A comment's marker (run number, head) is
// text anyone can write, so it decides nothing.
func (r *runner) currentHead(ctx context.Context, pr int) (string, error) {
	c, err := r.client(ctx)
	if err != nil {
		return "", err
	}
	owner, repo := r.owner()
	p, err := ghreport.GetPullRequest(ctx, c, owner, repo, pr)
	if err != nil {
		return "", err
	}
	return p.HeadSHA, nil
}
