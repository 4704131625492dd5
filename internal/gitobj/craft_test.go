package gitobj

import (
	"bytes"
	"compress/zlib"
	"crypto/sha1"
	"encoding/binary"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
)

// rawEntry is one entry of a hand-made pack: the hash its index names it by
// and its bytes (header and compressed data), which may be corrupt.
type rawEntry struct {
	hash [20]byte
	raw  []byte
}

// craftedPack lays entries out as a pack and a version 2 index. With large
// set, every offset goes through the 8-byte table that packs over 2 GiB
// need.
func craftedPack(entries []rawEntry, large bool) (packData, idx []byte, offsets []int64) {
	var p bytes.Buffer
	p.WriteString("PACK")
	p.Write(binary.BigEndian.AppendUint32(nil, 2))
	p.Write(binary.BigEndian.AppendUint32(nil, uint32(len(entries))))
	for _, e := range entries {
		offsets = append(offsets, int64(p.Len()))
		p.Write(e.raw)
	}
	sum := sha1.Sum(p.Bytes())
	p.Write(sum[:])

	order := make([]int, len(entries))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return bytes.Compare(entries[a].hash[:], entries[b].hash[:]) })
	var x bytes.Buffer
	x.Write(idxMagic)
	for b := range 256 {
		n := 0
		for _, e := range entries {
			if int(e.hash[0]) <= b {
				n++
			}
		}
		x.Write(binary.BigEndian.AppendUint32(nil, uint32(n)))
	}
	for _, i := range order {
		x.Write(entries[i].hash[:])
	}
	x.Write(make([]byte, 4*len(entries))) // CRCs, which the store does not check
	for j, i := range order {
		if large {
			x.Write(binary.BigEndian.AppendUint32(nil, 0x80000000|uint32(j)))
		} else {
			x.Write(binary.BigEndian.AppendUint32(nil, uint32(offsets[i])))
		}
	}
	if large {
		for _, i := range order {
			x.Write(binary.BigEndian.AppendUint64(nil, uint64(offsets[i])))
		}
	}
	x.Write(sum[:])
	isum := sha1.Sum(x.Bytes())
	x.Write(isum[:])
	return p.Bytes(), x.Bytes(), offsets
}

// writeCrafted writes a crafted pack into a fresh objects directory.
func writeCrafted(t *testing.T, entries []rawEntry, large bool) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "pack"), 0o755); err != nil {
		t.Fatal(err)
	}
	packData, idx, _ := craftedPack(entries, large)
	base := filepath.Join(dir, "pack", "pack-crafted")
	writeFile(t, base+".pack", packData)
	writeFile(t, base+".idx", idx)
	return dir
}

// entryHead encodes an entry header of kind and size.
func entryHead(kind byte, size uint64) []byte {
	c := kind<<4 | byte(size&15)
	size >>= 4
	var out []byte
	for size > 0 {
		out = append(out, c|0x80)
		c = byte(size & 0x7f)
		size >>= 7
	}
	return append(out, c)
}

// ofsBase encodes how far back an OFS_DELTA's base is.
func ofsBase(rel uint64) []byte {
	out := []byte{byte(rel & 0x7f)}
	for rel >>= 7; rel > 0; rel >>= 7 {
		rel--
		out = append([]byte{0x80 | byte(rel&0x7f)}, out...)
	}
	return out
}

func deflate(b []byte) []byte {
	var buf bytes.Buffer
	w := zlib.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

// deltaVar encodes a delta header size.
func deltaVar(n uint64) []byte {
	var out []byte
	for n >= 0x80 {
		out = append(out, byte(n)|0x80)
		n >>= 7
	}
	return append(out, byte(n))
}

// whole is an entry holding an object undeltified.
func whole(t Type, content []byte) []byte {
	return append(entryHead(byte(t), uint64(len(content))), deflate(content)...)
}

// objectHash is git's name for an object.
func objectHash(t Type, content []byte) [20]byte {
	h := sha1.New()
	h.Write([]byte(t.String() + " "))
	h.Write([]byte(strconv.Itoa(len(content))))
	h.Write([]byte{0})
	h.Write(content)
	return [20]byte(h.Sum(nil))
}

// name makes a distinct fake hash for a crafted entry.
func name(b byte) [20]byte {
	var h [20]byte
	h[0], h[19] = b, b
	return h
}
