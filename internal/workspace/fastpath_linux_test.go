package workspace

import (
	"os"
	"path/filepath"
	"testing"
)

// TestFastPath_takenOnlyWithoutLinks pins when Linux skips os.Root: a
// regular file on a path with no symbolic link is opened by openat2; a link
// anywhere, a directory or a pipe is left to os.Root.
func TestFastPath_takenOnlyWithoutLinks(t *testing.T) {
	dir := hostileDir(t)
	must(t, os.WriteFile(filepath.Join(dir, "src", "sub", "deep.py"), nil, 0o644))
	r := openRoot(t, dir)
	if r.fast.dir == nil {
		t.Skip("openat2 is not available here; every call goes to os.Root")
	}
	for name, want := range map[string]bool{
		"src/ok.txt":           true,
		"src/sub/deep.py":      true,
		"src/inside":           false, // a link inside the root, followed by os.Root
		"src/sub/upone/ok.txt": false,
		"escape/etc/passwd":    false,
		"src":                  false,
		"pipe":                 false,
		"missing":              false,
	} {
		f, _, ok := r.fast.open(name)
		if f != nil {
			f.Close()
		}
		if ok != want {
			t.Errorf("fast open of %s = %v, want %v", name, ok, want)
		}
	}
	if _, ok := r.fast.readDir("src/sub"); !ok {
		t.Error("fast listing of src/sub was not taken")
	}
	if _, ok := r.fast.readDir("src/sub/upone"); ok {
		t.Error("fast listing followed a link")
	}
}

// TestRoot_closeReleasesEverything: opening and closing a Root, as every
// compile and plan does, leaves no file descriptor behind.
func TestRoot_closeReleasesEverything(t *testing.T) {
	dir := t.TempDir()
	before := openFDs(t)
	for range 10 {
		r, err := Open(dir)
		must(t, err)
		must(t, r.Close())
	}
	if after := openFDs(t); after != before {
		t.Errorf("open file descriptors: %d before ten Open+Close, %d after", before, after)
	}
}

func openFDs(t *testing.T) int {
	t.Helper()
	es, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("cannot count file descriptors: %v", err)
	}
	return len(es)
}
