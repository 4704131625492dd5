package deploy

import (
	"context"
	"fmt"
)

// checkOrder decides whether the pipeline may move to opts.CommitSHA: only
// when the commit it was deployed from (its smpipe:commit tag) is that
// commit or one of its ancestors, so that re-running an older job never
// rolls production back. It returns a skip reason, empty to go ahead, and
// an error when the skip needs a person: the deployed commit could not be
// placed in this commit's history.
func (d *Deployer) checkOrder(ctx context.Context, lg *logger, l live, opts Options) (string, error) {
	deployed, commit := l.commit, opts.CommitSHA
	switch {
	case !l.exists, opts.Preview != "":
		// A preview follows its pull request's head, rewritten or not.
		return "", nil
	case deployed == "":
		lg.printf("no %s tag on the deployed pipeline (made outside smpipe, or by a version before tags): not checking commit order", TagCommit)
		return "", nil
	case deployed == alnum(commit, 40):
		return "", nil
	case opts.IsAncestor == nil:
		lg.printf("warning: not checking that the deployed commit %s is older than %s: no ancestry check configured", deployed, commit)
		return "", nil
	}
	older, err := opts.IsAncestor(ctx, deployed, commit)
	if err != nil {
		return fmt.Sprintf("cannot tell whether the deployed commit %s is older than %s", short(deployed), short(commit)),
			fmt.Errorf("left alone: it was deployed from commit %s, and whether that is older than %s is unknown: %w; "+
				"smpipe never moves a pipeline to an older commit, so: make the history available "+
				"(actions/checkout with fetch-depth: 0), or, if commit %s is gone for good (rewritten history), "+
				"remove the %s tag from the pipeline and deploy again", deployed, commit, err, deployed, TagCommit)
	}
	if older {
		return "", nil
	}
	newer, err := opts.IsAncestor(ctx, commit, deployed)
	if err == nil && newer {
		return fmt.Sprintf("newer commit %s is deployed", short(deployed)), nil
	}
	if err == nil {
		err = fmt.Errorf("neither commit is an ancestor of the other (was the history rewritten?)")
	}
	return fmt.Sprintf("deployed commit %s is not in the history of %s", short(deployed), short(commit)),
		fmt.Errorf("left alone: it was deployed from commit %s, which is not in the history of %s: %w; "+
			"smpipe never moves a pipeline to a commit it cannot place after the deployed one; if %s is meant to "+
			"be live, remove the %s tag from the pipeline and deploy again", deployed, commit, err, commit, TagCommit)
}

// short is the first 12 characters of a commit SHA, as people read them.
func short(sha string) string {
	return alnum(sha, 12)
}
