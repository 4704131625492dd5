package deploy

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"github.com/smpipe/smpipe-action/internal/awsname"
	"github.com/smpipe/smpipe-action/internal/sleep"
	"io"
	"io/fs"
	"strings"
	"sync"
	"time"
)

// Deployer deploys targets with the clients it holds. The zero values of
// the optional fields are usable defaults.
type Deployer struct {
	SageMaker SageMakerAPI
	S3        S3API
	// Root is the repository, for artifacts with a Path and no Body.
	Root fs.FS
	// Log receives one progress line per action; nil discards. Lines quote
	// names from the repository with %q so that they cannot forge lines or
	// workflow commands. Credentials and tokens are never written.
	Log io.Writer
	// Sleep waits between polls and retries; default a timer honouring ctx.
	Sleep func(context.Context, time.Duration) error
	// Now is the clock for wait timeouts; default time.Now.
	Now func() time.Time
	// Concurrency is how many targets are deployed at once; default 4.
	Concurrency int
	// PollInterval and MaxPollInterval bound execution polling; defaults
	// DefaultPollInterval and DefaultMaxPollInterval.
	PollInterval, MaxPollInterval time.Duration

	logMu sync.Mutex
}

// Options say what Deploy does beyond the upsert.
type Options struct {
	CommitSHA  string // the merged commit; part of the request token and tags
	Repository string // "owner/name", for tags
	Version    string // smpipe's version, for tags
	Start      bool   // start an execution after the upsert
	Wait       bool   // wait for the execution to finish (needs Start)
	// WaitTimeout bounds each wait; zero means no limit.
	WaitTimeout time.Duration
	// DryRun prints every call that would be made and makes none.
	DryRun   bool
	KMSKeyID string // SSE-KMS key for uploads; empty leaves the bucket default
	// AccountID, when known, is sent as ExpectedBucketOwner on every S3 call.
	AccountID string
}

// Deploy stages, upserts, starts and (with Wait) waits for each target, at
// most Concurrency at a time. Results are in the order of targets. A failing
// target does not stop the others, and a target whose staging failed is
// neither upserted nor started. Use Failed to decide the exit status.
func (d *Deployer) Deploy(ctx context.Context, targets []Target, opts Options) []Result {
	results := make([]Result, len(targets))
	n := d.Concurrency
	if n <= 0 {
		n = 4
	}
	sem := make(chan struct{}, n)
	var wg sync.WaitGroup
	for i, t := range targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			results[i] = d.deployOne(ctx, t, opts)
		}()
	}
	wg.Wait()
	return results
}

func (d *Deployer) deployOne(ctx context.Context, t Target, opts Options) Result {
	lg := &logger{d: d, prefix: fmt.Sprintf("pipeline %q: ", t.Pipeline)}
	r := Result{Pipeline: t.Pipeline, Hash: t.Hash}
	fail := func(err error) Result {
		r.Status = StatusFailed
		r.Err = fmt.Errorf("pipeline %q: %w", t.Pipeline, err)
		lg.printf("failed: %v", err)
		return r
	}
	if err := validateTarget(t); err != nil {
		return fail(err)
	}
	if opts.DryRun {
		d.dryRun(lg, t, opts)
		r.Status = StatusDryRun
		return r
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}

	st, err := d.stage(ctx, lg, t, opts)
	r.Uploaded, r.Skipped = st.uploaded, st.skipped
	if err != nil {
		return fail(fmt.Errorf("staging (nothing was deployed): %w", err))
	}
	up, err := d.upsert(ctx, lg, t, st, opts)
	if err != nil {
		return fail(err)
	}
	r.Status, r.PipelineARN = up.status, up.arn
	if !opts.Start {
		return r
	}
	s, err := d.start(ctx, lg, t, up, opts)
	if err != nil {
		return fail(err)
	}
	r.ExecutionARN, r.ExecutionStatus, r.AlreadyStarted = s.arn, s.status, s.already
	if !opts.Wait || terminal(s.status) {
		return r
	}
	w, err := d.wait(ctx, lg, s.arn, opts.WaitTimeout)
	r.ExecutionStatus, r.FailureReason, r.Steps = w.status, w.failureReason, w.steps
	if err != nil {
		return fail(err)
	}
	return r
}

// validateTarget refuses targets that cannot be deployed as given.
func validateTarget(t Target) error {
	if !awsname.Hyphenated(t.Pipeline, 256) {
		return errors.New("not a valid SageMaker pipeline name (letters, digits and inner hyphens, at most 256)")
	}
	if t.RoleArn == "" {
		return errors.New("no pipeline role ARN")
	}
	sum := sha256.Sum256(t.Definition)
	if want := "sha256:" + hex.EncodeToString(sum[:]); t.Hash != want {
		return fmt.Errorf("definition hash %q does not match the definition (%s)", t.Hash, want)
	}
	if _, err := decodeJSON(t.Definition); err != nil {
		return fmt.Errorf("definition is not JSON: %w", err)
	}
	if len(t.Definition) >= MaxInlineDefinition && t.Bucket == "" {
		return fmt.Errorf("definition is %d bytes, which must be staged to S3, but no bucket is set", len(t.Definition))
	}
	for _, a := range t.Artifacts {
		if a.Bucket == "" || a.Key == "" {
			return fmt.Errorf("artifact %q has no S3 bucket or key", a.Path)
		}
		if a.Body == nil && a.Path == "" {
			return fmt.Errorf("artifact s3://%s/%s has neither content nor a path", a.Bucket, a.Key)
		}
	}
	return nil
}

func (d *Deployer) sleep(ctx context.Context, dur time.Duration) error {
	if d.Sleep != nil {
		return d.Sleep(ctx, dur)
	}
	return sleep.Context(ctx, dur)
}

func (d *Deployer) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

func (d *Deployer) pollInterval() time.Duration {
	if d.PollInterval > 0 {
		return d.PollInterval
	}
	return DefaultPollInterval
}

func (d *Deployer) maxPollInterval() time.Duration {
	if d.MaxPollInterval > 0 {
		return d.MaxPollInterval
	}
	return DefaultMaxPollInterval
}

var lineBreaks = strings.NewReplacer("\r\n", `\n`, "\n", `\n`, "\r", `\r`, "\u2028", " ", "\u2029", " ")

// logger writes whole lines for one target; lines of concurrent targets
// never interleave.
type logger struct {
	d      *Deployer
	prefix string
}

func (l *logger) printf(format string, args ...any) {
	if l.d.Log == nil {
		return
	}
	// Errors from AWS may echo text from the repository: keep each entry on
	// one line so nothing in it can start a workflow command.
	line := lineBreaks.Replace(l.prefix+fmt.Sprintf(format, args...)) + "\n"
	l.d.logMu.Lock()
	defer l.d.logMu.Unlock()
	_, _ = io.WriteString(l.d.Log, line)
}
