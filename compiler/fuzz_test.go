package compiler

import (
	"testing"
)

// FuzzCompile feeds arbitrary bytes to the YAML front end and everything
// after it, as the one model conf of a small repository. Any input must give
// diagnostics, never a panic or unbounded work. The seed corpus lives in
// testdata/fuzz/FuzzCompile.
func FuzzCompile(f *testing.F) {
	f.Add([]byte(model + pipeline(fullChain, "prep >> train")))
	f.Add([]byte(aliasBomb()))
	f.Fuzz(func(t *testing.T, conf []byte) {
		fsys := testRepo(map[string]string{"m/conf/conf.yaml": string(conf)})
		res, ds := mustCompile(t, fsys, Options{Getenv: noEnv})
		for _, p := range res.Plans {
			if !p.Failed && ds.HasErrors() && len(p.Definition) == 0 {
				t.Fatalf("pipeline %q neither failed nor emitted", p.Name)
			}
		}
	})
}
