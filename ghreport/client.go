package ghreport

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/smpipe/smpipe-action/internal/sleep"
)

// DefaultAPIURL is GitHub.com's REST API, used when GITHUB_API_URL is empty.
const DefaultAPIURL = "https://api.github.com/"

// BotLogin is the author of comments written with the workflow's
// GITHUB_TOKEN, which is a GitHub App installation token.
const BotLogin = "github-actions[bot]"

// Client is a go-github v60 client behind a retrying transport, plus the
// login whose comments are ours.
type Client struct {
	gh     *github.Client
	author string
}

// ClientOption configures NewClient.
type ClientOption func(*clientConfig)

type clientConfig struct {
	http   *http.Client
	policy RetryPolicy
	sleep  func(ctx context.Context, d time.Duration) error
	now    func() time.Time
	logf   func(format string, args ...any)
	author string
}

// WithHTTPClient sends requests through c's transport (default
// http.DefaultTransport) and timeout.
func WithHTTPClient(c *http.Client) ClientOption { return func(o *clientConfig) { o.http = c } }

// WithRetryPolicy bounds retries (see RetryPolicy for the defaults).
func WithRetryPolicy(p RetryPolicy) ClientOption { return func(o *clientConfig) { o.policy = p } }

// WithSleep replaces the wait between retries (tests record instead).
func WithSleep(f func(ctx context.Context, d time.Duration) error) ClientOption {
	return func(o *clientConfig) { o.sleep = f }
}

// WithClock replaces time.Now for rate-limit reset arithmetic.
func WithClock(now func() time.Time) ClientOption { return func(o *clientConfig) { o.now = now } }

// WithLogf receives one line per retry (method and path; never the token).
func WithLogf(f func(format string, args ...any)) ClientOption {
	return func(o *clientConfig) { o.logf = f }
}

// WithAuthor sets the login whose comments are ours and skips the lookup.
func WithAuthor(login string) ClientOption { return func(o *clientConfig) { o.author = login } }

// NewClient returns a client for the REST API at apiURL (GITHUB_API_URL:
// "https://api.github.com" or, on GitHub Enterprise Server,
// "https://ghe.example/api/v3"; a trailing slash is added; empty means
// GitHub.com) authenticated with token.
//
// It then decides whose comments are ours, once: the login GET /user
// answers for a user token (a PAT or an App's user token); when that
// answers 403 or 404, as it does for the workflow's GITHUB_TOKEN (an
// installation token: "Resource not accessible by integration"), the
// comments are authored by "github-actions[bot]". WithAuthor skips the
// request (use it for a custom GitHub App's "<slug>[bot]").
func NewClient(ctx context.Context, token, apiURL string, opts ...ClientOption) (*Client, error) {
	if token == "" {
		return nil, errors.New("creating GitHub client: no token (set the github-token input or GITHUB_TOKEN)")
	}
	cfg := clientConfig{
		sleep: sleep.Context,
		now:   time.Now,
		logf:  func(string, ...any) {},
	}
	for _, o := range opts {
		o(&cfg)
	}
	base, err := apiBase(apiURL)
	if err != nil {
		return nil, err
	}
	hc := &http.Client{}
	if cfg.http != nil {
		*hc = *cfg.http
	}
	inner := hc.Transport
	if inner == nil {
		inner = http.DefaultTransport
	}
	hc.Transport = &retryTransport{base: inner, policy: cfg.policy.withDefaults(), sleep: cfg.sleep, now: cfg.now, logf: cfg.logf}
	gh := github.NewClient(hc).WithAuthToken(token)
	gh.BaseURL = base

	c := &Client{gh: gh, author: cfg.author}
	if c.author == "" {
		if c.author, err = lookupAuthor(ctx, gh); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// apiBase parses GITHUB_API_URL into go-github's BaseURL, which must end
// in a slash (go-github's WithEnterpriseURLs would append "api/v3/" to
// some URLs; setting BaseURL directly keeps what the runner gave).
func apiBase(apiURL string) (*url.URL, error) {
	if apiURL == "" {
		apiURL = DefaultAPIURL
	}
	if !strings.HasSuffix(apiURL, "/") {
		apiURL += "/"
	}
	u, err := url.Parse(apiURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("creating GitHub client: API URL %q is not an http(s) URL", apiURL)
	}
	return u, nil
}

func lookupAuthor(ctx context.Context, gh *github.Client) (string, error) {
	u, _, err := gh.Users.Get(ctx, "")
	var er *github.ErrorResponse
	switch {
	case err == nil && u.GetLogin() != "":
		return u.GetLogin(), nil
	case err == nil, errors.As(err, &er) && (er.Response.StatusCode == http.StatusForbidden || er.Response.StatusCode == http.StatusNotFound):
		return BotLogin, nil
	}
	return "", fmt.Errorf("finding who the GitHub token belongs to: %w", err)
}

// GitHub returns the underlying go-github client.
func (c *Client) GitHub() *github.Client { return c.gh }

// Author returns the login whose comments are ours.
func (c *Client) Author() string { return c.author }

// isForbidden reports whether err is a plain 403 (not a rate limit): the
// token may not write here, as on a pull request from a fork.
func isForbidden(err error) bool {
	var er *github.ErrorResponse
	return errors.As(err, &er) && er.Response != nil && er.Response.StatusCode == http.StatusForbidden
}
