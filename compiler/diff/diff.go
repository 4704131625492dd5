// Package diff compares two compiled versions of a pipeline (base and head)
// and reports what a reviewer needs: steps added, removed and changed, the
// settings that changed as human paths, edges added and removed, and the
// definition hash before and after.
package diff

import "github.com/smpipe/smpipe-action/compiler/graph"

// Side is one version of a pipeline. A nil *Side means the pipeline does not
// exist on that side (added or deleted).
type Side struct {
	Name       string
	Hash       string // "sha256:<hex>" of Definition; empty when the side failed to compile
	Graph      *graph.Graph
	Definition []byte // canonical definition JSON, two-space indented
}

// Status is what happened to a pipeline or a step: the graph's own status,
// so a diff styles a rendered graph without translation.
type Status = graph.Status

// The statuses, re-exported for readers of a diff.
const (
	Unchanged = graph.Unchanged
	Added     = graph.Added
	Changed   = graph.Changed
	Removed   = graph.Removed
)

// SettingChange is one setting path whose value differs. Old is empty when
// the setting was added (OldSet false), New is empty when it was removed.
type SettingChange struct {
	Path     string
	Old, New string
	OldSet   bool
	NewSet   bool
}

// StepChange is one step that was added, removed or changed.
type StepChange struct {
	Name     string
	Kind     string // the node's Kind
	Status   Status
	Settings []SettingChange // sorted by Path; for Added/Removed steps, every setting
}

// EdgeChange is one edge that appears on only one side.
type EdgeChange struct {
	Edge   graph.Edge
	Status Status // Added or Removed
}

// Pipeline is the whole comparison of one pipeline.
type Pipeline struct {
	Name    string
	Status  Status
	OldHash string
	NewHash string
	Steps   []StepChange // in head definition order, removed steps after their base neighbours
	Edges   []EdgeChange
	// Settings are the pipeline-level settings that differ (Parameters,
	// PipelineExperimentConfig, …), sorted by Path. Only Definitions sets
	// them: a conf graph has none.
	Settings []SettingChange
	// Merged is head's graph plus base's removed nodes and edges, for
	// rendering the change as one picture.
	Merged *graph.Graph
	// StepStatus maps every node of Merged to its status.
	StepStatus map[string]Status
	// DefinitionDiff is a unified line diff of the two definitions ("" when equal).
	DefinitionDiff string
}
