package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/smpipe/smpipe-action/internal/actiontest"
	"github.com/smpipe/smpipe-action/internal/fakegithub"
)

// Exit statuses the story expects of the binary.
const (
	exitOK      = 0
	exitProblem = 1
)

// TestE2E runs the built binary as GitHub's runner runs the action, through
// the life of one pull request: plan on open and on each push to it, a
// broken conf, the merge that deploys what was reviewed, a re-run of the
// merge job, a fork's pull request and a push nobody reviewed. Every step
// asserts on the fakes' state, the exit code, the GITHUB_OUTPUT and
// GITHUB_STEP_SUMMARY files and the log; at the end no secret may appear in
// anything the action wrote.
func TestE2E(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs it a dozen times")
	}
	bin := buildBinary(t, t.TempDir())
	w := actiontest.New(t, "testdata/conf/ok/housing-tf", func(ctx context.Context, env map[string]string, stdout, stderr io.Writer) int {
		return runBinary(ctx, t, bin, env, stdout, stderr)
	})
	baseSHA := w.Start(1, "House prices with TensorFlow")
	conf := "housing/conf/conf.yaml"

	var pr7 struct {
		base, head string
		commentID  int64
		hash       string // the defs hash of the last plan comment
	}
	pr7.base = baseSHA
	step := func(name string, f func(t *testing.T)) {
		t.Helper()
		if !t.Run(name, f) {
			t.FailNow() // later steps build on this one
		}
	}

	step("1_open_pr_plans_and_comments", func(t *testing.T) {
		w.Git.Branch("bigger-train", true)
		w.Git.Edit(conf, "instance_type: ml.m5.xlarge", "instance_type: ml.m5.2xlarge")
		pr7.head = w.Git.Commit("Train on a bigger instance")
		r := w.Run(w.PREvent(actiontest.PR{Action: "opened", Number: 7, BaseSHA: pr7.base, HeadSHA: pr7.head, HeadRef: "bigger-train"}))
		r.WantCode(t, exitOK)

		c := w.OnlyComment(t, 7)
		m := actiontest.ParseMarker(t, c.Body)
		if m.Kind != "plan" || m.PR != 7 || m.Head != pr7.head || m.Base != pr7.base {
			t.Errorf("marker = %+v, want a plan marker for #7 with head %s and base %s", m, pr7.head, pr7.base)
		}
		pr7.commentID, pr7.hash = c.ID, m.Defs["house-price-tf"]
		if !strings.HasPrefix(pr7.hash, "sha256:") {
			t.Fatalf("marker defs = %v, want a sha256 hash for house-price-tf", m.Defs)
		}
		for _, want := range []string{"house-price-tf", "ml.m5.2xlarge", "```mermaid"} {
			if !strings.Contains(c.Body, want) {
				t.Errorf("comment lacks %q:\n%s", want, c.Body)
			}
		}
		wantPipelines(t, r, actiontest.Pipeline{Name: "house-price-tf", Status: "changed", Hash: pr7.hash})
		wantReport(t, r, c.Body)
		for _, want := range []string{"house-price-tf", "ml.m5.xlarge", "ml.m5.2xlarge", "```mermaid"} {
			if !strings.Contains(r.Summary, want) {
				t.Errorf("step summary lacks %q:\n%s", want, r.Summary)
			}
		}
	})

	step("2_synchronize_edits_the_same_comment", func(t *testing.T) {
		w.Git.Branch("bigger-train", false)
		w.Git.Edit(conf, "epochs: 60", "epochs: 80")
		pr7.head = w.Git.Commit("More epochs")
		r := w.Run(w.PREvent(actiontest.PR{Action: "synchronize", Number: 7, BaseSHA: pr7.base, HeadSHA: pr7.head, HeadRef: "bigger-train"}))
		r.WantCode(t, exitOK)

		c := w.OnlyComment(t, 7)
		if c.ID != pr7.commentID {
			t.Errorf("comment id = %d, want the first comment %d edited in place", c.ID, pr7.commentID)
		}
		m := actiontest.ParseMarker(t, c.Body)
		if m.Head != pr7.head {
			t.Errorf("marker head = %s, want the new head %s", m.Head, pr7.head)
		}
		hash := m.Defs["house-price-tf"]
		if hash == "" || hash == pr7.hash {
			t.Errorf("marker hash = %q, want a new hash (was %s)", hash, pr7.hash)
		}
		pr7.hash = hash
		if !strings.Contains(c.Body, "| hyperparams.epochs | 60 | 80 |") {
			t.Errorf("comment does not show the epochs change:\n%s", c.Body)
		}
		wantPipelines(t, r, actiontest.Pipeline{Name: "house-price-tf", Status: "changed", Hash: pr7.hash})
	})

	step("3_broken_conf_fails_with_an_annotation", func(t *testing.T) {
		w.Git.Branch("bigger-train", false)
		w.Git.Edit(conf, "step_class: Training", "step_class: Trainer")
		line := w.Git.LineOf(conf, "step_class: Trainer")
		broken := w.Git.Commit("Rename the training step class")
		r := w.Run(w.PREvent(actiontest.PR{Action: "synchronize", Number: 7, BaseSHA: pr7.base, HeadSHA: broken, HeadRef: "bigger-train"}))
		r.WantCode(t, exitProblem)

		annotation := fmt.Sprintf("::error file=%s,line=%d,", conf, line)
		if !strings.Contains(r.Stdout, annotation) {
			t.Errorf("stdout lacks an annotation starting %q:\n%s", annotation, r.Stdout)
		}
		c := w.OnlyComment(t, 7)
		if c.ID != pr7.commentID {
			t.Errorf("comment id = %d, want %d edited in place", c.ID, pr7.commentID)
		}
		if m := actiontest.ParseMarker(t, c.Body); m.Head != broken {
			t.Errorf("marker head = %s, want %s", m.Head, broken)
		}
		if !strings.Contains(c.Body, "Trainer") {
			t.Errorf("comment does not show the error about Trainer:\n%s", c.Body)
		}
		wantPipelines(t, r, actiontest.Pipeline{Name: "house-price-tf", Status: "failed"})
		if !strings.Contains(r.Summary, "Trainer") {
			t.Errorf("step summary does not show the error:\n%s", r.Summary)
		}
	})

	step("3b_fixed_again", func(t *testing.T) {
		w.Git.Branch("bigger-train", false)
		w.Git.Edit(conf, "step_class: Trainer", "step_class: Training")
		pr7.head = w.Git.Commit("Back to Training")
		r := w.Run(w.PREvent(actiontest.PR{Action: "synchronize", Number: 7, BaseSHA: pr7.base, HeadSHA: pr7.head, HeadRef: "bigger-train"}))
		r.WantCode(t, exitOK)
		c := w.OnlyComment(t, 7)
		m := actiontest.ParseMarker(t, c.Body)
		if c.ID != pr7.commentID || m.Head != pr7.head {
			t.Errorf("comment %d with head %s, want comment %d with head %s", c.ID, m.Head, pr7.commentID, pr7.head)
		}
		// Same tree as after step 2, so the same definition.
		if got := m.Defs["house-price-tf"]; got != pr7.hash {
			t.Errorf("marker hash = %q, want %s as after step 2", got, pr7.hash)
		}
		if strings.Contains(c.Body, "Trainer") {
			t.Errorf("comment still shows the old error:\n%s", c.Body)
		}
	})

	var merge string
	var lastPush actiontest.Env
	var deployed struct {
		executions, puts, updates, creates int
		arn                                string
	}
	step("4_merge_deploys_what_was_reviewed", func(t *testing.T) {
		merge = w.Merge(7, baseSHA, pr7.head, true) // approved by a reviewer with write access
		r := w.Run(w.PushEvent(pr7.base, merge))
		r.WantCode(t, exitOK)

		p, ok := w.SM.Pipeline("house-price-tf")
		if !ok {
			t.Fatal("SageMaker has no pipeline house-price-tf")
		}
		if got := actiontest.Hash(p.Definition); got != pr7.hash {
			t.Errorf("deployed definition hash = %s, want the reviewed %s", got, pr7.hash)
		}
		if p.RoleArn != "arn:aws:iam::123456789012:role/smpipe-pipeline" {
			t.Errorf("pipeline role = %q", p.RoleArn)
		}
		execs := w.SM.Executions("house-price-tf")
		if len(execs) != 1 {
			t.Fatalf("%d executions, want 1", len(execs))
		}
		deployed.arn = execs[0].Arn

		// Every code artifact the definition points at was staged.
		uris := regexp.MustCompile(`s3://smpipe-examples/(house-price-tf/code/[^"\\\s]+)`).FindAllStringSubmatch(p.Definition, -1)
		if len(uris) == 0 {
			t.Errorf("the definition references no staged code:\n%s", p.Definition)
		}
		keys := w.S3.Keys("smpipe-examples")
		for _, u := range uris {
			if !slices.Contains(keys, u[1]) {
				t.Errorf("s3://smpipe-examples/%s is referenced but not staged (keys %q)", u[1], keys)
			}
		}

		if got, issued := w.STS.Tokens(), w.OIDC.Issued(); len(got) != 1 || len(issued) != 1 || got[0] != issued[0] {
			t.Errorf("STS got web identity tokens %d, OIDC issued %d; want the one issued token", len(got), len(issued))
		}
		if got := w.STS.Roles(); !slices.Equal(got, []string{actiontest.RoleARN}) {
			t.Errorf("STS roles = %q, want %q", got, actiontest.RoleARN)
		}
		if got := w.OIDC.Audiences(); !slices.Equal(got, []string{"sts.amazonaws.com"}) {
			t.Errorf("OIDC audiences = %q", got)
		}
		if got := w.SM.AccessKeys(); !slices.Equal(got, []string{w.STS.Creds.AccessKeyID}) {
			t.Errorf("SageMaker requests were signed with %q, want the STS key only", got)
		}

		cs := w.GH.Comments(w.Repo, 7)
		if len(cs) != 2 {
			t.Fatalf("%d comments on #7, want the plan and the deploy result", len(cs))
		}
		d := cs[1]
		if m := actiontest.ParseMarker(t, d.Body); m.Kind != "deploy" || m.Head != merge || d.Author != fakegithub.BotLogin {
			t.Errorf("second comment by %s with marker %+v, want a deploy marker for %s", d.Author, m, merge)
		}
		if !strings.Contains(d.Body, "house-price-tf") {
			t.Errorf("deploy comment does not name the pipeline:\n%s", d.Body)
		}
		out := r.Pipelines(t)
		if len(out) != 1 || out[0].Name != "house-price-tf" || out[0].ExecutionARN != deployed.arn || out[0].Hash != pr7.hash {
			t.Errorf("pipelines output = %+v, want house-price-tf with hash %s and execution %s", out, pr7.hash, deployed.arn)
		}
		if !strings.Contains(r.Summary, "house-price-tf") {
			t.Errorf("step summary does not name the pipeline:\n%s", r.Summary)
		}
		deployed.executions, deployed.puts = len(execs), w.S3.Calls("PutObject")
		deployed.updates, deployed.creates = w.SM.Calls("UpdatePipeline"), w.SM.Calls("CreatePipeline")
		if deployed.puts == 0 || deployed.creates != 1 {
			t.Errorf("PutObject %d, CreatePipeline %d; want uploads and one create", deployed.puts, deployed.creates)
		}
		lastPush = r.Env
	})

	step("5_rerun_of_the_merge_job_changes_nothing", func(t *testing.T) {
		env := maps.Clone(lastPush)
		env["GITHUB_RUN_ATTEMPT"] = "2" // what GitHub changes on a re-run
		r := w.Run(env)
		r.WantCode(t, exitOK)
		if n := len(w.SM.Executions("house-price-tf")); n != deployed.executions {
			t.Errorf("%d executions after the re-run, want %d", n, deployed.executions)
		}
		if n := w.S3.Calls("PutObject"); n != deployed.puts {
			t.Errorf("%d PutObject calls after the re-run, want %d", n, deployed.puts)
		}
		if n := w.SM.Calls("UpdatePipeline"); n != deployed.updates {
			t.Errorf("%d UpdatePipeline calls after the re-run, want %d", n, deployed.updates)
		}
		if n := w.SM.Calls("CreatePipeline"); n != deployed.creates {
			t.Errorf("%d CreatePipeline calls after the re-run, want %d", n, deployed.creates)
		}
		if n := len(w.GH.Comments(w.Repo, 7)); n != 2 {
			t.Errorf("%d comments on #7 after the re-run, want the same 2", n)
		}
		if out := r.Pipelines(t); len(out) != 1 || out[0].ExecutionARN != deployed.arn {
			t.Errorf("pipelines output = %+v, want the execution already started, %s", out, deployed.arn)
		}
	})

	step("5b_workflow_dispatch_redeploys_named_pipelines", func(t *testing.T) {
		dispatch := func(pipelines string) actiontest.Result {
			return w.Run(w.DispatchEvent("refs/heads/main", merge, map[string]string{"pipelines": pipelines}))
		}
		before := w.Calls()
		r := dispatch("house-price-tf")
		r.WantCode(t, exitOK)
		if out := r.Pipelines(t); len(out) != 1 || out[0].Name != "house-price-tf" || out[0].ExecutionARN != deployed.arn {
			t.Errorf("pipelines output = %+v, want house-price-tf with the execution already started for this commit", out)
		}
		if after := w.Calls(); after != before {
			t.Errorf("a redeploy of the same commit changed AWS: %+v → %+v", before, after)
		}

		r = dispatch("no-such-pipeline")
		r.WantCode(t, exitProblem)
		if !strings.Contains(r.Stdout, `no pipeline named "no-such-pipeline" (pipelines: house-price-tf)`) {
			t.Errorf("an unknown pipeline name must be reported:\n%s", r.Stdout)
		}
	})

	step("6_fork_pr_reports_in_the_summary_only", func(t *testing.T) {
		w.Git.Branch("fork-lr", true)
		w.Git.Edit(conf, "learning_rate: 0.001", "learning_rate: 0.002")
		head := w.Git.Commit("Faster learning")
		writes := w.GH.Count("POST /repos/{owner}/{repo}/issues/{number}/comments") + w.GH.Count("PATCH /repos/{owner}/{repo}/issues/comments/{id}")
		w.GH.SetReadOnly(true)
		defer w.GH.SetReadOnly(false)
		r := w.Run(w.PREvent(actiontest.PR{Action: "opened", Number: 8, BaseSHA: merge, HeadSHA: head, HeadRef: "fork-lr", HeadRepo: "other/fork"}))
		r.WantCode(t, exitOK)
		if cs := w.GH.Comments(w.Repo, 8); len(cs) != 0 {
			t.Errorf("%d comments on the fork's #8, want none", len(cs))
		}
		if n := w.GH.Count("POST /repos/{owner}/{repo}/issues/{number}/comments") + w.GH.Count("PATCH /repos/{owner}/{repo}/issues/comments/{id}"); n != writes {
			t.Errorf("%d comment writes were attempted for a fork", n-writes)
		}
		for _, want := range []string{"house-price-tf", "learning_rate", "0.002", "```mermaid"} {
			if !strings.Contains(r.Summary, want) {
				t.Errorf("step summary lacks %q:\n%s", want, r.Summary)
			}
		}
		if out := r.Pipelines(t); len(out) != 1 || out[0].Status != "changed" || !strings.HasPrefix(out[0].Hash, "sha256:") || out[0].Hash == pr7.hash {
			t.Errorf("pipelines output = %+v, want house-price-tf changed with a new hash", out)
		}
	})

	step("7_unreviewed_push_is_refused", func(t *testing.T) {
		before := w.Calls()
		w.Git.Detach(merge)
		w.Git.Branch("main", false)
		w.Git.Edit(conf, "max_runtime_seconds: 7200", "max_runtime_seconds: 3600")
		direct := w.Git.Commit("Shorter runtime, pushed straight to main")
		// No pull request is linked to the commit: nobody reviewed it.
		r := w.Run(w.PushEvent(merge, direct))
		r.WantCode(t, exitProblem)
		if !strings.Contains(r.Stdout, "commit "+direct[:12]+", which gave it its definition, is not the merge of a pull request") {
			t.Errorf("stdout does not say that no pull request was found:\n%s", r.Stdout)
		}
		refusals := r.ErrorLines("not deployed")
		if len(refusals) != 1 || strings.Count(refusals[0], `pipeline "house-price-tf"`) != 1 {
			t.Errorf("want one refusal naming the pipeline once: %q", refusals)
		}
		if after := w.Calls(); after != before {
			t.Errorf("deploy calls went from %+v to %+v, want nothing deployed", before, after)
		}
		if out := r.Pipelines(t); len(out) != 1 || out[0].Status != "refused" || out[0].ExecutionARN != "" {
			t.Errorf("pipelines output = %+v, want house-price-tf refused", out)
		}

		// Recorded by GitHub as the merge of #7, whose head compiles to
		// another definition than this commit.
		w.GH.LinkCommit(w.Repo, direct, fakegithub.PullRequest{Number: 7, State: "closed", Merged: true, MergeCommitSHA: direct, BaseRef: "main", HeadSHA: pr7.head})
		r = w.Run(w.PushEvent(merge, direct))
		r.WantCode(t, exitProblem)
		if !strings.Contains(r.Stdout, "than at pull request #7's head "+pr7.head[:12]+" (sha256:"+strings.TrimPrefix(pr7.hash, "sha256:")[:12]+")") {
			t.Errorf("stdout does not name the reviewed head and hash %s:\n%s", pr7.hash, r.Stdout)
		}
		if !strings.Contains(r.Stdout, `max_runtime_seconds: "7200" → "3600"`) {
			t.Errorf("stdout does not show what differs from the reviewed head:\n%s", r.Stdout)
		}
		if after := w.Calls(); after != before {
			t.Errorf("deploy calls went from %+v to %+v, want nothing deployed", before, after)
		}
	})

	t.Run("8_no_secret_in_any_output", func(t *testing.T) {
		w.CheckNoSecrets(t, 7, 8)
	})
}

