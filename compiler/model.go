package compiler

import (
	"github.com/smpipe/smpipe-action/compiler/diag"
	"github.com/smpipe/smpipe-action/compiler/graph"
)

// Pipeline is what one anchor means: its steps in definition order, with
// the repository settings they were built with.
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
	Bucket     string
	Role       string
	Region     string
}

// Step is one step of the definition.
type Step struct {
	Name        string      // definition name, after suffixing
	Group       string      // the user's step_name
	Class       graph.Class // what the user asked for (RepackModel for the added step)
	Type        string      // the definition's Type
	Description string
	Model       string
	Pos         diag.Pos // of the user's step entry

	Arguments     any
	DependsOn     []string
	Cache         *cacheConfig
	PropertyFiles []propertyFile
	// Outputs are the processing output names the step declares.
	Outputs []string
	// Settings are the step's effective settings as human paths, for the
	// semantic diff and the report.
	Settings map[string]string
}
