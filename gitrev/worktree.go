package gitrev

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/index"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/filesystem"

	"github.com/smpipe/smpipe-action/internal/bundlerule"
	"github.com/smpipe/smpipe-action/internal/workspace"
)

// WorktreeChanges lists the files under dir that differ between the commit
// base names and the working tree as a compile of it reads it: every file,
// tracked or not, those .gitignore excludes and those of nested
// repositories too (a bundle of the working tree holds them), but none a
// bundle leaves out (.git, Python caches, .DS_Store: bundlerule.Skips),
// on either side. A directory holding no file, which no commit can hold, is
// an addition of the directory, marked Dir. A directory that cannot be read
// for want of permission is a change of the directory itself: what it holds
// is unknown. Renames are not detected, so a moved file is a deletion and
// an addition. dir is slash-separated and relative to the repository root
// ("." for all of it), as [Repo.Rel] returns it; paths are relative to the
// root, sorted, as [Repo.Diff] returns them.
//
// As in git, a tracked file whose size, modification time and mode are
// what the index recorded is taken to have the index's content without
// being read, unless it was modified no earlier than the index was written
// ("racily clean"); every other file is read and hashed.
func (r *Repo) WorktreeChanges(base, dir string) ([]Change, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	dir = path.Clean(dir)
	want, err := r.treeFiles(base, dir)
	if err != nil {
		return nil, err
	}
	idx, err := r.git.Storer.Index()
	if err != nil {
		return nil, fmt.Errorf("reading the git index: %w", err)
	}
	root, err := workspace.Open(r.root)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	w := worktreeWalk{root: root, readDir: root.ReadDir, base: want, entries: map[string]*index.Entry{},
		indexTime: r.indexTime(), buf: make([]byte, 32<<10)}
	for _, e := range idx.Entries {
		if e.Stage == 0 && !e.IntentToAdd && !e.SkipWorktree {
			w.entries[e.Name] = e
		}
	}
	out, err := w.changes(dir)
	if err != nil {
		return nil, fmt.Errorf("comparing %s with the working tree: %w", quoteRev(base), err)
	}
	return out, nil
}

// changes compares the working tree under dir with w.base, which it
// empties.
func (w *worktreeWalk) changes(dir string) ([]Change, error) {
	var out []Change
	err := w.walk(dir, func(name string, h plumbing.Hash, mode filemode.FileMode) {
		old, ok := w.base[name]
		delete(w.base, name)
		switch {
		case !ok:
			out = append(out, Change{Op: Added, To: name, Dir: mode == filemode.Dir})
		case old.hash != h || !sameMode(old.mode, mode):
			out = append(out, Change{Op: Modified, From: name, To: name})
		}
	})
	if err != nil {
		return nil, err
	}
	for _, d := range w.unreadable {
		// The base's files under d may or may not be there still: d
		// itself stands for all of them.
		op := Added
		for name := range w.base {
			if strings.HasPrefix(name, d+"/") {
				delete(w.base, name)
				op = Modified
			}
		}
		c := Change{Op: op, To: d}
		if op == Modified {
			c.From = d
		}
		out = append(out, c)
	}
	for name := range w.base {
		out = append(out, Change{Op: Deleted, From: name})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path() < out[j].Path() })
	return out, nil
}

type blobEntry struct {
	hash plumbing.Hash
	mode filemode.FileMode
}

// treeFiles maps the files of base's tree under dir to their blobs. The
// caller holds the mutex.
func (r *Repo) treeFiles(base, dir string) (map[string]blobEntry, error) {
	t, err := r.commitTree(base)
	if err != nil {
		return nil, err
	}
	prefix := ""
	if dir != "." {
		if t, err = t.Tree(dir); errors.Is(err, object.ErrDirectoryNotFound) {
			return map[string]blobEntry{}, nil
		} else if err != nil {
			return nil, fmt.Errorf("reading %s at %s: %w", dir, quoteRev(base), err)
		}
		prefix = dir + "/"
	}
	// A tree walk reads tree objects only; Tree.Files would also read every
	// blob.
	files := map[string]blobEntry{}
	w := object.NewTreeWalker(t, true, nil)
	defer w.Close()
	for {
		name, e, err := w.Next()
		if errors.Is(err, io.EOF) {
			return files, nil
		}
		if err != nil {
			return nil, fmt.Errorf("listing the files of %s: %w", quoteRev(base), err)
		}
		if e.Mode.IsFile() && !bundlerule.SkipsPath(name) {
			files[prefix+name] = blobEntry{hash: e.Hash, mode: e.Mode}
		}
	}
}

// sameMode compares modes as git does: only the file type and the
// executable bit count.
func sameMode(a, b filemode.FileMode) bool {
	norm := func(m filemode.FileMode) filemode.FileMode {
		if m == filemode.Deprecated {
			return filemode.Regular
		}
		return m
	}
	return norm(a) == norm(b)
}

// worktreeWalk visits the files of a working tree.
type worktreeWalk struct {
	root      *workspace.Root                          // the worktree; every read stays inside it
	readDir   func(name string) ([]fs.DirEntry, error) // root.ReadDir, or a stand-in in tests
	start     int                                      // how many elements the walked directory has
	base      map[string]blobEntry                     // the files of the base, by path
	entries   map[string]*index.Entry                  // the index's stat information, by path
	indexTime time.Time                                // when the index was written; zero if unknown
	buf       []byte                                   // for hashing
	// unreadable lists the directories under the walked one that could
	// not be listed for want of permission (another user's database
	// directory, say), in walk order.
	unreadable []string
}

