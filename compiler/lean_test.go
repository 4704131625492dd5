package compiler

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/smpipe/smpipe-action/compiler/diag"
	"github.com/smpipe/smpipe-action/internal/monorepo"
)

func diagText(ds diag.Diagnostics) string {
	var b strings.Builder
	for _, d := range ds {
		b.WriteString(d.String() + " [" + d.Code + "]\n")
	}
	return b.String()
}

// A large repository is loaded lean: YAML trees are let go after loading
// and decoded again from the sources when a pipeline is built. Both ways
// must give the same plans and the same diagnostics, for every example and
// every bad-input case.
func TestLoad_leanGivesTheSameResult(t *testing.T) {
	dirs := append(exampleRepos(t), errCases(t)...)
	for _, dir := range dirs {
		t.Run(dir[strings.LastIndex(dir, "/")+1:], func(t *testing.T) {
			opt := Options{Region: "us-east-1", Getenv: noEnv}
			if strings.Contains(dir, "/err/") {
				opt = readOpts(t, dir+".opts")
			}
			full, fullDs := mustCompile(t, openRepo(t, dir), opt)
			opt.lean = true
			lean, leanDs := mustCompile(t, openRepo(t, dir), opt)
			if diff := cmp.Diff(diagText(fullDs), diagText(leanDs)); diff != "" {
				t.Errorf("diagnostics differ (-full +lean):\n%s", diff)
			}
			if len(full.Plans) != len(lean.Plans) {
				t.Fatalf("%d plans, lean %d", len(full.Plans), len(lean.Plans))
			}
			for i := range full.Plans {
				f, l := full.Plans[i], lean.Plans[i]
				if f.Name != l.Name || f.Hash != l.Hash || f.Failed != l.Failed || string(f.Definition) != string(l.Definition) {
					t.Errorf("plan %s differs when loaded lean: hash %s vs %s, failed %v vs %v", f.Name, f.Hash, l.Hash, f.Failed, l.Failed)
				}
			}
		})
	}
}

// CompileEach hands over the same plans as Compile, in the same order,
// building a window at a time.
func TestCompileEach_inOrder(t *testing.T) {
	dir := t.TempDir()
	if err := monorepo.Write(dir, "../"+monorepo.Example, 3*buildWindow+1); err != nil {
		t.Fatal(err)
	}
	fsys := openRepo(t, dir)
	want, wantDs := mustCompile(t, fsys, Options{Region: "us-east-1", Getenv: noEnv})
	var got []string
	res, ds, err := CompileEach(context.Background(), fsys, Options{Region: "us-east-1", Getenv: noEnv}, func(p *Plan) error {
		got = append(got, p.Anchor+" "+p.Hash)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var wantList []string
	for _, p := range want.Plans {
		wantList = append(wantList, p.Anchor+" "+p.Hash)
	}
	if !slices.Equal(got, wantList) || res.Plans != nil || diagText(ds) != diagText(wantDs) {
		t.Errorf("CompileEach gave %q (plans kept: %d), want %q", got, len(res.Plans), wantList)
	}
	stop := context.Canceled
	n := 0
	if _, _, err := CompileEach(context.Background(), fsys, Options{Region: "us-east-1", Getenv: noEnv}, func(*Plan) error {
		n++
		return stop
	}); err != stop || n != 1 {
		t.Errorf("an error from yield must stop the build: err %v after %d plans", err, n)
	}
}
