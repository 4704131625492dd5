package deploy

import (
	"fmt"
	"sort"
)

// UnreviewedError says that a pipeline's definition is not the one its pull
// request showed.
type UnreviewedError struct {
	Pipeline string
	Hash     string // what would be deployed
	Reviewed string // what the pull request showed; empty when absent
}

func (e *UnreviewedError) Error() string {
	if e.Reviewed == "" {
		return fmt.Sprintf("pipeline %q: refusing to deploy definition %s: the pull request's report shows no definition "+
			"for this pipeline, so nobody reviewed it (re-run the plan on the pull request, or allow unreviewed deploys)", e.Pipeline, e.Hash)
	}
	return fmt.Sprintf("pipeline %q: refusing to deploy definition %s: the pull request was reviewed with %s; the merge "+
		"compiles differently (the base branch changed, or a file outside the pull request); re-run the plan "+
		"and review again, or allow unreviewed deploys", e.Pipeline, e.Hash, e.Reviewed)
}

// CheckReviewed keeps the targets whose definition hash equals the hash
// reviewed on the pull request (reviewed maps pipeline name to
// "sha256:<hex>") and refuses the others with an *UnreviewedError, unless
// allowUnreviewed. Refused results are sorted by pipeline name.
func CheckReviewed(targets []Target, reviewed map[string]string, allowUnreviewed bool) (ok []Target, refused []Result) {
	for _, t := range targets {
		want, found := reviewed[t.Pipeline]
		if allowUnreviewed || (found && want == t.Hash) {
			ok = append(ok, t)
			continue
		}
		refused = append(refused, Result{
			Pipeline: t.Pipeline, Hash: t.Hash, Status: StatusFailed,
			Err: &UnreviewedError{Pipeline: t.Pipeline, Hash: t.Hash, Reviewed: want},
		})
	}
	sort.SliceStable(refused, func(i, j int) bool { return refused[i].Pipeline < refused[j].Pipeline })
	return ok, refused
}
