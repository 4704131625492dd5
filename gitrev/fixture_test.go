package gitrev

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-billy/v5/osfs"
	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// fixture is a repository in a temporary directory built with go-git: edit
// the worktree with its methods, then commit.
type fixture struct {
	t    testing.TB
	dir  string
	repo *git.Repository
	n    int // commits so far, for distinct timestamps
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	dir := t.TempDir()
	if _, err := git.PlainInitWithOptions(dir, &git.PlainInitOptions{
		InitOptions: git.InitOptions{DefaultBranch: plumbing.NewBranchReferenceName("main")},
	}); err != nil {
		t.Fatalf("init: %v", err)
	}
	// Reopen with a bound (not chrooted) worktree file system: the chroot
	// rewrites absolute symbolic link targets, and tests need them verbatim.
	dot := osfs.New(filepath.Join(dir, ".git"), osfs.WithBoundOS())
	wt := osfs.New(dir, osfs.WithBoundOS())
	r, err := git.Open(filesystem.NewStorage(dot, cache.NewObjectLRUDefault()), wt)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	return &fixture{t: t, dir: dir, repo: r}
}

func (f *fixture) path(name string) string { return filepath.Join(f.dir, filepath.FromSlash(name)) }

// mkdirs creates the parent directories of name with mode 0755 whatever the
// umask, so modes compare with the tree's.
func (f *fixture) mkdirs(name string) {
	f.t.Helper()
	dir := filepath.Dir(f.path(name))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		f.t.Fatal(err)
	}
	for d := dir; d != f.dir && len(d) > len(f.dir); d = filepath.Dir(d) {
		if err := os.Chmod(d, 0o755); err != nil {
			f.t.Fatal(err)
		}
	}
}

func (f *fixture) writeMode(name, content string, mode os.FileMode) {
	f.t.Helper()
	f.mkdirs(name)
	p := f.path(name)
	if err := os.WriteFile(p, []byte(content), mode); err != nil {
		f.t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) write(name, content string) { f.t.Helper(); f.writeMode(name, content, 0o644) }
func (f *fixture) exec(name, content string)  { f.t.Helper(); f.writeMode(name, content, 0o755) }

func (f *fixture) link(name, target string) {
	f.t.Helper()
	f.mkdirs(name)
	_ = os.Remove(f.path(name))
	if err := os.Symlink(target, f.path(name)); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) remove(name string) {
	f.t.Helper()
	if err := os.RemoveAll(f.path(name)); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) rename(from, to string) {
	f.t.Helper()
	f.mkdirs(to)
	if err := os.Rename(f.path(from), f.path(to)); err != nil {
		f.t.Fatal(err)
	}
}

// commit stages everything (additions, changes, deletions) and commits it,
// returning the full SHA.
func (f *fixture) commit(msg string) string {
	f.t.Helper()
	wt, err := f.repo.Worktree()
	if err != nil {
		f.t.Fatal(err)
	}
	if err := wt.AddWithOptions(&git.AddOptions{All: true}); err != nil {
		f.t.Fatalf("add: %v", err)
	}
	f.n++
	sig := testSignature()
	sig.When = sig.When.Add(time.Duration(f.n) * time.Minute)
	h, err := wt.Commit(msg, &git.CommitOptions{All: true, Author: sig, Committer: sig, AllowEmptyCommits: true})
	if err != nil {
		f.t.Fatalf("commit: %v", err)
	}
	return h.String()
}

// open opens the fixture with the package under test.
func (f *fixture) open() *Repo {
	f.t.Helper()
	r, err := Open(f.dir)
	if err != nil {
		f.t.Fatalf("Open: %v", err)
	}
	f.t.Cleanup(func() {
		if err := r.Close(); err != nil {
			f.t.Errorf("Close: %v", err)
		}
	})
	return r
}

// testSignature is a fixed author, so commits are reproducible.
func testSignature() *object.Signature {
	return &object.Signature{Name: "Test", Email: "test@example.com",
		When: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)}
}

// blobLink records, on branch name, a commit whose tree is parent's plus a
// symbolic link whose blob is target: a link no file system could hold (a
// target over PATH_MAX), as a hostile repository can carry it.
func (f *fixture) blobLink(name, target, parent string) {
	f.t.Helper()
	blob := f.repo.Storer.NewEncodedObject()
	blob.SetType(plumbing.BlobObject)
	w, err := blob.Writer()
	if err != nil {
		f.t.Fatal(err)
	}
	if _, err := w.Write([]byte(target)); err != nil {
		f.t.Fatal(err)
	}
	w.Close()
	bh, err := f.repo.Storer.SetEncodedObject(blob)
	if err != nil {
		f.t.Fatal(err)
	}
	pc, err := f.repo.CommitObject(plumbing.NewHash(parent))
	if err != nil {
		f.t.Fatal(err)
	}
	pt, err := pc.Tree()
	if err != nil {
		f.t.Fatal(err)
	}
	tree := &object.Tree{Entries: append(slices.Clone(pt.Entries), object.TreeEntry{Name: name, Mode: filemode.Symlink, Hash: bh})}
	slices.SortFunc(tree.Entries, func(a, b object.TreeEntry) int { return strings.Compare(a.Name, b.Name) })
	sig := testSignature()
	c := &object.Commit{Author: *sig, Committer: *sig, Message: "link " + name, TreeHash: storeObject(f.t, f, tree), ParentHashes: []plumbing.Hash{pc.Hash}}
	if err := f.repo.Storer.SetReference(plumbing.NewHashReference(plumbing.NewBranchReferenceName(name), storeObject(f.t, f, c))); err != nil {
		f.t.Fatal(err)
	}
}
