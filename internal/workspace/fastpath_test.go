package workspace

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// TestRoot_agreesWithOSRoot asks a Root and a bare os.Root the same
// questions about every kind of path, so the openat2 shortcut on Linux can
// never answer differently from os.Root: same file, same description, same
// listing, same refusal.
func TestRoot_agreesWithOSRoot(t *testing.T) {
	dir := hostileDir(t)
	must(t, os.WriteFile(filepath.Join(dir, "src", "sub", "deep.py"), []byte("print(1)\n"), 0o755))
	must(t, os.Chmod(filepath.Join(dir, "src", "sub"), 0o750))
	r := openRoot(t, dir)
	osRoot, err := os.OpenRoot(dir)
	must(t, err)
	t.Cleanup(func() { osRoot.Close() })
	want := osRoot.FS()

	paths := []string{
		".", "src", "src/sub", "src/ok.txt", "src/sub/deep.py", "src/inside", "src/sub/upone",
		"src/sub/upone/ok.txt", "escape", "escape/etc/passwd", "abs", "zero", "up", "src/sub/up2",
		"loop-a", "pipe", "missing", "src/missing/x", "src/ok.txt/x", "../x", "/src", "src//ok.txt",
	}
	for _, p := range paths {
		t.Run(p, func(t *testing.T) {
			gotInfo, gotErr := r.Stat(p)
			wantInfo, wantErr := fs.Stat(want, p)
			sameInfo(t, "Stat", gotInfo, gotErr, wantInfo, wantErr)

			gotInfo, gotErr = r.Lstat(p)
			wantInfo, wantErr = fs.Lstat(want, p)
			sameInfo(t, "Lstat", gotInfo, gotErr, wantInfo, wantErr)

			gotList, gotErr := r.ReadDir(p)
			var wantList []fs.DirEntry
			wantErr = ErrNotRegular // os.Root's ReadDir would wait on the pipe for a writer
			if p != "pipe" {
				wantList, wantErr = fs.ReadDir(want, p)
			}
			if g, w := listing(t, gotList), listing(t, wantList); g != w || (gotErr == nil) != (wantErr == nil) {
				t.Errorf("ReadDir = %s, %v; os.Root: %s, %v", g, gotErr, w, wantErr)
			}

			got, gotErr := ReadFile(r, p, 1<<20)
			wantData, wantErr := readRegular(want, p)
			if string(got) != string(wantData) || (gotErr == nil) != (wantErr == nil) {
				t.Errorf("ReadFile = %q, %v; os.Root: %q, %v", got, gotErr, wantData, wantErr)
			}
		})
	}
}

func sameInfo(t *testing.T, op string, got fs.FileInfo, gotErr error, want fs.FileInfo, wantErr error) {
	t.Helper()
	if (gotErr == nil) != (wantErr == nil) {
		t.Errorf("%s error = %v; os.Root: %v", op, gotErr, wantErr)
		return
	}
	if gotErr != nil {
		for _, sentinel := range []error{fs.ErrNotExist, ErrEscapes, ErrLoop} {
			if errors.Is(classify(wantErr), sentinel) && !errors.Is(gotErr, sentinel) {
				t.Errorf("%s error = %v, want %v like os.Root's %v", op, gotErr, sentinel, wantErr)
			}
		}
		return
	}
	if describe(got) != describe(want) || !got.ModTime().Equal(want.ModTime()) {
		t.Errorf("%s = %s; os.Root: %s", op, describe(got), describe(want))
	}
}

func describe(fi fs.FileInfo) string {
	size := fi.Size()
	if fi.IsDir() {
		size = 0 // a directory's size is the file system's business
	}
	return fmt.Sprintf("%s %v %d dir=%v", fi.Name(), fi.Mode(), size, fi.IsDir())
}

func listing(t *testing.T, es []fs.DirEntry) string {
	t.Helper()
	s := ""
	for _, e := range es {
		info, err := e.Info()
		if err != nil {
			t.Fatalf("Info of %s: %v", e.Name(), err)
		}
		s += fmt.Sprintf("[%s %v %s]", e.Name(), e.Type(), describe(info))
	}
	return s
}

// readRegular reads p from os.Root's file system when it is a regular file
// (never opening a pipe), as ReadFile promises to.
func readRegular(fsys fs.FS, p string) ([]byte, error) {
	info, err := fs.Stat(fsys, p)
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, ErrNotRegular
	}
	f, err := fsys.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}
