package deploy

import (
	"fmt"
	"slices"
	"strings"
)

// Status says what Deploy did with a pipeline's definition, and so what is
// live in SageMaker afterwards.
type Status string

// The statuses a Result can have.
const (
	// StatusCreated: the pipeline did not exist; this run created it with
	// the target's definition, which is live.
	StatusCreated Status = "created"
	// StatusUpdated: this run replaced the live definition (or role) with
	// the target's, which is live.
	StatusUpdated Status = "updated"
	// StatusUnchanged: the target's definition and role were already live.
	StatusUnchanged Status = "unchanged"
	// StatusSkipped: the pipeline was left as it was, for Result.Reason
	// (a newer commit is deployed, or its commit could not be placed).
	StatusSkipped Status = "skipped"
	// StatusRefused: the pipeline was left as it was because it may not be
	// deployed (Result.Reason): not reviewed (Options.Approve), or a live
	// pipeline smpipe did not create for this repository. It fails the run.
	StatusRefused Status = "refused"
	// StatusFailed: nothing changed live (the target was refused, staging
	// failed, or the create or update call failed); see Result.Err.
	StatusFailed Status = "failed"
	// StatusDryRun: nothing was called; the log says what would have been.
	StatusDryRun Status = "dry-run"
)

// Live reports whether the target's definition is what SageMaker runs after
// the deploy.
func (s Status) Live() bool {
	return s == StatusCreated || s == StatusUpdated || s == StatusUnchanged
}

// Start says what Deploy did about an execution of the pipeline.
type Start string

// The start outcomes a Result can have. The zero value reads as NotStarted.
const (
	Started        Start = "started"         // this run started an execution
	AlreadyStarted Start = "already started" // one for this commit and definition existed
	NotStarted     Start = "not started"     // see Result.StartReason
	StartFailed    Start = "start failed"    // see Result.Err; the definition may still be live
)

// Result is the outcome for one target.
type Result struct {
	Pipeline string
	Hash     string // the target's definition hash
	Status   Status
	// Reason says why the pipeline was skipped, e.g. "newer commit
	// 0123456789ab is deployed".
	Reason string
	Start  Start
	// StartReason says why no execution was started, e.g. "definition
	// unchanged since 0123456789ab".
	StartReason string
	// LiveCommit is the commit the pipeline was deployed from before this
	// run (its smpipe:commit tag); empty when it did not exist or carried
	// no tag.
	LiveCommit string
	// Drift is set when the live definition was not the one smpipe had
	// deployed (an edit in the console or through the API).
	Drift       *Drift
	PipelineARN string
	// ExecutionARN is set when an execution was started or found already
	// started.
	ExecutionARN string
	// ExecutionStatus is the last status seen of that execution,
	// "Executing" without waiting.
	ExecutionStatus string
	// FailureReason is the execution's failure reason, when it failed.
	FailureReason string
	Steps         []StepResult // when waited and the steps could be listed
	// Waited is set when this run followed the execution to its end
	// (Options.Wait): only then does its outcome decide Failed. Without
	// waiting, an execution found already started may have ended in
	// failure long ago; a re-run or a reconcile is not a failure for it.
	Waited bool
	// Err is what went wrong, naming the pipeline. It can be set whatever
	// the Status: an update that went live and a start that failed is
	// StatusUpdated, StartFailed and an Err.
	Err      error
	Uploaded int // artifacts written to S3
	Skipped  int // artifacts already present
}

// Summary is one line of plain text saying what is live and what was
// started: DefinitionSummary, StartSummary and drift, e.g. "updated,
// started", "unchanged, not started: definition unchanged since
// 0123456789ab", "skipped: newer commit 0123456789ab is deployed",
// "updated (live), start failed". Errors are not part of it: they name the
// pipeline and are reported on their own.
func (r Result) Summary() string {
	s := r.DefinitionSummary()
	if start := r.StartSummary(); start != "" {
		s += ", " + start
	}
	if r.Drift != nil {
		if r.Drift.Overwritten {
			s += "; drift: the live pipeline had been changed outside smpipe and was replaced"
		} else {
			s += "; drift: the live pipeline was changed outside smpipe"
		}
	}
	return s
}

