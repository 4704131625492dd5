package gitrev

import (
	"errors"
	"io/fs"
	"syscall"
	"time"

	"github.com/go-git/go-git/v5/plumbing/filemode"
)

// treeFS is a read-only view of one commit's tree. Directories are decoded
// on first use and cached in the Repo; blobs are read when a file is opened.
// Its methods are safe for concurrent use and do not wait for one another:
// objects are read without the Repo's mutex.
type treeFS struct {
	repo    *Repo
	root    *node
	modTime time.Time // the commit's committer time, for every entry
}

var (
	_ fs.ReadFileFS = (*treeFS)(nil)
	_ fs.ReadDirFS  = (*treeFS)(nil)
	_ fs.StatFS     = (*treeFS)(nil)
	_ fs.ReadLinkFS = (*treeFS)(nil)
	_ fs.SubFS      = (*treeFS)(nil)
)

// TreeFS returns a read-only file system holding the tree of the commit that
// rev names (see [Repo.Resolve]). It implements [fs.ReadFileFS],
// [fs.ReadDirFS], [fs.StatFS] and [fs.ReadLinkFS], lists entries sorted by
// name and otherwise behaves like [os.DirFS] on a checkout of that commit:
// files have mode 0644 or 0755, directories 0755, symbolic links report
// [fs.ModeSymlink] from Lstat and ReadLink, and Open, ReadFile and Stat
// follow them. A link that leads outside the tree fails with
// [ErrSymlinkEscapes], a cycle with [ErrSymlinkLoop]. Submodules are empty
// directories. Every entry's ModTime is the commit's committer time.
// [fs.Sub] of it confines links to the subtree, as [workspace.OpenIn] does
// on disk.
func (r *Repo) TreeFS(rev string) (fs.FS, error) {
	r.mu.Lock()
	c, err := r.commit(rev)
	r.mu.Unlock()
	if err != nil {
		return nil, err
	}
	return &treeFS{
		repo:    r,
		root:    &node{name: ".", mode: filemode.Dir, hash: c.TreeHash},
		modTime: c.Committer.When,
	}, nil
}

// Sub returns the subtree at dir as a file system of its own: links inside
// it must stay inside dir, just as they must inside a working directory
// opened with [workspace.OpenIn], so that both refuse the same trees. A dir
// this revision lacks is an empty directory, as it reads through the
// generic [fs.Sub]; a dir that is a file, or a link out of the tree, is an
// error.
func (f *treeFS) Sub(dir string) (fs.FS, error) {
	n, err := f.resolve("sub", dir, true)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		n = &node{name: ".", mode: filemode.Submodule} // read as an empty directory
	case err != nil:
		return nil, err
	case !n.isDir():
		return nil, &fs.PathError{Op: "sub", Path: dir, Err: syscall.ENOTDIR}
	}
	return &treeFS{repo: f.repo, root: n, modTime: f.modTime}, nil
}

// Open opens the named file or directory, following symbolic links.
func (f *treeFS) Open(name string) (fs.File, error) {
	n, err := f.resolve("open", name, true)
	if err != nil {
		return nil, err
	}
	var data []byte
	if !n.isDir() {
		// The blob first: reading it records its size, which info would
		// otherwise look up on its own, inflating part of a delta.
		if data, err = f.repo.blob(n.hash); err != nil {
			return nil, &fs.PathError{Op: "open", Path: name, Err: err}
		}
	}
	info, err := f.info(n, name)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	if n.isDir() {
		entries, err := f.readDir(n)
		if err != nil {
			return nil, &fs.PathError{Op: "open", Path: name, Err: err}
		}
		return &openDir{info: info, entries: entries}, nil
	}
	return newOpenFile(info, data), nil
}

// ReadFile returns the content of the named file, following symbolic links.
func (f *treeFS) ReadFile(name string) ([]byte, error) {
	n, err := f.resolve("read", name, true)
	if err != nil {
		return nil, err
	}
	if n.isDir() {
		return nil, &fs.PathError{Op: "read", Path: name, Err: syscall.EISDIR}
	}
	data, err := f.repo.blob(n.hash)
	if err != nil {
		return nil, &fs.PathError{Op: "read", Path: name, Err: err}
	}
	// The cache never keeps file contents, so data is the caller's own.
	return data, nil
}

// ReadDir lists the named directory sorted by name, following symbolic links.
func (f *treeFS) ReadDir(name string) ([]fs.DirEntry, error) {
	n, err := f.resolve("readdir", name, true)
	if err != nil {
		return nil, err
	}
	if !n.isDir() {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: syscall.ENOTDIR}
	}
	entries, err := f.readDir(n)
	if err != nil {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: err}
	}
	return entries, nil
}

// Stat describes the named file, following symbolic links.
func (f *treeFS) Stat(name string) (fs.FileInfo, error) {
	return f.stat("stat", name, true)
}

// Lstat describes the named file; a final symbolic link is not followed.
func (f *treeFS) Lstat(name string) (fs.FileInfo, error) {
	return f.stat("lstat", name, false)
}

func (f *treeFS) stat(op, name string, follow bool) (fs.FileInfo, error) {
	n, err := f.resolve(op, name, follow)
	if err != nil {
		return nil, err
	}
	info, err := f.info(n, name)
	if err != nil {
		return nil, &fs.PathError{Op: op, Path: name, Err: err}
	}
	return info, nil
}

// ReadLink returns the target of the named symbolic link as stored.
func (f *treeFS) ReadLink(name string) (string, error) {
	n, err := f.resolve("readlink", name, false)
	if err != nil {
		return "", err
	}
	if !n.isSymlink() {
		return "", &fs.PathError{Op: "readlink", Path: name, Err: fs.ErrInvalid}
	}
	t, err := f.repo.target(n.hash)
	if err != nil {
		return "", &fs.PathError{Op: "readlink", Path: name, Err: err}
	}
	return t, nil
}

// readDir lists a directory node as sorted entries.
func (f *treeFS) readDir(n *node) ([]fs.DirEntry, error) {
	d, err := f.repo.dir(n)
	if err != nil {
		return nil, err
	}
	out := make([]fs.DirEntry, len(d.entries))
	for i, c := range d.entries {
		out[i] = &dirEntry{fsys: f, node: c}
	}
	return out, nil
}

// info describes node n found under name.
func (f *treeFS) info(n *node, name string) (*fileInfo, error) {
	fi := &fileInfo{name: baseName(name), mode: fileMode(n.mode), modTime: f.modTime}
	if n.isDir() {
		return fi, nil
	}
	size, err := f.repo.size(n.hash)
	if err != nil {
		return nil, err
	}
	fi.size = size
	return fi, nil
}

// fileMode maps git's modes to the permissions a checkout gets with the
// default umask.
func fileMode(m filemode.FileMode) fs.FileMode {
	switch m {
	case filemode.Dir, filemode.Submodule:
		return fs.ModeDir | 0o755
	case filemode.Executable:
		return 0o755
	case filemode.Symlink:
		return fs.ModeSymlink | 0o777
	default:
		return 0o644
	}
}
