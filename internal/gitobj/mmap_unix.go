//go:build linux || darwin

package gitobj

import (
	"os"
	"syscall"
)

// mapFile maps the first size bytes of f read-only. Packs and their
// indexes are never rewritten in place (git writes new files and renames
// them), so the mapping stays valid even if git gc deletes the file.
func mapFile(f *os.File, size int64) ([]byte, error) {
	return syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED)
}

func unmapFile(b []byte) error { return syscall.Munmap(b) }

// mapAvailable says whether packs are memory-mapped here.
const mapAvailable = true
