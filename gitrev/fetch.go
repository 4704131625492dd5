package gitrev

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/go-git/go-git/v5/plumbing/transport/http"
)

// FetchOptions says where and how [Repo.EnsureCommit] fetches.
type FetchOptions struct {
	// Remote is the remote to fetch from; "origin" when empty.
	Remote string
	// Token authenticates over HTTPS as GitHub expects a workflow token:
	// basic auth with the user name "x-access-token". It is never part of
	// an error. Empty means anonymous.
	Token string
	// TokenHost is the host the token belongs to: the workflow's GitHub
	// server (GITHUB_SERVER_URL's host), "github.com" when empty. The token
	// is sent only to a remote at https://TokenHost/…; any other remote (a
	// plain http:// URL, another host, ssh) is fetched from anonymously, so
	// a checkout whose origin was pointed elsewhere never receives it.
	TokenHost string
	// CABundle is PEM certificates trusted besides the system's, for a
	// GitHub Enterprise Server behind a private certificate authority.
	CABundle []byte
	// Depth is how many commits of history to fetch; 1 when zero.
	Depth int
}

// fetchedRefPrefix is where fetched commits are recorded, out of the way of
// branches, tags and remote-tracking refs.
const fetchedRefPrefix = "refs/smpipe/fetched/"

// EnsureCommit makes sure the commit sha (40 hex digits) is present. If it
// is missing, as the base of a pull request usually is after actions/checkout
// cloned with depth 1, it fetches exactly that commit into
// refs/smpipe/fetched/<sha>. Shallow repositories stay shallow and record the
// new boundary. The worktree, the index and HEAD are never modified. When
// the fetch fails the error says so without the token and recommends
// fetch-depth: 0. Other calls on the Repo wait while it fetches.
func (r *Repo) EnsureCommit(ctx context.Context, sha string, opt FetchOptions) error {
	h, ok := parseSHA(sha)
	if !ok {
		return fmt.Errorf("ensuring commit %q is present: not a full 40-digit SHA-1", sha)
	}
	return r.ensureCommit(ctx, h, opt, "base commit")
}

// ensureCommit is EnsureCommit of a parsed SHA; role names the commit in
// the error ("base commit").
func (r *Repo) ensureCommit(ctx context.Context, h plumbing.Hash, opt FetchOptions, role string) error {
	if r.HasCommit(h.String()) {
		return nil
	}
	opt = opt.withDefaults()
	r.mu.Lock()
	defer r.mu.Unlock()
	err := r.fetchCommit(ctx, h, opt)
	if err == nil {
		if _, cerr := r.git.CommitObject(h); cerr != nil {
			err = fmt.Errorf("the server did not send it: %w", cerr)
		}
	}
	if err != nil {
		return &fetchError{what: role + " " + h.String(), remote: opt.Remote, token: opt.Token, err: err}
	}
	return nil
}

// fetchCommit fetches commit h and opt.Depth commits of its history into
// refs/smpipe/fetched/<h>. The caller holds the mutex.
func (r *Repo) fetchCommit(ctx context.Context, h plumbing.Hash, opt FetchOptions) error {
	var auth transport.AuthMethod
	if remote, err := r.git.Remote(opt.Remote); err == nil && len(remote.Config().URLs) > 0 {
		auth = opt.auth(remote.Config().URLs[0])
	}
	err := r.git.FetchContext(ctx, &git.FetchOptions{
		RemoteName: opt.Remote,
		RefSpecs:   []config.RefSpec{config.RefSpec("+" + h.String() + ":" + fetchedRefPrefix + h.String())},
		Depth:      opt.Depth,
		Auth:       auth,
		CABundle:   opt.CABundle,
		Tags:       git.NoTags,
	})
	if errors.Is(err, git.NoErrAlreadyUpToDate) {
		return nil
	}
	return err
}

func (o FetchOptions) withDefaults() FetchOptions {
	if o.Remote == "" {
		o.Remote = git.DefaultRemoteName
	}
	if o.Depth <= 0 {
		o.Depth = 1
	}
	return o
}

// auth is basic auth with the token as GitHub expects it for a fetch from
// remoteURL, or nil: without a token, and for any remote but an https URL
// on the token's own host.
func (o FetchOptions) auth(remoteURL string) transport.AuthMethod {
	if o.Token == "" || !o.tokenMayGo(remoteURL) {
		return nil
	}
	return &http.BasicAuth{Username: "x-access-token", Password: o.Token}
}

// tokenMayGo reports whether remoteURL is https on the token's host.
func (o FetchOptions) tokenMayGo(remoteURL string) bool {
	u, err := url.Parse(remoteURL)
	if err != nil || u.Scheme != "https" {
		return false
	}
	host := o.TokenHost
	if host == "" {
		host = "github.com"
	}
	return strings.EqualFold(u.Host, host)
}

// fetchError explains a failed fetch of missing objects. Its text never
// contains the token or credentials embedded in a URL.
type fetchError struct {
	what, remote, token string // what names the missing objects: "base commit <sha>"
	err                 error
}

func (e *fetchError) Error() string {
	return fmt.Sprintf("%s is not in the checkout (actions/checkout clones only the last commit by default), "+
		"and fetching it from remote %q failed: %s; set `fetch-depth: 0` on actions/checkout so the history is cloned",
		e.what, redact(e.remote, e.token), oneLine(redact(e.err.Error(), e.token), maxReason))
}

// maxReason caps how much of the cause, which may quote the server's
// answer, goes into the message.
const maxReason = 300

// oneLine folds s onto one line, control characters made spaces, so a
// server's text cannot break the log or the report it ends up in, and cuts
// it to at most max bytes on a rune boundary.
func oneLine(s string, max int) string {
	s = strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r)
	}), " ")
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// Unwrap gives callers errors.Is on the cause unless the cause's own text
// would reveal the token.
func (e *fetchError) Unwrap() error {
	if redact(e.err.Error(), e.token) != e.err.Error() {
		return nil
	}
	return e.err
}

// urlUserinfo matches credentials in a URL ("https://user:secret@host").
// It is compiled on first use, not at every run's start-up.
var urlUserinfo = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.-]*://)[^/@\s]+@`) })

// redact removes the token and any URL credentials from s.
func redact(s, token string) string {
	if token != "" {
		s = strings.ReplaceAll(s, token, "***")
		s = strings.ReplaceAll(s, base64.StdEncoding.EncodeToString([]byte("x-access-token:"+token)), "***")
	}
	return urlUserinfo().ReplaceAllString(s, "${1}***@")
}
