package gitrev

import (
	"fmt"

	"github.com/go-git/go-git/v5/plumbing/object"
)

// Op is what happened to a path between two commits.
type Op string

// The operations [Repo.Diff] reports.
const (
	Added    Op = "added"
	Modified Op = "modified"
	Deleted  Op = "deleted"
)

// Change is one changed path. Paths are slash-separated and relative to the
// repository root. From is empty for Added, To is empty for Deleted, and
// both are equal for Modified.
type Change struct {
	Op   Op
	From string
	To   string
	// Dir marks the addition of a directory holding no file, which only
	// the working tree can have (WorktreeChanges).
	Dir bool
}

// Path is the path the change is known by: To, or From for a deletion.
func (c Change) Path() string {
	if c.To != "" {
		return c.To
	}
	return c.From
}

// commitTree resolves rev to its commit's root tree. The caller holds the
// mutex.
func (r *Repo) commitTree(rev string) (*object.Tree, error) {
	c, err := r.commit(rev)
	if err != nil {
		return nil, err
	}
	t, err := c.Tree()
	if err != nil {
		return nil, fmt.Errorf("reading tree of commit %s: %w", c.Hash, err)
	}
	return t, nil
}

// commit resolves rev to its commit object. The caller holds the mutex.
func (r *Repo) commit(rev string) (*object.Commit, error) {
	h, err := r.resolve(rev)
	if err != nil {
		return nil, err
	}
	c, err := r.git.CommitObject(h)
	if err != nil {
		return nil, fmt.Errorf("reading commit %s: %w", h, err)
	}
	return c, nil
}
