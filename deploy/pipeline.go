package deploy

import (
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

type upserted struct {
	status    Status
	arn       string
	versionID *int64 // from UpdatePipeline, to pin the start to it
	// definitionCommit is the commit that made the live definition live
	// after the upsert: this commit when created or updated.
	definitionCommit string
}

// errCreatedMeanwhile says CreatePipeline lost to another writer; the
// caller compares with what that writer made.
var errCreatedMeanwhile = errors.New("pipeline created meanwhile by another run")

// upsert makes the live pipeline equal to the target: CreatePipeline when
// missing, UpdatePipeline (plus AddTags, which Update cannot set) when the
// definition or role differ, and no new pipeline version when they are
// equal. An error with a live status (the update went through, the tags
// did not) leaves the target live.
//
// The create's request token is the start's: with a StartKey (a preview,
// deleted and made again at the same commit) each key creates anew, since
// SageMaker answers a token it has seen as it did the first time, even
// for a pipeline deleted since.
func (d *Deployer) upsert(ctx context.Context, lg *logger, t Target, l live, st staged, opts Options) (upserted, error) {
	if !l.exists {
		in := &sagemaker.CreatePipelineInput{
			PipelineName:        aws.String(t.Pipeline),
			RoleArn:             aws.String(t.RoleArn),
			ClientRequestToken:  aws.String(StartToken(t.Pipeline, opts.CommitSHA, t.Hash, opts.StartKey)),
			PipelineDescription: description(t),
			Tags:                tags(t, opts, opts.CommitSHA),
		}
		setDefinition(&in.PipelineDefinition, &in.PipelineDefinitionS3Location, t, st)
		out, err := d.SageMaker.CreatePipeline(ctx, in)
		switch {
		case isAlreadyExists(err):
			return upserted{}, errCreatedMeanwhile
		case err != nil:
			return upserted{}, fmt.Errorf("creating pipeline: %w", err)
		}
		lg.printf("created %s", aws.ToString(out.PipelineArn))
		return upserted{status: StatusCreated, arn: aws.ToString(out.PipelineArn), definitionCommit: opts.CommitSHA}, nil
	}

	if sameDefinition(l.definition, t.Definition) && l.role == t.RoleArn {
		lg.printf("unchanged: the live definition is %s", t.Hash)
		up := upserted{status: StatusUnchanged, arn: l.arn, definitionCommit: l.definitionCommit()}
		if h := l.tags[TagDefinitionHash]; h != "" && h != t.Hash {
			// The record is of another definition: a run that made this
			// one live had its tags refused. Nothing says another commit
			// made it live, so this one did, and starts it if nothing was.
			up.definitionCommit = alnum(opts.CommitSHA, 40)
		}
		want := tags(t, opts, up.definitionCommit)
		if tagsCurrent(l.tags, want) {
			return up, nil
		}
		// The record moves forward with the commit even when the definition
		// did not change, so that an older job re-run later is refused.
		if err := d.addTags(ctx, l.arn, want); err != nil {
			return up, err
		}
		return up, nil
	}

	in := &sagemaker.UpdatePipelineInput{
		PipelineName:        aws.String(t.Pipeline),
		RoleArn:             aws.String(t.RoleArn),
		PipelineDescription: description(t),
	}
	setDefinition(&in.PipelineDefinition, &in.PipelineDefinitionS3Location, t, st)
	out, err := d.SageMaker.UpdatePipeline(ctx, in)
	if err != nil {
		return upserted{}, fmt.Errorf("updating pipeline: %w", err)
	}
	up := upserted{status: StatusUpdated, arn: aws.ToString(out.PipelineArn), versionID: out.PipelineVersionId, definitionCommit: opts.CommitSHA}
	lg.printf("updated %s to %s", up.arn, t.Hash)
	return up, d.addTags(ctx, up.arn, tags(t, opts, opts.CommitSHA))
}

func (d *Deployer) addTags(ctx context.Context, arn string, tags []smtypes.Tag) error {
	if _, err := d.SageMaker.AddTags(ctx, &sagemaker.AddTagsInput{ResourceArn: aws.String(arn), Tags: tags}); err != nil {
		// The definition is live, but the record of it is stale: the next
		// deploy would see drift and an older commit.
		return fmt.Errorf("recording the smpipe tags (%s, %s) on the pipeline failed, so the next deploy will see stale ones: %w",
			TagCommit, TagDefinitionHash, err)
	}
	return nil
}

// tagsCurrent reports whether every wanted tag is already set.
func tagsCurrent(have map[string]string, want []smtypes.Tag) bool {
	for _, t := range want {
		if have[aws.ToString(t.Key)] != aws.ToString(t.Value) {
			return false
		}
	}
	return true
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

// tags is smpipe's record for a pipeline whose live definition is the
// target's, deployed now from opts.CommitSHA and made live by
// definitionCommit.
func tags(t Target, opts Options, definitionCommit string) []smtypes.Tag {
	kv := [][2]string{
		{TagRepository, opts.Repository},
		{TagCommit, opts.CommitSHA},
		{TagDefinitionCommit, definitionCommit},
		{TagDefinitionHash, t.Hash},
		{TagVersion, opts.Version},
		{TagPreview, opts.Preview},
	}
	for _, k := range slices.Sorted(maps.Keys(opts.Tags)) {
		kv = append(kv, [2]string{k, opts.Tags[k]})
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
