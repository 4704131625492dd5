package fakeaws

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/smpipe/smpipe-action/internal/awsname"
)

type handler func(body []byte) (any, *Fault)

func (s *SageMaker) handlers() map[string]handler {
	return map[string]handler{
		"CreatePipeline":             s.createPipeline,
		"UpdatePipeline":             s.updatePipeline,
		"DescribePipeline":           s.describePipeline,
		"AddTags":                    s.addTags,
		"ListTags":                   s.listTags,
		"StartPipelineExecution":     s.startPipelineExecution,
		"ListPipelineExecutions":     s.listPipelineExecutions,
		"DescribePipelineExecution":  s.describePipelineExecution,
		"ListPipelineExecutionSteps": s.listPipelineExecutionSteps,
		"ListPipelines":              s.listPipelines,
		"DeletePipeline":             s.deletePipeline,
		"StopPipelineExecution":      s.stopPipelineExecution,

		"DescribeTrainingJob":                    s.describeTrainingJob,
		"DescribeProcessingJob":                  s.describeProcessingJob,
		"DescribeModelPackage":                   s.describeModelPackage,
		"ListModelPackages":                      s.listModelPackages,
		"DescribePipelineDefinitionForExecution": s.describePipelineDefinitionForExecution,
	}
}

type s3Location struct {
	Bucket    string `json:"Bucket"`
	ObjectKey string `json:"ObjectKey"`
	VersionID string `json:"VersionId,omitempty"`
}

type pipelineInput struct {
	PipelineName                 string      `json:"PipelineName"`
	RoleArn                      string      `json:"RoleArn"`
	ClientRequestToken           string      `json:"ClientRequestToken"`
	PipelineDefinition           *string     `json:"PipelineDefinition"`
	PipelineDefinitionS3Location *s3Location `json:"PipelineDefinitionS3Location"`
	PipelineDescription          *string     `json:"PipelineDescription"`
	Tags                         []Tag       `json:"Tags"`
}

// epoch renders a time the way awsJson1_1 does: seconds since the epoch.
func epoch(t time.Time) json.Number {
	return json.Number(strconv.FormatFloat(float64(t.UnixMilli())/1000, 'f', 3, 64))
}

func decode(body []byte, v any) *Fault {
	if err := json.Unmarshal(body, v); err != nil {
		return &Fault{Code: "SerializationException", Message: err.Error()}
	}
	return nil
}

// definition resolves the inline or S3-staged definition of a create or
// update request.
func (s *SageMaker) definition(in pipelineInput) (string, *Fault) {
	switch {
	case in.PipelineDefinition != nil && in.PipelineDefinitionS3Location != nil:
		return "", validation("Only one of PipelineDefinition and PipelineDefinitionS3Location may be set.")
	case in.PipelineDefinition != nil:
		return *in.PipelineDefinition, nil
	case in.PipelineDefinitionS3Location != nil:
		if s.s3 == nil {
			return "", validation("PipelineDefinitionS3Location is not supported by this fake without WithS3.")
		}
		loc := in.PipelineDefinitionS3Location
		b, ok := s.s3.Object(loc.Bucket, loc.ObjectKey)
		if !ok {
			return "", validation("Could not read pipeline definition from s3://%s/%s.", loc.Bucket, loc.ObjectKey)
		}
		return string(b), nil
	}
	return "", nil
}

