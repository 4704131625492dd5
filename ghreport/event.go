package ghreport

import (
	"cmp"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Event is the part of a workflow's event payload (GITHUB_EVENT_PATH) that
// smpipe acts on. Exactly one of PullRequest, Push and Dispatch is set for
// the events smpipe knows; none for others.
type Event struct {
	Name        string // GITHUB_EVENT_NAME
	Repository  string // owner/name of the repository the workflow runs in
	PullRequest *PullRequestEvent
	Push        *PushEvent
	Dispatch    *DispatchEvent
}

// PullRequestEvent is a pull_request or pull_request_target payload.
type PullRequestEvent struct {
	Number   int
	Action   string // opened, synchronize, reopened, closed, …
	BaseSHA  string
	HeadSHA  string // the PR head, not GITHUB_SHA (the merge ref on pull_request)
	BaseRef  string
	HeadRef  string
	HeadRepo string // full_name; empty when the fork was deleted
	BaseRepo string
	// IsFork is set when the head lives in another repository (or one that
	// no longer exists): the token is read-only and there are no secrets
	// and no OIDC token.
	IsFork bool
	Draft  bool
	Merged bool
	// Label is the label added or removed (actions labeled, unlabeled).
	Label string
	// Sender is the account that caused the event: who added the label.
	Sender string
}

// PushEvent is a push payload.
type PushEvent struct {
	Before        string
	After         string
	Ref           string // refs/heads/main
	DefaultBranch string
	Forced        bool
	Created       bool
	Deleted       bool
}

// OnDefaultBranch reports whether the push went to the default branch.
func (p PushEvent) OnDefaultBranch() bool {
	return p.DefaultBranch != "" && p.Ref == "refs/heads/"+p.DefaultBranch
}

// DispatchEvent is a workflow_dispatch payload.
type DispatchEvent struct {
	Ref           string
	DefaultBranch string
	// Inputs as strings; booleans and numbers are written as JSON writes
	// them ("true", "3").
	Inputs map[string]string
}

// OnDefaultBranch reports whether the workflow was dispatched on the
// default branch.
func (d DispatchEvent) OnDefaultBranch() bool {
	return d.DefaultBranch != "" && d.Ref == "refs/heads/"+d.DefaultBranch
}

type repoJSON struct {
	FullName      string `json:"full_name"`
	DefaultBranch string `json:"default_branch"`
}

type refJSON struct {
	Ref  string    `json:"ref"`
	SHA  string    `json:"sha"`
	Repo *repoJSON `json:"repo"`
}

type payloadJSON struct {
	Action      string `json:"action"`
	Number      int    `json:"number"`
	PullRequest *struct {
		Number int     `json:"number"`
		Draft  bool    `json:"draft"`
		Merged bool    `json:"merged"`
		Base   refJSON `json:"base"`
		Head   refJSON `json:"head"`
	} `json:"pull_request"`
	Before     string                     `json:"before"`
	After      string                     `json:"after"`
	Ref        string                     `json:"ref"`
	Forced     bool                       `json:"forced"`
	Created    bool                       `json:"created"`
	Deleted    bool                       `json:"deleted"`
	Inputs     map[string]json.RawMessage `json:"inputs"`
	Repository *repoJSON                  `json:"repository"`
	Label      *struct {
		Name string `json:"name"`
	} `json:"label"`
	Sender *struct {
		Login string `json:"login"`
	} `json:"sender"`
}

// ReadEvent reads the payload at path (GITHUB_EVENT_PATH) for event name
// (GITHUB_EVENT_NAME).
func ReadEvent(name, path string) (Event, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Event{}, fmt.Errorf("reading the %s event payload: %w", name, err)
	}
	return ParseEvent(name, b)
}

// ParseEvent decodes an event payload. Unknown event names give an Event
// with only Name and Repository set.
func ParseEvent(name string, payload []byte) (Event, error) {
	var p payloadJSON
	if err := json.Unmarshal(payload, &p); err != nil {
		return Event{}, fmt.Errorf("decoding the %s event payload: %w", name, err)
	}
	ev := Event{Name: name}
	if p.Repository != nil {
		ev.Repository = p.Repository.FullName
	}
	switch name {
	case "pull_request", "pull_request_target":
		if p.PullRequest == nil {
			return Event{}, fmt.Errorf("decoding the %s event payload: no pull_request object", name)
		}
		pr := p.PullRequest
		e := &PullRequestEvent{
			Number: cmp.Or(pr.Number, p.Number), Action: p.Action,
			BaseSHA: pr.Base.SHA, HeadSHA: pr.Head.SHA, BaseRef: pr.Base.Ref, HeadRef: pr.Head.Ref,
			Draft: pr.Draft, Merged: pr.Merged,
		}
		if pr.Base.Repo != nil {
			e.BaseRepo = pr.Base.Repo.FullName
		}
		if p.Label != nil {
			e.Label = p.Label.Name
		}
		if p.Sender != nil {
			e.Sender = p.Sender.Login
		}
		if pr.Head.Repo != nil {
			e.HeadRepo = pr.Head.Repo.FullName
		}
		e.IsFork = e.HeadRepo == "" || !strings.EqualFold(e.HeadRepo, cmp.Or(e.BaseRepo, ev.Repository))
		if e.Number <= 0 || e.HeadSHA == "" || e.BaseSHA == "" {
			return Event{}, fmt.Errorf("decoding the %s event payload: missing number, base.sha or head.sha", name)
		}
		ev.PullRequest = e
	case "push":
		e := &PushEvent{Before: p.Before, After: p.After, Ref: p.Ref, Forced: p.Forced, Created: p.Created, Deleted: p.Deleted}
		if p.Repository != nil {
			e.DefaultBranch = p.Repository.DefaultBranch
		}
		ev.Push = e
	case "workflow_dispatch":
		e := &DispatchEvent{Ref: p.Ref, Inputs: map[string]string{}}
		if p.Repository != nil {
			e.DefaultBranch = p.Repository.DefaultBranch
		}
		for k, raw := range p.Inputs {
			var s string
			switch {
			case string(raw) == "null":
			case json.Unmarshal(raw, &s) == nil:
				e.Inputs[k] = s
			default:
				e.Inputs[k] = string(raw)
			}
		}
		ev.Dispatch = e
	}
	return ev, nil
}

// String is a one-line description for logs.
func (e Event) String() string {
	switch {
	case e.PullRequest != nil:
		return e.Name + " #" + strconv.Itoa(e.PullRequest.Number) + " (" + e.PullRequest.Action + ")"
	case e.Push != nil:
		return e.Name + " to " + e.Push.Ref
	}
	return e.Name
}
