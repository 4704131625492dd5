package graph

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/smpipe/smpipe-action/compiler/graph/graphtest"
)

// pipelineGraph is a small graph with every class and both edge kinds.
func pipelineGraph() *Graph {
	return New([]Node{
		{Name: "prep", Kind: "Processing"},
		{Name: "train", Kind: "Training", Shape: Stadium},
		{Name: "train-RepackModel-lgbm", Kind: "RepackModel", Shape: Flag},
		{Name: "lgbm-CreateModel-CreateModel", Kind: "CreateModel", Shape: Subroutine},
		{Name: "batch", Kind: "Transform", Shape: Parallelogram},
		{Name: "eval", Kind: "Metrics", Shape: Hexagon},
		{Name: "lgbm-RegisterModel-RegisterModel", Kind: "RegisterModel", Shape: Cylinder},
	}, []Edge{
		{"prep", "train", Data},
		{"train", "train-RepackModel-lgbm", Data},
		{"train-RepackModel-lgbm", "lgbm-CreateModel-CreateModel", Data},
		{"lgbm-CreateModel-CreateModel", "batch", Data},
		{"batch", "eval", DependsOn},
		{"eval", "lgbm-RegisterModel-RegisterModel", Data},
		{"train-RepackModel-lgbm", "lgbm-RegisterModel-RegisterModel", Data},
	})
}

// gateGraph is a quality gate: a condition reading the metrics, the
// registration under its then branch and a Fail step under its else branch.
func gateGraph() *Graph {
	return New([]Node{
		{Name: "eval", Kind: "Metrics", Shape: Hexagon},
		{Name: "register-QualityGate", Kind: "QualityGate", Label: "metrics.mse.value <= 0.5", Shape: Diamond},
		{Name: "register-RegisterModel", Kind: "RegisterModel", Shape: Cylinder},
		{Name: "register-QualityGateFailed", Kind: "Fail", Shape: Circle},
	}, []Edge{
		{"eval", "register-QualityGate", Data},
		{"eval", "register-RegisterModel", Data},
		{"eval", "register-QualityGateFailed", Data},
		{"register-QualityGate", "register-RegisterModel", Then},
		{"register-QualityGate", "register-QualityGateFailed", Else},
	})
}

func TestMermaid_golden(t *testing.T) {
	changed := pipelineGraph()
	changed.Nodes = append(changed.Nodes, Node{Name: "old-eval", Kind: "Metrics", Shape: Hexagon})
	changed = New(changed.Nodes, append(changed.Edges,
		Edge{"batch", "old-eval", Data}, Edge{"old-eval", "lgbm-RegisterModel-RegisterModel", DependsOn}))
	tests := []struct {
		name string
		g    *Graph
		opt  MermaidOptions
		mode MermaidMode
	}{
		{name: "classes", g: pipelineGraph(), mode: Full},
		{name: "direction_lr", g: pipelineGraph(), opt: MermaidOptions{Direction: "LR"}, mode: Full},
		{name: "bad_direction_defaults", g: pipelineGraph(), opt: MermaidOptions{Direction: "TD;click s0"}, mode: Full},
		{name: "status", g: changed, mode: Full, opt: MermaidOptions{
			Status: map[string]Status{"train": Changed, "eval": Added, "old-eval": Removed},
			EdgeStatus: map[Edge]Status{
				{"batch", "eval", DependsOn}:                           Added,
				{"prep", "train", Data}:                                Removed,
				{"old-eval", "lgbm-RegisterModel-RegisterModel", Data}: Removed,
			},
		}},
		{name: "shrunk", g: changed, mode: Shrunk, opt: MermaidOptions{
			Status:   map[string]Status{"eval": Changed},
			MaxChars: 450,
		}},
		{name: "empty", g: &Graph{}, mode: Full},
		{name: "gate", g: gateGraph(), mode: Full, opt: MermaidOptions{
			Status:     map[string]Status{"register-QualityGate": Added, "register-QualityGateFailed": Added},
			EdgeStatus: map[Edge]Status{{"register-QualityGate", "register-RegisterModel", Then}: Added},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, mode := Mermaid(tt.g, tt.opt)
			if mode != tt.mode {
				t.Errorf("mode = %v, want %v", mode, tt.mode)
			}
			checkSyntax(t, got)
			graphtest.WriteForRender(t, t.Name(), got)
			checkGolden(t, tt.name+".mmd", got)
			again, _ := Mermaid(tt.g, tt.opt)
			if again != got {
				t.Errorf("same input rendered differently")
			}
		})
	}
}

