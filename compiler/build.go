package compiler

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/smpipe/smpipe-action/compiler/diag"
	"github.com/smpipe/smpipe-action/compiler/graph"
	"github.com/smpipe/smpipe-action/internal/awsname"
)

var stepClasses = []string{"Processing", "Training", "CreateModel", "Transform", "Metrics", "RegisterModel"}

// Defaults shared by the step builders (the seed's values).
const (
	defaultInstanceType = "ml.m5.2xlarge"
	defaultCacheExpiry  = "P10D"
	defaultDescription  = "Model package registered by smpipe"
	metricsOutputName   = "model_evaluation_metrics"
	metricsFileName     = "model_evaluation_metrics.json"
	processingInputDir  = "/opt/ml/processing/input"
	processingOutputDir = "/opt/ml/processing/output"
)

// userStep is one entry of a model's steps list while building.
type userStep struct {
	conf  *StepConf
	class graph.Class
	model *ModelConf // nil when the model is not defined
	name  string
	// main is the definition step other steps reference (the Training job,
	// the Model, ...); sub lists every definition step in order (a repack
	// step first, then the main one).
	main *Step
	sub  []*Step
	// Implicit wiring: the latest preceding steps of the same model.
	train, create, transform, metrics *userStep
	// afterInvalid is set when a step of unknown class precedes this one in
	// its model: a missing predecessor may be that step, so wiring errors
	// would only repeat the step_class error.
	afterInvalid bool
}

type sectionKey struct {
	model, section string
	class          graph.Class
}

type builder struct {
	proj    *Project
	pc      *PipelineConf
	fsys    fs.FS
	region  string
	ds      *diag.Diagnostics
	pipe    *Pipeline
	bundles *bundler
	byName  map[string]*userStep
	steps   []*userStep

	sections   map[sectionKey]*SectionConf
	registries map[string]*RegistryConf
	files      map[string]bool
	srcDirs    map[string]bool
	depEdges   map[[2]string]diag.Pos // DependsOn edge → the dependencies entry that made it
}

// build turns one anchor into a Pipeline. Problems go to ds; the result is
// complete only when none of them is an error.
func build(proj *Project, pc *PipelineConf, fsys fs.FS, region string, bundles *bundler, ds *diag.Diagnostics, b *builder) *Pipeline {
	*b = builder{
		proj: proj, pc: pc, fsys: fsys, region: region, ds: ds,
		pipe: &Pipeline{Name: pc.Name.Value, Anchor: pc.File, Pos: pc.Name.Pos, Region: region,
			Bucket: proj.Framework.Bucket.Value, Role: proj.Framework.Role.Value},
		byName: map[string]*userStep{}, sections: map[sectionKey]*SectionConf{}, registries: map[string]*RegistryConf{},
		files: map[string]bool{pc.File: true}, srcDirs: map[string]bool{}, depEdges: map[[2]string]diag.Pos{},
	}
	if proj.Framework.File != "" {
		b.files[proj.Framework.File] = true
	}
	b.bundles = bundles
	b.checkFramework()
	b.collect()
	for _, us := range b.steps {
		b.buildStep(us)
	}
	b.applyDependencies()
	for _, us := range b.steps {
		b.pipe.Steps = append(b.pipe.Steps, us.sub...)
	}
	b.pipe.Files = slices.Sorted(maps.Keys(b.files))
	b.pipe.SourceDirs = slices.Sorted(maps.Keys(b.srcDirs))
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
	for _, pm := range b.pc.Models {
		m := b.proj.Models[pm.Name]
		if m == nil {
			b.ds.Errorf(pm.Pos, "unknown-model", "model %q is not defined under conf.models in any conf file%s", pm.Name, didYouMean(pm.Name, b.proj.modelNames()))
		}
		for _, f := range b.proj.modelFiles[pm.Name] {
			b.files[f] = true
		}
		var latest userStep // running "latest preceding" of each class
		for _, sc := range pm.Steps {
			if !sc.Name.Set || (!sc.Class.Set && !sc.ClassInvalid) {
				continue // reported while decoding
			}
			class := graph.Class(sc.Class.Value)
			us := &userStep{conf: sc, class: class, model: m, name: sc.Name.Value,
				train: latest.train, create: latest.create, transform: latest.transform, metrics: latest.metrics,
				afterInvalid: latest.afterInvalid}
			if prev, dup := b.byName[us.name]; dup {
				b.ds.Errorf(sc.Name.Pos, "duplicate-step", "step_name %q is already used at %s", us.name, prev.conf.Name.Pos)
				continue
			}
			b.byName[us.name] = us
			if sc.ClassInvalid {
				// Known by name, so dependencies and chains on it do not
				// report again; never built.
				latest.afterInvalid = true
				continue
			}
			b.steps = append(b.steps, us)
			switch class {
			case graph.Training:
				latest.train = us
			case graph.CreateModel:
				latest.create = us
			case graph.Transform:
				latest.transform = us
			case graph.Metrics:
				latest.metrics = us
			}
		}
	}
	written := 0
	for _, pm := range b.pc.Models {
		written += len(pm.Steps)
	}
	if len(b.pc.Models) > 0 && written == 0 {
		b.ds.Errorf(b.pc.Pos, "empty", "pipeline %q has no steps", b.pipe.Name)
	}
}

