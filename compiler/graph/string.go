package graph

import "strings"

// String renders the graph canonically for golden tests: one line per node in
// node order, "name (Kind)", followed by its outgoing edges in canonical
// order, one per line, "  -> to (kind)". Edges from unknown nodes are
// skipped.
func (g *Graph) String() string {
	edges := append([]Edge(nil), g.Edges...)
	sortEdges(edges, g.index())
	out := make(map[string][]Edge, len(g.Nodes))
	for _, e := range edges {
		out[e.From] = append(out[e.From], e)
	}
	var b strings.Builder
	for _, n := range g.Nodes {
		b.WriteString(n.Name)
		b.WriteString(" (")
		b.WriteString(n.Kind)
		b.WriteString(")\n")
		for _, e := range out[n.Name] {
			b.WriteString("  -> ")
			b.WriteString(e.To)
			b.WriteString(" (")
			b.WriteString(e.Kind.String())
			b.WriteString(")\n")
		}
		delete(out, n.Name) // a repeated node name lists its edges once
	}
	return b.String()
}
