package compiler

import (
	"bytes"
	"compress/gzip"
	"io"
	"math/rand/v2"
	"testing"
)

// storedGzip must write exactly what compress/gzip writes at
// NoCompression, whatever the sizes and however the writes are cut: bundle
// hashes, and so definitions, depend on it.
func TestStoredGzip_matchesCompressGzip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, size := range []int{0, 1, 100, maxStoredBlock - 1, maxStoredBlock, maxStoredBlock + 1, 3*maxStoredBlock + 17, 500_000} {
		data := make([]byte, size)
		for i := range data {
			data[i] = byte(rng.IntN(256))
		}
		for _, chunk := range []int{1, 7, 4096, maxStoredBlock, 1 << 20} {
			var want bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&want, gzip.NoCompression)
			writeChunks(t, zw, data, chunk)
			if err := zw.Close(); err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			var z storedGzip
			z.Reset(&got)
			writeChunks(t, &z, data, chunk)
			if err := z.Close(); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), want.Bytes()) {
				t.Fatalf("size %d in chunks of %d: %d bytes differ from compress/gzip's %d", size, chunk, got.Len(), want.Len())
			}
			zr, err := gzip.NewReader(&got)
			if err != nil {
				t.Fatal(err)
			}
			back, err := io.ReadAll(zr)
			if err != nil || !bytes.Equal(back, data) {
				t.Fatalf("size %d: does not read back: %v", size, err)
			}
		}
	}
}

func writeChunks(t *testing.T, w io.Writer, data []byte, chunk int) {
	t.Helper()
	for len(data) > 0 {
		n := min(chunk, len(data))
		if _, err := w.Write(data[:n]); err != nil {
			t.Fatal(err)
		}
		data = data[n:]
	}
}
