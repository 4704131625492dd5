package action_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/smpipe/smpipe-action/internal/actiontest"
	"github.com/smpipe/smpipe-action/internal/fakeaws"
	"github.com/smpipe/smpipe-action/internal/fakegithub"
)

// The breaks of "Trust, round 2", one test each, numbered as the issue
// numbers them. Each was reproduced with these fakes on the code before.

// wantRefused runs env, which must refuse pipeline with reason and leave
// SageMaker as it was.
func wantRefused(t *testing.T, w *actiontest.World, env actiontest.Env, reason string) actiontest.Result {
	t.Helper()
	before := w.Calls()
	livedef := ""
	if p, ok := w.SM.Pipeline(pipeline); ok {
		livedef = p.Definition
	}
	r := w.Run(env)
	r.WantCode(t, exitFailed)
	wantNoCalls(t, w, before)
	if p, ok := w.SM.Pipeline(pipeline); ok && p.Definition != livedef {
		t.Errorf("the refused definition went live")
	}
	if lines := r.ErrorLines(reason); len(lines) != 1 {
		t.Errorf("want one ::error with %q:\n%s", reason, r.Stdout)
	}
	out := r.Pipelines(t)
	if len(out) != 1 || out[0].Status != "refused" {
		t.Errorf("pipelines output = %+v, want %s refused", out, pipeline)
	}
	return r
}

// 1. Reconcile undoes every refusal: a schedule run and a dispatch without
// names deployed the branch as it was. Each refusal of a push stays a
// refusal on every path; a reviewed definition still catches up.
func TestTrust1_reconcileAsksTheSameQuestion(t *testing.T) {
	refusals := []struct {
		name   string
		push   func(w *actiontest.World, base string) (before, after string)
		reason string
	}{
		{"a direct push", func(w *actiontest.World, base string) (string, string) {
			w.Git.Detach(base)
			w.Git.Edit(conf, "instance_type: ml.m5.xlarge", "instance_type: ml.p4d.24xlarge")
			return base, w.Git.Commit("A p4d, pushed straight to main")
		}, "is not the merge of a pull request into main"},
		{"a merge whose base moved", func(w *actiontest.World, base string) (string, string) {
			h1 := openPR(t, w, 1, "epochs", base, func() { w.Git.Edit(conf, "epochs: 60", "epochs: 80") })
			h2 := openPR(t, w, 2, "bigger", base, func() { w.Git.Edit(conf, "instance_type: ml.m5.xlarge", "instance_type: ml.m5.2xlarge") })
			m1 := merge(t, w, 1, base, h1)
			w.Run(w.PushEvent(base, m1)).WantCode(t, exitOK)
			w.Git.Detach(m1)
			w.Git.Edit(conf, "instance_type: ml.m5.xlarge", "instance_type: ml.m5.2xlarge")
			m2 := w.Git.Commit("Merge pull request #2", m1, h2)
			w.GH.LinkCommit(w.Repo, m2, fakegithub.PullRequest{Number: 2, State: "closed", Merged: true, MergeCommitSHA: m2, BaseRef: "main", HeadSHA: h2})
			w.Approve(2, h2)
			return m1, m2
		}, "compiles differently here"},
		{"a merge nobody approved", func(w *actiontest.World, base string) (string, string) {
			h := openPR(t, w, 3, "lr", base, func() { w.Git.Edit(conf, "learning_rate: 0.001", "learning_rate: 0.003") })
			return base, w.Merge(3, base, h, false)
		}, "has no standing approval"},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			w, base := newWorld(t)
			w.Run(w.ScheduleEvent(base)).WantCode(t, exitOK) // the reviewed start is live
			before, after := tt.push(w, base)
			wantRefused(t, w, w.PushEvent(before, after), tt.reason)
			wantRefused(t, w, w.ScheduleEvent(after), tt.reason)
			wantRefused(t, w, w.DispatchEvent("refs/heads/main", after, nil), tt.reason)
			wantRefused(t, w, w.DispatchEvent("refs/heads/main", after, map[string]string{"pipelines": pipeline}), tt.reason)
		})
	}

	// A reviewed definition whose deploy failed is caught up by the next
	// schedule, and a docs-only push on top changes nothing about that.
	w, base := newWorld(t)
	h := openPR(t, w, 4, "epochs", base, func() { w.Git.Edit(conf, "epochs: 60", "epochs: 90") })
	m := merge(t, w, 4, base, h)
	w.Git.Detach(m)
	w.Git.Write("README.md", "Docs, pushed straight to main.\n")
	docs := w.Git.Commit("Docs")
	r := w.Run(w.ScheduleEvent(docs))
	r.WantCode(t, exitOK)
	if p, ok := w.SM.Pipeline(pipeline); !ok || !strings.Contains(p.Definition, `"epochs":"90"`) {
		t.Errorf("the schedule did not deploy the reviewed definition:\n%s", r.Stdout)
	}
	wantContains(t, "the log", r.Stdout, `smpipe: pipeline "house-price-tf": reviewed in pull request #4 (merged as `+m[:12]+", approved by "+actiontest.Reviewer)
}

