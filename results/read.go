package results

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/aws/smithy-go"
)

// MaxReport is the largest evaluation report read: a metrics file over it
// is a note, not a report.
const MaxReport = 1 << 20

// Reader reads executions with the clients it holds.
type Reader struct {
	SageMaker SageMakerAPI
	S3        S3API
	// Region is where the executions run, for console links.
	Region string
}

// Latest is the ARN of pipeline's newest execution; "" when it has none.
func (r *Reader) Latest(ctx context.Context, pipeline string) (string, error) {
	out, err := r.SageMaker.ListPipelineExecutions(ctx, &sagemaker.ListPipelineExecutionsInput{PipelineName: aws.String(pipeline),
		SortBy: smtypes.SortPipelineExecutionsByCreationTime, SortOrder: smtypes.SortOrderDescending, MaxResults: aws.Int32(1)})
	if err != nil {
		if notFound(err) {
			return "", nil
		}
		return "", fmt.Errorf("listing the executions of %s: %w", pipeline, err)
	}
	if len(out.PipelineExecutionSummaries) == 0 {
		return "", nil
	}
	return aws.ToString(out.PipelineExecutionSummaries[0].PipelineExecutionArn), nil
}

// Read reads execution arn of pipeline. Its error is for what stopped the
// whole read (a throttled or refused DescribePipelineExecution); anything
// narrower is a note of the Execution. A running execution gets its status
// and steps so far; the rest is read once it is over.
func (r *Reader) Read(ctx context.Context, pipeline, arn string) (*Execution, error) {
	e := &Execution{Pipeline: pipeline, ARN: arn, ConsoleURL: ExecutionURL(r.Region, pipeline, arn)}
	desc, err := r.SageMaker.DescribePipelineExecution(ctx, &sagemaker.DescribePipelineExecutionInput{PipelineExecutionArn: aws.String(arn)})
	if notFound(err) {
		e.Status = Gone
		e.Notes = append(e.Notes, "SageMaker no longer has this execution: the pipeline was deleted since")
		return e, nil
	}
	if err != nil {
		return nil, fmt.Errorf("describing execution %s: %w", arn, err)
	}
	e.Status = string(desc.PipelineExecutionStatus)
	e.FailureReason = aws.ToString(desc.FailureReason)
	e.Started = aws.ToTime(desc.CreationTime)
	if e.Over() {
		e.Ended = aws.ToTime(desc.LastModifiedTime)
		e.Duration = e.Ended.Sub(e.Started)
	}
	if e.Status == "Stopped" {
		e.Notes = append(e.Notes, "the execution was stopped before it finished")
	}
	meta, err := r.steps(ctx, e)
	if err != nil {
		e.Notes = append(e.Notes, "the steps could not be listed: "+oneLine(err))
	}
	if !e.Over() {
		return e, nil
	}
	def, err := r.definition(ctx, arn)
	if err != nil {
		e.Notes = append(e.Notes, "the execution's definition could not be read, so the quality gate and the metrics are not shown: "+oneLine(err))
	}
	r.usage(ctx, e, meta)
	r.gate(e, def, meta)
	r.registered(ctx, e, meta)
	r.metrics(ctx, e, def, meta)
	return e, nil
}

// stepMeta is what the listing says of each step, for the later reads.
type stepMeta map[string]*smtypes.PipelineExecutionStepMetadata

func (r *Reader) steps(ctx context.Context, e *Execution) (stepMeta, error) {
	meta := stepMeta{}
	p := sagemaker.NewListPipelineExecutionStepsPaginator(r.SageMaker, &sagemaker.ListPipelineExecutionStepsInput{
		PipelineExecutionArn: aws.String(e.ARN), SortOrder: smtypes.SortOrderAscending})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return meta, err
		}
		for _, st := range page.PipelineExecutionSteps {
			s := Step{Name: aws.ToString(st.StepName), Status: string(st.StepStatus), FailureReason: aws.ToString(st.FailureReason),
				CacheHit: st.CacheHitResult != nil && aws.ToString(st.CacheHitResult.SourcePipelineExecutionArn) != ""}
			if st.StartTime != nil && st.EndTime != nil {
				s.Duration = st.EndTime.Sub(*st.StartTime)
			}
			if m := st.Metadata; m != nil {
				meta[s.Name] = m
				s.JobARN = jobARN(m)
			}
			e.Steps = append(e.Steps, s)
		}
	}
	return meta, nil
}

