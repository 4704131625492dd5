package fakeaws

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// AddTrainingJob records a training job for DescribeTrainingJob; its ARN
// is made from its name when empty. It returns the ARN.
func (s *SageMaker) AddTrainingJob(j TrainingJob) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if j.Arn == "" {
		j.Arn = fmt.Sprintf("arn:aws:sagemaker:%s:%s:training-job/%s", s.Region, s.Account, strings.ToLower(j.Name))
	}
	s.trainingJobs[j.Name] = &j
	return j.Arn
}

// AddProcessingJob records a processing job for DescribeProcessingJob and
// returns its ARN.
func (s *SageMaker) AddProcessingJob(j ProcessingJob) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if j.Arn == "" {
		j.Arn = fmt.Sprintf("arn:aws:sagemaker:%s:%s:processing-job/%s", s.Region, s.Account, strings.ToLower(j.Name))
	}
	s.processingJobs[j.Name] = &j
	return j.Arn
}

// AddModelPackage registers a model package version in its group (the next
// version number) and returns it, ARN included.
func (s *SageMaker) AddModelPackage(p ModelPackage) ModelPackage {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, q := range s.packages {
		if q.Group == p.Group {
			n++
		}
	}
	p.Version = n + 1
	p.Arn = fmt.Sprintf("arn:aws:sagemaker:%s:%s:model-package/%s/%d", s.Region, s.Account, strings.ToLower(p.Group), p.Version)
	if p.Created.IsZero() {
		p.Created = s.tick()
	}
	s.packages = append(s.packages, &p)
	return p
}

// jobName is the name at the end of a job ARN, or the name itself.
func jobName(v string) string {
	if i := strings.LastIndexByte(v, '/'); i >= 0 {
		return v[i+1:]
	}
	return v
}

func (s *SageMaker) describeTrainingJob(body []byte) (any, *Fault) {
	var in struct{ TrainingJobName string }
	if f := decode(body, &in); f != nil {
		return nil, f
	}
	var j *TrainingJob
	for _, c := range s.trainingJobs {
		if strings.EqualFold(c.Name, jobName(in.TrainingJobName)) {
			j = c
		}
	}
	if j == nil {
		return nil, &Fault{Code: "ResourceNotFound", Message: fmt.Sprintf("Requested resource not found: %s", in.TrainingJobName)}
	}
	status := or(j.Status, "Completed")
	rc := map[string]any{"InstanceType": j.InstanceType, "InstanceCount": j.InstanceCount, "VolumeSizeInGB": 30}
	if len(j.InstanceGroups) > 0 {
		var groups []map[string]any
		for _, g := range j.InstanceGroups {
			groups = append(groups, map[string]any{"InstanceGroupName": g.Name, "InstanceType": g.InstanceType, "InstanceCount": g.InstanceCount})
		}
		rc = map[string]any{"InstanceGroups": groups, "VolumeSizeInGB": 30}
	}
	out := map[string]any{"TrainingJobName": j.Name, "TrainingJobArn": j.Arn, "TrainingJobStatus": status,
		"ResourceConfig": rc, "BillableTimeInSeconds": j.BillableSeconds}
	if j.FailureReason != "" {
		out["FailureReason"] = j.FailureReason
	}
	return out, nil
}

