package plan

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/smpipe/smpipe-action/compiler"
	"github.com/smpipe/smpipe-action/gitrev"
	"github.com/smpipe/smpipe-action/internal/monorepo"
	"github.com/smpipe/smpipe-action/internal/testrepo"
)

// TestTouched_linkShapes: paths that only resolve right when looked up as
// the file systems and the compiler do. In each case the edit changes
// pipeline p00001's definition hash (checked, so the case means
// something), and Touched and the plan must both report it.
func TestTouched_linkShapes(t *testing.T) {
	src := monorepo.Source(1)
	conf := monorepo.Conf(1)
	localData := func(w *worktree, fileName string) {
		w.replace(conf, "            s3Bucket: smpipe-examples\n            s3InputPrefix: p00001/raw\n", "")
		w.replace(conf, "fileName: ames-sales.csv", "fileName: "+fileName)
	}
	tests := []struct {
		name  string
		setup func(w *worktree)
		edit  func(w *worktree)
	}{{
		// The compiler joins fileName onto a/b/src as written: a/data, not
		// the team000/data the link's directory would give.
		name: "data file reached by climbing past a linked directory",
		setup: func(w *worktree) {
			w.link("a/b", "../"+monorepo.Dir(1))
			w.replace(conf, "source_directory: "+src, "source_directory: a/b/src")
			localData(w, "../../data/sales.csv")
			w.write("a/data/sales.csv", "price\n1\n")
			w.write("team000/data/sales.csv", "price\n1\n")
		},
		edit: func(w *worktree) { w.append("a/data/sales.csv", "2\n") },
	}, {
		// hop/../code steps back from deep/p/q, where hop leads: deep/p/code.
		name: "link target climbing out of a linked directory",
		setup: func(w *worktree) {
			w.rename(src, "deep/p/code/src")
			climbingLink(w, "lnk/src")
		},
		edit: func(w *worktree) { w.append("deep/p/code/src/train.py", "# edited\n") },
	}, {
		// A final link the compiler resolves itself joins lexically: code,
		// not deep/p/code.
		name: "source directory that is a link climbing out of a linked directory",
		setup: func(w *worktree) {
			w.rename(src, "code")
			w.write("deep/p/code/train.py", "")
			climbingLink(w, "lnk")
		},
		edit: func(w *worktree) { w.append("code/train.py", "# edited\n") },
	}, {
		// Six links on a/ and five on b: eleven, but at most eight in any
		// one lookup, as the compiler looks them up.
		name: "more links on a path than one lookup allows",
		setup: func(w *worktree) {
			w.link("a", "a1")
			for i := 1; i < 5; i++ {
				w.link("a"+string(rune('0'+i)), "a"+string(rune('1'+i)))
			}
			w.link("a5", monorepo.Dir(1))
			w.link(monorepo.Dir(1)+"/b", "b1")
			for i := 1; i < 4; i++ {
				w.link(monorepo.Dir(1)+"/b"+string(rune('0'+i)), "b"+string(rune('1'+i)))
			}
			w.link(monorepo.Dir(1)+"/b4", "src")
			w.replace(conf, "source_directory: "+src, "source_directory: a/b")
		},
		edit: func(w *worktree) { w.append(src+"/train.py", "# edited\n") },
	}}
	opt := compiler.Options{Region: "us-east-1", Getenv: func(string) (string, bool) { return "", false }}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := twoPipelines(t)
			tt.setup(w)
			base := w.commit("base")
			tt.edit(w)
			head := w.commit("edit")
			checkTouched(t, w.dir, base, head, opt)
		})
	}
}

// twoPipelines is a generated repository of two pipelines, not committed.
func twoPipelines(t *testing.T) *worktree {
	t.Helper()
	w := &worktree{t: t, dir: t.TempDir(), rng: rand.New(rand.NewPCG(1, 1))}
	if err := monorepo.Write(w.dir, "../"+monorepo.Example, 2); err != nil {
		t.Fatal(err)
	}
	return w
}

// climbingLink makes lnk a link to hop/../code, hop one to deep/p/q, and
// sourceDir p00001's source directory.
func climbingLink(w *worktree, sourceDir string) {
	w.write("deep/p/q/keep", "")
	w.link("hop", "deep/p/q")
	w.link("lnk", "hop/../code")
	w.replace(monorepo.Conf(1), "source_directory: "+monorepo.Source(1), "source_directory: "+sourceDir)
}

