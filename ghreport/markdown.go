package ghreport

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/smpipe/smpipe-action/compiler"
	"github.com/smpipe/smpipe-action/compiler/diag"
	"github.com/smpipe/smpipe-action/compiler/diff"
	"github.com/smpipe/smpipe-action/compiler/graph"
)

// DefaultBudget is the largest comment body Markdown writes, in bytes.
// GitHub rejects bodies over 65,536 characters; a UTF-8 byte count is never
// below the character count, so this leaves room for whatever a caller
// adds.
const DefaultBudget = 60000

// MarkdownOptions tune Markdown.
type MarkdownOptions struct {
	// Budget is the largest body in bytes (default DefaultBudget).
	Budget int
	// BlobURL links a file position to the file at the head commit, e.g.
	// https://github.com/o/r/blob/<head>/<file>#L12. Optional; URLs that are
	// not http(s) are not linked.
	BlobURL func(pos diag.Pos) string
}

// Budget says how a comment body was fitted to its budget.
type Budget struct {
	Limit int // the budget in bytes
	Size  int // the body's size in bytes
	// Ladder names the rungs used, in order: "diffs" (definition diffs
	// left out), "pre-existing" (pre-existing problems reduced to a count),
	// "mermaid" (diagrams replaced by a text list), "text-graphs" (text
	// lists left out), "tables" (settings tables cut), "edges" (dependency
	// lists left out), "errors" (error lists cut), "cut" (the body cut
	// short). Empty when everything fit.
	Ladder []string
	// Pipelines whose definition diff was left out, whose diagram became a
	// text list, and whose settings table was cut.
	DroppedDiffs    []string
	TextGraphs      []string
	TruncatedTables []string
	// Marker is the marker written on the body's first line; pass it to
	// Upsert.
	Marker Marker
}

// Truncated reports whether anything was left out.
func (b Budget) Truncated() bool { return len(b.Ladder) > 0 }

// Markdown renders r as the sticky comment body: the marker line, a title,
// one summary line per pipeline, then per pipeline its problems (linked to
// the file lines), the settings diff table, the Mermaid DAG, the
// dependencies added and removed, and the definition diff; then the
// pre-existing problems, collapsed; and last a line pointing at the full
// report in the job summary. When that is over budget it steps down a
// ladder (see Budget.Ladder) until it fits; the marker, title, summary
// lines and, short of hundreds of them, the problems are always kept.
func Markdown(r Report, opt MarkdownOptions) (string, Budget) {
	limit := opt.Budget
	if limit <= 0 {
		limit = DefaultBudget
	}
	rd := newRenderer(r, opt, true)
	fits := func() bool { return rd.size() <= limit }
	ok := fits()
	for _, rung := range rd.rungs() {
		if ok {
			break
		}
		ok = rung.apply(fits)
		if rd.changed[rung.name] {
			rd.ladder = append(rd.ladder, rung.name)
			ok = fits() // the marker and footer now name the rung
		}
	}
	body := rd.render()
	if !ok {
		rd.ladder = append(rd.ladder, "cut")
		body = rd.cut(limit)
	}
	return body, rd.budget(limit, body)
}

// Summary renders the complete report for GITHUB_STEP_SUMMARY: nothing is
// left out and there is no marker. GitHub refuses a step summary over
// 1 MiB; AddStepSummary enforces that cap.
func Summary(r Report) string {
	return newRenderer(r, MarkdownOptions{}, false).render()
}

// graphForm is how a pipeline's DAG is shown.
type graphForm uint8

const (
	graphMermaid graphForm = iota
	graphText
	graphNone
)

// choice is what is shown of one pipeline.
type choice struct {
	diff   bool
	graph  graphForm
	rows   int // settings rows shown; -1 for all
	edges  bool
	errors int // problems listed; -1 for all
}

type renderer struct {
	r       Report
	opt     MarkdownOptions
	comment bool // a PR comment (marker, footer) rather than the summary
	mermaid []string
	choices []choice
	// preExisting lists pre-existing problems; false shows only a count.
	preExisting bool
	ladder      []string
	changed     map[string]bool // rungs that changed something
	sections    []map[choice]string
	heads       map[int]string
}