// 2. Any account's approval counted: github-actions[bot]'s, a reader's, the
// author's own.
func TestTrust2_onlyWritersApprove(t *testing.T) {
	for _, tt := range []struct {
		name   string
		review fakegithub.Review
		perm   string
		reason string
	}{
		{"a bot", fakegithub.Review{User: "github-actions[bot]", UserType: "Bot", State: "APPROVED"}, "", "github-actions[bot] (a bot)"},
		{"a reader", fakegithub.Review{User: "passer-by", State: "APPROVED"}, "read", "passer-by (read access, not write)"},
		{"the author", fakegithub.Review{User: actiontest.Author, State: "APPROVED"}, "admin", actiontest.Author + " (the pull request's author)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w, base := newWorld(t)
			h := openPR(t, w, 5, "lr", base, func() { w.Git.Edit(conf, "learning_rate: 0.001", "learning_rate: 0.003") })
			if tt.perm != "" {
				w.GH.SetPermission(w.Repo, tt.review.User, tt.perm)
			}
			tt.review.CommitID = h
			w.GH.AddReview(w.Repo, 5, tt.review)
			m := w.Merge(5, base, h, false)
			wantRefused(t, w, w.PushEvent(base, m), tt.reason)

			// require-approval: false is the documented way for a repository
			// with one maintainer.
			env := w.PushEvent(base, m)
			env["INPUT_REQUIRE-APPROVAL"] = "false"
			w.Run(env).WantCode(t, exitOK)
		})
	}
}

// A writer who pushes a commit onto someone else's pull request and then
// approves it reviews their own change: their approval does not count
// (the commits' authors and committers, as GitHub links them).
func TestTrust2_contributorsDoNotApprove(t *testing.T) {
	w, base := newWorld(t)
	h1 := openPR(t, w, 5, "bump", base, func() { w.Git.Write("README.md", "bump\n") })
	w.Git.Branch("bump", false)
	w.Git.Edit(conf, "instance_type: ml.m5.xlarge", "instance_type: ml.p4d.24xlarge")
	h2 := w.Git.Commit("a bigger instance", h1)
	w.GH.SetPermission(w.Repo, "mallory", "write")
	w.GH.AddReview(w.Repo, 5, fakegithub.Review{User: "mallory", State: "APPROVED", CommitID: h2})
	m := w.Merge(5, base, h2, false)
	w.GH.LinkCommit(w.Repo, m, fakegithub.PullRequest{Number: 5, State: "closed", Merged: true, MergeCommitSHA: m, BaseRef: "main", HeadSHA: h2,
		Commits: []fakegithub.PullCommit{{SHA: h1, Author: fakegithub.DefaultAuthor, Committer: fakegithub.DefaultAuthor}, {SHA: h2, Author: "", Committer: "Mallory"}}})
	wantRefused(t, w, w.PushEvent(base, m), "mallory (authored or committed commits of the pull request)")
	if _, ok := w.SM.Pipeline(pipeline); ok {
		t.Error("the self-approved change was deployed")
	}
}

// GitHub lists only a pull request's first 250 commits: beyond that,
// whether an approver also committed cannot be told, and no approval
// counts.
func TestTrust2_tooManyCommitsToTellContributors(t *testing.T) {
	w, base := newWorld(t)
	h := openPR(t, w, 5, "lr", base, func() { w.Git.Edit(conf, "learning_rate: 0.001", "learning_rate: 0.003") })
	m := w.Merge(5, base, h, true)
	commits := make([]fakegithub.PullCommit, 0, 251)
	for i := range 250 {
		commits = append(commits, fakegithub.PullCommit{SHA: fmt.Sprintf("%040x", i), Author: fakegithub.DefaultAuthor, Committer: fakegithub.DefaultAuthor})
	}
	commits = append(commits, fakegithub.PullCommit{SHA: h, Author: actiontest.Reviewer, Committer: actiontest.Reviewer})
	w.GH.LinkCommit(w.Repo, m, fakegithub.PullRequest{Number: 5, State: "closed", Merged: true, MergeCommitSHA: m, BaseRef: "main", HeadSHA: h, Commits: commits})
	wantRefused(t, w, w.PushEvent(base, m), "has 250 commits or more")
}

