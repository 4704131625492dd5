package action_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/smpipe/smpipe-action/internal/actiontest"
)

const (
	account = "123456789012" // the fakes' AWS account
	zeroSHA = "0000000000000000000000000000000000000000"
)

// A bad input stops the run before it does anything, naming the input.
func TestInputs_badValueNamesTheInput(t *testing.T) {
	tests := []struct{ input, value, want string }{
		{"role-duration-seconds", "90", "input role-duration-seconds is \"90\"; give whole seconds from 900"},
		{"role-duration-seconds", "1h", "input role-duration-seconds is \"1h\""},
		{"role-duration-seconds", "43201", "to 43200 (12 hours)"},
		{"wait-timeout-minutes", "0", "give a whole number of minutes from 1 to 43200"},
		{"wait-timeout-minutes", "9999999999999", "give a whole number of minutes from 1 to 43200 (30 days)"},
		{"allowed-account-ids", "123456789012,12345", "input allowed-account-ids: \"12345\" is not an AWS account ID"},
		{"mask-aws-account-id", "perhaps", "input mask-aws-account-id: \"perhaps\" is not true or false"},
		{"strict", "very", "input strict: \"very\" is not true or false"},
		{"comment", "sometimes", "input comment is \"sometimes\"; use true, changes-only, always-new or false"},
		{"label", "east\n## injected", "input label \"east\\n## injected\" must be one line of text"},
		{"label", strings.Repeat("x", 65), "input label has 65 characters; keep it to 64"},
	}
	w, base := newWorld(t)
	for _, tt := range tests {
		t.Run(tt.input+"="+tt.value, func(t *testing.T) {
			env := withInputs(w.PushEvent(base, base), map[string]string{tt.input: tt.value})
			before, tokens := w.Calls(), len(w.STS.Tokens())
			r := w.Run(env)
			r.WantCode(t, exitFailed)
			if lines := r.ErrorLines(tt.want); len(lines) != 1 {
				t.Errorf("want one ::error with %q:\n%s", tt.want, r.Stdout)
			}
			wantNoCalls(t, w, before)
			if len(w.STS.Tokens()) != tokens {
				t.Error("credentials were requested")
			}
		})
	}
}

// role-duration-seconds reaches STS; a session longer than the role allows
// fails before anything is written, saying which input and which IAM
// setting to change.
func TestDeploy_roleDurationSeconds(t *testing.T) {
	w, base := newWorld(t)
	w.STS.MaxSessionDuration = 2 * time.Hour
	// The repository's first push deploys everything; nothing reviewed it.
	env := w.PushEvent(zeroSHA, base)
	env["INPUT_ALLOW-UNREVIEWED"] = "true"
	w.Run(env).WantCode(t, exitOK)
	w.Run(withInputs(env, map[string]string{"role-duration-seconds": "7200"})).WantCode(t, exitOK)

	before := w.Calls()
	r := w.Run(withInputs(env, map[string]string{"role-duration-seconds": "10800"}))
	r.WantCode(t, exitFailed)
	wantNoCalls(t, w, before)
	if lines := r.ErrorLines("lower role-duration-seconds or raise the role's maximum"); len(lines) != 1 {
		t.Errorf("want one ::error explaining the session length:\n%s", r.Stdout)
	}
	if diff := cmp.Diff([]int{3600, 7200, 10800}, w.STS.Durations()); diff != "" {
		t.Errorf("DurationSeconds sent (-want +got):\n%s", diff)
	}
	w.CheckNoSecrets(t)
}

