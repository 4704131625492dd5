// Package results reads what a pipeline execution did, once it is over,
// and follows the executions smpipe started until they end.
//
// Reading (Reader): the execution's status and steps, the compute it used,
// and for each model of the pipeline the evaluation metrics its Metrics
// step wrote beside those of the model in production, the quality gate's
// verdict and the model package it registered. Everything comes from
// SageMaker and S3 with read-only calls; nothing the repository or a pull
// request holds is trusted here, and a part that cannot be read becomes a
// note, never a failed report.
//
// Following (Follower): each started execution has a record (a GitHub
// deployment) that stays in progress until the execution ends; Track
// records the executions a run started, Poll finds the records without a
// final state, checks by its tags that each one's pipeline is this
// repository's and of the record's kind, reads the executions that have
// ended, shows their results where each record says and gives the record
// its final state. What is
// followed comes from the records and SageMaker only, so any run can pick
// up where another left off.
package results

import (
	"context"
	"encoding/json"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
)

// SageMakerAPI is the part of *sagemaker.Client results calls.
type SageMakerAPI interface {
	DescribePipelineExecution(ctx context.Context, in *sagemaker.DescribePipelineExecutionInput, optFns ...func(*sagemaker.Options)) (*sagemaker.DescribePipelineExecutionOutput, error)
	ListPipelineExecutionSteps(ctx context.Context, in *sagemaker.ListPipelineExecutionStepsInput, optFns ...func(*sagemaker.Options)) (*sagemaker.ListPipelineExecutionStepsOutput, error)
	ListPipelineExecutions(ctx context.Context, in *sagemaker.ListPipelineExecutionsInput, optFns ...func(*sagemaker.Options)) (*sagemaker.ListPipelineExecutionsOutput, error)
	DescribePipelineDefinitionForExecution(ctx context.Context, in *sagemaker.DescribePipelineDefinitionForExecutionInput, optFns ...func(*sagemaker.Options)) (*sagemaker.DescribePipelineDefinitionForExecutionOutput, error)
	DescribeTrainingJob(ctx context.Context, in *sagemaker.DescribeTrainingJobInput, optFns ...func(*sagemaker.Options)) (*sagemaker.DescribeTrainingJobOutput, error)
	DescribeProcessingJob(ctx context.Context, in *sagemaker.DescribeProcessingJobInput, optFns ...func(*sagemaker.Options)) (*sagemaker.DescribeProcessingJobOutput, error)
	DescribeModelPackage(ctx context.Context, in *sagemaker.DescribeModelPackageInput, optFns ...func(*sagemaker.Options)) (*sagemaker.DescribeModelPackageOutput, error)
	ListModelPackages(ctx context.Context, in *sagemaker.ListModelPackagesInput, optFns ...func(*sagemaker.Options)) (*sagemaker.ListModelPackagesOutput, error)
	ListTags(ctx context.Context, in *sagemaker.ListTagsInput, optFns ...func(*sagemaker.Options)) (*sagemaker.ListTagsOutput, error)
}

// S3API is the part of *s3.Client results calls.
type S3API interface {
	GetObject(ctx context.Context, in *s3.GetObjectInput, optFns ...func(*s3.Options)) (*s3.GetObjectOutput, error)
}

var (
	_ SageMakerAPI = (*sagemaker.Client)(nil)
	_ S3API        = (*s3.Client)(nil)
)

// Execution is what one pipeline execution did.
type Execution struct {
	Pipeline string `json:"pipeline"`
	ARN      string `json:"executionArn"`
	// Status is SageMaker's (Executing, Succeeded, Failed, Stopped,
	// CompletedWithFailures, ...), or Gone when the execution or its
	// pipeline no longer exists.
	Status        string        `json:"status"`
	FailureReason string        `json:"failureReason,omitempty"`
	Started       time.Time     `json:"started,omitzero"`
	Ended         time.Time     `json:"ended,omitzero"`
	Duration      time.Duration `json:"-"` // as durationSeconds in JSON
	Steps         []Step        `json:"steps"`
	// Usage is the compute of the training and processing jobs this
	// execution ran (cache hits ran nothing), by instance type.
	Usage []Usage `json:"usage"`
	// Models are the pipeline's models, in the order of the definition:
	// one per RegisterModel step, and one per Metrics step no
	// registration reads.
	Models []Model `json:"models"`
	// ConsoleURL links the execution in the SageMaker console; StudioURL
	// in SageMaker Studio, when the Studio domain is known.
	ConsoleURL string `json:"consoleUrl,omitempty"`
	StudioURL  string `json:"studioUrl,omitempty"`
	// Notes say, one line each, what could not be read and why.
	Notes []string `json:"notes,omitempty"`
}

// MarshalJSON writes the duration in seconds, as durationSeconds says:
// JSON readers have no time.Duration.
func (e Execution) MarshalJSON() ([]byte, error) {
	type plain Execution
	return json.Marshal(struct {
		plain
		Seconds float64 `json:"durationSeconds"`
	}{plain(e), e.Duration.Seconds()})
}

