package compiler

import (
	"cmp"
	"context"
	"fmt"
	"io/fs"
	"path"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/smpipe/smpipe-action/compiler/diag"
	"github.com/smpipe/smpipe-action/internal/awsregion"
)

// Options are what a caller can set; checks never read flags.
type Options struct {
	// Paths restrict which pipelines are compiled: only anchors at or under
	// one of these slash paths (relative to the root). Every conf file is
	// still loaded, because models are looked up across files.
	Paths []string
	// Glob selects conf files; empty means the framework conf's
	// modelConfigFilePath when set, else DefaultGlob.
	Glob string
	// FrameworkConf is the framework conf's path; empty means
	// DefaultFrameworkConf when that file exists.
	FrameworkConf string
	// Region is the region the definitions are for (image URIs,
	// SAGEMAKER_REGION); callers resolve it with awsregion.Resolve, and the
	// plan carries it so a deploy refuses another region.
	Region string
	// Getenv resolves SMP_* placeholders; nil means the process environment.
	// A placeholder set to the empty string counts as not set unless
	// AllowEmpty names it: a repository variable that does not exist reaches
	// a workflow's env: block as "", and SMP_SUBNETS="" would otherwise
	// deploy without a VPC.
	Getenv     func(string) (string, bool)
	AllowEmpty []string
	// Overrides of framework conf values (flags, action inputs); empty
	// strings leave the conf's value.
	Bucket, Role, Subnets, SecurityGroups, KMSKey string
	// Strict reports unknown keys as errors instead of warnings (the CLI's
	// --strict, the action's strict input).
	Strict bool
	// Promote lists further diagnostic codes reported as errors instead of
	// warnings.
	Promote []string
	// MaxFileSize bounds each local data file and each file put in a code
	// bundle; zero means workspace.DefaultMaxFileSize. Conf files have
	// their own fixed bound, workspace.MaxConfSize.
	MaxFileSize int64
	// ArtifactDir, when set, receives every built artifact (code bundles,
	// scripts) as a file named by its content, and Artifact.File is its
	// absolute path; the directory must exist. Empty: artifacts are only
	// hashed, streamed, and nothing is kept.
	ArtifactDir string
	// Preview, when set, compiles each pipeline as a preview run deploys
	// it (see Preview); nil compiles what a merge deploys.
	Preview *Preview

	// lean makes Load let go of YAML trees whatever the repository's size,
	// so tests cover that path with small repositories.
	lean bool
	// streaming is set by CompileEach, whose caller keeps no plans: a lean
	// load may then run the garbage collector closer to the live heap.
	streaming bool
}

// leanGCPercent is the collector's target while a large repository is
// compiled and streamed out: what is kept is small (the decoded confs), so
// the collector's headroom is most of the process's memory. At 50 a
// 1,000-pipeline compile peaks at 38-39 MB instead of 45-46 MB, for 10-20 %
// more CPU and no longer wall time on two cores (README, Performance).
const leanGCPercent = 50

// tightenGC sets the collector's target to leanGCPercent unless GOGC set
// another one, and returns what undoes it.
func tightenGC() func() {
	old := debug.SetGCPercent(leanGCPercent)
	if old != 100 { // GOGC says otherwise: keep it
		debug.SetGCPercent(old)
		return func() {}
	}
	return func() { debug.SetGCPercent(old) }
}

// leanConfFiles is the number of conf files from which Load keeps no YAML
// trees (see Load).
const leanConfFiles = 100

// promoted lists every code reported as an error: Promote, and what Strict
// adds.
func (o Options) promoted() []string {
	if o.Strict {
		return append(slices.Clone(o.Promote), "unknown-key")
	}
	return o.Promote
}