func jobARN(m *smtypes.PipelineExecutionStepMetadata) string {
	switch {
	case m.TrainingJob != nil:
		return aws.ToString(m.TrainingJob.Arn)
	case m.ProcessingJob != nil:
		return aws.ToString(m.ProcessingJob.Arn)
	case m.TransformJob != nil:
		return aws.ToString(m.TransformJob.Arn)
	case m.Model != nil:
		return aws.ToString(m.Model.Arn)
	case m.RegisterModel != nil:
		return aws.ToString(m.RegisterModel.Arn)
	}
	return ""
}

// usage sums the compute of the jobs this execution ran: billable seconds
// times instance count, for training and processing jobs.
func (r *Reader) usage(ctx context.Context, e *Execution, meta stepMeta) {
	by := map[string]*Usage{}
	add := func(typ string, seconds float64) {
		u := by[typ]
		if u == nil {
			u = &Usage{InstanceType: typ}
			by[typ] = u
		}
		u.Jobs++
		u.InstanceSeconds += seconds
	}
	for _, s := range e.Steps {
		m := meta[s.Name]
		if m == nil || s.CacheHit {
			continue
		}
		switch {
		case m.TrainingJob != nil:
			out, err := r.SageMaker.DescribeTrainingJob(ctx, &sagemaker.DescribeTrainingJobInput{TrainingJobName: aws.String(jobName(aws.ToString(m.TrainingJob.Arn)))})
			if err != nil {
				e.Notes = append(e.Notes, fmt.Sprintf("the training job of step %s could not be read: %s", s.Name, oneLine(err)))
				continue
			}
			count := int32(1)
			typ := "unknown"
			if rc := out.ResourceConfig; rc != nil {
				count, typ = max(aws.ToInt32(rc.InstanceCount), 1), string(rc.InstanceType)
			}
			add(typ, float64(aws.ToInt32(out.BillableTimeInSeconds))*float64(count))
		case m.ProcessingJob != nil:
			out, err := r.processingJob(ctx, aws.ToString(m.ProcessingJob.Arn))
			if err != nil {
				e.Notes = append(e.Notes, fmt.Sprintf("the processing job of step %s could not be read: %s", s.Name, oneLine(err)))
				continue
			}
			count, typ := int32(1), "unknown"
			if pr := out.ProcessingResources; pr != nil && pr.ClusterConfig != nil {
				count, typ = max(aws.ToInt32(pr.ClusterConfig.InstanceCount), 1), string(pr.ClusterConfig.InstanceType)
			}
			if out.ProcessingStartTime != nil && out.ProcessingEndTime != nil {
				add(typ, out.ProcessingEndTime.Sub(*out.ProcessingStartTime).Seconds()*float64(count))
			}
		}
	}
	for _, k := range slices.Sorted(maps.Keys(by)) {
		e.Usage = append(e.Usage, *by[k])
	}
}

func (r *Reader) processingJob(ctx context.Context, arn string) (*sagemaker.DescribeProcessingJobOutput, error) {
	return r.SageMaker.DescribeProcessingJob(ctx, &sagemaker.DescribeProcessingJobInput{ProcessingJobName: aws.String(jobName(arn))})
}

// definition is the execution's pipeline definition, as it ran.
func (r *Reader) definition(ctx context.Context, arn string) (*definition, error) {
	out, err := r.SageMaker.DescribePipelineDefinitionForExecution(ctx, &sagemaker.DescribePipelineDefinitionForExecutionInput{PipelineExecutionArn: aws.String(arn)})
	if err != nil {
		return nil, err
	}
	return parseDefinition([]byte(aws.ToString(out.PipelineDefinition)))
}

