// Package testrepo generates repositories for tests and benchmarks.
package testrepo

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-git/go-billy/v5/osfs"
	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// Commit records everything under dir as a new commit of the git repository
// there (created on first use), with a fixed author and time so commits are
// reproducible, and returns its SHA. Symbolic links are recorded with their
// targets verbatim, absolute ones included, as git records them.
func Commit(tb testing.TB, dir, msg string) string {
	tb.Helper()
	if _, err := git.PlainOpen(dir); errors.Is(err, git.ErrRepositoryNotExists) {
		_, err = git.PlainInit(dir, false)
		if err != nil {
			tb.Fatal(err)
		}
	}
	// A bound (not chrooted) worktree: the chroot rewrites absolute link
	// targets.
	dot := osfs.New(filepath.Join(dir, ".git"), osfs.WithBoundOS())
	repo, err := git.Open(filesystem.NewStorage(dot, cache.NewObjectLRUDefault()), osfs.New(dir, osfs.WithBoundOS()))
	if err != nil {
		tb.Fatal(err)
	}
	wt, err := repo.Worktree()
	if err != nil {
		tb.Fatal(err)
	}
	if err := wt.AddGlob("."); err != nil {
		tb.Fatal(err)
	}
	sig := &object.Signature{Name: "smpipe tests", Email: "tests@smpipe.invalid", When: time.Unix(1_700_000_000, 0)}
	h, err := wt.Commit(msg, &git.CommitOptions{Author: sig, AllowEmptyCommits: true})
	if err != nil {
		tb.Fatal(err)
	}
	return h.String()
}
