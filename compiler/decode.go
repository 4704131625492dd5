package compiler

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/smpipe/smpipe-action/compiler/diag"
)

// loadConf decodes one conf file. framework marks framework/conf/conf.yaml.
// The result is always usable, possibly partial; problems go to ds.
func loadConf(file string, src []byte, framework bool, env func(string) (string, bool), ds *diag.Diagnostics) *ConfFile {
	root := parseYAML(file, src, ds)
	return decodeConf(file, root, framework, env, ds)
}

// loadConfTree is loadConf of a model conf that also returns the YAML
// document (nil when it does not parse).
func loadConfTree(file string, src []byte, env func(string) (string, bool), ds *diag.Diagnostics) (*ConfFile, *yaml.Node) {
	root := parseYAML(file, src, ds)
	return decodeConf(file, root, false, env, ds), root
}

// decodeConf decodes a parsed conf file; root is nil when it did not parse.
func decodeConf(file string, root *yaml.Node, framework bool, env func(string) (string, bool), ds *diag.Diagnostics) *ConfFile {
	cf := &ConfFile{Path: file}
	if root == nil {
		return cf
	}
	r := &reader{file: file, ds: ds, env: env, budget: maxAliasExpansion}
	top, ok := r.mapping(root, "the file", topKeys)
	if !ok {
		return cf
	}
	var conf *yaml.Node
	for _, kv := range top {
		conf = kv.Value
	}
	if conf == nil {
		return cf // reported missing
	}
	if framework {
		cf.Framework = r.decodeFramework(conf)
		return cf
	}
	entries, ok := r.mapping(conf, "conf", modelConfKeys)
	if !ok {
		return cf
	}
	for _, kv := range entries {
		switch kv.Key {
		case "models":
			cf.Models = r.decodeModels(kv.Value)
		case "sagemakerPipeline":
			cf.Pipeline = r.decodePipeline(kv.KeyN, kv.Value)
		}
	}
	if len(entries) == 0 {
		r.warnf(r.resolve(conf), "empty", "conf defines no models and no sagemakerPipeline")
	}
	return cf
}

func (r *reader) decodeFramework(n *yaml.Node) *FrameworkConf {
	fc := &FrameworkConf{Path: r.file}
	entries, _ := r.mapping(n, "conf", frameworkKeys)
	for _, kv := range entries {
		switch kv.Key {
		case "s3Bucket":
			fc.S3Bucket = r.nonEmptyStr(kv.Value, "s3Bucket")
		case "modelConfigFilePath":
			fc.ModelConfigFilePath = r.discoveryGlob(kv.Value)
		case "models":
			r.warnf(kv.KeyN, "ignored-key", "%s", kv.spec.deprecated)
		case "sagemakerNetworkSecurity":
			net, _ := r.mapping(kv.Value, "sagemakerNetworkSecurity", networkKeys)
			for _, kv := range net {
				s := r.nonEmptyStr(kv.Value, kv.Key)
				switch kv.Key {
				case "role":
					fc.Role = s
				case "subnets":
					fc.Subnets = s
				case "security_groups_id":
					fc.SecurityGroups = s
				case "kms_key":
					fc.KMSKey = s
				}
			}
		}
	}
	return fc
}

func (r *reader) decodeModels(n *yaml.Node) []*ModelConf {
	entries, _ := r.mapping(n, "models", modelsTable)
	var out []*ModelConf
	for _, kv := range entries {
		if strings.Contains(kv.Key, ".") || strings.TrimSpace(kv.Key) == "" {
			r.errorf(kv.KeyN, "model-name", "invalid model name %q: use letters, digits, '-' and '_' (no '.')", kv.Key)
			continue
		}
		m := &ModelConf{Name: kv.Key, Pos: r.pos(kv.KeyN), File: r.file, Sections: map[string]sectionNode{}}
		body, ok := r.mapping(kv.Value, fmt.Sprintf("model %q", kv.Key), modelKeys)
		if !ok {
			if isNull(r.resolve(kv.Value)) {
				r.errorf(kv.KeyN, "type", "model %q must be a mapping, found null", kv.Key)
			}
			continue
		}
		for _, e := range body {
			switch e.Key {
			case "source_directory":
				m.SourceDirectory = r.nonEmptyStr(e.Value, "source_directory")
			case "name":
				m.ModelName = r.nonEmptyStr(e.Value, "name")
			case "registry":
				m.Registry, m.RegistryPos = e.Value, r.pos(e.KeyN)
			case previewKey:
				m.Preview = r.decodePreview(e, kv.Key)
			default:
				v := r.resolve(e.Value)
				if v == nil {
					continue
				}
				if v.Kind != yaml.MappingNode && !isNull(v) {
					r.errorf(v, "type", "section %q of model %q must be a mapping, found %s", e.Key, kv.Key, kindName(v))
					continue
				}
				m.Sections[e.Key] = sectionNode{Node: v, Pos: r.pos(e.KeyN)}
			}
		}
		r.checkPreview(m)
		out = append(out, m)
	}
	return out
}

