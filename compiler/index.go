package compiler

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"runtime"
	"slices"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"

	"github.com/smpipe/smpipe-action/compiler/diag"
)

// Index is what the conf files of one revision declare, and no more: which
// models each file defines with their source directories, which pipeline
// each anchor defines with its models, and every problem found decoding
// them. It is what deciding which pipelines a change touches needs, without
// building any, and it stays small: no YAML trees, no sources.
type Index struct {
	fsys fs.FS
	opt  Options
	// FrameworkPath is where the framework conf is looked for;
	// FrameworkConf is that path when the file is there, else "".
	FrameworkPath, FrameworkConf string
	// Files are the conf files discovered, sorted by path.
	Files []*IndexFile
	// diags are those of the framework conf and discovery.
	diags diag.Diagnostics
}

// IndexFile is one conf file as the index keeps it.
type IndexFile struct {
	Path   string
	Models []IndexModel
	// Pipeline is set when the file is an anchor.
	Pipeline *IndexPipeline
	// Paths are the file's values that may name a path outside a source
	// directory (those holding ".."), placeholders substituted: a local
	// dataFiles fileName is joined onto its model's source directory.
	Paths []string
	// Diags are the problems of decoding the file, not yet promoted.
	Diags diag.Diagnostics
}

// IndexModel is one model a conf file defines.
type IndexModel struct {
	Name string
	Pos  diag.Pos // of the model's key
	// SourceDir is source_directory as written, "" when unset.
	SourceDir string
}

// IndexPipeline is the pipeline an anchor defines.
type IndexPipeline struct {
	Name    string // "" when pipelineName is missing
	NamePos diag.Pos
	Models  []string
}

// Diagnostics returns every problem Load of the whole revision reports:
// the framework conf, discovery, every conf file and the clashes between
// files, promoted as Options say, sorted.
func (ix *Index) Diagnostics() diag.Diagnostics {
	ds := slices.Clone(ix.diags)
	var clashes clashCheck
	for _, f := range ix.Files {
		ds = append(ds, f.Diags...)
		for _, m := range f.Models {
			clashes.model(m.Name, m.Pos, &ds)
		}
		if f.Pipeline != nil && f.Pipeline.Name != "" {
			clashes.pipeline(f.Pipeline.Name, f.Pipeline.NamePos, &ds)
		}
	}
	return ds.Promote(ix.opt.promoted()...).Sorted()
}

// DecodeCache keeps the conf files LoadIndex decoded, by path and content,
// so that revisions sharing a file (a pull request's base and head share
// almost all) decode it once. It is safe for concurrent use. A cache
// serves one set of Options: the environment decides placeholders.
type DecodeCache struct {
	mu    sync.Mutex
	files map[decodeKey]*IndexFile
}

type decodeKey struct{ path, content string }

// NewDecodeCache returns an empty cache.
func NewDecodeCache() *DecodeCache { return &DecodeCache{files: map[decodeKey]*IndexFile{}} }

func (c *DecodeCache) get(k decodeKey) (*IndexFile, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f, ok := c.files[k]
	return f, ok
}

func (c *DecodeCache) put(k decodeKey, f *IndexFile) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.files[k] = f
}

// ContentIdentifier is a file system that can name a file's content
// without reading it (a git tree: the blob hash). Files with the same
// identity have the same bytes.
type ContentIdentifier interface {
	ContentID(name string) (string, error)
}

