package graph

import (
	"testing"

	"github.com/smpipe/smpipe-action/internal/golden"
)

func checkGolden(t *testing.T, file, got string) {
	t.Helper()
	golden.Check(t, file, []byte(got))
}

// build is a compact way to write a graph in a test: nodes are Processing
// unless classes names them, edges are "from>to" (data) or "from.>to"
// (depends-on).
func build(names []string, edges ...string) *Graph {
	nodes := make([]Node, len(names))
	for i, n := range names {
		nodes[i] = Node{Name: n, Kind: "Processing"}
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
