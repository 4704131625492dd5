package gitobj

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// mixedRepo is a history of eight commits stored as a long-lived clone has
// it: the first four commits in a pack of OFS deltas, the next two in a
// pack of REF deltas, an annotated tag and the last two commits loose.
func mixedRepo(t *testing.T) (*testRepo, []string) {
	t.Helper()
	r := newTestRepo(t)
	for i := range 12 {
		r.files[filepathFor(i)] = r.words(30 + 10*i)
	}
	// One blob over 64 KiB, so that deltas copy ranges whose offsets and
	// sizes need their upper bytes.
	r.files["data/big.txt"] = r.words(2500)
	r.files["data/empty"] = nil
	var ofs, ref, loose []plumbing.Hash
	for k := range 8 {
		r.edit(k)
		if k == 2 {
			big := r.files["data/big.txt"]
			r.files["data/big.txt"] = append(append(slices.Clone(big[30000:]), r.words(3)...), big[:30000]...)
		}
		added := r.commit("commit")
		switch {
		case k < 4:
			ofs = append(ofs, added...)
		case k < 6:
			ref = append(ref, added...)
		default:
			loose = append(loose, added...)
		}
	}
	loose = append(loose, r.tag("v1")...)
	packs := []string{r.pack(ofs, false), r.pack(ref, true)}
	r.loose(loose)
	return r, packs
}

func filepathFor(i int) string { return fmt.Sprintf("team/%c/file%d.py", 'a'+i%3, i) }

// TestStore_matchesGoGit reads every object of a repository with packs of
// both delta kinds and loose objects, mapped and with ReadAt, and compares
// type, content and size with go-git's reading of the same objects.
func TestStore_matchesGoGit(t *testing.T) {
	r, packs := mixedRepo(t)
	if k := entryKinds(t, packs[0]); k[kindOfsDelta] == 0 {
		t.Fatalf("the first pack has no OFS_DELTA entries (%v): the test would not cover them", k)
	}
	if k := entryKinds(t, packs[1]); k[kindRefDelta] == 0 {
		t.Fatalf("the second pack has no REF_DELTA entries (%v): the test would not cover them", k)
	}
	loose, _ := filepath.Glob(filepath.Join(r.objectsDir(), "??", "*"))
	if len(loose) == 0 {
		t.Fatal("no loose objects: the test would not cover them")
	}
	st := r.fresh()
	for _, mmap := range []bool{true, false} {
		name := map[bool]string{true: "mapped", false: "ReadAt"}[mmap]
		t.Run(name, func(t *testing.T) {
			s, err := open(r.objectsDir(), mmap)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if len(s.Refused()) > 0 || len(s.packs) != 2 {
				t.Fatalf("serving %d packs, refused %v", len(s.packs), s.Refused())
			}
			if mmap && s.packs[0].data == nil && mapAvailable {
				t.Fatal("the pack was not mapped")
			}
			// Twice: cold, then with the delta bases cached.
			for range 2 {
				for _, h := range r.all {
					compareObject(t, s, st, h)
				}
			}
		})
	}
}

// compareObject reads h with the store and with go-git (st) and fails on
// any difference of type, content or size.
func compareObject(t *testing.T, s *Store, st *filesystem.Storage, h plumbing.Hash) {
	t.Helper()
	wantType, want := readGoGit(t, st, h)
	typ, got, err := s.Read(h)
	if err != nil {
		t.Fatalf("Read(%s): %v", h, err)
	}
	if typ != wantType || !bytes.Equal(got, want) {
		t.Fatalf("Read(%s) = %v of %d bytes, go-git reads %v of %d bytes", h, typ, len(got), wantType, len(want))
	}
	size, err := s.Size(h)
	if err != nil {
		t.Fatalf("Size(%s): %v", h, err)
	}
	if size != int64(len(want)) {
		t.Fatalf("Size(%s) = %d, go-git reads %d bytes", h, size, len(want))
	}
}

// TestStore_gitPacks compares with go-git on packs git itself wrote, with
// deep delta chains (--depth 250) as an aggressive gc leaves them. git is
// not needed by smpipe; where it is missing the test is skipped.
func TestStore_gitPacks(t *testing.T) {
	gitBin, err := exec.LookPath("git")
	if err != nil {
		t.Skip("no git binary")
	}
	r := newTestRepo(t)
	for i := range 12 {
		r.files[filepathFor(i)] = r.words(50)
	}
	for k := range 40 {
		r.edit(k)
		r.commit("commit")
	}
	r.pack(r.all, false)
	cmd := exec.Command(gitBin, "-C", r.dir, "repack", "-a", "-d", "-f", "-q", "--depth=250", "--window=250")
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git repack: %v\n%s", err, out)
	}
	s, err := Open(r.objectsDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if len(s.packs) != 1 || len(s.Refused()) > 0 {
		t.Fatalf("serving %d packs, refused %v", len(s.packs), s.Refused())
	}
	if depth := maxChain(t, s); depth < 10 {
		t.Fatalf("longest delta chain %d: the test would not cover deep chains", depth)
	}
	st := r.fresh()
	for _, h := range slices.Backward(r.all) {
		compareObject(t, s, st, h)
	}
}

// maxChain is the longest delta chain in the store's first pack.
func maxChain(t *testing.T, s *Store) int {
	t.Helper()
	p := s.packs[0]
	offs, err := p.sortedOffsets()
	if err != nil {
		t.Fatal(err)
	}
	depth := map[int64]int{}
	longest := 0
	for _, off := range offs { // bases come before their deltas
		b, _ := p.entry(off)
		h, err := parseEntryHeader(b, off)
		if err != nil {
			t.Fatal(err)
		}
		if h.kind == kindOfsDelta {
			depth[off] = depth[h.baseOff] + 1
			longest = max(longest, depth[off])
		}
	}
	return longest
}

