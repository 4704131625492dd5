package compiler

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"gopkg.in/yaml.v3"

	goldenfile "github.com/smpipe/smpipe-action/internal/golden"
)

// The language, key by key: every key of keys.go's tables (for section and
// channel keys, every step class that reads them) has a auditProbe that sets it
// on a repository using every step class, and the auditProbe's golden file in
// testdata/audit/ says where the key lands in the definition: the
// definition's settings that change, old and new, and the diagnostics that
// appear. A key whose effect drifts fails the subtest named after it; a key
// added to keys.go without a auditProbe fails TestAudit_everyKeyHasAProbe; a key
// read but unused shows an empty definition change and its warning. Review
// the files (`go test ./compiler -run TestAudit -update`) against the
// original's behaviour: every difference is in the README's Differences
// from the original.

const auditFramework = `conf:
  s3Bucket: audit-bucket
  sagemakerNetworkSecurity:
    role: arn:aws:iam::123456789012:role/audit
`

const auditModelConf = `conf:
  models:
    m:
      source_directory: src
      preprocess:
        image_uri: img-prep
        entry_point: prep.py
        channels:
          train:
            s3Bucket: data-bucket
            s3InputPrefix: raw
            dataFiles:
              - sourceName: sales
                fileName: sales.csv
      train:
        image_uri: img-train
        entry_point: train/train.py
        hyperparams:
          epochs: 3
        channels:
          static:
            s3Bucket: data-bucket
            s3InputPrefix: extra
            dataFiles:
              - fileName: extra.csv
      transform:
        entry_point: serve/inference.py
        channels:
          train:
      evaluate:
        image_uri: img-eval
        entry_point: evaluate.py
        channels:
          train:
      registry:
        InferenceSpecification:
          image_uri: img-serve
        quality_gate:
          metric: regression_metrics.mse.value
          operator: "<="
          threshold: 0.5
  sagemakerPipeline:
    pipelineName: audit
    models:
      m:
        steps:
          - step_name: prep
            step_class: Processing
            step_type: preprocess
          - step_name: fit
            step_class: Training
            chain_input_source_step: [prep]
          - step_name: model
            step_class: CreateModel
          - step_name: predict
            step_class: Transform
            chain_input_source_step: [prep]
          - step_name: eval
            step_class: Metrics
            chain_input_source_step: [prep, predict]
          - step_name: register
            step_class: RegisterModel
`

// auditRepo is the repository every auditProbe edits.
func auditRepo(framework, model string) fstest.MapFS {
	return fstest.MapFS{
		"framework/conf/conf.yaml":   {Data: []byte(framework)},
		"m/conf/conf.yaml":           {Data: []byte(model)},
		"src/prep.py":                {Data: []byte("print('prep')\n")},
		"src/evaluate.py":            {Data: []byte("print('evaluate')\n")},
		"src/local.csv":              {Data: []byte("a,b\n1,2\n")},
		"src/train/train.py":         {Data: []byte("print('train')\n")},
		"src/train/requirements.txt": {Data: []byte("numpy\n")},
		"src/serve/inference.py":     {Data: []byte("print('serve')\n")},
		// Another code root, the same files with other bytes.
		"alt/prep.py":            {Data: []byte("print('prep, again')\n")},
		"alt/evaluate.py":        {Data: []byte("print('evaluate, again')\n")},
		"alt/train/train.py":     {Data: []byte("print('train, again')\n")},
		"alt/serve/inference.py": {Data: []byte("print('serve, again')\n")},
	}
}

// An edit sets key to value (YAML) in the mapping at path of the model conf
// (or the framework conf), creating mappings on the way; a number indexes a
// list, and the value "DELETE" removes the key.
type edit struct {
	framework bool
	path      []string
	key       string
	value     string
}

// A auditProbe sets one key. setup edits the base first, so that the key has a
// use to show (a static Transform for its static-only keys); the golden is
// the difference the key makes on top of it.
type auditProbe struct {
	key string // what TestAudit_everyKeyHasAProbe counts: table/key[/class]
	// variant tells apart more probes of one key, in the golden file's name.
	variant string
	set     edit
	setup   []edit
	// preview compiles before and after as a preview run does, for keys
	// that only a preview reads.
	preview *Preview
}

