package ghreport

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/smpipe/smpipe-action/compiler/diag"
	"github.com/smpipe/smpipe-action/compiler/diff"
	"github.com/smpipe/smpipe-action/compiler/graph"
	"github.com/smpipe/smpipe-action/internal/bidi"
)

// nodes is a small pipeline: prep → train → model, eval depends on train.
func nodes() []graph.Node {
	return []graph.Node{
		{Name: "prep", Kind: "Processing", Settings: map[string]string{"instance_type": "ml.m5.large"}},
		{Name: "train", Kind: "Training", Shape: graph.Stadium, Settings: map[string]string{"instance_type": "ml.m5.xlarge", "hyperparams.learning_rate": "0.1"}},
		{Name: "lgbm-CreateModel", Kind: "CreateModel", Shape: graph.Subroutine, Settings: map[string]string{"instance_type": "ml.m5.large"}},
		{Name: "eval", Kind: "Metrics", Shape: graph.Hexagon, Settings: map[string]string{}},
	}
}

func edges() []graph.Edge {
	return []graph.Edge{
		{From: "prep", To: "train", Kind: graph.Data},
		{From: "train", To: "lgbm-CreateModel", Kind: graph.Data},
		{From: "train", To: "eval", Kind: graph.Data},
	}
}

func side(name, hash string, ns []graph.Node, es []graph.Edge) *diff.Side {
	def := fmt.Sprintf("{\n  \"Version\": \"2020-12-01\",\n  \"Steps\": %d,\n  \"Hash\": %q\n}\n", len(ns), hash)
	return &diff.Side{Name: name, Hash: hash, Graph: graph.New(ns, es), Definition: []byte(def)}
}

func setting(ns []graph.Node, step, key, value string) []graph.Node {
	for i := range ns {
		if ns[i].Name == step {
			s := map[string]string{}
			for k, v := range ns[i].Settings {
				s[k] = v
			}
			s[key] = value
			ns[i].Settings = s
		}
	}
	return ns
}

func report(ps ...PipelineReport) Report {
	return Report{
		Repository: "acme/ml",
		PR:         42,
		BaseSHA:    "1111111111111111111111111111111111111111",
		HeadSHA:    "2222222222222222222222222222222222222222",
		RunURL:     "https://github.com/acme/ml/actions/runs/900",
		RunID:      900,
		RunAttempt: 1,
		Pipelines:  ps,
	}
}

func changed(name string, base, head *diff.Side) PipelineReport {
	return PipelineReport{Name: name, Anchor: "pipelines/" + name + "/conf/conf.yaml", Diff: diff.Pipelines(base, head)}
}

const (
	hashA = "sha256:3f2a9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b"
	hashB = "sha256:9b1c7e6d5c4b3a29180f7e6d5c4b3a29180f7e6d5c4b3a29180f7e6d5c4b3a29"
)

func blobURL(pos diag.Pos) string {
	u := "https://github.com/acme/ml/blob/2222222222222222222222222222222222222222/" + pos.File
	if pos.Line > 0 {
		u += fmt.Sprintf("#L%d", pos.Line)
	}
	return u
}

