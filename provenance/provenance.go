// Package provenance decides, at merge, whether each touched pipeline is
// what its pull request's reviewers saw. It answers from git and from
// GitHub's own records only — never from comment text, which collaborators
// can edit and every workflow can post as github-actions[bot]:
//
//   - which pull request produced the pushed commit: GitHub's list of pull
//     requests for the commit, merged, with merge_commit_sha equal to it
//     (merge, squash and rebase merges alike);
//   - what it contained: its head SHA from that record, compiled from git
//     objects in the deploy job's own environment, so placeholders resolve
//     the same way on both sides;
//   - whether that was reviewed: the head and the merge compile the
//     pipeline to the same definition hash; with approval required, an
//     APPROVED review (not dismissed, not superseded by the same reviewer's
//     later request for changes) on a commit where the pipeline compiles to
//     that hash too.
//
// A refused pipeline carries the reason and, when both sides compiled, the
// semantic diff from the reviewed head to the merge.
package provenance

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/smpipe/smpipe-action/compiler"
	"github.com/smpipe/smpipe-action/compiler/diff"
	"github.com/smpipe/smpipe-action/ghreport"
	"github.com/smpipe/smpipe-action/gitrev"
	"github.com/smpipe/smpipe-action/plan"
)

// CompileFunc compiles the named pipelines at a commit, by name; a name the
// commit does not define is absent (plan.Revisions.Compile).
type CompileFunc func(ctx context.Context, sha string, names []string) (map[string]*compiler.Plan, error)

// Input is what the deploy knows when it asks.
type Input struct {
	Merge string // the pushed commit
	// PR is the merged pull request whose merge commit is Merge; nil when
	// there is none (a direct push).
	PR *ghreport.PullRequest
	// Merged are the touched pipelines compiled at Merge, by name.
	Merged map[string]*compiler.Plan
	// RequireApproval also asks for an approving review of the pipeline as
	// merged; Reviews are then the pull request's reviews, oldest first.
	RequireApproval bool
	Reviews         []ghreport.Review
}

// Verdict says whether one pipeline may be deployed.
type Verdict struct {
	Pipeline string
	Reviewed bool
	// Reason says why the pipeline is refused and what to do, in sentences
	// that read after "pipeline X not deployed: "; empty when Reviewed.
	Reason string
	// Diff is the change from the reviewed head to the merge, when both
	// compiled and differ.
	Diff *diff.Pipeline
	// ApprovedBy and ApprovedAt name the approval that counted, with
	// RequireApproval.
	ApprovedBy, ApprovedAt string
}

