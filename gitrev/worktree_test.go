package gitrev

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/format/index"
	"github.com/google/go-cmp/cmp"

	"github.com/smpipe/smpipe-action/internal/workspace"
)

func TestRepo_WorktreeChanges(t *testing.T) {
	f := newFixture(t)
	f.write("build/tracked.txt", "v1")
	f.write("a.txt", "same")
	f.write("mod.txt", "old")
	f.write("del.txt", "bye")
	f.write("run.sh", "echo")
	f.link("link", "a.txt")
	f.write("sub/keep.txt", "k")
	f.write("sub/gone/x.txt", "x")
	f.write("deep/sub/conf.yaml", "a: 1")
	f.commit("one")
	// Ignored from now on, but build/tracked.txt stays tracked.
	f.write(".gitignore", "build/\n*.log\n")
	f.write("sub/.gitignore", "*.tmp\n")
	base := f.commit("base")

	f.write("build/tracked.txt", "v2") // tracked inside an ignored directory: counts
	f.write("build/new.txt", "n")      // untracked inside an ignored directory: counts, a bundle holds it
	f.write("debug.log", "l")          // ignored by pattern: counts too
	f.write("sub/scratch.tmp", "t")    // ignored by sub/.gitignore: counts too
	f.write("scratch.tmp", "t")        // sub/.gitignore does not apply here
	f.write("mod.txt", "new")          // same size, new content
	f.remove("del.txt")                //
	f.exec("run.sh", "echo")           // mode only
	f.link("link", "mod.txt")          // new target
	f.remove("sub/gone")               // a whole directory deleted
	f.write("new.txt", "untracked")    // untracked, not ignored: counts
	f.write("secret.txt", "s")         // excluded by .git/info/exclude below: counts
	f.write("nested/file.txt", "x")    // in another repository: counts, its .git does not
	if _, err := git.PlainInit(f.path("nested"), false); err != nil {
		t.Fatal(err)
	}
	f.write("deep/sub/conf.yaml", "a: 2")
	if err := os.MkdirAll(f.path(".git/info"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(f.path(".git/info/exclude"), []byte("# local\nsecret.txt\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := f.open()

	tests := []struct {
		dir  string
		want []Change
	}{
		{".", []Change{
			{Op: Added, To: "build/new.txt"},
			{Op: Modified, From: "build/tracked.txt", To: "build/tracked.txt"},
			{Op: Added, To: "debug.log"},
			{Op: Modified, From: "deep/sub/conf.yaml", To: "deep/sub/conf.yaml"},
			{Op: Deleted, From: "del.txt"},
			{Op: Modified, From: "link", To: "link"},
			{Op: Modified, From: "mod.txt", To: "mod.txt"},
			{Op: Added, To: "nested/file.txt"},
			{Op: Added, To: "new.txt"},
			{Op: Modified, From: "run.sh", To: "run.sh"},
			{Op: Added, To: "scratch.tmp"},
			{Op: Added, To: "secret.txt"},
			{Op: Deleted, From: "sub/gone/x.txt"},
			{Op: Added, To: "sub/scratch.tmp"},
		}},
		{"sub", []Change{{Op: Deleted, From: "sub/gone/x.txt"}, {Op: Added, To: "sub/scratch.tmp"}}},
		{"deep/sub", []Change{{Op: Modified, From: "deep/sub/conf.yaml", To: "deep/sub/conf.yaml"}}},
		{"missing", nil},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			got, err := r.WorktreeChanges(base, tt.dir)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("WorktreeChanges(base, %q) (-want +got):\n%s", tt.dir, diff)
			}
		})
	}

	// The same answer as git's own: `git diff base` for tracked files plus
	// every untracked file, ignored or not, and those of a nested
	// repository (which git names by its directory).
	t.Run("agrees with git", func(t *testing.T) {
		gitBin, err := exec.LookPath("git")
		if err != nil {
			t.Skip("no git binary")
		}
		gitOut := func(args ...string) string {
			cmd := exec.Command(gitBin, append([]string{"-C", f.dir, "-c", "core.quotepath=off"}, args...)...)
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("git %v: %v", args, err)
			}
			return string(out)
		}
		var want []Change
		for _, line := range strings.Split(strings.TrimSpace(gitOut("diff", "--no-renames", "--name-status", base)), "\n") {
			op, name, _ := strings.Cut(line, "\t")
			switch op {
			case "M", "T":
				want = append(want, Change{Op: Modified, From: name, To: name})
			case "D":
				want = append(want, Change{Op: Deleted, From: name})
			case "A":
				want = append(want, Change{Op: Added, To: name})
			}
		}
		for _, name := range strings.Fields(gitOut("ls-files", "--others")) {
			if name == "nested/" {
				name = "nested/file.txt"
			}
			want = append(want, Change{Op: Added, To: name})
		}
		sort.Slice(want, func(i, j int) bool { return want[i].Path() < want[j].Path() })
		got, err := r.WorktreeChanges(base, ".")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("WorktreeChanges differs from git (-git +got):\n%s", diff)
		}
	})

	// A clean working tree has no changes.
	clean := newFixture(t)
	clean.write("a/b.txt", "x")
	clean.exec("a/run.sh", "echo")
	clean.link("a/l", "b.txt")
	c := clean.commit("c")
	if got, err := clean.open().WorktreeChanges(c, "."); err != nil || len(got) != 0 {
		t.Errorf("clean tree: WorktreeChanges = %v, %v; want none", got, err)
	}

	if _, err := r.WorktreeChanges("nope", "."); err == nil || err.Error() != "unknown revision nope" {
		t.Errorf("unknown base: error = %v", err)
	}
}

