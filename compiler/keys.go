package compiler

// The keys of the conf language, level by level. The decoder checks keys
// against these tables (unknown keys, keys that have no effect, required
// keys, enum values), and `smpipe schema` renders the same tables as a
// JSON Schema (schema.go), with their types, defaults and descriptions.
// A new key is added here and decoded in decode.go or section.go; the
// schema tests fail until the two agree.

// valueType is what a key's value may be, as the decoder reads it.
type valueType uint8

const (
	// typeString is a scalar read as its text (7 and true too, as
	// written); "" and null mean "not set".
	typeString valueType = iota
	// typeText is typeString where "" is a value.
	typeText
	// typeBool is true or false in a YAML 1.2 or 1.1 spelling (yes, on,
	// y, ...), or such a string in any case; null means "not set".
	typeBool
	// typeCount is a whole number from 1 to 2,147,483,647, or a string
	// holding one; "" and null mean "not set".
	typeCount
	// typeEnum is one of the key's enum values, exact case; "" and null
	// mean "not set".
	typeEnum
	// typeS3URI is a string starting with s3://; "" and null mean "not set".
	typeS3URI
	// typeDuration is an ISO-8601 duration of whole units such as P10D or
	// PT12H (validDuration); "" and null mean "not set".
	typeDuration
	// typeNumber is a YAML number, integer or not, and finite.
	typeNumber
	// typeStrings is a list of scalars; null means "not set".
	typeStrings
	// typeStringMap maps names to scalars, in file order (env).
	typeStringMap
	// typeAnyMap maps names to any value (hyperparams).
	typeAnyMap
	// typeMapping is a mapping with the keys of the key's table.
	typeMapping
	// typeList is a list of mappings with the keys of the key's table;
	// null means "not set".
	typeList
	// typeSection is a model section, a mapping whose keys depend on the
	// step classes that read it (see sectionReaders); null is an empty
	// section.
	typeSection
	// typeChannels maps channel names to channels (a mapping with the
	// channel keys of the section's readers, or null); a Metrics step
	// also takes a channel name as a plain scalar.
	typeChannels
	// typeUnused is anything: the original read the key and nothing used
	// it. Such keys carry their reason in deprecated.
	typeUnused
)

// A confKey is one key of the conf language.
type confKey struct {
	name string
	typ  valueType
	enum []string // typeEnum
	// keys are the keys of the value (typeMapping) or of each item
	// (typeList).
	keys *keyTable
	// nullOK: a typeMapping value may be null, meaning "absent".
	nullOK bool
	// required: the decoder reports the key missing when it is absent;
	// needsValue: also when its scalar value is not set (null, or "").
	required, needsValue bool
	// pattern is what a typeString value must match besides: a regular
	// expression valid in Go and ECMA-262, of the check the decoder makes.
	pattern string
	def     any    // the default; nil when there is none or it depends on the step class
	doc     string // what the key means, for every reader
	// deprecated says why the key has no effect: the original read it and
	// nothing used it. The decoder warns; the schema marks it deprecated.
	deprecated string
	// uses say what each step class does with a section or channel key.
	uses []classUse
}

// A classUse is what a step class does with a section or channel key.
type classUse struct {
	class StepClass
	doc   string // what the key means to this class, after the key's doc
	def   any    // its default for this class
	// ignored says why the class reads nothing from the key (the original
	// read it and never used it); the decoder warns.
	ignored string
	// required: a section this class reads must set the key (to a value
	// other than null or ""); the decoder reports it missing otherwise.
	required bool
}

// A keyTable is the keys of one kind of mapping.
type keyTable struct {
	keys  []*confKey
	names []string // the keys' names, for the unknown-key check and its suggestions
	// others, when set, is what any key not in keys is: the table is a
	// mapping of user-chosen names, such as models or channels. Such names
	// match namePattern (a regular expression valid in Go and ECMA-262)
	// when it is set; nameRule says so in words.
	others      *confKey
	namePattern string
	nameRule    string
}

