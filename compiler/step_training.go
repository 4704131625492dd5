package compiler

import (
	"fmt"
	"path"
	"strconv"
	"strings"
)

func (b *builder) buildTraining(us *userStep) {
	sc := us.conf
	secName := sc.Type.Or(defaultTrainingSection)
	sec := b.section(us.model, secName, Training)
	if sec == nil {
		at := sc.Pos
		if sc.Type.Set {
			at = sc.Type.Pos
		}
		b.ds.Errorf(at, "missing-section", "Training step %q needs section %q in model %q%s", us.name, secName, us.model.Name, didYouMean(secName, b.sectionNames(us.model)))
		return
	}
	s := map[string]string{}
	content, mode, distribution := sec.ContentType.Value, sec.InputMode.Or(defaultInputMode), sec.Distribution.Or(defaultDistribution)
	newChannel := func(name string, uri any) channel {
		return channel{ChannelName: name, ContentType: content, InputMode: mode,
			DataSource: dataSource{S3DataSource: s3DataSource{S3DataType: "S3Prefix", S3Uri: uri, S3DataDistributionType: distribution}}}
	}
	var channels []channel
	for _, ch := range sec.Channels {
		switch {
		case len(ch.DataFiles) == 0:
			at := ch.Pos
			if ch.DataFilesSet {
				at = ch.DataFilesPos
			}
			b.ds.Errorf(at, "channels", "training channel %q has no dataFiles; give it one fileName (an S3 object or prefix)", ch.Name)
			continue
		case len(ch.DataFiles) > 1:
			b.ds.Errorf(ch.DataFiles[1].Pos, "channels", "training channel %q has %d dataFiles; a channel reads one S3 object or prefix, so put the files under one prefix or use one channel per file", ch.Name, len(ch.DataFiles))
			continue
		}
		df := ch.DataFiles[0]
		uri, ok := b.fileURI(us, df, ch.S3Bucket, ch.S3InputPrefix)
		if !ok {
			continue
		}
		channels = append(channels, newChannel(ch.Name, uri))
		s[fmt.Sprintf("channels.%s.dataFiles[0].fileName", ch.Name)] = df.FileName.Value
	}
	for i, src := range b.chainSources(us) {
		if src == nil {
			continue
		}
		for _, o := range b.outputs(src) {
			channels = append(channels, newChannel(src.name+"-"+o.channel, o.uri))
		}
		s[fmt.Sprintf("chain_input_source_step[%d]", i)] = src.name
	}
	if sec.ModelDataURI.Set {
		channels = append(channels, channel{ChannelName: "model", ContentType: "application/x-sagemaker-model", InputMode: "File",
			DataSource: dataSource{S3DataSource: s3DataSource{S3DataType: "S3Prefix", S3Uri: sec.ModelDataURI.Value, S3DataDistributionType: defaultDistribution}}})
		s["model_data_uri"] = sec.ModelDataURI.Value
	}

	dir, ok := b.sourceDir(us)
	if !ok || !sec.ImageURI.Set { // a missing image_uri was reported while decoding
		return
	}
	ep, ok := b.entryPoint(us, sec, dir)
	if !ok {
		return
	}
	// The training toolkit runs the script from its own directory's bundle,
	// as the seed's estimator did: keep requirements.txt beside the script.
	codeDir, script := dir, ep
	if strings.Contains(ep, "/") {
		codeDir, script = path.Join(dir, path.Dir(ep)), path.Base(ep)
	}
	code, err := b.bundles.sourceDir(codeDir)
	if err != nil {
		b.bundleError(us, err)
		return
	}
	outputPath := sec.OutputPath.Or(b.outputRoot())
	hp := map[string]any{}
	for _, kv := range sec.Hyperparams {
		if strings.HasPrefix(kv.Key, "sagemaker_") {
			b.ds.Errorf(kv.KeyAt, "hyperparams", "hyperparameter %q is reserved: smpipe sets the sagemaker_* hyperparameters itself", kv.Key)
			continue
		}
		hp[kv.Key] = kv.Value.Value
		s["hyperparams."+kv.Key] = kv.Value.Value
	}
	hp["sagemaker_submit_directory"] = pyJSONString(code.URI())
	hp["sagemaker_program"] = pyJSONString(script)
	hp["sagemaker_container_log_level"] = "20"
	hp["sagemaker_region"] = pyJSONString(b.region)

	s["image_uri"], s["entry_point"] = sec.ImageURI.Value, ep
	s["instance_type"] = sec.InstanceType.Or(defaultInstanceType)
	s["instance_count"] = strconv.FormatInt(sec.InstanceCount.Or(defaultInstanceCount), 10)
	s["volume_size_in_gb"] = strconv.FormatInt(sec.VolumeSizeInGB.Or(defaultVolumeSizeInGB), 10)
	s["max_runtime_seconds"] = strconv.FormatInt(sec.MaxRuntime.Or(defaultMaxRuntime), 10)
	s["output_path"] = outputPath
	s["code"] = "sha256:" + code.SHA256
	args := &trainingArgs{
		AlgorithmSpecification: algorithmSpecification{TrainingInputMode: defaultInputMode, TrainingImage: sec.ImageURI.Value},
		OutputDataConfig:       outputDataConfig{S3OutputPath: outputPath, KmsKeyId: b.kms()},
		StoppingCondition:      stoppingCondition{MaxRuntimeInSeconds: sec.MaxRuntime.Or(defaultMaxRuntime)},
		ResourceConfig: resourceConfig{VolumeSizeInGB: sec.VolumeSizeInGB.Or(defaultVolumeSizeInGB), InstanceCount: sec.InstanceCount.Or(defaultInstanceCount),
			InstanceType: sec.InstanceType.Or(defaultInstanceType), VolumeKmsKeyId: b.kms()},
		RoleArn:         b.pipe.Role,
		InputDataConfig: channels,
		HyperParameters: hp,
		DebugHookConfig: &debugHookConfig{S3OutputPath: outputPath, CollectionConfigurations: []any{}},
		// The profiler's default rule embeds a timestamp and would defeat step caching.
		ProfilerConfig: profilerConfig{DisableProfiler: true},
		Environment:    envOf(sec.Env, "env", s),
		VpcConfig:      b.vpc(),
		Tags:           tagsOf(sec.Tags, s),
	}
	args.EnableInterContainerTrafficEncryption = args.VpcConfig != nil
	b.addStep(us, &Step{Name: us.name, Class: Training, Arguments: args, Cache: b.cache(us, s), Settings: s})
}
