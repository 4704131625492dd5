package graph

import "sort"

// New builds a graph from nodes in definition order and edges in any order.
// Edges naming an unknown node and repeated edges are dropped (the compiler
// reports unresolved references itself); the rest are sorted by the position
// of From, then of To, then by Kind, so equal inputs give equal graphs.
func New(nodes []Node, edges []Edge) *Graph {
	g := &Graph{Nodes: append([]Node(nil), nodes...)}
	idx := g.index()
	seen := make(map[Edge]bool, len(edges))
	for _, e := range edges {
		_, okFrom := idx[e.From]
		_, okTo := idx[e.To]
		if !okFrom || !okTo || seen[e] {
			continue
		}
		seen[e] = true
		g.Edges = append(g.Edges, e)
	}
	sortEdges(g.Edges, idx)
	return g
}

// sortEdges puts edges in the canonical order: position of From, position
// of To, Kind.
func sortEdges(edges []Edge, idx map[string]int) {
	sort.SliceStable(edges, func(i, j int) bool {
		a, b := edges[i], edges[j]
		if idx[a.From] != idx[b.From] {
			return idx[a.From] < idx[b.From]
		}
		if idx[a.To] != idx[b.To] {
			return idx[a.To] < idx[b.To]
		}
		return a.Kind < b.Kind
	})
}

// index maps each node name to its position. When a name repeats (a graph
// built by hand), the first position wins.
func (g *Graph) index() map[string]int {
	idx := make(map[string]int, len(g.Nodes))
	for i, n := range g.Nodes {
		if _, dup := idx[n.Name]; !dup {
			idx[n.Name] = i
		}
	}
	return idx
}

// Node returns the node called name.
func (g *Graph) Node(name string) (Node, bool) {
	for _, n := range g.Nodes {
		if n.Name == name {
			return n, true
		}
	}
	return Node{}, false
}

// Successors returns the names of the nodes that run directly after name,
// each once, in node order.
func (g *Graph) Successors(name string) []string {
	return g.neighbours(name, func(e Edge) (string, string) { return e.From, e.To })
}

// Predecessors returns the names of the nodes that name runs directly after,
// each once, in node order.
func (g *Graph) Predecessors(name string) []string {
	return g.neighbours(name, func(e Edge) (string, string) { return e.To, e.From })
}

func (g *Graph) neighbours(name string, ends func(Edge) (self, other string)) []string {
	idx := g.index()
	var out []int
	seen := map[int]bool{}
	for _, e := range g.Edges {
		self, other := ends(e)
		if self != name {
			continue
		}
		i, ok := idx[other]
		if !ok || seen[i] {
			continue
		}
		seen[i] = true
		out = append(out, i)
	}
	if len(out) == 0 {
		return nil
	}
	sort.Ints(out)
	names := make([]string, len(out))
	for k, i := range out {
		names[k] = g.Nodes[i].Name
	}
	return names
}

// adjacency returns, for each node position, the positions of its direct
// successors in ascending order without repeats. Edges naming unknown nodes
// are ignored.
func (g *Graph) adjacency(idx map[string]int) [][]int {
	adj := make([][]int, len(g.Nodes))
	for _, e := range g.Edges {
		from, okFrom := idx[e.From]
		to, okTo := idx[e.To]
		if !okFrom || !okTo {
			continue
		}
		adj[from] = append(adj[from], to)
	}
	for i := range adj {
		sort.Ints(adj[i])
		adj[i] = compactInts(adj[i])
	}
	return adj
}

func compactInts(s []int) []int {
	if len(s) < 2 {
		return s
	}
	out := s[:1]
	for _, v := range s[1:] {
		if v != out[len(out)-1] {
			out = append(out, v)
		}
	}
	return out
}