// allowed-account-ids: credentials for another account deploy nothing —
// checked after the role is assumed, before any upload — and the error
// names the account, never a credential.
func TestDeploy_allowedAccountIDs(t *testing.T) {
	w, base := newWorld(t)
	head := openPR(t, w, 7, "epochs", base, func() { w.Git.Edit(conf, "epochs: 60", "epochs: 70") })
	m := merge(t, w, 7, base, head)
	env := w.PushEvent(base, m)

	before := w.Calls()
	r := w.Run(withInputs(env, map[string]string{"allowed-account-ids": "111122223333, 444455556666"}))
	r.WantCode(t, exitFailed)
	wantNoCalls(t, w, before)
	if _, ok := w.SM.Pipeline(pipeline); ok {
		t.Error("a pipeline reached the wrong account")
	}
	want := "the AWS credentials are for account " + account + ", which allowed-account-ids (111122223333, 444455556666) does not include; nothing was deployed"
	if lines := r.ErrorLines(want); len(lines) != 1 {
		t.Errorf("want one ::error %q:\n%s", want, r.Stdout)
	}
	wantContains(t, "the job summary", r.Summary, "## smpipe deploy", "allowed-account-ids")
	if r.Outputs["errors"] != "1" || r.Outputs["changed"] != "false" {
		t.Errorf("outputs = %v", r.Outputs)
	}
	if w.STS.CallerIdentityCalls() != 1 {
		t.Errorf("GetCallerIdentity called %d times, want 1", w.STS.CallerIdentityCalls())
	}
	w.CheckNoSecrets(t, 7)

	r = w.Run(withInputs(env, map[string]string{"allowed-account-ids": "111122223333," + account}))
	r.WantCode(t, exitOK)
	if _, ok := w.SM.Pipeline(pipeline); !ok {
		t.Errorf("the allowed account got nothing:\n%s", r.Stdout)
	}
}

// A plan with read-only credentials for another account than
// allowed-account-ids shows no live view: it reads nothing there, warns,
// and the plan itself still passes.
func TestPlan_allowedAccountIDsGuardTheLiveView(t *testing.T) {
	w, base := newWorld(t)
	w.Run(w.DispatchEvent("refs/heads/main", base, nil)).WantCode(t, exitOK) // base is live
	reads := w.SM.Calls("DescribePipeline")
	_, r := pushPR(t, w, "opened", 17, "lr", base, map[string]string{"role-to-assume": actiontest.RoleARN, "allowed-account-ids": "111122223333"},
		func() { w.Git.Edit(conf, "learning_rate: 0.001", "learning_rate: 0.002") })
	r.WantCode(t, exitOK)
	wantContains(t, "the log", r.Stdout, "::warning::smpipe: not showing the live pipelines: the AWS credentials are for account "+account)
	if body := w.OnlyComment(t, 17).Body; strings.Contains(body, "Live in SageMaker") {
		t.Errorf("the comment shows another account's pipeline:\n%s", body)
	}
	if n := w.SM.Calls("DescribePipeline"); n != reads {
		t.Errorf("the plan read SageMaker %d times in an account it may not use", n-reads)
	}
}

// mask-aws-account-id: the account is masked in the log before anything
// prints it, and left out of the deploy report, which the runner does not
// mask on the pull request.
func TestDeploy_maskAWSAccountID(t *testing.T) {
	for _, mask := range []bool{false, true} {
		t.Run(map[bool]string{false: "default", true: "masked"}[mask], func(t *testing.T) {
			w, base := newWorld(t)
			head := openPR(t, w, 8, "epochs", base, func() { w.Git.Edit(conf, "epochs: 60", "epochs: 70") })
			m := merge(t, w, 8, base, head)
			env := w.PushEvent(base, m)
			if mask {
				env["INPUT_MASK-AWS-ACCOUNT-ID"] = "true"
			}
			r := w.Run(env)
			r.WantCode(t, exitOK)
			texts := map[string]string{"summary": r.Summary, "report output": r.Outputs["report"], "deploy comment": lastComment(t, w, 8)}
			for what, text := range texts {
				if got := strings.Contains(text, account); got == mask {
					t.Errorf("%s names the account: %v, want %v:\n%s", what, got, !mask, text)
				}
			}
			var first string
			for _, line := range strings.Split(r.Stdout, "\n") {
				if strings.Contains(line, account) {
					first = line
					break
				}
			}
			if masked := first == "::add-mask::"+account; masked != mask {
				t.Errorf("the first log line naming the account is %q", first)
			}
			if mask {
				wantContains(t, "the log", r.Stdout, "::add-mask::arn:aws:sts::"+account+":assumed-role/smpipe-deploy/")
				wantContains(t, "the summary", r.Summary, "arn:aws:sagemaker:us-east-1:***:pipeline/house-price-tf")
			}
		})
	}
}

