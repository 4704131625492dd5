// Package testrepo generates repositories for tests and benchmarks.
package testrepo

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-git/go-billy/v5/osfs"
	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// WriteMonorepo writes n independent pipelines under root: a framework conf
// and, per pipeline, a model conf (Processing → Training → CreateModel →
// Transform → Metrics → RegisterModel) with its own source tree. Benchmarks
// of several packages use it.
func WriteMonorepo(tb testing.TB, root string, n int) {
	tb.Helper()
	write := func(rel, body string) {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	write("framework/conf/conf.yaml", "conf:\n  s3Bucket: test-bucket\n  sagemakerNetworkSecurity:\n    role: arn:aws:iam::123456789012:role/test\n")
	for i := range n {
		m := fmt.Sprintf("m%04d", i)
		write(m+"/src/prep.py", "print('prep "+m+"')\n")
		write(m+"/src/evaluate.py", "print('evaluate')\n")
		write(m+"/src/requirements.txt", "pandas\n")
		write(m+"/src/train/train.py", "print('train "+m+"')\n")
		write(m+"/src/train/requirements.txt", "xgboost\n")
		write(m+"/src/serve/inference.py", "print('serve')\n")
		conf := fmt.Sprintf(`conf:
  models:
    %[1]s:
      source_directory: %[1]s/src
      prep:
        image_uri: img
        entry_point: prep.py
        channels:
          train:
            dataFiles:
              - sourceName: raw
                fileName: s3://data/%[1]s/raw.csv
      train:
        image_uri: img
        entry_point: train/train.py
        hyperparams:
          eta: "0.1"
          rounds: "100"
      transform:
        entry_point: serve/inference.py
      evaluate:
        image_uri: img
        entry_point: evaluate.py
      registry:
        ModelRepack: false
        InferenceSpecification:
          image_uri: serve-img
  sagemakerPipeline:
    pipelineName: pipe-%[1]s
    models:
      %[1]s:
        steps:
          - {step_name: %[1]s-prep, step_class: Processing, step_type: prep}
          - {step_name: %[1]s-train, step_class: Training, chain_input_source_step: [%[1]s-prep]}
          - {step_name: %[1]s-create, step_class: CreateModel}
          - {step_name: %[1]s-transform, step_class: Transform, chain_input_source_step: [%[1]s-prep]}
          - {step_name: %[1]s-metrics, step_class: Metrics, chain_input_source_step: [%[1]s-transform]}
          - {step_name: %[1]s-register, step_class: RegisterModel}
    dependencies:
      - %[1]s-prep >> %[1]s-train >> %[1]s-create
`, m)
		write(m+"/conf/conf.yaml", conf)
	}
}

// Commit records everything under dir as a new commit of the git repository
// there (created on first use), with a fixed author and time so commits are
// reproducible, and returns its SHA. Symbolic links are recorded with their
// targets verbatim, absolute ones included, as git records them.
func Commit(tb testing.TB, dir, msg string) string {
	tb.Helper()
	if _, err := git.PlainOpen(dir); errors.Is(err, git.ErrRepositoryNotExists) {
		_, err = git.PlainInit(dir, false)
		if err != nil {
			tb.Fatal(err)
		}
	}
	// A bound (not chrooted) worktree: the chroot rewrites absolute link
	// targets.
	dot := osfs.New(filepath.Join(dir, ".git"), osfs.WithBoundOS())
	repo, err := git.Open(filesystem.NewStorage(dot, cache.NewObjectLRUDefault()), osfs.New(dir, osfs.WithBoundOS()))
	if err != nil {
		tb.Fatal(err)
	}
	wt, err := repo.Worktree()
	if err != nil {
		tb.Fatal(err)
	}
	if err := wt.AddGlob("."); err != nil {
		tb.Fatal(err)
	}
	sig := &object.Signature{Name: "smpipe tests", Email: "tests@smpipe.invalid", When: time.Unix(1_700_000_000, 0)}
	h, err := wt.Commit(msg, &git.CommitOptions{Author: sig, AllowEmptyCommits: true})
	if err != nil {
		tb.Fatal(err)
	}
	return h.String()
}
