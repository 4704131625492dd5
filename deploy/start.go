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

// recentExecutions is how many of the newest executions are searched for one
// already started by this commit and definition.
const recentExecutions = 50

type started struct {
	arn, status string
	already     bool
}

// start starts one execution of the pipeline for this commit and definition.
//
// The rule that makes a re-run of the same CI job start nothing new: every
// execution smpipe starts carries ClientRequestToken(pipeline, commit,
// definition hash) as its request token, "smpipe-request-token=<token>" in
// its description and the token's first 16 characters in its display name.
// Before starting, the newest executions (one page, newest first) are
// listed; one whose description carries the marker or whose display name
// equals ours counts as already started, and its ARN is reported instead.
// The service also deduplicates by token, but moto and our fakes do not, and
// a token reused after its window would start again, so this check does not
// rely on it. A new commit or a changed definition gives a new token, so
// those start. A listing that fails stops the start: better no execution
// than a duplicate one.
func (d *Deployer) start(ctx context.Context, lg *logger, t Target, up upserted, opts Options) (started, error) {
	token := ClientRequestToken(t.Pipeline, opts.CommitSHA, t.Hash)
	display := ExecutionDisplayName(opts.CommitSHA, token)
	marker := tokenMarker(token)

	list, err := d.SageMaker.ListPipelineExecutions(ctx, &sagemaker.ListPipelineExecutionsInput{
		PipelineName: aws.String(t.Pipeline),
		SortBy:       smtypes.SortPipelineExecutionsByCreationTime,
		SortOrder:    smtypes.SortOrderDescending,
		MaxResults:   aws.Int32(recentExecutions),
	})
	if err != nil {
		return started{}, fmt.Errorf("listing executions to avoid starting one twice: %w", err)
	}
	for _, e := range list.PipelineExecutionSummaries {
		if strings.Contains(aws.ToString(e.PipelineExecutionDescription), marker) || aws.ToString(e.PipelineExecutionDisplayName) == display {
			s := started{arn: aws.ToString(e.PipelineExecutionArn), status: string(e.PipelineExecutionStatus), already: true}
			lg.printf("execution for this commit and definition already started: %s (%s)", s.arn, s.status)
			return s, nil
		}
	}

	in := &sagemaker.StartPipelineExecutionInput{
		PipelineName:                 aws.String(t.Pipeline),
		ClientRequestToken:           aws.String(token),
		PipelineExecutionDisplayName: aws.String(display),
		PipelineExecutionDescription: aws.String(executionDescription(opts.CommitSHA, t.Hash, token)),
		PipelineVersionId:            up.versionID,
	}
	var out *sagemaker.StartPipelineExecutionOutput
	err = d.retryConflict(ctx, lg, "StartPipelineExecution", func() error {
		var serr error
		// Tags and roles of a just-created pipeline may take a moment to
		// propagate; the Python SDK retries AccessDeniedException here too.
		out, serr = d.SageMaker.StartPipelineExecution(ctx, in, func(o *sagemaker.Options) {
			if o.Retryer != nil {
				o.Retryer = retry.AddWithErrorCodes(o.Retryer, "AccessDeniedException")
			}
		})
		return serr
	})
	if err != nil {
		return started{}, fmt.Errorf("starting an execution: %w", err)
	}
	s := started{arn: aws.ToString(out.PipelineExecutionArn), status: string(smtypes.PipelineExecutionStatusExecuting)}
	lg.printf("started execution %s", s.arn)
	return s, nil
}
