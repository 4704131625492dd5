package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runCLI(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	getenv := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	code = run(context.Background(), args, &out, &errb, getenv, "")
	return code, out.String(), errb.String()
}

const example = "../testdata/conf/ok/housing-tf"

func TestRun_compileSummary(t *testing.T) {
	code, out, errOut := runCLI(t, nil, "compile", example)
	if code != exitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, errOut)
	}
	for _, want := range []string{"pipeline house-price-tf", "anchor  housing/conf/conf.yaml", "hash    sha256:", "house-Train", "Training", "ml.m5.xlarge"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
}

func TestRun_compileOut(t *testing.T) {
	dir := t.TempDir()
	code, _, errOut := runCLI(t, nil, "compile", "--out", dir, "--format", "json", example)
	if code != exitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, errOut)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "house-price-tf.json"))
	if err != nil {
		t.Fatal(err)
	}
	var def struct {
		Version string
		Steps   []struct{ Name, Type string }
	}
	if err := json.Unmarshal(raw, &def); err != nil {
		t.Fatalf("--out wrote invalid JSON: %v", err)
	}
	if def.Version != "2020-12-01" || len(def.Steps) != 6 {
		t.Errorf("unexpected definition: version %q, %d steps", def.Version, len(def.Steps))
	}
	if !bytes.HasPrefix(raw, []byte("{\n  \"Version\"")) {
		t.Errorf("--out must write two-space indented JSON, got %.40q", raw)
	}
}

func TestRun_compileJSON(t *testing.T) {
	code, out, _ := runCLI(t, nil, "compile", "--format", "json", example)
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	var rep struct {
		Pipelines []struct {
			Name, Hash string
			Artifacts  []struct{ URI string }
		}
		Diagnostics []any
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("invalid JSON report: %v", err)
	}
	if len(rep.Pipelines) != 1 || !strings.HasPrefix(rep.Pipelines[0].Hash, "sha256:") || len(rep.Pipelines[0].Artifacts) == 0 {
		t.Errorf("unexpected report: %+v", rep)
	}
}

func TestRun_graph(t *testing.T) {
	code, out, _ := runCLI(t, nil, "graph", example)
	if code != exitOK || !strings.Contains(out, "flowchart") {
		t.Fatalf("exit %d, output:\n%s", code, out)
	}
}

func TestRun_diagnosticsExitOne(t *testing.T) {
	dir := t.TempDir()
	conf := "conf:\n  models:\n    m:\n      source_directory: src\n  sagemakerPipeline:\n    pipelineName: p\n    models:\n      m:\n        steps:\n          - step_name: a\n            step_class: Trainer\n"
	if err := os.MkdirAll(filepath.Join(dir, "m", "conf"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "m", "conf", "conf.yaml"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runCLI(t, nil, "compile", "--root", dir, "--bucket", "b", "--role", "arn:aws:iam::1:role/r")
	if code != exitProblem {
		t.Fatalf("exit %d, want %d", code, exitProblem)
	}
	want := `m/conf/conf.yaml:11:25: error: unknown step_class "Trainer"; did you mean "Training"?`
	if !strings.Contains(errOut, want) {
		t.Errorf("stderr lacks %q:\n%s", want, errOut)
	}
}

func TestRun_placeholdersFromEnv(t *testing.T) {
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(example)); err != nil {
		t.Fatal(err)
	}
	fw := "conf:\n  s3Bucket: SMP_S3BUCKETNAME\n  sagemakerNetworkSecurity:\n    role: SMP_ROLE\n"
	if err := os.WriteFile(filepath.Join(dir, "framework", "conf", "conf.yaml"), []byte(fw), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"SMP_S3BUCKETNAME": "env-bucket", "SMP_ROLE": "arn:aws:iam::123456789012:role/from-env"}
	code, out, errOut := runCLI(t, env, "compile", "--format", "json", dir)
	if code != exitOK {
		t.Fatalf("exit %d:\n%s", code, errOut)
	}
	if !strings.Contains(out, "s3://env-bucket/house-price-tf/code/") || !strings.Contains(out, "role/from-env") {
		t.Errorf("placeholders were not substituted from the environment")
	}
}

func TestRun_deployDryRun(t *testing.T) {
	code, out, errOut := runCLI(t, map[string]string{"GITHUB_SHA": strings.Repeat("c", 40)}, "deploy", "--dry-run", example)
	if code != exitOK {
		t.Fatalf("exit %d:\n%s", code, errOut)
	}
	if !strings.Contains(out, "house-price-tf") || !strings.Contains(out, "dry-run") {
		t.Errorf("stdout:\n%s", out)
	}
	for _, want := range []string{"s3 HeadObject \"s3://smpipe-examples/house-price-tf/code/", "sagemaker DescribePipeline", "StartPipelineExecution"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("dry-run log lacks %q:\n%s", want, errOut)
		}
	}
	if code, _, errOut := runCLI(t, nil, "deploy", "--dry-run", "--pipeline", "no-such", example); code != exitUsage || !strings.Contains(errOut, `no pipeline named "no-such" (pipelines: house-price-tf)`) {
		t.Errorf("unknown --pipeline: exit %d, %s", code, errOut)
	}
}

