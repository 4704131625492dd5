package deploy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/aws/smithy-go"
)

// Tag keys smpipe writes on every pipeline it creates or updates.
const (
	TagRepository     = "smpipe:repository"
	TagCommit         = "smpipe:commit"
	TagDefinitionHash = "smpipe:definition-hash"
	TagVersion        = "smpipe:version"
)

// conflictAttempts bounds retries of calls answered ConflictException
// (another update of the same pipeline in flight).
const conflictAttempts = 5

type upserted struct {
	status    Status
	arn       string
	versionID *int64 // from UpdatePipeline, to pin the start to it
}

// upsert makes the deployed pipeline equal to the target: DescribePipeline,
// then CreatePipeline when missing, UpdatePipeline (plus AddTags, which
// Update cannot set) when the definition or role differ, and nothing when
// they are equal, so no needless pipeline version is made. A create that
// loses a race with another writer falls through to the update.
func (d *Deployer) upsert(ctx context.Context, lg *logger, t Target, st staged, opts Options) (upserted, error) {
	desc, err := d.SageMaker.DescribePipeline(ctx, &sagemaker.DescribePipelineInput{PipelineName: aws.String(t.Pipeline)})
	switch {
	case err == nil:
		if sameDefinition(aws.ToString(desc.PipelineDefinition), t.Definition) && aws.ToString(desc.RoleArn) == t.RoleArn {
			lg.printf("unchanged: the deployed definition is %s", t.Hash)
			return upserted{status: StatusUnchanged, arn: aws.ToString(desc.PipelineArn)}, nil
		}
	case isNotFound(err):
		in := &sagemaker.CreatePipelineInput{
			PipelineName:        aws.String(t.Pipeline),
			RoleArn:             aws.String(t.RoleArn),
			ClientRequestToken:  aws.String(ClientRequestToken(t.Pipeline, opts.CommitSHA, t.Hash)),
			PipelineDescription: description(t),
			Tags:                tags(t, opts),
		}
		setDefinition(&in.PipelineDefinition, &in.PipelineDefinitionS3Location, t, st)
		out, cerr := d.SageMaker.CreatePipeline(ctx, in)
		if cerr == nil {
			lg.printf("created %s", aws.ToString(out.PipelineArn))
			return upserted{status: StatusCreated, arn: aws.ToString(out.PipelineArn)}, nil
		}
		if !isAlreadyExists(cerr) {
			return upserted{}, fmt.Errorf("creating pipeline: %w", cerr)
		}
		lg.printf("created meanwhile by another run; updating it instead")
	default:
		return upserted{}, fmt.Errorf("describing pipeline: %w", err)
	}

	in := &sagemaker.UpdatePipelineInput{
		PipelineName:        aws.String(t.Pipeline),
		RoleArn:             aws.String(t.RoleArn),
		PipelineDescription: description(t),
	}
	setDefinition(&in.PipelineDefinition, &in.PipelineDefinitionS3Location, t, st)
	var out *sagemaker.UpdatePipelineOutput
	err = d.retryConflict(ctx, lg, "UpdatePipeline", func() error {
		var uerr error
		out, uerr = d.SageMaker.UpdatePipeline(ctx, in)
		return uerr
	})
	if err != nil {
		return upserted{}, fmt.Errorf("updating pipeline: %w", err)
	}
	arn := aws.ToString(out.PipelineArn)
	lg.printf("updated %s to %s", arn, t.Hash)
	if _, err := d.SageMaker.AddTags(ctx, &sagemaker.AddTagsInput{ResourceArn: aws.String(arn), Tags: tags(t, opts)}); err != nil {
		// The definition is deployed; stale tags only mislead a reader.
		lg.printf("warning: updating the smpipe tags failed: %v", err)
	}
	return upserted{status: StatusUpdated, arn: arn, versionID: out.PipelineVersionId}, nil
}

// retryConflict runs call again while it fails with ConflictException,
// sleeping with exponential backoff through the Deployer's Sleep.
func (d *Deployer) retryConflict(ctx context.Context, lg *logger, op string, call func() error) error {
	var err error
	for attempt := range conflictAttempts {
		if attempt > 0 {
			wait := backoff(attempt-1, 2*time.Second, 30*time.Second)
			lg.printf("%s: another change is in progress; retrying in %s", op, wait)
			if serr := d.sleep(ctx, wait); serr != nil {
				return serr
			}
		}
		if err = call(); err == nil || !isConflict(err) {
			return err
		}
	}
	return err
}

func setDefinition(inline **string, s3 **smtypes.PipelineDefinitionS3Location, t Target, st staged) {
	if st.definitionS3 != nil {
		*s3 = st.definitionS3
		return
	}
	*inline = aws.String(string(t.Definition))
}

func description(t Target) *string {
	if t.Description == "" {
		return nil
	}
	return aws.String(truncateRunes(t.Description, 3072))
}

func tags(t Target, opts Options) []smtypes.Tag {
	kv := [][2]string{
		{TagRepository, opts.Repository},
		{TagCommit, opts.CommitSHA},
		{TagDefinitionHash, t.Hash},
		{TagVersion, opts.Version},
	}
	var out []smtypes.Tag
	for _, p := range kv {
		if v := tagValue(p[1]); v != "" {
			out = append(out, smtypes.Tag{Key: aws.String(p[0]), Value: aws.String(v)})
		}
	}
	return out
}

// tagValue keeps what SageMaker accepts in a tag value
// ([\p{L}\p{Z}\p{N}_.:/=+\-@]*, at most 256 characters).
func tagValue(s string) string {
	var b strings.Builder
	n := 0
	for _, r := range s {
		if n == 256 {
			break
		}
		if isTagRune(r) {
			b.WriteRune(r)
			n++
		}
	}
	return b.String()
}

// sameDefinition compares two definitions as JSON values, so key order and
// whitespace (which the service may not keep) do not count as a change.
func sameDefinition(deployed string, want []byte) bool {
	a, err := decodeJSON([]byte(deployed))
	if err != nil {
		return false
	}
	b, err := decodeJSON(want)
	if err != nil {
		return false
	}
	return reflect.DeepEqual(a, b)
}

func decodeJSON(b []byte) (any, error) {
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("trailing data after the JSON value")
	}
	return v, nil
}

// isNotFound recognises a missing pipeline: ResourceNotFound from the
// service, ValidationException "Could not find …" from moto.
func isNotFound(err error) bool {
	var rnf *smtypes.ResourceNotFound
	if errors.As(err, &rnf) {
		return true
	}
	var ae smithy.APIError
	return errors.As(err, &ae) && (ae.ErrorCode() == "ResourceNotFound" ||
		ae.ErrorCode() == "ValidationException" && strings.Contains(ae.ErrorMessage(), "Could not find"))
}

// isAlreadyExists recognises a create that lost to another writer.
func isAlreadyExists(err error) bool {
	var riu *smtypes.ResourceInUse
	if errors.As(err, &riu) {
		return true
	}
	var ae smithy.APIError
	return errors.As(err, &ae) && (ae.ErrorCode() == "ValidationException" || ae.ErrorCode() == "ConflictException") &&
		strings.Contains(ae.ErrorMessage(), "already exists")
}

func isConflict(err error) bool {
	var ce *smtypes.ConflictException
	if errors.As(err, &ce) {
		return true
	}
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == "ConflictException"
}
