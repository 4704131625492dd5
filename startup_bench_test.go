package main

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// BenchmarkStartup measures whole processes as a user runs them: `smpipe
// compile` of one example pipeline against the start-up floor, a program
// that only links the AWS SDK clients smpipe must link
// (testdata/startup-floor), whose package initialisation dominates any such
// program. Both are built as the Dockerfile builds smpipe and run
// interleaved, so they see the same machine; it reports the median wall
// time of each and their ratio:
//
//	go test -run '^$' -bench Startup -benchtime 100x .
func BenchmarkStartup(b *testing.B) {
	dir := b.TempDir()
	floor, smpipe := filepath.Join(dir, "floor"), filepath.Join(dir, "smpipe")
	for bin, pkg := range map[string]string{floor: "./testdata/startup-floor", smpipe: "."} {
		cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", bin, pkg)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("building %s: %v\n%s", pkg, err, out)
		}
	}
	run := func(bin string, args ...string) time.Duration {
		cmd := exec.Command(bin, args...)
		cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
		start := time.Now()
		if err := cmd.Run(); err != nil {
			b.Fatalf("%s %v: %v", bin, args, err)
		}
		return time.Since(start)
	}
	var floors, compiles []time.Duration
	for i := 0; b.Loop(); i++ {
		if i%2 == 0 { // alternate the order, so neither always runs on a warmer cache
			floors = append(floors, run(floor))
			compiles = append(compiles, run(smpipe, "compile", "testdata/conf/ok/housing-tf"))
		} else {
			compiles = append(compiles, run(smpipe, "compile", "testdata/conf/ok/housing-tf"))
			floors = append(floors, run(floor))
		}
	}
	f, c := median(floors), median(compiles)
	b.ReportMetric(f.Seconds()*1000, "floor-ms")
	b.ReportMetric(c.Seconds()*1000, "compile-ms")
	b.ReportMetric(c.Seconds()/f.Seconds(), "x-floor")
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
