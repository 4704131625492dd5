package deploy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sagemaker"

	"github.com/smpipe/smpipe-action/internal/awsname"
	"github.com/smpipe/smpipe-action/internal/defhash"
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

	// Adopt names pipelines that exist in SageMaker without this
	// Repository's smpipe:repository tag (made by hand, by another
	// repository or by another tool) that this deploy may take over. Any
	// other such pipeline is refused and left alone. Names compare without
	// regard to case, as SageMaker's do.
	Adopt []string
	// Approve is asked once, with the pipelines whose deploy would change
	// SageMaker (create one, or change its definition or role), which of
	// them must not be deployed; it returns those with the reason. A
	// pipeline already live as the target is not asked about: nothing of it
	// changes. Nil approves every one, as when a person deploys from a
	// laptop. An error refuses them all.
	Approve func(ctx context.Context, pipelines []string) (refused map[string]string, err error)
	// Recorded compiles a pipeline as the commit its tags say made the
	// live definition live: what smpipe put there, from a record the
	// console cannot edit (git). Drift is judged against it, the live
	// definition and role both. Nil falls back to the smpipe:definition-hash
	// tag, which anyone allowed sagemaker:AddTags can rewrite.
	Recorded func(ctx context.Context, commit, pipeline string) (Recorded, error)

	// Preview marks a preview deploy, a pull request's pipelines trained
	// before it merges: its value, the preview's name such as "pr12", is
	// written in the smpipe:preview tag and is part of ownership. A live
	// pipeline is this deploy's own only when its smpipe:preview tag equals
	// Preview, so a preview never replaces a production pipeline nor
	// another preview, and a production deploy (Preview empty) never
	// replaces a preview. A preview follows its pull request's head
	// wherever it goes, force-pushes included: the commit order is not
	// checked.
	Preview string
	// Tags are written, besides smpipe's own, on every pipeline this deploy
	// creates or updates (a preview's pull request number).
	Tags map[string]string
	// StartKey, when set, starts an execution at every deploy with a new
	// key, whether or not the definition changed: the key joins the start's
	// request token, so a re-run with the same key still starts once. A
	// preview passes its workflow run, so that asking again runs again.
	StartKey string
}

// Recorded is a pipeline as a commit compiles it.
type Recorded struct {
	Definition []byte
	Role       string
}

// Deploy converges each target with SageMaker, at most Concurrency at a
// time (see the package documentation for the steps). Results are in the
// order of targets. A failing target does not stop the others. Use Failed
// to decide the exit status.
//
// It works in passes: every target's live pipeline is read and judged
// (order, ownership, drift) with read-only calls; Options.Approve is asked
// once about the targets whose deploy would change SageMaker; the approved
// ones are staged, upserted and started; then, with Options.Wait, every
// started execution is followed at once. Waiting is the last pass so that
// a long execution never holds back the deploy of another pipeline.
func (d *Deployer) Deploy(ctx context.Context, targets []Target, opts Options) []Result {
	results := make([]Result, len(targets))
	region, regionErr := d.region(opts)
	assessed := make([]*assessment, len(targets))
	d.each(len(targets), func(i int) {
		assessed[i] = d.assess(ctx, targets[i], opts, region, regionErr, &results[i])
	})
	d.approve(ctx, targets, opts, assessed, results)
	d.each(len(targets), func(i int) {
		if assessed[i] != nil {
			d.apply(ctx, targets[i], opts, assessed[i], &results[i])
		}
	})
	if opts.Wait {
		d.eachUpTo(len(targets), len(targets), func(i int) { d.follow(ctx, targets[i], opts, &results[i]) })
	}
	return results
}

// each runs f(0..n-1), Concurrency at a time.
func (d *Deployer) each(n int, f func(i int)) {
	d.eachUpTo(n, d.Concurrency, f)
}

// eachUpTo runs f(0..n-1), limit at a time (4 when limit is not positive).
func (d *Deployer) eachUpTo(n, limit int, f func(i int)) {
	if limit <= 0 {
		limit = 4
	}
	sem := make(chan struct{}, limit)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			f(i)
		}()
	}
	wg.Wait()
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

// assessment is what the first pass learnt of a target that goes on.
type assessment struct {
	live live
	// writes: deploying it creates the pipeline or changes its definition
	// or role.
	writes bool
}

