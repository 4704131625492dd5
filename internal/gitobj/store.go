// Package gitobj reads git objects straight from a repository's objects
// directory: packfiles through their version 2 indexes, and loose objects.
// It exists for speed: go-git's filesystem storage costs tens of
// microseconds an object and is not safe for concurrent use, while a plan of
// a large repository reads tens of thousands of trees and blobs.
//
// A [Store] is an accelerator, never the only path: it answers [ErrNotFound]
// for whatever it does not serve (objects behind alternates, packs it
// refused, packs written after Open, objects over [MaxObjectSize]), and the
// caller asks go-git then. It is read-only, safe for concurrent use, and
// refuses corrupt data with errors rather than panicking or allocating
// without bound.
package gitobj

import (
	"bytes"
	"compress/zlib"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

// Type is a git object type, numbered as in a packfile.
type Type uint8

// The object types.
const (
	Commit Type = 1
	Tree   Type = 2
	Blob   Type = 3
	Tag    Type = 4
)

func (t Type) String() string {
	switch t {
	case Commit:
		return "commit"
	case Tree:
		return "tree"
	case Blob:
		return "blob"
	case Tag:
		return "tag"
	}
	return fmt.Sprintf("type %d", uint8(t))
}

// ErrNotFound means the store does not serve the object: it is in none of
// the packs and loose files the store reads, or only reachable through
// something the store does not read (alternates, a refused pack). Another
// reader may still find it.
var ErrNotFound = errors.New("object not found")

// ErrTooLarge is returned for an object over [MaxObjectSize]: the store
// holds every object it returns in memory, and a corrupt header must not
// make it allocate without bound.
var ErrTooLarge = errors.New("object too large")

// MaxObjectSize bounds the objects (and delta bases) the store inflates.
const MaxObjectSize = 256 << 20

// maxDeltaChain bounds how many deltas one object may sit on. git's own
// limit for pack.depth is 4095; the bound also ends a cycle of REF_DELTA
// bases, which a corrupt pack could hold.
const maxDeltaChain = 10000

// baseCacheBudget is how many bytes of delta bases the store keeps. After a
// clone or git gc most trees and blobs are deltas on chains up to 50 long;
// without the bases in memory every read would replay its whole chain. A
// plan of a 10,000-pipeline repository applies 32,000 deltas for 40,000
// objects read with 1 MiB, 23,000 with 8 MiB, 15,600 with 16 MiB and 14,000
// with 32 MiB. With the index built at the collector's default headroom,
// 12 MiB gave that plan 0.90 s and 123-129 MB, 16 MiB 0.89 s and up to
// 142 MB (near the 150 MB goal), 8 MiB 0.93 s and 115-122 MB.
const baseCacheBudget = 12 << 20

// Store reads the objects of one objects directory. Its methods are safe for
// concurrent use; it must not be used after Close.
type Store struct {
	dir   string
	packs []*pack
	// refused explains each pack the store does not serve, for debugging.
	refused   []error
	bases     *baseCache
	inflaters sync.Pool // *inflater
}

// Open opens the objects directory dir (.git/objects, or the common
// directory's objects for a linked worktree) and the version 2 index of every
// pack in dir/pack. A pack that cannot be read or looks wrong is not served
// (see [Store.Refused]); only an unreadable dir is an error.
func Open(dir string) (*Store, error) {
	return open(dir, true)
}

// open is Open with memory mapping of packs optional, so that tests cover
// the ReadAt path that platforms without mmap take.
func open(dir string, mmap bool) (*Store, error) {
	if _, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("opening git objects: %w", err)
	}
	s := &Store{dir: dir, bases: newBaseCache(baseCacheBudget)}
	idxs, err := filepath.Glob(filepath.Join(dir, "pack", "pack-*.idx"))
	if err != nil {
		return nil, fmt.Errorf("listing packs in %s: %w", dir, err)
	}
	sort.Strings(idxs) // deterministic search order
	for _, idx := range idxs {
		p, err := openPack(strings.TrimSuffix(idx, ".idx"), mmap)
		if err != nil {
			s.refused = append(s.refused, err)
			continue
		}
		s.packs = append(s.packs, p)
	}
	return s, nil
}

// Refused lists why each pack the store does not serve was refused.
func (s *Store) Refused() []error { return s.refused }

// Close releases the packs.
func (s *Store) Close() error {
	var errs []error
	for _, p := range s.packs {
		if err := p.close(); err != nil {
			errs = append(errs, err)
		}
	}
	s.packs = nil
	return errors.Join(errs...)
}

