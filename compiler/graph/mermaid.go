package graph

import (
	"strconv"
	"strings"
)

// GitHub's Mermaid refuses diagrams over these sizes, and a %%{init}%%
// directive cannot raise them.
const (
	DefaultMaxChars = 50000
	DefaultMaxEdges = 500
)

// MermaidOptions tune Mermaid. The zero value renders a plain top-down
// diagram within GitHub's limits.
type MermaidOptions struct {
	// Status styles nodes; names not in the map are Unchanged.
	Status map[string]Status
	// EdgeStatus styles edges that were Added or Removed; optional.
	EdgeStatus map[Edge]Status
	// MaxChars is the largest diagram text allowed (default 50000).
	MaxChars int
	// MaxEdges is the largest number of edges allowed (default 500).
	MaxEdges int
	// Direction is TD (default), TB, BT, LR or RL.
	Direction string
}

// MermaidMode says which rung of the size ladder a diagram came from.
type MermaidMode uint8

const (
	// Full is the whole graph.
	Full MermaidMode = iota
	// Shrunk holds only the steps that changed and their direct neighbours.
	Shrunk
	// TooLarge means no diagram fits; use TextList instead.
	TooLarge
)

func (m MermaidMode) String() string {
	switch m {
	case Full:
		return "full"
	case Shrunk:
		return "shrunk"
	case TooLarge:
		return "too-large"
	}
	return "unknown"
}

// Mermaid renders g as a classic Mermaid flowchart (no code fence) that both
// Mermaid 10 and 11 accept. Node IDs are s<position>, never derived from
// names; labels are entity-encoded (see label). When the full diagram is
// over opt's limits it keeps only the changed, added and removed steps and
// their direct neighbours (Shrunk); when that is still too large, or nothing
// changed, it returns "" and TooLarge. The same input gives the same bytes.
func Mermaid(g *Graph, opt MermaidOptions) (string, MermaidMode) {
	if g == nil {
		g = &Graph{}
	}
	if opt.MaxChars <= 0 {
		opt.MaxChars = DefaultMaxChars
	}
	if opt.MaxEdges <= 0 {
		opt.MaxEdges = DefaultMaxEdges
	}
	idx := g.index()
	all := make([]bool, len(g.Nodes))
	for i := range all {
		all[i] = true
	}
	text, edges := renderMermaid(g, idx, all, opt)
	if fits(text, edges, opt) {
		return text, Full
	}
	keep, kept := shrinkSet(g, idx, opt.Status)
	if kept == 0 || kept == len(g.Nodes) {
		return "", TooLarge
	}
	text, edges = renderMermaid(g, idx, keep, opt)
	if fits(text, edges, opt) {
		return text, Shrunk
	}
	return "", TooLarge
}

func fits(text string, edges int, opt MermaidOptions) bool {
	return len(text) <= opt.MaxChars && edges <= opt.MaxEdges
}

// shrinkSet marks the nodes with a status other than Unchanged and their
// direct neighbours.
func shrinkSet(g *Graph, idx map[string]int, status map[string]Status) ([]bool, int) {
	keep := make([]bool, len(g.Nodes))
	changed := make([]bool, len(g.Nodes))
	for i, n := range g.Nodes {
		changed[i] = status[n.Name] != Unchanged
		keep[i] = changed[i]
	}
	for _, e := range g.Edges {
		from, okFrom := idx[e.From]
		to, okTo := idx[e.To]
		if !okFrom || !okTo {
			continue
		}
		if changed[from] {
			keep[to] = true
		}
		if changed[to] {
			keep[from] = true
		}
	}
	n := 0
	for _, k := range keep {
		if k {
			n++
		}
	}
	return keep, n
}

// Status styles: each sets the text colour with the fill so labels stay
// readable when GitHub switches to a dark theme.
var classDefs = [...]struct {
	status Status
	style  string
}{
	{Added, "fill:#d1f7c4,stroke:#2e7d32,color:#0b2e13"},
	{Changed, "fill:#fff3cd,stroke:#b58105,color:#3d2b00"},
	{Removed, "fill:#e9e9e9,stroke:#a71d2a,color:#5c0f17,stroke-dasharray:5 3"},
}

const (
	removedLinkStyle = "stroke:#a71d2a,stroke-width:2px,stroke-dasharray:5 3"
	addedLinkStyle   = "stroke:#2e7d32,stroke-width:2px"
)

