package gitobj

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
)

// pack is one packfile with its version 2 index. Both are read-only once
// opened, so lookups and reads need no lock.
type pack struct {
	name  string // the .pack file's path, for errors
	idx   []byte // the whole index file
	count int
	// largeOffsets is how many 8-byte offsets follow the 4-byte ones, for
	// packs over 2 GiB.
	largeOffsets int
	idxMapped    bool

	file *os.File
	size int64
	// data is the pack mapped into memory, or nil where the platform cannot
	// map it; then entries are read with ReadAt, one read each, their
	// extent known from offsets.
	data []byte
	// offsets are the entries' offsets, sorted, so that an entry ends where
	// the next begins. Only built when the pack is not mapped.
	offsets []int64
}

// Index layout (gitformat-pack(5)): magic, version, 256 fanout counts, then
// per object its SHA-1, a CRC-32 and a 4-byte offset; 8-byte offsets for
// large packs; the pack's and the index's checksums.
const (
	idxHeader  = 8
	idxFanout  = idxHeader
	idxHashes  = idxFanout + 256*4
	idxTrailer = 2 * 20
	packHeader = 12
	packHash   = 20
)

var idxMagic = []byte{0xff, 't', 'O', 'c', 0, 0, 0, 2}

// openPack opens base.idx and base.pack. Anything but a version 2 index
// that matches its pack is refused with an error.
func openPack(base string, mmap bool) (p *pack, err error) {
	name := base + ".pack"
	p = &pack{name: name}
	defer func() {
		if err != nil {
			p.close()
			p, err = nil, fmt.Errorf("pack %s not served: %w", name, err)
		}
	}()
	if p.idx, p.idxMapped, err = readIndex(base+".idx", mmap); err != nil {
		return p, err
	}
	if p.count, p.largeOffsets, err = checkIndex(p.idx); err != nil {
		return p, fmt.Errorf("index %s.idx: %w", base, err)
	}
	if p.file, err = os.Open(p.name); err != nil {
		return p, err
	}
	fi, err := p.file.Stat()
	if err != nil {
		return p, err
	}
	p.size = fi.Size()
	if p.size < packHeader+packHash {
		return p, errors.New("shorter than a pack header")
	}
	if mmap {
		if p.data, err = mapFile(p.file, p.size); err != nil {
			p.data = nil // read with ReadAt instead
		}
	}
	var head [packHeader]byte
	var tail [packHash]byte
	if err := p.readAt(head[:], 0); err != nil {
		return p, err
	}
	if err := p.readAt(tail[:], p.size-packHash); err != nil {
		return p, err
	}
	if !bytes.Equal(head[:4], []byte("PACK")) {
		return p, errors.New("no PACK signature")
	}
	if v := binary.BigEndian.Uint32(head[4:8]); v != 2 && v != 3 {
		return p, fmt.Errorf("pack version %d", v)
	}
	if n := binary.BigEndian.Uint32(head[8:12]); int64(n) != int64(p.count) {
		return p, fmt.Errorf("the pack holds %d objects, its index %d", n, p.count)
	}
	// The index names the pack it was made for by the pack's checksum.
	if !bytes.Equal(tail[:], p.idx[len(p.idx)-idxTrailer:len(p.idx)-packHash]) {
		return p, errors.New("the index was made for another pack")
	}
	if p.data == nil {
		if p.offsets, err = p.sortedOffsets(); err != nil {
			return p, err
		}
	}
	return p, nil
}

// readIndex maps the index file, or reads it where mapping is not possible.
func readIndex(name string, mmap bool) ([]byte, bool, error) {
	if mmap {
		f, err := os.Open(name)
		if err != nil {
			return nil, false, err
		}
		defer f.Close()
		fi, err := f.Stat()
		if err != nil {
			return nil, false, err
		}
		if fi.Size() > 0 {
			if b, err := mapFile(f, fi.Size()); err == nil {
				return b, true, nil
			}
		}
	}
	b, err := os.ReadFile(name)
	return b, false, err
}

// checkIndex validates a version 2 index's header and size, and that its
// fanout table only grows, so that lookups stay inside it.
func checkIndex(idx []byte) (count, large int, err error) {
	if len(idx) < idxHashes+idxTrailer {
		return 0, 0, errors.New("shorter than an index header")
	}
	if !bytes.Equal(idx[:4], idxMagic[:4]) {
		return 0, 0, errors.New("version 1 index, or not an index")
	}
	if !bytes.Equal(idx[4:8], idxMagic[4:8]) {
		return 0, 0, fmt.Errorf("index version %d", binary.BigEndian.Uint32(idx[4:8]))
	}
	prev := uint32(0)
	for i := range 256 {
		n := binary.BigEndian.Uint32(idx[idxFanout+4*i:])
		if n < prev {
			return 0, 0, fmt.Errorf("fanout entry %d decreases", i)
		}
		prev = n
	}
	count = int(prev)
	fixed := int64(idxHashes) + int64(count)*(20+4+4) + idxTrailer
	rest := int64(len(idx)) - fixed
	if rest < 0 || rest%8 != 0 {
		return 0, 0, fmt.Errorf("%d bytes for %d objects", len(idx), count)
	}
	return count, int(rest / 8), nil
}

