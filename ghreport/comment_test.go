package ghreport

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v60/github"

	"github.com/smpipe/smpipe-action/internal/fakegithub"
)

const testRepo = "acme/ml"

// sleeps records the waits the client asked for instead of sleeping.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(_ context.Context, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.d = append(s.d, d)
	return nil
}

func (s *sleeps) got() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}

type logs struct {
	mu    sync.Mutex
	lines []string
}

func (l *logs) logf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
}

// setup starts a fake GitHub and a client for it whose waits are recorded.
func setup(t *testing.T, prep func(*fakegithub.Server), opts ...ClientOption) (*fakegithub.Server, *Client, *sleeps) {
	t.Helper()
	srv := fakegithub.New(t)
	if prep != nil {
		prep(srv)
	}
	sl := &sleeps{}
	var lg logs
	t.Cleanup(func() {
		for _, line := range lg.lines {
			if strings.Contains(line, fakegithub.Token) {
				t.Errorf("a log line carries the token: %s", line)
			}
		}
	})
	opts = append([]ClientOption{
		WithHTTPClient(srv.Client()),
		WithSleep(sl.sleep),
		WithClock(srv.Now),
		WithLogf(lg.logf),
	}, opts...)
	c, err := NewClient(context.Background(), fakegithub.Token, strings.TrimSuffix(srv.URL(), "/"), opts...)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return srv, c, sl
}

func planMarker(head string, run int64, attempt int) Marker {
	return Marker{Kind: KindPlan, PR: 42, Base: "base", Head: head, Run: run, Attempt: attempt, Defs: map[string]string{"p": "sha256:" + head}}
}

func planBody(m Marker, text string) string { return m.String() + "\n" + text + "\n" }

const commentsRoute = "GET /repos/{owner}/{repo}/issues/{number}/comments"

func TestUpsert_createThenEditThenUnchanged(t *testing.T) {
	t.Parallel()
	srv, c, _ := setup(t, nil)
	ctx := context.Background()

	m1 := planMarker("aaa", 100, 1)
	out, err := Upsert(ctx, c, "acme", "ml", 42, planBody(m1, "first"), m1)
	if err != nil || out.Action != Created || out.CommentID == 0 {
		t.Fatalf("first run: %+v, %v", out, err)
	}
	m2 := planMarker("bbb", 101, 1)
	out2, err := Upsert(ctx, c, "acme", "ml", 42, planBody(m2, "second"), m2)
	if err != nil || out2.Action != Updated || out2.CommentID != out.CommentID {
		t.Fatalf("second run: %+v, %v", out2, err)
	}
	out3, err := Upsert(ctx, c, "acme", "ml", 42, planBody(m2, "second"), m2)
	if err != nil || out3.Action != Unchanged {
		t.Fatalf("same body again: %+v, %v", out3, err)
	}
	got := srv.Comments(testRepo, 42)
	if len(got) != 1 || got[0].Body != planBody(m2, "second") || got[0].Author != BotLogin || !got[0].Bot {
		t.Errorf("comments = %+v", got)
	}
	if n := srv.Count("PATCH /repos/{owner}/{repo}/issues/comments/{id}"); n != 1 {
		t.Errorf("%d edits, want 1 (identical bodies are not rewritten)", n)
	}
}

func TestUpsert_oursOnThirdPage(t *testing.T) {
	t.Parallel()
	old := planMarker("aaa", 100, 1)
	var ours int64
	srv, c, _ := setup(t, func(s *fakegithub.Server) {
		for i := range 250 {
			switch i {
			case 10:
				// Someone quoting our marker is not us.
				s.AddComment(testRepo, 42, "mallory", planBody(old, "fake"))
			case 230:
				ours = s.AddComment(testRepo, 42, BotLogin, planBody(old, "ours"))
			default:
				s.AddComment(testRepo, 42, "reviewer", fmt.Sprintf("comment %d", i))
			}
		}
	})
	m := planMarker("bbb", 101, 1)
	out, err := Upsert(context.Background(), c, "acme", "ml", 42, planBody(m, "new"), m)
	if err != nil || out.Action != Updated || out.CommentID != ours {
		t.Fatalf("got %+v, %v; want an edit of comment %d", out, err, ours)
	}
	if n := srv.Count(commentsRoute); n != 3 {
		t.Errorf("%d list requests, want 3 pages of 100", n)
	}
	if n := len(srv.Comments(testRepo, 42)); n != 250 {
		t.Errorf("%d comments, want 250 (nothing created)", n)
	}
}

