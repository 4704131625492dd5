package deploy

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/aws/smithy-go"
)

// MaxInlineDefinition is the definition size from which the definition is
// staged to S3 and passed as PipelineDefinitionS3Location (100 KiB, as the
// SageMaker Python SDK does).
const MaxInlineDefinition = 100 * 1024

// staged is what staging produced for one target.
type staged struct {
	uploaded, skipped int
	// definitionS3 is set when the definition was staged to S3.
	definitionS3 *smtypes.PipelineDefinitionS3Location
}

// put counts one upload's outcome: written, or already present.
func (st *staged) put(uploaded bool, err error) error {
	switch {
	case err != nil:
		return err
	case uploaded:
		st.uploaded++
	default:
		st.skipped++
	}
	return nil
}

// definitionKey is where a large definition is staged: content-addressed, so
// an unchanged definition is never written twice.
func definitionKey(t Target) string {
	sum := sha256.Sum256(t.Definition)
	return t.Pipeline + "/definitions/" + hex.EncodeToString(sum[:]) + ".json"
}

// stage uploads the target's artifacts and, when large, its definition. It
// stops at the first failure: a target whose staging failed must not be
// upserted.
func (d *Deployer) stage(ctx context.Context, lg *logger, t Target, opts Options) (staged, error) {
	var st staged
	for _, a := range t.Artifacts {
		body, err := d.artifactBody(a)
		if err != nil {
			return st, err
		}
		if err := st.put(d.upload(ctx, a.Bucket, a.Key, body, a.ContentType, opts)); err != nil {
			return st, err
		}
	}
	if len(t.Definition) >= MaxInlineDefinition {
		key := definitionKey(t)
		if err := st.put(d.upload(ctx, t.Bucket, key, t.Definition, "application/json", opts)); err != nil {
			return st, err
		}
		st.definitionS3 = &smtypes.PipelineDefinitionS3Location{Bucket: aws.String(t.Bucket), ObjectKey: aws.String(key)}
	}
	lg.printf("staged %d artifacts: %d uploaded, %d already in S3", st.uploaded+st.skipped, st.uploaded, st.skipped)
	return st, nil
}

// artifactBody returns the artifact's bytes and checks them against its hash.
func (d *Deployer) artifactBody(a Artifact) ([]byte, error) {
	body := a.Body
	if body == nil {
		if d.Root == nil {
			return nil, fmt.Errorf("reading %q for s3://%s/%s: no repository root to read local files from", a.Path, a.Bucket, a.Key)
		}
		if !fs.ValidPath(a.Path) {
			return nil, fmt.Errorf("reading %q for s3://%s/%s: not a slash-separated path inside the repository", a.Path, a.Bucket, a.Key)
		}
		b, err := fs.ReadFile(d.Root, a.Path)
		if err != nil {
			return nil, fmt.Errorf("reading %q for s3://%s/%s: %w", a.Path, a.Bucket, a.Key, err)
		}
		body = b
	}
	if a.SHA256 != "" {
		sum := sha256.Sum256(body)
		if got := hex.EncodeToString(sum[:]); !strings.EqualFold(got, a.SHA256) {
			return nil, fmt.Errorf("staging s3://%s/%s: content has sha256 %s, the compiled definition expects %s (was the file changed after compiling?)", a.Bucket, a.Key, got, a.SHA256)
		}
	}
	return body, nil
}

// upload writes body to s3://bucket/key unless the key exists. It reports
// whether it wrote. HeadObject skips the write on re-runs; IfNoneMatch "*"
// keeps a concurrent writer of the same content-addressed key harmless.
func (d *Deployer) upload(ctx context.Context, bucket, key string, body []byte, contentType string, opts Options) (bool, error) {
	if bucket == "" || key == "" {
		return false, fmt.Errorf("staging %q: bucket and key are required", "s3://"+bucket+"/"+key)
	}
	var owner *string
	if opts.AccountID != "" {
		owner = aws.String(opts.AccountID)
	}
	_, err := d.S3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), ExpectedBucketOwner: owner})
	if err == nil {
		return false, nil
	}
	if !isS3NotFound(err) {
		return false, fmt.Errorf("checking whether s3://%s/%s exists: %w", bucket, key, err)
	}
	in := &s3.PutObjectInput{
		Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body),
		ContentLength: aws.Int64(int64(len(body))), IfNoneMatch: aws.String("*"),
		ExpectedBucketOwner: owner,
	}
	if contentType != "" {
		in.ContentType = aws.String(contentType)
	}
	if opts.KMSKeyID != "" {
		in.ServerSideEncryption = s3types.ServerSideEncryptionAwsKms
		in.SSEKMSKeyId = aws.String(opts.KMSKeyID)
	}
	if _, err := d.S3.PutObject(ctx, in); err != nil {
		if isPreconditionFailed(err) {
			return false, nil // written meanwhile by another run: same key, same content
		}
		return false, fmt.Errorf("uploading s3://%s/%s: %w", bucket, key, err)
	}
	return true, nil
}

func isS3NotFound(err error) bool {
	var nf *s3types.NotFound
	var nsk *s3types.NoSuchKey
	if errors.As(err, &nf) || errors.As(err, &nsk) {
		return true
	}
	var ae smithy.APIError
	if errors.As(err, &ae) && (ae.ErrorCode() == "NotFound" || ae.ErrorCode() == "NoSuchKey") {
		return true
	}
	return httpStatus(err) == http.StatusNotFound
}

func isPreconditionFailed(err error) bool {
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorCode() == "PreconditionFailed" {
		return true
	}
	return httpStatus(err) == http.StatusPreconditionFailed
}

func httpStatus(err error) int {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}
