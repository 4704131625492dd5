package action

import (
	"context"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/smpipe/smpipe-action/compiler"
	"github.com/smpipe/smpipe-action/compiler/diag"
	"github.com/smpipe/smpipe-action/deploy"
	"github.com/smpipe/smpipe-action/ghreport"
	"github.com/smpipe/smpipe-action/gitrev"
	"github.com/smpipe/smpipe-action/internal/listinput"
	"github.com/smpipe/smpipe-action/plan"
	"github.com/smpipe/smpipe-action/provenance"
)

// deploy compiles, from the git objects of the deployed commit, the
// pipelines this run deploys — those a push touched, those a
// workflow_dispatch names, or all of them (a dispatch without names, a
// schedule) — and deploys them. Every path asks one question of each
// pipeline it would change in SageMaker, the gate of package provenance:
// is its definition one a reviewed pull request into this branch brought?
func (r *runner) deploy(ctx context.Context) int {
	gha := r.gha
	sha := r.env.Getenv("GITHUB_SHA")
	branch, err := r.deployBranch()
	if err != nil {
		return r.refuse(err.Error())
	}
	rv, err := plan.OpenRevisions(plan.GitOptions{Dir: r.dir, Token: r.in.Token, TokenHost: r.tokenHost(), Compile: r.compile})
	if err != nil {
		return r.refuse(fmt.Sprintf("smpipe: opening the repository: %s", err))
	}
	defer rv.Close()
	artifacts, err := os.MkdirTemp("", "smpipe-artifacts-")
	if err != nil {
		return r.refuse(fmt.Sprintf("smpipe: creating a directory for built artifacts: %s", err))
	}
	defer os.RemoveAll(artifacts)

	sel, err := r.deploySelection(ctx, rv, sha, artifacts)
	if err != nil {
		return r.refuse("smpipe: " + err.Error())
	}
	for _, n := range sel.notes {
		gha.Noticef("%s", n)
	}
	_ = ghreport.Annotations(r.env.Stdout, prefixed(sel.diags, r.in.WorkingDirectory), 10)

	var results []deploy.Result
	var ready []*compiler.Plan
	for _, p := range sel.plans {
		if err := Deployable(p, r.compile.Getenv); err != nil {
			results = append(results, deploy.Result{Pipeline: p.Name, Status: deploy.StatusFailed, Hash: p.Hash, Err: err})
			continue
		}
		ready = append(ready, p)
	}

	var refusals ghreport.Refusals
	if len(ready) > 0 {
		gate := &gate{r: r, rv: rv, sha: sha, plans: ready,
			question: &provenance.Gate{History: rv, Records: r.records(), Branch: branch, RequireApproval: r.in.RequireApproval}}
		gha.Group("smpipe deploy: stage, upsert, start")
		deployed, err := r.runDeployer(ctx, ready, sha, rv, gate.approve)
		gha.EndGroup()
		if err != nil {
			return r.refuse("smpipe: " + err.Error())
		}
		results = append(results, deployed...)
		refusals = gate.refusals
		for _, line := range ghreport.RefusalsLog(refusals) {
			fmt.Fprintln(r.env.Stdout, line)
		}
	}
	slices.SortStableFunc(results, func(a, b deploy.Result) int { return strings.Compare(a.Pipeline, b.Pipeline) })

	out := r.deployOutputs(results)
	pr := 0
	if r.ev.Push != nil && r.in.Token != "" && len(results) > 0 {
		if merged, ok, err := r.mergedAs(ctx, sha); err != nil {
			gha.Warningf("smpipe: could not find the pull request merged as %s to post the deploy result: %s", sha, err)
		} else if ok {
			pr = merged.Number
		}
	}
	// Each started execution: a GitHub deployment to follow, and its
	// results (at once with wait, else from a later report run).
	fw := r.followExecutions(ctx, sha, pr, results)

	// One report: the job summary has room for all of it, the output and
	// the comment have a budget.
	var full string
	full, out.report = r.deployReport(results, refusals, fw)
	r.summary(full)
	r.setOutputs(out)

	if pr > 0 && r.in.Comment != commentOff {
		worthNew := r.in.Comment != commentChangesOnly || out.changed || out.errors > 0
		if err := r.postDeploy(ctx, pr, sha, out.report, worthNew); err != nil {
			gha.Warningf("smpipe: could not post the deploy result to pull request #%d: %s; the results of ended executions are left to the report run", pr, err)
		} else {
			// Only the results the comment holds whole, after any cut to
			// GitHub's limit, are shown.
			fw.finish(ctx, r, ghreport.ResultsHeld(out.report))
		}
	} else {
		fw.finish(ctx, r, nil) // no comment to write: the job summary has the results
	}
	if deploy.Failed(results) {
		return exitFailed
	}
	return exitOK
}

