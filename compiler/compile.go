package compiler

import (
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"

	"github.com/smpipe/smpipe-action/compiler/diag"
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
	Region        string
	// Getenv resolves SMP_* placeholders; nil means the process environment.
	Getenv func(string) (string, bool)
	// Overrides of framework conf values (flags, action inputs); empty
	// strings leave the conf's value.
	Bucket, Role, Subnets, SecurityGroups, KMSKey string
	// Promote lists diagnostic codes reported as errors instead of warnings
	// (--strict promotes "unknown-key"; deploy promotes "placeholder").
	Promote []string
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
// (the repository root). It never stops at the first problem: the
// diagnostics, sorted, are all of them.
func Compile(fsys fs.FS, opt Options) (*Result, diag.Diagnostics) {
	var ds diag.Diagnostics
	env := opt.Getenv
	if env == nil {
		env = os.LookupEnv
	}
	res := &Result{Sources: map[string][]byte{}}

	// The framework conf.
	fwPath := opt.FrameworkConf
	explicit := fwPath != ""
	if !explicit {
		fwPath = DefaultFrameworkConf
	}
	fwPath = strings.TrimPrefix(path.Clean(fwPath), "./")
	var fc *FrameworkConf
	if src, err := fs.ReadFile(fsys, fwPath); err == nil {
		res.Sources[fwPath] = src
		res.FrameworkConf = fwPath
		fc = loadConf(fwPath, src, true, env, &ds).Framework
	} else if explicit {
		ds.Errorf(diag.Pos{File: fwPath}, "framework-conf", "framework conf %s cannot be read: %v", fwPath, unwrapPathError(err))
	}
	fw := frameworkValues(fc, opt, fwPath)

	// Discovery.
	glob := opt.Glob
	if glob == "" && fc != nil && fc.ModelConfigFilePath.Set && !strings.Contains(fc.ModelConfigFilePath.Value, "SMP_") {
		glob = fc.ModelConfigFilePath.Value
	}
	if glob == "" {
		glob = DefaultGlob
	}
	res.ConfFiles = discover(fsys, glob, res.FrameworkConf, &ds)
	files := make([]*ConfFile, 0, len(res.ConfFiles))
	for _, p := range res.ConfFiles {
		src, err := fs.ReadFile(fsys, p)
		if err != nil {
			ds.Errorf(diag.Pos{File: p}, "read", "reading conf file: %v", unwrapPathError(err))
			continue
		}
		res.Sources[p] = src
		files = append(files, loadConf(p, src, false, env, &ds))
	}
	proj := assemble(files, fw, &ds)
	ds = ds.Promote(opt.Promote...)
	proj.env = env

	anchors := selectAnchors(proj.Anchors, opt.Paths)
	if len(anchors) == 0 && !ds.HasErrors() { // a file that failed to load may be the anchor
		where := "any conf file"
		if len(opt.Paths) > 0 && !slices.Contains(opt.Paths, ".") {
			where = "conf files under " + strings.Join(opt.Paths, ", ")
		}
		ds.Errorf(diag.Pos{}, "no-pipeline", "no pipeline found: no sagemakerPipeline section in %s matched by %q", where, glob)
	}
	loadErrs := map[string]bool{}
	for _, d := range ds {
		if d.Severity == diag.Error {
			loadErrs[d.Pos.File] = true
		}
	}
	region := opt.Region
	if region == "" {
		region = "us-east-1"
	}
	ar := &archiver{}
	for _, pc := range anchors {
		if !pc.Name.Set {
			res.Plans = append(res.Plans, &Plan{Anchor: pc.File, Files: []string{pc.File}, Failed: true})
			continue
		}
		var pds diag.Diagnostics
		b := &builder{}
		p := build(proj, pc, fsys, region, ar, &pds, b)
		pds = pds.Promote(opt.Promote...)
		plan := emit(p, b, &pds)
		for _, f := range plan.Files {
			if loadErrs[f] && !plan.Failed {
				plan.Failed, plan.Definition, plan.Hash, plan.Artifacts = true, nil, "", nil
			}
		}
		ds = append(ds, pds...)
		res.Plans = append(res.Plans, plan)
	}
	return res, ds.Sorted()
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

// selectAnchors keeps anchors at or under one of paths (all when none).
func selectAnchors(anchors []*PipelineConf, paths []string) []*PipelineConf {
	if len(paths) == 0 {
		return anchors
	}
	var out []*PipelineConf
	for _, a := range anchors {
		if slices.ContainsFunc(paths, func(p string) bool {
			p = strings.TrimSuffix(strings.TrimPrefix(path.Clean(p), "./"), "/")
			return p == "." || a.File == p || strings.HasPrefix(a.File, p+"/")
		}) {
			out = append(out, a)
		}
	}
	return out
}

func unwrapPathError(err error) error {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Err
	}
	return err
}