func newRenderer(r Report, opt MarkdownOptions, comment bool) *renderer {
	rd := &renderer{r: r, opt: opt, comment: comment, preExisting: true, changed: map[string]bool{}, heads: map[int]string{}}
	for _, p := range r.Pipelines {
		text := p.Mermaid
		if text == "" && p.Diff.Merged != nil && len(p.Diff.Merged.Nodes) > 0 {
			text, _ = graph.Mermaid(p.Diff.Merged, graph.MermaidOptions{
				Status:     p.Diff.GraphStatus(),
				EdgeStatus: p.Diff.EdgeStatus(),
			})
		}
		c := choice{diff: true, graph: graphMermaid, rows: -1, edges: true, errors: -1}
		if text == "" {
			c.graph = graphText
		}
		rd.mermaid = append(rd.mermaid, text)
		rd.sections = append(rd.sections, map[choice]string{})
		rd.choices = append(rd.choices, c)
	}
	return rd
}

// rung is one step down the size ladder. apply changes the choices a
// little at a time, re-rendering through fit until the body fits or the
// rung has nothing left to give.
type rung struct {
	name  string
	apply func(fits func() bool) bool
}

func (rd *renderer) rungs() []rung {
	return []rung{
		{"diffs", rd.each("diffs", func(i int) int { return len(rd.r.Pipelines[i].Diff.DefinitionDiff) },
			func(c *choice) bool { return c.diff }, func(c *choice) { c.diff = false })},
		{"pre-existing", func(fits func() bool) bool {
			if rd.preExisting && len(rd.r.PreExisting) > 0 {
				rd.preExisting = false
				rd.changed["pre-existing"] = true
			}
			return fits()
		}},
		{"mermaid", rd.each("mermaid", func(i int) int { return len(rd.mermaid[i]) },
			func(c *choice) bool { return c.graph == graphMermaid }, func(c *choice) { c.graph = graphText })},
		{"text-graphs", rd.each("text-graphs", func(i int) int { return len(rd.r.Pipelines[i].Diff.Steps) },
			func(c *choice) bool { return c.graph == graphText && rd.hasGraph(c) }, func(c *choice) { c.graph = graphNone })},
		{"tables", rd.halve("tables", func(i int) int { return len(settingRows(rd.r.Pipelines[i].Diff)) },
			func(c *choice) *int { return &c.rows })},
		{"edges", rd.each("edges", func(i int) int { return len(rd.r.Pipelines[i].Diff.Edges) },
			func(c *choice) bool { return c.edges && len(rd.r.Pipelines[rd.index(c)].Diff.Edges) > 0 }, func(c *choice) { c.edges = false })},
		{"errors", rd.halve("errors", func(i int) int { return len(rd.r.Pipelines[i].Errors) },
			func(c *choice) *int { return &c.errors })},
	}
}

func (rd *renderer) index(c *choice) int {
	for i := range rd.choices {
		if &rd.choices[i] == c {
			return i
		}
	}
	return -1
}

func (rd *renderer) hasGraph(c *choice) bool {
	d := rd.r.Pipelines[rd.index(c)].Diff
	return d.Merged != nil && len(d.Merged.Nodes) > 0
}

// each applies off to one pipeline at a time, largest first, while on
// holds for it.
func (rd *renderer) each(name string, size func(i int) int, on func(*choice) bool, off func(*choice)) func(func() bool) bool {
	return func(fits func() bool) bool {
		order := make([]int, len(rd.choices))
		for i := range order {
			order[i] = i
		}
		slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(size(b), size(a)) })
		ok := fits()
		for _, i := range order {
			if ok {
				break
			}
			if !on(&rd.choices[i]) {
				continue
			}
			off(&rd.choices[i])
			rd.changed[name] = true
			ok = fits()
		}
		return ok
	}
}

// halve caps a count for every pipeline, halving the cap until the body
// fits or the cap reaches zero.
func (rd *renderer) halve(name string, size func(i int) int, field func(*choice) *int) func(func() bool) bool {
	return func(fits func() bool) bool {
		largest := 0
		for i := range rd.choices {
			largest = max(largest, size(i))
		}
		ok := fits()
		for limit := largest / 2; !ok && largest > 0; limit /= 2 {
			for i := range rd.choices {
				if f := field(&rd.choices[i]); size(i) > limit && (*f < 0 || *f > limit) {
					*f = limit
					rd.changed[name] = true
				}
			}
			ok = fits()
			if limit == 0 {
				break
			}
		}
		return ok
	}
}