// checkTouched checks that p00001's definition differs between base and
// head, and that Touched and the plan both report it.
func checkTouched(t *testing.T, dir, base, head string, opt compiler.Options) {
	t.Helper()
	repo, err := gitrev.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer repo.Close()
	before, after := compileAll(t, repo, base, opt), compileAll(t, repo, head, opt)
	if before[monorepo.Name(1)] == "failed" {
		t.Fatalf("%s does not build at the base", monorepo.Name(1))
	}
	if want := differing(before, after); !slices.Equal(want, []string{monorepo.Name(1)}) {
		t.Fatalf("definitions changed: %q, want only %s's", want, monorepo.Name(1))
	}
	rv, err := OpenRevisions(GitOptions{Dir: dir, Compile: opt})
	if err != nil {
		t.Fatal(err)
	}
	defer rv.Close()
	ctx := context.Background()
	got, err := rv.Touched(ctx, base, head)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(got, monorepo.Name(1)) {
		t.Errorf("Touched = %q, want %s", got, monorepo.Name(1))
	}
	res, _, _, err := FromGit(ctx, GitOptions{Dir: dir, Base: base, Head: head, Compile: opt})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(res.Pipelines, func(p *Pipeline) bool { return p.Name == monorepo.Name(1) }) {
		t.Errorf("the plan does not show %s", monorepo.Name(1))
	}
}

// TestFromGit_worktreeCountsWhatTheCompileReads: with the working tree as
// the head, a file .gitignore excludes or one inside a nested repository
// under a source directory goes into the bundle the compile of the working
// tree builds, so it changes the definition and the plan must show it. So
// does an empty directory, which no commit holds, that a link's target
// steps through and back out of.
func TestFromGit_worktreeCountsWhatTheCompileReads(t *testing.T) {
	src := monorepo.Source(1)
	tests := []struct {
		name  string
		setup func(w *worktree)
		edit  func(w *worktree)
	}{
		{"ignored file", nil, func(w *worktree) { w.write(src+"/debug.log", "x\n") }},
		{"ignored directory", nil, func(w *worktree) { w.write(src+"/build/out.py", "x\n") }},
		{"nested repository", nil, func(w *worktree) {
			w.write(src+"/vendor/.git", "gitdir: elsewhere\n")
			w.write(src+"/vendor/lib.py", "x\n")
		}},
		{"empty directory a link steps through", func(w *worktree) {
			w.rename(src, "deep/p/code/src")
			w.link("hop", "deep/p/q")
			w.link("lnk", "hop/../code")
			w.replace(monorepo.Conf(1), "source_directory: "+src, "source_directory: lnk/src")
		}, func(w *worktree) {
			if err := os.MkdirAll(w.path("deep/p/q"), 0o755); err != nil {
				t.Fatal(err)
			}
		}},
	}
	opt := compiler.Options{Region: "us-east-1", Getenv: func(string) (string, bool) { return "", false }}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := twoPipelines(t)
			w.write(".gitignore", "*.log\nbuild/\n")
			if tt.setup != nil {
				tt.setup(w)
			}
			base := w.commit("base")
			tt.edit(w)

			repo, err := gitrev.Open(w.dir)
			if err != nil {
				t.Fatal(err)
			}
			defer repo.Close()
			if want := differing(compileAll(t, repo, base, opt), compileWorktree(t, w.dir, opt)); !slices.Equal(want, []string{monorepo.Name(1)}) {
				t.Fatalf("definitions changed: %q, want only %s's", want, monorepo.Name(1))
			}

			plan, _, _, err := FromGit(context.Background(), GitOptions{Dir: w.dir, Base: base, Worktree: true, Compile: opt})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.ContainsFunc(plan.Pipelines, func(p *Pipeline) bool { return p.Name == monorepo.Name(1) }) {
				t.Errorf("the plan of the working tree does not show %s", monorepo.Name(1))
			}
		})
	}
}

