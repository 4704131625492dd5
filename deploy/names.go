package deploy

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/smpipe/smpipe-action/internal/awsname"
)

// Compiled on first use: a package-level regular expression costs every
// run's start-up, and most runs never format a console link.
var regionRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`) })

// ConsoleURL links to the pipeline in the SageMaker console, or to the list
// of pipelines when pipeline is empty. It is empty for a region or name
// that is not well formed.
func ConsoleURL(region, pipeline string) string {
	if !regionRE().MatchString(region) || pipeline != "" && !awsname.Hyphenated(pipeline, 256) {
		return ""
	}
	return fmt.Sprintf("https://%s.console.aws.amazon.com/sagemaker/home?region=%s#/pipelines/%s", region, region, pipeline)
}

// RoleSessionName makes name acceptable to STS as a role session name:
// characters outside [\w+=,.@-] become '-', the result is cut to 64
// characters, and a name shorter than 2 characters becomes "smpipe".
func RoleSessionName(name string) string {
	var b strings.Builder
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9',
			strings.ContainsRune("_+=,.@-", r):
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
		if b.Len() >= 64 {
			break
		}
	}
	s := b.String()
	if len(s) > 64 {
		s = s[:64]
	}
	if len(s) < 2 {
		return "smpipe"
	}
	return s
}

// DefaultRoleSessionName is "smpipe-<GITHUB_RUN_ID>", sanitised; outside a
// workflow run it is "smpipe-local".
func DefaultRoleSessionName(runID string) string {
	if runID == "" {
		runID = "local"
	}
	return RoleSessionName("smpipe-" + runID)
}

// ClientRequestToken is the idempotency token for one pipeline at one commit
// with one definition: hex(sha256(pipeline|commitSHA|definitionHash)), 64
// characters (SageMaker accepts 32 to 128). A re-run of the same CI job gets
// the same token; a new commit or a changed definition gets a new one.
func ClientRequestToken(pipeline, commitSHA, definitionHash string) string {
	sum := sha256.Sum256([]byte(pipeline + "|" + commitSHA + "|" + definitionHash))
	return hex.EncodeToString(sum[:])
}

// StartToken is the request token of a start: ClientRequestToken, or with
// a key (Options.StartKey) hex(sha256(pipeline|commitSHA|definitionHash|key)),
// so that each key starts its own execution once.
func StartToken(pipeline, commitSHA, definitionHash, key string) string {
	if key == "" {
		return ClientRequestToken(pipeline, commitSHA, definitionHash)
	}
	sum := sha256.Sum256([]byte(pipeline + "|" + commitSHA + "|" + definitionHash + "|" + key))
	return hex.EncodeToString(sum[:])
}

// ExecutionDisplayName is "smpipe-<short sha>-<first 16 of token>", which
// matches SageMaker's [a-zA-Z0-9](-*[a-zA-Z0-9]){0,81}. The token part lets a
// later run recognise the execution as its own.
func ExecutionDisplayName(commitSHA, token string) string {
	parts := []string{"smpipe"}
	if sha := alnum(commitSHA, 7); sha != "" {
		parts = append(parts, sha)
	}
	if t := alnum(token, 16); t != "" {
		parts = append(parts, t)
	}
	return strings.Join(parts, "-")
}

// tokenMarker is written into the execution description; its presence in a
// listed execution means this commit and definition were already started.
func tokenMarker(token string) string { return "smpipe-request-token=" + token }

// executionDescription says where an execution came from, for people and for
// the already-started check.
func executionDescription(commitSHA, definitionHash, token string) string {
	return "Started by smpipe for commit " + alnum(commitSHA, 40) + ", definition " +
		"sha256:" + alnum(strings.TrimPrefix(definitionHash, "sha256:"), 64) + "; " + tokenMarker(token)
}

// alnum keeps the first n ASCII letters and digits of s.
func alnum(s string, n int) string {
	var b strings.Builder
	for _, r := range s {
		if b.Len() == n {
			break
		}
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}
