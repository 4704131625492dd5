package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"text/template"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/smpipe/smpipe-action/internal/fakeaws"
	"github.com/smpipe/smpipe-action/internal/fakegithub"
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
	w := newWorld(t)
	conf := "housing/conf/conf.yaml"

	var pr7 struct {
		base, head string
		commentID  int64
		hash       string // the defs hash of the last plan comment
	}
	pr7.base = w.baseSHA
	step := func(name string, f func(t *testing.T)) {
		t.Helper()
		if !t.Run(name, f) {
			t.FailNow() // later steps build on this one
		}
	}

	step("1_open_pr_plans_and_comments", func(t *testing.T) {
		w.checkoutBranch(t, "bigger-train", true)
		w.edit(t, conf, "instance_type: ml.m5.xlarge", "instance_type: ml.m5.2xlarge")
		pr7.head = w.commit(t, "Train on a bigger instance")
		r := w.run(t, w.prEvent(t, prPayload{Action: "opened", Number: 7, BaseSHA: pr7.base, HeadSHA: pr7.head, HeadRef: "bigger-train"}))
		r.wantCode(t, exitOK)

		c := w.onlyComment(t, 7)
		m := parseMarker(t, c.Body)
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
		r.wantPipelines(t, pipelineOut{Name: "house-price-tf", Status: "changed", Hash: pr7.hash})
		r.wantReport(t, c.Body)
		for _, want := range []string{"house-price-tf", "ml.m5.xlarge", "ml.m5.2xlarge", "```mermaid"} {
			if !strings.Contains(r.summary, want) {
				t.Errorf("step summary lacks %q:\n%s", want, r.summary)
			}
		}
	})

	step("2_synchronize_edits_the_same_comment", func(t *testing.T) {
		w.checkoutBranch(t, "bigger-train", false)
		w.edit(t, conf, "epochs: 60", "epochs: 80")
		pr7.head = w.commit(t, "More epochs")
		r := w.run(t, w.prEvent(t, prPayload{Action: "synchronize", Number: 7, BaseSHA: pr7.base, HeadSHA: pr7.head, HeadRef: "bigger-train"}))
		r.wantCode(t, exitOK)

		c := w.onlyComment(t, 7)
		if c.ID != pr7.commentID {
			t.Errorf("comment id = %d, want the first comment %d edited in place", c.ID, pr7.commentID)
		}
		m := parseMarker(t, c.Body)
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
		r.wantPipelines(t, pipelineOut{Name: "house-price-tf", Status: "changed", Hash: pr7.hash})
	})

	step("3_broken_conf_fails_with_an_annotation", func(t *testing.T) {
		w.checkoutBranch(t, "bigger-train", false)
		w.edit(t, conf, "step_class: Training", "step_class: Trainer")
		line := w.lineOf(t, conf, "step_class: Trainer")
		broken := w.commit(t, "Rename the training step class")
		r := w.run(t, w.prEvent(t, prPayload{Action: "synchronize", Number: 7, BaseSHA: pr7.base, HeadSHA: broken, HeadRef: "bigger-train"}))
		r.wantCode(t, exitProblem)

		annotation := fmt.Sprintf("::error file=%s,line=%d,", conf, line)
		if !strings.Contains(r.stdout, annotation) {
			t.Errorf("stdout lacks an annotation starting %q:\n%s", annotation, r.stdout)
		}
		c := w.onlyComment(t, 7)
		if c.ID != pr7.commentID {
			t.Errorf("comment id = %d, want %d edited in place", c.ID, pr7.commentID)
		}
		if m := parseMarker(t, c.Body); m.Head != broken {
			t.Errorf("marker head = %s, want %s", m.Head, broken)
		}
		if !strings.Contains(c.Body, "Trainer") {
			t.Errorf("comment does not show the error about Trainer:\n%s", c.Body)
		}
		r.wantPipelines(t, pipelineOut{Name: "house-price-tf", Status: "failed"})
		if !strings.Contains(r.summary, "Trainer") {
			t.Errorf("step summary does not show the error:\n%s", r.summary)
		}
	})

	step("3b_fixed_again", func(t *testing.T) {
		w.checkoutBranch(t, "bigger-train", false)
		w.edit(t, conf, "step_class: Trainer", "step_class: Training")
		pr7.head = w.commit(t, "Back to Training")
		r := w.run(t, w.prEvent(t, prPayload{Action: "synchronize", Number: 7, BaseSHA: pr7.base, HeadSHA: pr7.head, HeadRef: "bigger-train"}))
		r.wantCode(t, exitOK)
		c := w.onlyComment(t, 7)
		m := parseMarker(t, c.Body)
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
	var deployed struct {
		executions, puts, updates, creates int
		arn                                string
	}
	step("4_merge_deploys_what_was_reviewed", func(t *testing.T) {
		merge = w.mergeCommit(t, "refs/heads/main", "Merge pull request #7 from acme/bigger-train", w.baseSHA, pr7.head)
		w.checkoutBranch(t, "main", false)
		w.gh.LinkCommit(w.repo, merge, fakegithub.PullRequest{Number: 7, State: "closed", Merged: true, MergeCommitSHA: merge, BaseRef: "main", HeadSHA: pr7.head})
		r := w.run(t, w.pushEvent(t, pushPayload{Before: pr7.base, After: merge, Message: "Merge pull request #7"}))
		r.wantCode(t, exitOK)

		p, ok := w.sm.Pipeline("house-price-tf")
		if !ok {
			t.Fatal("SageMaker has no pipeline house-price-tf")
		}
		if got := sha256Hash(p.Definition); got != pr7.hash {
			t.Errorf("deployed definition hash = %s, want the reviewed %s", got, pr7.hash)
		}
		if p.RoleArn != "arn:aws:iam::123456789012:role/smpipe-pipeline" {
			t.Errorf("pipeline role = %q", p.RoleArn)
		}
		execs := w.sm.Executions("house-price-tf")
		if len(execs) != 1 {
			t.Fatalf("%d executions, want 1", len(execs))
		}
		deployed.arn = execs[0].Arn

		// Every code artifact the definition points at was staged.
		uris := regexp.MustCompile(`s3://smpipe-examples/(house-price-tf/code/[^"\\\s]+)`).FindAllStringSubmatch(p.Definition, -1)
		if len(uris) == 0 {
			t.Errorf("the definition references no staged code:\n%s", p.Definition)
		}
		keys := w.s3.Keys("smpipe-examples")
		for _, u := range uris {
			if !slices.Contains(keys, u[1]) {
				t.Errorf("s3://smpipe-examples/%s is referenced but not staged (keys %q)", u[1], keys)
			}
		}

		if got, issued := w.sts.Tokens(), w.oidc.Issued(); len(got) != 1 || len(issued) != 1 || got[0] != issued[0] {
			t.Errorf("STS got web identity tokens %d, OIDC issued %d; want the one issued token", len(got), len(issued))
		}
		if got := w.sts.Roles(); !slices.Equal(got, []string{roleARN}) {
			t.Errorf("STS roles = %q, want %q", got, roleARN)
		}
		if got := w.oidc.Audiences(); !slices.Equal(got, []string{"sts.amazonaws.com"}) {
			t.Errorf("OIDC audiences = %q", got)
		}
		if got := w.sm.AccessKeys(); !slices.Equal(got, []string{w.sts.Creds.AccessKeyID}) {
			t.Errorf("SageMaker requests were signed with %q, want the STS key only", got)
		}

		cs := w.gh.Comments(w.repo, 7)
		if len(cs) != 2 {
			t.Fatalf("%d comments on #7, want the plan and the deploy result", len(cs))
		}
		d := cs[1]
		if m := parseMarker(t, d.Body); m.Kind != "deploy" || m.Head != merge || d.Author != fakegithub.BotLogin {
			t.Errorf("second comment by %s with marker %+v, want a deploy marker for %s", d.Author, m, merge)
		}
		if !strings.Contains(d.Body, "house-price-tf") {
			t.Errorf("deploy comment does not name the pipeline:\n%s", d.Body)
		}
		out := r.pipelines(t)
		if len(out) != 1 || out[0].Name != "house-price-tf" || out[0].ExecutionARN != deployed.arn || out[0].Hash != pr7.hash {
			t.Errorf("pipelines output = %+v, want house-price-tf with hash %s and execution %s", out, pr7.hash, deployed.arn)
		}
		if !strings.Contains(r.summary, "house-price-tf") {
			t.Errorf("step summary does not name the pipeline:\n%s", r.summary)
		}
		deployed.executions, deployed.puts = len(execs), w.s3.Calls("PutObject")
		deployed.updates, deployed.creates = w.sm.Calls("UpdatePipeline"), w.sm.Calls("CreatePipeline")
		if deployed.puts == 0 || deployed.creates != 1 {
			t.Errorf("PutObject %d, CreatePipeline %d; want uploads and one create", deployed.puts, deployed.creates)
		}
		w.lastPush = r.env
	})

	step("5_rerun_of_the_merge_job_changes_nothing", func(t *testing.T) {
		env := slices.Clone(w.lastPush)
		setEnv(env, "GITHUB_RUN_ATTEMPT", "2") // what GitHub changes on a re-run
		r := w.run(t, env)
		r.wantCode(t, exitOK)
		if n := len(w.sm.Executions("house-price-tf")); n != deployed.executions {
			t.Errorf("%d executions after the re-run, want %d", n, deployed.executions)
		}
		if n := w.s3.Calls("PutObject"); n != deployed.puts {
			t.Errorf("%d PutObject calls after the re-run, want %d", n, deployed.puts)
		}
		if n := w.sm.Calls("UpdatePipeline"); n != deployed.updates {
			t.Errorf("%d UpdatePipeline calls after the re-run, want %d", n, deployed.updates)
		}
		if n := w.sm.Calls("CreatePipeline"); n != deployed.creates {
			t.Errorf("%d CreatePipeline calls after the re-run, want %d", n, deployed.creates)
		}
		if n := len(w.gh.Comments(w.repo, 7)); n != 2 {
			t.Errorf("%d comments on #7 after the re-run, want the same 2", n)
		}
		if out := r.pipelines(t); len(out) != 1 || out[0].ExecutionARN != deployed.arn {
			t.Errorf("pipelines output = %+v, want the execution already started, %s", out, deployed.arn)
		}
	})

	step("5b_workflow_dispatch_redeploys_named_pipelines", func(t *testing.T) {
		sha := ""
		for _, kv := range w.lastPush {
			if v, ok := strings.CutPrefix(kv, "GITHUB_SHA="); ok {
				sha = v
			}
		}
		dispatch := func(pipelines string) result {
			path := filepath.Join(w.tmp, "dispatch-"+pipelines+".json")
			body := fmt.Sprintf(`{"ref":"refs/heads/main","inputs":{"pipelines":%q},"repository":{"full_name":%q,"default_branch":"main"}}`, pipelines, w.repo)
			if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
			w.checkoutCommit(t, sha)
			return w.run(t, w.env(t, "workflow_dispatch", path, sha, "refs/heads/main", map[string]string{"INPUT_ROLE-TO-ASSUME": roleARN}))
		}
		before := w.deployCalls()
		r := dispatch("house-price-tf")
		r.wantCode(t, exitOK)
		if out := r.pipelines(t); len(out) != 1 || out[0].Name != "house-price-tf" || out[0].ExecutionARN != deployed.arn {
			t.Errorf("pipelines output = %+v, want house-price-tf with the execution already started for this commit", out)
		}
		if after := w.deployCalls(); after.executions != before.executions || after.puts != before.puts || after.updates != before.updates {
			t.Errorf("a redeploy of the same commit changed AWS: %+v → %+v", before, after)
		}

		r = dispatch("no-such-pipeline")
		r.wantCode(t, exitProblem)
		if !strings.Contains(r.stdout, `no pipeline named \"no-such-pipeline\" (pipelines: house-price-tf)`) && !strings.Contains(r.stdout, `no pipeline named "no-such-pipeline" (pipelines: house-price-tf)`) {
			t.Errorf("an unknown pipeline name must be reported:\n%s", r.stdout)
		}
	})

	step("6_fork_pr_reports_in_the_summary_only", func(t *testing.T) {
		w.checkoutBranch(t, "fork-lr", true)
		w.edit(t, conf, "learning_rate: 0.001", "learning_rate: 0.002")
		head := w.commit(t, "Faster learning")
		writes := w.gh.Count("POST /repos/{owner}/{repo}/issues/{number}/comments") + w.gh.Count("PATCH /repos/{owner}/{repo}/issues/comments/{id}")
		w.gh.SetReadOnly(true)
		defer w.gh.SetReadOnly(false)
		ev := w.prEvent(t, prPayload{Action: "opened", Number: 8, BaseSHA: merge, HeadSHA: head, HeadRef: "fork-lr", HeadRepo: "other/fork"})
		// A fork's run gets no id-token permission.
		ev = slices.DeleteFunc(ev, func(kv string) bool { return strings.HasPrefix(kv, "ACTIONS_ID_TOKEN_REQUEST_") })
		r := w.run(t, ev)
		r.wantCode(t, exitOK)
		if cs := w.gh.Comments(w.repo, 8); len(cs) != 0 {
			t.Errorf("%d comments on the fork's #8, want none", len(cs))
		}
		if n := w.gh.Count("POST /repos/{owner}/{repo}/issues/{number}/comments") + w.gh.Count("PATCH /repos/{owner}/{repo}/issues/comments/{id}"); n != writes {
			t.Errorf("%d comment writes were attempted for a fork", n-writes)
		}
		for _, want := range []string{"house-price-tf", "learning_rate", "0.002", "```mermaid"} {
			if !strings.Contains(r.summary, want) {
				t.Errorf("step summary lacks %q:\n%s", want, r.summary)
			}
		}
		if out := r.pipelines(t); len(out) != 1 || out[0].Status != "changed" || !strings.HasPrefix(out[0].Hash, "sha256:") || out[0].Hash == pr7.hash {
			t.Errorf("pipelines output = %+v, want house-price-tf changed with a new hash", out)
		}
	})

	step("7_unreviewed_push_is_refused", func(t *testing.T) {
		before := w.deployCalls()
		w.checkoutBranch(t, "main", false)
		w.edit(t, conf, "max_runtime_seconds: 7200", "max_runtime_seconds: 3600")
		direct := w.commit(t, "Shorter runtime, pushed straight to main")
		// No pull request is linked to the commit: nobody reviewed it.
		r := w.run(t, w.pushEvent(t, pushPayload{Before: merge, After: direct, Message: "Shorter runtime"}))
		r.wantCode(t, exitProblem)
		if !strings.Contains(r.stdout, "::notice::smpipe: commit "+direct+" is not the merge of a pull request") {
			t.Errorf("stdout does not say that no pull request was found:\n%s", r.stdout)
		}
		refusal := errorLine(t, r.stdout, "refusing to deploy")
		if n := strings.Count(refusal, `pipeline "house-price-tf"`); n != 1 {
			t.Errorf("the refusal names the pipeline %d times, want once: %s", n, refusal)
		}
		if after := w.deployCalls(); after != before {
			t.Errorf("deploy calls went from %+v to %+v, want nothing deployed", before, after)
		}
		if out := r.pipelines(t); len(out) != 1 || out[0].Status != "failed" || out[0].ExecutionARN != "" {
			t.Errorf("pipelines output = %+v, want house-price-tf failed", out)
		}

		// Linked to #7, whose comment reviewed another definition.
		w.gh.LinkCommit(w.repo, direct, fakegithub.PullRequest{Number: 7, State: "closed", Merged: true, MergeCommitSHA: direct, BaseRef: "main", HeadSHA: pr7.head})
		r = w.run(t, w.pushEvent(t, pushPayload{Before: merge, After: direct, Message: "Shorter runtime"}))
		r.wantCode(t, exitProblem)
		if !strings.Contains(r.stdout, "was reviewed with "+pr7.hash) {
			t.Errorf("stdout does not name the reviewed hash %s:\n%s", pr7.hash, r.stdout)
		}
		if after := w.deployCalls(); after != before {
			t.Errorf("deploy calls went from %+v to %+v, want nothing deployed", before, after)
		}
	})

	t.Run("8_no_secret_in_any_output", func(t *testing.T) {
		secrets := map[string]string{
			"GitHub token":       fakegithub.Token,
			"OIDC request token": w.oidc.RequestToken,
			"STS access key":     w.sts.Creds.AccessKeyID,
			"STS secret key":     w.sts.Creds.SecretAccessKey,
			"STS session token":  w.sts.Creds.SessionToken,
		}
		for i, tok := range w.oidc.Issued() {
			secrets[fmt.Sprintf("OIDC token %d", i+1)] = tok
			// The JWT's signature alone is as secret as the whole.
			secrets[fmt.Sprintf("OIDC token %d signature", i+1)] = tok[strings.LastIndexByte(tok, '.')+1:]
		}
		var texts []string
		texts = append(texts, w.captured...)
		for _, n := range []int{7, 8} {
			for _, c := range w.gh.Comments(w.repo, n) {
				texts = append(texts, c.Body)
			}
		}
		for name, secret := range secrets {
			for i, text := range texts {
				if strings.Contains(text, secret) {
					t.Errorf("the %s appears in captured text %d:\n%s", name, i, text)
				}
			}
		}
	})
}

// roleARN is the role-to-assume input of the deploy runs.
const roleARN = "arn:aws:iam::123456789012:role/smpipe-deploy"

// world is everything the story shares: the fakes, the repository (also
// the runner's workspace) and the built binary.
type world struct {
	bin     string
	tmp     string
	ws      string // GITHUB_WORKSPACE and the repository's worktree
	repo    string // owner/name
	git     *git.Repository
	baseSHA string
	clock   time.Time // commit times, one minute apart
	runID   int

	gh   *fakegithub.Server
	oidc *fakeaws.OIDC
	sts  *fakeaws.STS
	sm   *fakeaws.SageMaker
	s3   *fakeaws.S3

	lastPush []string // environment of the last push run
	captured []string // everything any run wrote, for the secrets check
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{tmp: t.TempDir(), repo: "acme/ml-pipelines", clock: time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC), runID: 9000}
	w.bin = buildBinary(t, w.tmp)
	w.gh = fakegithub.New(t)
	w.oidc = fakeaws.NewOIDC(t)
	w.sts = fakeaws.NewSTS(t)
	w.s3 = fakeaws.NewS3(t, "smpipe-examples")
	w.sm = fakeaws.NewSageMaker(t, fakeaws.WithS3(w.s3))

	w.ws = filepath.Join(w.tmp, "workspace")
	r, err := git.PlainInitWithOptions(w.ws, &git.PlainInitOptions{InitOptions: git.InitOptions{DefaultBranch: plumbing.NewBranchReferenceName("main")}})
	if err != nil {
		t.Fatalf("creating the repository: %v", err)
	}
	w.git = r
	copyTree(t, "testdata/conf/ok/housing-tf", w.ws)
	w.baseSHA = w.commit(t, "House prices with TensorFlow")
	return w
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

func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(from, p)
		if err != nil {
			return err
		}
		dst := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o644)
	})
	if err != nil {
		t.Fatalf("copying %s: %v", from, err)
	}
}

