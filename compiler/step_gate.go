package compiler

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/smpipe/smpipe-action/compiler/graph"
)

// A registry's quality_gate puts its RegisterModel step (and a CreateModel
// step that only serves the registration) under a Condition step that reads
// the Metrics step's evaluation report: the model is registered only when
// the metric passes the test. Otherwise a Fail step ends the execution with
// the metric's value in its message (on_fail: fail), or nothing more runs
// (on_fail: skip).

// gateComparisons are the quality gate's operators and the Condition types
// they become. SageMaker has no "not equal": != is Not(Equals).
var gateComparisons = []struct {
	op, conditionType string
	not               bool
}{
	{"<", "LessThan", false},
	{"<=", "LessThanOrEqualTo", false},
	{">", "GreaterThan", false},
	{">=", "GreaterThanOrEqualTo", false},
	{"==", "Equals", false},
	{"!=", "Equals", true},
}

// gateOperators lists the operators quality_gate.operator accepts.
func gateOperators() []string {
	ops := make([]string, len(gateComparisons))
	for i, c := range gateComparisons {
		ops[i] = c.op
	}
	return ops
}

// gateOperatorSpellings are operators from other languages, each with the
// one quality_gate.operator accepts.
var gateOperatorSpellings = map[string]string{"=<": "<=", "=>": ">=", "=": "==", "<>": "!=", "≤": "<=", "≥": ">=", "≠": "!="}

// dottedPath reports whether s is one or more keys of letters, digits, '_'
// and '-' joined by '.': a path Std:JsonGet reads from the report.
func dottedPath(s string) bool {
	for _, key := range strings.Split(s, ".") {
		if key == "" {
			return false
		}
		for _, c := range []byte(key) {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
				return false
			}
		}
	}
	return true
}

// Condition step Arguments. IfSteps and ElseSteps are filled when the
// definition is emitted, from the steps whose Branch names the condition.
type conditionArgs struct {
	Conditions []any `json:"Conditions"`
}

type comparison struct {
	Type       string `json:"Type"`
	LeftValue  any    `json:"LeftValue"`
	RightValue any    `json:"RightValue"`
}

type negation struct {
	Type      string     `json:"Type"` // "Not"
	Condition comparison `json:"Condition"`
}

// Fail step Arguments.
type failArgs struct {
	ErrorMessage any `json:"ErrorMessage"`
}

// checkGate checks the quality gate of a RegisterModel step's model and
// keeps it for applyGates when it can be built.
func (b *builder) checkGate(us *userStep) {
	rc := b.registry(us.model)
	if rc == nil || rc.QualityGate == nil {
		return
	}
	g := rc.QualityGate
	if us.metrics == nil {
		if !us.afterInvalid {
			b.ds.Errorf(g.Pos, "quality-gate", "registry.quality_gate of model %q needs a Metrics step before RegisterModel step %q in the same model; the gate reads that step's %s", us.model.Name, us.name, metricsFileName)
		}
		return
	}
	if g.Metric.Set && g.Operator.Set && g.Threshold.Set {
		us.gate = g
	}
}

// applyGates puts each gated RegisterModel step under its quality gate.
// It runs on the assembled steps, after dependencies are applied, so a
// `dependencies` entry names the registration itself, not its gate.
func (b *builder) applyGates() {
	for _, us := range b.steps {
		if us.gate != nil && us.main != nil && us.metrics.main != nil {
			b.applyGate(us)
		}
	}
	b.checkGatedDependencies()
}

