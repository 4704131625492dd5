// Package plan decides which pipelines a change touches, compiles them on
// the base and head sides, and compares the two: the content of the pull
// request report, before any rendering.
//
// A pipeline is touched when its definition can differ between the two
// revisions, whatever file made it differ: its anchor, every file defining
// one of its models, the framework conf, its source directories and local
// data files, every symbolic link on the way to these and what links inside
// them lead to (touched.go); pipelines added or deleted by the change count
// too. Each revision is indexed (compiler.LoadIndex: each distinct conf
// file decoded once for both), and only touched pipelines are loaded fully
// and built.
package plan

import (
	"context"
	"fmt"
	"io/fs"
	"maps"
	"slices"

	"github.com/smpipe/smpipe-action/compiler"
	"github.com/smpipe/smpipe-action/compiler/diag"
	"github.com/smpipe/smpipe-action/compiler/diff"
)

// Change is one changed path, slash-separated and relative to the compile
// root. From is the old path of a rename.
type Change struct {
	Path string
	From string
	// Dir marks the addition of a directory holding no file, which only a
	// working tree has: no bundle holds it, but a lookup can step through it.
	Dir bool
}

// Options say what to compare.
type Options struct {
	Compile compiler.Options
	// Base is nil when there is no base (a first commit): every head
	// pipeline is then new.
	Base fs.FS
	Head fs.FS
	// Changes lists the paths that differ between base and head. With All
	// set every pipeline counts as touched (an unknown base, a forced run).
	Changes []Change
	All     bool
}

// Pipeline is one touched pipeline, compared.
type Pipeline struct {
	Name   string
	Anchor string // head anchor, or base anchor when deleted
	Base   *compiler.Plan
	Head   *compiler.Plan
	Diff   diff.Pipeline
	// Errors are head problems in this pipeline's files: they fail the run.
	Errors diag.Diagnostics
	// BaseErrors are the base side's problems, shown for context.
	BaseErrors diag.Diagnostics
	// Preview is what a preview run (the preview label, smpipe preview)
	// changes of head: its models' preview: mappings and their -preview
	// model package groups. Nil when no model of the pipeline has a
	// preview: mapping, or head does not compile.
	Preview *diff.Pipeline
}

// Failed reports whether the head side does not compile.
func (p *Pipeline) Failed() bool { return p.Head != nil && p.Head.Failed }

// Result is the whole plan.
type Result struct {
	Pipelines []*Pipeline // touched pipelines, sorted by name
	// Failing are problems that fail the run: in touched pipelines, or in
	// files the change touched.
	Failing diag.Diagnostics
	// PreExisting are problems elsewhere in the repository; listed once,
	// they never fail the run.
	PreExisting diag.Diagnostics
	// HeadSources are the head files read, for snippets and annotations.
	HeadSources map[string][]byte
}

// OK reports whether the plan may pass.
func (r *Result) OK() bool { return !r.Failing.HasErrors() }

