package preview

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/smpipe/smpipe-action/deploy"
	"github.com/smpipe/smpipe-action/internal/sleep"
)

// SageMakerAPI is the part of *sagemaker.Client clean-up calls.
type SageMakerAPI interface {
	ListPipelines(ctx context.Context, in *sagemaker.ListPipelinesInput, optFns ...func(*sagemaker.Options)) (*sagemaker.ListPipelinesOutput, error)
	ListTags(ctx context.Context, in *sagemaker.ListTagsInput, optFns ...func(*sagemaker.Options)) (*sagemaker.ListTagsOutput, error)
	ListPipelineExecutions(ctx context.Context, in *sagemaker.ListPipelineExecutionsInput, optFns ...func(*sagemaker.Options)) (*sagemaker.ListPipelineExecutionsOutput, error)
	DescribePipelineExecution(ctx context.Context, in *sagemaker.DescribePipelineExecutionInput, optFns ...func(*sagemaker.Options)) (*sagemaker.DescribePipelineExecutionOutput, error)
	StopPipelineExecution(ctx context.Context, in *sagemaker.StopPipelineExecutionInput, optFns ...func(*sagemaker.Options)) (*sagemaker.StopPipelineExecutionOutput, error)
	DeletePipeline(ctx context.Context, in *sagemaker.DeletePipelineInput, optFns ...func(*sagemaker.Options)) (*sagemaker.DeletePipelineOutput, error)
}

var _ SageMakerAPI = (*sagemaker.Client)(nil)

// Pipeline is a preview pipeline of the repository, as its tags say.
type Pipeline struct {
	Name, ARN string
	Preview   string // the smpipe:preview tag: "pr12", or a --name
	PR        int    // the smpipe:pull-request tag; 0 when it has none
	// Created tells this pipeline from an earlier one of the same name
	// (a preview deleted and made again): its deletion is a request of
	// its own.
	Created time.Time
}

// Of reports whether p is pull request pr's preview: its name, its
// smpipe:preview tag and its smpipe:pull-request tag all say so.
func (p Pipeline) Of(pr int) bool {
	return pr > 0 && p.PR == pr && p.Preview == Suffix(pr) && strings.HasSuffix(strings.ToLower(p.Name), "-"+Suffix(pr))
}

// Named reports whether p is the preview called suffix.
func (p Pipeline) Named(suffix string) bool {
	return suffix != "" && p.Preview == suffix && strings.HasSuffix(strings.ToLower(p.Name), "-"+strings.ToLower(suffix))
}

// ForPullRequest accepts the names a preview of pull request pr can have.
func ForPullRequest(pr int) func(name string) bool {
	end := "-" + Suffix(pr)
	return func(name string) bool { return strings.HasSuffix(strings.ToLower(name), end) }
}

// ForName accepts the names the preview called suffix can have.
func ForName(suffix string) func(name string) bool {
	end := "-" + strings.ToLower(suffix)
	return func(name string) bool { return strings.HasSuffix(strings.ToLower(name), end) }
}

var anyPullRequest = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`-pr[0-9]+$`) })

// AnyPullRequest accepts the names a preview of some pull request can have.
func AnyPullRequest(name string) bool { return anyPullRequest().MatchString(strings.ToLower(name)) }

