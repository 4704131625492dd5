package results

import (
	"cmp"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/smpipe/smpipe-action/compiler"
)

// definition is what a report needs from the pipeline definition an
// execution ran: its models, each with the evaluation report it is judged
// by, its quality gate and the model package group it registers to.
type definition struct {
	models []modelDef
}

// modelDef is one model of the definition.
type modelDef struct {
	// step names the model: its RegisterModel step, else its report's
	// step. register is the RegisterModel step ("" for none).
	step, register, group string
	// production is the group whose approved model is production's when
	// it is not group: a preview names it in its model's metadata.
	production string
	report     *reportDef
}

// reportDef is an evaluation report: a property file of a step (the
// Metrics step), read from one of its processing outputs, and the quality
// gate that reads it.
type reportDef struct {
	step, property, output, file string
	gate                         *Gate
	failSteps                    []string // the gate's Fail steps
}

type defStep struct {
	Name          string `json:"Name"`
	Type          string `json:"Type"`
	PropertyFiles []struct {
		PropertyFileName string `json:"PropertyFileName"`
		OutputName       string `json:"OutputName"`
		FilePath         string `json:"FilePath"`
	} `json:"PropertyFiles"`
	Arguments json.RawMessage `json:"Arguments"`
}

// condition is one entry of a Condition step's Conditions: a comparison,
// or Not around one.
type condition struct {
	Type      string     `json:"Type"`
	Condition *condition `json:"Condition"` // of Not
	LeftValue struct {
		JSONGet *struct {
			PropertyFile struct {
				Get string `json:"Get"`
			} `json:"PropertyFile"`
			Path string `json:"Path"`
		} `json:"Std:JsonGet"`
	} `json:"LeftValue"`
	RightValue json.Number `json:"RightValue"`
}

// comparisons are the Condition step's comparison types as operators, and
// each one's negation (SageMaker has no "not equal": != is Not(Equals)).
var comparisons = map[string][2]string{
	"LessThan":             {"<", ">="},
	"LessThanOrEqualTo":    {"<=", ">"},
	"GreaterThan":          {">", "<="},
	"GreaterThanOrEqualTo": {">=", "<"},
	"Equals":               {"==", "!="},
}

// gate reads a condition on an evaluation report: the report's step and
// property file, and the test. ok is false for any other condition.
func (c condition) gate() (step, property string, g Gate, ok bool) {
	negated := false
	for c.Type == "Not" && c.Condition != nil {
		c, negated = *c.Condition, !negated
	}
	ops, known := comparisons[c.Type]
	if !known || c.LeftValue.JSONGet == nil {
		return "", "", Gate{}, false
	}
	// Steps.<name>.PropertyFiles.<file>: the report it reads.
	rest, ok := strings.CutPrefix(c.LeftValue.JSONGet.PropertyFile.Get, "Steps.")
	if !ok {
		return "", "", Gate{}, false
	}
	step, property, ok = strings.Cut(rest, ".PropertyFiles.")
	if !ok {
		return "", "", Gate{}, false
	}
	threshold, err := c.RightValue.Float64()
	if err != nil {
		return "", "", Gate{}, false
	}
	op := ops[0]
	if negated {
		op = ops[1]
	}
	return step, property, Gate{Metric: c.LeftValue.JSONGet.Path, Operator: op, Threshold: threshold}, true
}

// outputRef finds the processing outputs a RegisterModel step's model
// metrics read: Steps.<step>.ProcessingOutputConfig.Outputs['<output>'].
var outputRef = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`Steps\.([A-Za-z0-9_-]+)\.ProcessingOutputConfig\.Outputs\['([^']+)'\]`)
})

