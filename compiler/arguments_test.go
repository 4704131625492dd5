package compiler

import (
	"encoding/json"
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
		{"Fail", `{}`, `unknown step type "Fail"`},
	}
	for _, tt := range tests {
		var tree any
		if err := json.Unmarshal([]byte(tt.args), &tree); err != nil {
			t.Fatal(err)
		}
		err := checkArguments(tt.stepType, tree)
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("%s %s: unexpected error %v", tt.stepType, tt.args, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("%s %s: error %v, want %q", tt.stepType, tt.args, err, tt.wantErr)
		}
	}
}