func (p *pack) close() error {
	var errs []error
	if p.idxMapped {
		errs = append(errs, unmapFile(p.idx))
	}
	if p.data != nil {
		errs = append(errs, unmapFile(p.data))
	}
	if p.file != nil {
		errs = append(errs, p.file.Close())
	}
	p.idx, p.data, p.file = nil, nil, nil
	return errors.Join(errs...)
}

// lookup finds h's offset in the pack: the fanout table bounds the run of
// hashes sharing h's first byte, a binary search does the rest.
func (p *pack) lookup(h [20]byte) (int64, bool) {
	lo := 0
	if h[0] > 0 {
		lo = int(binary.BigEndian.Uint32(p.idx[idxFanout+4*(int(h[0])-1):]))
	}
	hi := int(binary.BigEndian.Uint32(p.idx[idxFanout+4*int(h[0]):]))
	hashes := p.idx[idxHashes:]
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		switch bytes.Compare(hashes[mid*20:mid*20+20], h[:]) {
		case 0:
			off, err := p.offset(mid)
			return off, err == nil
		case -1:
			lo = mid + 1
		default:
			hi = mid
		}
	}
	return 0, false
}

// offset is the pack offset of the i-th object of the index, checked to lie
// inside the pack's entries.
func (p *pack) offset(i int) (int64, error) {
	small := idxHashes + p.count*(20+4)
	o := binary.BigEndian.Uint32(p.idx[small+4*i:])
	off := int64(o)
	if o&0x80000000 != 0 {
		j := int(o & 0x7fffffff)
		if j >= p.largeOffsets {
			return 0, fmt.Errorf("index entry %d names large offset %d of %d", i, j, p.largeOffsets)
		}
		large := binary.BigEndian.Uint64(p.idx[small+4*p.count+8*j:])
		if large > uint64(p.size) {
			return 0, fmt.Errorf("index entry %d: offset %d past the pack's end", i, large)
		}
		off = int64(large)
	}
	if off < packHeader || off >= p.size-packHash {
		return 0, fmt.Errorf("index entry %d: offset %d outside the pack's entries", i, off)
	}
	return off, nil
}

// sortedOffsets lists every entry's offset in pack order.
func (p *pack) sortedOffsets() ([]int64, error) {
	offs := make([]int64, p.count)
	for i := range offs {
		off, err := p.offset(i)
		if err != nil {
			return nil, err
		}
		offs[i] = off
	}
	slices.Sort(offs)
	for i := 1; i < len(offs); i++ {
		if offs[i] == offs[i-1] {
			return nil, fmt.Errorf("two index entries at offset %d", offs[i])
		}
	}
	return offs, nil
}

// entry returns the bytes of the entry at off: its header and compressed
// data. Mapped, that is the rest of the pack (zlib finds the end of its
// stream); otherwise the entry's extent, read at once.
func (p *pack) entry(off int64) ([]byte, error) {
	if off < packHeader || off >= p.size-packHash {
		return nil, fmt.Errorf("offset %d outside the pack's entries", off)
	}
	if p.data != nil {
		return p.data[off : p.size-packHash], nil
	}
	i, ok := slices.BinarySearch(p.offsets, off)
	if !ok {
		return nil, fmt.Errorf("no entry starts at offset %d", off)
	}
	end := p.size - packHash
	if i+1 < len(p.offsets) {
		end = p.offsets[i+1]
	}
	if end-off > MaxObjectSize {
		return nil, fmt.Errorf("entry at offset %d: %w (%d bytes compressed)", off, ErrTooLarge, end-off)
	}
	buf := make([]byte, end-off)
	if err := p.readAt(buf, off); err != nil {
		return nil, err
	}
	return buf, nil
}

func (p *pack) readAt(b []byte, off int64) error {
	if p.data != nil {
		if off < 0 || off+int64(len(b)) > int64(len(p.data)) {
			return io.ErrUnexpectedEOF
		}
		copy(b, p.data[off:])
		return nil
	}
	if _, err := p.file.ReadAt(b, off); err != nil {
		return fmt.Errorf("reading %d bytes at offset %d: %w", len(b), off, noEOF(err))
	}
	return nil
}
