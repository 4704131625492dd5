package gitrev

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/idxfile"
	"github.com/go-git/go-git/v5/plumbing/format/packfile"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/go-git/go-git/v5/storage"
	"github.com/google/go-cmp/cmp"
)

// countingStorer counts the objects go-git is asked for, to tell which
// reader served a read.
type countingStorer struct {
	storage.Storer
	reads atomic.Int64
}

func (s *countingStorer) EncodedObject(t plumbing.ObjectType, h plumbing.Hash) (plumbing.EncodedObject, error) {
	s.reads.Add(1)
	return s.Storer.EncodedObject(t, h)
}

func (s *countingStorer) EncodedObjectSize(h plumbing.Hash) (int64, error) {
	s.reads.Add(1)
	return s.Storer.(interface {
		EncodedObjectSize(plumbing.Hash) (int64, error)
	}).EncodedObjectSize(h)
}

func (s *countingStorer) Close() error { return s.Storer.(io.Closer).Close() }

// countGoGit makes r count what it asks go-git for.
func countGoGit(r *Repo) *countingStorer {
	c := &countingStorer{Storer: r.git.Storer}
	r.git.Storer = c
	return c
}

// packAll moves every object of the fixture into one pack with deltas, as
// a clone or git gc leaves a repository.
func (f *fixture) packAll() {
	f.t.Helper()
	los := f.repo.Storer.(storer.LooseObjectStorer)
	var loose []plumbing.Hash
	if err := los.ForEachObjectHash(func(h plumbing.Hash) error { loose = append(loose, h); return nil }); err != nil {
		f.t.Fatal(err)
	}
	w, err := f.repo.Storer.(storer.PackfileWriter).PackfileWriter()
	if err != nil {
		f.t.Fatal(err)
	}
	if _, err := packfile.NewEncoder(w, f.repo.Storer, false).Encode(loose, 10); err != nil {
		f.t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		f.t.Fatal(err)
	}
	for _, h := range loose {
		if err := los.DeleteLooseObject(h); err != nil {
			f.t.Fatal(err)
		}
	}
}

// TestTreeFS_objectStore reads revisions of a repository whose older
// objects are packed (with deltas) and newer ones loose: everything a
// caller can observe is what go-git alone reads, and the object store
// serves every tree, blob, size and link target without go-git.
func TestTreeFS_objectStore(t *testing.T) {
	f := newFixture(t)
	cleanTree(f)
	hostileLinks(f)
	base := f.commit("base")
	for i := range 3 {
		f.write("models/m1/conf/conf.yaml", "m1:\n  x: 1\n"+strings.Repeat("  y: 2\n", i+5))
		f.write("models/m1/src/train.py", longText("train")+strings.Repeat("print('again')\n", i))
		f.commit("edit")
	}
	f.packAll()
	f.write("models/m2/conf/conf.yaml", "m2:\n  x: 3\n")
	f.link("models/m2/new-link", "../m1/src/train.py")
	head := f.commit("loose")

	viaGoGit := f.open()
	viaGoGit.objects.Close()
	viaGoGit.objects = nil
	r := f.open()
	if r.objects == nil {
		t.Fatal("Open did not open the object store")
	}
	for _, rev := range []string{base, head} {
		fsys, err := r.TreeFS(rev)
		if err != nil {
			t.Fatal(err)
		}
		goGit := countGoGit(r)
		got := describeFS(t, fsys)
		if n := goGit.reads.Load(); n != 0 {
			t.Errorf("%s: go-git read %d objects; want the object store to serve all", ShortSHA(rev), n)
		}
		r.git.Storer = goGit.Storer
		want, err := viaGoGit.TreeFS(rev)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(describeFS(t, want), got); diff != "" {
			t.Errorf("%s: the object store and go-git disagree (-go-git +store):\n%s", ShortSHA(rev), diff)
		}
	}
}