func table(keys ...*confKey) *keyTable {
	t := &keyTable{keys: keys, names: make([]string, len(keys))}
	for i, k := range keys {
		t.names[i] = k.name
	}
	return t
}

// named is a table of user-chosen names, each value an others, besides
// the fixed keys.
func named(others *confKey, namePattern, nameRule string, fixed ...*confKey) *keyTable {
	t := table(fixed...)
	t.others, t.namePattern, t.nameRule = others, namePattern, nameRule
	return t
}

// get returns the key called name, or others (nil when none).
func (t *keyTable) get(name string) *confKey {
	for _, k := range t.keys {
		if k.name == name {
			return k
		}
	}
	return t.others
}

// forClass is the view of section or channel keys that class c has: the
// keys it reads, and the keys it ignores marked deprecated with why.
func forClass(keys []*confKey, c StepClass) *keyTable {
	var out []*confKey
	for _, k := range keys {
		for _, u := range k.uses {
			if u.class == c {
				v := *k
				v.deprecated, v.uses = u.ignored, nil
				v.required, v.needsValue = u.required, u.required
				out = append(out, &v)
			}
		}
	}
	return table(out...)
}

// Patterns of user-chosen names, as decodeModels and decodeChannel check
// them: not blank, no "." (the original's key paths split on it), and for
// channels no "/" either (a channel names a folder).
const (
	modelNamePattern   = `^[^.]*[^.\s][^.]*$`
	channelNamePattern = `^[^./]*[^./\s][^./]*$`
)

// reservedHyperparamPrefix starts the hyperparameters smpipe sets itself.
const reservedHyperparamPrefix = "sagemaker_"

