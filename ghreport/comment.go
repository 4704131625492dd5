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
	NoPermission Action = "no-permission" // the token may not write (fork); nothing written
	Skipped      Action = "skipped"       // nothing to say and no comment to update
	Superseded   Action = "superseded"    // the comment is of a newer head; nothing written
)

// Outcome says what happened to the sticky comment.
type Outcome struct {
	Action    Action
	CommentID int64  // the comment written or left alone; 0 when none
	URL       string // its html_url, when known
	// Duplicates counts other comments with our marker that were left
	// alone (two runs that raced each created one; the oldest is kept).
	Duplicates int
	// Outdated counts the earlier comments PostNew marked outdated.
	Outdated int
}

// Upsert keeps one plan comment per label on pull request pr (comment mode
// true). It lists every comment (all pages, 100 at a time) and keeps those
// written by c.Author() whose first line is a marker of m's kind and label
// and not outdated. With none it creates one. Otherwise it works on the
// oldest: identical body → Unchanged; else it edits it in place, whatever
// its marker says (a marker is text anyone can write: whether this run is
// the current one is the caller's question, asked of GitHub's record of the
// pull request's head). Other matches are counted in Duplicates and left
// alone (deleting breaks links).
//
// A 403 on the write (a fork's read-only token) is not an error: the
// Outcome says NoPermission and the caller keeps the step summary.
func Upsert(ctx context.Context, c *Client, owner, repo string, pr int, body string, m Marker) (Outcome, error) {
	return upsert(ctx, c, owner, repo, pr, body, m, true, sameLabel(m))
}

// UpdateExisting is Upsert for a run with nothing worth a new comment
// (comment mode changes-only with no change, or no pipeline touched): it
// never creates one, but edits an existing comment of m's kind and label
// (an earlier push did change something) so that it no longer shows a
// stale plan.
func UpdateExisting(ctx context.Context, c *Client, owner, repo string, pr int, body string, m Marker) (Outcome, error) {
	return upsert(ctx, c, owner, repo, pr, body, m, false, sameLabel(m))
}

// PostNew creates a new comment for every run (comment mode always-new),
// keeping the earlier ones as history: each earlier comment of m's kind and
// label is marked outdated in place, with a link to the new one, and never
// edited again. The Outcome names
// the new comment; Outdated counts the comments marked. An error after the
// new comment was created (marking an old one failed) comes with that
// Outcome.
func PostNew(ctx context.Context, c *Client, owner, repo string, pr int, body string, m Marker) (Outcome, error) {
	if err := checkSize(body, m.Kind, pr); err != nil {
		return Outcome{}, err
	}
	found, err := findOurs(ctx, c, owner, repo, pr, sameLabel(m))
	if err != nil {
		return Outcome{}, err
	}
	if n := len(found); n > 0 {
		if newest := found[n-1]; newest.comment.GetBody() == body {
			return Outcome{Action: Unchanged, CommentID: newest.comment.GetID(), URL: newest.comment.GetHTMLURL()}, nil
		}
	}
	out, err := create(ctx, c, owner, repo, pr, body, m)
	if err != nil || out.Action != Created {
		return out, err
	}
	for _, old := range found {
		om := old.marker
		om.Outdated = true
		_, rest, _ := strings.Cut(old.comment.GetBody(), "\n")
		note := "> [!NOTE]\n> Outdated: a newer run posted " + link("the current "+m.Kind, out.URL)
		if m.Head != "" {
			note += " for head " + code(shortSHA(m.Head))
		}
		edited := om.String() + "\n" + note + ".\n\n" + rest
		if utf8.RuneCountInString(edited) > MaxCommentChars {
			edited = cutRunes(edited, MaxCommentChars)
		}
		if _, _, err := c.gh.Issues.EditComment(ctx, owner, repo, old.comment.GetID(), &github.IssueComment{Body: github.String(edited)}); err != nil {
			return out, fmt.Errorf("marking the %s comment %d on #%d outdated: %w", m.Kind, old.comment.GetID(), pr, err)
		}
		out.Outdated++
	}
	return out, nil
}

// PostDeployResult writes the deploy report onto the merged pull request
// as its own comment, with a KindDeploy marker (m.Kind is set for you), one
// per head SHA and label: a re-run for the same merge commit edits it. With
// create false it only edits an existing one (comment mode changes-only
// when nothing changed). body is markdown the caller escaped; it is cut to
// fit GitHub's limit.
func PostDeployResult(ctx context.Context, c *Client, owner, repo string, pr int, m Marker, body string, create bool) (Outcome, error) {
	m.Kind = KindDeploy
	full := fitComment(m.String() + "\n" + body)
	label := sameLabel(m)
	return upsert(ctx, c, owner, repo, pr, full, m, create, func(old Marker) bool { return label(old) && old.Head == m.Head })
}

// sameLabel matches the current comments of m's kind and label.
func sameLabel(m Marker) func(Marker) bool {
	return func(old Marker) bool { return old.Kind == m.Kind && old.Label == m.Label && !old.Outdated }
}

func checkSize(body, kind string, pr int) error {
	if n := utf8.RuneCountInString(body); n > MaxCommentChars {
		return fmt.Errorf("writing the %s comment on #%d: body has %d characters, over GitHub's %d", kind, pr, n, MaxCommentChars)
	}
	return nil
}

