package gitrev

import (
	"encoding/pem"
	"fmt"
	"maps"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// gitServer serves one repository over git's smart HTTP protocol with
// `git http-backend`, behind a handler that demands a token the way GitHub
// does (basic auth, user x-access-token) and records what it was sent.
type gitServer struct {
	URL string // clone URL of the repository

	host string // host:port the token belongs to
	pem  []byte // the server's certificate, to trust

	mu    sync.Mutex
	auths []string // "user:password" of every request, "" when absent
}

type serverOptions struct {
	token string
	// config is passed to git as GIT_CONFIG_* variables.
	config map[string]string
	// status, when set, answers every request with it instead of serving.
	status int
	// plain serves over http:// instead of https://.
	plain bool
}

// serveRepo serves the repository whose worktree is dir. It skips the test
// when there is no git binary: the action's image has none, but the
// machines that run the tests do.
func serveRepo(t *testing.T, dir string, opt serverOptions) *gitServer {
	t.Helper()
	gitBin, err := exec.LookPath("git")
	if err != nil {
		t.Skip("no git binary on PATH to run git http-backend; skipping the smart-HTTP fetch test")
	}
	env := []string{
		"GIT_PROJECT_ROOT=" + filepath.Dir(dir),
		"GIT_HTTP_EXPORT_ALL=1",
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL=/dev/null",
		"HOME=" + t.TempDir(),
		fmt.Sprintf("GIT_CONFIG_COUNT=%d", len(opt.config)),
	}
	i := 0
	for _, k := range slices.Sorted(maps.Keys(opt.config)) {
		env = append(env, fmt.Sprintf("GIT_CONFIG_KEY_%d=%s", i, k), fmt.Sprintf("GIT_CONFIG_VALUE_%d=%s", i, opt.config[k]))
		i++
	}
	backend := &cgi.Handler{Path: gitBin, Args: []string{"http-backend"}, Env: env, Stderr: logWriter{t}}

	s := &gitServer{}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, ok := r.BasicAuth()
		s.mu.Lock()
		if ok {
			s.auths = append(s.auths, user+":"+pass)
		} else {
			s.auths = append(s.auths, "")
		}
		s.mu.Unlock()
		if opt.status != 0 {
			http.Error(w, "refused by test", opt.status)
			return
		}
		if !ok || user != "x-access-token" || pass != opt.token {
			w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
			http.Error(w, "bad credentials", http.StatusUnauthorized)
			return
		}
		backend.ServeHTTP(w, r)
	}))
	if opt.plain {
		srv.Start()
	} else {
		srv.StartTLS()
		s.pem = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	}
	t.Cleanup(srv.Close)
	s.URL = srv.URL + "/" + filepath.Base(dir)
	s.host = strings.TrimPrefix(strings.TrimPrefix(srv.URL, "https://"), "http://")
	return s
}

// trust is o for fetching from this server: its certificate trusted and
// its host the token's, as a GitHub Enterprise Server with a private CA.
func (s *gitServer) trust(o FetchOptions) FetchOptions {
	o.TokenHost, o.CABundle = s.host, s.pem
	return o
}

// takeAuths returns the credentials seen since the last call.
func (s *gitServer) takeAuths() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.auths
	s.auths = nil
	return a
}

// logWriter sends the backend's stderr to the test log.
type logWriter struct{ t *testing.T }

func (w logWriter) Write(p []byte) (int, error) {
	w.t.Logf("git http-backend: %s", strings.TrimSpace(string(p)))
	return len(p), nil
}
