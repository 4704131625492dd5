package gitrev

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"testing/fstest"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/google/go-cmp/cmp"
)

// cleanTree writes a worktree whose symbolic links all resolve inside it.
func cleanTree(f *fixture) {
	f.write("README.md", "# readme\n")
	f.write("framework/conf/conf.yaml", "conf:\n  s3Bucket: b\n")
	f.write("models/m1/conf/conf.yaml", "m1:\n  x: 1\n")
	f.write("models/m1/src/train.py", "print('train')\n")
	f.exec("models/m1/src/run.sh", "#!/bin/sh\necho run\n")
	f.write("models/m2/conf/conf.yaml", "m2:\n  x: 2\n")
	f.write("models/m2/empty.txt", "")
	// git sorts "a-b" before "a/" before "a.b"; io/fs wants name order.
	f.write("sort/a/x", "x")
	f.write("sort/a-b", "dash")
	f.write("sort/a.b", "dot")
	f.write("sort/a0", "zero")
	f.link("models/m2/conf/shared.yaml", "../../m1/conf/conf.yaml")
	f.link("models/m3", "m1")                    // a link to a directory
	f.link("latest", "models/m3/conf/conf.yaml") // through a directory link
	f.link("chain1", "chain2")
	f.link("chain2", "README.md")
	f.link("dotdot", "models/./m1/../m2/empty.txt")
}

// hostileLinks adds links that os.DirFS and TreeFS both fail to open (or
// that TreeFS refuses to follow out of the tree).
func hostileLinks(f *fixture) {
	f.link("bad/dangling", "nowhere")
	f.link("bad/loop1", "loop2")
	f.link("bad/loop2", "loop1")
	f.link("bad/self", "self")
	f.link("bad/through-file", "../README.md/x")
}

func TestTreeFS_fstest(t *testing.T) {
	f := newFixture(t)
	cleanTree(f)
	sha := f.commit("clean")
	fsys, err := f.open().TreeFS(sha)
	if err != nil {
		t.Fatal(err)
	}
	if err := fstest.TestFS(fsys,
		"README.md", "models/m1/src/run.sh", "models/m2/conf/shared.yaml", "models/m3", "latest", "sort/a/x",
	); err != nil {
		t.Fatal(err)
	}
	sub, err := fs.Sub(fsys, "models")
	if err != nil {
		t.Fatal(err)
	}
	if err := fstest.TestFS(sub, "m1/conf/conf.yaml", "m2/conf/shared.yaml"); err != nil {
		t.Fatal(err)
	}
}

// TestTreeFS_matchesDirFS walks the checkout with os.DirFS and the commit
// with TreeFS and compares everything a caller can observe.
func TestTreeFS_matchesDirFS(t *testing.T) {
	f := newFixture(t)
	cleanTree(f)
	hostileLinks(f)
	sha := f.commit("everything")
	tree, err := f.open().TreeFS(sha)
	if err != nil {
		t.Fatal(err)
	}
	want := describeFS(t, os.DirFS(f.dir))
	got := describeFS(t, tree)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("TreeFS differs from os.DirFS of the checkout (-dirfs +treefs):\n%s", diff)
	}
	if len(want) < 30 {
		t.Fatalf("walk saw only %d lines; the comparison is too weak:\n%s", len(want), strings.Join(want, "\n"))
	}
}

// describeFS returns one line per observation: every directory listing, and
// for every entry Lstat, ReadLink, Stat, ReadFile and Open+Read.
func describeFS(t *testing.T, fsys fs.FS) []string {
	t.Helper()
	var out []string
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if name == ".git" {
			return fs.SkipDir
		}
		if d.IsDir() {
			entries, err := fs.ReadDir(fsys, name)
			if err != nil {
				return err
			}
			var names []string
			for _, e := range entries {
				if name == "." && e.Name() == ".git" {
					continue
				}
				names = append(names, e.Name()+"|"+e.Type().String())
			}
			out = append(out, fmt.Sprintf("%s: readdir %s", name, strings.Join(names, " ")))
		}
		li, err := fs.Lstat(fsys, name)
		out = append(out, fmt.Sprintf("%s: lstat %s", name, describeInfo(li, err)))
		if li != nil && li.Mode()&fs.ModeSymlink != 0 {
			target, err := fs.ReadLink(fsys, name)
			out = append(out, fmt.Sprintf("%s: readlink %q %s", name, target, errKind(err)))
		}
		si, err := fs.Stat(fsys, name)
		out = append(out, fmt.Sprintf("%s: stat %s", name, describeInfo(si, err)))
		data, err := fs.ReadFile(fsys, name)
		out = append(out, fmt.Sprintf("%s: readfile %q %s", name, data, errKind(err)))
		if file, err := fsys.Open(name); err != nil {
			out = append(out, fmt.Sprintf("%s: open %s", name, errKind(err)))
		} else {
			data, err := io.ReadAll(file)
			file.Close()
			out = append(out, fmt.Sprintf("%s: open+read %q %s", name, data, errKind(err)))
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walking: %v", err)
	}
	return out
}

