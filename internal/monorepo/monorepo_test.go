package monorepo_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/smpipe/smpipe-action/compiler"
	"github.com/smpipe/smpipe-action/gitrev"
	"github.com/smpipe/smpipe-action/internal/monorepo"
	"github.com/smpipe/smpipe-action/internal/workspace"
)

// A generated repository compiles clean, every pipeline to its own
// definition (its own code), and Commit records it as git would: the tree
// read back from git objects is the one on disk, and a second commit
// differs by what Tune changed. This is the smoke size of the 10,000-
// pipeline benchmarks.
func TestWriteAndCommit(t *testing.T) {
	dir := t.TempDir()
	const n = 4
	if err := monorepo.Write(dir, "../../"+monorepo.Example, n); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("prepare.py", filepath.Join(dir, filepath.FromSlash(monorepo.Source(0)), "link.py")); err != nil {
		t.Fatal(err)
	}
	root, err := workspace.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	opt := compiler.Options{Region: "us-east-1", Getenv: func(string) (string, bool) { return "", false }}
	res, ds, err := compiler.Compile(context.Background(), root, opt)
	if err != nil || ds.HasErrors() || len(res.Plans) != n {
		t.Fatalf("%d plans, %v, %v", len(res.Plans), ds, err)
	}
	var hashes []string
	for i, p := range res.Plans {
		if p.Name != monorepo.Name(i) || len(p.Graph.Nodes) != 6 {
			t.Errorf("plan %d is %s with %d steps", i, p.Name, len(p.Graph.Nodes))
		}
		hashes = append(hashes, p.Hash)
	}
	slices.Sort(hashes)
	if len(slices.Compact(hashes)) != n {
		t.Errorf("pipelines share definitions: %q", hashes)
	}

	base, err := monorepo.Commit(dir, "base")
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range monorepo.Spread(n, 2) {
		if err := monorepo.Tune(dir, i, 1); err != nil {
			t.Fatal(err)
		}
	}
	head, err := monorepo.Commit(dir, "tune")
	if err != nil {
		t.Fatal(err)
	}
	repo, err := gitrev.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer repo.Close()
	if ok, err := repo.IsAncestor(context.Background(), base, head, gitrev.FetchOptions{}); err != nil || !ok {
		t.Errorf("base is not head's parent: %v %v", ok, err)
	}
	changes, err := repo.Diff(base, head)
	if err != nil {
		t.Fatal(err)
	}
	var changed []string
	for _, c := range changes {
		changed = append(changed, c.Path())
	}
	if want := []string{monorepo.Conf(0), monorepo.Conf(2)}; !slices.Equal(changed, want) {
		t.Errorf("changed %q, want %q", changed, want)
	}
	tree, err := repo.TreeFS(head)
	if err != nil {
		t.Fatal(err)
	}
	err = fs.WalkDir(os.DirFS(dir), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.Name() == ".git" {
			return fs.SkipDir
		}
		if d.IsDir() {
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 {
			target, err := fs.ReadLink(tree, p)
			if err != nil || target != "prepare.py" {
				t.Errorf("link %s in git: %q, %v", p, target, err)
			}
			return nil
		}
		want, _ := os.ReadFile(filepath.Join(dir, p))
		got, err := fs.ReadFile(tree, p)
		if err != nil || string(got) != string(want) {
			t.Errorf("%s differs in git: %v", p, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