func parseDefinition(b []byte) (*definition, error) {
	var doc struct {
		Steps []defStep `json:"Steps"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("the definition is not JSON: %w", err)
	}
	p := &defParser{seq: map[string]int{}}
	p.walk(doc.Steps)
	return p.definition(), nil
}

// defParser collects, in the order of the definition, the reports, the
// gates on them and the registrations.
type defParser struct {
	seq       map[string]int // each step's place in the walk
	reports   []*reportDef
	registers []registerDef
	gates     []gateDef
}

type registerDef struct {
	step, group, production string
	reportStep              string // the step whose output its model metrics read
	reportOutput            string
}

type gateDef struct {
	step, property string
	gate           Gate
	failSteps      []string
}

func (p *defParser) walk(steps []defStep) {
	for _, s := range steps {
		if _, seen := p.seq[s.Name]; !seen {
			p.seq[s.Name] = len(p.seq)
		}
		for _, pf := range s.PropertyFiles {
			p.reports = append(p.reports, &reportDef{step: s.Name, property: pf.PropertyFileName, output: pf.OutputName, file: pf.FilePath})
		}
		switch s.Type {
		case "RegisterModel":
			var a struct {
				ModelPackageGroupName      json.RawMessage `json:"ModelPackageGroupName"`
				ModelMetrics               json.RawMessage `json:"ModelMetrics"`
				CustomerMetadataProperties map[string]any  `json:"CustomerMetadataProperties"` // values may be expressions
			}
			if json.Unmarshal(s.Arguments, &a) != nil {
				continue
			}
			r := registerDef{step: s.Name}
			r.production, _ = a.CustomerMetadataProperties[compiler.ProductionGroupProperty].(string)
			// A parameter instead of a name cannot be resolved here.
			_ = json.Unmarshal(a.ModelPackageGroupName, &r.group)
			if m := outputRef().FindStringSubmatch(string(a.ModelMetrics)); m != nil {
				r.reportStep, r.reportOutput = m[1], m[2]
			}
			p.registers = append(p.registers, r)
		case "Condition":
			var a struct {
				Conditions []condition `json:"Conditions"`
				IfSteps    []defStep   `json:"IfSteps"`
				ElseSteps  []defStep   `json:"ElseSteps"`
			}
			if json.Unmarshal(s.Arguments, &a) != nil {
				continue
			}
			var fails []string
			for _, f := range a.ElseSteps {
				if f.Type == "Fail" {
					fails = append(fails, f.Name)
				}
			}
			for _, c := range a.Conditions {
				if step, property, g, ok := c.gate(); ok {
					g.Step = s.Name
					p.gates = append(p.gates, gateDef{step: step, property: property, gate: g, failSteps: fails})
					break // one gate per Condition step: the first test on a report
				}
			}
			p.walk(a.IfSteps)
			p.walk(a.ElseSteps)
		}
	}
}

// definition pairs what was collected: each gate with its report, each
// registration with the report its metrics read, and the reports no
// registration reads as models of their own.
func (p *defParser) definition() *definition {
	find := func(step string, match func(*reportDef) bool) *reportDef {
		for _, r := range p.reports {
			if r.step == step && match(r) {
				return r
			}
		}
		return nil
	}
	for _, g := range p.gates {
		if r := find(g.step, func(r *reportDef) bool { return r.property == g.property }); r != nil && r.gate == nil {
			gate := g.gate
			r.gate, r.failSteps = &gate, g.failSteps
		}
	}
	d := &definition{}
	read := map[*reportDef]bool{}
	for _, reg := range p.registers {
		m := modelDef{step: reg.step, register: reg.step, group: reg.group, production: reg.production}
		if reg.reportStep != "" {
			m.report = find(reg.reportStep, func(r *reportDef) bool { return r.output == reg.reportOutput })
			read[m.report] = true
		}
		d.models = append(d.models, m)
	}
	for _, r := range p.reports {
		if !read[r] {
			d.models = append(d.models, modelDef{step: r.step, report: r})
		}
	}
	// Definition order: where each model's first step (its report's, else
	// its registration's) appears.
	pos := func(m modelDef) int {
		if m.report != nil {
			return p.seq[m.report.step]
		}
		return p.seq[m.step]
	}
	slices.SortStableFunc(d.models, func(a, b modelDef) int { return cmp.Compare(pos(a), pos(b)) })
	return d
}
