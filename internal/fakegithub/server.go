// Package fakegithub is a stateful GitHub REST server on loopback for tests
// of any package (import it from _test.go files only). It is mounted under
// a prefix, as GitHub Enterprise Server is ("/api/v3/"), and fails the test
// on any request outside it, which catches clients that build absolute
// paths. It behaves like GitHub where GitHub surprises people:
//
//   - the default token is an Actions installation token: GET /user answers
//     403 "Resource not accessible by integration" and comments it writes are
//     authored by "github-actions[bot]" (type Bot);
//   - lists are paginated with Link headers (per_page default 30, max 100);
//   - a comment body over 65,536 characters answers 422;
//   - a read-only token (fork pull requests) answers every write with 403;
//   - faults can be queued: secondary rate limits with Retry-After, primary
//     rate limits (x-ratelimit-remaining: 0) and 5xx answers.
package fakegithub

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// Prefix is the path the API is mounted under.
const Prefix = "/api/v3/"

// Token is the bearer token the server accepts unless SetToken changes it.
const Token = "ghs_fake-installation-token"

// BotLogin is the author of comments written with an Actions token.
const BotLogin = "github-actions[bot]"

// MaxBody is GitHub's limit on a comment body, in characters.
const MaxBody = 65536

// Server is the fake. All methods are safe for concurrent use.
type Server struct {
	t   testing.TB
	srv *httptest.Server

	mu       sync.Mutex
	token    string
	user     string // "" for an installation token
	readOnly bool
	now      time.Time
	faults   []Fault
	counts   map[string]int
	nextID   int64
	comments map[issueKey][]*Comment
	files    map[issueKey][]File
	pulls    map[commitKey][]PullRequest
	reviews  map[issueKey][]Review
	prs      map[issueKey]PullRequest
	// permissions are collaborator permissions by repository and login.
	permissions map[commitKey]string
	deployments []*Deployment
}

type issueKey struct {
	repo   string // owner/name
	number int
}

type commitKey struct {
	repo string
	sha  string
}

// New starts a server that is closed when the test ends.
func New(t testing.TB) *Server {
	t.Helper()
	s := &Server{
		t:        t,
		token:    Token,
		now:      time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		counts:   map[string]int{},
		nextID:   1000,
		comments: map[issueKey][]*Comment{},
		files:    map[issueKey][]File{},
		pulls:    map[commitKey][]PullRequest{},
		reviews:  map[issueKey][]Review{},
		prs:      map[issueKey]PullRequest{},

		permissions: map[commitKey]string{},
	}
	mux := http.NewServeMux()
	s.routes(mux)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, Prefix) {
			t.Errorf("fakegithub: request %s %s is outside the API prefix %s", r.Method, r.URL.Path, Prefix)
		} else {
			t.Errorf("fakegithub: no such endpoint: %s %s", r.Method, r.URL.Path)
		}
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
	})
	s.srv = httptest.NewServer(s.guard(mux))
	t.Cleanup(s.srv.Close)
	return s
}

// URL is the API base URL, prefix included, with a trailing slash (what
// GITHUB_API_URL plus "/" gives on GitHub Enterprise Server).
func (s *Server) URL() string { return s.srv.URL + Prefix }

// Client returns an http.Client for the server.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// SetToken changes the bearer token the server accepts.
func (s *Server) SetToken(tok string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.token = tok
}

// SetUser makes the token a user's token: GET /user answers login and new
// comments are authored by login. An empty login restores the installation
// token behaviour.
func (s *Server) SetUser(login string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.user = login
}

// SetReadOnly makes every write answer 403 "Resource not accessible by
// integration", as the token of a pull request from a fork does.
func (s *Server) SetReadOnly(ro bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.readOnly = ro
}

// SetNow sets the server's clock (comment timestamps, rate-limit resets).
func (s *Server) SetNow(t time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = t
}

// Count returns how many requests reached the endpoint named by its route
// pattern, e.g. "GET /repos/{owner}/{repo}/issues/{number}/comments"
// (without the prefix), faults included.
func (s *Server) Count(route string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[route]
}

