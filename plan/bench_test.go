package plan

import (
	"context"
	"testing"

	"github.com/smpipe/smpipe-action/compiler"
	"github.com/smpipe/smpipe-action/ghreport"
	"github.com/smpipe/smpipe-action/internal/monorepo"
)

// monorepoPlan builds a git repository of n generated pipelines
// (internal/monorepo) whose head commit tunes 10 of them, its objects
// packed as after a clone, and returns its directory and the base commit.
func monorepoPlan(tb testing.TB, n int) (string, string) {
	tb.Helper()
	dir := tb.TempDir()
	if err := monorepo.Write(dir, n); err != nil {
		tb.Fatal(err)
	}
	base, err := monorepo.Commit(dir, "base")
	if err != nil {
		tb.Fatal(err)
	}
	for _, i := range monorepo.Spread(n, 10) {
		if err := monorepo.Tune(dir, i, 1); err != nil {
			tb.Fatal(err)
		}
	}
	if _, err := monorepo.Commit(dir, "tune ten pipelines"); err != nil {
		tb.Fatal(err)
	}
	return dir, base
}

// BenchmarkPlan1000 and BenchmarkPlan10000 are `smpipe plan` over a
// generated repository where 10 pipelines changed: read both revisions
// from git, find the touched ones, build and compare them.
func BenchmarkPlan1000(b *testing.B)  { benchmarkPlan(b, 1000) }
func BenchmarkPlan10000(b *testing.B) { benchmarkPlan(b, 10000) }

func benchmarkPlan(b *testing.B, n int) {
	dir, base := monorepoPlan(b, n)
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
	dir, base := monorepoPlan(b, 1000)
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
