package fakeaws

import "time"

// Fault is an error the SageMaker or S3 fake answers instead of doing the call.
type Fault struct {
	Status  int    // HTTP status; 400 when zero
	Code    string // the error code, e.g. "ThrottlingException"
	Message string
	// Body, when set, is sent verbatim instead of the JSON error shape (moto
	// answers unimplemented operations with an HTML page).
	Body string
}

// Throttling is the fault SageMaker answers when a caller exceeds its rate.
func Throttling() Fault {
	return Fault{Status: 400, Code: "ThrottlingException", Message: "Rate exceeded"}
}

// InternalError is a 500 answer with the service's JSON error shape.
func InternalError() Fault {
	return Fault{Status: 500, Code: "InternalFailure", Message: "We encountered an internal error. Please try again."}
}

// Conflict is a concurrent-modification answer.
func Conflict() Fault {
	return Fault{Status: 400, Code: "ConflictException", Message: "Another update is in progress for this pipeline."}
}

// ResourceLimitExceeded is what StartPipelineExecution answers when the
// account runs as many executions as its quota allows; the SDK does not
// retry it. FailNext("StartPipelineExecution", 1, ResourceLimitExceeded())
// makes one start fail.
func ResourceLimitExceeded() Fault {
	return Fault{Status: 400, Code: "ResourceLimitExceeded", Message: "The account-level service limit 'Maximum number of concurrent pipeline executions' is 200 Executions."}
}

// Unimplemented is what moto answers for an operation it does not implement.
func Unimplemented() Fault {
	return Fault{Status: 500, Body: "<!DOCTYPE html><html><body><h1>Internal Server Error</h1></body></html>"}
}

// Tag is a SageMaker resource tag.
type Tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

// Pipeline is the fake's stored state of one pipeline.
type Pipeline struct {
	Name        string
	Arn         string
	Definition  string
	RoleArn     string
	Description string
	VersionID   int64
	// CreateToken is the ClientRequestToken CreatePipeline received.
	CreateToken string
	Tags        map[string]string
	Created     time.Time
}

// Step is one step of a scripted execution, as ListPipelineExecutionSteps
// reports it.
type Step struct {
	Name          string
	Status        string
	FailureReason string
	// JobKind names the metadata member that carries JobArn: "TrainingJob",
	// "ProcessingJob", "TransformJob", "Model" or "RegisterModel".
	JobKind string
	JobArn  string
	// CacheHitSource, when set, marks the step as served from the cache of
	// that execution ARN.
	CacheHitSource string
	// Outcome is a Condition step's outcome ("True" or "False"); Message a
	// Fail step's error message.
	Outcome, Message string
	// Seconds is how long the step ran, from the execution's start.
	Seconds int
}

// Script says how an execution progresses: each DescribePipelineExecution
// call answers the next status (the last one repeats), and the steps are
// what ListPipelineExecutionSteps reports.
type Script struct {
	Statuses      []string
	FailureReason string
	Steps         []Step
	// Seconds is how long the execution ran once it is over.
	Seconds int
}

// Execution is the fake's stored state of one pipeline execution.
type Execution struct {
	Arn          string
	PipelineName string
	PipelineArn  string
	DisplayName  string
	Description  string
	Token        string
	VersionID    int64
	Started      time.Time
	Script       Script
	// Definition is the pipeline's definition when the execution started.
	Definition string
	described  int
}

// Status is the status the execution has now (without advancing it).
func (e *Execution) Status() string {
	if len(e.Script.Statuses) == 0 {
		return "Executing"
	}
	i := e.described - 1
	if i < 0 {
		i = 0
	}
	if i >= len(e.Script.Statuses) {
		i = len(e.Script.Statuses) - 1
	}
	return e.Script.Statuses[i]
}

// TrainingJob is a training job as DescribeTrainingJob answers it.
type TrainingJob struct {
	Name, Arn       string
	Status          string // Completed when empty
	FailureReason   string
	InstanceType    string
	InstanceCount   int
	BillableSeconds int
	// InstanceGroups, when set, make a heterogeneous cluster: the job's
	// instances are these groups' instead of InstanceType and
	// InstanceCount.
	InstanceGroups []InstanceGroup
}

// InstanceGroup is one instance group of a heterogeneous training cluster.
type InstanceGroup struct {
	Name, InstanceType string
	InstanceCount      int
}

// ProcessingJob is a processing job as DescribeProcessingJob answers it:
// its outputs' S3 URIs by output name, and how long it ran.
type ProcessingJob struct {
	Name, Arn     string
	Status        string // Completed when empty
	FailureReason string
	InstanceType  string
	InstanceCount int
	Seconds       int
	Outputs       map[string]string
}

// ModelPackage is a registered model package version.
type ModelPackage struct {
	Group          string
	Version        int // assigned in order of registration
	Arn            string
	ApprovalStatus string
	// MetricsURI is ModelMetrics.ModelQuality.Statistics.S3Uri; "" for none.
	MetricsURI string
	Created    time.Time
}
