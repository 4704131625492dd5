package fakegithub

import (
	"net/http"
	"slices"
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
	// BaseSHA is the base branch's commit the pull request was last
	// compared with.
	BaseSHA string `json:"-"`
	// HeadRepo is the repository of the head branch (owner/name); the
	// pull request's own repository when empty, a fork otherwise.
	HeadRepo string `json:"-"`
	// Author is the login that opened it; "octo-author" when empty.
	Author string `json:"-"`
	// Labels are the names of its labels, in the order they were added.
	Labels []string `json:"-"`
	// Commits are its commits as GET /repos/{o}/{r}/pulls/{number}/commits
	// lists them; when empty, one commit at HeadSHA by the author.
	Commits []PullCommit `json:"-"`
}

// PullCommit is one commit of a pull request: the GitHub accounts its git
// author and committer are linked to ("" when no account claims the
// address).
type PullCommit struct {
	SHA, Author, Committer string
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
	Ref  string   `json:"ref"`
	SHA  string   `json:"sha,omitempty"`
	Repo *repoRef `json:"repo"`
}

type repoRef struct {
	FullName string `json:"full_name"`
	Fork     bool   `json:"fork"`
}

type labelJSON struct {
	Name string `json:"name"`
}

type pullJSON struct {
	PullRequest
	MergedAt *string     `json:"merged_at"`
	Base     ref         `json:"base"`
	Head     ref         `json:"head"`
	User     user        `json:"user"`
	Labels   []labelJSON `json:"labels"`
}

func (s *Server) pullJSON(repo string, p PullRequest) pullJSON {
	var mergedAt *string
	if p.Merged {
		t := s.now.Format("2006-01-02T15:04:05Z")
		mergedAt = &t
	}
	author := p.Author
	if author == "" {
		author = DefaultAuthor
	}
	headRepo := p.HeadRepo
	if headRepo == "" {
		headRepo = repo
	}
	labels := []labelJSON{}
	for _, l := range p.Labels {
		labels = append(labels, labelJSON{Name: l})
	}
	return pullJSON{PullRequest: p, MergedAt: mergedAt, Base: ref{Ref: p.BaseRef, SHA: p.BaseSHA, Repo: &repoRef{FullName: repo}},
		Head: ref{Ref: "feature", SHA: p.HeadSHA, Repo: &repoRef{FullName: headRepo, Fork: !strings.EqualFold(headRepo, repo)}},
		User: user{Login: author, ID: 11, Type: "User"}, Labels: labels}
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
	writeJSON(w, http.StatusOK, s.pullJSON(k.repo, p))
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
		out = append(out, s.pullJSON(repoOf(r), p))
	}
	writeJSON(w, http.StatusOK, nonNil(page(w, r, out)))
}

// AddLabel adds label to pull request number, as a person does in the
// pull request's sidebar.
func (s *Server) AddLabel(repo string, number int, label string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.prs[issueKey{repo, number}]
	p.Number = number
	if !slices.Contains(p.Labels, label) {
		p.Labels = append(slices.Clone(p.Labels), label)
	}
	s.prs[issueKey{repo, number}] = p
}

// Labels are the labels of pull request number now.
func (s *Server) Labels(repo string, number int) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.prs[issueKey{repo, number}].Labels)
}

// removeLabel answers DELETE /repos/{o}/{r}/issues/{number}/labels/{name}
// as GitHub does: the labels left, or 404 "Label does not exist" when the
// issue does not have it.
func (s *Server) removeLabel(w http.ResponseWriter, r *http.Request) {
	k, ok := issue(w, r)
	if !ok {
		return
	}
	p, ok := s.prs[k]
	name := r.PathValue("name")
	i := slices.Index(p.Labels, name)
	if !ok || i < 0 {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "Label does not exist",
			"documentation_url": "https://docs.github.com/rest/issues/labels#remove-a-label-from-an-issue"})
		return
	}
	p.Labels = slices.Delete(slices.Clone(p.Labels), i, i+1)
	s.prs[k] = p
	left := []labelJSON{}
	for _, l := range p.Labels {
		left = append(left, labelJSON{Name: l})
	}
	writeJSON(w, http.StatusOK, left)
}

// listPullCommits answers GET /repos/{o}/{r}/pulls/{number}/commits, as
// GitHub does: at most 250 commits, oldest first, with the accounts of
// their author and committer (null for an address no account claims).
func (s *Server) listPullCommits(w http.ResponseWriter, r *http.Request) {
	k, ok := issue(w, r)
	if !ok {
		return
	}
	p, found := s.prs[k]
	if !found {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
		return
	}
	commits := p.Commits
	if len(commits) == 0 {
		author := p.Author
		if author == "" {
			author = DefaultAuthor
		}
		commits = []PullCommit{{SHA: p.HeadSHA, Author: author, Committer: author}}
	}
	account := func(login string) *user {
		if login == "" {
			return nil
		}
		return &user{Login: login, ID: 7, Type: "User"}
	}
	type commitJSON struct {
		SHA       string `json:"sha"`
		Author    *user  `json:"author"`
		Committer *user  `json:"committer"`
	}
	out := make([]commitJSON, 0, min(len(commits), 250))
	for _, c := range commits[:min(len(commits), 250)] {
		out = append(out, commitJSON{SHA: c.SHA, Author: account(c.Author), Committer: account(c.Committer)})
	}
	writeJSON(w, http.StatusOK, nonNil(page(w, r, out)))
}
