package compiler

import (
	"encoding/binary"
	"hash/crc32"
	"io"
)

// storedGzip writes a gzip stream whose deflate blocks are stored, byte for
// byte what compress/gzip writes at gzip.NoCompression: a header without
// name or time, blocks of at most 65,535 bytes each cut when full, an empty
// final block, the CRC-32 and the size. It holds one block instead of a
// flate compressor, which keeps its hash tables (over a megabyte) whatever
// the level.
type storedGzip struct {
	w     io.Writer
	block []byte // pending data, at most maxStoredBlock
	crc   uint32
	size  uint32
	err   error
}

// maxStoredBlock is the most data one stored deflate block holds.
const maxStoredBlock = 65535

// gzipHeader is compress/gzip's header for a Writer with no Name, Comment,
// Extra or ModTime at level NoCompression: magic, deflate, no flags, zero
// time, no extra flags, OS unknown.
var gzipHeader = []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255}

// Reset starts a new stream on w.
func (z *storedGzip) Reset(w io.Writer) {
	if cap(z.block) < maxStoredBlock {
		z.block = make([]byte, 0, maxStoredBlock)
	}
	z.w, z.block, z.crc, z.size, z.err = w, z.block[:0], 0, 0, nil
	z.write(gzipHeader)
}

func (z *storedGzip) Write(p []byte) (int, error) {
	if z.err != nil {
		return 0, z.err
	}
	n := len(p)
	z.crc = crc32.Update(z.crc, crc32.IEEETable, p)
	z.size += uint32(n)
	for len(p) > 0 {
		room := maxStoredBlock - len(z.block)
		take := min(room, len(p))
		z.block = append(z.block, p[:take]...)
		p = p[take:]
		if len(z.block) == maxStoredBlock {
			z.flushBlock(false)
		}
	}
	return n, z.err
}

// Close writes what is pending, the final block and the trailer.
func (z *storedGzip) Close() error {
	if len(z.block) > 0 {
		z.flushBlock(false)
	}
	z.flushBlock(true)
	var trailer [8]byte
	binary.LittleEndian.PutUint32(trailer[:4], z.crc)
	binary.LittleEndian.PutUint32(trailer[4:], z.size)
	z.write(trailer[:])
	return z.err
}

// flushBlock writes the pending data as one stored block: BFINAL and
// BTYPE 00 padded to a byte, LEN and its complement, the data.
func (z *storedGzip) flushBlock(final bool) {
	var head [5]byte
	if final {
		head[0] = 1
	}
	n := uint16(len(z.block))
	binary.LittleEndian.PutUint16(head[1:3], n)
	binary.LittleEndian.PutUint16(head[3:5], ^n)
	z.write(head[:])
	z.write(z.block)
	z.block = z.block[:0]
}

func (z *storedGzip) write(b []byte) {
	if z.err == nil && len(b) > 0 {
		_, z.err = z.w.Write(b)
	}
}
