package compiler

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/smpipe/smpipe-action/compiler/diag"
	"github.com/smpipe/smpipe-action/internal/monorepo"
)

func BenchmarkCompile(b *testing.B) {
	for _, dir := range exampleRepos(b) {
		fsys := openRepo(b, dir)
		b.Run(filepath.Base(dir), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, ds := mustCompile(b, fsys, Options{Region: "us-east-1", Getenv: noEnv}); ds.HasErrors() {
					b.Fatal(ds)
				}
			}
		})
	}
}

// BenchmarkCompile1000 and BenchmarkCompile10000 compile a generated
// monorepo (internal/monorepo: six steps a pipeline, each pipeline with its
// own code) as `smpipe compile` does, streaming each plan out.
func BenchmarkCompile1000(b *testing.B)  { benchmarkMonorepo(b, 1000) }
func BenchmarkCompile10000(b *testing.B) { benchmarkMonorepo(b, 10000) }

func benchmarkMonorepo(b *testing.B, n int) {
	root := b.TempDir()
	if err := monorepo.Write(root, "../"+monorepo.Example, n); err != nil {
		b.Fatal(err)
	}
	fsys := openRepo(b, root)
	b.ReportAllocs()
	for b.Loop() {
		built := 0
		_, ds, err := CompileEach(context.Background(), fsys, Options{Region: "us-east-1", Getenv: noEnv}, func(p *Plan) error {
			if !p.Failed {
				built++
			}
			return nil
		})
		if err != nil || ds.HasErrors() || built != n {
			b.Fatalf("%d of %d pipelines built, %v, %v", built, n, err, ds)
		}
	}
}

// BenchmarkDecode decodes every conf file of the example repositories as a
// compile does: each file, then each model section for the class that
// reads it and each registry. It isolates the decoder from building and
// bundling, so a change to the key tables shows in its numbers.
func BenchmarkDecode(b *testing.B) {
	type file struct {
		path      string
		src       []byte
		framework bool
	}
	var files []file
	for _, dir := range exampleRepos(b) {
		paths, err := filepath.Glob(filepath.Join(dir, "*", "conf", "*.yaml"))
		if err != nil {
			b.Fatal(err)
		}
		more, _ := filepath.Glob(filepath.Join(dir, "conf", "*.yaml"))
		for _, p := range append(paths, more...) {
			src, err := os.ReadFile(p)
			if err != nil {
				b.Fatal(err)
			}
			files = append(files, file{p, src, filepath.Base(filepath.Dir(filepath.Dir(p))) == "framework"})
		}
	}
	sectionClass := map[string]StepClass{"train": Training, "transform": Transform, "evaluate": Metrics}
	b.ReportAllocs()
	for b.Loop() {
		var ds diag.Diagnostics
		for _, f := range files {
			cf := loadConf(f.path, f.src, f.framework, noEnv, &ds)
			for _, m := range cf.Models {
				r := &reader{file: f.path, ds: &ds, env: noEnv, budget: maxAliasExpansion}
				for name, sn := range m.Sections {
					c, ok := sectionClass[name]
					if !ok {
						c = Processing
					}
					r.decodeSection(name, sn, c, m.Name)
				}
				if m.Registry != nil {
					r.decodeRegistry(m.Registry, m.Name)
				}
			}
		}
		if ds.HasErrors() {
			b.Fatal(ds)
		}
	}
}