func (r *reader) decodePipeline(key, n *yaml.Node) *PipelineConf {
	pc := &PipelineConf{File: r.file, Pos: r.pos(key)}
	entries, ok := r.mappingAt(n, r.pos(key), "sagemakerPipeline", pipelineKeys)
	if !ok {
		return pc
	}
	for _, kv := range entries {
		switch kv.Key {
		case "pipelineName":
			pc.Name = r.nonEmptyStr(kv.Value, "pipelineName")
		case "models":
			models, _ := r.mapping(kv.Value, "sagemakerPipeline.models", kv.spec.keys)
			for _, m := range models {
				pc.Models = append(pc.Models, r.decodePipelineModel(m))
			}
		case "dependencies":
			items, _ := r.sequence(kv.Value, "dependencies")
			for i, it := range items {
				if s := r.str(it, fmt.Sprintf("dependencies[%d]", i)); s.Set {
					pc.Dependencies = append(pc.Dependencies, s)
				}
			}
		}
	}
	return pc
}

func (r *reader) decodePipelineModel(kv keyValue) *PipelineModelConf {
	pm := &PipelineModelConf{Name: kv.Key, Pos: r.pos(kv.KeyN)}
	what := fmt.Sprintf("sagemakerPipeline.models.%s", kv.Key)
	entries, ok := r.mappingAt(kv.Value, r.pos(kv.KeyN), what, pipelineModelKeys)
	if !ok {
		return pm
	}
	for _, e := range entries {
		items, _ := r.sequence(e.Value, what+".steps")
		for i, it := range items {
			if st := r.decodeStep(it, kv.Key, fmt.Sprintf("step %d of model %q", i+1, kv.Key)); st != nil {
				pm.Steps = append(pm.Steps, st)
			}
		}
	}
	return pm
}

func (r *reader) decodeStep(n *yaml.Node, model, what string) *StepConf {
	entries, ok := r.mapping(n, what, stepKeys)
	if !ok {
		return nil
	}
	st := &StepConf{Pos: r.pos(r.resolve(n)), Model: model}
	for _, kv := range entries {
		switch kv.Key {
		case "step_name":
			st.Name = r.nonEmptyStr(kv.Value, "step_name")
		case "step_class":
			st.Class = r.nonEmptyStr(kv.Value, "step_class")
			if _, problem := parseStepClass(st.Class.Value); st.Class.Set && problem != "" {
				r.ds.Errorf(st.Class.Pos, "step-class", "%s", problem)
			}
		case "step_type":
			st.Type = r.nonEmptyStr(kv.Value, "step_type")
		case "enable_cache":
			st.EnableCache = r.boolean(kv.Value, "enable_cache")
		case "cache_expire_after":
			st.CacheExpireAfter = r.nonEmptyStr(kv.Value, "cache_expire_after")
			if st.CacheExpireAfter.Set && !validDuration(st.CacheExpireAfter.Value) {
				r.errorf(kv.Value, "value", "cache_expire_after %q is not an ISO-8601 duration such as P10D or PT12H", st.CacheExpireAfter.Value)
			}
		case "chain_input_source_step":
			v := r.resolve(kv.Value)
			if v != nil && v.Kind == yaml.ScalarNode && !isNull(v) {
				r.errorf(v, "type", "chain_input_source_step must be a list of step names, found a string; write it as [%s]", v.Value)
				continue
			}
			items, _ := r.sequence(kv.Value, "chain_input_source_step")
			for i, it := range items {
				if s := r.nonEmptyStr(it, fmt.Sprintf("chain_input_source_step[%d]", i)); s.Set {
					st.ChainSources = append(st.ChainSources, s)
				}
			}
		case "chain_input_additional_prefix":
			st.ChainPrefix = r.nonEmptyStr(kv.Value, "chain_input_additional_prefix")
		}
	}
	return st
}

// decodePreview reads a model's preview mapping: section names, each a
// mapping (or null, no override) merged over that section in a preview
// build. What the sections hold is checked where they are read, merged.
func (r *reader) decodePreview(e keyValue, model string) map[string]sectionNode {
	if isNull(r.resolve(e.Value)) {
		return nil
	}
	entries, _ := r.mapping(e.Value, fmt.Sprintf("preview of model %q", model), e.spec.keys)
	out := map[string]sectionNode{}
	for _, pe := range entries {
		v := r.resolve(pe.Value)
		switch {
		case v == nil, isNull(v):
			continue
		case v.Kind != yaml.MappingNode:
			r.errorf(v, "type", "preview.%s of model %q must be a mapping of the section's keys to override, found %s", pe.Key, model, kindName(v))
			continue
		}
		out[pe.Key] = sectionNode{Node: v, Pos: r.pos(pe.KeyN)}
	}
	return out
}

// checkPreview reports preview entries that name no section of the model:
// there is nothing for them to override.
func (r *reader) checkPreview(m *ModelConf) {
	sections := slices.Sorted(maps.Keys(m.Sections))
	for _, name := range slices.Sorted(maps.Keys(m.Preview)) {
		if _, ok := m.Sections[name]; ok {
			continue
		}
		at := m.Preview[name].Pos
		*r.ds = append(*r.ds, diag.Diagnostic{Severity: diag.Error, Pos: at, Code: "preview",
			Summary: fmt.Sprintf("preview.%s: model %q has no section %q to override%s", name, m.Name, name, didYouMean(name, sections)),
			Detail:  "A preview entry is merged over the model's section of the same name in a preview run; define the section, or name one the model has."})
		delete(m.Preview, name)
	}
}