// --- git ---------------------------------------------------------------

func (w *world) signature() *object.Signature {
	w.clock = w.clock.Add(time.Minute)
	return &object.Signature{Name: "Octo Dev", Email: "octo-dev@users.noreply.github.com", When: w.clock}
}

// commit records the worktree on the current branch.
func (w *world) commit(t *testing.T, msg string) string {
	t.Helper()
	wt := w.worktree(t)
	if err := wt.AddWithOptions(&git.AddOptions{All: true}); err != nil {
		t.Fatalf("staging: %v", err)
	}
	h, err := wt.Commit(msg, &git.CommitOptions{Author: w.signature()})
	if err != nil {
		t.Fatalf("committing %q: %v", msg, err)
	}
	return h.String()
}

func (w *world) worktree(t *testing.T) *git.Worktree {
	t.Helper()
	wt, err := w.git.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	return wt
}

// checkoutBranch switches the worktree to branch, creating it at HEAD when
// create is set.
func (w *world) checkoutBranch(t *testing.T, branch string, create bool) {
	t.Helper()
	err := w.worktree(t).Checkout(&git.CheckoutOptions{Branch: plumbing.NewBranchReferenceName(branch), Create: create, Force: true})
	if err != nil {
		t.Fatalf("checking out %s: %v", branch, err)
	}
}