// name is the probe's subtest and golden file name.
func (p auditProbe) name() string {
	if p.variant == "" {
		return p.key
	}
	return p.key + "/" + p.variant
}

// Paths of the mappings probes edit.
var (
	auditModel   = []string{"conf", "models", "m"}
	auditSection = map[StepClass][]string{Processing: under(auditModel, "preprocess"), Training: under(auditModel, "train"), Transform: under(auditModel, "transform"), Metrics: under(auditModel, "evaluate")}
	auditChannel = map[StepClass][]string{Processing: under(auditModel, "preprocess", "channels", "train"), Training: under(auditModel, "train", "channels", "static"), Transform: under(auditModel, "transform", "channels", "train"), Metrics: under(auditModel, "evaluate", "channels", "train")}
	auditStep    = func(i int) []string {
		return []string{"conf", "sagemakerPipeline", "models", "m", "steps", strconv.Itoa(i)}
	}
)

func under(base []string, more ...string) []string { return slices.Concat(base, more) }

// staticTransform makes the Transform read a file of its own instead of
// the prep step's output.
var staticTransform = []edit{
	{path: auditStep(3), key: "chain_input_source_step", value: "DELETE"},
	{path: auditChannel[Transform], key: "dataFiles", value: "[{fileName: batch.csv}]"},
	{path: auditChannel[Transform], key: "s3BucketName", value: "batch-bucket"},
}

