package gitrev

import (
	"io/fs"
	"slices"
	"strings"
	"testing"

	"github.com/smpipe/smpipe-action/compiler"
)

// ContentID names a file's content through links, the same across
// revisions and paths; Links lists the links under a directory.
func TestTreeFS_ContentIDAndLinks(t *testing.T) {
	f := newFixture(t)
	f.write("a/same.txt", "same\n")
	f.write("b/same.txt", "same\n")
	f.write("b/other.txt", "other\n")
	f.link("a/to-b", "../b")
	f.link("a/deep/link.txt", "../same.txt")
	base := f.commit("base")
	f.write("b/other.txt", "changed\n")
	head := f.commit("head")
	r := f.open()
	fb, err := r.TreeFS(base)
	if err != nil {
		t.Fatal(err)
	}
	fh, err := r.TreeFS(head)
	if err != nil {
		t.Fatal(err)
	}
	id := func(fsys fs.FS, name string) string {
		t.Helper()
		s, err := fsys.(compiler.ContentIdentifier).ContentID(name)
		if err != nil {
			t.Fatalf("ContentID(%s): %v", name, err)
		}
		return s
	}
	if id(fb, "a/same.txt") != id(fb, "b/same.txt") || id(fb, "a/same.txt") != id(fh, "a/deep/link.txt") {
		t.Error("equal contents have different IDs")
	}
	if id(fb, "a/to-b/other.txt") == id(fh, "a/to-b/other.txt") || !strings.HasPrefix(id(fb, "b/other.txt"), "git:") {
		t.Error("a changed file kept its ID")
	}
	if _, err := fb.(compiler.ContentIdentifier).ContentID("a"); err == nil {
		t.Error("ContentID of a directory succeeded")
	}
	links, err := fb.(interface {
		Links(string) ([]string, error)
	}).Links("a")
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(links)
	if want := []string{"a/deep/link.txt", "a/to-b"}; !slices.Equal(links, want) {
		t.Errorf("Links(a) = %q, want %q", links, want)
	}
	if links, _ := fb.(interface {
		Links(string) ([]string, error)
	}).Links("b"); len(links) != 0 {
		t.Errorf("Links(b) = %q", links)
	}
}