// checkoutCommit detaches the worktree at sha, as actions/checkout does.
func (w *world) checkoutCommit(t *testing.T, sha string) {
	t.Helper()
	if err := w.worktree(t).Checkout(&git.CheckoutOptions{Hash: plumbing.NewHash(sha), Force: true}); err != nil {
		t.Fatalf("checking out %s: %v", sha, err)
	}
}

// mergeCommit writes a merge of parents with the last parent's tree (the
// base has not moved, so that is the merge result) and points ref at it.
func (w *world) mergeCommit(t *testing.T, ref, msg string, parents ...string) string {
	t.Helper()
	last, err := w.git.CommitObject(plumbing.NewHash(parents[len(parents)-1]))
	if err != nil {
		t.Fatal(err)
	}
	sig := w.signature()
	c := &object.Commit{Author: *sig, Committer: *sig, Message: msg, TreeHash: last.TreeHash}
	for _, p := range parents {
		c.ParentHashes = append(c.ParentHashes, plumbing.NewHash(p))
	}
	obj := w.git.Storer.NewEncodedObject()
	if err := c.Encode(obj); err != nil {
		t.Fatal(err)
	}
	h, err := w.git.Storer.SetEncodedObject(obj)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.git.Storer.SetReference(plumbing.NewHashReference(plumbing.ReferenceName(ref), h)); err != nil {
		t.Fatal(err)
	}
	return h.String()
}

