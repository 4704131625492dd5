package graphtest

import (
	"os"
	"path/filepath"
	"testing"
)

func TestWriteForRender(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(EnvDir, dir)
	WriteForRender(t, "TestX/sub case:1", "flowchart TD\n")
	WriteForRender(t, "TestEmpty", "")
	got, err := os.ReadFile(filepath.Join(dir, "graphtest.TestX_sub_case_1.mmd"))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "flowchart TD\n" {
		t.Errorf("wrote %q", got)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("got %d files, want 1 (empty text is skipped)", len(entries))
	}
}

func TestWriteForRender_unset(t *testing.T) {
	t.Setenv(EnvDir, "")
	WriteForRender(t, "TestX", "flowchart TD\n") // must not write or fail
}

func TestFileName(t *testing.T) {
	tests := map[string]string{
		"pkg.TestA/b c": "pkg.TestA_b_c",
		"../../etc/x":   "_.._etc_x",
		"":              "diagram",
		"...":           "diagram",
		"ok-name_1.2":   "ok-name_1.2",
		"naïve/@x\n`y`": "na_ve__x__y_",
	}
	for in, want := range tests {
		if got := fileName(in); got != want {
			t.Errorf("fileName(%q) = %q, want %q", in, got, want)
		}
	}
}
