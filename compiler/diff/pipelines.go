package diff

import (
	"sort"

	"github.com/smpipe/smpipe-action/compiler/graph"
)

// diffContext is the number of unchanged lines shown around each change of
// the definition diff.
const diffContext = 3

// Pipelines compares base with head. A nil base means the pipeline is new
// (Added), a nil head that it was deleted (Removed). Otherwise the pipeline
// is Changed when the hashes differ or any step or edge differs. Steps are
// matched by name and their settings compared path by path; added and
// removed steps list every setting they have. The result depends only on
// the inputs, never on map order.
func Pipelines(base, head *Side) Pipeline {
	var p Pipeline
	switch {
	case base == nil && head == nil:
		return p
	case base == nil:
		p.Name, p.Status = head.Name, Added
	case head == nil:
		p.Name, p.Status = base.Name, Removed
	default:
		p.Name = head.Name
	}
	baseGraph, headGraph := sideGraph(base), sideGraph(head)
	if base != nil {
		p.OldHash = base.Hash
	}
	if head != nil {
		p.NewHash = head.Hash
	}

	p.Merged, p.StepStatus, p.Steps = compareSteps(baseGraph, headGraph)
	p.Edges = compareEdges(baseGraph, headGraph, p.Merged)
	if p.Status == Unchanged && (p.OldHash != p.NewHash || len(p.Steps) > 0 || len(p.Edges) > 0) {
		p.Status = Changed
	}
	p.DefinitionDiff = definitionDiff(base, head)
	return p
}

func sideGraph(s *Side) *graph.Graph {
	if s == nil || s.Graph == nil {
		return &graph.Graph{}
	}
	return s.Graph
}

// compareSteps merges the two graphs' nodes (head order, each removed step
// right after the base step it followed) and classifies every node.
func compareSteps(base, head *graph.Graph) (*graph.Graph, map[string]Status, []StepChange) {
	headNodes := nodesByName(head)
	baseNodes := nodesByName(base)

	// Removed steps follow the nearest earlier base step that head still has;
	// those before any such step come first.
	follow := map[string][]graph.Node{}
	var leading []graph.Node
	anchor := ""
	for _, n := range base.Nodes {
		if _, kept := headNodes[n.Name]; kept {
			anchor = n.Name
			continue
		}
		if anchor == "" {
			leading = append(leading, n)
		} else {
			follow[anchor] = append(follow[anchor], n)
		}
	}
	seen := map[string]bool{}
	var merged []graph.Node
	add := func(n graph.Node) {
		if !seen[n.Name] {
			seen[n.Name] = true
			merged = append(merged, n)
		}
	}
	for _, n := range leading {
		add(n)
	}
	for _, n := range head.Nodes {
		add(n)
		for _, r := range follow[n.Name] {
			add(r)
		}
	}

	status := make(map[string]Status, len(merged))
	var steps []StepChange
	for _, n := range merged {
		old, inBase := baseNodes[n.Name]
		cur, inHead := headNodes[n.Name]
		var sc StepChange
		switch {
		case inBase && inHead:
			sc = StepChange{Name: n.Name, Kind: cur.Kind, Status: Changed, Settings: compareSettings(old, cur)}
			if len(sc.Settings) == 0 {
				sc.Status = Unchanged
			}
		case inHead:
			sc = StepChange{Name: n.Name, Kind: cur.Kind, Status: Added, Settings: compareSettings(graph.Node{}, cur)}
		default:
			sc = StepChange{Name: n.Name, Kind: old.Kind, Status: Removed, Settings: compareSettings(old, graph.Node{})}
		}
		status[n.Name] = sc.Status
		if sc.Status != Unchanged {
			steps = append(steps, sc)
		}
	}
	edges := append(append([]graph.Edge(nil), head.Edges...), base.Edges...)
	return graph.New(merged, edges), status, steps
}

// nodesByName indexes a graph's nodes; the first of a repeated name wins.
func nodesByName(g *graph.Graph) map[string]graph.Node {
	m := make(map[string]graph.Node, len(g.Nodes))
	for _, n := range g.Nodes {
		if _, dup := m[n.Name]; !dup {
			m[n.Name] = n
		}
	}
	return m
}

// kindPath is the pseudo setting that reports a step whose kind changed;
// "class", because for the compiler's steps the kind is the step_class.
const kindPath = "class"

// compareSettings lists the setting paths whose value or presence differs,
// sorted by path. Against a zero Node it lists every setting of the other.
func compareSettings(old, cur graph.Node) []SettingChange {
	var out []SettingChange
	if old.Name != "" && cur.Name != "" && old.Kind != cur.Kind {
		out = append(out, SettingChange{Path: kindPath, Old: old.Kind, New: cur.Kind, OldSet: true, NewSet: true})
	}
	paths := make([]string, 0, len(old.Settings)+len(cur.Settings))
	for p := range old.Settings {
		paths = append(paths, p)
	}
	for p := range cur.Settings {
		if _, dup := old.Settings[p]; !dup {
			paths = append(paths, p)
		}
	}
	sort.Strings(paths)
	for _, p := range paths {
		ov, oldSet := old.Settings[p]
		nv, newSet := cur.Settings[p]
		if oldSet == newSet && ov == nv {
			continue
		}
		out = append(out, SettingChange{Path: p, Old: ov, New: nv, OldSet: oldSet, NewSet: newSet})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// compareEdges lists edges on only one side, in the merged graph's
// canonical edge order.
func compareEdges(base, head, merged *graph.Graph) []EdgeChange {
	inBase := edgeSet(base)
	inHead := edgeSet(head)
	var out []EdgeChange
	for _, e := range merged.Edges {
		switch {
		case inHead[e] && !inBase[e]:
			out = append(out, EdgeChange{Edge: e, Status: Added})
		case inBase[e] && !inHead[e]:
			out = append(out, EdgeChange{Edge: e, Status: Removed})
		}
	}
	return out
}

func edgeSet(g *graph.Graph) map[graph.Edge]bool {
	m := make(map[graph.Edge]bool, len(g.Edges))
	for _, e := range g.Edges {
		m[e] = true
	}
	return m
}

// definitionDiff is the unified diff of the two definitions, with
// /dev/null standing for a missing side.
func definitionDiff(base, head *Side) string {
	var a, b []byte
	nameA, nameB := "/dev/null", "/dev/null"
	if base != nil {
		a, nameA = base.Definition, "a/"+base.Name+".json"
	}
	if head != nil {
		b, nameB = head.Definition, "b/"+head.Name+".json"
	}
	return Unified(a, b, nameA, nameB, diffContext)
}

// GraphStatus maps every step of Merged to the status Mermaid styles it by.
func (p Pipeline) GraphStatus() map[string]graph.Status {
	return p.StepStatus
}

// EdgeStatus maps every added or removed edge to its status, for Mermaid.
func (p Pipeline) EdgeStatus() map[graph.Edge]graph.Status {
	out := make(map[graph.Edge]graph.Status, len(p.Edges))
	for _, e := range p.Edges {
		out[e.Edge] = e.Status
	}
	return out
}
