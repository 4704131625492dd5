// Command smpipe compiles seed-style conf.yaml training pipelines into
// SageMaker pipeline definitions, reports them on pull requests and deploys
// them on merge. main only wires flags to the packages that do the work.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/smpipe/smpipe-action/action"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// Exit statuses.
const (
	exitOK      = 0
	exitProblem = 1 // diagnostics with errors, or a failed plan/deploy
	exitUsage   = 2
)

func main() {
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	ctx, received, stop := interruptible(context.Background(), sigs, os.Stderr, os.Exit)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.LookupEnv)
	stop()
	if sig := received(); sig != nil {
		code = signalStatus(sig) // interrupted, whatever was done meanwhile
	}
	os.Exit(code)
}

// env is how commands read the environment, so tests can pass their own.
type env func(string) (string, bool)

func (e env) get(k string) string {
	v, _ := e(k)
	return v
}

// run is the whole CLI as a testable function.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv env) int {
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "compile":
		return runCompile(ctx, rest, stdout, stderr, getenv, "summary")
	case "graph":
		return runCompile(ctx, rest, stdout, stderr, getenv, "mermaid")
	case "plan":
		return runPlan(ctx, rest, stdout, stderr, getenv)
	case "deploy":
		return runDeploy(ctx, rest, stdout, stderr, getenv)
	case "action":
		return action.Run(ctx, action.Env{Getenv: getenv.get, LookupEnv: getenv, Stdout: stdout, Version: version})
	case "version", "--version", "-version":
		fmt.Fprintf(stdout, "smpipe %s\n", version)
		return exitOK
	case "help", "-h", "--help", "-help":
		usage(stdout)
		return exitOK
	}
	fmt.Fprintf(stderr, "smpipe: unknown command %q\n\n", cmd)
	usage(stderr)
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprint(w, `smpipe compiles conf.yaml training pipelines into SageMaker pipeline definitions.

Usage:
  smpipe compile [flags] [PATH...]   check and compile pipelines (--format summary|json|mermaid, --out DIR)
  smpipe graph   [flags] [PATH...]   print each pipeline's DAG as a Mermaid flowchart
  smpipe plan    --base REV [--head REV] [--format markdown|json]
                                     the pull request report for base..head, to stdout
  smpipe deploy  [flags] [PATH...]   stage, create or update and start pipelines (--dry-run, --wait, --pipeline NAME)
  smpipe action                      run as the GitHub Action (reads INPUT_*, GITHUB_EVENT_*)
  smpipe version                     print the version

Run "smpipe <command> -h" for the flags of a command.
`)
}
