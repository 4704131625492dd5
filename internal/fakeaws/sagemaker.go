package fakeaws

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// SageMaker is a stateful fake of the SageMaker pipeline control plane. It
// speaks awsJson1_1 (POST /, X-Amz-Target: SageMaker.<Op>) like the service.
type SageMaker struct {
	// URL is the endpoint to use as the client's BaseEndpoint.
	URL string

	// Account and Region make up the ARNs the fake hands out.
	Account, Region string

	t         testing.TB
	mu        sync.Mutex
	pipelines map[string]*Pipeline
	// answered holds the response to each CreatePipeline and
	// DeletePipeline request token: the service completes a token's
	// request once and answers a repeat as it did then, whatever has
	// happened since.
	answered   map[string]any
	executions []*Execution
	calls      map[string]int
	faults     map[string][]Fault
	scripts    map[string]Script
	accessKeys map[string]bool
	clock      time.Time
	notFound   string
	stepsPage  int
	tagsPage   int
	s3         *S3
	// stopping is how many DescribePipelineExecution calls answer
	// Stopping after a stop (WithStoppingFor).
	stopping int

	trainingJobs   map[string]*TrainingJob
	processingJobs map[string]*ProcessingJob
	packages       []*ModelPackage
}

// SageMakerOption configures NewSageMaker.
type SageMakerOption func(*SageMaker)

// WithMotoNotFound makes the fake answer a missing pipeline or execution the
// way moto does (ValidationException "Could not find …") instead of the real
// service's ResourceNotFound.
func WithMotoNotFound() SageMakerOption {
	return func(s *SageMaker) { s.notFound = "moto" }
}

// WithStepsPageSize sets how many steps one ListPipelineExecutionSteps page
// holds when the caller does not ask for fewer (default 2, so that callers
// must follow NextToken).
func WithStepsPageSize(n int) SageMakerOption {
	return func(s *SageMaker) { s.stepsPage = n }
}

// WithTagsPageSize sets how many tags one ListTags page holds when the
// caller does not ask for fewer (default 50, the service's).
func WithTagsPageSize(n int) SageMakerOption {
	return func(s *SageMaker) { s.tagsPage = n }
}

// WithStoppingFor makes a stopped execution answer Stopping to the next n
// DescribePipelineExecution calls before it is Stopped (default 0: Stopped
// at once).
func WithStoppingFor(n int) SageMakerOption {
	return func(s *SageMaker) { s.stopping = n }
}

// WithS3 lets CreatePipeline and UpdatePipeline read a definition passed as
// PipelineDefinitionS3Location from the S3 fake.
func WithS3(f *S3) SageMakerOption {
	return func(s *SageMaker) { s.s3 = f }
}

// NewSageMaker starts the fake on loopback; it stops when the test ends.
func NewSageMaker(t testing.TB, opts ...SageMakerOption) *SageMaker {
	t.Helper()
	s := &SageMaker{
		t:          t,
		Account:    "123456789012",
		Region:     "us-east-1",
		pipelines:  map[string]*Pipeline{},
		answered:   map[string]any{},
		calls:      map[string]int{},
		faults:     map[string][]Fault{},
		scripts:    map[string]Script{},
		accessKeys: map[string]bool{},
		clock:      time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		stepsPage:  2,
		tagsPage:   50,

		trainingJobs:   map[string]*TrainingJob{},
		processingJobs: map[string]*ProcessingJob{},
	}
	for _, o := range opts {
		o(s)
	}
	srv := httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

// Calls is how many requests for op (e.g. "CreatePipeline") arrived,
// faulted ones included.
func (s *SageMaker) Calls(op string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[op]
}

// TotalCalls is how many requests arrived for any operation.
func (s *SageMaker) TotalCalls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.calls {
		n += c
	}
	return n
}

// FailNext makes the next n calls of op answer f.
func (s *SageMaker) FailNext(op string, n int, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults[op] = append(s.faults[op], f)
	}
}

// SetScript sets how executions of pipeline started from now on progress.
// Without a script an execution answers Executing once, then Succeeded.
func (s *SageMaker) SetScript(pipeline string, sc Script) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.scripts[pipeline] = sc
}

// Seed stores a pipeline as if an earlier CreatePipeline had made it.
func (s *SageMaker) Seed(p Pipeline) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p.Arn == "" {
		p.Arn = s.pipelineArn(p.Name)
	}
	if p.Tags == nil {
		p.Tags = map[string]string{}
	}
	if p.VersionID == 0 {
		p.VersionID = 1
	}
	s.pipelines[strings.ToLower(p.Name)] = &p
}

// EditDefinition changes a stored pipeline's definition the way an edit in
// the SageMaker console or a direct UpdatePipeline call by someone else
// does: a new pipeline version, the tags left as they were.
func (s *SageMaker) EditDefinition(name, definition string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.pipelines[strings.ToLower(name)]
	if !ok {
		s.t.Fatalf("fakeaws: EditDefinition of unknown pipeline %q", name)
	}
	p.Definition = definition
	p.VersionID++
	s.tick()
}

