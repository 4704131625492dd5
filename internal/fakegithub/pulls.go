package fakegithub

import (
	"net/http"
	"strings"
)

// File is one changed file of a pull request.
type File struct {
	Filename         string `json:"filename"`
	Status           string `json:"status"` // added, removed, modified, renamed, copied, changed, unchanged
	PreviousFilename string `json:"previous_filename,omitempty"`
	Additions        int    `json:"additions"`
	Deletions        int    `json:"deletions"`
}

// PullRequest is what GET /repos/{o}/{r}/commits/{sha}/pulls lists and
// GET /repos/{o}/{r}/pulls/{number} answers.
type PullRequest struct {
	Number         int    `json:"number"`
	State          string `json:"state"` // open or closed
	Merged         bool   `json:"-"`
	MergeCommitSHA string `json:"merge_commit_sha,omitempty"`
	BaseRef        string `json:"-"`
	HeadSHA        string `json:"-"`
	// Author is the login that opened it; "octo-author" when empty.
	Author string `json:"-"`
}

// DefaultAuthor opens pull requests that name no author.
const DefaultAuthor = "octo-author"

// SetFiles sets the changed files of pull request number.
func (s *Server) SetFiles(repo string, number int, files []File) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.files[issueKey{repo, number}] = append([]File(nil), files...)
}

// LinkCommit makes GET /repos/{repo}/commits/{sha}/pulls list prs, and
// records each as the pull request GET /repos/{repo}/pulls/{number} answers.
func (s *Server) LinkCommit(repo, sha string, prs ...PullRequest) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pulls[commitKey{repo, strings.ToLower(sha)}] = append([]PullRequest(nil), prs...)
	for _, p := range prs {
		s.prs[issueKey{repo, p.Number}] = p
	}
}

// SetPull records pull request p as it stands now (its current head), as
// GET /repos/{repo}/pulls/{number} answers it.
func (s *Server) SetPull(repo string, p PullRequest) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.prs[issueKey{repo, p.Number}] = p
}

// SetPermission gives login a permission on repo ("admin", "write",
// "read", "none"), as GET /repos/{repo}/collaborators/{login}/permission
// answers. Unknown users read as "read" (anyone may review a public
// repository); accounts ending in "[bot]" are not users (404).
func (s *Server) SetPermission(repo, login, permission string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.permissions[commitKey{repo, strings.ToLower(login)}] = permission
}

type ref struct {
	Ref string `json:"ref"`
	SHA string `json:"sha,omitempty"`
}

type pullJSON struct {
	PullRequest
	MergedAt *string `json:"merged_at"`
	Base     ref     `json:"base"`
	Head     ref     `json:"head"`
	User     user    `json:"user"`
}

func (s *Server) pullJSON(p PullRequest) pullJSON {
	var mergedAt *string
	if p.Merged {
		t := s.now.Format("2006-01-02T15:04:05Z")
		mergedAt = &t
	}
	author := p.Author
	if author == "" {
		author = DefaultAuthor
	}
	return pullJSON{PullRequest: p, MergedAt: mergedAt, Base: ref{Ref: p.BaseRef}, Head: ref{Ref: "feature", SHA: p.HeadSHA},
		User: user{Login: author, ID: 11, Type: "User"}}
}

func (s *Server) getPull(w http.ResponseWriter, r *http.Request) {
	k, ok := issue(w, r)
	if !ok {
		return
	}
	p, ok := s.prs[k]
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
		return
	}
	writeJSON(w, http.StatusOK, s.pullJSON(p))
}

func (s *Server) getPermission(w http.ResponseWriter, r *http.Request) {
	login := r.PathValue("username")
	if strings.HasSuffix(login, "[bot]") {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": login + " is not a user"})
		return
	}
	perm, ok := s.permissions[commitKey{repoOf(r), strings.ToLower(login)}]
	if !ok {
		perm = "read"
	}
	writeJSON(w, http.StatusOK, map[string]any{"permission": perm, "role_name": perm, "user": user{Login: login, ID: 12, Type: "User"}})
}

func (s *Server) listFiles(w http.ResponseWriter, r *http.Request) {
	k, ok := issue(w, r)
	if !ok {
		return
	}
	files := s.files[k]
	if len(files) > 3000 {
		files = files[:3000] // GitHub lists at most 3,000 files
	}
	writeJSON(w, http.StatusOK, nonNil(page(w, r, files)))
}

func (s *Server) listPullsWithCommit(w http.ResponseWriter, r *http.Request) {
	var out []pullJSON
	for _, p := range s.pulls[commitKey{repoOf(r), strings.ToLower(r.PathValue("sha"))}] {
		out = append(out, s.pullJSON(p))
	}
	writeJSON(w, http.StatusOK, nonNil(page(w, r, out)))
}
