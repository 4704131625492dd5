package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/smpipe/smpipe-action/internal/fakeaws"
	"github.com/smpipe/smpipe-action/internal/testrepo"
)

const cliPreviewRole = "arn:aws:iam::123456789012:role/smpipe-preview"

// smpipe preview --pr deploys what the working tree changes since --base
// as that pull request's preview, with the preview role and prefix, and
// starts it; every run starts again; --delete deletes it and nothing else.
func TestRun_preview(t *testing.T) {
	sm, env := cliAWS(t)
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(example)); err != nil {
		t.Fatal(err)
	}
	base := testrepo.Commit(t, dir, "one")
	conf := filepath.Join(dir, "housing", "conf", "conf.yaml")
	b, err := os.ReadFile(conf)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(conf, []byte(strings.Replace(string(b), "epochs: 60", "epochs: 75", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	prod := fakeaws.Pipeline{Name: "house-price-tf", Definition: `{"Version":"2020-12-01","Steps":[]}`, RoleArn: "arn:aws:iam::123456789012:role/prod",
		Tags: map[string]string{"smpipe:repository": "acme/ml-pipelines"}}
	sm.Seed(prod)

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"preview", "--root", dir, "--base", base, "--role", cliPreviewRole}, "name the preview with either --pr N"},
		{[]string{"preview", "--root", dir, "--pr", "7", "--name", "x", "--role", cliPreviewRole}, "name the preview with either --pr N"},
		{[]string{"preview", "--root", dir, "--name", "pr7", "--role", cliPreviewRole}, "use --pr 7"},
		{[]string{"preview", "--root", dir, "--pr", "7", "--base", base, "--repository", "acme/ml-pipelines"}, "pass --role ARN"},
		{[]string{"preview", "--root", dir, "--pr", "7", "--role", cliPreviewRole, "--repository", "acme/ml-pipelines"}, "--pipeline, or a base revision with --base"},
		{[]string{"preview", "--root", dir, "--pr", "7", "--prefix", "/abs", "--role", cliPreviewRole}, "--prefix"},
	} {
		code, out, errOut := runCLI(t, env, tc.args...)
		if code != exitUsage || !strings.Contains(errOut, tc.want) {
			t.Errorf("%q: exit %d, want usage saying %q\nstdout:\n%s\nstderr:\n%s", tc.args, code, tc.want, out, errOut)
		}
	}
	if n := sm.TotalCalls(); n != 0 {
		t.Fatalf("%d AWS calls for usage mistakes", n)
	}

	args := []string{"preview", "--root", dir, "--pr", "7", "--base", base, "--role", cliPreviewRole, "--repository", "acme/ml-pipelines"}
	code, out, errOut := runCLI(t, env, args...)
	if code != exitOK || !strings.Contains(out, "house-price-tf-pr7") || !strings.Contains(out, "created, started") {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	p, _ := sm.Pipeline("house-price-tf-pr7")
	if p.RoleArn != cliPreviewRole || p.Tags["smpipe:preview"] != "pr7" || p.Tags["smpipe:pull-request"] != "7" ||
		!strings.Contains(p.Definition, "s3://smpipe-examples/smpipe-preview/house-price-tf-pr7/") || !strings.Contains(p.Definition, `"epochs":"75"`) {
		t.Errorf("preview = role %s, tags %v, definition %s", p.RoleArn, p.Tags, p.Definition)
	}
	if code, out, errOut = runCLI(t, env, args...); code != exitOK || len(sm.Executions("house-price-tf-pr7")) != 2 {
		t.Errorf("a second run: exit %d, %d executions, want a new one\nstdout:\n%s\nstderr:\n%s", code, len(sm.Executions("house-price-tf-pr7")), out, errOut)
	}

	code, out, errOut = runCLI(t, env, "preview", "--root", dir, "--pr", "7", "--delete", "--repository", "acme/ml-pipelines")
	if code != exitOK || !strings.Contains(out, "house-price-tf-pr7") || !strings.Contains(out, "deleted") {
		t.Fatalf("delete: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	if _, ok := sm.Pipeline("house-price-tf-pr7"); ok {
		t.Error("the preview is still there")
	}
	if after, ok := sm.Pipeline("house-price-tf"); !ok || after.Definition != prod.Definition || len(sm.Executions("house-price-tf")) > 0 {
		t.Errorf("the production pipeline was touched: %+v", after)
	}
}
