// Package cli is smpipe's command line: each command's flags, help and
// completion come from one table, and each command wires its flags to the
// packages that do the work. `smpipe action` is one of its commands.
package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/smpipe/smpipe-action/action"
)

// Exit statuses.
const (
	exitOK      = 0
	exitProblem = 1 // diagnostics with errors, or a failed plan/deploy
	exitUsage   = 2
)

// Process is what the command line runs in.
type Process struct {
	Args           []string // without the program name
	Stdout, Stderr io.Writer
	LookupEnv      func(string) (string, bool)
	// Version is the release version set at link time (-X main.version);
	// empty, the build information decides.
	Version string
	// Exit ends the process at once, on a second signal.
	Exit func(int)
}

// Main runs one command and returns the process's exit status. Commands
// that read git, call GitHub or AWS, or wait stop cleanly on the first
// SIGINT or SIGTERM and report what they had done; a second one exits.
func Main(p Process) int {
	ctx, received, stop := context.Background(), func() os.Signal { return nil }, func() {}
	if len(p.Args) > 0 && interruptibleCommands[p.Args[0]] {
		sigs := make(chan os.Signal, 2)
		signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
		defer signal.Stop(sigs)
		ctx, received, stop = interruptible(context.Background(), sigs, p.Stderr, p.Exit)
	}
	code := run(ctx, p.Args, p.Stdout, p.Stderr, p.LookupEnv, p.Version)
	stop()
	if sig := received(); sig != nil {
		code = signalStatus(sig) // interrupted, whatever was done meanwhile
	}
	return code
}

// interruptibleCommands are those a signal stops cleanly, reporting what
// they had done: they read git revisions, call GitHub and AWS, and wait.
// compile finishes in milliseconds and ends as any process does: watching
// for signals costs a thread at every start-up.
var interruptibleCommands = map[string]bool{"plan": true, "deploy": true, "action": true, "graph": true}

// env is how commands read the environment, so tests can pass their own.
type env func(string) (string, bool)

func (e env) get(k string) string {
	v, _ := e(k)
	return v
}

// invocation is what a command runs with.
type invocation struct {
	ctx            context.Context
	stdout, stderr io.Writer
	getenv         env
	version        string // the link-time version, see Process
}

// run is the whole CLI as a testable function.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv env, version string) int {
	if len(args) == 0 {
		writeOverview(stderr)
		return exitUsage
	}
	name := args[0]
	switch name {
	case "-h", "-help", "--help":
		name = "help"
	case "-version", "--version":
		name = "version"
	}
	c, ok := findCommand(name)
	if !ok {
		fmt.Fprintf(stderr, "smpipe: unknown command %q\n\n", name)
		writeOverview(stderr)
		return exitUsage
	}
	return c.run(invocation{ctx: ctx, stdout: stdout, stderr: stderr, getenv: getenv, version: version}, args[1:])
}

func actionCommand() command {
	return command{
		name:    "action",
		summary: "run as the GitHub Action (what the container image runs)",
		about: "Action is smpipe as the GitHub Action: it reads the action's inputs from INPUT_* variables and the " +
			"event from GITHUB_EVENT_PATH, plans on pull_request and deploys on a push to the default branch or " +
			"on workflow_dispatch, as action.yml describes. It is what the container image runs; on a laptop use " +
			"plan and deploy instead.",
		examples: []string{"GITHUB_EVENT_NAME=pull_request GITHUB_EVENT_PATH=event.json GITHUB_REPOSITORY=o/r INPUT_MODE=plan smpipe action"},
		env: []string{
			"INPUT_*              the action's inputs (see action.yml)",
			"GITHUB_*             the run's context: event, repository, SHA, API URL, output and summary files",
			"ACTIONS_ID_TOKEN_*   the OIDC token endpoint, for role-to-assume",
			"AWS_*                region, ambient credentials, endpoints",
			"SMP_*                values of SMP_* placeholders in conf files",
		},
		exits: []string{"0  done, or nothing to do for this event", "1  bad inputs or event, a touched pipeline with errors, or a failed deploy"},
		run: func(inv invocation, args []string) int {
			if _, code, ok := parseFlags("action", nil, args, inv.stdout, inv.stderr); !ok {
				return code
			}
			return action.Run(inv.ctx, action.Env{Getenv: inv.getenv.get, LookupEnv: inv.getenv, Stdout: inv.stdout, Version: readBuildInfo(inv.version).Version})
		},
	}
}
