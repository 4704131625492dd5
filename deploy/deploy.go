package deploy

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sagemaker"

	"github.com/smpipe/smpipe-action/internal/awsname"
	"github.com/smpipe/smpipe-action/internal/sleep"
)

// Deployer deploys targets with the clients it holds. The zero values of
// the optional fields are usable defaults.
type Deployer struct {
	// SageMaker and S3 are the clients; build them with NewClients so that
	// AWS calls are retried by the one policy it sets.
	SageMaker SageMakerAPI
	S3        S3API
	// Root is the repository, for artifacts with a Path: a
	// workspace.Root (or a file system following the same rules), so
	// that a data file is read again from inside the repository only.
	Root fs.FS
	// Log receives one progress line per action; nil discards. Lines quote
	// names from the repository with %q so that they cannot forge lines or
	// workflow commands. Credentials and tokens are never written.
	Log io.Writer
	// Sleep waits between polls of a running execution; default a timer
	// honouring ctx.
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
	CommitSHA  string // the commit deployed; part of the request token and tags
	Repository string // "owner/name", for tags
	Version    string // smpipe's version, for tags
	// Region is the region deployed to, for a SageMaker client that does
	// not tell its own (a *sagemaker.Client does; then Region must be empty
	// or equal). A target compiled for another region is refused before
	// anything is called.
	Region string
	// IsAncestor reports whether commit ancestor is commit or one of its
	// ancestors; gitrev.Repo.IsAncestor implements it. Deploy uses it to
	// never move a pipeline from a newer commit back to an older one. Nil
	// skips that check (the log says so): every caller in smpipe sets it.
	IsAncestor func(ctx context.Context, ancestor, commit string) (bool, error)
	Start      bool // start an execution when the policy in start.go says so
	Wait       bool // wait for the execution to finish (needs Start)
	// WaitTimeout bounds each wait; zero means no limit.
	WaitTimeout time.Duration
	// DryRun prints every call that would be made and makes none.
	DryRun   bool
	KMSKeyID string // SSE-KMS key for uploads; empty leaves the bucket default
	// AccountID, when known, is sent as ExpectedBucketOwner on every S3 call.
	AccountID string
}

// Deploy converges each target with SageMaker, at most Concurrency at a
// time (see the package documentation for the steps). Results are in the
// order of targets. A failing target does not stop the others. Use Failed
// to decide the exit status.
func (d *Deployer) Deploy(ctx context.Context, targets []Target, opts Options) []Result {
	results := make([]Result, len(targets))
	n := d.Concurrency
	if n <= 0 {
		n = 4
	}
	region, regionErr := d.region(opts)
	sem := make(chan struct{}, n)
	var wg sync.WaitGroup
	for i, t := range targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			results[i] = d.deployOne(ctx, t, opts, region, regionErr)
		}()
	}
	wg.Wait()
	return results
}

// region is the region the deploy goes to: the SageMaker client's (a
// *sagemaker.Client tells), else Options.Region. Both set and different is
// an error: the calls would go elsewhere than the caller believes.
func (d *Deployer) region(opts Options) (string, error) {
	client := ""
	if c, ok := d.SageMaker.(interface{ Options() sagemaker.Options }); ok {
		client = c.Options().Region
	}
	switch {
	case client != "" && opts.Region != "" && client != opts.Region:
		return "", fmt.Errorf("the deploy is set to region %s but its SageMaker client calls %s (nothing was deployed)", opts.Region, client)
	case client != "":
		return client, nil
	}
	return opts.Region, nil
}

func (d *Deployer) deployOne(ctx context.Context, t Target, opts Options, region string, regionErr error) Result {
	lg := &logger{d: d, prefix: fmt.Sprintf("pipeline %q: ", t.Pipeline)}
	r := Result{Pipeline: t.Pipeline, Hash: t.Hash, Start: NotStarted}
	fail := func(err error) Result {
		r.fail(lg, err)
		return r
	}
	if err := validateTarget(t); err != nil {
		return fail(err)
	}
	if regionErr != nil {
		return fail(regionErr)
	}
	if err := checkRegion(t, region, opts.DryRun); err != nil {
		return fail(err)
	}
	if opts.DryRun {
		d.dryRun(lg, t, opts)
		r.Status, r.Start = StatusDryRun, ""
		return r
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}

	up, ok := d.converge(ctx, lg, t, opts, &r)
	if !ok {
		return r
	}
	if !opts.Start {
		r.StartReason = "starting executions is turned off"
		return r
	}
	s, err := d.start(ctx, lg, t, up, opts)
	r.Start, r.StartReason = s.start, s.reason
	if err != nil {
		r.Start = StartFailed
		r.Err = errors.Join(r.Err, fmt.Errorf("pipeline %q: %s is live, but %w", t.Pipeline, t.Hash, err))
		lg.printf("start failed: %v", err)
		return r
	}
	r.ExecutionARN, r.ExecutionStatus = s.arn, s.status
	if !opts.Wait || s.arn == "" || terminal(s.status) {
		return r
	}
	w, err := d.wait(ctx, lg, s.arn, opts.WaitTimeout)
	r.ExecutionStatus, r.FailureReason, r.Steps = w.status, w.failureReason, w.steps
	if err != nil {
		r.Err = errors.Join(r.Err, fmt.Errorf("pipeline %q: %w", t.Pipeline, err))
		lg.printf("failed: %v", err)
	}
	return r
}

