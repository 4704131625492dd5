package ghreport

import (
	"context"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/smpipe/smpipe-action/deploy"
)

// PreviewReport is one preview run of a pull request: what it deployed and
// started, for the plan comment and the job summary.
type PreviewReport struct {
	Label  string // the action's label, which keys the plan comment
	PR     int
	Head   string // the commit previewed
	Suffix string // the preview's name, "pr12"
	// Requester added the label (a person with write access).
	Requester string
	// Role, Bucket and Prefix are what the previews run as and write to.
	Role, Bucket, Prefix string
	Region               string
	Pipelines            []PreviewPipeline
	// Problems are pipelines that were not previewed, one line each.
	Problems []string
	// Note, when set, says why nothing was previewed.
	Note string
}

// PreviewPipeline is one pipeline's preview.
type PreviewPipeline struct {
	Pipeline string // the production pipeline's name
	Result   deploy.Result
}

// The preview section of a plan comment, between markers that only place
// it: a new preview of the pull request replaces it.
const (
	previewOpen  = "<!-- smpipe:preview -->"
	previewClose = "<!-- /smpipe:preview -->"
)

// PreviewTitle heads the job summary of a preview run.
func PreviewTitle(label string) string {
	return "## " + labelled("smpipe preview", label) + "\n"
}

// PreviewNote is a preview report that is one explanation (why nothing was
// previewed), under PreviewTitle.
func PreviewNote(label, msg string) string {
	return PreviewTitle(label) + "\n" + paragraph(msg) + "\n"
}

// PreviewMarkdown renders the preview section of the plan comment: which
// pipelines run as which preview, what was started, with what role and
// where they write. Results follow it, one block a pipeline (SetResult),
// as each execution ends. Everything from a conf file, the pull request or
// AWS is escaped.
func PreviewMarkdown(r PreviewReport) string {
	var b strings.Builder
	b.WriteString(previewOpen + "\n")
	b.WriteString("### " + labelled("Preview", r.Label))
	if h := shortSHA(r.Head); h != "" {
		b.WriteString(" of head " + code(h))
	}
	b.WriteString("\n\n")
	if r.Requester != "" {
		b.WriteString("Asked for by " + text(r.Requester) + " with the preview label; add the label again to run again.\n\n")
	}
	if r.Note != "" {
		b.WriteString(paragraph(r.Note) + "\n\n")
	}
	if len(r.Pipelines) > 0 {
		b.WriteString("| Pipeline | Preview | Definition | Execution | Console |\n| --- | --- | --- | --- | --- |\n")
		for _, p := range r.Pipelines {
			link := ""
			if u := deploy.ConsoleURL(r.Region, p.Result.Pipeline); u != "" {
				link = "[open](" + u + ")"
			}
			b.WriteString("| " + text(p.Pipeline) + " | " + code(p.Result.Pipeline) + " | " + definitionCell(p.Result) + " | " +
				executionCell(p.Result) + " | " + link + " |\n")
		}
		b.WriteString("\n")
	}
	var where []string
	if r.Role != "" {
		where = append(where, "as "+text(r.Role))
	}
	if r.Bucket != "" {
		where = append(where, "writing under "+text("s3://"+r.Bucket+"/"+strings.Trim(r.Prefix, "/")+"/"))
	}
	if len(where) > 0 {
		b.WriteString("The previews run " + strings.Join(where, ", ") + ", and register models to `-preview` model package groups, never production's.\n")
	}
	if len(r.Problems) > 0 {
		b.WriteString("\n**Not previewed**\n\n")
		for _, p := range r.Problems {
			b.WriteString("- " + paragraph(p) + "\n")
		}
	}
	for _, p := range r.Pipelines {
		if p.Result.Err != nil {
			b.WriteString("\n**" + text(p.Result.Pipeline) + "**: " + paragraph(p.Result.Err.Error()) + "\n")
		}
	}
	b.WriteString(previewClose)
	return b.String()
}

