package graph

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestNew(t *testing.T) {
	tests := []struct {
		name  string
		nodes []string
		edges []Edge
		want  []Edge
	}{
		{
			name:  "sorted by from, to, kind",
			nodes: []string{"a", "b", "c"},
			edges: []Edge{{"b", "c", Data}, {"a", "c", Data}, {"a", "b", Data}, {"a", "b", DependsOn}},
			want:  []Edge{{"a", "b", DependsOn}, {"a", "b", Data}, {"a", "c", Data}, {"b", "c", Data}},
		},
		{
			name:  "node order, not name order",
			nodes: []string{"z", "a"},
			edges: []Edge{{"a", "z", Data}, {"z", "a", Data}},
			want:  []Edge{{"z", "a", Data}, {"a", "z", Data}},
		},
		{
			name:  "duplicates dropped",
			nodes: []string{"a", "b"},
			edges: []Edge{{"a", "b", Data}, {"a", "b", Data}},
			want:  []Edge{{"a", "b", Data}},
		},
		{
			name:  "unknown nodes dropped",
			nodes: []string{"a", "b"},
			edges: []Edge{{"a", "ghost", Data}, {"ghost", "b", DependsOn}, {"a", "b", Data}},
			want:  []Edge{{"a", "b", Data}},
		},
		{
			name:  "no edges",
			nodes: []string{"a"},
			want:  nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nodes := make([]Node, len(tt.nodes))
			for i, n := range tt.nodes {
				nodes[i] = Node{Name: n}
			}
			g := New(nodes, tt.edges)
			if diff := cmp.Diff(tt.want, g.Edges); diff != "" {
				t.Errorf("edges (-want +got):\n%s", diff)
			}
			if len(g.Nodes) != len(tt.nodes) {
				t.Errorf("got %d nodes, want %d", len(g.Nodes), len(tt.nodes))
			}
		})
	}
}

func TestNew_doesNotAliasInput(t *testing.T) {
	nodes := []Node{{Name: "a"}, {Name: "b"}}
	g := New(nodes, nil)
	nodes[0].Name = "changed"
	if g.Nodes[0].Name != "a" {
		t.Errorf("graph shares the caller's node slice")
	}
}

func TestGraph_Neighbours(t *testing.T) {
	g := build([]string{"a", "b", "c", "d"}, "a>d", "a>b", "a.>b", "c>d", "b>d")
	tests := []struct {
		name        string
		node        string
		succ, preds []string
	}{
		{"a", "a", []string{"b", "d"}, nil},
		{"b", "b", []string{"d"}, []string{"a"}},
		{"d", "d", nil, []string{"a", "b", "c"}},
		{"unknown", "x", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.succ, g.Successors(tt.node)); diff != "" {
				t.Errorf("Successors (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.preds, g.Predecessors(tt.node)); diff != "" {
				t.Errorf("Predecessors (-want +got):\n%s", diff)
			}
		})
	}
}

func TestGraph_Node(t *testing.T) {
	g := New([]Node{{Name: "a", Kind: "Training", Shape: Stadium, Group: "grp"}}, nil)
	n, ok := g.Node("a")
	if !ok || n.Kind != "Training" || n.Group != "grp" {
		t.Errorf("Node(a) = %+v, %v", n, ok)
	}
	if _, ok := g.Node("b"); ok {
		t.Errorf("Node(b) found a node that does not exist")
	}
}

func TestGraph_String(t *testing.T) {
	g := New([]Node{
		{Name: "prep", Kind: "Processing"},
		{Name: "train", Kind: "Training", Shape: Stadium},
		{Name: "model-CreateModel", Kind: "CreateModel", Shape: Subroutine},
		{Name: "eval", Kind: "Metrics", Shape: Hexagon},
	}, []Edge{
		{"train", "model-CreateModel", Data},
		{"prep", "train", Data},
		{"prep", "eval", DependsOn},
		{"train", "eval", Data},
	})
	checkGolden(t, "string.txt", g.String())
}

func TestGraph_String_handBuiltEdgesSorted(t *testing.T) {
	g := &Graph{
		Nodes: []Node{{Name: "a", Kind: "Processing"}, {Name: "b", Kind: "Training", Shape: Stadium}, {Name: "c", Kind: "Training", Shape: Stadium}},
		Edges: []Edge{{"a", "c", Data}, {"a", "b", Data}},
	}
	want := "a (Processing)\n  -> b (data)\n  -> c (data)\nb (Training)\nc (Training)\n"
	if got := g.String(); got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

// TestBranchEdges: the condition points at the steps its branches start
// with; a step after another of its branch is reached through it, and a
// step of the other branch or outside does not count.
func TestBranchEdges(t *testing.T) {
	names := []string{"eval", "gate", "repack", "register", "serve", "fail"}
	branches := map[string]Branch{
		"repack":   {"gate", Then},
		"register": {"gate", Then},
		"serve":    {"gate", Then},
		"fail":     {"gate", Else},
	}
	edges := []Edge{
		{"eval", "gate", Data},
		{"eval", "register", Data},   // from outside the branch
		{"repack", "register", Data}, // register follows repack
		{"serve", "serve", DependsOn},
		{"register", "fail", DependsOn}, // from the other branch
	}
	want := []Edge{{"gate", "repack", Then}, {"gate", "serve", Then}, {"gate", "fail", Else}}
	if diff := cmp.Diff(want, BranchEdges(names, branches, edges)); diff != "" {
		t.Errorf("edges (-want +got):\n%s", diff)
	}
	if got := BranchEdges(names, nil, edges); got != nil {
		t.Errorf("no branches gave %v", got)
	}
}