func (s *SageMaker) createPipeline(body []byte) (any, *Fault) {
	var in pipelineInput
	if f := decode(body, &in); f != nil {
		return nil, f
	}
	if in.PipelineName == "" || in.RoleArn == "" {
		return nil, validation("PipelineName and RoleArn are required.")
	}
	if n := len(in.ClientRequestToken); n < 32 || n > 128 {
		return nil, validation("ClientRequestToken must be 32 to 128 characters, got %d.", n)
	}
	if out, ok := s.answered["CreatePipeline|"+in.ClientRequestToken]; ok {
		return out, nil
	}
	if in.PipelineDefinition == nil && in.PipelineDefinitionS3Location == nil {
		return nil, validation("One of PipelineDefinition or PipelineDefinitionS3Location is required.")
	}
	def, f := s.definition(in)
	if f != nil {
		return nil, f
	}
	if _, ok := s.pipelines[strings.ToLower(in.PipelineName)]; ok {
		return nil, validation("Pipeline names must be unique within an AWS account and region. Pipeline with name (%s) already exists.", in.PipelineName)
	}
	p := &Pipeline{
		Name: in.PipelineName, Arn: s.pipelineArn(in.PipelineName), Definition: def,
		RoleArn: in.RoleArn, VersionID: 1, CreateToken: in.ClientRequestToken,
		Tags: map[string]string{}, Created: s.tick(),
	}
	if in.PipelineDescription != nil {
		p.Description = *in.PipelineDescription
	}
	for _, t := range in.Tags {
		p.Tags[t.Key] = t.Value
	}
	s.pipelines[strings.ToLower(p.Name)] = p
	out := map[string]any{"PipelineArn": p.Arn}
	s.answered["CreatePipeline|"+in.ClientRequestToken] = out
	return out, nil
}

func (s *SageMaker) updatePipeline(body []byte) (any, *Fault) {
	var in pipelineInput
	if f := decode(body, &in); f != nil {
		return nil, f
	}
	if in.Tags != nil || in.ClientRequestToken != "" {
		return nil, &Fault{Code: "SerializationException", Message: "UpdatePipeline takes neither Tags nor ClientRequestToken"}
	}
	p, ok := s.pipelines[strings.ToLower(in.PipelineName)]
	if !ok {
		return nil, s.pipelineNotFound(in.PipelineName)
	}
	def, f := s.definition(in)
	if f != nil {
		return nil, f
	}
	if def != "" {
		p.Definition = def
	}
	if in.RoleArn != "" {
		p.RoleArn = in.RoleArn
	}
	if in.PipelineDescription != nil {
		p.Description = *in.PipelineDescription
	}
	p.VersionID++
	s.tick()
	return map[string]any{"PipelineArn": p.Arn, "PipelineVersionId": p.VersionID}, nil
}

func (s *SageMaker) describePipeline(body []byte) (any, *Fault) {
	var in struct{ PipelineName string }
	if f := decode(body, &in); f != nil {
		return nil, f
	}
	p, ok := s.pipelineByNameOrArn(in.PipelineName)
	if !ok {
		return nil, s.pipelineNotFound(in.PipelineName)
	}
	return map[string]any{
		"PipelineArn": p.Arn, "PipelineName": p.Name, "PipelineDefinition": p.Definition,
		"PipelineDescription": p.Description, "RoleArn": p.RoleArn, "PipelineStatus": "Active",
		"CreationTime": epoch(p.Created), "LastModifiedTime": epoch(s.clock),
	}, nil
}

func (s *SageMaker) pipelineByNameOrArn(v string) (*Pipeline, bool) {
	if p, ok := s.pipelines[strings.ToLower(v)]; ok {
		return p, true
	}
	for _, p := range s.pipelines {
		if p.Arn == v {
			return p, true
		}
	}
	return nil, false
}

func (s *SageMaker) addTags(body []byte) (any, *Fault) {
	var in struct {
		ResourceArn string
		Tags        []Tag
	}
	if f := decode(body, &in); f != nil {
		return nil, f
	}
	p, ok := s.pipelineByNameOrArn(in.ResourceArn)
	if !ok {
		return nil, validation("Resource %s does not exist.", in.ResourceArn)
	}
	for _, t := range in.Tags {
		p.Tags[t.Key] = t.Value
	}
	return map[string]any{"Tags": in.Tags}, nil
}

