package diff

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/smpipe/smpipe-action/compiler/graph"
)

func readDefinition(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "definitions", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// renderDefinitionDiff writes every field of a definition comparison a
// reader of the golden file needs to judge it.
func renderDefinitionDiff(p Pipeline) string {
	var b strings.Builder
	b.WriteString("pipeline " + p.Name + ": " + p.Status.String() + " (" + p.Summary() + ")\n")
	b.WriteString("hash " + p.OldHash + " -> " + p.NewHash + "\n")
	writeChanges := func(indent string, cs []SettingChange) {
		for _, c := range cs {
			old, cur := strconv.Quote(c.Old), strconv.Quote(c.New)
			if !c.OldSet {
				old = "(not set)"
			}
			if !c.NewSet {
				cur = "(not set)"
			}
			b.WriteString(indent + c.Path + ": " + old + " -> " + cur + "\n")
		}
	}
	if len(p.Settings) > 0 {
		b.WriteString("pipeline settings:\n")
		writeChanges("  ", p.Settings)
	}
	for _, s := range p.Steps {
		b.WriteString("step " + s.Name + " (" + s.Kind + "): " + s.Status.String() + "\n")
		writeChanges("  ", s.Settings)
	}
	for _, e := range p.Edges {
		b.WriteString("edge " + e.Status.String() + ": " + e.Edge.From + " -> " + e.Edge.To + " (" + e.Edge.Kind.String() + ")\n")
	}
	var nodes []string
	for _, n := range p.Merged.Nodes {
		nodes = append(nodes, n.Name+"="+p.StepStatus[n.Name].String())
	}
	b.WriteString("graph: " + strings.Join(nodes, ", ") + "\n")
	b.WriteString("definition diff: " + strconv.Itoa(strings.Count(p.DefinitionDiff, "\n")) + " lines\n")
	return b.String()
}

func TestDefinitions(t *testing.T) {
	t.Parallel()
	base := readDefinition(t, "base")
	for _, name := range []string{"console_edit", "step_added_removed", "parameters", "hostile_keys", "model_under_condition"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p, err := Definitions("churn", base, readDefinition(t, name), testKind)
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, "definitions/"+name+".golden", renderDefinitionDiff(p))
			checkGolden(t, "definitions/"+name+".diff", p.DefinitionDiff)
			again, _ := Definitions("churn", base, readDefinition(t, name), testKind)
			if renderDefinitionDiff(again) != renderDefinitionDiff(p) || again.DefinitionDiff != p.DefinitionDiff {
				t.Error("two comparisons of the same definitions differ")
			}
		})
	}
}

func TestDefinitions_sameValueOtherFormatting(t *testing.T) {
	t.Parallel()
	base := readDefinition(t, "base")
	p, err := Definitions("churn", base, []byte(" \n"+string(base)+"\n"), testKind)
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != Unchanged || p.OldHash != p.NewHash || p.DefinitionDiff != "" {
		t.Errorf("whitespace alone changed the comparison: %s, %s -> %s\n%s", p.Status, p.OldHash, p.NewHash, p.DefinitionDiff)
	}
}

func TestDefinitions_addedAndRemoved(t *testing.T) {
	t.Parallel()
	base := readDefinition(t, "base")
	added, err := Definitions("churn", nil, base, testKind)
	if err != nil || added.Status != Added || len(added.Steps) != 3 || added.Steps[0].Status != Added || added.OldHash != "" {
		t.Errorf("nil old: %v %+v", err, added)
	}
	removed, err := Definitions("churn", base, nil, testKind)
	if err != nil || removed.Status != Removed || len(removed.Steps) != 3 || removed.NewHash != "" {
		t.Errorf("nil new: %v %+v", err, removed)
	}
}

// TestDefinitions_keysThatLookLikePaths: a member whose key holds path
// syntax must not share a path with nested members, or one could hide a
// change to the other.
func TestDefinitions_keysThatLookLikePaths(t *testing.T) {
	t.Parallel()
	def := func(env string) []byte {
		return []byte(`{"Steps":[{"Name":"s","Type":"Processing","Arguments":{"Environment":` + env + `}}]}`)
	}
	p, err := Definitions("p", def(`{"A":{"B":"x"}}`), def(`{"A.B":"x"}`), testKind)
	if err != nil {
		t.Fatal(err)
	}
	want := []SettingChange{
		{Path: `Arguments.Environment.A.B`, Old: "x", OldSet: true},
		{Path: `Arguments.Environment["A.B"]`, New: "x", NewSet: true},
	}
	if len(p.Steps) != 1 {
		t.Fatalf("steps = %+v", p.Steps)
	}
	if diff := cmp.Diff(want, p.Steps[0].Settings); diff != "" {
		t.Errorf("settings (-want +got):\n%s", diff)
	}
}