func TestMarkdown_golden(t *testing.T) {
	base := side("lgbm-test", hashA, nodes(), edges())
	tests := []struct {
		name string
		r    Report
	}{
		{"instance_type", report(changed("lgbm-test", base,
			side("lgbm-test", hashB, setting(nodes(), "train", "instance_type", "ml.m5.2xlarge"), edges())))},
		{"hyperparameter", report(changed("lgbm-test", base,
			side("lgbm-test", hashB, setting(nodes(), "train", "hyperparams.learning_rate", "0.05"), edges())))},
		{"new_step", report(changed("lgbm-test", base, side("lgbm-test", hashB,
			append(nodes(), graph.Node{Name: "batch", Kind: "Transform", Shape: graph.Parallelogram, Settings: map[string]string{"instance_type": "ml.c5.xlarge", "instance_count": "2"}}),
			append(edges(), graph.Edge{From: "lgbm-CreateModel", To: "batch", Kind: graph.Data}))))},
		{"removed_step", report(changed("lgbm-test", base, side("lgbm-test", hashB, nodes()[:3], edges()[:2])))},
		{"new_dependency", report(changed("lgbm-test", base, side("lgbm-test", hashB,
			setting(nodes(), "eval", "dependencies", "prep"), append(edges(), graph.Edge{From: "prep", To: "eval", Kind: graph.DependsOn}))))},
		{"broken_head", report(PipelineReport{
			Name: "lgbm-test", Anchor: "pipelines/lgbm/conf/conf.yaml",
			Diff: diff.Pipelines(base, &diff.Side{Name: "lgbm-test"}),
			Errors: diag.Diagnostics{
				{Severity: diag.Error, Pos: diag.Pos{File: "pipelines/lgbm/conf/conf.yaml", Line: 12, Col: 5}, Code: "unknown-key", Summary: `unknown key "instance_typo", did you mean "instance_type"?`},
				{Severity: diag.Error, Pos: diag.Pos{File: "pipelines/lgbm/conf/conf.yaml", Line: 30, Col: 3}, Code: "ref", Summary: `step "evaluate" refers to unknown step "trian"`, Detail: "Steps are referred to by step_name."},
				{Severity: diag.Warning, Pos: diag.Pos{File: "pipelines/lgbm/conf/conf.yaml", Line: 4, Col: 9}, Code: "placeholder", Summary: `placeholder "SMP_BUCKET" is not set`},
			},
		})},
		{"new_pipeline", report(changed("xgb-new", nil, side("xgb-new", hashB, nodes()[:2], edges()[:1])))},
		{"deleted_pipeline", report(changed("old-pipe", side("old-pipe", hashA, nodes()[:2], edges()[:1]), nil))},
		{"nothing_touched", func() Report {
			r := report()
			r.NothingTouched = true
			r.PreExisting = diag.Diagnostics{{Severity: diag.Error, Pos: diag.Pos{File: "other/conf/conf.yaml", Line: 3, Col: 1}, Code: "yaml-syntax", Summary: "mapping values are not allowed in this context"}}
			return r
		}()},
		{"hostile", hostileReport()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, info := Markdown(tt.r, MarkdownOptions{BlobURL: blobURL})
			if info.Truncated() {
				t.Errorf("small report was truncated: %v", info.Ladder)
			}
			if info.Size != len(body) || info.Size > DefaultBudget {
				t.Errorf("size %d reported as %d (budget %d)", len(body), info.Size, DefaultBudget)
			}
			m, ok := ParseMarker(body)
			if !ok || m.Kind != KindPlan || m.PR != 42 || m.Run != 900 || m.Head != tt.r.HeadSHA {
				t.Errorf("marker = %+v, %v", m, ok)
			}
			checkGolden(t, tt.name+".md", body)
			writeDiagrams(t, body)
			summary := Summary(tt.r)
			if strings.Contains(summary, "<!-- smpipe") {
				t.Errorf("summary carries the marker")
			}
			writeDiagrams(t, summary)
		})
	}
}

// hostile has names and values written to break out of every context the
// report uses.
func hostileReport() Report {
	evil := []string{
		"@octocat", "<img src=x onerror=alert(1)>", "-->", "```", "a|b", "#123", "[x](javascript:alert(1))",
		"https://evil.example/x", "www.evil.example", "invoice\u202egnp.exe",
	}
	var ns []graph.Node
	var es []graph.Edge
	for i, name := range evil {
		ns = append(ns, graph.Node{Name: name, Kind: "Processing", Settings: map[string]string{"instance_type": evil[(i+1)%len(evil)]}})
		if i > 0 {
			es = append(es, graph.Edge{From: evil[i-1], To: name, Kind: graph.Data})
		}
	}
	head := setting(append([]graph.Node(nil), ns...), "@octocat", "hyperparams.x", "line1\nline2 | `code` ```\r\n@admin #7 https://evil.example/v \u2066x\u2069")
	head = append(head, graph.Node{Name: "</details>", Kind: "Training", Shape: graph.Stadium, Settings: map[string]string{"<b>": "-->"}})
	name := "evil --> <script>@octocat #1 ``` |"
	p := changed(name, side(name, hashA, ns, es), side(name, hashB, head, es))
	p.Anchor = "pipelines/@octocat/<x>|.yaml"
	p.Diff.DefinitionDiff += "+ \"```\"\n+ \"````\" @octocat\n"
	p.Errors = diag.Diagnostics{{
		Severity: diag.Warning, Pos: diag.Pos{File: "pipelines/[x](javascript:alert(1)).yaml", Line: 1, Col: 1}, Code: "unknown-key",
		Summary: "unknown key \"<img src=x onerror=alert(1)>\" @octocat #123 -->", Detail: "see [x](javascript:alert(1))\n::error::injected, https://evil.example/y and www.evil.example/z \u202eabc",
	}}
	r := report(p)
	r.RunURL = "javascript:alert(1)"
	r.PreExisting = diag.Diagnostics{{Severity: diag.Error, Pos: diag.Pos{File: "a|b.yaml", Line: 2}, Code: "type", Summary: "`@here` -->"}}
	return r
}

