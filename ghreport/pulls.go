package ghreport

import (
	"context"
	"fmt"
	"iter"
	"maps"
	"net/http"
	"net/url"
	"slices"
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
	// Author is the login that opened the pull request: its own approval
	// never counts as a review.
	Author string
}

// MergedPullRequests lists the merged pull requests GitHub associates with
// commit sha, with what each was merged as (MergeCommitSHA): the commit a
// merge, squash or rebase merge produced, which is sha itself for the pull
// request whose merge made sha, and a later commit for a rebase merge of
// several commits. Open and closed-unmerged pull requests are left out:
// nothing shows their commits reached a branch through review.
func MergedPullRequests(ctx context.Context, c *Client, owner, repo, sha string) ([]PullRequest, error) {
	var out []PullRequest
	for p, err := range allPages("finding the pull requests merged with commit "+sha, func(opt *github.ListOptions) ([]*github.PullRequest, *github.Response, error) {
		return c.gh.PullRequests.ListPullRequestsWithCommit(ctx, owner, repo, sha, opt)
	}) {
		if err != nil {
			return nil, err
		}
		if p.MergedAt != nil && p.GetMergeCommitSHA() != "" {
			out = append(out, PullRequest{Number: p.GetNumber(), HeadSHA: p.GetHead().GetSHA(), BaseRef: p.GetBase().GetRef(),
				MergeCommitSHA: p.GetMergeCommitSHA(), Title: p.GetTitle(), Author: p.GetUser().GetLogin()})
		}
	}
	return out, nil
}

// MergedAs picks the pull request merged as commit sha (merge, squash and
// rebase merges alike); ok is false when none was: a direct push, or a
// commit that only passed through a pull request.
func MergedAs(prs []PullRequest, sha string) (PullRequest, bool) {
	for _, p := range prs {
		if strings.EqualFold(p.MergeCommitSHA, sha) {
			return p, true
		}
	}
	return PullRequest{}, false
}

// Review is one review of a pull request.
type Review struct {
	ID       int64
	User     string
	UserType string // "User", or "Bot" for an app such as github-actions[bot]
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
		out = append(out, Review{ID: r.GetID(), User: r.GetUser().GetLogin(), UserType: r.GetUser().GetType(), State: r.GetState(), CommitID: r.GetCommitID()})
	}
	return out, nil
}

// MaxPRCommits is the most commits GitHub lists for a pull request.
const MaxPRCommits = 250

// PullRequestContributors lists the GitHub accounts linked to the authors
// and committers of pull request pr's commits, lower case, sorted, without
// repeats. complete is false when the pull request has MaxPRCommits
// commits or more: GitHub lists no further, so later commits' accounts are
// unknown. A commit whose address no account claims names nobody.
func PullRequestContributors(ctx context.Context, c *Client, owner, repo string, pr int) (logins []string, complete bool, err error) {
	seen := map[string]bool{}
	commits := 0
	for commit, err := range allPages(fmt.Sprintf("listing the commits of #%d", pr), func(opt *github.ListOptions) ([]*github.RepositoryCommit, *github.Response, error) {
		return c.gh.PullRequests.ListCommits(ctx, owner, repo, pr, opt)
	}) {
		if err != nil {
			return nil, false, err
		}
		commits++
		for _, login := range []string{commit.GetAuthor().GetLogin(), commit.GetCommitter().GetLogin()} {
			if login != "" {
				seen[strings.ToLower(login)] = true
			}
		}
	}
	return slices.Sorted(maps.Keys(seen)), commits < MaxPRCommits, nil
}

// Permission is an account's access to a repository as GitHub's collaborator
// permission endpoint reports it: "admin", "write", "read" or "none" (the
// maintain role reads as write, triage as read). An account GitHub does not
// know as a user (an app's bot account) is "none".
func Permission(ctx context.Context, c *Client, owner, repo, login string) (string, error) {
	level, resp, err := c.gh.Repositories.GetPermissionLevel(ctx, owner, repo, login)
	if resp != nil && resp.StatusCode == http.StatusNotFound {
		return "none", nil
	}
	if err != nil {
		return "", fmt.Errorf("asking GitHub for %s's permission on %s/%s: %w", login, owner, repo, err)
	}
	return level.GetPermission(), nil
}

// OpenPullRequest is a pull request as it stands now.
type OpenPullRequest struct {
	Number  int
	State   string // open or closed
	HeadSHA string // the branch's current last commit
	BaseSHA string // the base branch's commit it was last compared with
	// HeadRepo and BaseRepo are the repositories (owner/name) of the head
	// and base branches; HeadRepo is empty when a fork was deleted.
	HeadRepo, BaseRepo string
	Labels             []string
}

// FromFork reports whether the head branch lives in another repository
// than the base (or in one that no longer exists).
func (p OpenPullRequest) FromFork() bool {
	return p.HeadRepo == "" || !strings.EqualFold(p.HeadRepo, p.BaseRepo)
}

// GetPullRequest reads pull request number as GitHub has it now.
func GetPullRequest(ctx context.Context, c *Client, owner, repo string, number int) (OpenPullRequest, error) {
	p, _, err := c.gh.PullRequests.Get(ctx, owner, repo, number)
	if err != nil {
		return OpenPullRequest{}, fmt.Errorf("reading pull request #%d: %w", number, err)
	}
	out := OpenPullRequest{Number: p.GetNumber(), State: p.GetState(), HeadSHA: p.GetHead().GetSHA(), BaseSHA: p.GetBase().GetSHA(),
		HeadRepo: p.GetHead().GetRepo().GetFullName(), BaseRepo: p.GetBase().GetRepo().GetFullName()}
	for _, l := range p.Labels {
		out.Labels = append(out.Labels, l.GetName())
	}
	return out, nil
}

// RemoveLabel takes label off pull request (or issue) number; removed is
// false when it did not have it (someone, or another run, took it first).
func RemoveLabel(ctx context.Context, c *Client, owner, repo string, number int, label string) (removed bool, err error) {
	resp, err := c.gh.Issues.RemoveLabelForIssue(ctx, owner, repo, number, url.PathEscape(label))
	switch {
	case resp != nil && resp.StatusCode == http.StatusNotFound:
		return false, nil
	case err != nil:
		return false, fmt.Errorf("removing label %q from #%d: %w", label, number, err)
	}
	return true, nil
}
