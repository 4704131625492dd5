package gitrev

import (
	"fmt"
	"io/fs"
	"path"
	"strings"
	"syscall"

	"github.com/smpipe/smpipe-action/internal/workspace"
)

var (
	// ErrSymlinkEscapes is returned, wrapped in an [fs.PathError], when a
	// symbolic link in a tree points outside it: an absolute target or one
	// that climbs above the root with "..". It is [workspace.ErrEscapes], so
	// a checkout and a revision refuse a tree with the same error.
	ErrSymlinkEscapes = workspace.ErrEscapes
	// ErrSymlinkLoop is returned, wrapped in an [fs.PathError], when
	// resolving a name takes more than [workspace.MaxSymlinks] links, as in
	// a cycle. It is [workspace.ErrLoop].
	ErrSymlinkLoop = workspace.ErrLoop
)

// maxSymlinks is how many links one lookup may follow: os.Root's limit, so
// that a checkout read through package workspace accepts the same chains.
const maxSymlinks = workspace.MaxSymlinks

// resolve finds the node for name, following symbolic links in the
// directories on the way and, when follow is set, a final one too. Link
// targets are interpreted relative to the link's directory and must stay
// inside the tree.
func (f *treeFS) resolve(op, name string, follow bool) (*node, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	// rest is what is left to resolve, component by component: a path
	// resolved once per file read stays free of allocations.
	rest, done := name, name == "."
	cur := f.root
	var parentsBuf [16]*node
	var walkedBuf [16]string
	parents := parentsBuf[:0] // directories above cur, for ".." in link targets
	walked := walkedBuf[:0]   // names of the directories in parents, for errors
	hops := 0
	var lastLink, lastTarget string // the link followed last, for errors
	for !done {
		c, r, more := strings.Cut(rest, "/")
		rest, done = r, !more
		switch c {
		case "", ".":
			continue
		case "..":
			// Only link targets contain "..": fs.ValidPath rejects it in name.
			if len(parents) == 0 {
				return nil, &fs.PathError{Op: op, Path: name,
					Err: fmt.Errorf("%w: %s -> %s", ErrSymlinkEscapes, workspace.QuotePrefix(lastLink), workspace.QuotePrefix(lastTarget))}
			}
			cur = parents[len(parents)-1]
			parents = parents[:len(parents)-1]
			walked = walked[:len(walked)-1]
			continue
		}
		if !cur.isDir() {
			return nil, &fs.PathError{Op: op, Path: name, Err: syscall.ENOTDIR}
		}
		d, err := f.repo.dir(cur)
		if err != nil {
			return nil, &fs.PathError{Op: op, Path: name, Err: err}
		}
		child, ok := d.lookup(c)
		if !ok {
			return nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrNotExist}
		}
		if child.isSymlink() && (more || follow) {
			hops++
			if hops > maxSymlinks {
				return nil, &fs.PathError{Op: op, Path: name, Err: ErrSymlinkLoop}
			}
			target, err := f.repo.target(child.hash)
			if err != nil {
				return nil, &fs.PathError{Op: op, Path: name, Err: err}
			}
			link := path.Join(append(walked, c)...)
			if target == "" || path.IsAbs(target) {
				return nil, &fs.PathError{Op: op, Path: name,
					Err: fmt.Errorf("%w: %s -> %s", ErrSymlinkEscapes, workspace.QuotePrefix(link), workspace.QuotePrefix(target))}
			}
			lastLink, lastTarget = link, target
			if more {
				rest = target + "/" + rest
			} else {
				rest = target
			}
			done = false
			continue
		}
		parents = append(parents, cur)
		walked = append(walked, c)
		cur = child
	}
	return cur, nil
}

// baseName is the last element of a valid fs path; "." for the root.
func baseName(name string) string {
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		return name[i+1:]
	}
	return name
}
