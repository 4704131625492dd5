package compiler

import (
	"gopkg.in/yaml.v3"

	"github.com/smpipe/smpipe-action/compiler/diag"
)

// Positioned leaves: Set tells "absent" from the zero value.
type (
	Str struct {
		Value string
		Pos   diag.Pos
		Set   bool
	}
	Bool struct {
		Value bool
		Pos   diag.Pos
		Set   bool
	}
	Int struct {
		Value int64
		Pos   diag.Pos
		Set   bool
	}
	Float struct {
		Value float64
		Pos   diag.Pos
		Set   bool
	}
	StrList struct {
		Items []Str
		Pos   diag.Pos
		Set   bool
	}
)

// Or returns the value, or def when unset.
func (s Str) Or(def string) string {
	if s.Set {
		return s.Value
	}
	return def
}

// Or returns the value, or def when unset.
func (b Bool) Or(def bool) bool {
	if b.Set {
		return b.Value
	}
	return def
}

// Or returns the value, or def when unset.
func (i Int) Or(def int64) int64 {
	if i.Set {
		return i.Value
	}
	return def
}

// Values returns the plain strings.
func (l StrList) Values() []string {
	out := make([]string, len(l.Items))
	for i, s := range l.Items {
		out[i] = s.Value
	}
	return out
}

// KV is one entry of a user mapping (env, hyperparams), kept in file order.
type KV struct {
	Key   string
	KeyAt diag.Pos
	Value Str
}

// Tag is one {Key, Value} item of a tags list.
type Tag struct {
	Key, Value Str
	Pos        diag.Pos
}

// ConfFile is one decoded conf file: what the user wrote.
type ConfFile struct {
	Path      string
	Models    []*ModelConf  // conf.models, in file order
	Pipeline  *PipelineConf // conf.sagemakerPipeline; nil unless the file is an anchor
	Framework *FrameworkConf
}

// FrameworkConf is framework/conf/conf.yaml.
type FrameworkConf struct {
	Path                string
	S3Bucket            Str
	ModelConfigFilePath Str
	Role                Str
	Subnets             Str
	SecurityGroups      Str
	KMSKey              Str
}

// ModelConf is conf.models.<name>. Its sections (processing sections, train,
// transform, evaluate) are kept as nodes and decoded by the step that uses
// them, because a section's keys depend on the class of that step.
type ModelConf struct {
	Name            string
	Pos             diag.Pos // of the model's key
	File            string
	SourceDirectory Str
	ModelName       Str // the model's `name`
	Registry        *yaml.Node
	RegistryPos     diag.Pos
	Sections        map[string]sectionNode
	// Preview holds the preview: overrides by section name, each merged
	// over that section in a preview build only (Options.Preview).
	Preview map[string]sectionNode
	// lean is set when the nodes of Registry and Sections were let go after
	// loading (a large repository); a build decodes the file again for them.
	lean bool
}

// dropNodes lets go of the YAML a build would decode later, keeping what
// was decoded and the positions: the build re-reads the nodes from the
// file's source when it needs them.
func (cf *ConfFile) dropNodes() {
	for _, m := range cf.Models {
		m.lean = true
		m.Registry = nil
		for _, nodes := range []map[string]sectionNode{m.Sections, m.Preview} {
			for k, sn := range nodes {
				sn.Node = nil
				nodes[k] = sn
			}
		}
	}
}

type sectionNode struct {
	Node *yaml.Node
	Pos  diag.Pos // of the section's key
}

// PipelineConf is conf.sagemakerPipeline of an anchor file.
type PipelineConf struct {
	File         string
	Pos          diag.Pos
	Name         Str
	Models       []*PipelineModelConf
	Dependencies []Str
}

// PipelineModelConf is sagemakerPipeline.models.<name>.
type PipelineModelConf struct {
	Name  string
	Pos   diag.Pos
	Steps []*StepConf
}

// StepConf is one item of a model's steps list.
type StepConf struct {
	Pos              diag.Pos
	Model            string
	Name             Str
	Class            Str // as written; it may name no class (reported while decoding)
	Type             Str
	EnableCache      Bool
	CacheExpireAfter Str
	ChainSources     []Str
	ChainPrefix      Str
}

// SectionConf is a decoded model section (processing section, train,
// transform or evaluate), decoded for one step class.
type SectionConf struct {
	Name string
	Pos  diag.Pos

	ImageURI, EntryPoint, BaseJobName, InstanceType Str
	InstanceCount, VolumeSizeInGB, MaxRuntime       Int
	Tags                                            []Tag
	Env                                             []KV
	// Hyperparams hold JSON texts: each value typed as YAML 1.1 types it
	// and encoded as Python's json.dumps does (yaml11.go).
	Hyperparams []KV

	// Training
	OutputPath, ModelDataURI, ContentType, InputMode, Distribution Str
	// Processing and Metrics
	S3DataDistributionType, OutputLocalFilepath Str
	// Transform
	Strategy, AssembleWith, JoinSource, SplitType, InputFilter, OutputFilter Str
	MaxPayload                                                               Int

	// Channels in file order; ChannelsSet is false when the key is absent.
	Channels    []*ChannelConf
	ChannelsSet bool
	ChannelsPos diag.Pos
	// ChannelName is evaluate's plain-string form (`channels: train`).
	ChannelName Str
}

// ChannelConf is one channel of a section.
type ChannelConf struct {
	Name string
	Pos  diag.Pos

	S3Bucket, S3InputPrefix                 Str // Processing, Training, Metrics static inputs
	S3BucketName, InputBucketPrefix         Str // Transform input; Metrics output bucket
	BucketPrefix                            Str // Metrics output prefix
	InputLocalFilepath, OutputLocalFilepath Str // Metrics
	DataFiles                               []DataFileConf
	DataFilesSet                            bool
	DataFilesPos                            diag.Pos
}

// DataFileConf is one dataFiles item.
type DataFileConf struct {
	Pos        diag.Pos
	SourceName Str
	FileName   Str
}

// RegistryConf is a model's registry section.
type RegistryConf struct {
	Pos                     diag.Pos
	ModelRepack             Bool
	ModelPackageGroupName   Str
	ModelPackageDescription Str
	ImageURI                Str
	SupportedContentTypes   StrList
	SupportedResponseTypes  StrList
	RealtimeInstanceTypes   StrList
	TransformInstanceTypes  StrList
	ApprovalStatus          Str
	InferencePos            diag.Pos
	InferenceSet            bool
	QualityGate             *QualityGateConf // nil when absent
}

// QualityGateConf is registry.quality_gate: the test a model's evaluation
// report must pass before the model is registered.
type QualityGateConf struct {
	Pos       diag.Pos // of the quality_gate key
	Metric    Str      // a dotted path into model_evaluation_metrics.json
	Operator  Str      // one of gateOperators
	Threshold Float
	OnFail    Str // "fail" or "skip"
}
