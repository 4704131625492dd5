package compiler

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/smpipe/smpipe-action/compiler/diag"
	"github.com/smpipe/smpipe-action/internal/testrepo"
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

// BenchmarkCompile1000 compiles a generated monorepo of 1,000 pipelines,
// each a Processing → Training → CreateModel → Transform → Metrics →
// RegisterModel chain with its own source tree.
func BenchmarkCompile1000(b *testing.B) {
	root := b.TempDir()
	testrepo.WriteMonorepo(b, root, 1000)
	fsys := openRepo(b, root)
	b.ReportAllocs()
	for b.Loop() {
		res, ds := mustCompile(b, fsys, Options{Region: "us-east-1", Getenv: noEnv})
		if ds.HasErrors() || len(res.Plans) != 1000 {
			b.Fatalf("%d plans, %d diagnostics", len(res.Plans), len(ds))
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
					r.decodeSection(name, sn.Node, c, m.Name)
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
