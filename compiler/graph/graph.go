// Package graph is a small DAG over pipeline step names. It knows nothing of
// conf files or SageMaker: the compiler fills it (node kinds and shapes are
// data it passes in), the diff compares two of them, and the report renders
// it as Mermaid.
package graph

// Node is one step of the definition.
type Node struct {
	// Name is the step name in the definition (after suffixing, e.g.
	// "lgbm-CreateModel-CreateModel"); unique within a graph.
	Name string
	// Kind says what the step is, in the reader's words ("Training"). The
	// graph shows it beside the name and the diff compares it.
	Kind string
	// Label, when set, is what Mermaid shows under the name instead of Kind:
	// a condition's test ("metrics.mse.value <= 0.5").
	Label string
	// Shape is how Mermaid draws the node.
	Shape Shape
	// Group is the user-level step_name the node was built from (a
	// CreateModel or RegisterModel step_name expands to several nodes).
	Group string
	// Model is the conf model the step belongs to.
	Model string
	// Settings are the step's effective settings as flattened human paths
	// ("instance_type", "hyperparams.learning_rate",
	// "channels.train.dataFiles[0].fileName", "enable_cache", "dependencies")
	// mapped to their rendered values. The semantic diff compares these.
	Settings map[string]string
}

// EdgeKind says why one step runs after another.
type EdgeKind uint8

const (
	// DependsOn is an ordering-only edge from `dependencies` (DependsOn in the definition).
	DependsOn EdgeKind = iota + 1
	// Data is an edge from a property reference ({"Get": "Steps.X..."}).
	Data
	// Then runs To when the condition From is true (To is in its IfSteps).
	Then
	// Else runs To when the condition From is false (To is in its ElseSteps).
	Else
)

func (k EdgeKind) String() string {
	switch k {
	case DependsOn:
		return "depends-on"
	case Data:
		return "data"
	case Then:
		return "then"
	case Else:
		return "else"
	}
	return "unknown"
}

// Edge says To runs after From.
type Edge struct {
	From, To string
	Kind     EdgeKind
}

// Graph holds nodes in definition order and edges in a canonical order.
type Graph struct {
	Nodes []Node
	Edges []Edge
}