// gate reads the quality gate's verdict from its Condition step and, when
// it failed, the Fail step's message.
func (r *Reader) gate(e *Execution, def *definition, meta stepMeta) {
	if def == nil || def.gate == nil {
		return
	}
	g := *def.gate
	if m := meta[g.Step]; m != nil && m.Condition != nil {
		if m.Condition.Outcome == smtypes.ConditionOutcomeTrue {
			g.Verdict = "passed"
		} else {
			g.Verdict = "failed"
		}
	}
	for _, name := range def.failSteps {
		if m := meta[name]; m != nil && m.Fail != nil {
			g.Verdict, g.Message = "failed", aws.ToString(m.Fail.ErrorMessage)
		}
	}
	e.Gate = &g
}

// registered reads the model package the RegisterModel step created.
func (r *Reader) registered(ctx context.Context, e *Execution, meta stepMeta) {
	for _, s := range e.Steps {
		m := meta[s.Name]
		if m == nil || m.RegisterModel == nil || s.CacheHit {
			continue
		}
		p, _, err := r.modelPackage(ctx, aws.ToString(m.RegisterModel.Arn))
		if err != nil {
			e.Notes = append(e.Notes, fmt.Sprintf("the model package step %s registered could not be read: %s", s.Name, oneLine(err)))
			continue
		}
		e.Registered = p
	}
}

func (r *Reader) modelPackage(ctx context.Context, arn string) (*Package, string, error) {
	out, err := r.SageMaker.DescribeModelPackage(ctx, &sagemaker.DescribeModelPackageInput{ModelPackageName: aws.String(arn)})
	if err != nil {
		return nil, "", err
	}
	p := &Package{ARN: aws.ToString(out.ModelPackageArn), Group: aws.ToString(out.ModelPackageGroupName),
		Version: aws.ToInt32(out.ModelPackageVersion), ApprovalStatus: string(out.ModelApprovalStatus)}
	p.ConsoleURL = packageURL(r.Region, p.Group, p.Version)
	metrics := ""
	if mm := out.ModelMetrics; mm != nil && mm.ModelQuality != nil && mm.ModelQuality.Statistics != nil {
		metrics = aws.ToString(mm.ModelQuality.Statistics.S3Uri)
	}
	return p, metrics, nil
}

// metrics reads the evaluation report the Metrics step wrote, where its
// processing job put it, and production's, from the latest approved model
// package of the group the pipeline registers to.
func (r *Reader) metrics(ctx context.Context, e *Execution, def *definition, meta stepMeta) {
	if def == nil || def.metricsStep == "" {
		return
	}
	m := meta[def.metricsStep]
	if m == nil || m.ProcessingJob == nil {
		e.Notes = append(e.Notes, fmt.Sprintf("no metrics: step %s did not run in this execution", def.metricsStep))
		return
	}
	job, err := r.processingJob(ctx, aws.ToString(m.ProcessingJob.Arn))
	if err != nil {
		e.Notes = append(e.Notes, fmt.Sprintf("metrics missing: the processing job of step %s could not be read: %s", def.metricsStep, oneLine(err)))
		return
	}
	base := ""
	if oc := job.ProcessingOutputConfig; oc != nil {
		for _, o := range oc.Outputs {
			if aws.ToString(o.OutputName) == def.metricsOutput && o.S3Output != nil {
				base = aws.ToString(o.S3Output.S3Uri)
			}
		}
	}
	if base == "" {
		e.Notes = append(e.Notes, fmt.Sprintf("metrics missing: step %s has no output %s", def.metricsStep, def.metricsOutput))
		return
	}
	source := strings.TrimSuffix(base, "/") + "/" + def.metricsFile
	values, err := r.report(ctx, source)
	if err != nil {
		e.Notes = append(e.Notes, fmt.Sprintf("metrics missing: %s: %s", source, oneLine(err)))
		return
	}
	e.Metrics = &Metrics{Source: source}
	old := r.production(ctx, e, def)
	for _, path := range slices.Sorted(maps.Keys(values)) {
		v := Value{Path: path, New: values[path], LowerIsBetter: lowerIsBetter(path, e.Gate)}
		if o, ok := old[path]; ok {
			v.Old = &o
		}
		e.Metrics.Values = append(e.Metrics.Values, v)
	}
	if g := e.Gate; g != nil {
		// The gate's metric first: it decided the registration.
		slices.SortStableFunc(e.Metrics.Values, func(a, b Value) int {
			switch {
			case a.Path == g.Metric && b.Path != g.Metric:
				return -1
			case b.Path == g.Metric && a.Path != g.Metric:
				return 1
			}
			return 0
		})
	}
	if group := def.comparedWith(); e.Metrics.Production == nil && group != "" {
		e.Notes = append(e.Notes, fmt.Sprintf("no approved model in group %s yet: this is the first model of the group, so there is nothing to compare with", group))
	}
}

