package diff

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/smpipe/smpipe-action/compiler/graph"
	"github.com/smpipe/smpipe-action/compiler/graph/graphtest"
)

// baseNodes is a small pipeline: prep → train → model, eval depends on train.
func baseNodes() []graph.Node {
	return []graph.Node{
		{Name: "prep", Kind: "Processing", Settings: map[string]string{"instance_type": "ml.m5.large", "enable_cache": "false"}},
		{Name: "train", Kind: "Training", Settings: map[string]string{"instance_type": "ml.m5.xlarge", "hyperparams.learning_rate": "0.1", "hyperparams.num_leaves": "31"}},
		{Name: "model-CreateModel", Kind: "CreateModel", Settings: map[string]string{"instance_type": "ml.m5.large"}},
		{Name: "eval", Kind: "Metrics", Settings: map[string]string{"dependencies": "train"}},
	}
}

func baseEdges() []graph.Edge {
	return []graph.Edge{
		{From: "prep", To: "train", Kind: graph.Data},
		{From: "train", To: "model-CreateModel", Kind: graph.Data},
		{From: "train", To: "eval", Kind: graph.DependsOn},
	}
}

func side(hash string, nodes []graph.Node, edges []graph.Edge) *Side {
	return &Side{Name: "pipe", Hash: hash, Graph: graph.New(nodes, edges), Definition: []byte("{\n  \"hash\": \"" + hash + "\"\n}\n")}
}

// edit returns baseNodes with f applied to the node called name.
func edit(name string, f func(*graph.Node)) []graph.Node {
	nodes := baseNodes()
	for i := range nodes {
		if nodes[i].Name == name {
			f(&nodes[i])
		}
	}
	return nodes
}

func without(nodes []graph.Node, name string) []graph.Node {
	var out []graph.Node
	for _, n := range nodes {
		if n.Name != name {
			out = append(out, n)
		}
	}
	return out
}