// converge makes the live pipeline the target's, unless it is to be left
// alone: it reads the live pipeline, checks the commit order, notes drift,
// stages and upserts. It fills r and reports whether to go on and start.
func (d *Deployer) converge(ctx context.Context, lg *logger, t Target, opts Options, r *Result) (upserted, bool) {
	fail := func(err error) (upserted, bool) {
		r.fail(lg, err)
		return upserted{}, false
	}
	var st staged
	// A create that loses to another writer compares again with what that
	// writer made, so its commit is checked too; once is enough.
	for attempt := 0; ; attempt++ {
		lv, err := readLive(ctx, d.SageMaker, t.Pipeline)
		if err != nil {
			return fail(err)
		}
		r.PipelineARN, r.LiveCommit, r.Drift = lv.arn, lv.commit, lv.drift(t)
		if reason, err := d.checkOrder(ctx, lg, lv, opts); reason != "" {
			r.Status, r.Reason = StatusSkipped, reason
			if err != nil {
				r.Err = fmt.Errorf("pipeline %q: %w", t.Pipeline, err)
			}
			lg.printf("skipped: %s", reason)
			return upserted{}, false
		}
		if r.Drift != nil {
			lg.printf("drift: the live definition (%s) is not the one smpipe deployed (%s): it was edited outside smpipe; replacing it with the repository's",
				r.Drift.LiveHash, r.Drift.TaggedHash)
		}
		if attempt == 0 { // the artifacts are the same on the second pass
			st, err = d.stage(ctx, lg, t, opts)
			r.Uploaded, r.Skipped = st.uploaded, st.skipped
			if err != nil {
				return fail(fmt.Errorf("staging (nothing was deployed): %w", err))
			}
		}
		up, err := d.upsert(ctx, lg, t, lv, st, opts)
		if errors.Is(err, errCreatedMeanwhile) && attempt == 0 {
			lg.printf("created meanwhile by another run; comparing with it again")
			continue
		}
		if err != nil && !up.status.Live() {
			return fail(err)
		}
		r.Status, r.PipelineARN = up.status, up.arn
		if r.Drift != nil {
			r.Drift.Overwritten = up.status == StatusUpdated
		}
		if err != nil {
			// Live, but its record is not: go on, and fail the run.
			r.Err = fmt.Errorf("pipeline %q: %w", t.Pipeline, err)
			lg.printf("warning: %v", err)
		}
		return up, true
	}
}

// fail marks r failed with nothing changed live.
func (r *Result) fail(lg *logger, err error) {
	r.Status = StatusFailed
	r.Err = fmt.Errorf("pipeline %q: %w", r.Pipeline, err)
	lg.printf("failed: %v", err)
}

// validateTarget refuses targets that cannot be deployed as given.
func validateTarget(t Target) error {
	if !awsname.Hyphenated(t.Pipeline, 256) {
		return errors.New("not a valid SageMaker pipeline name (letters, digits and inner hyphens, at most 256)")
	}
	if t.RoleArn == "" {
		return errors.New("no pipeline role ARN")
	}
	if t.Region == "" {
		return errors.New("the target names no region it was compiled for")
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
		if (a.File == "") == (a.Path == "") || (a.File != "" && !filepath.IsAbs(a.File)) {
			return fmt.Errorf("artifact s3://%s/%s needs either an absolute built file or a repository path", a.Bucket, a.Key)
		}
		if a.Path != "" && !fs.ValidPath(a.Path) {
			return fmt.Errorf("artifact s3://%s/%s: %q is not a slash-separated path inside the repository", a.Bucket, a.Key, a.Path)
		}
	}
	return nil
}

// checkRegion refuses a target compiled for another region than the one
// deployed to: its image URIs and SAGEMAKER_REGION would point elsewhere.
// A dry run without clients has no region to compare with.
func checkRegion(t Target, region string, dryRun bool) error {
	switch {
	case region == "" && dryRun:
		return nil
	case region == "":
		return fmt.Errorf("cannot tell which region the SageMaker client deploys to, so cannot check that it is %s, "+
			"the region the pipeline was compiled for; set the deploy's region", t.Region)
	case region != t.Region:
		return fmt.Errorf("compiled for region %s but the deploy goes to %s: its image URIs and SAGEMAKER_REGION "+
			"would be wrong there; compile and deploy with the same region (nothing was deployed)", t.Region, region)
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
