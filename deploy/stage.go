package deploy

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/aws/smithy-go"

	"github.com/smpipe/smpipe-action/internal/workspace"
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
	prefix := t.StagePrefix
	if prefix == "" {
		prefix = t.Pipeline
	}
	return prefix + "/definitions/" + definitionSHA256(t) + ".json"
}

// definitionSHA256 is the hex SHA-256 of the definition, as t.Hash carries
// it once validateTarget has checked it against the bytes.
func definitionSHA256(t Target) string { return strings.TrimPrefix(t.Hash, "sha256:") }

// stage uploads the target's artifacts and, when large, its definition. It
// stops at the first failure: a target whose staging failed must not be
// upserted.
func (d *Deployer) stage(ctx context.Context, lg *logger, t Target, opts Options) (staged, error) {
	var st staged
	for _, a := range t.Artifacts {
		obj := object{bucket: a.Bucket, key: a.Key, sha256: a.SHA256, contentType: a.ContentType,
			open: func() (content, error) { return d.openArtifact(ctx, a) }}
		if err := st.put(d.upload(ctx, lg, obj, opts)); err != nil {
			return st, err
		}
	}
	if len(t.Definition) >= MaxInlineDefinition {
		obj := object{bucket: t.Bucket, key: definitionKey(t), sha256: definitionSHA256(t), contentType: "application/json",
			open: func() (content, error) {
				return content{body: bytes.NewReader(t.Definition), size: int64(len(t.Definition)), close: func() error { return nil }}, nil
			}}
		if err := st.put(d.upload(ctx, lg, obj, opts)); err != nil {
			return st, err
		}
		st.definitionS3 = &smtypes.PipelineDefinitionS3Location{Bucket: aws.String(t.Bucket), ObjectKey: aws.String(obj.key)}
	}
	lg.printf("staged %d artifacts: %d uploaded, %d already in S3", st.uploaded+st.skipped, st.uploaded, st.skipped)
	return st, nil
}

// object is one object to stage: where, its content address, and how to
// read its content when it must be uploaded.
type object struct {
	bucket, key string
	sha256      string // hex
	contentType string
	open        func() (content, error)
}

// content is an object's bytes, seekable so that the SDK can sign and
// retry the upload.
type content struct {
	body  io.ReadSeeker
	size  int64
	close func() error
}

// openArtifact opens an artifact's content (a built file, or a data file
// through the root-confined repository), refuses one of another length
// and checks its sha256, streaming: what is uploaded is what was compiled.
func (d *Deployer) openArtifact(ctx context.Context, a Artifact) (content, error) {
	fsys, name := d.Root, a.Path
	switch {
	case a.File != "":
		fsys, name = os.DirFS(filepath.Dir(a.File)), filepath.Base(a.File)
	case d.Root == nil:
		return content{}, fmt.Errorf("reading %q for s3://%s/%s: no repository root to read local files from", a.Path, a.Bucket, a.Key)
	}
	source := fmt.Sprintf("%q", a.Path)
	if a.File != "" {
		source = "built artifact " + a.File
	}
	f, err := workspace.OpenFile(fsys, name, a.Size)
	if err != nil {
		return content{}, fmt.Errorf("reading %s for s3://%s/%s: %w (was it changed after compiling?)", source, a.Bucket, a.Key, err)
	}
	body, err := f.Section()
	if err == nil {
		h := sha256.New()
		if _, err = workspace.Copy(ctx, h, body, make([]byte, 64<<10)); err == nil {
			if got := hex.EncodeToString(h.Sum(nil)); !strings.EqualFold(got, a.SHA256) || f.Size() != a.Size {
				err = fmt.Errorf("content has sha256 %s and %d bytes, the compiled definition expects sha256 %s and %d bytes (was it changed after compiling?)", got, f.Size(), a.SHA256, a.Size)
			}
		}
	}
	if err == nil {
		_, err = body.Seek(0, io.SeekStart)
	}
	if err != nil {
		f.Close()
		return content{}, fmt.Errorf("staging %s to s3://%s/%s: %w", source, a.Bucket, a.Key, err)
	}
	return content{body: body, size: f.Size(), close: f.Close}, nil
}

