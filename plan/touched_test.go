package plan

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"testing/fstest"

	"github.com/smpipe/smpipe-action/gitrev"
	"github.com/smpipe/smpipe-action/internal/monorepo"
	"github.com/smpipe/smpipe-action/internal/workspace"
)

// lookup resolves a path component by component through links, in a
// working tree and in a git tree alike, naming every link it met.
func TestDeps_chain(t *testing.T) {
	dir := t.TempDir()
	for p, target := range map[string]string{"team": "real", "real/src/lib": "../../shared", "loop": "loop", "out": "../../etc"} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, filepath.Join(dir, p)); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"real/src/x.py", "shared/util.py"} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, f)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), []byte("x\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	root, err := workspace.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	sha, err := monorepo.Commit(dir, "links")
	if err != nil {
		t.Fatal(err)
	}
	repo, err := gitrev.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer repo.Close()
	tree, err := repo.TreeFS(sha)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path, real string
		roots, up  []string
	}{
		{"team/src/x.py", "real/src/x.py", []string{"real/src/x.py", "team", "team/src/x.py"}, nil},
		// ".." steps back from the directory the link sits in, as resolved.
		{"team/src/lib/util.py", "shared/util.py", []string{"real/src/lib", "shared/util.py", "team", "team/src/lib/util.py"}, []string{"real/src", "real"}},
		{"team/missing/y", "real/missing/y", []string{"real/missing", "real/missing/y", "team", "team/missing/y"}, nil},
		// Too many links: the lookup fails, and anything may change that.
		{"loop/x", "", []string{".", "loop", "loop/x"}, nil},
		{"out/x", "", []string{"out", "out/x"}, nil},
	}
	for name, fsys := range map[string]fs.FS{"worktree": root, "git": tree} {
		for _, tt := range tests {
			d := deps{fsys: fsys, seen: map[string]bool{}}
			got, _ := d.lookup(tt.path, true)
			slices.Sort(d.roots)
			if got != tt.real || !slices.Equal(d.roots, tt.roots) || !slices.Equal(d.upDirs, tt.up) {
				t.Errorf("%s: lookup(%s) = %s, roots %q, left %q; want %s, %q, %q", name, tt.path, got, d.roots, d.upDirs, tt.real, tt.roots, tt.up)
			}
		}
	}
}

// A directory holding no file, added in the working tree, changes no
// bundle of a directory above it: it reaches a dependency only at or under
// it, or where it makes a directory of a path that was none.
func TestChangeSet_emptyDirectory(t *testing.T) {
	base := &revision{fsys: fstest.MapFS{"src/a.py": {}, "other/a.py": {}}}
	head := &revision{fsys: fstest.MapFS{"src/a.py": {}, "other/a.py": {}, "src/empty/deeper": {Mode: fs.ModeDir},
		"fresh/empty": {Mode: fs.ModeDir}}}
	cs := newChangeSet([]Change{{Path: "src/empty/deeper", Dir: true}, {Path: "fresh/empty", Dir: true}})
	for _, tt := range []struct {
		root string
		want bool
	}{
		{"src", false},             // a directory on both sides: its bundle holds the same files
		{"src/empty", true},        // a directory only in the working tree
		{"src/empty/deeper", true}, // the directory itself
		{"src/empty/deeper/x", true},
		{"other", false},
		{"fresh", true}, // a directory only in the working tree
		{".", true},
	} {
		for _, side := range []struct {
			name        string
			self, other *revision
		}{{"base", base, head}, {"head", head, base}} {
			if got := cs.affects(tt.root, side.self, side.other); got != tt.want {
				t.Errorf("affects(%q) resolved in the %s = %v, want %v", tt.root, side.name, got, tt.want)
			}
		}
	}
	// A file change under the root counts whatever else changed there.
	mixed := newChangeSet([]Change{{Path: "src/empty", Dir: true}, {Path: "src/b.py"}})
	if !mixed.affects("src", base, head) {
		t.Error("a file added beside an empty directory does not reach the directory above")
	}
	// A path changed as a file and as an empty directory is a file change.
	both := newChangeSet([]Change{{Path: "src/x"}, {Path: "src/x", Dir: true}})
	if !both.affects("src", base, head) {
		t.Error("a path replaced by an empty directory does not reach the directory above")
	}
}
