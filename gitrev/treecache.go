package gitrev

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/smpipe/smpipe-action/internal/gitobj"
	"github.com/smpipe/smpipe-action/internal/workspace"
)

// node is one entry of a git tree: a file, a directory, a symbolic link or
// a submodule (gitlink).
type node struct {
	name string
	mode filemode.FileMode
	hash plumbing.Hash
	// tree is the directory decoded from hash, kept on the node once read:
	// resolving a path then follows pointers instead of looking each
	// directory up in a map of tens of thousands.
	tree atomic.Pointer[treeDir]
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
// object hash, so that base and head revisions share it. Each map has its
// own lock, held only to look up or store: objects are read and decoded
// outside it, and two readers decoding the same object at once both get a
// correct answer.
type treeCache struct {
	dirs    objectMap[*treeDir]
	sizes   objectMap[int64]
	targets objectMap[string]
	// links lists the symbolic links under a tree, relative to it.
	links objectMap[[]string]
}

// objectMap is a map by object hash, safe for concurrent use; the zero
// value is empty.
type objectMap[V any] struct {
	mu sync.Mutex
	m  map[plumbing.Hash]V
}

func (m *objectMap[V]) get(h plumbing.Hash) (V, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.m[h]
	return v, ok
}

func (m *objectMap[V]) put(h plumbing.Hash, v V) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.m == nil {
		m.m = map[plumbing.Hash]V{}
	}
	m.m[h] = v
}

// dir decodes the tree behind a directory node. A submodule is an empty
// directory, as it is in a checkout that did not initialise it.
func (r *Repo) dir(n *node) (*treeDir, error) {
	if n.mode == filemode.Submodule {
		return emptyDir, nil
	}
	if d := n.tree.Load(); d != nil {
		return d, nil
	}
	if d, ok := r.trees.dirs.get(n.hash); ok {
		n.tree.Store(d)
		return d, nil
	}
	raw, err := r.readObject(n.hash, gitobj.Tree)
	if err != nil {
		return nil, fmt.Errorf("reading tree %s: %w", n.hash, err)
	}
	d, err := parseTree(raw)
	if err != nil {
		return nil, fmt.Errorf("reading tree %s: %w", n.hash, err)
	}
	r.trees.dirs.put(n.hash, d)
	n.tree.Store(d)
	return d, nil
}

// readObject reads an object of type want: through the object store, else
// through go-git under the mutex. Whatever the store does not serve (an
// object behind alternates, in a pack fetched since Open or in one it
// refused) go-git reads as before, so the store only ever makes reading
// faster. Where the store found the object but could not read it (a
// corrupt pack) go-git is asked too, and if it fails as well the store's
// error, which names the pack and the entry, is the one returned.
func (r *Repo) readObject(h plumbing.Hash, want gitobj.Type) ([]byte, error) {
	var storeErr error
	if r.objects != nil {
		t, data, err := r.objects.Read(h)
		if err == nil {
			if t != want {
				return nil, fmt.Errorf("the object is a %s", t)
			}
			return data, nil
		}
		storeErr = err
	}
	data, err := r.readGoGit(h, want)
	if err != nil && storeErr != nil && !errors.Is(storeErr, gitobj.ErrNotFound) {
		return nil, storeErr
	}
	return data, err
}

func (r *Repo) readGoGit(h plumbing.Hash, want gitobj.Type) ([]byte, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	// Both number object types as packfiles do.
	o, err := r.git.Storer.EncodedObject(plumbing.ObjectType(want), h)
	if err != nil {
		return nil, err
	}
	rd, err := o.Reader()
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	buf := bytes.NewBuffer(make([]byte, 0, o.Size()))
	if _, err := buf.ReadFrom(rd); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// size returns the size of a blob without reading its content when the
// storage can tell.
func (r *Repo) size(h plumbing.Hash) (int64, error) {
	if s, ok := r.trees.sizes.get(h); ok {
		return s, nil
	}
	s, err := r.objectSize(h)
	if err != nil {
		return 0, fmt.Errorf("reading size of blob %s: %w", h, err)
	}
	r.trees.sizes.put(h, s)
	return s, nil
}

// objectSize is an object's size, from the store or else from go-git, as
// readObject reads it.
func (r *Repo) objectSize(h plumbing.Hash) (int64, error) {
	var storeErr error
	if r.objects != nil {
		s, err := r.objects.Size(h)
		if err == nil {
			return s, nil
		}
		storeErr = err
	}
	s, err := r.goGitSize(h)
	if err != nil && storeErr != nil && !errors.Is(storeErr, gitobj.ErrNotFound) {
		return 0, storeErr
	}
	return s, err
}

func (r *Repo) goGitSize(h plumbing.Hash) (int64, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	type sizer interface {
		EncodedObjectSize(plumbing.Hash) (int64, error)
	}
	if st, ok := r.git.Storer.(sizer); ok {
		return st.EncodedObjectSize(h)
	}
	o, err := r.git.Storer.EncodedObject(plumbing.BlobObject, h)
	if err != nil {
		return 0, err
	}
	return o.Size(), nil
}

// blob reads a blob's content.
func (r *Repo) blob(h plumbing.Hash) ([]byte, error) {
	data, err := r.readObject(h, gitobj.Blob)
	if err != nil {
		return nil, fmt.Errorf("reading blob %s: %w", h, err)
	}
	r.trees.sizes.put(h, int64(len(data)))
	return data, nil
}

// target returns a symbolic link's target, the content of its blob. A blob
// over workspace.MaxLinkTarget is refused after reading only its first
// bytes: a link's blob is bounded like any file smpipe reads.
func (r *Repo) target(h plumbing.Hash) (string, error) {
	if t, ok := r.trees.targets.get(h); ok {
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
	r.trees.targets.put(h, string(b))
	return string(b), nil
}

// blobPrefix reads at most the first n bytes of a blob. Only an oversized
// link target needs it, so it streams through go-git rather than have the
// store inflate a blob that may be huge.
func (r *Repo) blobPrefix(h plumbing.Hash, n int) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
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