// LoadIndex discovers and decodes the conf files of the revision at fsys as
// Load does, keeping only what an Index holds. A file the cache holds with
// the same content is not decoded again, nor read when fsys is a
// ContentIdentifier. The error is ctx's.
func LoadIndex(ctx context.Context, fsys fs.FS, opt Options, cache *DecodeCache) (*Index, error) {
	if cache == nil {
		cache = NewDecodeCache()
	}
	env := placeholderEnv(opt.Getenv, opt.AllowEmpty) // as load reads them
	ix := &Index{fsys: fsys, opt: opt}
	ix.FrameworkPath, _ = frameworkPath(opt)
	fw, glob := frameworkAndGlob(fsys, opt, env, &ix.diags)
	ix.FrameworkConf = fw
	// Files are decoded as the walk finds them: reading git trees and
	// parsing YAML then share the cores.
	ider, _ := fsys.(ContentIdentifier)
	var mu sync.Mutex
	decoded := map[string]*IndexFile{}
	todo := make(chan string, 64)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for p := range todo {
				if ctx.Err() != nil {
					continue
				}
				f := indexFile(fsys, ider, p, env, cache)
				mu.Lock()
				decoded[p] = f
				mu.Unlock()
			}
		})
	}
	// The collector keeps its default headroom here, unlike in Load: an
	// index keeps little, so the heap is mostly garbage the collector
	// would chase at a tighter setting (0.1 s of a 10,000-pipeline plan).
	paths, err := discoverEach(ctx, fsys, glob, fw, &ix.diags, func(p string) { todo <- p })
	close(todo)
	wg.Wait()
	if err != nil {
		return nil, err
	}
	ix.Files = make([]*IndexFile, len(paths))
	for i, p := range paths {
		ix.Files[i] = decoded[p]
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("reading conf files: %w", err)
	}
	return ix, nil
}

// frameworkAndGlob reads the framework conf as Load does and returns its
// path ("" when there is none) and the discovery glob.
func frameworkAndGlob(fsys fs.FS, opt Options, env func(string) (string, bool), ds *diag.Diagnostics) (string, string) {
	used, _, fc := readFramework(fsys, opt, env, ds)
	return used, discoveryGlobOf(fc, opt)
}

// indexFile decodes one conf file for the index, or takes it from cache.
func indexFile(fsys fs.FS, ider ContentIdentifier, p string, env func(string) (string, bool), cache *DecodeCache) *IndexFile {
	var key decodeKey
	if ider != nil {
		if id, err := ider.ContentID(p); err == nil {
			key = decodeKey{p, id}
			if f, ok := cache.get(key); ok {
				return f
			}
		}
	}
	f := &IndexFile{Path: p}
	src, ok := readConf(fsys, p, "conf file", "read", true, &f.Diags)
	if !ok {
		return f // not cached: reading may fail for reasons of the moment
	}
	if key.path == "" {
		sum := sha256.Sum256(src)
		key = decodeKey{p, "sha256:" + hex.EncodeToString(sum[:])}
		if f, ok := cache.get(key); ok {
			return f
		}
	}
	cf, root := loadConfTree(p, src, env, &f.Diags)
	for _, m := range cf.Models {
		f.Models = append(f.Models, IndexModel{Name: m.Name, Pos: m.Pos, SourceDir: m.SourceDirectory.Value})
	}
	if pc := cf.Pipeline; pc != nil {
		f.Pipeline = &IndexPipeline{Name: pc.Name.Value, NamePos: pc.Name.Pos}
		for _, pm := range pc.Models {
			f.Pipeline.Models = append(f.Pipeline.Models, pm.Name)
		}
	}
	f.Paths = climbingValues(root, env)
	cache.put(key, f)
	return f
}

// climbingValues returns every scalar of the document that holds "..",
// placeholders substituted, sorted and without repeats: the only values
// that, joined onto a source directory, can name a path outside it. Every
// node is visited once (aliases point into the same document).
func climbingValues(root *yaml.Node, env func(string) (string, bool)) []string {
	r := &reader{env: env}
	var out []string
	var walk func(*yaml.Node)
	walk = func(n *yaml.Node) {
		if n == nil {
			return
		}
		if n.Kind == yaml.ScalarNode {
			if v, _ := r.substitute(n.Value); strings.Contains(v, "..") {
				out = append(out, v)
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(root)
	slices.Sort(out)
	return slices.Compact(out)
}

// Load loads a repository of the revision holding only the given conf
// files (and the framework conf), fully decoded, for building the
// pipelines they define: an anchor with every file defining one of its
// models, and every anchor sharing its pipelineName, builds exactly as a
// Load of the whole revision would build it. Diagnostics of the other files
// are the Index's.
func (ix *Index) Load(ctx context.Context, files []string) (*Repository, error) {
	only := append([]string{}, files...) // never nil: nil means discover
	slices.Sort(only)
	return load(ctx, ix.fsys, ix.opt, slices.Compact(only))
}
