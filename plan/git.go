package plan

import (
	"context"
	"fmt"
	"io/fs"
	"strings"

	"github.com/smpipe/smpipe-action/compiler"
	"github.com/smpipe/smpipe-action/gitrev"
	"github.com/smpipe/smpipe-action/internal/workspace"
)

// GitOptions say which revisions of a git repository to compare.
type GitOptions struct {
	// Dir is the compile root: the repository root or a directory inside it
	// (the action's working-directory).
	Dir string
	// Base and Head are revisions (SHAs, branches, tags, HEAD~1). Head
	// defaults to HEAD. An empty Base compares against nothing: every
	// pipeline is new.
	Base, Head string
	// Worktree makes the head the working tree at Dir instead of a
	// revision, as a laptop user sees it: uncommitted and untracked files
	// included, ignored ones and nested repositories' too, as the compile of
	// the directory reads them all. Head must then be empty.
	Worktree bool
	// Token authenticates the fetch of a base commit a shallow clone lacks,
	// sent only to an https remote on TokenHost (see gitrev.FetchOptions).
	Token, TokenHost string
	Compile          compiler.Options
}

// FromGit reads base and head from git objects (never checking anything out
// over the workspace), or the head from g.Worktree, lists the changed paths
// and runs the plan. It returns the resolved base and head SHAs with the
// result; headSHA is empty when the head is the working tree.
func FromGit(ctx context.Context, g GitOptions) (res *Result, baseSHA, headSHA string, err error) {
	if g.Worktree && g.Head != "" {
		return nil, "", "", fmt.Errorf("comparing with both the working tree and head revision %q", g.Head)
	}
	repo, err := gitrev.Open(g.Dir)
	if err != nil {
		return nil, "", "", err
	}
	defer repo.Close()
	rel, err := repo.Rel(g.Dir)
	if err != nil {
		return nil, "", "", err
	}
	opt := Options{Compile: g.Compile}
	if g.Worktree {
		worktree, err := workspace.Open(g.Dir)
		if err != nil {
			return nil, "", "", err
		}
		defer worktree.Close()
		opt.Head = worktree
	} else {
		head := g.Head
		if head == "" {
			head = "HEAD"
		}
		if headSHA, err = repo.Resolve(head); err != nil {
			return nil, "", "", fmt.Errorf("resolving the head: %w", err)
		}
		headFS, err := repo.TreeFS(headSHA)
		if err != nil {
			return nil, "", "", err
		}
		if opt.Head, err = sub(headFS, rel); err != nil {
			return nil, "", "", err
		}
	}
	if g.Base == "" {
		opt.All = true
	} else {
		if gitrev.IsSHA(g.Base) {
			// actions/checkout clones one commit deep, so the base of a pull
			// request is usually missing: fetch exactly that commit.
			if err := repo.EnsureCommit(ctx, g.Base, g.fetchOptions()); err != nil {
				return nil, "", "", err
			}
		}
		if baseSHA, err = repo.Resolve(g.Base); err != nil {
			return nil, "", "", fmt.Errorf("resolving the base: %w", err)
		}
		baseFS, err := repo.TreeFS(baseSHA)
		if err != nil {
			return nil, "", "", err
		}
		var changes []gitrev.Change
		if g.Worktree {
			changes, err = repo.WorktreeChanges(baseSHA, rel)
		} else {
			changes, err = repo.Diff(baseSHA, headSHA)
		}
		if err != nil {
			return nil, "", "", err
		}
		if opt.Base, err = sub(baseFS, rel); err != nil {
			return nil, "", "", err
		}
		opt.Changes = relChanges(changes, rel)
	}
	res, err = Run(ctx, opt)
	if err != nil {
		return nil, "", "", err
	}
	return res, baseSHA, headSHA, nil
}

// sub narrows a tree to the compile root; links inside it may not leave it.
func sub(fsys fs.FS, rel string) (fs.FS, error) {
	if rel == "." || rel == "" {
		return fsys, nil
	}
	s, err := fs.Sub(fsys, rel)
	if err != nil {
		return nil, fmt.Errorf("reading the compile root %s: %w", rel, err)
	}
	return s, nil
}

// relChanges keeps the changes under rel, with paths relative to it.
func relChanges(changes []gitrev.Change, rel string) []Change {
	strip := func(p string) (string, bool) {
		if rel == "." || rel == "" {
			return p, p != ""
		}
		out, ok := strings.CutPrefix(p, rel+"/")
		return out, ok
	}
	var out []Change
	for _, c := range changes {
		to, okTo := strip(c.To)
		from, okFrom := strip(c.From)
		switch {
		case okTo && okFrom && from != to:
			out = append(out, Change{Path: to, From: from})
		case okTo:
			out = append(out, Change{Path: to, Dir: c.Dir})
		case okFrom:
			out = append(out, Change{Path: from})
		}
	}
	return out
}

func (g GitOptions) fetchOptions() gitrev.FetchOptions {
	return gitrev.FetchOptions{Token: g.Token, TokenHost: g.TokenHost}
}
