package gitobj

import (
	"bytes"
	"strings"
	"testing"
)

// TestApplyDelta covers each instruction encoding: copies whose offset and
// size take any of their bytes, the 64 KiB default size, inserts.
func TestApplyDelta(t *testing.T) {
	base := make([]byte, 0x20000)
	for i := range base {
		base[i] = byte(i*7 + i>>8)
	}
	sizes := func(dst int) []byte { return append(deltaVar(uint64(len(base))), deltaVar(uint64(dst))...) }
	tests := []struct {
		name  string
		delta []byte
		want  []byte
	}{
		{"insert", append(sizes(3), 3, 'a', 'b', 'c'), []byte("abc")},
		{"copy offset byte 0", append(sizes(2), 0x91, 5, 2), base[5:7]},
		{"copy offset byte 1", append(sizes(2), 0x92, 1, 2), base[0x100:0x102]},
		{"copy offset byte 2", append(sizes(2), 0x94, 1, 2), base[0x10000:0x10002]},
		{"copy offset bytes 0-2", append(sizes(1), 0x97, 1, 1, 1, 1), base[0x10101:0x10102]},
		{"copy size byte 1", append(sizes(0x100), 0xa0, 1), base[:0x100]},
		{"copy size 0 is 64 KiB", append(sizes(0x10000), 0x80), base[:0x10000]},
		{"copy size bytes 0-2", append(sizes(0x10001), 0xf0, 1, 0, 1), base[:0x10001]},
		{"copy then insert", append(sizes(3), 0x91, 9, 1, 2, 'x', 'y'), append([]byte{base[9]}, 'x', 'y')},
		{"empty result", sizes(0), []byte{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := applyDelta(base, tt.delta)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, tt.want) {
				t.Fatalf("applyDelta = %x, want %x", got, tt.want)
			}
		})
	}
}

// FuzzApplyDelta: any delta either fails or makes exactly the size it
// declares, and never panics.
func FuzzApplyDelta(f *testing.F) {
	base := []byte("the quick brown fox jumps over the lazy dog\n")
	f.Add(base, append(append(deltaVar(uint64(len(base))), deltaVar(9)...), 0x91, 4, 5, 4, 'c', 'a', 't', '!'))
	f.Add(base, append(deltaVar(uint64(len(base))), 0x80))
	f.Add(base, append(append(deltaVar(uint64(len(base))), deltaVar(0x10000)...), 0x80))
	f.Add([]byte{}, []byte{0, 0})
	f.Add(base, append(append(deltaVar(uint64(len(base))), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f), 1, 'x'))
	f.Fuzz(func(t *testing.T, base, delta []byte) {
		out, err := applyDelta(base, delta)
		if err != nil {
			return
		}
		_, dst, _, err := deltaSizes(delta)
		if err != nil || int64(len(out)) != dst {
			t.Fatalf("applyDelta made %d bytes for a declared %d (%v)", len(out), dst, err)
		}
	})
}

// maxEntryHeader is the longest header a pack entry can have: a size in
// 7-bit groups (at most 10 bytes) and a 20-byte base hash.
const maxEntryHeader = 10 + 20

// FuzzParseEntryHeader: any bytes parse to a header that stays inside them
// with a base before the entry, or fail; never a panic.
func FuzzParseEntryHeader(f *testing.F) {
	f.Add(entryHead(byte(Blob), 12345), int64(12))
	f.Add(append(entryHead(kindOfsDelta, 70000), ofsBase(300)...), int64(400))
	f.Add(append(entryHead(kindRefDelta, 5), bytes.Repeat([]byte{0xab}, 20)...), int64(12))
	f.Add(bytes.Repeat([]byte{0xff}, 12), int64(12))
	f.Add(append(entryHead(kindOfsDelta, 1), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f), int64(1<<40))
	f.Fuzz(func(t *testing.T, b []byte, off int64) {
		if off < packHeader {
			return
		}
		h, err := parseEntryHeader(b, off)
		if err != nil {
			return
		}
		if h.len > len(b) || h.len > maxEntryHeader || h.size > MaxObjectSize || h.size < 0 {
			t.Fatalf("header %+v from %d bytes", h, len(b))
		}
		if h.kind == kindOfsDelta && (h.baseOff < 0 || h.baseOff >= off) {
			t.Fatalf("delta base at %d for an entry at %d", h.baseOff, off)
		}
	})
}

// FuzzParseLooseHeader: a header parses to a known type, a size in bounds
// and a length inside the bytes, or fails.
func FuzzParseLooseHeader(f *testing.F) {
	for _, s := range []string{"blob 12\x00", "tree 0\x00", "commit 99999999999999999999\x00", "tag -1\x00", "blob +1\x00", "blob"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		typ, size, n, err := parseLooseHeader(b)
		if err != nil {
			return
		}
		if typ < Commit || typ > Tag || size < 0 || size > MaxObjectSize || n > len(b) || b[n-1] != 0 {
			t.Fatalf("parseLooseHeader(%q) = %v, %d, %d", b, typ, size, n)
		}
	})
}

// FuzzReadEntry reads an arbitrary entry that follows a good blob in a
// mapped pack, so that deltas on it are tried too: an error or an object,
// never a panic. The pack is in memory; nothing is written to disk.
func FuzzReadEntry(f *testing.F) {
	content := []byte(strings.Repeat("key: value\n", 8))
	good := whole(Blob, content)
	rel := uint64(len(good))
	delta := append(append(deltaVar(uint64(len(content))), deltaVar(4)...), 0x90, 4)
	f.Add(append(append(entryHead(kindOfsDelta, uint64(len(delta))), ofsBase(rel)...), deflate(delta)...))
	f.Add(append(append(entryHead(kindRefDelta, uint64(len(delta))), make([]byte, 20)...), deflate(delta)...))
	f.Add(whole(Tree, []byte("100644 a\x00"+strings.Repeat("x", 20))))
	f.Add(append(entryHead(byte(Blob), 3), 0x78, 0x9c, 0xff))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, entry []byte) {
		// The good blob is named by hash 0, so a REF_DELTA on it is easy
		// to spell.
		entries := []rawEntry{{hash: [20]byte{}, raw: good}, {hash: name(2), raw: entry}}
		packData, idx, _ := craftedPack(entries, false)
		count, large, err := checkIndex(idx)
		if err != nil {
			t.Fatal(err)
		}
		p := &pack{name: "fuzz", idx: idx, count: count, largeOffsets: large, data: packData, size: int64(len(packData))}
		s := &Store{dir: dir, packs: []*pack{p}, bases: newBaseCache(1 << 20)}
		s.Size(name(2))
		_, data, err := s.Read(name(2))
		if err == nil && int64(len(data)) > MaxObjectSize {
			t.Fatalf("read %d bytes", len(data))
		}
	})
}
