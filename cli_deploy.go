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
	root, opt, err := cf.options(fs.Args(), getenv)
	if err != nil {
		fmt.Fprintf(stderr, "smpipe deploy: %v\n", err)
		return exitUsage
	}
	rootFS := os.DirFS(root)
	repo := compiler.Load(rootFS, opt)
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
	res, ds := repo.Build(anchors)
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

	sha := *commit
	if sha == "" {
		sha = getenv.get("GITHUB_SHA")
	}
	if sha == "" {
		if r, err := gitrev.Open(root); err == nil {
			sha, _ = r.Resolve("HEAD")
			r.Close()
		}
	}
	if sha == "" {
		sha = "local"
	}
	d := &deploy.Deployer{Root: rootFS, Log: stderr}
	dopts := deploy.Options{CommitSHA: sha, Repository: getenv.get("GITHUB_REPOSITORY"), Version: version,
		Start: !*noStart, Wait: *wait, WaitTimeout: *waitTimeout, DryRun: *dryRun, KMSKeyID: cf.kms}
	region := opt.Region
	if !*dryRun {
		cfg, err := deploy.LoadAWSConfig(ctx, deploy.CredentialOptions{Region: opt.Region, RoleToAssume: *role, Getenv: getenv.get})
		if err != nil {
			fmt.Fprintf(stderr, "smpipe deploy: %v\n", err)
			return exitProblem
		}
		region = cfg.Region
		d.SageMaker, d.S3 = action.Clients(cfg, getenv.get)
		dopts.AccountID = action.AccountID(ctx, cfg)
	}
	results := d.Deploy(ctx, targets, dopts)
	for _, r := range results {
		line := fmt.Sprintf("%-40s %-10s", r.Pipeline, r.Status)
		if r.ExecutionARN != "" {
			line += " " + r.ExecutionARN
		}
		if r.Err != nil {
			line += " " + r.Err.Error()
		}
		fmt.Fprintln(stdout, strings.TrimRight(line, " "))
	}
	if region != "" && !*dryRun {
		fmt.Fprintf(stdout, "console: %s\n", deploy.ConsoleURL(region, ""))
	}
	if len(failed) > 0 || ds.HasErrors() || deploy.Failed(results) {
		if len(failed) > 0 {
			fmt.Fprintf(stderr, "not deployed: %s\n", strings.Join(failed, ", "))
		}
		return exitProblem
	}
	return exitOK
}
