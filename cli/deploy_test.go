package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5"
	gitconfig "github.com/go-git/go-git/v5/config"

	"github.com/smpipe/smpipe-action/internal/fakeaws"
	"github.com/smpipe/smpipe-action/internal/testrepo"
)

// cliAWS points the CLI at SageMaker and S3 fakes. The SDK's credential
// chain reads the process environment, so the test sets static keys there
// and keeps everything else of a developer's AWS setup out: such tests
// cannot run in parallel.
func cliAWS(t *testing.T) (*fakeaws.SageMaker, map[string]string) {
	t.Helper()
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": "AKIACLITEST", "AWS_SECRET_ACCESS_KEY": "cli-test-secret", "AWS_SESSION_TOKEN": "",
		"AWS_PROFILE": "", "AWS_REGION": "", "AWS_DEFAULT_REGION": "", "AWS_ENDPOINT_URL": "",
		"AWS_ENDPOINT_URL_SAGEMAKER": "", "AWS_ENDPOINT_URL_S3": "", "AWS_EC2_METADATA_DISABLED": "true",
		"AWS_CONFIG_FILE": filepath.Join(dir, "config"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"),
	} {
		t.Setenv(k, v)
	}
	s3 := fakeaws.NewS3(t, "smpipe-examples")
	sm := fakeaws.NewSageMaker(t, fakeaws.WithS3(s3))
	return sm, map[string]string{"AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL_SAGEMAKER": sm.URL, "AWS_ENDPOINT_URL_S3": s3.URL}
}

