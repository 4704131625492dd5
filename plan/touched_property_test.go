package plan

import (
	"context"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/smpipe/smpipe-action/compiler"
	"github.com/smpipe/smpipe-action/gitrev"
	"github.com/smpipe/smpipe-action/internal/monorepo"
	"github.com/smpipe/smpipe-action/internal/workspace"
)

// TestTouched_sound is the property behind "touched is sound" (trust
// issue): for random edits of a generated repository, every pipeline whose
// definition hash differs between two commits (or that only one of them
// defines) is reported touched, by Revisions.Touched and by the plan. The
// ground truth compiles every pipeline of both commits with
// compiler.Compile, which shares nothing with the index the touched rule
// reads. The repository has what makes touched detection hard: code
// reached through a symbolic link out of a source directory, a conf file
// that is a link, a local data file outside the source directory (one
// climbing from a source directory behind links), a model defined in
// another file, a source directory behind a link whose target climbs out
// of another link, one eleven links away, and a framework conf. Bounded: a few seeds of
// a few dozen commits each.
func TestTouched_sound(t *testing.T) {
	seeds := []uint64{1, 2, 3}
	if testing.Short() {
		seeds = seeds[:1]
	}
	for _, seed := range seeds {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			t.Parallel()
			checkTouchedSound(t, seed, 25)
		})
	}
}

func checkTouchedSound(t *testing.T, seed uint64, commits int) {
	dir := t.TempDir()
	w := &worktree{t: t, dir: dir, rng: rand.New(rand.NewPCG(seed, seed))}
	w.generate()
	shas, whats := []string{w.commit("base")}, []string{"base"}
	for range commits {
		// Each commit is the base with one or two edits, so that edits do
		// not pile up into a repository where nothing builds any more.
		w.reset()
		what := w.edit()
		if w.rng.IntN(3) == 0 {
			what += "; " + w.edit()
		}
		shas, whats = append(shas, w.commit(what)), append(whats, what)
	}
	opt := compiler.Options{Region: "us-east-1", Getenv: func(string) (string, bool) { return "", false }}
	rv, err := OpenRevisions(GitOptions{Dir: dir, Compile: opt})
	if err != nil {
		t.Fatal(err)
	}
	defer rv.Close()
	repo, err := gitrev.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer repo.Close()
	ctx := context.Background()
	hashes := make([]map[string]string, len(shas))
	for i, sha := range shas {
		hashes[i] = compileAll(t, repo, sha, opt)
	}
	// The hard cases mean something only if they build.
	for i := range soundPipelines {
		if h := hashes[0][monorepo.Name(i)]; h == "" || h == "failed" {
			t.Fatalf("%s does not build at the base", monorepo.Name(i))
		}
	}
	changedSome := 0
	for i := 1; i <= commits; i++ {
		// Consecutive commits, as the reconcile walks a history (their
		// edits undone and others made), and the base now and then.
		from := i - 1
		if i%3 == 0 {
			from = 0
		}
		what := whats[i]
		want := differing(hashes[from], hashes[i])
		if len(want) > 0 {
			changedSome++
		}
		got, err := rv.Touched(ctx, shas[from], shas[i])
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if missing := without(want, got); len(missing) > 0 {
			t.Errorf("commit %d (%s): definitions of %q changed but Touched reported %q", i, what, missing, got)
		}
		res, _, _, err := FromGit(ctx, GitOptions{Dir: dir, Base: shas[from], Head: shas[i], Compile: opt})
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		var planned []string
		for _, p := range res.Pipelines {
			planned = append(planned, p.Name)
		}
		if missing := without(want, planned); len(missing) > 0 {
			t.Errorf("commit %d (%s): definitions of %q changed but the plan showed %q", i, what, missing, planned)
		}
	}
	if changedSome < commits/2 {
		t.Errorf("only %d of %d commits changed a definition: the edits do not exercise the rule", changedSome, commits)
	}
}

// compileAll compiles every pipeline at commit sha: name → hash, "failed"
// for a pipeline that does not build (several anchors of one name joined).
func compileAll(t *testing.T, repo *gitrev.Repo, sha string, opt compiler.Options) map[string]string {
	t.Helper()
	fsys, err := repo.TreeFS(sha)
	if err != nil {
		t.Fatal(err)
	}
	return compileHashes(t, fsys, opt)
}

