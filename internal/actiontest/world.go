// Package actiontest runs `smpipe action` as GitHub's runner does, against
// loopback fakes of GitHub, the Actions OIDC endpoint, STS, SageMaker and
// S3, with a real git repository as the workspace. Tests of the action
// package run it in process; one story test runs the built binary. Import it
// from _test.go files only.
package actiontest

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"text/template"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/smpipe/smpipe-action/internal/fakeaws"
	"github.com/smpipe/smpipe-action/internal/fakegithub"
	"github.com/smpipe/smpipe-action/internal/testrepo"
)

//go:embed testdata/*.json.tmpl
var payloads embed.FS

// RoleARN is the role-to-assume input of deploy runs.
const RoleARN = "arn:aws:iam::123456789012:role/smpipe-deploy"

// Bucket is the bucket the examples stage to.
const Bucket = "smpipe-examples"

// RunFunc runs the action once with exactly env as its environment and
// returns its exit status.
type RunFunc func(ctx context.Context, env map[string]string, stdout, stderr io.Writer) int

// World is everything a story shares: the fakes, the repository (also the
// runner's workspace) and how to run the action.
type World struct {
	T    testing.TB
	Tmp  string
	Git  *testrepo.Git
	Repo string // owner/name

	GH   *fakegithub.Server
	OIDC *fakeaws.OIDC
	STS  *fakeaws.STS
	SM   *fakeaws.SageMaker
	S3   *fakeaws.S3

	run      RunFunc
	runID    int
	defaults map[string]string // action.yml's inputs and their defaults
	// Captured is everything any run wrote, for secret checks.
	Captured []string
}

// New starts the fakes and a repository holding a copy of example (a
// directory under testdata/conf/ok, given relative to the test's package;
// none when empty), not yet committed.
func New(t testing.TB, example string, run RunFunc) *World {
	t.Helper()
	w := &World{T: t, Tmp: t.TempDir(), Repo: "acme/ml-pipelines", run: run, runID: 9000}
	w.GH = fakegithub.New(t)
	w.OIDC = fakeaws.NewOIDC(t)
	w.STS = fakeaws.NewSTS(t)
	w.S3 = fakeaws.NewS3(t, Bucket)
	w.SM = fakeaws.NewSageMaker(t, fakeaws.WithS3(w.S3))
	w.Git = testrepo.NewGit(t, filepath.Join(w.Tmp, "workspace"))
	if example != "" {
		w.Git.CopyTree(example)
	}
	return w
}

// Env is the environment of one run; Set changes it for a re-run.
type Env map[string]string

// PR describes a pull_request event.
type PR struct {
	Action           string // opened, synchronize, …
	Number           int
	BaseSHA, HeadSHA string
	HeadRef          string
	HeadRepo         string // default: the repository itself (a fork otherwise)
	// Label is the label added (action labeled); Sender who caused the
	// event, default the head's owner.
	Label, Sender string
}

// PREvent writes a pull_request payload, checks out the test merge GitHub
// builds for it (refs/pull/N/merge, the base not having moved) and returns
// the run's environment.
func (w *World) PREvent(p PR) Env {
	w.T.Helper()
	if p.HeadRepo == "" {
		p.HeadRepo = w.Repo
	}
	owner, _, _ := strings.Cut(p.HeadRepo, "/")
	ref := fmt.Sprintf("refs/pull/%d/merge", p.Number)
	merge := w.Git.CommitTree(ref, fmt.Sprintf("Merge %s into %s", p.HeadSHA, p.BaseSHA), p.HeadSHA, p.BaseSHA, p.HeadSHA)
	w.Git.Detach(merge)
	if p.Sender == "" {
		p.Sender = owner
	}
	data := map[string]any{"Action": p.Action, "Number": p.Number, "BaseSHA": p.BaseSHA, "HeadSHA": p.HeadSHA, "HeadRef": p.HeadRef,
		"HeadRepo": p.HeadRepo, "HeadOwner": owner, "Repo": w.Repo, "Title": "Change " + p.HeadRef, "Fork": p.HeadRepo != w.Repo,
		"Label": p.Label, "Sender": p.Sender}
	env := w.env("pull_request", w.payload("pull_request.json.tmpl", data), merge, ref)
	// GitHub's record of the pull request now: this head, its labels.
	state := "open"
	if p.Action == "closed" {
		state = "closed"
	}
	w.GH.SetPull(w.Repo, fakegithub.PullRequest{Number: p.Number, State: state, HeadSHA: p.HeadSHA, BaseSHA: p.BaseSHA, BaseRef: "main",
		HeadRepo: p.HeadRepo, Labels: w.GH.Labels(w.Repo, p.Number)})
	if p.Action == "labeled" && p.Label != "" {
		w.GH.AddLabel(w.Repo, p.Number, p.Label)
	}
	if p.HeadRepo != w.Repo {
		// A fork's run gets no id-token permission.
		delete(env, "ACTIONS_ID_TOKEN_REQUEST_URL")
		delete(env, "ACTIONS_ID_TOKEN_REQUEST_TOKEN")
	}
	return env
}