// TestTreeFS_objectStoreFallback: objects the store does not serve, here
// those of a pack written after Open (as EnsureCommit's fetch writes
// one), are read through go-git.
func TestTreeFS_objectStoreFallback(t *testing.T) {
	f := newFixture(t)
	f.write("a.txt", "a\n")
	f.commit("one")
	f.packAll()
	r := f.open()

	// Another repository's commit, written into r as a new pack.
	g := newFixture(t)
	g.write("conf/conf.yaml", "m:\n  x: 1\n")
	g.link("latest", "conf/conf.yaml")
	sha := g.commit("elsewhere")
	var hashes []plumbing.Hash
	iter, err := g.repo.Storer.IterEncodedObjects(plumbing.AnyObject)
	if err != nil {
		t.Fatal(err)
	}
	if err := iter.ForEach(func(o plumbing.EncodedObject) error { hashes = append(hashes, o.Hash()); return nil }); err != nil {
		t.Fatal(err)
	}
	w, err := r.git.Storer.(storer.PackfileWriter).PackfileWriter()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := packfile.NewEncoder(w, g.repo.Storer, false).Encode(hashes, 10); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	fsys, err := r.TreeFS(sha)
	if err != nil {
		t.Fatal(err)
	}
	goGit := countGoGit(r)
	data, err := fs.ReadFile(fsys, "latest")
	if err != nil || string(data) != "m:\n  x: 1\n" {
		t.Fatalf("ReadFile(latest) = %q, %v", data, err)
	}
	if goGit.reads.Load() == 0 {
		t.Error("go-git read nothing: the test did not exercise the fallback")
	}
}

// TestOpen_linkedWorktree: in a linked worktree (git worktree add) the
// objects are in the main repository's git directory, which the linked
// one's commondir names; the store must find them there.
func TestOpen_linkedWorktree(t *testing.T) {
	f := newFixture(t)
	f.write("conf/conf.yaml", "m:\n  x: 1\n")
	sha := f.commit("one")
	f.packAll()
	gitDir := filepath.Join(f.dir, ".git", "worktrees", "wt")
	wt := t.TempDir()
	for name, content := range map[string]string{
		filepath.Join(gitDir, "HEAD"):      sha + "\n",
		filepath.Join(gitDir, "commondir"): "../..\n",
		filepath.Join(gitDir, "gitdir"):    filepath.Join(wt, ".git") + "\n",
		filepath.Join(wt, ".git"):          "gitdir: " + gitDir + "\n",
	} {
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r, err := Open(wt)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.objects == nil {
		t.Fatal("no object store for a linked worktree")
	}
	fsys, err := r.TreeFS("HEAD")
	if err != nil {
		t.Fatal(err)
	}
	goGit := countGoGit(r)
	if data, err := fs.ReadFile(fsys, "conf/conf.yaml"); err != nil || string(data) != "m:\n  x: 1\n" {
		t.Fatalf("ReadFile = %q, %v", data, err)
	}
	if n := goGit.reads.Load(); n != 0 {
		t.Errorf("go-git read %d objects: the store did not find the common directory's objects", n)
	}
}

// TestParseTree: raw trees decode as go-git decodes them, modes made
// canonical and entries in name order, and malformed ones are refused.
func TestParseTree(t *testing.T) {
	h := func(b byte) string { return string(bytes.Repeat([]byte{b}, 20)) }
	tests := []struct {
		name    string
		raw     string
		want    []string // name mode hash-byte
		wantErr string
	}{
		{name: "empty", raw: ""},
		{name: "git order becomes name order",
			raw:  "100644 a-b\x00" + h(1) + "40000 a\x00" + h(2) + "100644 a.b\x00" + h(3),
			want: []string{"a 0040000 02", "a-b 0100644 01", "a.b 0100644 03"}},
		{name: "modes made canonical",
			raw:  "100664 old\x00" + h(1) + "100775 x\x00" + h(2) + "120000 l\x00" + h(3) + "160000 s\x00" + h(4) + "40755 d\x00" + h(5) + "777 odd\x00" + h(6),
			want: []string{"d 0040000 05", "l 0120000 03", "odd 0160000 06", "old 0100644 01", "s 0160000 04", "x 0100755 02"}},
		{name: "name with spaces", raw: "100644 a b\x00" + h(1), want: []string{"a b 0100644 01"}},
		{name: "missing mode terminator", raw: "100644", wantErr: "missing mode terminator"},
		{name: "mode not octal", raw: "100648 a\x00" + h(1), wantErr: "malformed mode"},
		{name: "empty mode", raw: " a\x00" + h(1), wantErr: "malformed mode"},
		{name: "mode over 32 bits", raw: "77777777777 a\x00" + h(1), wantErr: "malformed mode"},
		{name: "missing name terminator", raw: "100644 a", wantErr: "missing filename terminator"},
		{name: "empty name", raw: "100644 \x00" + h(1), wantErr: "empty filename"},
		{name: "truncated hash", raw: "100644 a\x00" + h(1)[:19], wantErr: "truncated object id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := parseTree([]byte(tt.raw))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("parseTree: %v, want an error containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range d.entries {
				got = append(got, e.name+" "+e.mode.String()+" "+e.hash.String()[:2])
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("parseTree (-want +got):\n%s", diff)
			}
			if err := compareTreeDecode([]byte(tt.raw)); err != nil {
				t.Error(err)
			}
		})
	}
}

