package action

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"

	"github.com/smpipe/smpipe-action/compiler"
	"github.com/smpipe/smpipe-action/deploy"
	"github.com/smpipe/smpipe-action/ghreport"
	"github.com/smpipe/smpipe-action/gitrev"
	"github.com/smpipe/smpipe-action/plan"
	"github.com/smpipe/smpipe-action/preview"
	"github.com/smpipe/smpipe-action/results"
)

// preview is mode preview, the preview job of a pull request workflow: a
// pull request labeled with the preview label by a person with write
// access gets its touched pipelines deployed and started as previews; a
// closed one gets its previews deleted; a schedule or a dispatch deletes
// the previews of every closed pull request.
//
// A preview is not gated by package provenance (nothing is merged yet).
// Its gates are the job's GitHub environment, whose required reviewers
// approve the run before it gets the preview role's credentials, and the
// checks here, each asked of GitHub's records: the label is the configured
// one, its sender may write to the repository, the pull request is open and
// not from a fork, and the label is still there (it is removed before
// anything reaches AWS, so each label runs once).
func (r *runner) preview(ctx context.Context) int {
	pr := r.ev.PullRequest
	switch {
	case pr != nil && pr.Action == "labeled":
		return r.previewLabeled(ctx)
	case pr != nil && pr.Action == "closed":
		return r.previewClosed(ctx)
	case r.name == "schedule" || r.ev.Dispatch != nil:
		return r.previewSweep(ctx)
	}
	r.gha.Noticef("smpipe: mode preview has nothing to do for the %s event: it previews on a pull request labeled %q, deletes the previews "+
		"of a closed pull request, and on schedule those of every closed pull request", r.ev, r.in.PreviewLabel)
	return exitOK
}

// refusePreview ends a preview run that put nothing in AWS: why, in the
// log, the job summary and the outputs.
func (r *runner) refusePreview(msg string) int { return r.end(ghreport.PreviewNote, msg, true) }

// previewNote ends a preview run that had nothing to do.
func (r *runner) previewNote(msg string) int { return r.end(ghreport.PreviewNote, msg, false) }

// previewLabeled checks who asked for the preview and of what, takes the
// label off, and deploys and starts the previews.
func (r *runner) previewLabeled(ctx context.Context) int {
	ev := r.ev.PullRequest
	n := ev.Number
	if ev.Label != r.in.PreviewLabel {
		return r.previewNote(fmt.Sprintf("smpipe: pull request #%d was labeled %q, not %q (the preview-label input): nothing to preview", n, ev.Label, r.in.PreviewLabel))
	}
	if ev.IsFork {
		return r.refusePreview(fmt.Sprintf("smpipe: pull request #%d comes from a fork (%s): forks never run previews, since a preview runs "+
			"the pull request's code with AWS credentials; nothing was deployed", n, or(ev.HeadRepo, "a deleted repository")))
	}
	if r.in.Token == "" {
		return r.refusePreview("smpipe: mode preview needs the github-token input: who added the label and the pull request are checked with GitHub")
	}
	if r.in.PreviewRoleARN == "" {
		return r.refusePreview("smpipe: a preview needs its own execution role: set the preview-role-arn input (a role that cannot reach " +
			"production data; see the README's preview set-up); nothing was deployed")
	}
	c, err := r.client(ctx)
	if err != nil {
		return r.refusePreview("smpipe: " + err.Error())
	}
	owner, repo := r.owner()
	current, err := ghreport.GetPullRequest(ctx, c, owner, repo, n)
	switch {
	case err != nil:
		return r.refusePreview("smpipe: " + err.Error())
	case current.State != "open":
		return r.refusePreview(fmt.Sprintf("smpipe: pull request #%d is %s: only open pull requests are previewed; nothing was deployed", n, current.State))
	case current.FromFork():
		return r.refusePreview(fmt.Sprintf("smpipe: pull request #%d comes from a fork (%s), as GitHub has it: forks never run previews; nothing was deployed",
			n, or(current.HeadRepo, "a deleted repository")))
	}
	perm, err := r.records().Permission(ctx, ev.Sender)
	if err != nil {
		return r.refusePreview("smpipe: " + err.Error())
	}
	if perm != "admin" && perm != "write" {
		// The label asked for nothing: take it off, so that it does not
		// look like a preview on its way.
		if _, err := ghreport.RemoveLabel(ctx, c, owner, repo, n, r.in.PreviewLabel); err != nil {
			r.gha.Warningf("smpipe: %s", err)
		}
		return r.refusePreview(fmt.Sprintf("smpipe: %q added the label %q to pull request #%d, and GitHub gives them %s access: only people "+
			"with write access may start a preview, which spends money and runs the pull request's code; the label was removed and nothing was deployed",
			ev.Sender, r.in.PreviewLabel, n, perm))
	}
	if msg := r.previewEnvironmentProblem(ctx, n); msg != "" {
		return r.refusePreview(msg)
	}
	removed, err := ghreport.RemoveLabel(ctx, c, owner, repo, n, r.in.PreviewLabel)
	switch {
	case err != nil:
		return r.refusePreview(fmt.Sprintf("smpipe: %s; nothing was deployed (the label is the switch: each one added runs once)", err))
	case !removed:
		return r.previewNote(fmt.Sprintf("smpipe: pull request #%d no longer has the label %q: someone removed it, or another run took it and "+
			"previews it; nothing to do here. Add the label again to run again", n, r.in.PreviewLabel))
	}
	fmt.Fprintf(r.env.Stdout, "smpipe: %s (%s access) asked for a preview of pull request #%d at %s; label %q removed\n",
		ev.Sender, perm, n, gitrev.ShortSHA(current.HeadSHA), r.in.PreviewLabel)
	return r.previewDeploy(ctx, n, current, ev.Sender)
}

