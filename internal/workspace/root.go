package workspace

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
)

// Root is a directory on disk as an [fs.FS] that never leaves it. Every
// lookup goes through [os.Root], so a symbolic link in any component of a
// path, not only the last, must stay inside the directory; absolute links
// never do. Open refuses named pipes, sockets and devices without blocking
// on them. Errors wrap [ErrEscapes], [ErrLoop] and [ErrNotRegular].
//
// Root implements [fs.StatFS], [fs.ReadDirFS] and [fs.ReadLinkFS]; it does
// not implement [fs.ReadFileFS], so reads go through Open and the bounds of
// [ReadFile] and [OpenFile].
type Root struct {
	root *os.Root
	fsys fs.FS
	fast fastPath
}

var (
	_ fs.StatFS     = (*Root)(nil)
	_ fs.ReadDirFS  = (*Root)(nil)
	_ fs.ReadLinkFS = (*Root)(nil)
)

// Open opens dir as a Root. The caller closes it.
func Open(dir string) (*Root, error) {
	r, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("opening the repository %s: %w", dir, classify(err))
	}
	return newRoot(r), nil
}

func newRoot(r *os.Root) *Root { return &Root{root: r, fsys: r.FS(), fast: newFastPath(r)} }

// OpenIn opens the directory sub (a slash path) of base as a Root, resolving
// sub inside base: a sub that is, or passes through, a symbolic link out of
// base is refused with [ErrEscapes]. It is how a working directory inside a
// checkout becomes the root without trusting the checkout's links.
func OpenIn(base, sub string) (*Root, error) {
	outer, err := os.OpenRoot(base)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", base, classify(err))
	}
	if sub == "" || sub == "." {
		return newRoot(outer), nil
	}
	defer outer.Close()
	r, err := outer.OpenRoot(filepath.FromSlash(sub))
	if err != nil {
		return nil, fmt.Errorf("opening %s inside %s: %w", sub, base, classify(err))
	}
	return newRoot(r), nil
}

// Close releases the directory.
func (r *Root) Close() error {
	r.fast.close()
	return r.root.Close()
}

// Open opens a regular file or a directory. It never blocks on a named pipe
// or a device: the file is opened non-blocking and refused after an fstat
// unless it is a regular file or a directory.
func (r *Root) Open(name string) (fs.File, error) {
	if f, info, ok := r.fast.open(name); ok {
		return &openFile{f, info}, nil
	}
	return r.openInRoot(name)
}

// openInRoot is Open through os.Root alone.
func (r *Root) openInRoot(name string) (*openFile, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	f, err := r.root.OpenFile(filepath.FromSlash(name), os.O_RDONLY|nonBlock, 0)
	if err != nil {
		return nil, pathError("open", name, err)
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, pathError("open", name, err)
	}
	if !info.Mode().IsRegular() && !info.IsDir() {
		f.Close()
		return nil, notRegular(name, kind(info.Mode()))
	}
	return &openFile{f, info}, nil
}

// openFile is a file as Open checked it: Stat answers from that check
// rather than asking the system again, which is also the size bounded
// reads go by.
type openFile struct {
	*os.File
	info fs.FileInfo
}

func (f *openFile) Stat() (fs.FileInfo, error) { return f.info, nil }

// Stat describes name, following symbolic links inside the root.
func (r *Root) Stat(name string) (fs.FileInfo, error) {
	if fi, ok := r.fast.stat(name, true); ok {
		return fi, nil
	}
	fi, err := fs.Stat(r.fsys, name)
	return fi, pathError("stat", name, err)
}

// Lstat describes name without following a final symbolic link.
func (r *Root) Lstat(name string) (fs.FileInfo, error) {
	if fi, ok := r.fast.stat(name, false); ok {
		return fi, nil
	}
	fi, err := fs.Lstat(r.fsys, name)
	return fi, pathError("lstat", name, err)
}

// ReadLink returns the target of the symbolic link name.
func (r *Root) ReadLink(name string) (string, error) {
	t, err := fs.ReadLink(r.fsys, name)
	return t, pathError("readlink", name, err)
}

// ReadDir lists the directory name, sorted by file name.
func (r *Root) ReadDir(name string) ([]fs.DirEntry, error) {
	es, ok := r.fast.readDir(name)
	if !ok {
		var err error
		if es, err = r.readDirInRoot(name); err != nil {
			return nil, err
		}
	}
	slices.SortFunc(es, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return es, nil
}

// readDirInRoot lists name through os.Root. The directory is opened as
// Open opens files, not by os.Root's ReadDir, so that a named pipe is
// refused instead of waited on.
func (r *Root) readDirInRoot(name string) ([]fs.DirEntry, error) {
	dir, err := r.openInRoot(name)
	if err != nil {
		return nil, err
	}
	defer dir.Close()
	if !dir.info.IsDir() {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: syscall.ENOTDIR}
	}
	es, err := dir.ReadDir(-1)
	return es, pathError("readdir", name, err)
}

// pathError rewrites err (from os.Root) with this package's sentinels,
// keeping the *fs.PathError shape callers expect.
func pathError(op, name string, err error) error {
	if err == nil {
		return nil
	}
	inner := err
	var pe *fs.PathError
	if errors.As(err, &pe) {
		inner = pe.Err
	}
	return &fs.PathError{Op: op, Path: name, Err: classify(inner)}
}

// classify maps os.Root's errors onto the shared sentinels. os.Root reports
// an escape with an unexported error, so it is recognised by its text; the
// package test pins that text.
func classify(err error) error {
	var pe *fs.PathError
	inner := err
	if errors.As(err, &pe) {
		inner = pe.Err
	}
	switch {
	case inner == nil:
		return err
	case inner.Error() == rootEscapeText:
		return ErrEscapes
	case errors.Is(inner, syscall.ELOOP):
		return ErrLoop
	}
	return err
}

// rootEscapeText is what os.Root says when a path or link leaves it.
const rootEscapeText = "path escapes from parent"

// notRegular refuses to open name, which is what (a named pipe, …).
func notRegular(name, what string) error {
	return &fs.PathError{Op: "open", Path: name, Err: fmt.Errorf("%w (%s)", ErrNotRegular, what)}
}

// kind names a non-regular file type for messages.
func kind(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	case m&fs.ModeIrregular != 0:
		return "an irregular file"
	}
	return "not a regular file"
}
