package ghreport

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/google/go-github/v60/github"

	"github.com/smpipe/smpipe-action/results"
)

// DeploymentTask is the task of every deployment smpipe records: how a
// report run tells its deployments from others'.
const DeploymentTask = "smpipe:run"

// Deployments keeps the records of followed executions as GitHub
// deployments of one repository (results.Records): one deployment per
// pipeline and commit, in the target's environment, its payload the
// target. Only deployments with smpipe's task, created by the client's
// author (the login whose comments are ours) and with a payload naming a
// pipeline and an execution are smpipe's records.
type Deployments struct {
	Client      *Client
	Owner, Repo string
}

var _ results.Records = Deployments{}

// listPages bounds the deployments a listing looks at: the newest
// results.MaxListed, 100 a request.
const listPages = results.MaxListed / 100

// List lists smpipe's deployments among the newest results.MaxListed with
// smpipe's task (at most two requests), newest first, of commit only
// unless it is "". Deployments of other creators, and payloads naming no
// pipeline and execution, are left out; what a record names is checked
// by its reader (results.Target.Check, and the pipeline's tags), and
// records that fail or are final already do not count towards what a
// report run follows (results.MaxFollowed).
func (d Deployments) List(ctx context.Context, commit string) ([]results.Record, error) {
	var out []results.Record
	opt := github.ListOptions{PerPage: 100}
	for page := 1; page <= listPages; page++ {
		deps, resp, err := d.Client.gh.Repositories.ListDeployments(ctx, d.Owner, d.Repo, &github.DeploymentsListOptions{Task: DeploymentTask, SHA: commit, ListOptions: opt})
		if err != nil {
			return nil, fmt.Errorf("listing smpipe's deployments (page %d): %w", page, err)
		}
		for _, dep := range deps {
			if !strings.EqualFold(dep.GetCreator().GetLogin(), d.Client.author) {
				continue
			}
			var t results.Target
			if json.Unmarshal(dep.Payload, &t) != nil || t.Pipeline == "" || t.Execution == "" {
				continue
			}
			t.Commit, t.Environment = dep.GetSHA(), dep.GetEnvironment()
			out = append(out, results.Record{ID: dep.GetID(), Target: t})
		}
		if resp.NextPage == 0 {
			break
		}
		opt.Page = resp.NextPage
	}
	return out, nil
}

// State is the deployment's latest state: the first of its statuses,
// which GitHub lists newest first.
func (d Deployments) State(ctx context.Context, rec results.Record) (results.State, error) {
	statuses, _, err := d.Client.gh.Repositories.ListDeploymentStatuses(ctx, d.Owner, d.Repo, rec.ID, &github.ListOptions{PerPage: 1})
	if err != nil {
		return "", fmt.Errorf("reading the state of deployment %d: %w", rec.ID, err)
	}
	if len(statuses) == 0 {
		return "", nil
	}
	return results.State(statuses[0].GetState()), nil
}

// Create records a deployment of t.Commit to t.Environment. Commit status
// checks are not required (a merge commit's own checks may still run) and
// nothing is merged into the ref; a preview's environment is transient.
func (d Deployments) Create(ctx context.Context, t results.Target) (results.Record, error) {
	if t.Commit == "" || t.Environment == "" {
		return results.Record{}, errors.New("creating a deployment: the target names no commit or environment")
	}
	none := []string{}
	dep, _, err := d.Client.gh.Repositories.CreateDeployment(ctx, d.Owner, d.Repo, &github.DeploymentRequest{
		Ref: github.String(t.Commit), Task: github.String(DeploymentTask), AutoMerge: github.Bool(false),
		RequiredContexts: &none, Payload: t, Environment: github.String(t.Environment),
		Description:           github.String(statusText("smpipe: " + t.Pipeline + " execution started")),
		ProductionEnvironment: github.Bool(t.Production), TransientEnvironment: github.Bool(!t.Production),
	})
	if err != nil {
		return results.Record{}, fmt.Errorf("creating the deployment of %s to %s: %w", t.Commit, t.Environment, err)
	}
	return results.Record{ID: dep.GetID(), Target: t}, nil
}

// SetState adds a status to the deployment, its log the execution's page.
func (d Deployments) SetState(ctx context.Context, rec results.Record, s results.State, description, link string) error {
	req := &github.DeploymentStatusRequest{State: github.String(string(s)), Description: github.String(statusText(description))}
	if u := safeURL(link); u != "" {
		req.LogURL = github.String(u)
	}
	if _, _, err := d.Client.gh.Repositories.CreateDeploymentStatus(ctx, d.Owner, d.Repo, rec.ID, req); err != nil {
		return fmt.Errorf("setting deployment %d to %s: %w", rec.ID, s, err)
	}
	return nil
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

// ResultComments shows an ended execution's results in the comment its
// target names (results.Display): its block in smpipe's comment of the
// target's kind and label for its commit, replaced in place.
type ResultComments struct {
	Client      *Client
	Owner, Repo string
	// Redact is applied to the block (masked account IDs); nil keeps it.
	Redact func(string) string
}

var _ results.Display = ResultComments{}

// Show edits the comment; a target with no pull request shows nothing.
// A pull request without that comment is an error wrapping
// results.ErrNoComment; a token that may not edit it is an error, so the
// record stays open for a run that may. Over GitHub's size limit the
// block leaves its steps table out.
func (rc ResultComments) Show(ctx context.Context, t results.Target, e *results.Execution) error {
	if t.PR == 0 {
		return nil
	}
	redact := rc.Redact
	if redact == nil {
		redact = func(s string) string { return s }
	}
	m := Marker{Kind: t.Kind, Label: t.Label, PR: t.PR, Head: t.Commit}
	// Results go only into their own execution's block, which the deploy
	// (or the preview) wrote when it started the execution: a record names
	// its pipeline and execution by text any workflow with deployments:
	// write could have written, and must not add a block of its own.
	placed := false
	set := func(body, pipeline, md string) string {
		if placed = hasResultBlock(body, pipeline, t.Execution); !placed {
			return body
		}
		return SetResult(body, pipeline, md)
	}
	if t.Kind == KindPlan {
		// A preview's results, in its section of the plan comment for the
		// head it ran, which a newer preview of that head replaces.
		set = func(body, pipeline, md string) string {
			placed = hasResultBlock(body, pipeline, t.Execution)
			return SetPreviewResult(body, pipeline, t.Execution, md)
		}
	}
	out, err := EditComment(ctx, rc.Client, rc.Owner, rc.Repo, m, func(body string) string {
		edited := set(body, t.Pipeline, redact(ExecutionMarkdown(e, ResultOptions{})))
		if utf8.RuneCountInString(edited) > MaxCommentChars {
			edited = set(body, t.Pipeline, redact(ExecutionMarkdown(e, ResultOptions{Compact: true})))
		}
		return edited
	})
	switch {
	case err != nil:
		return err
	case out.Action == NoPermission:
		return fmt.Errorf("the token may not edit smpipe's %s comment on pull request #%d (give the job `permissions: pull-requests: write`)", t.Kind, t.PR)
	case out.Action == Skipped:
		return fmt.Errorf("pull request #%d has no smpipe %s comment for %s: %w", t.PR, t.Kind, shortSHA(t.Commit), results.ErrNoComment)
	case !placed:
		return fmt.Errorf("the %s comment on pull request #%d holds no block of execution %s (a newer one replaced it, or it was never written): %w",
			t.Kind, t.PR, t.Execution, results.ErrNoComment)
	}
	return nil
}