// EditRole changes a stored pipeline's role as a console edit does: a new
// pipeline version, the definition and tags left as they were.
func (s *SageMaker) EditRole(name, role string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.pipelines[strings.ToLower(name)]
	if !ok {
		s.t.Fatalf("fakeaws: EditRole of unknown pipeline %q", name)
	}
	p.RoleArn = role
	p.VersionID++
	s.tick()
}

// SetTag sets one tag of a stored pipeline, as anyone allowed
// sagemaker:AddTags can.
func (s *SageMaker) SetTag(name, key, value string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.pipelines[strings.ToLower(name)]
	if !ok {
		s.t.Fatalf("fakeaws: SetTag of unknown pipeline %q", name)
	}
	p.Tags[key] = value
}

// Pipeline returns a copy of the stored pipeline. Names compare without
// regard to case, as SageMaker's do.
func (s *SageMaker) Pipeline(name string) (Pipeline, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.pipelines[strings.ToLower(name)]
	if !ok {
		return Pipeline{}, false
	}
	c := *p
	c.Tags = map[string]string{}
	for k, v := range p.Tags {
		c.Tags[k] = v
	}
	return c, true
}

// Executions returns copies of the executions of pipeline, oldest first.
func (s *SageMaker) Executions(pipeline string) []Execution {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Execution
	for _, e := range s.executions {
		if e.PipelineName == pipeline {
			out = append(out, *e)
		}
	}
	return out
}

// AccessKeys lists the access key IDs that signed requests, sorted.
func (s *SageMaker) AccessKeys() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for k := range s.accessKeys {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

var credentialRE = regexp.MustCompile(`Credential=([^/,\s]+)/`)

func (s *SageMaker) serve(w http.ResponseWriter, r *http.Request) {
	target := r.Header.Get("X-Amz-Target")
	op, ok := strings.CutPrefix(target, "SageMaker.")
	if r.Method != http.MethodPost || r.URL.Path != "/" || !ok {
		writeJSONError(w, 400, "UnknownOperationException", fmt.Sprintf("unexpected %s %s target %q", r.Method, r.URL.Path, target))
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/x-amz-json-1.1" {
		writeJSONError(w, 400, "SerializationException", "unexpected content type "+ct)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeJSONError(w, 400, "SerializationException", err.Error())
		return
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[op]++
	if m := credentialRE.FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
		s.accessKeys[m[1]] = true
	}
	if fs := s.faults[op]; len(fs) > 0 {
		s.faults[op] = fs[1:]
		writeFault(w, fs[0])
		return
	}
	h, ok := s.handlers()[op]
	if !ok {
		writeFault(w, Unimplemented())
		return
	}
	out, ferr := h(body)
	if ferr != nil {
		writeFault(w, *ferr)
		return
	}
	b, err := json.Marshal(out)
	if err != nil {
		writeJSONError(w, 500, "InternalFailure", err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-Requestid", fmt.Sprintf("req-%d", s.calls[op]))
	_, _ = w.Write(b)
}

func writeFault(w http.ResponseWriter, f Fault) {
	status := f.Status
	if status == 0 {
		status = 400
	}
	if f.Body != "" {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, f.Body)
		return
	}
	writeJSONError(w, status, f.Code, f.Message)
}

func writeJSONError(w http.ResponseWriter, status int, code, msg string) {
	b, _ := json.Marshal(map[string]string{"__type": code, "message": msg})
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-Errortype", code)
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func (s *SageMaker) pipelineArn(name string) string {
	return fmt.Sprintf("arn:aws:sagemaker:%s:%s:pipeline/%s", s.Region, s.Account, strings.ToLower(name))
}

// tick advances the fake's clock so timestamps are distinct and stable.
func (s *SageMaker) tick() time.Time {
	s.clock = s.clock.Add(time.Second)
	return s.clock
}

func (s *SageMaker) pipelineNotFound(name string) *Fault {
	if s.notFound == "moto" {
		return &Fault{Code: "ValidationException", Message: fmt.Sprintf("Could not find pipeline with PipelineName %s.", name)}
	}
	return &Fault{Code: "ResourceNotFound", Message: fmt.Sprintf("Pipeline '%s' does not exist.", name)}
}

func (s *SageMaker) executionNotFound(arn string) *Fault {
	if s.notFound == "moto" {
		return &Fault{Code: "ValidationException", Message: fmt.Sprintf("Could not find pipeline execution with PipelineExecutionArn %s.", arn)}
	}
	return &Fault{Code: "ResourceNotFound", Message: fmt.Sprintf("Pipeline execution '%s' does not exist.", arn)}
}

func validation(format string, args ...any) *Fault {
	return &Fault{Code: "ValidationException", Message: fmt.Sprintf(format, args...)}
}
