package deploy

import (
	"context"
	"strings"
	"testing"

	"github.com/smpipe/smpipe-action/internal/defhash"
)

// consoleEdit is definition("Train") with its arguments changed, as an edit
// in the SageMaker console leaves it.
const consoleEdit = `{"Version":"2020-12-01","Metadata":{},"Parameters":[],"Steps":[{"Name":"Train","Type":"Training","Arguments":{"ResourceConfig":{"InstanceType":"ml.p4d.24xlarge"}}}]}`

func TestDeploy_driftReportedAndOverwritten(t *testing.T) {
	t.Parallel()
	e := setup(t)
	tg := newTarget("churn", definition("Train"))
	e.deployOK(t, at(commitA), tg)
	e.sm.EditDefinition("churn", consoleEdit)
	newer := newTarget("churn", definition("Train", "Evaluate"))

	got := e.deployOK(t, at(commitB), newer)

	r := got[0]
	if r.Status != StatusUpdated || r.Drift == nil {
		t.Fatalf("result = %+v\nlog:\n%s", r, e.log)
	}
	want := Drift{Live: []byte(consoleEdit), LiveHash: "sha256:" + sha([]byte(consoleEdit)), RecordedHash: tg.Hash,
		Repository: newer.Definition, Overwritten: true}
	if string(r.Drift.Live) != string(want.Live) || r.Drift.LiveHash != want.LiveHash || r.Drift.RecordedHash != want.RecordedHash ||
		string(r.Drift.Repository) != string(want.Repository) || !r.Drift.Overwritten {
		t.Errorf("drift = %+v, want %+v", *r.Drift, want)
	}
	if !strings.Contains(r.Summary(), "drift: the live pipeline had been changed outside smpipe and was replaced") {
		t.Errorf("summary = %q", r.Summary())
	}
	if !strings.Contains(e.log.String(), "changed outside smpipe") {
		t.Errorf("the log does not report the drift:\n%s", e.log)
	}
	if p, _ := e.sm.Pipeline("churn"); p.Definition != string(newer.Definition) || p.Tags[TagDefinitionHash] != newer.Hash {
		t.Errorf("live %s tagged %s, want the repository's", p.Definition, p.Tags[TagDefinitionHash])
	}
}

// TestDeploy_driftRevertedBySameCommit: re-deploying the commit that is
// live puts its definition back, and starts nothing new (its execution for
// that definition exists).
func TestDeploy_driftRevertedBySameCommit(t *testing.T) {
	t.Parallel()
	e := setup(t)
	tg := newTarget("churn", definition("Train"))
	first := e.deployOK(t, at(commitA), tg)
	e.sm.EditDefinition("churn", consoleEdit)

	got := e.deployOK(t, at(commitA), tg)

	if got[0].Status != StatusUpdated || got[0].Drift == nil || got[0].Start != AlreadyStarted || got[0].ExecutionARN != first[0].ExecutionARN {
		t.Errorf("result = %+v", got[0])
	}
	if p, _ := e.sm.Pipeline("churn"); p.Definition != string(tg.Definition) {
		t.Errorf("live = %s", p.Definition)
	}
}

// A pipeline a newer commit deployed is left alone, console edit and all:
// that commit's run judged its drift.
func TestDeploy_driftUnderNewerCommitIsLeftAlone(t *testing.T) {
	t.Parallel()
	e := setup(t)
	e.deployOK(t, at(commitB), newTarget("churn", definition("Train")))
	e.sm.EditDefinition("churn", consoleEdit)

	got := e.d.Deploy(context.Background(), []Target{newTarget("churn", definition("Old"))}, at(commitA))

	if got[0].Status != StatusSkipped || got[0].Drift != nil {
		t.Fatalf("result = %+v", got[0])
	}
	if p, _ := e.sm.Pipeline("churn"); p.Definition != consoleEdit {
		t.Errorf("live = %s, want the console edit left alone", p.Definition)
	}
}

func TestDeploy_reformattedByTheServiceIsNotDrift(t *testing.T) {
	t.Parallel()
	e := setup(t)
	tg := newTarget("churn", definition("Train"))
	e.deployOK(t, at(commitA), tg)
	// The same value with other whitespace and key order.
	e.sm.EditDefinition("churn", `{ "Steps": [ {"Arguments": {}, "Type": "Training", "Name": "Train"} ],
		"Parameters": [], "Metadata": {}, "Version": "2020-12-01" }`)

	got := e.deployOK(t, at(commitA), tg)

	if got[0].Status != StatusUnchanged || got[0].Drift != nil {
		t.Errorf("result = %+v", got[0])
	}
	// Whitespace alone keeps the canonical hash.
	indented := strings.ReplaceAll(string(tg.Definition), ",", ",\n  ")
	if h, err := defhash.Canonical([]byte(indented)); err != nil || h != tg.Hash {
		t.Errorf("defhash.Canonical of the indented definition = %s, %v; want %s", h, err, tg.Hash)
	}
}