// TestRun_deployAll reconciles a repository, then re-runs the deploy as of
// the older commit: the CLI checks the commit order in the checkout and
// leaves the pipeline at the newer one.
func TestRun_deployAll(t *testing.T) {
	sm, env := cliAWS(t)
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(example)); err != nil {
		t.Fatal(err)
	}
	older := testrepo.Commit(t, dir, "one")
	conf := filepath.Join(dir, "housing", "conf", "conf.yaml")
	b, err := os.ReadFile(conf)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(conf, []byte(strings.Replace(string(b), "epochs: 60", "epochs: 80", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	newer := testrepo.Commit(t, dir, "two")

	// Which repository owns the pipelines is recorded on them; without a
	// way to tell, nothing is deployed.
	code, out, errOut := runCLI(t, env, "deploy", "--all", "--root", dir)
	if code != exitUsage || !strings.Contains(errOut, "pass --repository OWNER/NAME") || sm.Calls("DescribePipeline") != 0 {
		t.Fatalf("no repository: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	g, err := git.PlainOpen(dir)
	if err == nil {
		_, err = g.CreateRemote(&gitconfig.RemoteConfig{Name: "origin", URLs: []string{"git@github.com:acme/ml-pipelines.git"}})
	}
	if err != nil {
		t.Fatal(err)
	}

	code, out, errOut = runCLI(t, env, "deploy", "--all", "--root", dir)
	if code != exitOK || !strings.Contains(out, "house-price-tf") || !strings.Contains(out, "created, started") {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	if !strings.Contains(errOut, "the command line does not ask whether a reviewed pull request brought each definition") {
		t.Errorf("the CLI does not say it deploys without the review check:\n%s", errOut)
	}
	if p, _ := sm.Pipeline("house-price-tf"); p.Tags["smpipe:commit"] != newer || p.Tags["smpipe:repository"] != "acme/ml-pipelines" {
		t.Fatalf("deployed from %q for %q, want HEAD %s for the origin's repository", p.Tags["smpipe:commit"], p.Tags["smpipe:repository"], newer)
	}

	code, out, errOut = runCLI(t, env, "deploy", "--all", "--root", dir, "--commit", older)
	if code != exitOK || !strings.Contains(out, "skipped: newer commit "+newer[:12]+" is deployed") {
		t.Errorf("deploy as of the older commit: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	if n := sm.Calls("UpdatePipeline"); n != 0 {
		t.Errorf("UpdatePipeline calls = %d, want 0", n)
	}

	// Another repository's deploy leaves the pipeline alone unless told to
	// adopt it.
	code, out, errOut = runCLI(t, env, "deploy", "--all", "--root", dir, "--repository", "acme/other")
	if code != exitProblem || !strings.Contains(out, "refused") || !strings.Contains(out, "--adopt house-price-tf") {
		t.Errorf("another repository: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	code, out, errOut = runCLI(t, env, "deploy", "--all", "--root", dir, "--repository", "acme/other", "--adopt", "house-price-tf")
	if p, _ := sm.Pipeline("house-price-tf"); code != exitOK || p.Tags["smpipe:repository"] != "acme/other" {
		t.Errorf("adopted: exit %d, tags %v\nstdout:\n%s\nstderr:\n%s", code, p.Tags, out, errOut)
	}
}

func TestRun_deployAllUsage(t *testing.T) {
	for _, args := range [][]string{
		{"deploy", "--all", "--dry-run", example},
		{"deploy", "--all", "--dry-run", "--pipeline", "house-price-tf", "--root", example},
	} {
		code, _, errOut := runCLI(t, nil, args...)
		if code != exitUsage || !strings.Contains(errOut, "--all deploys every pipeline of the repository") {
			t.Errorf("%q: exit %d, stderr:\n%s", args, code, errOut)
		}
	}
	code, out, errOut := runCLI(t, map[string]string{"GITHUB_SHA": strings.Repeat("c", 40)}, "deploy", "--all", "--dry-run", "--root", "../testdata/conf/ok/two-pipelines")
	if code != exitOK || strings.Count(out, "dry-run") != 2 {
		t.Errorf("--all --dry-run: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
}

// A wait that never ends and a commit git cannot place are usage
// mistakes, in deploy and preview alike: a short SHA recorded in the tags
// would make every later deploy unable to tell which commit is newer.
func TestRun_deployAndPreviewRunFlags(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"deploy", "--dry-run", "--wait-timeout", "0s", example}, "--wait-timeout 0s: give a positive duration"},
		{[]string{"deploy", "--dry-run", "--wait-timeout", "-5m", example}, "give a positive duration"},
		{[]string{"deploy", "--dry-run", "--commit", "v1.2", example}, `--commit "v1.2": give the whole 40-character commit SHA`},
		{[]string{"deploy", "--dry-run", "--commit", "abc1234", example}, "give the whole 40-character commit SHA"},
		{[]string{"preview", "--dry-run", "--name", "alice", "--wait-timeout", "0s", example}, "give a positive duration"},
		{[]string{"preview", "--dry-run", "--name", "alice", "--commit", strings.Repeat("A", 40), example}, "give the whole 40-character commit SHA"},
	} {
		code, _, errOut := runCLI(t, nil, tt.args...)
		if code != exitUsage || !strings.Contains(errOut, tt.want) {
			t.Errorf("%q: exit %d, stderr:\n%s", tt.args, code, errOut)
		}
	}
}

// TestRun_deployAllowedAccounts: --allowed-account-ids refuses credentials
// for any other account before anything is staged or created, as the
// action's input does, and a malformed ID is a usage error.
func TestRun_deployAllowedAccounts(t *testing.T) {
	sm, env := cliAWS(t)
	sts := fakeaws.NewSTS(t)
	sts.AddUser("AKIACLITEST", "ml-engineer")
	env["AWS_ENDPOINT_URL_STS"] = sts.URL
	env["GITHUB_REPOSITORY"] = "acme/ml-pipelines"

	code, out, errOut := runCLI(t, env, "deploy", "--allowed-account-ids", "111122223333,444455556666", example)
	want := "the AWS credentials are for account " + sts.Account + ", which allowed-account-ids (111122223333, 444455556666) does not include; nothing was deployed"
	if code != exitProblem || !strings.Contains(errOut, want) {
		t.Fatalf("other account: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	if n := sm.Calls("CreatePipeline") + sm.Calls("DescribePipeline"); n != 0 {
		t.Errorf("SageMaker was called %d times for a refused account", n)
	}

	code, out, errOut = runCLI(t, env, "deploy", "--allowed-account-ids", "111122223333", "--allowed-account-ids", sts.Account, example)
	if code != exitOK || !strings.Contains(out, "created, started") {
		t.Fatalf("allowed account: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}

	code, _, errOut = runCLI(t, env, "deploy", "--allowed-account-ids", "12345", example)
	if code != exitUsage || !strings.Contains(errOut, `"12345" is not an AWS account ID`) {
		t.Errorf("malformed ID: exit %d, stderr:\n%s", code, errOut)
	}
}