// stepClass checks a step_class, suggesting the class a near miss meant;
// an invalid class comes back unset.
func (r *reader) stepClass(s Str) Str {
	if !s.Set || contains(stepClasses, s.Value) {
		return s
	}
	for _, c := range stepClasses {
		if strings.EqualFold(c, s.Value) {
			r.ds.Errorf(s.Pos, "step-class", "unknown step_class %q; did you mean %q? (step classes are case-sensitive)", s.Value, c)
			return Str{}
		}
	}
	aliases := map[string]string{"preprocessing": "Processing", "training": "Training", "createmodel": "CreateModel",
		"registermodel": "RegisterModel", "register": "RegisterModel", "evaluate": "Metrics", "metric": "Metrics"}
	if c, ok := aliases[strings.ToLower(s.Value)]; ok {
		r.ds.Errorf(s.Pos, "step-class", "unknown step_class %q; did you mean %q?", s.Value, c)
		return Str{}
	}
	r.ds.Errorf(s.Pos, "step-class", "unknown step_class %q%s (one of %s)", s.Value, didYouMean(s.Value, stepClasses), strings.Join(stepClasses, ", "))
	return Str{}
}

// section decodes a model section for a class, once.
func (b *builder) section(m *ModelConf, name string, class graph.Class) *SectionConf {
	key := sectionKey{m.Name, name, class}
	if sc, ok := b.sections[key]; ok {
		return sc
	}
	var sc *SectionConf
	if sn, ok := m.Sections[name]; ok {
		r := &reader{file: m.File, ds: b.ds, env: b.proj.env, budget: maxAliasExpansion}
		sc = r.decodeSection(name, sn.Node, class, m.Name)
		sc.Pos = sn.Pos
	}
	b.sections[key] = sc
	return sc
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
	if m.Registry != nil && !isNull(m.Registry) {
		r := &reader{file: m.File, ds: b.ds, env: b.proj.env, budget: maxAliasExpansion}
		rc = r.decodeRegistry(m.Registry, m.Name)
	}
	b.registries[m.Name] = rc
	return rc
}

// buildStep builds the definition steps of one user step.
func (b *builder) buildStep(us *userStep) {
	sc := us.conf
	if us.class != graph.Processing && us.class != graph.Training && sc.Type.Set {
		b.ds.Warnf(sc.Type.Pos, "ignored-key", "step_type has no effect on a %s step", us.class)
	}
	if cacheable(us.class) {
		if sc.CacheExpireAfter.Set && !sc.EnableCache.Value {
			b.ds.Warnf(sc.CacheExpireAfter.Pos, "ignored-key", "cache_expire_after has no effect while enable_cache is not true")
		}
	} else if sc.EnableCache.Value {
		b.ds.Warnf(sc.EnableCache.Pos, "ignored-key", "enable_cache has no effect on a %s step; only Processing, Training, Transform and Metrics steps are cached", us.class)
	}
	if us.class != graph.Transform && sc.ChainPrefix.Set {
		b.ds.Warnf(sc.ChainPrefix.Pos, "ignored-key", "chain_input_additional_prefix has no effect on a %s step; only Transform steps read it", us.class)
	}
	if !chainConsumer(us.class) && len(sc.ChainSources) > 0 {
		b.ds.Errorf(sc.ChainSources[0].Pos, "chain", "a %s step takes no chain_input_source_step; its inputs are wired implicitly", us.class)
	}
	if us.model == nil {
		return // reported in collect
	}
	switch us.class {
	case graph.Processing:
		b.buildProcessing(us)
	case graph.Training:
		b.buildTraining(us)
	case graph.CreateModel:
		b.buildCreateModel(us)
	case graph.Transform:
		b.buildTransform(us)
	case graph.Metrics:
		b.buildMetrics(us)
	case graph.RegisterModel:
		b.buildRegister(us)
	}
}

