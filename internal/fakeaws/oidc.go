package fakeaws

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// OIDC is a fake of the GitHub Actions ID token endpoint
// (ACTIONS_ID_TOKEN_REQUEST_URL): GET with "Authorization: bearer
// <ACTIONS_ID_TOKEN_REQUEST_TOKEN>" and an audience query, answering
// {"value": "<jwt>"}.
type OIDC struct {
	// RequestURL is the value for ACTIONS_ID_TOKEN_REQUEST_URL.
	RequestURL string
	// RequestToken is the value for ACTIONS_ID_TOKEN_REQUEST_TOKEN.
	RequestToken string

	mu          sync.Mutex
	subject     string // the sub claim; default a job on main
	environment string // the environment claim; "" for none
	audiences   []string
	issued      []string
	failures    int
}

// NewOIDC starts the fake; it stops when the test ends.
func NewOIDC(t testing.TB) *OIDC {
	t.Helper()
	o := &OIDC{RequestToken: "fake-actions-request-token-do-not-print", subject: "repo:octo/repo:ref:refs/heads/main"}
	srv := httptest.NewServer(http.HandlerFunc(o.serve))
	t.Cleanup(srv.Close)
	// The runner's URL already carries a query; the client appends audience.
	o.RequestURL = srv.URL + "/_apis/oidctoken?api-version=2.0"
	return o
}

// SetJob sets the claims that say where the job runs, as GitHub sets them:
// a job in an environment gets the environment claim and the subject
// repo:OWNER/REPO:environment:NAME; a pull request's job without one gets
// repo:OWNER/REPO:pull_request.
func (o *OIDC) SetJob(subject, environment string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.subject, o.environment = subject, environment
}

// FailNext makes the next n token requests answer 503.
func (o *OIDC) FailNext(n int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.failures += n
}

// Audiences returns the audience of each successful request, in order.
func (o *OIDC) Audiences() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]string(nil), o.audiences...)
}

// Issued returns the tokens handed out, in order.
func (o *OIDC) Issued() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]string(nil), o.issued...)
}

func (o *OIDC) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet || r.URL.Path != "/_apis/oidctoken" || r.URL.Query().Get("api-version") == "" {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	if got := r.Header.Get("Authorization"); got != "Bearer "+o.RequestToken && got != "bearer "+o.RequestToken {
		http.Error(w, `{"message":"bad request token"}`, http.StatusUnauthorized)
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.failures > 0 {
		o.failures--
		http.Error(w, `{"message":"temporarily unavailable"}`, http.StatusServiceUnavailable)
		return
	}
	aud := r.URL.Query().Get("audience")
	o.audiences = append(o.audiences, aud)
	enc := base64.RawURLEncoding
	header := enc.EncodeToString([]byte(`{"alg":"RS256","typ":"JWT"}`))
	c := map[string]any{
		"aud": aud, "iss": "https://token.actions.githubusercontent.com",
		"sub": o.subject, "jti": fmt.Sprintf("fake-%d", len(o.issued)+1),
	}
	if o.environment != "" {
		c["environment"] = o.environment
	}
	claims, _ := json.Marshal(c)
	tok := header + "." + enc.EncodeToString(claims) + ".fake-oidc-signature-do-not-print"
	o.issued = append(o.issued, tok)
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{"value": tok})
}