func describeInfo(fi fs.FileInfo, err error) string {
	if err != nil {
		return errKind(err)
	}
	s := fmt.Sprintf("name=%s mode=%s", fi.Name(), fi.Mode())
	if !fi.IsDir() {
		s += fmt.Sprintf(" size=%d", fi.Size())
	}
	return s
}

// errKind names an error's class, which both file systems must agree on.
func errKind(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, fs.ErrNotExist):
		return "error=not-exist"
	case errors.Is(err, syscall.ELOOP), errors.Is(err, ErrSymlinkLoop):
		return "error=loop"
	case errors.Is(err, syscall.ENOTDIR):
		return "error=not-dir"
	case errors.Is(err, syscall.EISDIR):
		return "error=is-dir"
	case errors.Is(err, fs.ErrInvalid), errors.Is(err, syscall.EINVAL):
		return "error=invalid"
	default:
		return "error=" + err.Error()
	}
}

func TestTreeFS_symlinkErrors(t *testing.T) {
	f := newFixture(t)
	f.write("inside/file.txt", "in\n")
	f.write("README.md", "# readme\n")
	f.link("abs", "/etc/passwd")
	f.link("up", "../outside.txt")
	f.link("inside/up2", "../../outside.txt")
	f.link("inside/ok", "../inside/file.txt")
	f.link("inside/dir-up", "..")              // the root: fine
	f.link("inside/dir-up2", "../..")          // above the root
	f.link("viadir", "inside/dir-up2/x")       // escapes through another link
	f.link("empty-ish", "./")                  // the root
	f.link("inside/evil`*", "/\n::warning::y") // hostile text stays quoted
	hostileLinks(f)
	sha := f.commit("links")
	fsys, err := f.open().TreeFS(sha)
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name    string
		want    string // content, or an error substring
		wantErr error
	}{
		{name: "inside/ok", want: "in\n"},
		{name: "inside/dir-up/inside/file.txt", want: "in\n"},
		{name: "empty-ish/inside/file.txt", want: "in\n"},
		{name: "abs", wantErr: ErrSymlinkEscapes, want: `"abs" -> "/etc/passwd"`},
		{name: "up", wantErr: ErrSymlinkEscapes, want: `"up" -> "../outside.txt"`},
		{name: "inside/up2", wantErr: ErrSymlinkEscapes, want: `"inside/up2" -> "../../outside.txt"`},
		{name: "inside/dir-up2/x", wantErr: ErrSymlinkEscapes, want: `"inside/dir-up2" -> "../.."`},
		{name: "viadir", wantErr: ErrSymlinkEscapes, want: `"inside/dir-up2" -> "../.."`},
		{name: "inside/evil`*", wantErr: ErrSymlinkEscapes, want: `"inside/evil` + "`" + `*" -> "/\n::warning::y"`},
		{name: "bad/loop1", wantErr: ErrSymlinkLoop},
		{name: "bad/self", wantErr: ErrSymlinkLoop},
		{name: "bad/dangling", wantErr: fs.ErrNotExist},
		{name: "bad/through-file", wantErr: syscall.ENOTDIR},
		{name: "../x", wantErr: fs.ErrInvalid},
		{name: "/abs", wantErr: fs.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := fs.ReadFile(fsys, tt.name)
			if tt.wantErr == nil {
				if err != nil || string(data) != tt.want {
					t.Fatalf("ReadFile = %q, %v; want %q", data, err, tt.want)
				}
				return
			}
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("ReadFile error = %v, want %v", err, tt.wantErr)
			}
			var pe *fs.PathError
			if !errors.As(err, &pe) || pe.Path != tt.name {
				t.Errorf("ReadFile error = %#v, want an *fs.PathError for %q", err, tt.name)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ReadFile error = %q, want it to contain %q", err, tt.want)
			}
			for op, call := range map[string]func() error{
				"Open": func() error { _, err := fsys.Open(tt.name); return err },
				"Stat": func() error { _, err := fs.Stat(fsys, tt.name); return err },
			} {
				if err := call(); !errors.Is(err, tt.wantErr) {
					t.Errorf("%s error = %v, want %v", op, err, tt.wantErr)
				}
			}
		})
	}

	// The links themselves are visible without following them.
	for name, target := range map[string]string{"abs": "/etc/passwd", "up": "../outside.txt", "bad/loop1": "loop2"} {
		got, err := fs.ReadLink(fsys, name)
		if err != nil || got != target {
			t.Errorf("ReadLink(%q) = %q, %v; want %q", name, got, err, target)
		}
		info, err := fs.Lstat(fsys, name)
		if err != nil || info.Mode()&fs.ModeSymlink == 0 || info.Size() != int64(len(target)) {
			t.Errorf("Lstat(%q) = %v, %v; want a symbolic link of size %d", name, info, err, len(target))
		}
	}
	if _, err := fs.ReadLink(fsys, "inside/file.txt"); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("ReadLink(regular file) error = %v, want fs.ErrInvalid", err)
	}
}