func TestPipelines(t *testing.T) {
	base := side("sha256:aaa", baseNodes(), baseEdges())
	tests := []struct {
		name       string
		base, head *Side
		status     Status
		steps      []StepChange
		edges      []EdgeChange
		merged     []string
		stepStatus map[string]Status
		summary    string
	}{
		{
			name:       "identical",
			base:       base,
			head:       side("sha256:aaa", baseNodes(), baseEdges()),
			status:     Unchanged,
			merged:     []string{"prep", "train", "model-CreateModel", "eval"},
			stepStatus: map[string]Status{"prep": Unchanged, "train": Unchanged, "model-CreateModel": Unchanged, "eval": Unchanged},
			summary:    "no changes",
		},
		{
			name:   "instance type change",
			base:   base,
			head:   side("sha256:bbb", edit("prep", func(n *graph.Node) { n.Settings["instance_type"] = "ml.m5.2xlarge" }), baseEdges()),
			status: Changed,
			steps: []StepChange{{Name: "prep", Kind: "Processing", Status: Changed, Settings: []SettingChange{
				{Path: "instance_type", Old: "ml.m5.large", New: "ml.m5.2xlarge", OldSet: true, NewSet: true},
			}}},
			merged:     []string{"prep", "train", "model-CreateModel", "eval"},
			stepStatus: map[string]Status{"prep": Changed, "train": Unchanged, "model-CreateModel": Unchanged, "eval": Unchanged},
			summary:    "1 step changed",
		},
		{
			name: "hyperparameter changed, added and removed",
			base: base,
			head: side("sha256:bbb", edit("train", func(n *graph.Node) {
				n.Settings["hyperparams.learning_rate"] = "0.05"
				n.Settings["hyperparams.max_depth"] = "8"
				delete(n.Settings, "hyperparams.num_leaves")
			}), baseEdges()),
			status: Changed,
			steps: []StepChange{{Name: "train", Kind: "Training", Status: Changed, Settings: []SettingChange{
				{Path: "hyperparams.learning_rate", Old: "0.1", New: "0.05", OldSet: true, NewSet: true},
				{Path: "hyperparams.max_depth", New: "8", NewSet: true},
				{Path: "hyperparams.num_leaves", Old: "31", OldSet: true},
			}}},
			merged:     []string{"prep", "train", "model-CreateModel", "eval"},
			stepStatus: map[string]Status{"prep": Unchanged, "train": Changed, "model-CreateModel": Unchanged, "eval": Unchanged},
			summary:    "1 step changed",
		},
		{
			name: "value set to empty is a change",
			base: base,
			head: side("sha256:bbb", edit("prep", func(n *graph.Node) { n.Settings["enable_cache"] = "" }), baseEdges()),
			steps: []StepChange{{Name: "prep", Kind: "Processing", Status: Changed, Settings: []SettingChange{
				{Path: "enable_cache", Old: "false", New: "", OldSet: true, NewSet: true},
			}}},
			status:     Changed,
			merged:     []string{"prep", "train", "model-CreateModel", "eval"},
			stepStatus: map[string]Status{"prep": Changed, "train": Unchanged, "model-CreateModel": Unchanged, "eval": Unchanged},
			summary:    "1 step changed",
		},
		{
			name: "step added",
			base: base,
			head: side("sha256:bbb",
				append(baseNodes()[:2:2], append([]graph.Node{{Name: "tune", Kind: "Processing", Settings: map[string]string{"instance_type": "ml.c5.large"}}}, baseNodes()[2:]...)...),
				append(baseEdges(), graph.Edge{From: "train", To: "tune", Kind: graph.Data})),
			status: Changed,
			steps: []StepChange{{Name: "tune", Kind: "Processing", Status: Added, Settings: []SettingChange{
				{Path: "instance_type", New: "ml.c5.large", NewSet: true},
			}}},
			edges:      []EdgeChange{{Edge: graph.Edge{From: "train", To: "tune", Kind: graph.Data}, Status: Added}},
			merged:     []string{"prep", "train", "tune", "model-CreateModel", "eval"},
			stepStatus: map[string]Status{"prep": Unchanged, "train": Unchanged, "tune": Added, "model-CreateModel": Unchanged, "eval": Unchanged},
			summary:    "1 step added",
		},
		{
			name:   "step removed stays after its base neighbour",
			base:   base,
			head:   side("sha256:bbb", without(baseNodes(), "model-CreateModel"), baseEdges()),
			status: Changed,
			steps: []StepChange{{Name: "model-CreateModel", Kind: "CreateModel", Status: Removed, Settings: []SettingChange{
				{Path: "instance_type", Old: "ml.m5.large", OldSet: true},
			}}},
			edges:      []EdgeChange{{Edge: graph.Edge{From: "train", To: "model-CreateModel", Kind: graph.Data}, Status: Removed}},
			merged:     []string{"prep", "train", "model-CreateModel", "eval"},
			stepStatus: map[string]Status{"prep": Unchanged, "train": Unchanged, "model-CreateModel": Removed, "eval": Unchanged},
			summary:    "1 step removed",
		},
		{
			name:   "first step removed comes first",
			base:   base,
			head:   side("sha256:bbb", without(baseNodes(), "prep"), baseEdges()),
			status: Changed,
			steps: []StepChange{{Name: "prep", Kind: "Processing", Status: Removed, Settings: []SettingChange{
				{Path: "enable_cache", Old: "false", OldSet: true},
				{Path: "instance_type", Old: "ml.m5.large", OldSet: true},
			}}},
			edges:      []EdgeChange{{Edge: graph.Edge{From: "prep", To: "train", Kind: graph.Data}, Status: Removed}},
			merged:     []string{"prep", "train", "model-CreateModel", "eval"},
			stepStatus: map[string]Status{"prep": Removed, "train": Unchanged, "model-CreateModel": Unchanged, "eval": Unchanged},
			summary:    "1 step removed",
		},
		{
			name: "new dependency edge",
			base: base,
			head: side("sha256:bbb",
				edit("eval", func(n *graph.Node) { n.Settings["dependencies"] = "train, model-CreateModel" }),
				append(baseEdges(), graph.Edge{From: "model-CreateModel", To: "eval", Kind: graph.DependsOn})),
			status: Changed,
			steps: []StepChange{{Name: "eval", Kind: "Metrics", Status: Changed, Settings: []SettingChange{
				{Path: "dependencies", Old: "train", New: "train, model-CreateModel", OldSet: true, NewSet: true},
			}}},
			edges:      []EdgeChange{{Edge: graph.Edge{From: "model-CreateModel", To: "eval", Kind: graph.DependsOn}, Status: Added}},
			merged:     []string{"prep", "train", "model-CreateModel", "eval"},
			stepStatus: map[string]Status{"prep": Unchanged, "train": Unchanged, "model-CreateModel": Unchanged, "eval": Changed},
			summary:    "1 step changed",
		},
		{
			name:       "edge only",
			base:       base,
			head:       side("sha256:bbb", baseNodes(), append(baseEdges(), graph.Edge{From: "prep", To: "eval", Kind: graph.DependsOn})),
			status:     Changed,
			edges:      []EdgeChange{{Edge: graph.Edge{From: "prep", To: "eval", Kind: graph.DependsOn}, Status: Added}},
			merged:     []string{"prep", "train", "model-CreateModel", "eval"},
			stepStatus: map[string]Status{"prep": Unchanged, "train": Unchanged, "model-CreateModel": Unchanged, "eval": Unchanged},
			summary:    "1 dependency added",
		},
		{
			name:       "hash only",
			base:       base,
			head:       side("sha256:bbb", baseNodes(), baseEdges()),
			status:     Changed,
			merged:     []string{"prep", "train", "model-CreateModel", "eval"},
			stepStatus: map[string]Status{"prep": Unchanged, "train": Unchanged, "model-CreateModel": Unchanged, "eval": Unchanged},
			summary:    "no step changes",
		},
		{
			name: "class change",
			base: base,
			head: side("sha256:bbb", edit("eval", func(n *graph.Node) { n.Kind = "Processing" }), baseEdges()),
			steps: []StepChange{{Name: "eval", Kind: "Processing", Status: Changed, Settings: []SettingChange{
				{Path: "class", Old: "Metrics", New: "Processing", OldSet: true, NewSet: true},
			}}},
			status:     Changed,
			merged:     []string{"prep", "train", "model-CreateModel", "eval"},
			stepStatus: map[string]Status{"prep": Unchanged, "train": Unchanged, "model-CreateModel": Unchanged, "eval": Changed},
			summary:    "1 step changed",
		},
		{
			name: "several changes",
			base: base,
			head: side("sha256:bbb", append(without(
				edit("train", func(n *graph.Node) { n.Settings["instance_type"] = "ml.g5.xlarge" }), "model-CreateModel"),
				graph.Node{Name: "extra", Kind: "Transform"}),
				baseEdges()),
			status: Changed,
			steps: []StepChange{
				{Name: "train", Kind: "Training", Status: Changed, Settings: []SettingChange{
					{Path: "instance_type", Old: "ml.m5.xlarge", New: "ml.g5.xlarge", OldSet: true, NewSet: true},
				}},
				{Name: "model-CreateModel", Kind: "CreateModel", Status: Removed, Settings: []SettingChange{
					{Path: "instance_type", Old: "ml.m5.large", OldSet: true},
				}},
				{Name: "extra", Kind: "Transform", Status: Added},
			},
			edges:      []EdgeChange{{Edge: graph.Edge{From: "train", To: "model-CreateModel", Kind: graph.Data}, Status: Removed}},
			merged:     []string{"prep", "train", "model-CreateModel", "eval", "extra"},
			stepStatus: map[string]Status{"prep": Unchanged, "train": Changed, "model-CreateModel": Removed, "eval": Unchanged, "extra": Added},
			summary:    "1 step changed, 1 added, 1 removed",
		},
		{
			name:   "pipeline added",
			head:   side("sha256:bbb", baseNodes()[:2], baseEdges()[:1]),
			status: Added,
			steps: []StepChange{
				{Name: "prep", Kind: "Processing", Status: Added, Settings: []SettingChange{
					{Path: "enable_cache", New: "false", NewSet: true},
					{Path: "instance_type", New: "ml.m5.large", NewSet: true},
				}},
				{Name: "train", Kind: "Training", Status: Added, Settings: []SettingChange{
					{Path: "hyperparams.learning_rate", New: "0.1", NewSet: true},
					{Path: "hyperparams.num_leaves", New: "31", NewSet: true},
					{Path: "instance_type", New: "ml.m5.xlarge", NewSet: true},
				}},
			},
			edges:      []EdgeChange{{Edge: graph.Edge{From: "prep", To: "train", Kind: graph.Data}, Status: Added}},
			merged:     []string{"prep", "train"},
			stepStatus: map[string]Status{"prep": Added, "train": Added},
			summary:    "new pipeline",
		},
		{
			name:   "pipeline removed",
			base:   side("sha256:aaa", baseNodes()[2:3], nil),
			status: Removed,
			steps: []StepChange{{Name: "model-CreateModel", Kind: "CreateModel", Status: Removed, Settings: []SettingChange{
				{Path: "instance_type", Old: "ml.m5.large", OldSet: true},
			}}},
			merged:     []string{"model-CreateModel"},
			stepStatus: map[string]Status{"model-CreateModel": Removed},
			summary:    "deleted pipeline",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Pipelines(tt.base, tt.head)
			if got.Name != "pipe" {
				t.Errorf("Name = %q", got.Name)
			}
			if got.Status != tt.status {
				t.Errorf("Status = %v, want %v", got.Status, tt.status)
			}
			if diff := cmp.Diff(tt.steps, got.Steps); diff != "" {
				t.Errorf("Steps (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.edges, got.Edges); diff != "" {
				t.Errorf("Edges (-want +got):\n%s", diff)
			}
			var merged []string
			for _, n := range got.Merged.Nodes {
				merged = append(merged, n.Name)
			}
			if diff := cmp.Diff(tt.merged, merged); diff != "" {
				t.Errorf("Merged nodes (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.stepStatus, got.StepStatus); diff != "" {
				t.Errorf("StepStatus (-want +got):\n%s", diff)
			}
			if s := got.Summary(); s != tt.summary {
				t.Errorf("Summary() = %q, want %q", s, tt.summary)
			}
			if (got.DefinitionDiff == "") != (tt.status == Unchanged) {
				t.Errorf("DefinitionDiff = %q for status %v", got.DefinitionDiff, tt.status)
			}
			if tt.base != nil {
				if got.OldHash != tt.base.Hash {
					t.Errorf("OldHash = %q", got.OldHash)
				}
			}
			if tt.head != nil {
				if got.NewHash != tt.head.Hash {
					t.Errorf("NewHash = %q", got.NewHash)
				}
			}

			text, mode := graph.Mermaid(got.Merged, graph.MermaidOptions{Status: got.GraphStatus(), EdgeStatus: got.EdgeStatus()})
			if mode != graph.Full {
				t.Errorf("Mermaid mode = %v", mode)
			}
			graphtest.WriteForRender(t, t.Name(), text)
		})
	}
}

func TestPipelines_removedEdgesKeptInMerged(t *testing.T) {
	base := side("sha256:aaa", baseNodes(), baseEdges())
	head := side("sha256:bbb", without(baseNodes(), "model-CreateModel"), baseEdges())
	got := Pipelines(base, head)
	want := graph.Edge{From: "train", To: "model-CreateModel", Kind: graph.Data}
	found := false
	for _, e := range got.Merged.Edges {
		found = found || e == want
	}
	if !found {
		t.Errorf("Merged lost the removed edge %v:\n%s", want, got.Merged)
	}
	if gs := got.GraphStatus(); gs["model-CreateModel"] != graph.Removed || gs["train"] != graph.Unchanged {
		t.Errorf("GraphStatus = %v", gs)
	}
	if es := got.EdgeStatus(); es[want] != graph.Removed || len(es) != 1 {
		t.Errorf("EdgeStatus = %v", es)
	}
}

func TestPipelines_nilSidesAndGraphs(t *testing.T) {
	if got := Pipelines(nil, nil); got.Status != Unchanged || got.Merged != nil {
		t.Errorf("Pipelines(nil, nil) = %+v", got)
	}
	// A side that failed to compile has no graph and no hash.
	got := Pipelines(&Side{Name: "p"}, side("sha256:bbb", baseNodes()[:1], nil))
	if got.Status != Changed || len(got.Steps) != 1 || got.Steps[0].Status != Added {
		t.Errorf("failed base: %+v", got)
	}
}

func TestPipelines_definitionDiff(t *testing.T) {
	base := &Side{Name: "pipe", Hash: "sha256:aaa", Graph: &graph.Graph{}, Definition: []byte(jsonA)}
	head := &Side{Name: "pipe", Hash: "sha256:bbb", Graph: &graph.Graph{}, Definition: []byte(jsonB)}
	checkGolden(t, "pipeline_changed.diff", Pipelines(base, head).DefinitionDiff)
	checkGolden(t, "pipeline_added.diff", Pipelines(nil, &Side{Name: "new", Definition: []byte("{\n  \"Version\": \"2020-12-01\"\n}\n")}).DefinitionDiff)
}

func TestPipelines_deterministic(t *testing.T) {
	base := side("sha256:aaa", baseNodes(), baseEdges())
	head := side("sha256:bbb", edit("train", func(n *graph.Node) {
		for _, k := range []string{"a", "b", "c", "d", "e", "f", "g"} {
			n.Settings["hyperparams."+k] = k
		}
	}), baseEdges())
	first := Pipelines(base, head)
	for i := 0; i < 20; i++ {
		if diff := cmp.Diff(first, Pipelines(base, head), cmp.AllowUnexported(graph.Graph{})); diff != "" {
			t.Fatalf("run %d differs:\n%s", i, diff)
		}
	}
}