// MarshalJSON writes the duration in seconds, as Execution's does.
func (s Step) MarshalJSON() ([]byte, error) {
	type plain Step
	return json.Marshal(struct {
		plain
		Seconds float64 `json:"durationSeconds"`
	}{plain(s), s.Duration.Seconds()})
}

// Over reports whether the execution has ended (or is gone).
func (e *Execution) Over() bool { return over(e.Status) }

func over(status string) bool {
	switch status {
	case "Succeeded", "Failed", "Stopped", "CompletedWithFailures", Gone:
		return true
	}
	return false
}

// Link is the execution's page: in Studio when the domain is known, else
// in the console.
func (e *Execution) Link() string {
	if e.StudioURL != "" {
		return e.StudioURL
	}
	return e.ConsoleURL
}

// Gone is the status of an execution SageMaker no longer knows.
const Gone = "Gone"

// Step is one step of an execution.
type Step struct {
	Name          string        `json:"name"`
	Status        string        `json:"status"`
	Duration      time.Duration `json:"-"` // as durationSeconds in JSON
	CacheHit      bool          `json:"cacheHit"`
	FailureReason string        `json:"failureReason,omitempty"`
	JobARN        string        `json:"jobArn,omitempty"`
}

// Usage is compute by instance type: InstanceSeconds is billable seconds
// times instance count, summed over Jobs jobs.
type Usage struct {
	InstanceType    string  `json:"instanceType"`
	Jobs            int     `json:"jobs"`
	InstanceSeconds float64 `json:"instanceSeconds"`
}

// InstanceHours is InstanceSeconds in hours, what SageMaker bills by.
func (u Usage) InstanceHours() float64 { return u.InstanceSeconds / 3600 }

// Model is what one model of the pipeline came to in the execution: what
// its Metrics step measured, beside the model in production, what its
// quality gate decided and the model package it registered.
type Model struct {
	// Step names the model: its RegisterModel step, else its Metrics step.
	Step string `json:"step"`
	// Group is the model package group it registers to; "" when the
	// pipeline registers it nowhere.
	Group string `json:"group,omitempty"`
	// ComparedWith is the group whose latest approved model is production's
	// when it is not Group: a preview registers to its own group and is
	// compared with production's.
	ComparedWith string   `json:"comparedWith,omitempty"`
	Gate         *Gate    `json:"qualityGate,omitempty"`
	Metrics      *Metrics `json:"metrics,omitempty"`
	Registered   *Package `json:"registered,omitempty"`
	// Notes say what could not be read of this model, and why.
	Notes []string `json:"notes,omitempty"`
}

// Gate verdicts.
const (
	Passed = "passed"
	Failed = "failed"
)

// Gate is the quality gate and what it decided in this execution.
type Gate struct {
	Step      string  `json:"step"`
	Metric    string  `json:"metric"`
	Operator  string  `json:"operator"` // <, <=, >, >=, ==, !=
	Threshold float64 `json:"threshold"`
	// Verdict is Passed, Failed (the Fail step ran or the registration
	// was skipped), or "" when the Condition step did not run.
	Verdict string `json:"verdict"`
	// Message is the Fail step's error message, when it ran.
	Message string `json:"message,omitempty"`
}

// Metrics are the numbers the Metrics step wrote, beside production's.
type Metrics struct {
	// Source is the report read: the Metrics step's output.
	Source string  `json:"source"`
	Values []Value `json:"values"`
	// Production is the latest approved model package of the group,
	// whose report the values are compared with; nil when there is none.
	Production *Package `json:"production,omitempty"`
}

// MaxValues is how many values of a report are kept: the gate's metric
// and the first others by path.
const MaxValues = 50

// Value is one numeric value of the evaluation report.
type Value struct {
	Path string  `json:"path"` // e.g. regression_metrics.mse.value
	New  float64 `json:"value"`
	// Old is production's value, when it has one.
	Old *float64 `json:"production,omitempty"`
	// LowerIsBetter says which way is better, when known: from the gate's
	// operator for the gate's metric, else from the metric's name.
	LowerIsBetter *bool `json:"lowerIsBetter,omitempty"`
}

// Better reports whether the new value beats production's: nil when
// there is nothing to compare or which way is better is unknown.
func (v Value) Better() *bool {
	if v.Old == nil || v.LowerIsBetter == nil || *v.Old == v.New {
		return nil
	}
	b := (v.New < *v.Old) == *v.LowerIsBetter
	return &b
}

// Package is a model package version.
type Package struct {
	ARN            string `json:"arn"`
	Group          string `json:"group"`
	Version        int32  `json:"version"`
	ApprovalStatus string `json:"approvalStatus"`
	ConsoleURL     string `json:"consoleUrl,omitempty"`
}