func TestMarkdown_hostileStaysInert(t *testing.T) {
	body, _ := Markdown(hostileReport(), MarkdownOptions{BlobURL: func(diag.Pos) string { return "javascript:alert(1)" }})
	m, ok := ParseMarker(body)
	if !ok {
		t.Fatalf("no marker in:\n%s", body)
	}
	first, _, _ := strings.Cut(body, "\n")
	if strings.Count(first, "-->") != 1 || !strings.HasSuffix(first, " -->") {
		t.Errorf("marker line can be closed early: %s", first)
	}
	if got := m.Defs["evil --> <script>@octocat #1 ``` |"]; got != hashB {
		t.Errorf("defs lost the hostile name: %v", m.Defs)
	}
	// Outside fenced blocks and code spans nothing may stay raw.
	_, rest, _ := strings.Cut(body, "\n") // the marker line is an HTML comment
	prose := stripCodeSpans(stripFences(t, rest))
	for _, bad := range []string{"<img", "<script", "</details>\n<", "@octocat", "@admin", "@here", "#123", "#1 ", "](javascript", "javascript:alert(1))", "<b>",
		"https://evil", "www.evil", "&#", "&quot;"} {
		// The one entity left is "|" between code spans, for tables.
		if strings.Contains(strings.ReplaceAll(prose, "&#124;", ""), bad) {
			t.Errorf("prose contains %q:\n%s", bad, prose)
		}
	}
	for _, line := range strings.Split(prose, "\n") {
		if strings.HasPrefix(line, "| ") && strings.Count(line, "|") != 5 {
			t.Errorf("table row has extra cells: %q", line)
		}
	}
	// Bidirectional controls would reorder what a reviewer sees, even in code.
	if i := strings.IndexFunc(rest, bidi.IsControl); i >= 0 {
		t.Errorf("a bidirectional control survived at byte %d", i)
	}
}

// stripCodeSpans replaces each inline code span (and an escaped "\|" of a
// table cell inside one) with "CODE", as CommonMark reads them: a run of n
// backticks opens a span that the next run of exactly n backticks closes.
func stripCodeSpans(s string) string {
	var b strings.Builder
	for len(s) > 0 {
		i := strings.IndexByte(s, '`')
		if i < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		n := len(s[i:]) - len(strings.TrimLeft(s[i:], "`"))
		rest := s[i+n:]
		closeAt := -1
		for j := 0; j < len(rest); {
			k := strings.IndexByte(rest[j:], '`')
			if k < 0 {
				break
			}
			m := len(rest[j+k:]) - len(strings.TrimLeft(rest[j+k:], "`"))
			if m == n {
				closeAt = j + k
				break
			}
			j += k + m
		}
		if closeAt < 0 {
			b.WriteString(s[i : i+n])
			s = rest
			continue
		}
		b.WriteString("CODE")
		s = rest[closeAt+n:]
	}
	return b.String()
}

