package action_test

import (
	"strings"
	"testing"

	"github.com/smpipe/smpipe-action/internal/actiontest"
	"github.com/smpipe/smpipe-action/internal/fakegithub"
)

// A repository laid out as the original framework's examples are: the
// framework conf names everything through SMP_* placeholders, including the
// glob that finds conf files. The plan workflow sets none of them; the
// deploy workflow sets those a definition needs, not SMP_MODEL_CONFIGPATH.
// Before, the deploy promoted every unresolved placeholder to an error (so
// the merge failed "does not compile" on the discovery glob), and the plan's
// hash never equalled the deploy's (refused as "the base branch changed").
func TestDeploy_seedLayoutPlansWithoutEnvAndDeploys(t *testing.T) {
	w := actiontest.New(t, "../testdata/conf/ok/housing-tf", inProcess)
	w.Git.Write("framework/conf/conf.yaml", `conf:
  s3Bucket: SMP_S3BUCKETNAME
  modelConfigFilePath: SMP_MODEL_CONFIGPATH
  sagemakerNetworkSecurity:
    role: SMP_ROLE
`)
	base := w.Git.Commit("Seed layout")
	head := openPR(t, w, 3, "epochs", base, func() { w.Git.Edit(conf, "epochs: 60", "epochs: 90") })

	c := w.OnlyComment(t, 3)
	wantContains(t, "the plan comment", c.Body, "Resolved at deploy from the deploy job's environment: `SMP_ROLE`, `SMP_S3BUCKETNAME`.")
	if strings.Contains(c.Body, "placeholder SMP_") {
		t.Errorf("the comment still lists the placeholders as warnings:\n%s", c.Body)
	}

	m := merge(t, w, 3, base, head)
	env := w.PushEvent(base, m)
	env["SMP_S3BUCKETNAME"] = actiontest.Bucket
	env["SMP_ROLE"] = "arn:aws:iam::123456789012:role/smpipe-pipeline"
	r := w.Run(env)
	r.WantCode(t, exitOK)
	p, ok := w.SM.Pipeline(pipeline)
	if !ok {
		t.Fatalf("no pipeline deployed:\n%s", r.Stdout)
	}
	if p.RoleArn != env["SMP_ROLE"] || !strings.Contains(p.Definition, "s3://"+actiontest.Bucket+"/") || strings.Contains(p.Definition, "SMP_") {
		t.Errorf("deployed role %q, definition with placeholders resolved? %s", p.RoleArn, p.Definition)
	}

	// The same merge in a deploy job that forgot SMP_ROLE fails naming it,
	// and touches nothing.
	before, tokens := w.Calls(), len(w.STS.Tokens())
	delete(env, "SMP_ROLE")
	r = w.Run(env)
	r.WantCode(t, exitFailed)
	if lines := r.ErrorLines("placeholder SMP_ROLE is not set in the deploy's environment"); len(lines) != 1 {
		t.Errorf("want one error naming SMP_ROLE:\n%s", r.Stdout)
	}
	wantNoCalls(t, w, before)
	if len(w.STS.Tokens()) != tokens {
		t.Error("credentials were requested for a deploy that could not run")
	}
}

// The deploy used to trust the definition hashes in the first
// github-actions[bot] comment with the marker, which collaborators can edit
// and any workflow can post. A merge whose result differs from the reviewed
// head (here a p4d instance nobody saw) is refused, whatever the comment
// says.
func TestDeploy_forgedMarkerDecidesNothing(t *testing.T) {
	w, base := newWorld(t)
	head := openPR(t, w, 4, "lr", base, func() { w.Git.Edit(conf, "learning_rate: 0.001", "learning_rate: 0.002") })

	// The merge commit's tree is not the reviewed head's.
	w.Git.Detach(head)
	w.Git.Edit(conf, "instance_type: ml.m5.xlarge", "instance_type: ml.p4d.24xlarge")
	m := w.Git.Commit("Merge pull request #4", base, head)
	w.GH.LinkCommit(w.Repo, m, fakegithub.PullRequest{Number: 4, State: "closed", Merged: true, MergeCommitSHA: m, BaseRef: "main", HeadSHA: head})

	// Forge the comment: record the merge's hash as the reviewed one.
	c := w.OnlyComment(t, 4)
	reviewed := actiontest.ParseMarker(t, c.Body).Defs[pipeline]
	mergedHash := compileHash(t, w, m)
	w.GH.EditComment(w.Repo, 4, c.ID, strings.Replace(c.Body, reviewed, mergedHash, 1))

	before := w.Calls()
	r := w.Run(w.PushEvent(base, m))
	r.WantCode(t, exitFailed)
	wantNoCalls(t, w, before)
	if _, ok := w.SM.Pipeline(pipeline); ok {
		t.Error("the unreviewed definition reached SageMaker")
	}
	wantContains(t, "the job summary", r.Summary, "Not deployed: what the reviewers did not see", "ml.m5.xlarge", "ml.p4d.24xlarge")
	if lines := r.ErrorLines("compiles differently here"); len(lines) != 1 {
		t.Errorf("want one ::error with the reason:\n%s", r.Stdout)
	}
	wantContains(t, "the log", r.Stdout, `smpipe: pipeline "house-price-tf" not deployed:`, `smpipe:   step "house-Train": instance_type: "ml.m5.xlarge" → "ml.p4d.24xlarge"`)
	cs := w.GH.Comments(w.Repo, 4)
	wantContains(t, "the deploy comment", cs[len(cs)-1].Body, "Not deployed: what the reviewers did not see", "ml.p4d.24xlarge")
	if out := r.Pipelines(t); len(out) != 1 || out[0].Status != "refused" || out[0].ExecutionARN != "" {
		t.Errorf("pipelines output = %+v", out)
	}
}

