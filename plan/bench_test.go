package plan

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5"

	"github.com/smpipe/smpipe-action/compiler"
	"github.com/smpipe/smpipe-action/ghreport"
	"github.com/smpipe/smpipe-action/internal/testrepo"
)

// monorepoPlan builds a git repository of 1,000 pipelines whose head commit
// changes 10 of them, and returns its directory and the base revision.
func monorepoPlan(b *testing.B) (string, string) {
	b.Helper()
	dir := b.TempDir()
	testrepo.WriteMonorepo(b, dir, 1000)
	base := testrepo.Commit(b, dir, "base")
	for i := 0; i < 1000; i += 100 {
		p := filepath.Join(dir, fmt.Sprintf("m%04d", i), "conf", "conf.yaml")
		body, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(strings.Replace(string(body), `eta: "0.1"`, `eta: "0.2"`, 1)), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	testrepo.Commit(b, dir, "tune ten pipelines")
	// A clone or fetch leaves objects packed; local commits leave them loose.
	repo, err := git.PlainOpen(dir)
	if err != nil {
		b.Fatal(err)
	}
	if err := repo.RepackObjects(&git.RepackConfig{}); err != nil {
		b.Fatal(err)
	}
	return dir, base
}

// BenchmarkPlan1000 is `smpipe plan` over a 1,000-pipeline repository where
// 10 pipelines changed: read both revisions from git, find the touched ones,
// build and compare them.
func BenchmarkPlan1000(b *testing.B) {
	dir, base := monorepoPlan(b)
	opt := GitOptions{Dir: dir, Base: base, Compile: compiler.Options{Region: "us-east-1", Getenv: func(string) (string, bool) { return "", false }}}
	b.ReportAllocs()
	for b.Loop() {
		res, _, _, err := FromGit(context.Background(), opt)
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Pipelines) != 10 || !res.OK() {
			b.Fatalf("%d pipelines touched, failing %v", len(res.Pipelines), res.Failing)
		}
	}
}

// BenchmarkReportMarkdown renders the comment for those 10 pipelines.
func BenchmarkReportMarkdown(b *testing.B) {
	dir, base := monorepoPlan(b)
	res, _, head, err := FromGit(context.Background(), GitOptions{Dir: dir, Base: base, Compile: compiler.Options{Getenv: func(string) (string, bool) { return "", false }}})
	if err != nil {
		b.Fatal(err)
	}
	rep := res.Report(ReportMeta{Repository: "acme/monorepo", PR: 1, BaseSHA: base, HeadSHA: head})
	b.ReportAllocs()
	for b.Loop() {
		ghreport.Markdown(rep, ghreport.MarkdownOptions{})
	}
}
