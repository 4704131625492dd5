package ghreport

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/smpipe/smpipe-action/internal/sleep"
)

// RetryPolicy bounds how the client waits out rate limits and server
// errors. The zero value of a field takes the default shown.
type RetryPolicy struct {
	MaxAttempts int           // tries per request, first included (6)
	MaxWait     time.Duration // longest single wait (2m); longer asks give up at once
	MaxTotal    time.Duration // longest total wait per request (5m)
	BaseBackoff time.Duration // first 5xx backoff, doubled each time (1s)
	// SecondaryWait is the wait for a secondary rate limit that names no
	// Retry-After (60s, doubled each time, as GitHub asks).
	SecondaryWait time.Duration
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = 6
	}
	if p.MaxWait <= 0 {
		p.MaxWait = 2 * time.Minute
	}
	if p.MaxTotal <= 0 {
		p.MaxTotal = 5 * time.Minute
	}
	if p.BaseBackoff <= 0 {
		p.BaseBackoff = time.Second
	}
	if p.SecondaryWait <= 0 {
		p.SecondaryWait = time.Minute
	}
	return p
}

// retryTransport retries GitHub answers that say "later": 403/429 with
// Retry-After or a secondary rate limit message, 403/429 with
// x-ratelimit-remaining 0 (until x-ratelimit-reset), and 5xx with
// exponential backoff. Every wait goes through sleep and every "now"
// through now, so tests never sleep. Requests never carry the token in
// anything it logs: only method and path are logged.
type retryTransport struct {
	base   http.RoundTripper
	policy RetryPolicy
	sleep  func(ctx context.Context, d time.Duration) error
	now    func() time.Time
	logf   func(format string, args ...any)

	mu           sync.Mutex
	blockedUntil time.Time // primary limit exhausted by a successful answer
}

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	var waited time.Duration
	for attempt := 1; ; attempt++ {
		if d := t.primaryWait(); d > 0 && waited+d <= t.policy.MaxTotal && d <= t.policy.MaxWait {
			t.logf("GitHub API rate limit used up; waiting %s before %s %s", d, req.Method, req.URL.Path)
			if err := t.sleep(ctx, d); err != nil {
				return nil, err
			}
			waited += d
		}
		try, err := rewind(req, attempt)
		if err != nil {
			return nil, err
		}
		resp, err := t.base.RoundTrip(try)
		if err != nil {
			return nil, err
		}
		d, why := t.delay(req, resp, attempt)
		if why == "" {
			t.notePrimary(resp)
			return resp, nil
		}
		if attempt >= t.policy.MaxAttempts || d > t.policy.MaxWait || waited+d > t.policy.MaxTotal {
			t.logf("GitHub API %s on %s %s; giving up after %d attempts", why, req.Method, req.URL.Path, attempt)
			return resp, nil
		}
		drain(resp)
		t.logf("GitHub API %s on %s %s; retrying in %s (attempt %d of %d)", why, req.Method, req.URL.Path, d, attempt+1, t.policy.MaxAttempts)
		if err := t.sleep(ctx, d); err != nil {
			return nil, err
		}
		waited += d
	}
}

// rewind returns req ready to send again: the first attempt as is, later
// ones with a fresh body.
func rewind(req *http.Request, attempt int) (*http.Request, error) {
	if attempt == 1 || req.Body == nil || req.Body == http.NoBody {
		return req, nil
	}
	if req.GetBody == nil {
		return nil, fmt.Errorf("retrying %s %s: request body cannot be replayed", req.Method, req.URL.Path)
	}
	body, err := req.GetBody()
	if err != nil {
		return nil, fmt.Errorf("retrying %s %s: %w", req.Method, req.URL.Path, err)
	}
	r := req.Clone(req.Context())
	r.Body = body
	return r, nil
}

// delay decides whether resp asks for a retry, how long to wait and why.
func (t *retryTransport) delay(req *http.Request, resp *http.Response, attempt int) (time.Duration, string) {
	backoff := func(base time.Duration) time.Duration {
		return sleep.Backoff(attempt-1, base, base<<20)
	}
	switch code := resp.StatusCode; {
	case code == http.StatusForbidden || code == http.StatusTooManyRequests:
		if d, ok := retryAfter(resp.Header.Get("Retry-After"), t.now()); ok {
			return d, "rate limit (Retry-After)"
		}
		if resp.Header.Get("X-RateLimit-Remaining") == "0" {
			if reset, ok := unixHeader(resp.Header.Get("X-RateLimit-Reset")); ok {
				return max(reset.Sub(t.now()), 0) + time.Second, "rate limit (reset)"
			}
		}
		if code == http.StatusTooManyRequests || secondaryLimit(resp) {
			return backoff(t.policy.SecondaryWait), "secondary rate limit"
		}
	case code >= 500 && code <= 599:
		// A POST that failed with 500/502/504 may have been applied; only a
		// 503 says it was not. Retrying a comment creation could post it
		// twice.
		if req.Method == http.MethodPost && code != http.StatusServiceUnavailable {
			return 0, ""
		}
		return backoff(t.policy.BaseBackoff), "server error " + strconv.Itoa(code)
	}
	return 0, ""
}

// secondaryLimit reports whether a 403 body is GitHub's secondary rate
// limit message, leaving the body readable.
func secondaryLimit(resp *http.Response) bool {
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(b))
	if err != nil {
		return false
	}
	s := strings.ToLower(string(b))
	return strings.Contains(s, "secondary rate limit") || strings.Contains(s, "abuse")
}

// notePrimary remembers a successful answer that used up the primary rate
// limit, and hides that from go-github: v60 would otherwise refuse every
// request until the reset without asking this transport, which waits
// instead (within its bounds) before the next request.
func (t *retryTransport) notePrimary(resp *http.Response) {
	if resp.Header.Get("X-RateLimit-Remaining") != "0" || resp.StatusCode >= 300 {
		return
	}
	reset, ok := unixHeader(resp.Header.Get("X-RateLimit-Reset"))
	if !ok {
		return
	}
	t.mu.Lock()
	t.blockedUntil = reset.Add(time.Second)
	t.mu.Unlock()
	resp.Header.Del("X-RateLimit-Remaining")
	resp.Header.Del("X-RateLimit-Reset")
}

func (t *retryTransport) primaryWait() time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.blockedUntil.IsZero() {
		return 0
	}
	d := t.blockedUntil.Sub(t.now())
	t.blockedUntil = time.Time{}
	return max(d, 0)
}

// retryAfter parses a Retry-After header: seconds or an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n >= 0 {
		return time.Duration(n) * time.Second, true
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(at.Sub(now), 0), true
	}
	return 0, false
}

func unixHeader(v string) (time.Time, bool) {
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || n <= 0 {
		return time.Time{}, false
	}
	return time.Unix(n, 0), true
}

func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	_ = resp.Body.Close()
}
