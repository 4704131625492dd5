package compiler

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/smpipe/smpipe-action/compiler/diag"
	"github.com/smpipe/smpipe-action/internal/awsname"
)

const previewRole = "arn:aws:iam::123456789012:role/smpipe-preview"

// Every example compiled as preview pr12: its own name, the preview role,
// every object it stages and every default output under the preview's
// prefix, and every model registered to a -preview group. Nothing of the
// production layout is left.
func TestCompile_previewIsolation(t *testing.T) {
	for _, dir := range exampleRepos(t) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			prod, ds := mustCompile(t, openRepo(t, dir), Options{Getenv: noEnv})
			if ds.HasErrors() {
				t.Fatalf("the example does not compile: %v", ds)
			}
			pv := &Preview{Suffix: "pr12", Prefix: "smpipe-preview"}
			res, ds := mustCompile(t, openRepo(t, dir), Options{Getenv: noEnv, Role: previewRole, Preview: pv})
			if ds.HasErrors() {
				t.Fatalf("the example does not compile as a preview: %v", ds)
			}
			// A large repository's lean load decodes the preview: mapping again.
			lean, _ := mustCompile(t, openRepo(t, dir), Options{Getenv: noEnv, Role: previewRole, Preview: pv, lean: true})
			for i, p := range lean.Plans {
				if p.Hash != res.Plans[i].Hash {
					t.Errorf("%s compiles as a preview to %s in a lean load, %s otherwise", p.Name, p.Hash, res.Plans[i].Hash)
				}
			}
			if len(res.Plans) != len(prod.Plans) {
				t.Fatalf("%d preview pipelines, %d production ones", len(res.Plans), len(prod.Plans))
			}
			// What only the preview: mappings change, as a plan shows it.
			merged, _ := mustCompile(t, openRepo(t, dir), Options{Getenv: noEnv, Preview: &Preview{}})
			for i, p := range merged.Plans {
				orig := prod.Plans[i]
				if p.Name != orig.Name || p.KeyPrefix != orig.Name {
					t.Errorf("a preview without a suffix or prefix renamed %q to %q (%s)", orig.Name, p.Name, p.KeyPrefix)
				}
				if filepath.Base(dir) == "credit-risk" && (!orig.HasPreview || !strings.Contains(string(p.Definition), "applications-sample.csv") ||
					strings.Contains(string(orig.Definition), "applications-sample.csv")) {
					t.Errorf("credit-risk's preview: mapping is not merged in the preview, or is in production")
				}
			}
			for i, p := range res.Plans {
				orig := prod.Plans[i]
				if p.Name != orig.Name+"-pr12" || p.PreviewOf != orig.Name || orig.PreviewOf != "" {
					t.Errorf("preview of %q is named %q (of %q)", orig.Name, p.Name, p.PreviewOf)
				}
				wantPrefix := "smpipe-preview/" + p.Name
				if p.KeyPrefix != wantPrefix || orig.KeyPrefix != orig.Name {
					t.Errorf("key prefixes %q and %q, want %q and %q", p.KeyPrefix, orig.KeyPrefix, wantPrefix, orig.Name)
				}
				for _, a := range p.Artifacts {
					if !strings.HasPrefix(a.Key, wantPrefix+"/") {
						t.Errorf("artifact %s is staged outside the preview's prefix", a.URI())
					}
				}
				if p.Role != previewRole || strings.Contains(string(p.Definition), orig.Role) {
					t.Errorf("the preview runs as %q, or its definition still names the production role %q", p.Role, orig.Role)
				}
				groups := stringsAt(t, p.Definition, "ModelPackageGroupName")
				for _, g := range groups {
					if !strings.HasSuffix(g, "-preview") || !awsname.Hyphenated(g, 63) {
						t.Errorf("registers to %q, not a -preview group", g)
					}
				}
				prodGroups := stringsAt(t, orig.Definition, "ModelPackageGroupName")
				if len(groups) != len(prodGroups) {
					t.Errorf("%d registrations in the preview, other than production's", len(groups))
				}
				if got := stringsAt(t, p.Definition, ProductionGroupProperty); !slices.Equal(got, prodGroups) {
					t.Errorf("the preview's models name %q as their production groups, want %q", got, prodGroups)
				}
				// Every default output of production has moved under the prefix.
				bucket := "s3://" + orig.Bucket + "/"
				moved := 0
				for _, s := range stringsAt(t, orig.Definition, "") {
					if s == bucket || strings.HasPrefix(s, bucket+orig.Name+"/") {
						moved++
						if strings.Contains(string(p.Definition), `"`+s+`"`) {
							t.Errorf("the preview still writes to the production location %s", s)
						}
					}
				}
				under := 0
				for _, s := range stringsAt(t, p.Definition, "") {
					if strings.HasPrefix(s, bucket+"smpipe-preview/") {
						under++
					}
				}
				if moved == 0 || under < moved {
					t.Errorf("%d production default locations, %d under the preview's prefix", moved, under)
				}
			}
		})
	}
}