func TestMermaid_hostileNames(t *testing.T) {
	names := []string{
		"end",
		"o-x",
		"x--o",
		`a"]-->B[x`,
		"<script>alert(1)</script>",
		"@octocat please look",
		"back`tick`s",
		"line\nbreak\r\ttab",
		"%%{init: {\"theme\": \"dark\"}}%%",
		"click s0 call alert()",
		"style s0 fill:red",
		"classDef x fill:#f00",
		"#quot; and #35; and &amp; and &lt;",
		"fl°°x¶ßy ﬂ°°1¶ß",
		"pipe|brace{}[]<>;",
		"naïve ≥ 0.9 🚀",
		"\xff\xfe invalid utf8",
		strings.Repeat("long-", 40),
		"",
		"subgraph",
		"_under_ __bold__ *em* ~~del~~",
		"1. list",
		"- item",
		"---",
		"    indented code",
		"$$x^2$$",
		"www.example.com and https://example.com/x",
		"[link](https://example.com)",
		"![img](x.png)",
		"| a | b |",
		"trailing space ",
		"bidi \u202eevil\u202c \u2066x\u2069",
	}
	nodes := make([]Node, len(names))
	var edges []Edge
	status := map[string]Status{}
	for i, n := range names {
		nodes[i] = Node{Name: n, Kind: []string{"Processing", "Training", "CreateModel", "Transform", "Metrics", "RegisterModel", "RepackModel", "Weird<Class>"}[i%8], Shape: Shape(i % 9)}
		if i%5 == 0 { // a condition's label comes from a conf file too
			nodes[i].Label = names[(i+1)%len(names)] + " <= 0.5"
		}
		if i > 0 {
			edges = append(edges, Edge{names[i-1], n, EdgeKind(1 + i%4)})
		}
		status[n] = Status(i % 4)
	}
	g := New(nodes, edges)
	got, mode := Mermaid(g, MermaidOptions{Status: status})
	if mode != Full {
		t.Fatalf("mode = %v", mode)
	}
	checkSyntax(t, got)
	graphtest.WriteForRender(t, t.Name(), got)
	checkGolden(t, "hostile.mmd", got)

	labels := nodeLabels(t, got)
	for i, n := range g.Nodes {
		id := "s" + strconv.Itoa(i)
		lines := strings.Split(labels[id], "\n")
		if len(lines) != 2 {
			t.Errorf("%s: label %q does not have two lines", id, labels[id])
			continue
		}
		wantName := string([]rune(n.Name)) // each invalid byte becomes U+FFFD
		wantName = strings.NewReplacer("¶ß", "¶\u2060ß", "ﬂ°", "ﬂ\u2060°", "\u202e", "\ufffd", "\u202c", "\ufffd", "\u2066", "\ufffd", "\u2069", "\ufffd").Replace(wantName)
		if r := []rune(wantName); len(r) > 80 {
			wantName = string(r[:79]) + "…"
		}
		if got := decodeEntities(t, lines[0]); got != wantName {
			t.Errorf("%s: name renders as %q, want %q", id, got, wantName)
		}
		caption := n.Kind
		if n.Label != "" {
			caption = n.Label
			if r := []rune(caption); len(r) > 80 {
				caption = string(r[:79]) + "…"
			}
			caption = strings.NewReplacer("\u202e", "\ufffd", "\u202c", "\ufffd", "\u2066", "\ufffd", "\u2069", "\ufffd").Replace(string([]rune(caption)))
		}
		if got := decodeEntities(t, lines[1]); got != caption {
			t.Errorf("%s: second line renders as %q, want %q", id, got, caption)
		}
	}
	if strings.Contains(got, "@") {
		t.Errorf("an @ survived and could mention someone")
	}
}

// quoted finds label strings; labels never contain a quote themselves.
var quoted = regexp.MustCompile(`"[^"]*"`)

// labelText is everything a label may contain: ASCII letters, digits, "-",
// spaces, entity codes and the newline between name and class.
var labelText = regexp.MustCompile(`^"(?:[A-Za-z0-9 -]|#quot;|#\d+;|\n)*"$`)

// statement is every line shape Mermaid is allowed to receive from us, once
// labels are replaced by "L".
var statement = regexp.MustCompile(`^(?:` +
	`flowchart (?:TD|TB|BT|LR|RL)` +
	`|  s\d+(?:\["L"\]|\(\["L"\]\)|\[\["L"\]\]|\[/"L"/\]|\{\{"L"\}\}|\[\("L"\)\]|>"L"\]|\{"L"\}|\(\("L"\)\))` +
	`|  more\["L"\]` +
	`|  s\d+ (?:-->|-\.->|-->\|then\||-->\|else\|) s\d+` +
	`|  classDef (?:added|changed|removed) [a-z:#0-9,\- ]+` +
	`|  class s\d+(?:,s\d+)* (?:added|changed|removed)` +
	`|  linkStyle \d+(?:,\d+)* [a-z:#0-9,\- ]+` +
	`)$`)

