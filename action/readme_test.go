package action_test

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/smpipe/smpipe-action/internal/golden"
)

const (
	tablesBegin = "<!-- begin: inputs and outputs, rendered from action.yml by TestREADME_actionTables (go test ./action -run TestREADME -update) -->\n"
	tablesEnd   = "<!-- end: inputs and outputs -->\n"
	cacBegin    = "<!-- begin: configure-aws-credentials comparison, checked by TestREADME_configureAWSCredentials -->\n"
	cacEnd      = "<!-- end: configure-aws-credentials comparison -->\n"
)

// param is an input or output of action.yml, in file order.
type param struct {
	name, description, def string
	required               bool
}

// actionParams reads the inputs and outputs of the repository's action.yml
// in the order written there.
func actionParams(t *testing.T) (inputs, outputs []param) {
	t.Helper()
	b, err := os.ReadFile("../action.yml")
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	section := func(key string) []param {
		var out []param
		m := doc.Content[0]
		for i := 0; i+1 < len(m.Content); i += 2 {
			if m.Content[i].Value != key {
				continue
			}
			entries := m.Content[i+1].Content
			for j := 0; j+1 < len(entries); j += 2 {
				var p struct {
					Description string `yaml:"description"`
					Default     string `yaml:"default"`
					Required    bool   `yaml:"required"`
				}
				if err := entries[j+1].Decode(&p); err != nil {
					t.Fatalf("action.yml %s.%s: %v", key, entries[j].Value, err)
				}
				out = append(out, param{name: entries[j].Value, description: p.Description, def: p.Default, required: p.Required})
			}
		}
		if len(out) == 0 {
			t.Fatalf("action.yml has no %s", key)
		}
		return out
	}
	return section("inputs"), section("outputs")
}

// actionTables renders the README's tables of inputs and outputs. The
// descriptions are markdown already (action.yml is written for both).
func actionTables(inputs, outputs []param) string {
	cell := func(s string) string {
		return strings.ReplaceAll(strings.Join(strings.Fields(s), " "), "|", `\|`)
	}
	var b strings.Builder
	b.WriteString("| Input | Default | Meaning |\n|---|---|---|\n")
	for _, p := range inputs {
		def := "—"
		switch {
		case p.required:
			def = "required"
		case p.def != "":
			def = "`" + p.def + "`"
		}
		b.WriteString("| `" + p.name + "` | " + def + " | " + cell(p.description) + " |\n")
	}
	b.WriteString("\n| Output | Meaning |\n|---|---|\n")
	for _, p := range outputs {
		b.WriteString("| `" + p.name + "` | " + cell(p.description) + " |\n")
	}
	return b.String()
}

// between returns the text of doc between the begin and end lines.
func between(t *testing.T, doc, begin, end string) (start, stop int) {
	t.Helper()
	start = strings.Index(doc, begin)
	stop = strings.Index(doc, end)
	if start < 0 || stop < start {
		t.Fatalf("README.md lacks the lines\n%s…\n%s", begin, end)
	}
	return start + len(begin), stop
}

// TestREADME_actionTables keeps the README's inputs and outputs equal to
// action.yml's; -update rewrites them.
func TestREADME_actionTables(t *testing.T) {
	raw, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(raw)
	start, stop := between(t, readme, tablesBegin, tablesEnd)
	want := "\n" + actionTables(actionParams(t)) + "\n"
	if golden.Updating() {
		if err := os.WriteFile("../README.md", []byte(readme[:start]+want+readme[stop:]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if diff := cmp.Diff(want, readme[start:stop]); diff != "" {
		t.Errorf("README.md's inputs and outputs differ from action.yml (-want +got); run go test ./action -run TestREADME -update:\n%s", diff)
	}
}

// cacInputs are aws-actions/configure-aws-credentials' inputs (action.yml
// of v6, main at bcd4089, 2026-08).
var cacInputs = []string{
	"action-timeout-s", "allowed-account-ids", "audience", "aws-access-key-id", "aws-profile", "aws-region",
	"aws-secret-access-key", "aws-session-token", "custom-tags", "disable-retry", "force-skip-oidc", "http-proxy",
	"inline-session-policy", "managed-session-policies", "mask-aws-account-id", "no-proxy", "output-credentials",
	"output-env-credentials", "overwrite-aws-profile", "retry-max-attempts", "role-chaining", "role-duration-seconds",
	"role-external-id", "role-session-name", "role-skip-session-tagging", "role-to-assume", "special-characters-workaround",
	"sts-endpoint", "transitive-tag-keys", "unset-current-credentials", "use-existing-credentials",
	"web-identity-token-file",
}

var backticked = regexp.MustCompile("`([^`]+)`")

// TestREADME_configureAWSCredentials checks the README's table of
// configure-aws-credentials inputs: each is one of that action's inputs,
// each smpipe name it gives is an input of action.yml, and every input the
// two actions share by name is in the table under that same name.
func TestREADME_configureAWSCredentials(t *testing.T) {
	raw, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	start, stop := between(t, string(raw), cacBegin, cacEnd)
	inputs, _ := actionParams(t)
	ours := map[string]bool{}
	for _, p := range inputs {
		ours[p.name] = true
	}
	listed := map[string]string{} // configure-aws-credentials name → smpipe name, "" for none
	for _, line := range strings.Split(string(raw[start:stop]), "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 4 || !strings.Contains(cells[1], "`") {
			continue // not a row of names: header, separator, prose
		}
		var smpipe string
		if m := backticked.FindStringSubmatch(cells[2]); m != nil {
			smpipe = m[1]
			if !ours[smpipe] {
				t.Errorf("README: %q is not an input of action.yml: %s", smpipe, line)
			}
		}
		for _, m := range backticked.FindAllStringSubmatch(cells[1], -1) {
			if !slices.Contains(cacInputs, m[1]) {
				t.Errorf("README: %q is not a configure-aws-credentials input: %s", m[1], line)
			}
			listed[m[1]] = smpipe
		}
	}
	for _, name := range cacInputs {
		if ours[name] && listed[name] != name {
			t.Errorf("README: the shared input %q is not compared under its own name (got %q)", name, listed[name])
		}
	}
	if len(listed) == 0 {
		t.Error("README: the comparison lists no input")
	}
}
