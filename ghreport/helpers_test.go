package ghreport

import (
	"strings"
	"testing"

	"github.com/smpipe/smpipe-action/compiler/graph/graphtest"
	"github.com/smpipe/smpipe-action/internal/golden"
)

func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	golden.Check(t, name, []byte(got))
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