func auditProbes() []auditProbe {
	sec := func(c StepClass, key, value string, setup ...edit) auditProbe {
		return auditProbe{key: "section/" + key + "/" + string(c), set: edit{path: auditSection[c], key: key, value: value}, setup: setup}
	}
	ch := func(c StepClass, key, value string, setup ...edit) auditProbe {
		return auditProbe{key: "channel/" + key + "/" + string(c), set: edit{path: auditChannel[c], key: key, value: value}, setup: setup}
	}
	at := func(table string, p []string, key, value string, setup ...edit) auditProbe {
		return auditProbe{key: table + "/" + key, set: edit{path: p, key: key, value: value}, setup: setup}
	}
	fw := func(table string, p []string, key, value string) auditProbe {
		return auditProbe{key: table + "/" + key, set: edit{framework: true, path: p, key: key, value: value}}
	}
	network := []string{"conf", "sagemakerNetworkSecurity"}
	registry := under(auditModel, "registry")
	inference := under(registry, "InferenceSpecification")
	gate := under(registry, "quality_gate")
	pipeline := []string{"conf", "sagemakerPipeline"}
	dataFile := under(auditChannel[Processing], "dataFiles", "0")
	return []auditProbe{
		// Containers: what they hold is probed key by key below.
		at("top", nil, "conf", "{models: {}}"),
		at("modelConf", []string{"conf"}, "models", "{}"),
		at("modelConf", []string{"conf"}, "sagemakerPipeline", "DELETE"),
		fw("framework", []string{"conf"}, "s3Bucket", "other-bucket"),
		fw("framework", []string{"conf"}, "modelConfigFilePath", `"m/conf/*.yaml"`),
		fw("framework", []string{"conf"}, "sagemakerNetworkSecurity", "{role: arn:aws:iam::123456789012:role/other}"),
		fw("framework", []string{"conf"}, "models", "{x: {}}"),
		fw("network", network, "role", "arn:aws:iam::123456789012:role/other"),
		{key: "network/subnets", set: edit{framework: true, path: network, key: "subnets", value: "subnet-1,subnet-2"},
			setup: []edit{{framework: true, path: network, key: "security_groups_id", value: "sg-1"}}},
		{key: "network/security_groups_id", set: edit{framework: true, path: network, key: "security_groups_id", value: "sg-1,sg-2"},
			setup: []edit{{framework: true, path: network, key: "subnets", value: "subnet-1"}}},
		fw("network", network, "kms_key", "arn:aws:kms:us-east-1:123456789012:key/k"),
		at("models", []string{"conf", "models"}, "n", "{source_directory: src}"),
		at("model", auditModel, "source_directory", "alt"),
		at("model", auditModel, "name", "rp"),
		at("model", auditModel, "transform", "{entry_point: serve/inference.py, channels: {train: {}}, instance_type: ml.c5.xlarge}"),
		at("model", auditModel, "evaluate", "{image_uri: img-eval, entry_point: evaluate.py, channels: {train: {}}, instance_type: ml.c5.xlarge}"),
		at("model", auditModel, "registry", "{InferenceSpecification: {image_uri: img-other}}"),
		{key: "model/preview", set: edit{path: auditModel, key: "preview", value: "{train: {instance_type: ml.c5.xlarge, channels: {static: {dataFiles: [{fileName: sample.csv}]}}}}"},
			preview: &Preview{Suffix: "pr7", Prefix: "smpipe-preview"}},
		{key: "model/<section>", set: edit{path: auditModel, key: "preprocess", value: "{image_uri: img-prep2, entry_point: prep.py}"}},
		{key: "preview/<section>", set: edit{path: auditModel, key: "preview", value: "{preprocess: {instance_type: ml.c5.2xlarge}}"},
			preview: &Preview{Suffix: "pr7", Prefix: "smpipe-preview"}},
		{key: "preview/transform", set: edit{path: auditModel, key: "preview", value: "{transform: {instance_type: ml.c5.2xlarge}}"},
			preview: &Preview{Suffix: "pr7", Prefix: "smpipe-preview"}},
		{key: "preview/evaluate", set: edit{path: auditModel, key: "preview", value: "{evaluate: {instance_type: ml.c5.2xlarge}}"},
			preview: &Preview{Suffix: "pr7", Prefix: "smpipe-preview"}},
		at("registry", registry, "ModelRepack", "false"),
		at("registry", registry, "ModelPackageGroupName", "audit-models"),
		at("registry", registry, "ModelPackageDescription", "Audited"),
		at("registry", registry, "InferenceSpecification", "{image_uri: img-other}"),
		at("registry", registry, "quality_gate", "DELETE"),
		at("quality_gate", gate, "metric", "regression_metrics.mae.value"),
		at("quality_gate", gate, "operator", `">="`),
		at("quality_gate", gate, "threshold", "0.25"),
		at("quality_gate", gate, "on_fail", "skip"),
		at("inference", inference, "image_uri", "img-other"),
		at("inference", inference, "supported_content_types", "[application/json]"),
		at("inference", inference, "supported_response_MIME_types", "[application/json]"),
		at("inference", inference, "SupportedRealtimeInferenceInstanceTypes", "[ml.c5.large, ml.c5.xlarge]"),
		at("inference", inference, "SupportedTransformInstanceTypes", "[ml.c5.large]"),
		at("inference", inference, "approval_status", "Approved"),
		at("pipeline", pipeline, "pipelineName", "audit-renamed"),
		at("pipeline", pipeline, "models", "{m: {steps: [{step_name: prep, step_class: Processing, step_type: preprocess}]}}"),
		at("pipeline", pipeline, "dependencies", `["prep >> eval"]`),
		at("pipelineModel", under(pipeline, "models", "m"), "steps", "[{step_name: prep, step_class: Processing, step_type: preprocess}]"),
		at("step", auditStep(5), "step_name", "registration"),
		at("step", auditStep(2), "step_class", "DELETE"), // the auditProbe of an enum: dropping a step's class
		at("step", auditStep(1), "step_type", "preprocess"),
		at("step", auditStep(1), "enable_cache", "true"),
		{key: "step/cache_expire_after", set: edit{path: auditStep(1), key: "cache_expire_after", value: "PT12H"},
			setup: []edit{{path: auditStep(1), key: "enable_cache", value: "true"}}},
		at("step", auditStep(3), "chain_input_source_step", "[fit]"),
		at("step", auditStep(3), "chain_input_additional_prefix", "test/x_test.csv"),
		at("dataFile", dataFile, "sourceName", "rows"),
		at("dataFile", dataFile, "fileName", "s3://elsewhere/rows.csv"),
		at("tag", under(auditSection[Processing], "tags", "0"), "Key", "team", edit{path: auditSection[Processing], key: "tags", value: "[{Key: owner, Value: ml}]"}),
		at("tag", under(auditSection[Processing], "tags", "0"), "Value", "platform", edit{path: auditSection[Processing], key: "tags", value: "[{Key: owner, Value: ml}]"}),
		at("location", under(auditSection[Processing], "location"), "outputLocalFilepath", "/opt/ml/processing/out"),

		sec(Processing, "image_uri", "img-prep-2"),
		sec(Training, "image_uri", "img-train-2"),
		sec(Transform, "image_uri", "img-transform"),
		sec(Metrics, "image_uri", "img-eval-2"),
		sec(Processing, "entry_point", "evaluate.py"),
		sec(Training, "entry_point", "serve/inference.py"),
		sec(Transform, "entry_point", "train/train.py"),
		sec(Metrics, "entry_point", "prep.py"),
		sec(Processing, "base_job_name", "job"),
		sec(Training, "base_job_name", "job"),
		sec(Transform, "base_job_name", "job"),
		sec(Metrics, "base_job_name", "job"),
		sec(Processing, "instance_count", "2"),
		sec(Training, "instance_count", "2"),
		sec(Transform, "instance_count", "2"),
		sec(Metrics, "instance_count", "2"),
		sec(Processing, "instance_type", "ml.c5.4xlarge"),
		sec(Training, "instance_type", "ml.p3.2xlarge"),
		sec(Transform, "instance_type", "ml.c5.4xlarge"),
		sec(Metrics, "instance_type", "ml.c5.4xlarge"),
		sec(Processing, "volume_size_in_gb", "100"),
		sec(Training, "volume_size_in_gb", "100"),
		sec(Metrics, "volume_size_in_gb", "100"),
		sec(Processing, "max_runtime_seconds", "600"),
		sec(Training, "max_runtime_seconds", "600"),
		sec(Transform, "max_runtime_in_seconds", "600"),
		sec(Metrics, "max_runtime_in_seconds", "600"),
		sec(Transform, "volume_size", "30"),
		sec(Processing, "tags", "[{Key: owner, Value: ml}]"),
		sec(Training, "tags", "[{Key: owner, Value: ml}]"),
		sec(Transform, "tags", "[{Key: owner, Value: ml}]"),
		sec(Metrics, "tags", "[{Key: owner, Value: ml}]"),
		sec(Processing, "env", "{MODE: fast}"),
		sec(Training, "env", "{MODE: fast}"),
		sec(Transform, "env", "{MODE: fast}"),
		sec(Metrics, "env", "{MODE: fast}"),
		sec(Processing, "s3_data_distribution_type", "ShardedByS3Key"),
		sec(Metrics, "s3_data_distribution_type", "ShardedByS3Key", edit{path: auditChannel[Metrics], key: "dataFiles", value: "[{sourceName: truth, fileName: s3://truth/y.csv}]"}),
		sec(Processing, "channels", "{train: {s3Bucket: data-bucket, dataFiles: [{sourceName: sales, fileName: sales.csv}]}, test: {}}"),
		sec(Training, "channels", "DELETE"),
		sec(Transform, "channels", "{test: {}}",
			edit{path: under(auditSection[Processing], "channels", "test"), key: "s3Bucket", value: "data-bucket"}),
		sec(Metrics, "channels", "test", edit{path: under(auditSection[Processing], "channels", "test"), key: "s3Bucket", value: "data-bucket"}),
		sec(Processing, "location", "{outputLocalFilepath: /opt/ml/processing/out}"),
		sec(Training, "output_path", "s3://models-bucket/fit"),
		sec(Training, "hyperparams", "{epochs: 3, objective: \"binary:logistic\", eta: 0.3, early: yes}"),
		sec(Training, "model_data_uri", "s3://models-bucket/start/model.tar.gz"),
		sec(Training, "content_type", "text/csv"),
		sec(Transform, "content_type", "application/json"),
		sec(Metrics, "content_type", "text/csv"),
		sec(Training, "input_mode", "FastFile"),
		sec(Training, "distribution", "ShardedByS3Key"),
		sec(Transform, "strategy", "SingleRecord"),
		sec(Metrics, "strategy", "SingleRecord"),
		sec(Transform, "assemble_with", "Line"),
		sec(Transform, "join_source", "Input"),
		sec(Transform, "split_type", "Line"),
		sec(Transform, "max_payload", "12"),
		sec(Metrics, "max_payload", "12"),
		sec(Transform, "input_filter", `"$[1:]"`),
		sec(Transform, "output_filter", `"$[0,-1]"`),
		sec(Processing, "framework_version", "1.2-1"),
		sec(Processing, "s3_data_type", "ManifestFile"),
		sec(Metrics, "s3_data_type", "ManifestFile"),
		sec(Processing, "s3_input_mode", "Pipe"),
		sec(Metrics, "s3_input_mode", "Pipe"),
		sec(Processing, "s3_upload_mode", "Continuous"),
		sec(Processing, "inputLocalFilepath", "/opt/ml/processing/manifest"),

		ch(Processing, "dataFiles", "[{sourceName: sales, fileName: sales.csv}, {sourceName: stores, fileName: stores.csv}]"),
		ch(Training, "dataFiles", "[{fileName: other.csv}]"),
		ch(Transform, "dataFiles", "[{fileName: other.csv}]", staticTransform...),
		ch(Metrics, "dataFiles", "[{sourceName: truth, fileName: s3://truth/y.csv}]"),
		ch(Processing, "s3Bucket", "other-data"),
		// Each channel's files are in its own bucket: the original read
		// channels.train's for every channel.
		{key: "channel/s3Bucket/Processing", variant: "own-channel", set: edit{path: auditChannel[Processing], key: "s3Bucket", value: "other-data"},
			setup: []edit{{path: under(auditSection[Processing], "channels", "stores"), key: "dataFiles", value: "[{sourceName: stores, fileName: stores.csv}]"},
				{path: under(auditSection[Processing], "channels", "stores"), key: "s3Bucket", value: "stores-bucket"}}},
		ch(Training, "s3Bucket", "other-data"),
		ch(Metrics, "s3Bucket", "other-data", edit{path: auditChannel[Metrics], key: "dataFiles", value: "[{sourceName: truth, fileName: y.csv}]"},
			edit{path: auditChannel[Metrics], key: "s3Bucket", value: "truth-bucket"}),
		ch(Processing, "s3InputPrefix", "cooked"),
		ch(Training, "s3InputPrefix", "cooked"),
		ch(Metrics, "s3InputPrefix", "cooked", edit{path: auditChannel[Metrics], key: "dataFiles", value: "[{sourceName: truth, fileName: y.csv}]"},
			edit{path: auditChannel[Metrics], key: "s3Bucket", value: "truth-bucket"}),
		ch(Transform, "s3BucketName", "other-batch", staticTransform...),
		ch(Metrics, "s3BucketName", "metrics-bucket"),
		ch(Transform, "inputBucketPrefix", "batches", staticTransform...),
		ch(Metrics, "bucket_prefix", "reports", edit{path: auditChannel[Metrics], key: "s3BucketName", value: "metrics-bucket"}),
		ch(Metrics, "InputLocalFilepath", "/opt/ml/processing/in"),
		{key: "channel/InputLocalFilepath/Metrics", variant: "static", set: edit{path: auditChannel[Metrics], key: "InputLocalFilepath", value: "/opt/ml/processing/in"},
			setup: []edit{{path: auditChannel[Metrics], key: "dataFiles", value: "[{sourceName: truth, fileName: s3://truth/y.csv}]"}}},
		ch(Metrics, "OuputLocalFilepath", "/opt/ml/processing/report/"),
	}
}

