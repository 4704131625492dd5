package results_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/smpipe/smpipe-action/deploy"
	"github.com/smpipe/smpipe-action/internal/fakeaws"
	"github.com/smpipe/smpipe-action/preview"
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
	if description == "" || link == "" && s != results.Error {
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
	gone  bool // the comment was deleted
}

func (d *display) Show(_ context.Context, t results.Target, e *results.Execution) error {
	if d.fail {
		return errors.New("comment refused")
	}
	if d.gone {
		return fmt.Errorf("no deploy comment on #%d: %w", t.PR, results.ErrNoComment)
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
	f := &results.Follower{Reader: w.reader, Repository: repository, Records: recs, Display: shown}
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

// With wait, the deploy reads the ended execution; its record stays in
// progress until the caller has shown the results and calls Finish.
func TestFollower_trackReadsWhenWaited(t *testing.T) {
	w := newWorld(t)
	arn := w.start(t, run{status: "Failed", failure: "Step failure", gate: "False", metrics: regression("0.62", "0.41")})
	recs := newRecords()
	f := &results.Follower{Reader: w.reader, Repository: repository, Records: recs}
	ctx := context.Background()
	out, err := f.Track(ctx, "abc", []results.Target{target(arn, "abc")}, true)
	if err != nil || len(out) != 1 || out[0].Execution == nil || out[0].Reported {
		t.Fatalf("Track = %+v, %v", out, err)
	}
	if !slices.Equal(recs.list[0].states, []results.State{results.InProgress}) {
		t.Errorf("states before the results are shown = %v, want in_progress", recs.list[0].states)
	}
	if g := out[0].Execution.Models[0].Gate; g == nil || g.Verdict != results.Failed {
		t.Errorf("gate = %+v", g)
	}
	if err := f.Finish(ctx, out); err != nil || !out[0].Reported {
		t.Fatalf("Finish = %v, outcome %+v", err, out[0])
	}
	if !slices.Equal(recs.list[0].states, []results.State{results.InProgress, results.Failure}) {
		t.Errorf("states = %v, want in_progress, failure", recs.list[0].states)
	}
	// A re-run of the deploy job finds the record final and leaves it.
	again, err := f.Track(ctx, "abc", []results.Target{target(arn, "abc")}, true)
	if err != nil || f.Finish(ctx, again) != nil || again[0].Reported || len(recs.list[0].states) != 2 {
		t.Errorf("a re-run: %+v, %v; states %v", again, err, recs.list[0].states)
	}
}

// With wait, a deploy whose comment could not be written does not call
// Finish: the record stays in progress and the report run shows the
// results and ends it.
func TestFollower_waitedResultsNotShownAreLeftToTheReportRun(t *testing.T) {
	w := newWorld(t)
	arn := w.start(t, run{status: "Succeeded", gate: "True", registered: true, metrics: regression("0.41", "0.62")})
	recs, shown := newRecords(), &display{}
	f := &results.Follower{Reader: w.reader, Repository: repository, Records: recs, Display: shown}
	ctx := context.Background()
	if _, err := f.Track(ctx, "abc", []results.Target{target(arn, "abc")}, true); err != nil {
		t.Fatal(err)
	}
	out, err := f.Poll(ctx)
	if err != nil || len(out) != 1 || !out[0].Reported {
		t.Fatalf("Poll = %+v, %v", out, err)
	}
	if !slices.Equal(shown.shown, []string{pipeline + ": Succeeded"}) || !slices.Equal(recs.list[0].states, []results.State{results.InProgress, results.Success}) {
		t.Errorf("shown %q, states %v", shown.shown, recs.list[0].states)
	}
}

// A result that could not be shown leaves the record open, so the next
// run shows it; stopped and deleted executions end in error.
func TestFollower_pollRetriesAndErrors(t *testing.T) {
	w := newWorld(t)
	w.sm.SetScript(pipeline, fakeaws.Script{Statuses: []string{"Stopped"}})
	stopped := w.startExecution(t)
	recs, shown := newRecords(), &display{fail: true}
	f := &results.Follower{Reader: w.reader, Repository: repository, Records: recs, Display: shown}
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
	f := &results.Follower{Reader: w.reader, Repository: repository, Records: recs, Display: &display{}}
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

// A record names its pipeline by text any workflow with deployments:
// write could have written: one whose pipeline is another repository's,
// a preview while the record is a deploy's, or another pull request's
// preview, ends in error before its execution is read, and nothing of it
// is shown; this repository's own pipelines and previews are followed.
func TestFollower_pollRefusesPipelinesNotTheRecords(t *testing.T) {
	ctx := context.Background()
	deployRecord := func(arn string) results.Target { return target(arn, "abc") }
	previewRecord := func(pr int) func(string) results.Target {
		return func(arn string) results.Target {
			tg := target(arn, "abc")
			tg.Production, tg.Comment = false, results.Comment{PR: pr, Kind: results.PreviewKind}
			return tg
		}
	}
	ours := map[string]string{deploy.TagRepository: repository}
	for _, tc := range []struct {
		name   string
		tags   map[string]string
		record func(arn string) results.Target
		want   string // in the refusal; "" follows it
	}{
		{"another repository's pipeline", map[string]string{deploy.TagRepository: "acme/other-team"}, deployRecord, "is not this repository's"},
		{"an untagged pipeline", map[string]string{deploy.TagRepository: ""}, deployRecord, "is not this repository's"},
		{"a preview named by a deploy record", map[string]string{deploy.TagRepository: repository, deploy.TagPreview: "pr7", preview.TagPullRequest: "7"},
			deployRecord, "is a preview"},
		{"another pull request's preview", map[string]string{deploy.TagRepository: repository, deploy.TagPreview: "pr8", preview.TagPullRequest: "8"},
			previewRecord(7), "not the preview of pull request #7"},
		{"a production pipeline named by a preview record", ours, previewRecord(7), "not the preview of pull request #7"},
		{"a preview record without a pull request", ours, previewRecord(0), "names no pull request"},
		{"this repository's pipeline", map[string]string{deploy.TagRepository: "ACME/Wine"}, deployRecord, ""},
		{"the pull request's own preview", map[string]string{deploy.TagRepository: repository, deploy.TagPreview: "pr7", preview.TagPullRequest: "7"},
			previewRecord(7), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			for k, v := range tc.tags {
				w.sm.SetTag(pipeline, k, v)
			}
			arn := w.start(t, run{status: "Succeeded", gate: "True", registered: true, metrics: regression("0.41", "0.62")})
			recs, shown := newRecords(), &display{}
			if _, err := recs.Create(ctx, tc.record(arn)); err != nil {
				t.Fatal(err)
			}
			f := &results.Follower{Reader: w.reader, Repository: repository, Records: recs, Display: shown}
			out, err := f.Poll(ctx)
			if err != nil || len(out) != 1 {
				t.Fatalf("Poll = %+v, %v", out, err)
			}
			if tc.want == "" {
				if !out[0].Reported || len(shown.shown) != 1 {
					t.Errorf("this repository's record: %+v, shown %q", out[0], shown.shown)
				}
				return
			}
			if !strings.Contains(out[0].Skipped, tc.want) || out[0].Execution != nil || out[0].Reported {
				t.Errorf("outcome = %+v, want skipped with %q", out[0], tc.want)
			}
			if len(shown.shown) != 0 || w.sm.Calls("DescribePipelineExecution") != 0 || w.sm.Calls("ListPipelineExecutionSteps") != 0 {
				t.Errorf("shown %q, %d executions described", shown.shown, w.sm.Calls("DescribePipelineExecution"))
			}
			if !slices.Equal(recs.list[0].states, []results.State{results.Error}) {
				t.Errorf("states = %v, want a final error", recs.list[0].states)
			}
			// Final: the next run does not refuse it again.
			if out, err := f.Poll(ctx); err != nil || len(out) != 0 || len(recs.list[0].states) != 1 {
				t.Errorf("the next poll = %+v, %v; states %v", out, err, recs.list[0].states)
			}
		})
	}
}

// A comment deleted since (or never written) does not come back: the
// record is finished all the same, with a warning, rather than retried on
// every run.
func TestFollower_pollFinishesWhenTheCommentIsGone(t *testing.T) {
	w := newWorld(t)
	arn := w.start(t, run{status: "Succeeded", gate: "True", registered: true, metrics: regression("0.41", "0.62")})
	recs := newRecords()
	f := &results.Follower{Reader: w.reader, Repository: repository, Records: recs, Display: &display{gone: true}}
	ctx := context.Background()
	if _, err := f.Track(ctx, "abc", []results.Target{target(arn, "abc")}, false); err != nil {
		t.Fatal(err)
	}
	out, err := f.Poll(ctx)
	if err != nil || len(out) != 1 || !out[0].Reported || out[0].Err != nil || !strings.Contains(out[0].Warning, "not written to pull request #7") {
		t.Fatalf("Poll = %+v, %v", out, err)
	}
	if !slices.Equal(recs.list[0].states, []results.State{results.InProgress, results.Success}) {
		t.Errorf("states = %v", recs.list[0].states)
	}
}

// Records already final and records naming no execution of their
// pipeline do not take the places of those still to follow: an open
// record behind more than MaxFollowed of them is still followed.
func TestFollower_pollCountsOnlyOpenRecords(t *testing.T) {
	w := newWorld(t)
	w.sm.SetScript(pipeline, fakeaws.Script{Statuses: []string{"Executing"}})
	open := w.startExecution(t)
	recs := newRecords()
	ctx := context.Background()
	if _, err := recs.Create(ctx, target(open, "abc")); err != nil {
		t.Fatal(err)
	}
	for i := range results.MaxFollowed {
		final, err := recs.Create(ctx, target(fmt.Sprintf("%s/execution/gone%d", strings.Split(open, "/execution/")[0], i), "abc"))
		if err != nil {
			t.Fatal(err)
		}
		recs.find(final.ID).states = []results.State{results.Success}
		if _, err := recs.Create(ctx, target("arn:aws:sagemaker:us-east-1:123456789012:pipeline/other/execution/1", "abc")); err != nil {
			t.Fatal(err)
		}
	}
	f := &results.Follower{Reader: w.reader, Repository: repository, Records: recs}
	out, err := f.Poll(ctx)
	if err != nil {
		t.Fatal(err)
	}
	followed := slices.IndexFunc(out, func(o results.Outcome) bool { return o.Target.Execution == open })
	if followed < 0 || out[followed].Execution == nil || out[followed].Execution.Status != "Executing" {
		t.Errorf("the open record behind %d final and %d foreign ones was not followed: %d outcomes", results.MaxFollowed, results.MaxFollowed, len(out))
	}
	if n := w.sm.Calls("ListTags"); n != 1 {
		t.Errorf("%d ListTags calls, want one for the one pipeline", n)
	}
}
