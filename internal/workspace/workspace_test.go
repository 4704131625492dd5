package workspace

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"
)

// hostileDir is a directory holding what a pull request can commit to get
// at files outside the repository, and a named pipe.
func hostileDir(t *testing.T) string {
	t.Helper()
	outside := t.TempDir()
	must(t, os.WriteFile(filepath.Join(outside, "secret"), []byte("token"), 0o644))
	dir := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(dir, "src", "sub"), 0o755))
	must(t, os.WriteFile(filepath.Join(dir, "src", "ok.txt"), []byte("hello"), 0o644))
	for link, target := range map[string]string{
		"escape":        "/",                              // a middle component leading to /
		"abs":           filepath.Join(outside, "secret"), // absolute, to a real file
		"zero":          "/dev/zero",
		"up":            "../" + filepath.Base(outside) + "/secret",
		"src/sub/up2":   "../../..",
		"loop-a":        "loop-b",
		"loop-b":        "loop-a",
		"src/inside":    "../src/ok.txt",
		"src/sub/upone": "..",
	} {
		must(t, os.Symlink(target, filepath.Join(dir, filepath.FromSlash(link))))
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe"), 0o644); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	return dir
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func openRoot(t *testing.T, dir string) *Root {
	t.Helper()
	r, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func TestRoot_refusesWhatLeavesIt(t *testing.T) {
	r := openRoot(t, hostileDir(t))
	tests := []struct {
		name string
		want error // nil: readable, content "hello"
	}{
		{"src/ok.txt", nil},
		{"src/inside", nil},
		{"src/sub/upone/ok.txt", nil},
		{"escape/etc/passwd", ErrEscapes},
		{"escape/proc/self/environ", ErrEscapes},
		{"abs", ErrEscapes},
		{"zero", ErrEscapes},
		{"up", ErrEscapes},
		{"src/sub/up2/etc/passwd", ErrEscapes},
		{"loop-a", ErrLoop},
		{"pipe", ErrNotRegular},
		{"missing", fs.ErrNotExist},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := ReadFile(r, tt.name, 1<<20)
			if tt.want == nil {
				if err != nil || string(data) != "hello" {
					t.Fatalf("ReadFile = %q, %v; want hello", data, err)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("ReadFile error = %v, want %v", err, tt.want)
			}
			var pe *fs.PathError
			if !errors.As(err, &pe) || pe.Path != tt.name {
				t.Errorf("error %#v is not an *fs.PathError for %q", err, tt.name)
			}
			if tt.want == ErrNotRegular {
				return // Stat describes a pipe; only reading it is refused
			}
			if _, err := r.Stat(tt.name); !errors.Is(err, tt.want) {
				t.Errorf("Stat error = %v, want %v", err, tt.want)
			}
			if _, err := r.Open(tt.name); !errors.Is(err, tt.want) {
				t.Errorf("Open error = %v, want %v", err, tt.want)
			}
		})
	}
}

// TestRoot_openNeverBlocks opens a named pipe directly, as fs.ReadFile or a
// directory walk would: it must fail at once, not wait for a writer.
func TestRoot_openNeverBlocks(t *testing.T) {
	r := openRoot(t, hostileDir(t))
	if _, err := fs.ReadFile(r, "pipe"); !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), "named pipe") {
		t.Fatalf("fs.ReadFile of a pipe = %v, want ErrNotRegular naming the pipe", err)
	}
	if _, err := r.ReadDir("pipe"); !errors.Is(err, ErrNotRegular) {
		t.Fatalf("ReadDir of a pipe = %v, want ErrNotRegular", err)
	}
}

func TestRoot_lstatAndReadLinkStayInside(t *testing.T) {
	r := openRoot(t, hostileDir(t))
	if fi, err := r.Lstat("escape"); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("Lstat(escape) = %v, %v; want the link itself", fi, err)
	}
	if target, err := r.ReadLink("escape"); err != nil || target != "/" {
		t.Errorf("ReadLink(escape) = %q, %v", target, err)
	}
	if _, err := r.Lstat("escape/etc"); !errors.Is(err, ErrEscapes) {
		t.Errorf("Lstat through the link = %v, want ErrEscapes", err)
	}
	if _, err := r.ReadDir("escape"); !errors.Is(err, ErrEscapes) {
		t.Errorf("ReadDir of the link = %v, want ErrEscapes", err)
	}
}

