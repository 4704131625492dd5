package compiler

import (
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// validDuration reports whether s is an ISO-8601 duration of whole units,
// P[nY][nM][nW][nD][T[nH][nM][nS]] with at least one unit (a loop, not a
// regular expression, which would cost every run's start-up).
func validDuration(s string) bool {
	rest, ok := strings.CutPrefix(s, "P")
	if !ok || rest == "" || strings.HasSuffix(rest, "T") {
		return false
	}
	units, time := "YMWD", false
	for rest != "" {
		if rest[0] == 'T' && !time {
			units, time, rest = "HMS", true, rest[1:]
			continue
		}
		n := runOf(rest, "0123456789")
		if n == 0 || n == len(rest) {
			return false
		}
		i := strings.IndexByte(units, rest[n])
		if i < 0 {
			return false
		}
		units, rest = units[i+1:], rest[n+1:]
	}
	return true
}

// decodeSection decodes model section sn for a step of class c. The keys
// class c requires (keys.go) are reported missing at the section's key.
func (r *reader) decodeSection(name string, sn sectionNode, c StepClass, model string) *SectionConf {
	sc := &SectionConf{Name: name, Pos: sn.Pos}
	what := fmt.Sprintf("%s section %q of model %q", strings.ToLower(string(c)), name, model)
	if c == Metrics {
		what = fmt.Sprintf("evaluate section of model %q", model)
	}
	if isNull(sn.Node) { // `train:` with nothing under it is an empty section
		r.missingKeys(sn.Pos, what, c.spec().sectionKeys, nil)
		return sc
	}
	entries, _ := r.mappingAt(sn.Node, sn.Pos, what, c.spec().sectionKeys)
	for _, kv := range entries {
		v := kv.Value
		if why := kv.spec.deprecated; why != "" {
			r.warnf(kv.KeyN, "ignored-key", "key %q has no effect on a %s step: %s", kv.Key, c, why)
			continue
		}
		switch kv.Key {
		case "image_uri":
			sc.ImageURI = r.nonEmptyStr(v, kv.Key)
		case "entry_point":
			sc.EntryPoint = r.nonEmptyStr(v, kv.Key)
		case "base_job_name":
			sc.BaseJobName = r.nonEmptyStr(v, kv.Key)
		case "instance_type":
			sc.InstanceType = r.nonEmptyStr(v, kv.Key)
		case "instance_count":
			sc.InstanceCount = r.positive(v, kv.Key)
		case "volume_size_in_gb":
			sc.VolumeSizeInGB = r.positive(v, kv.Key)
		case "max_runtime_seconds", "max_runtime_in_seconds":
			sc.MaxRuntime = r.positive(v, kv.Key)
		case "max_payload":
			sc.MaxPayload = r.positive(v, kv.Key)
		case "tags":
			sc.Tags = r.decodeTags(v)
		case "env":
			sc.Env = r.stringMap(v, "env")
		case "hyperparams":
			sc.Hyperparams = r.hyperparams(v)
		case "output_path":
			sc.OutputPath = r.nonEmptyStr(v, kv.Key)
			if sc.OutputPath.Set && !strings.HasPrefix(sc.OutputPath.Value, "s3://") {
				r.errorf(v, "value", "output_path %q must be an s3:// URI", sc.OutputPath.Value)
			}
		case "model_data_uri":
			sc.ModelDataURI = r.nonEmptyStr(v, kv.Key)
		case "content_type":
			sc.ContentType = r.nonEmptyStr(v, kv.Key)
		case "input_mode":
			sc.InputMode = r.enum(kv, kv.Key)
		case "distribution", "s3_data_distribution_type":
			d := r.enum(kv, kv.Key)
			if kv.Key == "distribution" {
				sc.Distribution = d
			} else {
				sc.S3DataDistributionType = d
			}
		case "location":
			loc, _ := r.mapping(v, "location", locationKeys)
			for _, l := range loc {
				sc.OutputLocalFilepath = r.nonEmptyStr(l.Value, l.Key)
			}
		case "strategy":
			sc.Strategy = r.enum(kv, kv.Key)
		case "assemble_with":
			sc.AssembleWith = r.enum(kv, kv.Key)
		case "join_source":
			sc.JoinSource = r.enum(kv, kv.Key)
		case "split_type":
			sc.SplitType = r.enum(kv, kv.Key)
		case "input_filter":
			sc.InputFilter = r.nonEmptyStr(v, kv.Key)
		case "output_filter":
			sc.OutputFilter = r.nonEmptyStr(v, kv.Key)
		case "channels":
			sc.ChannelsSet, sc.ChannelsPos = true, r.pos(kv.KeyN)
			rv := r.resolve(v)
			if c == Metrics && rv != nil && rv.Kind == yaml.ScalarNode && !isNull(rv) {
				sc.ChannelName = r.str(rv, "channels")
				continue
			}
			chans, _ := r.mapping(v, "channels", nil)
			for _, ch := range chans {
				sc.Channels = append(sc.Channels, r.decodeChannel(ch, c))
			}
		}
	}
	return sc
}

func (r *reader) decodeChannel(kv keyValue, c StepClass) *ChannelConf {
	ch := &ChannelConf{Name: kv.Key, Pos: r.pos(kv.KeyN)}
	if strings.TrimSpace(kv.Key) == "" || strings.ContainsAny(kv.Key, "./") {
		r.errorf(kv.KeyN, "channel-name", "invalid channel name %q: use letters, digits, '-' and '_'", kv.Key)
	}
	if isNull(r.resolve(kv.Value)) {
		return ch // `train:` with nothing under it names a channel without files
	}
	entries, _ := r.mapping(kv.Value, fmt.Sprintf("channel %q", kv.Key), c.spec().channelKeys)
	for _, e := range entries {
		switch e.Key {
		case "dataFiles":
			ch.DataFilesSet, ch.DataFilesPos = true, r.pos(e.KeyN)
			items, _ := r.sequence(e.Value, "dataFiles")
			for i, it := range items {
				ch.DataFiles = append(ch.DataFiles, r.decodeDataFile(it, fmt.Sprintf("dataFiles[%d] of channel %q", i, kv.Key)))
			}
		case "s3Bucket":
			ch.S3Bucket = r.nonEmptyStr(e.Value, e.Key)
		case "s3InputPrefix":
			ch.S3InputPrefix = r.nonEmptyStr(e.Value, e.Key)
		case "s3BucketName":
			ch.S3BucketName = r.nonEmptyStr(e.Value, e.Key)
		case "inputBucketPrefix":
			ch.InputBucketPrefix = r.nonEmptyStr(e.Value, e.Key)
		case "bucket_prefix":
			ch.BucketPrefix = r.nonEmptyStr(e.Value, e.Key)
		case "InputLocalFilepath":
			ch.InputLocalFilepath = r.nonEmptyStr(e.Value, e.Key)
		case "OuputLocalFilepath":
			ch.OutputLocalFilepath = r.nonEmptyStr(e.Value, e.Key)
		}
	}
	return ch
}

func (r *reader) decodeDataFile(n *yaml.Node, what string) DataFileConf {
	df := DataFileConf{Pos: r.pos(r.resolve(n))}
	entries, ok := r.mapping(n, what, dataFileKeys)
	if !ok {
		return df
	}
	for _, kv := range entries {
		switch kv.Key {
		case "sourceName":
			df.SourceName = r.nonEmptyStr(kv.Value, kv.Key)
		case "fileName":
			df.FileName = r.nonEmptyStr(kv.Value, kv.Key)
		}
	}
	return df
}

// decodeRegistry decodes a model's registry section.
func (r *reader) decodeRegistry(n *yaml.Node, model string) *RegistryConf {
	rc := &RegistryConf{Pos: r.pos(r.resolve(n))}
	entries, _ := r.mapping(n, fmt.Sprintf("registry of model %q", model), registryKeys)
	for _, kv := range entries {
		switch kv.Key {
		case "ModelRepack":
			rc.ModelRepack = r.boolean(kv.Value, "ModelRepack")
		case "ModelPackageGroupName":
			rc.ModelPackageGroupName = r.nonEmptyStr(kv.Value, kv.Key)
		case "ModelPackageDescription":
			rc.ModelPackageDescription = r.nonEmptyStr(kv.Value, kv.Key)
		case "InferenceSpecification":
			rc.InferencePos, rc.InferenceSet = r.pos(kv.KeyN), true
			spec, _ := r.mapping(kv.Value, "InferenceSpecification", inferenceKeys)
			for _, s := range spec {
				switch s.Key {
				case "image_uri":
					rc.ImageURI = r.nonEmptyStr(s.Value, s.Key)
				case "supported_content_types":
					rc.SupportedContentTypes = r.strList(s.Value, s.Key)
				case "supported_response_MIME_types":
					rc.SupportedResponseTypes = r.strList(s.Value, s.Key)
				case "SupportedRealtimeInferenceInstanceTypes":
					rc.RealtimeInstanceTypes = r.strList(s.Value, s.Key)
				case "SupportedTransformInstanceTypes":
					rc.TransformInstanceTypes = r.strList(s.Value, s.Key)
				case "approval_status":
					rc.ApprovalStatus = r.enum(s, s.Key)
				}
			}
		case "quality_gate":
			rc.QualityGate = r.decodeQualityGate(kv.KeyN, kv.Value, model)
		}
	}
	return rc
}

// decodeQualityGate decodes registry.quality_gate; nil when it is not a
// mapping (reported). metric, operator and threshold are required.
func (r *reader) decodeQualityGate(key, n *yaml.Node, model string) *QualityGateConf {
	what := fmt.Sprintf("registry.quality_gate of model %q", model)
	entries, ok := r.mappingAt(n, r.pos(key), what, qualityGateKeys)
	if !ok {
		return nil
	}
	g := &QualityGateConf{Pos: r.pos(key)}
	for _, kv := range entries {
		switch kv.Key {
		case "metric":
			g.Metric = r.nonEmptyStr(kv.Value, "quality_gate.metric")
			if g.Metric.Set && !dottedPath(g.Metric.Value) {
				r.errorf(r.resolve(kv.Value), "value", "quality_gate.metric %q is not a dotted path such as regression_metrics.mse.value; use keys of letters, digits, '_' and '-' joined by '.'", g.Metric.Value)
				g.Metric.Set = false
			}
		case "operator":
			if v := r.resolve(kv.Value); v != nil && v.Style&yaml.FoldedStyle != 0 && strings.TrimSpace(v.Value) == "" {
				// `operator: >` starts a folded block scalar in YAML.
				r.errorf(v, "value", "quality_gate.operator > must be quoted: write operator: \">\"")
				continue
			}
			g.Operator = r.nonEmptyStr(kv.Value, "quality_gate.operator")
			if ops := kv.spec.enum; g.Operator.Set && !slices.Contains(ops, g.Operator.Value) {
				hint := ""
				if op, ok := gateOperatorSpellings[g.Operator.Value]; ok {
					hint = fmt.Sprintf("; did you mean %q?", op)
				}
				r.errorf(r.resolve(kv.Value), "value", "quality_gate.operator %q is not one of %s%s", g.Operator.Value, strings.Join(ops, ", "), hint)
				g.Operator.Set = false
			}
		case "threshold":
			g.Threshold = r.number(kv.Value, "quality_gate.threshold")
		case "on_fail":
			g.OnFail = r.enum(kv, "quality_gate.on_fail")
		}
	}
	return g
}

func (r *reader) decodeTags(n *yaml.Node) []Tag {
	items, _ := r.sequence(n, "tags")
	var out []Tag
	for i, it := range items {
		entries, ok := r.mapping(it, fmt.Sprintf("tags[%d]", i), tagKeys)
		if !ok {
			continue
		}
		t := Tag{Pos: r.pos(r.resolve(it))}
		for _, kv := range entries {
			if kv.Key == "Key" {
				t.Key = r.str(kv.Value, "Key")
			} else {
				t.Value = r.str(kv.Value, "Value")
			}
		}
		if !t.Key.Set {
			continue // reported missing
		}
		out = append(out, t)
	}
	return out
}

// hyperparams reads hyperparameters in file order, each value as the JSON
// text the original's training job received (yaml11.go).
func (r *reader) hyperparams(n *yaml.Node) []KV {
	entries, _ := r.mapping(n, "hyperparams", nil)
	out := make([]KV, 0, len(entries))
	for _, kv := range entries {
		if v, ok := r.pyJSON(kv.Value, "hyperparams."+kv.Key); ok {
			out = append(out, KV{Key: kv.Key, KeyAt: r.pos(kv.KeyN), Value: Str{Value: v, Pos: r.pos(kv.KeyN), Set: true}})
		}
	}
	return out
}

// stringMap reads a mapping of scalars (env, hyperparams) in file order.
func (r *reader) stringMap(n *yaml.Node, what string) []KV {
	entries, _ := r.mapping(n, what, nil)
	out := make([]KV, 0, len(entries))
	for _, kv := range entries {
		v := r.str(kv.Value, fmt.Sprintf("%s.%s", what, kv.Key))
		if !v.Set {
			v = Str{Pos: r.pos(kv.KeyN), Set: true} // `key:` with no value is the empty string
		}
		out = append(out, KV{Key: kv.Key, KeyAt: r.pos(kv.KeyN), Value: v})
	}
	return out
}

// enum reads the value of kv, a string that must be one of the key's
// values (exact case); what names the key in messages.
func (r *reader) enum(kv keyValue, what string) Str {
	n, values := kv.Value, kv.spec.enum
	s := r.nonEmptyStr(n, what)
	if s.Set && !slices.Contains(values, s.Value) {
		r.errorf(r.resolve(n), "value", "%s %q is not one of %s%s", what, s.Value, strings.Join(values, ", "), didYouMean(s.Value, values))
		s.Set = false
	}
	return s
}
