package fakegithub

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

// Comment is an issue or pull request comment as the server stores it.
type Comment struct {
	ID        int64
	Repo      string // owner/name
	Number    int
	Author    string
	Bot       bool // the author is a GitHub App (type "Bot")
	Body      string
	CreatedAt time.Time
	UpdatedAt time.Time
}

type user struct {
	Login string `json:"login"`
	ID    int64  `json:"id"`
	Type  string `json:"type"`
}

type commentJSON struct {
	ID        int64     `json:"id"`
	NodeID    string    `json:"node_id"`
	Body      string    `json:"body"`
	User      user      `json:"user"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	HTMLURL   string    `json:"html_url"`
	IssueURL  string    `json:"issue_url"`
}

func (c *Comment) json() commentJSON {
	typ := "User"
	if c.Bot {
		typ = "Bot"
	}
	return commentJSON{
		ID:        c.ID,
		NodeID:    "IC_" + strconv.FormatInt(c.ID, 10),
		Body:      c.Body,
		User:      user{Login: c.Author, ID: int64(len(c.Author)), Type: typ},
		CreatedAt: c.CreatedAt,
		UpdatedAt: c.UpdatedAt,
		HTMLURL:   fmt.Sprintf("https://github.com/%s/pull/%d#issuecomment-%d", c.Repo, c.Number, c.ID),
		IssueURL:  fmt.Sprintf("https://api.github.com/repos/%s/issues/%d", c.Repo, c.Number),
	}
}

// AddComment seeds a comment on pull request number of repo ("owner/name")
// by author (a login ending in "[bot]" is a Bot) and returns its id.
// Comments get increasing ids and timestamps one second apart.
func (s *Server) AddComment(repo string, number int, author, body string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addComment(repo, number, author, body).ID
}

func (s *Server) addComment(repo string, number int, author, body string) *Comment {
	s.nextID++
	s.now = s.now.Add(time.Second)
	c := &Comment{
		ID: s.nextID, Repo: repo, Number: number, Author: author, Bot: isBot(author),
		Body: body, CreatedAt: s.now, UpdatedAt: s.now,
	}
	k := issueKey{repo, number}
	s.comments[k] = append(s.comments[k], c)
	return c
}

// EditComment replaces the body of comment id, as a collaborator editing
// someone else's comment in the web UI does: the author stays the same.
func (s *Server) EditComment(repo string, number int, id int64, body string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.comments[issueKey{repo, number}] {
		if c.ID == id {
			s.now = s.now.Add(time.Second)
			c.Body, c.UpdatedAt = body, s.now
			return
		}
	}
	s.t.Errorf("fakegithub: no comment %d on %s#%d to edit", id, repo, number)
}

func isBot(login string) bool {
	return len(login) > 5 && login[len(login)-5:] == "[bot]"
}

// Comments returns copies of the comments on pull request number, oldest
// first.
func (s *Server) Comments(repo string, number int) []Comment {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Comment
	for _, c := range s.comments[issueKey{repo, number}] {
		out = append(out, *c)
	}
	return out
}

// author is who the current token writes as. Called with the lock held.
func (s *Server) author() string {
	if s.user != "" {
		return s.user
	}
	return BotLogin
}

func (s *Server) listComments(w http.ResponseWriter, r *http.Request) {
	k, ok := issue(w, r)
	if !ok {
		return
	}
	var all []commentJSON
	for _, c := range s.comments[k] {
		all = append(all, c.json())
	}
	writeJSON(w, http.StatusOK, nonNil(page(w, r, all)))
}

func (s *Server) createComment(w http.ResponseWriter, r *http.Request) {
	k, ok := issue(w, r)
	if !ok {
		return
	}
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	c := s.addComment(k.repo, k.number, s.author(), body)
	writeJSON(w, http.StatusCreated, c.json())
}

func (s *Server) editComment(w http.ResponseWriter, r *http.Request) {
	c, ok := s.findComment(w, r)
	if !ok {
		return
	}
	if c.Author != s.author() {
		writeJSON(w, http.StatusForbidden, map[string]string{"message": "Resource not accessible by integration"})
		return
	}
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	s.now = s.now.Add(time.Second)
	c.Body, c.UpdatedAt = body, s.now
	writeJSON(w, http.StatusOK, c.json())
}

func (s *Server) deleteComment(w http.ResponseWriter, r *http.Request) {
	c, ok := s.findComment(w, r)
	if !ok {
		return
	}
	k := issueKey{c.Repo, c.Number}
	s.comments[k] = slices.DeleteFunc(s.comments[k], func(x *Comment) bool { return x.ID == c.ID })
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) findComment(w http.ResponseWriter, r *http.Request) (*Comment, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err == nil {
		for k, cs := range s.comments {
			if k.repo != repoOf(r) {
				continue
			}
			for _, c := range cs {
				if c.ID == id {
					return c, true
				}
			}
		}
	}
	writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
	return nil, false
}

func issue(w http.ResponseWriter, r *http.Request) (issueKey, bool) {
	n, err := strconv.Atoi(r.PathValue("number"))
	if err != nil || n <= 0 {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
		return issueKey{}, false
	}
	return issueKey{repoOf(r), n}, true
}

// readBody decodes {"body": ...} and enforces GitHub's size limit.
func readBody(w http.ResponseWriter, r *http.Request) (string, bool) {
	var in struct {
		Body *string `json:"body"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Body == nil {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"message": "Invalid request.\n\n\"body\" wasn't supplied."})
		return "", false
	}
	if utf8.RuneCountInString(*in.Body) > MaxBody {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{
			"message": "Validation Failed",
			"errors": []map[string]string{{
				"resource": "IssueComment", "code": "custom", "field": "body",
				"message": "Body is too long (maximum is 65536 characters)",
			}},
			"documentation_url": "https://docs.github.com/rest/issues/comments#create-an-issue-comment",
		})
		return "", false
	}
	return *in.Body, true
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
