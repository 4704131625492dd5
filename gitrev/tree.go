package gitrev

import (
	"bytes"
	"cmp"
	"errors"
	"slices"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
)

// parseTree decodes a raw tree object: entries of "mode name\x00" and a
// 20-byte hash. It accepts and refuses what go-git's object.Tree.Decode
// does, modes made canonical as git does, so that a tree reads the same
// whichever reader fetched it. Names share one string, and nodes one
// array: a plan decodes tens of thousands of trees.
func parseTree(raw []byte) (*treeDir, error) {
	type span struct{ start, end int }
	var nodes []node
	var spans []span
	var names []byte
	for rest := raw; len(rest) > 0; {
		sp := bytes.IndexByte(rest, ' ')
		if sp < 0 {
			return nil, errors.New("malformed tree: missing mode terminator")
		}
		mode, ok := parseMode(rest[:sp])
		if !ok {
			return nil, errors.New("malformed tree: malformed mode")
		}
		rest = rest[sp+1:]
		nul := bytes.IndexByte(rest, 0)
		if nul < 0 {
			return nil, errors.New("malformed tree: missing filename terminator")
		}
		if nul == 0 {
			return nil, errors.New("malformed tree: empty filename")
		}
		if len(rest) < nul+1+20 {
			return nil, errors.New("malformed tree: truncated object id")
		}
		spans = append(spans, span{len(names), len(names) + nul})
		names = append(names, rest[:nul]...)
		nodes = append(nodes, node{mode: canonicalMode(mode), hash: plumbing.Hash(rest[nul+1 : nul+21])})
		rest = rest[nul+21:]
	}
	all := string(names)
	d := &treeDir{entries: make([]*node, len(nodes))}
	for i := range nodes {
		nodes[i].name = all[spans[i].start:spans[i].end]
		d.entries[i] = &nodes[i]
	}
	// git sorts a directory as if its name ended in "/"; lookups want
	// plain name order. Stable, so that a hostile tree naming one entry
	// twice lists them in a fixed order.
	byName := func(a, b *node) int { return cmp.Compare(a.name, b.name) }
	if !slices.IsSortedFunc(d.entries, byName) {
		slices.SortStableFunc(d.entries, byName)
	}
	return d, nil
}

// parseMode reads an octal mode as go-git does (strconv.ParseUint(s, 8,
// 32)): one or more octal digits, at most 32 bits.
func parseMode(b []byte) (filemode.FileMode, bool) {
	if len(b) == 0 {
		return 0, false
	}
	var m uint64
	for _, c := range b {
		if c < '0' || c > '7' {
			return 0, false
		}
		m = m<<3 | uint64(c-'0')
		if m > 1<<32-1 {
			return 0, false
		}
	}
	return filemode.FileMode(m), true
}

// canonicalMode maps a tree entry's mode to one of the five git writes, as
// git and go-git do when they read a tree: 100664 is a regular file, any
// unknown type a submodule.
func canonicalMode(m filemode.FileMode) filemode.FileMode {
	switch m & 0o170000 {
	case 0o040000:
		return filemode.Dir
	case 0o100000:
		if m&0o111 != 0 {
			return filemode.Executable
		}
		return filemode.Regular
	case 0o120000:
		return filemode.Symlink
	default:
		return filemode.Submodule
	}
}
