package fakeaws_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/smpipe/smpipe-action/internal/fakeaws"
)

func config() aws.Config {
	return aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDFAKE", "secret", ""),
		RetryMaxAttempts: 1,
	}
}

func client(url string) *sagemaker.Client {
	return sagemaker.NewFromConfig(config(), func(o *sagemaker.Options) { o.BaseEndpoint = aws.String(url) })
}

// TestSageMaker_errorShapes checks that the real client turns the fake's
// errors into the types real code matches on.
func TestSageMaker_errorShapes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		opts  []fakeaws.SageMakerOption
		fault *fakeaws.Fault
		check func(error) bool
	}{
		{"ResourceNotFound", nil, nil, func(err error) bool {
			var rnf *smtypes.ResourceNotFound
			return errors.As(err, &rnf)
		}},
		{"moto not found", []fakeaws.SageMakerOption{fakeaws.WithMotoNotFound()}, nil, func(err error) bool {
			var ae smithy.APIError
			return errors.As(err, &ae) && ae.ErrorCode() == "ValidationException" && ae.ErrorMessage() == "Could not find pipeline with PipelineName p."
		}},
		{"ConflictException", nil, ptr(fakeaws.Conflict()), func(err error) bool {
			var ce *smtypes.ConflictException
			return errors.As(err, &ce)
		}},
		{"ResourceLimitExceeded", nil, ptr(fakeaws.ResourceLimitExceeded()), func(err error) bool {
			var rle *smtypes.ResourceLimitExceeded
			return errors.As(err, &rle)
		}},
		{"ThrottlingException", nil, ptr(fakeaws.Throttling()), func(err error) bool {
			var ae smithy.APIError
			return errors.As(err, &ae) && ae.ErrorCode() == "ThrottlingException"
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := fakeaws.NewSageMaker(t, tc.opts...)
			if tc.fault != nil {
				f.FailNext("DescribePipeline", 1, *tc.fault)
			}
			_, err := client(f.URL).DescribePipeline(ctx, &sagemaker.DescribePipelineInput{PipelineName: aws.String("p")})
			if err == nil || !tc.check(err) {
				t.Errorf("error %v (%T) is not the expected shape", err, err)
			}
			if f.Calls("DescribePipeline") != 1 {
				t.Errorf("calls = %d, want 1", f.Calls("DescribePipeline"))
			}
		})
	}
}

func TestSageMaker_stateAndPagination(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := fakeaws.NewSageMaker(t)
	c := client(f.URL)
	f.SetScript("p", fakeaws.Script{Statuses: []string{"Executing", "Failed"}, FailureReason: "boom",
		Steps: []fakeaws.Step{{Name: "a", Status: "Succeeded"}, {Name: "b", Status: "Succeeded"}, {Name: "c", Status: "Failed"}}})
	token := "0123456789abcdef0123456789abcdef"
	if _, err := c.CreatePipeline(ctx, &sagemaker.CreatePipelineInput{PipelineName: aws.String("p"), RoleArn: aws.String("r"),
		PipelineDefinition: aws.String("{}"), ClientRequestToken: aws.String(token)}); err != nil {
		t.Fatal(err)
	}
	// The same token is the same request, answered again; another token
	// is another create of an existing name.
	if _, err := c.CreatePipeline(ctx, &sagemaker.CreatePipelineInput{PipelineName: aws.String("p"), RoleArn: aws.String("r"),
		PipelineDefinition: aws.String("{}"), ClientRequestToken: aws.String(token)}); err != nil {
		t.Errorf("the same create again: %v", err)
	}
	_, err := c.CreatePipeline(ctx, &sagemaker.CreatePipelineInput{PipelineName: aws.String("p"), RoleArn: aws.String("r"),
		PipelineDefinition: aws.String("{}"), ClientRequestToken: aws.String(strings.Repeat("b", 32))})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "ValidationException" {
		t.Errorf("duplicate create: %v", err)
	}
	up, err := c.UpdatePipeline(ctx, &sagemaker.UpdatePipelineInput{PipelineName: aws.String("p"), PipelineDefinition: aws.String(`{"a":1}`)})
	if err != nil || aws.ToInt64(up.PipelineVersionId) != 2 {
		t.Fatalf("update: %v %v", up, err)
	}
	var arns []string
	for _, tok := range []string{token, token, strings.Repeat("b", 32)} {
		out, err := c.StartPipelineExecution(ctx, &sagemaker.StartPipelineExecutionInput{PipelineName: aws.String("p"), ClientRequestToken: aws.String(tok)})
		if err != nil {
			t.Fatal(err)
		}
		arns = append(arns, aws.ToString(out.PipelineExecutionArn))
	}
	if arns[0] != arns[1] || arns[1] == arns[2] {
		t.Errorf("executions %v: want the repeated token to answer the first execution and a new token a new one", arns)
	}
	arns = slices.Delete(arns, 1, 2)
	list, err := c.ListPipelineExecutions(ctx, &sagemaker.ListPipelineExecutionsInput{PipelineName: aws.String("p")})
	if err != nil || len(list.PipelineExecutionSummaries) != 2 || aws.ToString(list.PipelineExecutionSummaries[0].PipelineExecutionArn) != arns[1] {
		t.Errorf("list not newest first: %+v %v", list, err)
	}
	var statuses []string
	for range 3 {
		d, err := c.DescribePipelineExecution(ctx, &sagemaker.DescribePipelineExecutionInput{PipelineExecutionArn: aws.String(arns[0])})
		if err != nil {
			t.Fatal(err)
		}
		statuses = append(statuses, string(d.PipelineExecutionStatus))
	}
	if statuses[0] != "Executing" || statuses[1] != "Failed" || statuses[2] != "Failed" {
		t.Errorf("statuses = %v", statuses)
	}
	p := sagemaker.NewListPipelineExecutionStepsPaginator(c, &sagemaker.ListPipelineExecutionStepsInput{PipelineExecutionArn: aws.String(arns[0])})
	var names []string
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range page.PipelineExecutionSteps {
			names = append(names, aws.ToString(s.StepName))
		}
	}
	if len(names) != 3 || f.Calls("ListPipelineExecutionSteps") != 2 {
		t.Errorf("steps %v over %d pages", names, f.Calls("ListPipelineExecutionSteps"))
	}
}

