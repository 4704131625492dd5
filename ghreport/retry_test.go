package ghreport

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v60/github"

	"github.com/smpipe/smpipe-action/internal/fakegithub"
)

func TestClient_retries(t *testing.T) {
	t.Parallel()
	s := time.Second
	tests := []struct {
		name       string
		faults     func(*fakegithub.Server)
		policy     RetryPolicy
		wantSleeps []time.Duration
		wantErr    bool
		wantCalls  int // list requests, faults included
	}{
		{"secondary limit with Retry-After", func(f *fakegithub.Server) { f.SecondaryRateLimit(2, 30*s) },
			RetryPolicy{}, []time.Duration{30 * s, 30 * s}, false, 3},
		{"secondary limit without Retry-After", func(f *fakegithub.Server) { f.SecondaryRateLimit(2, 0) },
			RetryPolicy{}, []time.Duration{60 * s, 120 * s}, false, 3},
		{"primary limit waits until reset", func(f *fakegithub.Server) { f.PrimaryRateLimit(1, 90*s) },
			RetryPolicy{}, []time.Duration{91 * s}, false, 2},
		{"5xx backs off exponentially", func(f *fakegithub.Server) { f.ServerError(3, http.StatusBadGateway) },
			RetryPolicy{}, []time.Duration{1 * s, 2 * s, 4 * s}, false, 4},
		{"5xx bounded by attempts", func(f *fakegithub.Server) { f.ServerError(10, http.StatusInternalServerError) },
			RetryPolicy{MaxAttempts: 4}, []time.Duration{1 * s, 2 * s, 4 * s}, true, 4},
		{"bounded by total wait", func(f *fakegithub.Server) { f.SecondaryRateLimit(10, 50*s) },
			RetryPolicy{MaxTotal: 2 * time.Minute}, []time.Duration{50 * s, 50 * s}, true, 3},
		{"too long a wait gives up at once", func(f *fakegithub.Server) { f.SecondaryRateLimit(1, time.Hour) },
			RetryPolicy{}, nil, true, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, c, sl := setup(t, func(s *fakegithub.Server) {
				s.AddComment(testRepo, 42, "someone", "hello")
			}, WithRetryPolicy(tt.policy))
			tt.faults(srv)
			found, err := findOurs(context.Background(), c, "acme", "ml", 42, sameLabel(Marker{Kind: KindPlan}))
			if (err != nil) != tt.wantErr || len(found) > 0 {
				t.Fatalf("err = %v, found = %v; want error %v", err, found, tt.wantErr)
			}
			if diff := cmp.Diff(tt.wantSleeps, sl.got()); diff != "" {
				t.Errorf("sleeps (-want +got):\n%s", diff)
			}
			if n := srv.Count(commentsRoute); n != tt.wantCalls {
				t.Errorf("%d requests, want %d", n, tt.wantCalls)
			}
		})
	}
}

func TestClient_retriesReplayTheBody(t *testing.T) {
	t.Parallel()
	srv, c, sl := setup(t, func(s *fakegithub.Server) {
		s.AddComment(testRepo, 42, BotLogin, planBody(planMarker("a", 1, 1), "old"))
	})
	m := planMarker("b", 2, 1)
	const edit = "PATCH /repos/{owner}/{repo}/issues/comments/{id}"
	srv.ServerError(1, http.StatusServiceUnavailable) // the list
	srv.Inject(1, fakegithub.Fault{Route: edit, Status: http.StatusForbidden, Secondary: true, RetryAfter: 5 * time.Second})
	srv.Inject(1, fakegithub.Fault{Route: edit, Status: http.StatusBadGateway})
	out, err := Upsert(context.Background(), c, "acme", "ml", 42, planBody(m, "new"), m)
	if err != nil || out.Action != Updated {
		t.Fatalf("got %+v, %v", out, err)
	}
	if got := srv.Comments(testRepo, 42)[0].Body; got != planBody(m, "new") {
		t.Errorf("body after retries = %q", got)
	}
	if diff := cmp.Diff([]time.Duration{time.Second, 5 * time.Second, 2 * time.Second}, sl.got()); diff != "" {
		t.Errorf("sleeps (-want +got):\n%s", diff)
	}
}

