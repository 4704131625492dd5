package compiler

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestCompile_fidelity checks the points where smpipe writes what the
// original framework (with the SageMaker Python SDK) wrote, by the JSON
// value at a path of the emitted definition. The wanted values are the
// original's, as its own definitions show them.
func TestCompile_fidelity(t *testing.T) {
	join := func(get, tail string) any {
		return map[string]any{"Std:Join": map[string]any{"On": "/", "Values": []any{map[string]any{"Get": get}, tail}}}
	}
	tests := []struct {
		name, repo, step string
		path             []string
		want             any
	}{
		// Hyperparameters are JSON-encoded, as the SDK's estimator did
		// whenever a source directory was set (always, in the original).
		{"hyperparameter string", "loan-default", "loan-Fit", []string{"HyperParameters", "objective"}, `"binary:logistic"`},
		{"hyperparameter integer", "loan-default", "loan-Fit", []string{"HyperParameters", "num_round"}, `250`},
		{"hyperparameter float as a string", "loan-default", "loan-Fit", []string{"HyperParameters", "eta"}, `"0.1"`},
		{"hyperparameter float", "loan-default", "loan-Fit", []string{"HyperParameters", "subsample"}, `0.8`},
		{"hyperparameter boolean", "loan-default", "loan-Fit", []string{"HyperParameters", "balance_classes"}, `true`},
		{"sagemaker hyperparameter", "loan-default", "loan-Fit", []string{"HyperParameters", "sagemaker_container_log_level"}, `20`},
		// A chained Transform reads Std:Join("/", [output, prefix or ""]).
		{"chained transform without prefix", "loan-default", "loan-Score", []string{"TransformInput", "DataSource", "S3DataSource", "S3Uri"},
			join("Steps.loan-Split.ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri", "")},
		{"chained transform with prefix", "housing-tf", "house-Predict", []string{"TransformInput", "DataSource", "S3DataSource", "S3Uri"},
			join("Steps.house-Prepare.ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri", "test/x_test.csv")},
		// input_mode sets each channel's InputMode; the algorithm's
		// TrainingInputMode stays File, as the original wrote it.
		{"training input mode", "credit-risk", "scorer-Train", []string{"AlgorithmSpecification", "TrainingInputMode"}, "File"},
		{"channel input mode", "credit-risk", "scorer-Train", []string{"InputDataConfig", "0", "InputMode"}, "FastFile"},
		// No approval_status: the original wrote PendingManualApproval.
		{"approval status default", "loan-default", "loan-Register-RegisterModel", []string{"ModelApprovalStatus"}, "PendingManualApproval"},
	}
	defs := map[string]map[string]any{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args, ok := defs[tt.repo+"/"+tt.step]
			if !ok {
				args = stepArguments(t, tt.repo, tt.step)
				defs[tt.repo+"/"+tt.step] = args
			}
			var got any = args
			for _, k := range tt.path {
				switch v := got.(type) {
				case map[string]any:
					got = v[k]
				case []any:
					i, err := strconv.Atoi(k)
					if err != nil || i >= len(v) {
						t.Fatalf("Arguments.%v: no item %s", tt.path, k)
					}
					got = v[i]
				default:
					got = nil
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Arguments.%v (-original +smpipe):\n%s", tt.path, diff)
			}
		})
	}
}

// stepArguments compiles an example repository and returns the Arguments
// of one step, decoded.
func stepArguments(t *testing.T, repo, step string) map[string]any {
	t.Helper()
	res := compileDir(t, filepath.Join("..", "testdata", "conf", "ok", repo))
	for _, p := range res.Plans {
		var doc struct {
			Steps []struct {
				Name      string
				Arguments map[string]any
			}
		}
		if err := json.Unmarshal(p.Definition, &doc); err != nil {
			t.Fatal(err)
		}
		for _, s := range doc.Steps {
			if s.Name == step {
				return s.Arguments
			}
		}
	}
	t.Fatalf("%s: no step %q", repo, step)
	return nil
}

// TestCompile_transformOfTrainingOutput: a Transform chained from a
// Training step reads its model.tar.gz object, where the original's
// Std:Join(["…/model.tar.gz", ""]) named no object (README, differences).
func TestCompile_transformOfTrainingOutput(t *testing.T) {
	const conf = `conf:
  models:
    m:
      source_directory: src
      train:
        image_uri: img
        entry_point: train/train.py
      transform:
        entry_point: serve/inference.py
      registry:
        ModelRepack: false
        InferenceSpecification:
          image_uri: serve-img
  sagemakerPipeline:
    pipelineName: p
    models:
      m:
        steps:
          - step_name: train
            step_class: Training
          - step_name: create
            step_class: CreateModel
          - step_name: score
            step_class: Transform
            chain_input_source_step: [train]
`
	artifacts := map[string]any{"Get": "Steps.train.ModelArtifacts.S3ModelArtifacts"}
	for _, tt := range []struct {
		prefix string
		want   any
	}{
		{"", artifacts},
		{"            chain_input_additional_prefix: /extra/\n", map[string]any{"Std:Join": map[string]any{"On": "/", "Values": []any{artifacts, "extra/"}}}},
	} {
		res, ds := mustCompile(t, testRepo(map[string]string{"m/conf/conf.yaml": conf + tt.prefix}), Options{Getenv: noEnv})
		if len(ds) > 0 {
			t.Fatal(ds)
		}
		var doc struct {
			Steps []struct {
				Name      string
				Arguments map[string]any
			}
		}
		if err := json.Unmarshal(res.Plans[0].Definition, &doc); err != nil {
			t.Fatal(err)
		}
		got := doc.Steps[2].Arguments["TransformInput"].(map[string]any)["DataSource"].(map[string]any)["S3DataSource"].(map[string]any)["S3Uri"]
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("prefix %q: S3Uri (-want +got):\n%s", tt.prefix, diff)
		}
	}
}

// TestCompile_repackFromRootSourceDirectory: with source_directory "." the
// inference code ModelRepack packs lies inside it, as the entry points of
// the other steps do (the repack check once compared prefixes with "./").
func TestCompile_repackFromRootSourceDirectory(t *testing.T) {
	for _, dir := range []string{`"."`, "./"} {
		conf := `conf:
  models:
    m:
      source_directory: ` + dir + `
      train:
        image_uri: img
        entry_point: src/train/train.py
      transform:
        entry_point: src/serve/inference.py
      registry:
        InferenceSpecification:
          image_uri: serve-img
  sagemakerPipeline:
    pipelineName: p
    models:
      m:
        steps:
          - step_name: train
            step_class: Training
          - step_name: create
            step_class: CreateModel
`
		res, ds := mustCompile(t, testRepo(map[string]string{"m/conf/conf.yaml": conf}), Options{Getenv: noEnv})
		if ds.HasErrors() {
			t.Fatalf("source_directory %s: %v", dir, ds)
		}
		var doc struct{ Steps []struct{ Name string } }
		if err := json.Unmarshal(res.Plans[0].Definition, &doc); err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, s := range doc.Steps {
			names = append(names, s.Name)
		}
		if want := []string{"train", "create-RepackModel-0", "create-CreateModel"}; !slices.Equal(names, want) {
			t.Errorf("source_directory %s: steps %q, want %q", dir, names, want)
		}
	}
}
