package compiler

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

func TestCheckArguments(t *testing.T) {
	tests := []struct {
		stepType, args, wantErr string
	}{
		{"Training", `{"RoleArn":"r","StoppingCondition":{"MaxRuntimeInSeconds":60}}`, ""},
		{"Training", `{"RoleArn":{"Get":"Parameters.Role"}}`, ""},
		{"Training", `{"roleArn":"r"}`, `Arguments: unknown field "roleArn"`},
		{"Processing", `{"ProcessingResourcez":{}}`, `Arguments: unknown field "ProcessingResourcez"`},
		{"Training", `{"StoppingCondition":{"MaxRuntimeInSeconds":"sixty"}}`, "Arguments.StoppingCondition.MaxRuntimeInSeconds: expected int32, found a string"},
		{"Training", `{"ResourceConfig":{"InstanceCount":1.5}}`, "does not fit int32"},
		{"Training", `{"ResourceConfig":{"InstanceCount":3000000000}}`, "does not fit int32"},
		{"Model", `{"PrimaryContainer":{"Environment":{"A":"b"}}}`, ""},
		{"Model", `{"PrimaryContainer":{"Environment":["A"]}}`, "expected map, found a list"},
		{"Transform", `{"TransformInput":{"DataSource":{"S3DataSource":{"S3Uri":{"Std:Join":{"On":"/","Values":["a"]}}}}}}`, ""},
		{"RegisterModel", `{"InferenceSpecification":{"Containers":[{"Image":"i"}]},"Bogus":true}`, `unknown field "Bogus"`},
		{"Lambda", `{}`, `unknown step type "Lambda"`},
		// Condition and Fail steps, as the SageMaker Python SDK writes them.
		{"Condition", `{"Conditions":[{"Type":"LessThanOrEqualTo","LeftValue":{"Std:JsonGet":{"PropertyFile":{"Get":"Steps.eval.PropertyFiles.EvaluationReport"},"Path":"a.b"}},"RightValue":0.5}],"IfSteps":[],"ElseSteps":[]}`, ""},
		{"Condition", `{"Conditions":[{"Type":"Not","Condition":{"Type":"Equals","LeftValue":1,"RightValue":2}}]}`, ""},
		{"Condition", `{"Conditions":[{"Type":"Equals","Left":1}]}`, `Arguments.Conditions[0]: unknown field "Left"`},
		{"Condition", `{"Conditions":{"Type":"Equals"}}`, "Arguments.Conditions: expected slice, found an object"},
		{"Condition", `{"Conditions":[{"Type":5}]}`, "Arguments.Conditions[0].Type: expected string, found a number"},
		{"Condition", `{"Condition":[]}`, `Arguments: unknown field "Condition"`},
		{"Fail", `{"ErrorMessage":"too bad"}`, ""},
		{"Fail", `{"ErrorMessage":{"Std:Join":{"On":"","Values":["x",{"Get":"Parameters.P"}]}}}`, ""},
		{"Fail", `{"ErrorMessage":["x"]}`, "Arguments.ErrorMessage: expected string, found a list"},
		{"Fail", `{"Message":"x"}`, `Arguments: unknown field "Message"`},
	}
	for _, tt := range tests {
		var tree any
		if err := json.Unmarshal([]byte(tt.args), &tree); err != nil {
			t.Fatal(err)
		}
		_, err := checkArguments(tt.stepType, tree)
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("%s %s: unexpected error %v", tt.stepType, tt.args, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("%s %s: error %v, want %q", tt.stepType, tt.args, err, tt.wantErr)
		}
	}
}

// TestCheckArguments_goValues checks the Go values emit encodes, as their
// JSON reads: omitted empty fields, expressions and their Get paths, bad
// names and numbers out of range.
func TestCheckArguments_goValues(t *testing.T) {
	type badTag struct {
		RoleArn string `json:"roleArn"`
	}
	type omitted struct {
		RoleArn string `json:"Bogus,omitempty"` // empty: never written, so never checked
	}
	train := &trainingArgs{
		RoleArn:         "r",
		ResourceConfig:  resourceConfig{InstanceCount: 1, InstanceType: "ml.m5.large"},
		HyperParameters: map[string]any{"b": "2", "a": "1"},
		InputDataConfig: []channel{{ChannelName: "c", DataSource: dataSource{S3DataSource: s3DataSource{
			S3DataType: "S3Prefix", S3Uri: join("/", processingOutputRef("prep", "train"), "x")}}}},
	}
	refs, err := checkArguments("Training", train)
	if err != nil || strings.Join(refs, ",") != "Steps.prep.ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri" {
		t.Errorf("valid training arguments: refs %q, error %v", refs, err)
	}
	refs, err = checkArguments("RegisterModel", &registerArgs{CustomerMetadataProperties: map[string]any{"PIPELINE_ARN": executionARN},
		InferenceSpecification: inferenceSpecification{Containers: []containerDefinition{{Image: "i", ModelDataUrl: modelArtifactsRef("train")}}}})
	if err != nil || strings.Join(refs, ",") != "Execution.PipelineExecutionArn,Steps.train.ModelArtifacts.S3ModelArtifacts" {
		t.Errorf("register arguments: refs %q, error %v", refs, err)
	}
	// A quality gate: the report's JSONGet is an expression, and its
	// property file a reference; the Fail step's Join reads it too.
	report := propertyFileValue("eval", evaluationReport, "regression_metrics.mse.value")
	refs, err = checkArguments("Condition", &conditionArgs{Conditions: []any{
		comparison{Type: "LessThan", LeftValue: report, RightValue: 0.5},
		negation{Type: "Not", Condition: comparison{Type: "Equals", LeftValue: report, RightValue: 1.0}},
	}})
	if want := "Steps.eval.PropertyFiles.EvaluationReport,Steps.eval.PropertyFiles.EvaluationReport"; err != nil || strings.Join(refs, ",") != want {
		t.Errorf("condition arguments: refs %q, error %v", refs, err)
	}
	refs, err = checkArguments("Fail", &failArgs{ErrorMessage: join("", "mse is ", report)})
	if err != nil || strings.Join(refs, ",") != "Steps.eval.PropertyFiles.EvaluationReport" {
		t.Errorf("fail arguments: refs %q, error %v", refs, err)
	}
	for _, tt := range []struct {
		args    any
		wantErr string
	}{
		{badTag{RoleArn: "r"}, `Arguments: unknown field "roleArn"`},
		{omitted{}, ""},
		{omitted{RoleArn: "x"}, `Arguments: unknown field "Bogus"`},
		{&trainingArgs{ResourceConfig: resourceConfig{InstanceCount: 3_000_000_000}}, "Arguments.ResourceConfig.InstanceCount: 3e+09 does not fit int32"},
		{&trainingArgs{HyperParameters: map[string]any{"x": 1}}, "Arguments.HyperParameters[x]: expected string, found a number"},
		{&trainingArgs{InputDataConfig: []channel{{DataSource: dataSource{S3DataSource: s3DataSource{S3Uri: true}}}}},
			"Arguments.InputDataConfig[0].DataSource.S3DataSource.S3Uri: expected string, found a boolean"},
	} {
		_, err := checkArguments("Training", tt.args)
		if got := fmt.Sprint(err); (tt.wantErr == "" && err != nil) || (tt.wantErr != "" && got != tt.wantErr) {
			t.Errorf("%#v: error %v, want %q", tt.args, err, tt.wantErr)
		}
	}
}
