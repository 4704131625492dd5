package gitrev

import (
	"context"
	"fmt"
	"sort"

	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/utils/merkletrie"
)

// Op is what happened to a path between two commits.
type Op string

// The operations [Repo.Changes] reports.
const (
	Added    Op = "added"
	Modified Op = "modified"
	Deleted  Op = "deleted"
	Renamed  Op = "renamed"
)

// Change is one changed path. Paths are slash-separated and relative to the
// repository root. From is empty for Added, To is empty for Deleted, and
// both are equal for Modified. A Renamed file may also have new content.
type Change struct {
	Op   Op
	From string
	To   string
}

// Path is the path the change is known by: To, or From for a deletion.
func (c Change) Path() string {
	if c.To != "" {
		return c.To
	}
	return c.From
}

// renameOptions detects renames as git does by default: 60% similarity,
// with the same cap as git's diff.renameLimit so a huge change set cannot
// make the comparison quadratic.
var renameOptions = object.DiffTreeOptions{
	DetectRenames: true,
	RenameScore:   60,
	RenameLimit:   1000,
}

// Changes lists the files that differ between the commits base and head
// name (see [Repo.Resolve]), renames detected, sorted by Path and then From.
// Mode changes and file/symlink switches count as Modified.
func (r *Repo) Changes(base, head string) ([]Change, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	from, err := r.commitTree(base)
	if err != nil {
		return nil, err
	}
	to, err := r.commitTree(head)
	if err != nil {
		return nil, err
	}
	opts := renameOptions
	diff, err := object.DiffTreeWithOptions(context.Background(), from, to, &opts)
	if err != nil {
		return nil, fmt.Errorf("comparing %s with %s: %w", base, head, err)
	}
	out := make([]Change, 0, len(diff))
	for _, d := range diff {
		action, err := d.Action()
		if err != nil {
			return nil, fmt.Errorf("comparing %s with %s: %w", base, head, err)
		}
		c := Change{From: d.From.Name, To: d.To.Name}
		switch {
		case action == merkletrie.Insert:
			c.Op = Added
		case action == merkletrie.Delete:
			c.Op = Deleted
		case c.From != c.To:
			c.Op = Renamed
		default:
			c.Op = Modified
		}
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool {
		if a, b := out[i].Path(), out[j].Path(); a != b {
			return a < b
		}
		return out[i].From < out[j].From
	})
	return out, nil
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
