package compiler

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestBundle_readsBack: a code bundle is a .tar.gz that gzip and tar read
// back to the source directory's files, byte for byte (its deflate blocks
// are stored, which every gunzip reads).
func TestBundle_readsBack(t *testing.T) {
	dir := filepath.Join("..", "testdata", "conf", "ok", "housing-tf")
	res, ds := mustCompile(t, openRepo(t, dir), Options{Getenv: noEnv, ArtifactDir: t.TempDir()})
	if len(ds) > 0 {
		t.Fatal(ds)
	}
	var bundle []byte
	for _, a := range res.Plans[0].Artifacts {
		if a.Kind == "sourcedir" {
			var err error
			if bundle, err = os.ReadFile(a.File); err != nil {
				t.Fatal(err)
			}
		}
	}
	zr, err := gzip.NewReader(bytes.NewReader(bundle))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	var names []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(filepath.Join(dir, "housing", "src", h.Name))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: bundled bytes differ from the file (%v)", h.Name, err)
		}
		names = append(names, h.Name)
	}
	if want := []string{"evaluate.py", "inference.py", "prepare.py", "requirements.txt", "train.py"}; !slices.Equal(names, want) {
		t.Errorf("bundle holds %v, want %v", names, want)
	}
}