// With mask-aws-account-id, the role's account is masked before STS is
// asked: a refused role names it in the error, which the runner shows.
func TestDeploy_maskAWSAccountIDBeforeCredentials(t *testing.T) {
	w, base := newWorld(t)
	head := openPR(t, w, 8, "epochs", base, func() { w.Git.Edit(conf, "epochs: 60", "epochs: 70") })
	m := merge(t, w, 8, base, head)
	w.STS.Deny(true)
	r := w.Run(withInputs(w.PushEvent(base, m), map[string]string{"mask-aws-account-id": "true"}))
	r.WantCode(t, exitFailed)
	lines := strings.Split(r.Stdout, "\n")
	i := slices.IndexFunc(lines, func(l string) bool { return strings.Contains(l, account) })
	if i < 0 || lines[i] != "::add-mask::"+account {
		t.Errorf("the account is not masked before it is printed:\n%s", r.Stdout)
	}
	wantContains(t, "the log", r.Stdout, "STS refused the GitHub OIDC token", "arn:aws:iam::"+account+":role/smpipe-deploy")
	if strings.Contains(r.Summary, account) || !strings.Contains(r.Summary, "arn:aws:iam::***:role/smpipe-deploy") {
		t.Errorf("the job summary shows the account:\n%s", r.Summary)
	}
}

// kms-key, subnets and security-groups override the framework conf as the
// CLI's flags do, and kms-key also encrypts the staged code.
func TestDeploy_networkAndKMSInputs(t *testing.T) {
	w, base := newWorld(t)
	head := openPR(t, w, 9, "epochs", base, func() { w.Git.Edit(conf, "epochs: 60", "epochs: 70") })
	m := merge(t, w, 9, base, head)
	const key = "arn:aws:kms:us-east-1:" + account + ":key/1234abcd-12ab-34cd-56ef-1234567890ab"
	env := withInputs(w.PushEvent(base, m), map[string]string{
		"kms-key": key, "subnets": "subnet-11111111,subnet-22222222", "security-groups": "sg-33333333"})
	r := w.Run(env)
	r.WantCode(t, exitOK)
	p, ok := w.SM.Pipeline(pipeline)
	if !ok {
		t.Fatalf("nothing deployed:\n%s", r.Stdout)
	}
	wantContains(t, "the definition", p.Definition, `"VolumeKmsKeyId":"`+key+`"`, `"subnet-11111111"`, `"subnet-22222222"`, `"sg-33333333"`)
	for _, old := range []string{"subnet-0a1b2c3d", "sg-0123abcd"} {
		if strings.Contains(p.Definition, old) {
			t.Errorf("the definition keeps the conf's %s", old)
		}
	}
	puts := w.S3.Puts()
	if len(puts) == 0 {
		t.Fatal("nothing staged")
	}
	for _, put := range puts {
		sse, kms := put.Header.Get("X-Amz-Server-Side-Encryption"), put.Header.Get("X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id")
		if sse != "aws:kms" || kms != key {
			t.Errorf("%s staged with encryption %q, key %q; want aws:kms, %s", put.Key, sse, kms, key)
		}
	}
}

// strict: an unknown key is a warning by default and an error with strict,
// for the plan and the errors output alike.
func TestPlan_strict(t *testing.T) {
	for _, strict := range []string{"false", "true"} {
		t.Run(strict, func(t *testing.T) {
			w, base := newWorld(t)
			_, r := pushPR(t, w, "opened", 10, "typo", base, map[string]string{"strict": strict}, func() {
				w.Git.Edit(conf, "max_runtime_seconds: 7200", "max_runtime_seconds: 7200\n        max_run_seconds: 60")
			})
			wantCode, wantErrors, level := exitOK, "0", "::warning"
			if strict == "true" {
				wantCode, wantErrors, level = exitFailed, "1", "::error"
			}
			r.WantCode(t, wantCode)
			wantContains(t, "the log", r.Stdout, level+" file="+conf)
			wantContains(t, "the log", r.Stdout, `unknown key "max_run_seconds"`)
			if r.Outputs["errors"] != wantErrors {
				t.Errorf("errors output = %q, want %s", r.Outputs["errors"], wantErrors)
			}
		})
	}
}

