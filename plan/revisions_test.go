package plan

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/smpipe/smpipe-action/compiler"
	"github.com/smpipe/smpipe-action/internal/testrepo"
)

// TestRevisions_Touched names the pipelines whose definition a commit range
// can change, code reached through a symbolic link included (trust issue,
// item 6: housing/src/shared -> ../../shared), and checks the claim
// against the definition hashes.
func TestRevisions_Touched(t *testing.T) {
	g := testrepo.NewGit(t, t.TempDir())
	g.CopyTree("../testdata/conf/ok/housing-tf")
	g.Write("shared/util.py", "def util():\n    return 1\n")
	g.Write("docs/notes.md", "notes\n")
	if err := os.Symlink("../../shared", filepath.Join(g.Dir, "housing", "src", "shared")); err != nil {
		t.Fatal(err)
	}
	c0 := g.Commit("housing with shared code")
	g.Write("shared/util.py", "def util():\n    return 2\n")
	c1 := g.Commit("change only shared code")
	g.Write("docs/notes.md", "more notes\n")
	c2 := g.Commit("docs")
	g.Edit("housing/conf/conf.yaml", "epochs: 60", "epochs: 61")
	c3 := g.Commit("tune")

	rv, err := OpenRevisions(GitOptions{Dir: g.Dir, Compile: compiler.Options{Region: "us-east-1", Getenv: func(string) (string, bool) { return "", false }}})
	if err != nil {
		t.Fatal(err)
	}
	defer rv.Close()
	ctx := context.Background()
	for _, tc := range []struct {
		base, head string
		want       []string
	}{
		{c0, c1, []string{"house-price-tf"}},
		{c1, c2, nil},
		{c2, c3, []string{"house-price-tf"}},
		{c0, c3, []string{"house-price-tf"}},
		{c3, c3, nil},
	} {
		got, err := rv.Touched(ctx, tc.base, tc.head)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("Touched(%.7s, %.7s) = %q, want %q", tc.base, tc.head, got, tc.want)
		}
	}
	// The shared-code change does move the definition hash.
	before, err := rv.Compile(ctx, c0, []string{"house-price-tf"})
	if err != nil {
		t.Fatal(err)
	}
	after, err := rv.Compile(ctx, c1, []string{"house-price-tf"})
	if err != nil {
		t.Fatal(err)
	}
	b, a := before["house-price-tf"], after["house-price-tf"]
	if b == nil || a == nil || b.Failed || a.Failed || b.Hash == a.Hash {
		t.Errorf("shared code did not move the hash: %+v %+v", b, a)
	}
}

// The same holds for a plan of the working tree (smpipe plan without
// --head): an uncommitted change to code reached through a link touches
// the pipeline.
func TestFromGit_worktreeThroughLink(t *testing.T) {
	g := testrepo.NewGit(t, t.TempDir())
	g.CopyTree("../testdata/conf/ok/housing-tf")
	g.Write("shared/util.py", "def util():\n    return 1\n")
	if err := os.Symlink("../../shared", filepath.Join(g.Dir, "housing", "src", "shared")); err != nil {
		t.Fatal(err)
	}
	g.Commit("housing with shared code")
	g.Write("shared/util.py", "def util():\n    return 2\n")
	res, _, _, err := FromGit(context.Background(), GitOptions{Dir: g.Dir, Base: "HEAD", Worktree: true,
		Compile: compiler.Options{Region: "us-east-1", Getenv: func(string) (string, bool) { return "", false }}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Pipelines) != 1 || res.Pipelines[0].Name != "house-price-tf" || res.Pipelines[0].Diff.OldHash == res.Pipelines[0].Diff.NewHash {
		t.Errorf("plan of the working tree: %+v", res.Pipelines)
	}
}