// previewEnvironmentProblem says why this job may not run a preview when
// its OIDC token shows it outside the preview environment: a pull request
// can drop `environment:` from its own workflow, and then no reviewer
// approved the run. The preview deploy role's trust policy refuses such a
// token in AWS as well; this check makes the refusal early and plain, with
// the label left for a rerun.
func (r *runner) previewEnvironmentProblem(ctx context.Context, n int) string {
	claims, err := deploy.ReadJobClaims(ctx, deploy.CredentialOptions{Audience: r.in.Audience, Getenv: r.env.Getenv})
	if err != nil {
		return fmt.Sprintf("smpipe: a preview job must run in the GitHub environment %q (preview-environment), and smpipe reads the job's "+
			"environment from its OIDC token: %s; nothing was deployed", r.in.PreviewEnvironment, err)
	}
	if claims.Environment == r.in.PreviewEnvironment {
		return ""
	}
	where := "in no GitHub environment"
	if claims.Environment != "" {
		where = fmt.Sprintf("in the GitHub environment %q", claims.Environment)
	}
	return fmt.Sprintf("smpipe: this job runs %s (OIDC subject %q), so no reviewer of %q approved it: a preview of pull request #%d "+
		"runs only in a job with `environment: %s`, whose required reviewers approve the spending; nothing was deployed and the label %q stays",
		where, claims.Subject, r.in.PreviewEnvironment, n, r.in.PreviewEnvironment, r.in.PreviewLabel)
}

