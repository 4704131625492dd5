package compiler

import (
	"path/filepath"
	"testing"

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