// assess checks a target and reads and judges its live pipeline, with
// read-only calls. It fills r and returns nil when the target stops here
// (refused, skipped, failed, or a dry run).
func (d *Deployer) assess(ctx context.Context, t Target, opts Options, region string, regionErr error, r *Result) *assessment {
	lg := d.logger(t)
	*r = Result{Pipeline: t.Pipeline, Hash: t.Hash, Start: NotStarted}
	fail := func(err error) *assessment {
		r.fail(lg, err)
		return nil
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
		return nil
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	lv, err := readLive(ctx, d.SageMaker, t.Pipeline)
	if err != nil {
		return fail(err)
	}
	r.PipelineARN, r.LiveCommit = lv.arn, lv.commit
	adopted := lv.exists && !lv.ownedBy(opts.Repository, opts.Preview) && slices.ContainsFunc(opts.Adopt, func(n string) bool { return strings.EqualFold(n, t.Pipeline) })
	if lv.exists && !lv.ownedBy(opts.Repository, opts.Preview) && !adopted {
		r.refuse(lg, lv.notOurs(t.Pipeline, opts.Repository, opts.Preview))
		return nil
	}
	if !adopted {
		if reason, err := d.checkOrder(ctx, lg, lv, opts); reason != "" {
			r.Status, r.Reason = StatusSkipped, reason
			if err != nil {
				r.Err = fmt.Errorf("pipeline %q: %w", t.Pipeline, err)
			}
			lg.printf("skipped: %s", reason)
			return nil
		}
	}
	a := &assessment{live: lv, writes: !lv.exists || !lv.holds(t)}
	if a.writes && lv.exists {
		// Only a pipeline this deploy would change needs the record checked
		// (one already live as the target has nothing to report or replace),
		// and only one it may move: a newer commit's run judged the others.
		if r.Drift = d.drift(ctx, lv, t, opts, adopted); r.Drift != nil {
			lg.printf("drift: %s", r.Drift.Summary())
		}
	}
	return a
}

// approve asks Options.Approve about the targets that would change
// SageMaker, once, and refuses those it names.
func (d *Deployer) approve(ctx context.Context, targets []Target, opts Options, assessed []*assessment, results []Result) {
	if opts.Approve == nil {
		return
	}
	var ask []string
	for i, a := range assessed {
		if a != nil && a.writes {
			ask = append(ask, targets[i].Pipeline)
		}
	}
	if len(ask) == 0 {
		return
	}
	refused, err := opts.Approve(ctx, ask)
	for i, a := range assessed {
		if a == nil || !a.writes {
			continue
		}
		lg := d.logger(targets[i])
		switch reason, no := refused[targets[i].Pipeline]; {
		case err != nil:
			results[i].fail(lg, fmt.Errorf("could not tell whether it may be deployed (nothing was deployed): %w", err))
		case no:
			results[i].refuse(lg, reason)
		default:
			continue
		}
		assessed[i] = nil
	}
}

// apply stages, upserts and starts an approved target and, with Wait,
// follows its execution.
func (d *Deployer) apply(ctx context.Context, t Target, opts Options, a *assessment, r *Result) {
	lg := d.logger(t)
	up, ok := d.converge(ctx, lg, t, opts, a, r)
	if !ok {
		return
	}
	if !opts.Start {
		r.StartReason = "starting executions is turned off"
		return
	}
	s, err := d.start(ctx, lg, t, up, opts)
	r.Start, r.StartReason = s.start, s.reason
	if err != nil {
		r.Start = StartFailed
		r.Err = errors.Join(r.Err, fmt.Errorf("pipeline %q: %s is live, but %w", t.Pipeline, t.Hash, err))
		lg.printf("start failed: %v", err)
		return
	}
	r.ExecutionARN, r.ExecutionStatus = s.arn, s.status
}

// follow waits for the execution apply started or found (Options.Wait).
// An execution found already ended is read once all the same: its steps
// and failure reason are what waiting for it reports.
func (d *Deployer) follow(ctx context.Context, t Target, opts Options, r *Result) {
	if r.ExecutionARN == "" || (r.Start != Started && r.Start != AlreadyStarted) {
		return
	}
	lg := d.logger(t)
	w, err := d.wait(ctx, lg, r.ExecutionARN, opts.WaitTimeout)
	r.ExecutionStatus, r.FailureReason, r.Steps, r.Waited = w.status, w.failureReason, w.steps, true
	if err != nil {
		r.Err = errors.Join(r.Err, fmt.Errorf("pipeline %q: %w", t.Pipeline, err))
		lg.printf("failed: %v", err)
	}
}

// converge makes the live pipeline the target's: it stages and upserts. It
// fills r and reports whether to go on and start.
func (d *Deployer) converge(ctx context.Context, lg *logger, t Target, opts Options, a *assessment, r *Result) (upserted, bool) {
	fail := func(err error) (upserted, bool) {
		r.fail(lg, err)
		return upserted{}, false
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	st, err := d.stage(ctx, lg, t, opts)
	r.Uploaded, r.Skipped = st.uploaded, st.skipped
	if err != nil {
		return fail(fmt.Errorf("staging (nothing was deployed): %w", err))
	}
	lv := a.live
	for attempt := 0; ; attempt++ {
		up, err := d.upsert(ctx, lg, t, lv, st, opts)
		if errors.Is(err, errCreatedMeanwhile) && attempt == 0 {
			// A create that lost to another writer compares again with what
			// that writer made; once is enough.
			lg.printf("created meanwhile by another run; comparing with it again")
			if lv, err = readLive(ctx, d.SageMaker, t.Pipeline); err != nil {
				return fail(err)
			}
			if !lv.ownedBy(opts.Repository, opts.Preview) {
				r.refuse(lg, lv.notOurs(t.Pipeline, opts.Repository, opts.Preview))
				return upserted{}, false
			}
			if reason, err := d.checkOrder(ctx, lg, lv, opts); reason != "" {
				r.Status, r.Reason = StatusSkipped, reason
				if err != nil {
					r.Err = fmt.Errorf("pipeline %q: %w", t.Pipeline, err)
				}
				lg.printf("skipped: %s", reason)
				return upserted{}, false
			}
			r.PipelineARN, r.LiveCommit = lv.arn, lv.commit
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

// refuse marks r refused with nothing changed live.
func (r *Result) refuse(lg *logger, reason string) {
	r.Status, r.Reason = StatusRefused, reason
	r.Err = fmt.Errorf("pipeline %q not deployed: %s", r.Pipeline, reason)
	lg.printf("refused: %s", reason)
}

func (d *Deployer) logger(t Target) *logger {
	return &logger{d: d, prefix: fmt.Sprintf("pipeline %q: ", t.Pipeline)}
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
	if want := defhash.Of(t.Definition); t.Hash != want {
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