// Read returns an object's type and content. The content is the caller's
// to keep and modify.
func (s *Store) Read(h [20]byte) (Type, []byte, error) {
	if p, off, ok := s.find(h, nil); ok {
		t, data, err := s.readPacked(p, off)
		if err != nil {
			return 0, nil, fmt.Errorf("reading object %x from %s: %w", h, p.name, err)
		}
		return t, data, nil
	}
	t, data, err := s.readLoose(h)
	if err != nil {
		return 0, nil, fmt.Errorf("reading object %x: %w", h, err)
	}
	return t, data, nil
}

// Size returns the size of an object's content without inflating it: from
// the entry's header, for a delta from the delta's own header.
func (s *Store) Size(h [20]byte) (int64, error) {
	if p, off, ok := s.find(h, nil); ok {
		n, err := s.packedSize(p, off)
		if err != nil {
			return 0, fmt.Errorf("reading the size of object %x from %s: %w", h, p.name, err)
		}
		return n, nil
	}
	_, n, err := s.looseHeader(h)
	if err != nil {
		return 0, fmt.Errorf("reading the size of object %x: %w", h, err)
	}
	return n, nil
}

// find looks h up in the packs, first in prefer (the pack of a REF_DELTA,
// where git puts its base).
func (s *Store) find(h [20]byte, prefer *pack) (*pack, int64, bool) {
	if prefer != nil {
		if off, ok := prefer.lookup(h); ok {
			return prefer, off, true
		}
	}
	for _, p := range s.packs {
		if p == prefer {
			continue
		}
		if off, ok := p.lookup(h); ok {
			return p, off, true
		}
	}
	return nil, 0, false
}

// inflater is a zlib reader kept for reuse: a fresh one allocates tens of
// kilobytes of decompressor state.
type inflater struct {
	src bytes.Reader
	z   io.ReadCloser
}

// inflate returns exactly size bytes inflated from the zlib stream at the
// start of src, which must end there (its checksum verified).
func (s *Store) inflate(src []byte, size int64) ([]byte, error) {
	// Deflate cannot expand data more than 1032 times: a size beyond
	// that is a corrupt header, not worth allocating.
	if size < 0 || size > MaxObjectSize || size/1032 > int64(len(src)) {
		return nil, fmt.Errorf("inflating %d bytes from %d: impossible size", size, len(src))
	}
	in, err := s.inflater(src)
	if err != nil {
		return nil, err
	}
	defer s.inflaters.Put(in)
	out := make([]byte, size)
	if _, err := io.ReadFull(in.z, out); err != nil {
		return nil, fmt.Errorf("inflating %d bytes: %w", size, noEOF(err))
	}
	// Reading past the end verifies the stream's checksum and that it
	// holds no more than its header said.
	var extra [1]byte
	if n, err := in.z.Read(extra[:]); n != 0 || !errors.Is(err, io.EOF) {
		if err == nil || errors.Is(err, io.EOF) {
			err = errors.New("more data than the header says")
		}
		return nil, fmt.Errorf("inflating %d bytes: %w", size, err)
	}
	return out, nil
}

// inflatePrefix inflates at most n bytes from the start of the zlib stream
// at src, for headers inside the compressed data.
func (s *Store) inflatePrefix(src []byte, n int) ([]byte, error) {
	in, err := s.inflater(src)
	if err != nil {
		return nil, err
	}
	defer s.inflaters.Put(in)
	out := make([]byte, n)
	got, err := io.ReadFull(in.z, out)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("inflating: %w", err)
	}
	return out[:got], nil
}

func (s *Store) inflater(src []byte) (*inflater, error) {
	in, _ := s.inflaters.Get().(*inflater)
	if in == nil {
		in = &inflater{}
		in.src.Reset(src)
		z, err := zlib.NewReader(&in.src)
		if err != nil {
			return nil, fmt.Errorf("inflating: %w", noEOF(err))
		}
		in.z = z
		return in, nil
	}
	in.src.Reset(src)
	// Reset starts the reader afresh, so one that failed can be reused.
	if err := in.z.(zlib.Resetter).Reset(&in.src, nil); err != nil {
		s.inflaters.Put(in)
		return nil, fmt.Errorf("inflating: %w", noEOF(err))
	}
	return in, nil
}

// noEOF turns a stream that ended early into an error that says so: a bare
// io.EOF would read as a clean end to callers.
func noEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// hexHash spells a hash as git does, for paths of loose objects.
func hexHash(h [20]byte) string { return hex.EncodeToString(h[:]) }
