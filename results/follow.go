package results

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/smpipe/smpipe-action/internal/awsname"
)

// State is the state of a followed execution's record, as GitHub spells a
// deployment's.
type State string

// The states a record goes through: in progress while the execution runs,
// then one final state.
const (
	InProgress State = "in_progress"
	Success    State = "success" // the execution succeeded
	Failure    State = "failure" // it failed
	Error      State = "error"   // it was stopped by hand, or is gone
	// Inactive is GitHub's own final state for a deployment a newer one
	// replaced; smpipe never sets it.
	Inactive State = "inactive"
)

// Final reports whether nothing is left to follow.
func (s State) Final() bool {
	switch s {
	case Success, Failure, Error, Inactive:
		return true
	}
	return false
}

// FinalState is the state the record of an ended execution ends in.
func FinalState(e *Execution) State {
	switch e.Status {
	case "Succeeded":
		return Success
	case "Failed", "CompletedWithFailures":
		return Failure
	}
	return Error
}

// Summary is one line on how the execution went, for a record's state:
// "Succeeded in 1h 2m 5s; quality gate passed".
func (e *Execution) Summary() string {
	s := e.Status
	if e.Duration > 0 {
		s += " in " + HumanDuration(e.Duration)
	}
	var verdicts []string
	for _, m := range e.Models {
		if m.Gate != nil && m.Gate.Verdict != "" {
			verdicts = append(verdicts, m.Gate.Verdict)
		}
	}
	switch len(verdicts) {
	case 0:
	case 1:
		s += "; quality gate " + verdicts[0]
	default:
		s += "; quality gates " + strings.Join(verdicts, ", ")
	}
	return s
}

// HumanDuration is d as people read it: 1h 2m 5s, 4m 10s, 7s.
func HumanDuration(d time.Duration) string {
	d = d.Round(time.Second)
	h, m, s := int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60
	switch {
	case h > 0:
		return fmt.Sprintf("%dh %dm %ds", h, m, s)
	case m > 0:
		return fmt.Sprintf("%dm %ds", m, s)
	}
	return fmt.Sprintf("%ds", s)
}

// Target is one execution smpipe started and follows until it ends, and
// where its results are shown. The JSON fields are what a record keeps.
type Target struct {
	Pipeline  string `json:"pipeline"`
	Execution string `json:"execution"` // its ARN
	Region    string `json:"region"`
	// Comment is where a pull request shows the results; zero for none.
	Comment
	// Commit is the commit the execution runs (the record's ref),
	// Environment the GitHub environment it is recorded in, and
	// Production whether that is the live pipeline's environment rather
	// than a preview's.
	Commit      string `json:"-"`
	Environment string `json:"-"`
	Production  bool   `json:"-"`
}

// Comment is smpipe's comment of Kind (a marker kind: "deploy" on the
// merged pull request) and Label on pull request PR, written for the
// target's commit: where the results are shown.
type Comment struct {
	PR    int    `json:"pr,omitempty"`
	Kind  string `json:"kind,omitempty"`
	Label string `json:"label,omitempty"`
}

// Check says why t is not followed by a reader of region: a record is
// text anyone allowed to write one could have written, so its execution
// must be an execution of its pipeline, in region, before anything is
// read for it.
func (t Target) Check(region string) error {
	if !awsname.Hyphenated(t.Pipeline, 256) {
		return fmt.Errorf("%s is not a pipeline name", strconv.Quote(t.Pipeline))
	}
	m := executionARN().FindStringSubmatch(t.Execution)
	if m == nil || !strings.EqualFold(m[2], t.Pipeline) {
		return fmt.Errorf("%s is not an execution ARN of pipeline %s", strconv.Quote(t.Execution), t.Pipeline)
	}
	if m[1] != region {
		return fmt.Errorf("its execution runs in %s and this run reads %s (set the region to %s to follow it)", m[1], region, m[1])
	}
	return nil
}

// Record is the record of one followed execution.
type Record struct {
	ID     int64
	Target Target
}

// Records keeps the records of followed executions: GitHub deployments
// (ghreport.Deployments).
type Records interface {
	// List returns the records smpipe made, newest first, at most
	// MaxFollowed; only those of commit unless it is empty.
	List(ctx context.Context, commit string) ([]Record, error)
	// State is a record's latest state; "" when it has none.
	State(ctx context.Context, rec Record) (State, error)
	// Create records t, with no state yet.
	Create(ctx context.Context, t Target) (Record, error)
	// SetState gives rec a new state, with a one-line description and a
	// link to the execution.
	SetState(ctx context.Context, rec Record, s State, description, link string) error
}

// Display shows an ended execution's results where its target says: the
// pull request comment (ghreport.ResultComments).
type Display interface {
	Show(ctx context.Context, t Target, e *Execution) error
}

// MaxFollowed bounds the records one run looks at: the newest ones. Each
// costs one SageMaker call per run, and one GitHub call once its
// execution has ended.
const MaxFollowed = 100

// Follower follows executions with a reader and their records.
type Follower struct {
	Reader  *Reader
	Records Records // nil: nothing is recorded
	Display Display // nil: results are shown only through the Outcomes
	// Logf receives a line per execution followed; nil discards.
	Logf func(format string, args ...any)
}

