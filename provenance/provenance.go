// Package provenance decides whether a pipeline's definition at a commit of
// the default branch may be deployed: whether it is one that a merged pull
// request into that branch showed at its head, changed, and (by default)
// that a person with write access approved. Every path of the action that
// deploys — a push, a workflow_dispatch, a scheduled reconcile — asks this
// one question, of the commit that last changed the pipeline's definition.
//
// It answers from git and from GitHub's own records only, never from
// comment text, which collaborators can edit and every workflow can post
// as github-actions[bot]:
//
//   - which commit made the definition what it is: the default branch's
//     first-parent history, walked back from the deployed commit until the
//     pipeline compiles differently (or not at all) at a commit's parent;
//   - which pull request produced that commit: GitHub's list of pull
//     requests for the commit, merged into the default branch, whose merge
//     commit is that commit or follows it on the walked history (a
//     rebase merge of several commits);
//   - what it showed: its head SHA from that record, compiled from git
//     objects in the deploy job's own environment, so placeholders resolve
//     the same way on both sides; the head must compile to the deployed
//     definition, and to another one than where the pull request branched
//     off (the pull request changed it);
//   - who approved it: APPROVED reviews (not dismissed, not superseded by
//     the same reviewer's later request for changes) by an account GitHub
//     says has write access or more, never a bot and never the pull
//     request's author, on a commit where the pipeline compiles to that
//     definition too.
//
// A refused pipeline carries the reason in sentences that say what to do
// and, when the pull request's head compiled to something else, the
// semantic diff from that head to the deployed definition.
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

// History is what the gate asks git; plan.Revisions implements it.
type History interface {
	// Compile builds the named pipelines as commit sha defines them, by
	// name; a name the commit does not define is absent.
	Compile(ctx context.Context, sha string, names []string) (map[string]*compiler.Plan, error)
	// Touched names the pipelines whose definition may differ between two
	// commits.
	Touched(ctx context.Context, base, head string) ([]string, error)
	// FirstParent is a commit's first parent; ok is false for a root.
	FirstParent(ctx context.Context, sha string) (parent string, ok bool, err error)
	MergeBase(ctx context.Context, a, b string) (string, error)
}

// Records is what the gate asks GitHub.
type Records interface {
	// PullRequests lists the merged pull requests GitHub associates with
	// commit sha.
	PullRequests(ctx context.Context, sha string) ([]ghreport.PullRequest, error)
	// Reviews lists a pull request's reviews, oldest first.
	Reviews(ctx context.Context, pr int) ([]ghreport.Review, error)
	// Permission is an account's access to the repository: "admin",
	// "write", "read" or "none".
	Permission(ctx context.Context, login string) (string, error)
	// Contributors lists the accounts GitHub links to the authors and
	// committers of a pull request's commits, lower case; complete is false
	// when GitHub does not list all its commits.
	Contributors(ctx context.Context, pr int) (logins []string, complete bool, err error)
}

// DefaultMaxCommits is how many first-parent commits Decide walks back
// from the deployed commit looking for the one that last changed a
// pipeline's definition.
const DefaultMaxCommits = 2000

// Gate is the question, bound to one repository and branch.
type Gate struct {
	History History
	Records Records
	// Branch is the default branch: only pull requests merged into it count.
	Branch string
	// RequireApproval also asks for a writer's approval (the default).
	RequireApproval bool
	// MaxCommits bounds the walk; DefaultMaxCommits when zero.
	MaxCommits int
}

// Verdict says whether one pipeline may be deployed.
type Verdict struct {
	Pipeline string
	Reviewed bool
	// Reason says why the pipeline is refused and what to do, in sentences
	// that read after "pipeline X not deployed: "; empty when Reviewed.
	Reason string
	// Diff is the change from the pull request's head to the deployed
	// definition, when both compiled and differ.
	Diff *diff.Pipeline
	// Origin is the commit that made the definition what it is at the
	// deployed commit; empty when it was not found.
	Origin string
	// PR is the pull request behind Origin, when there is one.
	PR *ghreport.PullRequest
	// ApprovedBy and ApprovedAt name the approval that counted.
	ApprovedBy, ApprovedAt string
}

