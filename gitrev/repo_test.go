package gitrev

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
)

func TestOpen_fromSubdirectory(t *testing.T) {
	f := newFixture(t)
	f.write("a/b/c.txt", "x")
	f.commit("one")
	root, err := filepath.EvalSymlinks(f.dir)
	if err != nil {
		t.Fatal(err)
	}

	r, err := Open(f.path("a/b"))
	if err != nil {
		t.Fatalf("Open(subdir): %v", err)
	}
	t.Cleanup(func() { r.Close() })
	if got := r.Root(); got != root {
		t.Errorf("Root() = %q, want %q", got, root)
	}

	// A symbolic link to the worktree is the same directory.
	alias := filepath.Join(t.TempDir(), "alias")
	if err := os.Symlink(f.dir, alias); err != nil {
		t.Fatal(err)
	}
	outside := t.TempDir()
	tests := []struct {
		dir     string
		want    string
		wantErr string
	}{
		{dir: f.dir, want: "."},
		{dir: f.path("a"), want: "a"},
		{dir: f.path("a/b"), want: "a/b"},
		{dir: filepath.Join(alias, "a", "b"), want: "a/b"},
		{dir: outside, wantErr: "outside the worktree"},
		{dir: filepath.Join(f.dir, "missing"), wantErr: "no such file"},
	}
	for _, tt := range tests {
		got, err := r.Rel(tt.dir)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Rel(%q) = %q, %v; want error containing %q", tt.dir, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("Rel(%q) = %q, %v; want %q", tt.dir, got, err, tt.want)
		}
	}
}

func TestOpen_errors(t *testing.T) {
	if _, err := Open(t.TempDir()); err == nil || !strings.Contains(err.Error(), "repository does not exist") {
		t.Errorf("Open(not a repository) error = %v", err)
	}
	bare := t.TempDir()
	if _, err := git.PlainInit(bare, true); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(bare); err == nil {
		t.Error("Open(bare repository) succeeded; want an error, there is no worktree")
	}
}

func TestRepo_Resolve(t *testing.T) {
	f := newFixture(t)
	f.write("a.txt", "1")
	c1 := f.commit("one")
	f.write("a.txt", "2")
	c2 := f.commit("two")
	f.write("a.txt", "3")
	c3 := f.commit("three")

	h := func(s string) plumbing.Hash { return plumbing.NewHash(s) }
	if _, err := f.repo.CreateTag("v1", h(c1), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := f.repo.CreateTag("v2", h(c2), &git.CreateTagOptions{
		Message: "two", Tagger: testSignature(),
	}); err != nil {
		t.Fatal(err)
	}
	if err := f.repo.Storer.SetReference(plumbing.NewHashReference("refs/remotes/origin/main", h(c2))); err != nil {
		t.Fatal(err)
	}
	if err := f.repo.Storer.SetReference(plumbing.NewHashReference("refs/heads/feature", h(c1))); err != nil {
		t.Fatal(err)
	}
	r := f.open()

	tests := []struct {
		rev     string
		want    string
		wantErr string
	}{
		{rev: c2, want: c2},
		{rev: strings.ToUpper(c2), want: c2},
		{rev: c2[:7], want: c2},
		{rev: c2[:9], want: c2},
		{rev: "HEAD", want: c3},
		{rev: "main", want: c3},
		{rev: "refs/heads/main", want: c3},
		{rev: "feature", want: c1},
		{rev: "origin/main", want: c2},
		{rev: "v1", want: c1},
		{rev: "v2", want: c2}, // annotated, peeled to the commit
		{rev: "HEAD~1", want: c2},
		{rev: "HEAD^", want: c2},
		{rev: "HEAD~2", want: c1},
		{rev: "main^^", want: c1},
		{rev: "HEAD~3", wantErr: "unknown revision HEAD~3"},
		{rev: "HEAD^2", wantErr: "unknown revision HEAD^2"},
		{rev: "nope", wantErr: "unknown revision nope"},
		{rev: "HEAD~x", wantErr: "unknown revision HEAD~x"},
		{rev: "a b\n", wantErr: `unknown revision "a b\n"`},
		{rev: strings.Repeat("ab", 20), wantErr: "unknown revision " + strings.Repeat("ab", 20)},
		{rev: "", wantErr: "empty revision"},
	}
	for _, tt := range tests {
		got, err := r.Resolve(tt.rev)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Resolve(%q) = %q, %v; want error containing %q", tt.rev, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("Resolve(%q) = %q, %v; want %q", tt.rev, got, err, tt.want)
		}
	}
}

func TestRepo_HasCommit(t *testing.T) {
	f := newFixture(t)
	f.write("a.txt", "1")
	c1 := f.commit("one")
	r := f.open()
	tests := []struct {
		sha  string
		want bool
	}{
		{c1, true},
		{strings.ToUpper(c1), true},
		{c1[:7], false}, // only full SHAs
		{strings.Repeat("0", 40), false},
		{strings.Repeat("z", 40), false},
		{"", false},
	}
	for _, tt := range tests {
		if got := r.HasCommit(tt.sha); got != tt.want {
			t.Errorf("HasCommit(%q) = %v, want %v", tt.sha, got, tt.want)
		}
	}
	// A tree is not a commit.
	c, err := f.repo.CommitObject(plumbing.NewHash(c1))
	if err != nil {
		t.Fatal(err)
	}
	if r.HasCommit(c.TreeHash.String()) {
		t.Errorf("HasCommit(tree %s) = true, want false", c.TreeHash)
	}
}

// TestRepo_Resolve_shallow: the advice about shallow clones comes only when
// the checkout is one, and the error reads like git's otherwise.
func TestRepo_Resolve_shallow(t *testing.T) {
	f := newFixture(t)
	f.write("a.txt", "1")
	c1 := f.commit("one")

	_, err := f.open().Resolve("HEAD~1")
	if err == nil || err.Error() != "unknown revision HEAD~1" {
		t.Errorf("full clone: Resolve(HEAD~1) error = %v, want exactly %q", err, "unknown revision HEAD~1")
	}

	// What a depth-1 clone records: its one commit is a shallow boundary.
	if err := os.WriteFile(f.path(".git/shallow"), []byte(c1+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = f.open().Resolve("HEAD~1")
	var re *RevisionError
	if !errors.As(err, &re) || !re.Shallow || re.Rev != "HEAD~1" {
		t.Fatalf("shallow clone: Resolve(HEAD~1) error = %#v, want a *RevisionError with Shallow set", err)
	}
	for _, want := range []string{"unknown revision HEAD~1", "shallow clone", "fetch-depth: 0", "git fetch --unshallow"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("shallow clone: error %q lacks %q", err, want)
		}
	}
}