// previewDeploy compiles, from git objects, the pipelines the pull
// request touches at its head as previews, and deploys and starts them.
func (r *runner) previewDeploy(ctx context.Context, n int, current ghreport.OpenPullRequest, requester string) int {
	gha := r.gha
	head, suffix := current.HeadSHA, preview.Suffix(n)
	opts := r.compile
	opts.Role = r.in.PreviewRoleARN
	opts.Preview = &compiler.Preview{Suffix: suffix, Prefix: r.in.PreviewPrefix}
	rv, err := plan.OpenRevisions(plan.GitOptions{Dir: r.dir, Token: r.in.Token, TokenHost: r.tokenHost(), Compile: opts})
	if err != nil {
		return r.refusePreview(fmt.Sprintf("smpipe: opening the repository: %s", err))
	}
	defer rv.Close()
	base, err := rv.MergeBase(ctx, cmp.Or(current.BaseSHA, r.ev.PullRequest.BaseSHA), head)
	if err != nil {
		return r.refusePreview(fmt.Sprintf("smpipe: finding where pull request #%d branched off: %s", n, err))
	}
	touched, err := rv.Touched(ctx, base, head)
	if err != nil {
		return r.refusePreview("smpipe: " + err.Error())
	}
	rep := ghreport.PreviewReport{Label: r.in.Label, PR: n, Head: head, Suffix: suffix, Requester: requester, Role: r.in.PreviewRoleARN,
		Prefix: r.in.PreviewPrefix, Region: r.region}
	artifacts, err := os.MkdirTemp("", "smpipe-artifacts-")
	if err != nil {
		return r.refusePreview(fmt.Sprintf("smpipe: creating a directory for built artifacts: %s", err))
	}
	defer os.RemoveAll(artifacts)
	var res *compiler.Result
	if len(touched) > 0 {
		var deleted []string
		built, diags, err := rv.Build(ctx, head, artifacts, func(repo *compiler.Repository) ([]string, error) {
			var present []string
			present, deleted = repo.Defined(touched)
			if len(present) == 0 {
				return nil, nil
			}
			return repo.SelectNames(present)
		})
		if err != nil {
			return r.refusePreview("smpipe: " + err.Error())
		}
		res = built
		for _, name := range deleted {
			fmt.Fprintf(r.env.Stdout, "smpipe: pipeline %q is deleted by the pull request: nothing to preview\n", name)
		}
		_ = ghreport.Annotations(r.env.Stdout, prefixed(inPlans(diags, built.Plans), r.in.WorkingDirectory), 10)
	}
	if res == nil || len(res.Plans) == 0 {
		rep.Note = fmt.Sprintf("Pull request #%d touches no pipeline at this head: nothing to preview.", n)
		r.postPreview(ctx, n, head, ghreport.PreviewMarkdown(rep), nil)
		return r.previewNote("smpipe: " + rep.Note)
	}

	var ready []*compiler.Plan
	for _, p := range res.Plans {
		rep.Bucket = p.Bucket
		if err := Deployable(p, r.compile.Getenv); err != nil {
			rep.Problems = append(rep.Problems, err.Error())
			gha.Errorf("smpipe: %s", err)
			continue
		}
		ready = append(ready, p)
	}
	var results []deploy.Result
	if len(ready) > 0 {
		gha.Group("smpipe preview: stage, upsert, start")
		results, err = r.deployPreviews(ctx, rv, head, n, ready)
		gha.EndGroup()
		if err != nil {
			return r.refusePreview("smpipe: " + err.Error())
		}
	}
	production := map[string]string{}
	for _, p := range ready {
		production[p.Name] = p.PreviewOf
	}
	for _, res := range results {
		rep.Pipelines = append(rep.Pipelines, ghreport.PreviewPipeline{Pipeline: production[res.Pipeline], Result: res})
	}
	out := r.deployOutputs(results)
	out.errors += len(rep.Problems)
	// Each started preview: a GitHub deployment the report run follows,
	// and its results block in the plan comment.
	fw := r.followPreviews(ctx, head, n, results)
	section := ghreport.PreviewMarkdown(rep)
	full := ghreport.PreviewTitle(r.in.Label) + "\n" + section + "\n"
	for _, name := range slices.Sorted(maps.Keys(fw.blocks)) {
		full = ghreport.SetResult(full, name, fw.blocks[name])
	}
	out.report = r.redact(full)
	r.summary(out.report)
	r.setOutputs(out)
	// The records of ended previews are final only once the plan comment
	// holds their results; else the report run writes them.
	// The plan comment has the plan too: results go there without their
	// steps tables once they would take a large part of its room.
	blocks, size := fw.blocks, 0
	for _, b := range blocks {
		size += len(b)
	}
	if size > ghreport.MaxCommentChars/4 {
		blocks = fw.compact
	}
	if r.postPreview(ctx, n, head, section, blocks) {
		fw.finish(ctx, r, nil)
	}
	if out.errors > 0 {
		return exitFailed
	}
	return exitOK
}

