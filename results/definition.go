package results

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/smpipe/smpipe-action/compiler"
)

// definition is what a report needs from the pipeline definition an
// execution ran: where its quality gate and evaluation report are, and the
// model package group it registers to.
type definition struct {
	gate      *Gate
	failSteps []string // the gate's Fail steps
	// metricsStep wrote the evaluation report: output metricsOutput, file
	// metricsFile under it (its property file).
	metricsStep, metricsOutput, metricsFile string
	group                                   string
	// production is the group whose approved model the metrics are
	// compared with when it is not group: a preview registers to its own
	// group and names production's in its model's metadata.
	production string
}

type defStep struct {
	Name          string `json:"Name"`
	Type          string `json:"Type"`
	PropertyFiles []struct {
		OutputName string `json:"OutputName"`
		FilePath   string `json:"FilePath"`
	} `json:"PropertyFiles"`
	Arguments json.RawMessage `json:"Arguments"`
}

// conditionTypes are the Condition step's comparisons, as operators.
var conditionTypes = map[string]string{
	"LessThan": "<", "LessThanOrEqualTo": "<=", "GreaterThan": ">", "GreaterThanOrEqualTo": ">=",
	"Equals": "==", "NotEquals": "!=",
}

// comparedWith is the group whose latest approved model is production's:
// the one a preview names, else the one the pipeline registers to.
func (d *definition) comparedWith() string {
	if d.production != "" {
		return d.production
	}
	return d.group
}

func parseDefinition(b []byte) (*definition, error) {
	var doc struct {
		Steps []defStep `json:"Steps"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("the definition is not JSON: %w", err)
	}
	d := &definition{}
	d.walk(doc.Steps)
	return d, nil
}

func (d *definition) walk(steps []defStep) {
	for _, s := range steps {
		if len(s.PropertyFiles) > 0 && d.metricsStep == "" {
			d.metricsStep, d.metricsOutput, d.metricsFile = s.Name, s.PropertyFiles[0].OutputName, s.PropertyFiles[0].FilePath
		}
		switch s.Type {
		case "RegisterModel":
			var a struct {
				ModelPackageGroupName      string         `json:"ModelPackageGroupName"`
				CustomerMetadataProperties map[string]any `json:"CustomerMetadataProperties"` // values may be expressions
			}
			if json.Unmarshal(s.Arguments, &a) == nil && d.group == "" {
				d.group = a.ModelPackageGroupName
				d.production, _ = a.CustomerMetadataProperties[compiler.ProductionGroupProperty].(string)
			}
		case "Condition":
			var a struct {
				Conditions []struct {
					Type      string `json:"Type"`
					LeftValue struct {
						JSONGet *struct {
							PropertyFile struct {
								Get string `json:"Get"`
							} `json:"PropertyFile"`
							Path string `json:"Path"`
						} `json:"Std:JsonGet"`
					} `json:"LeftValue"`
					RightValue json.Number `json:"RightValue"`
				} `json:"Conditions"`
				IfSteps   []defStep `json:"IfSteps"`
				ElseSteps []defStep `json:"ElseSteps"`
			}
			if json.Unmarshal(s.Arguments, &a) != nil {
				continue
			}
			if len(a.Conditions) == 1 && a.Conditions[0].LeftValue.JSONGet != nil {
				c := a.Conditions[0]
				threshold, _ := c.RightValue.Float64()
				d.gate = &Gate{Step: s.Name, Metric: c.LeftValue.JSONGet.Path, Operator: conditionTypes[c.Type], Threshold: threshold}
				// Steps.<name>.PropertyFiles.<file>: the step whose report it read.
				if rest, ok := strings.CutPrefix(c.LeftValue.JSONGet.PropertyFile.Get, "Steps."); ok {
					if name, _, ok := strings.Cut(rest, ".PropertyFiles."); ok && d.metricsStep == "" {
						d.metricsStep = name
					}
				}
			}
			for _, f := range a.ElseSteps {
				if f.Type == "Fail" {
					d.failSteps = append(d.failSteps, f.Name)
				}
			}
			d.walk(a.IfSteps)
			d.walk(a.ElseSteps)
		}
	}
}
