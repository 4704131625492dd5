package ghreport

import (
	"context"
	"fmt"
	"iter"
	"strings"

	"github.com/google/go-github/v60/github"
)

// MaxPRFiles is the most files GitHub lists for a pull request. A list of
// that length may be incomplete: treat every pipeline as touched.
const MaxPRFiles = 3000

// ChangedFile is one file a pull request changes.
type ChangedFile struct {
	Filename         string
	PreviousFilename string // set for renames
	Status           string // added, removed, modified, renamed, copied, changed, unchanged
}

// ListPRFiles lists the files pull request pr changes, all pages.
func ListPRFiles(ctx context.Context, c *Client, owner, repo string, pr int) ([]ChangedFile, error) {
	var out []ChangedFile
	for f, err := range allPages(fmt.Sprintf("listing the files of #%d", pr), func(opt *github.ListOptions) ([]*github.CommitFile, *github.Response, error) {
		return c.gh.PullRequests.ListFiles(ctx, owner, repo, pr, opt)
	}) {
		if err != nil {
			return nil, err
		}
		out = append(out, ChangedFile{Filename: f.GetFilename(), PreviousFilename: f.GetPreviousFilename(), Status: f.GetStatus()})
	}
	return out, nil
}

// allPages yields every item of a GitHub listing, a hundred a page, and
// ends with the first error, which names what was listed and the page.
func allPages[T any](what string, list func(*github.ListOptions) ([]T, *github.Response, error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		opt := &github.ListOptions{PerPage: 100}
		for {
			page, resp, err := list(opt)
			if err != nil {
				var zero T
				yield(zero, fmt.Errorf("%s (page %d): %w", what, max(opt.Page, 1), err))
				return
			}
			for _, item := range page {
				if !yield(item, nil) {
					return
				}
			}
			if resp.NextPage == 0 {
				return
			}
			opt.Page = resp.NextPage
		}
	}
}

// PullRequest is what the deploy needs to know of a merged pull request,
// from GitHub's records.
type PullRequest struct {
	Number         int
	HeadSHA        string // the last commit of the pull request's branch
	BaseRef        string
	MergeCommitSHA string
	Title          string
}

// FindMergedPullRequest finds the pull request whose merge produced commit
// sha: among the pull requests GitHub associates with the commit, the one
// that is merged and whose merge_commit_sha is sha. That holds for merge
// commits, squash merges and rebase merges (whose merge_commit_sha is the
// last rebased commit, the pushed head). ok is false for any other commit —
// a direct push, or a commit that only passed through a pull request —
// since nothing then shows it was merged as reviewed.
func FindMergedPullRequest(ctx context.Context, c *Client, owner, repo, sha string) (pr PullRequest, ok bool, err error) {
	for p, err := range allPages("finding the pull request merged as commit "+sha, func(opt *github.ListOptions) ([]*github.PullRequest, *github.Response, error) {
		return c.gh.PullRequests.ListPullRequestsWithCommit(ctx, owner, repo, sha, opt)
	}) {
		if err != nil {
			return PullRequest{}, false, err
		}
		if p.MergedAt != nil && strings.EqualFold(p.GetMergeCommitSHA(), sha) {
			return PullRequest{Number: p.GetNumber(), HeadSHA: p.GetHead().GetSHA(), BaseRef: p.GetBase().GetRef(),
				MergeCommitSHA: p.GetMergeCommitSHA(), Title: p.GetTitle()}, true, nil
		}
	}
	return PullRequest{}, false, nil
}

// Review is one review of a pull request.
type Review struct {
	ID       int64
	User     string
	State    string // APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED, PENDING
	CommitID string // the head the reviewer approved or commented on
}

// ListReviews lists every review of pull request pr, oldest first, all pages.
func ListReviews(ctx context.Context, c *Client, owner, repo string, pr int) ([]Review, error) {
	var out []Review
	for r, err := range allPages(fmt.Sprintf("listing the reviews of #%d", pr), func(opt *github.ListOptions) ([]*github.PullRequestReview, *github.Response, error) {
		return c.gh.PullRequests.ListReviews(ctx, owner, repo, pr, opt)
	}) {
		if err != nil {
			return nil, err
		}
		out = append(out, Review{ID: r.GetID(), User: r.GetUser().GetLogin(), State: r.GetState(), CommitID: r.GetCommitID()})
	}
	return out, nil
}
