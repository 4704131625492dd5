package compiler

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	goldenfile "github.com/smpipe/smpipe-action/internal/golden"
)

// errCases are the repositories under testdata/conf/err/: inputs smpipe
// must answer with exactly the diagnostics in <case>.out beside each.
func errCases(t testing.TB) []string {
	t.Helper()
	dirs, err := filepath.Glob(filepath.Join("..", "testdata", "conf", "err", "*"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range dirs {
		if fi, err := os.Stat(d); err == nil && fi.IsDir() {
			out = append(out, d)
		}
	}
	if len(out) == 0 {
		t.Fatal("no cases under testdata/conf/err")
	}
	return out
}

// TestCompile_errorCases compiles every repository under testdata/conf/err/
// and compares its diagnostics, one per line as "file:line:col: severity:
// summary [code]" in output order, with <case>.out; an empty .out asserts a
// clean compile. An optional <case>.opts sets options, one per line:
// "env NAME=value" (the compile sees no other environment) and
// "promote CODE" (as --strict promotes unknown-key). Adding a case is adding
// a directory and its .out; -update writes the .out files (review them).
func TestCompile_errorCases(t *testing.T) {
	for _, dir := range errCases(t) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			opt := readOpts(t, dir+".opts")
			_, ds := mustCompile(t, openRepo(t, dir), opt)
			var got strings.Builder
			for _, d := range ds {
				fmt.Fprintf(&got, "%s [%s]\n", d, d.Code)
			}
			goldenfile.CheckFile(t, dir+".out", []byte(got.String()))
		})
	}
}

// readOpts reads a case's options; a missing file means the defaults.
func readOpts(t *testing.T, path string) Options {
	t.Helper()
	env := map[string]string{}
	opt := Options{Getenv: func(k string) (string, bool) { v, ok := env[k]; return v, ok }}
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return opt
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		verb, arg, _ := strings.Cut(line, " ")
		switch verb {
		case "env":
			k, v, _ := strings.Cut(arg, "=")
			env[k] = v
		case "promote":
			opt.Promote = append(opt.Promote, arg)
		default:
			t.Fatalf("%s: unknown option %q (env NAME=value, promote CODE)", path, line)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return opt
}

// TestCompile_fileTooLarge is the one bad input not kept as a case: a
// 10 MiB file has no place in the repository.
func TestCompile_fileTooLarge(t *testing.T) {
	conf := "conf:\n  models: {}\n# " + strings.Repeat("x", 10<<20) + "\n"
	_, ds := mustCompile(t, testRepo(map[string]string{"m/conf/conf.yaml": conf}), Options{Getenv: noEnv})
	want := "m/conf/conf.yaml:1:1: error: conf file is 10.0 MiB, larger than the 1.0 MiB smpipe reads"
	if len(ds) != 1 || ds[0].String() != want {
		t.Errorf("diagnostics = %v, want [%s]", ds, want)
	}
}
