package preview

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"

	"github.com/smpipe/smpipe-action/deploy"
	"github.com/smpipe/smpipe-action/internal/fakeaws"
)

const repo = "acme/ml-pipelines"

func TestNamedSuffix(t *testing.T) {
	for _, tc := range []struct {
		name, want, err string
	}{
		{"alice-exp", "alice-exp", ""},
		{"Exp2", "Exp2", ""},
		{"pr12", "", "use --pr 12"},
		{"PR7", "", "use --pr 7"},
		{"-x", "", "letters, digits and single hyphens"},
		{"a_b", "", "letters, digits and single hyphens"},
		{"", "", "letters, digits and single hyphens"},
		{strings.Repeat("a", 41), "", "1 to 40"},
	} {
		got, err := NamedSuffix(tc.name)
		if got != tc.want || (err == nil) != (tc.err == "") || err != nil && !strings.Contains(err.Error(), tc.err) {
			t.Errorf("NamedSuffix(%q) = %q, %v; want %q, an error saying %q", tc.name, got, err, tc.want, tc.err)
		}
	}
	if Suffix(12) != "pr12" {
		t.Errorf("Suffix(12) = %q", Suffix(12))
	}
}

func TestCheckPrefix(t *testing.T) {
	for p, ok := range map[string]bool{
		"smpipe-preview": true, "team/ml/previews": true, "a.b_c-d": true,
		"": false, "/x": false, "x/": false, "a//b": false, "../x": false, "a/../b": false, ".hidden": false,
		"a b": false, "a*": false, strings.Repeat("a", 201): false,
	} {
		if err := CheckPrefix(p); (err == nil) != ok {
			t.Errorf("CheckPrefix(%q) = %v, want ok %v", p, err, ok)
		}
	}
}

type world struct {
	sm  *fakeaws.SageMaker
	smc *sagemaker.Client
}

func newWorld(t *testing.T) *world {
	t.Helper()
	sm := fakeaws.NewSageMaker(t, fakeaws.WithStoppingFor(2))
	smc, _ := deploy.NewClients(aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIATEST", "secret", "")},
		func(k string) string { return map[string]string{"AWS_ENDPOINT_URL_SAGEMAKER": sm.URL}[k] })
	return &world{sm: sm, smc: smc}
}

func (w *world) seed(name string, tags map[string]string) {
	w.sm.Seed(fakeaws.Pipeline{Name: name, Definition: `{"Version":"2020-12-01","Steps":[]}`, RoleArn: "arn:aws:iam::123456789012:role/r", Tags: tags})
}

func ours(pr int) map[string]string {
	return map[string]string{deploy.TagRepository: repo, deploy.TagPreview: Suffix(pr), TagPullRequest: fmt.Sprint(pr)}
}

// Of all the pipelines of an account, more than a page of them, only this
// repository's previews of the pull request asked about are found: not a
// production pipeline named like a preview, not another repository's
// preview, not one made by hand, not another pull request's.
func TestList(t *testing.T) {
	w := newWorld(t)
	for i := range 120 {
		w.seed(fmt.Sprintf("filler-%03d", i), nil)
	}
	w.seed("churn-pr12", ours(12))
	w.seed("Forecast-PR12", ours(12))
	w.seed("churn-pr13", ours(13))
	w.seed("churn", map[string]string{deploy.TagRepository: repo})
	w.seed("release-pr12", map[string]string{deploy.TagRepository: repo}) // production, named like a preview
	w.seed("theirs-pr12", map[string]string{deploy.TagRepository: "acme/other", deploy.TagPreview: "pr12", TagPullRequest: "12"})
	w.seed("handmade-pr12", nil)
	w.seed("mislabelled-pr12", map[string]string{deploy.TagRepository: repo, deploy.TagPreview: "pr12", TagPullRequest: "13"})
	w.seed("churn-alice", map[string]string{deploy.TagRepository: repo, deploy.TagPreview: "alice"})

	got, err := List(context.Background(), w.smc, repo, ForPullRequest(12))
	if err != nil {
		t.Fatal(err)
	}
	var of12 []string
	for _, p := range got {
		if p.Of(12) {
			of12 = append(of12, p.Name)
		}
	}
	if want := []string{"Forecast-PR12", "churn-pr12"}; !slices.Equal(of12, want) {
		t.Errorf("previews of #12 = %q, want %q (listed %+v)", of12, want, got)
	}
	if n := w.sm.Calls("ListTags"); n > 8 {
		t.Errorf("%d ListTags calls: only names that can be #12's previews are read", n)
	}

	all, err := List(context.Background(), w.smc, repo, AnyPullRequest)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range all {
		if p.Of(p.PR) {
			names = append(names, p.Name)
		}
	}
	if want := []string{"Forecast-PR12", "churn-pr12", "churn-pr13"}; !slices.Equal(names, want) {
		t.Errorf("pull request previews = %q, want %q", names, want)
	}
	named, err := List(context.Background(), w.smc, repo, ForName("alice"))
	if err != nil || len(named) != 1 || !named[0].Named("alice") || named[0].PR != 0 {
		t.Errorf("preview alice = %+v, %v", named, err)
	}
}

// Deleting a preview stops its running execution, waits for it to stop,
// then deletes the pipeline; one already gone is no error.
func TestDeleter_Delete(t *testing.T) {
	w := newWorld(t)
	w.seed("churn-pr12", ours(12))
	start, err := w.smc.StartPipelineExecution(context.Background(), &sagemaker.StartPipelineExecutionInput{PipelineName: aws.String("churn-pr12"),
		ClientRequestToken: aws.String(strings.Repeat("t", 32))})
	if err != nil {
		t.Fatal(err)
	}
	var slept []time.Duration
	var log strings.Builder
	d := &Deleter{SageMaker: w.smc, Log: &log, Sleep: func(_ context.Context, d time.Duration) error { slept = append(slept, d); return nil }}
	p := Pipeline{Name: "churn-pr12", ARN: "arn:aws:sagemaker:us-east-1:123456789012:pipeline/churn-pr12", Preview: "pr12", PR: 12}
	got := d.Delete(context.Background(), p)
	if got.Err != nil || !slices.Equal(got.Stopped, []string{aws.ToString(start.PipelineExecutionArn)}) {
		t.Fatalf("delete = %+v\n%s", got, log.String())
	}
	if _, ok := w.sm.Pipeline("churn-pr12"); ok {
		t.Error("the preview is still there")
	}
	if want := []time.Duration{2 * time.Second, 4 * time.Second}; !slices.Equal(slept, want) {
		t.Errorf("slept %v, want %v: two looks at the stopping execution", slept, want)
	}
	if again := d.Delete(context.Background(), p); again.Err != nil {
		t.Errorf("deleting a deleted preview: %v", again.Err)
	}
}

// A delete SageMaker refuses is an error for that preview, which stays.
func TestDeleter_refused(t *testing.T) {
	w := newWorld(t)
	w.seed("churn-pr12", ours(12))
	w.sm.FailNext("DeletePipeline", 4, fakeaws.Fault{Status: 400, Code: "AccessDeniedException", Message: "not allowed"})
	got := (&Deleter{SageMaker: w.smc}).Delete(context.Background(), Pipeline{Name: "churn-pr12", Preview: "pr12", PR: 12})
	if got.Err == nil || !strings.Contains(got.Err.Error(), "not allowed") {
		t.Errorf("delete = %+v, want the refusal", got)
	}
	if _, ok := w.sm.Pipeline("churn-pr12"); !ok {
		t.Error("the preview is gone")
	}
}
