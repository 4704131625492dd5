package actiontest

import (
	"fmt"

	"github.com/smpipe/smpipe-action/internal/fakegithub"
)

// Reviewer approves pull requests in stories; the fake says it has write
// access to the repository.
const Reviewer = "reviewer-ana"

// Author opens pull requests in stories.
const Author = fakegithub.DefaultAuthor

// Merge records the merge of pull request n, whose head is head, into main
// at tip, as GitHub records a merge: a merge commit with head's tree on
// refs/heads/main, the pull request merged as it, and (approved) an
// approval of head by Reviewer. It returns the merge commit.
func (w *World) Merge(n int, tip, head string, approved bool) string {
	w.T.Helper()
	m := w.Git.CommitTree("refs/heads/main", fmt.Sprintf("Merge pull request #%d", n), head, tip, head)
	w.GH.LinkCommit(w.Repo, m, fakegithub.PullRequest{Number: n, State: "closed", Merged: true, MergeCommitSHA: m, BaseRef: "main", HeadSHA: head})
	if approved {
		w.Approve(n, head)
	}
	return m
}

// Approve records Reviewer's approval of pull request n at commit.
func (w *World) Approve(n int, commit string) {
	w.T.Helper()
	w.GH.SetPermission(w.Repo, Reviewer, "write")
	w.GH.AddReview(w.Repo, n, fakegithub.Review{User: Reviewer, State: "APPROVED", CommitID: commit})
}

// Start begins main's history as a reviewed repository does: an empty root
// commit, then the example's files committed on a branch and merged,
// approved, as pull request n. It returns the merge commit, checked out.
func (w *World) Start(n int, msg string) string {
	w.T.Helper()
	root := w.Git.EmptyRoot("refs/heads/main", "Start")
	head := w.Git.Commit(msg, root)
	m := w.Merge(n, root, head, true)
	w.Git.Detach(m)
	return m
}
