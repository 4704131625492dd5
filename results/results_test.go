package results_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

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
	domain   = "d-abcdefgh1234"
	// repository is the repository whose smpipe deployed the pipeline.
	repository = "acme/wine"
)

// world is a SageMaker and S3 where one pipeline exists, its definition
// the compiler's golden one.
type world struct {
	sm       *fakeaws.SageMaker
	smc      *sagemaker.Client
	s3       *fakeaws.S3
	reader   *results.Reader
	pipeline string
}

func newWorld(t *testing.T) *world {
	t.Helper()
	return newWorldOf(t, pipeline, "../compiler/testdata/golden/wine-gate/wine-quality-gated.json")
}

func newWorldOf(t *testing.T, name, definition string) *world {
	t.Helper()
	s3f := fakeaws.NewS3(t, bucket)
	sm := fakeaws.NewSageMaker(t, fakeaws.WithS3(s3f))
	def, err := os.ReadFile(definition)
	if err != nil {
		t.Fatal(err)
	}
	sm.Seed(fakeaws.Pipeline{Name: name, Definition: string(def), RoleArn: "arn:aws:iam::123456789012:role/p",
		Tags: map[string]string{deploy.TagRepository: repository}})
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIARESULTS", "secret", "")}
	smc, s3c := deploy.NewClients(cfg, func(k string) string {
		return map[string]string{"AWS_ENDPOINT_URL_SAGEMAKER": sm.URL, "AWS_ENDPOINT_URL_S3": s3f.URL}[k]
	})
	return &world{sm: sm, smc: smc, s3: s3f, pipeline: name,
		reader: &results.Reader{SageMaker: smc, S3: s3c, Region: "us-east-1", StudioDomain: domain}}
}

// run is one execution of wine-quality-gated: its steps' outcomes and
// what it wrote.
type run struct {
	status, failure string
	// gate is the Condition step's outcome; registered whether the
	// RegisterModel step ran, and approved whether its package was
	// approved on registration.
	gate                 string
	registered, approved bool
	metrics              string // the evaluation report; "" writes none
	// failStep failed with reason stepFailure, and the steps after it
	// did not run.
	failStep, stepFailure string
}

// evaluation is where the Metrics step's processing job puts its report.
const evaluation = "s3://" + bucket + "/wine-quality-gated/abc/wine-Evaluate/output/model_evaluation_metrics"

// start runs r: jobs, model package and report as SageMaker and the
// Metrics step would have left them, and the execution itself.
func (w *world) start(t *testing.T, r run) string {
	t.Helper()
	train := w.sm.AddTrainingJob(fakeaws.TrainingJob{Name: "pipelines-abc-wine-Train", InstanceType: "ml.m5.xlarge", InstanceCount: 2, BillableSeconds: 1800})
	prep := w.sm.AddProcessingJob(fakeaws.ProcessingJob{Name: "pipelines-abc-wine-Prepare", InstanceType: "ml.m5.large", InstanceCount: 1, Seconds: 600})
	eval := w.sm.AddProcessingJob(fakeaws.ProcessingJob{Name: "pipelines-abc-wine-Evaluate", InstanceType: "ml.m5.large", InstanceCount: 1, Seconds: 300,
		Outputs: map[string]string{"model_evaluation_metrics": evaluation}})
	if r.metrics != "" {
		w.s3.Plant(t, bucket, strings.TrimPrefix(evaluation, "s3://"+bucket+"/")+"/model_evaluation_metrics.json", []byte(r.metrics), "")
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
				steps[i].Status, steps[i].FailureReason = "Failed", r.stepFailure
				steps = steps[:i+1]
				break
			}
		}
	}
	if r.gate != "" {
		steps = append(steps, fakeaws.Step{Name: "wine-Register-QualityGate", Status: "Succeeded", JobKind: "Condition", Outcome: r.gate, Seconds: 2})
	}
	if r.gate == "False" {
		msg := "model wine not registered: regression_metrics.mse.value is 0.62, the quality gate requires <= 0.5"
		steps = append(steps, fakeaws.Step{Name: "wine-Register-QualityGateFailed", Status: "Failed", JobKind: "Fail", Message: msg, FailureReason: msg})
	}
	if r.registered {
		status := "PendingManualApproval"
		if r.approved {
			status = "Approved"
		}
		p := w.sm.AddModelPackage(fakeaws.ModelPackage{Group: group, ApprovalStatus: status, MetricsURI: evaluation + "/model_evaluation_metrics.json"})
		steps = append(steps, fakeaws.Step{Name: "wine-Register-RegisterModel", Status: "Succeeded", JobKind: "RegisterModel", JobArn: p.Arn, Seconds: 5})
	}
	w.sm.SetScript(w.pipeline, fakeaws.Script{Statuses: []string{r.status}, FailureReason: r.failure, Steps: steps, Seconds: 3725})
	return w.startExecution(t)
}