// Decide gives a verdict for every pipeline of deployed, the pipelines as
// commit compiles them, sorted by name. Pipelines that did not compile are
// not asked about. Its error means it could not decide (git or GitHub
// failed), not that a pipeline was refused.
func (g *Gate) Decide(ctx context.Context, commit string, deployed map[string]*compiler.Plan) ([]Verdict, error) {
	pending := map[string]string{}
	for name, p := range deployed {
		if p != nil && !p.Failed {
			pending[name] = p.Hash
		}
	}
	origins, chain, unfound, err := g.origins(ctx, commit, pending)
	if err != nil {
		return nil, err
	}
	verdicts := map[string]Verdict{}
	for _, name := range unfound {
		verdicts[name] = Verdict{Pipeline: name, Reason: fmt.Sprintf("no commit among the last %d on %s's first-parent history "+
			"before %s changed its definition, so the pull request that made it what it is cannot be found; deploy it from a "+
			"pull request that changes it, or run the deploy with allow-unreviewed: true in a job that needs a person's approval "+
			"(a GitHub environment with required reviewers)", g.maxCommits(), g.Branch, gitrev.ShortSHA(commit))}
	}
	byOrigin := map[string][]string{}
	for name, o := range origins {
		byOrigin[o] = append(byOrigin[o], name)
	}
	for _, o := range slices.Sorted(maps.Keys(byOrigin)) {
		names := slices.Sorted(slices.Values(byOrigin[o]))
		vs, err := g.decideOrigin(ctx, o, chain, names, deployed)
		if err != nil {
			return nil, err
		}
		for _, v := range vs {
			v.Origin = o
			verdicts[v.Pipeline] = v
		}
	}
	out := make([]Verdict, 0, len(verdicts))
	for _, name := range slices.Sorted(maps.Keys(verdicts)) {
		out = append(out, verdicts[name])
	}
	return out, nil
}

func (g *Gate) maxCommits() int {
	if g.MaxCommits > 0 {
		return g.MaxCommits
	}
	return DefaultMaxCommits
}

// origins walks the first-parent history back from commit and finds, for
// each pending pipeline, the commit that gave it its current definition
// (pending maps names to their hash at commit). chain lists the commits
// walked, newest first, commit included; unfound are the pipelines whose
// origin lies beyond the walk's bound.
func (g *Gate) origins(ctx context.Context, commit string, pending map[string]string) (origins map[string]string, chain []string, unfound []string, err error) {
	pending = maps.Clone(pending)
	origins = map[string]string{}
	cur := commit
	chain = []string{cur}
	for len(pending) > 0 {
		if len(chain) > g.maxCommits() {
			return origins, chain, slices.Sorted(maps.Keys(pending)), nil
		}
		parent, ok, err := g.History.FirstParent(ctx, cur)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("walking %s's history back from %s: %w", g.Branch, gitrev.ShortSHA(commit), err)
		}
		if !ok { // a root commit made everything it holds
			for name := range pending {
				origins[name] = cur
			}
			break
		}
		touched, err := g.History.Touched(ctx, parent, cur)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("finding what commit %s changed: %w", gitrev.ShortSHA(cur), err)
		}
		var asked []string
		for _, name := range touched {
			if _, ok := pending[name]; ok {
				asked = append(asked, name)
			}
		}
		if len(asked) > 0 {
			before, err := g.History.Compile(ctx, parent, asked)
			if err != nil {
				return nil, nil, nil, fmt.Errorf("compiling commit %s: %w", gitrev.ShortSHA(parent), err)
			}
			for _, name := range asked {
				if p := before[name]; p == nil || p.Failed || p.Hash != pending[name] {
					origins[name] = cur
					delete(pending, name)
				}
			}
		}
		cur = parent
		chain = append(chain, cur)
	}
	return origins, chain, nil, nil
}

