package gitrev

import (
	"errors"
	"io/fs"
	"slices"
	"strings"
	"testing"

	"github.com/smpipe/smpipe-action/internal/workspace"
)

// TestRepo_Diff lists what changed between two commits, without renames,
// whatever kind of entry changed.
func TestRepo_Diff(t *testing.T) {
	f := newFixture(t)
	f.write("same/a.txt", "a\n")
	f.write("dir/keep.txt", "keep\n")
	f.write("dir/edit.txt", "old\n")
	f.write("dir/gone.txt", "gone\n")
	f.write("moved.txt", "moved\n")
	f.link("link", "same/a.txt")
	f.write("x/y/z/deep.txt", "deep\n")
	base := f.commit("base")
	f.write("dir/edit.txt", "new\n")
	f.remove("dir/gone.txt")
	f.write("dir/new/added.txt", "added\n")
	f.rename("moved.txt", "renamed.txt")
	f.remove("link")
	f.link("link", "dir/keep.txt")
	f.exec("x/y/z/deep.txt", "deep\n") // mode only
	head := f.commit("head")

	r := f.open()
	got, err := r.Diff(base, head)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, c := range got {
		lines = append(lines, string(c.Op)+" "+c.Path())
	}
	want := []string{
		"modified dir/edit.txt", "deleted dir/gone.txt", "added dir/new/added.txt",
		"modified link", "deleted moved.txt", "added renamed.txt", "modified x/y/z/deep.txt",
	}
	if !slices.Equal(lines, want) {
		t.Errorf("Diff =\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	if same, err := r.Diff(head, head); err != nil || len(same) != 0 {
		t.Errorf("Diff of a commit with itself = %v, %v", same, err)
	}
}

// A symbolic link's blob is bounded like any file: an oversized target is
// refused after reading its first bytes, and the error quotes a short,
// escaped prefix of it.
func TestTreeFS_hugeLinkTarget(t *testing.T) {
	f := newFixture(t)
	f.write("ok.txt", "ok\n")
	sha := f.commit("base")
	target := "\x1b[31m" + strings.Repeat("../", 4000)
	f.blobLink("huge", target, sha)
	r := f.open()
	fsys, err := r.TreeFS("refs/heads/huge")
	if err != nil {
		t.Fatal(err)
	}
	for name, op := range map[string]func() error{
		"ReadLink": func() error { _, err := fs.ReadLink(fsys, "huge"); return err },
		"Stat":     func() error { _, err := fs.Stat(fsys, "huge"); return err },
		"ReadFile": func() error { _, err := fs.ReadFile(fsys, "huge/x"); return err },
	} {
		err := op()
		var lt *workspace.LinkTargetError
		if !errors.As(err, &lt) {
			t.Fatalf("%s: %v, want a LinkTargetError", name, err)
		}
		msg := err.Error()
		if len(msg) > 300 || strings.Contains(msg, "\x1b") || !strings.Contains(msg, `"\x1b[31m../../`) {
			t.Errorf("%s: error of %d bytes: %.300q", name, len(msg), msg)
		}
	}
}