// production finds the latest approved model package of the group, other
// than the one this execution registered, and reads its report.
func (r *Reader) production(ctx context.Context, e *Execution, def *definition) map[string]float64 {
	group := def.comparedWith()
	if e.Registered != nil && def.production == "" {
		group = e.Registered.Group
	}
	if group == "" {
		return nil
	}
	out, err := r.SageMaker.ListModelPackages(ctx, &sagemaker.ListModelPackagesInput{ModelPackageGroupName: aws.String(group),
		ModelApprovalStatus: smtypes.ModelApprovalStatusApproved, SortBy: smtypes.ModelPackageSortByCreationTime,
		SortOrder: smtypes.SortOrderDescending, MaxResults: aws.Int32(10)})
	if err != nil {
		e.Notes = append(e.Notes, fmt.Sprintf("the approved models of group %s could not be listed: %s", group, oneLine(err)))
		return nil
	}
	for _, s := range out.ModelPackageSummaryList {
		arn := aws.ToString(s.ModelPackageArn)
		if e.Registered != nil && arn == e.Registered.ARN {
			continue
		}
		p, uri, err := r.modelPackage(ctx, arn)
		if err != nil {
			e.Notes = append(e.Notes, fmt.Sprintf("the approved model %s could not be read: %s", arn, oneLine(err)))
			return nil
		}
		e.Metrics.Production = p
		if uri == "" {
			e.Notes = append(e.Notes, fmt.Sprintf("the approved model %s version %d has no metrics report to compare with", group, p.Version))
			return nil
		}
		values, err := r.report(ctx, uri)
		if err != nil {
			e.Notes = append(e.Notes, fmt.Sprintf("the approved model's report %s could not be read: %s", uri, oneLine(err)))
			return nil
		}
		return values
	}
	return nil
}

// report reads an evaluation report: a JSON object whose numeric values
// are its metrics (SageMaker's model quality shape nests them as
// <kind>_metrics.<name>.value), by dotted path.
func (r *Reader) report(ctx context.Context, uri string) (map[string]float64, error) {
	u, err := url.Parse(uri)
	if err != nil || u.Scheme != "s3" || u.Host == "" {
		return nil, fmt.Errorf("not an s3:// URI")
	}
	out, err := r.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(u.Host), Key: aws.String(strings.TrimPrefix(u.Path, "/"))})
	if err != nil {
		if notFound(err) {
			return nil, errors.New("no such file: the step wrote no report there")
		}
		return nil, err
	}
	defer out.Body.Close()
	b, err := io.ReadAll(io.LimitReader(out.Body, MaxReport+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxReport {
		return nil, fmt.Errorf("the report is over %d bytes; not read", MaxReport)
	}
	var doc any
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("not JSON: %s", oneLine(err))
	}
	values := map[string]float64{}
	collect("", doc, values)
	if len(values) == 0 {
		return nil, errors.New(`no numeric value in it; write metrics as {"regression_metrics": {"mse": {"value": 0.4}}}`)
	}
	return values, nil
}

