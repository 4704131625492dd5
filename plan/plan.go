// Package plan decides which pipelines a change touches, compiles them on
// the base and head sides, and compares the two: the content of the pull
// request report, before any rendering.
//
// A pipeline is touched when its anchor, a file defining one of its models,
// the framework conf, or a file under one of its source directories
// changed; pipelines added or deleted by the change count too. Only touched
// pipelines are built, so the cost of a plan follows the size of the
// change, not of the repository.
package plan

import (
	"context"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"strings"

	"github.com/smpipe/smpipe-action/compiler"
	"github.com/smpipe/smpipe-action/compiler/diag"
	"github.com/smpipe/smpipe-action/compiler/diff"
)

// Change is one changed path, slash-separated and relative to the compile
// root. From is the old path of a rename.
type Change struct {
	Path string
	From string
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
func Run(ctx context.Context, opt Options) (*Result, error) {
	head, err := compiler.Load(ctx, opt.Head, opt.Compile)
	if err != nil {
		return nil, fmt.Errorf("head: %w", err)
	}
	var base *compiler.Repository
	if opt.Base != nil {
		// Base artifacts are never deployed: only hash them.
		bopt := opt.Compile
		bopt.ArtifactDir = ""
		if base, err = compiler.Load(ctx, opt.Base, bopt); err != nil {
			return nil, fmt.Errorf("base: %w", err)
		}
	}
	changed := changedPaths(opt.Changes)

	type pair struct{ base, head *compiler.Anchor }
	byName := map[string]*pair{}
	touched := func(a compiler.Anchor) bool { return opt.All || touches(a, changed) }
	headAnchors := head.Anchors()
	for i, a := range headAnchors {
		if a.Name != "" && touched(a) {
			if _, ok := byName[a.Name]; !ok {
				byName[a.Name] = &pair{head: &headAnchors[i]}
			}
		}
	}
	var baseAnchors []compiler.Anchor
	if base != nil {
		baseAnchors = base.Anchors()
		for i, a := range baseAnchors {
			if a.Name == "" || !touched(a) {
				continue
			}
			if p, ok := byName[a.Name]; ok {
				if p.base == nil {
					p.base = &baseAnchors[i]
				}
			} else {
				byName[a.Name] = &pair{base: &baseAnchors[i]}
			}
		}
	}
	// A pipeline touched on one side is compared with its other side too.
	for name, p := range byName {
		if p.head == nil {
			p.head = findAnchor(headAnchors, name)
		}
		if p.base == nil {
			p.base = findAnchor(baseAnchors, name)
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
	var baseRes *compiler.Result
	var baseDiags diag.Diagnostics
	if base != nil {
		if baseRes, baseDiags, err = base.Build(ctx, baseFiles); err != nil {
			return nil, fmt.Errorf("base: %w", err)
		}
	}

	res := &Result{HeadSources: headRes.Sources}
	failingFiles := map[string]bool{}
	for p := range changed {
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

// changedPaths is the set of changed paths, renames counting on both sides.
func changedPaths(changes []Change) map[string]bool {
	out := make(map[string]bool, len(changes))
	for _, c := range changes {
		out[c.Path] = true
		if c.From != "" {
			out[c.From] = true
		}
	}
	return out
}

// touches reports whether any changed path is one of the anchor's files or
// lies under one of its source directories.
func touches(a compiler.Anchor, changed map[string]bool) bool {
	for _, f := range a.Files {
		if changed[f] {
			return true
		}
	}
	for p := range changed {
		for _, d := range a.SourceDirs {
			if d == "." || p == d || strings.HasPrefix(p, d+"/") {
				return true
			}
		}
	}
	return false
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
