// Package preview names, finds and removes preview pipelines: a pull
// request's pipelines trained before it merges, each deployed beside its
// production pipeline as <pipeline>-pr<N> (compiler.PreviewName) with
// smpipe's tags saying whose preview it is.
//
// A preview is this repository's only when its tags say so: the
// smpipe:repository tag names the repository, smpipe:preview names the
// preview ("pr12", or the name given to smpipe preview --name) and, for a
// pull request's preview, smpipe:pull-request its number. Clean-up deletes
// only pipelines whose tags all agree with its question; anything else in
// the account, production pipelines of this repository included, is never
// touched.
package preview

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/smpipe/smpipe-action/internal/awsname"
)

// TagPullRequest is the tag holding the number of the pull request a
// preview belongs to; previews named with --name have none.
const TagPullRequest = "smpipe:pull-request"

// DefaultPrefix is the S3 key prefix previews stage to and write their
// default outputs under, unless told otherwise.
const DefaultPrefix = "smpipe-preview"

// maxSuffix bounds a preview's name, so that most pipeline names keep their
// whole name in the preview's.
const maxSuffix = 40

// Suffix is the preview name of pull request pr: "pr<pr>".
func Suffix(pr int) string { return "pr" + strconv.Itoa(pr) }

// pullRequestSuffix matches the names Suffix gives, which --name may not
// take: they belong to pull requests.
var pullRequestSuffix = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^pr[0-9]+$`) })

// NamedSuffix checks a preview name given by a person (smpipe preview
// --name): letters, digits and inner hyphens, at most 40 characters, and
// not the name of a pull request's preview.
func NamedSuffix(name string) (string, error) {
	switch {
	case !awsname.Hyphenated(name, maxSuffix):
		return "", fmt.Errorf("preview name %q must be 1 to %d letters, digits and single hyphens, starting and ending with a letter or digit", name, maxSuffix)
	case pullRequestSuffix().MatchString(strings.ToLower(name)):
		return "", fmt.Errorf("preview name %q is how pull request previews are named; use --pr %s for that pull request, or another name", name, strings.TrimPrefix(strings.ToLower(name), "pr"))
	}
	return name, nil
}

// prefixPattern is what a preview prefix may hold: S3 key segments of
// letters, digits, '-', '_' and '.', joined by '/'.
var prefixPattern = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$`)
})

// CheckPrefix checks an S3 key prefix for previews: one or more segments
// of letters, digits, '-', '_' and '.' (not first), joined by '/', at most
// 200 characters. The preview role's policy allows writing under it and
// nowhere else.
func CheckPrefix(prefix string) error {
	if len(prefix) > 200 || !prefixPattern().MatchString(prefix) {
		return fmt.Errorf("preview prefix %q must be S3 key segments of letters, digits, '-', '_' and '.' joined by '/', without a leading or trailing '/'", prefix)
	}
	return nil
}
