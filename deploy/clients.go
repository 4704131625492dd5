package deploy

import (
	"context"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
)

// Retries of AWS calls: the SDK's standard retryer (throttling, 5xx,
// transient network errors) plus ConflictException, which SageMaker answers
// while another update of the same pipeline is in flight. Every call is
// safe to repeat: creates and starts carry a request token, updates and tags
// set absolute values. Nothing else in deploy loops over AWS calls.
const (
	maxAttempts = 6
	maxBackoff  = 30 * time.Second
)

// ClientOption configures NewClients.
type ClientOption func(*clientConfig)

type clientConfig struct {
	backoff retry.BackoffDelayer
}

// WithBackoff replaces the retryer's delay between attempts; tests pass a
// function that records the attempt and returns zero, so nothing waits.
func WithBackoff(f func(attempt int, err error) (time.Duration, error)) ClientOption {
	return func(c *clientConfig) { c.backoff = retry.BackoffDelayerFunc(f) }
}

// NewClients builds the SageMaker and S3 clients every deploy uses, with
// the one retry policy above. Endpoints come from getenv (nil: os.Getenv):
// AWS_ENDPOINT_URL_SAGEMAKER and AWS_ENDPOINT_URL_S3, else AWS_ENDPOINT_URL,
// else the SDK's resolution from cfg. A custom S3 endpoint (MinIO, a test
// fake) gets path-style addressing, which such servers need.
func NewClients(cfg aws.Config, getenv func(string) string, opts ...ClientOption) (*sagemaker.Client, *s3.Client) {
	if getenv == nil {
		getenv = os.Getenv
	}
	var c clientConfig
	for _, o := range opts {
		o(&c)
	}
	r := newRetryer(c)
	smEndpoint := endpoint(getenv, "AWS_ENDPOINT_URL_SAGEMAKER")
	s3Endpoint := endpoint(getenv, "AWS_ENDPOINT_URL_S3")
	sm := sagemaker.NewFromConfig(cfg, func(o *sagemaker.Options) {
		o.Retryer = r
		if smEndpoint != "" {
			o.BaseEndpoint = aws.String(smEndpoint)
		}
	})
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.Retryer = r
		if s3Endpoint != "" {
			o.BaseEndpoint = aws.String(s3Endpoint)
			o.UsePathStyle = true
		}
	})
	return sm, s3c
}

// newRetryer is the standard retryer with ConflictException added. It has
// no client-side retry quota (ratelimit.None): a reconcile of many
// pipelines meets throttling on purpose, and the quota would turn the
// retries it needs into "retry quota exceeded" failures; MaxAttempts bounds
// each call instead.
func newRetryer(c clientConfig) aws.Retryer {
	std := retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = maxAttempts
		o.MaxBackoff = maxBackoff
		o.RateLimiter = ratelimit.None
		if c.backoff != nil {
			o.Backoff = c.backoff
		}
	})
	return retry.AddWithErrorCodes(std, "ConflictException")
}

// endpoint is the service's endpoint variable, else AWS_ENDPOINT_URL.
func endpoint(getenv func(string) string, service string) string {
	if v := getenv(service); v != "" {
		return v
	}
	return getenv("AWS_ENDPOINT_URL")
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
