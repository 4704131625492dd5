package results_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/smpipe/smpipe-action/internal/fakeaws"
	"github.com/smpipe/smpipe-action/results"
)

// records is an in-memory results.Records: what a test can look into.
type records struct {
	list   []*record // oldest first
	calls  map[string]int
	failOn string // a method that answers an error
}

type record struct {
	results.Record
	states []results.State
}

func newRecords() *records { return &records{calls: map[string]int{}} }

func (r *records) call(m string) error {
	r.calls[m]++
	if r.failOn == m {
		return errors.New(m + " refused")
	}
	return nil
}

func (r *records) List(_ context.Context, commit string) ([]results.Record, error) {
	if err := r.call("List"); err != nil {
		return nil, err
	}
	var out []results.Record
	for _, rec := range slices.Backward(r.list) {
		if commit == "" || rec.Target.Commit == commit {
			out = append(out, rec.Record)
		}
	}
	return out, nil
}

func (r *records) State(_ context.Context, rec results.Record) (results.State, error) {
	if err := r.call("State"); err != nil {
		return "", err
	}
	if s := r.find(rec.ID).states; len(s) > 0 {
		return s[len(s)-1], nil
	}
	return "", nil
}

func (r *records) Create(_ context.Context, t results.Target) (results.Record, error) {
	if err := r.call("Create"); err != nil {
		return results.Record{}, err
	}
	rec := &record{Record: results.Record{ID: int64(len(r.list) + 1), Target: t}}
	r.list = append(r.list, rec)
	return rec.Record, nil
}

func (r *records) SetState(_ context.Context, rec results.Record, s results.State, description, link string) error {
	if err := r.call("SetState"); err != nil {
		return err
	}
	if description == "" || link == "" {
		return fmt.Errorf("state %s of record %d without a description or link", s, rec.ID)
	}
	found := r.find(rec.ID)
	found.states = append(found.states, s)
	return nil
}

func (r *records) find(id int64) *record {
	for _, rec := range r.list {
		if rec.ID == id {
			return rec
		}
	}
	panic(fmt.Sprintf("no record %d", id))
}

// display records what was shown, and can refuse.
type display struct {
	shown []string // pipeline: status
	fail  bool
}

func (d *display) Show(_ context.Context, t results.Target, e *results.Execution) error {
	if d.fail {
		return errors.New("comment refused")
	}
	d.shown = append(d.shown, t.Pipeline+": "+e.Status)
	return nil
}

func target(arn, commit string) results.Target {
	return results.Target{Pipeline: pipeline, Execution: arn, Region: "us-east-1", Commit: commit, Environment: pipeline, Production: true,
		Comment: results.Comment{PR: 7, Kind: "deploy"}}
}

// A deploy records its execution in progress; report runs look at it
// without asking the records while it runs, show it and end its record
// once it has ended, and never again.
func TestFollower_trackThenPoll(t *testing.T) {
	w := newWorld(t)
	w.production(t, group, regression("0.45", "0.61"))
	w.sm.SetScript(pipeline, fakeaws.Script{Statuses: []string{"Executing", "Succeeded"}})
	arn := w.startExecution(t)
	recs, shown := newRecords(), &display{}
	f := &results.Follower{Reader: w.reader, Records: recs, Display: shown}
	ctx := context.Background()

	out, err := f.Track(ctx, "abc", []results.Target{target(arn, "abc")}, false)
	if err != nil || len(out) != 1 || out[0].Execution.Status != "" || out[0].Execution.Link() == "" || out[0].Reported {
		t.Fatalf("Track = %+v, %v", out, err)
	}
	if len(recs.list) != 1 || !slices.Equal(recs.list[0].states, []results.State{results.InProgress}) {
		t.Fatalf("records after the deploy = %+v", recs.list)
	}
	// A re-run of the deploy job records nothing more.
	if _, err := f.Track(ctx, "abc", []results.Target{target(arn, "abc")}, false); err != nil || len(recs.list) != 1 || len(recs.list[0].states) != 1 {
		t.Fatalf("a re-run: %v, records %+v", err, recs.list)
	}

	out, err = f.Poll(ctx) // Executing
	if err != nil || len(out) != 1 || out[0].Execution.Status != "Executing" || out[0].Reported || len(shown.shown) != 0 {
		t.Fatalf("Poll of a running execution = %+v, %v", out, err)
	}
	if recs.calls["State"] != 1 { // the re-run's, none from the poll
		t.Errorf("%d state lookups, want only the deploy re-run's", recs.calls["State"])
	}
	out, err = f.Poll(ctx) // Succeeded
	if err != nil || len(out) != 1 || !out[0].Reported || out[0].Execution.Status != "Succeeded" {
		t.Fatalf("Poll of the ended execution = %+v, %v", out, err)
	}
	if !slices.Equal(shown.shown, []string{pipeline + ": Succeeded"}) || !slices.Equal(recs.list[0].states, []results.State{results.InProgress, results.Success}) {
		t.Errorf("shown %q, states %v", shown.shown, recs.list[0].states)
	}
	out, err = f.Poll(ctx)
	if err != nil || len(out) != 0 || len(shown.shown) != 1 || len(recs.list[0].states) != 2 {
		t.Errorf("a third poll = %+v, %v; shown %q, states %v", out, err, shown.shown, recs.list[0].states)
	}
}

