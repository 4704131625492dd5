package fakegithub

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v60/github"
)

// client is the real go-github client pointed at s.
func client(t *testing.T, s *Server) *github.Client {
	t.Helper()
	c := github.NewClient(s.Client()).WithAuthToken(Token)
	u, err := url.Parse(s.URL())
	if err != nil {
		t.Fatal(err)
	}
	c.BaseURL = u
	return c
}

// recorder keeps the errors the server reports instead of failing.
type recorder struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func TestServer_prefixGuard(t *testing.T) {
	t.Parallel()
	rec := &recorder{TB: t}
	s := New(rec)
	c := client(t, s)
	// A path built without the base URL, the GitHub Enterprise bug class.
	req, err := c.NewRequest(http.MethodGet, s.srv.URL+"/repos/acme/ml/issues/1/comments", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Do(context.Background(), req, nil); err == nil {
		t.Error("request outside the prefix succeeded")
	}
	if len(rec.errs) != 1 || !strings.Contains(rec.errs[0], "outside the API prefix") {
		t.Errorf("errors = %q", rec.errs)
	}
	rec.errs = nil
	if _, _, err := c.Repositories.Get(context.Background(), "acme", "ml"); err == nil || len(rec.errs) != 1 {
		t.Errorf("unknown endpoint: %v, %q", err, rec.errs)
	}
}

func TestServer_commentsPagingAndLimits(t *testing.T) {
	t.Parallel()
	s := New(t)
	c := client(t, s)
	ctx := context.Background()
	for i := range 205 {
		s.AddComment("acme/ml", 1, "someone", fmt.Sprint(i))
	}
	var ids []int64
	opt := &github.IssueListCommentsOptions{ListOptions: github.ListOptions{PerPage: 500}}
	pages := 0
	for {
		cs, resp, err := c.Issues.ListComments(ctx, "acme", "ml", 1, opt)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if len(cs) > 100 {
			t.Fatalf("page of %d comments, max is 100", len(cs))
		}
		for _, cm := range cs {
			ids = append(ids, cm.GetID())
		}
		if resp.NextPage == 0 {
			if resp.LastPage != 0 || resp.PrevPage != 2 {
				t.Errorf("last page links: prev %d, last %d", resp.PrevPage, resp.LastPage)
			}
			break
		}
		if resp.LastPage != 3 {
			t.Errorf("last page = %d, want 3", resp.LastPage)
		}
		opt.Page = resp.NextPage
	}
	if pages != 3 || len(ids) != 205 || ids[0] >= ids[204] {
		t.Errorf("%d pages, %d comments", pages, len(ids))
	}
	// Default page size is 30.
	cs, _, err := c.Issues.ListComments(ctx, "acme", "ml", 1, nil)
	if err != nil || len(cs) != 30 {
		t.Errorf("default page: %d, %v", len(cs), err)
	}

	made, _, err := c.Issues.CreateComment(ctx, "acme", "ml", 1, &github.IssueComment{Body: github.String(strings.Repeat("é", MaxBody))})
	if err != nil || made.GetUser().GetLogin() != BotLogin || made.GetUser().GetType() != "Bot" {
		t.Fatalf("body at the limit: %+v, %v", made.GetUser(), err)
	}
	_, _, err = c.Issues.EditComment(ctx, "acme", "ml", made.GetID(), &github.IssueComment{Body: github.String(strings.Repeat("x", MaxBody+1))})
	var er *github.ErrorResponse
	if !errors.As(err, &er) || er.Response.StatusCode != http.StatusUnprocessableEntity || len(er.Errors) != 1 ||
		er.Errors[0].Message != "Body is too long (maximum is 65536 characters)" {
		t.Errorf("body over the limit: %v", err)
	}
	// Someone else's comment cannot be edited.
	other := s.Comments("acme/ml", 1)[0].ID
	if _, _, err := c.Issues.EditComment(ctx, "acme", "ml", other, &github.IssueComment{Body: github.String("x")}); !isStatus(err, 403) {
		t.Errorf("editing another's comment: %v", err)
	}
	if _, err := c.Issues.DeleteComment(ctx, "acme", "ml", made.GetID()); err != nil {
		t.Errorf("delete: %v", err)
	}
	if n := len(s.Comments("acme/ml", 1)); n != 205 {
		t.Errorf("%d comments after delete", n)
	}
	if got := s.Count("GET /repos/{owner}/{repo}/issues/{number}/comments"); got != 4 {
		t.Errorf("list count = %d", got)
	}
}

func isStatus(err error, code int) bool {
	var er *github.ErrorResponse
	return errors.As(err, &er) && er.Response.StatusCode == code
}

func TestServer_identityAndReadOnly(t *testing.T) {
	t.Parallel()
	s := New(t)
	c := client(t, s)
	ctx := context.Background()
	if _, _, err := c.Users.Get(ctx, ""); !isStatus(err, 403) || !strings.Contains(err.Error(), "Resource not accessible by integration") {
		t.Errorf("installation token /user: %v", err)
	}
	s.SetUser("octo-dev")
	u, _, err := c.Users.Get(ctx, "")
	if err != nil || u.GetLogin() != "octo-dev" {
		t.Errorf("user token /user: %v, %v", u, err)
	}
	made, _, err := c.Issues.CreateComment(ctx, "acme", "ml", 2, &github.IssueComment{Body: github.String("hi")})
	if err != nil || made.GetUser().GetLogin() != "octo-dev" || made.GetUser().GetType() != "User" {
		t.Errorf("user comment: %+v, %v", made.GetUser(), err)
	}
	s.SetReadOnly(true)
	if _, _, err := c.Issues.CreateComment(ctx, "acme", "ml", 2, &github.IssueComment{Body: github.String("x")}); !isStatus(err, 403) {
		t.Errorf("read-only create: %v", err)
	}
	if _, _, err := c.Issues.ListComments(ctx, "acme", "ml", 2, nil); err != nil {
		t.Errorf("read-only list: %v", err)
	}
	bad := github.NewClient(s.Client()).WithAuthToken("nope")
	bad.BaseURL = c.BaseURL
	if _, _, err := bad.Issues.ListComments(ctx, "acme", "ml", 2, nil); !isStatus(err, 401) {
		t.Errorf("wrong token: %v", err)
	}
}

func TestServer_faults(t *testing.T) {
	t.Parallel()
	s := New(t)
	c := client(t, s)
	ctx := context.Background()
	s.SecondaryRateLimit(1, 42*time.Second)
	_, _, err := c.Issues.ListComments(ctx, "acme", "ml", 1, nil)
	var abuse *github.AbuseRateLimitError
	if !errors.As(err, &abuse) || abuse.RetryAfter == nil || *abuse.RetryAfter != 42*time.Second {
		t.Errorf("secondary limit: %v", err)
	}

	s2 := New(t)
	c2 := client(t, s2)
	s2.PrimaryRateLimit(1, time.Minute)
	_, _, err = c2.PullRequests.ListFiles(ctx, "acme", "ml", 1, nil)
	var rl *github.RateLimitError
	if !errors.As(err, &rl) || !rl.Rate.Reset.Time.Equal(s2.Now().Add(time.Minute)) {
		t.Errorf("primary limit: %v", err)
	}

	s3 := New(t)
	c3 := client(t, s3)
	s3.Inject(1, Fault{Route: "POST /repos/{owner}/{repo}/issues/{number}/comments", Status: 502})
	s3.ServerError(1, 500)
	if _, _, err := c3.Issues.ListComments(ctx, "acme", "ml", 1, nil); !isStatus(err, 500) {
		t.Errorf("untargeted fault: %v", err)
	}
	if _, _, err := c3.Issues.ListComments(ctx, "acme", "ml", 1, nil); err != nil || s3.Pending() != 1 {
		t.Errorf("targeted fault hit another route: %v, %d pending", err, s3.Pending())
	}
	if _, _, err := c3.Issues.CreateComment(ctx, "acme", "ml", 1, &github.IssueComment{Body: github.String("x")}); !isStatus(err, 502) {
		t.Errorf("targeted fault: %v", err)
	}
}

func TestServer_filesAndPulls(t *testing.T) {
	t.Parallel()
	s := New(t)
	c := client(t, s)
	ctx := context.Background()
	var files []File
	for i := range 3100 {
		files = append(files, File{Filename: fmt.Sprintf("f%04d", i), Status: "modified"})
	}
	files[0] = File{Filename: "new.yaml", Status: "renamed", PreviousFilename: "old.yaml"}
	s.SetFiles("acme/ml", 5, files)
	total := 0
	opt := &github.ListOptions{PerPage: 100}
	for {
		fs, resp, err := c.PullRequests.ListFiles(ctx, "acme", "ml", 5, opt)
		if err != nil {
			t.Fatal(err)
		}
		if total == 0 && (fs[0].GetPreviousFilename() != "old.yaml" || fs[0].GetStatus() != "renamed") {
			t.Errorf("rename = %+v", fs[0])
		}
		total += len(fs)
		if resp.NextPage == 0 {
			break
		}
		opt.Page = resp.NextPage
	}
	if total != 3000 {
		t.Errorf("listed %d files, GitHub stops at 3000", total)
	}

	s.LinkCommit("acme/ml", "ABC", PullRequest{Number: 5, State: "closed", Merged: true, MergeCommitSHA: "abc", BaseRef: "main"})
	prs, _, err := c.PullRequests.ListPullRequestsWithCommit(ctx, "acme", "ml", "abc", nil)
	if err != nil || len(prs) != 1 {
		t.Fatalf("pulls: %v, %v", prs, err)
	}
	got := []any{prs[0].GetNumber(), prs[0].GetState(), prs[0].MergedAt != nil, prs[0].GetMergeCommitSHA(), prs[0].GetBase().GetRef()}
	if diff := cmp.Diff([]any{5, "closed", true, "abc", "main"}, got); diff != "" {
		t.Errorf("pull (-want +got):\n%s", diff)
	}
	if prs, _, err := c.PullRequests.ListPullRequestsWithCommit(ctx, "acme", "ml", "unknown", nil); err != nil || len(prs) != 0 {
		t.Errorf("unknown commit: %v, %v", prs, err)
	}
}
