package gitrev

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/storage/filesystem"

	"github.com/smpipe/smpipe-action/internal/gitobj"
)

// Repo is a git repository with a worktree, opened read-only for revisions.
// Its methods are safe for concurrent use.
type Repo struct {
	git  *git.Repository
	root string // absolute worktree root, symbolic links evaluated

	// objects reads trees and blobs without go-git and without a lock; nil
	// when the objects directory could not be opened, and then go-git
	// reads everything.
	objects *gitobj.Store
	// mu serialises go-git: its filesystem storage does not promise to be
	// safe for concurrent use. Reads through objects do not take it.
	mu    sync.Mutex
	trees treeCache
}

// Open opens the repository containing dir. dir may be the worktree root or
// any directory below it; the .git directory is found by walking up.
func Open(dir string) (*Repo, error) {
	r, err := git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{
		DetectDotGit:          true,
		EnableDotGitCommonDir: true,
	})
	if err != nil {
		return nil, fmt.Errorf("opening git repository at %s: %w", dir, err)
	}
	wt, err := r.Worktree()
	if err != nil {
		return nil, fmt.Errorf("opening git repository at %s: %w", dir, err)
	}
	root, err := canonicalDir(wt.Filesystem.Root())
	if err != nil {
		return nil, fmt.Errorf("opening git repository at %s: %w", dir, err)
	}
	repo := &Repo{root: root}
	// Reopen the same .git with packfile descriptors kept open: by default
	// go-git reopens the packfile for every object read, which made reading
	// a 3,000-file tree several times slower.
	if st, ok := r.Storer.(*filesystem.Storage); ok {
		fast := filesystem.NewStorageWithOptions(st.Filesystem(), cache.NewObjectLRU(objectCacheSize),
			filesystem.Options{MaxOpenDescriptors: maxOpenPacks})
		if r, err = git.Open(fast, wt.Filesystem); err != nil {
			return nil, fmt.Errorf("opening git repository at %s: %w", dir, err)
		}
		// Without the store go-git reads every object: slower, not wrong.
		repo.objects, _ = gitobj.Open(objectsDir(st.Filesystem().Root()))
	}
	repo.git = r
	return repo, nil
}

// objectsDir is where the objects of the repository whose git directory is
// gitDir live: gitDir/objects, or for a linked worktree the objects of the
// common directory its commondir file names, as go-git finds them.
func objectsDir(gitDir string) string {
	b, err := os.ReadFile(filepath.Join(gitDir, "commondir"))
	if err != nil {
		return filepath.Join(gitDir, "objects")
	}
	common := strings.TrimSpace(string(b))
	if !filepath.IsAbs(common) {
		common = filepath.Join(gitDir, common)
	}
	return filepath.Join(common, "objects")
}

// maxOpenPacks bounds the packfile descriptors a Repo keeps open.
const maxOpenPacks = 32

// objectCacheSize bounds go-git's cache of decoded objects, which mostly
// serves delta bases: decoded trees are kept by the Repo and blobs are read
// once, so go-git's default of 96 MiB only grew the process. Trees and
// blobs go through the object store, which has a cache of its own.
const objectCacheSize = 16 * cache.MiByte

// Close releases the packfiles the Repo keeps open. The Repo and the file
// systems from TreeFS must not be used afterwards.
func (r *Repo) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	var errs []error
	if r.objects != nil {
		errs = append(errs, r.objects.Close())
	}
	if c, ok := r.git.Storer.(io.Closer); ok {
		errs = append(errs, c.Close())
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("closing git repository %s: %w", r.root, err)
	}
	return nil
}

// Root returns the absolute path of the worktree root.
func (r *Repo) Root() string { return r.root }

