package action

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/smpipe/smpipe-action/compiler"
	"github.com/smpipe/smpipe-action/compiler/diag"
	"github.com/smpipe/smpipe-action/deploy"
	"github.com/smpipe/smpipe-action/ghreport"
	"github.com/smpipe/smpipe-action/gitrev"
	"github.com/smpipe/smpipe-action/plan"
	"github.com/smpipe/smpipe-action/provenance"
)

// deploy compiles the pipelines to deploy — those a push touched, or those a
// workflow_dispatch names — refuses the ones that are not what their pull
// request reviewed, and stages, upserts and starts the others.
func (r *runner) deploy(ctx context.Context) int {
	gha := r.gha
	sha := r.env.Getenv("GITHUB_SHA")
	if d := r.ev.Dispatch; d != nil && !d.OnDefaultBranch() && !r.in.AllowUnreviewed {
		// Only the default branch holds reviewed changes; anything else
		// would deploy what nobody approved.
		return r.refuse(fmt.Sprintf("smpipe: workflow_dispatch on %s refused: smpipe deploys only from the default branch (%s), "+
			"where every change arrived through a reviewed pull request; nothing was deployed. Run the workflow on %s, "+
			"or set allow-unreviewed: true to deploy this ref anyway", d.Ref, or(d.DefaultBranch, "unknown"), or(d.DefaultBranch, "the default branch")))
	}

	files, err := r.openDeployFiles()
	if err != nil {
		return r.refuse(err.Error())
	}
	defer files.Close()
	sel, err := r.deploySelection(ctx, sha, files)
	if err != nil {
		return r.refuse(err.Error())
	}
	for _, n := range sel.notes {
		gha.Noticef("%s", n)
	}
	_ = ghreport.Annotations(r.env.Stdout, prefixed(sel.diags, r.in.WorkingDirectory), 10)

	var results []deploy.Result
	ready := map[string]*compiler.Plan{}
	for _, p := range sel.plans {
		if err := Deployable(p); err != nil {
			results = append(results, deploy.Result{Pipeline: p.Name, Status: deploy.StatusFailed, Hash: p.Hash, Err: err})
			continue
		}
		ready[p.Name] = p
	}

	var refusals ghreport.Refusals
	var pr *ghreport.PullRequest
	if r.ev.Push != nil && len(sel.plans) > 0 {
		if pr, err = r.mergedPullRequest(ctx, sha); err != nil {
			return r.refuse(fmt.Sprintf("smpipe: finding the pull request merged as %s: %s", sha, err))
		}
		if pr == nil {
			gha.Noticef("smpipe: commit %s is not the merge of a pull request (a direct push?), so nothing in it was reviewed", sha)
		}
		if !r.in.AllowUnreviewed && len(ready) > 0 {
			refusals, err = r.checkProvenance(ctx, sha, pr, ready)
			if err != nil {
				return r.refuse(fmt.Sprintf("smpipe: checking what was reviewed: %s", err))
			}
			for _, f := range refusals.List {
				results = append(results, deploy.Result{Pipeline: f.Pipeline, Status: deploy.StatusFailed, Hash: ready[f.Pipeline].Hash,
					Err: fmt.Errorf("pipeline %q not deployed: %s", f.Pipeline, f.Reason)})
				delete(ready, f.Pipeline)
			}
			for _, line := range ghreport.RefusalsLog(refusals) {
				fmt.Fprintln(r.env.Stdout, line)
			}
		}
	}

	if len(ready) > 0 {
		gha.Group("smpipe deploy: stage, upsert, start")
		deployed, err := r.runDeployer(ctx, Targets(sortedPlans(ready)), sha, files)
		gha.EndGroup()
		if err != nil {
			return r.refuse("smpipe: " + err.Error())
		}
		results = append(results, deployed...)
	}
	slices.SortStableFunc(results, func(a, b deploy.Result) int { return strings.Compare(a.Pipeline, b.Pipeline) })

	// The job summary has room for everything; the comment has a budget.
	render := func(budget int) string {
		return r.redact(ghreport.DeployTitle(r.in.Label) + "\n" +
			ghreport.DeployMarkdown(results, ghreport.DeployOptions{Region: r.region, Budget: budget}) + ghreport.RefusalsMarkdown(refusals))
	}
	full, report := render(-1), render(0)
	if len(results) == 0 {
		report = r.redact(ghreport.DeployNote(r.in.Label, "No pipeline to deploy: the change touches none."))
		full = report
	}
	r.summary(full)
	out := outputs{report: report}
	for _, res := range results {
		out.pipelines = append(out.pipelines, pipelineOutput{Name: res.Pipeline, Status: string(res.Status), Execution: string(res.Start),
			Summary: res.Summary(), Hash: res.Hash, ExecutionARN: res.ExecutionARN})
		out.changed = out.changed || res.Status == deploy.StatusCreated || res.Status == deploy.StatusUpdated
		if res.Failed() {
			out.errors++
		}
		if res.Err != nil {
			gha.Errorf("%s", res.Err) // every result error names its pipeline
		}
	}
	r.setOutputs(out)
	if pr != nil && r.in.Comment != commentOff && r.in.Token != "" && len(results) > 0 {
		worthNew := r.in.Comment != commentChangesOnly || out.changed || out.errors > 0
		if err := r.postDeploy(ctx, pr.Number, sha, report, worthNew); err != nil {
			gha.Warningf("smpipe: could not post the deploy result to pull request #%d: %s", pr.Number, err)
		}
	}
	if deploy.Failed(results) {
		return exitFailed
	}
	return exitOK
}