// compileWorktree is compileAll of the working tree in dir.
func compileWorktree(t *testing.T, dir string, opt compiler.Options) map[string]string {
	t.Helper()
	root, err := workspace.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	return compileHashes(t, root, opt)
}

// compileHashes compiles fsys, mapping each pipeline to its definition
// hash, "failed" for a failed one.
func compileHashes(t *testing.T, fsys fs.FS, opt compiler.Options) map[string]string {
	t.Helper()
	res, _, err := compiler.Compile(context.Background(), fsys, opt)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, p := range res.Plans {
		h := p.Hash
		if p.Failed {
			h = "failed"
		}
		if out[p.Name] != "" {
			h = out[p.Name] + "+" + h
		}
		out[p.Name] = h
	}
	return out
}

// differing names the pipelines whose hash differs, or that one side lacks.
func differing(a, b map[string]string) []string {
	var out []string
	for n, h := range a {
		if b[n] != h {
			out = append(out, n)
		}
	}
	for n := range b {
		if _, ok := a[n]; !ok {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}

func without(want, got []string) []string {
	var out []string
	for _, w := range want {
		if !slices.Contains(got, w) {
			out = append(out, w)
		}
	}
	return out
}

// worktree is the generated repository being edited.
type worktree struct {
	t   *testing.T
	dir string
	rng *rand.Rand
	gen int
}

const soundPipelines = 5

// generate writes the repository: generated pipelines, then the hard cases.
func (w *worktree) generate() {
	if err := monorepo.Write(w.dir, "../"+monorepo.Example, soundPipelines); err != nil {
		w.t.Fatal(err)
	}
	// Pipeline 0 reaches shared code through a link in its source directory.
	w.write("shared/util.py", "def util():\n    return 0\n")
	w.link(monorepo.Source(0)+"/shared", "../../../shared")
	// Pipeline 1 reads a local data file outside its source directory.
	w.replace(monorepo.Conf(1), "            s3Bucket: smpipe-examples\n            s3InputPrefix: p00001/raw\n", "")
	w.replace(monorepo.Conf(1), "fileName: ames-sales.csv", "fileName: ../../../data/sales.csv")
	w.write("data/sales.csv", "price\n1\n")
	// Pipeline 2's conf file is a link into a directory of conf sources.
	w.rename(monorepo.Conf(2), "confs/p2.yaml")
	w.link(monorepo.Conf(2), "../../../confs/p2.yaml")
	// Pipeline 3 also uses a model defined in another file.
	w.write("extra/conf/extra.yaml", "conf:\n  models:\n    extra:\n      source_directory: extra/src\n"+
		"      check:\n        image_uri: img\n        entry_point: check.py\n")
	w.write("extra/src/check.py", "print('check')\n")
	w.replace(monorepo.Conf(3), "    dependencies:\n", "      extra:\n        steps:\n          - step_name: p00003-Check\n"+
		"            step_class: Processing\n            step_type: check\n    dependencies:\n")
	// Pipeline 3's source directory is eleven links away, at most eight in
	// any one lookup.
	w.link("a", "a1")
	for i := 1; i < 5; i++ {
		w.link(fmt.Sprintf("a%d", i), fmt.Sprintf("a%d", i+1))
	}
	w.link("a5", monorepo.Dir(3))
	w.link(monorepo.Dir(3)+"/b", "b1")
	for i := 1; i < 4; i++ {
		w.link(fmt.Sprintf("%s/b%d", monorepo.Dir(3), i), fmt.Sprintf("b%d", i+1))
	}
	w.link(monorepo.Dir(3)+"/b4", "src")
	w.replace(monorepo.Conf(3), "source_directory: "+monorepo.Source(3), "source_directory: a/b")
	// Pipeline 4's source directory is behind a link whose target climbs
	// out of another link (hop4/../code is deep/p4/code), and its local data
	// file climbs from the source directory as written (data4, not
	// deep/p4/data4).
	w.rename(monorepo.Source(4), "deep/p4/code/src")
	w.write("deep/p4/q/keep", "")
	w.link("hop4", "deep/p4/q")
	w.link("lnk4", "hop4/../code")
	w.replace(monorepo.Conf(4), "source_directory: "+monorepo.Source(4), "source_directory: lnk4/src")
	w.replace(monorepo.Conf(4), "            s3Bucket: smpipe-examples\n            s3InputPrefix: p00004/raw\n", "")
	w.replace(monorepo.Conf(4), "fileName: ames-sales.csv", "fileName: ../../data4/sales.csv")
	w.write("data4/sales.csv", "price\n1\n")
	w.write("deep/p4/data4/sales.csv", "price\n1\n")
}

// reset brings the worktree back to the generated base.
func (w *worktree) reset() {
	entries, err := os.ReadDir(w.dir)
	if err != nil {
		w.t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() != ".git" {
			w.remove(e.Name())
		}
	}
	w.generate()
}

// edit makes one random change and says what it was.
func (w *worktree) edit() string {
	w.gen++
	files := w.files()
	switch w.rng.IntN(10) {
	case 0: // a setting of a pipeline
		i := w.rng.IntN(soundPipelines)
		if w.exists(monorepo.Conf(i)) && w.contains(monorepo.Conf(i), "learning_rate") {
			if err := monorepo.Tune(w.dir, i, w.gen); err != nil {
				w.t.Fatal(err)
			}
			return "tune " + monorepo.Name(i)
		}
		return w.touchFile(files)
	case 1: // shared code, data, the framework conf, the other model's file
		shared := []string{"shared/util.py", "data/sales.csv", "framework/conf/conf.yaml", "extra/src/check.py", "confs/p2.yaml",
			"data4/sales.csv", "deep/p4/data4/sales.csv", "deep/p4/code/src/train.py", monorepo.Source(3) + "/train.py"}
		p := shared[w.rng.IntN(len(shared))]
		if !w.exists(p) {
			return w.touchFile(files)
		}
		if strings.HasSuffix(p, ".yaml") {
			w.replaceAny(p, "smpipe-examples", fmt.Sprintf("smpipe-examples-%d", w.gen))
			w.replaceAny(p, "source_directory: ", "source_directory: ./")
			return "edit " + p
		}
		w.append(p, fmt.Sprintf("# %d\n", w.gen))
		return "edit " + p
	case 2: // delete a file
		p := files[w.rng.IntN(len(files))]
		w.remove(p)
		return "delete " + p
	case 3: // add a file next to another
		p := filepath.ToSlash(filepath.Join(filepath.Dir(files[w.rng.IntN(len(files))]), fmt.Sprintf("new%d.py", w.gen)))
		w.write(p, "print('new')\n")
		return "add " + p
	case 4: // retarget or add a link
		p := files[w.rng.IntN(len(files))]
		target := files[w.rng.IntN(len(files))]
		rel, err := filepath.Rel(filepath.Dir(filepath.Join(w.dir, p)), filepath.Join(w.dir, target))
		if err != nil {
			w.t.Fatal(err)
		}
		w.remove(p)
		w.link(p, filepath.ToSlash(rel))
		return "link " + p + " -> " + rel
	case 5: // a second definition of a model
		i := w.rng.IntN(soundPipelines)
		w.write(fmt.Sprintf("dup%d/conf/conf.yaml", w.gen), fmt.Sprintf("conf:\n  models:\n    %s:\n      source_directory: shared\n", monorepo.Name(i)))
		return "duplicate model " + monorepo.Name(i)
	case 6: // a new pipeline, or one renamed
		i := w.rng.IntN(soundPipelines)
		if !w.exists(monorepo.Conf(i)) {
			return w.touchFile(files)
		}
		to := "renamed-" + monorepo.Name(i)
		if w.rng.IntN(2) == 0 { // a name that clashes with another's, but for case
			to = strings.ToUpper(monorepo.Name((i + 1) % soundPipelines))
		}
		w.replaceAny(monorepo.Conf(i), "pipelineName: "+monorepo.Name(i)+"\n", "pipelineName: "+to+"\n")
		return "rename pipeline " + monorepo.Name(i) + " to " + to
	case 7: // a source directory moved
		i := w.rng.IntN(soundPipelines)
		if !w.exists(monorepo.Source(i)) {
			return w.touchFile(files)
		}
		w.rename(monorepo.Source(i), monorepo.Dir(i)+"/code")
		w.link(monorepo.Source(i), "code")
		return "move source of " + monorepo.Name(i)
	default: // any file's content
		return w.touchFile(files)
	}
}

func (w *worktree) touchFile(files []string) string {
	p := files[w.rng.IntN(len(files))]
	if strings.HasSuffix(p, ".yaml") {
		w.replaceAny(p, "instance_type: ml.m5.large", "instance_type: ml.m5.2xlarge")
	} else {
		w.append(p, fmt.Sprintf("# %d\n", w.gen))
	}
	return "touch " + p
}

// files lists the regular files and links of the worktree, sorted.
func (w *worktree) files() []string {
	var out []string
	err := filepath.WalkDir(w.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Name() == ".git" {
			return filepath.SkipDir
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(w.dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		w.t.Fatal(err)
	}
	return out
}

func (w *worktree) commit(msg string) string {
	w.t.Helper()
	sha, err := monorepo.Commit(w.dir, msg)
	if err != nil {
		w.t.Fatal(err)
	}
	return sha
}

func (w *worktree) path(rel string) string { return filepath.Join(w.dir, filepath.FromSlash(rel)) }

func (w *worktree) exists(rel string) bool {
	_, err := os.Lstat(w.path(rel))
	return err == nil
}

func (w *worktree) contains(rel, s string) bool {
	b, err := os.ReadFile(w.path(rel))
	return err == nil && strings.Contains(string(b), s)
}

func (w *worktree) write(rel, content string) {
	w.t.Helper()
	w.remove(rel)
	if err := os.MkdirAll(filepath.Dir(w.path(rel)), 0o755); err != nil {
		w.t.Fatal(err)
	}
	if err := os.WriteFile(w.path(rel), []byte(content), 0o644); err != nil {
		w.t.Fatal(err)
	}
}

func (w *worktree) append(rel, content string) {
	w.t.Helper()
	b, err := os.ReadFile(w.path(rel))
	if err != nil { // a dangling link or a directory: replace it
		w.write(rel, content)
		return
	}
	w.write(rel, string(b)+content)
}

// replace replaces old, which must be there, in rel.
func (w *worktree) replace(rel, old, new string) {
	w.t.Helper()
	b, err := os.ReadFile(w.path(rel))
	if err != nil || !strings.Contains(string(b), old) {
		w.t.Fatalf("%s lacks %q (%v)", rel, old, err)
	}
	w.write(rel, strings.Replace(string(b), old, new, 1))
}

// replaceAny replaces old in rel when it is there, else appends a comment.
func (w *worktree) replaceAny(rel, old, new string) {
	w.t.Helper()
	b, err := os.ReadFile(w.path(rel))
	if err == nil && strings.Contains(string(b), old) {
		w.write(rel, strings.Replace(string(b), old, new, 1))
		return
	}
	w.append(rel, fmt.Sprintf("# %d\n", w.gen))
}

func (w *worktree) remove(rel string) {
	w.t.Helper()
	if err := os.RemoveAll(w.path(rel)); err != nil {
		w.t.Fatal(err)
	}
}

func (w *worktree) rename(from, to string) {
	w.t.Helper()
	if err := os.MkdirAll(filepath.Dir(w.path(to)), 0o755); err != nil {
		w.t.Fatal(err)
	}
	w.remove(to)
	if err := os.Rename(w.path(from), w.path(to)); err != nil {
		w.t.Fatal(err)
	}
}

func (w *worktree) link(rel, target string) {
	w.t.Helper()
	w.remove(rel)
	if err := os.MkdirAll(filepath.Dir(w.path(rel)), 0o755); err != nil {
		w.t.Fatal(err)
	}
	if err := os.Symlink(target, w.path(rel)); err != nil {
		w.t.Fatal(err)
	}
}
