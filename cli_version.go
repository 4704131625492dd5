package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// version is the release version, set by the release build and the
// Dockerfile with -ldflags "-X main.version=v1.2.3". When it is empty the
// main module's version from the build information is used: the tag after
// `go install …@v1.2.3`, a pseudo-version for a build in a git checkout.
var version string

// buildInfo is what `smpipe version` reports.
type buildInfo struct {
	Version   string
	Commit    string // empty when the build recorded none
	Modified  bool   // built from a checkout with uncommitted changes
	GoVersion string
	Platform  string // GOOS/GOARCH
}

func readBuildInfo() buildInfo {
	bi, _ := debug.ReadBuildInfo()
	return buildInfoFrom(bi, version)
}

// buildInfoFrom decides the reported version: the -X value, else the
// module version, else "dev".
func buildInfoFrom(bi *debug.BuildInfo, xVersion string) buildInfo {
	b := buildInfo{Version: xVersion, GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if bi != nil {
		if v := bi.Main.Version; b.Version == "" && v != "" && v != "(devel)" {
			b.Version = v
		}
		if bi.GoVersion != "" {
			b.GoVersion = bi.GoVersion
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				b.Commit = s.Value
			case "vcs.modified":
				b.Modified = s.Value == "true"
			}
		}
	}
	if b.Version == "" {
		b.Version = "dev"
	}
	return b
}

func (b buildInfo) String() string {
	commit := b.Commit
	switch {
	case commit == "":
		commit = "unknown"
	case b.Modified:
		commit += " (with uncommitted changes)"
	}
	return fmt.Sprintf("smpipe %s\ncommit %s\ngo     %s %s\n", b.Version, commit, b.GoVersion, b.Platform)
}

func versionCommand() command {
	return command{
		name:    "version",
		summary: "print the version, the commit it was built from and the Go version",
		about: "Version prints smpipe's version, the commit it was built from (with a note when the checkout had " +
			"uncommitted changes) and the Go version and platform it was built with, all read from the binary's " +
			"build information. Release binaries carry their tag; `go install` builds carry the module version.",
		examples: []string{"smpipe version", "smpipe --version"},
		exits:    exitsSimple(),
		run: func(inv invocation, args []string) int {
			if _, code, ok := parseFlags("version", nil, args, inv.stdout, inv.stderr); !ok {
				return code
			}
			fmt.Fprint(inv.stdout, readBuildInfo())
			return exitOK
		},
	}
}