// followPreviews records each started preview as a GitHub deployment of
// head (in a transient environment, not production) that the report run
// follows, its results shown in the preview section of pull request pr's
// plan comment, and returns each preview's block and finish, as track.
func (r *runner) followPreviews(ctx context.Context, head string, pr int, deployed []deploy.Result) *followed {
	var targets []results.Target
	for _, res := range deployed {
		if res.ExecutionARN != "" && (res.Start == deploy.Started || res.Start == deploy.AlreadyStarted) {
			targets = append(targets, results.Target{Pipeline: res.Pipeline, Execution: res.ExecutionARN, Region: r.region, Commit: head,
				Environment: res.Pipeline, Comment: results.Comment{PR: pr, Kind: ghreport.KindPlan, Label: r.in.Label}})
		}
	}
	return r.track(ctx, head, targets)
}

// deployPreviews deploys plans as preview pr of commit head, with the
// preview role's credentials, and starts them: once per workflow run, so
// that adding the label again runs again.
func (r *runner) deployPreviews(ctx context.Context, rv *plan.Revisions, head string, pr int, plans []*compiler.Plan) ([]deploy.Result, error) {
	d, id, err := r.deployer(ctx, rv, head, "previews ")
	if err != nil {
		return nil, err
	}
	opts := deploy.Options{CommitSHA: head, Repository: r.repo, Version: r.env.Version, Start: true, Wait: r.in.Wait,
		WaitTimeout: r.in.WaitTimeout, KMSKeyID: r.in.KMSKey, AccountID: id.Account, Region: r.region,
		Preview: preview.Suffix(pr), Tags: map[string]string{preview.TagPullRequest: strconv.Itoa(pr)},
		StartKey: "run-" + or(r.env.Getenv("GITHUB_RUN_ID"), head)}
	return d.Deploy(ctx, Targets(plans), opts), nil
}

// postPreview puts the preview into the plan comment of the pull request,
// and reports whether nothing was left unwritten: the comment holds it, or
// there is no comment to write.
func (r *runner) postPreview(ctx context.Context, pr int, head, section string, blocks map[string]string) bool {
	if r.in.Comment == commentOff || r.in.Token == "" {
		return true
	}
	c, err := r.client(ctx)
	if err != nil {
		r.gha.Warningf("smpipe: could not put the preview into pull request #%d's plan comment: %s", pr, err)
		return false
	}
	owner, repo := r.owner()
	m := ghreport.Marker{Kind: ghreport.KindPlan, Label: r.in.Label, PR: pr, Head: head}
	redacted := map[string]string{}
	for name, md := range blocks {
		redacted[name] = r.redact(md)
	}
	out, err := ghreport.PutPreview(ctx, c, owner, repo, pr, m, r.redact(section), redacted)
	switch {
	case err == nil && out.Action == ghreport.NoPermission:
		err = errors.New("the token may not write comments (give the job `permissions: pull-requests: write`)")
	case err == nil && out.Action == ghreport.Superseded:
		err = fmt.Errorf("the plan comment is of a newer head than %s, which this preview ran: the pull request moved on meanwhile, so the preview is in this job summary only", gitrev.ShortSHA(head))
	}
	if err != nil {
		r.gha.Warningf("smpipe: could not put the preview into pull request #%d's plan comment: %s", pr, err)
		return false
	}
	return true
}

// previewClosed deletes the previews of a closed pull request.
func (r *runner) previewClosed(ctx context.Context) int {
	ev := r.ev.PullRequest
	if ev.IsFork {
		return r.previewNote(fmt.Sprintf("smpipe: pull request #%d came from a fork, which never runs previews: nothing to delete", ev.Number))
	}
	if _, _, err := r.awsConfig(ctx); err != nil {
		return r.refusePreview("smpipe: " + err.Error())
	}
	sm, _ := deploy.NewClients(*r.awsCfg, r.env.Getenv)
	found, err := preview.List(ctx, sm, r.repo, preview.ForPullRequest(ev.Number))
	if err != nil {
		return r.refusePreview("smpipe: " + err.Error())
	}
	var theirs []preview.Pipeline
	for _, p := range found {
		if p.Of(ev.Number) {
			theirs = append(theirs, p)
		}
	}
	return r.reportDeleted(fmt.Sprintf("pull request #%d was closed", ev.Number), r.deletePreviews(ctx, sm, theirs))
}