// Run computes the plan. The error is for what stopped it: a cancelled ctx,
// an artifact that could not be written; problems in the repository are
// the result's diagnostics.
//
// Both revisions are indexed (each distinct conf file decoded once for
// both), the touched pipelines found from the indexes, and only their conf
// files loaded and built.
func Run(ctx context.Context, opt Options) (*Result, error) {
	cache := compiler.NewDecodeCache()
	headIx, err := compiler.LoadIndex(ctx, opt.Head, opt.Compile, cache)
	if err != nil {
		return nil, fmt.Errorf("head: %w", err)
	}
	headRev := newRevision(opt.Head, headIx)
	// Base artifacts are never deployed: only hash them.
	bopt := opt.Compile
	bopt.ArtifactDir = ""
	var baseRev *revision
	if opt.Base != nil {
		baseIx, err := compiler.LoadIndex(ctx, opt.Base, bopt, cache)
		if err != nil {
			return nil, fmt.Errorf("base: %w", err)
		}
		baseRev = newRevision(opt.Base, baseIx)
	}
	changes := newChangeSet(opt.Changes)
	var names []string
	if opt.All {
		names = allNames(baseRev, headRev)
	} else {
		names = touchedNames(baseRev, headRev, changes)
	}

	// Changed conf files are loaded too, for their sources: their
	// problems fail the run and are printed with snippets.
	headLoad := neededFiles(headRev, names)
	for _, p := range changes.sorted {
		if headRev.byPath[p] != nil {
			headLoad = append(headLoad, p)
		}
	}
	head, err := headIx.Load(ctx, headLoad)
	if err != nil {
		return nil, fmt.Errorf("head: %w", err)
	}
	var base *compiler.Repository
	if baseRev != nil {
		if base, err = baseRev.ix.Load(ctx, neededFiles(baseRev, names)); err != nil {
			return nil, fmt.Errorf("base: %w", err)
		}
	}

	type pair struct{ base, head *compiler.Anchor }
	byName := map[string]*pair{}
	headAnchors := head.Anchors()
	var baseAnchors []compiler.Anchor
	if base != nil {
		baseAnchors = base.Anchors()
	}
	for _, name := range names {
		if p := (&pair{head: findAnchor(headAnchors, name), base: findAnchor(baseAnchors, name)}); p.head != nil || p.base != nil {
			byName[name] = p
		}
	}

	var headFiles, baseFiles []string
	for _, p := range byName {
		if p.head != nil {
			headFiles = append(headFiles, p.head.File)
		}
		if p.base != nil {
			baseFiles = append(baseFiles, p.base.File)
		}
	}
	headRes, headDiags, err := head.Build(ctx, headFiles)
	if err != nil {
		return nil, fmt.Errorf("head: %w", err)
	}
	// What a preview run changes, for the pipelines whose models say so;
	// its problems (in the preview: mappings) are head's.
	var previewFiles []string
	for _, p := range byName {
		if p.head != nil {
			if hp := planFor(headRes, p.head.File); hp != nil && hp.HasPreview && !hp.Failed {
				previewFiles = append(previewFiles, p.head.File)
			}
		}
	}
	var previewRes *compiler.Result
	if len(previewFiles) > 0 {
		var previewDiags diag.Diagnostics
		if previewRes, previewDiags, err = head.Previewed(compiler.Preview{}).Build(ctx, previewFiles); err != nil {
			return nil, fmt.Errorf("head, as a preview: %w", err)
		}
		headDiags = append(headDiags, previewDiags...)
	}
	// Problems of the files not loaded are the index's.
	headDiags = append(headDiags, headIx.Diagnostics()...).Sorted()
	var baseRes *compiler.Result
	var baseDiags diag.Diagnostics
	if base != nil {
		if baseRes, baseDiags, err = base.Build(ctx, baseFiles); err != nil {
			return nil, fmt.Errorf("base: %w", err)
		}
	}

	res := &Result{HeadSources: headRes.Sources}
	failingFiles := map[string]bool{}
	for _, p := range changes.sorted {
		failingFiles[p] = true
	}
	for _, name := range slices.Sorted(maps.Keys(byName)) {
		p := byName[name]
		tp := &Pipeline{Name: name}
		var baseSide, headSide *diff.Side
		if p.head != nil {
			tp.Head = planFor(headRes, p.head.File)
			tp.Anchor = p.head.File
			for _, f := range p.head.Files {
				failingFiles[f] = true
			}
			tp.Errors = inFiles(headDiags, p.head.Files)
			headSide = side(name, tp.Head)
			if previewRes != nil {
				if pp := planFor(previewRes, p.head.File); pp != nil && !pp.Failed {
					d := diff.Pipelines(headSide, side(name, pp))
					tp.Preview = &d
				}
			}
		}
		if p.base != nil && baseRes != nil {
			tp.Base = planFor(baseRes, p.base.File)
			if tp.Anchor == "" {
				tp.Anchor = p.base.File
			}
			tp.BaseErrors = inFiles(baseDiags, p.base.Files)
			baseSide = side(name, tp.Base)
		}
		tp.Diff = diff.Pipelines(baseSide, headSide)
		res.Pipelines = append(res.Pipelines, tp)
	}
	for _, d := range headDiags {
		if d.Pos.File != "" && failingFiles[d.Pos.File] {
			res.Failing = append(res.Failing, d)
		} else {
			res.PreExisting = append(res.PreExisting, d)
		}
	}
	return res, nil
}

// allNames lists every pipeline either revision defines, sorted.
func allNames(base, head *revision) []string {
	names := head.names()
	if base != nil {
		names = append(names, base.names()...)
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// neededFiles are the conf files building the named pipelines reads in r.
func neededFiles(r *revision, names []string) []string {
	var out []string
	for _, n := range names {
		out = append(out, r.confFiles(n)...)
	}
	return out
}

func findAnchor(anchors []compiler.Anchor, name string) *compiler.Anchor {
	for i := range anchors {
		if anchors[i].Name == name {
			return &anchors[i]
		}
	}
	return nil
}

func planFor(res *compiler.Result, anchor string) *compiler.Plan {
	for _, p := range res.Plans {
		if p.Anchor == anchor {
			return p
		}
	}
	return nil
}

// Compare diffs two compiled versions of pipeline name; either may be nil
// (absent on that side).
func Compare(name string, from, to *compiler.Plan) diff.Pipeline {
	return diff.Pipelines(side(name, from), side(name, to))
}

// side is what the diff compares; a failed build has a graph but no hash.
func side(name string, p *compiler.Plan) *diff.Side {
	if p == nil {
		return nil
	}
	return &diff.Side{Name: name, Hash: p.Hash, Graph: p.Graph, Definition: p.IndentedDefinition()}
}

func inFiles(ds diag.Diagnostics, files []string) diag.Diagnostics {
	var out diag.Diagnostics
	for _, d := range ds {
		if slices.Contains(files, d.Pos.File) {
			out = append(out, d)
		}
	}
	return out
}
