package gitrev

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/smpipe/smpipe-action/internal/workspace"
)

// node is one entry of a git tree: a file, a directory, a symbolic link or
// a submodule (gitlink).
type node struct {
	name string
	mode filemode.FileMode
	hash plumbing.Hash
}

func (n *node) isDir() bool {
	return n.mode == filemode.Dir || n.mode == filemode.Submodule
}

func (n *node) isSymlink() bool { return n.mode == filemode.Symlink }

// treeDir is a decoded git tree with its entries sorted by name (git sorts
// directories as if their names ended in "/", io/fs wants plain name order).
type treeDir struct {
	entries []*node
}

var emptyDir = &treeDir{}

// lookup finds the entry called name. A binary search rather than a map:
// a large repository has tens of thousands of trees, and maps of their
// entries were a good part of what a plan kept in memory.
func (d *treeDir) lookup(name string) (*node, bool) {
	i, ok := sort.Find(len(d.entries), func(i int) int { return strings.Compare(name, d.entries[i].name) })
	if !ok {
		return nil, false
	}
	return d.entries[i], true
}

// treeCache holds what has been decoded from immutable objects, keyed by
// object hash, so that base and head revisions share it. Callers hold the
// Repo's mutex.
type treeCache struct {
	dirs    map[plumbing.Hash]*treeDir
	sizes   map[plumbing.Hash]int64
	targets map[plumbing.Hash]string
	// links lists the symbolic links under a tree, relative to it.
	links map[plumbing.Hash][]string
}

func newTreeCache() treeCache {
	return treeCache{
		dirs:    map[plumbing.Hash]*treeDir{},
		sizes:   map[plumbing.Hash]int64{},
		targets: map[plumbing.Hash]string{},
		links:   map[plumbing.Hash][]string{},
	}
}

// dir decodes the tree behind a directory node. A submodule is an empty
// directory, as it is in a checkout that did not initialise it.
func (r *Repo) dir(n *node) (*treeDir, error) {
	if n.mode == filemode.Submodule {
		return emptyDir, nil
	}
	if d, ok := r.trees.dirs[n.hash]; ok {
		return d, nil
	}
	t, err := object.GetTree(r.git.Storer, n.hash)
	if err != nil {
		return nil, fmt.Errorf("reading tree %s: %w", n.hash, err)
	}
	d := &treeDir{
		entries: make([]*node, 0, len(t.Entries)),
	}
	for _, e := range t.Entries {
		child := &node{name: e.Name, mode: e.Mode, hash: e.Hash}
		d.entries = append(d.entries, child)
	}
	sort.Slice(d.entries, func(i, j int) bool { return d.entries[i].name < d.entries[j].name })
	r.trees.dirs[n.hash] = d
	return d, nil
}

// size returns the size of a blob without reading its content when the
// storage can tell.
func (r *Repo) size(h plumbing.Hash) (int64, error) {
	if s, ok := r.trees.sizes[h]; ok {
		return s, nil
	}
	type sizer interface {
		EncodedObjectSize(plumbing.Hash) (int64, error)
	}
	var s int64
	var err error
	if st, ok := r.git.Storer.(sizer); ok {
		s, err = st.EncodedObjectSize(h)
	} else {
		var o plumbing.EncodedObject
		if o, err = r.git.Storer.EncodedObject(plumbing.BlobObject, h); err == nil {
			s = o.Size()
		}
	}
	if err != nil {
		return 0, fmt.Errorf("reading size of blob %s: %w", h, err)
	}
	r.trees.sizes[h] = s
	return s, nil
}

// blob reads a blob's content.
func (r *Repo) blob(h plumbing.Hash) ([]byte, error) {
	b, err := object.GetBlob(r.git.Storer, h)
	if err != nil {
		return nil, fmt.Errorf("reading blob %s: %w", h, err)
	}
	rd, err := b.Reader()
	if err != nil {
		return nil, fmt.Errorf("reading blob %s: %w", h, err)
	}
	defer rd.Close()
	buf := bytes.NewBuffer(make([]byte, 0, b.Size))
	if _, err := buf.ReadFrom(rd); err != nil {
		return nil, fmt.Errorf("reading blob %s: %w", h, err)
	}
	data := buf.Bytes()
	r.trees.sizes[h] = int64(len(data))
	return data, nil
}

// target returns a symbolic link's target, the content of its blob. A blob
// over workspace.MaxLinkTarget is refused after reading only its first
// bytes: a link's blob is bounded like any file smpipe reads.
func (r *Repo) target(h plumbing.Hash) (string, error) {
	if t, ok := r.trees.targets[h]; ok {
		return t, nil
	}
	size, err := r.size(h)
	if err != nil {
		return "", err
	}
	if size > workspace.MaxLinkTarget {
		prefix, err := r.blobPrefix(h, 64)
		if err != nil {
			return "", err
		}
		return "", &workspace.LinkTargetError{Size: size, Prefix: prefix}
	}
	b, err := r.blob(h)
	if err != nil {
		return "", err
	}
	r.trees.targets[h] = string(b)
	return string(b), nil
}

// blobPrefix reads at most the first n bytes of a blob.
func (r *Repo) blobPrefix(h plumbing.Hash, n int) (string, error) {
	b, err := object.GetBlob(r.git.Storer, h)
	if err != nil {
		return "", fmt.Errorf("reading blob %s: %w", h, err)
	}
	rd, err := b.Reader()
	if err != nil {
		return "", fmt.Errorf("reading blob %s: %w", h, err)
	}
	defer rd.Close()
	buf := make([]byte, n)
	got, err := io.ReadFull(rd, buf)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return "", fmt.Errorf("reading blob %s: %w", h, err)
	}
	return string(buf[:got]), nil
}