// previewSweep is mode preview on a schedule or a dispatch: the previews
// of closed pull requests are deleted.
func (r *runner) previewSweep(ctx context.Context) int {
	if r.in.Token == "" {
		return r.refusePreview("smpipe: deleting the previews of closed pull requests needs the github-token input, to ask GitHub which are closed")
	}
	if _, _, err := r.awsConfig(ctx); err != nil {
		return r.refusePreview("smpipe: " + err.Error())
	}
	deleted, err := r.sweepPreviews(ctx)
	if err != nil {
		return r.refusePreview("smpipe: " + err.Error())
	}
	return r.reportDeleted("their pull requests are closed", deleted)
}

// sweepPreviews deletes every preview whose pull request GitHub says is
// closed, with the credentials awsConfig made.
func (r *runner) sweepPreviews(ctx context.Context) ([]preview.Deleted, error) {
	c, err := r.client(ctx)
	if err != nil {
		return nil, err
	}
	sm, _ := deploy.NewClients(*r.awsCfg, r.env.Getenv)
	found, err := preview.List(ctx, sm, r.repo, preview.AnyPullRequest)
	if err != nil {
		return nil, err
	}
	owner, repo := r.owner()
	state := map[int]string{}
	var closed []preview.Pipeline
	var unknown []preview.Deleted
	for _, p := range found {
		if !p.Of(p.PR) {
			continue
		}
		if _, ok := state[p.PR]; !ok {
			pr, err := ghreport.GetPullRequest(ctx, c, owner, repo, p.PR)
			if err != nil {
				// Left for a later run: only GitHub's record says it is closed.
				unknown = append(unknown, preview.Deleted{Pipeline: p, Err: err})
				continue
			}
			state[p.PR] = pr.State
		}
		if state[p.PR] == "closed" {
			closed = append(closed, p)
		}
	}
	return append(r.deletePreviews(ctx, sm, closed), unknown...), nil
}

// deletePreviews deletes previews, stopping what runs of them first.
func (r *runner) deletePreviews(ctx context.Context, sm preview.SageMakerAPI, previews []preview.Pipeline) []preview.Deleted {
	d := &preview.Deleter{SageMaker: sm, Log: r.env.Stdout}
	var out []preview.Deleted
	for _, p := range previews {
		out = append(out, d.Delete(ctx, p))
	}
	return out
}

// reportDeleted writes what a clean-up deleted, and why, to the log, the
// job summary and the outputs.
func (r *runner) reportDeleted(why string, deleted []preview.Deleted) int {
	out := outputs{}
	var rows []ghreport.DeletedPreview
	for _, d := range deleted {
		status := "deleted"
		if d.Err != nil {
			status = "failed"
			out.errors++
			r.gha.Errorf("smpipe: %s", d.Err)
		}
		rows = append(rows, ghreport.DeletedPreview{Name: d.Name, PR: d.PR, Stopped: len(d.Stopped), Err: d.Err})
		out.pipelines = append(out.pipelines, pipelineOutput{Name: d.Name, Status: status})
	}
	out.report = r.redact(ghreport.CleanupMarkdown(r.in.Label, why, rows))
	r.summary(out.report)
	r.setOutputs(out)
	if out.errors > 0 {
		return exitFailed
	}
	return exitOK
}

// cleanUpAfterReport is mode report's clean-up (input preview-cleanup):
// the previews of closed pull requests are deleted. What fails is a
// warning, never a failed report; the next scheduled run tries again.
func (r *runner) cleanUpAfterReport(ctx context.Context) {
	if !r.in.PreviewCleanup || r.in.Token == "" {
		return
	}
	warn := func(err error) {
		r.gha.Warningf("smpipe: the previews of closed pull requests were not deleted: %s (the next run tries again)", err)
	}
	if r.awsCfg == nil {
		if _, _, err := r.awsConfig(ctx); err != nil {
			warn(err)
			return
		}
	}
	deleted, err := r.sweepPreviews(ctx)
	if err != nil {
		warn(err)
		return
	}
	if len(deleted) == 0 {
		return
	}
	var rows []ghreport.DeletedPreview
	for _, d := range deleted {
		if d.Err != nil {
			warn(d.Err)
		}
		rows = append(rows, ghreport.DeletedPreview{Name: d.Name, PR: d.PR, Stopped: len(d.Stopped), Err: d.Err})
	}
	r.summary(r.redact(ghreport.CleanupMarkdown(r.in.Label, "their pull requests are closed", rows)))
}