// FuzzParseTree: on any bytes parseTree and go-git's Tree.Decode both fail
// or decode the same entries.
func FuzzParseTree(f *testing.F) {
	h := string(bytes.Repeat([]byte{7}, 20))
	for _, raw := range []string{"", "100644 a\x00" + h, "40000 d\x00" + h + "100755 x\x00" + h, "100644 a", "0 \x00", "1 a\x00" + h + "1 a\x00" + h} {
		f.Add([]byte(raw))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		if err := compareTreeDecode(raw); err != nil {
			t.Fatal(err)
		}
	})
}

// compareTreeDecode checks parseTree against go-git on raw.
func compareTreeDecode(raw []byte) error {
	o := &plumbing.MemoryObject{}
	o.SetType(plumbing.TreeObject)
	o.Write(raw)
	var tree object.Tree
	goErr := tree.Decode(o)
	d, err := parseTree(raw)
	if (goErr == nil) != (err == nil) {
		return errors.New("parseTree: " + errString(err) + "; go-git: " + errString(goErr))
	}
	if err != nil {
		return nil
	}
	// go-git keeps git's order; parseTree sorts by name, keeping the order
	// of entries that share one.
	slices.SortStableFunc(tree.Entries, func(a, b object.TreeEntry) int { return strings.Compare(a.Name, b.Name) })
	var want []string
	for _, e := range tree.Entries {
		want = append(want, e.Name+"\x00"+e.Mode.String()+e.Hash.String())
	}
	var got []string
	for _, e := range d.entries {
		got = append(got, e.name+"\x00"+e.mode.String()+e.hash.String())
	}
	if diff := cmp.Diff(want, got); diff != "" {
		return errors.New("entries differ (-go-git +parseTree):\n" + diff)
	}
	for _, e := range d.entries {
		if e.mode != filemode.Dir && e.mode != filemode.Regular && e.mode != filemode.Executable && e.mode != filemode.Symlink && e.mode != filemode.Submodule {
			return errors.New("a mode git does not write: " + e.mode.String())
		}
	}
	return nil
}

func errString(err error) string {
	if err == nil {
		return "ok"
	}
	return err.Error()
}