// TestClassify_rootEscapeText pins the text by which os.Root's unexported
// escape error is recognised: a Go release that changes it fails here.
func TestClassify_rootEscapeText(t *testing.T) {
	root, err := os.OpenRoot(t.TempDir())
	must(t, err)
	defer root.Close()
	_, err = root.Open("../x")
	if !errors.Is(classify(err), ErrEscapes) {
		t.Fatalf("os.Root's escape error %q is not recognised", err)
	}
}

func TestOpenIn_workingDirectory(t *testing.T) {
	dir := hostileDir(t)
	r, err := OpenIn(dir, "src")
	must(t, err)
	defer r.Close()
	if data, err := ReadFile(r, "ok.txt", 100); err != nil || string(data) != "hello" {
		t.Errorf("ReadFile in src = %q, %v", data, err)
	}
	// Inside the working directory, a link to elsewhere in the checkout
	// leaves the root as surely as one to /.
	if _, err := ReadFile(r, "inside", 100); !errors.Is(err, ErrEscapes) {
		t.Errorf("link out of the working directory = %v, want ErrEscapes", err)
	}
	for _, sub := range []string{"escape", "escape/tmp", "up", "../x"} {
		if r, err := OpenIn(dir, sub); !errors.Is(err, ErrEscapes) {
			if r != nil {
				r.Close()
			}
			t.Errorf("OpenIn(%q) = %v, want ErrEscapes", sub, err)
		}
	}
}

func TestOpenFile_bounds(t *testing.T) {
	fsys := fstest.MapFS{
		"ten":  {Data: []byte("0123456789")},
		"dir":  {Mode: fs.ModeDir},
		"pipe": {Mode: fs.ModeNamedPipe},
	}
	if _, err := OpenFile(fsys, "ten", 9); err == nil {
		t.Error("a 10-byte file opened under a 9-byte limit")
	} else if tl := (*TooLargeError)(nil); !errors.As(err, &tl) || tl.Size != 10 || tl.Limit != 9 {
		t.Errorf("error = %v, want a TooLargeError of 10 over 9", err)
	}
	for _, name := range []string{"dir", "pipe"} {
		if _, err := OpenFile(fsys, name, 100); !errors.Is(err, ErrNotRegular) {
			t.Errorf("OpenFile(%s) = %v, want ErrNotRegular", name, err)
		}
	}
	f, err := OpenFile(fsys, "ten", 10)
	must(t, err)
	sec, err := f.Section()
	must(t, err)
	if b, _ := io.ReadAll(sec); string(b) != "0123456789" {
		t.Errorf("Section reads %q", b)
	}
}

// TestFile_readsTheOpenedSize: a file that grows while read is cut at the
// size checked against the limit; one that shrinks is an error, not a
// silently short bundle entry.
func TestFile_readsTheOpenedSize(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	must(t, os.WriteFile(p, []byte("12345"), 0o644))
	r := openRoot(t, dir)

	f, err := OpenFile(r, "f", 5)
	must(t, err)
	must(t, os.WriteFile(p, []byte("123456789"), 0o644))
	if b, err := io.ReadAll(f); err != nil || string(b) != "12345" {
		t.Errorf("grown file read as %q, %v; want the 5 bytes checked", b, err)
	}
	f.Close()

	f, err = OpenFile(r, "f", 100)
	must(t, err)
	must(t, os.WriteFile(p, []byte("12"), 0o644))
	if _, err := io.ReadAll(f); !errors.Is(err, ErrChanged) {
		t.Errorf("shrunk file: %v, want ErrChanged", err)
	}
	f.Close()
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{
		"1": 1, "512MiB": 512 << 20, "512 mib": 512 << 20, "2GiB": 2 << 30, "2g": 2 << 30, "64KiB": 64 << 10, "10kb": 10 << 10, "100b": 100,
	} {
		if got, err := ParseSize(in); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "0", "-1", "1.5GiB", "lots", "9999999999GiB", "MiB"} {
		if got, err := ParseSize(in); err == nil {
			t.Errorf("ParseSize(%q) = %d, want an error", in, got)
		}
	}
}
