package graph

// Branch is where a step of a Condition step's branch sits: the Condition
// step and Then (IfSteps) or Else (ElseSteps).
type Branch struct {
	Condition string
	Kind      EdgeKind
}

// BranchEdges returns the Then or Else edge from a Condition step to each
// step its branch starts with: a step in branches that no other step of
// the same branch runs before, following edges. The rest of a branch runs
// after those, so the condition reaches every step of it. Steps are taken
// in the order of names.
func BranchEdges(names []string, branches map[string]Branch, edges []Edge) []Edge {
	var out []Edge
	for _, name := range names {
		b, ok := branches[name]
		if !ok {
			continue
		}
		first := true
		for _, e := range edges {
			if from, ok := branches[e.From]; ok && e.To == name && e.From != name && from == b {
				first = false
				break
			}
		}
		if first {
			out = append(out, Edge{From: b.Condition, To: name, Kind: b.Kind})
		}
	}
	return out
}