func TestRun_deployRefusesUnresolvedPlaceholders(t *testing.T) {
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(example)); err != nil {
		t.Fatal(err)
	}
	fw := "conf:\n  s3Bucket: SMP_S3BUCKETNAME\n  sagemakerNetworkSecurity:\n    role: arn:aws:iam::123456789012:role/r\n"
	if err := os.WriteFile(filepath.Join(dir, "framework", "conf", "conf.yaml"), []byte(fw), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runCLI(t, nil, "deploy", "--dry-run", dir)
	want := `pipeline "house-price-tf": placeholder SMP_S3BUCKETNAME is not set in the deploy's environment`
	if code != exitProblem || !strings.Contains(errOut, want) {
		t.Errorf("exit %d:\n%s", code, errOut)
	}
}

// TestREADME_summaryExample keeps the README's example output true: it must
// be exactly what the README's first command prints.
func TestREADME_summaryExample(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	start := strings.Index(string(readme), "```\npipeline house-price-tf\n")
	if start < 0 {
		t.Fatal("README has no example summary of house-price-tf")
	}
	block := string(readme[start+4:])
	block = block[:strings.Index(block, "```")]
	code, out, _ := runCLI(t, nil, "compile", example)
	if code != exitOK || out != block {
		t.Errorf("README example differs from `smpipe compile %s` (exit %d):\n--- README\n%s--- output\n%s", example, code, block, out)
	}
}

// The region was decided in four places: `smpipe deploy` without --region
// compiled for us-east-1 and deployed to the profile's region. Every command
// now resolves it once, the AWS profile included.
func TestRun_regionFromTheProfile(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config")
	if err := os.WriteFile(cfg, []byte("[profile ml]\nregion = eu-west-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "defs")
	env := map[string]string{"AWS_CONFIG_FILE": cfg, "AWS_PROFILE": "ml", "HOME": dir}
	if code, _, errOut := runCLI(t, env, "compile", "--out", out, example); code != exitOK {
		t.Fatalf("exit %d:\n%s", code, errOut)
	}
	def, err := os.ReadFile(filepath.Join(out, "house-price-tf.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(def), `"sagemaker_region": "\"eu-west-1\""`) {
		t.Errorf("the definition is not compiled for the profile's region eu-west-1:\n%s", def)
	}
	env["AWS_REGION"] = "ap-south-1"
	if code, _, _ := runCLI(t, env, "compile", "--out", out, example); code != exitOK {
		t.Fatal("compile failed")
	}
	if def, _ := os.ReadFile(filepath.Join(out, "house-price-tf.json")); !strings.Contains(string(def), `"sagemaker_region": "\"ap-south-1\""`) {
		t.Error("AWS_REGION does not win over the profile")
	}
}

// TestREADME_reportExample keeps the README's example comment equal to the
// report the plan tests render (plan/testdata/report/instance-type.md).
func TestREADME_reportExample(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("../plan/testdata/report/instance-type.md")
	if err != nil {
		t.Fatal(err)
	}
	_, block, ok := strings.Cut(string(readme), "````markdown\n")
	if block, _, _ = strings.Cut(block, "\n````\n"); !ok || block+"\n" != string(want) {
		t.Errorf("README example comment differs from plan/testdata/report/instance-type.md; copy it over:\n%s", want)
	}
}

// TestRun_compileErrorCases: for every bad-input case without options,
// `smpipe compile <case>` prints on stderr the lines of <case>.out (less
// their [code]) and exits 1 when one is an error.
func TestRun_compileErrorCases(t *testing.T) {
	outs, err := filepath.Glob("../testdata/conf/err/*.out")
	if err != nil || len(outs) == 0 {
		t.Fatalf("no cases: %v", err)
	}
	for _, out := range outs {
		dir := strings.TrimSuffix(out, ".out")
		if _, err := os.Stat(dir + ".opts"); err == nil {
			continue // options the CLI sets differently (environment, promotion)
		}
		t.Run(filepath.Base(dir), func(t *testing.T) {
			raw, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			wantCode := exitOK
			for line := range strings.Lines(string(raw)) {
				line = strings.TrimSuffix(line, "\n")
				if i := strings.LastIndex(line, " ["); i >= 0 {
					line = line[:i]
				}
				if strings.Contains(line, ": error: ") || strings.HasPrefix(line, "error: ") {
					wantCode = exitProblem
				}
				want = append(want, line)
			}
			code, _, stderr := runCLI(t, nil, "compile", dir)
			var got []string
			for line := range strings.Lines(stderr) {
				if line = strings.TrimSuffix(line, "\n"); !strings.HasSuffix(line, "warning(s)") {
					got = append(got, line)
				}
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") || code != wantCode {
				t.Errorf("exit %d (want %d), stderr:\n%s\nwant:\n%s", code, wantCode, strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}
