package compiler

import (
	"fmt"
	"strings"
)

// buildMetrics builds the evaluate job: a processing job whose single
// output holds model_evaluation_metrics.json, declared as a PropertyFile.
func (b *builder) buildMetrics(us *userStep) {
	if us.transform == nil && !us.afterInvalid {
		b.ds.Errorf(us.conf.Pos, "wiring", "Metrics step %q needs a Transform step before it in model %q", us.name, us.model.Name)
	}
	sec := b.section(us.model, evaluateSection, Metrics)
	if sec == nil {
		b.ds.Errorf(us.conf.Pos, "missing-section", "Metrics step %q needs an evaluate section in model %q", us.name, us.model.Name)
		return
	}
	if len(sec.Channels) > 1 {
		b.ds.Errorf(sec.ChannelsPos, "channels", "evaluate of model %q has %d channels; it takes exactly one", us.model.Name, len(sec.Channels))
		return
	}
	channel := b.evaluateChannel(us.model)
	job := &processingJob{sec: sec, volume: sec.VolumeSizeInGB.Or(defaultMetricsVolumeSizeInGB), runtime: sec.MaxRuntime.Or(defaultMetricsMaxRuntime), settings: map[string]string{}}
	var ch *ChannelConf
	if len(sec.Channels) == 1 {
		ch = sec.Channels[0]
	}
	base := processingInputDir
	outLocal := processingOutputDir + "/"
	if ch != nil {
		base = strings.TrimSuffix(ch.InputLocalFilepath.Or(base), "/")
		outLocal = ch.OutputLocalFilepath.Or(outLocal)
		b.staticInputs(us, job, ch, base, sec.S3DataDistributionType.Or(defaultDistribution))
	}
	srcs := b.chainSources(us)
	for i, src := range srcs {
		if src == nil {
			continue
		}
		o, ok := b.pick(us, src, channel, us.conf.ChainSources[i].Pos)
		if !ok {
			continue
		}
		// s3_data_distribution_type applies to static inputs only, as in the original.
		job.inputs = append(job.inputs, s3In(src.name+"-input", o.uri, base+"/"+src.name+"-"+channel, defaultDistribution))
		job.settings[fmt.Sprintf("chain_input_source_step[%d]", i)] = src.name
	}
	// The output is scoped to the execution, so concurrent runs never
	// overwrite each other's metrics (the seed's was a fixed path).
	dest := join("/", "s3:/", b.pipe.Bucket, b.keyPrefix(), executionID, us.name, "output", metricsOutputName)
	if ch != nil && ch.S3BucketName.Set {
		vals := []any{"s3:/", ch.S3BucketName.Value}
		if ch.BucketPrefix.Set {
			vals = append(vals, strings.Trim(ch.BucketPrefix.Value, "/"))
		}
		dest = join("/", append(vals, us.model.Name, "evaluation", executionID)...)
	}
	job.outputs = []processingOutput{{OutputName: metricsOutputName, S3Output: s3Output{S3Uri: dest, LocalPath: outLocal, S3UploadMode: "EndOfJob"}}}
	job.settings["channels"] = channel
	s := b.emitProcessing(us, job, Metrics)
	if s != nil {
		s.PropertyFiles = []propertyFile{{PropertyFileName: evaluationReport, OutputName: metricsOutputName, FilePath: metricsFileName}}
		if ct := sec.ContentType.Or(defaultMetricsContentType); ct != "" {
			s.Settings["content_type"] = ct
		}
	}
}
