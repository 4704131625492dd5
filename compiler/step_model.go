package compiler

import (
	"cmp"
	"strings"

	"github.com/smpipe/smpipe-action/internal/awsname"
)

// sklearnAccounts are the ECR accounts of SageMaker's scikit-learn images,
// which run the repack step (the same image the Python SDK uses).
var sklearnAccounts = map[string]string{
	"us-east-1": "683313688378", "us-east-2": "257758044811", "us-west-1": "746614075791", "us-west-2": "246618743249",
	"ca-central-1": "341280168497", "sa-east-1": "737474898029",
	"eu-west-1": "141502667606", "eu-west-2": "764974769150", "eu-west-3": "659782779980", "eu-central-1": "492215442770",
	"eu-north-1":     "662702820516",
	"ap-northeast-1": "354813040037", "ap-northeast-2": "366743142698", "ap-south-1": "720646828776",
	"ap-southeast-1": "121021644041", "ap-southeast-2": "783357654285",
}

// modelContainer builds the container a CreateModel or RegisterModel step
// deploys: the inference image, the trained artifacts and the serving
// environment. With ModelRepack (the default) a repack Training step is
// added first and the container reads its artifacts.
func (b *builder) modelContainer(us *userStep) (*containerDefinition, *RegistryConf, map[string]string) {
	m := us.model
	s := map[string]string{}
	if us.train == nil || us.train.main == nil {
		if us.train == nil && !us.afterInvalid {
			b.ds.Errorf(us.conf.Pos, "wiring", "%s step %q needs a Training step before it in model %q", us.class, us.name, m.Name)
		}
		return nil, nil, nil
	}
	rc := b.registry(m)
	if rc == nil {
		b.ds.Errorf(us.conf.Pos, "missing-section", "%s step %q needs a registry section in model %q with InferenceSpecification.image_uri", us.class, us.name, m.Name)
		return nil, nil, nil
	}
	if !rc.ImageURI.Set {
		at := rc.Pos
		if rc.InferenceSet {
			at = rc.InferencePos
		}
		b.ds.Errorf(at, "missing-key", "registry of model %q is missing InferenceSpecification.image_uri, the image %s step %q serves with", m.Name, us.class, us.name)
		return nil, nil, nil
	}
	entry := Str{Value: defaultInferenceProgram}
	if tr := b.section(m, transformSection, Transform); tr != nil && tr.EntryPoint.Set {
		entry = tr.EntryPoint
	}
	program := module(entry.Value)
	repack := rc.ModelRepack.Or(defaultModelRepack)
	s["image_uri"] = rc.ImageURI.Value
	s["ModelRepack"] = map[bool]string{true: "true", false: "false"}[repack]
	s["inference_program"] = program
	c := &containerDefinition{Image: rc.ImageURI.Value}
	if !repack {
		// The artifacts must already hold code/: nothing is packaged.
		c.Environment = map[string]string{
			"SAGEMAKER_SUBMIT_DIRECTORY": "/opt/ml/model/code",
			"SAGEMAKER_PROGRAM":          program,
			"SAGEMAKER_REQUIREMENTS":     "requirements.txt",
		}
		c.ModelDataUrl = modelArtifactsRef(us.train.main.Name)
		return c, rc, s
	}
	rp := b.buildRepack(us, entry)
	if rp == nil {
		return nil, nil, nil
	}
	s["code"] = rp.Settings["code"]
	c.Environment = map[string]string{
		"SAGEMAKER_PROGRAM":             program,
		"SAGEMAKER_SUBMIT_DIRECTORY":    "/opt/ml/model/code",
		"SAGEMAKER_CONTAINER_LOG_LEVEL": "20",
		"SAGEMAKER_REGION":              b.region,
	}
	c.ModelDataUrl = modelArtifactsRef(rp.Name)
	return c, rc, s
}

// buildRepack adds the Training step that copies source_directory into the
// trained model archive under code/. Its name is deterministic
// (<step>-RepackModel-<model name or 0>) and it writes nothing into the
// user's tree.
func (b *builder) buildRepack(us *userStep, entry Str) *Step {
	m := us.model
	dir, ok := b.sourceDir(us)
	if !ok {
		return nil
	}
	if p, ok := repoPath(dir, entry.Value); !ok || !within(dir, p) {
		b.ds.Errorf(us.conf.Pos, "path", "transform.entry_point %q leaves source_directory %q", entry.Value, m.SourceDirectory.Value)
		return nil
	} else if _, info, err := resolveEntry(b.fsys, p); err != nil || info.IsDir() {
		at := entry.Pos
		if at.IsZero() {
			at = us.conf.Pos
		}
		if b.refused(at, "transform.entry_point", entry.Value, err, "") {
			return nil
		}
		b.ds.Errorf(at, "path", "ModelRepack packs inference code %q from source_directory %q, but it is not there; add it or set registry.ModelRepack: false", entry.Value, m.SourceDirectory.Value)
		return nil
	}
	account, ok := sklearnAccounts[b.region]
	if !ok {
		b.ds.Errorf(us.conf.Pos, "region", "ModelRepack needs SageMaker's scikit-learn image, which smpipe does not know for region %q; set registry.ModelRepack: false or use another region", b.region)
		return nil
	}
	code, err := b.bundles.repackBundle(dir)
	if err != nil {
		b.bundleError(us, err)
		return nil
	}
	suffix := m.ModelName.Or("0")
	out := b.outputRoot()
	s := map[string]string{"code": "sha256:" + code.SHA256, "instance_type": repackInstanceType, "inference_program": module(entry.Value)}
	args := &trainingArgs{
		AlgorithmSpecification: algorithmSpecification{TrainingInputMode: "File", TrainingImage: account + ".dkr.ecr." + b.region + ".amazonaws.com/" + repackImageTag},
		OutputDataConfig:       outputDataConfig{S3OutputPath: out, KmsKeyId: b.kms()},
		StoppingCondition:      stoppingCondition{MaxRuntimeInSeconds: repackMaxRuntime},
		ResourceConfig:         resourceConfig{VolumeSizeInGB: repackVolumeSizeInGB, InstanceCount: 1, InstanceType: repackInstanceType, VolumeKmsKeyId: b.kms()},
		RoleArn:                b.pipe.Role,
		InputDataConfig: []channel{{ChannelName: "training", InputMode: "File", DataSource: dataSource{S3DataSource: s3DataSource{
			S3DataType: "S3Prefix", S3Uri: modelArtifactsRef(us.train.main.Name), S3DataDistributionType: defaultDistribution}}}},
		HyperParameters: map[string]any{
			"sagemaker_submit_directory":    pyJSONString(code.URI()),
			"sagemaker_program":             pyJSONString(repackScriptName),
			"sagemaker_container_log_level": "20",
			"sagemaker_region":              pyJSONString(b.region),
		},
		ProfilerConfig: profilerConfig{DisableProfiler: true},
		VpcConfig:      b.vpc(),
	}
	args.EnableInterContainerTrafficEncryption = args.VpcConfig != nil
	return b.addStep(us, &Step{Name: us.name + "-RepackModel-" + suffix, Class: RepackModel,
		Description: "Repacks the trained model with its inference code from " + m.SourceDirectory.Value,
		Arguments:   args, Settings: s})
}