// Deployable says why a compiled pipeline must not reach AWS: it failed to
// compile, or its definition still carries placeholders the deploy's
// environment does not set. The plan of a pull request shows the same.
func Deployable(p *compiler.Plan) error {
	if p.Failed {
		return fmt.Errorf("pipeline %q: %s does not compile; fix the errors annotated on it", p.Name, p.Anchor)
	}
	if len(p.Unresolved) > 0 {
		what := "placeholder " + p.Unresolved[0] + " is"
		if len(p.Unresolved) > 1 {
			what = "placeholders " + strings.Join(p.Unresolved, ", ") + " are"
		}
		return fmt.Errorf("pipeline %q: %s not set in the deploy's environment, so the definition would reach SageMaker "+
			"with it as literal text; set it (in a workflow: env: %s: ${{ vars.%s }})", p.Name, what, p.Unresolved[0], p.Unresolved[0])
	}
	return nil
}

// checkProvenance refuses the pipelines that are not what pull request pr
// reviewed (all of them when pr is nil) and explains why.
func (r *runner) checkProvenance(ctx context.Context, sha string, pr *ghreport.PullRequest, merged map[string]*compiler.Plan) (ghreport.Refusals, error) {
	rv, err := plan.OpenRevisions(plan.GitOptions{Dir: r.dir, Token: r.in.Token, Compile: r.compile})
	if err != nil {
		return ghreport.Refusals{}, err
	}
	defer rv.Close()
	in := provenance.Input{Merge: sha, PR: pr, Merged: merged, RequireApproval: r.in.RequireApproval}
	if pr != nil && r.in.RequireApproval {
		if in.Reviews, err = r.reviews(ctx, pr.Number); err != nil {
			return ghreport.Refusals{}, err
		}
	}
	verdicts, err := provenance.Decide(ctx, in, rv.Compile)
	if err != nil {
		return ghreport.Refusals{}, err
	}
	out := ghreport.Refusals{}
	for _, v := range verdicts {
		if !v.Reviewed {
			out.List = append(out.List, ghreport.Refusal{Pipeline: v.Pipeline, Reason: v.Reason, Diff: v.Diff})
		}
	}
	if pr != nil && len(out.List) > 0 {
		out.PR, out.HeadSHA = pr.Number, pr.HeadSHA
		// Where an unreviewed difference came from: what the base branch
		// gained after the pull request branched off.
		if r.ev.Push.Before != "" && r.ev.Push.Before != zeroSHA {
			out.BaseChanges, err = rv.ChangedSince(ctx, pr.HeadSHA, r.ev.Push.Before)
			if err != nil {
				out.BaseChangesErr = err.Error()
			}
		}
	}
	return out, nil
}

