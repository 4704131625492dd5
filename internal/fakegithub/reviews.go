package fakegithub

import (
	"net/http"
	"time"
)

// Review is one pull request review, as GET
// /repos/{o}/{r}/pulls/{n}/reviews lists it. State is APPROVED,
// CHANGES_REQUESTED, COMMENTED, DISMISSED or PENDING; CommitID is the head
// the reviewer saw.
type Review struct {
	ID          int64     `json:"id"`
	User        string    `json:"-"`
	UserType    string    `json:"-"` // "User" when empty; "Bot" for an app
	State       string    `json:"state"`
	CommitID    string    `json:"commit_id"`
	SubmittedAt time.Time `json:"submitted_at"`
}

// AddReview records a review of pull request number. A zero ID is assigned
// and a zero SubmittedAt is the server's clock.
func (s *Server) AddReview(repo string, number int, r Review) Review {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.ID == 0 {
		s.nextID++
		r.ID = s.nextID
	}
	if r.SubmittedAt.IsZero() {
		r.SubmittedAt = s.now
	}
	k := issueKey{repo, number}
	s.reviews[k] = append(s.reviews[k], r)
	return r
}

// DismissReview turns review id into a dismissed one, as "Dismiss review"
// on GitHub does (the state changes; the review stays listed).
func (s *Server) DismissReview(repo string, number int, id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, r := range s.reviews[issueKey{repo, number}] {
		if r.ID == id {
			s.reviews[issueKey{repo, number}][i].State = "DISMISSED"
		}
	}
}

func (s *Server) listReviews(w http.ResponseWriter, r *http.Request) {
	k, ok := issue(w, r)
	if !ok {
		return
	}
	type reviewJSON struct {
		Review
		User user `json:"user"`
	}
	var out []reviewJSON
	for _, rv := range s.reviews[k] {
		typ := rv.UserType
		if typ == "" {
			typ = "User"
		}
		out = append(out, reviewJSON{Review: rv, User: user{Login: rv.User, ID: 7, Type: typ}})
	}
	writeJSON(w, http.StatusOK, nonNil(page(w, r, out)))
}
