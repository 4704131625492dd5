package fakegithub

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Deployment is a deployment as GitHub keeps it, with its statuses oldest
// first.
type Deployment struct {
	ID          int64           `json:"id"`
	SHA         string          `json:"sha"`
	Ref         string          `json:"ref"`
	Task        string          `json:"task"`
	Environment string          `json:"environment"`
	Description string          `json:"description"`
	Payload     json.RawMessage `json:"payload"`
	// Creator is the login that created it: the token's (an Actions
	// token's is github-actions[bot]).
	Creator               string             `json:"-"`
	ProductionEnvironment bool               `json:"production_environment"`
	TransientEnvironment  bool               `json:"transient_environment"`
	CreatedAt             time.Time          `json:"created_at"`
	Statuses              []DeploymentStatus `json:"-"`
	repo                  string
}

// deploymentJSON is a deployment as the API answers it.
type deploymentJSON struct {
	*Deployment
	CreatorJSON user `json:"creator"`
}

func (d *Deployment) json() deploymentJSON {
	typ := "User"
	if strings.HasSuffix(d.Creator, "[bot]") {
		typ = "Bot"
	}
	return deploymentJSON{Deployment: d, CreatorJSON: user{Login: d.Creator, ID: 2, Type: typ}}
}

// DeploymentStatus is one status of a deployment.
type DeploymentStatus struct {
	ID          int64     `json:"id"`
	State       string    `json:"state"`
	LogURL      string    `json:"log_url"`
	Description string    `json:"description"`
	CreatedAt   time.Time `json:"created_at"`
}

// Deployments returns copies of repo's deployments, oldest first.
func (s *Server) Deployments(repo string) []Deployment {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Deployment
	for _, d := range s.deployments {
		if d.repo == repo {
			c := *d
			c.Statuses = slices.Clone(d.Statuses)
			out = append(out, c)
		}
	}
	return out
}

func (s *Server) createDeployment(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Ref                   string          `json:"ref"`
		Task                  string          `json:"task"`
		AutoMerge             *bool           `json:"auto_merge"`
		RequiredContexts      *[]string       `json:"required_contexts"`
		Payload               json.RawMessage `json:"payload"`
		Environment           string          `json:"environment"`
		Description           string          `json:"description"`
		ProductionEnvironment *bool           `json:"production_environment"`
		TransientEnvironment  bool            `json:"transient_environment"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Ref == "" {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"message": "Invalid request: ref is required"})
		return
	}
	if in.RequiredContexts == nil || len(*in.RequiredContexts) > 0 {
		// GitHub checks the ref's commit statuses unless told not to; the
		// deploy's merge commit has the plan's own checks pending or not.
		writeJSON(w, http.StatusConflict, map[string]string{"message": "Conflict: Commit status checks failed for " + in.Ref})
		return
	}
	if in.Task == "" {
		in.Task = "deploy"
	}
	if in.Environment == "" {
		in.Environment = "production"
	}
	if len(in.Payload) == 0 {
		in.Payload = json.RawMessage("{}")
	}
	if utf8.RuneCountInString(in.Description) > 140 {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"message": "Validation Failed: description is too long (maximum is 140 characters)"})
		return
	}
	s.nextID++
	s.now = s.now.Add(time.Second)
	// GitHub's default: a production environment when it is named so.
	production := in.Environment == "production"
	if in.ProductionEnvironment != nil {
		production = *in.ProductionEnvironment
	}
	d := &Deployment{ID: s.nextID, SHA: in.Ref, Ref: in.Ref, Task: in.Task, Environment: in.Environment,
		Description: in.Description, Payload: in.Payload, Creator: s.author(), ProductionEnvironment: production,
		TransientEnvironment: in.TransientEnvironment, CreatedAt: s.now, repo: repoOf(r)}
	s.deployments = append(s.deployments, d)
	writeJSON(w, http.StatusCreated, d.json())
}

func (s *Server) listDeployments(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	out := []deploymentJSON{}
	for i := len(s.deployments) - 1; i >= 0; i-- { // newest first
		d := s.deployments[i]
		if d.repo != repoOf(r) || q.Get("sha") != "" && q.Get("sha") != d.SHA || q.Get("task") != "" && q.Get("task") != d.Task ||
			q.Get("environment") != "" && q.Get("environment") != d.Environment || q.Get("ref") != "" && q.Get("ref") != d.Ref {
			continue
		}
		out = append(out, d.json())
	}
	writeJSON(w, http.StatusOK, page(w, r, out))
}

func (s *Server) deployment(w http.ResponseWriter, r *http.Request) (*Deployment, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	for _, d := range s.deployments {
		if err == nil && d.ID == id && d.repo == repoOf(r) {
			return d, true
		}
	}
	writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
	return nil, false
}

func (s *Server) createDeploymentStatus(w http.ResponseWriter, r *http.Request) {
	d, ok := s.deployment(w, r)
	if !ok {
		return
	}
	var in struct {
		State       string `json:"state"`
		LogURL      string `json:"log_url"`
		Description string `json:"description"`
	}
	states := []string{"error", "failure", "inactive", "in_progress", "queued", "pending", "success"}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || !slices.Contains(states, in.State) {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"message": "Validation Failed: state is not included in the list"})
		return
	}
	if utf8.RuneCountInString(in.Description) > 140 {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"message": "Validation Failed: description is too long (maximum is 140 characters)"})
		return
	}
	s.nextID++
	s.now = s.now.Add(time.Second)
	st := DeploymentStatus{ID: s.nextID, State: in.State, LogURL: in.LogURL, Description: in.Description, CreatedAt: s.now}
	d.Statuses = append(d.Statuses, st)
	writeJSON(w, http.StatusCreated, st)
}

func (s *Server) listDeploymentStatuses(w http.ResponseWriter, r *http.Request) {
	d, ok := s.deployment(w, r)
	if !ok {
		return
	}
	out := slices.Clone(d.Statuses)
	slices.Reverse(out) // newest first
	writeJSON(w, http.StatusOK, nonNil(page(w, r, out)))
}

// AddDeployment records a deployment as any workflow with deployments:
// write could have created it (as d.Creator), and returns it with its ID.
func (s *Server) AddDeployment(repo string, d Deployment) Deployment {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	d.ID, d.repo, d.CreatedAt = s.nextID, repo, s.now
	if d.Ref == "" {
		d.Ref = d.SHA
	}
	c := d
	s.deployments = append(s.deployments, &c)
	return d
}
