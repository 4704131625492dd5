package action

import (
	"context"
	"sync"

	"github.com/smpipe/smpipe-action/deploy"
	"github.com/smpipe/smpipe-action/ghreport"
	"github.com/smpipe/smpipe-action/plan"
)

// liveReads bounds the DescribePipeline/ListTags pairs in flight.
const liveReads = 4

// liveViews reads, with the plan's read-only credentials, how each touched
// pipeline that exists on the base branch stands in SageMaker against it,
// and whether a pipeline the pull request adds already exists there
// (another team's, made by hand: the deploy would refuse it). Only a plan
// given role-to-assume does this, and never for a fork (which gets no OIDC
// token). A failure to read is a warning: the view is optional.
func (r *runner) liveViews(ctx context.Context, res *plan.Result, baseSHA string) map[string]*ghreport.LiveView {
	if r.in.RoleToAssume == "" || (r.ev.PullRequest != nil && r.ev.PullRequest.IsFork) {
		return nil
	}
	var bases []*plan.Pipeline
	for _, p := range res.Pipelines {
		switch {
		case p.Base == nil && p.Head != nil:
			bases = append(bases, p) // new here: is the name taken?
		case p.Base != nil && !p.Base.Failed && len(p.Base.Unresolved) == 0:
			// A base with placeholders unresolved here compiles differently
			// than it deployed: comparing would only mislead.
			bases = append(bases, p)
		}
	}
	if len(bases) == 0 {
		return nil
	}
	cfg, _, err := r.awsConfig(ctx)
	if err != nil {
		r.gha.Warningf("smpipe: not showing the live pipelines: %s", err)
		return nil
	}
	sm, _ := deploy.NewClients(cfg, r.env.Getenv)

	// "Behind" rests on a tag anyone allowed sagemaker:AddTags can rewrite
	// along with the definition: it is checked against what the commit the
	// tags record compiles to, read from git objects.
	var rv *plan.Revisions
	recorded := func(ctx context.Context, commit, name string) string {
		if rv == nil {
			var err error
			if rv, err = plan.OpenRevisions(plan.GitOptions{Dir: r.dir, Token: r.in.Token, TokenHost: r.tokenHost(), Compile: r.compile}); err != nil {
				return ""
			}
		}
		if commit == "" {
			return ""
		}
		plans, err := rv.Compile(ctx, commit, []string{name})
		if p := plans[name]; err == nil && p != nil && !p.Failed && len(p.Unresolved) == 0 {
			return p.Hash
		}
		return ""
	}
	defer func() {
		if rv != nil {
			rv.Close()
		}
	}()

	views := map[string]*ghreport.LiveView{}
	var mu sync.Mutex
	sem := make(chan struct{}, liveReads)
	var wg sync.WaitGroup
	for _, p := range bases {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			l, err := deploy.ReadLive(ctx, sm, p.Name)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				r.gha.Warningf("smpipe: reading live pipeline %q: %s", p.Name, err)
				return
			}
			switch {
			case l.Exists && !l.OwnedBy(r.repo):
				views[p.Name] = &ghreport.LiveView{Standing: deploy.StandingForeign, Owner: l.Repository}
			case p.Base != nil:
				standing := l.Against(p.Base.Hash)
				if standing == deploy.StandingBehind && recorded(ctx, l.DefinitionCommit, p.Name) != l.Hash {
					standing = deploy.StandingEdited
				}
				views[p.Name] = &ghreport.LiveView{Standing: standing, BaseSHA: baseSHA, Commit: l.Commit,
					Live: l.Definition, Base: p.Base.Definition}
			}
		})
	}
	wg.Wait()
	return views
}
