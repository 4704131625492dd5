package plan

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/smpipe/smpipe-action/compiler"
	"github.com/smpipe/smpipe-action/gitrev"
)

// Revisions compiles pipelines at any commit of one repository from git
// objects, fetching commits a shallow clone lacks. The deploy uses it to
// compile a pull request's head in its own environment and compare it with
// the merge.
type Revisions struct {
	repo    *gitrev.Repo
	rel     string // compile root inside the repository
	fetch   gitrev.FetchOptions
	compile compiler.Options
	// cache holds every conf file decoded, by path and blob, for all
	// calls; recent holds the last revisions indexed, so that walking a
	// history commit by commit indexes each commit once.
	cache  *compiler.DecodeCache
	mu     sync.Mutex
	recent []indexed
}

// indexed is a revision indexed at a commit.
type indexed struct {
	sha string
	rev *revision
}

// keepIndexed is how many indexed revisions Revisions keeps: a pair, and
// the next pair's first is the last pair's second.
const keepIndexed = 3

// OpenRevisions opens the repository holding g.Dir; g.Base and g.Head are
// not used. Close it when done.
func OpenRevisions(g GitOptions) (*Revisions, error) {
	repo, err := gitrev.Open(g.Dir)
	if err != nil {
		return nil, err
	}
	rel, err := repo.Rel(g.Dir)
	if err != nil {
		repo.Close()
		return nil, err
	}
	return &Revisions{repo: repo, rel: rel, fetch: g.fetchOptions(), compile: g.Compile,
		cache: compiler.NewDecodeCache()}, nil
}

// Close releases the repository.
func (rv *Revisions) Close() error { return rv.repo.Close() }

// Compile builds the pipelines named in names as commit sha defines them,
// by pipeline name; a name the commit does not define is absent. Diagnostics
// are not returned: a pipeline that does not compile has Failed set.
func (rv *Revisions) Compile(ctx context.Context, sha string, names []string) (map[string]*compiler.Plan, error) {
	if err := rv.ensure(ctx, sha); err != nil {
		return nil, err
	}
	rev, err := rv.index(ctx, sha)
	if err != nil {
		return nil, err
	}
	repo, err := rev.ix.Load(ctx, neededFiles(rev, names))
	if err != nil {
		return nil, err
	}
	var anchors []string
	for _, a := range repo.Anchors() {
		if slices.Contains(names, a.Name) {
			anchors = append(anchors, a.File)
		}
	}
	res, _, err := repo.Build(ctx, anchors)
	if err != nil {
		return nil, err
	}
	out := map[string]*compiler.Plan{}
	for _, p := range res.Plans {
		if _, dup := out[p.Name]; !dup && p.Name != "" {
			out[p.Name] = p
		}
	}
	return out, nil
}

// Touched names, sorted, every pipeline whose definition may differ between
// the commits base and head: added, removed or changed, whatever file made
// it differ (its conf files, the framework conf, its source directories and
// local data, and what symbolic links in them lead to). It is sound, never
// missing a pipeline whose definition hash differs, and may name one whose
// hash turns out equal (a change with no effect). Called for consecutive
// commits of one history, each commit is indexed once and each conf file
// decoded once.
func (rv *Revisions) Touched(ctx context.Context, base, head string) ([]string, error) {
	for _, sha := range []string{base, head} {
		if err := rv.ensure(ctx, sha); err != nil {
			return nil, err
		}
	}
	changes, err := rv.repo.Diff(base, head)
	if err != nil {
		return nil, err
	}
	cs := newChangeSet(relChanges(changes, rv.rel))
	if cs.empty() {
		return nil, nil
	}
	baseRev, err := rv.index(ctx, base)
	if err != nil {
		return nil, err
	}
	headRev, err := rv.index(ctx, head)
	if err != nil {
		return nil, err
	}
	return touchedNames(baseRev, headRev, cs), nil
}

// index indexes the compile root at commit sha, or returns it indexed.
func (rv *Revisions) index(ctx context.Context, sha string) (*revision, error) {
	rv.mu.Lock()
	for _, r := range rv.recent {
		if r.sha == sha {
			rv.mu.Unlock()
			return r.rev, nil
		}
	}
	rv.mu.Unlock()
	tree, err := rv.repo.TreeFS(sha)
	if err != nil {
		return nil, err
	}
	root, err := sub(tree, rv.rel)
	if err != nil {
		return nil, err
	}
	ix, err := compiler.LoadIndex(ctx, root, rv.compile, rv.cache)
	if err != nil {
		return nil, err
	}
	rev := newRevision(root, ix)
	rv.mu.Lock()
	defer rv.mu.Unlock()
	rv.recent = append(rv.recent, indexed{sha, rev})
	if len(rv.recent) > keepIndexed {
		rv.recent = rv.recent[1:]
	}
	return rev, nil
}

// ChangedSince lists the files under the compile root that changed on the
// branch whose tip is tip since it and head diverged (their merge base), as
// paths relative to the compile root: what a base branch gained after a
// pull request was opened.
func (rv *Revisions) ChangedSince(ctx context.Context, head, tip string) ([]string, error) {
	for _, sha := range []string{head, tip} {
		if err := rv.ensure(ctx, sha); err != nil {
			return nil, err
		}
	}
	base, err := rv.repo.MergeBase(head, tip)
	if err != nil {
		return nil, err
	}
	changes, err := rv.repo.Diff(base, tip)
	if err != nil {
		return nil, fmt.Errorf("comparing %s and %s: %w", gitrev.ShortSHA(base), gitrev.ShortSHA(tip), err)
	}
	var out []string
	for _, c := range relChanges(changes, rv.rel) {
		out = append(out, c.Path)
	}
	return out, nil
}

// ensure fetches a full SHA the checkout lacks.
func (rv *Revisions) ensure(ctx context.Context, sha string) error {
	if !gitrev.IsSHA(sha) {
		return fmt.Errorf("compiling at %q: not a full commit SHA", sha)
	}
	return rv.repo.EnsureCommit(ctx, sha, rv.fetch)
}
