package results_test

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"

	"github.com/smpipe/smpipe-action/compiler"
	"github.com/smpipe/smpipe-action/deploy"
	"github.com/smpipe/smpipe-action/ghreport"
	"github.com/smpipe/smpipe-action/internal/fakeaws"
	goldenfile "github.com/smpipe/smpipe-action/internal/golden"
	"github.com/smpipe/smpipe-action/internal/workspace"
	"github.com/smpipe/smpipe-action/results"
)

const (
	pipeline = "wine-quality-gated"
	bucket   = "smpipe-examples"
	group    = "wine-quality"
)

// world is a SageMaker and S3 where wine-quality-gated ran once.
type world struct {
	sm     *fakeaws.SageMaker
	smc    *sagemaker.Client
	s3     *fakeaws.S3
	reader *results.Reader
}

func newWorld(t *testing.T) *world {
	t.Helper()
	s3f := fakeaws.NewS3(t, bucket)
	sm := fakeaws.NewSageMaker(t, fakeaws.WithS3(s3f))
	def, err := os.ReadFile("../compiler/testdata/golden/wine-gate/wine-quality-gated.json")
	if err != nil {
		t.Fatal(err)
	}
	sm.Seed(fakeaws.Pipeline{Name: pipeline, Definition: string(def), RoleArn: "arn:aws:iam::123456789012:role/p"})
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIARESULTS", "secret", "")}
	smc, s3c := deploy.NewClients(cfg, func(k string) string {
		return map[string]string{"AWS_ENDPOINT_URL_SAGEMAKER": sm.URL, "AWS_ENDPOINT_URL_S3": s3f.URL}[k]
	})
	return &world{sm: sm, smc: smc, s3: s3f, reader: &results.Reader{SageMaker: smc, S3: s3c, Region: "us-east-1"}}
}

// run is one execution: its steps' outcomes and what it wrote.
type run struct {
	status, failure string
	// gate is the Condition step's outcome; registered whether the
	// RegisterModel step ran.
	gate       string
	registered bool
	metrics    string // the evaluation report; "" writes none
	failStep   string // a step that failed, with failure as its reason
}

// start runs r: jobs, model package and report as SageMaker and the
// Metrics step would have left them, and the execution itself.
func (w *world) start(t *testing.T, r run) string {
	t.Helper()
	train := w.sm.AddTrainingJob(fakeaws.TrainingJob{Name: "pipelines-abc-wine-Train", InstanceType: "ml.m5.xlarge", InstanceCount: 2, BillableSeconds: 1800})
	prep := w.sm.AddProcessingJob(fakeaws.ProcessingJob{Name: "pipelines-abc-wine-Prepare", InstanceType: "ml.m5.large", InstanceCount: 1, Seconds: 600})
	out := "s3://" + bucket + "/wine-quality-gated/abc/wine-Evaluate/output/model_evaluation_metrics"
	eval := w.sm.AddProcessingJob(fakeaws.ProcessingJob{Name: "pipelines-abc-wine-Evaluate", InstanceType: "ml.m5.large", InstanceCount: 1, Seconds: 300,
		Outputs: map[string]string{"model_evaluation_metrics": out}})
	if r.metrics != "" {
		w.s3.Plant(t, bucket, strings.TrimPrefix(out, "s3://"+bucket+"/")+"/model_evaluation_metrics.json", []byte(r.metrics), "")
	}
	steps := []fakeaws.Step{
		{Name: "wine-Prepare", Status: "Succeeded", JobKind: "ProcessingJob", JobArn: prep, Seconds: 640},
		{Name: "wine-Train", Status: "Succeeded", JobKind: "TrainingJob", JobArn: train, Seconds: 1900},
		{Name: "wine-Model-RepackModel-0", Status: "Succeeded", CacheHitSource: "arn:aws:sagemaker:us-east-1:123456789012:pipeline/wine-quality-gated/execution/older", JobKind: "TrainingJob", JobArn: "arn:aws:sagemaker:us-east-1:123456789012:training-job/old-repack"},
		{Name: "wine-Evaluate", Status: "Succeeded", JobKind: "ProcessingJob", JobArn: eval, Seconds: 320},
	}
	if r.failStep != "" {
		for i := range steps {
			if steps[i].Name == r.failStep {
				steps[i].Status, steps[i].FailureReason = "Failed", r.failure
				steps = steps[:i+1]
				break
			}
		}
	}
	if r.gate != "" {
		steps = append(steps, fakeaws.Step{Name: "wine-Register-QualityGate", Status: "Succeeded", JobKind: "Condition", Outcome: r.gate, Seconds: 2})
	}
	if r.gate == "False" {
		steps = append(steps, fakeaws.Step{Name: "wine-Register-QualityGateFailed", Status: "Failed", JobKind: "Fail",
			Message:       "model wine not registered: regression_metrics.mse.value is 0.62, the quality gate requires <= 0.5",
			FailureReason: "model wine not registered: regression_metrics.mse.value is 0.62, the quality gate requires <= 0.5"})
	}
	if r.registered {
		p := w.sm.AddModelPackage(fakeaws.ModelPackage{Group: group, ApprovalStatus: "PendingManualApproval", MetricsURI: out + "/model_evaluation_metrics.json"})
		steps = append(steps, fakeaws.Step{Name: "wine-Register-RegisterModel", Status: "Succeeded", JobKind: "RegisterModel", JobArn: p.Arn, Seconds: 5})
	}
	w.sm.SetScript(pipeline, fakeaws.Script{Statuses: []string{r.status}, FailureReason: r.failure, Steps: steps, Seconds: 3725})
	return w.startExecution(t)
}

