package compiler

import (
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"strings"

	"github.com/smpipe/smpipe-action/compiler/diag"
	"github.com/smpipe/smpipe-action/internal/awsname"
)

// userStep is one entry of a model's steps list while building.
type userStep struct {
	conf *StepConf
	// class is the step's class. For a step_class that is not a class it is
	// the class the user most likely meant, so the step is still checked in
	// this run; "" when nothing is close. Either way the decoding error
	// already fails the pipeline.
	class StepClass
	model *ModelConf // nil when the model is not defined
	name  string
	// main is the definition step other steps reference (the Training job,
	// the Model, ...); sub lists every definition step in order (a repack
	// step first, then the main one).
	main *Step
	sub  []*Step
	// Implicit wiring (wiring.go): the latest preceding steps of the same
	// model.
	train, create, transform, metrics *userStep
	// afterInvalid is set when a step of unknown class precedes this one in
	// its model: a missing predecessor may be that step, so wiring errors
	// would only repeat the step_class error.
	afterInvalid bool
	// gate is the quality gate a RegisterModel step goes under (step_gate.go).
	gate *QualityGateConf
}

type sectionKey struct {
	model, section string
	class          StepClass
}

// builder turns one anchor into a Pipeline. Step builders live in
// step_<class>.go, path resolution in paths.go, implicit wiring, chains and
// dependencies in wiring.go.
type builder struct {
	proj    *Project
	pc      *PipelineConf
	preview *Preview // nil unless this is a preview build
	fsys    fs.FS
	region  string
	ds      *diag.Diagnostics
	pipe    *Pipeline
	bundles *bundler
	byName  map[string]*userStep
	steps   []*userStep // in model order, then list order

	sections   map[sectionKey]*SectionConf
	registries map[string]*RegistryConf
	reloaded   map[string]*ConfFile // lean model files decoded again, by path
	srcDirs    map[*ModelConf]srcDir
}

// build turns one anchor into a Pipeline. Problems go to ds; the result is
// complete only when none of them is an error.
func build(proj *Project, pc *PipelineConf, fsys fs.FS, region string, preview *Preview, bundles *bundler, ds *diag.Diagnostics) *Pipeline {
	b := &builder{
		proj: proj, pc: pc, fsys: fsys, region: region, ds: ds, preview: preview,
		pipe: &Pipeline{Name: pc.Name.Value, Anchor: pc.File, Pos: pc.Name.Pos, Region: region,
			Bucket: proj.Framework.Bucket.Value, Role: proj.Framework.Role.Value},
		byName: map[string]*userStep{}, sections: map[sectionKey]*SectionConf{}, registries: map[string]*RegistryConf{},
		srcDirs: map[*ModelConf]srcDir{},
	}
	b.bundles = bundles
	b.checkFramework()
	if preview != nil && preview.Suffix != "" && awsname.Hyphenated(b.pipe.Name, maxPipelineName) {
		b.pipe.PreviewOf, b.pipe.Name = b.pipe.Name, PreviewName(b.pipe.Name, preview.Suffix)
	}
	b.collect()
	b.wireImplicit()
	for _, us := range b.steps {
		b.buildStep(us)
	}
	b.applyDependencies()
	for _, us := range b.steps {
		if len(us.sub) == 0 {
			b.pipe.Unbuilt = append(b.pipe.Unbuilt, us.name)
		}
		b.pipe.Steps = append(b.pipe.Steps, us.sub...)
	}
	b.applyGates()
	b.checkPreviews()
	b.pipe.Files = proj.confFiles(pc)
	b.pipe.KeyPrefix = b.keyPrefix()
	dirs := map[string]bool{}
	for _, r := range b.srcDirs {
		if r.ok {
			dirs[r.dir] = true
		}
	}
	b.pipe.SourceDirs = slices.Sorted(maps.Keys(dirs))
	b.pipe.Artifacts = b.bundles.artifacts()
	return b.pipe
}

