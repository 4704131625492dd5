package compiler

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// gateConf is a model with every step a quality gate involves. registry
// and steps are spliced in; dependencies may be "".
func gateConf(registry, steps, dependencies string) string {
	conf := `conf:
  models:
    m:
      source_directory: src
      train:
        image_uri: img
        entry_point: train/train.py
      transform:
        entry_point: serve/inference.py
      evaluate:
        image_uri: img
        entry_point: evaluate.py
      registry:
        InferenceSpecification:
          image_uri: serve-img
` + registry + `
  sagemakerPipeline:
    pipelineName: p
    models:
      m:
        steps:
` + steps
	if dependencies != "" {
		conf += "    dependencies:\n" + dependencies
	}
	return conf
}

// gateSteps are the usual chain: Training, CreateModel, Transform, Metrics,
// RegisterModel.
const gateSteps = `          - {step_name: train, step_class: Training}
          - {step_name: create, step_class: CreateModel}
          - {step_name: score, step_class: Transform, chain_input_source_step: [train]}
          - {step_name: eval, step_class: Metrics, chain_input_source_step: [score]}
          - {step_name: register, step_class: RegisterModel}
`

func gate(lines ...string) string {
	return "        quality_gate:\n          " + strings.Join(lines, "\n          ")
}

// gatedPipeline compiles conf and returns its only plan's definition,
// decoded, after checking it as SageMaker would receive it.
func gatedPipeline(t *testing.T, conf string) (*Plan, map[string]any) {
	t.Helper()
	res, ds := mustCompile(t, testRepo(map[string]string{"m/conf/conf.yaml": conf}), Options{Getenv: noEnv})
	if ds.HasErrors() {
		t.Fatalf("unexpected errors: %v", ds)
	}
	p := res.Plans[0]
	checkDefinition(t, p.Definition)
	var doc map[string]any
	if err := json.Unmarshal(p.Definition, &doc); err != nil {
		t.Fatal(err)
	}
	return p, doc
}

// stepNamed finds a top-level step of a decoded definition.
func stepNamed(t *testing.T, doc map[string]any, name string) map[string]any {
	t.Helper()
	for _, s := range doc["Steps"].([]any) {
		if s.(map[string]any)["Name"] == name {
			return s.(map[string]any)
		}
	}
	t.Fatalf("no top-level step %q", name)
	return nil
}

// names lists the Name of each step in a decoded list of steps.
func names(list any) []string {
	out := []string{}
	for _, s := range list.([]any) {
		out = append(out, s.(map[string]any)["Name"].(string))
	}
	return out
}