func (w *world) startExecution(t *testing.T) string {
	t.Helper()
	out, err := w.smc.StartPipelineExecution(context.Background(), &sagemaker.StartPipelineExecutionInput{PipelineName: aws.String(pipeline),
		ClientRequestToken: aws.String(strings.Repeat("t", 32) + strconv.Itoa(len(w.sm.Executions(pipeline))))})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.PipelineExecutionArn)
}

// production approves a model whose report has mse.
func (w *world) production(t *testing.T, mse string) {
	t.Helper()
	key := "reports/production/model_evaluation_metrics.json"
	w.s3.Plant(t, bucket, key, []byte(`{"regression_metrics": {"mse": {"value": `+mse+`, "standard_deviation": 0.01}, "r2": {"value": 0.61}}}`), "")
	w.sm.AddModelPackage(fakeaws.ModelPackage{Group: group, ApprovalStatus: "Approved", MetricsURI: "s3://" + bucket + "/" + key})
}

func TestRead_golden(t *testing.T) {
	for _, tc := range []struct {
		name       string
		production string // production's mse; "" for no approved model
		run        run
	}{
		{"better", "0.45", run{status: "Succeeded", gate: "True", registered: true, metrics: fmtReport("0.41", "0.66")}},
		{"worse", "0.45", run{status: "Succeeded", gate: "True", registered: true, metrics: fmtReport("0.48", "0.58")}},
		{"gate-failed", "0.45", run{status: "Failed", failure: "Step failure: One or multiple steps failed.", gate: "False", metrics: fmtReport("0.62", "0.41")}},
		{"step-failed", "0.45", run{status: "Failed", failure: "Step failure: One or multiple steps failed.", failStep: "wine-Train"}},
		{"first-model", "", run{status: "Succeeded", gate: "True", registered: true, metrics: fmtReport("0.41", "0.66")}},
		{"metrics-missing", "0.45", run{status: "Succeeded", gate: "True", registered: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			if tc.production != "" {
				w.production(t, tc.production)
			}
			arn := w.start(t, tc.run)
			e, err := w.reader.Read(context.Background(), pipeline, arn)
			if err != nil {
				t.Fatal(err)
			}
			goldenfile.Check(t, tc.name+".md", []byte(ghreport.ExecutionMarkdown(e)))
		})
	}
}

// fmtReport is an evaluation report in SageMaker's model quality shape.
func fmtReport(mse, r2 string) string {
	return `{"regression_metrics": {"mse": {"value": ` + mse + `, "standard_deviation": 0.02}, "r2": {"value": ` + r2 + `}}}`
}

// Bad input is a clear line, never a failed report.
func TestRead_notes(t *testing.T) {
	for _, tc := range []struct {
		name    string
		metrics string
		status  string
		want    string
	}{
		{"not JSON", "mse=0.4", "Succeeded", "not JSON"},
		{"over 1 MiB", `{"pad": "` + strings.Repeat("x", results.MaxReport) + `"}`, "Succeeded", "the report is over 1048576 bytes; not read"},
		{"another shape", `{"metrics": ["mse", 0.4]}`, "Succeeded", "no numeric value in it"},
		{"stopped by hand", fmtReport("0.41", "0.66"), "Stopped", "the execution was stopped before it finished"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			w.production(t, "0.45")
			arn := w.start(t, run{status: tc.status, gate: "True", registered: true, metrics: tc.metrics})
			e, err := w.reader.Read(context.Background(), pipeline, arn)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(strings.Join(e.Notes, "\n"), tc.want) {
				t.Errorf("notes = %q, want one saying %q", e.Notes, tc.want)
			}
			if md := ghreport.ExecutionMarkdown(e); !strings.Contains(md, tc.want) {
				t.Errorf("the report does not say %q:\n%s", tc.want, md)
			}
		})
	}

	// A pipeline deleted since: the execution is gone, and says so.
	w := newWorld(t)
	arn := w.start(t, run{status: "Succeeded"})
	if _, err := w.smc.DeletePipeline(context.Background(), &sagemaker.DeletePipelineInput{PipelineName: aws.String(pipeline),
		ClientRequestToken: aws.String(strings.Repeat("d", 32))}); err != nil {
		t.Fatal(err)
	}
	w.sm.ForgetExecutions(pipeline)
	e, err := w.reader.Read(context.Background(), pipeline, arn)
	if err != nil || e.Status != results.Gone || !e.Over() || !strings.Contains(strings.Join(e.Notes, " "), "the pipeline was deleted since") {
		t.Errorf("read of a deleted pipeline's execution = %+v, %v", e, err)
	}
}

