package compiler

import (
	"encoding/json"
	"path/filepath"
	"testing"
)

// checkDefinition runs the compiler's own checks on a definition as
// SageMaker receives it, not on the Go values it was encoded from: every
// step, at the top or in a Condition step's branches, has a unique name,
// Arguments that fit its request type, and references that resolve.
func checkDefinition(t *testing.T, def []byte) {
	t.Helper()
	var doc struct{ Steps []map[string]any }
	if err := json.Unmarshal(def, &doc); err != nil {
		t.Fatal(err)
	}
	steps := map[string]*Step{}
	var all []map[string]any
	var walk func(list []map[string]any)
	walk = func(list []map[string]any) {
		for _, raw := range list {
			s := &Step{Name: raw["Name"].(string), Type: raw["Type"].(string)}
			if _, dup := steps[s.Name]; dup {
				t.Errorf("step %q appears twice", s.Name)
			}
			steps[s.Name] = s
			all = append(all, raw)
			args, _ := raw["Arguments"].(map[string]any)
			if oc, ok := args["ProcessingOutputConfig"].(map[string]any); ok {
				for _, o := range oc["Outputs"].([]any) {
					s.Outputs = append(s.Outputs, o.(map[string]any)["OutputName"].(string))
				}
			}
			if files, ok := raw["PropertyFiles"].([]any); ok {
				for _, f := range files {
					s.PropertyFiles = append(s.PropertyFiles, propertyFile{PropertyFileName: f.(map[string]any)["PropertyFileName"].(string)})
				}
			}
			if s.Type == "Condition" {
				for _, branch := range []string{"IfSteps", "ElseSteps"} {
					var nested []map[string]any
					for _, n := range args[branch].([]any) {
						nested = append(nested, n.(map[string]any))
					}
					walk(nested)
				}
			}
		}
	}
	walk(doc.Steps)
	for _, raw := range all {
		name, typ := raw["Name"].(string), raw["Type"].(string)
		args := raw["Arguments"].(map[string]any)
		if typ == "Condition" { // the branches were checked as steps of their own
			args = map[string]any{"Conditions": args["Conditions"]}
		}
		refs, err := checkArguments(typ, args)
		if err != nil {
			t.Errorf("step %q: %v", name, err)
		}
		for _, ref := range refs {
			if _, err := checkRef(ref, steps); err != nil {
				t.Errorf("step %q: %v", name, err)
			}
		}
		deps, _ := raw["DependsOn"].([]any)
		for _, d := range deps {
			if steps[d.(string)] == nil {
				t.Errorf("step %q depends on unknown step %q", name, d)
			}
		}
	}
}

// TestCompile_definitionsPassChecks checks every example's definition,
// read back from its JSON.
func TestCompile_definitionsPassChecks(t *testing.T) {
	for _, dir := range exampleRepos(t) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			for _, p := range compileDir(t, dir).Plans {
				checkDefinition(t, p.Definition)
			}
		})
	}
}