func (s *SageMaker) listTags(body []byte) (any, *Fault) {
	var in struct {
		ResourceArn string
		MaxResults  int
		NextToken   string
	}
	if f := decode(body, &in); f != nil {
		return nil, f
	}
	p, ok := s.pipelineByNameOrArn(in.ResourceArn)
	if !ok {
		return nil, validation("Resource %s does not exist.", in.ResourceArn)
	}
	keys := slices.Sorted(maps.Keys(p.Tags))
	page, next, f := paginate(len(keys), in.MaxResults, s.tagsPage, in.NextToken)
	if f != nil {
		return nil, f
	}
	tags := make([]Tag, 0, page[1]-page[0])
	for _, k := range keys[page[0]:page[1]] {
		tags = append(tags, Tag{Key: k, Value: p.Tags[k]})
	}
	out := map[string]any{"Tags": tags}
	return paged(out, next), nil
}

// startPipelineExecution de-duplicates by ClientRequestToken as the service
// does: a start carrying the token of an earlier start of the same pipeline
// answers that execution's ARN and starts nothing.
func (s *SageMaker) startPipelineExecution(body []byte) (any, *Fault) {
	var in struct {
		PipelineName                 string
		ClientRequestToken           string
		PipelineExecutionDisplayName string
		PipelineExecutionDescription string
		PipelineVersionId            *int64
	}
	if f := decode(body, &in); f != nil {
		return nil, f
	}
	p, ok := s.pipelineByNameOrArn(in.PipelineName)
	if !ok {
		return nil, s.pipelineNotFound(in.PipelineName)
	}
	if n := len(in.ClientRequestToken); n < 32 || n > 128 {
		return nil, validation("ClientRequestToken must be 32 to 128 characters, got %d.", n)
	}
	if in.PipelineExecutionDisplayName != "" && !awsname.Hyphenated(in.PipelineExecutionDisplayName, 82) {
		return nil, validation("PipelineExecutionDisplayName %q does not match the pattern.", in.PipelineExecutionDisplayName)
	}
	for _, e := range s.executions {
		if e.PipelineName == p.Name && e.Token == in.ClientRequestToken {
			return map[string]any{"PipelineExecutionArn": e.Arn}, nil
		}
	}
	version := p.VersionID
	if in.PipelineVersionId != nil {
		if *in.PipelineVersionId < 1 || *in.PipelineVersionId > p.VersionID {
			return nil, validation("Pipeline version %d does not exist.", *in.PipelineVersionId)
		}
		version = *in.PipelineVersionId
	}
	sc, ok := s.scripts[p.Name]
	if !ok {
		sc = Script{Statuses: []string{"Executing", "Succeeded"}}
	}
	e := &Execution{
		Arn:          fmt.Sprintf("%s/execution/%012d", p.Arn, len(s.executions)+1),
		PipelineName: p.Name, PipelineArn: p.Arn,
		DisplayName: in.PipelineExecutionDisplayName, Description: in.PipelineExecutionDescription,
		Token: in.ClientRequestToken, VersionID: version, Started: s.tick(), Script: sc, Definition: p.Definition,
	}
	s.executions = append(s.executions, e)
	return map[string]any{"PipelineExecutionArn": e.Arn}, nil
}

func (s *SageMaker) listPipelineExecutions(body []byte) (any, *Fault) {
	var in struct {
		PipelineName string
		SortOrder    string
		MaxResults   int
		NextToken    string
	}
	if f := decode(body, &in); f != nil {
		return nil, f
	}
	p, ok := s.pipelineByNameOrArn(in.PipelineName)
	if !ok {
		return nil, s.pipelineNotFound(in.PipelineName)
	}
	var list []*Execution
	for _, e := range s.executions {
		if e.PipelineName == p.Name {
			list = append(list, e)
		}
	}
	if in.SortOrder != "Ascending" { // the service's default is newest first
		for i, j := 0, len(list)-1; i < j; i, j = i+1, j-1 {
			list[i], list[j] = list[j], list[i]
		}
	}
	page, next, f := paginate(len(list), in.MaxResults, 100, in.NextToken) // the service pages up to 100
	if f != nil {
		return nil, f
	}
	sums := []map[string]any{}
	for _, e := range list[page[0]:page[1]] {
		sums = append(sums, map[string]any{
			"PipelineExecutionArn": e.Arn, "PipelineExecutionStatus": e.Status(),
			"PipelineExecutionDisplayName": e.DisplayName, "PipelineExecutionDescription": e.Description,
			"StartTime": epoch(e.Started),
		})
	}
	out := map[string]any{"PipelineExecutionSummaries": sums}
	return paged(out, next), nil
}

