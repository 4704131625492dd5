package ghreport

import (
	"context"
	"fmt"
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
	opt := &github.ListOptions{PerPage: 100}
	for {
		page, resp, err := c.gh.PullRequests.ListFiles(ctx, owner, repo, pr, opt)
		if err != nil {
			return nil, fmt.Errorf("listing the files of #%d (page %d): %w", pr, max(opt.Page, 1), err)
		}
		for _, f := range page {
			out = append(out, ChangedFile{Filename: f.GetFilename(), PreviousFilename: f.GetPreviousFilename(), Status: f.GetStatus()})
		}
		if resp.NextPage == 0 {
			return out, nil
		}
		opt.Page = resp.NextPage
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
	opt := &github.ListOptions{PerPage: 100}
	for {
		prs, resp, err := c.gh.PullRequests.ListPullRequestsWithCommit(ctx, owner, repo, sha, opt)
		if err != nil {
			return PullRequest{}, false, fmt.Errorf("finding the pull request merged as commit %s: %w", sha, err)
		}
		for _, p := range prs {
			if p.MergedAt == nil || !strings.EqualFold(p.GetMergeCommitSHA(), sha) {
				continue
			}
			return PullRequest{Number: p.GetNumber(), HeadSHA: p.GetHead().GetSHA(), BaseRef: p.GetBase().GetRef(),
				MergeCommitSHA: p.GetMergeCommitSHA(), Title: p.GetTitle()}, true, nil
		}
		if resp.NextPage == 0 {
			return PullRequest{}, false, nil
		}
		opt.Page = resp.NextPage
	}
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
	opt := &github.ListOptions{PerPage: 100}
	for {
		page, resp, err := c.gh.PullRequests.ListReviews(ctx, owner, repo, pr, opt)
		if err != nil {
			return nil, fmt.Errorf("listing the reviews of #%d (page %d): %w", pr, max(opt.Page, 1), err)
		}
		for _, r := range page {
			out = append(out, Review{ID: r.GetID(), User: r.GetUser().GetLogin(), State: r.GetState(), CommitID: r.GetCommitID()})
		}
		if resp.NextPage == 0 {
			return out, nil
		}
		opt.Page = resp.NextPage
	}
}
