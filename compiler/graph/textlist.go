package graph

import (
	"strconv"
	"strings"
)

// TextList is the fallback when no diagram fits: one plain-text line per
// step, "- `name` (Kind) → next1, next2", with the status after the class
// when it is not Unchanged ("(Training, changed)"). When status marks any
// step, only marked steps are listed and a last line counts the others;
// otherwise every step is. Escaping for markdown is left to the caller.
func TextList(g *Graph, status map[string]Status) string {
	if g == nil {
		return ""
	}
	anyMarked := false
	for _, n := range g.Nodes {
		if status[n.Name] != Unchanged {
			anyMarked = true
			break
		}
	}
	succ := map[string][]string{}
	idx := g.index()
	adj := g.adjacency(idx)
	for i, n := range g.Nodes {
		for _, w := range adj[i] {
			succ[n.Name] = append(succ[n.Name], g.Nodes[w].Name)
		}
	}
	var b strings.Builder
	skipped := 0
	for _, n := range g.Nodes {
		s := status[n.Name]
		if anyMarked && s == Unchanged {
			skipped++
			continue
		}
		b.WriteString("- `")
		b.WriteString(n.Name)
		b.WriteString("` (")
		b.WriteString(n.Kind)
		if s != Unchanged {
			b.WriteString(", ")
			b.WriteString(s.String())
		}
		b.WriteString(")")
		if next := succ[n.Name]; len(next) > 0 {
			b.WriteString(" → ")
			b.WriteString(strings.Join(next, ", "))
		}
		b.WriteByte('\n')
	}
	if skipped > 0 {
		b.WriteString("- … and ")
		b.WriteString(strconv.Itoa(skipped))
		b.WriteString(" unchanged steps\n")
	}
	return b.String()
}
