package action

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/smpipe/smpipe-action/ghreport"
)

// client connects to the GitHub API with the action's token, once a run:
// making a client asks GitHub whose comments are ours.
func (r *runner) client(ctx context.Context) (*ghreport.Client, error) {
	if r.gh != nil {
		return r.gh, nil
	}
	if r.in.Token == "" {
		return nil, fmt.Errorf("no github-token")
	}
	c, err := ghreport.NewClient(ctx, r.in.Token, or(r.env.Getenv("GITHUB_API_URL"), "https://api.github.com"))
	if err != nil {
		return nil, err
	}
	r.gh = c
	return c, nil
}

// postPlan writes the plan comment as the comment input says. worthNew
// tells whether this plan deserves a new comment; when it does not, an
// existing one is still edited so it no longer shows a stale plan.
func (r *runner) postPlan(ctx context.Context, pr int, body string, m ghreport.Marker, worthNew bool) error {
	c, err := r.client(ctx)
	if err != nil {
		return err
	}
	owner, repo := r.owner()
	post := ghreport.Upsert
	switch {
	case !worthNew:
		post = ghreport.UpdateExisting
	case r.in.Comment == commentAlwaysNew:
		post = ghreport.PostNew
	}
	out, err := post(ctx, c, owner, repo, pr, body, m)
	if err != nil {
		return err
	}
	if out.Action == ghreport.NoPermission {
		r.gha.Noticef("smpipe: the token cannot comment on pull request #%d (a fork?); the report is in the job summary", pr)
	}
	return nil
}

// records answers the deploy gate's questions from GitHub's records, each
// at most once a run.
type records struct {
	r *runner

	mu    sync.Mutex
	prs   map[string][]ghreport.PullRequest
	perms map[string]string
}

func (r *runner) records() *records {
	if r.rec == nil {
		r.rec = &records{r: r, prs: map[string][]ghreport.PullRequest{}, perms: map[string]string{}}
	}
	return r.rec
}

// PullRequests lists the merged pull requests GitHub associates with sha.
func (g *records) PullRequests(ctx context.Context, sha string) ([]ghreport.PullRequest, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if prs, ok := g.prs[strings.ToLower(sha)]; ok {
		return prs, nil
	}
	c, err := g.r.client(ctx)
	if err != nil {
		return nil, err
	}
	owner, repo := g.r.owner()
	prs, err := ghreport.MergedPullRequests(ctx, c, owner, repo, sha)
	if err != nil {
		return nil, err
	}
	g.prs[strings.ToLower(sha)] = prs
	return prs, nil
}

// Reviews lists the reviews of pull request pr.
func (g *records) Reviews(ctx context.Context, pr int) ([]ghreport.Review, error) {
	c, err := g.r.client(ctx)
	if err != nil {
		return nil, err
	}
	owner, repo := g.r.owner()
	return ghreport.ListReviews(ctx, c, owner, repo, pr)
}

// Contributors lists the accounts linked to the authors and committers of
// pull request pr's commits.
func (g *records) Contributors(ctx context.Context, pr int) ([]string, bool, error) {
	c, err := g.r.client(ctx)
	if err != nil {
		return nil, false, err
	}
	owner, repo := g.r.owner()
	return ghreport.PullRequestContributors(ctx, c, owner, repo, pr)
}

// Permission is login's permission on the repository.
func (g *records) Permission(ctx context.Context, login string) (string, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	key := strings.ToLower(login)
	if p, ok := g.perms[key]; ok {
		return p, nil
	}
	c, err := g.r.client(ctx)
	if err != nil {
		return "", err
	}
	owner, repo := g.r.owner()
	p, err := ghreport.Permission(ctx, c, owner, repo, login)
	if err != nil {
		return "", err
	}
	g.perms[key] = p
	return p, nil
}

// postDeploy posts the deploy result onto the merged pull request, one
// comment per merge commit and label; with worthNew false it only edits one.
func (r *runner) postDeploy(ctx context.Context, pr int, sha, body string, worthNew bool) error {
	c, err := r.client(ctx)
	if err != nil {
		return err
	}
	owner, repo := r.owner()
	m := ghreport.Marker{Kind: ghreport.KindDeploy, Label: r.in.Label, PR: pr, Head: sha}
	out, err := ghreport.PostDeployResult(ctx, c, owner, repo, pr, m, body, worthNew)
	if err == nil && out.Action == ghreport.NoPermission {
		err = fmt.Errorf("the token may not write comments on pull request #%d (give the job `permissions: pull-requests: write`)", pr)
	}
	return err
}