// TestTreeFS_wrongObjectType: a hostile tree whose directory entry names a
// blob, or whose file names a tree, is an error naming the object, as it
// was through go-git.
func TestTreeFS_wrongObjectType(t *testing.T) {
	f := newFixture(t)
	f.write("a.txt", "a\n")
	f.write("d/b.txt", "b\n")
	sha := f.commit("one")
	c, err := f.repo.CommitObject(plumbing.NewHash(sha))
	if err != nil {
		t.Fatal(err)
	}
	tree, err := c.Tree()
	if err != nil {
		t.Fatal(err)
	}
	blob, dir := tree.Entries[0].Hash, tree.Entries[1].Hash // a.txt, d
	hostile := &object.Tree{Entries: []object.TreeEntry{
		{Name: "blob-as-dir", Mode: filemode.Dir, Hash: blob},
		{Name: "tree-as-file", Mode: filemode.Regular, Hash: dir},
	}}
	bad := &object.Commit{Author: *testSignature(), Committer: *testSignature(), Message: "hostile", TreeHash: storeObject(t, f, hostile)}
	badSHA := storeObject(t, f, bad).String()
	f.packAll()
	fsys, err := f.open().TreeFS(badSHA)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fs.ReadDir(fsys, "blob-as-dir"); err == nil || !strings.Contains(err.Error(), blob.String()) {
		t.Errorf("ReadDir(blob-as-dir) = %v, want an error naming %s", err, blob)
	}
	if _, err := fs.ReadFile(fsys, "tree-as-file"); err == nil || !strings.Contains(err.Error(), dir.String()) {
		t.Errorf("ReadFile(tree-as-file) = %v, want an error naming %s", err, dir)
	}
}

// TestTreeFS_corruptPack: a blob whose packed entry is damaged reads as an
// error that names the pack, never a panic, whichever reader tried last;
// the other files read as before.
func TestTreeFS_corruptPack(t *testing.T) {
	f := newFixture(t)
	cleanTree(f)
	f.write("models/m4/conf/conf.yaml", longText("m4"))
	sha := f.commit("one")
	f.packAll()
	c, err := f.repo.CommitObject(plumbing.NewHash(sha))
	if err != nil {
		t.Fatal(err)
	}
	file, err := c.File("models/m4/conf/conf.yaml")
	if err != nil {
		t.Fatal(err)
	}
	idxs, _ := filepath.Glob(filepath.Join(f.dir, ".git", "objects", "pack", "*.idx"))
	if len(idxs) != 1 {
		t.Fatalf("%d packs", len(idxs))
	}
	idxFile, err := os.Open(idxs[0])
	if err != nil {
		t.Fatal(err)
	}
	idx := idxfile.NewMemoryIndex()
	err = idxfile.NewDecoder(idxFile).Decode(idx)
	idxFile.Close()
	if err != nil {
		t.Fatal(err)
	}
	off, err := idx.FindOffset(file.Hash)
	if err != nil {
		t.Fatal(err)
	}
	pack := strings.TrimSuffix(idxs[0], ".idx") + ".pack"
	data, err := os.ReadFile(pack)
	if err != nil {
		t.Fatal(err)
	}
	for i := off + 8; i < off+40; i++ { // past the entry's header, into its zlib stream
		data[i] ^= 0x5a
	}
	_ = os.Chmod(pack, 0o644)
	if err := os.WriteFile(pack, data, 0o644); err != nil {
		t.Fatal(err)
	}
	fsys, err := f.open().TreeFS(sha)
	if err != nil {
		t.Fatal(err)
	}
	_, err = fs.ReadFile(fsys, "models/m4/conf/conf.yaml")
	if err == nil || !strings.Contains(err.Error(), filepath.Base(pack)) {
		t.Errorf("ReadFile of the damaged blob: %v; want an error naming %s", err, filepath.Base(pack))
	}
	if data, err := fs.ReadFile(fsys, "README.md"); err != nil || string(data) != "# readme\n" {
		t.Errorf("ReadFile(README.md) = %q, %v", data, err)
	}
}
