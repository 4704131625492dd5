package gitrev

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	"github.com/google/go-cmp/cmp"
)

const testToken = "ghs_test-token-0123456789"

// shareable is what the server allows so that a commit can be fetched by SHA
// (GitHub allows it too), and nothing else.
var shareable = map[string]string{
	"uploadpack.allowAnySHA1InWant": "true",
	"http.receivepack":              "false",
}

// upstream is a repository with a base and a head commit, as a pull request
// has them.
type upstream struct {
	dir        string
	base, head string
}

func newUpstream(t *testing.T) upstream {
	t.Helper()
	f := newFixture(t)
	f.write("framework/conf/conf.yaml", "conf: {}\n")
	f.write("models/a/conf/conf.yaml", "a: 1\n")
	f.write("models/b/conf/conf.yaml", longText("b"))
	f.write("models/gone.txt", "bye\n")
	base := f.commit("base")
	f.write("models/a/conf/conf.yaml", "a: 2\n")
	f.rename("models/b/conf/conf.yaml", "models/c/conf/conf.yaml")
	f.remove("models/gone.txt")
	f.write("models/d/conf/conf.yaml", "d: 1\n")
	head := f.commit("head")
	return upstream{dir: f.dir, base: base, head: head}
}

// shallowClone clones url at main with depth 1, as actions/checkout does.
func shallowClone(t *testing.T, url string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "checkout")
	_, err := git.PlainClone(dst, false, &git.CloneOptions{
		URL:           url,
		Auth:          &githttp.BasicAuth{Username: "x-access-token", Password: testToken},
		Depth:         1,
		SingleBranch:  true,
		ReferenceName: plumbing.NewBranchReferenceName("main"),
		Tags:          git.NoTags,
		// The test servers' certificates are self-signed.
		InsecureSkipTLS: true,
	})
	if err != nil {
		t.Fatalf("shallow clone: %v", err)
	}
	return dst
}

