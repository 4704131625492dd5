package results

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/aws/smithy-go"
)

// Reader reads executions with the clients it holds.
type Reader struct {
	SageMaker SageMakerAPI
	S3        S3API
	// Region is where the executions run, for links.
	Region string
	// StudioDomain is the SageMaker Studio domain ID for Studio links;
	// empty links the console only.
	StudioDomain string
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

// Status is the execution's status alone (one call): Gone when SageMaker
// no longer has it.
func (r *Reader) Status(ctx context.Context, arn string) (string, error) {
	desc, err := r.describe(ctx, arn)
	switch {
	case err != nil:
		return "", err
	case desc == nil:
		return Gone, nil
	}
	return string(desc.PipelineExecutionStatus), nil
}

// describe is DescribePipelineExecution; nil and no error when the
// execution is gone.
func (r *Reader) describe(ctx context.Context, arn string) (*sagemaker.DescribePipelineExecutionOutput, error) {
	desc, err := r.SageMaker.DescribePipelineExecution(ctx, &sagemaker.DescribePipelineExecutionInput{PipelineExecutionArn: aws.String(arn)})
	switch {
	case notFound(err):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("describing execution %s: %w", arn, err)
	}
	return desc, nil
}

// Read reads execution arn of pipeline. Its error is for what stopped the
// whole read (a throttled or refused DescribePipelineExecution); anything
// narrower is a note. A running execution gets its status and steps so
// far; the rest is read once it is over.
func (r *Reader) Read(ctx context.Context, pipeline, arn string) (*Execution, error) {
	e := r.blank(pipeline, arn)
	desc, err := r.describe(ctx, arn)
	if err != nil {
		return nil, err
	}
	if desc == nil {
		e.Status = Gone
		e.Notes = append(e.Notes, "SageMaker no longer has this execution: its pipeline was deleted since")
		return e, nil
	}
	e.Status = string(desc.PipelineExecutionStatus)
	e.FailureReason = aws.ToString(desc.FailureReason)
	e.Started = aws.ToTime(desc.CreationTime)
	if e.Over() {
		e.Ended = aws.ToTime(desc.LastModifiedTime)
		e.Duration = e.Ended.Sub(e.Started)
	}
	if e.Status == "Stopped" {
		e.Notes = append(e.Notes, "the execution was stopped by hand before it finished")
	}
	meta, err := r.steps(ctx, e)
	if err != nil {
		e.Notes = append(e.Notes, "the steps could not be listed: "+oneLine(err))
	}
	if !e.Over() {
		return e, nil
	}
	r.usage(ctx, e, meta)
	def, err := r.definition(ctx, arn)
	if err != nil {
		e.Notes = append(e.Notes, "the execution's definition could not be read, so its models (quality gate, metrics, registration) are not shown: "+oneLine(err))
		return e, nil
	}
	for _, md := range def.models {
		e.Models = append(e.Models, r.model(ctx, md, meta))
	}
	// Production is the latest approved package other than what this
	// execution registered, whichever of its models did.
	var mine []string
	for _, m := range e.Models {
		if m.Registered != nil {
			mine = append(mine, m.Registered.ARN)
		}
	}
	for i := range e.Models {
		r.compare(ctx, &e.Models[i], mine)
	}
	return e, nil
}

// blank is an execution before anything is read of it: its name and
// links.
func (r *Reader) blank(pipeline, arn string) *Execution {
	return &Execution{Pipeline: pipeline, ARN: arn, ConsoleURL: ExecutionURL(r.Region, pipeline, arn),
		StudioURL: StudioURL(r.StudioDomain, r.Region, pipeline, arn), Steps: []Step{}, Usage: []Usage{}, Models: []Model{}}
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
// times instance count of each training job (per instance group of a
// heterogeneous cluster), run time times instance count of each
// processing job. Cache hits ran no job.
func (r *Reader) usage(ctx context.Context, e *Execution, meta stepMeta) {
	by := map[string]*Usage{}
	add := func(typ string, count int32, seconds float64) {
		if typ == "" {
			typ = "unknown"
		}
		u := by[typ]
		if u == nil {
			u = &Usage{InstanceType: typ}
			by[typ] = u
		}
		u.Jobs++
		u.InstanceSeconds += seconds * float64(max(count, 1))
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
				e.Notes = append(e.Notes, fmt.Sprintf("the training job of step %s could not be read, so its compute is not counted: %s", s.Name, oneLine(err)))
				continue
			}
			billable := float64(aws.ToInt32(out.BillableTimeInSeconds))
			rc := out.ResourceConfig
			switch {
			case rc == nil:
				add("", 1, billable)
			case len(rc.InstanceGroups) > 0:
				for _, g := range rc.InstanceGroups {
					add(string(g.InstanceType), aws.ToInt32(g.InstanceCount), billable)
				}
			default:
				add(string(rc.InstanceType), aws.ToInt32(rc.InstanceCount), billable)
			}
		case m.ProcessingJob != nil:
			out, err := r.processingJob(ctx, aws.ToString(m.ProcessingJob.Arn))
			if err != nil {
				e.Notes = append(e.Notes, fmt.Sprintf("the processing job of step %s could not be read, so its compute is not counted: %s", s.Name, oneLine(err)))
				continue
			}
			if out.ProcessingStartTime == nil || out.ProcessingEndTime == nil {
				continue // it never ran
			}
			typ, count := "", int32(1)
			if pr := out.ProcessingResources; pr != nil && pr.ClusterConfig != nil {
				typ, count = string(pr.ClusterConfig.InstanceType), aws.ToInt32(pr.ClusterConfig.InstanceCount)
			}
			add(typ, count, out.ProcessingEndTime.Sub(*out.ProcessingStartTime).Seconds())
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

// model reads what one model came to: the gate's verdict, the registered
// package and the metrics its report step wrote.
func (r *Reader) model(ctx context.Context, md modelDef, meta stepMeta) Model {
	m := Model{Step: md.step, Group: md.group, ComparedWith: md.production}
	if rep := md.report; rep != nil && rep.gate != nil {
		g := *rep.gate
		if sm := meta[g.Step]; sm != nil && sm.Condition != nil {
			g.Verdict = Failed
			if sm.Condition.Outcome == smtypes.ConditionOutcomeTrue {
				g.Verdict = Passed
			}
		}
		for _, name := range rep.failSteps {
			if sm := meta[name]; sm != nil && sm.Fail != nil {
				g.Verdict, g.Message = Failed, aws.ToString(sm.Fail.ErrorMessage)
			}
		}
		m.Gate = &g
	}
	if sm := meta[md.register]; md.register != "" && sm != nil && sm.RegisterModel != nil {
		p, _, err := r.modelPackage(ctx, aws.ToString(sm.RegisterModel.Arn))
		if err != nil {
			m.Notes = append(m.Notes, fmt.Sprintf("the model package step %s registered could not be read: %s", md.register, oneLine(err)))
		} else {
			m.Registered = p
			if m.Group == "" {
				m.Group = p.Group
			}
		}
	}
	if md.report != nil {
		r.metrics(ctx, &m, md.report, meta)
	}
	return m
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

// metrics reads the evaluation report the model's Metrics step wrote,
// where its processing job put the output the report is declared in.
func (r *Reader) metrics(ctx context.Context, m *Model, rep *reportDef, meta stepMeta) {
	sm := meta[rep.step]
	if sm == nil || sm.ProcessingJob == nil {
		m.Notes = append(m.Notes, fmt.Sprintf("no metrics: step %s did not run in this execution", rep.step))
		return
	}
	job, err := r.processingJob(ctx, aws.ToString(sm.ProcessingJob.Arn))
	if err != nil {
		m.Notes = append(m.Notes, fmt.Sprintf("metrics missing: the processing job of step %s could not be read: %s", rep.step, oneLine(err)))
		return
	}
	base := ""
	if oc := job.ProcessingOutputConfig; oc != nil {
		for _, o := range oc.Outputs {
			if aws.ToString(o.OutputName) == rep.output && o.S3Output != nil {
				base = aws.ToString(o.S3Output.S3Uri)
			}
		}
	}
	if base == "" {
		m.Notes = append(m.Notes, fmt.Sprintf("metrics missing: the processing job of step %s has no output %s", rep.step, rep.output))
		return
	}
	source := strings.TrimSuffix(base, "/") + "/" + rep.file
	values, err := r.report(ctx, source)
	if err != nil {
		m.Notes = append(m.Notes, fmt.Sprintf("metrics missing: %s: %s", source, oneLine(err)))
		return
	}
	m.Metrics = &Metrics{Source: source}
	gateMetric := ""
	if m.Gate != nil {
		gateMetric = m.Gate.Metric
	}
	paths := slices.Sorted(maps.Keys(values))
	// The gate's metric first: it decided the registration.
	if i := slices.Index(paths, gateMetric); i > 0 {
		paths = slices.Insert(slices.Delete(paths, i, i+1), 0, gateMetric)
	}
	if len(paths) > MaxValues {
		m.Notes = append(m.Notes, fmt.Sprintf("the report has %d values; the first %d are shown", len(paths), MaxValues))
		paths = paths[:MaxValues]
	}
	for _, path := range paths {
		m.Metrics.Values = append(m.Metrics.Values, Value{Path: path, New: values[path], LowerIsBetter: lowerIsBetter(path, m.Gate)})
	}
}

// compare puts production's values beside the model's: those of the
// latest approved package of its group that this execution did not
// register (mine).
func (r *Reader) compare(ctx context.Context, m *Model, mine []string) {
	group := cmp.Or(m.ComparedWith, m.Group)
	if m.Metrics == nil || group == "" {
		return
	}
	p, uri, err := r.production(ctx, group, mine)
	switch {
	case err != nil:
		m.Notes = append(m.Notes, oneLine(err))
		return
	case p == nil:
		m.Notes = append(m.Notes, fmt.Sprintf("no approved model in group %s yet: this is the first model of the group, so there is nothing to compare with", group))
		return
	}
	m.Metrics.Production = p
	if uri == "" {
		m.Notes = append(m.Notes, fmt.Sprintf("the approved model %s version %d has no metrics report to compare with", group, p.Version))
		return
	}
	old, err := r.report(ctx, uri)
	if err != nil {
		m.Notes = append(m.Notes, fmt.Sprintf("the approved model's report %s could not be read: %s", uri, oneLine(err)))
		return
	}
	for i, v := range m.Metrics.Values {
		if o, ok := old[v.Path]; ok {
			m.Metrics.Values[i].Old = &o
		}
	}
}

// approvedListed is how many of a group's newest approved packages are
// listed (one page): this execution registers at most one per model.
const approvedListed = 10

// production is the latest approved model package of group that is not
// one of mine, and the URI of its metrics report; nil when there is none.
func (r *Reader) production(ctx context.Context, group string, mine []string) (*Package, string, error) {
	out, err := r.SageMaker.ListModelPackages(ctx, &sagemaker.ListModelPackagesInput{ModelPackageGroupName: aws.String(group),
		ModelApprovalStatus: smtypes.ModelApprovalStatusApproved, SortBy: smtypes.ModelPackageSortByCreationTime,
		SortOrder: smtypes.SortOrderDescending, MaxResults: aws.Int32(approvedListed)})
	if err != nil {
		if notFound(err) {
			return nil, "", nil
		}
		return nil, "", fmt.Errorf("the approved models of group %s could not be listed: %w", group, err)
	}
	for _, s := range out.ModelPackageSummaryList {
		arn := aws.ToString(s.ModelPackageArn)
		if slices.Contains(mine, arn) {
			continue
		}
		p, uri, err := r.modelPackage(ctx, arn)
		if err != nil {
			return nil, "", fmt.Errorf("the approved model %s could not be read: %w", arn, err)
		}
		return p, uri, nil
	}
	return nil, "", nil
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
	s := []rune(strings.Join(strings.Fields(err.Error()), " "))
	if len(s) > 300 {
		return string(s[:300]) + "…"
	}
	return string(s)
}

func jobName(arn string) string {
	if i := strings.LastIndexByte(arn, '/'); i >= 0 {
		return arn[i+1:]
	}
	return arn
}
