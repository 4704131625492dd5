package results

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"sync"
)

// Console and Studio links. They are made only from parts that match what
// AWS names look like, so nothing read from a record can steer a link
// elsewhere.

// regionPattern and domainPattern are compiled on first use, not at every
// start-up.
var (
	regionPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d$`) })
	domainPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^d-[a-z0-9]{1,63}$`) })
)

// ValidStudioDomain reports whether id looks like a SageMaker domain ID
// (d-xxxxxxxxxxxx), as `aws sagemaker list-domains` prints it.
func ValidStudioDomain(id string) bool { return domainPattern().MatchString(id) }

// ExecutionURL links an execution in the SageMaker console.
func ExecutionURL(region, pipeline, arn string) string {
	id, ok := executionID(arn)
	if !regionPattern().MatchString(region) || !ok {
		return ""
	}
	return fmt.Sprintf("https://%s.console.aws.amazon.com/sagemaker/home?region=%s#/pipelines/%s/executions/%s",
		region, region, url.PathEscape(pipeline), url.PathEscape(id))
}

// StudioURL links an execution's graph in SageMaker Studio of domain (a
// domain ID); "" when the domain is unknown.
func StudioURL(domain, region, pipeline, arn string) string {
	id, ok := executionID(arn)
	if !ValidStudioDomain(domain) || !regionPattern().MatchString(region) || !ok {
		return ""
	}
	return fmt.Sprintf("https://studio-%s.studio.%s.sagemaker.aws/pipelines/view/%s/executions/%s/graph",
		domain, region, url.PathEscape(pipeline), url.PathEscape(id))
}

// packageURL links a model package version in the SageMaker console.
func packageURL(region, group string, version int32) string {
	if !regionPattern().MatchString(region) || group == "" {
		return ""
	}
	return fmt.Sprintf("https://%s.console.aws.amazon.com/sagemaker/home?region=%s#/model-registry/%s/versions/%d",
		region, region, url.PathEscape(group), version)
}

// executionID is the last part of an execution ARN.
func executionID(arn string) (string, bool) {
	i := strings.LastIndex(arn, "/execution/")
	if i < 0 || i+len("/execution/") == len(arn) {
		return "", false
	}
	return arn[i+len("/execution/"):], true
}

// PipelineOf is the pipeline name in an execution ARN
// (arn:aws:sagemaker:<region>:<account>:pipeline/<name>/execution/<id>).
func PipelineOf(arn string) (string, bool) {
	m := executionARN().FindStringSubmatch(arn)
	if m == nil {
		return "", false
	}
	return m[2], true
}

// RegionOf is the region in an execution ARN.
func RegionOf(arn string) (string, bool) {
	m := executionARN().FindStringSubmatch(arn)
	if m == nil {
		return "", false
	}
	return m[1], true
}

// executionARN is what an execution ARN looks like: region, pipeline
// name (lower case, as SageMaker writes it) and execution ID.
var executionARN = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^arn:aws[a-z-]*:sagemaker:([a-z0-9-]+):\d{12}:pipeline/([A-Za-z0-9-]{1,256})/execution/([A-Za-z0-9]{1,128})$`)
})
