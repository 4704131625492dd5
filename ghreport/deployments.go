package ghreport

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/google/go-github/v60/github"
)

// DeploymentTask is the task of every deployment smpipe records: how the
// report run tells its deployments from others'.
const DeploymentTask = "smpipe:run"

// DeploymentPayload is what a deployment records of the execution it
// follows, for the report run to pick up.
type DeploymentPayload struct {
	Pipeline  string `json:"pipeline"`
	Execution string `json:"execution"`
	Region    string `json:"region"`
	// PR is the pull request whose deploy (or preview) comment shows the
	// results; Label the comment's label; Kind the comment's kind.
	PR    int    `json:"pr,omitempty"`
	Label string `json:"label,omitempty"`
	Kind  string `json:"kind,omitempty"`
}

// Deployment is one of smpipe's deployments, with its latest state.
type Deployment struct {
	ID          int64
	SHA         string
	Environment string
	Payload     DeploymentPayload
	// State is the latest status's state; "" when it has none.
	State string
}

// Final reports whether the deployment's latest state is final: nothing
// is left to follow.
func (d Deployment) Final() bool {
	switch d.State {
	case "success", "failure", "error", "inactive":
		return true
	}
	return false
}

// CreateDeployment records a deployment of commit sha to environment.
// Commit status checks are not required: the merge commit's own checks
// may still run.
func CreateDeployment(ctx context.Context, c *Client, owner, repo, sha, environment string, p DeploymentPayload, description string) (Deployment, error) {
	return createDeployment(ctx, c, owner, repo, sha, environment, p, description, true)
}

// CreatePreviewDeployment is CreateDeployment for a preview: a transient
// environment that is not production.
func CreatePreviewDeployment(ctx context.Context, c *Client, owner, repo, sha, environment string, p DeploymentPayload, description string) (Deployment, error) {
	return createDeployment(ctx, c, owner, repo, sha, environment, p, description, false)
}

func createDeployment(ctx context.Context, c *Client, owner, repo, sha, environment string, p DeploymentPayload, description string, production bool) (Deployment, error) {
	none := []string{}
	d, _, err := c.gh.Repositories.CreateDeployment(ctx, owner, repo, &github.DeploymentRequest{
		Ref: github.String(sha), Task: github.String(DeploymentTask), AutoMerge: github.Bool(false),
		RequiredContexts: &none, Payload: p, Environment: github.String(environment),
		Description: github.String(statusText(description)), ProductionEnvironment: github.Bool(production),
		TransientEnvironment: github.Bool(!production),
	})
	if err != nil {
		return Deployment{}, fmt.Errorf("creating the deployment of %s to %s: %w", sha, environment, err)
	}
	return Deployment{ID: d.GetID(), SHA: sha, Environment: environment, Payload: p}, nil
}

// SetDeploymentState adds a status to deployment id.
func SetDeploymentState(ctx context.Context, c *Client, owner, repo string, id int64, state, logURL, description string) error {
	req := &github.DeploymentStatusRequest{State: github.String(state), Description: github.String(statusText(description))}
	if u := safeURL(logURL); u != "" {
		req.LogURL = github.String(u)
	}
	if _, _, err := c.gh.Repositories.CreateDeploymentStatus(ctx, owner, repo, id, req); err != nil {
		return fmt.Errorf("setting deployment %d to %s: %w", id, state, err)
	}
	return nil
}

// maxFollowed bounds how many of the newest deployments a report run
// looks at: older ones without a final state are long abandoned.
const maxFollowed = 300

// ListDeployments lists smpipe's deployments, newest first (at most
// maxFollowed), optionally of commit sha only, each with its latest state.
// Deployments whose payload is not smpipe's are left out.
func ListDeployments(ctx context.Context, c *Client, owner, repo, sha string) ([]Deployment, error) {
	var out []Deployment
	for d, err := range allPages("listing smpipe's deployments", func(opt *github.ListOptions) ([]*github.Deployment, *github.Response, error) {
		return c.gh.Repositories.ListDeployments(ctx, owner, repo, &github.DeploymentsListOptions{Task: DeploymentTask, SHA: sha, ListOptions: *opt})
	}) {
		if err != nil {
			return nil, err
		}
		var p DeploymentPayload
		if json.Unmarshal(d.Payload, &p) != nil || p.Pipeline == "" || p.Execution == "" {
			continue
		}
		dep := Deployment{ID: d.GetID(), SHA: d.GetSHA(), Environment: d.GetEnvironment(), Payload: p}
		statuses, _, err := c.gh.Repositories.ListDeploymentStatuses(ctx, owner, repo, dep.ID, &github.ListOptions{PerPage: 1})
		if err != nil {
			return nil, fmt.Errorf("reading the state of deployment %d: %w", dep.ID, err)
		}
		if len(statuses) > 0 {
			dep.State = statuses[0].GetState()
		}
		out = append(out, dep)
		if len(out) == maxFollowed {
			break
		}
	}
	return out, nil
}

// statusText keeps a description within GitHub's 140 characters, on one
// line.
func statusText(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) > 140 {
		s = string([]rune(s)[:139]) + "…"
	}
	return s
}
