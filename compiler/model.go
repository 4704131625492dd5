package compiler

import (
	"github.com/smpipe/smpipe-action/compiler/diag"
	"github.com/smpipe/smpipe-action/compiler/graph"
)

// Pipeline is what one anchor means: its steps in definition order, with
// the repository settings they were built with. Emit reads only this.
type Pipeline struct {
	Name string
	// PreviewOf is the pipelineName when Name is a preview's (Options.Preview).
	PreviewOf string
	// HasPreview is set when a model of the pipeline has a preview: mapping.
	HasPreview bool
	// KeyPrefix is the S3 key prefix of its code, local data and default
	// outputs under Bucket.
	KeyPrefix string
	Anchor    string
	Pos       diag.Pos // of pipelineName
	// Files are the conf files this pipeline reads (anchor, files defining
	// its models, the framework conf), sorted.
	Files []string
	// SourceDirs are the directories its code bundles and data come from.
	SourceDirs []string
	Steps      []*Step
	// Artifacts are the objects deploy stages: code bundles, scripts and
	// local data files, each content-addressed.
	Artifacts []Artifact
	// Unbuilt are the step_names that produced no step because of an error
	// already reported; references to them are consequences, not news.
	Unbuilt []string
	Bucket  string
	Role    string
	Region  string
}

// Step is one step of the definition.
type Step struct {
	Name        string    // definition name, after suffixing
	Group       string    // the user's step_name
	Class       StepClass // what the user asked for (RepackModel for the added step)
	Type        string    // the definition's Type
	Description string
	Model       string
	Pos         diag.Pos // of the user's step entry

	Arguments any
	// Branch places the step in a Condition step's IfSteps or ElseSteps;
	// nil at the top level. Nested steps are still steps of the pipeline:
	// names, references and the graph treat them like any other.
	Branch        *graph.Branch
	DependsOn     []Dependency
	Cache         *cacheConfig
	PropertyFiles []propertyFile
	// Outputs are the processing output names the step declares.
	Outputs []string
	// Settings are the step's effective settings as human paths, for the
	// semantic diff and the report.
	Settings map[string]string
	// Label is what the graph shows under the name instead of the class: a
	// quality gate's test.
	Label string
}

// Dependency is one DependsOn entry and the dependencies entry that made it.
type Dependency struct {
	Step string
	Pos  diag.Pos
}
