package action_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDeploy_dispatchRefusesEscapingDataFile: a workflow_dispatch deploy
// compiles the commit's git objects, where a data file reached through a
// committed link to / (the runner's /proc/self/environ, with the token in
// it) is an error on its conf line, and nothing reaches AWS. Through
// os.DirFS it was uploaded to S3.
func TestDeploy_dispatchRefusesEscapingDataFile(t *testing.T) {
	w, _ := newWorld(t)
	w.Git.Edit(conf, "            s3Bucket: smpipe-examples\n            s3InputPrefix: housing/raw\n", "")
	w.Git.Edit(conf, "fileName: ames-sales.csv", "fileName: ../../escape/proc/self/environ")
	line := w.Git.LineOf(conf, "fileName: ../../escape")
	if err := os.Symlink("/", filepath.Join(w.Git.Dir, "escape")); err != nil {
		t.Fatal(err)
	}
	sha := w.Git.Commit("Read the sales from a local file")
	env := w.DispatchEvent("refs/heads/main", sha, map[string]string{"pipelines": pipeline})
	before := w.Calls()

	r := w.Run(env)

	r.WantCode(t, exitFailed)
	want := `fileName "../../escape/proc/self/environ" leads outside the repository through a symbolic link; smpipe reads only files inside the repository`
	at := fmt.Sprintf("::error file=%s,line=%d,col=27,", conf, line)
	if lines := r.ErrorLines(want); len(lines) != 1 || !strings.HasPrefix(lines[0], at) {
		t.Errorf("want one annotation at %s:%d:27 saying %q:\n%s", conf, line, want, r.Stdout)
	}
	wantNoCalls(t, w, before)
	if keys := w.S3.Keys("smpipe-examples"); len(keys) != 0 {
		t.Errorf("staged %v", keys)
	}
}
