package deploy

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/smpipe/smpipe-action/internal/fakeaws"
)

// seededPipeline is a stored pipeline as an earlier deploy for testRepo
// left it.
func seededPipeline(name, def string) fakeaws.Pipeline {
	return fakeaws.Pipeline{Name: name, Definition: def, RoleArn: testRole, Tags: map[string]string{TagRepository: testRepo}}
}

// Commits of a small history: a ← b ← c on the main line, d forked from a
// (a force-pushed branch), and commitGone unknown to the repository.
var (
	commitA    = strings.Repeat("a", 40)
	commitB    = strings.Repeat("b", 40)
	commitC    = strings.Repeat("c", 40)
	commitD    = strings.Repeat("d", 40)
	commitGone = strings.Repeat("e", 40)
)

// history is the parent of each known commit; isAncestor walks it as
// gitrev.Repo.IsAncestor walks git, and fails for an unknown commit.
var history = map[string]string{commitA: "", commitB: commitA, commitC: commitB, commitD: commitA}

func isAncestor(_ context.Context, ancestor, commit string) (bool, error) {
	for _, c := range []string{ancestor, commit} {
		if _, ok := history[c]; !ok {
			return false, fmt.Errorf("commit %s is not in the repository, and fetching it failed", c)
		}
	}
	for c := commit; c != ""; c = history[c] {
		if c == ancestor {
			return true, nil
		}
	}
	return false, nil
}

// at is Options for deploying commit with the ancestry check and starts.
func at(commit string) Options {
	return Options{CommitSHA: commit, Repository: testRepo, IsAncestor: isAncestor, Start: true}
}

// deployOK deploys targets and fails the test when anything failed.
func (e *env) deployOK(t *testing.T, opts Options, targets ...Target) []Result {
	t.Helper()
	got := e.d.Deploy(context.Background(), targets, opts)
	if Failed(got) {
		t.Fatalf("deploy at %s failed: %+v\nlog:\n%s", short(opts.CommitSHA), got, e.log)
	}
	return got
}
