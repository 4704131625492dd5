package plan

import (
	"context"
	"fmt"
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
	if err := monorepo.Write(dir, "../"+monorepo.Example, n); err != nil {
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

// BenchmarkTouched1000 asks Revisions.Touched commit by commit along a
// history of a 1,000-pipeline repository where each commit tunes one
// pipeline, as the reconcile gate walks the default branch.
func BenchmarkTouched1000(b *testing.B) {
	const n, commits = 1000, 20
	dir := b.TempDir()
	if err := monorepo.Write(dir, "../"+monorepo.Example, n); err != nil {
		b.Fatal(err)
	}
	shas := make([]string, 0, commits+1)
	for i := range commits + 1 {
		if i > 0 {
			if err := monorepo.Tune(dir, i*37%n, i); err != nil {
				b.Fatal(err)
			}
		}
		sha, err := monorepo.Commit(dir, fmt.Sprint("commit ", i))
		if err != nil {
			b.Fatal(err)
		}
		shas = append(shas, sha)
	}
	opt := GitOptions{Dir: dir, Compile: compiler.Options{Region: "us-east-1", Getenv: func(string) (string, bool) { return "", false }}}
	b.ReportAllocs()
	for b.Loop() {
		rv, err := OpenRevisions(opt)
		if err != nil {
			b.Fatal(err)
		}
		for i := commits; i > 0; i-- {
			got, err := rv.Touched(context.Background(), shas[i-1], shas[i])
			if err != nil || len(got) != 1 {
				b.Fatalf("commit %d: touched %q, %v", i, got, err)
			}
		}
		rv.Close()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*commits)/1e6, "ms/commit")
}