// TestGate_condition: each operator becomes its Condition, comparing the
// report's value with the threshold as a JSON number; the Fail step names
// metric, value and threshold; on_fail: skip leaves ElseSteps empty.
func TestGate_condition(t *testing.T) {
	report := map[string]any{"Std:JsonGet": map[string]any{
		"PropertyFile": map[string]any{"Get": "Steps.eval.PropertyFiles.EvaluationReport"},
		"Path":         "binary_classification_metrics.accuracy.value",
	}}
	compare := func(typ string, threshold float64) map[string]any {
		return map[string]any{"Type": typ, "LeftValue": report, "RightValue": threshold}
	}
	tests := []struct {
		operator, threshold, onFail string
		want                        map[string]any
		wantThreshold               string // as the settings and the message write it
	}{
		{`"<"`, "0.5", "", compare("LessThan", 0.5), "0.5"},
		{`"<="`, "1", "", compare("LessThanOrEqualTo", 1), "1"},
		{`">"`, "0.90", "fail", compare("GreaterThan", 0.9), "0.9"},
		{`'>='`, "1e-7", "", compare("GreaterThanOrEqualTo", 1e-7), "1e-7"},
		{`==`, "-2", "", compare("Equals", -2), "-2"},
		{`"!="`, "0", "skip", map[string]any{"Type": "Not", "Condition": compare("Equals", 0)}, "0"},
		{`"<="`, "1_000", "skip", compare("LessThanOrEqualTo", 1000), "1000"},
	}
	for _, tt := range tests {
		t.Run(tt.operator+tt.threshold+tt.onFail, func(t *testing.T) {
			lines := []string{"metric: binary_classification_metrics.accuracy.value", "operator: " + tt.operator, "threshold: " + tt.threshold}
			if tt.onFail != "" {
				lines = append(lines, "on_fail: "+tt.onFail)
			}
			p, doc := gatedPipeline(t, gateConf("        ModelRepack: false\n"+gate(lines...), gateSteps, ""))
			cond := stepNamed(t, doc, "register-QualityGate")
			args := cond["Arguments"].(map[string]any)
			if diff := cmp.Diff([]any{tt.want}, args["Conditions"]); diff != "" {
				t.Errorf("Conditions (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{"register-RegisterModel"}, names(args["IfSteps"])); diff != "" {
				t.Errorf("IfSteps (-want +got):\n%s", diff)
			}
			op := strings.Trim(tt.operator, `"'`)
			if tt.onFail == "skip" {
				if diff := cmp.Diff([]string{}, names(args["ElseSteps"])); diff != "" {
					t.Errorf("ElseSteps (-want +got):\n%s", diff)
				}
			} else {
				fail := args["ElseSteps"].([]any)[0].(map[string]any)
				want := map[string]any{"Name": "register-QualityGateFailed", "Type": "Fail", "Arguments": map[string]any{
					"ErrorMessage": map[string]any{"Std:Join": map[string]any{"On": "", "Values": []any{
						"model m not registered: binary_classification_metrics.accuracy.value is ", report,
						", the quality gate requires " + op + " " + tt.wantThreshold,
					}}}}}
				if diff := cmp.Diff(want, fail); diff != "" {
					t.Errorf("Fail step (-want +got):\n%s", diff)
				}
			}
			n, _ := p.Graph.Node("register-QualityGate")
			if want := "binary_classification_metrics.accuracy.value " + op + " " + tt.wantThreshold; n.Label != want {
				t.Errorf("graph label %q, want %q", n.Label, want)
			}
			if got := n.Settings["registry.quality_gate.threshold"]; got != tt.wantThreshold {
				t.Errorf("threshold setting %q, want %q", got, tt.wantThreshold)
			}
		})
	}
}

// TestGate_whatMoves: the registration, its repack step and the CreateModel
// steps that serve only it go under the gate, in order; everything else
// stays at the top.
func TestGate_whatMoves(t *testing.T) {
	serve := "          - {step_name: serve, step_class: CreateModel}\n"
	register2 := "          - {step_name: register2, step_class: RegisterModel}\n"
	g := gate("metric: m.v", `operator: "<"`, "threshold: 1")
	tests := []struct {
		name, repack, steps, deps string
		wantTop, wantIf           []string
		wantGraph                 string // the gate's edges in the graph
	}{
		{"registration only: the Transform reads the CreateModel", "false", gateSteps, "",
			[]string{"train", "create-CreateModel", "score", "eval", "register-QualityGate"},
			[]string{"register-RegisterModel"},
			"register-QualityGate (QualityGate)\n  -> register-RegisterModel (then)\n  -> register-QualityGateFailed (else)\n"},
		{"a CreateModel nothing reads moves", "false", strings.Replace(gateSteps, "          - {step_name: register", serve+"          - {step_name: register", 1), "",
			[]string{"train", "create-CreateModel", "score", "eval", "register-QualityGate"},
			[]string{"serve-CreateModel", "register-RegisterModel"},
			"register-QualityGate (QualityGate)\n  -> serve-CreateModel (then)\n  -> register-RegisterModel (then)\n  -> register-QualityGateFailed (else)\n"},
		{"a CreateModel a dependency waits for stays", "false", strings.Replace(gateSteps, "          - {step_name: eval", serve+"          - {step_name: eval", 1), "      - serve >> eval\n",
			[]string{"train", "create-CreateModel", "score", "serve-CreateModel", "eval", "register-QualityGate"},
			[]string{"register-RegisterModel"}, ""},
		{"a CreateModel that only the registration waits for moves", "false", strings.Replace(gateSteps, "          - {step_name: register", serve+"          - {step_name: register", 1), "      - serve >> register\n",
			[]string{"train", "create-CreateModel", "score", "eval", "register-QualityGate"},
			[]string{"serve-CreateModel", "register-RegisterModel"}, ""},
		{"repack steps move with their model", "true", strings.Replace(gateSteps, "          - {step_name: register", serve+"          - {step_name: register", 1), "",
			[]string{"train", "create-RepackModel-0", "create-CreateModel", "score", "eval", "register-QualityGate"},
			[]string{"serve-RepackModel-0", "serve-CreateModel", "register-RepackModel-0", "register-RegisterModel"},
			"register-QualityGate (QualityGate)\n  -> serve-RepackModel-0 (then)\n  -> register-RepackModel-0 (then)\n  -> register-QualityGateFailed (else)\n"},
		{"a CreateModel after the registration stays", "false", gateSteps + serve, "",
			[]string{"train", "create-CreateModel", "score", "eval", "register-QualityGate", "serve-CreateModel"},
			[]string{"register-RegisterModel"}, ""},
		{"a dependency on the registration applies to it, not to the gate", "false", gateSteps, "      - eval >> register\n",
			[]string{"train", "create-CreateModel", "score", "eval", "register-QualityGate"},
			[]string{"register-RegisterModel"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, doc := gatedPipeline(t, gateConf("        ModelRepack: "+tt.repack+"\n"+g, tt.steps, tt.deps))
			if diff := cmp.Diff(tt.wantTop, names(doc["Steps"])); diff != "" {
				t.Errorf("top-level steps (-want +got):\n%s", diff)
			}
			args := stepNamed(t, doc, "register-QualityGate")["Arguments"].(map[string]any)
			if diff := cmp.Diff(tt.wantIf, names(args["IfSteps"])); diff != "" {
				t.Errorf("IfSteps (-want +got):\n%s", diff)
			}
			for _, name := range tt.wantIf {
				if n, _ := p.Graph.Node(name); n.Settings["runs_if"] != "register-QualityGate passes" {
					t.Errorf("%s: runs_if = %q", name, n.Settings["runs_if"])
				}
			}
			if tt.wantGraph != "" {
				_, got, _ := strings.Cut(p.Graph.String(), "register-QualityGate (QualityGate)\n")
				got, _, _ = strings.Cut(got, "\n"+tt.wantIf[0])
				if got = "register-QualityGate (QualityGate)\n" + got + "\n"; got != tt.wantGraph {
					t.Errorf("gate edges:\n%s\nwant:\n%s", got, tt.wantGraph)
				}
			}
		})
	}

	t.Run("each registration has its own gate", func(t *testing.T) {
		steps := gateSteps + serve + register2
		_, doc := gatedPipeline(t, gateConf("        ModelRepack: false\n"+g, steps, ""))
		if diff := cmp.Diff([]string{"train", "create-CreateModel", "score", "eval", "register-QualityGate", "register2-QualityGate"}, names(doc["Steps"])); diff != "" {
			t.Errorf("top-level steps (-want +got):\n%s", diff)
		}
		for gate, want := range map[string][]string{
			"register-QualityGate":  {"register-RegisterModel"},
			"register2-QualityGate": {"serve-CreateModel", "register2-RegisterModel"},
		} {
			if diff := cmp.Diff(want, names(stepNamed(t, doc, gate)["Arguments"].(map[string]any)["IfSteps"])); diff != "" {
				t.Errorf("%s IfSteps (-want +got):\n%s", gate, diff)
			}
		}
	})
}

// TestGate_dependentsWarned: a step outside the gate that waits for the
// registration never runs when the gate fails; say so, once per step.
func TestGate_dependentsWarned(t *testing.T) {
	steps := gateSteps + "          - {step_name: after, step_class: Training}\n"
	conf := gateConf("        ModelRepack: true\n"+gate("metric: m.v", `operator: "<"`, "threshold: 1"), steps, "      - register >> after\n")
	res, ds := mustCompile(t, testRepo(map[string]string{"m/conf/conf.yaml": conf}), Options{Getenv: noEnv})
	var got []string
	for _, d := range ds {
		got = append(got, fmt.Sprintf("%s [%s]", d, d.Code))
	}
	want := []string{`m/conf/conf.yaml:33:9: warning: step "after" depends on "register", which runs only when quality gate "register-QualityGate" passes [quality-gate]`}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("diagnostics (-want +got):\n%s", diff)
	}
	checkDefinition(t, res.Plans[0].Definition)
}