func (rd *renderer) budget(limit int, body string) Budget {
	b := Budget{Limit: limit, Size: len(body), Ladder: rd.ladder, Marker: rd.marker()}
	for i, p := range rd.r.Pipelines {
		c := rd.choices[i]
		if !c.diff && p.Diff.DefinitionDiff != "" {
			b.DroppedDiffs = append(b.DroppedDiffs, p.Name)
		}
		if c.graph != graphMermaid && rd.mermaid[i] != "" {
			b.TextGraphs = append(b.TextGraphs, p.Name)
		}
		if c.rows >= 0 && c.rows < len(settingRows(p.Diff)) {
			b.TruncatedTables = append(b.TruncatedTables, p.Name)
		}
	}
	return b
}

func (rd *renderer) marker() Marker {
	m := rd.r.PlanMarker()
	m.Truncated = len(rd.ladder) > 0
	m.Ladder = rd.ladder
	return m
}

// cut is the last resort: the marker line whole (deploy needs its defs),
// then as much of the rest as fits, cut at a line boundary, then the footer.
func (rd *renderer) cut(limit int) string {
	marker, rest, _ := strings.Cut(rd.render(), "\n")
	foot := rd.footer()
	const gap = "\n…\n\n"
	keep := max(limit-len(marker)-1-len(foot)-len(gap), 0)
	head := rest[:min(keep, len(rest))]
	if i := strings.LastIndexByte(head, '\n'); i >= 0 {
		head = head[:i+1]
	} else {
		head = ""
	}
	return marker + "\n" + head + gap + foot
}

// parts returns the body in pieces: the head (marker, title, summary
// lines), one section per pipeline, and the tail (pre-existing problems,
// footer). Pipeline sections are cached by choice, so trying a rung costs
// only the sections it changes.
func (rd *renderer) parts(yield func(string)) {
	yield(rd.head())
	var b strings.Builder
	if rd.r.NothingTouched || len(rd.r.Pipelines) == 0 {
		b.WriteString("\nThis change touches no pipeline, so nothing will be deployed when it is merged.\n")
		yield(b.String())
	} else {
		for i := range rd.r.Pipelines {
			yield(rd.section(i))
		}
	}
	b.Reset()
	rd.writePreExisting(&b)
	if rd.comment {
		b.WriteString("\n")
		b.WriteString(rd.footer())
	}
	yield(b.String())
}

// head is the marker, the title and the summary lines, cached by the
// number of rungs used (the only thing that changes it).
func (rd *renderer) head() string {
	if h, ok := rd.heads[len(rd.ladder)]; ok {
		return h
	}
	var b strings.Builder
	if rd.comment {
		b.WriteString(rd.marker().String())
		b.WriteString("\n")
	}
	rd.writeTitle(&b)
	if !rd.r.NothingTouched && len(rd.r.Pipelines) > 0 {
		b.WriteString("\n")
		for _, p := range rd.r.Pipelines {
			b.WriteString(rd.summaryLine(p))
		}
	}
	rd.heads[len(rd.ladder)] = b.String()
	return b.String()
}

func (rd *renderer) section(i int) string {
	c := rd.choices[i]
	if s, ok := rd.sections[i][c]; ok {
		return s
	}
	var b strings.Builder
	rd.writePipeline(&b, i)
	rd.sections[i][c] = b.String()
	return b.String()
}

func (rd *renderer) render() string {
	var b strings.Builder
	rd.parts(func(s string) { b.WriteString(s) })
	return b.String()
}

func (rd *renderer) size() int {
	n := 0
	rd.parts(func(s string) { n += len(s) })
	return n
}

func (rd *renderer) writeTitle(b *strings.Builder) {
	r := rd.r
	broken := 0
	for _, p := range r.Pipelines {
		if p.Errors.HasErrors() {
			broken++
		}
	}
	name := labelled("smpipe plan", r.Label)
	switch {
	case r.NothingTouched || len(r.Pipelines) == 0:
		b.WriteString("## " + name + ": no pipeline touched\n")
	case broken > 0:
		b.WriteString("## :x: " + name + ": " + strconv.Itoa(broken) + " of " + plural(len(r.Pipelines), "pipeline", "pipelines") + " with errors\n")
	default:
		b.WriteString("## " + name + ": " + plural(len(r.Pipelines), "pipeline", "pipelines") + " touched\n")
	}
	var parts []string
	switch {
	case r.HeadSHA != "":
		parts = append(parts, "head "+code(shortSHA(r.HeadSHA)))
	case r.Worktree:
		parts = append(parts, "head: working tree")
	}
	if r.BaseSHA != "" {
		parts = append(parts, "base "+code(shortSHA(r.BaseSHA)))
	}
	if u := safeURL(r.RunURL); u != "" {
		parts = append(parts, "[workflow run]("+u+")")
	}
	if len(parts) > 0 {
		b.WriteString("\n" + strings.Join(parts, " · ") + "\n")
	}
}

