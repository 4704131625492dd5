package compiler

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"

	"github.com/smpipe/smpipe-action/compiler/diag"
)

// The schema round trip: at every level of a conf file, every key smpipe
// knows anywhere (and names the original's template used) is put in a
// small valid file with many values, and the decoder and the schema must
// agree on whether the key is known and whether each value is accepted.
// The decoder is what is tested against: the schema is generated from the
// tables the decoder checks keys against, but what the decoder does with a
// value is its own code.
//
// A model section's keys depend on the class that reads it, so there the
// decoder's answer is the union over the classes that may read a section
// of that name: a key is known when one of them knows it, and a value is
// accepted when one of those that use the key accepts it (or when all of
// them ignore the key).

// probeSite is a mapping of a conf file where keys are probed.
type probeSite struct {
	name      string
	framework bool
	base      string   // a file that decodes without a word and validates
	path      []string // to the mapping; a number indexes a list
	// section is the model section path goes through, "" for none; then
	// the classes that may read it are asked.
	section string
}

const probeModelConf = `conf:
  models:
    m:
      source_directory: src
      prep:
        instance_type: ml.m5.large
        channels:
          c:
            dataFiles:
              - sourceName: s
                fileName: f
        tags:
          - Key: k
            Value: v
      transform:
        channels:
          c:
            dataFiles:
              - fileName: f
      evaluate:
        channels:
          c:
      registry:
        InferenceSpecification:
          image_uri: img
  sagemakerPipeline:
    pipelineName: p
    models:
      m:
        steps:
          - step_name: s
            step_class: Processing
`

const probeFrameworkConf = `conf:
  s3Bucket: b
  sagemakerNetworkSecurity:
    role: r
`

var probeSites = []probeSite{
	{name: "top of a model conf", base: probeModelConf},
	{name: "top of the framework conf", base: probeFrameworkConf, framework: true},
	{name: "conf of a model conf", base: probeModelConf, path: []string{"conf"}},
	{name: "conf of the framework conf", base: probeFrameworkConf, framework: true, path: []string{"conf"}},
	{name: "sagemakerNetworkSecurity", base: probeFrameworkConf, framework: true, path: []string{"conf", "sagemakerNetworkSecurity"}},
	{name: "conf.models", base: probeModelConf, path: []string{"conf", "models"}},
	{name: "a model", base: probeModelConf, path: []string{"conf", "models", "m"}},
	{name: "section prep", base: probeModelConf, path: []string{"conf", "models", "m", "prep"}, section: "prep"},
	{name: "section transform", base: probeModelConf, path: []string{"conf", "models", "m", "transform"}, section: "transform"},
	{name: "section evaluate", base: probeModelConf, path: []string{"conf", "models", "m", "evaluate"}, section: "evaluate"},
	{name: "a channel of prep", base: probeModelConf, path: []string{"conf", "models", "m", "prep", "channels", "c"}, section: "prep"},
	{name: "a channel of transform", base: probeModelConf, path: []string{"conf", "models", "m", "transform", "channels", "c"}, section: "transform"},
	{name: "a channel of evaluate", base: probeModelConf, path: []string{"conf", "models", "m", "evaluate", "channels", "c"}, section: "evaluate"},
	{name: "a dataFiles item", base: probeModelConf, path: []string{"conf", "models", "m", "prep", "channels", "c", "dataFiles", "0"}, section: "prep"},
	{name: "a tags item", base: probeModelConf, path: []string{"conf", "models", "m", "prep", "tags", "0"}, section: "prep"},
	{name: "location", path: []string{"conf", "models", "m", "prep", "location"}, section: "prep",
		base: strings.Replace(probeModelConf, "      prep:\n", "      prep:\n        location:\n          outputLocalFilepath: /out\n", 1)},
	{name: "preview of a model", path: []string{"conf", "models", "m", "preview"},
		base: strings.Replace(probeModelConf, "      registry:\n", "      preview:\n        prep:\n          instance_type: ml.m5.xlarge\n      registry:\n", 1)},
	{name: "registry", base: probeModelConf, path: []string{"conf", "models", "m", "registry"}},
	{name: "InferenceSpecification", base: probeModelConf, path: []string{"conf", "models", "m", "registry", "InferenceSpecification"}},
	{name: "quality_gate", path: []string{"conf", "models", "m", "registry", "quality_gate"},
		base: strings.Replace(probeModelConf, "      registry:\n", "      registry:\n        quality_gate:\n          metric: a.b\n          operator: \"<=\"\n          threshold: 0.5\n", 1)},
	{name: "sagemakerPipeline", base: probeModelConf, path: []string{"conf", "sagemakerPipeline"}},
	{name: "sagemakerPipeline.models", base: probeModelConf, path: []string{"conf", "sagemakerPipeline", "models"}},
	{name: "a pipeline model", base: probeModelConf, path: []string{"conf", "sagemakerPipeline", "models", "m"}},
	{name: "a step", base: probeModelConf, path: []string{"conf", "sagemakerPipeline", "models", "m", "steps", "0"}},
}

