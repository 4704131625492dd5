package gitobj

import (
	"bytes"
	"compress/zlib"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

// TestStore_crafted reads hand-made packs, good and corrupt, both mapped and
// with ReadAt: corrupt entries are errors naming what is wrong, never a
// panic, and never an allocation their header alone asked for.
func TestStore_crafted(t *testing.T) {
	content := bytes.Repeat([]byte("conf: value\n"), 20) // 240 bytes
	baseEntry := whole(Blob, content)
	deltaAt := int64(packHeader + len(baseEntry)) // a delta right after the base
	ofsDelta := func(delta []byte) []byte {
		return append(append(entryHead(kindOfsDelta, uint64(len(delta))), ofsBase(uint64(deltaAt-packHeader))...), deflate(delta)...)
	}
	refDelta := func(base [20]byte, delta []byte) []byte {
		return append(append(entryHead(kindRefDelta, uint64(len(delta))), base[:]...), deflate(delta)...)
	}
	sizes := func(src, dst int) []byte { return append(deltaVar(uint64(src)), deltaVar(uint64(dst))...) }
	// A delta that copies the base's first 12 bytes and inserts "!".
	goodDelta := append(sizes(len(content), 13), 0x90, 12, 1, '!')
	badZlib := deflate(content)
	badZlib[len(badZlib)-1] ^= 1 // the Adler-32 checksum

	tests := []struct {
		name    string
		entries [][]byte // the base blob first, then the entry read
		large   bool
		want    string // content read; "" with wantErr
		wantErr string
		is      error
	}{
		{name: "whole blob", entries: [][]byte{baseEntry}, want: string(content)},
		{name: "OFS delta", entries: [][]byte{baseEntry, ofsDelta(goodDelta)}, want: "conf: value\n!"},
		{name: "REF delta", entries: [][]byte{baseEntry, refDelta(name(1), goodDelta)}, want: "conf: value\n!"},
		{name: "offsets from the large table", entries: [][]byte{baseEntry, ofsDelta(goodDelta)}, large: true, want: "conf: value\n!"},
		{name: "size beyond MaxObjectSize", entries: [][]byte{baseEntry, append(entryHead(byte(Blob), 1<<40), deflate(content)...)},
			wantErr: "too large", is: ErrTooLarge},
		{name: "size above what deflate can expand to", entries: [][]byte{baseEntry, append(entryHead(byte(Blob), 200<<20), deflate(content)...)},
			wantErr: "impossible size"},
		{name: "size overflowing 64 bits", entries: [][]byte{baseEntry, append(bytes.Repeat([]byte{0xff}, 12), 0)},
			wantErr: "overflows"},
		{name: "size larger than the data", entries: [][]byte{baseEntry, append(entryHead(byte(Blob), 300), deflate(content)...)},
			wantErr: "unexpected EOF"},
		{name: "size smaller than the data", entries: [][]byte{baseEntry, append(entryHead(byte(Blob), 10), deflate(content)...)},
			wantErr: "more data than the header says"},
		{name: "checksum mismatch", entries: [][]byte{baseEntry, append(entryHead(byte(Blob), uint64(len(content))), badZlib...)},
			wantErr: "checksum"},
		{name: "not zlib", entries: [][]byte{baseEntry, append(entryHead(byte(Blob), 5), "hello"...)},
			wantErr: "zlib"},
		{name: "unknown kind", entries: [][]byte{baseEntry, append(entryHead(5, 1), deflate([]byte("x"))...)},
			wantErr: "unknown kind 5"},
		{name: "OFS base before the pack", entries: [][]byte{baseEntry, append(append(entryHead(kindOfsDelta, 1), ofsBase(1000)...), deflate([]byte{0})...)},
			wantErr: "delta base 1000 bytes before offset"},
		{name: "OFS base at itself", entries: [][]byte{baseEntry, append(append(entryHead(kindOfsDelta, 1), 0), deflate([]byte{0})...)},
			wantErr: "delta base 0 bytes before"},
		{name: "OFS base inside another entry", entries: [][]byte{baseEntry, append(append(entryHead(kindOfsDelta, uint64(len(goodDelta))), ofsBase(uint64(deltaAt-packHeader-3))...), deflate(goodDelta)...)},
			wantErr: "offset 15"},
		{name: "delta for a base of another size", entries: [][]byte{baseEntry, ofsDelta(append(sizes(len(content)+1, 1), 1, 'x'))},
			wantErr: "delta for a 241-byte base applied to 240 bytes"},
		{name: "delta copying past its base", entries: [][]byte{baseEntry, ofsDelta(append(sizes(len(content), 10), 0x91, 250, 10))},
			wantErr: "copy of 10 bytes at 250 from a 240-byte base"},
		{name: "delta longer than declared", entries: [][]byte{baseEntry, ofsDelta(append(sizes(len(content), 2), 3, 'a', 'b', 'c'))},
			wantErr: "result longer than the declared 2 bytes"},
		{name: "delta shorter than declared", entries: [][]byte{baseEntry, ofsDelta(append(sizes(len(content), 5), 3, 'a', 'b', 'c'))},
			wantErr: "result of 3 bytes, declared 5"},
		{name: "delta declaring more than it can make", entries: [][]byte{baseEntry, ofsDelta(append(sizes(len(content), 100<<20), 0x90, 1))},
			wantErr: "cannot make the declared"},
		{name: "delta instruction 0", entries: [][]byte{baseEntry, ofsDelta(append(sizes(len(content), 1), 0))},
			wantErr: "reserved instruction 0"},
		{name: "delta insert past its end", entries: [][]byte{baseEntry, ofsDelta(append(sizes(len(content), 5), 5, 'a'))},
			wantErr: "truncated insert"},
		{name: "delta copy past its end", entries: [][]byte{baseEntry, ofsDelta(append(sizes(len(content), 5), 0x93, 1))},
			wantErr: "truncated copy"},
		{name: "REF delta on a missing base", entries: [][]byte{baseEntry, refDelta(name(9), goodDelta)},
			wantErr: "delta base", is: ErrNotFound},
		{name: "REF delta cycle", entries: [][]byte{refDelta(name(2), goodDelta), refDelta(name(1), goodDelta)},
			wantErr: "a delta chain longer than"},
	}
	for _, tt := range tests {
		for _, mmap := range []bool{true, false} {
			t.Run(tt.name+map[bool]string{true: "/mapped", false: "/ReadAt"}[mmap], func(t *testing.T) {
				var entries []rawEntry
				for i, raw := range tt.entries {
					entries = append(entries, rawEntry{hash: name(byte(i + 1)), raw: raw})
				}
				s, err := open(writeCrafted(t, entries, tt.large), mmap)
				if err != nil {
					t.Fatal(err)
				}
				defer s.Close()
				if len(s.packs) != 1 {
					t.Fatalf("pack refused: %v", s.Refused())
				}
				read := name(byte(len(entries)))
				typ, got, err := s.Read(read)
				if tt.wantErr != "" {
					if err == nil || !strings.Contains(err.Error(), tt.wantErr) || (tt.is != nil && !errors.Is(err, tt.is)) {
						t.Fatalf("Read: %v, want an error containing %q (is %v)", err, tt.wantErr, tt.is)
					}
					if !strings.Contains(err.Error(), "pack-crafted.pack") {
						t.Errorf("the error %q does not name the pack", err)
					}
					s.Size(read) // may or may not fail; must not panic
					return
				}
				if err != nil || typ != Blob || string(got) != tt.want {
					t.Fatalf("Read = %v %q, %v; want blob %q", typ, got, err, tt.want)
				}
				if n, err := s.Size(read); err != nil || n != int64(len(tt.want)) {
					t.Fatalf("Size = %d, %v; want %d", n, err, len(tt.want))
				}
			})
		}
	}
}

// TestStore_refDeltaOnLoose: a REF_DELTA whose base is a loose object, not
// in any pack, is resolved through the loose object.
func TestStore_refDeltaOnLoose(t *testing.T) {
	content := []byte("a loose base\n")
	base := objectHash(Blob, content)
	delta := append(append(deltaVar(uint64(len(content))), deltaVar(8)...), 0x90, 8)
	raw := append(append(entryHead(kindRefDelta, uint64(len(delta))), base[:]...), deflate(delta)...)
	dir := writeCrafted(t, []rawEntry{{hash: name(1), raw: raw}}, false)
	writeLoose(t, dir, base, append([]byte("blob 13\x00"), content...))
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if typ, got, err := s.Read(name(1)); err != nil || typ != Blob || string(got) != "a loose " {
		t.Fatalf("Read = %v %q, %v", typ, got, err)
	}
}

// TestStore_looseCorrupt: loose objects with bad headers or data are
// errors.
func TestStore_looseCorrupt(t *testing.T) {
	tests := []struct {
		name    string
		file    []byte // written as is
		wantErr string
	}{
		{"unknown type", deflate([]byte("bogus 1\x00x")), `unknown type "bogus"`},
		{"signed size", deflate([]byte("blob +1\x00x")), `bad size "+1"`},
		{"leading zero", deflate([]byte("blob 01\x00x")), `bad size "01"`},
		{"no NUL", deflate([]byte("blob 1")), "no header"},
		{"no size", deflate([]byte("blob\x00")), "no size"},
		{"huge size", deflate([]byte("blob 99999999999\x00x")), "too large"},
		{"size larger than the data", deflate([]byte("blob 5\x00x")), "unexpected EOF"},
		{"size smaller than the data", deflate([]byte("blob 1\x00xyz")), "more data"},
		{"not zlib", []byte("blob 1\x00x"), "zlib"},
		{"empty file", nil, "unexpected EOF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			h := name(7)
			writeLooseFile(t, dir, h, tt.file)
			s, err := Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if _, _, err := s.Read(h); err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Read: %v, want an error containing %q", err, tt.wantErr)
			}
			s.Size(h) // must not panic
		})
	}
}