func TestDefinitions_errors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		def  string
		want string
	}{
		{"not JSON", `{"Steps":`, "reading the new definition"},
		{"not an object", `[1]`, "not a JSON object"},
		{"steps not an array", `{"Steps":{}}`, `"Steps" is not an array`},
		{"step not an object", `{"Steps":[1]}`, "step 1 is not an object"},
		{"step without a name", `{"Steps":[{"Type":"Training"}]}`, "step 1 has no Name"},
		{"nested step without a name", `{"Steps":[{"Name":"c","Type":"Condition","Arguments":{"IfSteps":[],"ElseSteps":[{"Name":"f"},{"Type":"Fail"}]}}]}`, `step 2 of ElseSteps of "c" has no Name`},
		{"nested step not an object", `{"Steps":[{"Name":"c","Type":"Condition","Arguments":{"IfSteps":["x"]}}]}`, `step 1 of IfSteps of "c" is not an object`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Definitions("p", []byte(`{}`), []byte(tc.def), testKind)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestDefinitions_edgesFromReferences(t *testing.T) {
	t.Parallel()
	def := []byte(`{"Steps":[
		{"Name":"a","Type":"Processing"},
		{"Name":"b","Type":"Training","DependsOn":["a"]},
		{"Name":"c","Type":"Condition","Arguments":{"Conditions":[{"LeftValue":{"Std:JsonGet":{"PropertyFile":{"Get":"Steps.b.PropertyFiles.metrics"},"Path":"x"}}}]}},
		{"Name":"d","Type":"Model","Arguments":{"Image":{"Get":"Steps.a.ProcessingOutputConfig.Outputs['o'].S3Output.S3Uri"},"Other":{"Get":"Execution.PipelineExecutionId"}}},
		{"Name":"a.b","Type":"Processing"},
		{"Name":"e","Type":"Training","Arguments":{"X":{"Get":"Steps.a.b.ProcessingOutputConfig"},"Y":{"Get":"Steps.gone.Z"}}}
	]}`)
	p, err := Definitions("p", nil, def, testKind)
	if err != nil {
		t.Fatal(err)
	}
	want := []graph.Edge{
		{From: "a", To: "b", Kind: graph.DependsOn},
		{From: "a", To: "d", Kind: graph.Data},
		{From: "b", To: "c", Kind: graph.Data},
		{From: "a.b", To: "e", Kind: graph.Data},
	}
	if diff := cmp.Diff(want, p.Merged.Edges); diff != "" {
		t.Errorf("edges (-want +got):\n%s", diff)
	}
	if p.Steps[3].Kind != "CreateModel" {
		t.Errorf("kind of a Model step = %q, want CreateModel", p.Steps[3].Kind)
	}
}

// BenchmarkDefinitions compares two 300-step definitions that differ in one
// setting, as a drift check of a large live pipeline does.
func BenchmarkDefinitions(b *testing.B) {
	def := func(changed string) []byte {
		var steps []string
		for i := range 300 {
			v := "ml.m5.large"
			if i == 150 {
				v = changed
			}
			steps = append(steps, fmt.Sprintf(`{"Name":"s%d","Type":"Processing","DependsOn":["s%d"],"Arguments":{"ProcessingResources":{"ClusterConfig":{"InstanceType":%q,"InstanceCount":1}},"Environment":{"A":"1","B":"2"},"ProcessingInputs":[{"S3Input":{"S3Uri":{"Get":"Steps.s%d.ProcessingOutputConfig.Outputs['o'].S3Output.S3Uri"}}}]}}`, i, max(i-1, 0), v, max(i-1, 0)))
		}
		return []byte(`{"Version":"2020-12-01","Steps":[` + strings.Join(steps, ",") + `]}`)
	}
	old, cur := def("ml.m5.large"), def("ml.m5.xlarge")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Definitions("p", old, cur, testKind); err != nil {
			b.Fatal(err)
		}
	}
}

// testKind names steps as the compiler does for the Types these tests use.
func testKind(stepType string) (string, graph.Shape) {
	if stepType == "Model" {
		return "CreateModel", graph.Subroutine
	}
	return stepType, graph.Rectangle
}