// probeValues are the values every known key is tried with, in YAML.
var probeValues = []string{
	`x`, `""`, `" "`, `s3://b/k`, `P3D`, `PT`, `10d`, `7`, `"7"`, `+7`, `0`, `-3`, `2.5`, `1e3`, `3000000000`,
	`true`, `"True"`, `yes`, `"no"`, `maybe`, `~`,
	`[a, b]`, `[]`, `[[a]]`, `[~]`, `[""]`, `[{Key: k, Value: v}]`, `[{Key: k}]`, `[{Value: v}]`, `[{fileName: f}]`, `[{sourceName: s}]`, `[a, {b: c}]`,
	`{}`, `{a: b}`, `{a: ~}`, `{a: [b]}`, `{a: {b: c}}`, `{a.b: ~}`, `{" ": ~}`, `{c: {dataFiles: [{fileName: f}]}}`,
	`{outputLocalFilepath: /o}`, `{image_uri: i}`, `{steps: []}`, `{pipelineName: p, models: {}}`,
	`regression_metrics.mse-1.value`, `a..b`, `"mse value"`, `.inf`, `"0.5"`, `1e-3`, `"=<"`,
	`{metric: a, operator: "<", threshold: 1}`, `{metric: a}`,
}

// neutralValues: a known key accepts at least one of them.
var neutralValues = []string{`~`, `x`, `7`, `{}`, `[]`, `{steps: []}`}

// probeKeys are every key of the tables and the names the original's
// template and documentation used that it never read.
func probeKeys() []string {
	names := map[string]bool{}
	var walk func(keys []*confKey)
	seen := map[*keyTable]bool{}
	walkTable := func(t *keyTable) {
		if t != nil && !seen[t] {
			seen[t] = true
			walk(t.keys)
		}
	}
	walk = func(keys []*confKey) {
		for _, k := range keys {
			if k.name != "" {
				names[k.name] = true
			}
			walkTable(k.keys)
		}
	}
	for _, t := range []*keyTable{topKeys, modelConfKeys, frameworkKeys, modelsTable} {
		walkTable(t)
	}
	walk(sectionKeys)
	walk(channelKeys)
	for _, n := range []string{"hyperparameters", "chain_input_source_steps", "ModelApprovalStatus", "SupportedContentTypes",
		"SupportedResponseMIMETypes", "MetadataProperties", "SupportedRealtimeInferenceInstanceType", "ModelPackageGroupDescription",
		"tune", "metrics", "base_image_uri", "max_run_time_in_seconds", "evaluateBucketPrefix", "evaluateInputLocalFilepath",
		"activeLocation", "outputBucketPrefix", "modelContainer", "Image_uri", "zz"} {
		names[n] = true
	}
	return slices.Sorted(maps.Keys(names))
}

// enumProbes are the enum values of keys called name, each also in lower
// case.
func enumProbes(name string) []string {
	var out []string
	var walk func(keys []*confKey)
	seen := map[*keyTable]bool{}
	walk = func(keys []*confKey) {
		for _, k := range keys {
			if k.name == name {
				for _, v := range k.enum {
					out = append(out, strconv.Quote(v), strconv.Quote(strings.ToLower(v)))
				}
			}
			if k.keys != nil && !seen[k.keys] {
				seen[k.keys] = true
				walk(k.keys.keys)
			}
		}
	}
	walk(append(append(append([]*confKey(nil), topKeys.keys...), modelConfKeys.keys...), frameworkKeys.keys...))
	walk(sectionKeys)
	walk(channelKeys)
	return out
}

