package compiler

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

const testFramework = `conf:
  s3Bucket: test-bucket
  sagemakerNetworkSecurity:
    role: arn:aws:iam::123456789012:role/test
`

// testRepo is a small repository: a framework conf, a source tree, and the
// given files (a body "symlink:<target>" makes a symlink).
func testRepo(files map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{
		"framework/conf/conf.yaml":   {Data: []byte(testFramework)},
		"src/prep.py":                {Data: []byte("print('prep')\n")},
		"src/evaluate.py":            {Data: []byte("print('evaluate')\n")},
		"src/train/train.py":         {Data: []byte("print('train')\n")},
		"src/train/requirements.txt": {Data: []byte("numpy\n")},
		"src/serve/inference.py":     {Data: []byte("print('serve')\n")},
	}
	for name, body := range files {
		if target, ok := strings.CutPrefix(body, "symlink:"); ok {
			fsys[name] = &fstest.MapFile{Data: []byte(target), Mode: 0o777 | 1<<27 /* fs.ModeSymlink */}
			continue
		}
		fsys[name] = &fstest.MapFile{Data: []byte(body)}
	}
	return fsys
}

// FuzzCompile feeds arbitrary bytes to the YAML front end and everything
// after it, as the one model conf of a small repository. Any input must give
// diagnostics, never a panic or unbounded work. Seeds: the model confs of
// every case under testdata/conf/err, and the corpus in
// testdata/fuzz/FuzzCompile.
func FuzzCompile(f *testing.F) {
	for _, dir := range errCases(f) {
		if src, err := os.ReadFile(filepath.Join(dir, "m", "conf", "conf.yaml")); err == nil {
			f.Add(src)
		}
	}
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
