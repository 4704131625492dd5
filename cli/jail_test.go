package cli

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// escapingDataFile turns the example's raw sales into a local data file
// reached through a link to / in a middle component of its path: the
// runner's /proc/self/environ, GitHub token included.
func escapingDataFile(t *testing.T, dir string) {
	t.Helper()
	conf := filepath.Join(dir, "housing", "conf", "conf.yaml")
	b, err := os.ReadFile(conf)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Replace(string(b), "            s3Bucket: smpipe-examples\n            s3InputPrefix: housing/raw\n", "", 1)
	s = strings.Replace(s, "fileName: ames-sales.csv", "fileName: ../../escape/proc/self/environ", 1)
	if s == string(b) {
		t.Fatal("the example changed: cannot plant the escaping data file")
	}
	if err := os.WriteFile(conf, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/", filepath.Join(dir, "escape")); err != nil {
		t.Fatal(err)
	}
}

const escapeDiag = `fileName "../../escape/proc/self/environ" leads outside the repository through a symbolic link; smpipe reads only files inside the repository`

// TestRun_deployRefusesEscapingDataFile: `smpipe deploy` reads the
// repository through the root-confined file system, so the link is refused
// at compile time and nothing is staged.
func TestRun_deployRefusesEscapingDataFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(example)); err != nil {
		t.Fatal(err)
	}
	escapingDataFile(t, dir)
	code, out, errOut := runCLI(t, nil, "deploy", "--dry-run", dir)
	if code != exitProblem || !strings.Contains(errOut, "housing/conf/conf.yaml:27:27: error: "+escapeDiag) {
		t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	if strings.Contains(errOut, "environ\" with checksum mode") {
		t.Errorf("the escaping file was planned for upload:\n%s", errOut)
	}
}

// TestRun_maxFileSize: the limit on data and bundled files is a flag; a
// file over it is an error at the conf line that named it, with what to do.
func TestRun_maxFileSize(t *testing.T) {
	code, _, errOut := runCLI(t, nil, "compile", "--max-file-size", "100B", example)
	want := `housing/conf/conf.yaml:15:25: error: bundling source_directory "housing/src": "housing/src/evaluate.py" is `
	if code != exitProblem || !strings.Contains(errOut, want) || !strings.Contains(errOut, "over the 100 bytes limit on files smpipe reads; move it out of source_directory (to S3) or raise the limit with --max-file-size") {
		t.Errorf("exit %d, stderr:\n%s", code, errOut)
	}
	if code, _, errOut := runCLI(t, nil, "compile", "--max-file-size", "lots", example); code != exitUsage || !strings.Contains(errOut, `--max-file-size: size "lots"`) {
		t.Errorf("a bad size: exit %d, stderr:\n%s", code, errOut)
	}
	env := map[string]string{"INPUT_MAX-FILE-SIZE": "1.5GiB", "GITHUB_EVENT_NAME": "push"}
	var out strings.Builder
	getenv := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	if code := run(context.Background(), []string{"action"}, &out, io.Discard, getenv, ""); code != exitProblem ||
		!strings.Contains(out.String(), `::error::input max-file-size: size "1.5GiB"`) {
		t.Errorf("a bad action input: exit %d, stdout:\n%s", code, out.String())
	}
}
