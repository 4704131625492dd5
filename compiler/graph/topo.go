package graph

import "container/heap"

// TopoOrder returns the node names so that every edge goes from an earlier to
// a later name (Kahn's algorithm); among nodes that are ready at the same
// time, the one earlier in node order comes first. The order is only
// meaningful for an acyclic graph: nodes on or behind a cycle are appended in
// node order so that every node appears once.
func (g *Graph) TopoOrder() []string {
	idx := g.index()
	adj := g.adjacency(idx)
	indeg := make([]int, len(g.Nodes))
	for _, succ := range adj {
		for _, w := range succ {
			indeg[w]++
		}
	}
	ready := &intHeap{}
	for v, d := range indeg {
		if d == 0 {
			heap.Push(ready, v)
		}
	}
	done := make([]bool, len(g.Nodes))
	out := make([]string, 0, len(g.Nodes))
	for ready.Len() > 0 {
		v := heap.Pop(ready).(int)
		done[v] = true
		out = append(out, g.Nodes[v].Name)
		for _, w := range adj[v] {
			indeg[w]--
			if indeg[w] == 0 {
				heap.Push(ready, w)
			}
		}
	}
	for v, n := range g.Nodes {
		if !done[v] {
			out = append(out, n.Name)
		}
	}
	return out
}

type intHeap []int

func (h intHeap) Len() int           { return len(h) }
func (h intHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h intHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *intHeap) Push(x any)        { *h = append(*h, x.(int)) }
func (h *intHeap) Pop() any {
	old := *h
	v := old[len(old)-1]
	*h = old[:len(old)-1]
	return v
}