// collect gathers the numbers of an evaluation report by path: every
// "value" member, or any number when the report has no "value" members
// at all.
func collect(at string, v any, out map[string]float64) {
	m, ok := v.(map[string]any)
	if !ok {
		return
	}
	for k, c := range m {
		p := k
		if at != "" {
			p = at + "." + k
		}
		switch c := c.(type) {
		case float64:
			if k == "value" || !strings.Contains(p, ".") || !hasValueMembers(m) {
				out[p] = c
			}
		case map[string]any:
			collect(p, c, out)
		}
	}
}

func hasValueMembers(m map[string]any) bool {
	_, ok := m["value"]
	return ok
}

// lowerIsBetter says which way a metric improves: the gate's operator for
// its metric, else what its name says; nil when unknown.
func lowerIsBetter(path string, g *Gate) *bool {
	yes, no := true, false
	if g != nil && g.Metric == path {
		switch g.Operator {
		case "<", "<=":
			return &yes
		case ">", ">=":
			return &no
		}
	}
	name := strings.ToLower(path)
	for _, w := range []string{"mse", "rmse", "mae", "mape", "loss", "error", "logloss"} {
		if metricWord(name, w) {
			return &yes
		}
	}
	for _, w := range []string{"accuracy", "auc", "f1", "precision", "recall", "r2", "roc_auc", "pr_auc"} {
		if metricWord(name, w) {
			return &no
		}
	}
	return nil
}

// metricWord reports whether w is one of path's dot- or underscore-
// separated words.
func metricWord(path, w string) bool {
	return slices.Contains(strings.FieldsFunc(path, func(r rune) bool { return r == '.' || r == '_' }), w) ||
		slices.Contains(strings.Split(path, "."), w)
}

func notFound(err error) bool {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return false
	}
	switch ae.ErrorCode() {
	case "ResourceNotFound", "NoSuchKey", "NotFound":
		return true
	case "ValidationException":
		return strings.Contains(ae.ErrorMessage(), "Could not find") || strings.Contains(ae.ErrorMessage(), "does not exist")
	}
	return false
}

// oneLine folds an error onto one short line.
func oneLine(err error) string {
	s := strings.Join(strings.Fields(err.Error()), " ")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

func jobName(arn string) string {
	if i := strings.LastIndexByte(arn, '/'); i >= 0 {
		return arn[i+1:]
	}
	return arn
}

// regionPattern is compiled on first use, not at every start-up.
var regionPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d$`) })

// ExecutionURL links an execution in the SageMaker console.
func ExecutionURL(region, pipeline, arn string) string {
	i := strings.LastIndex(arn, "/execution/")
	if !regionPattern().MatchString(region) || i < 0 {
		return ""
	}
	return fmt.Sprintf("https://%s.console.aws.amazon.com/sagemaker/home?region=%s#/pipelines/%s/executions/%s",
		region, region, url.PathEscape(pipeline), url.PathEscape(arn[i+len("/execution/"):]))
}

// packageURL links a model package version in the SageMaker console.
func packageURL(region, group string, version int32) string {
	if !regionPattern().MatchString(region) || group == "" {
		return ""
	}
	return fmt.Sprintf("https://%s.console.aws.amazon.com/sagemaker/home?region=%s#/model-registry/%s/versions/%d",
		region, region, url.PathEscape(group), version)
}

// PipelineOf is the pipeline name in an execution ARN
// (arn:aws:sagemaker:<region>:<account>:pipeline/<name>/execution/<id>).
func PipelineOf(arn string) (string, bool) {
	rest, ok := strings.CutPrefix(arn, "arn:")
	if !ok {
		return "", false
	}
	_, res, ok := strings.Cut(rest, ":pipeline/")
	if !ok {
		return "", false
	}
	name, id, ok := strings.Cut(res, "/execution/")
	if !ok || name == "" || id == "" || strings.Contains(id, "/") {
		return "", false
	}
	return name, true
}