var (
	topKeys = table(
		&confKey{name: "conf", typ: typeMapping, required: true,
			doc: "Everything in a conf file is under conf. A model conf holds models and, in an anchor file, sagemakerPipeline; the framework conf (framework/conf/conf.yaml) holds s3Bucket, modelConfigFilePath and sagemakerNetworkSecurity."},
	)

	// modelConfKeys are the keys of conf in a model conf file.
	modelConfKeys = table(
		&confKey{name: "models", typ: typeMapping, keys: modelsTable,
			doc: "The models this file defines, by name. A model is looked up by name across all conf files, so it is defined in one file only."},
		&confKey{name: "sagemakerPipeline", typ: typeMapping, keys: pipelineKeys,
			doc: "The pipeline this file anchors: a file with sagemakerPipeline defines one SageMaker pipeline."},
	)

	// frameworkKeys are the keys of conf in framework/conf/conf.yaml.
	frameworkKeys = table(
		&confKey{name: "s3Bucket", typ: typeString,
			doc: "Bucket of code bundles, local data files and the default outputs of every step. Required unless --bucket (or the action's s3-bucket input) gives it."},
		&confKey{name: "modelConfigFilePath", typ: typeString, def: DefaultGlob,
			doc: "Glob of the model conf files, relative to the repository root; ** matches any number of folders. --glob wins. A placeholder that is not set falls back to the default."},
		&confKey{name: "sagemakerNetworkSecurity", typ: typeMapping, keys: networkKeys,
			doc: "Execution role, VPC and KMS key of the jobs and models."},
		&confKey{name: "models", typ: typeUnused,
			deprecated: "models in the framework conf are ignored; define models in model conf files"},
	)

	networkKeys = table(
		&confKey{name: "role", typ: typeString,
			doc: "IAM role ARN: the execution role of every job and model, and the pipeline's role at deploy. Required unless --role gives it."},
		&confKey{name: "subnets", typ: typeString,
			doc: "VPC subnet IDs, comma-separated, for Processing, Training, Metrics, repack and models. Needs security_groups_id too."},
		&confKey{name: "security_groups_id", typ: typeString,
			doc: "VPC security group IDs, comma-separated, for the same steps as subnets."},
		&confKey{name: "kms_key", typ: typeString,
			doc: "KMS key ID or ARN: volume and output encryption of Processing, Training, Transform, Metrics and repack."},
	)

	modelsTable = named(&confKey{name: "model", typ: typeMapping, keys: modelKeys,
		doc: "A model: its code, its sections (named by the steps that read them) and its registry settings."},
		modelNamePattern, "a model name is not blank and has no '.'")

	// modelKeys are the keys of conf.models.<model>. Any other key is a
	// section, read by the Processing or Training steps whose step_type
	// names it.
	modelKeys = named(&confKey{name: "", typ: typeSection,
		doc: "A model section, read by the Processing steps whose step_type names it (conventionally preprocess) and by the Training steps whose step_type names it (default train)."},
		"", "",
		&confKey{name: "source_directory", typ: typeString,
			doc: "Code root of the model, relative to the repository root (. is the root). Needed by Processing, Training, Metrics, repack and local data files; it must be inside the repository."},
		&confKey{name: "name", typ: typeString,
			doc: "Names the repack step: <step_name>-RepackModel-<name>, else -RepackModel-0."},
		transformKey,
		evaluateKey,
		&confKey{name: "registry", typ: typeMapping, keys: registryKeys, nullOK: true,
			doc: "Settings of CreateModel and RegisterModel."},
		&confKey{name: previewKey, typ: typeMapping, keys: previewKeys, nullOK: true,
			doc: "Settings for preview runs only (smpipe preview, the action's mode preview), by section: each entry is merged over the model's section of that name, key by key (mappings such as channels merge, any other value replaces), in a preview and nowhere else. Use it for smaller instances or a sample of the data."},
	)

	transformKey = &confKey{name: transformSection, typ: typeSection,
		doc: "Transform settings; its entry_point is also the inference program of CreateModel and RegisterModel."}
	evaluateKey = &confKey{name: evaluateSection, typ: typeSection,
		doc: "Settings of the Metrics step."}

	// previewKeys are the keys of conf.models.<model>.preview: the names
	// of the model's sections.
	previewKeys = named(&confKey{name: "", typ: typeSection,
		doc: "Overrides of the model's section of this name in a preview run (a Processing or Training section)."},
		"", "", transformKey, evaluateKey)

	registryKeys = table(
		&confKey{name: "ModelRepack", typ: typeBool, def: defaultModelRepack,
			doc: "Repack the trained model with its inference code: a Training step <step_name>-RepackModel-<name> copies source_directory into code/ of the model archive. false: serve the archive as it is, with SAGEMAKER_PROGRAM set to the transform entry point. \"True\" and \"False\" (the original's strings) work too."},
		&confKey{name: "ModelPackageGroupName", typ: typeString,
			doc: "Model package group of RegisterModel; default <pipelineName>-<model>."},
		&confKey{name: "ModelPackageDescription", typ: typeString, def: defaultDescription,
			doc: "Description of the registered model package."},
		&confKey{name: "InferenceSpecification", typ: typeMapping, keys: inferenceKeys,
			doc: "Serving container and what the registered model supports."},
		&confKey{name: "quality_gate", typ: typeMapping, keys: qualityGateKeys,
			doc: "Register the model only when a metric of the latest Metrics step's model_evaluation_metrics.json passes a test; RegisterModel then runs under a Condition step."},
	)

	qualityGateKeys = table(
		&confKey{name: "metric", typ: typeString, required: true, pattern: `^(?:[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*)?$`,
			doc: "Path into model_evaluation_metrics.json: keys of letters, digits, _ and - joined by ., such as regression_metrics.mse.value."},
		&confKey{name: "operator", typ: typeEnum, required: true, enum: gateOperators(),
			doc: "The registration runs when metric operator threshold holds. Quote it: YAML reads a bare > or ! as syntax."},
		&confKey{name: "threshold", typ: typeNumber, required: true,
			doc: "A YAML number (0.5, 1e-3, 10), not a quoted string."},
		&confKey{name: "on_fail", typ: typeEnum, enum: []string{"fail", "skip"}, def: defaultGateOnFail,
			doc: "fail: the execution ends as failed, with a message naming the metric, its value and the test. skip: it ends without registering, as a success."},
	)

	inferenceKeys = table(
		&confKey{name: "image_uri", typ: typeString,
			doc: "Serving image of CreateModel and RegisterModel. Required by both."},
		&confKey{name: "supported_content_types", typ: typeStrings,
			doc: "SupportedContentTypes of the registered model."},
		&confKey{name: "supported_response_MIME_types", typ: typeStrings,
			doc: "SupportedResponseMIMETypes of the registered model."},
		&confKey{name: "SupportedRealtimeInferenceInstanceTypes", typ: typeStrings, def: []string{defaultInstanceType},
			doc: "Instance types for real-time inference of the registered model."},
		&confKey{name: "SupportedTransformInstanceTypes", typ: typeStrings, def: []string{defaultInstanceType},
			doc: "Instance types for batch transform of the registered model."},
		&confKey{name: "approval_status", typ: typeEnum, enum: []string{"Approved", "Rejected", "PendingManualApproval"}, def: defaultApprovalStatus,
			doc: "ModelApprovalStatus of the registered model."},
	)

	pipelineKeys = table(
		&confKey{name: "pipelineName", typ: typeString, required: true, needsValue: true,
			doc: "Name of the SageMaker pipeline: 1-256 letters, digits and single hyphens. Unique in the repository."},
		&confKey{name: "models", typ: typeMapping, required: true, keys: named(
			&confKey{name: "model", typ: typeMapping, keys: pipelineModelKeys,
				doc: "The steps of one model, which conf.models of some conf file defines."}, "", ""),
			doc: "The models of the pipeline and their steps, built in this order."},
		&confKey{name: "dependencies", typ: typeStrings,
			doc: "Ordering between steps, by step_name: each entry a chain a >> b >> c (whitespace around >> is free)."},
	)

	pipelineModelKeys = table(
		&confKey{name: "steps", typ: typeList, keys: stepKeys, required: true,
			doc: "The model's steps, in order."},
	)

	stepKeys = table(
		&confKey{name: "step_name", typ: typeString, required: true, needsValue: true,
			doc: "Name of the step, unique across the pipeline. CreateModel and RegisterModel steps appear as <step_name>-CreateModel and <step_name>-RegisterModel; every name after suffixing must match ^[A-Za-z0-9\\-_]{1,64}$."},
		&confKey{name: "step_class", typ: typeEnum, required: true, needsValue: true, enum: stepClassNames(),
			doc: "What the step is (case-sensitive)."},
		&confKey{name: "step_type", typ: typeString,
			doc: "The model section the step reads: required for Processing; Training reads train unless step_type names another. Other classes ignore it."},
		&confKey{name: "enable_cache", typ: typeBool, def: false,
			doc: "Step caching, for Processing, Training, Transform and Metrics steps."},
		&confKey{name: "cache_expire_after", typ: typeDuration, def: defaultCacheExpiry,
			doc: "How long a cached result is reused, an ISO-8601 duration such as P30D or PT12H; needs enable_cache."},
		&confKey{name: "chain_input_source_step", typ: typeStrings,
			doc: "Steps whose outputs are this step's inputs, by step_name (Processing, Training, Transform and Metrics steps; a Transform takes one)."},
		&confKey{name: "chain_input_additional_prefix", typ: typeString,
			doc: "Transform only: a path under the chained source's output to read, such as test/x_test.csv."},
	)

	dataFileKeys = table(
		&confKey{name: "sourceName", typ: typeString,
			doc: "Processing and Metrics: the input's name and its folder under the input path (required there). Training and Transform ignore it."},
		&confKey{name: "fileName", typ: typeString, required: true, needsValue: true,
			doc: "An s3:// URI, used as written; otherwise joined as s3://<bucket>/<prefix>/<fileName> with the channel's bucket, or without one a file under source_directory that deploy uploads."},
	)

	tagKeys = table(
		&confKey{name: "Key", typ: typeText, required: true, needsValue: true, doc: "Tag key."},
		&confKey{name: "Value", typ: typeText, doc: "Tag value."},
	)

	locationKeys = table(
		&confKey{name: "outputLocalFilepath", typ: typeString, def: processingOutputDir,
			doc: "Base of the output folders: each channel's output is written from <outputLocalFilepath>/<channel>/."},
	)
)