func (b *builder) applyGate(us *userStep) {
	g := us.gate
	name := us.name + "-" + string(QualityGate)
	moved := append(b.registrationOnlyModels(us), us.sub...)
	report := propertyFileValue(us.metrics.main.Name, evaluationReport, g.Metric.Value)
	threshold := formatNumber(g.Threshold.Value)
	test := g.Metric.Value + " " + g.Operator.Value + " " + threshold

	var cond any
	for _, c := range gateComparisons {
		if c.op == g.Operator.Value {
			cond = comparison{Type: c.conditionType, LeftValue: report, RightValue: g.Threshold.Value}
			if c.not {
				cond = negation{Type: "Not", Condition: cond.(comparison)}
			}
		}
	}
	onFail := g.OnFail.Or(defaultGateOnFail)
	gate := &Step{Name: name, Group: us.name, Class: QualityGate, Model: us.model.Name, Pos: us.conf.Pos,
		Description: "Registers the model only when " + test,
		Arguments:   &conditionArgs{Conditions: []any{cond}},
		Label:       test,
		Settings: map[string]string{
			"registry.quality_gate.metric":    g.Metric.Value,
			"registry.quality_gate.operator":  g.Operator.Value,
			"registry.quality_gate.threshold": threshold,
			"registry.quality_gate.on_fail":   onFail,
			"metrics":                         us.metrics.main.Name,
		}}
	gate.Type = gate.Class.spec().stepType
	for _, s := range moved {
		s.Branch = &graph.Branch{Condition: name, Kind: graph.Then}
		s.Settings["runs_if"] = name + " passes"
	}
	var failed *Step
	if onFail == "fail" {
		failed = &Step{Name: name + "Failed", Group: us.name, Class: GateFailed, Model: us.model.Name, Pos: us.conf.Pos,
			Arguments: &failArgs{ErrorMessage: join("",
				fmt.Sprintf("model %s not registered: %s is ", us.model.Name, g.Metric.Value), report,
				fmt.Sprintf(", the quality gate requires %s %s", g.Operator.Value, threshold))},
			Branch:   &graph.Branch{Condition: name, Kind: graph.Else},
			Settings: map[string]string{"runs_if": name + " fails"}}
		failed.Type = failed.Class.spec().stepType
	}

	// The gate goes before the first step it holds, the Fail step after
	// the last, so the graph lists them in the order they run.
	first, last := len(b.pipe.Steps), -1
	for i, s := range b.pipe.Steps {
		if slices.Contains(moved, s) {
			first, last = min(first, i), max(last, i)
		}
	}
	steps := slices.Insert(b.pipe.Steps, first, gate)
	if failed != nil {
		steps = slices.Insert(steps, last+2, failed)
	}
	b.pipe.Steps = steps
}

// registrationOnlyModels returns the definition steps of the CreateModel
// steps that serve only us: of its model, before it in the steps list with
// no other RegisterModel step in between, and read or waited for by no
// other step. They move under the gate with the registration.
func (b *builder) registrationOnlyModels(us *userStep) []*Step {
	var candidates []*userStep
	for _, c := range b.steps {
		if c == us {
			break
		}
		if c.conf.Model != us.conf.Model {
			continue
		}
		switch c.class {
		case RegisterModel:
			candidates = nil // a model before it serves that registration
		case CreateModel:
			if len(c.sub) > 0 {
				candidates = append(candidates, c)
			}
		}
	}
	var moved []*Step
	for _, c := range candidates {
		if !b.usedOutside(c.sub, us.sub) {
			moved = append(moved, c.sub...)
		}
	}
	return moved
}

// usedOutside reports whether a step other than those of group or of
// registration references a step of group or depends on one.
func (b *builder) usedOutside(group, registration []*Step) bool {
	for _, s := range b.pipe.Steps {
		if slices.Contains(group, s) || slices.Contains(registration, s) {
			continue
		}
		var refs []string
		collectExprRefs(reflect.ValueOf(s.Arguments), &refs)
		for _, t := range group {
			if slices.ContainsFunc(refs, func(r string) bool { return strings.HasPrefix(r, "Steps."+t.Name+".") }) ||
				slices.ContainsFunc(s.DependsOn, func(d Dependency) bool { return d.Step == t.Name }) {
				return true
			}
		}
	}
	return false
}

// checkGatedDependencies warns about a `dependencies` entry that makes a
// step outside a quality gate wait for a step under it: that step never
// runs when the gate fails.
func (b *builder) checkGatedDependencies() {
	byName := make(map[string]*Step, len(b.pipe.Steps))
	for _, s := range b.pipe.Steps {
		byName[s.Name] = s
	}
	type warned struct{ step, gate string }
	seen := map[warned]bool{}
	for _, s := range b.pipe.Steps {
		for _, d := range s.DependsOn {
			t := byName[d.Step]
			if t == nil || t.Branch == nil || (s.Branch != nil && *s.Branch == *t.Branch) {
				continue
			}
			if w := (warned{s.Group, t.Branch.Condition}); !seen[w] {
				seen[w] = true
				b.ds.Warnf(d.Pos, "quality-gate", "step %q depends on %q, which runs only when quality gate %q passes", s.Group, t.Group, t.Branch.Condition)
			}
		}
	}
}