func TestTreeFS_directoryBehaviour(t *testing.T) {
	f := newFixture(t)
	f.write("d/a", "a")
	f.write("d/b", "b")
	f.write("d/c", "c")
	sha := f.commit("dir")
	fsys, err := f.open().TreeFS(sha)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fs.ReadFile(fsys, "d"); !errors.Is(err, syscall.EISDIR) {
		t.Errorf("ReadFile(dir) error = %v, want EISDIR", err)
	}
	if _, err := fs.ReadDir(fsys, "d/a"); !errors.Is(err, syscall.ENOTDIR) {
		t.Errorf("ReadDir(file) error = %v, want ENOTDIR", err)
	}
	file, err := fsys.Open("d")
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	if _, err := file.Read(make([]byte, 1)); err == nil {
		t.Error("Read on a directory succeeded")
	}
	dir := file.(fs.ReadDirFile)
	var names []string
	for {
		entries, err := dir.ReadDir(2)
		for _, e := range entries {
			names = append(names, e.Name())
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if diff := cmp.Diff([]string{"a", "b", "c"}, names); diff != "" {
		t.Errorf("paged ReadDir (-want +got):\n%s", diff)
	}
}

func TestTreeFS_unknownRevision(t *testing.T) {
	f := newFixture(t)
	f.write("a", "a")
	f.commit("one")
	if _, err := f.open().TreeFS("nope"); err == nil || err.Error() != "unknown revision nope" {
		t.Errorf("TreeFS(nope) error = %v", err)
	}
}

// TestTreeFS_concurrent reads base and head from many goroutines; run with
// -race to check the locking.
func TestTreeFS_concurrent(t *testing.T) {
	f := newFixture(t)
	cleanTree(f)
	base := f.commit("base")
	f.write("models/m1/conf/conf.yaml", "m1:\n  x: 10\n")
	head := f.commit("head")
	r := f.open()
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := range 16 {
		rev := base
		if i%2 == 1 {
			rev = head
		}
		wg.Go(func() {
			fsys, err := r.TreeFS(rev)
			if err != nil {
				errs <- err
				return
			}
			errs <- fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
				if err != nil || !d.Type().IsRegular() {
					return err
				}
				_, err = fs.ReadFile(fsys, name)
				return err
			})
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

// TestTreeFS_submodule checks that a gitlink reads as an empty directory, as
// in a checkout that did not initialise the submodule.
func TestTreeFS_submodule(t *testing.T) {
	f := newFixture(t)
	f.write("a.txt", "a")
	first := f.commit("one")
	c, err := f.repo.CommitObject(plumbing.NewHash(first))
	if err != nil {
		t.Fatal(err)
	}
	tree, err := c.Tree()
	if err != nil {
		t.Fatal(err)
	}
	gitlink := object.TreeEntry{Name: "lib", Mode: filemode.Submodule, Hash: plumbing.NewHash(strings.Repeat("5", 40))}
	withSub := &object.Tree{Entries: append(slices.Clone(tree.Entries), gitlink)}
	second := &object.Commit{Author: *testSignature(), Committer: *testSignature(), Message: "submodule",
		TreeHash: storeObject(t, f, withSub), ParentHashes: []plumbing.Hash{c.Hash}}
	sha := storeObject(t, f, second).String()

	r := f.open()
	fsys, err := r.TreeFS(sha)
	if err != nil {
		t.Fatal(err)
	}
	if err := fstest.TestFS(fsys, "a.txt", "lib"); err != nil {
		t.Fatal(err)
	}
	entries, err := fs.ReadDir(fsys, "lib")
	if err != nil || len(entries) != 0 {
		t.Errorf("ReadDir(lib) = %v, %v; want an empty directory", entries, err)
	}
	changes, err := r.Diff(first, sha)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]Change{{Op: Added, To: "lib"}}, changes); diff != "" {
		t.Errorf("Diff (-want +got):\n%s", diff)
	}
}

// storeObject encodes o into the fixture's object storage.
func storeObject(t testing.TB, f *fixture, o interface {
	Encode(plumbing.EncodedObject) error
}) plumbing.Hash {
	t.Helper()
	obj := f.repo.Storer.NewEncodedObject()
	if err := o.Encode(obj); err != nil {
		t.Fatal(err)
	}
	h, err := f.repo.Storer.SetEncodedObject(obj)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// TestTreeFS_subConfinesLinks: under fs.Sub, as under a working directory
// opened with workspace.OpenIn, a link may not leave the subtree even to
// reach elsewhere in the repository.
func TestTreeFS_subConfinesLinks(t *testing.T) {
	f := newFixture(t)
	f.write("top.txt", "top\n")
	f.write("ml/x.txt", "x\n")
	f.link("ml/ok", "x.txt")
	f.link("ml/out", "../top.txt")
	f.link("ml/self", ".")
	f.link("via", "ml")
	f.link("escape", "/")
	fsys, err := f.open().TreeFS(f.commit("sub"))
	if err != nil {
		t.Fatal(err)
	}
	if data, err := fs.ReadFile(fsys, "ml/out"); err != nil || string(data) != "top\n" {
		t.Fatalf("the whole tree reads ml/out: %q, %v", data, err)
	}
	for _, dir := range []string{"ml", "via"} {
		sub, err := fs.Sub(fsys, dir)
		if err != nil {
			t.Fatal(err)
		}
		if data, err := fs.ReadFile(sub, "self/ok"); err != nil || string(data) != "x\n" {
			t.Errorf("%s: self/ok = %q, %v", dir, data, err)
		}
		if _, err := fs.ReadFile(sub, "out"); !errors.Is(err, ErrSymlinkEscapes) {
			t.Errorf("%s: out = %v, want ErrSymlinkEscapes", dir, err)
		}
	}
	if _, err := fs.Sub(fsys, "top.txt"); !errors.Is(err, syscall.ENOTDIR) {
		t.Errorf("Sub of a file = %v, want ENOTDIR", err)
	}
	if _, err := fs.Sub(fsys, "escape/tmp"); !errors.Is(err, ErrSymlinkEscapes) {
		t.Errorf("Sub through a link to / = %v, want ErrSymlinkEscapes", err)
	}
	// A revision without the directory reads as an empty one, as through the
	// generic fs.Sub: a pull request may add the compile root.
	missing, err := fs.Sub(fsys, "not/yet")
	if err != nil {
		t.Fatal(err)
	}
	if entries, err := fs.ReadDir(missing, "."); err != nil || len(entries) != 0 {
		t.Errorf("missing subtree lists %v, %v; want empty", entries, err)
	}
	if _, err := fs.Stat(missing, "conf.yaml"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing subtree: Stat = %v, want ErrNotExist", err)
	}
}