// DeployTitle is the heading of a deploy report with the action's label.
func DeployTitle(label string) string {
	return "## " + labelled("smpipe deploy", label) + "\n"
}

// DeployNote is a deploy report that is one explanation (why nothing was
// deployed, or that nothing needed to be), under DeployTitle.
func DeployNote(label, msg string) string {
	return DeployTitle(label) + "\n" + paragraph(msg) + "\n"
}

// labelled names a report after its label, which tells apart the reports
// of several jobs on one pull request.
func labelled(title, label string) string {
	if label == "" {
		return title
	}
	return title + " (" + text(label) + ")"
}

func (rd *renderer) summaryLine(p PipelineReport) string {
	var b strings.Builder
	b.WriteString("- ")
	if p.Errors.HasErrors() {
		b.WriteString(":x: ")
	}
	b.WriteString("**" + text(p.Name) + "**: ")
	if errs, warns := p.Errors.Count(); errs > 0 {
		b.WriteString(plural(errs, "error", "errors") + " on head")
		if warns > 0 {
			b.WriteString(", " + plural(warns, "warning", "warnings"))
		}
	} else {
		b.WriteString(text(p.Diff.Summary()))
		if warns > 0 {
			b.WriteString(" · " + plural(warns, "warning", "warnings"))
		}
		if h := hashChange(p.Diff.OldHash, p.Diff.NewHash); h != "" {
			b.WriteString(" · hash " + h)
		}
	}
	b.WriteString("\n")
	return b.String()
}

func hashChange(old, cur string) string {
	switch {
	case old == "" && cur == "":
		return ""
	case old == cur:
		return code(shortHash(cur)) + " (unchanged)"
	case old == "":
		return "→ " + code(shortHash(cur))
	case cur == "":
		return code(shortHash(old)) + " → none"
	}
	return code(shortHash(old)) + " → " + code(shortHash(cur))
}

func (rd *renderer) writePipeline(b *strings.Builder, i int) {
	p, c := rd.r.Pipelines[i], rd.choices[i]
	b.WriteString("\n### " + text(p.Name) + "\n")
	if p.Anchor != "" {
		b.WriteString("\nDefined in " + rd.posLink(diag.Pos{File: p.Anchor}) + ".\n")
	}
	writeLive(b, p.Name, p.Live)
	rd.writeProblems(b, "Problems on head", p.Errors, c.errors)
	if names := placeholderNames(p.DeployPlaceholders); names != "" {
		b.WriteString("\nResolved at deploy from the deploy job's environment: " + names + ". An empty value fails the deploy " +
			"unless its `allow-empty` input lists the placeholder.\n")
	}
	if len(p.BaseErrors) > 0 {
		errs, _ := p.BaseErrors.Count()
		b.WriteString("\n<details><summary>Base had " + plural(len(p.BaseErrors), "problem", "problems"))
		if errs > 0 {
			b.WriteString(" (it did not compile, so the comparison is against an empty pipeline)")
		}
		b.WriteString("</summary>\n\n")
		rd.writeDiagList(b, p.BaseErrors, c.errors)
		b.WriteString("\n</details>\n")
	}
	if p.Errors.HasErrors() {
		// Head did not compile: a diff against a partial or empty pipeline
		// would only mislead.
		b.WriteString("\nNo diff: head does not compile. Fix the problems above and push again.\n")
		return
	}
	writeSettings(b, p.Diff, c.rows)
	if pv := p.Preview; pv != nil {
		if len(settingRows(*pv)) == 0 {
			b.WriteString("\nA preview run (the preview label) runs these settings as they are.\n")
		} else {
			b.WriteString("\n**In a preview run** (the preview label), the models' `preview:` settings apply:\n")
			writeSettingsTable(b, *pv, c.rows, "On merge", "In a preview")
		}
	}
	switch {
	case c.graph == graphMermaid && rd.mermaid[i] != "":
		b.WriteString("\n<details open><summary>Pipeline graph</summary>\n\n")
		b.WriteString(fence("mermaid", rd.mermaid[i]))
		b.WriteString("\n</details>\n")
	case c.graph == graphText || c.graph == graphMermaid:
		if list := textList(p.Diff); list != "" {
			b.WriteString("\n**Steps** (the graph is too large to draw here; see the job summary):\n\n")
			b.WriteString(list)
		}
	}
	if c.edges {
		writeEdges(b, p.Diff.Edges)
	}
	if d := p.Diff.DefinitionDiff; d != "" {
		lines := plural(strings.Count(d, "\n"), "line", "lines")
		if c.diff {
			b.WriteString("\n<details><summary>Definition diff (" + lines + ")</summary>\n\n")
			b.WriteString(fence("diff", d))
			b.WriteString("\n</details>\n")
		} else {
			b.WriteString("\nDefinition diff (" + lines + ") left out to fit; see the job summary.\n")
		}
	}
}

