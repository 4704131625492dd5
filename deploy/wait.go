package deploy

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/smpipe/smpipe-action/internal/sleep"
)

// Default polling of a running execution: from 15 s, doubling, up to 2 min.
const (
	DefaultPollInterval    = 15 * time.Second
	DefaultMaxPollInterval = 2 * time.Minute
)

type waited struct {
	status, failureReason string
	steps                 []StepResult
}

func terminal(status string) bool {
	switch smtypes.PipelineExecutionStatus(status) {
	case smtypes.PipelineExecutionStatusSucceeded, smtypes.PipelineExecutionStatusFailed,
		smtypes.PipelineExecutionStatusStopped, smtypes.PipelineExecutionStatusCompletedWithFailures:
		return true
	}
	return false
}

// wait polls the execution until it reaches a terminal status or timeout
// (zero: no limit) passes, printing one line per status change, then lists
// its steps. The clock and the sleep are the Deployer's, so tests run
// without waiting.
func (d *Deployer) wait(ctx context.Context, lg *logger, arn string, timeout time.Duration) (waited, error) {
	start := d.now()
	last := ""
	for attempt := 0; ; attempt++ {
		out, err := d.SageMaker.DescribePipelineExecution(ctx, &sagemaker.DescribePipelineExecutionInput{PipelineExecutionArn: aws.String(arn)})
		if err != nil {
			return waited{status: last}, fmt.Errorf("waiting for execution %s: %w", arn, err)
		}
		status := string(out.PipelineExecutionStatus)
		if status != last {
			lg.printf("execution %s: %s", arn, status)
			last = status
		}
		if terminal(status) {
			return waited{status: status, failureReason: aws.ToString(out.FailureReason), steps: d.steps(ctx, lg, arn)}, nil
		}
		pause := sleep.Backoff(attempt, d.pollInterval(), d.maxPollInterval())
		if timeout > 0 {
			left := timeout - d.now().Sub(start)
			if left <= 0 {
				return waited{status: status}, fmt.Errorf("waiting for execution %s: still %s after %s", arn, status, timeout)
			}
			pause = min(pause, left)
		}
		if err := d.sleep(ctx, pause); err != nil {
			return waited{status: status}, fmt.Errorf("waiting for execution %s: %w", arn, err)
		}
	}
}

// steps lists every step of the execution. Listing is best effort: moto does
// not implement it and a role may lack the permission, so any error degrades
// the report to the execution status.
func (d *Deployer) steps(ctx context.Context, lg *logger, arn string) []StepResult {
	var out []StepResult
	p := sagemaker.NewListPipelineExecutionStepsPaginator(d.SageMaker, &sagemaker.ListPipelineExecutionStepsInput{
		PipelineExecutionArn: aws.String(arn),
		SortOrder:            smtypes.SortOrderAscending,
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			lg.printf("could not list the steps of %s, reporting the execution status only: %v", arn, err)
			return nil
		}
		for _, s := range page.PipelineExecutionSteps {
			out = append(out, stepResult(s))
		}
	}
	return out
}

func stepResult(s smtypes.PipelineExecutionStep) StepResult {
	r := StepResult{
		Name:          aws.ToString(s.StepName),
		Status:        string(s.StepStatus),
		FailureReason: aws.ToString(s.FailureReason),
		CacheHit:      s.CacheHitResult != nil,
	}
	if m := s.Metadata; m != nil {
		switch {
		case m.TrainingJob != nil:
			r.JobARN = aws.ToString(m.TrainingJob.Arn)
		case m.ProcessingJob != nil:
			r.JobARN = aws.ToString(m.ProcessingJob.Arn)
		case m.TransformJob != nil:
			r.JobARN = aws.ToString(m.TransformJob.Arn)
		case m.TuningJob != nil:
			r.JobARN = aws.ToString(m.TuningJob.Arn)
		case m.Model != nil:
			r.JobARN = aws.ToString(m.Model.Arn)
		case m.RegisterModel != nil:
			r.JobARN = aws.ToString(m.RegisterModel.Arn)
		case m.Lambda != nil:
			r.JobARN = aws.ToString(m.Lambda.Arn)
		case m.Fail != nil && r.FailureReason == "":
			r.FailureReason = aws.ToString(m.Fail.ErrorMessage)
		}
	}
	return r
}