// deployOutputs are the outputs of deploy results, each error logged.
func (r *runner) deployOutputs(results []deploy.Result) outputs {
	out := outputs{}
	for _, res := range results {
		out.pipelines = append(out.pipelines, pipelineOutput{Name: res.Pipeline, Status: string(res.Status), Execution: string(res.Start),
			Summary: res.Summary(), Hash: res.Hash, ExecutionARN: res.ExecutionARN})
		out.changed = out.changed || res.Status == deploy.StatusCreated || res.Status == deploy.StatusUpdated
		if res.Failed() {
			out.errors++
		}
		if res.Err != nil {
			r.gha.Errorf("%s", res.Err) // every result error names its pipeline
		}
	}
	return out
}

// deployReport renders the deploy report once in full (the job summary)
// and, when that is over the comment budget, once more without the parts
// only the summary has room for.
//
// The results blocks go in whole; over the budget they lose their steps
// tables (fw.compact).
func (r *runner) deployReport(results []deploy.Result, refusals ghreport.Refusals, fw *followed) (full, budgeted string) {
	if len(results) == 0 {
		note := r.redact(ghreport.DeployNote(r.in.Label, "No pipeline to deploy: the change touches none."))
		return note, note
	}
	render := func(budget int, blocks map[string]string) string {
		body := ghreport.DeployTitle(r.in.Label) + "\n" +
			ghreport.DeployMarkdown(results, ghreport.DeployOptions{Region: r.region, Budget: budget}) + ghreport.RefusalsMarkdown(refusals)
		for _, name := range slices.Sorted(maps.Keys(blocks)) {
			body = ghreport.SetResult(body, name, blocks[name])
		}
		return r.redact(body)
	}
	full = render(-1, fw.blocks)
	if len(full) <= ghreport.DefaultBudget {
		return full, full
	}
	if budgeted = render(0, fw.blocks); len(budgeted) <= ghreport.DefaultBudget {
		return full, budgeted
	}
	return full, render(0, fw.compact)
}

// deployBranch is the branch this run deploys, once the event and the
// inputs allow it: the default branch, or one the deploy-branches input
// names; with allow-unreviewed, a dispatch may deploy any ref.
func (r *runner) deployBranch() (string, error) {
	var ref, def string
	switch {
	case r.ev.Push != nil:
		ref, def = r.ev.Push.Ref, r.ev.Push.DefaultBranch
	case r.ev.Dispatch != nil:
		ref, def = r.ev.Dispatch.Ref, r.ev.Dispatch.DefaultBranch
	default: // schedule: GitHub runs it on the default branch
		ref = r.env.Getenv("GITHUB_REF")
		def = strings.TrimPrefix(ref, "refs/heads/")
	}
	branch, isBranch := strings.CutPrefix(ref, "refs/heads/")
	switch {
	case isBranch && branch == def && def != "":
		return branch, nil
	case isBranch && slices.Contains(r.in.DeployBranches, branch):
		return branch, nil
	case r.ev.Dispatch != nil && r.in.AllowUnreviewed:
		return branch, nil
	}
	what := "a push to " + or(ref, "an unknown ref")
	if r.ev.Dispatch != nil {
		what = "workflow_dispatch on " + or(ref, "an unknown ref")
	}
	return "", fmt.Errorf("smpipe: %s refused: smpipe deploys only from the default branch (%s), where every change arrived "+
		"through a reviewed pull request, and from branches the deploy-branches input lists; nothing was deployed. "+
		"Run it on %s, or list the branch in deploy-branches (its pull requests are then reviewed as the default branch's)",
		what, or(def, "unknown"), or(def, "the default branch"))
}