func upsert(ctx context.Context, c *Client, owner, repo string, pr int, body string, m Marker, mayCreate bool, match func(Marker) bool) (Outcome, error) {
	if err := checkSize(body, m.Kind, pr); err != nil {
		return Outcome{}, err
	}
	found, err := findOurs(ctx, c, owner, repo, pr, match)
	if err != nil {
		return Outcome{}, err
	}
	if len(found) == 0 {
		if !mayCreate {
			return Outcome{Action: Skipped}, nil
		}
		return create(ctx, c, owner, repo, pr, body, m)
	}
	oldest := found[0]
	if m.Kind == KindPlan && m.Head != "" && strings.EqualFold(oldest.marker.Head, m.Head) {
		// A plan of the same head again (a re-run): the preview of that
		// head and its results stay.
		body = fitComment(carryPreview(oldest.comment.GetBody(), body))
	}
	out := Outcome{CommentID: oldest.comment.GetID(), URL: oldest.comment.GetHTMLURL(), Duplicates: len(found) - 1}
	if oldest.comment.GetBody() == body {
		out.Action = Unchanged
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

func create(ctx context.Context, c *Client, owner, repo string, pr int, body string, m Marker) (Outcome, error) {
	made, _, err := c.gh.Issues.CreateComment(ctx, owner, repo, pr, &github.IssueComment{Body: github.String(body)})
	switch {
	case isForbidden(err):
		return Outcome{Action: NoPermission}, nil
	case err != nil:
		return Outcome{}, fmt.Errorf("creating the %s comment on #%d: %w", m.Kind, pr, err)
	}
	return Outcome{Action: Created, CommentID: made.GetID(), URL: made.GetHTMLURL()}, nil
}

type ourComment struct {
	comment *github.IssueComment
	marker  Marker
}

// findOurs lists every comment on pr and returns ours whose marker match
// accepts, oldest first.
func findOurs(ctx context.Context, c *Client, owner, repo string, pr int, match func(Marker) bool) ([]ourComment, error) {
	var out []ourComment
	for cm, err := range allPages(fmt.Sprintf("listing comments on #%d", pr), func(opt *github.ListOptions) ([]*github.IssueComment, *github.Response, error) {
		return c.gh.Issues.ListComments(ctx, owner, repo, pr, &github.IssueListCommentsOptions{ListOptions: *opt})
	}) {
		if err != nil {
			return nil, err
		}
		if !strings.EqualFold(cm.GetUser().GetLogin(), c.author) {
			continue
		}
		if m, ok := ParseMarker(cm.GetBody()); ok && match(m) {
			out = append(out, ourComment{comment: cm, marker: m})
		}
	}
	slices.SortStableFunc(out, func(a, b ourComment) int {
		return cmp.Or(
			a.comment.GetCreatedAt().Compare(b.comment.GetCreatedAt().Time),
			cmp.Compare(a.comment.GetID(), b.comment.GetID()),
		)
	})
	return out, nil
}

func cutRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// EditComment edits, with edit, smpipe's comment of m's kind and label
// for head m.Head on pull request m.PR (the deploy result comment of a
// merge commit, or a pull request's own comment for its head): a report
// run puts an execution's results into it. Skipped when there is no such
// comment; Unchanged when edit changes nothing. A body over GitHub's limit
// is cut, saying so.
func EditComment(ctx context.Context, c *Client, owner, repo string, m Marker, edit func(body string) string) (Outcome, error) {
	found, err := findOurs(ctx, c, owner, repo, m.PR, func(old Marker) bool {
		return old.Kind == m.Kind && old.Label == m.Label && strings.EqualFold(old.Head, m.Head) && !old.Outdated
	})
	if err != nil || len(found) == 0 {
		return Outcome{Action: Skipped}, err
	}
	return editComment(ctx, c, owner, repo, m.PR, found[0].comment, m.Kind, edit)
}

// editComment edits comment cm (of kind, on pull request pr) with edit,
// cut to GitHub's limit; Unchanged when edit changes nothing.
func editComment(ctx context.Context, c *Client, owner, repo string, pr int, cm *github.IssueComment, kind string, edit func(body string) string) (Outcome, error) {
	body := fitComment(edit(cm.GetBody()))
	out := Outcome{CommentID: cm.GetID(), URL: cm.GetHTMLURL(), Action: Unchanged}
	if body == cm.GetBody() {
		return out, nil
	}
	if _, _, err := c.gh.Issues.EditComment(ctx, owner, repo, cm.GetID(), &github.IssueComment{Body: github.String(body)}); err != nil {
		if isForbidden(err) {
			out.Action = NoPermission
			return out, nil
		}
		return Outcome{}, fmt.Errorf("editing the %s comment %d on #%d: %w", kind, cm.GetID(), pr, err)
	}
	out.Action = Updated
	return out, nil
}

// fitComment cuts a body to GitHub's comment limit, saying so.
func fitComment(body string) string {
	if utf8.RuneCountInString(body) <= MaxCommentChars {
		return body
	}
	return cutRunes(body, MaxCommentChars-200) + "\n\n…the report was cut to fit GitHub's comment limit; see the job summary.\n"
}
