package deploy

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
)

// SageMakerAPI is the part of *sagemaker.Client that deploy calls.
type SageMakerAPI interface {
	DescribePipeline(ctx context.Context, in *sagemaker.DescribePipelineInput, optFns ...func(*sagemaker.Options)) (*sagemaker.DescribePipelineOutput, error)
	CreatePipeline(ctx context.Context, in *sagemaker.CreatePipelineInput, optFns ...func(*sagemaker.Options)) (*sagemaker.CreatePipelineOutput, error)
	UpdatePipeline(ctx context.Context, in *sagemaker.UpdatePipelineInput, optFns ...func(*sagemaker.Options)) (*sagemaker.UpdatePipelineOutput, error)
	ListTags(ctx context.Context, in *sagemaker.ListTagsInput, optFns ...func(*sagemaker.Options)) (*sagemaker.ListTagsOutput, error)
	AddTags(ctx context.Context, in *sagemaker.AddTagsInput, optFns ...func(*sagemaker.Options)) (*sagemaker.AddTagsOutput, error)
	StartPipelineExecution(ctx context.Context, in *sagemaker.StartPipelineExecutionInput, optFns ...func(*sagemaker.Options)) (*sagemaker.StartPipelineExecutionOutput, error)
	ListPipelineExecutions(ctx context.Context, in *sagemaker.ListPipelineExecutionsInput, optFns ...func(*sagemaker.Options)) (*sagemaker.ListPipelineExecutionsOutput, error)
	DescribePipelineExecution(ctx context.Context, in *sagemaker.DescribePipelineExecutionInput, optFns ...func(*sagemaker.Options)) (*sagemaker.DescribePipelineExecutionOutput, error)
	ListPipelineExecutionSteps(ctx context.Context, in *sagemaker.ListPipelineExecutionStepsInput, optFns ...func(*sagemaker.Options)) (*sagemaker.ListPipelineExecutionStepsOutput, error)
}

// S3API is the part of *s3.Client that deploy calls.
type S3API interface {
	HeadObject(ctx context.Context, in *s3.HeadObjectInput, optFns ...func(*s3.Options)) (*s3.HeadObjectOutput, error)
	PutObject(ctx context.Context, in *s3.PutObjectInput, optFns ...func(*s3.Options)) (*s3.PutObjectOutput, error)
}

var (
	_ SageMakerAPI = (*sagemaker.Client)(nil)
	_ S3API        = (*s3.Client)(nil)
)