func (rd *renderer) writeProblems(b *strings.Builder, title string, ds diag.Diagnostics, limit int) {
	if len(ds) == 0 {
		return
	}
	b.WriteString("\n**" + title + "**\n\n")
	rd.writeDiagList(b, ds, limit)
}

func (rd *renderer) writeDiagList(b *strings.Builder, ds diag.Diagnostics, limit int) {
	ds = ds.Sorted()
	shown := ds
	if limit >= 0 && limit < len(ds) {
		shown = ds[:limit]
	}
	for _, d := range shown {
		b.WriteString("- ")
		if p := d.Pos.String(); p != "" {
			b.WriteString(rd.posLink(d.Pos) + ": ")
		}
		b.WriteString(d.Severity.String() + ": " + text(d.Summary))
		if d.Code != "" {
			b.WriteString(" (" + text(d.Code) + ")")
		}
		b.WriteString("\n")
		if d.Detail != "" {
			b.WriteString("  " + text(d.Detail) + "\n")
		}
	}
	if n := len(ds) - len(shown); n > 0 {
		b.WriteString("- … " + plural(n, "more problem", "more problems") + " in the annotations and the job summary\n")
	}
}

func (rd *renderer) posLink(pos diag.Pos) string {
	label := pos.String()
	if rd.opt.BlobURL == nil {
		return text(label)
	}
	return link(label, rd.opt.BlobURL(pos))
}

func (rd *renderer) writePreExisting(b *strings.Builder) {
	ds := rd.r.PreExisting
	if len(ds) == 0 {
		return
	}
	summary := plural(len(ds), "pre-existing problem", "pre-existing problems") + " elsewhere in the repository (not blocking)"
	if !rd.preExisting {
		b.WriteString("\n" + summary + ": see the job summary.\n")
		return
	}
	b.WriteString("\n<details><summary>" + summary + "</summary>\n\n")
	rd.writeDiagList(b, ds, -1)
	b.WriteString("\n</details>\n")
}

func (rd *renderer) footer() string {
	var b strings.Builder
	if len(rd.ladder) > 0 {
		b.WriteString("Parts of this report were left out to fit GitHub's comment size limit (" + strings.Join(rd.ladder, ", ") + ").\n")
	}
	if u := safeURL(rd.r.RunURL); u != "" {
		b.WriteString("Full report: [job summary of this run](" + u + ").\n")
	} else {
		b.WriteString("Full report: the job summary of this run.\n")
	}
	return b.String()
}

// settingRow is one line of the settings table.
type settingRow struct {
	step, setting, before, after string
}

func settingRows(d diff.Pipeline) []settingRow {
	var rows []settingRow
	for _, c := range d.Settings {
		rows = append(rows, settingRow{step: italic("pipeline"), setting: cell(c.Path), before: value(c.Old, c.OldSet), after: value(c.New, c.NewSet)})
	}
	for _, s := range d.Steps {
		step := cell(s.Name)
		if s.Kind != "" {
			step += " (" + cell(s.Kind) + ")"
		}
		if s.Status == diff.Added || s.Status == diff.Removed {
			step += " " + italic(s.Status.String())
		}
		if len(s.Settings) == 0 {
			rows = append(rows, settingRow{step: step, setting: italic("step " + s.Status.String())})
			continue
		}
		for _, c := range s.Settings {
			rows = append(rows, settingRow{step: step, setting: cell(c.Path), before: value(c.Old, c.OldSet), after: value(c.New, c.NewSet)})
		}
	}
	return rows
}