// DefinitionSummary says what is live: the status, the skip reason, and
// "(live)" when something failed after the definition went live.
func (r Result) DefinitionSummary() string {
	switch r.Status {
	case StatusSkipped:
		if r.Reason != "" {
			return "skipped: " + r.Reason
		}
		return "skipped"
	case StatusFailed:
		return "failed (nothing changed live)"
	case StatusRefused:
		return "refused (nothing changed live)"
	}
	if r.Err != nil || r.Start == StartFailed {
		return string(r.Status) + " (live)"
	}
	return string(r.Status)
}

// StartSummary says what was started, and why not; empty when the
// definition is not live (a skip or a failure starts nothing).
func (r Result) StartSummary() string {
	if !r.Status.Live() {
		return ""
	}
	switch r.Start {
	case Started, AlreadyStarted, StartFailed:
		return string(r.Start)
	}
	if r.StartReason != "" {
		return string(NotStarted) + ": " + r.StartReason
	}
	return string(NotStarted)
}

// Drift describes a live definition edited outside smpipe: its canonical
// hash differs from the smpipe:definition-hash tag smpipe wrote with it.
type Drift struct {
	Live     []byte // the live definition as SageMaker returned it
	LiveHash string // "sha256:<hex>" of Live, compacted
	LiveRole string
	// RecordedCommit is the commit that, by the pipeline's tags, made the
	// live definition live; RecordedHash and RecordedRole are what it
	// compiles to, what smpipe put live. Without git (Options.Recorded nil)
	// only RecordedHash is set, from the smpipe:definition-hash tag.
	RecordedCommit, RecordedHash, RecordedRole string
	// Unverified says why the record could not be checked (no record, a
	// commit outside the history, an adopted pipeline): the live pipeline
	// is then reported as possibly edited.
	Unverified string
	// Repository and RepositoryRole are the target's, which replaced the
	// live ones unless the pipeline was skipped or refused.
	Repository     []byte
	RepositoryRole string
	// Overwritten reports whether this run replaced Live.
	Overwritten bool
}

// RoleChanged reports whether the live role is not the recorded one.
func (d *Drift) RoleChanged() bool {
	return d.Unverified == "" && d.RecordedRole != "" && d.LiveRole != d.RecordedRole
}

// Summary says in one line what drifted.
func (d *Drift) Summary() string {
	if d.Unverified != "" {
		return "the live pipeline cannot be checked against smpipe's record (" + d.Unverified + ")"
	}
	var what []string
	if d.LiveHash != d.RecordedHash {
		what = append(what, fmt.Sprintf("its definition (%s, not %s)", shortHash(d.LiveHash), shortHash(d.RecordedHash)))
	}
	if d.RoleChanged() {
		what = append(what, fmt.Sprintf("its role (%q, not %q)", d.LiveRole, d.RecordedRole))
	}
	from := "what smpipe deployed"
	if d.RecordedCommit != "" {
		from = "what commit " + short(d.RecordedCommit) + " deployed"
	}
	return "the live pipeline was changed outside smpipe: " + strings.Join(what, " and ") + " differ from " + from
}

func shortHash(h string) string {
	if h == "" {
		return "not JSON"
	}
	return "sha256:" + short(strings.TrimPrefix(h, "sha256:"))
}

// StepResult is the final state of one pipeline step.
type StepResult struct {
	Name          string
	Status        string
	FailureReason string
	JobARN        string // training, processing, transform, model or model-package ARN
	CacheHit      bool
}

// Failed reports whether any result failed.
func Failed(results []Result) bool { return slices.ContainsFunc(results, Result.Failed) }

// Failed reports whether the pipeline's deploy failed: an error, a failed
// start, or an execution this run waited for that did not succeed. A skip
// because a newer commit is deployed is not a failure.
func (r Result) Failed() bool {
	if r.Status == StatusFailed || r.Status == StatusRefused || r.Start == StartFailed || r.Err != nil {
		return true
	}
	if !r.Waited {
		return false
	}
	switch r.ExecutionStatus {
	case "Failed", "Stopped", "CompletedWithFailures":
		return true
	}
	return false
}