// noEffect are the keys the audit expects to change nothing in the
// definition although keys.go does not mark them ignored (which warns), and
// why: their effect is elsewhere, or the original's files set them
// everywhere to no effect.
var noEffect = map[string]string{
	"framework/modelConfigFilePath":    "it chooses which files are conf files",
	"models/n":                         "a model no pipeline uses is checked, not built",
	"section/base_job_name/Processing": "SageMaker Pipelines names the jobs, as with the original; accepted quietly, since the original's files set it everywhere",
	"section/base_job_name/Training":   "SageMaker Pipelines names the jobs, as with the original; accepted quietly, since the original's files set it everywhere",
	"section/base_job_name/Transform":  "SageMaker Pipelines names the jobs, as with the original; accepted quietly, since the original's files set it everywhere",
	"section/base_job_name/Metrics":    "SageMaker Pipelines names the jobs; the original also put it in the metrics output path (Differences from the original: Metrics output); accepted quietly",
}

// ignoredBecause is why keys.go says key changes nothing, "" when it does
// not say so: a deprecated key, or a section or channel key its class
// ignores.
func ignoredBecause(key string) string {
	parts := strings.Split(key, "/")
	if len(parts) == 3 {
		set := sectionKeys
		if parts[0] == "channel" {
			set = channelKeys
		}
		for _, k := range set {
			for _, u := range k.uses {
				if k.name == parts[1] && string(u.class) == parts[2] {
					return u.ignored
				}
			}
		}
	}
	for _, tt := range auditTables {
		if tt.name == parts[0] {
			if k := tt.t.get(parts[1]); k != nil && k.name == parts[1] {
				return k.deprecated
			}
		}
	}
	return ""
}

