package deploy

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
)

func TestNewClients_endpointsFromGetenv(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name           string
		env            map[string]string
		wantSM, wantS3 string
		pathStyle      bool
	}{
		{"none", nil, "", "", false},
		{"global", map[string]string{"AWS_ENDPOINT_URL": "http://all"}, "http://all", "http://all", true},
		{"per service", map[string]string{"AWS_ENDPOINT_URL": "http://all", "AWS_ENDPOINT_URL_SAGEMAKER": "http://sm",
			"AWS_ENDPOINT_URL_S3": "http://s3"}, "http://sm", "http://s3", true},
		{"sagemaker only", map[string]string{"AWS_ENDPOINT_URL_SAGEMAKER": "http://sm"}, "http://sm", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sm, s3c := NewClients(testConfig(), mapEnv(tc.env))
			if got := aws.ToString(sm.Options().BaseEndpoint); got != tc.wantSM {
				t.Errorf("SageMaker endpoint = %q, want %q", got, tc.wantSM)
			}
			if got := aws.ToString(s3c.Options().BaseEndpoint); got != tc.wantS3 {
				t.Errorf("S3 endpoint = %q, want %q", got, tc.wantS3)
			}
			if got := s3c.Options().UsePathStyle; got != tc.pathStyle {
				t.Errorf("S3 path style = %v, want %v", got, tc.pathStyle)
			}
		})
	}
}

func TestNewClients_retryPolicy(t *testing.T) {
	t.Parallel()
	sm, s3c := NewClients(testConfig(), mapEnv(nil))
	for name, r := range map[string]aws.Retryer{"SageMaker": sm.Options().Retryer, "S3": s3c.Options().Retryer} {
		if r.MaxAttempts() != maxAttempts {
			t.Errorf("%s retryer: %d attempts, want %d", name, r.MaxAttempts(), maxAttempts)
		}
		for _, tc := range []struct {
			err  error
			want bool
		}{
			{&smtypes.ConflictException{Message: aws.String("busy")}, true},
			{&smtypes.ResourceLimitExceeded{Message: aws.String("quota")}, false},
			{errors.New("no code"), false},
		} {
			if got := r.IsErrorRetryable(tc.err); got != tc.want {
				t.Errorf("%s retryer retries %v: %v, want %v", name, tc.err, got, tc.want)
			}
		}
	}
}
