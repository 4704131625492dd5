package gitrev

import (
	"io/fs"
	"path"
	"syscall"

	"github.com/go-git/go-git/v5/plumbing"
)

// ContentID returns the hash of the blob the named file holds, following
// symbolic links: files with the same ID have the same bytes, so a caller
// can decode a file once for every revision that has it, without reading
// it again.
func (f *treeFS) ContentID(name string) (string, error) {
	n, err := f.resolve("contentid", name, true)
	if err != nil {
		return "", err
	}
	if n.isDir() {
		return "", &fs.PathError{Op: "contentid", Path: name, Err: syscall.EISDIR}
	}
	return "git:" + n.hash.String(), nil
}

// Links lists the symbolic links at or under the directory dir (following
// links on the way to dir, none below it), as paths joined onto dir, sorted.
// What a tree holds is kept by its hash, so revisions sharing a subtree
// list it once.
func (f *treeFS) Links(dir string) ([]string, error) {
	n, err := f.resolve("links", dir, true)
	if err != nil {
		return nil, err
	}
	if n.isSymlink() || !n.isDir() {
		return nil, nil
	}
	rel, err := f.repo.linksUnder(n)
	if err != nil {
		return nil, &fs.PathError{Op: "links", Path: dir, Err: err}
	}
	out := make([]string, len(rel))
	for i, r := range rel {
		out[i] = path.Join(dir, r)
	}
	return out, nil
}

// linksUnder lists the links under a directory node, relative to it.
func (r *Repo) linksUnder(n *node) ([]string, error) {
	if l, ok := r.trees.links.get(n.hash); ok {
		return l, nil
	}
	d, err := r.dir(n)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range d.entries { // sorted by name, so out is sorted
		switch {
		case e.isSymlink():
			out = append(out, e.name)
		case e.isDir():
			sub, err := r.linksUnder(e)
			if err != nil {
				return nil, err
			}
			for _, s := range sub {
				out = append(out, e.name+"/"+s)
			}
		}
	}
	if n.hash != plumbing.ZeroHash {
		r.trees.links.put(n.hash, out)
	}
	return out, nil
}
