package action

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/smpipe/smpipe-action/compiler"
	"github.com/smpipe/smpipe-action/compiler/diag"
	"github.com/smpipe/smpipe-action/deploy"
	"github.com/smpipe/smpipe-action/ghreport"
	"github.com/smpipe/smpipe-action/plan"
)

// deploy compiles the pipelines to deploy — those a push touched, or those a
// workflow_dispatch names — checks that each is what its pull request
// reviewed, and stages, upserts and starts them.
func (r *runner) deploy(ctx context.Context) int {
	gha := r.gha
	headSHA := r.env.Getenv("GITHUB_SHA")
	plans, ds, notes, err := r.deployPlans(ctx)
	if err != nil {
		gha.Errorf("%s", err)
		return exitFailed
	}
	for _, n := range notes {
		gha.Noticef("%s", n)
	}
	_ = ghreport.Annotations(r.env.Stdout, prefixed(ds, r.in.WorkingDirectory), 10)

	var results []deploy.Result
	var ready []*compiler.Plan
	for _, p := range plans {
		if p.Failed {
			results = append(results, deploy.Result{Pipeline: p.Name, Status: deploy.StatusFailed,
				Err: fmt.Errorf("pipeline %q: %s does not compile; fix the errors annotated on it", p.Name, p.Anchor)})
			continue
		}
		ready = append(ready, p)
	}
	targets := Targets(ready)

	// Deploy what was reviewed: the merged pull request's comment records
	// the definition hash of every pipeline it showed.
	pr := 0
	push := r.ev.Push != nil
	if push && !r.in.AllowUnreviewed {
		var reviewed map[string]string
		pr, reviewed, err = r.reviewedHashes(ctx, headSHA)
		if err != nil {
			gha.Errorf("smpipe: looking up what was reviewed: %s", err)
			return exitFailed
		}
		if pr == 0 && len(targets) > 0 {
			gha.Noticef("smpipe: commit %s is not the merge of a pull request (a direct push?), so nothing in it was reviewed", headSHA)
		}
		var refused []deploy.Result
		targets, refused = deploy.CheckReviewed(targets, reviewed, false)
		results = append(results, refused...)
	} else if push {
		pr, _, _ = r.reviewedHashes(ctx, headSHA)
	}

	if len(targets) > 0 {
		gha.Group("smpipe deploy: stage, upsert, start")
		deployed, err := r.runDeployer(ctx, targets, headSHA)
		gha.EndGroup()
		if err != nil {
			gha.Errorf("%s", err)
			return exitFailed
		}
		results = append(results, deployed...)
	}
	slices.SortStableFunc(results, func(a, b deploy.Result) int { return strings.Compare(a.Pipeline, b.Pipeline) })

	report := deploy.RenderMarkdown(results, r.region)
	if len(results) == 0 {
		report = "## smpipe deploy\n\nNo pipeline to deploy: the change touches none.\n"
	}
	r.summary(report)
	var outs []pipelineOutput
	for _, res := range results {
		outs = append(outs, pipelineOutput{Name: res.Pipeline, Status: string(res.Status), Hash: res.Hash, ExecutionARN: res.ExecutionARN})
		if res.Err != nil {
			gha.Errorf("%s", res.Err) // every result error names its pipeline
		}
	}
	r.setOutputs(outs, report)
	if pr != 0 && r.in.Comment && r.in.Token != "" && len(results) > 0 {
		if err := r.postDeploy(ctx, pr, headSHA, report); err != nil {
			gha.Warningf("smpipe: could not post the deploy result to pull request #%d: %s", pr, err)
		}
	}
	if deploy.Failed(results) {
		return exitFailed
	}
	return exitOK
}

// deployPlans compiles what this run deploys.
func (r *runner) deployPlans(ctx context.Context) ([]*compiler.Plan, diag.Diagnostics, []string, error) {
	opt := r.compile
	opt.Promote = append(opt.Promote, "placeholder") // a literal SMP_ROLE must never reach AWS
	if r.ev.Push == nil {
		names := r.in.Pipelines
		if d := r.ev.Dispatch; d != nil && len(names) == 0 {
			names = strings.FieldsFunc(d.Inputs["pipelines"], func(c rune) bool { return c == ',' || c == '\n' || c == ' ' })
		}
		repo := compiler.Load(os.DirFS(r.dir), opt)
		var anchors []string
		var known []string
		for _, a := range repo.Anchors() {
			known = append(known, a.Name)
			if len(names) == 0 || slices.Contains(names, a.Name) {
				anchors = append(anchors, a.File)
			}
		}
		for _, n := range names {
			if !slices.Contains(known, n) {
				return nil, nil, nil, fmt.Errorf("no pipeline named %q (pipelines: %s)", n, strings.Join(known, ", "))
			}
		}
		res, ds := repo.Build(anchors)
		return res.Plans, inPlans(ds, res.Plans), nil, nil
	}

	// A push: the pipelines touched between before and after. A new branch
	// or a force-push whose before is unknown deploys everything.
	var notes []string
	base := r.ev.Push.Before
	if base == zeroSHA || base == "" || r.ev.Push.Created {
		base = ""
		notes = append(notes, "smpipe: new branch: deploying every pipeline")
	}
	g := plan.GitOptions{Dir: r.dir, Base: base, Token: r.in.Token, Compile: opt}
	res, _, _, err := plan.FromGit(ctx, g)
	if err != nil && base != "" && r.ev.Push.Forced {
		notes = append(notes, fmt.Sprintf("smpipe: the commit before the force-push is unknown (%v): deploying every pipeline", err))
		g.Base = ""
		res, _, _, err = plan.FromGit(ctx, g)
	}
	if err != nil {
		return nil, nil, nil, err
	}
	var plans []*compiler.Plan
	for _, p := range res.Pipelines {
		switch {
		case p.Head == nil:
			notes = append(notes, fmt.Sprintf("smpipe: pipeline %q was deleted from the repository; smpipe does not delete it from SageMaker", p.Name))
		case p.Base != nil && !p.Head.Failed && p.Base.Hash == p.Head.Hash:
			notes = append(notes, fmt.Sprintf("smpipe: pipeline %q: its definition did not change", p.Name))
		default:
			plans = append(plans, p.Head)
		}
	}
	return plans, res.Failing, notes, nil
}

// runDeployer gets credentials and deploys.
func (r *runner) runDeployer(ctx context.Context, targets []deploy.Target, sha string) ([]deploy.Result, error) {
	cfg, err := deploy.LoadAWSConfig(ctx, deploy.CredentialOptions{Region: r.region, RoleToAssume: r.in.RoleToAssume,
		RoleSessionName: r.in.RoleSessionName, Audience: r.in.Audience, Getenv: r.env.Getenv})
	if err != nil {
		return nil, err
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
	d := &deploy.Deployer{Root: os.DirFS(r.dir), Log: r.env.Stdout}
	d.SageMaker, d.S3 = Clients(cfg, r.env.Getenv)
	opts := deploy.Options{CommitSHA: sha, Repository: r.repo, Version: r.env.Version, Start: r.in.StartExecution,
		Wait: r.in.Wait, WaitTimeout: r.in.WaitTimeout, AccountID: AccountID(ctx, cfg)}
	return d.Deploy(ctx, targets, opts), nil
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
