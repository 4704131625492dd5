package compiler

import (
	"github.com/smpipe/smpipe-action/compiler/diag"
)

// Pipeline is what one anchor means: its steps in definition order, with
// the repository settings they were built with. Emit reads only this.
type Pipeline struct {
	Name   string
	Anchor string
	Pos    diag.Pos // of pipelineName
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

	Arguments     any
	DependsOn     []Dependency
	Cache         *cacheConfig
	PropertyFiles []propertyFile
	// Outputs are the processing output names the step declares.
	Outputs []string
	// Settings are the step's effective settings as human paths, for the
	// semantic diff and the report.
	Settings map[string]string
}

// Dependency is one DependsOn entry and the dependencies entry that made it.
type Dependency struct {
	Step string
	Pos  diag.Pos
}
