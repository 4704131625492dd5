package action_test

import (
	"fmt"
	"maps"
	"strings"
	"testing"

	"github.com/smpipe/smpipe-action/internal/actiontest"
	"github.com/smpipe/smpipe-action/internal/fakeaws"
)

// Merge A deploys, merge B deploys, then A's deploy job is re-run: it used
// to put A's definition back and call that "updated". Now the live
// pipeline's commit (B) is not an ancestor of A, so nothing changes.
func TestDeploy_rerunOfAnOlderMergeJobChangesNothing(t *testing.T) {
	w, base := newWorld(t)
	hA := openPR(t, w, 1, "epochs", base, func() { w.Git.Edit(conf, "epochs: 60", "epochs: 80") })
	mA := merge(t, w, 1, base, hA)
	jobA := w.PushEvent(base, mA)
	w.Run(jobA).WantCode(t, exitOK)

	hB := openPR(t, w, 2, "bigger", mA, func() { w.Git.Edit(conf, "instance_type: ml.m5.xlarge", "instance_type: ml.m5.2xlarge") })
	mB := merge(t, w, 2, mA, hB)
	w.Run(w.PushEvent(mA, mB)).WantCode(t, exitOK)
	live, _ := w.SM.Pipeline(pipeline)

	rerun := maps.Clone(jobA)
	rerun["GITHUB_RUN_ATTEMPT"] = "2"
	before := w.Calls()
	r := w.Run(rerun)
	r.WantCode(t, exitOK) // a skip is not a failure
	if after := w.Calls(); after != before {
		t.Errorf("the re-run wrote to AWS: %+v → %+v", before, after)
	}
	if now, _ := w.SM.Pipeline(pipeline); now.Definition != live.Definition || now.Tags["smpipe:commit"] != mB {
		t.Errorf("the re-run moved the pipeline back (commit tag %s, want %s)", now.Tags["smpipe:commit"], mB)
	}
	out := r.Pipelines(t)
	if len(out) != 1 || out[0].Status != "skipped" {
		t.Errorf("pipelines output = %+v, want skipped", out)
	}
	wantContains(t, "the summary", r.Summary, "skipped: newer commit "+mB[:12]+" is deployed")
}

// Update succeeded, start failed: the old report said "failed" and never
// that the new definition was live.
func TestDeploy_updatedButStartFailedSaysWhatIsLive(t *testing.T) {
	w, base := newWorld(t)
	w.Run(w.DispatchEvent("refs/heads/main", base, nil)).WantCode(t, exitOK)

	head := openPR(t, w, 3, "epochs", base, func() { w.Git.Edit(conf, "epochs: 60", "epochs: 90") })
	m := merge(t, w, 3, base, head)
	w.SM.FailNext("StartPipelineExecution", 1, fakeaws.ResourceLimitExceeded())
	r := w.Run(w.PushEvent(base, m))
	r.WantCode(t, exitFailed)
	p, _ := w.SM.Pipeline(pipeline)
	if !strings.Contains(p.Definition, `"epochs":"90"`) {
		t.Fatalf("the update did not go live:\n%s", r.Stdout)
	}
	out := r.Pipelines(t)
	if len(out) != 1 || out[0].Status != "updated" || out[0].Execution != "start failed" {
		t.Errorf("pipelines output = %+v, want updated, start failed", out)
	}
	wantContains(t, "the summary", r.Summary, "updated (live)", "start failed")
	if lines := r.ErrorLines("ResourceLimitExceeded"); len(lines) != 1 {
		t.Errorf("want one error for the failed start:\n%s", r.Stdout)
	}

	// Re-running the job starts the execution it owes, once.
	r = w.Run(w.PushEvent(base, m))
	r.WantCode(t, exitOK)
	if out := r.Pipelines(t); len(out) != 1 || out[0].Status != "unchanged" || out[0].Execution != "started" {
		t.Errorf("re-run: pipelines output = %+v, want unchanged, started", out)
	}
}