func (s *SageMaker) execution(arn string) (*Execution, *Fault) {
	for _, e := range s.executions {
		if e.Arn == arn {
			return e, nil
		}
	}
	return nil, s.executionNotFound(arn)
}

func (s *SageMaker) describePipelineExecution(body []byte) (any, *Fault) {
	var in struct{ PipelineExecutionArn string }
	if f := decode(body, &in); f != nil {
		return nil, f
	}
	e, f := s.execution(in.PipelineExecutionArn)
	if f != nil {
		return nil, f
	}
	e.described++
	out := map[string]any{
		"PipelineArn": e.PipelineArn, "PipelineExecutionArn": e.Arn,
		"PipelineExecutionStatus": e.Status(), "PipelineExecutionDisplayName": e.DisplayName,
		"PipelineExecutionDescription": e.Description, "PipelineVersionId": e.VersionID,
		"CreationTime": epoch(e.Started), "LastModifiedTime": epoch(s.tick()),
	}
	if e.Script.Seconds > 0 && e.Status() != "Executing" {
		out["LastModifiedTime"] = epoch(e.Started.Add(time.Duration(e.Script.Seconds) * time.Second))
	}
	if st := e.Status(); st == "Failed" || st == "CompletedWithFailures" {
		out["FailureReason"] = e.Script.FailureReason
	}
	return out, nil
}

func (s *SageMaker) listPipelineExecutionSteps(body []byte) (any, *Fault) {
	var in struct {
		PipelineExecutionArn string
		MaxResults           int
		NextToken            string
	}
	if f := decode(body, &in); f != nil {
		return nil, f
	}
	e, f := s.execution(in.PipelineExecutionArn)
	if f != nil {
		return nil, f
	}
	steps := e.Script.Steps
	page, next, f := paginate(len(steps), in.MaxResults, s.stepsPage, in.NextToken)
	if f != nil {
		return nil, f
	}
	list := []map[string]any{}
	for _, st := range steps[page[0]:page[1]] {
		m := map[string]any{"StepName": st.Name, "StepStatus": st.Status, "StartTime": epoch(e.Started)}
		if st.Seconds > 0 {
			m["EndTime"] = epoch(e.Started.Add(time.Duration(st.Seconds) * time.Second))
		}
		if st.FailureReason != "" {
			m["FailureReason"] = st.FailureReason
		}
		switch {
		case st.JobKind == "Condition":
			m["Metadata"] = map[string]any{"Condition": map[string]string{"Outcome": st.Outcome}}
		case st.JobKind == "Fail":
			m["Metadata"] = map[string]any{"Fail": map[string]string{"ErrorMessage": st.Message}}
		case st.JobKind != "":
			m["Metadata"] = map[string]any{st.JobKind: map[string]string{"Arn": st.JobArn}}
		}
		if st.CacheHitSource != "" {
			m["CacheHitResult"] = map[string]string{"SourcePipelineExecutionArn": st.CacheHitSource}
		}
		list = append(list, m)
	}
	out := map[string]any{"PipelineExecutionSteps": list}
	return paged(out, next), nil
}

// paged adds the next page's token to a list response, on every page but
// the last.
func paged(out map[string]any, next string) map[string]any {
	if next != "" {
		out["NextToken"] = next
	}
	return out
}

// paginate returns the [start,end) of the page that token designates and the
// token of the next page ("" on the last).
func paginate(n, max, def int, token string) ([2]int, string, *Fault) {
	size := def
	if max > 0 && max < size {
		size = max
	}
	start := 0
	if token != "" {
		v, err := strconv.Atoi(token)
		if err != nil || v < 0 || v > n {
			return [2]int{}, "", validation("Invalid NextToken %q.", token)
		}
		start = v
	}
	end := min(start+size, n)
	next := ""
	if end < n {
		next = strconv.Itoa(end)
	}
	return [2]int{start, end}, next, nil
}
