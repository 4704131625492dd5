package workspace

import (
	"context"
	"fmt"
	"io"
	"io/fs"
)

// Size limits of what smpipe reads from a repository.
const (
	// MaxConfSize bounds a conf file: they are written by hand.
	MaxConfSize = 1 << 20
	// DefaultMaxFileSize bounds each local data file and each file put in
	// a code bundle, unless the caller sets another limit.
	DefaultMaxFileSize = 512 << 20
)

// File is an open regular file whose size was checked against a limit. It
// reads exactly the size it had when opened: a file that grows meanwhile is
// cut there, one that shrinks fails with [ErrChanged].
type File struct {
	f    fs.File
	name string
	size int64
	done int64
}

// OpenFile opens name in fsys for reading. It must be a regular file, after
// following symbolic links, of at most limit bytes; otherwise the error
// wraps [ErrNotRegular] or is a [*TooLargeError]. Both are checked before
// the file is opened, so nothing is read from a pipe or an oversized file,
// and again on the open file, which is what is read.
func OpenFile(fsys fs.FS, name string, limit int64) (*File, error) {
	// A Root opens without blocking or reading, so the open file alone is
	// checked; any other file system is asked first.
	if _, ok := fsys.(*Root); !ok {
		info, err := fs.Stat(fsys, name)
		if err != nil {
			return nil, err
		}
		if err := checkFile(name, info, limit); err != nil {
			return nil, err
		}
	}
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, &fs.PathError{Op: "stat", Path: name, Err: err}
	}
	if err := checkFile(name, info, limit); err != nil {
		f.Close()
		return nil, err
	}
	return &File{f: f, name: name, size: info.Size()}, nil
}

// ReadFile reads the whole of name under the rules of [OpenFile].
func ReadFile(fsys fs.FS, name string, limit int64) ([]byte, error) {
	f, err := OpenFile(fsys, name, limit)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	buf := make([]byte, f.size)
	if _, err := io.ReadFull(f, buf); err != nil {
		return nil, err
	}
	return buf, nil
}

func checkFile(name string, info fs.FileInfo, limit int64) error {
	if !info.Mode().IsRegular() {
		what := kind(info.Mode())
		if info.IsDir() {
			what = "a directory"
		}
		return notRegular(name, what)
	}
	if info.Size() > limit {
		return &fs.PathError{Op: "open", Path: name, Err: &TooLargeError{Size: info.Size(), Limit: limit}}
	}
	return nil
}

// Size is the file's length when it was opened.
func (f *File) Size() int64 { return f.size }

// Read reads at most the rest of the size the file was opened with.
func (f *File) Read(p []byte) (int, error) {
	if f.done >= f.size {
		return 0, io.EOF
	}
	if rest := f.size - f.done; int64(len(p)) > rest {
		p = p[:rest]
	}
	n, err := f.f.Read(p)
	f.done += int64(n)
	if err == io.EOF && f.done < f.size {
		err = &fs.PathError{Op: "read", Path: f.name, Err: ErrChanged}
	}
	return n, err
}

// Section returns a reader of exactly the file's opened size that can seek,
// as an upload that may be retried needs. It fails when the underlying file
// cannot read at offsets.
func (f *File) Section() (*io.SectionReader, error) {
	ra, ok := f.f.(io.ReaderAt)
	if !ok {
		return nil, fmt.Errorf("reading %s: the file system cannot read at offsets", f.name)
	}
	return io.NewSectionReader(ra, 0, f.size), nil
}

// Close closes the file.
func (f *File) Close() error { return f.f.Close() }

// Copy copies src to dst through buf like [io.CopyBuffer], and stops with
// ctx's error between chunks once ctx is done: reading a large file ends
// promptly when the run is interrupted.
func Copy(ctx context.Context, dst io.Writer, src io.Reader, buf []byte) (int64, error) {
	return io.CopyBuffer(dst, ctxReader{ctx, src}, buf)
}

type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