// With wait, the deploy reads the ended execution and gives its record
// the final state at once.
func TestFollower_trackReadsWhenWaited(t *testing.T) {
	w := newWorld(t)
	arn := w.start(t, run{status: "Failed", failure: "Step failure", gate: "False", metrics: regression("0.62", "0.41")})
	recs := newRecords()
	f := &results.Follower{Reader: w.reader, Records: recs}
	out, err := f.Track(context.Background(), "abc", []results.Target{target(arn, "abc")}, true)
	if err != nil || len(out) != 1 || out[0].Execution == nil || !out[0].Reported {
		t.Fatalf("Track = %+v, %v", out, err)
	}
	if !slices.Equal(recs.list[0].states, []results.State{results.Failure}) {
		t.Errorf("states = %v, want failure", recs.list[0].states)
	}
	if g := out[0].Execution.Models[0].Gate; g == nil || g.Verdict != results.Failed {
		t.Errorf("gate = %+v", g)
	}
}

// A result that could not be shown leaves the record open, so the next
// run shows it; stopped and deleted executions end in error.
func TestFollower_pollRetriesAndErrors(t *testing.T) {
	w := newWorld(t)
	w.sm.SetScript(pipeline, fakeaws.Script{Statuses: []string{"Stopped"}})
	stopped := w.startExecution(t)
	recs, shown := newRecords(), &display{fail: true}
	f := &results.Follower{Reader: w.reader, Records: recs, Display: shown}
	ctx := context.Background()
	if _, err := f.Track(ctx, "abc", []results.Target{target(stopped, "abc")}, false); err != nil {
		t.Fatal(err)
	}
	out, err := f.Poll(ctx)
	if err != nil || len(out) != 1 || out[0].Err == nil || out[0].Reported || len(recs.list[0].states) != 1 {
		t.Fatalf("a poll whose display failed = %+v, %v; states %v", out, err, recs.list[0].states)
	}
	shown.fail = false
	out, err = f.Poll(ctx)
	if err != nil || len(out) != 1 || !out[0].Reported || !slices.Equal(recs.list[0].states, []results.State{results.InProgress, results.Error}) {
		t.Fatalf("the retry = %+v, %v; states %v", out, err, recs.list[0].states)
	}
	if !strings.Contains(strings.Join(out[0].Execution.Notes, " "), "stopped by hand") {
		t.Errorf("notes = %q", out[0].Execution.Notes)
	}

	// The records cannot be listed: the poll says so.
	recs.failOn = "List"
	if _, err := f.Poll(ctx); err == nil || !strings.Contains(err.Error(), "List refused") {
		t.Errorf("Poll with records that cannot be listed: %v", err)
	}
	if _, err := (&results.Follower{Reader: w.reader}).Poll(ctx); !errors.Is(err, results.ErrNoRecords) {
		t.Errorf("Poll without records: %v", err)
	}
}

// A record is text anyone allowed to write one could have written: one
// that names no execution of its pipeline, or one in another region, is
// left alone before anything is read for it.
func TestFollower_pollSkipsForeignRecords(t *testing.T) {
	w := newWorld(t)
	recs := newRecords()
	f := &results.Follower{Reader: w.reader, Records: recs, Display: &display{}}
	ctx := context.Background()
	for _, tc := range []struct{ pipeline, arn string }{
		{pipeline, "arn:aws:sagemaker:us-east-1:123456789012:pipeline/other-team/execution/1"},
		{pipeline, "arn:aws:sagemaker:eu-west-1:123456789012:pipeline/wine-quality-gated/execution/1"},
		{"wine quality; rm -rf", "arn:aws:sagemaker:us-east-1:123456789012:pipeline/wine-quality-gated/execution/1"},
		{pipeline, "arn:aws:sagemaker:us-east-1:123456789012:pipeline/wine-quality-gated/execution/1/../2"},
	} {
		tg := target(tc.arn, "abc")
		tg.Pipeline = tc.pipeline
		if _, err := recs.Create(ctx, tg); err != nil {
			t.Fatal(err)
		}
	}
	out, err := f.Poll(ctx)
	if err != nil || len(out) != 4 {
		t.Fatalf("Poll = %+v, %v", out, err)
	}
	for _, o := range out {
		if o.Skipped == "" || !strings.HasSuffix(o.Skipped, "; left alone") {
			t.Errorf("record of %s: skipped %q", o.Target.Execution, o.Skipped)
		}
	}
	if !strings.Contains(out[2].Skipped, "set the region to eu-west-1") {
		t.Errorf("the other region's record: %q", out[2].Skipped)
	}
	if n := w.sm.TotalCalls(); n != 0 || recs.calls["State"] != 0 {
		t.Errorf("%d SageMaker calls and %d state lookups for foreign records", n, recs.calls["State"])
	}
}