// Decide gives a verdict for every pipeline of in.Merged, sorted by name.
// Its error means it could not decide (git or a fetch failed), not that a
// pipeline was refused.
func Decide(ctx context.Context, in Input, compile CompileFunc) ([]Verdict, error) {
	names := slices.Sorted(maps.Keys(in.Merged))
	if in.PR == nil {
		var out []Verdict
		for _, name := range names {
			out = append(out, Verdict{Pipeline: name, Reason: fmt.Sprintf("commit %s is not the merge of a pull request "+
				"(a direct push?), so nobody reviewed it; change the pipeline through a pull request, or deploy this commit "+
				"with a workflow_dispatch run that sets allow-unreviewed", gitrev.ShortSHA(in.Merge))})
		}
		return out, nil
	}
	pr := in.PR
	heads, err := compile(ctx, pr.HeadSHA, names)
	if err != nil {
		return nil, fmt.Errorf("compiling the head %s of pull request #%d: %w", gitrev.ShortSHA(pr.HeadSHA), pr.Number, err)
	}
	var approvals []approval
	byCommit := map[string]map[string]*compiler.Plan{pr.HeadSHA: heads}
	if in.RequireApproval {
		approvals = approved(in.Reviews)
		for _, a := range approvals {
			if _, done := byCommit[a.commit]; done {
				continue
			}
			plans, err := compile(ctx, a.commit, names)
			if err != nil {
				return nil, fmt.Errorf("compiling commit %s, approved by %s on pull request #%d: %w", gitrev.ShortSHA(a.commit), a.user, pr.Number, err)
			}
			byCommit[a.commit] = plans
		}
	}

	out := make([]Verdict, 0, len(names))
	for _, name := range names {
		merged, head := in.Merged[name], heads[name]
		v := Verdict{Pipeline: name}
		switch {
		case head == nil:
			v.Reason = fmt.Sprintf("pull request #%d does not define it at its head %s: the pipeline reached this "+
				"commit from elsewhere (the base branch), so this merge's review did not cover it; change it through a pull "+
				"request of its own, or deploy it by hand (workflow_dispatch)", pr.Number, gitrev.ShortSHA(pr.HeadSHA))
		case head.Failed:
			v.Reason = fmt.Sprintf("it does not compile at pull request #%d's head %s in the deploy job's "+
				"environment, so what was reviewed cannot be compared with what was merged", pr.Number, gitrev.ShortSHA(pr.HeadSHA))
		case head.Hash != merged.Hash:
			d := plan.Compare(name, head, merged)
			v.Diff = &d
			v.Reason = fmt.Sprintf("it compiles differently at the merge (%s) than at pull request #%d's head %s "+
				"(%s), which is what was reviewed: the merge brought changes the pull request did not show (the base "+
				"branch moved after its last update, or the merge itself changed files). Review the difference; to deploy "+
				"it, run the deploy workflow by hand (workflow_dispatch) for this pipeline. Requiring branches to be up to "+
				"date before merging prevents this", shortHash(merged.Hash), pr.Number, gitrev.ShortSHA(pr.HeadSHA), shortHash(head.Hash))
		default:
			v.Reviewed = true
		}
		if v.Reviewed && in.RequireApproval {
			v.Reviewed = false
			v.Reason = approvalReason(pr.Number, approvals)
			for _, a := range approvals {
				if p := byCommit[a.commit][name]; p != nil && !p.Failed && p.Hash == head.Hash {
					v.Reviewed, v.Reason, v.ApprovedBy, v.ApprovedAt = true, "", a.user, a.commit
					break
				}
			}
		}
		out = append(out, v)
	}
	return out, nil
}

// approval is a reviewer's standing approval and the commit it was given on.
type approval struct{ user, commit string }

// approved lists the reviewers whose latest deciding review approves, with
// the commit of that approval, in review order. A later CHANGES_REQUESTED
// or a dismissal takes an approval back; comments do not.
func approved(reviews []ghreport.Review) []approval {
	latest := map[string]ghreport.Review{}
	var order []string
	for _, r := range reviews {
		switch r.State {
		case "APPROVED", "CHANGES_REQUESTED", "DISMISSED":
		default:
			continue
		}
		if _, seen := latest[r.User]; !seen {
			order = append(order, r.User)
		}
		latest[r.User] = r
	}
	var out []approval
	for _, u := range order {
		if r := latest[u]; r.State == "APPROVED" && r.CommitID != "" {
			out = append(out, approval{user: u, commit: r.CommitID})
		}
	}
	return out
}

func approvalReason(pr int, approvals []approval) string {
	if len(approvals) == 0 {
		return fmt.Sprintf("require-approval is set and pull request #%d has no standing approving review; "+
			"have the change approved, then deploy it by hand (workflow_dispatch)", pr)
	}
	var at []string
	for _, a := range approvals {
		at = append(at, fmt.Sprintf("%s at %s", a.user, gitrev.ShortSHA(a.commit)))
	}
	return fmt.Sprintf("require-approval is set and no approval of pull request #%d covers it as merged "+
		"(approved: %s): the pipeline changed after those approvals; have the change approved, then deploy it by "+
		"hand (workflow_dispatch)", pr, strings.Join(at, ", "))
}

func shortHash(h string) string {
	return "sha256:" + gitrev.ShortSHA(strings.TrimPrefix(h, "sha256:"))
}
