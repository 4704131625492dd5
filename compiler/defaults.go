package compiler

// Defaults of the conf language: the values the original framework used
// when a key is absent (see the README's tables), except where the README's
// "Differences from the original" table says otherwise. Change a default
// here and in that README table together.
const (
	defaultInstanceType  = "ml.m5.2xlarge"
	defaultInstanceCount = 1
	// Processing and Training; Metrics has its own.
	defaultVolumeSizeInGB = 32
	defaultMaxRuntime     = 3000 // max_runtime_seconds
	// Metrics (evaluate section).
	defaultMetricsVolumeSizeInGB = 50
	defaultMetricsMaxRuntime     = 3600 // max_runtime_in_seconds
	defaultMetricsContentType    = "application/json"

	defaultTrainingSection  = "train"
	transformSection        = "transform" // the section Transform steps read, and CreateModel and RegisterModel its entry_point
	evaluateSection         = "evaluate"  // the section Metrics steps read
	previewKey              = "preview"   // a model's overrides for preview runs
	defaultChannel          = "train"     // a section without channels, an evaluate or transform channel
	defaultDistribution     = "FullyReplicated"
	defaultInputMode        = "File"
	defaultTransformContent = "text/csv"
	defaultInferenceProgram = "inference.py" // transform.entry_point, served by CreateModel and RegisterModel
	defaultModelRepack      = true
	defaultApprovalStatus   = "PendingManualApproval"
	defaultDescription      = "Model package registered by smpipe"
	defaultCacheExpiry      = "P10D"
	defaultGateOnFail       = "fail" // registry.quality_gate.on_fail
)

// The repack step smpipe adds (the SDK's _RepackModelStep settings).
const (
	repackInstanceType   = "ml.m5.large"
	repackVolumeSizeInGB = 30
	repackMaxRuntime     = 86400
	repackImageTag       = "sagemaker-scikit-learn:1.2-1-cpu-py3"
)

// Fixed names and container paths of the language.
const (
	metricsOutputName   = "model_evaluation_metrics"
	metricsFileName     = "model_evaluation_metrics.json"
	evaluationReport    = "EvaluationReport" // the PropertyFile naming metricsFileName
	processingInputDir  = "/opt/ml/processing/input"
	processingOutputDir = "/opt/ml/processing/output"
)