// The label heads the report (escaped: a plan job's workflow file comes
// from the pull request) and keys the comment through the marker.
func TestMarkdown_label(t *testing.T) {
	r := report(bigPipeline("a", 1, 1))
	r.Label = "eu-west-1 <img src=x> @octocat"
	body, info := Markdown(r, MarkdownOptions{})
	m, _ := ParseMarker(body)
	if m.Label != r.Label || info.Marker.Label != r.Label {
		t.Errorf("marker label = %q, budget marker label = %q", m.Label, info.Marker.Label)
	}
	want := "## smpipe plan (eu-west-1 `<img` `src=x>` @\u200doctocat): 1 pipeline touched\n"
	for what, text := range map[string]string{"comment": body, "summary": Summary(r)} {
		if !strings.Contains(text, want) {
			t.Errorf("%s lacks the labelled heading %q:\n%s", what, want, text)
		}
	}
	if got := DeployTitle(r.Label); got != "## smpipe deploy (eu-west-1 `<img` `src=x>` @\u200doctocat)\n" {
		t.Errorf("DeployTitle = %q", got)
	}
	if got := DeployTitle(""); got != "## smpipe deploy\n" {
		t.Errorf("DeployTitle without a label = %q", got)
	}
}

// stripFences removes fenced code blocks (they are literal) and checks that
// each closes with the fence that opened it.
func stripFences(t *testing.T, body string) string {
	t.Helper()
	var out []string
	open := ""
	for _, line := range strings.Split(body, "\n") {
		switch {
		case open == "" && strings.HasPrefix(line, "```"):
			open = line[:len(line)-len(strings.TrimLeft(line, "`"))]
		case open != "":
			if line == open {
				open = ""
			} else if strings.HasPrefix(line, "`") && strings.Trim(line, "`") == "" && len(line) >= len(open) {
				t.Errorf("fence %q closed by %q", open, line)
			}
		default:
			out = append(out, line)
		}
	}
	if open != "" {
		t.Errorf("fence %q never closed", open)
	}
	return strings.Join(out, "\n")
}

// bigPipeline is a pipeline of n steps each changing a long setting, with a
// definition diff of diffLines lines.
func bigPipeline(name string, n, diffLines int) PipelineReport {
	return bigPipelineValues(name, n, diffLines, 60)
}

func bigPipelineValues(name string, n, diffLines, valueLen int) PipelineReport {
	var base, head []graph.Node
	var es []graph.Edge
	for i := range n {
		step := fmt.Sprintf("step-%03d", i)
		base = append(base, graph.Node{Name: step, Kind: "Processing", Settings: map[string]string{"arguments": strings.Repeat("a", valueLen)}})
		head = append(head, graph.Node{Name: step, Kind: "Processing", Settings: map[string]string{"arguments": strings.Repeat("b", valueLen)}})
		if i > 0 {
			es = append(es, graph.Edge{From: fmt.Sprintf("step-%03d", i-1), To: step, Kind: graph.Data})
		}
	}
	p := changed(name, side(name, hashA, base, es), side(name, hashB, head, es))
	var d strings.Builder
	for i := range diffLines {
		fmt.Fprintf(&d, "-      \"Old%05d\": \"%s\",\n+      \"New%05d\": \"%s\",\n", i, strings.Repeat("x", 40), i, strings.Repeat("y", 40))
	}
	p.Diff.DefinitionDiff = d.String()
	return p
}

