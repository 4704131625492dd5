package ghreport

import (
	"context"
	"fmt"

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

// FindMergedPR finds the pull request that merge commit sha came from
// (after a merge to the default branch): among the pull requests GitHub
// associates with the commit, the merged one whose merge commit is sha,
// else the first merged one. ok is false for a direct push.
func FindMergedPR(ctx context.Context, c *Client, owner, repo, sha string) (pr int, ok bool, err error) {
	prs, _, err := c.gh.PullRequests.ListPullRequestsWithCommit(ctx, owner, repo, sha, &github.ListOptions{PerPage: 100})
	if err != nil {
		return 0, false, fmt.Errorf("finding the pull request of commit %s: %w", sha, err)
	}
	first := 0
	for _, p := range prs {
		if p.MergedAt == nil {
			continue
		}
		if p.GetMergeCommitSHA() == sha {
			return p.GetNumber(), true, nil
		}
		if first == 0 {
			first = p.GetNumber()
		}
	}
	return first, first != 0, nil
}