// checkSyntax fails on any label with unexpected characters and on any line
// that is not one of the statements above, so nothing from a name can leak
// out of its label.
func checkSyntax(t *testing.T, text string) {
	t.Helper()
	if text == "" {
		return
	}
	if !strings.HasSuffix(text, "\n") {
		t.Errorf("diagram does not end in a newline")
	}
	if strings.Count(text, `"`)%2 != 0 {
		t.Fatalf("unbalanced quotes in diagram")
	}
	skeleton := quoted.ReplaceAllStringFunc(text, func(l string) string {
		if !labelText.MatchString(l) {
			t.Errorf("label has unencoded characters: %q", l)
		}
		return `"L"`
	})
	for i, line := range strings.Split(strings.TrimSuffix(skeleton, "\n"), "\n") {
		if !statement.MatchString(line) {
			t.Errorf("line %d is not a known statement: %q", i+1, line)
		}
	}
}

var nodeDecl = regexp.MustCompile(`(?m)^  (s\d+)(?:\[|\(\[|\[\[|\[/|\{\{|\[\(|>|\{|\(\()"([^"]*)"`)

func nodeLabels(t *testing.T, text string) map[string]string {
	t.Helper()
	labels := map[string]string{}
	for _, m := range nodeDecl.FindAllStringSubmatch(text, -1) {
		labels[m[1]] = m[2]
	}
	return labels
}

var entity = regexp.MustCompile(`#(quot|\d+);`)

// decodeEntities undoes the label encoding the way Mermaid does.
func decodeEntities(t *testing.T, s string) string {
	t.Helper()
	return entity.ReplaceAllStringFunc(s, func(m string) string {
		body := m[1 : len(m)-1]
		if body == "quot" {
			return `"`
		}
		n, err := strconv.Atoi(body)
		if err != nil {
			t.Fatalf("bad entity %q", m)
		}
		return string(rune(n))
	})
}

// chain returns n Processing nodes where each runs after the one before and,
// when skip is set, also (depends-on) after the one two before.
func chain(n int, skip bool) *Graph {
	nodes := make([]Node, n)
	var edges []Edge
	for i := range nodes {
		nodes[i] = Node{Name: fmt.Sprintf("step-%04d", i), Kind: "Processing"}
		if i > 0 {
			edges = append(edges, Edge{nodes[i-1].Name, nodes[i].Name, Data})
		}
		if skip && i > 1 {
			edges = append(edges, Edge{nodes[i-2].Name, nodes[i].Name, DependsOn})
		}
	}
	return New(nodes, edges)
}

func TestMermaid_limits(t *testing.T) {
	big := chain(302, true) // 301 + 300 = 601 edges
	if len(big.Edges) <= DefaultMaxEdges {
		t.Fatalf("test graph has only %d edges", len(big.Edges))
	}
	huge := chain(5000, false)
	tests := []struct {
		name     string
		g        *Graph
		opt      MermaidOptions
		mode     MermaidMode
		maxNodes int
	}{
		{"600 edges shrink to changes", big, MermaidOptions{Status: map[string]Status{"step-0100": Changed, "step-0250": Added}}, Shrunk, 10},
		{"600 edges, nothing changed", big, MermaidOptions{}, TooLarge, 0},
		{"600 edges, all changed", big, MermaidOptions{Status: allStatus(big, Changed)}, TooLarge, 0},
		{"600 edges fit a raised limit", big, MermaidOptions{MaxEdges: 1000, MaxChars: 1 << 20}, Full, 302},
		{"500 edges is within the limit", chain(501, false), MermaidOptions{}, Full, 501},
		{"501 edges is over the limit", chain(502, false), MermaidOptions{}, TooLarge, 0},
		{"5000 nodes, nothing changed", huge, MermaidOptions{}, TooLarge, 0},
		{"5000 nodes shrink", huge, MermaidOptions{Status: map[string]Status{"step-4999": Removed, "step-0000": Added}}, Shrunk, 4},
		{"shrunk still too large", big, MermaidOptions{Status: map[string]Status{"step-0100": Changed}, MaxChars: 200}, TooLarge, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, mode := Mermaid(tt.g, tt.opt)
			if mode != tt.mode {
				t.Fatalf("mode = %v, want %v", mode, tt.mode)
			}
			if mode == TooLarge {
				if got != "" {
					t.Errorf("TooLarge returned text")
				}
				return
			}
			checkSyntax(t, got)
			if tt.opt.MaxEdges == 0 {
				// Only diagrams within GitHub's own limits are rendered in CI.
				graphtest.WriteForRender(t, t.Name(), got)
			}
			maxChars := tt.opt.MaxChars
			if maxChars == 0 {
				maxChars = DefaultMaxChars
			}
			if len(got) > maxChars {
				t.Errorf("diagram has %d characters, limit %d", len(got), maxChars)
			}
			edges := strings.Count(got, " --> ") + strings.Count(got, " -.-> ")
			if limit := max(tt.opt.MaxEdges, DefaultMaxEdges); edges > limit {
				t.Errorf("diagram has %d edges, limit %d", edges, limit)
			}
			if nodes := len(nodeLabels(t, got)); nodes > tt.maxNodes {
				t.Errorf("diagram has %d nodes, want at most %d", nodes, tt.maxNodes)
			}
			if mode == Shrunk {
				for name := range tt.opt.Status {
					n, _ := tt.g.Node(name)
					if !strings.Contains(got, `"`+label(n.Name, n.Kind)+`"`) {
						t.Errorf("shrunk diagram lost changed step %q", name)
					}
				}
				if !strings.Contains(got, "  more[") {
					t.Errorf("shrunk diagram does not say steps were left out")
				}
			}
		})
	}
}