// TestStore_concurrent reads every object from many goroutines at once, in
// different orders, sharing the cache of delta bases; run with -race.
func TestStore_concurrent(t *testing.T) {
	r, _ := mixedRepo(t)
	want := r.goGitContents()
	s, err := Open(r.objectsDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Go(func() {
			order := slices.Clone(r.all)
			if g%2 == 1 {
				slices.Reverse(order)
			}
			for _, h := range order {
				_, got, err := s.Read(h)
				if err != nil {
					errs <- err
					return
				}
				if !bytes.Equal(got, want[h]) {
					errs <- errors.New("content differs from go-git's for " + h.String())
					return
				}
				if len(got) > 0 { // the caller may modify it
					got[0] ^= 0xff
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestStore_notFound: an object in no pack and not loose is ErrNotFound,
// for Read and Size, so that the caller asks go-git.
func TestStore_notFound(t *testing.T) {
	r, _ := mixedRepo(t)
	s, err := Open(r.objectsDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	missing := plumbing.NewHash("0123456789abcdef0123456789abcdef01234567")
	if _, _, err := s.Read(missing); !errors.Is(err, ErrNotFound) {
		t.Errorf("Read of a missing object: %v, want ErrNotFound", err)
	}
	if _, err := s.Size(missing); !errors.Is(err, ErrNotFound) {
		t.Errorf("Size of a missing object: %v, want ErrNotFound", err)
	}
}

// TestStore_writtenAfterOpen: a loose object written after Open is read
// (loose files are looked up on demand); one in a pack written after Open
// is ErrNotFound, left to go-git.
func TestStore_writtenAfterOpen(t *testing.T) {
	r := newTestRepo(t)
	r.files["a"] = r.words(10)
	first := r.commit("one")
	r.loose(first)
	s, err := Open(r.objectsDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r.files["b"] = r.words(10)
	loose := r.commit("two")
	r.loose(loose)
	st := r.fresh()
	for _, h := range loose {
		compareObject(t, s, st, h)
	}
	r.pack(first, false)
	if _, _, err := s.Read(first[0]); !errors.Is(err, ErrNotFound) {
		t.Errorf("Read of an object packed after Open: %v, want ErrNotFound", err)
	}
}

// TestStore_refusedIndex: a version 1 index, or an index for another pack,
// is not served; the other packs and loose objects still are.
func TestStore_refusedIndex(t *testing.T) {
	tests := []struct {
		name  string
		spoil func(t *testing.T, base string)
	}{
		{"version 1 index", func(t *testing.T, base string) { writeV1Index(t, base) }},
		{"index of another pack", func(t *testing.T, base string) {
			idx := readFile(t, base+".idx")
			idx[len(idx)-idxTrailer] ^= 1 // the pack checksum it names
			writeFile(t, base+".idx", idx)
		}},
		{"pack without its index", func(t *testing.T, base string) {
			if err := os.Remove(base + ".idx"); err != nil {
				t.Fatal(err)
			}
		}},
		{"fanout decreasing", func(t *testing.T, base string) {
			idx := readFile(t, base+".idx")
			copy(idx[idxFanout+4*10:], []byte{0xff, 0xff, 0xff, 0xff})
			writeFile(t, base+".idx", idx)
		}},
		{"index truncated", func(t *testing.T, base string) {
			idx := readFile(t, base+".idx")
			writeFile(t, base+".idx", idx[:len(idx)-3])
		}},
		{"pack of another object count", func(t *testing.T, base string) {
			p := readFile(t, base+".pack")
			p[11]++
			writeFile(t, base+".pack", p)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, packs := mixedRepo(t)
			want := r.goGitContents()
			tt.spoil(t, packs[0])
			s, err := Open(r.objectsDir())
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			wantRefused := 1
			if tt.name == "pack without its index" {
				wantRefused = 0 // not even seen: packs are found by their index
			}
			if len(s.packs) != 1 || len(s.Refused()) != wantRefused {
				t.Fatalf("serving %d packs, refused %v", len(s.packs), s.Refused())
			}
			served, notFound := 0, 0
			for _, h := range r.all {
				_, got, err := s.Read(h)
				switch {
				case errors.Is(err, ErrNotFound):
					notFound++
				case err != nil:
					t.Fatalf("Read(%s): %v", h, err)
				default:
					if !bytes.Equal(got, want[h]) {
						t.Fatalf("Read(%s) differs from go-git", h)
					}
					served++
				}
			}
			if served == 0 || notFound == 0 {
				t.Errorf("%d objects served, %d not found; want some of each", served, notFound)
			}
		})
	}
}

// writeV1Index rewrites base.idx in the version 1 layout: fanout, then
// offset and hash per object, then the checksums.
func writeV1Index(t *testing.T, base string) {
	t.Helper()
	v2 := readFile(t, base+".idx")
	n, _, err := checkIndex(v2)
	if err != nil {
		t.Fatal(err)
	}
	v1 := slices.Clone(v2[idxFanout : idxFanout+256*4])
	for i := range n {
		v1 = append(v1, v2[idxHashes+n*24+4*i:idxHashes+n*24+4*i+4]...)
		v1 = append(v1, v2[idxHashes+20*i:idxHashes+20*i+20]...)
	}
	v1 = append(v1, v2[len(v2)-idxTrailer:]...)
	writeFile(t, base+".idx", v1)
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func writeFile(t *testing.T, name string, b []byte) {
	t.Helper()
	_ = os.Chmod(name, 0o644) // packs are written read-only
	if err := os.WriteFile(name, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