// An approval on a commit that was force-pushed away (it cannot be fetched
// any more) covers nothing and holds up nothing: another writer's approval
// of the merged head still deploys.
func TestTrust2_unreadableApprovalDoesNotBlock(t *testing.T) {
	w, base := newWorld(t)
	h := openPR(t, w, 5, "lr", base, func() { w.Git.Edit(conf, "learning_rate: 0.001", "learning_rate: 0.003") })
	w.GH.SetPermission(w.Repo, "reviewer-bob", "write")
	w.GH.AddReview(w.Repo, 5, fakegithub.Review{User: "reviewer-bob", State: "APPROVED", CommitID: strings.Repeat("ab", 20)})
	m := w.Merge(5, base, h, true)
	r := w.Run(w.PushEvent(base, m))
	r.WantCode(t, exitOK)
	wantContains(t, "the log", r.Stdout, "approved by "+actiontest.Reviewer)
	if _, ok := w.SM.Pipeline(pipeline); !ok {
		t.Errorf("the approved change was not deployed:\n%s", r.Stdout)
	}
}

// 3. A pull request merged into another branch laundered a direct push:
// self-merge into scratch, push the merge commit to main.
func TestTrust3_pullRequestMustTargetTheBranch(t *testing.T) {
	w, base := newWorld(t)
	w.Git.Detach(base)
	w.Git.Branch("self-made", true)
	w.Git.Edit(conf, "instance_type: ml.m5.xlarge", "instance_type: ml.p4d.24xlarge")
	h := w.Git.Commit("A p4d")
	m := w.Git.CommitTree("refs/heads/scratch", "Merge pull request #50", h, base, h)
	w.GH.LinkCommit(w.Repo, m, fakegithub.PullRequest{Number: 50, State: "closed", Merged: true, MergeCommitSHA: m, BaseRef: "scratch", HeadSHA: h})
	w.Approve(50, h)
	wantRefused(t, w, w.PushEvent(base, m), "the pull requests that merged it went into other branches (#50 into scratch)")
}

// 4. mode: deploy deployed a push to any branch.
func TestTrust4_onlyTheDefaultBranchDeploys(t *testing.T) {
	w, base := newWorld(t)
	h := openPR(t, w, 6, "release", base, func() { w.Git.Edit(conf, "epochs: 60", "epochs: 61") })
	m := w.Git.CommitTree("refs/heads/release", "Merge pull request #6", h, base, h)
	w.GH.LinkCommit(w.Repo, m, fakegithub.PullRequest{Number: 6, State: "closed", Merged: true, MergeCommitSHA: m, BaseRef: "release", HeadSHA: h})
	w.Approve(6, h)

	before := w.Calls()
	env := w.PushEventTo("refs/heads/release", base, m)
	env["INPUT_MODE"] = "deploy"
	r := w.Run(env)
	r.WantCode(t, exitFailed)
	wantNoCalls(t, w, before)
	if lines := r.ErrorLines("a push to refs/heads/release refused: smpipe deploys only from the default branch (main)"); len(lines) != 1 {
		t.Errorf("want one ::error saying why:\n%s", r.Stdout)
	}
	if len(w.STS.Tokens()) != 0 {
		t.Error("credentials were requested for a refused branch")
	}

	// Listed, the branch deploys what its own reviewed pull requests bring,
	// in mode auto too.
	env["INPUT_DEPLOY-BRANCHES"] = "release"
	env["INPUT_MODE"] = "auto"
	w.Run(env).WantCode(t, exitOK)
	if p, ok := w.SM.Pipeline(pipeline); !ok || !strings.Contains(p.Definition, `"epochs":"61"`) {
		t.Error("deploy-branches: release did not deploy the release branch's reviewed merge")
	}
}