// walk calls visit with the blob hash and mode of every file under dir but
// those a bundle leaves out (bundlerule.Skips), and lists in w.unreadable
// the directories under dir it may not read. A file the base lacks is
// added whatever it holds: it is visited with the zero hash, unread, so
// that an ignored directory of thousands of files (a virtual environment)
// costs a listing, not a read.
// A directory holding no file at all, which git cannot record, is visited
// too, with mode filemode.Dir: a lookup that steps through it and back out
// with ".." works in the working tree and fails in a commit.
func (w *worktreeWalk) walk(dir string, visit func(name string, h plumbing.Hash, mode filemode.FileMode)) error {
	var parts []string
	if dir != "." {
		parts = strings.Split(dir, "/")
	}
	w.start = len(parts)
	_, err := w.walkDir(parts, visit)
	return err
}

// walkDir walks dir and reports whether it visited anything.
func (w *worktreeWalk) walkDir(dir []string, visit func(string, plumbing.Hash, filemode.FileMode)) (bool, error) {
	entries, err := w.readDir(path.Join(append([]string{"."}, dir...)...))
	if errors.Is(err, fs.ErrNotExist) && len(dir) > 0 {
		return true, nil // the whole directory is gone: its files are deletions
	}
	if errors.Is(err, fs.ErrPermission) && len(dir) > w.start {
		// Failing the plan for a directory nothing may depend on (a
		// container's data directory owned by another user) would be
		// worse than counting it changed: a compile that reads it fails.
		w.unreadable = append(w.unreadable, strings.Join(dir, "/"))
		return true, nil
	}
	if err != nil {
		return false, err
	}
	visited := false
	for _, e := range entries {
		name := e.Name()
		if bundlerule.Skips(name) {
			continue
		}
		elems := append(slices.Clip(dir), name)
		rel := strings.Join(elems, "/")
		switch {
		case e.IsDir():
			some, err := w.walkDir(elems, visit)
			if err != nil {
				return false, err
			}
			if !some {
				visit(rel, plumbing.ZeroHash, filemode.Dir)
			}
		case e.Type()&fs.ModeSymlink != 0:
			target, err := w.root.ReadLink(rel)
			if err != nil {
				return false, err
			}
			// git stores a symbolic link as a blob holding its target.
			h := plumbing.NewHasher(plumbing.BlobObject, int64(len(target)))
			h.Write([]byte(target))
			visit(rel, h.Sum(), filemode.Symlink)
		case e.Type().IsRegular():
			if _, ok := w.base[rel]; !ok {
				visit(rel, plumbing.ZeroHash, filemode.Regular)
				break
			}
			if h, mode, ok := w.unchanged(rel, e); ok {
				visit(rel, h, mode)
				break
			}
			h, mode, err := w.hashFile(rel)
			if errors.Is(err, fs.ErrPermission) {
				// Changed, as far as anyone can tell: the zero hash is no
				// blob's.
				h, mode, err = plumbing.ZeroHash, filemode.Regular, nil
			}
			if err != nil {
				return false, err
			}
			visit(rel, h, mode)
		default:
			continue // a pipe, socket or device: nothing a compile reads
		}
		visited = true
	}
	return visited, nil
}

// unchanged returns the index's hash for a regular file whose stat
// information the index recorded, as git trusts it.
func (w *worktreeWalk) unchanged(name string, d fs.DirEntry) (plumbing.Hash, filemode.FileMode, bool) {
	e, ok := w.entries[name]
	if !ok || w.indexTime.IsZero() {
		return plumbing.ZeroHash, 0, false
	}
	fi, err := d.Info()
	if err != nil {
		return plumbing.ZeroHash, 0, false
	}
	mode := gitMode(fi)
	if e.Mode != mode || e.Size != uint32(fi.Size()) || !e.ModifiedAt.Equal(fi.ModTime()) ||
		!fi.ModTime().Before(w.indexTime) {
		return plumbing.ZeroHash, 0, false
	}
	return e.Hash, mode, true
}

func gitMode(fi fs.FileInfo) filemode.FileMode {
	if fi.Mode().Perm()&0o111 != 0 {
		return filemode.Executable
	}
	return filemode.Regular
}

func (w *worktreeWalk) hashFile(name string) (plumbing.Hash, filemode.FileMode, error) {
	f, err := w.root.Open(name)
	if err != nil {
		return plumbing.ZeroHash, 0, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return plumbing.ZeroHash, 0, err
	}
	h := plumbing.NewHasher(plumbing.BlobObject, fi.Size())
	// Wrapped so io.CopyBuffer uses the one buffer instead of File.WriteTo
	// allocating its own for every file.
	if n, err := io.CopyBuffer(h, struct{ io.Reader }{f}, w.buf); err != nil {
		return plumbing.ZeroHash, 0, fmt.Errorf("reading %s: %w", name, err)
	} else if n != fi.Size() {
		return plumbing.ZeroHash, 0, fmt.Errorf("reading %s: it changed while being read", name)
	}
	return h.Sum(), gitMode(fi), nil
}

// indexTime is when the index file was last written, zero when unknown.
// The caller holds the mutex.
func (r *Repo) indexTime() time.Time {
	st, ok := r.git.Storer.(*filesystem.Storage)
	if !ok {
		return time.Time{}
	}
	fi, err := st.Filesystem().Stat("index")
	if err != nil {
		return time.Time{}
	}
	return fi.ModTime()
}
