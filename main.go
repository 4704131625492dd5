// Command smpipe compiles seed-style conf.yaml training pipelines into
// SageMaker pipeline definitions, reports them on pull requests and deploys
// them on merge. The command line lives in package cli; main only hands it
// the process.
package main

import (
	"os"

	"github.com/smpipe/smpipe-action/cli"
)

// version is the release version, set by the release build and the
// Dockerfile with -ldflags "-X main.version=v1.2.3". When it is empty the
// main module's version from the build information is used: the tag after
// `go install …@v1.2.3`, a pseudo-version for a build in a git checkout.
var version string

func main() {
	os.Exit(cli.Main(cli.Process{Args: os.Args[1:], Stdout: os.Stdout, Stderr: os.Stderr, LookupEnv: os.LookupEnv,
		Version: version, Exit: os.Exit}))
}