func TestSTS_assumeRoleWithWebIdentity(t *testing.T) {
	t.Parallel()
	f := fakeaws.NewSTS(t)
	c := sts.NewFromConfig(config(), func(o *sts.Options) { o.BaseEndpoint = aws.String(f.URL) })
	in := &sts.AssumeRoleWithWebIdentityInput{RoleArn: aws.String("arn:aws:iam::1:role/r"), RoleSessionName: aws.String("s"), WebIdentityToken: aws.String("jwt")}
	out, err := c.AssumeRoleWithWebIdentity(context.Background(), in)
	if err != nil || aws.ToString(out.Credentials.AccessKeyId) != f.Creds.AccessKeyID ||
		aws.ToString(out.AssumedRoleUser.Arn) != "arn:aws:sts::123456789012:assumed-role/r/s" {
		t.Fatalf("out %+v err %v", out, err)
	}
	f.Deny(true)
	_, err = c.AssumeRoleWithWebIdentity(context.Background(), in)
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "AccessDenied" {
		t.Errorf("denied: %v", err)
	}
	if got := f.Tokens(); len(got) != 2 || got[0] != "jwt" {
		t.Errorf("tokens = %v", got)
	}
}

func ptr[T any](v T) *T { return &v }

func TestSageMaker_tagsAndConsoleEdit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := fakeaws.NewSageMaker(t, fakeaws.WithTagsPageSize(2))
	c := client(f.URL)
	out, err := c.CreatePipeline(ctx, &sagemaker.CreatePipelineInput{PipelineName: aws.String("p"), RoleArn: aws.String("r"),
		PipelineDefinition: aws.String("{}"), ClientRequestToken: aws.String(strings.Repeat("a", 32)),
		Tags: []smtypes.Tag{{Key: aws.String("c"), Value: aws.String("3")}, {Key: aws.String("a"), Value: aws.String("1")}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.AddTags(ctx, &sagemaker.AddTagsInput{ResourceArn: out.PipelineArn,
		Tags: []smtypes.Tag{{Key: aws.String("b"), Value: aws.String("2")}, {Key: aws.String("c"), Value: aws.String("4")}}}); err != nil {
		t.Fatal(err)
	}
	f.EditDefinition("p", `{"edited":true}`)

	var got []string
	p := sagemaker.NewListTagsPaginator(c, &sagemaker.ListTagsInput{ResourceArn: out.PipelineArn})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, tag := range page.Tags {
			got = append(got, aws.ToString(tag.Key)+"="+aws.ToString(tag.Value))
		}
	}
	if want := []string{"a=1", "b=2", "c=4"}; !slices.Equal(got, want) || f.Calls("ListTags") != 2 {
		t.Errorf("tags %v over %d pages, want %v over 2", got, f.Calls("ListTags"), want)
	}
	d, err := c.DescribePipeline(ctx, &sagemaker.DescribePipelineInput{PipelineName: aws.String("p")})
	if err != nil || aws.ToString(d.PipelineDefinition) != `{"edited":true}` {
		t.Errorf("definition after the console edit = %q, %v", aws.ToString(d.PipelineDefinition), err)
	}
	if st, _ := f.Pipeline("p"); st.VersionID != 2 || st.Tags["c"] != "4" {
		t.Errorf("after the console edit: version %d, tags %v; want version 2 and the tags kept", st.VersionID, st.Tags)
	}
}