func writeLoose(t *testing.T, dir string, h [20]byte, raw []byte) {
	t.Helper()
	var buf bytes.Buffer
	w := zlib.NewWriter(&buf)
	w.Write(raw)
	w.Close()
	writeLooseFile(t, dir, h, buf.Bytes())
}

func writeLooseFile(t *testing.T, dir string, h [20]byte, file []byte) {
	t.Helper()
	x := hexHash(h)
	if err := os.MkdirAll(filepath.Join(dir, x[:2]), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, x[:2], x[2:]), file)
}

// TestStore_flippedBytes flips bytes all over a real pack. A flip in an
// entry's compressed data must be caught (zlib's checksum, the sizes, the
// delta's bounds) or change nothing; a flip in a header may make anything
// of the entry, so there only the absence of a panic is checked.
func TestStore_flippedBytes(t *testing.T) {
	r, packs := mixedRepo(t)
	want := r.goGitContents()
	name := packs[0] + ".pack"
	orig := readFile(t, name)
	p, err := openPack(packs[0], false)
	if err != nil {
		t.Fatal(err)
	}
	var inPack []plumbing.Hash // only these can go wrong
	for _, h := range r.all {
		if _, ok := p.lookup(h); ok {
			inPack = append(inPack, h)
		}
	}
	inHeader := map[int64]bool{}
	for _, off := range p.offsets {
		b, _ := p.entry(off)
		h, _ := parseEntryHeader(b, off)
		for i := range int64(h.len) {
			inHeader[off+i] = true
		}
	}
	p.close()
	step := max(1, len(orig)/150)
	for pos := packHeader; pos < len(orig)-packHash; pos += step {
		for _, flip := range []byte{0x01, 0x80} {
			spoilt := bytes.Clone(orig)
			spoilt[pos] ^= flip
			writeFile(t, name, spoilt)
			s, err := open(r.objectsDir(), pos%2 == 0)
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range inPack {
				s.Size(h)
				_, got, err := s.Read(h)
				if err == nil && !bytes.Equal(got, want[h]) && !inHeader[int64(pos)] {
					t.Errorf("byte %d ^ %#x: Read(%s) returned wrong content without an error", pos, flip, h)
				}
			}
			s.Close()
		}
	}
}