// A dispatch on main with no names reconciles every pipeline with
// SageMaker: it creates one whose deploy failed earlier, and reports and
// replaces a definition edited in the console.
func TestDeploy_dispatchWithoutNamesReconciles(t *testing.T) {
	w := actiontest.New(t, "../testdata/conf/ok/two-pipelines", inProcess)
	base := w.Start(100, "Two pipelines")
	const fraud, demand = "card-fraud-detection", "store-demand-forecast"

	// Earlier deploys: demand went live, fraud's create failed.
	w.Run(w.DispatchEvent("refs/heads/main", base, map[string]string{"pipelines": demand})).WantCode(t, exitOK)
	w.SM.FailNext("CreatePipeline", 1, fakeaws.Fault{Status: 400, Code: "ValidationException", Message: "Role is not authorized"})
	r := w.Run(w.DispatchEvent("refs/heads/main", base, map[string]string{"pipelines": fraud}))
	r.WantCode(t, exitFailed)
	if _, ok := w.SM.Pipeline(fraud); ok {
		t.Fatal("fraud was created despite the fault")
	}
	// Someone edits demand in the console.
	live, _ := w.SM.Pipeline(demand)
	w.SM.EditDefinition(demand, strings.Replace(live.Definition, "ml.c5.2xlarge", "ml.p4d.24xlarge", 1))

	r = w.Run(w.DispatchEvent("refs/heads/main", base, nil))
	r.WantCode(t, exitOK)
	if _, ok := w.SM.Pipeline(fraud); !ok {
		t.Error("the reconcile did not create the pipeline whose deploy had failed")
	}
	if now, _ := w.SM.Pipeline(demand); now.Definition != live.Definition {
		t.Error("the console edit was not replaced by the repository's definition")
	}
	status := map[string]actiontest.Pipeline{}
	for _, p := range r.Pipelines(t) {
		status[p.Name] = p
	}
	if status[fraud].Status != "created" || status[demand].Status != "updated" {
		t.Errorf("pipelines output = %+v", status)
	}
	wantContains(t, "the summary", r.Summary, "Drift on "+demand, "ml.p4d.24xlarge", "ml.c5.2xlarge")
}

// With read-only credentials, the plan shows how each touched pipeline's
// live state stands against the base branch; without them it says nothing.
func TestPlan_liveView(t *testing.T) {
	w, base := newWorld(t)
	w.Run(w.DispatchEvent("refs/heads/main", base, nil)).WantCode(t, exitOK) // base is live

	plan := func(n int, from string, edit func(), fork bool, role bool) string {
		t.Helper()
		w.Git.Detach(from)
		w.Git.Branch(fmt.Sprintf("change-%d", n), true)
		edit()
		head := w.Git.Commit("Change")
		p := actiontest.PR{Action: "opened", Number: n, BaseSHA: from, HeadSHA: head, HeadRef: fmt.Sprintf("change-%d", n)}
		if fork {
			p.HeadRepo = "someone/fork"
		}
		env := w.PREvent(p)
		if role {
			env["INPUT_ROLE-TO-ASSUME"] = actiontest.RoleARN
		}
		r := w.Run(env)
		r.WantCode(t, exitOK)
		if fork {
			return r.Summary
		}
		return w.OnlyComment(t, n).Body
	}
	lr := func() { w.Git.Edit(conf, "learning_rate: 0.001", "learning_rate: 0.002") }

	if body := plan(1, base, lr, false, true); !strings.Contains(body, "Live in SageMaker: the base branch's definition.") {
		t.Errorf("live = base is not said:\n%s", body)
	}
	tokens := len(w.STS.Tokens())
	if body := plan(2, base, lr, false, false); strings.Contains(body, "SageMaker") || len(w.STS.Tokens()) != tokens {
		t.Errorf("without role-to-assume the plan must not read AWS or mention it:\n%s", body)
	}
	if body := plan(3, base, lr, true, true); strings.Contains(body, "Live in SageMaker") || len(w.STS.Tokens()) != tokens {
		t.Errorf("a fork's plan must not read AWS:\n%s", body)
	}

	// main moves on, but its deploy never ran.
	h := openPR(t, w, 4, "epochs", base, func() { w.Git.Edit(conf, "epochs: 60", "epochs: 70") })
	m := merge(t, w, 4, base, h)
	body := plan(5, m, lr, false, true)
	wantContains(t, "the behind view", body, "Live in SageMaker is behind the base branch:** last deployed commit `"+base[:12]+"`; the deploy of base `"+m[:12]+"` failed or never ran.")

	// Someone edits the live pipeline in the console.
	w.Run(w.DispatchEvent("refs/heads/main", m, nil)).WantCode(t, exitOK)
	live, _ := w.SM.Pipeline(pipeline)
	w.SM.EditDefinition(pipeline, strings.Replace(live.Definition, `"InstanceType":"ml.m5.xlarge"`, `"InstanceType":"ml.p4d.24xlarge"`, 1))
	body = plan(6, m, lr, false, true)
	wantContains(t, "the edited view", body, "Live in SageMaker was edited outside smpipe.", "| Live | Base |", "ml.p4d.24xlarge", "ml.m5.xlarge")

	// ... and rewrites the definition-hash tag to match: the view is
	// judged by what the recorded commit compiles to, not by the tag.
	edited, _ := w.SM.Pipeline(pipeline)
	w.SM.SetTag(pipeline, "smpipe:definition-hash", actiontest.Hash(edited.Definition))
	body = plan(7, m, lr, false, true)
	wantContains(t, "the edited view with a forged tag", body, "Live in SageMaker was edited outside smpipe.", "ml.p4d.24xlarge")
}
