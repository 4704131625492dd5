package ghreport

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/smpipe/smpipe-action/compiler/graph/graphtest"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// checkGolden compares got with testdata/name, or rewrites it with -update.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden (run with -update to create it): %v", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s differs (-want +got; run with -update after reviewing):\n%s", path, diff)
	}
}

// mermaidBlocks returns the contents of every ```mermaid fence in body.
func mermaidBlocks(t *testing.T, body string) []string {
	t.Helper()
	var out []string
	lines := strings.Split(body, "\n")
	for i := 0; i < len(lines); i++ {
		fenceLine, ok := strings.CutSuffix(lines[i], "mermaid")
		if !ok || fenceLine == "" || strings.Trim(fenceLine, "`") != "" {
			continue
		}
		var block []string
		for i++; i < len(lines) && lines[i] != fenceLine; i++ {
			block = append(block, lines[i])
		}
		if i == len(lines) {
			t.Fatalf("unclosed mermaid fence in:\n%s", body)
		}
		out = append(out, strings.Join(block, "\n")+"\n")
	}
	return out
}

// writeDiagrams hands every Mermaid block of body to CI for rendering.
func writeDiagrams(t *testing.T, body string) {
	t.Helper()
	for i, m := range mermaidBlocks(t, body) {
		graphtest.WriteForRender(t, t.Name()+"_"+string(rune('a'+i)), m)
	}
}