// decideOrigin asks of one origin commit which of the pipelines it gave
// their definition (names, sorted) a reviewed pull request brought.
func (g *Gate) decideOrigin(ctx context.Context, origin string, chain, names []string, deployed map[string]*compiler.Plan) ([]Verdict, error) {
	refuse := func(reason string) []Verdict {
		out := make([]Verdict, len(names))
		for i, n := range names {
			out[i] = Verdict{Pipeline: n, Reason: reason}
		}
		return out
	}
	prs, err := g.Records.PullRequests(ctx, origin)
	if err != nil {
		return nil, err
	}
	pr, why := g.pullRequest(origin, chain, prs)
	if pr == nil {
		return refuse(why), nil
	}

	heads, err := g.History.Compile(ctx, pr.HeadSHA, names)
	if err != nil {
		return nil, fmt.Errorf("compiling the head %s of pull request #%d: %w", gitrev.ShortSHA(pr.HeadSHA), pr.Number, err)
	}
	// Where the pull request branched off the default branch: what its
	// diff on GitHub was shown against.
	var forkPoint string
	var bases map[string]*compiler.Plan
	if parent, ok, err := g.History.FirstParent(ctx, origin); err != nil {
		return nil, fmt.Errorf("reading the parent of %s: %w", gitrev.ShortSHA(origin), err)
	} else if ok {
		if forkPoint, err = g.History.MergeBase(ctx, pr.HeadSHA, parent); err != nil {
			return nil, fmt.Errorf("finding where pull request #%d branched off %s: %w", pr.Number, g.Branch, err)
		}
		if bases, err = g.History.Compile(ctx, forkPoint, names); err != nil {
			return nil, fmt.Errorf("compiling commit %s, where pull request #%d branched off: %w", gitrev.ShortSHA(forkPoint), pr.Number, err)
		}
	}

	out := make([]Verdict, 0, len(names))
	var pendingApproval []string
	for _, name := range names {
		merged, head := deployed[name], heads[name]
		v := Verdict{Pipeline: name, PR: pr}
		switch {
		case head == nil:
			v.Reason = fmt.Sprintf("commit %s gave it its definition, and pull request #%d, merged there, does not define it "+
				"at its head %s: the change came from elsewhere, so no review covered it; change it through a pull request "+
				"of its own", gitrev.ShortSHA(origin), pr.Number, gitrev.ShortSHA(pr.HeadSHA))
		case head.Failed:
			v.Reason = fmt.Sprintf("it does not compile at pull request #%d's head %s in the deploy job's environment, so "+
				"what was reviewed cannot be compared with what was merged", pr.Number, gitrev.ShortSHA(pr.HeadSHA))
		case head.Hash != merged.Hash:
			d := plan.Compare(name, head, merged)
			v.Diff = &d
			v.Reason = fmt.Sprintf("it compiles differently here (%s) than at pull request #%d's head %s (%s), which is "+
				"what was reviewed: the merge brought changes the pull request did not show (the base branch moved after "+
				"its last update, or the merge itself changed files). Review the difference and bring the pipeline to the "+
				"state you want with a pull request; requiring branches to be up to date before merging prevents this",
				shortHash(merged.Hash), pr.Number, gitrev.ShortSHA(pr.HeadSHA), shortHash(head.Hash))
		case bases[name] != nil && !bases[name].Failed && bases[name].Hash == head.Hash:
			v.Reason = fmt.Sprintf("pull request #%d did not change it (it compiles alike at %s, where the pull request "+
				"branched off, and at its head), yet its merge %s did: the change is in the merge itself, which nobody "+
				"reviewed; bring the pipeline to the state you want with a pull request", pr.Number,
				gitrev.ShortSHA(forkPoint), gitrev.ShortSHA(origin))
		default:
			v.Reviewed = true
		}
		if v.Reviewed && g.RequireApproval {
			pendingApproval = append(pendingApproval, name)
		}
		out = append(out, v)
	}
	if len(pendingApproval) == 0 {
		return out, nil
	}
	approvals, ignored, err := g.approvals(ctx, pr)
	if err != nil {
		return nil, err
	}
	// Approvals of the head first: it is compiled already, and most
	// merges need no other commit. Others are compiled when needed; one
	// that cannot be read here (a commit force-pushed away) covers nothing
	// and holds up nothing else.
	ordered := make([]approval, 0, len(approvals))
	for _, atHead := range []bool{true, false} {
		for _, a := range approvals {
			if strings.EqualFold(a.commit, pr.HeadSHA) == atHead {
				ordered = append(ordered, a)
			}
		}
	}
	byCommit := map[string]map[string]*compiler.Plan{strings.ToLower(pr.HeadSHA): heads}
	plansAt := func(a approval) (map[string]*compiler.Plan, error) {
		key := strings.ToLower(a.commit)
		if plans, done := byCommit[key]; done {
			return plans, nil
		}
		plans, err := g.History.Compile(ctx, a.commit, pendingApproval)
		if err != nil {
			if ctx.Err() != nil {
				return nil, fmt.Errorf("compiling commit %s, approved by %s on pull request #%d: %w", gitrev.ShortSHA(a.commit), a.user, pr.Number, err)
			}
			ignored = append(ignored, fmt.Sprintf("%s (approved commit %s, which cannot be read here: %v)", a.user, gitrev.ShortSHA(a.commit), err))
		}
		byCommit[key] = plans
		return plans, nil
	}
	var unapproved []*Verdict
	for i := range out {
		v := &out[i]
		if !v.Reviewed || !slices.Contains(pendingApproval, v.Pipeline) {
			continue
		}
		v.Reviewed = false
		for _, a := range ordered {
			plans, err := plansAt(a)
			if err != nil {
				return nil, err
			}
			if p := plans[v.Pipeline]; p != nil && !p.Failed && p.Hash == deployed[v.Pipeline].Hash {
				v.Reviewed, v.ApprovedBy, v.ApprovedAt = true, a.user, a.commit
				break
			}
		}
		if !v.Reviewed {
			unapproved = append(unapproved, v)
		}
	}
	// After every pipeline: the approvals that could not be read are known.
	for _, v := range unapproved {
		v.Reason = approvalReason(pr.Number, approvals, ignored)
	}
	return out, nil
}

