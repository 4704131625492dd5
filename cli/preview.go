package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/smpipe/smpipe-action/action"
	"github.com/smpipe/smpipe-action/compiler"
	"github.com/smpipe/smpipe-action/deploy"
	"github.com/smpipe/smpipe-action/gitrev"
	"github.com/smpipe/smpipe-action/plan"
	"github.com/smpipe/smpipe-action/preview"
)

// previewFlags are preview's flags.
type previewFlags struct {
	compileFlags
	pr                       int
	name, prefix, base       string
	pipelines                stringList
	remove, dryRun, wait     bool
	waitTimeout              time.Duration
	roleToAssume, repository string
	commit                   string
	allowedAccounts          accountList
}

func (f *previewFlags) register(fs *flag.FlagSet) {
	f.compileFlags.register(fs)
	fs.IntVar(&f.pr, "pr", 0, "preview for pull request `N`: pipelines named <pipeline>-prN, tagged with the pull request, as the action's preview job names them")
	fs.StringVar(&f.name, "name", "", "preview called `NAME` (letters, digits and hyphens): pipelines named <pipeline>-NAME, for an experiment of your own")
	fs.StringVar(&f.prefix, "prefix", preview.DefaultPrefix, "S3 key `PREFIX` in the bucket for the preview's code, data and default outputs")
	fs.StringVar(&f.base, "base", "", "preview the pipelines the change from revision `REV` to the working tree touches (such as origin/main)")
	fs.Var(&f.pipelines, "pipeline", "preview the pipeline `NAME` (repeatable)")
	fs.BoolVar(&f.remove, "delete", false, "delete the preview's pipelines (stopping what runs) instead of deploying")
	fs.BoolVar(&f.dryRun, "dry-run", false, "print every AWS call and S3 key, and touch nothing")
	fs.BoolVar(&f.wait, "wait", false, "wait for each execution to finish and report its steps")
	fs.DurationVar(&f.waitTimeout, "wait-timeout", time.Hour, "give up waiting after this `DURATION`")
	fs.StringVar(&f.roleToAssume, "role-to-assume", "", "assume this IAM role `ARN` with the GitHub Actions OIDC token (default: the AWS SDK's credential chain)")
	fs.Var(&f.allowedAccounts, "allowed-account-ids", "refuse to run unless the credentials are for one of these AWS `ACCOUNTS` (comma-separated, repeatable)")
	fs.StringVar(&f.commit, "commit", "", "the `SHA` recorded in the preview's tags (default: GITHUB_SHA, else HEAD)")
	fs.StringVar(&f.repository, "repository", "", "the GitHub repository `OWNER/NAME` the previews belong to, recorded in their tags "+
		"(default: GITHUB_REPOSITORY, else the origin remote's)")
}

func previewCommand() command {
	return command{
		name:    "preview",
		args:    "[PATH]",
		summary: "deploy and start pipelines as a preview, beside production, with a preview role and prefix",
		about: "Preview compiles the selected pipelines from the working tree as a preview (--pr N, as a pull request's " +
			"preview job does, or --name NAME) and deploys and starts them beside production: each pipeline as " +
			"<pipeline>-prN (cut with a hash to SageMaker's 256 characters), run with the role --role names (the preview " +
			"role, required), its code, data and default outputs under --prefix in the bucket, its models registered to " +
			"<group>-preview, and each model's preview: mapping merged over its sections. It only ever updates pipelines " +
			"tagged as this repository's preview of that name. Every run starts a new execution. Select pipelines with " +
			"--pipeline, or with --base REV those the change from REV to the working tree touches. --delete deletes the " +
			"preview's pipelines instead, stopping their running executions first; nothing else is touched. Credentials " +
			"are yours (the AWS SDK's chain) unless --role-to-assume names a role.",
		flags: new(previewFlags).register,
		examples: []string{
			"smpipe preview --pr 42 --base origin/main --role arn:aws:iam::123456789012:role/smpipe-preview",
			"smpipe preview --name alice-lr --pipeline house-price-tf --role arn:aws:iam::123456789012:role/smpipe-preview --wait",
			"smpipe preview --pr 42 --delete                   # what closing pull request 42 does",
		},
		env: append(compileEnv(),
			envAWSCredentials,
			envAWSEndpoints,
			"GITHUB_SHA, GITHUB_REPOSITORY         the commit and repository recorded in the preview's tags",
			envGitHubToken),
		exits: []string{"0  every selected pipeline previewed (or deleted)", "1  compile errors, nothing to preview, or an AWS call failed",
			"2  usage mistake, an unknown --pipeline, or no repository found"},
		run: func(inv invocation, args []string) int {
			return runPreview(inv.ctx, args, inv.stdout, inv.stderr, inv.getenv, inv.version)
		},
	}
}