func value(v string, set bool) string {
	if !set {
		return italic("not set")
	}
	if v == "" {
		return italic("empty")
	}
	return cell(v)
}

func writeSettings(b *strings.Builder, d diff.Pipeline, limit int) {
	writeSettingsTable(b, d, limit, "Before", "After")
}

// writeSettingsTable is writeSettings with its own titles for the two
// sides (a drift compares "Live" with "Repository").
func writeSettingsTable(b *strings.Builder, d diff.Pipeline, limit int, before, after string) {
	rows := settingRows(d)
	if len(rows) == 0 {
		return
	}
	shown := rows
	if limit >= 0 && limit < len(rows) {
		shown = rows[:limit]
	}
	b.WriteString("\n| Step | Setting | " + before + " | " + after + " |\n|---|---|---|---|\n")
	for _, r := range shown {
		b.WriteString("| " + r.step + " | " + r.setting + " | " + r.before + " | " + r.after + " |\n")
	}
	if n := len(rows) - len(shown); n > 0 {
		b.WriteString("| … | " + plural(n, "more setting", "more settings") + " in the job summary | | |\n")
	}
}

func writeEdges(b *strings.Builder, edges []diff.EdgeChange) {
	if len(edges) == 0 {
		return
	}
	b.WriteString("\n**Dependencies**\n\n")
	for _, e := range edges {
		kind := e.Edge.Kind.String() // data, then, else
		if e.Edge.Kind == graph.DependsOn {
			kind = "depends on"
		}
		b.WriteString("- " + e.Status.String() + ": " + text(e.Edge.From) + " → " + text(e.Edge.To) + " (" + kind + ")\n")
	}
}

// textList lists the steps that changed, with their successors, for when no
// diagram fits.
func textList(d diff.Pipeline) string {
	g := d.Merged
	if g == nil {
		return ""
	}
	next := map[string][]string{}
	for _, e := range g.Edges {
		next[e.From] = append(next[e.From], text(e.To))
	}
	var b strings.Builder
	unchanged := 0
	for _, n := range g.Nodes {
		s := d.StepStatus[n.Name]
		if s == diff.Unchanged {
			unchanged++
			continue
		}
		b.WriteString("- " + text(n.Name) + " (" + text(n.Kind) + ", " + s.String() + ")")
		if len(next[n.Name]) > 0 {
			b.WriteString(" → " + strings.Join(next[n.Name], ", "))
		}
		b.WriteString("\n")
	}
	if unchanged > 0 {
		b.WriteString("- … " + plural(unchanged, "unchanged step", "unchanged steps") + "\n")
	}
	return b.String()
}

func italic(s string) string { return "_" + s + "_" }

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// placeholderNames lists SMP_* names as code spans; anything else is
// dropped, since the names come from conf files.
func placeholderNames(names []string) string {
	var out []string
	for _, n := range names {
		if len(n) <= 128 && compiler.IsPlaceholder(n) { // names only, never a value
			out = append(out, code(n))
		}
	}
	return strings.Join(out, ", ")
}

// code renders s as a code span on one line: our own text (hashes, SHAs,
// validated names) or text from a conf file or AWS (a role ARN is any
// string there), whose control characters are neutralised and whose line
// breaks become spaces, so that a blank line cannot end the span and the
// paragraph around it.
func code(s string) string {
	if s == "" {
		return ""
	}
	return codeSpan(strings.ReplaceAll(neutralise(s), "\n", " "))
}

// shortHash turns "sha256:<hex>" into its first 12 hex digits; anything
// that is not hex is dropped.
func shortHash(h string) string {
	h = strings.TrimPrefix(h, "sha256:")
	return hexPrefix(h, 12)
}

func shortSHA(s string) string { return hexPrefix(s, 12) }

func hexPrefix(s string, n int) string {
	var b strings.Builder
	for _, c := range s {
		if b.Len() == n {
			break
		}
		if c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' {
			b.WriteRune(c)
		}
	}
	return b.String()
}
