package main

import (
	"fmt"
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

// TestE2E_dispatchRefusesEscapingDataFile: a workflow_dispatch deploy
// compiles the checkout through the same file system, and refuses the link
// that once uploaded the runner's environment to S3.
func TestE2E_dispatchRefusesEscapingDataFile(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	w := newWorld(t)
	escapingDataFile(t, w.ws)
	sha := w.commit(t, "Read the sales from a local file")
	path := filepath.Join(w.tmp, "dispatch.json")
	body := fmt.Sprintf(`{"ref":"refs/heads/main","inputs":{"pipelines":"house-price-tf"},"repository":{"full_name":%q,"default_branch":"main"}}`, w.repo)
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	r := w.run(t, w.env(t, "workflow_dispatch", path, sha, "refs/heads/main", map[string]string{"INPUT_ROLE-TO-ASSUME": roleARN}))
	r.wantCode(t, exitProblem)
	if want := "::error file=housing/conf/conf.yaml,line=27,col=27"; !strings.Contains(r.stdout, want) || !strings.Contains(r.stdout, "leads outside the repository through a symbolic link") {
		t.Errorf("no annotation %s… for the escaping data file:\n%s", want, r.stdout)
	}
	if keys := w.s3.Keys("smpipe-examples"); len(keys) != 0 {
		t.Errorf("staged %v", keys)
	}
	if _, ok := w.sm.Pipeline("house-price-tf"); ok {
		t.Error("the pipeline was created")
	}
}