func cacheable(c graph.Class) bool {
	return c == graph.Processing || c == graph.Training || c == graph.Transform || c == graph.Metrics
}

func chainConsumer(c graph.Class) bool { return cacheable(c) }

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
	s.Group, s.Model, s.Pos = us.name, us.model.Name, us.conf.Pos
	us.sub = append(us.sub, s)
	if s.Class == us.class {
		us.main = s
	}
	return s
}

// sourceDir checks and returns a model's source_directory as a clean path
// relative to the repository root.
func (b *builder) sourceDir(us *userStep) (string, bool) {
	m := us.model
	if !m.SourceDirectory.Set {
		b.ds.Errorf(us.conf.Pos, "missing-key", "model %q has no source_directory, which %s step %q needs for its code", m.Name, us.class, us.name)
		return "", false
	}
	sd := m.SourceDirectory
	dir, ok := b.repoPath(".", sd.Value)
	if !ok {
		b.ds.Errorf(sd.Pos, "path", "source_directory %q is outside the repository", sd.Value)
		return "", false
	}
	target, info, err := resolveEntry(b.fsys, dir)
	switch {
	case errors.As(err, new(*linkEscape)):
		b.ds.Errorf(sd.Pos, "path", "source_directory %q is a symlink that leaves the repository", sd.Value)
		return "", false
	case b.refused(sd.Pos, "source_directory", sd.Value, err, ""):
		return "", false
	case err != nil:
		b.ds.Errorf(sd.Pos, "path", "source_directory %q does not exist", sd.Value)
		return "", false
	case !info.IsDir():
		b.ds.Errorf(sd.Pos, "path", "source_directory %q is not a directory", sd.Value)
		return "", false
	}
	b.srcDirs[target] = true
	return target, true
}

// repoPath joins rel onto base (both relative to the root) and reports
// whether the result stays inside the repository.
func (b *builder) repoPath(base, rel string) (string, bool) {
	rel = strings.TrimPrefix(rel, "./")
	return resolveRel(base, rel)
}