// resultBlock matches one results block of a comment (see SetResult), its
// markers whole lines: escaped text can hold a marker's characters (in a
// code span), never a line of them alone.
var resultBlock = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?ms)\n*^` + regexp.QuoteMeta(resultOpen) + `([A-Za-z0-9-]+) -->\n(.*?)\n` + regexp.QuoteMeta(resultClose) + `$\n?`)
})

// lineIndex is the index in s, at or after from, of marker standing as a
// whole line; -1 when there is none.
func lineIndex(s, marker string, from int) int {
	for i := from; i <= len(s); {
		j := strings.Index(s[i:], marker)
		if j < 0 {
			return -1
		}
		at := i + j
		end := at + len(marker)
		if (at == 0 || s[at-1] == '\n') && (end == len(s) || s[end] == '\n') {
			return at
		}
		i = at + 1
	}
	return -1
}

// SetPreview puts a preview's section and its pipelines' result blocks at
// the end of a plan comment body, replacing those of an earlier preview.
func SetPreview(body, section string, blocks map[string]string) string {
	if i := lineIndex(body, previewOpen, 0); i >= 0 {
		if j := lineIndex(body, previewClose, i); j >= 0 {
			body = body[:i] + body[j+len(previewClose):]
		}
	}
	body = resultBlock().ReplaceAllString(body, "\n")
	body = strings.Replace(body, "\n"+ResultsTitle+"\n", "\n", 1)
	body = strings.TrimRight(body, "\n") + "\n\n" + section + "\n"
	for _, name := range slices.Sorted(maps.Keys(blocks)) {
		body = SetResult(body, name, blocks[name])
	}
	return body
}

// carryPreview puts the preview section of old, a plan comment body, and
// its results blocks into body, a new plan of the same head.
func carryPreview(old, body string) string {
	i := lineIndex(old, previewOpen, 0)
	if i < 0 {
		return body
	}
	j := lineIndex(old, previewClose, i)
	if j < 0 {
		return body
	}
	section := old[i : j+len(previewClose)]
	blocks := map[string]string{}
	for _, m := range resultBlock().FindAllStringSubmatch(old[j:], -1) {
		blocks[m[1]] = m[2]
	}
	return SetPreview(body, section, blocks)
}

// SetPreviewResult puts md as pipeline's results block into a plan comment
// body, only when the block there is execution arn's: an execution of an
// earlier preview, replaced since, reports nowhere.
func SetPreviewResult(body, pipeline, arn, md string) string {
	if !hasResultBlock(body, pipeline, arn) {
		return body
	}
	return SetResult(body, pipeline, md)
}

// ResultsHeld returns whether a comment posted with body (a marker line
// before it, and cut to GitHub's limit as fitComment cuts) still holds a
// pipeline's results block for an execution whole. It reserves room for
// the longest marker line, so it errs towards "not held".
func ResultsHeld(body string) func(pipeline, arn string) bool {
	posted := fitComment(strings.Repeat(" ", maxMarkerLine) + "\n" + body)
	return func(pipeline, arn string) bool { return hasResultBlock(posted, pipeline, arn) }
}

// maxMarkerLine bounds a marker line's length: its JSON holds a kind, a
// number, a SHA, a label of at most 50 characters and a few flags.
const maxMarkerLine = 512

// hasResultBlock reports whether body holds pipeline's results block for
// execution arn: where a deploy or a preview wrote it, running.
func hasResultBlock(body, pipeline, arn string) bool {
	i := lineIndex(body, resultOpen+pipeline+" -->", 0)
	if i < 0 {
		return false
	}
	j := lineIndex(body, resultClose, i)
	return j >= 0 && strings.Contains(body[i:j], arnCell(arn))
}

// PutPreview writes a preview into the plan comment of m's label on pull
// request pr (SetPreview) when that comment is of m's head; with no plan
// comment it creates one, under m's marker, holding the preview alone,
// which the next plan run replaces. A plan comment of another head (the
// pull request moved on while the preview was deployed) is left alone:
// Superseded.
func PutPreview(ctx context.Context, c *Client, owner, repo string, pr int, m Marker, section string, blocks map[string]string) (Outcome, error) {
	m.Kind = KindPlan
	out, err := EditPlanComment(ctx, c, owner, repo, pr, m.Label, m.Head, func(body string) string { return SetPreview(body, section, blocks) })
	if err != nil || out.Action != Skipped {
		return out, err
	}
	body := fitComment(SetPreview(m.String()+"\n", section, blocks))
	return create(ctx, c, owner, repo, pr, body, m)
}

// EditPlanComment edits, with edit, the plan comment of label on pull
// request pr when it is of head (any head when head is empty): a preview
// and its results go there. Skipped when there is none; Superseded when it
// is of another head; Unchanged when edit changes nothing.
func EditPlanComment(ctx context.Context, c *Client, owner, repo string, pr int, label, head string, edit func(body string) string) (Outcome, error) {
	found, err := findOurs(ctx, c, owner, repo, pr, sameLabel(Marker{Kind: KindPlan, Label: label}))
	if err != nil || len(found) == 0 {
		return Outcome{Action: Skipped}, err
	}
	// The oldest, should two runs have raced: the one the plan run
	// (Upsert) and the results (EditComment) work on.
	ours := found[0]
	if head != "" && !strings.EqualFold(ours.marker.Head, head) {
		return Outcome{Action: Superseded, CommentID: ours.comment.GetID()}, nil
	}
	return editComment(ctx, c, owner, repo, pr, ours.comment, KindPlan, edit)
}

// DeletedPreview is one preview a clean-up deleted, or could not.
type DeletedPreview struct {
	Name    string // the preview pipeline
	PR      int
	Stopped int // running executions stopped first
	Err     error
}

// CleanupMarkdown renders what a clean-up of previews did, and why.
func CleanupMarkdown(label, why string, deleted []DeletedPreview) string {
	var b strings.Builder
	b.WriteString(PreviewTitle(label) + "\n")
	if len(deleted) == 0 {
		b.WriteString("No preview to delete: " + paragraph(why) + ".\n")
		return b.String()
	}
	b.WriteString("Previews deleted: " + paragraph(why) + ".\n\n| Preview | Pull request | Result |\n| --- | --- | --- |\n")
	for _, d := range deleted {
		status := "deleted"
		if d.Stopped > 0 {
			status += " (" + plural(d.Stopped, "running execution", "running executions") + " stopped first)"
		}
		if d.Err != nil {
			status = "**not deleted**: " + cell(d.Err.Error())
		}
		pr := ""
		if d.PR > 0 {
			pr = "#" + strconv.Itoa(d.PR)
		}
		b.WriteString("| " + code(d.Name) + " | " + pr + " | " + status + " |\n")
	}
	return b.String()
}