func allStatus(g *Graph, s Status) map[string]Status {
	m := map[string]Status{}
	for _, n := range g.Nodes {
		m[n.Name] = s
	}
	return m
}

func TestMermaid_deterministic(t *testing.T) {
	g := chain(60, true)
	opt := MermaidOptions{Status: map[string]Status{}}
	for i := 0; i < 60; i += 7 {
		opt.Status[g.Nodes[i].Name] = Status(1 + i%3)
	}
	first, _ := Mermaid(g, opt)
	for i := 0; i < 20; i++ {
		// A fresh map each time gives Go's map order a chance to differ.
		again := MermaidOptions{Status: map[string]Status{}}
		for k, v := range opt.Status {
			again.Status[k] = v
		}
		if got, _ := Mermaid(g, again); got != first {
			t.Fatalf("run %d rendered different bytes", i)
		}
	}
	graphtest.WriteForRender(t, t.Name(), first)
}

func TestMermaid_idsNeverFromNames(t *testing.T) {
	g := New([]Node{{Name: "s1"}, {Name: "s0"}}, []Edge{{"s1", "s0", Data}})
	got, _ := Mermaid(g, MermaidOptions{})
	if !strings.Contains(got, "  s0 --> s1\n") {
		t.Errorf("edge should run from the first node's ID to the second's:\n%s", got)
	}
}

func TestLabel_truncate(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{strings.Repeat("a", 80), strings.Repeat("a", 80)},
		{strings.Repeat("a", 81), strings.Repeat("a", 79) + "#8230;"},
		{strings.Repeat("é", 81), strings.Repeat("#233;", 79) + "#8230;"},
		{"a_b c  d -e", "a#95;b c#32;#32;d -e"},
		{" -x ", "#32;-x#32;"},
		{"-x", "#45;x"},
	}
	for _, tt := range tests {
		if got := label(tt.in); got != tt.want {
			t.Errorf("label(%d runes) = %q, want %q", len([]rune(tt.in)), got, tt.want)
		}
	}
}

// TestMermaid_oneEdgePerPair: a data reference and a dependencies entry
// between the same steps are drawn once, solid when data flows, and an
// edge the change removed gives way to one that stays.
func TestMermaid_oneEdgePerPair(t *testing.T) {
	nodes := []Node{{Name: "a", Kind: "Processing"}, {Name: "b", Kind: "Training"}}
	both := []Edge{{"a", "b", Data}, {"a", "b", DependsOn}}
	tests := []struct {
		name   string
		edges  []Edge
		status map[Edge]Status
		want   string // the edge lines and link styles
	}{
		{"data and dependency", both, nil, "  s0 --> s1\n"},
		{"dependency only", []Edge{{"a", "b", DependsOn}}, nil, "  s0 -.-> s1\n"},
		{"data removed, dependency kept", both, map[Edge]Status{{"a", "b", Data}: Removed}, "  s0 -.-> s1\n"},
		{"data added to a dependency", both, map[Edge]Status{{"a", "b", Data}: Added},
			"  s0 --> s1\n  linkStyle 0 " + addedLinkStyle + "\n"},
		{"both removed", both, map[Edge]Status{{"a", "b", Data}: Removed, {"a", "b", DependsOn}: Removed},
			"  s0 --> s1\n  linkStyle 0 " + removedLinkStyle + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _ := Mermaid(New(nodes, tt.edges), MermaidOptions{EdgeStatus: tt.status})
			_, edges, _ := strings.Cut(got, "Training\"]\n")
			if edges != tt.want {
				t.Errorf("edges:\n%s\nwant:\n%s", edges, tt.want)
			}
			checkSyntax(t, got)
			graphtest.WriteForRender(t, t.Name(), got)
		})
	}
}