func TestClient_createIsNotRetriedOnAmbiguous5xx(t *testing.T) {
	t.Parallel()
	const create = "POST /repos/{owner}/{repo}/issues/{number}/comments"
	srv, c, sl := setup(t, nil)
	srv.Inject(1, fakegithub.Fault{Route: create, Status: http.StatusBadGateway})
	m := planMarker("b", 2, 1)
	_, err := Upsert(context.Background(), c, "acme", "ml", 42, planBody(m, "x"), m)
	var er *github.ErrorResponse
	if !errors.As(err, &er) || er.Response.StatusCode != http.StatusBadGateway {
		t.Fatalf("err = %v, want the 502", err)
	}
	if len(sl.got()) != 0 || srv.Count(create) != 1 {
		t.Errorf("a 502 on create was retried: sleeps %v, %d posts", sl.got(), srv.Count(create))
	}
	// A 503 says the request was not processed: that is retried.
	srv.Inject(1, fakegithub.Fault{Route: create, Status: http.StatusServiceUnavailable})
	if out, err := Upsert(context.Background(), c, "acme", "ml", 42, planBody(m, "x"), m); err != nil || out.Action != Created {
		t.Fatalf("after 503: %+v, %v", out, err)
	}
	if len(srv.Comments(testRepo, 42)) != 1 {
		t.Errorf("comments = %d", len(srv.Comments(testRepo, 42)))
	}
}

func TestClient_primaryLimitUsedUpBySuccess(t *testing.T) {
	t.Parallel()
	// A successful answer with x-ratelimit-remaining 0 must not make
	// go-github refuse the next request locally: the transport waits.
	var calls int
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		calls++
		h := http.Header{"Content-Type": {"application/json"}}
		if calls == 1 {
			h.Set("X-RateLimit-Remaining", "0")
			h.Set("X-RateLimit-Reset", strconv.FormatInt(now.Add(time.Hour).Unix(), 10))
		}
		body := `[]`
		if r.URL.Path == "/api/v3/user" {
			body = `{"login":"u"}`
		}
		return &http.Response{StatusCode: 200, Header: h, Body: ioNopCloser(body), Request: r}, nil
	})
	sl := &sleeps{}
	c, err := NewClient(context.Background(), "tok", "https://ghe.example/api/v3",
		WithHTTPClient(&http.Client{Transport: rt}), WithSleep(sl.sleep), WithClock(func() time.Time { return now }),
		WithRetryPolicy(RetryPolicy{MaxWait: 2 * time.Hour, MaxTotal: 2 * time.Hour}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ListPRFiles(context.Background(), c, "acme", "ml", 1); err != nil {
		t.Fatalf("request after a used-up limit: %v", err)
	}
	if diff := cmp.Diff([]time.Duration{time.Hour + time.Second}, sl.got()); diff != "" {
		t.Errorf("sleeps (-want +got):\n%s", diff)
	}
	if calls != 2 {
		t.Errorf("%d calls", calls)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func ioNopCloser(s string) *nopBody { return &nopBody{strings.NewReader(s)} }

type nopBody struct{ *strings.Reader }

func (nopBody) Close() error { return nil }

func TestClient_contextCancelStopsWaiting(t *testing.T) {
	t.Parallel()
	srv, c, _ := setup(t, nil, WithSleep(func(ctx context.Context, d time.Duration) error { return context.Canceled }))
	srv.ServerError(1, http.StatusServiceUnavailable)
	_, err := findOurs(context.Background(), c, "acme", "ml", 42, sameLabel(Marker{Kind: KindPlan}))
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v", err)
	}
}
