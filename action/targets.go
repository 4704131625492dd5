// Package action runs smpipe the way GitHub does: it reads the event and
// inputs, plans on pull requests, deploys on pushes to the default branch,
// and reports back to the pull request and the job summary. The deploy CLI
// shares its glue between compiled plans and the deployer.
package action

import (
	"cmp"
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"

	"github.com/smpipe/smpipe-action/compiler"
	"github.com/smpipe/smpipe-action/deploy"
)

// Targets turns compiled plans into deploy targets; failed plans are skipped.
func Targets(plans []*compiler.Plan) []deploy.Target {
	var out []deploy.Target
	for _, p := range plans {
		if p.Failed {
			continue
		}
		t := deploy.Target{Pipeline: p.Name, Definition: p.Definition, Hash: p.Hash, RoleArn: p.Role, Bucket: p.Bucket,
			Description: fmt.Sprintf("Deployed by smpipe from %s", p.Anchor)}
		for _, a := range p.Artifacts {
			ct := "application/octet-stream"
			switch a.Kind {
			case "sourcedir", "repack":
				ct = "application/gzip"
			case "runproc":
				ct = "text/x-shellscript"
			}
			t.Artifacts = append(t.Artifacts, deploy.Artifact{Bucket: a.Bucket, Key: a.Key, Body: a.Body, Path: a.Path, SHA256: a.SHA256, ContentType: ct})
		}
		out = append(out, t)
	}
	return out
}

// Clients builds the SageMaker and S3 clients for cfg. Endpoints follow
// AWS_ENDPOINT_URL_SAGEMAKER / _S3, else AWS_ENDPOINT_URL, read through
// getenv so that the action's own environment (not only the process's)
// decides them; a custom S3 endpoint (MinIO, a test fake) gets path-style
// addressing, which such servers need.
func Clients(cfg aws.Config, getenv func(string) string) (*sagemaker.Client, *s3.Client) {
	smEndpoint := cmp.Or(getenv("AWS_ENDPOINT_URL_SAGEMAKER"), getenv("AWS_ENDPOINT_URL"))
	s3Endpoint := cmp.Or(getenv("AWS_ENDPOINT_URL_S3"), getenv("AWS_ENDPOINT_URL"))
	sm := sagemaker.NewFromConfig(cfg, func(o *sagemaker.Options) {
		if smEndpoint != "" {
			o.BaseEndpoint = aws.String(smEndpoint)
		}
	})
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) {
		if s3Endpoint != "" {
			o.BaseEndpoint, o.UsePathStyle = aws.String(s3Endpoint), true
		}
	})
	return sm, s3c
}

// AccountID returns the account the credentials belong to, when the
// provider tells (STS web identity does), for ExpectedBucketOwner.
func AccountID(ctx context.Context, cfg aws.Config) string {
	if cfg.Credentials == nil {
		return ""
	}
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return ""
	}
	return creds.AccountID
}
