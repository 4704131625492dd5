package compiler

import (
	"context"
	"io/fs"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/smpipe/smpipe-action/internal/monorepo"
)

// The index reports what Load reports, and loading only a pipeline's files
// from it builds what a whole load builds: the plan relies on both.
func TestIndex_matchesLoad(t *testing.T) {
	dirs := append(exampleRepos(t), confRepos(t, "err")...)
	for _, dir := range dirs {
		t.Run(dir, func(t *testing.T) {
			fsys := openRepo(t, dir)
			opt := Options{Region: "us-east-1", Getenv: noEnv}
			ctx := context.Background()
			full, err := Load(ctx, fsys, opt)
			if err != nil {
				t.Fatal(err)
			}
			ix, err := LoadIndex(ctx, fsys, opt, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := diagText(ix.Diagnostics()), diagText(full.Diagnostics()); got != want {
				t.Errorf("index diagnostics:\n%s\nLoad's:\n%s", got, want)
			}
			res, _, err := full.Build(ctx, full.Select(nil))
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range res.Plans {
				files := pipelineFiles(ix, want.Anchor)
				part, err := ix.Load(ctx, files)
				if err != nil {
					t.Fatal(err)
				}
				got, _, err := part.Build(ctx, []string{want.Anchor})
				if err != nil {
					t.Fatal(err)
				}
				if len(got.Plans) != 1 || got.Plans[0].Hash != want.Hash || got.Plans[0].Failed != want.Failed {
					t.Errorf("%s loaded from %q: %+v, want hash %q failed %v", want.Anchor, files, got.Plans, want.Hash, want.Failed)
				}
			}
		})
	}
}

// pipelineFiles is what plan loads for the anchor: every anchor of its name
// and every file defining one of their models.
func pipelineFiles(ix *Index, anchor string) []string {
	var name string
	for _, f := range ix.Files {
		if f.Path == anchor && f.Pipeline != nil {
			name = f.Pipeline.Name
		}
	}
	files := []string{anchor}
	for _, f := range ix.Files {
		if f.Pipeline == nil || (f.Path != anchor && (name == "" || !strings.EqualFold(f.Pipeline.Name, name))) {
			continue
		}
		files = append(files, f.Path)
		for _, m := range f.Pipeline.Models {
			for _, g := range ix.Files {
				if slices.ContainsFunc(g.Models, func(im IndexModel) bool { return im.Name == m }) {
					files = append(files, g.Path)
				}
			}
		}
	}
	return files
}

// countingFS counts opens and names contents by path, as a git tree names
// them by blob.
type countingFS struct {
	fs.FS
	opens atomic.Int64
}

func (c *countingFS) Open(name string) (fs.File, error) {
	c.opens.Add(1)
	return c.FS.Open(name)
}

func (c *countingFS) ContentID(name string) (string, error) { return "v1:" + name, nil }

// A second revision sharing the files is indexed from the cache: no conf
// file is read again.
func TestLoadIndex_cache(t *testing.T) {
	dir := t.TempDir()
	if err := monorepo.Write(dir, "../"+monorepo.Example, 3); err != nil {
		t.Fatal(err)
	}
	fsys := &countingFS{FS: openRepo(t, dir)}
	cache := NewDecodeCache()
	opt := Options{Region: "us-east-1", Getenv: noEnv}
	first, err := LoadIndex(context.Background(), fsys, opt, cache)
	if err != nil {
		t.Fatal(err)
	}
	opened := fsys.opens.Load()
	second, err := LoadIndex(context.Background(), fsys, opt, cache)
	if err != nil {
		t.Fatal(err)
	}
	// Only the framework conf and the directories are opened again.
	if again := fsys.opens.Load() - opened; again >= opened {
		t.Errorf("the second index opened %d files, the first %d", again, opened)
	}
	if len(first.Files) != 3 || len(second.Files) != 3 || first.Files[1] != second.Files[1] {
		t.Errorf("files %d and %d, not shared", len(first.Files), len(second.Files))
	}
	if m := first.Files[1].Models; len(m) != 1 || m[0].Name != monorepo.Name(1) || m[0].SourceDir != monorepo.Source(1) {
		t.Errorf("models of %s: %+v", first.Files[1].Path, m)
	}
}
