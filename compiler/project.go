package compiler

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/smpipe/smpipe-action/compiler/diag"
)

// Framework holds the repository-wide settings after flag overrides.
type Framework struct {
	Bucket         Str
	Role           Str
	Subnets        Str
	SecurityGroups Str
	KMSKey         Str
	File           string // the framework conf, "" when absent
}

// Project is every conf file assembled: models by name, anchors in path order.
type Project struct {
	Framework Framework
	Files     []*ConfFile
	Models    map[string]*ModelConf
	Anchors   []*PipelineConf
	// modelFiles lists every file defining a model name, so a pipeline
	// using a model defined twice fails with the clash.
	modelFiles map[string][]string
	env        func(string) (string, bool)
	// sources are the conf files' bytes, for decoding a lean model's file
	// again (ModelConf.lean).
	sources map[string][]byte
}

// assemble merges decoded files and reports cross-file clashes: a model
// defined twice, two anchors with one pipelineName. Pipeline names clash
// without regard to case, as SageMaker's do: "Churn" and "churn" would be
// one pipeline there.
func assemble(files []*ConfFile, fw Framework, ds *diag.Diagnostics) *Project {
	p := &Project{Framework: fw, Files: files, Models: map[string]*ModelConf{}, modelFiles: map[string][]string{}}
	var clashes clashCheck
	for _, f := range files {
		for _, m := range f.Models {
			p.modelFiles[m.Name] = append(p.modelFiles[m.Name], m.File)
			if clashes.model(m.Name, m.Pos, ds) {
				p.Models[m.Name] = m
			}
		}
		if f.Pipeline == nil {
			continue
		}
		p.Anchors = append(p.Anchors, f.Pipeline)
		if f.Pipeline.Name.Set {
			clashes.pipeline(f.Pipeline.Name.Value, f.Pipeline.Name.Pos, ds)
		}
	}
	return p
}

// clashCheck finds names defined twice across conf files, fed in file
// order: the one rule for Load and Index.
type clashCheck struct {
	models    map[string]diag.Pos
	pipelines map[string]namedAt // by lower-case name
}

// model records a model definition and reports whether it is the first.
func (c *clashCheck) model(name string, at diag.Pos, ds *diag.Diagnostics) bool {
	if c.models == nil {
		c.models = map[string]diag.Pos{}
	}
	if prev, dup := c.models[name]; dup {
		ds.Errorf(at, "duplicate-model", "model %q is already defined at %s", name, prev)
		return false
	}
	c.models[name] = at
	return true
}

// pipeline records an anchor's pipelineName; a clash, without regard to
// case, is reported on both.
func (c *clashCheck) pipeline(name string, at diag.Pos, ds *diag.Diagnostics) {
	if c.pipelines == nil {
		c.pipelines = map[string]namedAt{}
	}
	key := strings.ToLower(name)
	if prev, dup := c.pipelines[key]; dup {
		as := ""
		if prev.name != name {
			as = fmt.Sprintf(" (as %q; SageMaker pipeline names ignore case)", prev.name)
		}
		ds.Errorf(at, "duplicate-pipeline", "pipelineName %q is already used by the anchor at %s%s", name, prev.at, as)
		ds.Errorf(prev.at, "duplicate-pipeline", "pipelineName %q is also used by the anchor at %s", prev.name, at)
		return
	}
	c.pipelines[key] = namedAt{name, at}
}

// namedAt is a name as written and where.
type namedAt struct {
	name string
	at   diag.Pos
}

// modelNames returns the defined model names, sorted, for suggestions.
func (p *Project) modelNames() []string { return slices.Sorted(maps.Keys(p.Models)) }

// confFiles are the conf files pipeline pc reads, sorted: its anchor, the
// files defining its models, and the framework conf.
func (p *Project) confFiles(pc *PipelineConf) []string {
	files := map[string]bool{pc.File: true}
	if p.Framework.File != "" {
		files[p.Framework.File] = true
	}
	for _, pm := range pc.Models {
		for _, f := range p.modelFiles[pm.Name] {
			files[f] = true
		}
	}
	return slices.Sorted(maps.Keys(files))
}

// splitList splits a comma-separated framework value, trimming blanks.
func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}