func TestMarkdown_ladder(t *testing.T) {
	tests := []struct {
		name       string
		r          Report
		budget     int
		wantLadder []string
	}{
		{"fits", report(bigPipeline("a", 3, 3)), 0, nil},
		{"ninety_thousand_characters", report(bigPipeline("a", 20, 400), bigPipeline("b", 20, 300)), 0, []string{"diffs"}},
		{"mermaid_dropped", report(bigPipelineValues("a", 120, 10, 1)), 12000, []string{"diffs", "mermaid"}},
		{"tables_cut", report(bigPipeline("a", 300, 10)), 12000, []string{"diffs", "mermaid", "text-graphs", "tables"}},
		{"errors_cut", func() Report {
			p := bigPipeline("a", 2, 2)
			for i := range 400 {
				p.Errors.Errorf(diag.Pos{File: "c.yaml", Line: i + 1, Col: 1}, "type", "value %d is not a number and this sentence is long", i)
			}
			return report(p)
		}(), 8000, []string{"diffs", "mermaid", "text-graphs", "tables", "errors"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			full := Summary(tt.r)
			body, info := Markdown(tt.r, MarkdownOptions{Budget: tt.budget})
			limit := tt.budget
			if limit == 0 {
				limit = DefaultBudget
			}
			if tt.name == "ninety_thousand_characters" && utf8.RuneCountInString(full) < 90000 {
				t.Fatalf("full report is only %d characters", utf8.RuneCountInString(full))
			}
			if len(body) > limit || info.Size != len(body) || info.Limit != limit {
				t.Errorf("body %d bytes, info %+v, limit %d", len(body), info, limit)
			}
			if fmt.Sprint(info.Ladder) != fmt.Sprint(tt.wantLadder) {
				t.Errorf("ladder = %v, want %v", info.Ladder, tt.wantLadder)
			}
			m, ok := ParseMarker(body)
			if !ok || m.Truncated != (len(tt.wantLadder) > 0) || fmt.Sprint(m.Ladder) != fmt.Sprint(tt.wantLadder) {
				t.Errorf("marker = %+v", m)
			}
			if want := !tt.r.Pipelines[0].Errors.HasErrors(); (m.Defs["a"] == hashB) != want {
				t.Errorf("marker defs = %v", m.Defs)
			}
			for _, keep := range []string{"smpipe plan", "**a**:", "Full report: [job summary of this run](https://github.com/acme/ml/actions/runs/900)."} {
				if !strings.Contains(body, keep) {
					t.Errorf("body lost %q", keep)
				}
			}
			if !strings.HasSuffix(body, "(https://github.com/acme/ml/actions/runs/900).\n") {
				t.Errorf("body does not end with the link to the full report:\n%s", body[max(0, len(body)-300):])
			}
			stripFences(t, body)
			writeDiagrams(t, body)
		})
	}
}

func TestMarkdown_cutAsLastResort(t *testing.T) {
	var ps []PipelineReport
	for i := range 200 {
		// Head errors keep the marker's defs empty, so only summary lines
		// are left to cut.
		p := changed(fmt.Sprintf("pipeline-%03d", i), side("x", hashA, nodes(), edges()), side("x", hashB, nodes()[:1], nil))
		p.Errors.Errorf(diag.Pos{File: "c.yaml", Line: 1}, "type", "broken")
		ps = append(ps, p)
	}
	body, info := Markdown(report(ps...), MarkdownOptions{Budget: 3000})
	if len(body) > 3000 || fmt.Sprint(info.Ladder[len(info.Ladder)-1]) != "cut" {
		t.Errorf("size %d, ladder %v", len(body), info.Ladder)
	}
	if _, ok := ParseMarker(body); !ok {
		t.Errorf("cut body lost its marker")
	}
	if !strings.HasSuffix(body, "(https://github.com/acme/ml/actions/runs/900).\n") {
		t.Errorf("cut body lost its footer")
	}
}

func TestMarkdown_deterministic(t *testing.T) {
	r := report(bigPipeline("a", 50, 50), bigPipeline("b", 50, 50))
	first, _ := Markdown(r, MarkdownOptions{Budget: 20000})
	for range 5 {
		if again, _ := Markdown(r, MarkdownOptions{Budget: 20000}); again != first {
			t.Fatal("same report rendered differently")
		}
	}
}

// TestSummary_worktreeHead: a plan of a working tree names it where a head
// SHA would be.
func TestSummary_worktreeHead(t *testing.T) {
	base := strings.Repeat("b", 40)
	got := Summary(Report{BaseSHA: base, Worktree: true, NothingTouched: true})
	if want := "\nhead: working tree · base `bbbbbbbbbbbb`\n"; !strings.Contains(got, want) {
		t.Errorf("summary lacks %q:\n%s", want, got)
	}
	if got := Summary(Report{BaseSHA: base, HeadSHA: strings.Repeat("a", 40), NothingTouched: true}); strings.Contains(got, "working tree") {
		t.Errorf("a commit head is called a working tree:\n%s", got)
	}
}