// List finds the previews of repository among the pipelines of the account
// and region whose names candidate accepts, sorted by name: every pipeline
// is listed (all pages), and the tags of each candidate are read. A pipeline whose
// smpipe:repository tag names another repository, or that has no
// smpipe:preview tag, is not a preview of repository and is left out.
func List(ctx context.Context, sm SageMakerAPI, repository string, candidate func(name string) bool) ([]Pipeline, error) {
	var out []Pipeline
	p := sagemaker.NewListPipelinesPaginator(sm, &sagemaker.ListPipelinesInput{MaxResults: aws.Int32(100)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing the pipelines to find previews: %w", err)
		}
		for _, s := range page.PipelineSummaries {
			name, arn := aws.ToString(s.PipelineName), aws.ToString(s.PipelineArn)
			if !candidate(name) {
				continue
			}
			tags, err := deploy.ListTags(ctx, sm, arn)
			if err != nil {
				return nil, err
			}
			if repository == "" || !strings.EqualFold(tags[deploy.TagRepository], repository) || tags[deploy.TagPreview] == "" {
				continue
			}
			pr, _ := strconv.Atoi(tags[TagPullRequest])
			out = append(out, Pipeline{Name: name, ARN: arn, Preview: tags[deploy.TagPreview], PR: max(pr, 0), Created: aws.ToTime(s.CreationTime)})
		}
	}
	slices.SortFunc(out, func(a, b Pipeline) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// Deleter deletes previews: it stops their running executions, waits for
// them to stop, and deletes the pipelines (SageMaker deletes a pipeline
// only when nothing of it runs).
type Deleter struct {
	SageMaker SageMakerAPI
	// Log receives one line per action; nil discards.
	Log io.Writer
	// Sleep waits between polls of a stopping execution; default a timer
	// honouring ctx.
	Sleep func(context.Context, time.Duration) error
	// StopTimeout bounds the wait for executions to stop; default 10
	// minutes. A pipeline still stopping then is left for the next
	// clean-up, which the scheduled report run makes.
	StopTimeout time.Duration
}

// Deleted is what happened to one preview.
type Deleted struct {
	Pipeline
	// Stopped lists the executions that were running and were stopped.
	Stopped []string
	// Err is why the pipeline is still there; nil when it was deleted (or
	// was already gone).
	Err error
}

// maxStopPoll is the longest wait between two looks at a stopping
// execution.
const maxStopPoll = 30 * time.Second

// Delete deletes p, stopping what runs of it first.
func (d *Deleter) Delete(ctx context.Context, p Pipeline) Deleted {
	out := Deleted{Pipeline: p}
	running, err := d.running(ctx, p.Name)
	if err != nil {
		out.Err = err
		return out
	}
	for _, arn := range running {
		_, err := d.SageMaker.StopPipelineExecution(ctx, &sagemaker.StopPipelineExecutionInput{PipelineExecutionArn: aws.String(arn),
			ClientRequestToken: aws.String(requestToken("stop", arn))})
		if err != nil && !deploy.IsNotFound(err) {
			out.Err = fmt.Errorf("stopping execution %s of preview %s: %w", arn, p.Name, err)
			return out
		}
		out.Stopped = append(out.Stopped, arn)
		d.logf("preview %q: stopping execution %s", p.Name, arn)
	}
	if err := d.waitStopped(ctx, p.Name, out.Stopped); err != nil {
		out.Err = err
		return out
	}
	_, err = d.SageMaker.DeletePipeline(ctx, &sagemaker.DeletePipelineInput{PipelineName: aws.String(p.Name), ClientRequestToken: aws.String(requestToken("delete", p.ARN+"|"+p.Created.UTC().Format(time.RFC3339Nano)))})
	switch {
	case deploy.IsNotFound(err):
		d.logf("preview %q: already deleted", p.Name)
	case err != nil:
		out.Err = fmt.Errorf("deleting preview %s: %w", p.Name, err)
	default:
		d.logf("preview %q: deleted", p.Name)
	}
	return out
}

// running lists the executions of pipeline that are executing or stopping.
func (d *Deleter) running(ctx context.Context, pipeline string) ([]string, error) {
	var out []string
	p := sagemaker.NewListPipelineExecutionsPaginator(d.SageMaker, &sagemaker.ListPipelineExecutionsInput{PipelineName: aws.String(pipeline),
		MaxResults: aws.Int32(100)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if deploy.IsNotFound(err) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("listing the executions of preview %s: %w", pipeline, err)
		}
		for _, e := range page.PipelineExecutionSummaries {
			if st := e.PipelineExecutionStatus; st == smtypes.PipelineExecutionStatusExecuting || st == smtypes.PipelineExecutionStatusStopping {
				out = append(out, aws.ToString(e.PipelineExecutionArn))
			}
		}
	}
	return out, nil
}

// waitStopped polls the executions until none is stopping, up to
// StopTimeout.
func (d *Deleter) waitStopped(ctx context.Context, pipeline string, arns []string) error {
	timeout := d.StopTimeout
	if timeout <= 0 {
		timeout = 10 * time.Minute
	}
	var waited time.Duration
	for n, pending := 0, arns; len(pending) > 0; n++ {
		var still []string
		for _, arn := range pending {
			out, err := d.SageMaker.DescribePipelineExecution(ctx, &sagemaker.DescribePipelineExecutionInput{PipelineExecutionArn: aws.String(arn)})
			if deploy.IsNotFound(err) {
				continue
			}
			if err != nil {
				return fmt.Errorf("reading whether execution %s of preview %s has stopped: %w", arn, pipeline, err)
			}
			if st := out.PipelineExecutionStatus; st == smtypes.PipelineExecutionStatusExecuting || st == smtypes.PipelineExecutionStatusStopping {
				still = append(still, arn)
			}
		}
		if len(still) == 0 {
			return nil
		}
		if waited >= timeout {
			return fmt.Errorf("preview %s: %d execution(s) still stopping after %s; the next clean-up deletes it", pipeline, len(still), timeout)
		}
		wait := sleep.Backoff(n, 2*time.Second, maxStopPoll)
		if err := d.sleep(ctx, wait); err != nil {
			return err
		}
		waited += wait
		pending = still
	}
	return nil
}

func (d *Deleter) sleep(ctx context.Context, dur time.Duration) error {
	if d.Sleep != nil {
		return d.Sleep(ctx, dur)
	}
	return sleep.Context(ctx, dur)
}

func (d *Deleter) logf(format string, args ...any) {
	if d.Log != nil {
		fmt.Fprintf(d.Log, format+"\n", args...)
	}
}

// requestToken is the request token of doing what to arn: the same for
// every attempt, as the service's idempotency needs.
func requestToken(what, arn string) string {
	sum := sha256.Sum256([]byte(what + "|" + arn))
	return hex.EncodeToString(sum[:])
}
