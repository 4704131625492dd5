package deploy

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
)

// executionPages bounds the search for an execution already started by this
// commit and definition, in pages of 100, newest first: one page after a
// create or an update (nothing can have started the new definition but a
// run of this very deploy), up to ten when the definition was already live
// (a re-run or a reconcile finds it behind whatever else started since, a
// schedule's executions say).
const executionPages = 10

type started struct {
	start       Start
	reason      string // why not started
	arn, status string
}

// start applies the starting policy: an execution is started when this run
// created or updated the pipeline, or when the definition was unchanged but
// this very commit made it live (a re-run after a failed start). Otherwise
// nothing starts: the definition is the one an earlier commit deployed, and
// that commit's run started it.
//
// Each start happens once per pipeline, commit and definition: it carries
// ClientRequestToken(pipeline, commit, definition hash) as its request
// token, "smpipe-request-token=<token>" in its description and the token's
// first 16 characters in its display name. Before starting, the newest
// executions are listed, newest first (executionPages); one whose description
// carries the marker or whose display name equals ours counts as already
// started, and its ARN is reported instead. SageMaker also de-duplicates by
// token, but only within its idempotency window and not in moto, so this
// check does not rely on it. A listing that fails stops the start: better
// no execution than a duplicate one.
func (d *Deployer) start(ctx context.Context, lg *logger, t Target, up upserted, opts Options) (started, error) {
	if up.status == StatusUnchanged && up.definitionCommit != alnum(opts.CommitSHA, 40) && opts.StartKey == "" {
		since := "an earlier deploy"
		if up.definitionCommit != "" {
			since = short(up.definitionCommit)
		}
		s := started{start: NotStarted, reason: "definition unchanged since " + since}
		lg.printf("not started: %s", s.reason)
		return s, nil
	}
	token := StartToken(t.Pipeline, opts.CommitSHA, t.Hash, opts.StartKey)
	display := ExecutionDisplayName(opts.CommitSHA, token)
	marker := tokenMarker(token)

	pages := executionPages
	if up.status != StatusUnchanged {
		pages = 1
	}
	p := sagemaker.NewListPipelineExecutionsPaginator(d.SageMaker, &sagemaker.ListPipelineExecutionsInput{
		PipelineName: aws.String(t.Pipeline),
		SortBy:       smtypes.SortPipelineExecutionsByCreationTime,
		SortOrder:    smtypes.SortOrderDescending,
		MaxResults:   aws.Int32(100),
	})
	for page := 0; page < pages && p.HasMorePages(); page++ {
		list, err := p.NextPage(ctx)
		if err != nil {
			return started{}, fmt.Errorf("listing executions to avoid starting one twice: %w", err)
		}
		for _, e := range list.PipelineExecutionSummaries {
			if strings.Contains(aws.ToString(e.PipelineExecutionDescription), marker) || aws.ToString(e.PipelineExecutionDisplayName) == display {
				s := started{start: AlreadyStarted, arn: aws.ToString(e.PipelineExecutionArn), status: string(e.PipelineExecutionStatus)}
				lg.printf("execution for this commit and definition already started: %s (%s)", s.arn, s.status)
				return s, nil
			}
		}
	}

	in := &sagemaker.StartPipelineExecutionInput{
		PipelineName:                 aws.String(t.Pipeline),
		ClientRequestToken:           aws.String(token),
		PipelineExecutionDisplayName: aws.String(display),
		PipelineExecutionDescription: aws.String(executionDescription(opts.CommitSHA, t.Hash, token)),
		PipelineVersionId:            up.versionID,
	}
	// Tags and roles of a just-created pipeline may take a moment to
	// propagate; the Python SDK retries AccessDeniedException here too.
	out, err := d.SageMaker.StartPipelineExecution(ctx, in, func(o *sagemaker.Options) {
		if o.Retryer != nil {
			o.Retryer = retry.AddWithErrorCodes(o.Retryer, "AccessDeniedException")
		}
	})
	if err != nil {
		return started{}, fmt.Errorf("starting an execution failed: %w", err)
	}
	s := started{start: Started, arn: aws.ToString(out.PipelineExecutionArn), status: string(smtypes.PipelineExecutionStatusExecuting)}
	lg.printf("started execution %s", s.arn)
	return s, nil
}