// pullRequest picks, among the merged pull requests GitHub associates with
// origin, the one that brought it to the branch: merged into the branch,
// with origin as its merge commit or (a rebase merge of several commits)
// with its merge commit later on the walked history. Without one, why says
// what to do.
func (g *Gate) pullRequest(origin string, chain []string, prs []ghreport.PullRequest) (pr *ghreport.PullRequest, why string) {
	walked := chain[:slices.Index(chain, origin)+1]
	var elsewhere []string
	for i := range prs {
		p := &prs[i]
		switch {
		case !strings.EqualFold(p.BaseRef, g.Branch):
			elsewhere = append(elsewhere, fmt.Sprintf("#%d into %s", p.Number, p.BaseRef))
		case strings.EqualFold(p.MergeCommitSHA, origin):
			return p, ""
		case slices.ContainsFunc(walked, func(c string) bool { return strings.EqualFold(c, p.MergeCommitSHA) }):
			pr = p
		}
	}
	if pr != nil {
		return pr, ""
	}
	if len(elsewhere) > 0 {
		return nil, fmt.Sprintf("commit %s, which gave it its definition, reached %s without a pull request into %s: the pull "+
			"requests that merged it went into other branches (%s), where nobody had to review it for %s; change the "+
			"pipeline through a pull request into %s", gitrev.ShortSHA(origin), g.Branch, g.Branch, strings.Join(elsewhere, ", "),
			g.Branch, g.Branch)
	}
	return nil, fmt.Sprintf("commit %s, which gave it its definition, is not the merge of a pull request into %s (a direct "+
		"push?), so nobody reviewed it; change the pipeline through a pull request, or deploy it with allow-unreviewed: true "+
		"in a job that needs a person's approval (a GitHub environment with required reviewers)", gitrev.ShortSHA(origin), g.Branch)
}

