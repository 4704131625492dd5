package compiler

import (
	"bytes"
	"encoding/json"
)

// The definition: what SageMaker receives, in the shape and key order the
// SageMaker Python SDK emits. Struct field order is emission order; maps
// (Environment, HyperParameters) are emitted with sorted keys.

type definitionDoc struct {
	Version                  string           `json:"Version"`
	Metadata                 struct{}         `json:"Metadata"`
	Parameters               []any            `json:"Parameters"`
	PipelineExperimentConfig experimentConfig `json:"PipelineExperimentConfig"`
	Steps                    []defStep        `json:"Steps"`
}

type experimentConfig struct {
	ExperimentName Get `json:"ExperimentName"`
	TrialName      Get `json:"TrialName"`
}

type defStep struct {
	Name          string         `json:"Name"`
	Type          string         `json:"Type"`
	Description   string         `json:"Description,omitempty"`
	Arguments     any            `json:"Arguments"`
	DependsOn     []string       `json:"DependsOn,omitempty"`
	CacheConfig   *cacheConfig   `json:"CacheConfig,omitempty"`
	PropertyFiles []propertyFile `json:"PropertyFiles,omitempty"`
}

type cacheConfig struct {
	Enabled     bool   `json:"Enabled"`
	ExpireAfter string `json:"ExpireAfter"`
}

type propertyFile struct {
	PropertyFileName string `json:"PropertyFileName"`
	OutputName       string `json:"OutputName"`
	FilePath         string `json:"FilePath"`
}

type tagDef struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

type vpcConfig struct {
	SecurityGroupIds []string `json:"SecurityGroupIds"`
	Subnets          []string `json:"Subnets"`
}

// Processing (CreateProcessingJob).
type processingArgs struct {
	ProcessingResources    processingResources `json:"ProcessingResources"`
	AppSpecification       appSpecification    `json:"AppSpecification"`
	RoleArn                string              `json:"RoleArn"`
	ProcessingInputs       []processingInput   `json:"ProcessingInputs,omitempty"`
	ProcessingOutputConfig *processingOutputs  `json:"ProcessingOutputConfig,omitempty"`
	Environment            map[string]string   `json:"Environment,omitempty"`
	NetworkConfig          *networkConfig      `json:"NetworkConfig,omitempty"`
	StoppingCondition      stoppingCondition   `json:"StoppingCondition"`
	Tags                   []tagDef            `json:"Tags,omitempty"`
}

type processingResources struct {
	ClusterConfig clusterConfig `json:"ClusterConfig"`
}

type clusterConfig struct {
	InstanceType   string `json:"InstanceType"`
	InstanceCount  int64  `json:"InstanceCount"`
	VolumeSizeInGB int64  `json:"VolumeSizeInGB"`
	VolumeKmsKeyId string `json:"VolumeKmsKeyId,omitempty"`
}

type appSpecification struct {
	ImageUri            string   `json:"ImageUri"`
	ContainerEntrypoint []string `json:"ContainerEntrypoint"`
}

type processingInput struct {
	InputName  string  `json:"InputName"`
	AppManaged bool    `json:"AppManaged"`
	S3Input    s3Input `json:"S3Input"`
}

type s3Input struct {
	S3Uri                  any    `json:"S3Uri"`
	LocalPath              string `json:"LocalPath"`
	S3DataType             string `json:"S3DataType"`
	S3InputMode            string `json:"S3InputMode"`
	S3DataDistributionType string `json:"S3DataDistributionType"`
	S3CompressionType      string `json:"S3CompressionType"`
}

type processingOutputs struct {
	Outputs  []processingOutput `json:"Outputs"`
	KmsKeyId string             `json:"KmsKeyId,omitempty"`
}

type processingOutput struct {
	OutputName string   `json:"OutputName"`
	AppManaged bool     `json:"AppManaged"`
	S3Output   s3Output `json:"S3Output"`
}

type s3Output struct {
	S3Uri        any    `json:"S3Uri"`
	LocalPath    string `json:"LocalPath"`
	S3UploadMode string `json:"S3UploadMode"`
}

type networkConfig struct {
	EnableNetworkIsolation                bool       `json:"EnableNetworkIsolation"`
	EnableInterContainerTrafficEncryption bool       `json:"EnableInterContainerTrafficEncryption"`
	VpcConfig                             *vpcConfig `json:"VpcConfig,omitempty"`
}

type stoppingCondition struct {
	MaxRuntimeInSeconds int64 `json:"MaxRuntimeInSeconds"`
}

// Training (CreateTrainingJob).
type trainingArgs struct {
	AlgorithmSpecification                algorithmSpecification `json:"AlgorithmSpecification"`
	OutputDataConfig                      outputDataConfig       `json:"OutputDataConfig"`
	StoppingCondition                     stoppingCondition      `json:"StoppingCondition"`
	ResourceConfig                        resourceConfig         `json:"ResourceConfig"`
	RoleArn                               string                 `json:"RoleArn"`
	InputDataConfig                       []channel              `json:"InputDataConfig,omitempty"`
	HyperParameters                       map[string]any         `json:"HyperParameters,omitempty"`
	DebugHookConfig                       *debugHookConfig       `json:"DebugHookConfig,omitempty"`
	ProfilerConfig                        profilerConfig         `json:"ProfilerConfig"`
	Environment                           map[string]string      `json:"Environment,omitempty"`
	VpcConfig                             *vpcConfig             `json:"VpcConfig,omitempty"`
	EnableInterContainerTrafficEncryption bool                   `json:"EnableInterContainerTrafficEncryption,omitempty"`
	Tags                                  []tagDef               `json:"Tags,omitempty"`
}

