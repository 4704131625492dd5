//go:build linux

package workspace

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// fastPath opens paths that hold no symbolic link with one openat2 call,
// confined by RESOLVE_BENEATH and RESOLVE_NO_SYMLINKS, where os.Root opens
// and closes every directory on the way: two system calls per component,
// which was a third of a one-pipeline compile. A path without links cannot
// leave the directory, so nothing is decided here: a link anywhere on the
// path, any error, or a kernel or sandbox without openat2 sends the call to
// os.Root, which stays the one authority on what is allowed and on the
// error returned.
type fastPath struct {
	dir *os.File // the root directory; nil when openat2 is not used
	fd  int
}

func newFastPath(r *os.Root) fastPath {
	dir, err := r.OpenFile(".", os.O_RDONLY|syscall.O_DIRECTORY, 0)
	if err != nil {
		return fastPath{}
	}
	p := fastPath{dir: dir, fd: int(dir.Fd())}
	probe, err := p.openat2(".", unix.O_PATH)
	if err != nil {
		dir.Close() // openat2 missing (Linux < 5.6) or filtered: os.Root only
		return fastPath{}
	}
	unix.Close(probe)
	return p
}

func (p fastPath) close() {
	if p.dir != nil {
		p.dir.Close()
	}
}

// openat2 opens name below the root with flags, following no symbolic link.
func (p fastPath) openat2(name string, flags uint64) (int, error) {
	how := unix.OpenHow{
		Flags:   flags | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_BENEATH | unix.RESOLVE_NO_SYMLINKS,
	}
	for {
		fd, err := unix.Openat2(p.fd, name, &how)
		if !errors.Is(err, unix.EINTR) {
			return fd, err
		}
	}
}

func (p fastPath) usable(name string) bool {
	return p.dir != nil && fs.ValidPath(name)
}

// open opens a regular file; ok is false for anything else, which os.Root
// then opens or refuses. Directories are left to os.Root too: the entries
// of a directory it opened describe themselves relative to it, those of a
// file from os.NewFile by a path from the working directory.
func (p fastPath) open(name string) (f *os.File, info fs.FileInfo, ok bool) {
	if !p.usable(name) {
		return nil, nil, false
	}
	// Non-blocking: a named pipe must not wait for a writer before it is
	// seen to be one and refused.
	fd, err := p.openat2(name, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_NOCTTY)
	if err != nil {
		return nil, nil, false
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFREG {
		unix.Close(fd)
		return nil, nil, false
	}
	return os.NewFile(uintptr(fd), name), statInfo(path.Base(name), &st), true
}

// stat describes name, or with follow false its last component itself.
func (p fastPath) stat(name string, follow bool) (fs.FileInfo, bool) {
	if !p.usable(name) {
		return nil, false
	}
	flags := uint64(unix.O_PATH)
	if !follow {
		flags |= unix.O_NOFOLLOW // a final link is then described, not refused
	}
	fd, err := p.openat2(name, flags)
	if err != nil {
		return nil, false
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return nil, false
	}
	return statInfo(path.Base(name), &st), true
}

// readDir lists the directory name, unsorted, with every entry described,
// as os.Root does, by fstatat relative to the open directory.
func (p fastPath) readDir(name string) ([]fs.DirEntry, bool) {
	if !p.usable(name) {
		return nil, false
	}
	fd, err := p.openat2(name, unix.O_RDONLY|unix.O_DIRECTORY)
	if err != nil {
		return nil, false
	}
	dir := os.NewFile(uintptr(fd), name)
	defer dir.Close()
	names, err := dir.Readdirnames(-1)
	if err != nil {
		return nil, false
	}
	entries := make([]fs.DirEntry, 0, len(names))
	for _, n := range names {
		var st unix.Stat_t
		if err := unix.Fstatat(fd, n, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			return nil, false
		}
		entries = append(entries, fs.FileInfoToDirEntry(statInfo(n, &st)))
	}
	return entries, true
}

// statFileInfo is an [fs.FileInfo] from fstat, as os builds its own.
type statFileInfo struct {
	name string
	st   unix.Stat_t
}

func statInfo(name string, st *unix.Stat_t) fs.FileInfo { return &statFileInfo{name: name, st: *st} }

func (s *statFileInfo) Name() string       { return s.name }
func (s *statFileInfo) Size() int64        { return s.st.Size }
func (s *statFileInfo) ModTime() time.Time { return time.Unix(s.st.Mtim.Unix()) }
func (s *statFileInfo) IsDir() bool        { return s.Mode().IsDir() }
func (s *statFileInfo) Sys() any           { return &s.st }

func (s *statFileInfo) Mode() fs.FileMode {
	m := fs.FileMode(s.st.Mode & 0o777)
	switch s.st.Mode & unix.S_IFMT {
	case unix.S_IFBLK:
		m |= fs.ModeDevice
	case unix.S_IFCHR:
		m |= fs.ModeDevice | fs.ModeCharDevice
	case unix.S_IFDIR:
		m |= fs.ModeDir
	case unix.S_IFIFO:
		m |= fs.ModeNamedPipe
	case unix.S_IFLNK:
		m |= fs.ModeSymlink
	case unix.S_IFSOCK:
		m |= fs.ModeSocket
	}
	if s.st.Mode&unix.S_ISGID != 0 {
		m |= fs.ModeSetgid
	}
	if s.st.Mode&unix.S_ISUID != 0 {
		m |= fs.ModeSetuid
	}
	if s.st.Mode&unix.S_ISVTX != 0 {
		m |= fs.ModeSticky
	}
	return m
}