// mergedAs is the pull request merged as commit sha, from GitHub's records.
func (r *runner) mergedAs(ctx context.Context, sha string) (ghreport.PullRequest, bool, error) {
	prs, err := r.records().PullRequests(ctx, sha)
	if err != nil {
		return ghreport.PullRequest{}, false, err
	}
	pr, ok := ghreport.MergedAs(prs, sha)
	return pr, ok, nil
}

// Deployable says why a compiled pipeline must not reach AWS: it failed to
// compile, or its definition still carries placeholders the deploy's
// environment does not set (or sets to nothing: empty, or only spaces and
// commas, unless allowed).
// The plan of a pull request shows the same.
func Deployable(p *compiler.Plan, getenv func(string) (string, bool)) error {
	if p.Failed {
		return fmt.Errorf("pipeline %q: %s does not compile; fix the errors annotated on it", p.Name, p.Anchor)
	}
	if len(p.Unresolved) == 0 {
		return nil
	}
	var unset, empty []string
	for _, name := range p.Unresolved {
		if v, ok := getenv(name); ok && compiler.IsBlank(v) {
			empty = append(empty, name)
		} else {
			unset = append(unset, name)
		}
	}
	var problems []string
	if len(unset) > 0 {
		problems = append(problems, fmt.Sprintf("%s not set in the deploy's environment, so the definition would reach SageMaker "+
			"with it as literal text; set it (in a workflow: env: %s: ${{ vars.%s }})", placeholderList(unset), unset[0], unset[0]))
	}
	if len(empty) > 0 {
		problems = append(problems, fmt.Sprintf("%s set to nothing in the deploy's environment (empty, or only spaces and commas), which would drop the "+
			"setting from the definition (an empty SMP_SUBNETS means no VPC); a repository variable that does not exist reads "+
			"as empty: create it, or, if empty is meant, list the placeholder in the allow-empty input", placeholderList(empty)))
	}
	return fmt.Errorf("pipeline %q: %s", p.Name, strings.Join(problems, "; "))
}

func placeholderList(names []string) string {
	if len(names) == 1 {
		return "placeholder " + names[0] + " is"
	}
	return "placeholders " + strings.Join(names, ", ") + " are"
}

// gate is the review question as the deployer asks it: once, about the
// pipelines that would change SageMaker. It keeps what the refusals need
// for the report.
type gate struct {
	r        *runner
	rv       *plan.Revisions
	sha      string
	plans    []*compiler.Plan
	question *provenance.Gate
	refusals ghreport.Refusals
}

func (g *gate) approve(ctx context.Context, names []string) (map[string]string, error) {
	if g.r.in.AllowUnreviewed {
		g.r.gha.Warningf("smpipe: allow-unreviewed is set: deploying %q without asking whether a reviewed pull request brought them", names)
		return nil, nil
	}
	asked := map[string]*compiler.Plan{}
	for _, p := range g.plans {
		if slices.Contains(names, p.Name) {
			asked[p.Name] = p
		}
	}
	verdicts, err := g.question.Decide(ctx, g.sha, asked)
	if err != nil {
		return nil, err
	}
	refused := map[string]string{}
	baseChanges := map[int]func() ([]string, string){}
	for _, v := range verdicts {
		if v.Reviewed {
			by := ""
			if v.ApprovedBy != "" {
				by = fmt.Sprintf(", approved by %s at %s", v.ApprovedBy, gitrev.ShortSHA(v.ApprovedAt))
			}
			fmt.Fprintf(g.r.env.Stdout, "smpipe: pipeline %q: reviewed in pull request #%d (merged as %s%s)\n", v.Pipeline, v.PR.Number,
				gitrev.ShortSHA(v.Origin), by)
			continue
		}
		refused[v.Pipeline] = v.Reason
		f := ghreport.Refusal{Pipeline: v.Pipeline, Reason: v.Reason, Diff: v.Diff}
		if v.PR != nil && v.Diff != nil {
			f.PR, f.HeadSHA = v.PR.Number, v.PR.HeadSHA
			if baseChanges[f.PR] == nil {
				baseChanges[f.PR] = sync.OnceValues(func() ([]string, string) { return g.changedOnBase(ctx, v.PR.HeadSHA, v.Origin) })
			}
			f.BaseChanges, f.BaseChangesErr = baseChanges[f.PR]()
		}
		g.refusals.List = append(g.refusals.List, f)
	}
	return refused, nil
}