// edit replaces the one occurrence of old in the worktree file rel.
func (w *world) edit(t *testing.T, rel, old, new string) {
	t.Helper()
	p := filepath.Join(w.ws, filepath.FromSlash(rel))
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(b), old); n != 1 {
		t.Fatalf("%s has %q %d times, want once", rel, old, n)
	}
	if err := os.WriteFile(p, []byte(strings.Replace(string(b), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// lineOf is the 1-based line of the worktree file rel holding s.
func (w *world) lineOf(t *testing.T, rel, s string) int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(w.ws, filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range strings.Split(string(b), "\n") {
		if strings.Contains(l, s) {
			return i + 1
		}
	}
	t.Fatalf("%s has no line with %q", rel, s)
	return 0
}

// --- events and runs -----------------------------------------------------

type prPayload struct {
	Action           string
	Number           int
	BaseSHA, HeadSHA string
	HeadRef          string
	HeadRepo         string // default: the repository itself
	// Filled in by prEvent.
	Repo, HeadOwner, Title string
	Fork                   bool
}

type pushPayload struct {
	Before, After, Message string
	Repo                   string // filled in by pushEvent
}

// prEvent writes a pull_request payload, checks out the merge commit GitHub
// builds for it (refs/pull/N/merge) and returns the run's environment.
func (w *world) prEvent(t *testing.T, p prPayload) []string {
	t.Helper()
	p.Repo, p.Title = w.repo, "E2E change "+p.HeadRef
	if p.HeadRepo == "" {
		p.HeadRepo = w.repo
	}
	p.Fork = p.HeadRepo != w.repo
	p.HeadOwner, _, _ = strings.Cut(p.HeadRepo, "/")
	ref := fmt.Sprintf("refs/pull/%d/merge", p.Number)
	merge := w.mergeCommit(t, ref, fmt.Sprintf("Merge %s into %s", p.HeadSHA, p.BaseSHA), p.BaseSHA, p.HeadSHA)
	w.checkoutCommit(t, merge)
	return w.env(t, "pull_request", w.payload(t, "pull_request.json.tmpl", p), merge, ref, nil)
}

// pushEvent writes a push payload for main with the worktree at p.After
// and returns the deploy run's environment.
func (w *world) pushEvent(t *testing.T, p pushPayload) []string {
	t.Helper()
	p.Repo = w.repo
	w.checkoutCommit(t, p.After)
	return w.env(t, "push", w.payload(t, "push.json.tmpl", p), p.After, "refs/heads/main", map[string]string{"INPUT_ROLE-TO-ASSUME": roleARN})
}

func (w *world) payload(t *testing.T, name string, data any) string {
	t.Helper()
	tmpl, err := template.ParseFiles(filepath.Join("testdata", "e2e", name))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := tmpl.Execute(&b, data); err != nil {
		t.Fatal(err)
	}
	if !json.Valid(b.Bytes()) {
		t.Fatalf("%s did not give valid JSON:\n%s", name, b.String())
	}
	// Under the world's directory: a re-run reads the same file later.
	p := filepath.Join(w.tmp, fmt.Sprintf("event-%d.json", w.runID+1))
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// env is the environment GitHub's runner gives the container: its
// variables, every input with action.yml's defaults, and fresh
// GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files.
func (w *world) env(t *testing.T, event, eventPath, sha, ref string, inputs map[string]string) []string {
	t.Helper()
	w.runID++
	home := filepath.Join(w.tmp, "home")
	if err := os.MkdirAll(home, 0o755); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{
		"HOME":                           home,
		"PATH":                           os.Getenv("PATH"),
		"GITHUB_EVENT_NAME":              event,
		"GITHUB_EVENT_PATH":              eventPath,
		"GITHUB_WORKSPACE":               w.ws,
		"GITHUB_SHA":                     sha,
		"GITHUB_REF":                     ref,
		"GITHUB_REPOSITORY":              w.repo,
		"GITHUB_API_URL":                 strings.TrimSuffix(w.gh.URL(), "/"),
		"GITHUB_SERVER_URL":              "https://github.com",
		"GITHUB_RUN_ID":                  strconv.Itoa(w.runID),
		"GITHUB_RUN_ATTEMPT":             "1",
		"ACTIONS_ID_TOKEN_REQUEST_URL":   w.oidc.RequestURL,
		"ACTIONS_ID_TOKEN_REQUEST_TOKEN": w.oidc.RequestToken,
		"AWS_ENDPOINT_URL_STS":           w.sts.URL,
		"AWS_ENDPOINT_URL_SAGEMAKER":     w.sm.URL,
		"AWS_ENDPOINT_URL_S3":            w.s3.URL,
		"AWS_REGION":                     "us-east-1",
		"AWS_EC2_METADATA_DISABLED":      "true",
		// Inputs as the runner passes them: every input, hyphens kept,
		// action.yml defaults for those the workflow does not set.
		"INPUT_GITHUB-TOKEN":         fakegithub.Token,
		"INPUT_MODE":                 "auto",
		"INPUT_WORKING-DIRECTORY":    ".",
		"INPUT_CONFIG-GLOB":          "",
		"INPUT_FRAMEWORK-CONF":       "",
		"INPUT_AWS-REGION":           "",
		"INPUT_ROLE-TO-ASSUME":       "",
		"INPUT_ROLE-SESSION-NAME":    "",
		"INPUT_AUDIENCE":             "sts.amazonaws.com",
		"INPUT_PIPELINE-ROLE-ARN":    "",
		"INPUT_S3-BUCKET":            "",
		"INPUT_START-EXECUTION":      "true",
		"INPUT_WAIT":                 "false",
		"INPUT_WAIT-TIMEOUT-MINUTES": "60",
		"INPUT_COMMENT":              "true",
		"INPUT_ALLOW-UNREVIEWED":     "false",
		"INPUT_PIPELINES":            "",
	}
	for k, v := range inputs {
		vars[k] = v
	}
	var env []string
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	slices.Sort(env)
	return env
}

func setEnv(env []string, k, v string) {
	for i, kv := range env {
		if strings.HasPrefix(kv, k+"=") {
			env[i] = k + "=" + v
			return
		}
	}
	panic("setEnv: no " + k)
}

// result is what one run of the action left behind.
type result struct {
	env            []string
	code           int
	stdout, stderr string
	outputs        map[string]string
	summary        string
}

// run runs `smpipe action` with exactly env, after giving it fresh
// runner files, and reads what it wrote.
func (w *world) run(t *testing.T, env []string) result {
	t.Helper()
	env = slices.DeleteFunc(slices.Clone(env), func(kv string) bool {
		return strings.HasPrefix(kv, "GITHUB_OUTPUT=") || strings.HasPrefix(kv, "GITHUB_STEP_SUMMARY=")
	})
	files := t.TempDir()
	outPath, sumPath := filepath.Join(files, "set_output"), filepath.Join(files, "step_summary")
	for _, p := range []string{outPath, sumPath} {
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	env = append(env, "GITHUB_OUTPUT="+outPath, "GITHUB_STEP_SUMMARY="+sumPath)

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, w.bin, "action")
	cmd.Env, cmd.Dir = env, w.ws
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := result{env: env, stdout: stdout.String(), stderr: stderr.String()}
	switch e := err.(type) {
	case nil:
	case *exec.ExitError:
		r.code = e.ExitCode()
	default:
		t.Fatalf("running the action: %v", err)
	}
	if ctx.Err() != nil {
		t.Fatalf("the action did not finish within 60 s\nstdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	}
	out, err := os.ReadFile(outPath)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := os.ReadFile(sumPath)
	if err != nil {
		t.Fatal(err)
	}
	r.summary = string(sum)
	r.outputs = parseOutputs(t, string(out))
	if os.Getenv("E2E_DUMP") != "" {
		t.Logf("exit %d\n--- stdout\n%s\n--- stderr\n%s\n--- outputs\n%s\n--- summary\n%s", r.code, r.stdout, r.stderr, out, r.summary)
	}
	w.captured = append(w.captured, withoutMaskCommands(r.stdout), r.stderr, string(out), r.summary)
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
func parseOutputs(t *testing.T, s string) map[string]string {
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

func (r result) wantCode(t *testing.T, want int) {
	t.Helper()
	if r.code != want {
		t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, want, r.stdout, r.stderr)
	}
}

type pipelineOut struct {
	Name         string `json:"name"`
	Status       string `json:"status"`
	Hash         string `json:"definitionHash"`
	ExecutionARN string `json:"executionArn"`
}

func (r result) pipelines(t *testing.T) []pipelineOut {
	t.Helper()
	raw, ok := r.outputs["pipelines"]
	if !ok {
		t.Fatalf("no pipelines output (outputs: %q)", slices.Sorted(maps.Keys(r.outputs)))
	}
	var out []pipelineOut
	if err := json.Unmarshal([]byte(raw), &out); err != nil {
		t.Fatalf("pipelines output is not a JSON list: %v\n%s", err, raw)
	}
	return out
}

func (r result) wantPipelines(t *testing.T, want ...pipelineOut) {
	t.Helper()
	got := r.pipelines(t)
	if !slices.Equal(got, want) {
		t.Errorf("pipelines output = %+v, want %+v", got, want)
	}
}

// wantReport checks that the report output is the comment body.
func (r result) wantReport(t *testing.T, body string) {
	t.Helper()
	if got := r.outputs["report"]; got != body {
		t.Errorf("report output differs from the comment body:\n--- report\n%s\n--- comment\n%s", got, body)
	}
}

// errorLine is the one ::error workflow command in stdout holding s.
func errorLine(t *testing.T, stdout, s string) string {
	t.Helper()
	var found []string
	for _, l := range strings.Split(stdout, "\n") {
		if strings.HasPrefix(l, "::error") && strings.Contains(l, s) {
			found = append(found, l)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d ::error lines hold %q, want one:\n%s", len(found), s, stdout)
	}
	return found[0]
}

// --- fakes' state ----------------------------------------------------------

// onlyComment is the one comment on pull request n, which must be ours.
func (w *world) onlyComment(t *testing.T, n int) fakegithub.Comment {
	t.Helper()
	cs := w.gh.Comments(w.repo, n)
	if len(cs) != 1 {
		t.Fatalf("%d comments on #%d, want exactly one", len(cs), n)
	}
	if cs[0].Author != fakegithub.BotLogin {
		t.Errorf("comment author = %q, want %q", cs[0].Author, fakegithub.BotLogin)
	}
	return cs[0]
}

// deployCalls counts every call that changes AWS state.
type deployCalls struct {
	puts, creates, updates, starts, executions int
}

func (w *world) deployCalls() deployCalls {
	return deployCalls{
		puts: w.s3.Calls("PutObject"), creates: w.sm.Calls("CreatePipeline"), updates: w.sm.Calls("UpdatePipeline"),
		starts: w.sm.Calls("StartPipelineExecution"), executions: len(w.sm.Executions("house-price-tf")),
	}
}

// marker is the hidden first line of smpipe's comments, read here
// independently of ghreport so the test checks the format GitHub stores.
type marker struct {
	Kind string            `json:"kind"`
	PR   int               `json:"pr"`
	Base string            `json:"base"`
	Head string            `json:"head"`
	Defs map[string]string `json:"defs"`
}

func parseMarker(t *testing.T, body string) marker {
	t.Helper()
	first, _, _ := strings.Cut(body, "\n")
	payload, ok := strings.CutPrefix(first, "<!-- smpipe:v1 ")
	if ok {
		payload, ok = strings.CutSuffix(payload, " -->")
	}
	var m marker
	if !ok || json.Unmarshal([]byte(payload), &m) != nil {
		t.Fatalf("first line is not an smpipe marker: %q", first)
	}
	return m
}

func sha256Hash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "sha256:" + hex.EncodeToString(sum[:])
}
