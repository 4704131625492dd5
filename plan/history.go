package plan

import (
	"context"
	"io/fs"

	"github.com/smpipe/smpipe-action/compiler"
	"github.com/smpipe/smpipe-action/compiler/diag"
)

// FirstParent returns the first parent of commit sha, fetching history a
// shallow clone lacks; ok is false for a root commit.
func (rv *Revisions) FirstParent(ctx context.Context, sha string) (string, bool, error) {
	return rv.repo.FirstParent(ctx, sha, rv.fetch)
}

// MergeBase returns the best common ancestor of commits a and b, fetching
// either when the clone lacks it.
func (rv *Revisions) MergeBase(ctx context.Context, a, b string) (string, error) {
	for _, sha := range []string{a, b} {
		if err := rv.ensure(ctx, sha); err != nil {
			return "", err
		}
	}
	return rv.repo.MergeBase(a, b)
}

// IsAncestor reports whether commit ancestor is commit or one of its
// ancestors, fetching history as needed.
func (rv *Revisions) IsAncestor(ctx context.Context, ancestor, commit string) (bool, error) {
	return rv.repo.IsAncestor(ctx, ancestor, commit, rv.fetch)
}

// Tree is the compile root at commit sha, read from git objects: what a
// deploy of that commit reads, whatever the working tree holds.
func (rv *Revisions) Tree(ctx context.Context, sha string) (fs.FS, error) {
	if err := rv.ensure(ctx, sha); err != nil {
		return nil, err
	}
	tree, err := rv.repo.TreeFS(sha)
	if err != nil {
		return nil, err
	}
	return sub(tree, rv.rel)
}

// Build compiles, from the git objects of commit sha, the pipelines choose
// picks from the loaded repository (anchor files, as
// compiler.Repository.SelectNames gives them), writing their artifacts to
// artifactDir for a deploy. The diagnostics are those of loading and of
// these pipelines.
func (rv *Revisions) Build(ctx context.Context, sha, artifactDir string, choose func(*compiler.Repository) ([]string, error)) (*compiler.Result, diag.Diagnostics, error) {
	root, err := rv.Tree(ctx, sha)
	if err != nil {
		return nil, nil, err
	}
	opt := rv.compile
	opt.ArtifactDir = artifactDir
	repo, err := compiler.Load(ctx, root, opt)
	if err != nil {
		return nil, nil, err
	}
	anchors, err := choose(repo)
	if err != nil {
		return nil, nil, err
	}
	return repo.Build(ctx, anchors)
}
