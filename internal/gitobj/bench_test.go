package gitobj

import (
	"path/filepath"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/smpipe/smpipe-action/internal/monorepo"
)

// BenchmarkRead reads every object of a generated 1,000-pipeline
// repository (one pack, as after a clone) from a fresh store: packs mapped
// into memory against packs read with one ReadAt an entry, which is what
// decided for mapping where the platform allows it.
func BenchmarkRead(b *testing.B) {
	dir := b.TempDir()
	if err := monorepo.Write(dir, "../../"+monorepo.Example, 1000); err != nil {
		b.Fatal(err)
	}
	if _, err := monorepo.Commit(dir, "base"); err != nil {
		b.Fatal(err)
	}
	objects := filepath.Join(dir, ".git", "objects")
	s, err := Open(objects)
	if err != nil {
		b.Fatal(err)
	}
	var all []plumbing.Hash
	for _, p := range s.packs {
		for i := range p.count {
			all = append(all, plumbing.Hash(p.idx[idxHashes+20*i:idxHashes+20*i+20]))
		}
	}
	s.Close()
	for _, mmap := range []bool{true, false} {
		b.Run(map[bool]string{true: "mapped", false: "ReadAt"}[mmap], func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				s, err := open(objects, mmap)
				if err != nil {
					b.Fatal(err)
				}
				for _, h := range all {
					if _, _, err := s.Read(h); err != nil {
						b.Fatal(err)
					}
				}
				s.Close()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(all)), "ns/object")
		})
	}
}
