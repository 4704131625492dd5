package results

import (
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// model is a modelDef as the tests spell it.
type model struct {
	Step, Register, Group, Report string
	Gate                          *Gate
	FailSteps                     []string
}

func models(d *definition) []model {
	var out []model
	for _, m := range d.models {
		x := model{Step: m.step, Register: m.register, Group: m.group}
		if r := m.report; r != nil {
			x.Report = r.step + "/" + r.property + "/" + r.output + "/" + r.file
			x.Gate, x.FailSteps = r.gate, r.failSteps
		}
		out = append(out, x)
	}
	return out
}

func TestParseDefinition(t *testing.T) {
	const report = `"PropertyFiles": [{"PropertyFileName": "EvaluationReport", "OutputName": "model_evaluation_metrics", "FilePath": "model_evaluation_metrics.json"}]`
	const metricsOf = `"ModelMetrics": {"ModelQuality": {"Statistics": {"S3Uri": {"Std:Join": {"On": "/", "Values": [{"Get": "Steps.m-Evaluate.ProcessingOutputConfig.Outputs['model_evaluation_metrics'].S3Output.S3Uri"}, "model_evaluation_metrics.json"]}}}}}`
	gate := func(condition string) string {
		return `{"Steps": [
			{"Name": "m-Evaluate", "Type": "Processing", ` + report + `},
			{"Name": "m-Register-QualityGate", "Type": "Condition", "Arguments": {"Conditions": [` + condition + `],
				"IfSteps": [{"Name": "m-Register-RegisterModel", "Type": "RegisterModel", "Arguments": {"ModelPackageGroupName": "g", ` + metricsOf + `}}],
				"ElseSteps": [{"Name": "m-Register-QualityGateFailed", "Type": "Fail", "Arguments": {}}]}}]}`
	}
	const mse = `"LeftValue": {"Std:JsonGet": {"PropertyFile": {"Get": "Steps.m-Evaluate.PropertyFiles.EvaluationReport"}, "Path": "regression_metrics.mse.value"}}, "RightValue": 0.5`
	gated := func(op string) []model {
		return []model{{Step: "m-Register-RegisterModel", Register: "m-Register-RegisterModel", Group: "g",
			Report:    "m-Evaluate/EvaluationReport/model_evaluation_metrics/model_evaluation_metrics.json",
			Gate:      &Gate{Step: "m-Register-QualityGate", Metric: "regression_metrics.mse.value", Operator: op, Threshold: 0.5},
			FailSteps: []string{"m-Register-QualityGateFailed"}}}
	}
	for _, tc := range []struct {
		name, definition string
		want             []model
	}{
		{"less or equal", gate(`{"Type": "LessThanOrEqualTo", ` + mse + `}`), gated("<=")},
		// SageMaker has no not-equal: the compiler writes Not(Equals).
		{"not equal", gate(`{"Type": "Not", "Condition": {"Type": "Equals", ` + mse + `}}`), gated("!=")},
		{"not less than", gate(`{"Type": "Not", "Condition": {"Type": "LessThan", ` + mse + `}}`), gated(">=")},
		{"a condition on something else", gate(`{"Type": "Equals", "LeftValue": {"Get": "Parameters.Mode"}, "RightValue": 1}`),
			[]model{{Step: "m-Register-RegisterModel", Register: "m-Register-RegisterModel", Group: "g",
				Report: "m-Evaluate/EvaluationReport/model_evaluation_metrics/model_evaluation_metrics.json"}}},
		{"metrics without a registration", `{"Steps": [{"Name": "m-Evaluate", "Type": "Processing", ` + report + `}]}`,
			[]model{{Step: "m-Evaluate", Report: "m-Evaluate/EvaluationReport/model_evaluation_metrics/model_evaluation_metrics.json"}}},
		{"a registration without metrics, its group a parameter",
			`{"Steps": [{"Name": "m-Register-RegisterModel", "Type": "RegisterModel", "Arguments": {"ModelPackageGroupName": {"Get": "Parameters.Group"}}}]}`,
			[]model{{Step: "m-Register-RegisterModel", Register: "m-Register-RegisterModel"}}},
		{"no steps", `{"Version": "2020-12-01"}`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := parseDefinition([]byte(tc.definition))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, models(d)); diff != "" {
				t.Errorf("models (-want +got):\n%s", diff)
			}
		})
	}
	if _, err := parseDefinition([]byte(`{"Steps": [`)); err == nil {
		t.Error("a definition that is not JSON parsed")
	}
}