// TestRepo_WorktreeChanges_statInfo: a tracked file whose size, time and
// mode match the index is not read, as in git, unless the index was written
// no later than the file was modified ("racily clean").
func TestRepo_WorktreeChanges_statInfo(t *testing.T) {
	f := newFixture(t)
	f.write("a.txt", "one")
	base := f.commit("one")
	idx, err := f.repo.Storer.Index()
	if err != nil {
		t.Fatal(err)
	}
	e, err := idx.Entry("a.txt")
	if err != nil {
		t.Fatal(err)
	}
	// New content of the same size, with the recorded modification time.
	f.write("a.txt", "two")
	if err := os.Chtimes(f.path("a.txt"), e.ModifiedAt, e.ModifiedAt); err != nil {
		t.Fatal(err)
	}
	r := f.open()
	want := []Change{{Op: Modified, From: "a.txt", To: "a.txt"}}

	// The index written in the same instant: the file must be read.
	if err := os.Chtimes(f.path(".git/index"), e.ModifiedAt, e.ModifiedAt); err != nil {
		t.Fatal(err)
	}
	if got, err := r.WorktreeChanges(base, "."); err != nil || !cmp.Equal(got, want) {
		t.Errorf("racily clean file: %v, %v; want %v", got, err, want)
	}

	// The index written later: its stat information is trusted and the
	// file is not read, so this edit that kept size and time is not seen.
	later := e.ModifiedAt.Add(time.Second)
	if err := os.Chtimes(f.path(".git/index"), later, later); err != nil {
		t.Fatal(err)
	}
	if got, err := r.WorktreeChanges(base, "."); err != nil || len(got) != 0 {
		t.Errorf("stat-clean file: %v, %v; want it taken from the index unread", got, err)
	}
}

