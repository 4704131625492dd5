package deploy

import (
	"regexp"
	"strings"
	"testing"
)

func TestRoleSessionName(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"smpipe-12345", "smpipe-12345"},
		{"a b/c:d", "a-b-c-d"},
		{"ok_+=,.@-", "ok_+=,.@-"},
		{"x", "smpipe"},
		{"", "smpipe"},
		{"é", "smpipe"},
		{strings.Repeat("r", 70), strings.Repeat("r", 64)},
	} {
		if got := RoleSessionName(tc.in); got != tc.want {
			t.Errorf("RoleSessionName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := DefaultRoleSessionName("987"); got != "smpipe-987" {
		t.Errorf("DefaultRoleSessionName = %q", got)
	}
	if got := DefaultRoleSessionName(""); got != "smpipe-local" {
		t.Errorf("DefaultRoleSessionName(\"\") = %q", got)
	}
}

func TestClientRequestToken(t *testing.T) {
	t.Parallel()
	tok := ClientRequestToken("churn", testCommit, "sha256:abc")
	// hex(sha256("churn|0123…4567|sha256:abc")), computed independently.
	if want := sha([]byte("churn|" + testCommit + "|sha256:abc")); tok != want {
		t.Errorf("token = %s, want %s", tok, want)
	}
	if len(tok) != 64 {
		t.Errorf("token length %d, want 64", len(tok))
	}
	for _, other := range []string{
		ClientRequestToken("churn2", testCommit, "sha256:abc"),
		ClientRequestToken("churn", "1"+testCommit[1:], "sha256:abc"),
		ClientRequestToken("churn", testCommit, "sha256:abd"),
	} {
		if other == tok {
			t.Error("a different pipeline, commit or hash gave the same token")
		}
	}
}

func TestExecutionDisplayName(t *testing.T) {
	t.Parallel()
	pattern := regexp.MustCompile(`^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,81}$`)
	tok := ClientRequestToken("p", testCommit, "sha256:x")
	for _, tc := range []struct{ sha, want string }{
		{testCommit, "smpipe-0123456-" + tok[:16]},
		{"", "smpipe-" + tok[:16]},
		{"$(rm -rf /)", "smpipe-rmrf-" + tok[:16]},
	} {
		got := ExecutionDisplayName(tc.sha, tok)
		if got != tc.want || !pattern.MatchString(got) {
			t.Errorf("ExecutionDisplayName(%q) = %q, want %q matching the service pattern", tc.sha, got, tc.want)
		}
	}
}

func TestConsoleURL(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ region, name, want string }{
		{"us-east-1", "p1", "https://us-east-1.console.aws.amazon.com/sagemaker/home?region=us-east-1#/pipelines/p1"},
		{"eu-west-1", "", "https://eu-west-1.console.aws.amazon.com/sagemaker/home?region=eu-west-1#/pipelines/"},
		{"us-east-1", "p1)[x](y", ""},
		{"evil.com/", "p1", ""},
		{"", "", ""},
	} {
		if got := ConsoleURL(tc.region, tc.name); got != tc.want {
			t.Errorf("ConsoleURL(%q, %q) = %q, want %q", tc.region, tc.name, got, tc.want)
		}
	}
}
