package gitrev

import (
	"bytes"
	"io"
	"io/fs"
	"syscall"
	"time"
)

// fileInfo describes a tree entry.
type fileInfo struct {
	name    string
	size    int64
	mode    fs.FileMode
	modTime time.Time
}

func (i *fileInfo) Name() string       { return i.name }
func (i *fileInfo) Size() int64        { return i.size }
func (i *fileInfo) Mode() fs.FileMode  { return i.mode }
func (i *fileInfo) ModTime() time.Time { return i.modTime }
func (i *fileInfo) IsDir() bool        { return i.mode.IsDir() }
func (i *fileInfo) Sys() any           { return nil }

// dirEntry is one entry of a directory listing; Info describes the entry
// itself, without following a symbolic link, as os.DirFS does.
type dirEntry struct {
	fsys *treeFS
	node *node
}

func (e *dirEntry) Name() string      { return e.node.name }
func (e *dirEntry) IsDir() bool       { return e.node.isDir() }
func (e *dirEntry) Type() fs.FileMode { return fileMode(e.node.mode).Type() }
func (e *dirEntry) String() string    { return fs.FormatDirEntry(e) }

func (e *dirEntry) Info() (fs.FileInfo, error) {
	info, err := e.fsys.info(e.node, e.node.name)
	if err != nil {
		return nil, &fs.PathError{Op: "stat", Path: e.node.name, Err: err}
	}
	return info, nil
}

// openFile is an open regular file; its blob was read by Open.
type openFile struct {
	info *fileInfo
	r    *bytes.Reader
}

var (
	_ io.ReaderAt = (*openFile)(nil)
	_ io.Seeker   = (*openFile)(nil)
)

func newOpenFile(info *fileInfo, data []byte) *openFile {
	return &openFile{info: info, r: bytes.NewReader(data)}
}

func (f *openFile) Stat() (fs.FileInfo, error) { return f.info, nil }
func (f *openFile) Read(p []byte) (int, error) { return f.r.Read(p) }
func (f *openFile) Close() error               { return nil }

func (f *openFile) ReadAt(p []byte, off int64) (int, error) { return f.r.ReadAt(p, off) }

func (f *openFile) Seek(offset int64, whence int) (int64, error) {
	return f.r.Seek(offset, whence)
}

// openDir is an open directory; ReadDir pages through its sorted entries.
type openDir struct {
	info    *fileInfo
	entries []fs.DirEntry
	offset  int
}

var _ fs.ReadDirFile = (*openDir)(nil)

func (d *openDir) Stat() (fs.FileInfo, error) { return d.info, nil }
func (d *openDir) Close() error               { return nil }

func (d *openDir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.info.name, Err: syscall.EISDIR}
}

// ReadDir follows the fs.ReadDirFile contract: n <= 0 returns everything
// left and a nil error; n > 0 returns at most n entries and io.EOF at the end.
func (d *openDir) ReadDir(n int) ([]fs.DirEntry, error) {
	rest := d.entries[d.offset:]
	if n <= 0 {
		d.offset = len(d.entries)
		return append([]fs.DirEntry(nil), rest...), nil
	}
	if len(rest) == 0 {
		return nil, io.EOF
	}
	n = min(n, len(rest))
	d.offset += n
	return append([]fs.DirEntry(nil), rest[:n]...), nil
}