func runPreview(ctx context.Context, args []string, stdout, stderr io.Writer, getenv env, xVersion string) int {
	var f previewFlags
	paths, code, ok := parseFlags("preview", f.register, args, stdout, stderr)
	if !ok {
		return code
	}
	usage := func(format string, args ...any) int {
		fmt.Fprintf(stderr, "smpipe preview: "+format+"\n", args...)
		return exitUsage
	}
	suffix := ""
	switch {
	case (f.pr > 0) == (f.name != ""):
		return usage("name the preview with either --pr N (a pull request's) or --name NAME (your own)")
	case f.pr < 0:
		return usage("--pr must be a pull request number")
	case f.pr > 0:
		suffix = preview.Suffix(f.pr)
	default:
		var err error
		if suffix, err = preview.NamedSuffix(f.name); err != nil {
			return usage("%v", err)
		}
	}
	if err := preview.CheckPrefix(f.prefix); err != nil {
		return usage("--prefix: %v", err)
	}
	if err := checkRunFlags(f.waitTimeout, f.commit); err != nil {
		return usage("%v", err)
	}
	root, opt, err := f.options(paths, getenv)
	if err != nil {
		return usage("%v", err)
	}
	git, err := gitrev.Open(root)
	if err != nil {
		git = nil // not a git checkout: the repository comes from the flag or the environment
	} else {
		defer git.Close()
	}
	repository := repositoryOf(f.repository, getenv, git)
	if repository == "" && !f.dryRun {
		return usage("%s", noRepository(serverHost(getenv)))
	}
	if f.remove {
		return deletePreview(ctx, f, suffix, repository, opt.Region, stdout, stderr, getenv)
	}
	if opt.Role == "" {
		return usage("a preview runs with its own execution role: pass --role ARN, a role that cannot reach production data")
	}
	if len(f.pipelines) == 0 && f.base == "" {
		return usage("name the pipelines with --pipeline, or a base revision with --base (such as origin/main) to preview those the change touches")
	}
	names := []string(f.pipelines)
	if len(names) == 0 {
		g := plan.GitOptions{Dir: root, Base: f.base, Worktree: true, Token: getenv.get("GITHUB_TOKEN"), TokenHost: serverHost(getenv), Compile: opt}
		res, _, _, err := plan.FromGit(ctx, g)
		if err != nil {
			fmt.Fprintf(stderr, "smpipe preview: %v\n", err)
			return exitProblem
		}
		for _, p := range res.Pipelines {
			if p.Head != nil {
				names = append(names, p.Name)
			}
		}
		if len(names) == 0 {
			fmt.Fprintf(stderr, "smpipe preview: the change from %s touches no pipeline: nothing to preview\n", f.base)
			return exitProblem
		}
	}

	opt.Preview = &compiler.Preview{Suffix: suffix, Prefix: f.prefix}
	wt, code := buildWorktree(ctx, "preview", root, opt, stderr, func(repo *compiler.Repository) ([]string, error) { return repo.SelectNames(names) })
	if code != exitOK {
		return code
	}
	defer wt.close()
	ready := wt.ready
	if len(ready) == 0 {
		fmt.Fprintln(stderr, "smpipe preview: nothing to preview")
		return exitProblem
	}

	d := &deploy.Deployer{Root: wt.root, Log: stderr}
	dopts := deploy.Options{CommitSHA: deployCommit(f.commit, getenv, git), Repository: repository, Version: readBuildInfo(xVersion).Version,
		Start: true, Wait: f.wait, WaitTimeout: f.waitTimeout, DryRun: f.dryRun, KMSKeyID: f.kms, Preview: suffix,
		// Every run of the command starts its own execution.
		StartKey: "cli-" + time.Now().UTC().Format(time.RFC3339Nano)}
	if f.pr > 0 {
		dopts.Tags = map[string]string{preview.TagPullRequest: strconv.Itoa(f.pr)}
	}
	if !f.dryRun {
		fmt.Fprintf(stderr, "smpipe preview: deploying the working tree as preview %q, as you, with execution role %s\n", suffix, opt.Role)
		cfg, account, err := awsAccess(ctx, opt.Region, f.roleToAssume, f.allowedAccounts, getenv)
		if err != nil {
			fmt.Fprintf(stderr, "smpipe preview: %v\n", err)
			return exitProblem
		}
		d.SageMaker, d.S3 = deploy.NewClients(cfg, getenv.get)
		dopts.AccountID = account
	}
	results := d.Deploy(ctx, action.Targets(ready), dopts)
	printResults(stdout, results, opt.Region, f.dryRun)
	if len(wt.failed) > 0 || wt.ds.HasErrors() || deploy.Failed(results) {
		return exitProblem
	}
	return exitOK
}

// deletePreview deletes the preview called suffix: this repository's
// pipelines tagged as that preview, their running executions stopped first.
func deletePreview(ctx context.Context, f previewFlags, suffix, repository, region string, stdout, stderr io.Writer, getenv env) int {
	if f.dryRun {
		fmt.Fprintln(stderr, "smpipe preview: --delete lists what to delete with AWS calls; it has no --dry-run")
		return exitUsage
	}
	cfg, _, err := awsAccess(ctx, region, f.roleToAssume, f.allowedAccounts, getenv)
	if err != nil {
		fmt.Fprintf(stderr, "smpipe preview: %v\n", err)
		return exitProblem
	}
	sm, _ := deploy.NewClients(cfg, getenv.get)
	candidate, is := preview.ForName(suffix), func(p preview.Pipeline) bool { return p.Named(suffix) }
	if f.pr > 0 {
		candidate, is = preview.ForPullRequest(f.pr), func(p preview.Pipeline) bool { return p.Of(f.pr) }
	}
	found, err := preview.List(ctx, sm, repository, candidate)
	if err != nil {
		fmt.Fprintf(stderr, "smpipe preview: %v\n", err)
		return exitProblem
	}
	d := &preview.Deleter{SageMaker: sm, Log: stderr}
	code, deleted := exitOK, 0
	for _, p := range found {
		if !is(p) {
			continue
		}
		deleted++
		if r := d.Delete(ctx, p); r.Err != nil {
			fmt.Fprintf(stdout, "%-40s not deleted: %v\n", p.Name, r.Err)
			code = exitProblem
			continue
		}
		fmt.Fprintf(stdout, "%-40s deleted\n", p.Name)
	}
	if deleted == 0 {
		fmt.Fprintf(stdout, "no pipeline of %s is tagged as its preview %q\n", repository, suffix)
	}
	return code
}
