package gitobj

import (
	"errors"
	"fmt"
)

// maxVarint is the longest 64-bit number in 7-bit groups.
const maxVarint = 10

// deltaSizes reads the two sizes a delta starts with: its base's and its
// result's. n is how many bytes they took.
func deltaSizes(delta []byte) (src, dst int64, n int, err error) {
	src, n1, err := deltaVarint(delta)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("delta base size: %w", err)
	}
	dst, n2, err := deltaVarint(delta[n1:])
	if err != nil {
		return 0, 0, 0, fmt.Errorf("delta result size: %w", err)
	}
	return src, dst, n1 + n2, nil
}

// deltaVarint reads a little-endian number in 7-bit groups, refusing any
// over MaxObjectSize: no base or result may be larger.
func deltaVarint(b []byte) (int64, int, error) {
	var v uint64
	for i, shift := 0, uint(0); i < len(b) && i < maxVarint; i, shift = i+1, shift+7 {
		v |= uint64(b[i]&0x7f) << shift
		if v > MaxObjectSize {
			return 0, 0, fmt.Errorf("%w (over %d bytes)", ErrTooLarge, MaxObjectSize)
		}
		if b[i]&0x80 == 0 {
			return int64(v), i + 1, nil
		}
	}
	return 0, 0, errors.New("truncated")
}

// applyDelta rebuilds an object from its base and a delta: after the two
// sizes, each instruction either copies a range of the base or inserts the
// bytes that follow it. Every range is checked against the base and the
// declared result size before it is copied, so a corrupt delta fails
// without writing past anything or growing the result beyond what it
// declared (itself at most MaxObjectSize).
func applyDelta(base, delta []byte) ([]byte, error) {
	src, dst, n, err := deltaSizes(delta)
	if err != nil {
		return nil, err
	}
	if src != int64(len(base)) {
		return nil, fmt.Errorf("delta for a %d-byte base applied to %d bytes", src, len(base))
	}
	// No instruction byte yields more than the whole base (or 127 inserted
	// bytes), so a result size beyond that is a lie not worth allocating.
	if dst > int64(len(delta)-n)*max(src, 127) {
		return nil, fmt.Errorf("delta: %d bytes of instructions cannot make the declared %d", len(delta)-n, dst)
	}
	out := make([]byte, 0, dst)
	for i := n; i < len(delta); {
		op := delta[i]
		i++
		switch {
		case op&0x80 != 0:
			// Bits 0-3 say which offset bytes follow, bits 4-6 which size
			// bytes; absent bytes are zero, and a zero size means 64 KiB.
			var off, size uint64
			for bit := range 7 {
				if op&(1<<bit) == 0 {
					continue
				}
				if i >= len(delta) {
					return nil, errors.New("delta: truncated copy instruction")
				}
				if bit < 4 {
					off |= uint64(delta[i]) << (8 * bit)
				} else {
					size |= uint64(delta[i]) << (8 * (bit - 4))
				}
				i++
			}
			if size == 0 {
				size = 0x10000
			}
			if off+size > uint64(len(base)) {
				return nil, fmt.Errorf("delta: copy of %d bytes at %d from a %d-byte base", size, off, len(base))
			}
			if uint64(len(out))+size > uint64(dst) {
				return nil, fmt.Errorf("delta: result longer than the declared %d bytes", dst)
			}
			out = append(out, base[off:off+size]...)
		case op != 0:
			size := int(op)
			if len(delta)-i < size {
				return nil, errors.New("delta: truncated insert instruction")
			}
			if int64(len(out)+size) > dst {
				return nil, fmt.Errorf("delta: result longer than the declared %d bytes", dst)
			}
			out = append(out, delta[i:i+size]...)
			i += size
		default:
			return nil, errors.New("delta: reserved instruction 0")
		}
	}
	if int64(len(out)) != dst {
		return nil, fmt.Errorf("delta: result of %d bytes, declared %d", len(out), dst)
	}
	return out, nil
}