func (s *SageMaker) describeProcessingJob(body []byte) (any, *Fault) {
	var in struct{ ProcessingJobName string }
	if f := decode(body, &in); f != nil {
		return nil, f
	}
	var j *ProcessingJob
	for _, c := range s.processingJobs {
		if strings.EqualFold(c.Name, jobName(in.ProcessingJobName)) {
			j = c
		}
	}
	if j == nil {
		return nil, validation("Could not find requested job with name %s", in.ProcessingJobName)
	}
	start := time.Date(2026, 1, 2, 4, 0, 0, 0, time.UTC)
	var outputs []map[string]any
	for _, name := range slices.Sorted(maps.Keys(j.Outputs)) {
		outputs = append(outputs, map[string]any{"OutputName": name,
			"S3Output": map[string]any{"S3Uri": j.Outputs[name], "LocalPath": "/opt/ml/processing/output/", "S3UploadMode": "EndOfJob"}})
	}
	out := map[string]any{"ProcessingJobName": j.Name, "ProcessingJobArn": j.Arn, "ProcessingJobStatus": or(j.Status, "Completed"),
		"ProcessingResources": map[string]any{"ClusterConfig": map[string]any{"InstanceType": j.InstanceType, "InstanceCount": j.InstanceCount, "VolumeSizeInGB": 30}},
		"ProcessingStartTime": epoch(start), "ProcessingEndTime": epoch(start.Add(time.Duration(j.Seconds) * time.Second)),
		"AppSpecification":       map[string]any{"ImageUri": "img"},
		"ProcessingOutputConfig": map[string]any{"Outputs": outputs}}
	if j.FailureReason != "" {
		out["FailureReason"] = j.FailureReason
	}
	return out, nil
}

func (s *SageMaker) packageByArn(arn string) *ModelPackage {
	for _, p := range s.packages {
		if p.Arn == arn {
			return p
		}
	}
	return nil
}

func (s *SageMaker) describeModelPackage(body []byte) (any, *Fault) {
	var in struct{ ModelPackageName string }
	if f := decode(body, &in); f != nil {
		return nil, f
	}
	p := s.packageByArn(in.ModelPackageName)
	if p == nil {
		return nil, validation("ModelPackage %s does not exist.", in.ModelPackageName)
	}
	out := map[string]any{"ModelPackageArn": p.Arn, "ModelPackageGroupName": p.Group, "ModelPackageVersion": p.Version,
		"ModelPackageName": p.Group, "ModelApprovalStatus": p.ApprovalStatus, "ModelPackageStatus": "Completed",
		"CreationTime": epoch(p.Created)}
	if p.MetricsURI != "" {
		out["ModelMetrics"] = map[string]any{"ModelQuality": map[string]any{"Statistics": map[string]any{
			"ContentType": "application/json", "S3Uri": p.MetricsURI}}}
	}
	return out, nil
}

// listModelPackages lists a group's versions, newest first, optionally
// only those with one approval status.
func (s *SageMaker) listModelPackages(body []byte) (any, *Fault) {
	var in struct {
		ModelPackageGroupName string
		ModelApprovalStatus   string
		SortOrder             string
		MaxResults            int
		NextToken             string
	}
	if f := decode(body, &in); f != nil {
		return nil, f
	}
	var list []*ModelPackage
	for _, p := range s.packages {
		if p.Group == in.ModelPackageGroupName && (in.ModelApprovalStatus == "" || p.ApprovalStatus == in.ModelApprovalStatus) {
			list = append(list, p)
		}
	}
	if in.SortOrder != "Ascending" {
		slices.Reverse(list)
	}
	page, next, f := paginate(len(list), in.MaxResults, 10, in.NextToken)
	if f != nil {
		return nil, f
	}
	sums := []map[string]any{}
	for _, p := range list[page[0]:page[1]] {
		sums = append(sums, map[string]any{"ModelPackageArn": p.Arn, "ModelPackageGroupName": p.Group,
			"ModelPackageVersion": p.Version, "ModelApprovalStatus": p.ApprovalStatus, "ModelPackageStatus": "Completed",
			"CreationTime": epoch(p.Created)})
	}
	out := map[string]any{"ModelPackageSummaryList": sums}
	return paged(out, next), nil
}

// describePipelineDefinitionForExecution answers the definition the
// execution started with.
func (s *SageMaker) describePipelineDefinitionForExecution(body []byte) (any, *Fault) {
	var in struct{ PipelineExecutionArn string }
	if f := decode(body, &in); f != nil {
		return nil, f
	}
	e, f := s.execution(in.PipelineExecutionArn)
	if f != nil {
		return nil, f
	}
	return map[string]any{"PipelineDefinition": e.Definition, "CreationTime": epoch(e.Started)}, nil
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