// sectionKeys are the keys of a model section, for every step class that
// reads one (see sectionReaders).
var sectionKeys = []*confKey{
	{name: "image_uri", typ: typeString, uses: []classUse{
		{class: Processing, required: true, doc: "the processing image."},
		{class: Training, required: true, doc: "the training image."},
		{class: Transform, ignored: "the model's image is registry.InferenceSpecification.image_uri"},
		{class: Metrics, required: true, doc: "the evaluation's processing image."},
	}},
	{name: "entry_point", typ: typeString, uses: []classUse{
		{class: Processing, required: true, doc: "script under source_directory, run as python -m <module> from /opt/ml/processing/input/code/ after pip install -r requirements.txt when present."},
		{class: Training, required: true, doc: "script under source_directory; the bundle is the script's directory, so keep a requirements.txt beside it."},
		{class: Transform, def: defaultInferenceProgram, doc: "inference program of CreateModel and RegisterModel, as a dotted module (serve/inference.py is serve.inference)."},
		{class: Metrics, required: true, doc: "evaluation script, run as for Processing; it writes /opt/ml/processing/output/model_evaluation_metrics.json."},
	}},
	{name: "base_job_name", typ: typeString, doc: "Job name prefix of the original framework; SageMaker Pipelines names the jobs, so it has no effect.",
		uses: useBy(Processing, Training, Transform, Metrics)},
	{name: "instance_count", typ: typeCount, def: defaultInstanceCount, doc: "Number of instances.",
		uses: useBy(Processing, Training, Transform, Metrics)},
	{name: "instance_type", typ: typeString, def: defaultInstanceType, doc: "Instance type.",
		uses: useBy(Processing, Training, Transform, Metrics)},
	{name: "volume_size_in_gb", typ: typeCount, doc: "Storage volume of each instance, in GB.", uses: []classUse{
		{class: Processing, def: defaultVolumeSizeInGB},
		{class: Training, def: defaultVolumeSizeInGB},
		{class: Metrics, def: defaultMetricsVolumeSizeInGB},
	}},
	{name: "max_runtime_seconds", typ: typeCount, def: defaultMaxRuntime, doc: "Maximum run time in seconds (the stopping condition).",
		uses: useBy(Processing, Training)},
	{name: "max_runtime_in_seconds", typ: typeCount, uses: []classUse{
		{class: Transform, ignored: "batch transform takes no run time limit"},
		{class: Metrics, def: defaultMetricsMaxRuntime, doc: "maximum run time in seconds (the stopping condition)."},
	}},
	{name: "volume_size", typ: typeUnused, uses: []classUse{
		{class: Transform, ignored: "batch transform takes no volume size"},
	}},
	{name: "tags", typ: typeList, keys: tagKeys, doc: "Tags of the job, a list of {Key, Value}.",
		uses: useBy(Processing, Training, Transform, Metrics)},
	{name: "env", typ: typeStringMap, doc: "Environment variables of the job.",
		uses: useBy(Processing, Training, Transform, Metrics)},
	{name: "s3_data_distribution_type", typ: typeEnum, enum: s3DataDistributions, def: defaultDistribution, uses: []classUse{
		{class: Processing, doc: "S3DataDistributionType of the static and chained inputs."},
		{class: Metrics, doc: "S3DataDistributionType of the static inputs."},
	}},
	{name: "channels", typ: typeChannels, uses: []classUse{
		{class: Processing, doc: "each channel's dataFiles are static inputs at /opt/ml/processing/input/<sourceName>/; each channel name is an output, written from /opt/ml/processing/output/<channel>/. Without channels, one output train."},
		{class: Training, doc: "input channels, each with one dataFiles entry, at /opt/ml/input/data/<channel>/."},
		{class: Transform, doc: "exactly one channel (default train): with a chain source it names the source's output to read; without, its one dataFiles entry is the input."},
		{class: Metrics, doc: "a channel name, or a mapping with one channel whose dataFiles are static inputs (default train); it names the chained input folders <InputLocalFilepath>/<source>-<channel>/ and the output of a Processing source that is read."},
	}},
	{name: "location", typ: typeMapping, keys: locationKeys, uses: []classUse{
		{class: Processing, doc: "where the outputs are written from."},
	}},
	{name: "output_path", typ: typeS3URI, uses: []classUse{
		{class: Training, doc: "where SageMaker writes model.tar.gz; default s3://<s3Bucket>/."},
	}},
	{name: "hyperparams", typ: typeAnyMap, uses: []classUse{
		{class: Training, doc: "hyperparameters, each JSON-encoded with YAML 1.1 types as the original did (binary:logistic is \"binary:logistic\", 300 is 300, yes is true). sagemaker_* names are reserved."},
	}},
	{name: "model_data_uri", typ: typeString, uses: []classUse{
		{class: Training, doc: "S3 URI of a model to start from; adds an input channel model."},
	}},
	{name: "content_type", typ: typeString, uses: []classUse{
		{class: Training, doc: "ContentType of every input channel."},
		{class: Transform, def: defaultTransformContent, doc: "ContentType of the input and Accept of the output."},
		{class: Metrics, def: defaultMetricsContentType, doc: "content type of the metrics RegisterModel records."},
	}},
	{name: "input_mode", typ: typeEnum, enum: []string{"File", "Pipe", "FastFile"}, def: defaultInputMode, uses: []classUse{
		{class: Training, doc: "InputMode of every channel."},
	}},
	{name: "distribution", typ: typeEnum, enum: s3DataDistributions, def: defaultDistribution, uses: []classUse{
		{class: Training, doc: "S3DataDistributionType of every channel."},
	}},
	{name: "strategy", typ: typeEnum, enum: []string{"MultiRecord", "SingleRecord"}, uses: []classUse{
		{class: Transform, doc: "BatchStrategy."},
		{class: Metrics, ignored: "it applies to transform only"},
	}},
	{name: "assemble_with", typ: typeEnum, enum: []string{"None", "Line"}, uses: []classUse{
		{class: Transform, doc: "AssembleWith of the output."},
	}},
	{name: "join_source", typ: typeEnum, enum: []string{"Input", "None"}, uses: []classUse{
		{class: Transform, doc: "JoinSource of DataProcessing."},
	}},
	{name: "split_type", typ: typeEnum, enum: []string{"None", "Line", "RecordIO", "TFRecord"}, uses: []classUse{
		{class: Transform, doc: "SplitType of the input."},
	}},
	{name: "max_payload", typ: typeCount, uses: []classUse{
		{class: Transform, doc: "MaxPayloadInMB."},
		{class: Metrics, ignored: "it applies to transform only"},
	}},
	{name: "input_filter", typ: typeString, uses: []classUse{
		{class: Transform, doc: "InputFilter of DataProcessing, a JSONPath."},
	}},
	{name: "output_filter", typ: typeString, uses: []classUse{
		{class: Transform, doc: "OutputFilter of DataProcessing, a JSONPath."},
	}},
	{name: "framework_version", typ: typeUnused, uses: []classUse{
		{class: Processing, ignored: "the image comes from image_uri"},
	}},
	{name: "s3_data_type", typ: typeUnused, uses: []classUse{
		{class: Processing, ignored: "inputs are always S3Prefix"},
		{class: Metrics, ignored: "inputs are always S3Prefix"},
	}},
	{name: "s3_input_mode", typ: typeUnused, uses: []classUse{
		{class: Processing, ignored: "inputs are always File mode"},
		{class: Metrics, ignored: "inputs are always File mode"},
	}},
	{name: "s3_upload_mode", typ: typeUnused, uses: []classUse{
		{class: Processing, ignored: "outputs are always uploaded at EndOfJob"},
	}},
	{name: "inputLocalFilepath", typ: typeUnused, uses: []classUse{
		{class: Processing, ignored: "it placed the manifest the original wrote for seven or more channels, and each static input is at /opt/ml/processing/input/<sourceName>"},
	}},
}