// auditTables are keys.go's tables of fixed keys, by the name probes use.
var auditTables = []struct {
	name string
	t    *keyTable
}{
	{"top", topKeys}, {"modelConf", modelConfKeys}, {"framework", frameworkKeys}, {"network", networkKeys},
	{"model", modelKeys}, {"registry", registryKeys}, {"quality_gate", qualityGateKeys}, {"inference", inferenceKeys},
	{"pipeline", pipelineKeys}, {"pipelineModel", pipelineModelKeys}, {"step", stepKeys}, {"dataFile", dataFileKeys},
	{"tag", tagKeys}, {"location", locationKeys}, {"preview", previewKeys},
}

// auditKeys lists every key of the language as TestAudit_everyKeyHasAProbe
// counts them: table/key, and for section and channel keys
// section|channel/key/class.
func auditKeys() []string {
	var out []string
	seen := map[*keyTable]bool{}
	walk := func(name string, t *keyTable) {
		if t == nil || seen[t] {
			return
		}
		seen[t] = true
		for _, k := range t.keys {
			out = append(out, name+"/"+k.name)
		}
		if t.others != nil && t.others.typ == typeSection {
			out = append(out, name+"/<section>")
		}
	}
	for _, tt := range auditTables {
		walk(tt.name, tt.t)
	}
	out = append(out, "models/n") // conf.models holds names of the user's choosing
	for _, set := range []struct {
		name string
		keys []*confKey
	}{{"section", sectionKeys}, {"channel", channelKeys}} {
		for _, k := range set.keys {
			for _, u := range k.uses {
				out = append(out, set.name+"/"+k.name+"/"+string(u.class))
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func TestAudit_everyKeyHasAProbe(t *testing.T) {
	probed := map[string]bool{}
	names := map[string]bool{}
	for _, p := range auditProbes() {
		if names[p.name()] {
			t.Errorf("two probes named %s: give one a variant", p.name())
		}
		names[p.name()], probed[p.key] = true, true
	}
	keys := auditKeys()
	for _, k := range keys {
		if !probed[k] {
			t.Errorf("key %s has no auditProbe in auditProbes: add one, then review its golden file", k)
		}
	}
	for k := range probed {
		if !slices.Contains(keys, k) {
			t.Errorf("auditProbe of %s, which keys.go does not define", k)
		}
	}
}

// TestAudit compiles the audit repository with each auditProbe's key set and
// compares where the key landed with testdata/audit/<key>.txt.
func TestAudit(t *testing.T) {
	base := auditCompile(t, nil, nil)
	if base.errors {
		t.Fatalf("the audit repository does not compile:\n%s", base.diags)
	}
	for _, p := range auditProbes() {
		t.Run(p.name(), func(t *testing.T) {
			before := base
			if len(p.setup) > 0 || p.preview != nil {
				if before = auditCompile(t, p.setup, p.preview); before.errors {
					t.Fatalf("the probe's setup does not compile:\n%s", strings.Join(before.diags, "\n"))
				}
			}
			after := auditCompile(t, append(slices.Clone(p.setup), p.set), p.preview)
			var b strings.Builder
			fmt.Fprintf(&b, "# %s: %s set to %s", p.key, strings.Join(append(slices.Clone(p.set.path), p.set.key), "."), p.set.value)
			if len(p.setup) > 0 {
				var s []string
				for _, e := range p.setup {
					s = append(s, strings.Join(append(slices.Clone(e.path), e.key), ".")+" = "+e.value)
				}
				fmt.Fprintf(&b, ", after %s", strings.Join(s, "; "))
			}
			if p.preview != nil {
				fmt.Fprintf(&b, ", both compiled as preview %q under prefix %q", p.preview.Suffix, p.preview.Prefix)
			}
			b.WriteString("\n\ndiagnostics:\n")
			for _, d := range after.diags {
				if !slices.Contains(before.diags, d) {
					b.WriteString("  " + d + "\n")
				}
			}
			b.WriteString("\ndefinition:\n")
			diff := flatDiff(before.flat, after.flat)
			why := ignoredBecause(p.key)
			if why == "" {
				why = noEffect[p.key]
			}
			switch {
			case after.errors:
				b.WriteString("  none: the pipeline does not compile\n")
			case len(diff) == 0 && why == "":
				t.Errorf("%s changes nothing in the definition, yet keys.go does not mark it ignored: mark it, or probe it with a value that shows its effect", p.key)
			case len(diff) == 0:
				b.WriteString("  unchanged: " + why + "\n")
			case why != "":
				t.Errorf("%s is marked as changing nothing (%s), yet it changes the definition", p.key, why)
			}
			for _, line := range diff {
				if !after.errors {
					b.WriteString("  " + line + "\n")
				}
			}
			goldenfile.Check(t, "audit/"+strings.ReplaceAll(strings.ReplaceAll(p.name(), "/", "."), "<section>", "section")+".txt", []byte(b.String()))
		})
	}
}

type auditResult struct {
	flat   map[string]string // definition settings by path
	diags  []string
	errors bool
}

func auditCompile(t *testing.T, edits []edit, preview *Preview) auditResult {
	t.Helper()
	framework, model := auditFramework, auditModelConf
	for _, e := range edits {
		if e.framework {
			framework = applyEdit(t, framework, e)
		} else {
			model = applyEdit(t, model, e)
		}
	}
	res, ds := mustCompile(t, auditRepo(framework, model), Options{Region: "us-east-1", Getenv: noEnv, Preview: preview})
	out := auditResult{flat: map[string]string{}, errors: ds.HasErrors()}
	for _, d := range ds {
		out.diags = append(out.diags, fmt.Sprintf("%s [%s]", d, d.Code))
	}
	for _, p := range res.Plans {
		if p.Failed {
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(p.Definition))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
		out.flat["pipeline"] = strconv.Quote(p.Name)
		flatten("", v, out.flat)
	}
	return out
}

// flatten records every leaf of v by path; list items with a name (steps,
// inputs, channels, outputs) are indexed by it.
func flatten(at string, v any, out map[string]string) {
	switch v := v.(type) {
	case map[string]any:
		for k, c := range v {
			flatten(strings.TrimPrefix(at+"."+k, "."), c, out)
		}
	case []any:
		for i, c := range v {
			name := strconv.Itoa(i)
			if m, ok := c.(map[string]any); ok {
				// Items that have a name are found by it: steps, inputs,
				// channels, outputs.
				for _, key := range []string{"Name", "InputName", "ChannelName", "OutputName"} {
					if n, ok := m[key].(string); ok {
						name = n
						break
					}
				}
			}
			flatten(at+"["+name+"]", c, out)
		}
		if len(v) == 0 {
			out[at] = "[]"
		}
	default:
		b, _ := json.Marshal(v)
		out[at] = string(b)
	}
}

// flatDiff lists the paths whose values differ, sorted by path: "- path:
// old" and "+ path: new". A step that appears or disappears whole is one
// line.
func flatDiff(before, after map[string]string) []string {
	type line struct{ path, text string }
	var lines []line
	for _, k := range slices.Sorted(maps.Keys(before)) {
		if a, ok := after[k]; !ok || a != before[k] {
			lines = append(lines, line{k, "- " + k + ": " + before[k]})
		}
	}
	for _, k := range slices.Sorted(maps.Keys(after)) {
		if b, ok := before[k]; !ok || b != after[k] {
			lines = append(lines, line{k, "+ " + k + ": " + after[k]})
		}
	}
	slices.SortStableFunc(lines, func(a, b line) int { return strings.Compare(a.path, b.path) })
	// Whole steps: every setting of a step only on one side.
	step := func(p string) string {
		i := strings.Index("."+p, ".Steps[")
		if i < 0 {
			return ""
		}
		j := strings.Index(p[i:], "]")
		return p[:i+j+1]
	}
	whole := map[string]string{} // step → "-" removed, "+" added, "~" otherwise
	count := map[string]int{}
	for _, l := range lines {
		st := step(l.path)
		if st == "" {
			continue
		}
		_, inBefore := before[st+".Name"]
		_, inAfter := after[st+".Name"]
		switch {
		case inBefore && !inAfter:
			whole[st] = "-"
		case inAfter && !inBefore:
			whole[st] = "+"
		default:
			whole[st] = "~"
		}
		count[st]++
	}
	var out []string
	done := map[string]bool{}
	for _, l := range lines {
		st := step(l.path)
		if sign := whole[st]; st != "" && (sign == "-" || sign == "+") {
			if !done[st] {
				done[st] = true
				what := "added"
				if sign == "-" {
					what = "removed"
				}
				out = append(out, fmt.Sprintf("%s %s: step %s (%d settings)", sign, st, what, count[st]))
			}
			continue
		}
		out = append(out, l.text)
	}
	return out
}

// applyEdit applies e to the YAML document src.
func applyEdit(t *testing.T, src string, e edit) string {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		t.Fatal(err)
	}
	n := doc.Content[0]
	for _, p := range e.path {
		n = child(t, n, p)
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		n.Kind, n.Tag, n.Value = yaml.MappingNode, "!!map", ""
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == e.key {
			if e.value == "DELETE" {
				n.Content = slices.Delete(n.Content, i, i+2)
			} else {
				n.Content[i+1] = valueNode(t, e.value)
			}
			return encodeYAML(t, &doc)
		}
	}
	if e.value != "DELETE" {
		n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: e.key}, valueNode(t, e.value))
	}
	return encodeYAML(t, &doc)
}

func child(t *testing.T, n *yaml.Node, key string) *yaml.Node {
	t.Helper()
	if n.Kind == yaml.SequenceNode {
		i, err := strconv.Atoi(key)
		if err != nil || i >= len(n.Content) {
			t.Fatalf("no item %s", key)
		}
		return n.Content[i]
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		n.Kind, n.Tag, n.Value = yaml.MappingNode, "!!map", ""
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	c := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: key}, c)
	return c
}

func valueNode(t *testing.T, v string) *yaml.Node {
	t.Helper()
	var d yaml.Node
	if err := yaml.Unmarshal([]byte(v), &d); err != nil {
		t.Fatalf("auditProbe value %q: %v", v, err)
	}
	if len(d.Content) == 0 {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: ""}
	}
	return d.Content[0]
}

func encodeYAML(t *testing.T, doc *yaml.Node) string {
	t.Helper()
	b, err := yaml.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
