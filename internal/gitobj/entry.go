package gitobj

import (
	"errors"
	"fmt"
)

// Entry kinds in a pack beyond the object types: deltas on a base found by
// its offset in the same pack or by its hash.
const (
	kindOfsDelta = 6
	kindRefDelta = 7
)

// entryHeader is what precedes an entry's compressed data in a pack.
type entryHeader struct {
	kind byte
	// size is the inflated size of the data that follows: the object's, or
	// for a delta the delta's.
	size     int64
	baseOff  int64    // kindOfsDelta: the base's offset
	baseHash [20]byte // kindRefDelta: the base's hash
	len      int      // bytes of header before the compressed data
}

// parseEntryHeader reads the header of the entry at offset off from b, the
// entry's bytes. It checks what can be checked without inflating: a known
// kind, a size that fits, a base before the entry.
func parseEntryHeader(b []byte, off int64) (entryHeader, error) {
	var h entryHeader
	if len(b) == 0 {
		return h, errors.New("entry header: truncated")
	}
	c := b[0]
	h.kind = (c >> 4) & 7
	size := uint64(c & 15)
	shift := uint(4)
	i := 1
	for c&0x80 != 0 {
		if i >= len(b) {
			return h, errors.New("entry header: truncated")
		}
		if shift > 63-7 {
			return h, errors.New("entry header: size overflows")
		}
		c = b[i]
		i++
		size |= uint64(c&0x7f) << shift
		shift += 7
	}
	if size > MaxObjectSize {
		return h, fmt.Errorf("entry header: %w (%d bytes)", ErrTooLarge, size)
	}
	h.size = int64(size)
	switch h.kind {
	case byte(Commit), byte(Tree), byte(Blob), byte(Tag):
	case kindOfsDelta:
		// A base offset is a big-endian number of 7-bit groups where each
		// continuation adds one, so that no two spellings are equal.
		if i >= len(b) {
			return h, errors.New("entry header: truncated delta base offset")
		}
		c = b[i]
		i++
		rel := uint64(c & 0x7f)
		for c&0x80 != 0 {
			if i >= len(b) {
				return h, errors.New("entry header: truncated delta base offset")
			}
			if rel >= 1<<(63-7) {
				return h, errors.New("entry header: delta base offset overflows")
			}
			c = b[i]
			i++
			rel = (rel+1)<<7 | uint64(c&0x7f)
		}
		if rel == 0 || rel > uint64(off) {
			return h, fmt.Errorf("entry header: delta base %d bytes before offset %d", rel, off)
		}
		h.baseOff = off - int64(rel)
	case kindRefDelta:
		if len(b)-i < 20 {
			return h, errors.New("entry header: truncated delta base hash")
		}
		copy(h.baseHash[:], b[i:i+20])
		i += 20
	default:
		return h, fmt.Errorf("entry header: unknown kind %d", h.kind)
	}
	h.len = i
	return h, nil
}

// link is one delta on the way from an object down to its base.
type link struct {
	p    *pack
	off  int64
	data []byte // the compressed delta
	size int64  // the delta's inflated size
}

// readPacked reads the object at off in p, resolving deltas. It walks down
// the chain to a base it has (cached, or not a delta), then applies the
// deltas back up, keeping each intermediate result as a base: the next
// object read is often a delta on the same chain.
func (s *Store) readPacked(p *pack, off int64) (Type, []byte, error) {
	var chain []link
	var typ Type
	var base []byte
walk:
	for {
		if len(chain) > maxDeltaChain {
			return 0, nil, fmt.Errorf("a delta chain longer than %d", maxDeltaChain)
		}
		if t, data, ok := s.bases.get(p, off); ok {
			if len(chain) == 0 {
				return t, append([]byte(nil), data...), nil // the cache's copy stays unmodified
			}
			typ, base = t, data
			break walk
		}
		b, err := p.entry(off)
		if err != nil {
			return 0, nil, err
		}
		h, err := parseEntryHeader(b, off)
		if err != nil {
			return 0, nil, fmt.Errorf("entry at offset %d: %w", off, err)
		}
		switch h.kind {
		case kindOfsDelta:
			chain = append(chain, link{p: p, off: off, data: b[h.len:], size: h.size})
			off = h.baseOff
			continue
		case kindRefDelta:
			chain = append(chain, link{p: p, off: off, data: b[h.len:], size: h.size})
			bp, boff, ok := s.find(h.baseHash, p)
			if ok {
				p, off = bp, boff
				continue
			}
			// A base outside the packs: git writes none, but a loose copy
			// serves as well as a packed one.
			t, data, err := s.readLoose(h.baseHash)
			if err != nil {
				return 0, nil, fmt.Errorf("delta base %x: %w", h.baseHash, err)
			}
			typ, base = t, data
			break walk
		default:
			data, err := s.inflate(b[h.len:], h.size)
			if err != nil {
				return 0, nil, fmt.Errorf("entry at offset %d: %w", off, err)
			}
			if len(chain) == 0 {
				return Type(h.kind), data, nil
			}
			typ, base = Type(h.kind), data
			s.bases.put(p, off, typ, base)
			break walk
		}
	}
	for i := len(chain) - 1; i >= 0; i-- {
		l := chain[i]
		delta, err := s.inflate(l.data, l.size)
		if err != nil {
			return 0, nil, fmt.Errorf("delta at offset %d: %w", l.off, err)
		}
		if base, err = applyDelta(base, delta); err != nil {
			return 0, nil, fmt.Errorf("delta at offset %d: %w", l.off, err)
		}
		if i > 0 {
			s.bases.put(l.p, l.off, typ, base)
		}
	}
	return typ, base, nil
}

// packedSize is the size of the object at off in p: the header's for an
// object stored whole, the result size in the delta's header for a delta.
func (s *Store) packedSize(p *pack, off int64) (int64, error) {
	b, err := p.entry(off)
	if err != nil {
		return 0, err
	}
	h, err := parseEntryHeader(b, off)
	if err != nil {
		return 0, fmt.Errorf("entry at offset %d: %w", off, err)
	}
	if h.kind != kindOfsDelta && h.kind != kindRefDelta {
		return h.size, nil
	}
	head, err := s.inflatePrefix(b[h.len:], min(int(h.size), 2*maxVarint))
	if err != nil {
		return 0, fmt.Errorf("delta at offset %d: %w", off, err)
	}
	_, dst, _, err := deltaSizes(head)
	if err != nil {
		return 0, fmt.Errorf("delta at offset %d: %w", off, err)
	}
	return dst, nil
}