type algorithmSpecification struct {
	TrainingInputMode string `json:"TrainingInputMode"`
	TrainingImage     string `json:"TrainingImage"`
}

type outputDataConfig struct {
	S3OutputPath string `json:"S3OutputPath"`
	KmsKeyId     string `json:"KmsKeyId,omitempty"`
}

type resourceConfig struct {
	VolumeSizeInGB int64  `json:"VolumeSizeInGB"`
	InstanceCount  int64  `json:"InstanceCount"`
	InstanceType   string `json:"InstanceType"`
	VolumeKmsKeyId string `json:"VolumeKmsKeyId,omitempty"`
}

type channel struct {
	DataSource  dataSource `json:"DataSource"`
	ContentType string     `json:"ContentType,omitempty"`
	InputMode   string     `json:"InputMode,omitempty"`
	ChannelName string     `json:"ChannelName"`
}

type dataSource struct {
	S3DataSource s3DataSource `json:"S3DataSource"`
}

type s3DataSource struct {
	S3DataType             string `json:"S3DataType"`
	S3Uri                  any    `json:"S3Uri"`
	S3DataDistributionType string `json:"S3DataDistributionType,omitempty"`
}

type debugHookConfig struct {
	S3OutputPath             string `json:"S3OutputPath"`
	CollectionConfigurations []any  `json:"CollectionConfigurations"`
}

type profilerConfig struct {
	DisableProfiler bool `json:"DisableProfiler"`
}

// CreateModel (Type "Model").
type modelArgs struct {
	ExecutionRoleArn string              `json:"ExecutionRoleArn"`
	PrimaryContainer containerDefinition `json:"PrimaryContainer"`
	VpcConfig        *vpcConfig          `json:"VpcConfig,omitempty"`
}

type containerDefinition struct {
	Image        string            `json:"Image"`
	Environment  map[string]string `json:"Environment"`
	ModelDataUrl any               `json:"ModelDataUrl"`
}

// Transform (CreateTransformJob).
type transformArgs struct {
	ModelName          any                `json:"ModelName"`
	TransformInput     transformInput     `json:"TransformInput"`
	TransformOutput    transformOutput    `json:"TransformOutput"`
	TransformResources transformResources `json:"TransformResources"`
	BatchStrategy      string             `json:"BatchStrategy,omitempty"`
	MaxPayloadInMB     int64              `json:"MaxPayloadInMB,omitempty"`
	Environment        map[string]string  `json:"Environment,omitempty"`
	DataProcessing     *dataProcessing    `json:"DataProcessing,omitempty"`
	Tags               []tagDef           `json:"Tags,omitempty"`
}

type transformInput struct {
	DataSource  transformDataSource `json:"DataSource"`
	ContentType string              `json:"ContentType,omitempty"`
	SplitType   string              `json:"SplitType,omitempty"`
}

type transformDataSource struct {
	S3DataSource s3DataSource `json:"S3DataSource"`
}

type transformOutput struct {
	S3OutputPath any    `json:"S3OutputPath"`
	Accept       string `json:"Accept,omitempty"`
	AssembleWith string `json:"AssembleWith,omitempty"`
	KmsKeyId     string `json:"KmsKeyId,omitempty"`
}

type transformResources struct {
	InstanceCount  int64  `json:"InstanceCount"`
	InstanceType   string `json:"InstanceType"`
	VolumeKmsKeyId string `json:"VolumeKmsKeyId,omitempty"`
}

type dataProcessing struct {
	InputFilter  string `json:"InputFilter,omitempty"`
	OutputFilter string `json:"OutputFilter,omitempty"`
	JoinSource   string `json:"JoinSource,omitempty"`
}

// RegisterModel (CreateModelPackage).
type registerArgs struct {
	ModelPackageGroupName      string                 `json:"ModelPackageGroupName"`
	ModelPackageDescription    string                 `json:"ModelPackageDescription"`
	ModelMetrics               *modelMetrics          `json:"ModelMetrics,omitempty"`
	CustomerMetadataProperties map[string]any         `json:"CustomerMetadataProperties"`
	InferenceSpecification     inferenceSpecification `json:"InferenceSpecification"`
	ModelApprovalStatus        string                 `json:"ModelApprovalStatus"`
	SkipModelValidation        string                 `json:"SkipModelValidation"`
}

type modelMetrics struct {
	ModelQuality modelQuality `json:"ModelQuality"`
}

type modelQuality struct {
	Statistics metricsSource `json:"Statistics"`
}

type metricsSource struct {
	ContentType string `json:"ContentType"`
	S3Uri       any    `json:"S3Uri"`
}

type inferenceSpecification struct {
	Containers                              []containerDefinition `json:"Containers"`
	SupportedContentTypes                   []string              `json:"SupportedContentTypes,omitempty"`
	SupportedResponseMIMETypes              []string              `json:"SupportedResponseMIMETypes,omitempty"`
	SupportedRealtimeInferenceInstanceTypes []string              `json:"SupportedRealtimeInferenceInstanceTypes,omitempty"`
	SupportedTransformInstanceTypes         []string              `json:"SupportedTransformInstanceTypes,omitempty"`
}

// Indent returns the two-space indented form of a compact definition, the
// form `compile --out` writes and the report diffs.
func Indent(compact []byte) []byte {
	var buf bytes.Buffer
	if err := json.Indent(&buf, compact, "", "  "); err != nil {
		return compact
	}
	buf.WriteByte('\n')
	return buf.Bytes()
}