// renderMermaid writes the diagram of the nodes marked in keep and the edges
// between them, and returns it with its number of edges.
func renderMermaid(g *Graph, idx map[string]int, keep []bool, opt MermaidOptions) (string, int) {
	var b strings.Builder
	b.WriteString("flowchart ")
	b.WriteString(direction(opt.Direction))
	b.WriteByte('\n')

	hidden := 0
	byStatus := map[Status][]string{}
	for i, n := range g.Nodes {
		if !keep[i] {
			hidden++
			continue
		}
		if j := idx[n.Name]; j != i {
			continue // a repeated name: edges already point at the first one
		}
		id := nodeID(i)
		b.WriteString("  ")
		b.WriteString(id)
		left, right := n.Shape.brackets()
		b.WriteString(left)
		b.WriteByte('"')
		caption := n.Kind
		if n.Label != "" {
			caption = n.Label
		}
		b.WriteString(label(n.Name, caption))
		b.WriteByte('"')
		b.WriteString(right)
		b.WriteByte('\n')
		if s := opt.Status[n.Name]; s != Unchanged {
			byStatus[s] = append(byStatus[s], id)
		}
	}
	if hidden > 0 {
		noun := "steps"
		if hidden == 1 {
			noun = "step"
		}
		b.WriteString("  more[\"")
		b.WriteString(label("… " + strconv.Itoa(hidden) + " unchanged " + noun + " not shown"))
		b.WriteString("\"]\n")
	}

	var removedLinks, addedLinks []string
	edges := 0
	for _, e := range drawnEdges(g.Edges, opt.EdgeStatus) {
		from, okFrom := idx[e.From]
		to, okTo := idx[e.To]
		if !okFrom || !okTo || !keep[from] || !keep[to] {
			continue
		}
		arrow := " --> "
		switch e.Kind {
		case DependsOn:
			arrow = " -.-> "
		case Then, Else:
			arrow = " -->|" + e.Kind.String() + "| "
		}
		b.WriteString("  ")
		b.WriteString(nodeID(from))
		b.WriteString(arrow)
		b.WriteString(nodeID(to))
		b.WriteByte('\n')
		n := strconv.Itoa(edges)
		switch {
		case opt.EdgeStatus[e] == Removed, opt.Status[e.From] == Removed, opt.Status[e.To] == Removed:
			removedLinks = append(removedLinks, n)
		case opt.EdgeStatus[e] == Added:
			addedLinks = append(addedLinks, n)
		}
		edges++
	}

	for _, c := range classDefs {
		ids := byStatus[c.status]
		if len(ids) == 0 {
			continue
		}
		b.WriteString("  classDef ")
		b.WriteString(c.status.String())
		b.WriteByte(' ')
		b.WriteString(c.style)
		b.WriteString("\n  class ")
		b.WriteString(strings.Join(ids, ","))
		b.WriteByte(' ')
		b.WriteString(c.status.String())
		b.WriteByte('\n')
	}
	writeLinkStyle(&b, addedLinks, addedLinkStyle)
	writeLinkStyle(&b, removedLinks, removedLinkStyle)
	return b.String(), edges
}

// drawnEdges picks the one edge drawn for each pair of steps: a data
// reference and a dependencies entry between the same two steps make one
// line, solid because it carries data. An edge the change removed gives way
// to one that stays, so the line shows what the head pipeline does. edges
// are in canonical order, so a pair's edges are adjacent.
func drawnEdges(edges []Edge, status map[Edge]Status) []Edge {
	rank := func(e Edge) int {
		r := 0
		if status[e] == Removed {
			r += 2
		}
		if e.Kind != Data {
			r++
		}
		return r
	}
	var out []Edge
	for _, e := range edges {
		if n := len(out); n > 0 && out[n-1].From == e.From && out[n-1].To == e.To {
			if rank(e) < rank(out[n-1]) {
				out[n-1] = e
			}
			continue
		}
		out = append(out, e)
	}
	return out
}

func writeLinkStyle(b *strings.Builder, links []string, style string) {
	if len(links) == 0 {
		return
	}
	b.WriteString("  linkStyle ")
	b.WriteString(strings.Join(links, ","))
	b.WriteByte(' ')
	b.WriteString(style)
	b.WriteByte('\n')
}

func nodeID(i int) string { return "s" + strconv.Itoa(i) }

func direction(d string) string {
	switch d {
	case "TB", "BT", "LR", "RL":
		return d
	}
	return "TD"
}

// Shape is a node shape of classic Mermaid flowchart syntax (bracket forms
// only, which Mermaid 10 and 11 both accept).
type Shape uint8

const (
	Rectangle     Shape = iota // [text]
	Stadium                    // ([text])
	Subroutine                 // [[text]]
	Parallelogram              // [/text/]
	Hexagon                    // {{text}}
	Cylinder                   // [(text)]
	Flag                       // >text]
	Diamond                    // {text}
	Circle                     // ((text))
)

func (s Shape) brackets() (left, right string) {
	switch s {
	case Stadium:
		return "([", "])"
	case Subroutine:
		return "[[", "]]"
	case Parallelogram:
		return "[/", "/]"
	case Hexagon:
		return "{{", "}}"
	case Cylinder:
		return "[(", ")]"
	case Flag:
		return ">", "]"
	case Diamond:
		return "{", "}"
	case Circle:
		return "((", "))"
	}
	return "[", "]"
}
