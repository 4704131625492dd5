package fakeaws

import (
	"maps"
	"slices"
	"strings"
)

// listPage is how many pipelines one ListPipelines page holds when the
// caller does not ask for fewer, so that callers must follow NextToken.
const listPage = 10

// listPipelines lists pipelines by name, a page at a time, optionally those
// whose name starts with PipelineNamePrefix.
func (s *SageMaker) listPipelines(body []byte) (any, *Fault) {
	var in struct {
		PipelineNamePrefix string
		MaxResults         int
		NextToken          string
	}
	if f := decode(body, &in); f != nil {
		return nil, f
	}
	var names []string
	for _, key := range slices.Sorted(maps.Keys(s.pipelines)) {
		if strings.HasPrefix(key, strings.ToLower(in.PipelineNamePrefix)) {
			names = append(names, key)
		}
	}
	page, next, f := paginate(len(names), in.MaxResults, listPage, in.NextToken)
	if f != nil {
		return nil, f
	}
	summaries := []map[string]any{}
	for _, key := range names[page[0]:page[1]] {
		p := s.pipelines[key]
		summaries = append(summaries, map[string]any{"PipelineArn": p.Arn, "PipelineName": p.Name, "RoleArn": p.RoleArn,
			"CreationTime": epoch(p.Created), "LastModifiedTime": epoch(s.clock)})
	}
	out := map[string]any{"PipelineSummaries": summaries}
	if next != "" {
		out["NextToken"] = next
	}
	return out, nil
}

// deletePipeline deletes a pipeline and forgets its tags.
func (s *SageMaker) deletePipeline(body []byte) (any, *Fault) {
	var in struct {
		PipelineName       string
		ClientRequestToken string
	}
	if f := decode(body, &in); f != nil {
		return nil, f
	}
	p, ok := s.pipelineByNameOrArn(in.PipelineName)
	if !ok {
		return nil, s.pipelineNotFound(in.PipelineName)
	}
	delete(s.pipelines, strings.ToLower(p.Name))
	return map[string]any{"PipelineArn": p.Arn}, nil
}

// ForgetExecutions drops the executions of pipeline, as SageMaker does
// some time after the pipeline is deleted.
func (s *SageMaker) ForgetExecutions(pipeline string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.executions = slices.DeleteFunc(s.executions, func(e *Execution) bool { return strings.EqualFold(e.PipelineName, pipeline) })
}