// Two pull requests branched from one commit change the same pipeline and
// are merged in turn. The first deploys; the second merge combines both
// changes, and its reviewers never saw the first one's: refused, with the
// difference and where it came from.
func TestDeploy_secondMergeOfOnePipelineIsRefused(t *testing.T) {
	w, base := newWorld(t)
	h1 := openPR(t, w, 1, "epochs", base, func() { w.Git.Edit(conf, "epochs: 60", "epochs: 80") })
	h2 := openPR(t, w, 2, "bigger", base, func() { w.Git.Edit(conf, "instance_type: ml.m5.xlarge", "instance_type: ml.m5.2xlarge") })

	m1 := merge(t, w, 1, base, h1)
	r := w.Run(w.PushEvent(base, m1))
	r.WantCode(t, exitOK)
	p, _ := w.SM.Pipeline(pipeline)
	deployed := actiontest.Hash(p.Definition)

	w.Git.Detach(m1)
	w.Git.Edit(conf, "instance_type: ml.m5.xlarge", "instance_type: ml.m5.2xlarge")
	m2 := w.Git.Commit("Merge pull request #2", m1, h2)
	w.GH.LinkCommit(w.Repo, m2, fakegithub.PullRequest{Number: 2, State: "closed", Merged: true, MergeCommitSHA: m2, BaseRef: "main", HeadSHA: h2})
	before := w.Calls()
	r = w.Run(w.PushEvent(m1, m2))
	r.WantCode(t, exitFailed)
	wantNoCalls(t, w, before)
	if p, _ := w.SM.Pipeline(pipeline); actiontest.Hash(p.Definition) != deployed {
		t.Error("the live definition changed")
	}
	for what, text := range map[string]string{"summary": r.Summary, "deploy comment on #2": lastComment(t, w, 2)} {
		wantContains(t, what, text, "s head "+h2[:12], "hyperparams.epochs", "| 60 | 80 |",
			"changed on the base branch since pull request", conf)
	}
	wantContains(t, "the log", r.Stdout, `smpipe: changed on the base branch since pull request #2 branched off: ["housing/conf/conf.yaml"]`)
}

// A push straight to main, with no pull request behind it, deploys nothing.
func TestDeploy_directPushIsRefused(t *testing.T) {
	w, base := newWorld(t)
	w.Git.Branch("main", false)
	w.Git.Edit(conf, "max_runtime_seconds: 7200", "max_runtime_seconds: 3600")
	direct := w.Git.Commit("Shorter runtime, pushed straight to main")
	before := w.Calls()
	r := w.Run(w.PushEvent(base, direct))
	r.WantCode(t, exitFailed)
	wantNoCalls(t, w, before)
	if lines := r.ErrorLines("commit " + direct[:12] + ", which gave it its definition, is not the merge of a pull request into main (a direct push?), so nobody reviewed it"); len(lines) != 1 {
		t.Errorf("want one ::error for the pipeline:\n%s", r.Stdout)
	}

	// allow-unreviewed is the explicit way around it.
	env := w.PushEvent(base, direct)
	env["INPUT_ALLOW-UNREVIEWED"] = "true"
	w.Run(env).WantCode(t, exitOK)
	if _, ok := w.SM.Pipeline(pipeline); !ok {
		t.Error("allow-unreviewed did not deploy")
	}
}

