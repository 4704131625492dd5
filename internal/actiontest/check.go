package actiontest

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/smpipe/smpipe-action/internal/defhash"
	"github.com/smpipe/smpipe-action/internal/fakegithub"
)

// WantCode fails the test now unless the run exited with want.
func (r Result) WantCode(t testing.TB, want int) {
	t.Helper()
	if r.Code != want {
		t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s\nsummary:\n%s", r.Code, want, r.Stdout, r.Stderr, r.Summary)
	}
}

// Pipeline is one entry of the pipelines output.
type Pipeline struct {
	Name         string `json:"name"`
	Status       string `json:"status"`
	Execution    string `json:"execution"`
	Hash         string `json:"definitionHash"`
	ExecutionARN string `json:"executionArn"`
}

// Pipelines decodes the pipelines output.
func (r Result) Pipelines(t testing.TB) []Pipeline {
	t.Helper()
	raw, ok := r.Outputs["pipelines"]
	if !ok {
		t.Fatalf("no pipelines output (outputs: %q)", slices.Sorted(maps.Keys(r.Outputs)))
	}
	var out []Pipeline
	if err := json.Unmarshal([]byte(raw), &out); err != nil {
		t.Fatalf("pipelines output is not a JSON list: %v\n%s", err, raw)
	}
	return out
}

// ErrorLines are the ::error workflow commands in stdout holding s.
func (r Result) ErrorLines(s string) []string {
	var found []string
	for _, l := range strings.Split(r.Stdout, "\n") {
		if strings.HasPrefix(l, "::error") && strings.Contains(l, s) {
			found = append(found, l)
		}
	}
	return found
}

// OnlyComment is the one comment on pull request n, which must be ours.
func (w *World) OnlyComment(t testing.TB, n int) fakegithub.Comment {
	t.Helper()
	cs := w.GH.Comments(w.Repo, n)
	if len(cs) != 1 {
		t.Fatalf("%d comments on #%d, want exactly one", len(cs), n)
	}
	if cs[0].Author != fakegithub.BotLogin {
		t.Errorf("comment author = %q, want %q", cs[0].Author, fakegithub.BotLogin)
	}
	return cs[0]
}

// Calls counts every call that changes AWS state.
type Calls struct {
	Puts, Creates, Updates, Starts int
}

// Calls returns the AWS writes so far.
func (w *World) Calls() Calls {
	return Calls{Puts: w.S3.Calls("PutObject"), Creates: w.SM.Calls("CreatePipeline"),
		Updates: w.SM.Calls("UpdatePipeline"), Starts: w.SM.Calls("StartPipelineExecution")}
}

// Marker is the hidden first line of smpipe's comments, read here
// independently of ghreport so tests check the format GitHub stores.
type Marker struct {
	Kind     string            `json:"kind"`
	Label    string            `json:"label"`
	Outdated bool              `json:"outdated"`
	PR       int               `json:"pr"`
	Base     string            `json:"base"`
	Head     string            `json:"head"`
	Defs     map[string]string `json:"defs"`
}

// ParseMarker reads the marker of a comment body.
func ParseMarker(t testing.TB, body string) Marker {
	t.Helper()
	first, _, _ := strings.Cut(body, "\n")
	payload, ok := strings.CutPrefix(first, "<!-- smpipe:v1 ")
	if ok {
		payload, ok = strings.CutSuffix(payload, " -->")
	}
	var m Marker
	if !ok || json.Unmarshal([]byte(payload), &m) != nil {
		t.Fatalf("first line is not an smpipe marker: %q", first)
	}
	return m
}

// Hash is the definition hash of a definition as SageMaker holds it.
func Hash(definition string) string {
	return defhash.Of([]byte(definition))
}

// Secrets are the credentials the fakes issued, by name: none may appear in
// anything the action wrote or posted.
func (w *World) Secrets() map[string]string {
	s := map[string]string{
		"GitHub token":       fakegithub.Token,
		"OIDC request token": w.OIDC.RequestToken,
		"STS access key":     w.STS.Creds.AccessKeyID,
		"STS secret key":     w.STS.Creds.SecretAccessKey,
		"STS session token":  w.STS.Creds.SessionToken,
	}
	for i, tok := range w.OIDC.Issued() {
		s["OIDC token "+string(rune('1'+i))] = tok
		// The JWT's signature alone is as secret as the whole.
		s["OIDC token signature "+string(rune('1'+i))] = tok[strings.LastIndexByte(tok, '.')+1:]
	}
	return s
}

// CheckNoSecrets fails for any issued secret in what the runs wrote or in
// the comments of the given pull requests.
func (w *World) CheckNoSecrets(t testing.TB, prs ...int) {
	t.Helper()
	texts := slices.Clone(w.Captured)
	for _, n := range prs {
		for _, c := range w.GH.Comments(w.Repo, n) {
			texts = append(texts, c.Body)
		}
	}
	for name, secret := range w.Secrets() {
		for i, text := range texts {
			if strings.Contains(text, secret) {
				t.Errorf("the %s appears in captured text %d:\n%s", name, i, text)
			}
		}
	}
}
