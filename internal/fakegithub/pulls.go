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

// PullRequest is what GET /repos/{o}/{r}/commits/{sha}/pulls lists.
type PullRequest struct {
	Number         int    `json:"number"`
	State          string `json:"state"` // open or closed
	Merged         bool   `json:"-"`
	MergeCommitSHA string `json:"merge_commit_sha,omitempty"`
	BaseRef        string `json:"-"`
	HeadSHA        string `json:"-"`
}

// SetFiles sets the changed files of pull request number.
func (s *Server) SetFiles(repo string, number int, files []File) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.files[issueKey{repo, number}] = append([]File(nil), files...)
}

// LinkCommit makes GET /repos/{repo}/commits/{sha}/pulls list prs.
func (s *Server) LinkCommit(repo, sha string, prs ...PullRequest) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pulls[commitKey{repo, strings.ToLower(sha)}] = append([]PullRequest(nil), prs...)
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
	type ref struct {
		Ref string `json:"ref"`
		SHA string `json:"sha,omitempty"`
	}
	type pull struct {
		PullRequest
		MergedAt *string `json:"merged_at"`
		Base     ref     `json:"base"`
		Head     ref     `json:"head"`
	}
	var out []pull
	for _, p := range s.pulls[commitKey{repoOf(r), strings.ToLower(r.PathValue("sha"))}] {
		var mergedAt *string
		if p.Merged {
			t := s.now.Format("2006-01-02T15:04:05Z")
			mergedAt = &t
		}
		out = append(out, pull{PullRequest: p, MergedAt: mergedAt, Base: ref{Ref: p.BaseRef}, Head: ref{Ref: "feature", SHA: p.HeadSHA}})
	}
	writeJSON(w, http.StatusOK, nonNil(page(w, r, out)))
}
