package gitrev

import (
	"context"
	"fmt"
)

// FirstParent returns the first parent of commit sha (40 hex digits): the
// commit its branch was at before it, for a merge commit the branch merged
// into. ok is false for a root commit. A parent beyond the boundary of a
// shallow clone is fetched, deepening the history in the steps IsAncestor
// uses, so a walk down a branch's history never stops at the clone's
// boundary without saying so.
func (r *Repo) FirstParent(ctx context.Context, sha string, opt FetchOptions) (string, bool, error) {
	h, ok := parseSHA(sha)
	if !ok {
		return "", false, fmt.Errorf("reading the parent of %q: not a full 40-digit SHA-1", sha)
	}
	if err := r.ensureCommit(ctx, h, opt, "commit"); err != nil {
		return "", false, err
	}
	r.mu.Lock()
	c, err := r.git.CommitObject(h)
	r.mu.Unlock()
	if err != nil {
		return "", false, fmt.Errorf("reading commit %s: %w", h, err)
	}
	if len(c.ParentHashes) == 0 {
		return "", false, nil
	}
	parent := c.ParentHashes[0]
	for _, depth := range deepenSteps {
		if r.HasCommit(parent.String()) {
			return parent.String(), true, nil
		}
		if err := r.deepen(ctx, h, depth, opt); err != nil {
			return "", false, err
		}
	}
	if !r.HasCommit(parent.String()) {
		return "", false, fmt.Errorf("reading the parent %s of commit %s: not in the repository even after fetching all history", parent, h)
	}
	return parent.String(), true, nil
}