// probeReaders are the classes whose steps read a section called name, as
// the builder chooses them (buildProcessing, buildTraining, buildTransform,
// buildMetrics).
func probeReaders(name string) []StepClass {
	out := []StepClass{Processing, Training}
	switch name {
	case transformSection:
		out = append(out, Transform)
	case evaluateSection:
		out = append(out, Metrics)
	}
	return out
}

// decodeAs decodes a conf file as a compile would, with every section that
// class c may read decoded for c, and the registry. The keys a class
// requires of a section it reads (image_uri, entry_point) are left out: a
// section's schema cannot know which classes will read it, and a key's
// value is what the round trip compares (the bad-input cases test them).
func decodeAs(src []byte, framework bool, c StepClass) diag.Diagnostics {
	var ds diag.Diagnostics
	cf := loadConf("m/conf/conf.yaml", src, framework, noEnv, &ds)
	for _, m := range cf.Models {
		for _, name := range slices.Sorted(maps.Keys(m.Sections)) {
			if !slices.Contains(probeReaders(name), c) {
				continue
			}
			var sds diag.Diagnostics
			r := &reader{file: "m/conf/conf.yaml", ds: &sds, env: noEnv, budget: maxAliasExpansion}
			r.decodeSection(name, m.Sections[name], c, m.Name)
			if over, ok := m.Preview[name]; ok { // as checkPreviews decodes it
				r.decodeSection(name, sectionNode{Node: r.mergeNode(m.Sections[name].Node, over.Node), Pos: m.Sections[name].Pos}, c, m.Name)
			}
			for _, d := range sds {
				if d.Code != "missing-key" || d.Pos != m.Sections[name].Pos {
					ds = append(ds, d)
				}
			}
		}
		r := &reader{file: "m/conf/conf.yaml", ds: &ds, env: noEnv, budget: maxAliasExpansion}
		if m.Registry != nil && !isNull(m.Registry) {
			r.decodeRegistry(m.Registry, m.Name)
		}
	}
	return ds
}

// probe is a site's file with key set to value, and where the key is.
type probe struct {
	src      []byte
	key      diag.Pos // of the probed key
	outerKey diag.Pos // of the section key the path starts with after the section, or key
}

func makeProbe(t *testing.T, site probeSite, key, value string) probe {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(site.base), &doc); err != nil {
		t.Fatal(err)
	}
	var v yaml.Node
	if err := yaml.Unmarshal([]byte("v: "+value), &v); err != nil {
		t.Fatalf("probe value %s: %v", value, err)
	}
	valueNode := v.Content[0].Content[1]
	n := walkPath(t, doc.Content[0], site.path)
	set := false
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			n.Content[i+1], set = valueNode, true
		}
	}
	if !set {
		n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, valueNode)
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		t.Fatal(err)
	}
	p := probe{src: buf.Bytes()}
	// Positions, from the file as written.
	var again yaml.Node
	if err := yaml.Unmarshal(p.src, &again); err != nil {
		t.Fatalf("probe %s: %s: %v\n%s", key, value, err, p.src)
	}
	p.key = keyPos(walkPath(t, again.Content[0], site.path), key)
	p.outerKey = p.key
	if outer := site.outerPath(); outer != nil {
		p.outerKey = keyPos(walkPath(t, again.Content[0], outer[:len(outer)-1]), outer[len(outer)-1])
	}
	return p
}

// outerPath is the path to the key of site's section that site's path
// goes through, nil when the path ends at the section or has none.
func (site probeSite) outerPath() []string {
	if i := slices.Index(site.path, site.section); site.section != "" && i+1 < len(site.path) {
		return site.path[:i+2]
	}
	return nil
}

func walkPath(t *testing.T, n *yaml.Node, path []string) *yaml.Node {
	t.Helper()
	for _, step := range path {
		switch n.Kind {
		case yaml.SequenceNode:
			i, _ := strconv.Atoi(step)
			n = n.Content[i]
		case yaml.MappingNode:
			var next *yaml.Node
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == step {
					next = n.Content[i+1]
				}
			}
			if next == nil {
				t.Fatalf("no %q in the probe base", step)
			}
			n = next
		}
	}
	return n
}

func keyPos(n *yaml.Node, key string) diag.Pos {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return diag.Pos{File: "m/conf/conf.yaml", Line: n.Content[i].Line, Col: n.Content[i].Column}
		}
	}
	return diag.Pos{}
}

