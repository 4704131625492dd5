package graph

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// checkGolden compares got with testdata/<file>, rewriting it under -update.
func checkGolden(t *testing.T, file, got string) {
	t.Helper()
	path := filepath.Join("testdata", file)
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
		t.Fatalf("reading golden file (run with -update to create it): %v", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}

// build is a compact way to write a graph in a test: nodes are Processing
// unless classes names them, edges are "from>to" (data) or "from.>to"
// (depends-on).
func build(names []string, edges ...string) *Graph {
	nodes := make([]Node, len(names))
	for i, n := range names {
		nodes[i] = Node{Name: n, Class: Processing}
	}
	return New(nodes, parseEdges(edges))
}

func parseEdges(specs []string) []Edge {
	var out []Edge
	for _, s := range specs {
		for i := 0; i < len(s); i++ {
			if s[i] == '.' && i+1 < len(s) && s[i+1] == '>' {
				out = append(out, Edge{From: s[:i], To: s[i+2:], Kind: DependsOn})
				break
			}
			if s[i] == '>' {
				out = append(out, Edge{From: s[:i], To: s[i+1:], Kind: Data})
				break
			}
		}
	}
	return out
}