func (b *builder) buildCreateModel(us *userStep) {
	c, _, s := b.modelContainer(us)
	if c == nil {
		return
	}
	args := &modelArgs{ExecutionRoleArn: b.pipe.Role, PrimaryContainer: *c, VpcConfig: b.vpc()}
	b.addStep(us, &Step{Name: us.name + "-CreateModel", Class: CreateModel, Arguments: args, Settings: s})
}

func (b *builder) buildRegister(us *userStep) {
	c, rc, s := b.modelContainer(us)
	b.checkGate(us)
	if c == nil {
		return
	}
	group, production := rc.ModelPackageGroupName, ""
	if !group.Set {
		group = Str{Value: cmp.Or(b.pipe.PreviewOf, b.pipe.Name) + "-" + us.model.Name, Pos: us.conf.Pos}
	}
	if !awsname.Hyphenated(group.Value, maxGroupName) {
		b.ds.Errorf(group.Pos, "value", "model package group name %q must be 1-63 letters, digits and single hyphens; set registry.ModelPackageGroupName", group.Value)
	} else if strings.HasSuffix(strings.ToLower(group.Value), "-"+PreviewGroupSuffix) {
		// Previews register to <group>-preview: a production group of
		// that shape would receive a pull request's models before merge.
		b.ds.Errorf(group.Pos, "value", "model package group name %q ends in -%s, which smpipe keeps for the groups previews register to; "+
			"set registry.ModelPackageGroupName (or rename the model) to a name without it", group.Value, PreviewGroupSuffix)
	} else if b.preview != nil {
		// Never the production group: what a pull request trained is not
		// a candidate for production until it merges.
		production, group.Value = group.Value, previewGroup(group.Value)
	}
	spec := inferenceSpecification{
		Containers:                              []containerDefinition{*c},
		SupportedContentTypes:                   rc.SupportedContentTypes.Values(),
		SupportedResponseMIMETypes:              rc.SupportedResponseTypes.Values(),
		SupportedRealtimeInferenceInstanceTypes: []string{defaultInstanceType},
		SupportedTransformInstanceTypes:         []string{defaultInstanceType},
	}
	if rc.RealtimeInstanceTypes.Set {
		spec.SupportedRealtimeInferenceInstanceTypes = rc.RealtimeInstanceTypes.Values()
	}
	if rc.TransformInstanceTypes.Set {
		spec.SupportedTransformInstanceTypes = rc.TransformInstanceTypes.Values()
	}
	args := &registerArgs{
		ModelPackageGroupName:      group.Value,
		ModelPackageDescription:    rc.ModelPackageDescription.Or(defaultDescription),
		CustomerMetadataProperties: map[string]any{"PIPELINE_ARN": executionARN},
		InferenceSpecification:     spec,
		ModelApprovalStatus:        rc.ApprovalStatus.Or(defaultApprovalStatus),
		SkipModelValidation:        "None",
	}
	if production != "" {
		// What a preview's model is compared with: the production group's
		// approved model (package results reads it from the definition).
		args.CustomerMetadataProperties[ProductionGroupProperty] = production
	}
	if mt := us.metrics; mt != nil && mt.main != nil {
		// Reading the metrics through a reference also orders Register
		// after Metrics.
		ct := defaultMetricsContentType
		if sec := b.section(us.model, evaluateSection, Metrics); sec != nil {
			ct = sec.ContentType.Or(ct)
		}
		args.ModelMetrics = &modelMetrics{ModelQuality: modelQuality{Statistics: metricsSource{
			ContentType: ct,
			S3Uri:       join("/", processingOutputRef(mt.main.Name, metricsOutputName), metricsFileName),
		}}}
		s["metrics"] = mt.main.Name
	}
	s["model_package_group"] = group.Value
	s["approval_status"] = args.ModelApprovalStatus
	s["supported_content_types"] = strings.Join(spec.SupportedContentTypes, ",")
	s["supported_response_MIME_types"] = strings.Join(spec.SupportedResponseMIMETypes, ",")
	b.addStep(us, &Step{Name: us.name + "-RegisterModel", Class: RegisterModel, Arguments: args, Settings: s})
}
