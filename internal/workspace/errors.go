package workspace

import (
	"errors"
	"fmt"
	"strconv"
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

// MaxLinkTarget bounds a symbolic link's target: Linux's PATH_MAX, the
// longest target a checkout can hold, so that a link read from git objects
// is refused where a checkout could not have it and is never read whole.
const MaxLinkTarget = 4096

// LinkTargetError is a symbolic link whose target is longer than
// MaxLinkTarget. Prefix holds at most the target's first bytes.
type LinkTargetError struct {
	Size   int64
	Prefix string
}

func (e *LinkTargetError) Error() string {
	return fmt.Sprintf("symbolic link target is %s, over the %s limit (it starts %s)",
		HumanSize(e.Size), HumanSize(MaxLinkTarget), QuotePrefix(e.Prefix))
}

// quotedPrefix is how many bytes of a hostile string QuotePrefix shows.
const quotedPrefix = 64

// QuotePrefix quotes at most the first bytes of s, as Go quotes strings
// with every byte outside printable ASCII escaped (control and
// bidirectional characters cannot reach a terminal or a log command), and
// marks a cut with "...": a link target or a name from a repository is
// hostile and may be megabytes long.
func QuotePrefix(s string) string {
	if len(s) <= quotedPrefix {
		return strconv.QuoteToASCII(s)
	}
	return strconv.QuoteToASCII(s[:quotedPrefix]) + "..."
}