// Result is one compile of a repository.
type Result struct {
	// Plans has one entry per selected anchor, in anchor path order; a plan
	// with Failed set carries no definition.
	Plans []*Plan
	// Sources holds every file read, for printing snippets.
	Sources map[string][]byte
	// ConfFiles are all conf files discovered, sorted.
	ConfFiles []string
	// FrameworkConf is the framework conf used, "" if none.
	FrameworkConf string
}

// Compile discovers, decodes and builds every selected pipeline under fsys
// (the repository root: a workspace.Root, a git revision, or any fs.FS
// following the rules of package workspace). It never stops at the first
// problem: the diagnostics, sorted, are all of them. The error is for what
// stopped the run itself: a cancelled ctx, an artifact that could not be
// written.
func Compile(ctx context.Context, fsys fs.FS, opt Options) (*Result, diag.Diagnostics, error) {
	var plans []*Plan
	res, ds, err := CompileEach(ctx, fsys, opt, func(p *Plan) error {
		plans = append(plans, p)
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	res.Plans = plans
	return res, ds, nil
}

// CompileEach is Compile for callers that write each plan out and drop it:
// plans go to yield in anchor order as they are built (see BuildEach), and
// the Result has every field but Plans.
func CompileEach(ctx context.Context, fsys fs.FS, opt Options, yield func(*Plan) error) (*Result, diag.Diagnostics, error) {
	opt.streaming = true
	repo, err := Load(ctx, fsys, opt)
	if err != nil {
		return nil, nil, err
	}
	defer repo.restoreGC()
	anchors := repo.Select(opt.Paths)
	if len(anchors) == 0 && !repo.diags.HasErrors() { // a file that failed to load may be the anchor
		where := "any conf file"
		if len(opt.Paths) > 0 && !slices.Contains(opt.Paths, ".") {
			where = "conf files under " + strings.Join(opt.Paths, ", ")
		}
		repo.diags.Errorf(diag.Pos{}, "no-pipeline", "no pipeline found: no sagemakerPipeline section in %s matched by %q", where, repo.glob)
	}
	ds, err := repo.BuildEach(ctx, anchors, yield)
	if err != nil {
		return nil, nil, err
	}
	return &Result{Sources: repo.res.Sources, ConfFiles: repo.res.ConfFiles, FrameworkConf: repo.res.FrameworkConf}, ds, nil
}

// Repository is a loaded repository: every conf file decoded and
// assembled, nothing built yet. Plan and deploy use it to decide which
// pipelines a change touches before paying for building them.
type Repository struct {
	fsys  fs.FS
	opt   Options
	proj  *Project
	res   *Result
	glob  string
	diags diag.Diagnostics // of loading and assembling
	// restoreGC undoes what a streaming load of a large repository did to
	// the garbage collector (tightenGC).
	restoreGC func()
}

// Anchor describes one pipeline before it is built.
type Anchor struct {
	Name string // "" when pipelineName is missing
	File string
	// Files are the conf files the pipeline reads: the anchor, every file
	// defining one of its models, and the framework conf.
	Files []string
}

// Load discovers and decodes every conf file and assembles the project.
// It checks ctx between files; the error is ctx's.
func Load(ctx context.Context, fsys fs.FS, opt Options) (*Repository, error) {
	return load(ctx, fsys, opt, nil)
}

// frameworkPath is the framework conf's path, and whether Options named it.
func frameworkPath(opt Options) (string, bool) {
	p := opt.FrameworkConf
	explicit := p != ""
	if !explicit {
		p = DefaultFrameworkConf
	}
	return strings.TrimPrefix(path.Clean(p), "./"), explicit
}

// readFramework reads and decodes the framework conf; file is "" when there
// is none (a missing file is a problem only when Options named it).
func readFramework(fsys fs.FS, opt Options, env func(string) (string, bool), ds *diag.Diagnostics) (file string, src []byte, fc *FrameworkConf) {
	p, explicit := frameworkPath(opt)
	src, ok := readConf(fsys, p, "framework conf "+p, "framework-conf", explicit, ds)
	if !ok {
		return "", nil, nil
	}
	return p, src, loadConf(p, src, true, env, ds).Framework
}

// discoveryGlobOf is the glob that finds conf files: Options.Glob, else the
// framework conf's modelConfigFilePath, else DefaultGlob.
func discoveryGlobOf(fc *FrameworkConf, opt Options) string {
	switch {
	case opt.Glob != "":
		return opt.Glob
	case fc != nil && fc.ModelConfigFilePath.Set && fc.ModelConfigFilePath.Value != "":
		return fc.ModelConfigFilePath.Value
	}
	return DefaultGlob
}

// load is Load; with only set, the conf files are those instead of the
// ones discovery finds (Index.Load).
func load(ctx context.Context, fsys fs.FS, opt Options, only []string) (*Repository, error) {
	var ds diag.Diagnostics
	env := placeholderEnv(opt.Getenv, opt.AllowEmpty)
	res := &Result{Sources: map[string][]byte{}}

	// The framework conf.
	fwPath, fwSrc, fc := readFramework(fsys, opt, env, &ds)
	if fwPath != "" {
		res.Sources[fwPath] = fwSrc
		res.FrameworkConf = fwPath
	}
	fw := frameworkValues(fc, opt, res.FrameworkConf)

	// Discovery.
	glob := discoveryGlobOf(fc, opt)
	if only != nil {
		res.ConfFiles = only
	} else {
		var err error
		if res.ConfFiles, err = discover(ctx, fsys, glob, res.FrameworkConf, &ds); err != nil {
			return nil, err
		}
	}
	type loaded struct {
		src  []byte
		conf *ConfFile
		ds   diag.Diagnostics
	}
	out := make([]loaded, len(res.ConfFiles))
	// A large repository keeps only each file's source and what was
	// decoded, not its YAML trees: building a model's pipeline decodes its
	// file again. That costs one more parse per built file and keeps
	// memory flat, which matters from some hundred files on.
	lean := opt.lean || len(res.ConfFiles) > leanConfFiles
	restoreGC := func() {}
	if lean && opt.streaming {
		restoreGC = tightenGC()
	}
	parallel(len(res.ConfFiles), func(i int) {
		if ctx.Err() != nil {
			return
		}
		p := res.ConfFiles[i]
		src, ok := readConf(fsys, p, "conf file", "read", true, &out[i].ds)
		if !ok {
			return
		}
		out[i] = loaded{src: src}
		out[i].conf = loadConf(p, src, false, env, &out[i].ds)
		if lean {
			out[i].conf.dropNodes()
		}
	})
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("reading conf files: %w", err)
	}
	files := make([]*ConfFile, 0, len(out))
	for i, l := range out {
		ds = append(ds, l.ds...)
		if l.conf != nil {
			res.Sources[res.ConfFiles[i]] = l.src
			files = append(files, l.conf)
		}
	}
	proj := assemble(files, fw, &ds)
	proj.env, proj.sources = env, res.Sources
	return &Repository{fsys: fsys, opt: opt, proj: proj, res: res, glob: glob, diags: ds.Promote(opt.promoted()...), restoreGC: restoreGC}, nil
}

// Sources returns every file read so far, for printing snippets.
func (r *Repository) Sources() map[string][]byte { return r.res.Sources }

// Diagnostics returns the problems found while loading.
func (r *Repository) Diagnostics() diag.Diagnostics { return r.diags.Sorted() }

// Anchors lists every pipeline of the repository, in anchor path order.
func (r *Repository) Anchors() []Anchor {
	out := make([]Anchor, 0, len(r.proj.Anchors))
	for _, pc := range r.proj.Anchors {
		out = append(out, Anchor{Name: pc.Name.Value, File: pc.File, Files: r.proj.confFiles(pc)})
	}
	return out
}

// Select returns the anchor files at or under one of paths (all when none).
func (r *Repository) Select(paths []string) []string {
	clean := make([]string, len(paths))
	for i, p := range paths {
		clean[i] = strings.TrimSuffix(path.Clean(p), "/")
	}
	var out []string
	for _, a := range r.proj.Anchors {
		if len(paths) == 0 || slices.ContainsFunc(clean, func(p string) bool { return within(p, a.File) }) {
			out = append(out, a.File)
		}
	}
	return out
}

// SelectNames returns the anchor files of the pipelines named (all when
// names is empty), in anchor path order. Names compare without regard to
// case, as SageMaker's do (two pipelines cannot differ only in case). A
// name no pipeline has is an error that lists the pipelines there are.
func (r *Repository) SelectNames(names []string) ([]string, error) {
	wanted := make(map[string]bool, len(names))
	for _, n := range names {
		wanted[strings.ToLower(n)] = true
	}
	var out, known []string
	have := make(map[string]bool, len(r.proj.Anchors))
	for _, pc := range r.proj.Anchors {
		known = append(known, pc.Name.Value)
		have[strings.ToLower(pc.Name.Value)] = true
		if len(names) == 0 || wanted[strings.ToLower(pc.Name.Value)] {
			out = append(out, pc.File)
		}
	}
	for _, n := range names {
		if !have[strings.ToLower(n)] {
			return nil, fmt.Errorf("no pipeline named %q (pipelines: %s)", n, strings.Join(known, ", "))
		}
	}
	return out, nil
}

// Defined splits names into those a pipeline of the repository has and
// those none has (a change deleted it), each in the order given.
func (r *Repository) Defined(names []string) (present, missing []string) {
	defined := make(map[string]bool, len(r.proj.Anchors))
	for _, pc := range r.proj.Anchors {
		defined[pc.Name.Value] = true
	}
	for _, n := range names {
		if defined[n] {
			present = append(present, n)
		} else {
			missing = append(missing, n)
		}
	}
	return present, missing
}

// Previewed is the repository as a preview build of p sees it: the same
// conf files, each pipeline built as Options.Preview says. A plan builds
// it to show what a preview run changes.
func (r *Repository) Previewed(p Preview) *Repository {
	c := *r
	c.opt.Preview = &p
	return &c
}

// Build builds, checks and emits the pipelines of the given anchor files.
// The diagnostics are those of loading plus those of these pipelines. The
// error is for what stopped the run: a cancelled ctx (checked between
// files), an artifact that could not be written to Options.ArtifactDir.
func (r *Repository) Build(ctx context.Context, anchorFiles []string) (*Result, diag.Diagnostics, error) {
	res := &Result{Sources: r.res.Sources, ConfFiles: r.res.ConfFiles, FrameworkConf: r.res.FrameworkConf}
	ds, err := r.BuildEach(ctx, anchorFiles, func(p *Plan) error {
		res.Plans = append(res.Plans, p)
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return res, ds, nil
}

// buildWindow is how many pipelines BuildEach builds ahead of the one it
// hands over, per core: enough to keep every core busy, few enough that a
// caller writing plans out never holds more than a handful.
const buildWindow = 4

// BuildEach is Build for callers that write each plan out and drop it: it
// hands the plans to yield in anchor order, building a few at a time on all
// cores, so memory stays flat however many pipelines a repository has. It
// returns every diagnostic, sorted, once all are built; an error from
// yield stops the build and is returned.
func (r *Repository) BuildEach(ctx context.Context, anchorFiles []string, yield func(*Plan) error) (diag.Diagnostics, error) {
	ds := slices.Clone(r.diags)
	loadErrs := map[string]bool{}
	for _, d := range ds {
		if d.Severity == diag.Error {
			loadErrs[d.Pos.File] = true
		}
	}
	region := cmp.Or(r.opt.Region, awsregion.Default)
	want := make(map[string]bool, len(anchorFiles))
	for _, f := range anchorFiles {
		want[f] = true
	}
	var selected []*PipelineConf
	for _, pc := range r.proj.Anchors {
		if want[pc.File] {
			selected = append(selected, pc)
		}
	}
	window := max(1, buildWindow*runtime.GOMAXPROCS(0))
	plans := make([]*Plan, window)
	pdiags := make([]diag.Diagnostics, window)
	errs := make([]error, window)
	for start := 0; start < len(selected); start += window {
		chunk := selected[start:min(start+window, len(selected))]
		// Pipelines build independently: the project is only read, and
		// each worker has its own archiver.
		parallel(len(chunk), func(i int) {
			plans[i], pdiags[i], errs[i] = r.buildOne(ctx, chunk[i], region, loadErrs)
		})
		for i := range chunk {
			if errs[i] != nil {
				return nil, fmt.Errorf("building pipeline %q: %w", chunk[i].Name.Value, errs[i])
			}
			ds = append(ds, pdiags[i]...)
			if err := yield(plans[i]); err != nil {
				return nil, err
			}
			plans[i], pdiags[i] = nil, nil
		}
	}
	return ds.Sorted(), nil
}

// buildOne builds, checks and emits one pipeline.
func (r *Repository) buildOne(ctx context.Context, pc *PipelineConf, region string, loadErrs map[string]bool) (*Plan, diag.Diagnostics, error) {
	if !pc.Name.Set {
		return &Plan{Anchor: pc.File, Files: []string{pc.File}, Failed: true}, nil, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	ar := archivers.Get().(*archiver)
	defer archivers.Put(ar)
	var pds diag.Diagnostics
	name := pc.Name.Value
	if p := r.opt.Preview; p != nil && p.Suffix != "" {
		name = PreviewName(name, p.Suffix)
	}
	bundles := newBundler(ctx, ar, r.fsys, r.opt, r.proj.Framework.Bucket.Value, artifactPrefix(name, r.opt.Preview))
	p := build(r.proj, pc, r.fsys, region, r.opt.Preview, bundles, &pds)
	if bundles.err != nil {
		return nil, nil, bundles.err
	}
	pds = pds.Promote(r.opt.promoted()...)
	plan := emit(p, &pds)
	for _, f := range plan.Files {
		if loadErrs[f] && !plan.Failed {
			plan.Failed, plan.Definition, plan.Hash, plan.Artifacts = true, nil, "", nil
		}
	}
	if !plan.Failed {
		plan.Unresolved = unresolvedIn(plan, r.proj.env)
	}
	return plan, pds, nil
}

// archivers keeps gzip writers between builds: setting one up costs more
// than compressing a typical code bundle.
var archivers = sync.Pool{New: func() any { return &archiver{} }}

// parallel runs f(0..n-1) on up to GOMAXPROCS goroutines.
func parallel(n int, f func(i int)) {
	workers := min(n, runtime.GOMAXPROCS(0))
	if workers <= 1 {
		for i := range n {
			f(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				f(i)
			}
		})
	}
	wg.Wait()
}

// frameworkValues applies overrides to the framework conf.
func frameworkValues(fc *FrameworkConf, opt Options, fwPath string) Framework {
	var fw Framework
	if fc != nil {
		fw = Framework{Bucket: fc.S3Bucket, Role: fc.Role, Subnets: fc.Subnets, SecurityGroups: fc.SecurityGroups, KMSKey: fc.KMSKey, File: fwPath}
	}
	for _, o := range []struct {
		v   string
		dst *Str
	}{{opt.Bucket, &fw.Bucket}, {opt.Role, &fw.Role}, {opt.Subnets, &fw.Subnets}, {opt.SecurityGroups, &fw.SecurityGroups}, {opt.KMSKey, &fw.KMSKey}} {
		if o.v != "" {
			*o.dst = Str{Value: o.v, Set: true}
		}
	}
	return fw
}
