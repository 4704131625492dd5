package compiler

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/smpipe/smpipe-action/internal/workspace"
)

var processingEntrypoint = []string{"/bin/bash", processingInputDir + "/entrypoint/runproc.sh"}

// processingJob is what Processing and Metrics steps share: a
// FrameworkProcessor-style job that unpacks source_directory and runs the
// entry point as a module.
type processingJob struct {
	sec      *SectionConf
	inputs   []processingInput
	outputs  []processingOutput
	volume   int64
	runtime  int64
	settings map[string]string
}

func (b *builder) buildProcessing(us *userStep) {
	sc := us.conf
	if !sc.Type.Set {
		b.ds.Errorf(sc.Pos, "missing-key", "Processing step %q needs step_type naming its section under models.%s (for example preprocess)", us.name, us.model.Name)
		return
	}
	sec := b.section(us.model, sc.Type.Value, Processing)
	if sec == nil {
		b.ds.Errorf(sc.Type.Pos, "missing-section", "step_type %q of step %q names no section of model %q%s",
			sc.Type.Value, us.name, us.model.Name, didYouMean(sc.Type.Value, b.sectionNames(us.model)))
		return
	}
	job := &processingJob{sec: sec, volume: sec.VolumeSizeInGB.Or(defaultVolumeSizeInGB), runtime: sec.MaxRuntime.Or(defaultMaxRuntime), settings: map[string]string{}}
	distribution := sec.S3DataDistributionType.Or(defaultDistribution)
	base := processingInputDir
	for _, ch := range sec.Channels {
		b.staticInputs(us, job, ch, base, distribution)
	}
	for i, src := range b.chainSources(us) {
		if src == nil {
			continue
		}
		for _, o := range b.outputs(src) {
			name := src.name + "-input-" + o.channel
			job.inputs = append(job.inputs, s3In(name, o.uri, processingInputDir+"/"+name, distribution))
		}
		job.settings[fmt.Sprintf("chain_input_source_step[%d]", i)] = src.name
	}
	outBase := sec.OutputLocalFilepath.Or(processingOutputDir)
	for _, ch := range b.processingOutputs(us) {
		job.outputs = append(job.outputs, processingOutput{OutputName: ch, S3Output: s3Output{
			S3Uri:        join("/", "s3:/", b.pipe.Bucket, b.keyPrefix(), executionID, us.name, "output", ch),
			LocalPath:    outBase + "/" + ch,
			S3UploadMode: "EndOfJob",
		}})
	}
	b.emitProcessing(us, job, Processing)
}

// emitProcessing adds code inputs and the definition step for a
// Processing or Metrics job.
func (b *builder) emitProcessing(us *userStep, job *processingJob, class StepClass) *Step {
	sec := job.sec
	dir, dirOK := b.sourceDir(us)
	var ep string
	var epOK bool
	if dirOK {
		ep, epOK = b.entryPoint(us, sec, dir)
	}
	if !dirOK || !epOK || !sec.ImageURI.Set {
		return nil
	}
	code, err := b.bundles.sourceDir(dir)
	if err != nil {
		b.bundleError(us, err)
		return nil
	}
	runproc, err := b.bundles.runproc(module(ep), ep)
	if err != nil {
		return nil // a runError: Build reports it
	}
	job.inputs = append(job.inputs,
		s3In("code", code.URI(), processingInputDir+"/code/", defaultDistribution),
		s3In("entrypoint", runproc.URI(), processingInputDir+"/entrypoint", defaultDistribution))

	s := job.settings
	s["image_uri"], s["entry_point"] = sec.ImageURI.Value, ep
	s["instance_type"] = sec.InstanceType.Or(defaultInstanceType)
	s["instance_count"] = strconv.FormatInt(sec.InstanceCount.Or(defaultInstanceCount), 10)
	s["volume_size_in_gb"] = strconv.FormatInt(job.volume, 10)
	s["max_runtime"] = strconv.FormatInt(job.runtime, 10)
	s["code"] = "sha256:" + code.SHA256
	args := &processingArgs{
		ProcessingResources: processingResources{ClusterConfig: clusterConfig{
			InstanceType:   sec.InstanceType.Or(defaultInstanceType),
			InstanceCount:  sec.InstanceCount.Or(defaultInstanceCount),
			VolumeSizeInGB: job.volume,
			VolumeKmsKeyId: b.kms(),
		}},
		AppSpecification: appSpecification{ImageUri: sec.ImageURI.Value, ContainerEntrypoint: processingEntrypoint},
		RoleArn:          b.pipe.Role,
		ProcessingInputs: job.inputs,
		Environment:      envOf(sec.Env, "env", s),
		NetworkConfig: &networkConfig{
			EnableInterContainerTrafficEncryption: true,
			VpcConfig:                             b.vpc(),
		},
		StoppingCondition: stoppingCondition{MaxRuntimeInSeconds: job.runtime},
		Tags:              tagsOf(sec.Tags, s),
	}
	if len(job.outputs) > 0 {
		args.ProcessingOutputConfig = &processingOutputs{Outputs: job.outputs, KmsKeyId: b.kms()}
	}
	outs := make([]string, len(job.outputs))
	for i, o := range job.outputs {
		outs[i] = o.OutputName
	}
	return b.addStep(us, &Step{Name: us.name, Class: class, Arguments: args,
		Cache: b.cache(us, s), Outputs: outs, Settings: s})
}

// staticInputs adds one input per dataFiles entry of ch, named by its
// sourceName and placed in that folder under base.
func (b *builder) staticInputs(us *userStep, job *processingJob, ch *ChannelConf, base, distribution string) {
	for i, df := range ch.DataFiles {
		if !df.SourceName.Set {
			b.ds.Errorf(df.Pos, "missing-key", "dataFiles[%d] of channel %q is missing sourceName, which names the input and its folder under %s", i, ch.Name, base)
			continue
		}
		uri, ok := b.fileURI(us, df, ch.S3Bucket, ch.S3InputPrefix)
		if !ok {
			continue
		}
		job.inputs = append(job.inputs, s3In(df.SourceName.Value, uri, base+"/"+df.SourceName.Value, distribution))
		job.settings[fmt.Sprintf("channels.%s.dataFiles[%d].fileName", ch.Name, i)] = df.FileName.Value
	}
}

func s3In(name string, uri any, local, distribution string) processingInput {
	return processingInput{InputName: name, S3Input: s3Input{
		S3Uri: uri, LocalPath: local, S3DataType: "S3Prefix", S3InputMode: "File",
		S3DataDistributionType: distribution, S3CompressionType: "None",
	}}
}

// bundleError reports a bundle that could not be built at the model's
// source_directory, naming the file at fault. A failure of the run itself
// (cancelled, artifact directory unwritable) is Build's error instead.
func (b *builder) bundleError(us *userStep, err error) {
	if b.bundles.failed() {
		return
	}
	sd := us.model.SourceDirectory
	msg := fmt.Sprintf("bundling source_directory %q: %s", sd.Value, pathError(err))
	if errors.As(err, new(*workspace.TooLargeError)) {
		msg += "; move it out of source_directory (to S3) " + raiseLimit
	}
	b.ds.Errorf(sd.Pos, "path", "%s", msg)
}
