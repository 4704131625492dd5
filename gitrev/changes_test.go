package gitrev

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// longText is content big enough for git to call a moved and edited file
// a rename, which Diff does not.
func longText(seed string) string {
	var b strings.Builder
	for i := range 40 {
		b.WriteString(seed)
		b.WriteString(" line ")
		b.WriteByte(byte('a' + i%26))
		b.WriteString("\n")
	}
	return b.String()
}

func TestRepo_Diff_history(t *testing.T) {
	f := newFixture(t)
	f.write("a.txt", "one\n")
	f.write("dir/b.txt", "bee\n")
	f.write("dir/sub/c.txt", longText("c"))
	f.write("big.txt", longText("big"))
	f.write("tool.sh", "#!/bin/sh\n")
	f.write("same.txt", "unchanged\n")
	f.link("link", "a.txt")
	f.write("swap", "a file that becomes a link\n")
	c1 := f.commit("one")

	f.write("a.txt", "two\n")                              // modified
	f.write("new/n.txt", "new\n")                          // added in a new directory
	f.remove("dir/b.txt")                                  // deleted
	f.rename("big.txt", "moved/big.txt")                   // exact rename
	f.rename("dir/sub/c.txt", "dir/c2.txt")                // rename with an edit
	f.write("dir/c2.txt", longText("c")+"one more line\n") //
	f.exec("tool.sh", "#!/bin/sh\n")                       // mode only
	f.link("link", "new/n.txt")                            // link retargeted
	f.remove("swap")                                       //
	f.link("swap", "a.txt")                                // file becomes a link
	c2 := f.commit("two")

	f.remove("new")
	f.write("z/last.txt", "z\n")
	c3 := f.commit("three")

	r := f.open()
	// No renames: a moved file is a deletion and an addition.
	forward := []Change{
		{Op: Modified, From: "a.txt", To: "a.txt"},
		{Op: Deleted, From: "big.txt"},
		{Op: Deleted, From: "dir/b.txt"},
		{Op: Added, To: "dir/c2.txt"},
		{Op: Deleted, From: "dir/sub/c.txt"},
		{Op: Modified, From: "link", To: "link"},
		{Op: Added, To: "moved/big.txt"},
		{Op: Added, To: "new/n.txt"},
		{Op: Modified, From: "swap", To: "swap"},
		{Op: Modified, From: "tool.sh", To: "tool.sh"},
	}
	tests := []struct {
		name       string
		base, head string
		want       []Change
		wantErr    string
	}{
		{name: "forward", base: c1, head: c2, want: forward},
		{name: "revision names", base: "HEAD~2", head: "HEAD^", want: forward},
		{name: "short SHAs", base: c1[:8], head: c2[:8], want: forward},
		{name: "backward", base: c2, head: c1, want: []Change{
			{Op: Modified, From: "a.txt", To: "a.txt"},
			{Op: Added, To: "big.txt"},
			{Op: Added, To: "dir/b.txt"},
			{Op: Deleted, From: "dir/c2.txt"},
			{Op: Added, To: "dir/sub/c.txt"},
			{Op: Modified, From: "link", To: "link"},
			{Op: Deleted, From: "moved/big.txt"},
			{Op: Deleted, From: "new/n.txt"},
			{Op: Modified, From: "swap", To: "swap"},
			{Op: Modified, From: "tool.sh", To: "tool.sh"},
		}},
		{name: "directory removed and added", base: c2, head: c3, want: []Change{
			{Op: Deleted, From: "new/n.txt"},
			{Op: Added, To: "z/last.txt"},
		}},
		{name: "same commit", base: c2, head: c2, want: nil},
		{name: "unknown base", base: "nope", head: c2, wantErr: "unknown revision nope"},
		{name: "unknown head", base: c1, head: strings.Repeat("1", 40), wantErr: "unknown revision " + strings.Repeat("1", 40)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := r.Diff(tt.base, tt.head)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Diff() error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Diff(): %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Diff() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestChange_Path(t *testing.T) {
	tests := []struct {
		c    Change
		want string
	}{
		{Change{Op: Added, To: "a"}, "a"},
		{Change{Op: Deleted, From: "a"}, "a"},
		{Change{Op: Modified, From: "a", To: "a"}, "a"},
	}
	for _, tt := range tests {
		if got := tt.c.Path(); got != tt.want {
			t.Errorf("%+v.Path() = %q, want %q", tt.c, got, tt.want)
		}
	}
}
