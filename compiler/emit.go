package compiler

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/smpipe/smpipe-action/compiler/diag"
	"github.com/smpipe/smpipe-action/compiler/graph"
	"github.com/smpipe/smpipe-action/internal/defhash"
)

// MaxInlineDefinition is the size from which deploy stages a definition in
// S3 (PipelineDefinitionS3Location), as the SageMaker Python SDK does.
const MaxInlineDefinition = 100 * 1024

// Plan is everything later stages need about one pipeline: the report reads
// its graph and hash, the deploy uploads its artifacts and upserts its
// definition. Definition is nil when the pipeline has errors.
type Plan struct {
	Name string
	// PreviewOf is the pipelineName when Name is a preview's: the
	// compile had Options.Preview with a suffix.
	PreviewOf string
	// HasPreview is set when a model of the pipeline has a preview:
	// mapping, which a preview build merges over its sections.
	HasPreview bool
	// KeyPrefix is the S3 key prefix of the pipeline's code, local data and
	// default outputs under Bucket: its name, or the preview's prefix and
	// name; a definition staged to S3 goes under it too.
	KeyPrefix string
	Anchor    string
	// Files are the conf files the pipeline reads; SourceDirs the directories
	// its bundles and local data come from. A change under any of them
	// touches the pipeline.
	Files      []string
	SourceDirs []string

	Definition []byte // canonical compact JSON
	Hash       string // "sha256:<hex>" of Definition
	Graph      *graph.Graph
	Artifacts  []Artifact
	// StageDefinition is true when the definition is over
	// MaxInlineDefinition and must be passed through S3.
	StageDefinition bool

	Role, Bucket, Region string
	Failed               bool
	// Unresolved lists the SMP_* placeholders that the definition, role or
	// bucket still carry as literal text because the environment does not
	// set them, sorted. A plan shows them as resolved at deploy from the
	// deploy job's environment; a deploy refuses the pipeline (PlaceholderError).
	Unresolved []string
}

// IndentedDefinition is the two-space indented definition.
func (p *Plan) IndentedDefinition() []byte {
	if p.Definition == nil {
		return nil
	}
	return Indent(p.Definition)
}

// emit checks a built pipeline and turns it into a Plan.
func emit(p *Pipeline, ds *diag.Diagnostics) *Plan {
	plan := &Plan{Name: p.Name, PreviewOf: p.PreviewOf, HasPreview: p.HasPreview, KeyPrefix: p.KeyPrefix, Anchor: p.Anchor,
		Files: p.Files, SourceDirs: p.SourceDirs, Role: p.Role, Bucket: p.Bucket, Region: p.Region}
	checkNames(p, ds)

	steps := map[string]*Step{}
	for _, s := range p.Steps {
		steps[s.Name] = s
	}
	var nodes []graph.Node
	var edges []graph.Edge
	defs := make([]defStep, 0, len(p.Steps))
	refErrors := false
	// An earlier error may have left a referenced step unbuilt: do not
	// report that again as a dangling reference.
	cascade := ds.HasErrors()
	for _, s := range p.Steps {
		refs, err := checkArguments(s.Type, s.Arguments)
		if err != nil {
			ds.Errorf(s.Pos, "arguments", "arguments of step %q do not fit SageMaker's %s request: %v", s.Name, apiName(s.Type), err)
		}
		for _, ref := range refs {
			from, err := checkRef(ref, steps)
			if err != nil {
				refErrors = true
				if !cascade && !p.unbuilt(ref) {
					ds.Errorf(s.Pos, "ref", "step %q: %v", s.Name, err)
				}
				continue
			}
			if from != "" {
				edges = append(edges, graph.Edge{From: from, To: s.Name, Kind: graph.Data})
			}
		}
		var dependsOn []string
		for _, d := range s.DependsOn {
			edges = append(edges, graph.Edge{From: d.Step, To: s.Name, Kind: graph.DependsOn})
			dependsOn = append(dependsOn, d.Step)
		}
		if len(dependsOn) > 0 {
			s.Settings["dependencies"] = strings.Join(dependsOn, ", ")
		}
		nodes = append(nodes, graph.Node{Name: s.Name, Kind: string(s.Class), Label: s.Label, Shape: s.Class.spec().shape, Group: s.Group, Model: s.Model, Settings: s.Settings})
		defs = append(defs, defStep{Name: s.Name, Type: s.Type, Description: s.Description, Arguments: s.Arguments,
			DependsOn: dependsOn, CacheConfig: s.Cache, PropertyFiles: s.PropertyFiles})
	}
	edges = append(edges, branchEdges(p.Steps, edges)...)
	plan.Graph = graph.New(nodes, edges)
	if !refErrors { // no cascades: an unresolved reference is not also a cycle
		checkCycles(plan.Graph, p, ds)
	}
	if ds.HasErrors() {
		plan.Failed = true
		return plan
	}
	doc := definitionDoc{
		Version:                  "2020-12-01",
		Parameters:               []any{},
		PipelineExperimentConfig: experimentConfig{ExperimentName: Get{Get: "Execution.PipelineName"}, TrialName: executionID},
		Steps:                    nest(p.Steps, defs),
	}
	def, err := marshalCanonical(doc)
	if err != nil {
		ds.Errorf(p.Pos, "arguments", "encoding the definition of %q: %v", p.Name, err)
		plan.Failed = true
		return plan
	}
	// An exact-size copy: the encoder's buffer grew by doubling, and a
	// compile keeps every pipeline's definition.
	plan.Definition, plan.Hash = bytes.Clone(def), defhash.Of(def)
	plan.StageDefinition = len(def) >= MaxInlineDefinition
	plan.Artifacts = p.Artifacts
	return plan
}

