package graph

import (
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestGraph_Cycles(t *testing.T) {
	tests := []struct {
		name  string
		nodes []string
		edges []string
		want  [][]string
	}{
		{
			name:  "acyclic",
			nodes: []string{"a", "b", "c"},
			edges: []string{"a>b", "b>c", "a>c"},
			want:  nil,
		},
		{
			name:  "self-loop",
			nodes: []string{"a", "b"},
			edges: []string{"a>b", "b>b"},
			want:  [][]string{{"b", "b"}},
		},
		{
			name:  "two-cycle starts at earliest node",
			nodes: []string{"a", "b"},
			edges: []string{"b>a", "a.>b"},
			want:  [][]string{{"a", "b", "a"}},
		},
		{
			name:  "start is earliest in node order, not by name",
			nodes: []string{"zed", "alpha", "mid"},
			edges: []string{"alpha>mid", "mid>zed", "zed>alpha"},
			want:  [][]string{{"zed", "alpha", "mid", "zed"}},
		},
		{
			name:  "two disjoint cycles sorted by first node",
			nodes: []string{"x", "a", "y", "b"},
			edges: []string{"b>a", "a>b", "y>x", "x>y"},
			want:  [][]string{{"x", "y", "x"}, {"a", "b", "a"}},
		},
		{
			name:  "nested cycles in one component give the shortest way round",
			nodes: []string{"a", "b", "c", "d"},
			edges: []string{"a>b", "b>c", "c>d", "d>a", "c>a"},
			want:  [][]string{{"a", "b", "c", "a"}},
		},
		{
			name:  "self-loop inside a larger cycle is reported too",
			nodes: []string{"a", "b"},
			edges: []string{"a>b", "b>a", "a>a"},
			want:  [][]string{{"a", "a"}, {"a", "b", "a"}},
		},
		{
			name:  "tie goes to the earlier node",
			nodes: []string{"s", "p", "q"},
			edges: []string{"s>q", "s>p", "p>s", "q>s"},
			want:  [][]string{{"s", "p", "s"}},
		},
		{
			name:  "cycle downstream of acyclic part",
			nodes: []string{"a", "b", "c", "d"},
			edges: []string{"a>b", "b>c", "c>d", "d>c"},
			want:  [][]string{{"c", "d", "c"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := build(tt.nodes, tt.edges...)
			got := g.Cycles()
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Cycles (-want +got):\n%s", diff)
			}
			// Determinism: edge input order must not matter.
			rev := append([]string(nil), tt.edges...)
			for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
				rev[i], rev[j] = rev[j], rev[i]
			}
			if diff := cmp.Diff(got, build(tt.nodes, rev...).Cycles()); diff != "" {
				t.Errorf("Cycles depends on edge input order:\n%s", diff)
			}
		})
	}
}

func TestGraph_Cycles_longChain(t *testing.T) {
	// A deep chain closed into one ring must not overflow anything.
	const n = 100000
	names := make([]string, n)
	var edges []Edge
	for i := range names {
		names[i] = "n" + strconv.Itoa(i)
	}
	nodes := make([]Node, n)
	for i, name := range names {
		nodes[i] = Node{Name: name}
		edges = append(edges, Edge{name, names[(i+1)%n], Data})
	}
	cycles := New(nodes, edges).Cycles()
	if len(cycles) != 1 || len(cycles[0]) != n+1 || cycles[0][0] != "n0" || cycles[0][n] != "n0" {
		t.Fatalf("got %d cycles, first of length %d", len(cycles), len(cycles[0]))
	}
}

func TestFormatCycle(t *testing.T) {
	tests := []struct {
		in   []string
		want string
	}{
		{[]string{"a", "b", "a"}, `"a" -> "b" -> "a"`},
		{[]string{"a", "a"}, `"a" -> "a"`},
		{[]string{`q"x`, `q"x`}, `"q\"x" -> "q\"x"`},
		{nil, ""},
	}
	for _, tt := range tests {
		if got := FormatCycle(tt.in); got != tt.want {
			t.Errorf("FormatCycle(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}
