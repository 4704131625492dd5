package gitrev

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/go-git/go-git/v5/plumbing"
)

// deepenSteps are the history depths IsAncestor fetches in turn when a
// shallow clone ends before the answer is known; the last is everything.
var deepenSteps = []int{100, 1000, 10000, math.MaxInt32}

// AncestorFunc is IsAncestor with its fetch options bound, as a deploy's
// commit-order check takes it. On a nil Repo (no git checkout) every
// answer is an error, so a pipeline deployed from a known commit is never
// moved by a deploy whose history is unknown.
func (r *Repo) AncestorFunc(opt FetchOptions) func(ctx context.Context, ancestor, commit string) (bool, error) {
	return func(ctx context.Context, ancestor, commit string) (bool, error) {
		if r == nil {
			return false, errors.New("not deploying from a git checkout, so the history is unknown")
		}
		return r.IsAncestor(ctx, ancestor, commit, opt)
	}
}

// IsAncestor reports whether the commit ancestor is commit itself or one of
// its ancestors; both are full 40-digit SHAs. The deploy asks it before
// moving a pipeline from the commit it was deployed from to a new one.
//
// A commit missing from the checkout is fetched as [Repo.EnsureCommit]
// does; one the remote does not have either is an error that says so. When
// the walk through commit's history reaches the boundary of a shallow clone
// (actions/checkout fetches one commit by default) without meeting
// ancestor, the history is deepened, in steps, up to all of it, so the
// answer is never a guess.
func (r *Repo) IsAncestor(ctx context.Context, ancestor, commit string, opt FetchOptions) (bool, error) {
	a, ok := parseSHA(ancestor)
	if !ok {
		return false, fmt.Errorf("checking whether %q is an ancestor of %s: not a full 40-digit SHA-1", ancestor, commit)
	}
	c, ok := parseSHA(commit)
	if !ok {
		return false, fmt.Errorf("checking whether %s is an ancestor of %q: not a full 40-digit SHA-1", ancestor, commit)
	}
	if a == c {
		return true, nil
	}
	for _, h := range []plumbing.Hash{c, a} {
		if err := r.ensureCommit(ctx, h, opt, "commit"); err != nil {
			return false, err
		}
	}
	for _, depth := range append([]int{0}, deepenSteps...) {
		if depth > 0 {
			if err := r.deepen(ctx, c, depth, opt); err != nil {
				return false, err
			}
		}
		found, complete, err := r.reaches(ctx, c, a)
		if err != nil || found || complete {
			return found, err
		}
	}
	return false, fmt.Errorf("checking whether %s is an ancestor of %s: the history of %s is incomplete even after fetching all of it", a, c, c)
}

// reaches walks the history of from looking for target. complete is false
// when the walk met a commit that is not in the repository (past the
// boundary of a shallow clone) before finding it. It goes by the objects
// present rather than by .git/shallow, which go-git never shrinks when a
// fetch deepens the history.
func (r *Repo) reaches(ctx context.Context, from, target plumbing.Hash) (found, complete bool, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	complete = true
	seen := map[plumbing.Hash]bool{from: true}
	queue := []plumbing.Hash{from}
	for len(queue) > 0 {
		if len(seen)%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return false, false, err
			}
		}
		h := queue[0]
		queue = queue[1:]
		if h == target {
			return true, true, nil
		}
		c, err := r.git.CommitObject(h)
		if errors.Is(err, plumbing.ErrObjectNotFound) {
			complete = false
			continue
		}
		if err != nil {
			return false, false, fmt.Errorf("reading commit %s: %w", h, err)
		}
		for _, p := range c.ParentHashes {
			if !seen[p] {
				seen[p] = true
				queue = append(queue, p)
			}
		}
	}
	return false, complete, nil
}

// deepen fetches depth commits of the history of commit, authenticated as
// EnsureCommit fetches.
func (r *Repo) deepen(ctx context.Context, commit plumbing.Hash, depth int, opt FetchOptions) error {
	opt = opt.withDefaults()
	opt.Depth = depth
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.fetchCommit(ctx, commit, opt); err != nil {
		return &fetchError{what: "the history of commit " + commit.String(), remote: opt.Remote, token: opt.Token, err: err}
	}
	return nil
}
