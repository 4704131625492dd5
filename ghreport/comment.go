package ghreport

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/google/go-github/v60/github"
)

// MaxCommentChars is GitHub's limit on a comment body, in characters.
const MaxCommentChars = 65536

// Action is what Upsert did.
type Action string

const (
	Created      Action = "created"
	Updated      Action = "updated"
	Unchanged    Action = "unchanged"     // the body was already identical
	Stale        Action = "stale"         // a newer run already wrote the comment; nothing written
	NoPermission Action = "no-permission" // the token may not write (fork); nothing written
	Skipped      Action = "skipped"       // nothing to say and no comment to update
)

// Outcome says what happened to the sticky comment.
type Outcome struct {
	Action    Action
	CommentID int64  // the comment written or left alone; 0 when none
	URL       string // its html_url, when known
	// Duplicates counts other comments with our marker that were left
	// alone (two runs that raced each created one; the oldest is kept).
	Duplicates int
}

// Upsert keeps one plan comment on pull request pr. It lists every comment
// (all pages, 100 at a time) and keeps those written by c.Author() whose
// first line is a marker of m.Kind. With none it creates one. Otherwise it
// works on the oldest: identical body → Unchanged; its marker is from a
// newer run (higher run id, or the same run re-attempted) for a different
// head → Stale, nothing written; else it edits it in place. Other matches
// are counted in Duplicates and left alone (deleting breaks links).
//
// A 403 on the write (a fork's read-only token) is not an error: the
// Outcome says NoPermission and the caller keeps the step summary.
func Upsert(ctx context.Context, c *Client, owner, repo string, pr int, body string, m Marker) (Outcome, error) {
	return upsert(ctx, c, owner, repo, pr, body, m, true, func(Marker) bool { return true })
}

// UpdateNothingTouched is Upsert for a run that touches no pipeline: it
// never creates a comment, but edits an existing plan comment (an earlier
// push did touch pipelines) so it no longer shows a stale plan. body is
// Markdown of a Report with NothingTouched set.
func UpdateNothingTouched(ctx context.Context, c *Client, owner, repo string, pr int, body string, m Marker) (Outcome, error) {
	return upsert(ctx, c, owner, repo, pr, body, m, false, func(Marker) bool { return true })
}

// PostDeployResult writes the deploy report onto the merged pull request
// as its own comment, with a KindDeploy marker (m.Kind is set for you), one
// per head SHA: a re-run for the same merge commit edits it. body is
// markdown the caller escaped; it is cut to fit GitHub's limit.
func PostDeployResult(ctx context.Context, c *Client, owner, repo string, pr int, m Marker, body string) (Outcome, error) {
	m.Kind = KindDeploy
	full := m.String() + "\n" + body
	if utf8.RuneCountInString(full) > MaxCommentChars {
		full = cutRunes(full, MaxCommentChars-200) + "\n\n…the report was cut to fit GitHub's comment limit; see the job summary.\n"
	}
	return upsert(ctx, c, owner, repo, pr, full, m, true, func(old Marker) bool { return old.Head == m.Head })
}

func upsert(ctx context.Context, c *Client, owner, repo string, pr int, body string, m Marker, create bool, same func(Marker) bool) (Outcome, error) {
	if n := utf8.RuneCountInString(body); n > MaxCommentChars {
		return Outcome{}, fmt.Errorf("writing the %s comment on #%d: body has %d characters, over GitHub's %d", m.Kind, pr, n, MaxCommentChars)
	}
	found, err := findOurs(ctx, c, owner, repo, pr, m.Kind, same)
	if err != nil {
		return Outcome{}, err
	}
	if len(found) == 0 {
		if !create {
			return Outcome{Action: Skipped}, nil
		}
		made, _, err := c.gh.Issues.CreateComment(ctx, owner, repo, pr, &github.IssueComment{Body: github.String(body)})
		switch {
		case isForbidden(err):
			return Outcome{Action: NoPermission}, nil
		case err != nil:
			return Outcome{}, fmt.Errorf("creating the %s comment on #%d: %w", m.Kind, pr, err)
		}
		return Outcome{Action: Created, CommentID: made.GetID(), URL: made.GetHTMLURL()}, nil
	}
	oldest := found[0]
	out := Outcome{CommentID: oldest.comment.GetID(), URL: oldest.comment.GetHTMLURL(), Duplicates: len(found) - 1}
	switch {
	case oldest.comment.GetBody() == body:
		out.Action = Unchanged
		return out, nil
	case oldest.marker.Head != m.Head && oldest.marker.newerThan(m):
		out.Action = Stale
		return out, nil
	}
	_, _, err = c.gh.Issues.EditComment(ctx, owner, repo, oldest.comment.GetID(), &github.IssueComment{Body: github.String(body)})
	switch {
	case isForbidden(err):
		out.Action = NoPermission
		return out, nil
	case err != nil:
		return Outcome{}, fmt.Errorf("editing the %s comment %d on #%d: %w", m.Kind, oldest.comment.GetID(), pr, err)
	}
	out.Action = Updated
	return out, nil
}

type ourComment struct {
	comment *github.IssueComment
	marker  Marker
}

// findOurs lists every comment on pr and returns ours of kind for which
// same holds, oldest first.
func findOurs(ctx context.Context, c *Client, owner, repo string, pr int, kind string, same func(Marker) bool) ([]ourComment, error) {
	var out []ourComment
	opt := &github.IssueListCommentsOptions{ListOptions: github.ListOptions{PerPage: 100}}
	for {
		page, resp, err := c.gh.Issues.ListComments(ctx, owner, repo, pr, opt)
		if err != nil {
			return nil, fmt.Errorf("listing comments on #%d (page %d): %w", pr, max(opt.Page, 1), err)
		}
		for _, cm := range page {
			if !strings.EqualFold(cm.GetUser().GetLogin(), c.author) {
				continue
			}
			if m, ok := ParseMarker(cm.GetBody()); ok && m.Kind == kind && same(m) {
				out = append(out, ourComment{comment: cm, marker: m})
			}
		}
		if resp.NextPage == 0 {
			break
		}
		opt.Page = resp.NextPage
	}
	slices.SortStableFunc(out, func(a, b ourComment) int {
		return cmp.Or(
			a.comment.GetCreatedAt().Compare(b.comment.GetCreatedAt().Time),
			cmp.Compare(a.comment.GetID(), b.comment.GetID()),
		)
	})
	return out, nil
}

// ReadPlanMarker returns the marker of our plan comment on pr (the oldest,
// the one Upsert edits).
func ReadPlanMarker(ctx context.Context, c *Client, owner, repo string, pr int) (Marker, bool, error) {
	found, err := findOurs(ctx, c, owner, repo, pr, KindPlan, func(Marker) bool { return true })
	if err != nil || len(found) == 0 {
		return Marker{}, false, err
	}
	return found[0].marker, true, nil
}

func cutRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}
