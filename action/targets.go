// Package action runs smpipe the way GitHub does: it reads the event and
// inputs, plans on pull requests, deploys on pushes to the default branch,
// and reports back to the pull request and the job summary. The deploy CLI
// shares its glue between compiled plans and the deployer.
package action

import (
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

// Clients builds the SageMaker and S3 clients for cfg. A custom S3 endpoint
// (AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL, as for MinIO or a test fake)
// gets path-style addressing, which such servers need.
func Clients(cfg aws.Config, getenv func(string) string) (*sagemaker.Client, *s3.Client) {
	pathStyle := getenv("AWS_ENDPOINT_URL_S3") != "" || getenv("AWS_ENDPOINT_URL") != ""
	return sagemaker.NewFromConfig(cfg), s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = pathStyle })
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