func (w *world) startExecution(t *testing.T) string {
	t.Helper()
	out, err := w.smc.StartPipelineExecution(context.Background(), &sagemaker.StartPipelineExecutionInput{PipelineName: aws.String(w.pipeline),
		ClientRequestToken: aws.String(strings.Repeat("t", 32) + strconv.Itoa(len(w.sm.Executions(w.pipeline))))})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.PipelineExecutionArn)
}

// production approves a model of group whose report is report.
func (w *world) production(t *testing.T, group, report string) fakeaws.ModelPackage {
	t.Helper()
	key := "reports/" + group + "/production/model_evaluation_metrics.json"
	w.s3.Plant(t, bucket, key, []byte(report), "")
	return w.sm.AddModelPackage(fakeaws.ModelPackage{Group: group, ApprovalStatus: "Approved", MetricsURI: "s3://" + bucket + "/" + key})
}

// regression is an evaluation report in SageMaker's model quality shape.
func regression(mse, r2 string) string {
	return `{"regression_metrics": {"mse": {"value": ` + mse + `, "standard_deviation": 0.02}, "r2": {"value": ` + r2 + `}}}`
}

func (w *world) read(t *testing.T, arn string) *results.Execution {
	t.Helper()
	e, err := w.reader.Read(context.Background(), w.pipeline, arn)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// The report of each kind of outcome the issue names, as markdown.
func TestRead_golden(t *testing.T) {
	const stepFailed = "Step failure: One or multiple steps failed."
	for _, tc := range []struct {
		name       string
		production string // production's report; "" for no approved model
		run        run
	}{
		{"better", regression("0.45", "0.61"), run{status: "Succeeded", gate: "True", registered: true, metrics: regression("0.41", "0.66")}},
		{"worse", regression("0.45", "0.61"), run{status: "Succeeded", gate: "True", registered: true, metrics: regression("0.48", "0.58")}},
		{"gate-failed", regression("0.45", "0.61"), run{status: "Failed", failure: stepFailed, gate: "False", metrics: regression("0.62", "0.41")}},
		{"step-failed", regression("0.45", "0.61"), run{status: "Failed", failure: stepFailed, failStep: "wine-Train",
			stepFailure: "AlgorithmError: ExecuteUserScriptError: Command \"/usr/local/bin/python3 train.py --epochs 60\" exited with code 137 (out of memory)"}},
		{"first-model", "", run{status: "Succeeded", gate: "True", registered: true, metrics: regression("0.41", "0.66")}},
		{"metrics-missing", regression("0.45", "0.61"), run{status: "Succeeded", gate: "True", registered: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			if tc.production != "" {
				w.production(t, group, tc.production)
			}
			e := w.read(t, w.start(t, tc.run))
			goldenfile.Check(t, tc.name+".md", []byte(ghreport.ExecutionMarkdown(e, ghreport.ResultOptions{})))
		})
	}
}

// A pipeline of two models, one gated: each is reported with its own
// metrics, gate, registration and production, in the definition's order.
func TestRead_twoModels(t *testing.T) {
	w := newWorldOf(t, "search-ranking", "testdata/definitions/two-models.json")
	w.production(t, "search-ranker", `{"binary_classification_metrics": {"auc": {"value": 0.84}, "accuracy": {"value": 0.9}}}`)
	w.production(t, "item-embeddings", `{"loss": 0.31}`)
	var steps []fakeaws.Step
	for _, m := range []struct{ name, report string }{
		{"ranker", `{"binary_classification_metrics": {"auc": {"value": 0.87}, "accuracy": {"value": 0.88}}}`},
		{"embed", `{"loss": 0.27, "recall_at_10": 0.5}`},
	} {
		out := "s3://" + bucket + "/search-ranking/x/" + m.name + "-Evaluate/output/model_evaluation_metrics"
		w.s3.Plant(t, bucket, strings.TrimPrefix(out, "s3://"+bucket+"/")+"/model_evaluation_metrics.json", []byte(m.report), "")
		train := w.sm.AddTrainingJob(fakeaws.TrainingJob{Name: "pipelines-x-" + m.name + "-Train", InstanceType: "ml.g5.2xlarge", InstanceCount: 1, BillableSeconds: 3600})
		eval := w.sm.AddProcessingJob(fakeaws.ProcessingJob{Name: "pipelines-x-" + m.name + "-Evaluate", InstanceType: "ml.m5.large", InstanceCount: 1, Seconds: 600,
			Outputs: map[string]string{"model_evaluation_metrics": out}})
		steps = append(steps, fakeaws.Step{Name: m.name + "-Train", Status: "Succeeded", JobKind: "TrainingJob", JobArn: train, Seconds: 3700},
			fakeaws.Step{Name: m.name + "-Evaluate", Status: "Succeeded", JobKind: "ProcessingJob", JobArn: eval, Seconds: 660})
	}
	ranker := w.sm.AddModelPackage(fakeaws.ModelPackage{Group: "search-ranker", ApprovalStatus: "PendingManualApproval"})
	embed := w.sm.AddModelPackage(fakeaws.ModelPackage{Group: "item-embeddings", ApprovalStatus: "PendingManualApproval"})
	steps = append(steps,
		fakeaws.Step{Name: "ranker-Register-QualityGate", Status: "Succeeded", JobKind: "Condition", Outcome: "True", Seconds: 1},
		fakeaws.Step{Name: "ranker-Register-RegisterModel", Status: "Succeeded", JobKind: "RegisterModel", JobArn: ranker.Arn, Seconds: 3},
		fakeaws.Step{Name: "embed-Register-RegisterModel", Status: "Succeeded", JobKind: "RegisterModel", JobArn: embed.Arn, Seconds: 3})
	w.sm.SetScript("search-ranking", fakeaws.Script{Statuses: []string{"Succeeded"}, Steps: steps, Seconds: 4500})
	e := w.read(t, w.startExecution(t))
	goldenfile.Check(t, "two-models.md", []byte(ghreport.ExecutionMarkdown(e, ghreport.ResultOptions{})))

	if len(e.Models) != 2 || e.Models[0].Step != "ranker-Register-RegisterModel" || e.Models[1].Step != "embed-Register-RegisterModel" {
		t.Fatalf("models = %+v", e.Models)
	}
	if g := e.Models[0].Gate; g == nil || g.Operator != ">=" || g.Verdict != results.Passed || e.Models[1].Gate != nil {
		t.Errorf("gates = %+v, %+v", e.Models[0].Gate, e.Models[1].Gate)
	}
	if p := e.Models[1].Registered; p == nil || p.Group != "item-embeddings" || p.Version != 2 {
		t.Errorf("the second model's registration = %+v", p)
	}
	if got := e.Summary(); got != "Succeeded in 1h 15m 0s; quality gate passed" {
		t.Errorf("summary = %q", got)
	}
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
		{"over 1 MiB", `{"pad": "` + strings.Repeat("x", results.MaxReport) + `"}`, "Succeeded", "the report is 1048587 bytes, over the 1048576 read; not read"},
		{"not an object", `[{"mse": 0.4}]`, "Succeeded", "not a JSON object; write the metrics as"},
		{"no number", `{"metrics": ["mse", 0.4], "model": "v2"}`, "Succeeded", "no numeric value in it; write the metrics as"},
		{"stopped by hand", regression("0.41", "0.66"), "Stopped", "the execution was stopped by hand before it finished"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			w.production(t, group, regression("0.45", "0.61"))
			e := w.read(t, w.start(t, run{status: tc.status, gate: "True", registered: true, metrics: tc.metrics}))
			md := ghreport.ExecutionMarkdown(e, ghreport.ResultOptions{})
			if !strings.Contains(md, tc.want) {
				t.Errorf("the report does not say %q:\n%s", tc.want, md)
			}
			if e.Over() != true || len(e.Models) != 1 {
				t.Errorf("over %v, models %+v", e.Over(), e.Models)
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
	e := w.read(t, arn)
	if e.Status != results.Gone || !e.Over() || results.FinalState(e) != results.Error ||
		!strings.Contains(ghreport.ExecutionMarkdown(e, ghreport.ResultOptions{}), "its pipeline was deleted since") {
		t.Errorf("read of a deleted pipeline's execution = %+v", e)
	}
}

// The values of a report: only "value" members where an object has one,
// every number elsewhere; at most MaxValues, the gate's first.
func TestRead_values(t *testing.T) {
	w := newWorld(t)
	var b strings.Builder
	b.WriteString(`{"regression_metrics": {"mse": {"value": 0.4, "standard_deviation": 0.01}}, "extra": {`)
	for i := range results.MaxValues + 5 {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(`"a` + strconv.Itoa(100+i) + `": ` + strconv.Itoa(i))
	}
	b.WriteString(`}}`)
	e := w.read(t, w.start(t, run{status: "Succeeded", gate: "True", registered: true, metrics: b.String()}))
	m := e.Models[0]
	if n := len(m.Metrics.Values); n != results.MaxValues {
		t.Fatalf("%d values kept, want %d", n, results.MaxValues)
	}
	if v := m.Metrics.Values[0]; v.Path != "regression_metrics.mse.value" || v.New != 0.4 {
		t.Errorf("first value = %+v, want the gate's metric", v)
	}
	for _, v := range m.Metrics.Values {
		if strings.Contains(v.Path, "standard_deviation") {
			t.Errorf("%s kept beside a value member", v.Path)
		}
	}
	if !strings.Contains(strings.Join(m.Notes, "\n"), "the report has 56 values; the first 50 are shown") {
		t.Errorf("notes = %q", m.Notes)
	}
}

// Production is the latest approved package of the group that this
// execution did not register, even when its own is approved on
// registration.
func TestRead_productionIsNotThisRun(t *testing.T) {
	w := newWorld(t)
	w.production(t, group, regression("0.5", "0.6"))
	older := w.production(t, group, regression("0.45", "0.61"))
	e := w.read(t, w.start(t, run{status: "Succeeded", gate: "True", registered: true, approved: true, metrics: regression("0.41", "0.66")}))
	m := e.Models[0]
	if m.Registered == nil || m.Registered.ApprovalStatus != "Approved" {
		t.Fatalf("registered = %+v", m.Registered)
	}
	if p := m.Metrics.Production; p == nil || p.ARN != older.Arn {
		t.Errorf("production = %+v, want %s", p, older.Arn)
	}
	if v := m.Metrics.Values[0]; v.Old == nil || *v.Old != 0.45 || v.Better() == nil || !*v.Better() {
		t.Errorf("gate value = %+v", v)
	}
}

// Compute: billable seconds times instances, per group of a heterogeneous
// cluster; cache hits count nothing.
func TestRead_usage(t *testing.T) {
	w := newWorld(t)
	train := w.sm.AddTrainingJob(fakeaws.TrainingJob{Name: "pipelines-h-wine-Train", BillableSeconds: 1800,
		InstanceGroups: []fakeaws.InstanceGroup{{Name: "gpu", InstanceType: "ml.p4d.24xlarge", InstanceCount: 2}, {Name: "cpu", InstanceType: "ml.c5.xlarge", InstanceCount: 4}}})
	prep := w.sm.AddProcessingJob(fakeaws.ProcessingJob{Name: "pipelines-h-wine-Prepare", InstanceType: "ml.c5.xlarge", InstanceCount: 3, Seconds: 1200})
	cached := w.sm.AddTrainingJob(fakeaws.TrainingJob{Name: "pipelines-old-wine-Train", InstanceType: "ml.p4d.24xlarge", InstanceCount: 8, BillableSeconds: 99999})
	w.sm.SetScript(pipeline, fakeaws.Script{Statuses: []string{"Succeeded"}, Seconds: 2000, Steps: []fakeaws.Step{
		{Name: "wine-Prepare", Status: "Succeeded", JobKind: "ProcessingJob", JobArn: prep, Seconds: 1300},
		{Name: "wine-Train", Status: "Succeeded", JobKind: "TrainingJob", JobArn: train, Seconds: 1900},
		{Name: "wine-Model-RepackModel-0", Status: "Succeeded", JobKind: "TrainingJob", JobArn: cached, CacheHitSource: "arn:aws:sagemaker:us-east-1:123456789012:pipeline/wine-quality-gated/execution/older"},
	}})
	e := w.read(t, w.startExecution(t))
	want := []results.Usage{
		{InstanceType: "ml.c5.xlarge", Jobs: 2, InstanceSeconds: 3*1200 + 4*1800},
		{InstanceType: "ml.p4d.24xlarge", Jobs: 1, InstanceSeconds: 2 * 1800},
	}
	if len(e.Usage) != len(want) || e.Usage[0] != want[0] || e.Usage[1] != want[1] {
		t.Errorf("usage = %+v, want %+v", e.Usage, want)
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
	def := filepath.Join(t.TempDir(), "preview.json")
	if err := os.WriteFile(def, res.Plans[0].Definition, 0o644); err != nil {
		t.Fatal(err)
	}
	name := res.Plans[0].Name
	w := newWorldOf(t, name, def)
	w.production(t, group, regression("0.45", "0.61"))
	w.production(t, group+"-preview", regression("0.99", "0.1"))

	out := "s3://" + bucket + "/smpipe-preview/" + name + "/abc/wine-Evaluate/output/model_evaluation_metrics"
	w.s3.Plant(t, bucket, strings.TrimPrefix(out, "s3://"+bucket+"/")+"/model_evaluation_metrics.json", []byte(regression("0.41", "0.66")), "")
	eval := w.sm.AddProcessingJob(fakeaws.ProcessingJob{Name: "pipelines-abc-wine-Evaluate", InstanceType: "ml.m5.large", InstanceCount: 1, Seconds: 300,
		Outputs: map[string]string{"model_evaluation_metrics": out}})
	p := w.sm.AddModelPackage(fakeaws.ModelPackage{Group: group + "-preview", ApprovalStatus: "PendingManualApproval", MetricsURI: out + "/model_evaluation_metrics.json"})
	w.sm.SetScript(name, fakeaws.Script{Statuses: []string{"Succeeded"}, Seconds: 600, Steps: []fakeaws.Step{
		{Name: "wine-Evaluate", Status: "Succeeded", JobKind: "ProcessingJob", JobArn: eval, Seconds: 320},
		{Name: "wine-Register-QualityGate", Status: "Succeeded", JobKind: "Condition", Outcome: "True", Seconds: 2},
		{Name: "wine-Register-RegisterModel", Status: "Succeeded", JobKind: "RegisterModel", JobArn: p.Arn, Seconds: 5},
	}})
	e := w.read(t, w.startExecution(t))
	if len(e.Models) != 1 {
		t.Fatalf("models = %+v, want one", e.Models)
	}
	m := e.Models[0]
	if m.Registered == nil || m.Registered.Group != group+"-preview" || m.Group != group+"-preview" || m.ComparedWith != group {
		t.Errorf("model = %+v (registered %+v), want one of %s-preview compared with %s", m, m.Registered, group, group)
	}
	if m.Metrics == nil || m.Metrics.Production == nil || m.Metrics.Production.Group != group || len(m.Metrics.Values) == 0 ||
		m.Metrics.Values[0].Old == nil || *m.Metrics.Values[0].Old != 0.45 {
		t.Errorf("metrics = %+v, want them beside production's (0.45 in %s)", m.Metrics, group)
	}
}

// JSON readers get durations in seconds, as durationSeconds says, not
// Go's nanoseconds.
func TestExecution_jsonDurationsInSeconds(t *testing.T) {
	e := results.Execution{Pipeline: "p", Status: "Succeeded", Duration: 90*time.Second + 500*time.Millisecond,
		Steps: []results.Step{{Name: "s", Status: "Succeeded", Duration: 1500 * time.Millisecond}}}
	b, err := json.Marshal(&e)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Pipeline        string
		DurationSeconds float64
		Steps           []struct {
			Name            string
			DurationSeconds float64
		}
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if got.Pipeline != "p" || got.DurationSeconds != 90.5 || len(got.Steps) != 1 || got.Steps[0].Name != "s" || got.Steps[0].DurationSeconds != 1.5 {
		t.Errorf("JSON = %s", b)
	}
}