// snapshot fingerprints what a fetch must not touch: HEAD, the index and
// every file of the worktree.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, name := range []string{".git/HEAD", ".git/index"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		out[name] = hex.EncodeToString(sum[:])
	}
	err := fs.WalkDir(os.DirFS(dir), ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if name == ".git" {
			return fs.SkipDir
		}
		if d.IsDir() {
			out[name] = "dir"
			return nil
		}
		b, err := os.ReadFile(filepath.Join(dir, name))
		out[name] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestRepo_EnsureCommit_shallowClone(t *testing.T) {
	up := newUpstream(t)
	srv := serveRepo(t, up.dir, serverOptions{token: testToken, config: shareable})
	dst := shallowClone(t, srv.URL)
	if _, err := os.Stat(filepath.Join(dst, ".git", "shallow")); err != nil {
		t.Fatalf("the clone is not shallow: %v", err)
	}

	r, err := Open(filepath.Join(dst, "models"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	if !r.HasCommit(up.head) || r.HasCommit(up.base) {
		t.Fatalf("after a depth-1 clone HasCommit(head)=%v HasCommit(base)=%v; want true, false",
			r.HasCommit(up.head), r.HasCommit(up.base))
	}
	if _, err := r.TreeFS(up.base); err == nil {
		t.Fatal("TreeFS(base) succeeded before the base was fetched")
	}
	before := snapshot(t, dst)
	srv.takeAuths()

	if err := r.EnsureCommit(context.Background(), up.base, srv.trust(FetchOptions{Token: testToken})); err != nil {
		t.Fatalf("EnsureCommit: %v", err)
	}

	auths := srv.takeAuths()
	if len(auths) == 0 {
		t.Fatal("EnsureCommit made no request")
	}
	for i, a := range auths {
		if a != "x-access-token:"+testToken {
			t.Errorf("request %d sent basic auth %q, want x-access-token:<token>", i, a)
		}
	}
	if diff := cmp.Diff(before, snapshot(t, dst)); diff != "" {
		t.Errorf("EnsureCommit changed HEAD, the index or the worktree (-before +after):\n%s", diff)
	}
	if !r.HasCommit(up.base) {
		t.Fatal("HasCommit(base) = false after EnsureCommit")
	}
	shallow, err := os.ReadFile(filepath.Join(dst, ".git", "shallow"))
	if err != nil || !strings.Contains(string(shallow), up.base) || !strings.Contains(string(shallow), up.head) {
		t.Errorf(".git/shallow = %q, %v; want both the head and the fetched base as boundaries", shallow, err)
	}
	g, err := git.PlainOpen(dst)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := g.Reference(plumbing.ReferenceName(fetchedRefPrefix+up.base), false)
	if err != nil || ref.Hash().String() != up.base {
		t.Errorf("fetched ref = %v, %v; want %s", ref, err, up.base)
	}

	base, err := r.TreeFS(up.base)
	if err != nil {
		t.Fatalf("TreeFS(base): %v", err)
	}
	data, err := fs.ReadFile(base, "models/a/conf/conf.yaml")
	if err != nil || string(data) != "a: 1\n" {
		t.Errorf("base models/a/conf/conf.yaml = %q, %v; want %q", data, err, "a: 1\n")
	}
	changes, err := r.Diff(up.base, "HEAD")
	if err != nil {
		t.Fatalf("Diff: %v", err)
	}
	want := []Change{
		{Op: Modified, From: "models/a/conf/conf.yaml", To: "models/a/conf/conf.yaml"},
		{Op: Deleted, From: "models/b/conf/conf.yaml"},
		{Op: Added, To: "models/c/conf/conf.yaml"},
		{Op: Added, To: "models/d/conf/conf.yaml"},
		{Op: Deleted, From: "models/gone.txt"},
	}
	if diff := cmp.Diff(want, changes); diff != "" {
		t.Errorf("Diff(base, HEAD) (-want +got):\n%s", diff)
	}

	// Present now: no second fetch.
	if err := r.EnsureCommit(context.Background(), up.base, srv.trust(FetchOptions{Token: testToken})); err != nil {
		t.Fatalf("second EnsureCommit: %v", err)
	}
	if a := srv.takeAuths(); len(a) != 0 {
		t.Errorf("second EnsureCommit made %d requests, want none", len(a))
	}
}

func TestRepo_EnsureCommit_refused(t *testing.T) {
	up := newUpstream(t)
	good := serveRepo(t, up.dir, serverOptions{token: testToken, config: shareable})

	tests := []struct {
		name   string
		server serverOptions
		remote string // a remote added to the clone pointing at the server, with this URL userinfo
		opt    FetchOptions
		sha    string
		reason string // part of the error that says why
	}{
		{
			name:   "wrong token",
			server: serverOptions{token: "the-right-one", config: shareable},
			opt:    FetchOptions{Token: testToken},
			reason: "authentication required: bad credentials;",
		},
		{
			name:   "no token",
			server: serverOptions{token: testToken, config: shareable},
			reason: "authentication required",
		},
		{
			name:   "server error",
			server: serverOptions{token: testToken, config: shareable, status: http.StatusInternalServerError},
			opt:    FetchOptions{Token: testToken},
			reason: "500",
		},
		{
			name:   "server does not allow fetching by SHA",
			server: serverOptions{token: testToken, config: map[string]string{"http.receivepack": "false"}},
			opt:    FetchOptions{Token: testToken},
			reason: "exact SHA1",
		},
		{
			name:   "commit unknown to the server",
			server: serverOptions{token: testToken, config: shareable},
			opt:    FetchOptions{Token: testToken},
			sha:    strings.Repeat("ab", 20),
			reason: "remote",
		},
		{
			name:   "no such remote",
			server: serverOptions{token: testToken, config: shareable},
			opt:    FetchOptions{Token: testToken, Remote: "upstream"},
			reason: "remote not found",
		},
		{
			name:   "credentials in the remote URL",
			server: serverOptions{token: testToken, config: shareable, status: http.StatusInternalServerError},
			remote: "x-access-token:" + testToken,
			opt:    FetchOptions{Remote: "withcreds"},
			reason: "500",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dst := shallowClone(t, good.URL)
			srv := serveRepo(t, up.dir, tt.server)
			g, err := git.PlainOpen(dst)
			if err != nil {
				t.Fatal(err)
			}
			// Point origin at the server under test; the clone came from the good one.
			cfg, err := g.Config()
			if err != nil {
				t.Fatal(err)
			}
			cfg.Remotes["origin"].URLs = []string{srv.URL}
			if tt.remote != "" {
				u := strings.Replace(srv.URL, "://", "://"+tt.remote+"@", 1)
				cfg.Remotes["withcreds"] = &config.RemoteConfig{Name: "withcreds", URLs: []string{u}}
			}
			if err := g.SetConfig(cfg); err != nil {
				t.Fatal(err)
			}
			sha := tt.sha
			if sha == "" {
				sha = up.base
			}
			r, err := Open(dst)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { r.Close() })
			before := snapshot(t, dst)

			err = r.EnsureCommit(context.Background(), sha, srv.trust(tt.opt))
			if err == nil {
				t.Fatal("EnsureCommit succeeded; want an error")
			}
			msg := err.Error()
			t.Logf("error: %s", msg)
			for _, want := range []string{"base commit " + sha + " is not in the checkout", "`fetch-depth: 0`", tt.reason} {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q does not contain %q", msg, want)
				}
			}
			if strings.Contains(msg, testToken) {
				t.Errorf("error %q contains the token", msg)
			}
			for e := err; e != nil; {
				if strings.Contains(e.Error(), testToken) {
					t.Errorf("wrapped error %q contains the token", e)
				}
				u, ok := e.(interface{ Unwrap() error })
				if !ok {
					break
				}
				e = u.Unwrap()
			}
			if r.HasCommit(sha) {
				t.Error("HasCommit = true after a failed fetch")
			}
			if diff := cmp.Diff(before, snapshot(t, dst)); diff != "" {
				t.Errorf("a failed EnsureCommit changed HEAD, the index or the worktree (-before +after):\n%s", diff)
			}
		})
	}
}