// selection is what a deploy run acts on.
type selection struct {
	plans []*compiler.Plan
	diags diag.Diagnostics
	notes []string
}

// deploySelection compiles what this run deploys, its artifacts into
// files: on a push, the pipelines its commits touched; on a dispatch, the
// named ones, else all.
func (r *runner) deploySelection(ctx context.Context, sha string, files *deployFiles) (selection, error) {
	opt := r.compile
	opt.ArtifactDir = files.artifacts
	if r.ev.Push == nil {
		names := r.in.Pipelines
		if d := r.ev.Dispatch; d != nil && len(names) == 0 {
			names = splitList(d.Inputs["pipelines"])
		}
		repo, err := compiler.Load(ctx, files.root, opt)
		if err != nil {
			return selection{}, err
		}
		anchors, err := repo.SelectNames(names)
		if err != nil {
			return selection{}, err
		}
		res, ds, err := repo.Build(ctx, anchors)
		if err != nil {
			return selection{}, err
		}
		return selection{plans: res.Plans, diags: inPlans(ds, res.Plans)}, nil
	}

	// A push: the pipelines touched between before and after. A new branch
	// or a force-push whose before is unknown deploys everything.
	var sel selection
	base := r.ev.Push.Before
	if base == zeroSHA || base == "" || r.ev.Push.Created {
		base = ""
		sel.notes = append(sel.notes, "smpipe: new branch: deploying every pipeline")
	}
	g := plan.GitOptions{Dir: r.dir, Base: base, Head: sha, Token: r.in.Token, Compile: opt}
	res, _, _, err := plan.FromGit(ctx, g)
	if err != nil && base != "" && r.ev.Push.Forced {
		sel.notes = append(sel.notes, fmt.Sprintf("smpipe: the commit before the force-push is unknown (%v): deploying every pipeline", err))
		g.Base = ""
		res, _, _, err = plan.FromGit(ctx, g)
	}
	if err != nil {
		return selection{}, err
	}
	for _, p := range res.Pipelines {
		switch {
		case p.Head == nil:
			sel.notes = append(sel.notes, fmt.Sprintf("smpipe: pipeline %q was deleted from the repository; smpipe does not delete it from SageMaker", p.Name))
		case p.Base != nil && !p.Head.Failed && p.Base.Hash == p.Head.Hash:
			sel.notes = append(sel.notes, fmt.Sprintf("smpipe: pipeline %q: its definition did not change", p.Name))
		default:
			sel.plans = append(sel.plans, p.Head)
		}
	}
	sel.diags = res.Failing
	return sel, nil
}