// 5. "Reviewed" meant "same at head and merge": a push whose range held an
// unreviewed direct change and then a docs-only merge deployed the direct
// change as reviewed.
func TestTrust5_reviewedMeansChangedByThePullRequest(t *testing.T) {
	w, base := newWorld(t)
	w.Git.Detach(base)
	w.Git.Edit(conf, "instance_type: ml.m5.xlarge", "instance_type: ml.p4d.24xlarge")
	direct := w.Git.Commit("A p4d, pushed straight to main")
	h := openPR(t, w, 7, "docs", direct, func() { w.Git.Write("README.md", "Documented.\n") })
	m := merge(t, w, 7, direct, h)
	// The branch re-created: GitHub sends before as all zeros.
	wantRefused(t, w, w.PushEvent(strings.Repeat("0", 40), m), "commit "+direct[:12]+", which gave it its definition, is not the merge")
}

// 7. Dispatch and schedule compiled the working tree: a link to .git put
// .git/config (with a persisted checkout credential) into S3, and an
// uncommitted file changed what was deployed, while push and plan read git
// objects. Every path compiles git objects now, where no .git exists.
func TestTrust7_everyPathCompilesGitObjects(t *testing.T) {
	w, base := newWorld(t)
	// What actions/checkout leaves with persist-credentials.
	cfg := filepath.Join(w.Git.Dir, ".git", "config")
	if err := os.WriteFile(cfg, append([]byte(readFile(t, cfg)), "[http \"https://github.com/\"]\n\textraheader = AUTHORIZATION: basic c2VjcmV0\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	h, r := pushPR(t, w, "opened", 8, "gitdir", base, nil, func() {
		if err := os.Symlink("../../.git", filepath.Join(w.Git.Dir, "housing", "src", "gitdir")); err != nil {
			t.Fatal(err)
		}
	})
	r.WantCode(t, exitFailed)
	m := merge(t, w, 8, base, h)
	for _, env := range []actiontest.Env{w.ScheduleEvent(m), w.DispatchEvent("refs/heads/main", m, nil), w.PushEvent(base, m)} {
		r := w.Run(env)
		r.WantCode(t, exitFailed)
		wantContains(t, env["GITHUB_EVENT_NAME"]+"'s log", r.Stdout, `bundling source_directory "housing/src"`)
	}
	for _, key := range w.S3.Keys(actiontest.Bucket) {
		if obj, _ := w.S3.Object(actiontest.Bucket, key); strings.Contains(string(obj), "extraheader") {
			t.Errorf("s3://%s/%s holds the checkout's git config", actiontest.Bucket, key)
		}
	}

	// An edit nobody committed is not what a schedule deploys.
	w, base = newWorld(t)
	w.Git.Detach(base)
	if err := os.WriteFile(filepath.Join(w.Git.Dir, conf), []byte(strings.Replace(readFile(t, filepath.Join(w.Git.Dir, conf)),
		"ml.m5.xlarge", "ml.p4d.24xlarge", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	env := w.ScheduleEvent(base)
	w.Git.Edit(conf, "ml.m5.xlarge", "ml.p4d.24xlarge") // ScheduleEvent checked out base again
	w.Run(env).WantCode(t, exitOK)
	if p, ok := w.SM.Pipeline(pipeline); !ok || strings.Contains(p.Definition, "ml.p4d.24xlarge") {
		t.Errorf("the schedule deployed the working tree, not the commit")
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// 8. smpipe took over pipelines it did not own: a pull request adding an
// anchor named like another team's hand-made pipeline replaced it on merge.
// The plan now says so, the deploy refuses it, and adopt takes it over on
// purpose.
func TestTrust8_pipelinesOfOthersAreLeftAlone(t *testing.T) {
	w := actiontest.New(t, "", inProcess)
	root := w.Git.EmptyRoot("refs/heads/main", "Start")
	w.Git.Detach(root)
	theirs := fakeaws.Pipeline{Name: "House-Price-TF", Definition: `{"Version":"2020-12-01","Steps":[]}`, RoleArn: "arn:aws:iam::123456789012:role/their-team"}
	w.SM.Seed(theirs)

	w.Git.CopyTree("../testdata/conf/ok/housing-tf")
	head := w.Git.Commit("House prices", root)
	env := w.PREvent(actiontest.PR{Action: "opened", Number: 9, BaseSHA: root, HeadSHA: head, HeadRef: "house"})
	env["INPUT_ROLE-TO-ASSUME"] = actiontest.RoleARN // the plan's read-only role
	w.Run(env).WantCode(t, exitOK)
	wantContains(t, "the plan comment", w.OnlyComment(t, 9).Body, "A pipeline of this name already exists in SageMaker",
		"it carries no smpipe tags", "`adopt` input")

	m := w.Merge(9, root, head, true)
	r := wantRefused(t, w, w.PushEvent(root, m), `already exists in SageMaker (as "House-Price-TF": SageMaker names differ only in case)`)
	wantContains(t, "the error", r.Stdout, "--adopt house-price-tf")
	if p, _ := w.SM.Pipeline(pipeline); p.Definition != theirs.Definition || p.RoleArn != theirs.RoleArn {
		t.Errorf("their pipeline changed: %+v", p)
	}

	env = w.PushEvent(root, m)
	env["INPUT_ADOPT"] = "house-price-tf"
	r = w.Run(env)
	r.WantCode(t, exitOK)
	if p, _ := w.SM.Pipeline(pipeline); p.Tags["smpipe:repository"] != w.Repo || p.RoleArn == theirs.RoleArn {
		t.Errorf("adopt did not take it over: %+v", p)
	}
	wantContains(t, "the summary", r.Summary, "Drift on", "adopted")
}

// 9. Drift could be hidden (a console edit that also rewrote the
// definition-hash tag) or missed (a role-only edit, reverted silently).
func TestTrust9_driftFromTheRecordedCommit(t *testing.T) {
	for _, tt := range []struct {
		name string
		edit func(w *actiontest.World)
		want []string
	}{
		{"definition and its tag", func(w *actiontest.World) {
			p, _ := w.SM.Pipeline(pipeline)
			edited := strings.Replace(p.Definition, `"InstanceType":"ml.m5.xlarge"`, `"InstanceType":"ml.p4d.24xlarge"`, 1)
			w.SM.EditDefinition(pipeline, edited)
			w.SM.SetTag(pipeline, "smpipe:definition-hash", actiontest.Hash(edited))
		}, []string{"Drift on", "ml.p4d.24xlarge"}},
		{"the role alone", func(w *actiontest.World) {
			w.SM.EditRole(pipeline, "arn:aws:iam::123456789012:role/console-admin")
		}, []string{"Drift on", "Role: live `arn:aws:iam::123456789012:role/console-admin`"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w, base := newWorld(t)
			w.Run(w.ScheduleEvent(base)).WantCode(t, exitOK)
			tt.edit(w)
			h := openPR(t, w, 10, "epochs", base, func() { w.Git.Edit(conf, "epochs: 60", "epochs: 65") })
			r := w.Run(w.PushEvent(base, merge(t, w, 10, base, h)))
			r.WantCode(t, exitOK)
			wantContains(t, "the summary", r.Summary, tt.want...)
			wantContains(t, "the log", r.Stdout, "drift: the live pipeline was changed outside smpipe")
		})
	}
}

// 10. An empty ${{ vars.X }} silently dropped network isolation:
// SMP_SUBNETS="" deployed without a VpcConfig.
func TestTrust10_emptyIsNotAValueByAccident(t *testing.T) {
	w := actiontest.New(t, "../testdata/conf/ok/housing-tf", inProcess)
	w.Git.Write("framework/conf/conf.yaml", `conf:
  s3Bucket: smpipe-examples
  sagemakerNetworkSecurity:
    role: arn:aws:iam::123456789012:role/smpipe-pipeline
    subnets: SMP_SUBNETS
    security_groups_id: SMP_SECURITYGROUPS
`)
	base := w.Start(100, "In a VPC")
	h := openPR(t, w, 11, "epochs", base, func() { w.Git.Edit(conf, "epochs: 60", "epochs: 65") })
	wantContains(t, "the plan comment", w.OnlyComment(t, 11).Body, "`SMP_SECURITYGROUPS`, `SMP_SUBNETS`", "An empty value fails the deploy")
	m := merge(t, w, 11, base, h)

	env := w.PushEvent(base, m)
	// Blank is empty too: "${{ vars.A }},${{ vars.B }}" with neither
	// variable reads as ",".
	for _, blank := range []string{"", ",", " , "} {
		env["SMP_SUBNETS"], env["SMP_SECURITYGROUPS"] = blank, blank
		before := w.Calls()
		r := w.Run(env)
		r.WantCode(t, exitFailed)
		wantNoCalls(t, w, before)
		if lines := r.ErrorLines("placeholders SMP_SECURITYGROUPS, SMP_SUBNETS are set to nothing in the deploy's environment"); len(lines) != 1 {
			t.Errorf("%q: want one ::error naming the blank placeholders:\n%s", blank, r.Stdout)
		}
	}

	env["SMP_SUBNETS"], env["SMP_SECURITYGROUPS"] = "", ""
	env["INPUT_ALLOW-EMPTY"] = "SMP_SUBNETS, SMP_SECURITYGROUPS"
	w.Run(env).WantCode(t, exitOK)
	if p, _ := w.SM.Pipeline(pipeline); strings.Contains(p.Definition, "VpcConfig") {
		t.Errorf("allowed empty values still gave a VpcConfig: %s", p.Definition)
	}
	env["INPUT_ALLOW-EMPTY"] = ""
	env["SMP_SUBNETS"], env["SMP_SECURITYGROUPS"] = "subnet-0abc", "sg-0abc"
	h2 := openPR(t, w, 12, "more", m, func() { w.Git.Edit(conf, "epochs: 65", "epochs: 66") })
	m2 := merge(t, w, 12, m, h2)
	env2 := w.PushEvent(m, m2)
	env2["SMP_SUBNETS"], env2["SMP_SECURITYGROUPS"] = "subnet-0abc", "sg-0abc"
	w.Run(env2).WantCode(t, exitOK)
	if p, _ := w.SM.Pipeline(pipeline); !strings.Contains(p.Definition, `"Subnets":["subnet-0abc"]`) {
		t.Errorf("set values did not reach the definition: %s", p.Definition)
	}
}

// 11. The plan comment could be frozen: a comment whose marker claimed a
// huge run number made every later run leave it alone, and an edited real
// comment stayed edited. Which run is current is GitHub's record of the
// pull request's head, and the current run overwrites whatever is there.
func TestTrust11_theCurrentRunCorrectsTheComment(t *testing.T) {
	w, base := newWorld(t)
	head := openPR(t, w, 13, "lr", base, func() { w.Git.Edit(conf, "learning_rate: 0.001", "learning_rate: 0.003") })
	c := w.OnlyComment(t, 13)
	real := c.Body

	// A collaborator edits it, and a workflow posts a forged marker that
	// claims a far later run.
	first, rest, _ := strings.Cut(real, "\n")
	forged := strings.Replace(first, `"run":`, `"run":99999999999,"was":`, 1) + "\nAll good, nothing to review.\n"
	w.GH.EditComment(w.Repo, 13, c.ID, forged)
	_ = rest

	env := w.PREvent(actiontest.PR{Action: "synchronize", Number: 13, BaseSHA: base, HeadSHA: head, HeadRef: "lr"})
	r := w.Run(env)
	r.WantCode(t, exitOK)
	if got := w.OnlyComment(t, 13).Body; got == forged || !strings.Contains(got, "learning_rate") {
		t.Errorf("the forged comment survived the next run:\n%s", got)
	}

	// A run for a head that is no longer the pull request's leaves the
	// comment to the run for the new head.
	w.Git.Branch("lr", false)
	w.Git.Edit(conf, "learning_rate: 0.003", "learning_rate: 0.004")
	newer := w.Git.Commit("Faster still")
	w.GH.SetPull(w.Repo, fakegithub.PullRequest{Number: 13, State: "open", HeadSHA: newer, BaseRef: "main"})
	r = w.Run(env)
	r.WantCode(t, exitOK)
	wantContains(t, "the log", r.Stdout, "pull request #13's head is now "+newer[:12])
}

// 12. pull_request_target planned the base against itself and passed.
func TestTrust12_pullRequestTargetIsRefused(t *testing.T) {
	w, base := newWorld(t)
	h := openPR(t, w, 14, "lr", base, func() { w.Git.Edit(conf, "learning_rate: 0.001", "learning_rate: 0.003") })
	env := w.PREvent(actiontest.PR{Action: "opened", Number: 14, BaseSHA: base, HeadSHA: h, HeadRef: "lr"})
	env["GITHUB_EVENT_NAME"] = "pull_request_target"
	r := w.Run(env)
	r.WantCode(t, exitFailed)
	if lines := r.ErrorLines("the pull_request_target event is not supported"); len(lines) != 1 || !strings.Contains(lines[0], "Pull requests from forks") {
		t.Errorf("want one ::error pointing to the fork set-up:\n%s", r.Stdout)
	}
}