// require-approval (the default): an approval counts when the pipeline compiles the same
// at the approved commit as at the head ("approve, then fix a typo in the
// README"), not when the pipeline changed after it.
func TestDeploy_requireApproval(t *testing.T) {
	tests := []struct {
		name      string
		afterward func(w *actiontest.World)
		wantCode  int
	}{
		{"approved, then a README typo", func(w *actiontest.World) { w.Git.Write("README.md", "Typo fixed.\n") }, exitOK},
		{"approved, then the pipeline changed", func(w *actiontest.World) { w.Git.Edit(conf, "batch_size: 64", "batch_size: 8") }, exitFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, base := newWorld(t)
			approved := openPR(t, w, 5, "lr", base, func() { w.Git.Edit(conf, "learning_rate: 0.001", "learning_rate: 0.002") })
			w.GH.SetPermission(w.Repo, "ana", "write")
			w.GH.AddReview(w.Repo, 5, fakegithub.Review{User: "ana", State: "APPROVED", CommitID: approved})
			tt.afterward(w)
			head := w.Git.Commit("After the approval")
			m := w.Merge(5, base, head, false)
			r := w.Run(w.PushEvent(base, m))
			r.WantCode(t, tt.wantCode)
			_, deployed := w.SM.Pipeline(pipeline)
			if deployed != (tt.wantCode == exitOK) {
				t.Errorf("deployed = %v", deployed)
			}
			if tt.wantCode != exitOK {
				wantContains(t, "the summary", r.Summary, "covers it as merged", "ana at "+approved[:12])
			}
		})
	}
}

// workflow_dispatch deployed from any branch with no review check. Only the
// default branch holds reviewed changes.
func TestDeploy_dispatchOffTheDefaultBranch(t *testing.T) {
	w, _ := newWorld(t)
	w.Git.Branch("experiment", true)
	w.Git.Edit(conf, "instance_type: ml.m5.xlarge", "instance_type: ml.p4d.24xlarge")
	sha := w.Git.Commit("Try a p4d")

	before := w.Calls()
	r := w.Run(w.DispatchEvent("refs/heads/experiment", sha, nil))
	r.WantCode(t, exitFailed)
	wantNoCalls(t, w, before)
	if len(w.STS.Tokens()) != 0 {
		t.Error("credentials were requested for a refused dispatch")
	}
	if lines := r.ErrorLines("workflow_dispatch on refs/heads/experiment refused: smpipe deploys only from the default branch (main)"); len(lines) != 1 {
		t.Errorf("want one ::error saying why:\n%s", r.Stdout)
	}
	wantContains(t, "the summary", r.Summary, "deploys only from the default branch")
	if out := r.Pipelines(t); len(out) != 0 {
		t.Errorf("pipelines output = %+v, want none", out)
	}

	env := w.DispatchEvent("refs/heads/experiment", sha, nil)
	env["INPUT_ALLOW-UNREVIEWED"] = "true"
	w.Run(env).WantCode(t, exitOK)
	if p, ok := w.SM.Pipeline(pipeline); !ok || !strings.Contains(p.Definition, "ml.p4d.24xlarge") {
		t.Error("allow-unreviewed did not deploy the branch")
	}
}

func lastComment(t *testing.T, w *actiontest.World, n int) string {
	t.Helper()
	cs := w.GH.Comments(w.Repo, n)
	if len(cs) == 0 {
		t.Fatalf("no comment on #%d", n)
	}
	return cs[len(cs)-1].Body
}

// mode: deploy on a pull_request event would have deployed the pull
// request's unmerged code, unchecked.
func TestDeploy_neverFromAPullRequestEvent(t *testing.T) {
	w, base := newWorld(t)
	w.Git.Branch("feature", true)
	w.Git.Edit(conf, "instance_type: ml.m5.xlarge", "instance_type: ml.p4d.24xlarge")
	head := w.Git.Commit("A p4d, please")
	env := w.PREvent(actiontest.PR{Action: "opened", Number: 9, BaseSHA: base, HeadSHA: head, HeadRef: "feature"})
	env["INPUT_MODE"], env["INPUT_ROLE-TO-ASSUME"], env["INPUT_ALLOW-UNREVIEWED"] = "deploy", actiontest.RoleARN, "true"
	before := w.Calls()
	r := w.Run(env)
	r.WantCode(t, exitFailed)
	wantNoCalls(t, w, before)
	if lines := r.ErrorLines("mode deploy on a pull_request event refused"); len(lines) != 1 {
		t.Errorf("want one error saying why:\n%s", r.Stdout)
	}
}

// A nightly schedule reconciles every pipeline of the default branch.
func TestDeploy_scheduleDeploysTheDefaultBranch(t *testing.T) {
	w, base := newWorld(t)
	env := w.DispatchEvent("refs/heads/main", base, nil)
	env["GITHUB_EVENT_NAME"] = "schedule"
	r := w.Run(env)
	r.WantCode(t, exitOK)
	if _, ok := w.SM.Pipeline(pipeline); !ok {
		t.Errorf("the schedule deployed nothing:\n%s", r.Stdout)
	}
}