// changedOnBase lists what the branch gained between the pull request's
// fork point and its merge (origin): where an unreviewed difference came
// from.
func (g *gate) changedOnBase(ctx context.Context, head, origin string) ([]string, string) {
	tip, ok, err := g.rv.FirstParent(ctx, origin)
	if err != nil || !ok {
		return nil, fmt.Sprint(err)
	}
	files, err := g.rv.ChangedSince(ctx, head, tip)
	if err != nil {
		return nil, err.Error()
	}
	return files, ""
}

// selection is what a deploy run acts on.
type selection struct {
	plans []*compiler.Plan
	diags diag.Diagnostics
	notes []string
}

// deploySelection compiles, from the git objects of commit sha with their
// artifacts written to dir, what this run deploys: on a push, the
// pipelines its commits touched; on a dispatch, the named ones, else all;
// on a schedule, all.
func (r *runner) deploySelection(ctx context.Context, rv *plan.Revisions, sha, dir string) (selection, error) {
	var sel selection
	var names []string // empty: all
	switch p := r.ev.Push; {
	case p == nil:
		names = r.in.Pipelines
		if d := r.ev.Dispatch; d != nil && len(names) == 0 {
			names = listinput.Split(d.Inputs["pipelines"])
		}
	case p.Before == zeroSHA || p.Before == "" || p.Created:
		sel.notes = append(sel.notes, "smpipe: new branch: deploying every pipeline")
	default:
		touched, err := rv.Touched(ctx, p.Before, sha)
		switch {
		case err != nil && p.Forced:
			sel.notes = append(sel.notes, fmt.Sprintf("smpipe: the commit before the force-push is unknown (%v): deploying every pipeline", err))
		case err != nil:
			return selection{}, err
		case len(touched) == 0:
			return sel, nil
		default:
			names = touched
		}
	}
	pushed := r.ev.Push != nil && len(names) > 0
	res, ds, err := rv.Build(ctx, sha, dir, func(repo *compiler.Repository) ([]string, error) {
		if !pushed {
			return repo.SelectNames(names)
		}
		// A push may have deleted a pipeline it touched.
		present, deleted := repo.Defined(names)
		for _, n := range deleted {
			sel.notes = append(sel.notes, fmt.Sprintf("smpipe: pipeline %q was deleted from the repository; smpipe does not delete it from SageMaker", n))
		}
		if len(present) == 0 {
			return nil, nil
		}
		return repo.SelectNames(present)
	})
	if err != nil {
		return selection{}, err
	}
	sel.plans, sel.diags = res.Plans, inPlans(ds, res.Plans)
	return sel, nil
}

// refuse ends a deploy run that could not go on and touched nothing in AWS:
// why, in the log, the job summary and the outputs.
func (r *runner) refuse(msg string) int { return r.end(ghreport.DeployNote, msg, true) }

