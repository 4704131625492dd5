package cli

import (
	"testing"

	"github.com/smpipe/smpipe-action/internal/golden"
)

// TestRun_schema: `smpipe schema` prints the file committed as
// schema/conf.schema.json, which editors are pointed at and each release
// carries; `go test ./cli -run TestRun_schema -update` rewrites it. What the
// schema says is tested in the compiler (TestConfSchema_*).
func TestRun_schema(t *testing.T) {
	code, out, errOut := runCLI(t, nil, "schema")
	if code != exitOK || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	golden.CheckFile(t, "../schema/conf.schema.json", []byte(out))
}
