package compiler

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/smpipe/smpipe-action/compiler/diag"
	goldenfile "github.com/smpipe/smpipe-action/internal/golden"
)

// errCases are the repositories under testdata/conf/err/: inputs smpipe
// must answer with exactly the diagnostics in <case>.out beside each.
func errCases(t testing.TB) []string { return confRepos(t, "err") }

// seedCases are the repositories under testdata/conf/seed/: conf files
// written as the original framework's examples are, which compile with
// exactly the diagnostics in <case>.out beside each.
func seedCases(t testing.TB) []string { return confRepos(t, "seed") }

// TestCompile_errorCases compiles every repository under testdata/conf/err/
// and compares its diagnostics, one per line as "file:line:col: severity:
// summary [code]" in output order, with <case>.out; an empty .out asserts a
// clean compile. An optional <case>.opts sets options, one per line:
// "env NAME=value" (the compile sees no other environment) and
// "promote CODE" (as --strict promotes unknown-key), "allow-empty NAME"
// (as --allow-empty) and "preview SUFFIX PREFIX" (compiled as that preview).
// Adding a case is adding
// a directory and its .out; -update writes the .out files (review them).
func TestCompile_errorCases(t *testing.T) {
	for _, dir := range errCases(t) {
		t.Run(filepath.Base(dir), func(t *testing.T) { checkDiagnostics(t, dir) })
	}
}

// TestCompile_seedExamples compiles the repositories under
// testdata/conf/seed, written as the original framework's examples are,
// quirks included: they compile, with the warnings in <case>.out.
func TestCompile_seedExamples(t *testing.T) {
	for _, dir := range seedCases(t) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			res, _ := checkDiagnostics(t, dir)
			if len(res.Plans) == 0 {
				t.Fatal("no pipeline")
			}
			for _, p := range res.Plans {
				if p.Failed {
					t.Errorf("pipeline %s failed", p.Name)
				}
			}
		})
	}
}

// checkDiagnostics compiles the case at dir with the options of
// <dir>.opts and compares its diagnostics with <dir>.out.
func checkDiagnostics(t *testing.T, dir string) (*Result, diag.Diagnostics) {
	t.Helper()
	opt := readOpts(t, dir+".opts")
	res, ds := mustCompile(t, openRepo(t, dir), opt)
	var got strings.Builder
	for _, d := range ds {
		fmt.Fprintf(&got, "%s [%s]\n", d, d.Code)
	}
	goldenfile.CheckFile(t, dir+".out", []byte(got.String()))
	return res, ds
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
		case "allow-empty":
			opt.AllowEmpty = append(opt.AllowEmpty, arg)
		case "preview":
			suffix, prefix, _ := strings.Cut(arg, " ")
			opt.Preview = &Preview{Suffix: suffix, Prefix: prefix}
		default:
			t.Fatalf("%s: unknown option %q (env NAME=value, promote CODE, allow-empty NAME, preview SUFFIX PREFIX)", path, line)
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
