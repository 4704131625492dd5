package gitrev

import (
	"fmt"
	"path"
	"sort"

	"github.com/go-git/go-git/v5/plumbing/filemode"
)

// Diff lists the files (symbolic links and submodules included) that differ
// between the commits base and head name, sorted by path. It reads only
// the trees that differ: a subtree whose hash is the same on both sides is
// skipped whole, so the cost follows the size of the change, not of the
// repository, and the decoded trees are kept for later calls. Renames are
// not detected (a moved file is a deletion and an addition), so Diff never
// reads a blob. A file that becomes a directory is a deletion and the
// directory's files additions; a mode change is a modification.
func (r *Repo) Diff(base, head string) ([]Change, error) {
	r.mu.Lock()
	from, err := r.commit(base)
	if err != nil {
		r.mu.Unlock()
		return nil, err
	}
	to, err := r.commit(head)
	r.mu.Unlock()
	if err != nil {
		return nil, err
	}
	var out []Change
	a := &node{name: ".", mode: filemode.Dir, hash: from.TreeHash}
	b := &node{name: ".", mode: filemode.Dir, hash: to.TreeHash}
	if err := r.diffDirs(a, b, "", &out); err != nil {
		return nil, fmt.Errorf("comparing %s with %s: %w", ShortSHA(base), ShortSHA(head), err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path() < out[j].Path() })
	return out, nil
}

// diffDirs compares two directory nodes found at dir.
func (r *Repo) diffDirs(a, b *node, dir string, out *[]Change) error {
	if a.hash == b.hash && a.mode == b.mode {
		return nil
	}
	da, err := r.dir(a)
	if err != nil {
		return err
	}
	db, err := r.dir(b)
	if err != nil {
		return err
	}
	for _, ea := range da.entries {
		p := path.Join(dir, ea.name)
		eb, ok := db.lookup(ea.name)
		switch {
		case !ok:
			if err := r.leaves(ea, p, Deleted, out); err != nil {
				return err
			}
		case ea.hash == eb.hash && ea.mode == eb.mode:
		case isTree(ea) && isTree(eb):
			if err := r.diffDirs(ea, eb, p, out); err != nil {
				return err
			}
		case !isTree(ea) && !isTree(eb):
			*out = append(*out, Change{Op: Modified, From: p, To: p})
		default: // a file became a directory or the other way round
			if err := r.leaves(ea, p, Deleted, out); err != nil {
				return err
			}
			if err := r.leaves(eb, p, Added, out); err != nil {
				return err
			}
		}
	}
	for _, eb := range db.entries {
		if _, ok := da.lookup(eb.name); !ok {
			if err := r.leaves(eb, path.Join(dir, eb.name), Added, out); err != nil {
				return err
			}
		}
	}
	return nil
}

// isTree reports whether n is a directory the diff descends into; a
// submodule is compared by its commit, as a file.
func isTree(n *node) bool { return n.mode == filemode.Dir }

// leaves reports every file at or under n, found at p, as added or deleted.
func (r *Repo) leaves(n *node, p string, op Op, out *[]Change) error {
	if !isTree(n) {
		c := Change{Op: op, From: p}
		if op == Added {
			c = Change{Op: op, To: p}
		}
		*out = append(*out, c)
		return nil
	}
	d, err := r.dir(n)
	if err != nil {
		return err
	}
	for _, e := range d.entries {
		if err := r.leaves(e, path.Join(p, e.name), op, out); err != nil {
			return err
		}
	}
	return nil
}
