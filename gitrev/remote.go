package gitrev

import (
	"net/url"
	"strings"
)

// GitHubRepository is the "owner/name" a remote's URL names on a GitHub
// host (https://HOST/owner/name(.git), ssh://git@HOST/owner/name.git or
// git@HOST:owner/name.git), for host (github.com when empty); "" when the
// remote is missing or points elsewhere.
func (r *Repo) GitHubRepository(remote, host string) string {
	if host == "" {
		host = "github.com"
	}
	r.mu.Lock()
	rem, err := r.git.Remote(remote)
	r.mu.Unlock()
	if err != nil || len(rem.Config().URLs) == 0 {
		return ""
	}
	return githubRepository(rem.Config().URLs[0], host)
}

func githubRepository(raw, host string) string {
	var h, p string
	if u, err := url.Parse(raw); err == nil && u.Host != "" {
		h, p = u.Hostname(), u.Path
	} else if at, rest, ok := strings.Cut(raw, "@"); ok && !strings.Contains(at, "/") {
		h, p, _ = strings.Cut(rest, ":") // scp-like: git@host:owner/name.git
	}
	if !strings.EqualFold(h, host) {
		return ""
	}
	owner, name, ok := strings.Cut(strings.Trim(strings.TrimSuffix(p, ".git"), "/"), "/")
	if !ok || owner == "" || name == "" || strings.Contains(name, "/") {
		return ""
	}
	return owner + "/" + name
}
