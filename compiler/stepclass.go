package compiler

import (
	"fmt"
	"slices"
	"strings"

	"github.com/smpipe/smpipe-action/compiler/graph"
)

// StepClass is what a step is: a step_class of the conf language, or a
// step smpipe adds: RepackModel, the Training step in front of a model that
// is repacked with its inference code, and the Condition and Fail steps of
// a registry's quality gate.
type StepClass string

const (
	Processing    StepClass = "Processing"
	Training      StepClass = "Training"
	CreateModel   StepClass = "CreateModel"
	Transform     StepClass = "Transform"
	Metrics       StepClass = "Metrics"
	RegisterModel StepClass = "RegisterModel"
	RepackModel   StepClass = "RepackModel"
	QualityGate   StepClass = "QualityGate"
	GateFailed    StepClass = "Fail"
)

// stepClasses are the values step_class accepts, in the README's order.
var stepClasses = []StepClass{Processing, Training, CreateModel, Transform, Metrics, RegisterModel}

// addedClasses are the classes of the steps smpipe adds.
var addedClasses = []StepClass{RepackModel, QualityGate, GateFailed}

// classSpec is what the compiler knows about a step class besides how its
// steps are built (step_<class>.go, dispatched from buildStep).
type classSpec struct {
	stepType string      // the definition step's Type
	shape    graph.Shape // how the pipeline graph draws its steps
	// cached: enable_cache and cache_expire_after apply. chains: the step
	// takes chain_input_source_step and may itself be a chain source.
	cached, chains bool
	// section is the model section the class reads, "" when the step's
	// step_type names it. sectionKeys and channelKeys are the keys the
	// class knows in that section and in each of its channels (keys.go);
	// nil for a class that reads no section.
	section                  string
	sectionKeys, channelKeys *keyTable
}

var classSpecs = map[StepClass]*classSpec{
	Processing: {stepType: "Processing", shape: graph.Rectangle, cached: true, chains: true,
		sectionKeys: forClass(sectionKeys, Processing), channelKeys: forClass(channelKeys, Processing)},
	Training: {stepType: "Training", shape: graph.Stadium, cached: true, chains: true,
		sectionKeys: forClass(sectionKeys, Training), channelKeys: forClass(channelKeys, Training)},
	CreateModel: {stepType: "Model", shape: graph.Subroutine},
	Transform: {stepType: "Transform", shape: graph.Parallelogram, cached: true, chains: true, section: transformSection,
		sectionKeys: forClass(sectionKeys, Transform), channelKeys: forClass(channelKeys, Transform)},
	Metrics: {stepType: "Processing", shape: graph.Hexagon, cached: true, chains: true, section: evaluateSection,
		sectionKeys: forClass(sectionKeys, Metrics), channelKeys: forClass(channelKeys, Metrics)},
	RegisterModel: {stepType: "RegisterModel", shape: graph.Cylinder},
	RepackModel:   {stepType: "Training", shape: graph.Flag},
	QualityGate:   {stepType: "Condition", shape: graph.Diamond},
	GateFailed:    {stepType: "Fail", shape: graph.Circle},
}

func (c StepClass) spec() *classSpec {
	if s, ok := classSpecs[c]; ok {
		return s
	}
	return &classSpec{}
}

// DefinitionKind names a step of a definition read back from SageMaker
// (a live pipeline) as the report names compiled ones: the first step
// class whose steps have that Type (the conf's classes before the ones
// smpipe adds), and its shape. A Type smpipe never writes keeps its own
// name.
func DefinitionKind(stepType string) (kind string, shape graph.Shape) {
	for _, c := range slices.Concat(stepClasses, addedClasses) {
		if s := c.spec(); s.stepType == stepType {
			return string(c), s.shape
		}
	}
	return stepType, graph.Rectangle
}

// classAliases are spellings of the seed's template and documentation that
// mean a class.
var classAliases = map[string]StepClass{"preprocessing": Processing, "training": Training, "createmodel": CreateModel,
	"registermodel": RegisterModel, "register": RegisterModel, "evaluate": Metrics, "metric": Metrics}

// parseStepClass reads a step_class value. For a value that is not a class
// it returns the class the user most likely meant ("" when none is close)
// and the problem to report.
func parseStepClass(s string) (class StepClass, problem string) {
	for _, c := range stepClasses {
		if string(c) == s {
			return c, ""
		}
	}
	for _, c := range stepClasses {
		if strings.EqualFold(string(c), s) {
			return c, fmt.Sprintf("unknown step_class %q; did you mean %q? (step classes are case-sensitive)", s, c)
		}
	}
	if c, ok := classAliases[strings.ToLower(s)]; ok {
		return c, fmt.Sprintf("unknown step_class %q; did you mean %q?", s, c)
	}
	names := stepClassNames()
	return StepClass(suggest(s, names)), fmt.Sprintf("unknown step_class %q%s (one of %s)", s, didYouMean(s, names), strings.Join(names, ", "))
}
