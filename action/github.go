package action

import (
	"context"
	"fmt"

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
	switch out.Action {
	case ghreport.NoPermission:
		r.gha.Noticef("smpipe: the token cannot comment on pull request #%d (a fork?); the report is in the job summary", pr)
	case ghreport.Stale:
		r.gha.Noticef("smpipe: a newer run already updated the comment on pull request #%d; left it alone", pr)
	}
	return nil
}

// mergedPullRequest is the pull request whose merge produced sha, from
// GitHub's records; nil when there is none.
func (r *runner) mergedPullRequest(ctx context.Context, sha string) (*ghreport.PullRequest, error) {
	c, err := r.client(ctx)
	if err != nil {
		return nil, err
	}
	owner, repo := r.owner()
	pr, ok, err := ghreport.FindMergedPullRequest(ctx, c, owner, repo, sha)
	if err != nil || !ok {
		return nil, err
	}
	return &pr, nil
}

// reviews lists the reviews of pull request pr.
func (r *runner) reviews(ctx context.Context, pr int) ([]ghreport.Review, error) {
	c, err := r.client(ctx)
	if err != nil {
		return nil, err
	}
	owner, repo := r.owner()
	return ghreport.ListReviews(ctx, c, owner, repo, pr)
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
	_, err = ghreport.PostDeployResult(ctx, c, owner, repo, pr, m, body, worthNew)
	return err
}
