package graph

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestGraph_TopoOrder(t *testing.T) {
	tests := []struct {
		name  string
		nodes []string
		edges []string
		want  []string
	}{
		{"no edges keeps node order", []string{"c", "a", "b"}, nil, []string{"c", "a", "b"}},
		{"edges reorder", []string{"c", "a", "b"}, []string{"b>c"}, []string{"a", "b", "c"}},
		{"diamond, ties by node order", []string{"top", "right", "left", "bottom"},
			[]string{"top>left", "top>right", "left>bottom", "right.>bottom"},
			[]string{"top", "right", "left", "bottom"}},
		{"ready node earlier in order wins over later one", []string{"x", "y", "z"},
			[]string{"z>x"}, []string{"y", "z", "x"}},
		{"cycle members appended in node order", []string{"a", "b", "c"},
			[]string{"b>c", "c>b"}, []string{"a", "b", "c"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := build(tt.nodes, tt.edges...).TopoOrder()
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("TopoOrder (-want +got):\n%s", diff)
			}
			for i := 0; i < 5; i++ {
				if again := build(tt.nodes, tt.edges...).TopoOrder(); !cmp.Equal(got, again) {
					t.Fatalf("TopoOrder not deterministic: %q then %q", got, again)
				}
			}
		})
	}
}