// end ends a run with msg alone: in the log (an error when failed, else a
// notice), and as note renders it in the job summary and the outputs.
func (r *runner) end(note func(label, msg string) string, msg string, failed bool) int {
	report := r.redact(note(r.in.Label, msg))
	out, code := outputs{report: report}, exitOK
	if failed {
		r.gha.Errorf("%s", msg)
		out.errors, code = 1, exitFailed
	} else {
		r.gha.Noticef("%s", msg)
	}
	r.summary(report)
	r.setOutputs(out)
	return code
}

// runDeployer gets credentials, checks whose they are, and deploys plans,
// reading their local data files from the git objects of commit sha. It asks
// approve about the pipelines it would change, and judges drift against
// what the commit recorded on each live pipeline compiles to. Nothing is
// written to AWS before the account is known to be allowed.
func (r *runner) runDeployer(ctx context.Context, plans []*compiler.Plan, sha string, rv *plan.Revisions,
	approve func(context.Context, []string) (map[string]string, error)) ([]deploy.Result, error) {
	d, id, err := r.deployer(ctx, rv, sha, "")
	if err != nil {
		return nil, err
	}
	opts := deploy.Options{CommitSHA: sha, Repository: r.repo, Version: r.env.Version, Start: r.in.StartExecution,
		Wait: r.in.Wait, WaitTimeout: r.in.WaitTimeout, KMSKeyID: r.in.KMSKey, AccountID: id.Account, Region: r.region,
		Adopt: r.in.Adopt, Approve: approve, Recorded: RecordedAt(rv, plans),
		// Never backwards: a pipeline whose live commit is not an ancestor
		// of this one stays as it is, which makes re-runs of old jobs
		// harmless.
		IsAncestor: rv.IsAncestor}
	return d.Deploy(ctx, Targets(plans), opts), nil
}

// deployer gets credentials, checks whose they are, and makes a Deployer
// that reads local data files from the git objects of commit sha; what
// names what it deploys, for the log ("" or "previews ").
func (r *runner) deployer(ctx context.Context, rv *plan.Revisions, sha, what string) (*deploy.Deployer, deploy.Identity, error) {
	tree, err := rv.Tree(ctx, sha)
	if err != nil {
		return nil, deploy.Identity{}, err
	}
	cfg, id, err := r.awsConfig(ctx)
	if err != nil {
		return nil, deploy.Identity{}, err
	}
	fmt.Fprintf(r.env.Stdout, "smpipe: deploying %sto AWS account %s as %s\n", what, id.Account, id.ARN)
	d := &deploy.Deployer{Root: tree, Log: r.env.Stdout}
	d.SageMaker, d.S3 = deploy.NewClients(cfg, r.env.Getenv)
	return d, id, nil
}

// RecordedAt compiles, for the deploy's drift check, what a commit deploys
// of a pipeline: every pipeline of plans is compiled once per commit asked
// about, from git objects in this deploy's environment.
func RecordedAt(rv *plan.Revisions, plans []*compiler.Plan) func(ctx context.Context, commit, pipeline string) (deploy.Recorded, error) {
	var names []string
	for _, p := range plans {
		names = append(names, p.Name)
	}
	var mu sync.Mutex
	byCommit := map[string]map[string]*compiler.Plan{}
	return func(ctx context.Context, commit, pipeline string) (deploy.Recorded, error) {
		mu.Lock()
		defer mu.Unlock()
		compiled, ok := byCommit[commit]
		if !ok {
			var err error
			if compiled, err = rv.Compile(ctx, commit, names); err != nil {
				return deploy.Recorded{}, err
			}
			byCommit[commit] = compiled
		}
		p := compiled[pipeline]
		switch {
		case p == nil:
			return deploy.Recorded{}, fmt.Errorf("commit %s does not define pipeline %q", gitrev.ShortSHA(commit), pipeline)
		case p.Failed || len(p.Unresolved) > 0:
			return deploy.Recorded{}, fmt.Errorf("pipeline %q does not compile at commit %s in this deploy's environment", pipeline, gitrev.ShortSHA(commit))
		}
		return deploy.Recorded{Definition: p.Definition, Role: p.Role}, nil
	}
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
	r.awsCfg = &cfg
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