func TestRepo_EnsureCommit_badSHA(t *testing.T) {
	f := newFixture(t)
	f.write("a", "a")
	f.commit("one")
	r := f.open()
	for _, sha := range []string{"", "HEAD", "abc1234", strings.Repeat("g", 40)} {
		err := r.EnsureCommit(context.Background(), sha, FetchOptions{})
		if err == nil || !strings.Contains(err.Error(), "not a full 40-digit SHA-1") {
			t.Errorf("EnsureCommit(%q) error = %v", sha, err)
		}
	}
}

func TestRedact(t *testing.T) {
	tests := []struct {
		in, token, want string
	}{
		{"fetch failed for s3cr3t", "s3cr3t", "fetch failed for ***"},
		{"GET https://x-access-token:abc@github.com/o/r: 403", "", "GET https://***@github.com/o/r: 403"},
		{"header eC1hY2Nlc3MtdG9rZW46czNjcjN0", "s3cr3t", "header ***"},
		{"nothing to hide", "s3cr3t", "nothing to hide"},
	}
	for _, tt := range tests {
		if got := redact(tt.in, tt.token); got != tt.want {
			t.Errorf("redact(%q, %q) = %q, want %q", tt.in, tt.token, got, tt.want)
		}
	}
}

func TestOneLine(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"a\nb\r\n\tc ", 100, "a b c"},
		{"::error::x\n::warning::y", 100, "::error::x ::warning::y"},
		{"héllo wörld", 2, "h…"},
		{"héllo", 3, "hé…"},
		{"\x1b[31mred", 100, "[31mred"},
	}
	for _, tt := range tests {
		if got := oneLine(tt.in, tt.max); got != tt.want {
			t.Errorf("oneLine(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
	}
}

// The workflow's token goes only to an https remote on its own GitHub host.
// A checkout whose origin was pointed at plain http or at another host is
// fetched from anonymously: before, the token went to any origin URL.
func TestRepo_EnsureCommit_tokenOnlyToItsHost(t *testing.T) {
	up := newUpstream(t)
	good := serveRepo(t, up.dir, serverOptions{token: testToken, config: shareable})
	for _, tc := range []struct {
		name   string
		server serverOptions
		host   string // the token's host; empty: the server's
	}{
		{"plain http", serverOptions{token: testToken, config: shareable, plain: true}, ""},
		{"another host", serverOptions{token: testToken, config: shareable}, "github.com"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dst := shallowClone(t, good.URL)
			srv := serveRepo(t, up.dir, tc.server)
			pointOrigin(t, dst, srv.URL)
			r, err := Open(dst)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { r.Close() })
			opt := srv.trust(FetchOptions{Token: testToken})
			if tc.host != "" {
				opt.TokenHost = tc.host
			}
			if err := r.EnsureCommit(context.Background(), up.base, opt); err == nil {
				t.Error("the fetch succeeded without the token; the server demands it")
			}
			auths := srv.takeAuths()
			if len(auths) == 0 {
				t.Fatal("no request reached the server")
			}
			for _, a := range auths {
				if a != "" {
					t.Errorf("a request to %s sent credentials %q", srv.URL, a)
				}
			}
		})
	}
}

// pointOrigin points the clone at dst's origin remote at url.
func pointOrigin(t *testing.T, dst, url string) {
	t.Helper()
	g, err := git.PlainOpen(dst)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := g.Config()
	if err != nil {
		t.Fatal(err)
	}
	cfg.Remotes["origin"].URLs = []string{url}
	if err := g.SetConfig(cfg); err != nil {
		t.Fatal(err)
	}
}