func sortedPlans(m map[string]*compiler.Plan) []*compiler.Plan {
	out := make([]*compiler.Plan, 0, len(m))
	for _, p := range m {
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b *compiler.Plan) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// refuse ends a deploy run that could not go on and touched nothing in AWS:
// why, in the log, the job summary and the outputs.
func (r *runner) refuse(msg string) int {
	r.gha.Errorf("%s", msg)
	report := r.redact(ghreport.DeployNote(r.in.Label, msg))
	r.summary(report)
	r.setOutputs(outputs{report: report, errors: 1})
	return exitFailed
}

// runDeployer gets credentials, checks whose they are, and deploys. Nothing
// is written to AWS before the account is known to be allowed.
func (r *runner) runDeployer(ctx context.Context, targets []deploy.Target, sha string, files *deployFiles) ([]deploy.Result, error) {
	cfg, id, err := r.awsConfig(ctx)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(r.env.Stdout, "smpipe: deploying to AWS account %s as %s\n", id.Account, id.ARN)
	d := &deploy.Deployer{Root: files.root, Log: r.env.Stdout}
	d.SageMaker, d.S3 = deploy.NewClients(cfg, r.env.Getenv)
	opts := deploy.Options{CommitSHA: sha, Repository: r.repo, Version: r.env.Version, Start: r.in.StartExecution,
		Wait: r.in.Wait, WaitTimeout: r.in.WaitTimeout, KMSKeyID: r.in.KMSKey, AccountID: id.Account, Region: r.region}
	// Never backwards: a pipeline whose live commit is not an ancestor of
	// this one stays as it is, which makes re-runs of old jobs harmless.
	repo, err := gitrev.Open(r.dir)
	if err != nil {
		return nil, fmt.Errorf("opening the checkout to order commits: %w", err)
	}
	defer repo.Close()
	opts.IsAncestor = repo.AncestorFunc(gitrev.FetchOptions{Token: r.in.Token})
	return d.Deploy(ctx, targets, opts), nil
}

// awsConfig gets credentials as the inputs say (role-to-assume with the
// job's OIDC token for role-duration-seconds, else the ambient ones), masks
// them in the log, and asks STS whose they are: with mask-aws-account-id
// the account is masked too (the role's own before any call, since errors
// name it), and an account outside allowed-account-ids is refused before
// anything reads or writes.
func (r *runner) awsConfig(ctx context.Context) (aws.Config, deploy.Identity, error) {
	if r.in.MaskAccountID {
		r.maskAccounts(append([]string{accountOf(r.in.RoleToAssume)}, r.in.AllowedAccountIDs...)...)
	}
	cfg, err := deploy.LoadAWSConfig(ctx, deploy.CredentialOptions{Region: r.region, RoleToAssume: r.in.RoleToAssume,
		RoleSessionName: r.in.RoleSessionName, Audience: r.in.Audience, Duration: r.in.RoleDuration, Getenv: r.env.Getenv})
	if err != nil {
		return aws.Config{}, deploy.Identity{}, err
	}
	if cfg.Credentials != nil {
		if c, err := cfg.Credentials.Retrieve(ctx); err == nil {
			for _, secret := range []string{c.AccessKeyID, c.SecretAccessKey, c.SessionToken} {
				if secret != "" {
					r.gha.AddMask(secret)
				}
			}
		}
	}
	id, err := deploy.WhoAmI(ctx, cfg, r.env.Getenv)
	if err != nil {
		return aws.Config{}, deploy.Identity{}, err
	}
	if r.in.MaskAccountID {
		r.maskAccounts(id.Account)
		r.gha.AddMask(id.ARN)
	}
	if err := deploy.CheckAccount(id, r.in.AllowedAccountIDs); err != nil {
		return aws.Config{}, deploy.Identity{}, err
	}
	return cfg, id, nil
}

// maskAccounts hides account IDs (mask-aws-account-id): the runner masks
// them in the log, and redact takes them out of the deploy report, which
// the runner does not mask in the pull request comment.
func (r *runner) maskAccounts(ids ...string) {
	for _, id := range ids {
		if id != "" && !slices.Contains(r.masked, id) {
			r.gha.AddMask(id)
			r.masked = append(r.masked, id)
		}
	}
}

// redact replaces the masked account IDs in s.
func (r *runner) redact(s string) string {
	for _, id := range r.masked {
		s = strings.ReplaceAll(s, id, "***")
	}
	return s
}

// accountOf is the account ID in an IAM ARN (arn:aws:iam::ACCOUNT:role/x);
// "" for anything else.
func accountOf(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) == 6 && parts[0] == "arn" && deploy.IsAccountID(parts[4]) {
		return parts[4]
	}
	return ""
}

// inPlans keeps the diagnostics in the files of the given plans.
func inPlans(ds diag.Diagnostics, plans []*compiler.Plan) diag.Diagnostics {
	var out diag.Diagnostics
	for _, d := range ds {
		if slices.ContainsFunc(plans, func(p *compiler.Plan) bool { return slices.Contains(p.Files, d.Pos.File) }) {
			out = append(out, d)
		}
	}
	return out
}

// prefixed makes positions relative to the repository root, as workflow
// annotations need, when the action compiles a working-directory.
func prefixed(ds diag.Diagnostics, prefix string) diag.Diagnostics {
	if prefix == "" || prefix == "." {
		return ds
	}
	out := slices.Clone(ds)
	for i := range out {
		if out[i].Pos.File != "" {
			out[i].Pos.File = strings.TrimSuffix(prefix, "/") + "/" + out[i].Pos.File
		}
	}
	return out
}

// zeroSHA is what GitHub sends as `before` for a new branch.
const zeroSHA = "0000000000000000000000000000000000000000"