// decoderVerdict is what the decoder says of a probe: whether the key is
// known, and whether the value is accepted, with the problems.
func decoderVerdict(site probeSite, p probe) (known, accepted bool, problems []string) {
	classes := []StepClass{Processing}
	if site.section != "" {
		classes = probeReaders(site.section)
	}
	var asked bool
	for _, c := range classes {
		ds := decodeAs(p.src, site.framework, c)
		at := func(pos diag.Pos, code string) bool {
			return slices.ContainsFunc(ds, func(d diag.Diagnostic) bool { return d.Pos == pos && d.Code == code })
		}
		if p.outerKey != p.key && (at(p.outerKey, "unknown-key") || at(p.outerKey, "ignored-key")) {
			continue // this class reads nothing under the section's key
		}
		if at(p.key, "unknown-key") {
			problems = append(problems, fmt.Sprintf("%s: %s", c, ds))
			continue
		}
		known = true
		if at(p.key, "ignored-key") {
			continue // this class ignores the key
		}
		asked = true
		var rest diag.Diagnostics
		for _, d := range ds {
			if d.Code != "ignored-key" {
				rest = append(rest, d)
			}
		}
		if len(rest) == 0 {
			accepted = true
		}
		problems = append(problems, fmt.Sprintf("%s: %s", c, rest))
	}
	return known, known && (accepted || !asked), problems
}

func schemaVerdict(s *jsonschema.Schema, p probe) (accepted bool, problems []string) {
	d := readYAMLDoc(p.src)
	for _, e := range schemaErrors(s, "m/conf/conf.yaml", d) {
		problems = append(problems, fmt.Sprintf("%d: %s", e.line, e.message))
	}
	return len(problems) == 0, problems
}

// schemaGap is a kind of value compile refuses and the schema cannot.
type schemaGap struct {
	why   string
	match func(site, key, value string) bool
}

// schemaGaps: JSON does not hold what tells these values apart.
var schemaGaps = []schemaGap{
	{"a whole number in exponent notation is a number like any other in JSON, and compile wants counts written as integers",
		func(site, key, value string) bool { return value == "1e3" }},
	{"a preview entry must name a section of its model, a check across keys that the schema does not make",
		func(site, key, value string) bool {
			return site == "preview of a model" && !slices.Contains([]string{"prep", "transform", "evaluate"}, key)
		}},
	{"an empty conf is an empty framework conf to the schema, which cannot see the file's path; in a model conf compile warns that it defines nothing",
		func(site, key, value string) bool {
			return site == "top of a model conf" && key == "conf" && value == "{}"
		}},
}

// TestConfSchema_roundTrip: the decoder and the schema know the same keys
// at every level, and accept the same values for each.
func TestConfSchema_roundTrip(t *testing.T) {
	s := confValidator(t)
	keys := probeKeys()
	gapsSeen := make([]bool, len(schemaGaps))
	defer func() {
		for i, seen := range gapsSeen {
			if !seen && !t.Failed() {
				t.Errorf("schemaGaps[%d] (%s) matched nothing: remove it", i, schemaGaps[i].why)
			}
		}
	}()
	for _, site := range probeSites {
		t.Run(site.name, func(t *testing.T) {
			base := probe{src: []byte(site.base)}
			var outer diag.Pos // a key that some classes do not know, such as location
			if p := site.outerPath(); p != nil {
				outer = keyPos(walkPath(t, mustNode(t, site.base), p[:len(p)-1]), p[len(p)-1])
			}
			for _, c := range []StepClass{Processing, Training, Transform, Metrics} {
				for _, d := range decodeAs(base.src, site.framework, c) {
					if d.Pos != outer || d.Code != "unknown-key" {
						t.Fatalf("the base decodes with %s as %s", d, c)
					}
				}
			}
			if ok, problems := schemaVerdict(s, base); !ok {
				t.Fatalf("the base does not validate: %v", problems)
			}
			baseNode := walkPath(t, mustNode(t, site.base), site.path)
			for _, key := range keys {
				inBase := keyPos(baseNode, key).Line != 0
				known, _, problems := decoderVerdict(site, makeProbe(t, site, key, "~"))
				schemaKnown := inBase
				for _, v := range neutralValues {
					if ok, _ := schemaVerdict(s, makeProbe(t, site, key, v)); ok {
						schemaKnown = true
					}
				}
				if known != schemaKnown {
					t.Errorf("key %q: the decoder knows it: %v (%v); the schema: %v", key, known, problems, schemaKnown)
					continue
				}
				if !known {
					continue
				}
				for _, v := range append(slices.Clone(probeValues), enumProbes(key)...) {
					p := makeProbe(t, site, key, v)
					_, accepted, dprob := decoderVerdict(site, p)
					sAccepted, sprob := schemaVerdict(s, p)
					if gap := slices.IndexFunc(schemaGaps, func(g schemaGap) bool { return g.match(site.name, key, v) }); gap >= 0 && !accepted && sAccepted {
						gapsSeen[gap] = true
						continue
					}
					if accepted != sAccepted {
						t.Errorf("%s: %s: the decoder accepts it: %v %v; the schema: %v %v", key, v, accepted, dprob, sAccepted, sprob)
					}
				}
			}
		})
	}
}

