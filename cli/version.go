package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// buildInfo is what `smpipe version` reports.
type buildInfo struct {
	Version   string
	Commit    string // empty when the build recorded none
	Modified  bool   // built from a checkout with uncommitted changes
	GoVersion string
	Platform  string // GOOS/GOARCH
}

// readBuildInfo is what this binary reports; xVersion is the link-time
// version (Process.Version).
func readBuildInfo(xVersion string) buildInfo {
	bi, _ := debug.ReadBuildInfo()
	return buildInfoFrom(bi, xVersion)
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
			fmt.Fprint(inv.stdout, readBuildInfo(inv.version))
			return exitOK
		},
	}
}