func (b *builder) checkFramework() {
	fw := b.proj.Framework
	at := b.pc.Pos
	if fw.File != "" {
		at = diag.Pos{File: fw.File, Line: 1, Col: 1}
	}
	if !fw.Bucket.Set {
		b.ds.Errorf(at, "missing-key", "no S3 bucket for pipeline %q: set conf.s3Bucket in %s or pass --bucket", b.pipe.Name, DefaultFrameworkConf)
	}
	if !fw.Role.Set {
		b.ds.Errorf(at, "missing-key", "no execution role for pipeline %q: set conf.sagemakerNetworkSecurity.role in %s or pass --role", b.pipe.Name, DefaultFrameworkConf)
	}
	if name := b.pipe.Name; name != "" && !awsname.Hyphenated(name, 256) {
		b.ds.Errorf(b.pc.Name.Pos, "pipeline-name", "invalid pipelineName %q: use 1-256 letters, digits and single hyphens, starting and ending with a letter or digit", name)
	} else if len(name) > 82 {
		b.ds.Warnf(b.pc.Name.Pos, "pipeline-name", "pipelineName %q is %d characters; SageMaker's default experiment tracking fails for names over 82", name, len(name))
	}
}

// collect registers every step by name and class, so references can point
// forward and across models.
func (b *builder) collect() {
	written := 0
	for _, pm := range b.pc.Models {
		written += len(pm.Steps)
		m := b.proj.Models[pm.Name]
		if m != nil && len(m.Preview) > 0 {
			b.pipe.HasPreview = true
		}
		if m == nil {
			b.ds.Errorf(pm.Pos, "unknown-model", "model %q is not defined under conf.models in any conf file%s", pm.Name, didYouMean(pm.Name, b.proj.modelNames()))
		}
		for _, sc := range pm.Steps {
			if !sc.Name.Set || !sc.Class.Set {
				continue // reported while decoding
			}
			class, _ := parseStepClass(sc.Class.Value)
			us := &userStep{conf: sc, class: class, model: m, name: sc.Name.Value}
			if prev, dup := b.byName[us.name]; dup {
				b.ds.Errorf(sc.Name.Pos, "duplicate-step", "step_name %q is already used at %s", us.name, prev.conf.Name.Pos)
				continue
			}
			b.byName[us.name] = us
			b.steps = append(b.steps, us)
		}
	}
	if len(b.pc.Models) > 0 && written == 0 {
		b.ds.Errorf(b.pc.Pos, "empty", "pipeline %q has no steps", b.pipe.Name)
	}
}

// section decodes a model section for a class, once.
func (b *builder) section(m *ModelConf, name string, class StepClass) *SectionConf {
	key := sectionKey{m.Name, name, class}
	if sc, ok := b.sections[key]; ok {
		return sc
	}
	var sc *SectionConf
	r := &reader{file: m.File, ds: b.ds, env: b.proj.env, budget: maxAliasExpansion}
	if sn, ok := b.sectionSource(r, m, name, b.preview != nil); ok {
		sc = r.decodeSection(name, sn, class, m.Name)
	}
	b.sections[key] = sc
	return sc
}

// nodes returns m with its YAML nodes: m itself, or for a lean model (see
// Load) the model as its file decodes again, once per build. That decode's
// diagnostics were reported when the file was loaded.
func (b *builder) nodes(m *ModelConf) *ModelConf {
	if !m.lean {
		return m
	}
	cf, ok := b.reloaded[m.File]
	if !ok {
		var discard diag.Diagnostics
		cf = loadConf(m.File, b.proj.sources[m.File], false, b.proj.env, &discard)
		if b.reloaded == nil {
			b.reloaded = map[string]*ConfFile{}
		}
		b.reloaded[m.File] = cf
	}
	for _, rm := range cf.Models {
		if rm.Name == m.Name {
			return rm
		}
	}
	return m // not reached: the same bytes decode to the same models
}

func (b *builder) sectionNames(m *ModelConf) []string {
	return slices.Sorted(maps.Keys(m.Sections))
}

// registry decodes a model's registry section, once; nil when absent.
func (b *builder) registry(m *ModelConf) *RegistryConf {
	if rc, ok := b.registries[m.Name]; ok {
		return rc
	}
	var rc *RegistryConf
	if reg := b.nodes(m).Registry; reg != nil && !isNull(reg) {
		r := &reader{file: m.File, ds: b.ds, env: b.proj.env, budget: maxAliasExpansion}
		rc = r.decodeRegistry(reg, m.Name)
	}
	b.registries[m.Name] = rc
	return rc
}