func apiName(stepType string) string {
	switch stepType {
	case "Model":
		return "CreateModel"
	case "RegisterModel":
		return "CreateModelPackage"
	case "Condition", "Fail":
		return stepType + " step"
	}
	return fmt.Sprintf("Create%sJob", stepType)
}

// conditionDef is a Condition step's Arguments as emitted: its conditions
// and the whole steps of its two branches.
type conditionDef struct {
	Conditions []any     `json:"Conditions"`
	IfSteps    []defStep `json:"IfSteps"`
	ElseSteps  []defStep `json:"ElseSteps"`
}

// nest returns the top-level steps of the definition, with each step that
// has a Branch moved into its Condition step's IfSteps or ElseSteps: a
// step in a branch must not also be listed at the top. defs[i] is steps[i]
// as emitted.
func nest(steps []*Step, defs []defStep) []defStep {
	if !slices.ContainsFunc(steps, func(s *Step) bool { return s.Branch != nil }) {
		return defs
	}
	conds := map[string]*conditionDef{}
	for i, s := range steps {
		if a, ok := s.Arguments.(*conditionArgs); ok {
			c := &conditionDef{Conditions: a.Conditions, IfSteps: []defStep{}, ElseSteps: []defStep{}}
			conds[s.Name], defs[i].Arguments = c, c
		}
	}
	top := make([]defStep, 0, len(defs))
	for i, s := range steps {
		switch {
		case s.Branch == nil:
			top = append(top, defs[i])
		case s.Branch.Kind == graph.Else:
			conds[s.Branch.Condition].ElseSteps = append(conds[s.Branch.Condition].ElseSteps, defs[i])
		default:
			conds[s.Branch.Condition].IfSteps = append(conds[s.Branch.Condition].IfSteps, defs[i])
		}
	}
	return top
}

// branchEdges are the then and else edges from each Condition step to the
// steps its branches start with (graph.BranchEdges).
func branchEdges(steps []*Step, edges []graph.Edge) []graph.Edge {
	if !slices.ContainsFunc(steps, func(s *Step) bool { return s.Branch != nil }) {
		return nil
	}
	names := make([]string, len(steps))
	branches := map[string]graph.Branch{}
	for i, s := range steps {
		names[i] = s.Name
		if s.Branch != nil {
			branches[s.Name] = *s.Branch
		}
	}
	return graph.BranchEdges(names, branches, edges)
}

// unbuilt reports whether ref points at a step the builder skipped because
// of an error reported elsewhere (an invalid step_class upstream, a missing
// section): the dangling reference is a consequence, not news.
func (p *Pipeline) unbuilt(ref string) bool {
	for _, name := range p.Unbuilt {
		if strings.HasPrefix(ref, "Steps."+name+".") || strings.HasPrefix(ref, "Steps."+name+"-") {
			return true
		}
	}
	return false
}
