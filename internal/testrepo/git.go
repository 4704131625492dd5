package testrepo

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// Git is a repository with a worktree that a test edits and commits like a
// developer: branches, pull request heads, merge, squash and rebase merges.
// Commits are a minute apart from a fixed time, so a story is reproducible.
type Git struct {
	tb    testing.TB
	Dir   string
	repo  *git.Repository
	clock time.Time
}

// NewGit creates an empty repository at dir on branch main.
func NewGit(tb testing.TB, dir string) *Git {
	tb.Helper()
	r, err := git.PlainInitWithOptions(dir, &git.PlainInitOptions{InitOptions: git.InitOptions{DefaultBranch: plumbing.NewBranchReferenceName("main")}})
	if err != nil {
		tb.Fatalf("creating the repository: %v", err)
	}
	return &Git{tb: tb, Dir: dir, repo: r, clock: time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC)}
}

// Repository is the go-git repository, for what the helpers do not cover.
func (g *Git) Repository() *git.Repository { return g.repo }

// CopyTree copies the directory from (a testdata example) into the worktree.
func (g *Git) CopyTree(from string) {
	g.tb.Helper()
	g.CopyTreeTo(from, ".")
}

// CopyTreeTo copies the directory from into the worktree's directory to
// (slash-separated), as one root of a monorepo.
func (g *Git) CopyTreeTo(from, to string) {
	g.tb.Helper()
	err := filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(from, p)
		if err != nil {
			return err
		}
		dst := filepath.Join(g.Dir, filepath.FromSlash(to), rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o644)
	})
	if err != nil {
		g.tb.Fatalf("copying %s: %v", from, err)
	}
}

// Write writes the worktree file rel, creating its directories.
func (g *Git) Write(rel, content string) {
	g.tb.Helper()
	p := filepath.Join(g.Dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		g.tb.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		g.tb.Fatal(err)
	}
}

// Edit replaces the one occurrence of old in the worktree file rel.
func (g *Git) Edit(rel, old, new string) {
	g.tb.Helper()
	p := filepath.Join(g.Dir, filepath.FromSlash(rel))
	b, err := os.ReadFile(p)
	if err != nil {
		g.tb.Fatal(err)
	}
	if n := strings.Count(string(b), old); n != 1 {
		g.tb.Fatalf("%s has %q %d times, want once", rel, old, n)
	}
	if err := os.WriteFile(p, []byte(strings.Replace(string(b), old, new, 1)), 0o644); err != nil {
		g.tb.Fatal(err)
	}
}

// LineOf is the 1-based line of the worktree file rel holding s.
func (g *Git) LineOf(rel, s string) int {
	g.tb.Helper()
	b, err := os.ReadFile(filepath.Join(g.Dir, filepath.FromSlash(rel)))
	if err != nil {
		g.tb.Fatal(err)
	}
	for i, l := range strings.Split(string(b), "\n") {
		if strings.Contains(l, s) {
			return i + 1
		}
	}
	g.tb.Fatalf("%s has no line with %q", rel, s)
	return 0
}

func (g *Git) signature() *object.Signature {
	g.clock = g.clock.Add(time.Minute)
	return &object.Signature{Name: "Octo Dev", Email: "octo-dev@users.noreply.github.com", When: g.clock}
}

func (g *Git) worktree() *git.Worktree {
	g.tb.Helper()
	wt, err := g.repo.Worktree()
	if err != nil {
		g.tb.Fatal(err)
	}
	return wt
}

// Commit records the whole worktree on the current branch; with parents it
// records a merge commit of them instead (the worktree being the merge
// result), moving the current branch to it.
func (g *Git) Commit(msg string, parents ...string) string {
	g.tb.Helper()
	wt := g.worktree()
	if err := wt.AddWithOptions(&git.AddOptions{All: true}); err != nil {
		g.tb.Fatalf("staging: %v", err)
	}
	opt := &git.CommitOptions{Author: g.signature(), AllowEmptyCommits: true}
	for _, p := range parents {
		opt.Parents = append(opt.Parents, plumbing.NewHash(p))
	}
	h, err := wt.Commit(msg, opt)
	if err != nil {
		g.tb.Fatalf("committing %q: %v", msg, err)
	}
	return h.String()
}

// Branch switches the worktree to branch; with create it starts the branch
// at HEAD.
func (g *Git) Branch(branch string, create bool) {
	g.tb.Helper()
	err := g.worktree().Checkout(&git.CheckoutOptions{Branch: plumbing.NewBranchReferenceName(branch), Create: create, Force: true})
	if err != nil {
		g.tb.Fatalf("checking out %s: %v", branch, err)
	}
}

// Detach checks out sha without a branch, as actions/checkout does.
func (g *Git) Detach(sha string) {
	g.tb.Helper()
	if err := g.worktree().Checkout(&git.CheckoutOptions{Hash: plumbing.NewHash(sha), Force: true}); err != nil {
		g.tb.Fatalf("checking out %s: %v", sha, err)
	}
}

// CommitTree writes a commit with the tree of commit treeOf and the given
// parents, and points ref at it: GitHub's test merge of a pull request
// (refs/pull/N/merge) when the base has not moved, or a merge whose result
// is the pull request's head.
func (g *Git) CommitTree(ref, msg, treeOf string, parents ...string) string {
	g.tb.Helper()
	src, err := g.repo.CommitObject(plumbing.NewHash(treeOf))
	if err != nil {
		g.tb.Fatal(err)
	}
	return g.writeCommit(ref, msg, src.TreeHash, parents...)
}

// writeCommit stores a commit of tree with parents and points ref at it.
func (g *Git) writeCommit(ref, msg string, tree plumbing.Hash, parents ...string) string {
	g.tb.Helper()
	sig := g.signature()
	c := &object.Commit{Author: *sig, Committer: *sig, Message: msg, TreeHash: tree}
	for _, p := range parents {
		c.ParentHashes = append(c.ParentHashes, plumbing.NewHash(p))
	}
	obj := g.repo.Storer.NewEncodedObject()
	if err := c.Encode(obj); err != nil {
		g.tb.Fatal(err)
	}
	h, err := g.repo.Storer.SetEncodedObject(obj)
	if err != nil {
		g.tb.Fatal(err)
	}
	if err := g.repo.Storer.SetReference(plumbing.NewHashReference(plumbing.ReferenceName(ref), h)); err != nil {
		g.tb.Fatal(err)
	}
	return h.String()
}

// EmptyRoot writes a root commit with an empty tree and points ref at it:
// the start of a history whose every later file arrives in a commit of its
// own.
func (g *Git) EmptyRoot(ref, msg string) string {
	g.tb.Helper()
	empty := g.repo.Storer.NewEncodedObject()
	if err := (&object.Tree{}).Encode(empty); err != nil {
		g.tb.Fatal(err)
	}
	tree, err := g.repo.Storer.SetEncodedObject(empty)
	if err != nil {
		g.tb.Fatal(err)
	}
	return g.writeCommit(ref, msg, tree)
}
