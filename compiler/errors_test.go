package compiler

import (
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

const testFramework = `conf:
  s3Bucket: test-bucket
  sagemakerNetworkSecurity:
    role: arn:aws:iam::123456789012:role/test
`

// testRepo is a small repository: a framework conf, a source tree, and the
// conf files of a case.
func testRepo(files map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{
		"framework/conf/conf.yaml":   {Data: []byte(testFramework)},
		"src/prep.py":                {Data: []byte("print('prep')\n")},
		"src/evaluate.py":            {Data: []byte("print('evaluate')\n")},
		"src/train/train.py":         {Data: []byte("print('train')\n")},
		"src/train/requirements.txt": {Data: []byte("numpy\n")},
		"src/serve/inference.py":     {Data: []byte("print('serve')\n")},
	}
	for name, body := range files {
		if target, ok := strings.CutPrefix(body, "symlink:"); ok {
			fsys[name] = &fstest.MapFile{Data: []byte(target), Mode: 0o777 | 1<<27 /* fs.ModeSymlink */}
			continue
		}
		fsys[name] = &fstest.MapFile{Data: []byte(body)}
	}
	return fsys
}

// model is a valid model "m" with every section; cases edit copies of it.
const model = `conf:
  models:
    m:
      source_directory: src
      prep:
        image_uri: img
        entry_point: prep.py
      train:
        image_uri: img
        entry_point: train/train.py
      transform:
        entry_point: serve/inference.py
      evaluate:
        image_uri: img
        entry_point: evaluate.py
      registry:
        ModelRepack: false
        InferenceSpecification:
          image_uri: serve-img
`

// pipeline appends an anchor with the given steps (already indented) and
// dependencies.
func pipeline(steps string, deps ...string) string {
	s := "  sagemakerPipeline:\n    pipelineName: p\n    models:\n      m:\n        steps:\n" + steps
	if len(deps) > 0 {
		s += "    dependencies:\n"
		for _, d := range deps {
			s += "      - " + d + "\n"
		}
	}
	return s
}

func step(name, class string, extra ...string) string {
	s := "          - step_name: " + name + "\n            step_class: " + class + "\n"
	for _, e := range extra {
		s += "            " + e + "\n"
	}
	return s
}

var fullChain = step("prep", "Processing", "step_type: prep") +
	step("train", "Training", "chain_input_source_step: [prep]") +
	step("create", "CreateModel") +
	step("transform", "Transform", "chain_input_source_step: [prep]") +
	step("metrics", "Metrics", "chain_input_source_step: [transform]") +
	step("register", "RegisterModel")

func TestCompile_errors(t *testing.T) {
	const f = "m/conf/conf.yaml"
	tests := []struct {
		name  string
		files map[string]string
		env   map[string]string
		opt   Options
		want  []string
	}{
		// Each want line is the exact diagnostic, in output order.
		{name: "missing conf key", files: map[string]string{f: "models: {}\n"},
			want: []string{
				"m/conf/conf.yaml:1:1: error: missing key \"conf\" at the top of the file",
				"m/conf/conf.yaml:1:1: warning: unknown key \"models\" in the file",
			}},
		{name: "unknown top-level key", files: map[string]string{f: "confs:\n  models: {}\n"},
			want: []string{
				"m/conf/conf.yaml:1:1: error: missing key \"conf\" at the top of the file",
				"m/conf/conf.yaml:1:1: warning: unknown key \"confs\" in the file; did you mean \"conf\"?",
			}},
		{name: "missing pipelineName", files: map[string]string{f: model + "  sagemakerPipeline:\n    models:\n      m:\n        steps: []\n"},
			want: []string{
				"m/conf/conf.yaml:20:3: error: sagemakerPipeline is missing required key \"pipelineName\"",
			}},
		{name: "missing pipeline models", files: map[string]string{f: model + "  sagemakerPipeline:\n    pipelineName: p\n"},
			want: []string{
				"m/conf/conf.yaml:20:3: error: sagemakerPipeline is missing required key \"models\"",
			}},
		{name: "step without step_name", files: map[string]string{f: model + pipeline("          - step_class: Training\n")},
			want: []string{
				"m/conf/conf.yaml:25:13: error: step 1 of model \"m\" is missing required key \"step_name\"",
			}},
		{name: "step without step_class", files: map[string]string{f: model + pipeline("          - step_name: train\n")},
			want: []string{
				"m/conf/conf.yaml:25:13: error: step 1 of model \"m\" is missing required key \"step_class\"",
			}},
		{name: "step_class in the wrong case", files: map[string]string{f: model + pipeline(step("prep", "processing", "step_type: prep"))},
			want: []string{
				"m/conf/conf.yaml:26:25: error: unknown step_class \"processing\"; did you mean \"Processing\"? (step classes are case-sensitive)",
			}},
		{name: "unknown step_class with suggestion", files: map[string]string{f: model + pipeline(step("train", "Trainer"))},
			want: []string{
				"m/conf/conf.yaml:26:25: error: unknown step_class \"Trainer\"; did you mean \"Training\"? (one of Processing, Training, CreateModel, Transform, Metrics, RegisterModel)",
			}},
		{name: "invalid step_class does not cascade", files: map[string]string{f: model + pipeline(step("train", "Trainer")+step("register", "RegisterModel")+step("prep", "Processing", "step_type: prep", "chain_input_source_step: [train]"), "train >> register")},
			want: []string{
				"m/conf/conf.yaml:26:25: error: unknown step_class \"Trainer\"; did you mean \"Training\"? (one of Processing, Training, CreateModel, Transform, Metrics, RegisterModel)",
			}},
		{name: "invalid step_class upstream of a chain does not cascade", files: map[string]string{f: model + pipeline(strings.Replace(fullChain, "step_class: Training", "step_class: Trainer", 1))},
			want: []string{
				"m/conf/conf.yaml:29:25: error: unknown step_class \"Trainer\"; did you mean \"Training\"? (one of Processing, Training, CreateModel, Transform, Metrics, RegisterModel)",
			}},
		{name: "template step_class alias", files: map[string]string{f: model + pipeline(step("train", "registermodel"))},
			want: []string{
				"m/conf/conf.yaml:26:25: error: unknown step_class \"registermodel\"; did you mean \"RegisterModel\"? (step classes are case-sensitive)",
			}},
		{name: "wrong type for instance_count", files: map[string]string{f: strings.Replace(model, "entry_point: train/train.py", "entry_point: train/train.py\n        instance_count: two", 1) + pipeline(step("train", "Training"))},
			want: []string{
				"m/conf/conf.yaml:11:25: error: instance_count must be a whole number, found a string \"two\"",
			}},
		{name: "wrong type for enable_cache", files: map[string]string{f: model + pipeline(step("train", "Training", "enable_cache: maybe"))},
			want: []string{
				"m/conf/conf.yaml:27:27: error: enable_cache must be true or false, found a string \"maybe\"",
			}},
		{name: "list where a mapping is meant", files: map[string]string{f: "conf:\n  models: [a, b]\n"},
			want: []string{
				"m/conf/conf.yaml:2:11: error: models must be a mapping, found a list",
			}},
		{name: "section that is not a mapping", files: map[string]string{f: strings.Replace(model, "      train:\n        image_uri: img\n        entry_point: train/train.py\n", "      train: yes\n", 1) + pipeline(step("train", "Training"))},
			want: []string{
				"m/conf/conf.yaml:8:14: error: section \"train\" of model \"m\" must be a mapping, found a string",
				"m/conf/conf.yaml:23:13: error: Training step \"train\" needs section \"train\" in model \"m\"",
			}},
		{name: "processing channels as a string", files: map[string]string{f: strings.Replace(model, "entry_point: prep.py", "entry_point: prep.py\n        channels: train", 1) + pipeline(step("prep", "Processing", "step_type: prep"))},
			want: []string{
				"m/conf/conf.yaml:8:19: error: channels must be a mapping, found a string",
			}},
		{name: "unknown chain source", files: map[string]string{f: model + pipeline(step("prep", "Processing", "step_type: prep")+step("train", "Training", "chain_input_source_step: [prepp]"))},
			want: []string{
				"m/conf/conf.yaml:30:39: error: chain_input_source_step \"prepp\" is not a step of this pipeline; did you mean \"prep\"?",
			}},
		{name: "chain source that produces no data", files: map[string]string{f: model + pipeline(step("train", "Training")+step("create", "CreateModel")+step("train2", "Training", "chain_input_source_step: [create]"))},
			want: []string{
				"m/conf/conf.yaml:31:39: error: chain_input_source_step \"create\" is a CreateModel step, which produces no data; chain from a Processing, Training, Transform or Metrics step",
			}},
		{name: "step chaining itself", files: map[string]string{f: model + pipeline(step("prep", "Processing", "step_type: prep", "chain_input_source_step: [prep]"))},
			want: []string{
				"m/conf/conf.yaml:28:39: error: step \"prep\" cannot chain its own output as input",
			}},
		{name: "forward reference resolves", files: map[string]string{f: model + pipeline(step("train", "Training", "chain_input_source_step: [prep]")+step("prep", "Processing", "step_type: prep"))},
			want: nil},
		{name: "cross-model reference to a later model resolves", files: map[string]string{
			f: model + "  sagemakerPipeline:\n    pipelineName: p\n    models:\n      m:\n        steps:\n" + step("train", "Training", "chain_input_source_step: [other-prep]") +
				"      other:\n        steps:\n" + step("other-prep", "Processing", "step_type: prep"),
			"o/conf/conf.yaml": "conf:\n  models:\n    other:\n      source_directory: src\n      prep:\n        image_uri: img\n        entry_point: prep.py\n"},
			want: nil},
		{name: "self dependency", files: map[string]string{f: model + pipeline(step("train", "Training"), "train >> train")},
			want: []string{
				"m/conf/conf.yaml:28:9: error: step \"train\" cannot depend on itself",
			}},
		{name: "dependency on an unknown step", files: map[string]string{f: model + pipeline(step("train", "Training"), "train >> trian")},
			want: []string{
				"m/conf/conf.yaml:28:9: error: dependency \"train >> trian\" names unknown step \"trian\"; did you mean \"train\"?",
			}},
		{name: "dependency cycle", files: map[string]string{f: model + pipeline(step("prep", "Processing", "step_type: prep")+step("train", "Training"), "prep >> train", "train>>prep")},
			want: []string{
				"m/conf/conf.yaml:31:9: error: dependency cycle: \"prep\" -> \"train\" -> \"prep\"",
			}},
		{name: "cycle against the data flow", files: map[string]string{f: model + pipeline(step("prep", "Processing", "step_type: prep")+step("train", "Training", "chain_input_source_step: [prep]"), "train >> prep")},
			want: []string{
				"m/conf/conf.yaml:32:9: error: dependency cycle: \"prep\" -> \"train\" -> \"prep\"",
			}},
		{name: "dependency without arrows", files: map[string]string{f: model + pipeline(step("train", "Training"), "train")},
			want: []string{
				"m/conf/conf.yaml:28:9: warning: dependency \"train\" has no \">>\" and orders nothing",
			}},
		{name: "dependencies as a string", files: map[string]string{f: model + pipeline(step("train", "Training")) + "    dependencies: train >> train\n"},
			want: []string{
				"m/conf/conf.yaml:27:19: error: dependencies must be a list, found a string",
			}},
		{name: "duplicate step names after suffixing", files: map[string]string{f: model + pipeline(step("train", "Training")+step("x", "CreateModel")+step("x-CreateModel", "Processing", "step_type: prep"))},
			want: []string{
				"m/conf/conf.yaml:29:13: error: step name \"x-CreateModel\" is also produced by step_name \"x\" at m/conf/conf.yaml:27:13; rename one of them",
			}},
		{name: "duplicate step_name", files: map[string]string{f: model + pipeline(step("train", "Training")+step("train", "Training"))},
			want: []string{
				"m/conf/conf.yaml:27:24: error: step_name \"train\" is already used at m/conf/conf.yaml:25:24",
			}},
		{name: "invalid step name", files: map[string]string{f: model + pipeline(step("bad name!", "Training"))},
			want: []string{
				"m/conf/conf.yaml:25:13: error: invalid step name \"bad name!\": use only letters, digits, '-' and '_'",
			}},
		{name: "step name too long after suffixing", files: map[string]string{f: model + pipeline(step("train", "Training")+step(strings.Repeat("c", 60), "CreateModel"))},
			want: []string{
				"m/conf/conf.yaml:27:13: error: invalid step name \"cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc-CreateModel\": it is 72 characters, over SageMaker's 64 (smpipe derives it from step_name \"cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc\")",
			}},
		{name: "invalid pipeline name", files: map[string]string{f: strings.Replace(model+pipeline(step("train", "Training")), "pipelineName: p", "pipelineName: my_pipeline", 1)},
			want: []string{
				"m/conf/conf.yaml:21:19: error: invalid pipelineName \"my_pipeline\": use 1-256 letters, digits and single hyphens, starting and ending with a letter or digit",
			}},
		{name: "transform without createmodel", files: map[string]string{f: model + pipeline(step("train", "Training")+step("transform", "Transform", "chain_input_source_step: [train]"))},
			want: []string{
				"m/conf/conf.yaml:27:13: error: Transform step \"transform\" needs a CreateModel step before it in model \"m\"",
			}},
		{name: "metrics without transform", files: map[string]string{f: model + pipeline(step("train", "Training")+step("metrics", "Metrics", "chain_input_source_step: [train]"))},
			want: []string{
				"m/conf/conf.yaml:27:13: error: Metrics step \"metrics\" needs a Transform step before it in model \"m\"",
			}},
		{name: "two transform channels", files: map[string]string{f: strings.Replace(model, "entry_point: serve/inference.py", "entry_point: serve/inference.py\n        channels:\n          a:\n          b:", 1) + pipeline(fullChain)},
			want: []string{
				"m/conf/conf.yaml:13:9: error: transform of model \"m\" has 2 channels; a Transform step reads exactly one",
			}},
		{name: "two chain inputs on transform", files: map[string]string{f: model + pipeline(strings.Replace(fullChain, "step_class: Transform\n            chain_input_source_step: [prep]", "step_class: Transform\n            chain_input_source_step: [prep, train]", 1))},
			want: []string{
				"m/conf/conf.yaml:35:45: error: Transform step \"transform\" has 2 chain_input_source_step entries; it reads at most one",
			}},
		{name: "unresolved placeholder in role and bucket", files: map[string]string{"framework/conf/conf.yaml": "conf:\n  s3Bucket: SMP_S3BUCKETNAME\n  sagemakerNetworkSecurity:\n    role: SMP_ROLE\n", f: model + pipeline(step("train", "Training"))},
			want: []string{
				"framework/conf/conf.yaml:2:13: warning: placeholder SMP_S3BUCKETNAME is not set in the environment; the value stays \"SMP_S3BUCKETNAME\"",
				"framework/conf/conf.yaml:4:11: warning: placeholder SMP_ROLE is not set in the environment; the value stays \"SMP_ROLE\"",
			}},
		{name: "placeholders set to the empty string mean no VPC", env: map[string]string{"SMP_SUBNETS": "", "SMP_SECURITYGROUPS": ""},
			files: map[string]string{"framework/conf/conf.yaml": testFramework + "    subnets: SMP_SUBNETS\n    security_groups_id: SMP_SECURITYGROUPS\n", f: model + pipeline(step("train", "Training"))},
			want:  nil},
		{name: "placeholder promoted for deploy", opt: Options{Promote: []string{"placeholder"}}, files: map[string]string{"framework/conf/conf.yaml": "conf:\n  s3Bucket: SMP_S3BUCKETNAME\n  sagemakerNetworkSecurity:\n    role: arn:aws:iam::123456789012:role/test\n", f: model + pipeline(step("train", "Training"))},
			want: []string{
				"framework/conf/conf.yaml:2:13: error: placeholder SMP_S3BUCKETNAME is not set in the environment; the value stays \"SMP_S3BUCKETNAME\"",
			}},
		{name: "source_directory escaping the repository", files: map[string]string{f: strings.Replace(model, "source_directory: src", "source_directory: ../outside", 1) + pipeline(step("train", "Training"))},
			want: []string{
				"m/conf/conf.yaml:4:25: error: source_directory \"../outside\" is outside the repository",
			}},
		{name: "fileName escaping the repository", files: map[string]string{f: strings.Replace(model, "entry_point: train/train.py", "entry_point: train/train.py\n        channels:\n          train:\n            dataFiles:\n              - fileName: ../../secrets.csv", 1) + pipeline(step("train", "Training"))},
			want: []string{
				"m/conf/conf.yaml:14:27: error: fileName \"../../secrets.csv\" is outside the repository",
			}},
		{name: "symlink escaping the repository", files: map[string]string{f: model + pipeline(step("prep", "Processing", "step_type: prep")), "src/leak": "symlink:../../etc"},
			want: []string{
				"m/conf/conf.yaml:4:25: error: bundling source_directory \"src\": symlink src/leak -> ../../etc escapes the repository",
			}},
		{name: "source_directory symlink escaping", files: map[string]string{f: strings.Replace(model, "source_directory: src", "source_directory: code", 1) + pipeline(step("train", "Training")), "code": "symlink:/etc"},
			want: []string{
				"m/conf/conf.yaml:4:25: error: source_directory \"code\" is a symlink that leaves the repository",
			}},
		{name: "source_directory that does not exist", files: map[string]string{f: strings.Replace(model, "source_directory: src", "source_directory: scr", 1) + pipeline(step("train", "Training"))},
			want: []string{
				"m/conf/conf.yaml:4:25: error: source_directory \"scr\" does not exist",
			}},
		{name: "entry_point missing from source_directory", files: map[string]string{f: strings.Replace(model, "entry_point: train/train.py", "entry_point: train/trian.py", 1) + pipeline(step("train", "Training"))},
			want: []string{
				"m/conf/conf.yaml:10:22: error: entry_point \"train/trian.py\" not found in source_directory \"src\"",
			}},
		{name: "duplicate yaml keys", files: map[string]string{f: strings.Replace(model, "      train:\n        image_uri: img\n", "      train:\n        image_uri: img\n        image_uri: other\n", 1) + pipeline(step("train", "Training"))},
			want: []string{
				"m/conf/conf.yaml:10:9: error: key \"image_uri\" is already defined in training section \"train\" of model \"m\" at line 9",
			}},
		{name: "yaml alias bomb", files: map[string]string{f: aliasBomb()},
			want: []string{
				"m/conf/conf.yaml:1:1: warning: unknown key \"x-anchors\" in the file",
				"m/conf/conf.yaml:21:29: error: too many alias expansions; this file expands to more than 10000 nodes",
			}},
		{name: "ten megabyte file", files: map[string]string{f: "conf:\n  models: {}\n# " + strings.Repeat("x", 10<<20) + "\n"},
			want: []string{
				"m/conf/conf.yaml:1:1: error: conf file is 10.0 MiB, larger than the 1.0 MiB smpipe reads",
			}},
		{name: "yaml syntax error", files: map[string]string{f: "conf:\n  models:\n    m: [\n"},
			want: []string{
				"m/conf/conf.yaml:3:1: error: invalid YAML: did not find expected node content",
			}},
		{name: "processing without step_type", files: map[string]string{f: model + pipeline(step("prep", "Processing"))},
			want: []string{
				"m/conf/conf.yaml:25:13: error: Processing step \"prep\" needs step_type naming its section under models.m (for example preprocess)",
			}},
		{name: "step_type naming no section", files: map[string]string{f: model + pipeline(step("prep", "Processing", "step_type: prepp"))},
			want: []string{
				"m/conf/conf.yaml:27:24: error: step_type \"prepp\" of step \"prep\" names no section of model \"m\"; did you mean \"prep\"?",
			}},
		{name: "undefined model", files: map[string]string{f: strings.Replace(model+pipeline(step("train", "Training")), "      m:\n        steps:", "      mm:\n        steps:", 1)},
			want: []string{
				"m/conf/conf.yaml:23:7: error: model \"mm\" is not defined under conf.models in any conf file; did you mean \"m\"?",
			}},
		{name: "model defined in two files", files: map[string]string{f: model + pipeline(step("train", "Training")), "n/conf/conf.yaml": "conf:\n  models:\n    m:\n      source_directory: src\n"},
			want: []string{
				"n/conf/conf.yaml:3:5: error: model \"m\" is already defined at m/conf/conf.yaml:3:5",
			}},
		{name: "two anchors with one pipelineName", files: map[string]string{f: model + pipeline(step("train", "Training")), "n/conf/conf.yaml": "conf:\n  models:\n    n:\n      source_directory: src\n  sagemakerPipeline:\n    pipelineName: p\n    models:\n      n:\n        steps: []\n"},
			want: []string{
				"m/conf/conf.yaml:21:19: error: pipelineName \"p\" is also used by the anchor at n/conf/conf.yaml:6:19",
				"n/conf/conf.yaml:5:3: error: pipeline \"p\" has no steps",
				"n/conf/conf.yaml:6:19: error: pipelineName \"p\" is already used by the anchor at m/conf/conf.yaml:21:19",
			}},
		{name: "training channel with two files", files: map[string]string{f: strings.Replace(model, "entry_point: train/train.py", "entry_point: train/train.py\n        channels:\n          train:\n            dataFiles:\n              - fileName: s3://b/one.csv\n              - fileName: s3://b/two.csv", 1) + pipeline(step("train", "Training"))},
			want: []string{
				"m/conf/conf.yaml:15:17: error: training channel \"train\" has 2 dataFiles; a channel reads one S3 object or prefix, so put the files under one prefix or use one channel per file",
			}},
		{name: "training channel without files", files: map[string]string{f: strings.Replace(model, "entry_point: train/train.py", "entry_point: train/train.py\n        channels:\n          train:", 1) + pipeline(step("train", "Training"))},
			want: []string{
				"m/conf/conf.yaml:12:11: error: training channel \"train\" has no dataFiles; give it one fileName (an S3 object or prefix)",
			}},
		{name: "createmodel without training", files: map[string]string{f: model + pipeline(step("create", "CreateModel"))},
			want: []string{
				"m/conf/conf.yaml:25:13: error: CreateModel step \"create\" needs a Training step before it in model \"m\"",
			}},
		{name: "registry without image", files: map[string]string{f: strings.Replace(model, "        InferenceSpecification:\n          image_uri: serve-img\n", "", 1) + pipeline(step("train", "Training")+step("register", "RegisterModel"))},
			want: []string{
				"m/conf/conf.yaml:17:9: error: registry of model \"m\" is missing InferenceSpecification.image_uri, the image RegisterModel step \"register\" serves with",
			}},
		{name: "ModelRepack not a boolean", files: map[string]string{f: strings.Replace(model, "ModelRepack: false", "ModelRepack: maybe", 1) + pipeline(step("train", "Training")+step("create", "CreateModel"))},
			want: []string{
				"m/conf/conf.yaml:17:22: error: ModelRepack must be true or false, found a string \"maybe\"",
			}},
		{name: "repack without inference code", files: map[string]string{f: strings.Replace(strings.Replace(model, "ModelRepack: false", "ModelRepack: true", 1), "entry_point: serve/inference.py", "entry_point: serve/missing.py", 1) + pipeline(step("train", "Training")+step("create", "CreateModel"))},
			want: []string{
				"m/conf/conf.yaml:12:22: error: ModelRepack packs inference code \"serve/missing.py\" from source_directory \"src\", but it is not there; add it or set registry.ModelRepack: false",
			}},
		{name: "unknown key with suggestion", files: map[string]string{f: strings.Replace(model, "entry_point: train/train.py", "entry_point: train/train.py\n        instance_typ: ml.m5.xlarge", 1) + pipeline(step("train", "Training"))},
			want: []string{
				"m/conf/conf.yaml:11:9: warning: unknown key \"instance_typ\" in training section \"train\" of model \"m\"; did you mean \"instance_type\"?",
			}},
		{name: "unknown key under strict", opt: Options{Strict: true}, files: map[string]string{f: model + pipeline(step("train", "Training", "chain_input_source_steps: [x]"))},
			want: []string{
				"m/conf/conf.yaml:27:13: error: unknown key \"chain_input_source_steps\" in step 1 of model \"m\"; did you mean \"chain_input_source_step\"?",
			}},
		{name: "reserved hyperparameter", files: map[string]string{f: strings.Replace(model, "entry_point: train/train.py", "entry_point: train/train.py\n        hyperparams:\n          sagemaker_program: evil.py", 1) + pipeline(step("train", "Training"))},
			want: []string{
				"m/conf/conf.yaml:12:11: error: hyperparameter \"sagemaker_program\" is reserved: smpipe sets the sagemaker_* hyperparameters itself",
			}},
		{name: "invalid cache_expire_after", files: map[string]string{f: model + pipeline(step("train", "Training", "enable_cache: true", "cache_expire_after: 10d"))},
			want: []string{
				"m/conf/conf.yaml:28:33: error: cache_expire_after \"10d\" is not an ISO-8601 duration such as P10D or PT12H",
			}},
		{name: "chain_input_source_step as a string", files: map[string]string{f: model + pipeline(step("prep", "Processing", "step_type: prep")+step("train", "Training", "chain_input_source_step: prep"))},
			want: []string{
				"m/conf/conf.yaml:30:38: error: chain_input_source_step must be a list of step names, found a string; write it as [prep]",
			}},
		{name: "metrics channel missing from processing outputs", files: map[string]string{f: strings.Replace(model, "entry_point: evaluate.py", "entry_point: evaluate.py\n        channels: test", 1) + pipeline(fullChain[:len(fullChain)-len(step("register", "RegisterModel"))]+step("m2", "Metrics", "chain_input_source_step: [prep]"))},
			want: []string{
				"m/conf/conf.yaml:42:39: error: Metrics step \"m2\" reads output \"test\" of \"prep\", which has outputs \"train\"; rename the channel so they match",
			}},
		{name: "merge key", files: map[string]string{f: "conf:\n  models:\n    base: &base\n      source_directory: src\n    m:\n      <<: *base\n"},
			want: []string{
				"m/conf/conf.yaml:6:7: error: merge keys (<<) are not supported in model \"m\"; write the keys out",
			}},
		{name: "invalid approval status", files: map[string]string{f: strings.Replace(model, "image_uri: serve-img", "image_uri: serve-img\n          approval_status: approved", 1) + pipeline(step("train", "Training")+step("register", "RegisterModel"))},
			want: []string{
				"m/conf/conf.yaml:20:28: error: approval_status \"approved\" is not one of Approved, Rejected, PendingManualApproval; did you mean \"Approved\"?",
			}},
		{name: "same chain source twice", files: map[string]string{f: model + pipeline(step("prep", "Processing", "step_type: prep")+step("prep2", "Processing", "step_type: prep", "chain_input_source_step: [prep, prep]"))},
			want: []string{
				"m/conf/conf.yaml:28:13: error: step \"prep2\" has two inputs named \"prep-input-train\"; a chained source listed twice or a sourceName equal to a derived name causes this",
			}},
		{name: "no pipeline anywhere", files: map[string]string{f: model},
			want: []string{
				"error: no pipeline found: no sagemakerPipeline section in any conf file matched by \"**/conf/*.yaml\"",
			}},
		{name: "local data file that does not exist", files: map[string]string{f: strings.Replace(model, "entry_point: prep.py", "entry_point: prep.py\n        channels:\n          train:\n            dataFiles:\n              - sourceName: raw\n                fileName: data/raw.csv", 1) + pipeline(step("prep", "Processing", "step_type: prep"))},
			want: []string{
				"m/conf/conf.yaml:12:27: error: fileName \"data/raw.csv\" is neither an s3:// URI nor a file in source_directory \"src\"; give the channel a bucket or add the file",
			}},
		{name: "ignored template keys", files: map[string]string{f: strings.Replace(model, "entry_point: prep.py", "entry_point: prep.py\n        s3_upload_mode: Continuous", 1) + pipeline(step("prep", "Processing", "step_type: prep")+step("train", "Training", "enable_cache: true")+step("create", "CreateModel", "enable_cache: true"))},
			want: []string{
				"m/conf/conf.yaml:8:9: warning: key \"s3_upload_mode\" has no effect on a Processing step: outputs are always uploaded at EndOfJob",
				"m/conf/conf.yaml:34:27: warning: enable_cache has no effect on a CreateModel step; only Processing, Training, Transform and Metrics steps are cached",
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opt := tt.opt
			opt.Getenv = func(k string) (string, bool) { v, ok := tt.env[k]; return v, ok }
			_, ds := mustCompile(t, testRepo(tt.files), opt)
			var got []string
			for _, d := range ds {
				got = append(got, d.String())
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s", diff)
			}
		})
	}
}

// aliasBomb is a "billion laughs" document: nine levels of nine aliases
// (9^9 nodes if expanded), used where the compiler reads hyperparams.
func aliasBomb() string {
	var b strings.Builder
	b.WriteString("x-anchors:\n  - &l0 {a: x, b: x, c: x, d: x, e: x, f: x, g: x, h: x, i: x}\n")
	for i := 1; i < 9; i++ {
		b.WriteString(fmt.Sprintf("  - &l%d [*l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d]\n", i, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1))
	}
	b.WriteString(strings.Replace(model, "entry_point: train/train.py", "entry_point: train/train.py\n        hyperparams: {bomb: *l8}", 1))
	b.WriteString(pipeline(step("train", "Training")))
	return b.String()
}
