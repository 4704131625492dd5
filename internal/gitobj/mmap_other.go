//go:build !(linux || darwin)

package gitobj

import (
	"errors"
	"os"
)

// mapFile is not offered here: packs are read with ReadAt.
func mapFile(*os.File, int64) ([]byte, error) {
	return nil, errors.New("memory mapping not supported")
}

func unmapFile([]byte) error { return nil }

// mapAvailable says whether packs are memory-mapped here.
const mapAvailable = false