// approval is a reviewer's standing approval and the commit it was given on.
type approval struct{ user, commit string }

// approvals lists the standing approvals of pr that count: by accounts
// with write access or more, never a bot, the pull request's author or an
// account that authored or committed one of its commits (a writer who
// pushes onto a colleague's pull request does not then review their own
// change). ignored names the approvals that did not count, and why.
func (g *Gate) approvals(ctx context.Context, pr *ghreport.PullRequest) (counted []approval, ignored []string, err error) {
	reviews, err := g.Records.Reviews(ctx, pr.Number)
	if err != nil {
		return nil, nil, err
	}
	// The pull request's contributors are asked for at the first approval
	// that could count.
	var contributors []string
	fetched := false
	bots := map[string]bool{}
	for _, r := range reviews {
		if r.UserType == "Bot" || strings.HasSuffix(r.User, "[bot]") {
			bots[r.User] = true
		}
	}
	for _, a := range standing(reviews) {
		switch {
		case bots[a.user]:
			ignored = append(ignored, a.user+" (a bot)")
			continue
		case strings.EqualFold(a.user, pr.Author):
			ignored = append(ignored, a.user+" (the pull request's author)")
			continue
		}
		if !fetched {
			var complete bool
			if contributors, complete, err = g.Records.Contributors(ctx, pr.Number); err != nil {
				return nil, nil, err
			}
			if !complete {
				// Whether an approver also committed cannot be told: no
				// approval counts, and the reason says why.
				ignored = append(ignored, fmt.Sprintf("every approval (pull request #%d has %d commits or more, and GitHub lists only "+
					"the first %d, so whether an approver also committed to it cannot be told; split the change into smaller pull requests)",
					pr.Number, ghreport.MaxPRCommits, ghreport.MaxPRCommits))
				return nil, ignored, nil
			}
			fetched = true
		}
		if slices.Contains(contributors, strings.ToLower(a.user)) {
			ignored = append(ignored, a.user+" (authored or committed commits of the pull request)")
			continue
		}
		perm, err := g.Records.Permission(ctx, a.user)
		if err != nil {
			return nil, nil, err
		}
		if perm != "admin" && perm != "write" {
			ignored = append(ignored, fmt.Sprintf("%s (%s access, not write)", a.user, perm))
			continue
		}
		counted = append(counted, a)
	}
	return counted, ignored, nil
}

// standing lists the reviewers whose latest deciding review approves, with
// the commit of that approval, in review order. A later CHANGES_REQUESTED
// or a dismissal takes an approval back; comments do not.
func standing(reviews []ghreport.Review) []approval {
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

func approvalReason(pr int, approvals []approval, ignored []string) string {
	not := ""
	if len(ignored) > 0 {
		not = " Approvals that do not count: " + strings.Join(ignored, ", ") + "."
	}
	if len(approvals) == 0 {
		return fmt.Sprintf("require-approval is on and pull request #%d has no standing approval by someone with write "+
			"access who is neither its author nor an author or committer of its commits.%s Have the change approved and merged through a pull request; for a repository "+
			"with a single maintainer, set require-approval: false", pr, not)
	}
	var at []string
	for _, a := range approvals {
		at = append(at, fmt.Sprintf("%s at %s", a.user, gitrev.ShortSHA(a.commit)))
	}
	return fmt.Sprintf("require-approval is on and no approval of pull request #%d covers it as merged (approved: %s): "+
		"the pipeline changed after those approvals.%s Have the change approved and merged through a pull request",
		pr, strings.Join(at, ", "), not)
}

func shortHash(h string) string {
	return "sha256:" + gitrev.ShortSHA(strings.TrimPrefix(h, "sha256:"))
}