// A marker is text: one claiming a newer run (or any run at all) does not
// keep the next run from writing. Before, a forged marker with a huge run
// number froze the comment.
func TestUpsert_markerRunsDecideNothing(t *testing.T) {
	t.Parallel()
	for _, existing := range []Marker{planMarker("new", 1<<40, 1), planMarker("new", 200, 9), planMarker("old", 199, 1)} {
		srv, c, _ := setup(t, func(s *fakegithub.Server) {
			s.AddComment(testRepo, 42, BotLogin, planBody(existing, "existing"))
		})
		incoming := planMarker("cur", 200, 1)
		out, err := Upsert(context.Background(), c, "acme", "ml", 42, planBody(incoming, "incoming"), incoming)
		if err != nil || out.Action != Updated {
			t.Fatalf("over run %d: got %+v, %v; want updated", existing.Run, out, err)
		}
		if body := srv.Comments(testRepo, 42)[0].Body; body != planBody(incoming, "incoming") {
			t.Errorf("body after = %q", body)
		}
	}
}

func TestUpsert_forkTokenCannotWrite(t *testing.T) {
	t.Parallel()
	for _, existing := range []bool{false, true} {
		t.Run(fmt.Sprint("existing=", existing), func(t *testing.T) {
			t.Parallel()
			old := planMarker("aaa", 1, 1)
			srv, c, sl := setup(t, func(s *fakegithub.Server) {
				if existing {
					s.AddComment(testRepo, 42, BotLogin, planBody(old, "old"))
				}
				s.SetReadOnly(true)
			})
			m := planMarker("bbb", 2, 1)
			out, err := Upsert(context.Background(), c, "acme", "ml", 42, planBody(m, "plan"), m)
			if err != nil || out.Action != NoPermission {
				t.Fatalf("got %+v, %v; want NoPermission and no error", out, err)
			}
			if got := srv.Comments(testRepo, 42); len(got) != btoi(existing) || existing && got[0].Body != planBody(old, "old") {
				t.Errorf("comments changed: %+v", got)
			}
			if len(sl.got()) != 0 {
				t.Errorf("a permission refusal was retried: %v", sl.got())
			}
		})
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestUpsert_duplicatesEditOldest(t *testing.T) {
	t.Parallel()
	old := planMarker("aaa", 1, 1)
	var first int64
	srv, c, _ := setup(t, func(s *fakegithub.Server) {
		first = s.AddComment(testRepo, 42, BotLogin, planBody(old, "one"))
		s.AddComment(testRepo, 42, BotLogin, planBody(old, "two"))
	})
	m := planMarker("bbb", 2, 1)
	out, err := Upsert(context.Background(), c, "acme", "ml", 42, planBody(m, "new"), m)
	if err != nil || out.Action != Updated || out.CommentID != first || out.Duplicates != 1 {
		t.Fatalf("got %+v, %v", out, err)
	}
	if got := srv.Comments(testRepo, 42); got[1].Body != planBody(old, "two") {
		t.Errorf("the newer duplicate was touched: %q", got[1].Body)
	}
}

func TestUpsert_ninetyThousandCharacterReport(t *testing.T) {
	t.Parallel()
	srv, c, _ := setup(t, nil)
	r := report(bigPipeline("a", 20, 400), bigPipeline("b", 20, 300))
	if n := len([]rune(Summary(r))); n < 90000 {
		t.Fatalf("report is only %d characters", n)
	}
	body, info := Markdown(r, MarkdownOptions{})
	out, err := Upsert(context.Background(), c, "acme", "ml", 42, body, info.Marker)
	if err != nil || out.Action != Created {
		t.Fatalf("got %+v, %v", out, err)
	}
	got := srv.Comments(testRepo, 42)
	if len(got) != 1 || got[0].Body != body {
		t.Fatalf("comment not stored")
	}
	m, _ := ParseMarker(got[0].Body)
	if !m.Truncated || m.Defs["a"] != hashB {
		t.Errorf("marker = %+v", m)
	}
}

func TestUpsert_refusesOversizedBody(t *testing.T) {
	t.Parallel()
	srv, c, _ := setup(t, nil)
	m := planMarker("a", 1, 1)
	_, err := Upsert(context.Background(), c, "acme", "ml", 42, planBody(m, strings.Repeat("é", MaxCommentChars)), m)
	if err == nil || !strings.Contains(err.Error(), "over GitHub's 65536") {
		t.Errorf("err = %v", err)
	}
	if n := srv.Total() - srv.Count("GET /user"); n != 0 {
		t.Errorf("%d requests sent for a body GitHub would refuse", n)
	}
}

func TestUpdateExisting(t *testing.T) {
	t.Parallel()
	r := report()
	r.NothingTouched = true
	body, info := Markdown(r, MarkdownOptions{})

	srv, c, _ := setup(t, nil)
	out, err := UpdateExisting(context.Background(), c, "acme", "ml", 42, body, info.Marker)
	if err != nil || out.Action != Skipped || len(srv.Comments(testRepo, 42)) != 0 {
		t.Fatalf("no comment yet: %+v, %v, %d comments", out, err, len(srv.Comments(testRepo, 42)))
	}

	old := planMarker("aaa", 1, 1)
	srv2, c2, _ := setup(t, func(s *fakegithub.Server) { s.AddComment(testRepo, 42, BotLogin, planBody(old, "a plan")) })
	out, err = UpdateExisting(context.Background(), c2, "acme", "ml", 42, body, info.Marker)
	if err != nil || out.Action != Updated {
		t.Fatalf("existing comment: %+v, %v", out, err)
	}
	if got := srv2.Comments(testRepo, 42)[0].Body; !strings.Contains(got, "no pipeline touched") {
		t.Errorf("comment not rewritten: %q", got)
	}
}

func TestPostDeployResult_onePerHead(t *testing.T) {
	t.Parallel()
	srv, c, _ := setup(t, func(s *fakegithub.Server) {
		s.AddComment(testRepo, 42, BotLogin, planBody(planMarker("h1", 1, 1), "the plan"))
	})
	ctx := context.Background()
	m := Marker{PR: 42, Head: "h1", Run: 5, Attempt: 1}
	steps := []struct {
		m    Marker
		body string
		want Action
	}{
		{m, "deploying", Created},
		{m, "deployed", Updated},
		{Marker{PR: 42, Head: "h2", Run: 6, Attempt: 1}, "deployed h2", Created},
	}
	for _, s := range steps {
		out, err := PostDeployResult(ctx, c, "acme", "ml", 42, s.m, s.body, true)
		if err != nil || out.Action != s.want {
			t.Fatalf("%s: got %+v, %v; want %s", s.body, out, err, s.want)
		}
	}
	got := srv.Comments(testRepo, 42)
	var kinds []string
	for _, cm := range got {
		mk, _ := ParseMarker(cm.Body)
		kinds = append(kinds, mk.Kind+":"+mk.Head)
	}
	if diff := cmp.Diff([]string{"plan:h1", "deploy:h1", "deploy:h2"}, kinds); diff != "" {
		t.Errorf("comments (-want +got):\n%s", diff)
	}
	if !strings.HasSuffix(got[1].Body, "\ndeployed") {
		t.Errorf("deploy comment = %q", got[1].Body)
	}
}

// Two jobs planning one pull request (two roots, or a matrix over
// accounts) used to overwrite one comment in turn. Each label keeps its own,
// and the unlabelled plan of older releases stays the unlabelled one's.
func TestUpsert_eachLabelKeepsItsComment(t *testing.T) {
	t.Parallel()
	srv, c, _ := setup(t, nil)
	ctx := context.Background()
	post := func(label, head string, run int64) Outcome {
		t.Helper()
		m := planMarker(head, run, 1)
		m.Label = label
		out, err := Upsert(ctx, c, "acme", "ml", 42, planBody(m, label+" at "+head), m)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	east, west := post("east", "h1", 1), post("west", "h1", 2)
	if east.Action != Created || west.Action != Created || east.CommentID == west.CommentID {
		t.Fatalf("first plans: %+v, %+v", east, west)
	}
	if out := post("", "h1", 3); out.Action != Created {
		t.Fatalf("unlabelled plan: %+v", out)
	}
	// The next push: each label edits its own comment, whatever the order.
	if out := post("west", "h2", 4); out.Action != Updated || out.CommentID != west.CommentID {
		t.Errorf("west again: %+v", out)
	}
	if out := post("east", "h2", 5); out.Action != Updated || out.CommentID != east.CommentID {
		t.Errorf("east again: %+v", out)
	}
	var got []string
	for _, cm := range srv.Comments(testRepo, 42) {
		_, text, _ := strings.Cut(cm.Body, "\n")
		got = append(got, strings.TrimSpace(text))
	}
	if diff := cmp.Diff([]string{"east at h2", "west at h2", "at h1"}, got); diff != "" {
		t.Errorf("comments (-want +got):\n%s", diff)
	}
}

// always-new: every run adds a comment and marks the ones before it (of
// its label) outdated, linking the new one; an outdated comment is history
// and never edited again; an older run arriving late adds nothing.
func TestPostNew(t *testing.T) {
	t.Parallel()
	srv, c, _ := setup(t, func(s *fakegithub.Server) {
		other := planMarker("h0", 1, 1)
		other.Label = "other"
		s.AddComment(testRepo, 42, BotLogin, planBody(other, "another label's plan"))
	})
	ctx := context.Background()
	var outs []Outcome
	for i, head := range []string{"ead1", "ead2", "ead3"} {
		m := planMarker(head, int64(10+i), 1)
		out, err := PostNew(ctx, c, "acme", "ml", 42, planBody(m, "plan of "+head), m)
		if err != nil || out.Action != Created || out.Outdated != min(i, 1) {
			t.Fatalf("run %d: %+v, %v", i, out, err)
		}
		outs = append(outs, out)
	}
	cs := srv.Comments(testRepo, 42)
	if len(cs) != 4 {
		t.Fatalf("%d comments, want the other label's and three plans", len(cs))
	}
	if cs[0].Body != planBody(func() Marker { m := planMarker("h0", 1, 1); m.Label = "other"; return m }(), "another label's plan") {
		t.Errorf("another label's comment was touched: %q", cs[0].Body)
	}
	for i, cm := range cs[1:] {
		m, ok := ParseMarker(cm.Body)
		if !ok || m.Outdated != (i < 2) {
			t.Errorf("comment %d: marker %+v, want outdated = %v", i, m, i < 2)
		}
		if i < 2 {
			wantLink := "[the current plan](" + outs[i+1].URL + ") for head `ead" + string(rune('2'+i)) + "`"
			if !strings.Contains(cm.Body, wantLink) || !strings.HasSuffix(cm.Body, "plan of ead"+string(rune('1'+i))+"\n") {
				t.Errorf("outdated comment %d lacks %q or its old text:\n%s", i, wantLink, cm.Body)
			}
		}
	}
	if n := srv.Count("PATCH /repos/{owner}/{repo}/issues/comments/{id}"); n != 2 {
		t.Errorf("%d edits, want 2 (an outdated comment is never edited again)", n)
	}
}

func TestPostDeployResult_perLabelAndOnlyExisting(t *testing.T) {
	t.Parallel()
	srv, c, _ := setup(t, nil)
	ctx := context.Background()
	east, west := Marker{PR: 42, Head: "m1", Label: "east"}, Marker{PR: 42, Head: "m1", Label: "west"}
	if out, err := PostDeployResult(ctx, c, "acme", "ml", 42, east, "nothing changed", false); err != nil || out.Action != Skipped {
		t.Fatalf("only-existing with none: %+v, %v", out, err)
	}
	for _, m := range []Marker{east, west} {
		if out, err := PostDeployResult(ctx, c, "acme", "ml", 42, m, "deployed "+m.Label, true); err != nil || out.Action != Created {
			t.Fatalf("%s: %+v, %v", m.Label, out, err)
		}
	}
	if out, err := PostDeployResult(ctx, c, "acme", "ml", 42, west, "re-run: unchanged", false); err != nil || out.Action != Updated {
		t.Fatalf("only-existing with one: %+v, %v", out, err)
	}
	cs := srv.Comments(testRepo, 42)
	if len(cs) != 2 || !strings.HasSuffix(cs[0].Body, "deployed east") || !strings.HasSuffix(cs[1].Body, "re-run: unchanged") {
		t.Errorf("comments = %+v", cs)
	}
}

func TestMergedPullRequests(t *testing.T) {
	t.Parallel()
	_, c, _ := setup(t, func(s *fakegithub.Server) {
		s.LinkCommit(testRepo, "m1",
			fakegithub.PullRequest{Number: 3, State: "open"},
			fakegithub.PullRequest{Number: 4, State: "closed", Merged: true, MergeCommitSHA: "other", HeadSHA: "h4", BaseRef: "main"},
			fakegithub.PullRequest{Number: 5, State: "closed", Merged: true, MergeCommitSHA: "m1", BaseRef: "main", HeadSHA: "h5", Author: "ana"})
		s.LinkCommit(testRepo, "m3", fakegithub.PullRequest{Number: 10, State: "open"})
		// Closed without merging, but with a merge_commit_sha (GitHub's test merge).
		s.LinkCommit(testRepo, "m4", fakegithub.PullRequest{Number: 11, State: "closed", MergeCommitSHA: "m4"})
	})
	tests := []struct {
		sha      string
		want     []PullRequest
		mergedAs int
	}{
		{"m1", []PullRequest{{Number: 4, HeadSHA: "h4", BaseRef: "main", MergeCommitSHA: "other", Author: fakegithub.DefaultAuthor},
			{Number: 5, HeadSHA: "h5", BaseRef: "main", MergeCommitSHA: "m1", Author: "ana"}}, 5},
		{"m3", nil, 0},
		{"m4", nil, 0},
		{"direct", nil, 0},
	}
	for _, tt := range tests {
		got, err := MergedPullRequests(context.Background(), c, "acme", "ml", tt.sha)
		if err != nil || !cmp.Equal(got, tt.want) {
			t.Errorf("MergedPullRequests(%s) = %+v, %v; want %+v", tt.sha, got, err, tt.want)
		}
		if pr, ok := MergedAs(got, tt.sha); pr.Number != tt.mergedAs || ok != (tt.mergedAs != 0) {
			t.Errorf("MergedAs(%s) = #%d, %v; want #%d", tt.sha, pr.Number, ok, tt.mergedAs)
		}
	}
}

func TestListReviews_allPages(t *testing.T) {
	t.Parallel()
	var want []Review
	srv, c, _ := setup(t, nil)
	for i := range 130 {
		state := "COMMENTED"
		if i%3 == 0 {
			state = "APPROVED"
		}
		r := srv.AddReview(testRepo, 42, fakegithub.Review{User: fmt.Sprintf("u%d", i), State: state, CommitID: fmt.Sprintf("c%d", i)})
		want = append(want, Review{ID: r.ID, User: r.User, UserType: "User", State: state, CommitID: r.CommitID})
	}
	got, err := ListReviews(context.Background(), c, "acme", "ml", 42)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("reviews (-want +got):\n%s", diff)
	}
}

func TestListPRFiles_pagesAndRenames(t *testing.T) {
	t.Parallel()
	var files []fakegithub.File
	var want []ChangedFile
	for i := range 250 {
		f := fakegithub.File{Filename: fmt.Sprintf("pipelines/p%03d/conf/conf.yaml", i), Status: "modified"}
		if i == 249 {
			f.Status, f.PreviousFilename = "renamed", "old/conf/conf.yaml"
		}
		files = append(files, f)
		want = append(want, ChangedFile{Filename: f.Filename, PreviousFilename: f.PreviousFilename, Status: f.Status})
	}
	srv, c, _ := setup(t, func(s *fakegithub.Server) { s.SetFiles(testRepo, 42, files) })
	got, err := ListPRFiles(context.Background(), c, "acme", "ml", 42)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	if n := srv.Count("GET /repos/{owner}/{repo}/pulls/{number}/files"); n != 3 {
		t.Errorf("%d requests, want 3", n)
	}
}

func TestNewClient_identity(t *testing.T) {
	t.Parallel()
	_, bot, _ := setup(t, nil)
	if bot.Author() != BotLogin {
		t.Errorf("installation token author = %q", bot.Author())
	}
	_, user, _ := setup(t, func(s *fakegithub.Server) { s.SetUser("octo-dev") })
	if user.Author() != "octo-dev" {
		t.Errorf("user token author = %q", user.Author())
	}
	srv, app, _ := setup(t, nil, WithAuthor("my-app[bot]"))
	if app.Author() != "my-app[bot]" || srv.Count("GET /user") != 0 {
		t.Errorf("explicit author = %q after %d lookups", app.Author(), srv.Count("GET /user"))
	}
}

func TestNewClient_badTokenAndURL(t *testing.T) {
	t.Parallel()
	srv := fakegithub.New(t)
	_, err := NewClient(context.Background(), "wrong-token", srv.URL(), WithHTTPClient(srv.Client()))
	var er *github.ErrorResponse
	if !errors.As(err, &er) || er.Response.StatusCode != http.StatusUnauthorized {
		t.Errorf("bad token: %v", err)
	}
	if err != nil && strings.Contains(err.Error(), "wrong-token") {
		t.Errorf("error shows the token: %v", err)
	}
	if _, err := NewClient(context.Background(), "", srv.URL()); err == nil {
		t.Error("empty token accepted")
	}
	if _, err := NewClient(context.Background(), "t", "ftp://x"); err == nil {
		t.Error("non-http API URL accepted")
	}
}

func TestAPIBase(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"":                            "https://api.github.com/",
		"https://api.github.com":      "https://api.github.com/",
		"https://ghe.example/api/v3":  "https://ghe.example/api/v3/",
		"https://ghe.example/api/v3/": "https://ghe.example/api/v3/",
	} {
		u, err := apiBase(in)
		if err != nil || u.String() != want {
			t.Errorf("apiBase(%q) = %v, %v; want %s", in, u, err, want)
		}
	}
}
