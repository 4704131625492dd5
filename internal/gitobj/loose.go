package gitobj

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
)

// maxLooseHeader bounds the inflated "type size\x00" a loose object starts
// with: the longest type name, a size of up to 20 digits, the separators.
const maxLooseHeader = 32

// readLoose reads the loose object h: a zlib stream of "type size\x00"
// and the content.
func (s *Store) readLoose(h [20]byte) (Type, []byte, error) {
	z, err := s.looseFile(h)
	if err != nil {
		return 0, nil, err
	}
	head, err := s.inflatePrefix(z, maxLooseHeader)
	if err != nil {
		return 0, nil, fmt.Errorf("loose object: %w", err)
	}
	t, size, n, err := parseLooseHeader(head)
	if err != nil {
		return 0, nil, err
	}
	all, err := s.inflate(z, int64(n)+size)
	if err != nil {
		return 0, nil, fmt.Errorf("loose object: %w", err)
	}
	return t, all[n:], nil
}

// looseHeader reads the type and size of the loose object h, inflating only
// its header.
func (s *Store) looseHeader(h [20]byte) (Type, int64, error) {
	z, err := s.looseFile(h)
	if err != nil {
		return 0, 0, err
	}
	head, err := s.inflatePrefix(z, maxLooseHeader)
	if err != nil {
		return 0, 0, fmt.Errorf("loose object: %w", err)
	}
	t, size, _, err := parseLooseHeader(head)
	return t, size, err
}

// looseFile reads the compressed file of the loose object h.
func (s *Store) looseFile(h [20]byte) ([]byte, error) {
	x := hexHash(h)
	name := filepath.Join(s.dir, x[:2], x[2:])
	f, err := os.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("loose object %s: not a regular file", name)
	}
	if fi.Size() > MaxObjectSize {
		return nil, fmt.Errorf("loose object %s: %w (%d bytes compressed)", name, ErrTooLarge, fi.Size())
	}
	b := make([]byte, fi.Size())
	if _, err := f.ReadAt(b, 0); err != nil {
		return nil, fmt.Errorf("loose object %s: %w", name, noEOF(err))
	}
	return b, nil
}

// parseLooseHeader parses "type size\x00" at the start of b and returns the
// header's length with the type and size.
func parseLooseHeader(b []byte) (Type, int64, int, error) {
	end := bytes.IndexByte(b, 0)
	if end < 0 {
		return 0, 0, 0, errors.New("loose object: no header")
	}
	name, num, ok := bytes.Cut(b[:end], []byte{' '})
	if !ok {
		return 0, 0, 0, errors.New("loose object: no size in the header")
	}
	var t Type
	switch string(name) {
	case "commit":
		t = Commit
	case "tree":
		t = Tree
	case "blob":
		t = Blob
	case "tag":
		t = Tag
	default:
		return 0, 0, 0, fmt.Errorf("loose object: unknown type %q", name)
	}
	// Digits only: ParseInt would take a sign too.
	digits := len(num) > 0 && len(bytes.Trim(num, "0123456789")) == 0
	size, err := strconv.ParseInt(string(num), 10, 64)
	if !digits || err != nil || (len(num) > 1 && num[0] == '0') {
		return 0, 0, 0, fmt.Errorf("loose object: bad size %q", num)
	}
	if size > MaxObjectSize-maxLooseHeader {
		return 0, 0, 0, fmt.Errorf("loose object: %w (%d bytes)", ErrTooLarge, size)
	}
	return t, size, end + 1, nil
}