// changed, pipelines-touched and errors, for plan and deploy runs.
func TestOutputs_changedTouchedErrors(t *testing.T) {
	w, base := newWorld(t)
	check := func(what string, r actiontest.Result, changed, touched, errs string) {
		t.Helper()
		got := []string{r.Outputs["changed"], r.Outputs["pipelines-touched"], r.Outputs["errors"]}
		if diff := cmp.Diff([]string{changed, touched, errs}, got); diff != "" {
			t.Errorf("%s: changed, pipelines-touched, errors (-want +got):\n%s", what, diff)
		}
	}
	_, r := pushPR(t, w, "opened", 11, "docs", base, nil, func() { w.Git.Write("README.md", "Docs only.\n") })
	check("a plan touching nothing", r, "false", "0", "0")
	_, r = pushPR(t, w, "synchronize", 11, "docs", base, nil, func() {
		w.Git.Edit(conf, "# House sale prices with TensorFlow", "# House sale prices, with TensorFlow")
	})
	check("a plan touching a pipeline without changing it", r, "false", "1", "0")
	head, r := pushPR(t, w, "synchronize", 11, "docs", base, nil, func() { w.Git.Edit(conf, "epochs: 60", "epochs: 65") })
	check("a plan changing a pipeline", r, "true", "1", "0")

	m := merge(t, w, 11, base, head)
	r = w.Run(w.PushEvent(base, m))
	r.WantCode(t, exitOK)
	check("the deploy", r, "true", "1", "0")
	r = w.Run(w.PushEvent(base, m))
	r.WantCode(t, exitOK)
	check("the deploy re-run", r, "false", "1", "0")
}

// comment: the four modes as dflook's users know them, and the boolean
// spellings of earlier releases.
func TestPlan_commentModes(t *testing.T) {
	// Touches the pipeline (its anchor file) without changing its definition.
	touchOnly := func(w *actiontest.World) func() {
		return func() { w.Git.Edit(conf, "# House sale prices", "# House sale prices,") }
	}
	epochs := func(w *actiontest.World, from, to string) func() {
		return func() { w.Git.Edit(conf, "epochs: "+from, "epochs: "+to) }
	}

	t.Run("changes-only", func(t *testing.T) {
		w, base := newWorld(t)
		in := map[string]string{"comment": "changes-only"}
		_, r := pushPR(t, w, "opened", 12, "b", base, in, touchOnly(w))
		r.WantCode(t, exitOK)
		if n := len(w.GH.Comments(w.Repo, 12)); n != 0 {
			t.Fatalf("%d comments for a plan that changes no definition", n)
		}
		_, r = pushPR(t, w, "synchronize", 12, "b", base, in, epochs(w, "60", "61"))
		r.WantCode(t, exitOK)
		c := w.OnlyComment(t, 12)
		wantContains(t, "the comment", c.Body, "hyperparams.epochs")
		// Back to the base's definition: the comment is updated, not left
		// showing a change that is gone.
		_, r = pushPR(t, w, "synchronize", 12, "b", base, in, epochs(w, "61", "60"))
		r.WantCode(t, exitOK)
		if c2 := w.OnlyComment(t, 12); c2.ID != c.ID || strings.Contains(c2.Body, "hyperparams.epochs") {
			t.Errorf("the comment was not brought up to date:\n%s", c2.Body)
		}
	})

	t.Run("always-new", func(t *testing.T) {
		w, base := newWorld(t)
		in := map[string]string{"comment": "always-new"}
		var heads []string
		for i, step := range []func(){epochs(w, "60", "61"), epochs(w, "61", "62"), epochs(w, "62", "63")} {
			action := map[bool]string{true: "opened", false: "synchronize"}[i == 0]
			head, r := pushPR(t, w, action, 13, "b", base, in, step)
			r.WantCode(t, exitOK)
			heads = append(heads, head)
		}
		cs := w.GH.Comments(w.Repo, 13)
		if len(cs) != 3 {
			t.Fatalf("%d comments, want one per run", len(cs))
		}
		for i, c := range cs {
			m := actiontest.ParseMarker(t, c.Body)
			if m.Head != heads[i] || m.Outdated != (i < 2) {
				t.Errorf("comment %d: head %s outdated %v", i, m.Head, m.Outdated)
			}
			if i < 2 {
				wantContains(t, "an outdated comment", c.Body, "Outdated: a newer run posted [the current plan](", "head `"+heads[i+1][:12]+"`")
			}
		}
	})

	for _, tt := range []struct {
		value string
		want  int
	}{{"false", 0}, {"off", 0}, {"no", 0}, {"yes", 1}, {"1", 1}, {"TRUE", 1}} {
		t.Run(tt.value, func(t *testing.T) {
			w, base := newWorld(t)
			for i, step := range []func(){epochs(w, "60", "61"), epochs(w, "61", "62")} {
				action := map[bool]string{true: "opened", false: "synchronize"}[i == 0]
				_, r := pushPR(t, w, action, 14, "b", base, map[string]string{"comment": tt.value}, step)
				r.WantCode(t, exitOK)
			}
			if n := len(w.GH.Comments(w.Repo, 14)); n != tt.want {
				t.Errorf("%d comments, want %d", n, tt.want)
			}
		})
	}
}

