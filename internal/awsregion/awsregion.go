// Package awsregion decides the AWS region smpipe compiles and deploys for.
// The region shapes the definition (image URIs, SAGEMAKER_REGION) and picks
// the endpoints a deploy writes to, so it is decided once, here, and carried
// from the compile to the deploy: a definition compiled for one region is
// never deployed to another.
package awsregion

import (
	"cmp"
	"context"
	"errors"
	"os"
	"path/filepath"

	"github.com/aws/aws-sdk-go-v2/config"
)

// Default is the region when nothing names one.
const Default = "us-east-1"

// Resolved is a region and where it came from, for messages.
type Resolved struct {
	Region string
	Source string // "--region", "AWS_REGION", "profile default", "default"…
}

// Resolve picks the region: explicit (a flag or an action input; named by
// source), else AWS_REGION, else AWS_DEFAULT_REGION, else the region of the
// shared config profile (AWS_PROFILE, else "default", in AWS_CONFIG_FILE or
// ~/.aws/config) — the order the AWS SDK and CLI use — else Default. getenv
// reads the environment; nil means the process environment.
func Resolve(ctx context.Context, explicit, source string, getenv func(string) string) Resolved {
	if getenv == nil {
		getenv = os.Getenv
	}
	if explicit != "" {
		return Resolved{Region: explicit, Source: source}
	}
	for _, k := range []string{"AWS_REGION", "AWS_DEFAULT_REGION"} {
		if v := getenv(k); v != "" {
			return Resolved{Region: v, Source: k}
		}
	}
	if r, profile := profileRegion(ctx, getenv); r != "" {
		return Resolved{Region: r, Source: "profile " + profile}
	}
	return Resolved{Region: Default, Source: "default"}
}

// Profile is the shared config profile the AWS SDK uses: AWS_PROFILE, else
// AWS_DEFAULT_PROFILE, else "default".
func Profile(getenv func(string) string) string {
	return cmp.Or(getenv("AWS_PROFILE"), getenv("AWS_DEFAULT_PROFILE"), "default")
}

// profileRegion reads the region of the active shared config profile. A
// missing file or profile is no region, not an error: the caller falls back.
func profileRegion(ctx context.Context, getenv func(string) string) (region, profile string) {
	profile = Profile(getenv)
	file := getenv("AWS_CONFIG_FILE")
	if file == "" {
		home := getenv("HOME")
		if home == "" {
			return "", profile
		}
		file = filepath.Join(home, ".aws", "config")
	}
	if _, err := os.Stat(file); err != nil {
		return "", profile
	}
	sc, err := config.LoadSharedConfigProfile(ctx, profile, func(o *config.LoadSharedConfigOptions) {
		o.ConfigFiles = []string{file}
		o.CredentialsFiles = []string{}
	})
	var notExist config.SharedConfigProfileNotExistError
	if err != nil && !errors.As(err, &notExist) {
		return "", profile
	}
	return sc.Region, profile
}