// PushEvent writes a push payload for main (before → after), checks out
// after and returns the deploy run's environment, role included.
func (w *World) PushEvent(before, after string) Env {
	w.T.Helper()
	return w.PushEventTo("refs/heads/main", before, after)
}

// PushEventTo is PushEvent for a push to ref.
func (w *World) PushEventTo(ref, before, after string) Env {
	w.T.Helper()
	w.Git.Detach(after)
	data := map[string]any{"Ref": ref, "Before": before, "After": after, "Message": "Push " + after[:7], "Repo": w.Repo}
	env := w.env("push", w.payload("push.json.tmpl", data), after, ref)
	env["INPUT_ROLE-TO-ASSUME"] = RoleARN
	return env
}

// DispatchEvent writes a workflow_dispatch payload for ref at sha with the
// given inputs of the workflow (not of the action), checks out sha and
// returns the run's environment, role included.
func (w *World) DispatchEvent(ref, sha string, inputs map[string]string) Env {
	w.T.Helper()
	w.Git.Detach(sha)
	raw, err := json.Marshal(inputs)
	if err != nil || inputs == nil {
		raw = []byte("{}")
	}
	data := map[string]any{"Ref": ref, "Inputs": string(raw), "Repo": w.Repo}
	env := w.env("workflow_dispatch", w.payload("workflow_dispatch.json.tmpl", data), sha, ref)
	env["INPUT_ROLE-TO-ASSUME"] = RoleARN
	return env
}

// ScheduleEvent is a scheduled run's environment: GitHub runs it on the
// default branch's last commit, sha here, checked out.
func (w *World) ScheduleEvent(sha string) Env {
	w.T.Helper()
	w.Git.Detach(sha)
	env := w.env("schedule", w.payload("schedule.json.tmpl", map[string]any{"Repo": w.Repo}), sha, "refs/heads/main")
	env["INPUT_ROLE-TO-ASSUME"] = RoleARN
	return env
}

func (w *World) payload(name string, data any) string {
	w.T.Helper()
	tmpl, err := template.ParseFS(payloads, "testdata/"+name)
	if err != nil {
		w.T.Fatal(err)
	}
	var b bytes.Buffer
	if err := tmpl.Execute(&b, data); err != nil {
		w.T.Fatal(err)
	}
	if !json.Valid(b.Bytes()) {
		w.T.Fatalf("%s did not give valid JSON:\n%s", name, b.String())
	}
	// Under the world's directory: a re-run reads the same file later.
	p := filepath.Join(w.Tmp, fmt.Sprintf("event-%d.json", w.runID+1))
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		w.T.Fatal(err)
	}
	return p
}

// env is the environment GitHub's runner gives the container: its
// variables and every input with action.yml's defaults.
func (w *World) env(event, eventPath, sha, ref string) Env {
	w.T.Helper()
	w.runID++
	home := filepath.Join(w.Tmp, "home")
	if err := os.MkdirAll(home, 0o755); err != nil {
		w.T.Fatal(err)
	}
	env := Env{
		"HOME":                           home,
		"PATH":                           os.Getenv("PATH"),
		"GITHUB_EVENT_NAME":              event,
		"GITHUB_EVENT_PATH":              eventPath,
		"GITHUB_WORKSPACE":               w.Git.Dir,
		"GITHUB_SHA":                     sha,
		"GITHUB_REF":                     ref,
		"GITHUB_REPOSITORY":              w.Repo,
		"GITHUB_API_URL":                 strings.TrimSuffix(w.GH.URL(), "/"),
		"GITHUB_SERVER_URL":              "https://github.com",
		"GITHUB_RUN_ID":                  strconv.Itoa(w.runID),
		"GITHUB_RUN_ATTEMPT":             "1",
		"ACTIONS_ID_TOKEN_REQUEST_URL":   w.OIDC.RequestURL,
		"ACTIONS_ID_TOKEN_REQUEST_TOKEN": w.OIDC.RequestToken,
		"AWS_ENDPOINT_URL_STS":           w.STS.URL,
		"AWS_ENDPOINT_URL_SAGEMAKER":     w.SM.URL,
		"AWS_ENDPOINT_URL_S3":            w.S3.URL,
		"AWS_REGION":                     "us-east-1",
		"AWS_CONFIG_FILE":                filepath.Join(home, "no-aws-config"),
		"AWS_SHARED_CREDENTIALS_FILE":    filepath.Join(home, "no-aws-credentials"),
		"AWS_EC2_METADATA_DISABLED":      "true",
	}
	// Inputs as the runner passes them: every input of action.yml, named
	// INPUT_ and the name in capitals (hyphens kept), with its default
	// unless the workflow sets it.
	for name, def := range w.inputDefaults() {
		env["INPUT_"+strings.ToUpper(strings.ReplaceAll(name, " ", "_"))] = strings.ReplaceAll(def, "${{ github.token }}", fakegithub.Token)
	}
	return env
}