// Rel returns dir relative to the worktree root as a slash-separated path,
// "." for the root itself. It fails when dir is outside the worktree. Callers
// whose working directory is inside the repository use it to turn paths
// relative to the root (as [Repo.Diff] returns them) into their own.
func (r *Repo) Rel(dir string) (string, error) {
	abs, err := canonicalDir(dir)
	if err != nil {
		return "", fmt.Errorf("locating %s in the repository: %w", dir, err)
	}
	rel, err := filepath.Rel(r.root, abs)
	if err != nil {
		return "", fmt.Errorf("locating %s in the repository: %w", dir, err)
	}
	rel = filepath.ToSlash(rel)
	if rel == ".." || strings.HasPrefix(rel, "../") {
		return "", fmt.Errorf("locating %s in the repository: outside the worktree %s", dir, r.root)
	}
	return rel, nil
}

// canonicalDir makes dir absolute and evaluates symbolic links, so that two
// spellings of one directory compare equal.
func canonicalDir(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	return filepath.EvalSymlinks(abs)
}

// Resolve returns the full SHA-1 of the commit that rev names: a full or
// abbreviated SHA, a branch, a remote branch (origin/main), a tag (annotated
// tags are peeled), HEAD, or any of these followed by ~N or ^N.
func (r *Repo) Resolve(rev string) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	h, err := r.resolve(rev)
	if err != nil {
		return "", err
	}
	return h.String(), nil
}

// resolve is Resolve without the lock.
func (r *Repo) resolve(rev string) (plumbing.Hash, error) {
	if rev == "" {
		return plumbing.ZeroHash, errors.New("resolving revision: empty revision")
	}
	h, err := r.git.ResolveRevision(plumbing.Revision(rev))
	if err != nil {
		// go-git says io.EOF for a missing ancestor (HEAD~1 of a root
		// commit), "reference not found" for any other name it cannot find
		// and "Revision invalid" (its internal ErrInvalidRevision) for one
		// it cannot parse; git calls all of them an unknown revision.
		if errors.Is(err, plumbing.ErrReferenceNotFound) || errors.Is(err, plumbing.ErrObjectNotFound) ||
			errors.Is(err, io.EOF) || strings.HasPrefix(err.Error(), "Revision invalid") {
			return plumbing.ZeroHash, &RevisionError{Rev: rev, Shallow: r.shallow()}
		}
		return plumbing.ZeroHash, fmt.Errorf("resolving revision %s: %w", quoteRev(rev), err)
	}
	return *h, nil
}

// RevisionError is a revision that names no commit in the checkout.
type RevisionError struct {
	Rev string
	// Shallow is set when the checkout is a shallow clone, where the
	// commit may exist upstream but was not fetched.
	Shallow bool
}

func (e *RevisionError) Error() string {
	msg := "unknown revision " + quoteRev(e.Rev)
	if e.Shallow {
		msg += " (the checkout is a shallow clone, so older commits are missing: " +
			"set fetch-depth: 0 on actions/checkout, or run git fetch --unshallow)"
	}
	return msg
}

// quoteRev prints a revision as given when it is made of the characters
// revisions are spelled with, and quoted otherwise, so a hostile name
// cannot break the line it is printed on.
func quoteRev(rev string) string {
	for _, c := range rev {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("-_./~^@{}", c)) {
			return strconv.Quote(rev)
		}
	}
	return rev
}

// shallow reports whether the repository is a shallow clone. The caller
// holds the mutex.
func (r *Repo) shallow() bool {
	commits, err := r.git.Storer.Shallow()
	return err == nil && len(commits) > 0
}

// HasCommit reports whether the commit object sha (40 hex digits) is present
// in the repository.
func (r *Repo) HasCommit(sha string) bool {
	h, ok := parseSHA(sha)
	if !ok {
		return false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	_, err := r.git.CommitObject(h)
	return err == nil
}

// parseSHA accepts exactly 40 hexadecimal digits, either case.
func parseSHA(sha string) (plumbing.Hash, bool) {
	if len(sha) != 40 {
		return plumbing.ZeroHash, false
	}
	for _, c := range sha {
		if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
			return plumbing.ZeroHash, false
		}
	}
	return plumbing.NewHash(strings.ToLower(sha)), true
}
