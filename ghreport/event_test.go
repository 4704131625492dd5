package ghreport

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestReadEvent(t *testing.T) {
	t.Parallel()
	pr := func(action, head, headRef, headRepo string, fork, draft bool, sender string) *PullRequestEvent {
		return &PullRequestEvent{
			Number: 42, Action: action, BaseSHA: strings.Repeat("1", 40), HeadSHA: head,
			BaseRef: "main", HeadRef: headRef, HeadRepo: headRepo, BaseRepo: "acme/ml", IsFork: fork, Draft: draft, Sender: sender,
		}
	}
	labeled := pr("labeled", strings.Repeat("2", 40), "bigger-instance", "acme/ml", false, false, "octo-writer")
	labeled.Label = "smpipe:preview"
	forkHead := strings.Repeat("3", 40)
	tests := []struct {
		file, name string
		want       Event
	}{
		{"pull_request_opened.json", "pull_request", Event{Name: "pull_request", Repository: "acme/ml",
			PullRequest: pr("opened", strings.Repeat("2", 40), "bigger-instance", "acme/ml", false, false, "octo-dev")}},
		{"pull_request_labeled.json", "pull_request", Event{Name: "pull_request", Repository: "acme/ml", PullRequest: labeled}},
		{"pull_request_fork.json", "pull_request", Event{Name: "pull_request", Repository: "acme/ml",
			PullRequest: pr("synchronize", forkHead, "fix-typo", "contributor/ml", true, true, "contributor")}},
		{"pull_request_deleted_fork.json", "pull_request_target", Event{Name: "pull_request_target", Repository: "acme/ml",
			PullRequest: pr("reopened", forkHead, "fix-typo", "", true, true, "contributor")}},
		{"push_main.json", "push", Event{Name: "push", Repository: "acme/ml", Push: &PushEvent{
			Before: strings.Repeat("1", 40), After: strings.Repeat("4", 40), Ref: "refs/heads/main", DefaultBranch: "main"}}},
		{"push_forced_branch.json", "push", Event{Name: "push", Repository: "acme/ml", Push: &PushEvent{
			Before: strings.Repeat("0", 40), After: strings.Repeat("4", 40), Ref: "refs/heads/feature", DefaultBranch: "main", Forced: true, Created: true}}},
		{"workflow_dispatch.json", "workflow_dispatch", Event{Name: "workflow_dispatch", Repository: "acme/ml", Dispatch: &DispatchEvent{
			Ref: "refs/heads/main", DefaultBranch: "main", Inputs: map[string]string{"mode": "deploy", "pipeline": "lgbm-test", "wait": "true", "retries": "3"}}}},
		{"push_main.json", "schedule", Event{Name: "schedule", Repository: "acme/ml"}},
	}
	for _, tt := range tests {
		t.Run(tt.file+"_"+tt.name, func(t *testing.T) {
			got, err := ReadEvent(tt.name, filepath.Join("testdata", "events", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("event (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPushEvent_OnDefaultBranch(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		p    PushEvent
		want bool
	}{
		{PushEvent{Ref: "refs/heads/main", DefaultBranch: "main"}, true},
		{PushEvent{Ref: "refs/heads/feature", DefaultBranch: "main"}, false},
		{PushEvent{Ref: "refs/tags/main", DefaultBranch: "main"}, false},
		{PushEvent{Ref: "refs/heads/", DefaultBranch: ""}, false},
	} {
		if got := tt.p.OnDefaultBranch(); got != tt.want {
			t.Errorf("%+v: got %v", tt.p, got)
		}
	}
}

func TestParseEvent_errors(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ name, payload, want string }{
		{"pull_request", `{`, "decoding the pull_request event payload"},
		{"pull_request", `{"action":"opened"}`, "no pull_request object"},
		{"pull_request", `{"pull_request":{"number":1,"base":{"sha":"a"},"head":{}}}`, "missing number, base.sha or head.sha"},
	} {
		_, err := ParseEvent(tt.name, []byte(tt.payload))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseEvent(%s) = %v, want %q", tt.payload, err, tt.want)
		}
	}
	if _, err := ReadEvent("push", filepath.Join("testdata", "events", "missing.json")); err == nil {
		t.Error("missing file accepted")
	}
}