// stringsAt lists the string values of the definition under keys named
// key (every string when key is empty).
func stringsAt(t *testing.T, def []byte, key string) []string {
	t.Helper()
	var v any
	if err := json.Unmarshal(def, &v); err != nil {
		t.Fatal(err)
	}
	var out []string
	var walk func(v any, under bool)
	walk = func(v any, under bool) {
		switch v := v.(type) {
		case map[string]any:
			for k, c := range v {
				walk(c, under || k == key)
			}
		case []any:
			for _, c := range v {
				walk(c, under)
			}
		case string:
			if under || key == "" {
				out = append(out, v)
			}
		}
	}
	walk(v, false)
	return out
}

// A pipeline name or model package group near SageMaker's limits still
// gets a valid preview name of its own.
func TestCompile_previewNamesAtTheLimits(t *testing.T) {
	long := "p" + strings.Repeat("-x", 126) // 253 characters
	group := "g" + strings.Repeat("-y", 30) // 61 characters
	conf := `conf:
  models:
    m:
      source_directory: src
      train:
        image_uri: img
        entry_point: train/train.py
        channels:
          train:
            dataFiles:
              - fileName: s3://data/all.csv
      transform:
        entry_point: serve/inference.py
      registry:
        ModelRepack: false
        ModelPackageGroupName: ` + group + `
        InferenceSpecification:
          image_uri: serve-img
  sagemakerPipeline:
    pipelineName: ` + long + `
    models:
      m:
        steps:
          - step_name: fit
            step_class: Training
          - step_name: register
            step_class: RegisterModel
`
	res, ds := mustCompile(t, testRepo(map[string]string{"m/conf/conf.yaml": conf}),
		Options{Getenv: noEnv, Preview: &Preview{Suffix: "pr12345", Prefix: "previews"}})
	for _, d := range ds {
		if d.Severity == diag.Error {
			t.Fatalf("compile: %v", ds)
		}
	}
	p := res.Plans[0]
	if !awsname.Hyphenated(p.Name, 256) || !strings.HasSuffix(p.Name, "-pr12345") || !strings.HasPrefix(p.Name, long[:200]) {
		t.Errorf("preview name %q", p.Name)
	}
	if p.Name != PreviewName(long, "pr12345") || PreviewName(long+"z", "pr12345") == p.Name {
		t.Errorf("the preview name is not the one PreviewName gives, or does not tell two long names apart")
	}
	groups := stringsAt(t, p.Definition, "ModelPackageGroupName")
	if len(groups) != 1 || !awsname.Hyphenated(groups[0], 63) || !strings.HasSuffix(groups[0], "-preview") || groups[0] == group+"-preview" {
		t.Errorf("preview group %q, want %s cut to 63 characters with a hash", groups, group)
	}
}

// mergeNode: mappings merge key by key, in base's order and then the
// override's; anything else, null included, is replaced; the file's own
// nodes are not changed.
func TestMergeNode(t *testing.T) {
	base := `instance_type: a
channels:
  train:
    s3Bucket: b
    dataFiles: [{fileName: all.csv}]
  test: {s3Bucket: t}
env: {A: "1"}
model_data_uri: s3://m/x
`
	over := `channels:
  train:
    dataFiles: [{fileName: sample.csv}]
  extra: {s3Bucket: e}
instance_type: small
model_data_uri: ~
hyperparams: {epochs: 1}
`
	want := `instance_type: small
channels:
    train:
        s3Bucket: b
        dataFiles: [{fileName: sample.csv}]
    test: {s3Bucket: t}
    extra: {s3Bucket: e}
env: {A: "1"}
model_data_uri: ~
hyperparams: {epochs: 1}
`
	var b, o yaml.Node
	if err := yaml.Unmarshal([]byte(base), &b); err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal([]byte(over), &o); err != nil {
		t.Fatal(err)
	}
	var ds diag.Diagnostics
	r := &reader{file: "m/conf/conf.yaml", ds: &ds, env: noEnv, budget: maxAliasExpansion}
	merged := r.mergeNode(b.Content[0], o.Content[0])
	got, err := yaml.Marshal(merged)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("merged:\n%s\nwant:\n%s", got, want)
	}
	again, _ := yaml.Marshal(b.Content[0])
	if strings.Contains(string(again), "sample.csv") {
		t.Errorf("the base's nodes were changed:\n%s", again)
	}
	if len(ds) > 0 {
		t.Errorf("diagnostics: %v", ds)
	}
}