// inputDefaults reads the inputs of the repository's action.yml and their
// defaults, once.
func (w *World) inputDefaults() map[string]string {
	w.T.Helper()
	if w.defaults == nil {
		var meta struct {
			Inputs map[string]struct {
				Default string `yaml:"default"`
			} `yaml:"inputs"`
		}
		b, err := os.ReadFile(filepath.Join(moduleRoot(w.T), "action.yml"))
		if err == nil {
			err = yaml.Unmarshal(b, &meta)
		}
		if err != nil || len(meta.Inputs) == 0 {
			w.T.Fatalf("reading action.yml's inputs: %v", err)
		}
		w.defaults = map[string]string{}
		for name, in := range meta.Inputs {
			w.defaults[name] = in.Default
		}
	}
	return w.defaults
}

// moduleRoot is the directory of go.mod at or above the test's directory.
func moduleRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
}

// Result is what one run of the action left behind.
type Result struct {
	Env            Env
	Code           int
	Stdout, Stderr string
	Outputs        map[string]string
	Summary        string
}

// Run runs the action with env (a copy, given fresh GITHUB_OUTPUT and
// GITHUB_STEP_SUMMARY files) and reads what it wrote.
func (w *World) Run(env Env) Result {
	w.T.Helper()
	env = maps.Clone(env)
	files := w.T.TempDir()
	outPath, sumPath := filepath.Join(files, "set_output"), filepath.Join(files, "step_summary")
	for _, p := range []string{outPath, sumPath} {
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			w.T.Fatal(err)
		}
	}
	env["GITHUB_OUTPUT"], env["GITHUB_STEP_SUMMARY"] = outPath, sumPath

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	r := Result{Env: env}
	r.Code = w.run(ctx, env, &stdout, &stderr)
	r.Stdout, r.Stderr = stdout.String(), stderr.String()
	if ctx.Err() != nil {
		w.T.Fatalf("the action did not finish in time\nstdout:\n%s\nstderr:\n%s", r.Stdout, r.Stderr)
	}
	out, err := os.ReadFile(outPath)
	if err != nil {
		w.T.Fatal(err)
	}
	sum, err := os.ReadFile(sumPath)
	if err != nil {
		w.T.Fatal(err)
	}
	r.Summary = string(sum)
	r.Outputs = parseOutputs(w.T, string(out))
	if os.Getenv("E2E_DUMP") != "" {
		w.T.Logf("exit %d\n--- stdout\n%s\n--- stderr\n%s\n--- outputs\n%s\n--- summary\n%s", r.Code, r.Stdout, r.Stderr, out, r.Summary)
	}
	w.Captured = append(w.Captured, withoutMaskCommands(r.Stdout), r.Stderr, string(out), r.Summary)
	return r
}

// withoutMaskCommands drops ::add-mask:: lines: the runner consumes them
// (that is how a secret gets masked) and never shows them in the log.
func withoutMaskCommands(s string) string {
	lines := strings.Split(s, "\n")
	lines = slices.DeleteFunc(lines, func(l string) bool { return strings.HasPrefix(l, "::add-mask::") })
	return strings.Join(lines, "\n")
}

// parseOutputs reads a GITHUB_OUTPUT file as the runner does: name=value
// lines and name<<DELIMITER heredocs. A name set twice is an error here
// (the runner would keep the last silently).
func parseOutputs(t testing.TB, s string) map[string]string {
	t.Helper()
	out := map[string]string{}
	lines := strings.Split(s, "\n")
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if l == "" {
			continue
		}
		var name, value string
		if n, delim, ok := strings.Cut(l, "<<"); ok {
			end := slices.Index(lines[i+1:], delim)
			if end < 0 {
				t.Fatalf("GITHUB_OUTPUT: heredoc %q has no closing %q:\n%s", n, delim, s)
			}
			name, value = n, strings.Join(lines[i+1:i+1+end], "\n")
			i += end + 1
		} else if n, v, ok := strings.Cut(l, "="); ok {
			name, value = n, v
		} else {
			t.Fatalf("GITHUB_OUTPUT: line %d is neither name=value nor a heredoc: %q", i+1, l)
		}
		if _, dup := out[name]; dup {
			t.Errorf("GITHUB_OUTPUT sets %q twice", name)
		}
		out[name] = value
	}
	return out
}