// buildStep builds the definition steps of one user step.
func (b *builder) buildStep(us *userStep) {
	if us.class == "" {
		b.checkChainNames(us) // its class is unknown, its chain sources are not
		return
	}
	sc, spec := us.conf, us.class.spec()
	if us.class != Processing && us.class != Training && sc.Type.Set {
		b.ds.Warnf(sc.Type.Pos, "ignored-key", "step_type has no effect on a %s step", us.class)
	}
	if spec.cached {
		if sc.CacheExpireAfter.Set && !sc.EnableCache.Value {
			b.ds.Warnf(sc.CacheExpireAfter.Pos, "ignored-key", "cache_expire_after has no effect while enable_cache is not true")
		}
	} else if sc.EnableCache.Value {
		b.ds.Warnf(sc.EnableCache.Pos, "ignored-key", "enable_cache has no effect on a %s step; only %s steps are cached", us.class, classesWhere(func(s *classSpec) bool { return s.cached }, "and"))
	}
	if us.class != Transform && sc.ChainPrefix.Set {
		b.ds.Warnf(sc.ChainPrefix.Pos, "ignored-key", "chain_input_additional_prefix has no effect on a %s step; only Transform steps read it", us.class)
	}
	if !spec.chains && len(sc.ChainSources) > 0 {
		b.ds.Errorf(sc.ChainSources[0].Pos, "chain", "a %s step takes no chain_input_source_step; its inputs are wired implicitly", us.class)
	}
	if us.model == nil {
		return // reported in collect
	}
	switch us.class {
	case Processing:
		b.buildProcessing(us)
	case Training:
		b.buildTraining(us)
	case CreateModel:
		b.buildCreateModel(us)
	case Transform:
		b.buildTransform(us)
	case Metrics:
		b.buildMetrics(us)
	case RegisterModel:
		b.buildRegister(us)
	}
}

// classesWhere lists the step classes whose spec satisfies f, for
// messages: "Processing, Training, Transform and Metrics" (conj "and").
func classesWhere(f func(*classSpec) bool, conj string) string {
	var names []string
	for _, c := range stepClasses {
		if f(c.spec()) {
			names = append(names, string(c))
		}
	}
	return wordList(names, conj)
}

// wordList writes words as prose: "a", "a or b", "a, b and c".
func wordList(words []string, conj string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " " + conj + " " + words[len(words)-1]
}

// cache returns the CacheConfig every cacheable step carries.
func (b *builder) cache(us *userStep, settings map[string]string) *cacheConfig {
	c := &cacheConfig{Enabled: us.conf.EnableCache.Value, ExpireAfter: us.conf.CacheExpireAfter.Or(defaultCacheExpiry)}
	settings["enable_cache"] = fmt.Sprint(c.Enabled)
	if c.Enabled {
		settings["cache_expire_after"] = c.ExpireAfter
	}
	return c
}

// addStep appends a definition step to us.
func (b *builder) addStep(us *userStep, s *Step) *Step {
	s.Type, s.Group, s.Model, s.Pos = s.Class.spec().stepType, us.name, us.model.Name, us.conf.Pos
	us.sub = append(us.sub, s)
	if s.Class == us.class {
		us.main = s
	}
	return s
}

func (b *builder) vpc() *vpcConfig {
	fw := b.proj.Framework
	subnets, groups := splitList(fw.Subnets.Value), splitList(fw.SecurityGroups.Value)
	if len(subnets) == 0 && len(groups) == 0 {
		return nil
	}
	return &vpcConfig{SecurityGroupIds: groups, Subnets: subnets}
}

func (b *builder) kms() string { return b.proj.Framework.KMSKey.Value }

func tagsOf(tags []Tag, settings map[string]string) []tagDef {
	out := make([]tagDef, 0, len(tags))
	for _, t := range tags {
		out = append(out, tagDef{Key: t.Key.Value, Value: t.Value.Value})
		settings["tags."+t.Key.Value] = t.Value.Value
	}
	return out
}

func envOf(kvs []KV, prefix string, settings map[string]string) map[string]string {
	if len(kvs) == 0 {
		return nil
	}
	out := make(map[string]string, len(kvs))
	for _, kv := range kvs {
		out[kv.Key] = kv.Value.Value
		settings[prefix+"."+kv.Key] = kv.Value.Value
	}
	return out
}