// Outcome is what following one execution came to in a run.
type Outcome struct {
	Target Target
	// Execution is what was read: in Poll, only the status of a running
	// execution; in Track without read, or when the read failed, its name
	// and links only. Nil when Poll found the record reported already or
	// could not read the execution.
	Execution *Execution
	// Reported is set when the execution had ended and this run gave its
	// record its final state, its results shown.
	Reported bool
	// Skipped says why a record was left alone (it names no execution of
	// its pipeline, or one in another region).
	Skipped string
	Err     error
}

// Track records the executions a run started, one record per target
// (per pipeline and commit: a re-run of the run finds its records and
// adds no others), in progress, or in its final state when read is set
// and the execution has already ended (the deploy waited). read also
// reads each execution, so the caller can show its results at once. The
// error is the first the records gave; reading goes on without them.
func (f *Follower) Track(ctx context.Context, commit string, targets []Target, read bool) ([]Outcome, error) {
	out := make([]Outcome, len(targets))
	for i, t := range targets {
		out[i].Target = t
		if read {
			out[i].Execution, out[i].Err = f.Reader.Read(ctx, t.Pipeline, t.Execution)
		}
		if out[i].Execution == nil { // its name and links, to show it running
			out[i].Execution = f.Reader.blank(t.Pipeline, t.Execution)
		}
	}
	if f.Records == nil || len(targets) == 0 {
		return out, nil
	}
	existing, err := f.Records.List(ctx, commit)
	if err != nil {
		return out, err
	}
	for i := range out {
		o := &out[i]
		state, desc := InProgress, "running"
		if e := o.Execution; e != nil && e.Over() {
			state, desc = FinalState(e), e.Summary()
		}
		rec, ok := Record{}, false
		for _, r := range existing {
			if r.Target.Environment == o.Target.Environment && r.Target.Execution == o.Target.Execution {
				rec, ok = r, true
				break
			}
		}
		if ok {
			cur, err := f.Records.State(ctx, rec)
			if err != nil {
				return out, err
			}
			if cur == state || cur.Final() {
				continue // a re-run: recorded as it is, or reported since
			}
		} else if rec, err = f.Records.Create(ctx, o.Target); err != nil {
			return out, err
		}
		if err := f.Records.SetState(ctx, rec, state, desc, f.Reader.link(o.Target.Pipeline, o.Target.Execution)); err != nil {
			return out, err
		}
		o.Reported = state.Final()
	}
	return out, nil
}

// Poll is a report run: it looks at the newest records and, for each
// whose execution has ended and whose record has no final state yet,
// reads the execution, shows its results and gives the record its final
// state, in that order, so a failure to show is retried by the next run
// and a finished record is never reported again. Running executions cost
// no call to the records. The error is for a listing that failed.
func (f *Follower) Poll(ctx context.Context) ([]Outcome, error) {
	if f.Records == nil {
		return nil, ErrNoRecords
	}
	recs, err := f.Records.List(ctx, "")
	if err != nil {
		return nil, err
	}
	var out []Outcome
	seen := map[string]bool{}
	for _, rec := range recs {
		t := rec.Target
		if err := t.Check(f.Reader.Region); err != nil {
			out = append(out, Outcome{Target: t, Skipped: fmt.Sprintf("record %d: %s; left alone", rec.ID, err)})
			continue
		}
		if seen[t.Execution] {
			continue
		}
		seen[t.Execution] = true
		o := f.poll(ctx, rec)
		if o.Execution != nil || o.Err != nil {
			out = append(out, o)
		}
	}
	return out, nil
}

// poll follows one record; an Outcome without Execution and Err means the
// record was final already.
func (f *Follower) poll(ctx context.Context, rec Record) Outcome {
	t := rec.Target
	o := Outcome{Target: t}
	status, err := f.Reader.Status(ctx, t.Execution)
	if err != nil {
		o.Err = err
		return o
	}
	if !over(status) {
		o.Execution = f.Reader.blank(t.Pipeline, t.Execution)
		o.Execution.Status = status
		f.logf("%s: execution %s is %s", t.Pipeline, t.Execution, status)
		return o
	}
	state, err := f.Records.State(ctx, rec)
	if err != nil {
		o.Err = err
		return o
	}
	if state.Final() {
		return o
	}
	e, err := f.Reader.Read(ctx, t.Pipeline, t.Execution)
	if err != nil {
		o.Err = err
		return o
	}
	o.Execution = e
	if f.Display != nil {
		if err := f.Display.Show(ctx, t, e); err != nil {
			o.Err = fmt.Errorf("showing the results of %s: %w", t.Pipeline, err)
			return o
		}
	}
	if err := f.Records.SetState(ctx, rec, FinalState(e), e.Summary(), e.Link()); err != nil {
		o.Err = err
		return o
	}
	o.Reported = true
	f.logf("%s: execution %s %s; reported", t.Pipeline, t.Execution, e.Status)
	return o
}

func (f *Follower) logf(format string, args ...any) {
	if f.Logf != nil {
		f.Logf(format, args...)
	}
}

// link is an execution's page, as Execution.Link gives it, without
// reading the execution.
func (r *Reader) link(pipeline, arn string) string { return r.blank(pipeline, arn).Link() }

// ErrNoRecords is Poll's error when the follower has no records to
// follow.
var ErrNoRecords = errors.New("no records of followed executions")