// upload makes s3://bucket/key hold the object's content, and reports
// whether it wrote. An existing object is trusted only when S3 reports the
// SHA-256 checksum equal to the content address (HeadObject with checksum
// mode); any other object there is replaced, and the log says so. Uploads
// carry ChecksumSHA256, so S3 itself refuses bytes that are not the
// content. IfNoneMatch "*" on a first upload keeps a concurrent writer of
// the same key from being overwritten; what it wrote is checked like any
// existing object.
func (d *Deployer) upload(ctx context.Context, lg *logger, obj object, opts Options) (bool, error) {
	uri := "s3://" + obj.bucket + "/" + obj.key
	if obj.bucket == "" || obj.key == "" {
		return false, fmt.Errorf("staging %q: bucket and key are required", uri)
	}
	raw, err := hex.DecodeString(obj.sha256)
	if err != nil || len(raw) != sha256.Size {
		return false, fmt.Errorf("staging %q: %q is not a SHA-256 content address", uri, obj.sha256)
	}
	want := base64.StdEncoding.EncodeToString(raw)
	var owner *string
	if opts.AccountID != "" {
		owner = aws.String(opts.AccountID)
	}
	state, err := d.existing(ctx, lg, obj, want, owner)
	if err != nil || state == ours {
		return false, err
	}
	c, err := obj.open()
	if err != nil {
		return false, err
	}
	defer c.close()
	for {
		in := &s3.PutObjectInput{
			Bucket: aws.String(obj.bucket), Key: aws.String(obj.key), Body: c.body,
			ContentLength: aws.Int64(c.size), ChecksumSHA256: aws.String(want),
			ExpectedBucketOwner: owner,
		}
		if state == absent {
			in.IfNoneMatch = aws.String("*")
		}
		if obj.contentType != "" {
			in.ContentType = aws.String(obj.contentType)
		}
		if opts.KMSKeyID != "" {
			in.ServerSideEncryption = s3types.ServerSideEncryptionAwsKms
			in.SSEKMSKeyId = aws.String(opts.KMSKeyID)
		}
		_, err := d.S3.PutObject(ctx, in)
		if err == nil {
			return true, nil
		}
		if !isPreconditionFailed(err) || state != absent {
			return false, fmt.Errorf("uploading %s: %w", uri, err)
		}
		// Written meanwhile by another run: keep it only if it is ours.
		if state, err = d.existing(ctx, lg, obj, want, owner); err != nil || state == ours {
			return false, err
		}
		if _, err := c.body.Seek(0, io.SeekStart); err != nil {
			return false, fmt.Errorf("uploading %s: %w", uri, err)
		}
	}
}

// What is at an object's key.
type presence int

const (
	absent  presence = iota
	ours             // this content: S3 reports its SHA-256
	foreign          // anything else, to be replaced
)

// existing tells what S3 holds at the object's key: an object is ours only
// when its SHA-256 checksum is want (base64). A foreign one is logged as
// about to be replaced.
func (d *Deployer) existing(ctx context.Context, lg *logger, obj object, want string, owner *string) (presence, error) {
	uri := "s3://" + obj.bucket + "/" + obj.key
	head, err := d.S3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(obj.bucket), Key: aws.String(obj.key),
		ChecksumMode: s3types.ChecksumModeEnabled, ExpectedBucketOwner: owner})
	switch {
	case err == nil && aws.ToString(head.ChecksumSHA256) == want:
		return ours, nil
	case err == nil && aws.ToString(head.ChecksumSHA256) == "":
		lg.printf("%q is already in S3 without a SHA-256 checksum, so its content is unknown: uploading it again", uri)
		return foreign, nil
	case err == nil:
		lg.printf("%q is already in S3 with SHA-256 checksum %s, not its content address %s: uploading it again", uri, aws.ToString(head.ChecksumSHA256), want)
		return foreign, nil
	case isS3NotFound(err):
		return absent, nil
	}
	return absent, fmt.Errorf("checking whether %s exists: %w", uri, err)
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
