package deploy

// Status says what Deploy did with a pipeline.
type Status string

// The statuses a Result can have.
const (
	StatusCreated   Status = "created"
	StatusUpdated   Status = "updated"
	StatusUnchanged Status = "unchanged"
	StatusFailed    Status = "failed"
	StatusDryRun    Status = "dry-run"
)

// Result is the outcome for one target.
type Result struct {
	Pipeline     string
	Status       Status
	Hash         string // the target's definition hash
	PipelineARN  string
	ExecutionARN string
	// ExecutionStatus is set when an execution was started (or found already
	// started): the last status seen, "Executing" without --wait.
	ExecutionStatus string
	// FailureReason is the execution's failure reason, when it failed.
	FailureReason string
	// AlreadyStarted is true when the execution for this commit and
	// definition existed before this run, so none was started.
	AlreadyStarted bool
	Steps          []StepResult // when waited and the steps could be listed
	Err            error
	Uploaded       int // artifacts written to S3
	Skipped        int // artifacts already present
}

// StepResult is the final state of one pipeline step.
type StepResult struct {
	Name          string
	Status        string
	FailureReason string
	JobARN        string // training, processing, transform, model or model-package ARN
	CacheHit      bool
}

// Failed reports whether any result failed (or its execution did not succeed).
func Failed(results []Result) bool {
	for _, r := range results {
		if r.Status == StatusFailed || r.Err != nil {
			return true
		}
		switch r.ExecutionStatus {
		case "Failed", "Stopped", "CompletedWithFailures":
			return true
		}
	}
	return false
}
