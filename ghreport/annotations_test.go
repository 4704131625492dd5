package ghreport

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/smpipe/smpipe-action/compiler/diag"
)

func TestAnnotations(t *testing.T) {
	t.Parallel()
	ds := diag.Diagnostics{
		{Severity: diag.Error, Pos: diag.Pos{File: "p/conf/conf.yaml", Line: 12, Col: 5}, Code: "unknown-key", Summary: `unknown key "x"`},
		{Severity: diag.Warning, Pos: diag.Pos{File: "p/conf/conf.yaml", Line: 3}, Code: "placeholder", Summary: "placeholder SMP_X is not set", Detail: "Set it in the framework conf.\nOr pass --s3-bucket."},
		{Severity: diag.Error, Pos: diag.Pos{File: "a,b:c%.yaml", Line: 1, Col: 1}, Code: "type", Summary: "50% done\r\n::error::injected"},
		{Severity: diag.Error, Code: "duplicate-pipeline", Summary: "no position"},
		{Severity: diag.Error, Pos: diag.Pos{File: "z.yaml", Line: 1}, Code: "unknown-key", Summary: "second"},
		{Severity: diag.Error, Pos: diag.Pos{File: "z.yaml", Line: 2}, Code: "unknown-key", Summary: "third"},
		{Severity: diag.Error, Pos: diag.Pos{File: "z.yaml", Line: 3}, Code: "unknown-key", Summary: "fourth"},
	}
	var b strings.Builder
	if err := Annotations(&b, ds, 2); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"::error title=smpipe duplicate-pipeline::no position",
		"::error file=a%2Cb%3Ac%25.yaml,line=1,col=1,title=smpipe type::50%25 done%0D%0A::error::injected",
		"::warning file=p/conf/conf.yaml,line=3,title=smpipe placeholder::placeholder SMP_X is not set%0A%0ASet it in the framework conf.%0AOr pass --s3-bucket.",
		"::error file=p/conf/conf.yaml,line=12,col=5,title=smpipe unknown-key::unknown key \"x\"",
		"::error file=z.yaml,line=1,title=smpipe unknown-key::second",
		"::notice title=smpipe::2 more findings not annotated (unknown-key: 2); see the job summary",
		"",
	}
	if diff := cmp.Diff(want, strings.Split(b.String(), "\n")); diff != "" {
		t.Errorf("annotations (-want +got):\n%s", diff)
	}
	for _, line := range strings.Split(b.String(), "\n") {
		if strings.Count(line, "::") != 2 && line != "" && !strings.Contains(line, "%0A::error") {
			t.Errorf("line holds a second command: %q", line)
		}
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("closed") }

func TestAnnotations_writeError(t *testing.T) {
	t.Parallel()
	err := Annotations(failWriter{}, diag.Diagnostics{{Summary: "x"}}, 0)
	if err == nil || !strings.Contains(err.Error(), "writing annotations") {
		t.Errorf("err = %v", err)
	}
}