// TestFromGit_worktreeSkipsWhatNoCompileReads: running the code (Python
// caches), opening a folder in Finder (.DS_Store) or making an empty
// directory leaves every definition hash as it was (checked), so the plan
// of the working tree touches nothing.
func TestFromGit_worktreeSkipsWhatNoCompileReads(t *testing.T) {
	tests := []struct {
		name string
		edit func(t *testing.T, g *testrepo.Git)
	}{
		{"python cache", func(t *testing.T, g *testrepo.Git) { g.Write("housing/src/__pycache__/train.cpython-312.pyc", "x") }},
		{"compiled file beside the code", func(t *testing.T, g *testrepo.Git) { g.Write("housing/src/train.pyc", "x") }},
		{"finder litter", func(t *testing.T, g *testrepo.Git) { g.Write("housing/src/.DS_Store", "x") }},
		{"directory holding only caches", func(t *testing.T, g *testrepo.Git) { g.Write("housing/src/pkg/__pycache__/a.pyc", "x") }},
		{"empty directory", func(t *testing.T, g *testrepo.Git) { mkdir(t, g.Dir, "housing/src/empty/deeper") }},
		{"the committed cache changes", func(t *testing.T, g *testrepo.Git) { g.Write("housing/src/__pycache__/old.pyc", "y") }},
	}
	opt := compiler.Options{Region: "us-east-1", Getenv: func(string) (string, bool) { return "", false }}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			g := testrepo.NewGit(t, t.TempDir())
			g.CopyTree("../testdata/conf/ok/housing-tf")
			g.Write("housing/src/__pycache__/old.pyc", "x")
			g.Commit("housing, a Python cache committed by mistake")
			g.Write(".gitignore", "__pycache__/\n*.pyc\n.DS_Store\n")
			g.Commit("ignore caches")
			tt.edit(t, g)

			repo, err := gitrev.Open(g.Dir)
			if err != nil {
				t.Fatal(err)
			}
			defer repo.Close()
			base, err := repo.Resolve("HEAD")
			if err != nil {
				t.Fatal(err)
			}
			if got := differing(compileAll(t, repo, base, opt), compileWorktree(t, g.Dir, opt)); len(got) != 0 {
				t.Fatalf("definitions changed: %q", got)
			}

			plan, _, _, err := FromGit(context.Background(), GitOptions{Dir: g.Dir, Base: "HEAD", Worktree: true, Compile: opt})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range plan.Pipelines {
				got = append(got, p.Name)
			}
			if len(got) != 0 {
				t.Errorf("the plan of the working tree touches %q, want none", got)
			}
		})
	}
}

// TestFromGit_worktreeUnreadableDirectory: a directory the user may not
// read (a container's database directory of another uid) fails no plan; it
// touches the pipelines whose dependencies lie around or under it.
func TestFromGit_worktreeUnreadableDirectory(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads every directory whatever its mode")
	}
	for _, tt := range []struct {
		dir  string
		want []string
	}{
		{"pgdata", nil},
		{"housing/src/pgdata", []string{"house-price-tf"}},
	} {
		t.Run(tt.dir, func(t *testing.T) {
			t.Parallel()
			g := testrepo.NewGit(t, t.TempDir())
			g.CopyTree("../testdata/conf/ok/housing-tf")
			g.Write(".gitignore", "pgdata/\n")
			g.Commit("housing")
			g.Write(tt.dir+"/base/1", "x")
			unreadable(t, filepath.Join(g.Dir, tt.dir))

			plan, _, _, err := FromGit(context.Background(), GitOptions{Dir: g.Dir, Base: "HEAD", Worktree: true,
				Compile: compiler.Options{Region: "us-east-1", Getenv: func(string) (string, bool) { return "", false }}})
			if err != nil {
				t.Fatalf("the plan of a working tree with an unreadable %s: %v", tt.dir, err)
			}
			var got []string
			for _, p := range plan.Pipelines {
				got = append(got, p.Name)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("the plan of the working tree touches %q, want %q", got, tt.want)
			}
		})
	}
}

func mkdir(t *testing.T, dir, rel string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(dir, filepath.FromSlash(rel)), 0o755); err != nil {
		t.Fatal(err)
	}
}

// unreadable takes every permission off dir until the test ends.
func unreadable(t *testing.T, dir string) {
	t.Helper()
	if err := os.Chmod(dir, 0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := os.Chmod(dir, 0o755); err != nil {
			t.Error(err)
		}
	})
}
