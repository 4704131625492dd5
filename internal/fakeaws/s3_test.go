package fakeaws_test

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/smpipe/smpipe-action/internal/fakeaws"
)

func s3Client(url string) *s3.Client {
	return s3.NewFromConfig(config(), func(o *s3.Options) {
		o.BaseEndpoint = aws.String(url)
		o.UsePathStyle = true
	})
}

// TestS3_checksums checks, with the real client, that the fake keeps
// SHA-256 checksums the way S3 does.
func TestS3_checksums(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := fakeaws.NewS3(t, "b")
	c := s3Client(f.URL)
	body := []byte("bundle bytes")
	put := func(key string, data []byte, checksum string) error {
		in := &s3.PutObjectInput{Bucket: aws.String("b"), Key: aws.String(key), Body: bytes.NewReader(data)}
		if checksum != "" {
			in.ChecksumSHA256 = aws.String(checksum)
		}
		_, err := c.PutObject(ctx, in)
		return err
	}
	head := func(key string, mode bool) string {
		t.Helper()
		in := &s3.HeadObjectInput{Bucket: aws.String("b"), Key: aws.String(key)}
		if mode {
			in.ChecksumMode = s3types.ChecksumModeEnabled
		}
		out, err := c.HeadObject(ctx, in)
		if err != nil {
			t.Fatalf("HeadObject %s: %v", key, err)
		}
		return aws.ToString(out.ChecksumSHA256)
	}

	if err := put("k", body, fakeaws.Checksum256(body)); err != nil {
		t.Fatal(err)
	}
	if got := head("k", true); got != fakeaws.Checksum256(body) {
		t.Errorf("HEAD with checksum mode = %q, want the stored checksum", got)
	}
	if got := head("k", false); got != "" {
		t.Errorf("HEAD without checksum mode = %q, want none", got)
	}

	err := put("bad", body, fakeaws.Checksum256([]byte("other bytes")))
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "BadDigest" {
		t.Errorf("PUT with a wrong checksum = %v, want BadDigest", err)
	}
	if _, ok := f.Object("b", "bad"); ok {
		t.Error("the refused object was stored")
	}

	if err := put("k", []byte("new"), ""); err != nil {
		t.Fatal(err)
	}
	if got := head("k", true); got != "" {
		t.Errorf("after a PUT without checksum, HEAD reports %q", got)
	}

	f.Plant(t, "b", "planted", []byte("evil"), fakeaws.Checksum256(body))
	if got := head("planted", true); got != fakeaws.Checksum256(body) {
		t.Errorf("planted checksum = %q", got)
	}
	if b, _ := f.Object("b", "planted"); string(b) != "evil" {
		t.Errorf("planted body = %q", b)
	}
}
