// Package compiler turns seed-style conf.yaml files into SageMaker pipeline
// definitions.
//
// The phases, each returning a value plus diag.Diagnostics and each able to
// run on partial input:
//
//	Discover  fs.FS + options      → sorted conf paths and the framework conf
//	Load      path                 → *ConfFile (what the user wrote, every leaf positioned)
//	Assemble  []*ConfFile          → *Project (models by name, anchors, framework values)
//	Build     *Project, anchor     → *Pipeline (steps, wiring, defaults: what the conf means)
//	Emit      *Pipeline            → *Plan (definition JSON, hash, graph, artifacts to stage)
//
// Vocabulary: "conf" is what the user wrote (ConfFile, ModelConf, SectionConf,
// StepConf); "model" is what it means (Pipeline, Step); "definition" is what
// SageMaker receives (JSON names exactly as SageMaker spells them).
//
// Nothing here does network I/O: compile is pure, and a pipeline with errors
// is never emitted.
package compiler
