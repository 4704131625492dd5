package workspace

import (
	"errors"
	"fmt"
)

// The reasons a path is refused, shared by every file system smpipe reads a
// repository through, so that callers can tell them apart with errors.Is
// whatever the file system.
var (
	// ErrEscapes: a symbolic link on the path (in any component) points
	// outside the root, or a name climbs above it.
	ErrEscapes = errors.New("path leads outside the repository")
	// ErrLoop: resolving the path takes more than MaxSymlinks links.
	ErrLoop = errors.New("too many levels of symbolic links")
	// ErrNotRegular: the path names a named pipe, socket or device.
	ErrNotRegular = errors.New("not a regular file")
	// ErrChanged: the file's length changed while it was being read.
	ErrChanged = errors.New("file changed while it was read")
)

// MaxSymlinks is how many symbolic links one lookup may follow: the limit of
// [os.Root], which git trees apply too so both refuse the same chains.
const MaxSymlinks = 8

// TooLargeError reports a file over the size limit of the read.
type TooLargeError struct {
	Size, Limit int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("file is %s, over the %s limit", HumanSize(e.Size), HumanSize(e.Limit))
}

// HumanSize prints a byte count the way limits are written.
func HumanSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