// Two roots of one repository, each planned and deployed by its own job
// with its own label: two plan comments that each push edits in place,
// and on merge two deploys that each succeed and post their own result.
// Before, the second plan overwrote the first one's comment.
func TestLabel_twoRootsOnOnePullRequest(t *testing.T) {
	w := actiontest.New(t, "", inProcess)
	w.Git.CopyTreeTo("../testdata/conf/ok/housing-tf", "teams/east")
	w.Git.CopyTreeTo("../testdata/conf/ok/xgb-churn", "teams/west")
	base := w.Git.Commit("Two teams, two roots")
	roots := []struct {
		dir, label, conf, pipeline string
		values                     []string // the setting in base, then after each push
	}{
		{"teams/east", "east", "teams/east/housing/conf/conf.yaml", "house-price-tf", []string{"epochs: 60", "epochs: 70", "epochs: 80"}},
		{"teams/west", "west", "teams/west/churn/conf/conf.yaml", "churn-xgboost", []string{"max_depth: 6", "max_depth: 7", "max_depth: 8"}},
	}
	inputs := func(i int) map[string]string {
		return map[string]string{"working-directory": roots[i].dir, "label": roots[i].label}
	}

	var head string
	for push := range 2 {
		action := map[bool]string{true: "opened", false: "synchronize"}[push == 0]
		if push == 0 {
			w.Git.Detach(base)
		}
		w.Git.Branch("both", push == 0)
		for _, root := range roots {
			w.Git.Edit(root.conf, root.values[push], root.values[push+1])
		}
		head = w.Git.Commit("Both teams change")
		for i := range roots {
			env := withInputs(w.PREvent(actiontest.PR{Action: action, Number: 15, BaseSHA: base, HeadSHA: head, HeadRef: "both"}), inputs(i))
			w.Run(env).WantCode(t, exitOK)
		}
		cs := w.GH.Comments(w.Repo, 15)
		if len(cs) != 2 {
			t.Fatalf("push %d: %d comments, want one per label", push, len(cs))
		}
		for i, c := range cs {
			m := actiontest.ParseMarker(t, c.Body)
			wantContains(t, "comment "+roots[i].label, c.Body, "## smpipe plan ("+roots[i].label+"): 1 pipeline touched", "### "+roots[i].pipeline)
			if m.Label != roots[i].label || m.Head != head {
				t.Errorf("push %d, comment %d: label %q head %s", push, i, m.Label, m.Head)
			}
		}
	}

	m := merge(t, w, 15, base, head)
	for i, root := range roots {
		r := w.Run(withInputs(w.PushEvent(base, m), inputs(i)))
		r.WantCode(t, exitOK)
		if _, ok := w.SM.Pipeline(root.pipeline); !ok {
			t.Errorf("%s was not deployed:\n%s", root.pipeline, r.Stdout)
		}
		if got := r.Pipelines(t); len(got) != 1 || got[0].Name != root.pipeline {
			t.Errorf("the %s deploy reports %+v", root.label, got)
		}
	}
	cs := w.GH.Comments(w.Repo, 15)
	if len(cs) != 4 {
		t.Fatalf("%d comments, want two plans and two deploy results", len(cs))
	}
	for i, root := range roots {
		c := cs[2+i]
		mk := actiontest.ParseMarker(t, c.Body)
		if mk.Kind != "deploy" || mk.Label != root.label {
			t.Errorf("deploy comment %d: %+v", i, mk)
		}
		wantContains(t, "the "+root.label+" deploy comment", c.Body, "## smpipe deploy ("+root.label+")", root.pipeline)
	}
}

