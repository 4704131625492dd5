package compiler

import (
	"strconv"
	"strings"
)

// buildTransform builds a batch transform of the latest preceding
// CreateModel's model, reading either one chained source or the single
// static file of transform.channels.
func (b *builder) buildTransform(us *userStep) {
	m := us.model
	if us.create == nil && !us.afterInvalid {
		b.ds.Errorf(us.conf.Pos, "wiring", "Transform step %q needs a CreateModel step before it in model %q", us.name, m.Name)
	}
	sec := b.section(m, transformSection, Transform)
	if sec == nil {
		sec = &SectionConf{Name: transformSection, Pos: us.conf.Pos}
	}
	if len(sec.Channels) > 1 {
		b.ds.Errorf(sec.ChannelsPos, "channels", "transform of model %q has %d channels; a Transform step reads exactly one", m.Name, len(sec.Channels))
		return
	}
	sources := us.conf.ChainSources
	if len(sources) > 1 {
		b.ds.Errorf(sources[1].Pos, "chain", "Transform step %q has %d chain_input_source_step entries; it reads at most one", us.name, len(sources))
		return
	}
	s := map[string]string{}
	channel := b.transformChannel(m)
	var input any
	output := any(join("/", "s3:/", b.pipe.Bucket, b.keyPrefix(), executionID, us.name))
	if len(sources) == 1 {
		srcs := b.chainSources(us)
		if srcs[0] == nil {
			return
		}
		o, ok := b.pick(us, srcs[0], channel, sources[0].Pos)
		if !ok {
			return
		}
		// As the original: Std:Join("/", [output, prefix or ""]). Without a
		// prefix the input ends in "/", so it reads the output's folder and
		// not a sibling whose name extends it ("train" and "train2"). A
		// Training source is the exception: its output is one object,
		// model.tar.gz, which "model.tar.gz/" would not name.
		prefix := us.conf.ChainPrefix
		if prefix.Set || srcs[0].class != Training {
			input = join("/", o.uri, strings.TrimLeft(prefix.Value, "/"))
		} else {
			input = o.uri
		}
		if prefix.Set {
			s["chain_input_additional_prefix"] = prefix.Value
		}
		s["chain_input_source_step[0]"] = srcs[0].name
	} else {
		ch := (*ChannelConf)(nil)
		if len(sec.Channels) == 1 {
			ch = sec.Channels[0]
		}
		switch {
		case ch == nil:
			b.ds.Errorf(sec.Pos, "channels", "Transform step %q has no chain_input_source_step, so it needs one channel with one dataFiles entry in the transform section of model %q", us.name, m.Name)
			return
		case len(ch.DataFiles) != 1:
			b.ds.Errorf(ch.Pos, "channels", "transform channel %q has %d dataFiles; a static Transform reads exactly one", ch.Name, len(ch.DataFiles))
			return
		}
		uri, ok := b.fileURI(us, ch.DataFiles[0], ch.S3BucketName, ch.InputBucketPrefix)
		if !ok {
			return
		}
		input = uri
		s["channels."+ch.Name+".dataFiles[0].fileName"] = ch.DataFiles[0].FileName.Value
		if ch.S3BucketName.Set {
			parts := []string{strings.Trim(ch.S3BucketName.Value, "/")}
			if p := strings.Trim(ch.InputBucketPrefix.Value, "/"); p != "" {
				parts = append(parts, p)
			}
			out := "s3://"
			for _, p := range append(parts, m.Name, "predictions", "transform") {
				out += p + "/"
			}
			output = out[:len(out)-1]
		}
	}
	if us.create == nil || us.create.main == nil {
		return
	}
	contentType := sec.ContentType.Or(defaultTransformContent)
	s["instance_type"] = sec.InstanceType.Or(defaultInstanceType)
	s["instance_count"] = strconv.FormatInt(sec.InstanceCount.Or(defaultInstanceCount), 10)
	s["content_type"] = contentType
	for k, v := range map[string]Str{"strategy": sec.Strategy, "split_type": sec.SplitType, "assemble_with": sec.AssembleWith,
		"join_source": sec.JoinSource, "input_filter": sec.InputFilter, "output_filter": sec.OutputFilter} {
		if v.Set {
			s[k] = v.Value
		}
	}
	if sec.MaxPayload.Set {
		s["max_payload"] = strconv.FormatInt(sec.MaxPayload.Value, 10)
	}
	args := &transformArgs{
		ModelName: modelNameRef(us.create.main.Name),
		TransformInput: transformInput{
			DataSource:  transformDataSource{S3DataSource: s3DataSource{S3DataType: "S3Prefix", S3Uri: input}},
			ContentType: contentType,
			SplitType:   sec.SplitType.Value,
		},
		TransformOutput:    transformOutput{S3OutputPath: output, Accept: contentType, AssembleWith: sec.AssembleWith.Value, KmsKeyId: b.kms()},
		TransformResources: transformResources{InstanceCount: sec.InstanceCount.Or(defaultInstanceCount), InstanceType: sec.InstanceType.Or(defaultInstanceType), VolumeKmsKeyId: b.kms()},
		BatchStrategy:      sec.Strategy.Value,
		MaxPayloadInMB:     sec.MaxPayload.Value,
		Environment:        envOf(sec.Env, "env", s),
		Tags:               tagsOf(sec.Tags, s),
	}
	if sec.InputFilter.Set || sec.OutputFilter.Set || sec.JoinSource.Set {
		args.DataProcessing = &dataProcessing{InputFilter: sec.InputFilter.Value, OutputFilter: sec.OutputFilter.Value, JoinSource: sec.JoinSource.Value}
	}
	b.addStep(us, &Step{Name: us.name, Class: Transform, Arguments: args, Cache: b.cache(us, s), Settings: s})
}