// Total returns the number of requests made to any endpoint.
func (s *Server) Total() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.counts {
		n += c
	}
	return n
}

// guard checks the token, counts the request and serves queued faults.
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		tok := s.token
		s.mu.Unlock()
		if r.Header.Get("Authorization") != "Bearer "+tok {
			writeJSON(w, http.StatusUnauthorized, map[string]string{"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// route registers an endpoint under the prefix; the handler runs with the
// lock held, after faults and the read-only check.
func (s *Server) route(mux *http.ServeMux, pattern string, write bool, h func(w http.ResponseWriter, r *http.Request)) {
	method, path, _ := strings.Cut(pattern, " ")
	mux.HandleFunc(method+" "+strings.TrimSuffix(Prefix, "/")+path, func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.counts[pattern]++
		if s.serveFault(w, pattern) {
			return
		}
		w.Header().Set("X-RateLimit-Limit", "5000")
		w.Header().Set("X-RateLimit-Remaining", "4000")
		w.Header().Set("X-RateLimit-Reset", fmt.Sprint(s.now.Add(time.Hour).Unix()))
		if write && s.readOnly {
			writeJSON(w, http.StatusForbidden, map[string]string{
				"message":           "Resource not accessible by integration",
				"documentation_url": "https://docs.github.com/rest/issues/comments#create-an-issue-comment",
			})
			return
		}
		h(w, r)
	})
}

func (s *Server) routes(mux *http.ServeMux) {
	s.route(mux, "GET /user", false, s.getUser)
	s.route(mux, "GET /repos/{owner}/{repo}/pulls/{number}/files", false, s.listFiles)
	s.route(mux, "GET /repos/{owner}/{repo}/issues/{number}/comments", false, s.listComments)
	s.route(mux, "POST /repos/{owner}/{repo}/issues/{number}/comments", true, s.createComment)
	s.route(mux, "PATCH /repos/{owner}/{repo}/issues/comments/{id}", true, s.editComment)
	s.route(mux, "DELETE /repos/{owner}/{repo}/issues/comments/{id}", true, s.deleteComment)
	s.route(mux, "GET /repos/{owner}/{repo}/commits/{sha}/pulls", false, s.listPullsWithCommit)
	s.route(mux, "GET /repos/{owner}/{repo}/pulls/{number}/reviews", false, s.listReviews)
	s.route(mux, "GET /repos/{owner}/{repo}/pulls/{number}/commits", false, s.listPullCommits)
	s.route(mux, "GET /repos/{owner}/{repo}/pulls/{number}", false, s.getPull)
	s.route(mux, "GET /repos/{owner}/{repo}/collaborators/{username}/permission", false, s.getPermission)
	s.route(mux, "DELETE /repos/{owner}/{repo}/issues/{number}/labels/{name}", true, s.removeLabel)
	s.route(mux, "POST /repos/{owner}/{repo}/deployments", true, s.createDeployment)
	s.route(mux, "GET /repos/{owner}/{repo}/deployments", false, s.listDeployments)
	s.route(mux, "POST /repos/{owner}/{repo}/deployments/{id}/statuses", true, s.createDeploymentStatus)
	s.route(mux, "GET /repos/{owner}/{repo}/deployments/{id}/statuses", false, s.listDeploymentStatuses)
}

func (s *Server) getUser(w http.ResponseWriter, _ *http.Request) {
	if s.user == "" {
		writeJSON(w, http.StatusForbidden, map[string]string{
			"message":           "Resource not accessible by integration",
			"documentation_url": "https://docs.github.com/rest/users/users#get-the-authenticated-user",
		})
		return
	}
	writeJSON(w, http.StatusOK, user{Login: s.user, ID: 1, Type: "User"})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func repoOf(r *http.Request) string { return r.PathValue("owner") + "/" + r.PathValue("repo") }

// Now returns the server's clock.
func (s *Server) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.now
}
