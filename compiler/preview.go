package compiler

import (
	"maps"
	"path"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/smpipe/smpipe-action/internal/awsname"
)

// Preview is how a preview run compiles pipelines: a pull request's
// pipelines trained before it merges, beside the production ones and apart
// from them. Every model's preview: mapping is merged over its sections;
// each pipeline gets its own name and S3 prefix; models register to their
// group's "-preview" twin. The execution role is Options.Role.
type Preview struct {
	// Suffix names the preview, such as "pr12": pipeline P is deployed as
	// PreviewName(P, Suffix). It must be letters, digits and single inner
	// hyphens. Empty keeps the names, for a plan that shows what the
	// preview: mappings change.
	Suffix string
	// Prefix is the S3 key prefix under which the preview stages code and
	// local data and writes its default outputs, in the same bucket, such as
	// "smpipe-preview": a preview role's policy can then allow writing there
	// and nowhere else. Empty: the production layout.
	Prefix string
}

// ProductionGroupProperty is the customer metadata property of a preview's
// registered model naming the production model package group it stands
// beside, whose approved model its metrics are compared with.
const ProductionGroupProperty = "SMPIPE_PRODUCTION_GROUP"

// PreviewGroupSuffix ends the model package group previews register to:
// <group>-preview, never the production group.
const PreviewGroupSuffix = "preview"

// maxPipelineName and maxGroupName are SageMaker's limits on the names.
const (
	maxPipelineName = 256
	maxGroupName    = 63
)

// PreviewName is the name of pipeline's preview called suffix:
// <pipeline>-<suffix>, cut and told apart by a short hash when that is over
// SageMaker's 256 characters, so that every pipeline of every preview has
// its own name.
func PreviewName(pipeline, suffix string) string {
	if suffix == "" {
		return pipeline
	}
	return awsname.Suffixed(pipeline, suffix, maxPipelineName)
}

// previewGroup is the model package group a preview registers to instead
// of group: <group>-preview within the 63 characters SageMaker allows.
func previewGroup(group string) string {
	return awsname.Suffixed(group, PreviewGroupSuffix, maxGroupName)
}

// keyPrefix is where the pipeline's code, local data and default outputs
// go under the bucket (see artifactPrefix).
func (b *builder) keyPrefix() string { return artifactPrefix(b.pipe.Name, b.preview) }

// artifactPrefix is the S3 key prefix of a pipeline's objects: its name,
// under the preview's prefix in a preview.
func artifactPrefix(name string, p *Preview) string {
	if p == nil || strings.Trim(p.Prefix, "/") == "" {
		return name
	}
	return path.Join(strings.Trim(p.Prefix, "/"), name)
}

// outputRoot is the default output_path of training jobs: the bucket, or
// the preview's prefix in it.
func (b *builder) outputRoot() string {
	if b.preview == nil || strings.Trim(b.preview.Prefix, "/") == "" {
		return "s3://" + b.pipe.Bucket + "/"
	}
	return "s3://" + b.pipe.Bucket + "/" + strings.Trim(b.preview.Prefix, "/") + "/"
}

// sectionSource is what a section of m decodes from: the section, with
// its preview: entry merged over it in a preview build.
func (b *builder) sectionSource(r *reader, m *ModelConf, name string, preview bool) (sectionNode, bool) {
	nodes := b.nodes(m)
	sn, ok := nodes.Sections[name]
	if !ok {
		return sectionNode{}, false
	}
	if !preview {
		return sn, true
	}
	over, ok := nodes.Preview[name]
	if !ok {
		return sn, true
	}
	return sectionNode{Node: r.mergeNode(sn.Node, over.Node), Pos: sn.Pos}, true
}

// checkPreviews decodes, in a build that is not a preview, every section
// this pipeline read once more with its preview: entry merged over it, so
// that mistakes in a preview mapping are reported where they are written
// whether or not a preview runs. What only building a step can find (a
// dataFiles entry that names no file) a preview build reports, and so does
// the plan of a pull request.
func (b *builder) checkPreviews() {
	if b.preview != nil {
		return
	}
	keys := slices.SortedFunc(maps.Keys(b.sections), func(x, y sectionKey) int {
		return strings.Compare(x.model+"\x00"+x.section+"\x00"+string(x.class), y.model+"\x00"+y.section+"\x00"+string(y.class))
	})
	for _, k := range keys {
		m := b.proj.Models[k.model]
		if m == nil {
			continue
		}
		if _, ok := m.Preview[k.section]; !ok {
			continue
		}
		r := &reader{file: m.File, ds: b.ds, env: b.proj.env, budget: maxAliasExpansion}
		if sn, ok := b.sectionSource(r, m, k.section, true); ok {
			r.decodeSection(k.section, sn, k.class, m.Name)
		}
	}
}

// mergeNode merges over onto base as a preview: mapping does: where both
// are mappings, key by key (keys of over replace or join base's, in base's
// order then over's), anything else is replaced by over, null included.
// The result is new nodes holding the old ones: the file's tree is not
// changed, and every value keeps the position it was written at.
func (r *reader) mergeNode(base, over *yaml.Node) *yaml.Node {
	base, over = r.resolve(base), r.resolve(over)
	if over == nil {
		return base
	}
	if base == nil || base.Kind != yaml.MappingNode || over.Kind != yaml.MappingNode {
		return over
	}
	out := &yaml.Node{Kind: yaml.MappingNode, Tag: base.Tag, Style: base.Style, Line: base.Line, Column: base.Column}
	used := make([]bool, len(over.Content)/2)
	find := func(key string) int {
		for j := range used {
			k := r.resolve(over.Content[2*j])
			if !used[j] && k != nil && k.Kind == yaml.ScalarNode && k.Tag != "!!merge" && k.Value == key {
				return j
			}
		}
		return -1
	}
	for i := 0; i+1 < len(base.Content); i += 2 {
		k, v := base.Content[i], base.Content[i+1]
		j := -1
		if rk := r.resolve(k); rk != nil && rk.Kind == yaml.ScalarNode && rk.Tag != "!!merge" {
			j = find(rk.Value)
		}
		if j < 0 {
			out.Content = append(out.Content, k, v)
			continue
		}
		used[j] = true
		out.Content = append(out.Content, over.Content[2*j], r.mergeNode(v, over.Content[2*j+1]))
	}
	for j, u := range used {
		if !u {
			out.Content = append(out.Content, over.Content[2*j], over.Content[2*j+1])
		}
	}
	return out
}