func mustNode(t *testing.T, src string) *yaml.Node {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Content[0]
}

// TestConfSchema_probeSitesCoverTheTables: every kind of mapping of the
// conf language has a probe site, so a key added to a new mapping is probed
// too (add a site for it).
func TestConfSchema_probeSitesCoverTheTables(t *testing.T) {
	covered := map[string]bool{}
	for _, site := range probeSites {
		covered[tableAt(t, site.framework, site.path)] = true
	}
	reached := map[string]bool{}
	var walk func(id string, t *keyTable, readers []StepClass)
	walk = func(id string, t *keyTable, readers []StepClass) {
		if reached[id] {
			return
		}
		reached[id] = true
		keys := t.keys
		if t.others != nil {
			keys = append(slices.Clone(keys), t.others)
		}
		for _, k := range keys {
			if next, nextReaders := tableOf(k, readers); next != nil {
				walk(tableID(next, nextReaders, k), next, nextReaders)
			}
		}
	}
	walk("top", topKeys, nil)
	walk("model conf", modelConfKeys, nil)
	walk("framework conf", frameworkKeys, nil)
	delete(reached, "top") // a conf file's top: both kinds of file are probed there
	if len(reached) < 15 {
		t.Fatalf("reached only %d mappings: %v", len(reached), slices.Sorted(maps.Keys(reached)))
	}
	for _, id := range slices.Sorted(maps.Keys(reached)) {
		if !covered[id] {
			t.Errorf("no probe site for the mapping %s", id)
		}
	}
}

// tableOf is the table of the mapping k holds (or each item of its list,
// or each channel), and the classes reading it.
func tableOf(k *confKey, readers []StepClass) (*keyTable, []StepClass) {
	switch k.typ {
	case typeMapping, typeList:
		return k.keys, readers
	case typeSection:
		r := probeReaders(k.name)
		return classKeys(sectionKeys, r), r
	case typeChannels:
		return classKeys(channelKeys, readers), readers
	}
	return nil, nil
}

func tableID(t *keyTable, readers []StepClass, k *confKey) string {
	switch k.typ {
	case typeSection:
		return fmt.Sprintf("section read by %v", readers)
	case typeChannels:
		return fmt.Sprintf("channel read by %v", readers)
	}
	for _, k := range t.keys {
		return fmt.Sprintf("with key %s", k.name)
	}
	return fmt.Sprintf("of names (%s)", t.others.doc)
}

// tableAt is the id of the mapping at path.
func tableAt(t *testing.T, framework bool, path []string) string {
	t.Helper()
	id, table, readers := "top", topKeys, []StepClass(nil)
	var channels *confKey
	for _, e := range path {
		if _, err := strconv.Atoi(e); err == nil {
			continue // an item of a list: the table is its items'
		}
		if channels != nil { // e names a channel
			id, table, channels = tableID(table, readers, channels), classKeys(channelKeys, readers), nil
			continue
		}
		if id == "top" && e == "conf" {
			id, table = "model conf", modelConfKeys
			if framework {
				id, table = "framework conf", frameworkKeys
			}
			continue
		}
		k := table.get(e)
		if k == nil {
			t.Fatalf("no key %q on the way to %v", e, path)
		}
		if k.typ == typeChannels {
			channels = k
			table = classKeys(channelKeys, readers)
			continue
		}
		if k.typ == typeSection {
			k = &confKey{name: e, typ: typeSection}
		}
		next, nextReaders := tableOf(k, readers)
		if next == nil {
			t.Fatalf("key %q on the way to %v holds no mapping", e, path)
		}
		id, table, readers = tableID(next, nextReaders, k), next, nextReaders
	}
	return id
}
