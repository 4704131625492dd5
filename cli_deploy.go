package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/smpipe/smpipe-action/action"
	"github.com/smpipe/smpipe-action/compiler"
	"github.com/smpipe/smpipe-action/deploy"
	"github.com/smpipe/smpipe-action/gitrev"
	"github.com/smpipe/smpipe-action/internal/workspace"
)

// stringList is a repeatable flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

func runDeploy(ctx context.Context, args []string, stdout, stderr io.Writer, getenv env) int {
	fs := flag.NewFlagSet("smpipe deploy", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cf compileFlags
	cf.register(fs)
	var pipelines stringList
	fs.Var(&pipelines, "pipeline", "deploy only the pipeline with this name (repeatable; default: all, or those under PATH)")
	all := fs.Bool("all", false, "reconcile every pipeline of the repository with SageMaker: create missing ones, update outdated ones, "+
		"replace drifted ones, leave alone those a newer commit deployed (no PATH or --pipeline)")
	dryRun := fs.Bool("dry-run", false, "print every AWS call and S3 key, and touch nothing")
	wait := fs.Bool("wait", false, "wait for each execution to finish and report its steps")
	waitTimeout := fs.Duration("wait-timeout", time.Hour, "give up waiting after this long")
	noStart := fs.Bool("no-start", false, "create or update the pipelines without starting them")
	role := fs.String("role-to-assume", "", "assume this IAM role with the GitHub Actions OIDC token (default: the SDK's credential chain)")
	commit := fs.String("commit", "", "commit the deploy is of, for tags and the idempotency token (default: GITHUB_SHA, else HEAD)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if *all && (fs.NArg() > 0 || len(pipelines) > 0) {
		fmt.Fprintln(stderr, "smpipe deploy: --all deploys every pipeline of the repository; name the repository with --root, not with PATH or --pipeline")
		return exitUsage
	}
	root, opt, err := cf.options(fs.Args(), getenv)
	if err != nil {
		fmt.Fprintf(stderr, "smpipe deploy: %v\n", err)
		return exitUsage
	}
	rootFS, err := workspace.Open(root)
	if err != nil {
		fmt.Fprintf(stderr, "smpipe deploy: %v\n", err)
		return exitProblem
	}
	defer rootFS.Close()
	artifacts, err := os.MkdirTemp("", "smpipe-artifacts-")
	if err != nil {
		fmt.Fprintf(stderr, "smpipe deploy: creating a directory for built artifacts: %v\n", err)
		return exitProblem
	}
	defer os.RemoveAll(artifacts)
	opt.ArtifactDir = artifacts
	repo, err := compiler.Load(ctx, rootFS, opt)
	if err != nil {
		fmt.Fprintf(stderr, "smpipe deploy: %v\n", err)
		return exitProblem
	}
	anchors := repo.Select(opt.Paths)
	if len(pipelines) > 0 {
		var names []string
		anchors = nil
		for _, a := range repo.Anchors() {
			names = append(names, a.Name)
			if slices.Contains(pipelines, a.Name) {
				anchors = append(anchors, a.File)
			}
		}
		for _, p := range pipelines {
			if !slices.Contains(names, p) {
				fmt.Fprintf(stderr, "smpipe deploy: no pipeline named %q (pipelines: %s)\n", p, strings.Join(names, ", "))
				return exitUsage
			}
		}
	}
	res, ds, err := repo.Build(ctx, anchors)
	if err != nil {
		fmt.Fprintf(stderr, "smpipe deploy: %v\n", err)
		return exitProblem
	}
	compiler.PrintDiagnostics(stderr, ds, res.Sources, isTerminal(stderr))
	var failed []string
	var ready []*compiler.Plan
	for _, p := range res.Plans {
		if err := action.Deployable(p); err != nil {
			fmt.Fprintf(stderr, "smpipe deploy: %v\n", err)
			failed = append(failed, p.Anchor)
			continue
		}
		ready = append(ready, p)
	}
	targets := action.Targets(ready)
	if len(targets) == 0 {
		fmt.Fprintln(stderr, "smpipe deploy: nothing to deploy")
		return exitProblem
	}

	git, err := gitrev.Open(root)
	if err != nil {
		git = nil // not a git checkout: the commit order cannot be checked
	} else {
		defer git.Close()
	}
	sha := deployCommit(*commit, getenv, git)
	d := &deploy.Deployer{Root: rootFS, Log: stderr}
	dopts := deploy.Options{CommitSHA: sha, Repository: getenv.get("GITHUB_REPOSITORY"), Version: version,
		Start: !*noStart, Wait: *wait, WaitTimeout: *waitTimeout, DryRun: *dryRun, KMSKeyID: cf.kms,
		IsAncestor: isAncestor(git, getenv.get("GITHUB_TOKEN"))}
	region := opt.Region
	if !*dryRun {
		cfg, err := deploy.LoadAWSConfig(ctx, deploy.CredentialOptions{Region: opt.Region, RoleToAssume: *role, Getenv: getenv.get})
		if err != nil {
			fmt.Fprintf(stderr, "smpipe deploy: %v\n", err)
			return exitProblem
		}
		region = cfg.Region
		d.SageMaker, d.S3 = deploy.NewClients(cfg, getenv.get)
		dopts.AccountID = deploy.AccountID(ctx, cfg)
	}
	results := d.Deploy(ctx, targets, dopts)
	for _, r := range results {
		line := fmt.Sprintf("%-40s %s", r.Pipeline, r.Summary())
		if r.ExecutionARN != "" {
			line += " " + r.ExecutionARN
		}
		fmt.Fprintln(stdout, line)
		if d := r.Drift; d != nil {
			fmt.Fprintf(stdout, "%-40s drift: live definition %s, smpipe deployed %s\n", "", d.LiveHash, d.TaggedHash)
		}
		if r.Err != nil {
			fmt.Fprintf(stdout, "%-40s error: %s\n", "", strings.ReplaceAll(r.Err.Error(), "\n", "; "))
		}
	}
	if u := deploy.ConsoleURL(region, ""); u != "" && !*dryRun {
		fmt.Fprintf(stdout, "console: %s\n", u)
	}
	if ctx.Err() != nil {
		fmt.Fprintln(stderr, "smpipe deploy: interrupted: the lines above say what each pipeline reached, the log what was done")
	}
	if len(failed) > 0 || ds.HasErrors() || deploy.Failed(results) {
		if len(failed) > 0 {
			fmt.Fprintf(stderr, "not deployed: %s\n", strings.Join(failed, ", "))
		}
		return exitProblem
	}
	return exitOK
}

// deployCommit is the commit deployed: --commit, else GITHUB_SHA, else the
// checkout's HEAD, else "local".
func deployCommit(flag string, getenv env, repo *gitrev.Repo) string {
	if flag != "" {
		return flag
	}
	if sha := getenv.get("GITHUB_SHA"); sha != "" {
		return sha
	}
	if repo != nil {
		if sha, err := repo.Resolve("HEAD"); err == nil {
			return sha
		}
	}
	return "local"
}

// isAncestor answers the deploy's commit-order question from the checkout,
// fetching with token what a shallow clone lacks. Outside a git checkout
// every answer is an error, so a pipeline deployed from a known commit is
// never moved by a deploy whose history is unknown.
func isAncestor(repo *gitrev.Repo, token string) func(ctx context.Context, ancestor, commit string) (bool, error) {
	return func(ctx context.Context, ancestor, commit string) (bool, error) {
		if repo == nil {
			return false, errors.New("not deploying from a git checkout, so the history is unknown")
		}
		return repo.IsAncestor(ctx, ancestor, commit, gitrev.FetchOptions{Token: token})
	}
}
