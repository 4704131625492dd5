package gitobj

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-billy/v5/osfs"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/packfile"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/filesystem"
	"github.com/go-git/go-git/v5/storage/memory"
)

// testRepo is a bare repository written with go-git: commits of generated
// files, made in memory, whose objects the test then writes into packs
// (with OFS or REF deltas) or as loose objects.
type testRepo struct {
	t    testing.TB
	dir  string // the git directory; objects are in dir/objects
	st   *filesystem.Storage
	mem  *memory.Storage
	rng  *rand.Rand
	head plumbing.Hash
	// files is the worktree the next commit records.
	files map[string][]byte
	// all lists every object written, in order.
	all []plumbing.Hash
}

func newTestRepo(t testing.TB) *testRepo {
	t.Helper()
	dir := t.TempDir()
	for _, d := range []string{"objects/pack", "refs/heads"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "HEAD"), []byte("ref: refs/heads/main\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	st := filesystem.NewStorage(osfs.New(dir), cache.NewObjectLRUDefault())
	t.Cleanup(func() { st.Close() })
	return &testRepo{t: t, dir: dir, st: st, mem: memory.NewStorage(), rng: rand.New(rand.NewPCG(1, 2)), files: map[string][]byte{}}
}

func (r *testRepo) objectsDir() string { return filepath.Join(r.dir, "objects") }

// words makes n lines of text, different from call to call but from the
// same vocabulary, so that versions of a file delta well against each other.
func (r *testRepo) words(n int) []byte {
	vocab := strings.Fields("model train step instance_type ml.m5.large bucket s3 input output metrics gate register")
	var b strings.Builder
	for range n {
		for range 1 + r.rng.IntN(6) {
			b.WriteString(vocab[r.rng.IntN(len(vocab))])
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%d\n", r.rng.IntN(1000))
	}
	return []byte(b.String())
}

// edit changes a few lines of some files, adds one and removes one: what a
// commit does, so that the next pack holds deltas between versions.
func (r *testRepo) edit(k int) {
	names := slices.Sorted(func(yield func(string) bool) {
		for n := range r.files {
			if !yield(n) {
				return
			}
		}
	})
	for i, n := range names {
		if i%3 != k%3 {
			continue
		}
		lines := strings.SplitAfter(string(r.files[n]), "\n")
		j := r.rng.IntN(len(lines))
		lines[j] = string(r.words(1))
		r.files[n] = []byte(strings.Join(lines, ""))
	}
	if len(names) > 0 && k%2 == 1 {
		delete(r.files, names[r.rng.IntN(len(names))])
	}
	r.files[fmt.Sprintf("team%d/model%d/conf.yaml", k%4, k)] = r.words(40 + r.rng.IntN(60))
}

// commit records the files as a commit on main and returns the objects it
// added, which are only in memory until packed or written loose.
func (r *testRepo) commit(msg string) []plumbing.Hash {
	r.t.Helper()
	before := len(r.all)
	tree := r.tree("")
	when := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC).Add(time.Duration(len(r.all)) * time.Minute)
	sig := object.Signature{Name: "Test", Email: "test@example.com", When: when}
	c := &object.Commit{Author: sig, Committer: sig, Message: msg, TreeHash: tree}
	if !r.head.IsZero() {
		c.ParentHashes = []plumbing.Hash{r.head}
	}
	r.head = r.put(c)
	if err := r.st.SetReference(plumbing.NewHashReference("refs/heads/main", r.head)); err != nil {
		r.t.Fatal(err)
	}
	return slices.Clone(r.all[before:])
}

// tag records an annotated tag of the head commit.
func (r *testRepo) tag(name string) []plumbing.Hash {
	sig := object.Signature{Name: "Test", Email: "test@example.com", When: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	return []plumbing.Hash{r.put(&object.Tag{Name: name, Tagger: sig, Message: "release\n", TargetType: plumbing.CommitObject, Target: r.head})}
}

// tree records the directory dir of the files.
func (r *testRepo) tree(dir string) plumbing.Hash {
	children := map[string]bool{}
	t := &object.Tree{}
	prefix := dir + "/"
	if dir == "" {
		prefix = ""
	}
	for name, content := range r.files {
		rest, ok := strings.CutPrefix(name, prefix)
		if !ok {
			continue
		}
		if sub, _, isDir := strings.Cut(rest, "/"); isDir {
			children[sub] = true
			continue
		}
		t.Entries = append(t.Entries, object.TreeEntry{Name: rest, Mode: filemode.Regular, Hash: r.blob(content)})
	}
	for sub := range children {
		t.Entries = append(t.Entries, object.TreeEntry{Name: sub, Mode: filemode.Dir, Hash: r.tree(path.Join(dir, sub))})
	}
	key := func(e object.TreeEntry) string {
		if e.Mode == filemode.Dir {
			return e.Name + "/"
		}
		return e.Name
	}
	sort.Slice(t.Entries, func(i, j int) bool { return key(t.Entries[i]) < key(t.Entries[j]) })
	return r.put(t)
}

func (r *testRepo) blob(content []byte) plumbing.Hash {
	r.t.Helper()
	o := r.mem.NewEncodedObject()
	o.SetType(plumbing.BlobObject)
	o.SetSize(int64(len(content)))
	w, err := o.Writer()
	if err != nil {
		r.t.Fatal(err)
	}
	if _, err := w.Write(content); err != nil {
		r.t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		r.t.Fatal(err)
	}
	return r.store(o)
}

func (r *testRepo) put(e interface {
	Encode(plumbing.EncodedObject) error
}) plumbing.Hash {
	r.t.Helper()
	o := r.mem.NewEncodedObject()
	if err := e.Encode(o); err != nil {
		r.t.Fatal(err)
	}
	return r.store(o)
}

func (r *testRepo) store(o plumbing.EncodedObject) plumbing.Hash {
	r.t.Helper()
	h := o.Hash()
	if r.mem.HasEncodedObject(h) == nil {
		return h
	}
	if _, err := r.mem.SetEncodedObject(o); err != nil {
		r.t.Fatal(err)
	}
	r.all = append(r.all, h)
	return h
}

// pack writes hashes into one new pack, with REF_DELTA entries when ref is
// set and OFS_DELTA ones otherwise, and deletes any loose copies, as git
// repack does. It returns the pack's path without extension.
func (r *testRepo) pack(hashes []plumbing.Hash, ref bool) string {
	r.t.Helper()
	w, err := r.st.PackfileWriter()
	if err != nil {
		r.t.Fatal(err)
	}
	sum, err := packfile.NewEncoder(w, r.mem, ref).Encode(hashes, 10)
	if err != nil {
		r.t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		r.t.Fatal(err)
	}
	for _, h := range hashes {
		if err := r.st.DeleteLooseObject(h); err != nil && !errors.Is(err, os.ErrNotExist) {
			r.t.Fatal(err)
		}
	}
	return filepath.Join(r.objectsDir(), "pack", "pack-"+sum.String())
}

// loose writes hashes as loose objects.
func (r *testRepo) loose(hashes []plumbing.Hash) {
	r.t.Helper()
	for _, h := range hashes {
		o, err := r.mem.EncodedObject(plumbing.AnyObject, h)
		if err != nil {
			r.t.Fatal(err)
		}
		if _, err := r.st.SetEncodedObject(o); err != nil {
			r.t.Fatal(err)
		}
	}
}

// fresh reopens the storage, so go-git sees packs written since.
func (r *testRepo) fresh() *filesystem.Storage {
	st := filesystem.NewStorage(osfs.New(r.dir), cache.NewObjectLRUDefault())
	r.t.Cleanup(func() { st.Close() })
	return st
}

// readGoGit reads an object the way the rest of smpipe did before this
// package: through go-git.
func readGoGit(t testing.TB, st *filesystem.Storage, h plumbing.Hash) (Type, []byte) {
	t.Helper()
	o, err := st.EncodedObject(plumbing.AnyObject, h)
	if err != nil {
		t.Fatalf("go-git reading %s: %v", h, err)
	}
	rd, err := o.Reader()
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	b, err := io.ReadAll(rd)
	if err != nil {
		t.Fatal(err)
	}
	return Type(o.Type()), b
}

// goGitContents reads every object the repository has with go-git.
func (r *testRepo) goGitContents() map[plumbing.Hash][]byte {
	r.t.Helper()
	st := r.fresh()
	want := map[plumbing.Hash][]byte{}
	for _, h := range r.all {
		_, want[h] = readGoGit(r.t, st, h)
	}
	return want
}

// entryKinds counts the kinds of the entries of the pack at base (no
// extension), to show which deltas a test exercises.
func entryKinds(t testing.TB, base string) map[byte]int {
	t.Helper()
	p, err := openPack(base, false)
	if err != nil {
		t.Fatal(err)
	}
	defer p.close()
	kinds := map[byte]int{}
	for _, off := range p.offsets {
		b, err := p.entry(off)
		if err != nil {
			t.Fatal(err)
		}
		h, err := parseEntryHeader(b, off)
		if err != nil {
			t.Fatal(err)
		}
		kinds[h.kind]++
	}
	return kinds
}
