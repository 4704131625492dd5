package compiler

import (
	"fmt"

	"github.com/smpipe/smpipe-action/compiler/graph"
)

// buildMetrics builds the evaluate job: a processing job whose single
// output holds model_evaluation_metrics.json, declared as a PropertyFile.
func (b *builder) buildMetrics(us *userStep) {
	if us.transform == nil && !us.afterInvalid {
		b.ds.Errorf(us.conf.Pos, "wiring", "Metrics step %q needs a Transform step before it in model %q", us.name, us.model.Name)
	}
	sec := b.section(us.model, "evaluate", graph.Metrics)
	if sec == nil {
		b.ds.Errorf(us.conf.Pos, "missing-section", "Metrics step %q needs an evaluate section in model %q", us.name, us.model.Name)
		return
	}
	if len(sec.Channels) > 1 {
		b.ds.Errorf(sec.ChannelsPos, "channels", "evaluate of model %q has %d channels; it takes exactly one", us.model.Name, len(sec.Channels))
		return
	}
	channel := b.evaluateChannel(us.model)
	job := &processingJob{sec: sec, volume: sec.VolumeSizeInGB.Or(50), runtime: sec.MaxRuntime.Or(3600), settings: map[string]string{}}
	var ch *ChannelConf
	if len(sec.Channels) == 1 {
		ch = sec.Channels[0]
	}
	base := processingInputDir
	outLocal := processingOutputDir + "/"
	if ch != nil {
		base = ch.InputLocalFilepath.Or(base)
		outLocal = ch.OutputLocalFilepath.Or(outLocal)
		b.staticInputs(us, job, ch, base, sec.S3DataDistributionType.Or("FullyReplicated"))
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
		job.inputs = append(job.inputs, s3In(src.name+"-input", o.uri, base+"/"+src.name+"-"+channel, "FullyReplicated"))
		job.settings[fmt.Sprintf("chain_input_source_step[%d]", i)] = src.name
	}
	// The output is scoped to the execution, so concurrent runs never
	// overwrite each other's metrics (the seed's was a fixed path).
	dest := join("/", "s3:/", b.pipe.Bucket, b.pipe.Name, executionID, us.name, "output", metricsOutputName)
	if ch != nil && ch.S3BucketName.Set {
		vals := []any{"s3:/", ch.S3BucketName.Value}
		if ch.BucketPrefix.Set {
			vals = append(vals, trimSlashes(ch.BucketPrefix.Value))
		}
		dest = join("/", append(vals, us.model.Name, "evaluation", executionID)...)
	}
	job.outputs = []processingOutput{{OutputName: metricsOutputName, S3Output: s3Output{S3Uri: dest, LocalPath: outLocal, S3UploadMode: "EndOfJob"}}}
	job.settings["channels"] = channel
	s := b.emitProcessing(us, job, graph.Metrics, fmt.Sprintf("evaluate section of model %q", us.model.Name))
	if s != nil {
		s.PropertyFiles = []propertyFile{{PropertyFileName: "EvaluationReport", OutputName: metricsOutputName, FilePath: metricsFileName}}
		if ct := sec.ContentType.Or("application/json"); ct != "" {
			s.Settings["content_type"] = ct
		}
	}
}

func trimSlashes(s string) string {
	for len(s) > 0 && s[0] == '/' {
		s = s[1:]
	}
	for len(s) > 0 && s[len(s)-1] == '/' {
		s = s[:len(s)-1]
	}
	return s
}
