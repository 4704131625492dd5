// Package graphtest helps tests of any package hand the Mermaid diagrams they
// produce to CI, which renders them with the real Mermaid to prove they parse.
package graphtest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// EnvDir names the directory diagrams are written to; unset, nothing is written.
const EnvDir = "SMPIPE_MERMAID_DIR"

// WriteForRender writes text to $SMPIPE_MERMAID_DIR/<pkg>.<name>.mmd when
// that variable is set, and does nothing otherwise. <pkg> is the base name
// of the test's working directory (go test runs in the package directory),
// so packages cannot overwrite each other's diagrams; characters of name
// outside [A-Za-z0-9._-] become "_". Pass t.Name(), or t.Name() plus a
// suffix when one test draws several diagrams.
func WriteForRender(t testing.TB, name, text string) {
	t.Helper()
	dir := os.Getenv(EnvDir)
	if dir == "" || text == "" {
		return
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatalf("finding the package directory: %v", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("creating diagram directory: %v", err)
	}
	path := filepath.Join(dir, fileName(filepath.Base(wd)+"."+name)+".mmd")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatalf("writing diagram for rendering: %v", err)
	}
}

func fileName(name string) string {
	name = strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '_', r == '-':
			return r
		}
		return '_'
	}, name)
	name = strings.TrimLeft(name, ".")
	if name == "" {
		return "diagram"
	}
	return name
}
