package compiler

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/smpipe/smpipe-action/compiler/diag"
	goldenfile "github.com/smpipe/smpipe-action/internal/golden"
	"github.com/smpipe/smpipe-action/internal/workspace"
)

// exampleRepos are the example repositories every package's tests share.
func exampleRepos(t testing.TB) []string { return confRepos(t, "ok") }

// confRepos lists the repositories under testdata/conf/<kind>/.
func confRepos(t testing.TB, kind string) []string {
	t.Helper()
	dirs, err := filepath.Glob(filepath.Join("..", "testdata", "conf", kind, "*"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range dirs {
		if fi, err := os.Stat(d); err == nil && fi.IsDir() {
			out = append(out, d)
		}
	}
	if len(out) == 0 {
		t.Fatalf("no repositories under testdata/conf/%s", kind)
	}
	return out
}

func noEnv(string) (string, bool) { return "", false }

// mustCompile compiles fsys; a run error (not a diagnostic) fails the test.
func mustCompile(t testing.TB, fsys fs.FS, opt Options) (*Result, diag.Diagnostics) {
	t.Helper()
	res, ds, err := Compile(context.Background(), fsys, opt)
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	return res, ds
}

// openRepo opens dir as the CLI and the action do.
func openRepo(t testing.TB, dir string) *workspace.Root {
	t.Helper()
	root, err := workspace.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { root.Close() })
	return root
}

func compileDir(t testing.TB, dir string) *Result {
	t.Helper()
	res, ds := mustCompile(t, openRepo(t, dir), Options{Region: "us-east-1", Getenv: noEnv})
	if len(ds) > 0 {
		var b strings.Builder
		PrintDiagnostics(&b, ds, res.Sources, false)
		t.Fatalf("%s: unexpected diagnostics:\n%s", dir, b.String())
	}
	return res
}

// golden compares got with testdata/golden/<name>.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	goldenfile.Check(t, "golden/"+name, got)
}

func TestCompile_examples(t *testing.T) {
	for _, dir := range exampleRepos(t) {
		name := filepath.Base(dir)
		t.Run(name, func(t *testing.T) {
			res := compileDir(t, dir)
			var summary bytes.Buffer
			RenderSummary(&summary, res)
			golden(t, name+"/summary.txt", summary.Bytes())
			for _, p := range res.Plans {
				if p.Failed {
					t.Fatalf("pipeline %s failed without diagnostics", p.Name)
				}
				golden(t, name+"/"+p.Name+".json", p.IndentedDefinition())
				golden(t, name+"/"+p.Name+".graph.txt", []byte(p.Graph.String()))
				var arts strings.Builder
				for _, a := range p.Artifacts {
					src := a.Path
					if src == "" {
						src = "(built)"
					}
					fmt.Fprintf(&arts, "%s %s %d %s\n", a.URI(), a.Kind, a.Size, src)
				}
				golden(t, name+"/"+p.Name+".artifacts.txt", []byte(arts.String()))
			}
		})
	}
}

// TestCompile_deterministic compiles each example twice, and once more from
// a copy elsewhere on disk: same bytes, same hashes, same bundles.
func TestCompile_deterministic(t *testing.T) {
	for _, dir := range exampleRepos(t) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			first := compileDir(t, dir)
			again := compileDir(t, dir)
			moved := t.TempDir()
			if err := os.CopyFS(moved, os.DirFS(dir)); err != nil {
				t.Fatal(err)
			}
			elsewhere := compileDir(t, moved)
			for i, p := range first.Plans {
				for _, other := range []*Result{again, elsewhere} {
					q := other.Plans[i]
					if !bytes.Equal(p.Definition, q.Definition) || p.Hash != q.Hash {
						t.Errorf("%s: definition differs between compiles", p.Name)
					}
					if len(p.Artifacts) != len(q.Artifacts) {
						t.Fatalf("%s: artifact count differs", p.Name)
					}
					for j := range p.Artifacts {
						if p.Artifacts[j] != q.Artifacts[j] {
							t.Errorf("%s: artifact %s differs between compiles", p.Name, p.Artifacts[j].Key)
						}
					}
				}
			}
		})
	}
}
