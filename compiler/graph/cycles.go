package graph

import (
	"sort"
	"strconv"
	"strings"
)

// Cycles returns one cycle per strongly connected component of more than one
// node, and one per self-loop, so a graph with several independent cycles
// reports them all at once. Each cycle is a path that starts at the member
// earliest in node order and ends with that same name again: the shortest
// way round from that member, preferring earlier nodes on ties
// (["a", "b", "a"]). A self-loop is ["a", "a"]. Cycles are sorted by the
// position of their first node, then by length. The result depends only on
// the graph, never on map order.
func (g *Graph) Cycles() [][]string {
	idx := g.index()
	adj := g.adjacency(idx)
	type found struct {
		path []int
	}
	var all []found
	for _, comp := range tarjan(adj) {
		if len(comp) > 1 {
			all = append(all, found{shortestCycle(adj, comp)})
		}
	}
	for v, succ := range adj {
		for _, w := range succ {
			if w == v {
				all = append(all, found{[]int{v, v}})
			}
		}
	}
	sort.SliceStable(all, func(i, j int) bool {
		a, b := all[i].path, all[j].path
		if a[0] != b[0] {
			return a[0] < b[0]
		}
		return len(a) < len(b)
	})
	if len(all) == 0 {
		return nil
	}
	out := make([][]string, len(all))
	for i, f := range all {
		names := make([]string, len(f.path))
		for k, v := range f.path {
			names[k] = g.Nodes[v].Name
		}
		out[i] = names
	}
	return out
}

// FormatCycle spells a cycle the way diagnostics print it:
// "a" -> "b" -> "a".
func FormatCycle(cycle []string) string {
	parts := make([]string, len(cycle))
	for i, name := range cycle {
		parts[i] = strconv.Quote(name)
	}
	return strings.Join(parts, " -> ")
}

// tarjan returns the strongly connected components of adj, each sorted by
// node position. It is iterative so deep chains cannot overflow the stack.
func tarjan(adj [][]int) [][]int {
	n := len(adj)
	index := make([]int, n)
	low := make([]int, n)
	onStack := make([]bool, n)
	for i := range index {
		index[i] = -1
	}
	var stack []int
	var comps [][]int
	next := 0

	type frame struct{ v, edge int }
	for root := 0; root < n; root++ {
		if index[root] >= 0 {
			continue
		}
		call := []frame{{root, 0}}
		index[root], low[root] = next, next
		next++
		stack = append(stack, root)
		onStack[root] = true
		for len(call) > 0 {
			top := &call[len(call)-1]
			v := top.v
			if top.edge < len(adj[v]) {
				w := adj[v][top.edge]
				top.edge++
				switch {
				case index[w] < 0:
					index[w], low[w] = next, next
					next++
					stack = append(stack, w)
					onStack[w] = true
					call = append(call, frame{w, 0})
				case onStack[w]:
					low[v] = min(low[v], index[w])
				}
				continue
			}
			call = call[:len(call)-1]
			if len(call) > 0 {
				parent := call[len(call)-1].v
				low[parent] = min(low[parent], low[v])
			}
			if low[v] != index[v] {
				continue
			}
			var comp []int
			for {
				w := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				onStack[w] = false
				comp = append(comp, w)
				if w == v {
					break
				}
			}
			sort.Ints(comp)
			comps = append(comps, comp)
		}
	}
	return comps
}

// shortestCycle finds the shortest cycle through the first (earliest) member
// of comp that stays inside comp and does not use a self-loop. Breadth-first
// search visits successors in node order, so ties go to earlier nodes.
func shortestCycle(adj [][]int, comp []int) []int {
	start := comp[0]
	in := make(map[int]bool, len(comp))
	for _, v := range comp {
		in[v] = true
	}
	parent := map[int]int{start: -1}
	queue := []int{start}
	for len(queue) > 0 {
		v := queue[0]
		queue = queue[1:]
		for _, w := range adj[v] {
			if !in[w] || w == v {
				continue
			}
			if w == start {
				var rev []int
				for u := v; u != -1; u = parent[u] {
					rev = append(rev, u)
				}
				path := make([]int, 0, len(rev)+1)
				for i := len(rev) - 1; i >= 0; i-- {
					path = append(path, rev[i])
				}
				return append(path, start)
			}
			if _, seen := parent[w]; !seen {
				parent[w] = v
				queue = append(queue, w)
			}
		}
	}
	// Unreachable for a real component of more than one node.
	return append(append([]int(nil), comp...), start)
}