// TestRepo_WorktreeChanges_staysInside: the working tree is read through the
// repository's confined file system, so a named pipe is never waited on
// (nothing a bundle ships) and a link out of the worktree is a link, its
// target never read.
func TestRepo_WorktreeChanges_staysInside(t *testing.T) {
	outside := t.TempDir()
	if err := os.WriteFile(outside+"/patterns", []byte("*.txt\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f := newFixture(t)
	f.write("a/keep.txt", "1")
	f.write("b/keep.txt", "1")
	base := f.commit("base")
	if err := syscall.Mkfifo(f.path("a/.gitignore"), 0o644); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	if err := os.Symlink(outside+"/patterns", f.path("b/.gitignore")); err != nil {
		t.Fatal(err)
	}
	f.write("a/new.txt", "2")
	f.write("b/new.txt", "2")

	got, err := f.open().WorktreeChanges(base, ".")
	if err != nil {
		t.Fatal(err)
	}
	want := []Change{{Op: Added, To: "a/new.txt"}, {Op: Added, To: "b/.gitignore"}, {Op: Added, To: "b/new.txt"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("WorktreeChanges (-want +got):\n%s", diff)
	}
}

// TestRepo_WorktreeChanges_emptyDirectories: a directory holding no file,
// which no commit can hold, is an addition of the directory itself (the
// deepest one): a link whose target steps through it and back out with
// ".." resolves in the working tree and not in the commit.
func TestRepo_WorktreeChanges_emptyDirectories(t *testing.T) {
	f := newFixture(t)
	f.write("a/keep.txt", "1")
	base := f.commit("base")
	f.write("e/keep.txt", "1")
	for _, d := range []string{"a/empty", "b/c/d", "e/f", "g"} {
		if err := os.MkdirAll(f.path(d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := syscall.Mkfifo(f.path("g/pipe"), 0o644); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}

	got, err := f.open().WorktreeChanges(base, ".")
	if err != nil {
		t.Fatal(err)
	}
	// g holds only a named pipe, nothing a compile reads.
	want := []Change{{Op: Added, To: "a/empty", Dir: true}, {Op: Added, To: "b/c/d", Dir: true}, {Op: Added, To: "e/f", Dir: true},
		{Op: Added, To: "e/keep.txt"}, {Op: Added, To: "g", Dir: true}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("WorktreeChanges (-want +got):\n%s", diff)
	}
}

// What a bundle leaves out is no change on either side: a Python cache
// created by a run, one committed by mistake and edited since, Finder
// litter. A directory holding nothing else is an empty directory.
func TestRepo_WorktreeChanges_skipsWhatBundlesSkip(t *testing.T) {
	f := newFixture(t)
	f.write("src/a.py", "1")
	f.write("src/__pycache__/old.cpython-312.pyc", "1")
	f.write("src/gone/__pycache__/x.pyc", "1")
	base := f.commit("base")
	f.write("src/__pycache__/old.cpython-312.pyc", "2")
	f.write("src/__pycache__/a.cpython-312.pyc", "1")
	f.write("src/b.pyc", "1")
	f.write("src/.DS_Store", "1")
	f.write("cache/__pycache__/c.pyc", "1")
	f.write("vendor/.git", "gitdir: elsewhere\n")
	f.write("vendor/lib.py", "1")
	f.remove("src/gone")

	got, err := f.open().WorktreeChanges(base, ".")
	if err != nil {
		t.Fatal(err)
	}
	want := []Change{{Op: Added, To: "cache", Dir: true}, {Op: Added, To: "vendor/lib.py"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("WorktreeChanges (-want +got):\n%s", diff)
	}
}

// A directory that may not be read is a change of that directory, files
// the base had under it included, and fails nothing; a file that may not
// be read is modified (root reads it all the same, and finds it changed).
// Permission to list is refused by a stand-in, so that the test means
// something when run as root too.
func TestWorktreeWalk_unreadable(t *testing.T) {
	f := newFixture(t)
	f.write("src/a.py", "1")
	f.write("src/secret/s.txt", "1")
	f.write("locked.txt", "1")
	base := f.commit("base")
	f.write("pgdata/base/1", "1")
	f.write("locked.txt", "22") // another size: the index's stat information is not trusted

	r := f.open()
	r.mu.Lock()
	want, err := r.treeFiles(base, ".")
	r.mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	root, err := workspace.Open(f.dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	denied := map[string]bool{"pgdata": true, "src/secret": true}
	readDir := func(name string) ([]fs.DirEntry, error) {
		if denied[name] {
			return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrPermission}
		}
		return root.ReadDir(name)
	}
	for _, tt := range []struct {
		dir  string
		want []Change
	}{
		{".", []Change{{Op: Modified, From: "locked.txt", To: "locked.txt"}, {Op: Added, To: "pgdata"}, {Op: Modified, From: "src/secret", To: "src/secret"}}},
		{"src", []Change{{Op: Modified, From: "src/secret", To: "src/secret"}}},
	} {
		base := map[string]blobEntry{}
		for name, e := range want {
			if tt.dir == "." || strings.HasPrefix(name, tt.dir+"/") {
				base[name] = e
			}
		}
		w := worktreeWalk{root: root, readDir: readDir, base: base, entries: map[string]*index.Entry{}, buf: make([]byte, 512)}
		if tt.dir == "." {
			if err := os.Chmod(f.path("locked.txt"), 0); err != nil {
				t.Fatal(err)
			}
		}
		got, err := w.changes(tt.dir)
		if err != nil {
			t.Fatalf("changes under %s: %v", tt.dir, err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("changes under %s (-want +got):\n%s", tt.dir, diff)
		}
	}
	// The walked directory itself is no change of anything under it.
	w := worktreeWalk{root: root, readDir: readDir, base: map[string]blobEntry{}, entries: map[string]*index.Entry{}}
	if _, err := w.changes("pgdata"); !errors.Is(err, fs.ErrPermission) {
		t.Errorf("walking an unreadable pgdata: %v, want permission denied", err)
	}
}
