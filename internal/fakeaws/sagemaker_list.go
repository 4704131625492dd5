package fakeaws

import (
	"fmt"
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
	return paged(out, next), nil
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
	if n := len(in.ClientRequestToken); n < 32 || n > 128 {
		return nil, validation("ClientRequestToken must be 32 to 128 characters, got %d.", n)
	}
	if out, ok := s.answered["DeletePipeline|"+in.ClientRequestToken]; ok {
		return out, nil
	}
	p, ok := s.pipelineByNameOrArn(in.PipelineName)
	if !ok {
		return nil, s.pipelineNotFound(in.PipelineName)
	}
	// The service deletes a pipeline only when none of its executions runs.
	for _, e := range s.executions {
		if e.PipelineName == p.Name && (e.Status() == "Executing" || e.Status() == "Stopping") {
			return nil, &Fault{Status: 400, Code: "ConflictException",
				Message: fmt.Sprintf("Pipeline %s has running executions; stop them with StopPipelineExecution first.", p.Name)}
		}
	}
	delete(s.pipelines, strings.ToLower(p.Name))
	out := map[string]any{"PipelineArn": p.Arn}
	s.answered["DeletePipeline|"+in.ClientRequestToken] = out
	return out, nil
}

// stopPipelineExecution stops a running execution as the service does: it
// is Stopping for as long as WithStoppingFor says, then Stopped.
func (s *SageMaker) stopPipelineExecution(body []byte) (any, *Fault) {
	var in struct {
		PipelineExecutionArn string
		ClientRequestToken   string
	}
	if f := decode(body, &in); f != nil {
		return nil, f
	}
	e, f := s.execution(in.PipelineExecutionArn)
	if f != nil {
		return nil, f
	}
	if n := len(in.ClientRequestToken); n < 32 || n > 128 {
		return nil, validation("ClientRequestToken must be 32 to 128 characters, got %d.", n)
	}
	switch e.Status() {
	case "Executing":
		e.Script.Statuses, e.described = []string{"Stopped"}, 0
		if s.stopping > 0 {
			e.Script.Statuses = append(slices.Repeat([]string{"Stopping"}, s.stopping), "Stopped")
		}
	case "Stopping", "Stopped":
	default:
		return nil, validation("Pipeline execution %s is %s and cannot be stopped.", e.Arn, e.Status())
	}
	return map[string]any{"PipelineExecutionArn": e.Arn}, nil
}

// ForgetExecutions drops the executions of pipeline, as SageMaker does
// some time after the pipeline is deleted.
func (s *SageMaker) ForgetExecutions(pipeline string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.executions = slices.DeleteFunc(s.executions, func(e *Execution) bool { return strings.EqualFold(e.PipelineName, pipeline) })
}