var entryPointRE = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_./-]*$`)

// entryPoint checks that a section's entry_point exists inside dir.
func (b *builder) entryPoint(us *userStep, sec *SectionConf, dir, what string) (string, bool) {
	ep := sec.EntryPoint
	if !ep.Set {
		b.ds.Errorf(sec.Pos, "missing-key", "%s is missing required key \"entry_point\"", what)
		return "", false
	}
	if !entryPointRE.MatchString(ep.Value) {
		b.ds.Errorf(ep.Pos, "path", "entry_point %q must be a relative path of letters, digits, '_', '-', '.' and '/'", ep.Value)
		return "", false
	}
	p, ok := b.repoPath(dir, ep.Value)
	if !ok || !strings.HasPrefix(p+"/", dir+"/") {
		b.ds.Errorf(ep.Pos, "path", "entry_point %q leaves source_directory %q", ep.Value, us.model.SourceDirectory.Value)
		return "", false
	}
	if _, info, err := resolveEntry(b.fsys, p); b.refused(ep.Pos, "entry_point", ep.Value, err, "") {
		return "", false
	} else if err != nil || info.IsDir() {
		b.ds.Errorf(ep.Pos, "path", "entry_point %q not found in source_directory %q", ep.Value, us.model.SourceDirectory.Value)
		return "", false
	}
	return ep.Value, true
}

// module turns an entry point path into the dotted module python -m runs.
func module(entryPoint string) string {
	return strings.ReplaceAll(strings.TrimSuffix(strings.TrimPrefix(entryPoint, "./"), ".py"), "/", ".")
}

// fileURI resolves a dataFiles fileName: s3:// URIs as written; with a
// channel bucket, s3://bucket/prefix/file; otherwise a local file under
// source_directory that deploy uploads.
func (b *builder) fileURI(us *userStep, df DataFileConf, bucket, prefix Str) (string, bool) {
	fn := df.FileName
	if strings.HasPrefix(fn.Value, "s3://") {
		return fn.Value, true
	}
	if bucket.Set {
		parts := []string{strings.Trim(bucket.Value, "/")}
		for _, p := range []string{prefix.Value, fn.Value} {
			if p = strings.Trim(p, "/"); p != "" {
				parts = append(parts, p)
			}
		}
		return "s3://" + strings.Join(parts, "/"), true
	}
	if strings.Contains(fn.Value, "://") {
		b.ds.Errorf(fn.Pos, "path", "fileName %q must be an s3:// URI or a path relative to source_directory", fn.Value)
		return "", false
	}
	dir, ok := b.sourceDir(us)
	if !ok {
		return "", false
	}
	p, ok := b.repoPath(dir, fn.Value)
	if !ok {
		b.ds.Errorf(fn.Pos, "path", "fileName %q is outside the repository", fn.Value)
		return "", false
	}
	target, info, err := resolveEntry(b.fsys, p)
	if b.refused(fn.Pos, "fileName", fn.Value, err, dataAdvice) {
		return "", false
	}
	if err != nil || !info.Mode().IsRegular() {
		b.ds.Errorf(fn.Pos, "path", "fileName %q is neither an s3:// URI nor a file in source_directory %q; give the channel a bucket or add the file", fn.Value, us.model.SourceDirectory.Value)
		return "", false
	}
	a, err := b.bundles.dataFile(target)
	if err != nil {
		if !b.refused(fn.Pos, "fileName", fn.Value, err, dataAdvice) && !b.bundles.failed() {
			b.ds.Errorf(fn.Pos, "path", "reading fileName %q: %s", fn.Value, fileProblem(err))
		}
		return "", false
	}
	return a.URI(), true
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

// chained is one input that comes from another step's output.
type chained struct {
	source  *userStep
	channel string // the source output/channel the input is named after
	uri     Get
	pos     diag.Pos
}

// chainSources resolves chain_input_source_step names of us.
func (b *builder) chainSources(us *userStep) []*userStep {
	var out []*userStep
	for _, s := range us.conf.ChainSources {
		src, ok := b.byName[s.Value]
		switch {
		case !ok:
			b.ds.Errorf(s.Pos, "chain", "chain_input_source_step %q is not a step of this pipeline%s", s.Value, didYouMean(s.Value, slices.Sorted(maps.Keys(b.byName))))
		case src.class == "":
			// its step_class is invalid: already reported
		case src == us:
			b.ds.Errorf(s.Pos, "chain", "step %q cannot chain its own output as input", us.name)
		case src.class == graph.CreateModel || src.class == graph.RegisterModel:
			b.ds.Errorf(s.Pos, "chain", "chain_input_source_step %q is a %s step, which produces no data; chain from a Processing, Training, Transform or Metrics step", s.Value, src.class)
		case src.model == nil:
			// its model is undefined: already reported
		default:
			out = append(out, src)
			continue
		}
		out = append(out, nil) // keep positions aligned with the conf list
	}
	return out
}

// outputs lists the channels a source step provides, each with the
// property reference that reads it. Channel lists come from the source's
// own section (the seed read the consumer's).
func (b *builder) outputs(src *userStep) []chained {
	name := src.name
	switch src.class {
	case graph.Processing:
		var out []chained
		for _, ch := range b.processingOutputs(src) {
			out = append(out, chained{source: src, channel: ch, uri: processingOutputRef(name, ch)})
		}
		return out
	case graph.Training:
		chans := []string{"train"}
		if sec := b.section(src.model, src.conf.Type.Or("train"), graph.Training); sec != nil && len(sec.Channels) > 0 {
			chans = chans[:0]
			for _, ch := range sec.Channels {
				chans = append(chans, ch.Name)
			}
		}
		out := make([]chained, len(chans))
		for i, ch := range chans {
			out[i] = chained{source: src, channel: ch, uri: modelArtifactsRef(name)}
		}
		return out
	case graph.Transform:
		return []chained{{source: src, channel: b.transformChannel(src.model), uri: transformOutputRef(name)}}
	case graph.Metrics:
		return []chained{{source: src, channel: b.evaluateChannel(src.model), uri: processingOutputRef(name, metricsOutputName)}}
	}
	return nil
}

// processingOutputs are a Processing step's output names: its section's
// channel keys, or "train".
func (b *builder) processingOutputs(us *userStep) []string {
	if !us.conf.Type.Set {
		return []string{"train"}
	}
	sec := b.section(us.model, us.conf.Type.Value, graph.Processing)
	if sec == nil || len(sec.Channels) == 0 {
		return []string{"train"}
	}
	out := make([]string, len(sec.Channels))
	for i, ch := range sec.Channels {
		out[i] = ch.Name
	}
	return out
}

func (b *builder) transformChannel(m *ModelConf) string {
	if sec := b.section(m, "transform", graph.Transform); sec != nil && len(sec.Channels) > 0 {
		return sec.Channels[0].Name
	}
	return "train"
}

func (b *builder) evaluateChannel(m *ModelConf) string {
	sec := b.section(m, "evaluate", graph.Metrics)
	switch {
	case sec == nil:
		return "train"
	case sec.ChannelName.Set:
		return sec.ChannelName.Value
	case len(sec.Channels) > 0:
		return sec.Channels[0].Name
	}
	return "train"
}

// pick returns the output of src named channel, reporting a missing one.
func (b *builder) pick(us *userStep, src *userStep, channel string, at diag.Pos) (chained, bool) {
	outs := b.outputs(src)
	if src.class == graph.Processing {
		for _, o := range outs {
			if o.channel == channel {
				o.pos = at
				return o, true
			}
		}
		names := make([]string, len(outs))
		for i, o := range outs {
			names[i] = o.channel
		}
		b.ds.Errorf(at, "chain", "%s step %q reads output %q of %q, which has outputs %s; rename the channel so they match",
			us.class, us.name, channel, src.name, strings.Join(quoteAll(names), ", "))
		return chained{}, false
	}
	o := outs[0]
	o.pos = at
	return o, true
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}

// applyDependencies turns `a >> b >> c` entries into DependsOn. A
// CreateModel or RegisterModel target gets the edge on its first sub-step;
// such a source stands for all of its sub-steps.
func (b *builder) applyDependencies() {
	names := slices.Sorted(maps.Keys(b.byName))
	for _, dep := range b.pc.Dependencies {
		parts := strings.Split(dep.Value, ">>")
		var chain []*userStep
		ok := true
		for _, p := range parts {
			p = strings.TrimSpace(p)
			us, found := b.byName[p]
			switch {
			case p == "":
				b.ds.Errorf(dep.Pos, "dependency", "dependency %q has an empty step name; write it as \"a >> b >> c\"", dep.Value)
				ok = false
			case !found:
				b.ds.Errorf(dep.Pos, "dependency", "dependency %q names unknown step %q%s", dep.Value, p, didYouMean(p, names))
				ok = false
			default:
				chain = append(chain, us)
			}
		}
		if !ok {
			continue
		}
		if len(chain) == 1 {
			b.ds.Warnf(dep.Pos, "dependency", "dependency %q has no \">>\" and orders nothing", dep.Value)
			continue
		}
		for i := 0; i+1 < len(chain); i++ {
			from, to := chain[i], chain[i+1]
			if from == to {
				b.ds.Errorf(dep.Pos, "dependency", "step %q cannot depend on itself", from.name)
				continue
			}
			if len(to.sub) == 0 || len(from.sub) == 0 {
				continue // the step failed to build; reported already
			}
			target := to.sub[0]
			for _, s := range from.sub {
				if !slices.Contains(target.DependsOn, s.Name) {
					target.DependsOn = append(target.DependsOn, s.Name)
					b.depEdges[[2]string{s.Name, target.Name}] = dep.Pos
				}
			}
		}
	}
}