// channelKeys are the keys of one channel, for every step class that
// reads channels.
var channelKeys = []*confKey{
	{name: "dataFiles", typ: typeList, keys: dataFileKeys, uses: []classUse{
		{class: Processing, doc: "static inputs, one per entry."},
		{class: Training, doc: "the channel's data: exactly one entry."},
		{class: Transform, doc: "without a chain source, the input: exactly one entry."},
		{class: Metrics, doc: "static inputs, one per entry, at <InputLocalFilepath>/<sourceName>/."},
	}},
	{name: "s3Bucket", typ: typeString, doc: "Bucket of each fileName that is not an s3:// URI; without one, such a fileName is a file under source_directory.",
		uses: useBy(Processing, Training, Metrics)},
	{name: "s3InputPrefix", typ: typeString, doc: "Prefix of each fileName under s3Bucket.",
		uses: useBy(Processing, Training, Metrics)},
	{name: "s3BucketName", typ: typeString, uses: []classUse{
		{class: Transform, doc: "bucket of a fileName that is not an s3:// URI, and of the static Transform's output s3://<s3BucketName>/[<inputBucketPrefix>/]<model>/predictions/transform."},
		{class: Metrics, doc: "bucket of the metrics output, s3://<s3BucketName>/[<bucket_prefix>/]<model>/evaluation/<execution>."},
	}},
	{name: "inputBucketPrefix", typ: typeString, uses: []classUse{
		{class: Transform, doc: "prefix under s3BucketName of the input and the output."},
	}},
	{name: "bucket_prefix", typ: typeString, uses: []classUse{
		{class: Metrics, doc: "prefix of the metrics output under s3BucketName."},
	}},
	{name: "InputLocalFilepath", typ: typeString, uses: []classUse{
		{class: Metrics, def: processingInputDir, doc: "base of the local input folders."},
	}},
	{name: "OuputLocalFilepath", typ: typeString, uses: []classUse{
		{class: Metrics, def: processingOutputDir + "/", doc: "local folder of the metrics output (the original's spelling)."},
	}},
}

var s3DataDistributions = []string{"FullyReplicated", "ShardedByS3Key"}

// useBy is the same use of a key by several classes: the key's doc says it.
func useBy(classes ...StepClass) []classUse {
	out := make([]classUse, len(classes))
	for i, c := range classes {
		out[i] = classUse{class: c}
	}
	return out
}

// sectionReaders are the step classes that may read a model section
// called name: those whose step_type names their section (any name), and
// those that read one section of a fixed name.
func sectionReaders(name string) []StepClass {
	var out []StepClass
	for _, c := range stepClasses {
		if s := c.spec(); s.sectionKeys != nil && (s.section == "" || s.section == name) {
			out = append(out, c)
		}
	}
	return out
}

// stepClassNames are the values step_class accepts.
func stepClassNames() []string {
	names := make([]string, len(stepClasses))
	for i, c := range stepClasses {
		names[i] = string(c)
	}
	return names
}