// TestREADME_resultsExample keeps the README's example report equal to
// the golden one.
func TestREADME_resultsExample(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("testdata/better.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, _ := strings.Cut(string(readme), "<!-- begin: results example -->\n")
	got, _, ok := strings.Cut(rest, "\n<!-- end: results example -->")
	if !ok || got != strings.Trim(string(want), "\n") {
		t.Errorf("the README's example report differs from results/testdata/better.md; copy it over:\n%s", want)
	}
}

// A preview registers to its own group, and its metrics are compared with
// production's approved model, which its definition names; an approved
// model of the preview group (someone approved a preview) is not
// production.
func TestRead_previewComparesWithProduction(t *testing.T) {
	w := newWorld(t)
	root, err := workspace.Open("../testdata/conf/ok/wine-gate")
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	res, _, err := compiler.Compile(context.Background(), root, compiler.Options{Getenv: func(string) (string, bool) { return "", false },
		Preview: &compiler.Preview{Suffix: "pr7", Prefix: "smpipe-preview"}})
	if err != nil || len(res.Plans) != 1 || res.Plans[0].Failed {
		t.Fatalf("compiling the preview: %v", err)
	}
	name := res.Plans[0].Name
	w.sm.Seed(fakeaws.Pipeline{Name: name, Definition: string(res.Plans[0].Definition), RoleArn: "arn:aws:iam::123456789012:role/preview"})
	w.production(t, "0.45")
	w.s3.Plant(t, bucket, "reports/approved-preview.json", []byte(`{"regression_metrics": {"mse": {"value": 0.99}}}`), "")
	w.sm.AddModelPackage(fakeaws.ModelPackage{Group: group + "-preview", ApprovalStatus: "Approved", MetricsURI: "s3://" + bucket + "/reports/approved-preview.json"})

	out := "s3://" + bucket + "/smpipe-preview/" + name + "/abc/wine-Evaluate/output/model_evaluation_metrics"
	w.s3.Plant(t, bucket, strings.TrimPrefix(out, "s3://"+bucket+"/")+"/model_evaluation_metrics.json", []byte(fmtReport("0.41", "0.66")), "")
	eval := w.sm.AddProcessingJob(fakeaws.ProcessingJob{Name: "pipelines-abc-wine-Evaluate", InstanceType: "ml.m5.large", InstanceCount: 1, Seconds: 300,
		Outputs: map[string]string{"model_evaluation_metrics": out}})
	p := w.sm.AddModelPackage(fakeaws.ModelPackage{Group: group + "-preview", ApprovalStatus: "PendingManualApproval", MetricsURI: out + "/model_evaluation_metrics.json"})
	w.sm.SetScript(name, fakeaws.Script{Statuses: []string{"Succeeded"}, Seconds: 600, Steps: []fakeaws.Step{
		{Name: "wine-Evaluate", Status: "Succeeded", JobKind: "ProcessingJob", JobArn: eval, Seconds: 320},
		{Name: "wine-Register-QualityGate", Status: "Succeeded", JobKind: "Condition", Outcome: "True", Seconds: 2},
		{Name: "wine-Register-RegisterModel", Status: "Succeeded", JobKind: "RegisterModel", JobArn: p.Arn, Seconds: 5},
	}})
	started, err := w.smc.StartPipelineExecution(context.Background(), &sagemaker.StartPipelineExecutionInput{PipelineName: aws.String(name),
		ClientRequestToken: aws.String(strings.Repeat("p", 32))})
	if err != nil {
		t.Fatal(err)
	}
	e, err := w.reader.Read(context.Background(), name, aws.ToString(started.PipelineExecutionArn))
	if err != nil {
		t.Fatal(err)
	}
	if e.Registered == nil || e.Registered.Group != group+"-preview" {
		t.Errorf("registered = %+v, want a package of %s-preview", e.Registered, group)
	}
	if e.Metrics == nil || e.Metrics.Production == nil || e.Metrics.Production.Group != group || len(e.Metrics.Values) == 0 ||
		e.Metrics.Values[0].Old == nil || *e.Metrics.Values[0].Old != 0.45 {
		t.Errorf("metrics = %+v, want them beside production's (0.45 in %s)", e.Metrics, group)
	}
}