// buildBinary builds smpipe into dir, as the image's build stage does.
func buildBinary(t *testing.T, dir string) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to build the binary: %v", err)
	}
	bin := filepath.Join(dir, "smpipe")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, goBin, "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// runBinary runs `smpipe action` as the runner runs the container: exactly
// env as the environment, the workspace as the working directory.
func runBinary(ctx context.Context, t *testing.T, bin string, env map[string]string, stdout, stderr io.Writer) int {
	cmd := exec.CommandContext(ctx, bin, "action")
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Dir, cmd.Stdout, cmd.Stderr = env["GITHUB_WORKSPACE"], stdout, stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exit):
		return exit.ExitCode()
	}
	t.Fatalf("running the action: %v", err)
	return -1
}

func wantPipelines(t *testing.T, r actiontest.Result, want ...actiontest.Pipeline) {
	t.Helper()
	if got := r.Pipelines(t); !slices.Equal(got, want) {
		t.Errorf("pipelines output = %+v, want %+v", got, want)
	}
}

// wantReport checks that the report output is the comment body.
func wantReport(t *testing.T, r actiontest.Result, body string) {
	t.Helper()
	if got := r.Outputs["report"]; got != body {
		t.Errorf("report output differs from the comment body:\n--- report\n%s\n--- comment\n%s", got, body)
	}
}