// A matrix over regions plans one root twice, one label per region: two
// comments, each with its region's definitions.
func TestLabel_regionMatrix(t *testing.T) {
	w, base := newWorld(t)
	w.Git.Detach(base)
	w.Git.Branch("lr", true)
	w.Git.Edit(conf, "learning_rate: 0.001", "learning_rate: 0.003")
	head := w.Git.Commit("Faster")
	for _, region := range []string{"us-east-1", "eu-west-1"} {
		env := withInputs(w.PREvent(actiontest.PR{Action: "opened", Number: 16, BaseSHA: base, HeadSHA: head, HeadRef: "lr"}),
			map[string]string{"aws-region": region, "label": region})
		w.Run(env).WantCode(t, exitOK)
	}
	cs := w.GH.Comments(w.Repo, 16)
	if len(cs) != 2 {
		t.Fatalf("%d comments, want one per region", len(cs))
	}
	if h0, h1 := actiontest.ParseMarker(t, cs[0].Body).Defs[pipeline], actiontest.ParseMarker(t, cs[1].Body).Defs[pipeline]; h0 == h1 {
		t.Error("both regions compiled to one definition")
	}
}

// pipelines on workflow_dispatch: the action's input, else the dispatch
// event's own pipelines input, split on commas and line breaks only.
func TestDispatch_pipelinesInput(t *testing.T) {
	tests := []struct {
		name          string
		input, event  string
		want          []string
		wantErrorLine string
	}{
		{name: "the event's input", event: "card-fraud-detection", want: []string{"card-fraud-detection"}},
		{name: "the action's input first", input: "store-demand-forecast", event: "card-fraud-detection", want: []string{"store-demand-forecast"}},
		{name: "commas and line breaks", event: " card-fraud-detection,\nstore-demand-forecast\n", want: []string{"card-fraud-detection", "store-demand-forecast"}},
		{name: "not spaces", event: "card-fraud-detection store-demand-forecast",
			wantErrorLine: `no pipeline named "card-fraud-detection store-demand-forecast" (pipelines: `},
		{name: "none: every pipeline", want: []string{"card-fraud-detection", "store-demand-forecast"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := actiontest.New(t, "../testdata/conf/ok/two-pipelines", inProcess)
			sha := w.Start(100, "Two pipelines")
			env := w.DispatchEvent("refs/heads/main", sha, map[string]string{"pipelines": tt.event})
			env["INPUT_PIPELINES"] = tt.input
			r := w.Run(env)
			if tt.wantErrorLine != "" {
				r.WantCode(t, exitFailed)
				if lines := r.ErrorLines(tt.wantErrorLine); len(lines) != 1 {
					t.Errorf("want one ::error with %q:\n%s", tt.wantErrorLine, r.Stdout)
				}
				wantContains(t, "the job summary", r.Summary, "no pipeline named")
				if r.Outputs["errors"] != "1" || r.Outputs["pipelines-touched"] != "0" {
					t.Errorf("outputs = %v", r.Outputs)
				}
				return
			}
			r.WantCode(t, exitOK)
			var got []string
			for _, p := range r.Pipelines(t) {
				got = append(got, p.Name)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("deployed (-want +got):\n%s", diff)
			}
		})
	}
}