// The compiler's gated example and the two-model one: each model with
// its report, gate and group, in the definition's order.
func TestParseDefinition_examples(t *testing.T) {
	for _, tc := range []struct {
		file string
		want []model
	}{
		{"../compiler/testdata/golden/wine-gate/wine-quality-gated.json", []model{{Step: "wine-Register-RegisterModel", Register: "wine-Register-RegisterModel",
			Group: "wine-quality", Report: "wine-Evaluate/EvaluationReport/model_evaluation_metrics/model_evaluation_metrics.json",
			Gate:      &Gate{Step: "wine-Register-QualityGate", Metric: "regression_metrics.mse.value", Operator: "<=", Threshold: 0.5},
			FailSteps: []string{"wine-Register-QualityGateFailed"}}}},
		{"../compiler/testdata/golden/multi-model/search-ranking.json", []model{
			{Step: "embeddings-Register-RegisterModel", Register: "embeddings-Register-RegisterModel", Group: "search-ranking-item-embeddings"},
			{Step: "ranker-Register-RegisterModel", Register: "ranker-Register-RegisterModel", Group: "search-ranking-search-ranker"}}},
		{"testdata/definitions/two-models.json", []model{
			{Step: "ranker-Register-RegisterModel", Register: "ranker-Register-RegisterModel", Group: "search-ranker",
				Report:    "ranker-Evaluate/EvaluationReport/model_evaluation_metrics/model_evaluation_metrics.json",
				Gate:      &Gate{Step: "ranker-Register-QualityGate", Metric: "binary_classification_metrics.auc.value", Operator: ">=", Threshold: 0.8},
				FailSteps: []string{"ranker-Register-QualityGateFailed"}},
			{Step: "embed-Register-RegisterModel", Register: "embed-Register-RegisterModel", Group: "item-embeddings",
				Report: "embed-Evaluate/EvaluationReport/model_evaluation_metrics/model_evaluation_metrics.json"}}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			b, err := os.ReadFile(tc.file)
			if err != nil {
				t.Fatal(err)
			}
			d, err := parseDefinition(b)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, models(d)); diff != "" {
				t.Errorf("models (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLowerIsBetter(t *testing.T) {
	yes, no := true, false
	for _, tc := range []struct {
		path string
		gate *Gate
		want *bool
	}{
		{"regression_metrics.mse.value", nil, &yes},
		{"binary_classification_metrics.false_positive_rate.value", nil, &yes},
		{"binary_classification_metrics.true_positive_rate.value", nil, &no},
		{"val_loss", nil, &yes},
		{"test_accuracy", nil, &no},
		{"throughput", nil, nil},
		// The gate's operator wins over the name.
		{"custom.score", &Gate{Metric: "custom.score", Operator: "<"}, &yes},
		{"regression_metrics.mse.value", &Gate{Metric: "regression_metrics.mse.value", Operator: ">="}, &no},
		{"regression_metrics.mse.value", &Gate{Metric: "regression_metrics.mse.value", Operator: "=="}, &yes},
	} {
		if got := lowerIsBetter(tc.path, tc.gate); !cmp.Equal(got, tc.want) {
			t.Errorf("lowerIsBetter(%q, %+v) = %v, want %v", tc.path, tc.gate, deref(got), deref(tc.want))
		}
	}
}

func deref(b *bool) any {
	if b == nil {
		return nil
	}
	return *b
}
