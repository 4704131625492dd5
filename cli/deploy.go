package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/smpipe/smpipe-action/action"
	"github.com/smpipe/smpipe-action/compiler"
	"github.com/smpipe/smpipe-action/compiler/diag"
	"github.com/smpipe/smpipe-action/deploy"
	"github.com/smpipe/smpipe-action/gitrev"
	"github.com/smpipe/smpipe-action/internal/workspace"
	"github.com/smpipe/smpipe-action/plan"
)

// repeatableFlag is a flag value that adds to itself each time the flag is
// given, which shell completion offers again.
type repeatableFlag interface {
	flag.Value
	repeatable()
}

// stringList is a repeatable flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }
func (*stringList) repeatable()          {}

// accountList is --allowed-account-ids: comma-separated, repeatable,
// checked as it is parsed.
type accountList []string

func (a *accountList) String() string { return strings.Join(*a, ",") }
func (*accountList) repeatable()      {}
func (a *accountList) Set(v string) error {
	ids, err := deploy.ParseAccountIDs(v)
	*a = append(*a, ids...)
	return err
}

// deployFlags are deploy's flags.
type deployFlags struct {
	compileFlags
	pipelines                  stringList
	all, dryRun, wait, noStart bool
	waitTimeout                time.Duration
	role, commit, repository   string
	allowedAccounts            accountList
	adopt                      stringList
}

func (f *deployFlags) register(fs *flag.FlagSet) {
	f.compileFlags.register(fs)
	fs.Var(&f.pipelines, "pipeline", "deploy only the pipeline with this `NAME` (repeatable; default: all, or those under PATH)")
	fs.BoolVar(&f.all, "all", false, "reconcile every pipeline of the repository with SageMaker: create missing ones, update outdated ones, "+
		"replace drifted ones, leave alone those a newer commit deployed (no PATH or --pipeline)")
	fs.BoolVar(&f.dryRun, "dry-run", false, "print every AWS call and S3 key, and touch nothing")
	fs.BoolVar(&f.wait, "wait", false, "wait for each execution to finish and report its steps")
	fs.DurationVar(&f.waitTimeout, "wait-timeout", time.Hour, "give up waiting after this `DURATION`")
	fs.BoolVar(&f.noStart, "no-start", false, "create or update the pipelines without starting them")
	fs.StringVar(&f.role, "role-to-assume", "", "assume this IAM role `ARN` with the GitHub Actions OIDC token (default: the AWS SDK's credential chain)")
	fs.Var(&f.allowedAccounts, "allowed-account-ids", "refuse to deploy unless the credentials are for one of these AWS `ACCOUNTS` "+
		"(comma-separated, repeatable; checked with sts:GetCallerIdentity before anything is read or written; not with --dry-run)")
	fs.StringVar(&f.commit, "commit", "", "the `SHA` being deployed, for tags and the idempotency token (default: GITHUB_SHA, else HEAD)")
	fs.StringVar(&f.repository, "repository", "", "the GitHub repository `OWNER/NAME` the pipelines belong to, recorded in their "+
		"smpipe:repository tag; smpipe updates only pipelines tagged with it (default: GITHUB_REPOSITORY, else the origin remote's)")
	fs.Var(&f.adopt, "adopt", "take over the existing pipeline `NAME` although smpipe did not create it for this repository "+
		"(made by hand or elsewhere; repeatable)")
}

func deployCommand() command {
	return command{
		name:    "deploy",
		args:    "[PATH...]",
		summary: "stage code to S3, create or update and start SageMaker pipelines",
		about: "Deploy compiles the selected pipelines (--pipeline NAME, else those whose anchor lies under PATH, " +
			"else all), refuses any with errors or unresolved SMP_* placeholders, then stages their code to S3 " +
			"(content-addressed, skipped when already there), creates or updates each SageMaker pipeline and " +
			"starts an execution. It never moves a pipeline back to an older commit than the one deployed, and never " +
			"replaces a pipeline it did not create for this repository unless --adopt names it. Unlike the action, it " +
			"does not ask whether a reviewed pull request brought each definition: a deploy from the command line is " +
			"the decision of the person running it. " +
			"--all reconciles every pipeline with SageMaker; --dry-run prints every AWS call and S3 key it would " +
			"make and touches nothing. Credentials come from the AWS SDK's default chain, or from GitHub's OIDC " +
			"token with --role-to-assume.",
		flags: new(deployFlags).register,
		examples: []string{
			"smpipe deploy --dry-run                           # what a deploy would call, without credentials",
			"smpipe deploy --pipeline card-fraud-detection --wait",
			"AWS_PROFILE=ml-dev smpipe deploy --all --no-start --allowed-account-ids 123456789012",
		},
		env: append(compileEnv(),
			envAWSCredentials,
			envAWSEndpoints,
			"ACTIONS_ID_TOKEN_REQUEST_URL, _TOKEN  GitHub's OIDC token, for --role-to-assume",
			"GITHUB_SHA, GITHUB_REPOSITORY         the commit and repository recorded in the pipeline tags",
			"GITHUB_SERVER_URL                     the GitHub host of the repository and of GITHUB_TOKEN (default github.com)",
			envGitHubToken),
		exits: []string{"0  every selected pipeline deployed", "1  compile errors, nothing to deploy, or an AWS call failed",
			"2  usage mistake, an unknown --pipeline, or no repository found"},
		run: func(inv invocation, args []string) int {
			return runDeploy(inv.ctx, args, inv.stdout, inv.stderr, inv.getenv, inv.version)
		},
	}
}

func runDeploy(ctx context.Context, args []string, stdout, stderr io.Writer, getenv env, xVersion string) int {
	var f deployFlags
	paths, code, ok := parseFlags("deploy", f.register, args, stdout, stderr)
	if !ok {
		return code
	}
	if f.all && (len(paths) > 0 || len(f.pipelines) > 0) {
		fmt.Fprintln(stderr, "smpipe deploy: --all deploys every pipeline of the repository; name the repository with --root, not with PATH or --pipeline")
		return exitUsage
	}
	if err := checkRunFlags(f.waitTimeout, f.commit); err != nil {
		fmt.Fprintf(stderr, "smpipe deploy: %v\n", err)
		return exitUsage
	}
	root, opt, err := f.options(paths, getenv)
	if err != nil {
		fmt.Fprintf(stderr, "smpipe deploy: %v\n", err)
		return exitUsage
	}
	wt, code := buildWorktree(ctx, "deploy", root, opt, stderr, func(repo *compiler.Repository) ([]string, error) {
		if len(f.pipelines) > 0 {
			return repo.SelectNames(f.pipelines)
		}
		return repo.Select(opt.Paths), nil
	})
	if code != exitOK {
		return code
	}
	defer wt.close()
	ready, failed, ds := wt.ready, wt.failed, wt.ds
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
	sha := deployCommit(f.commit, getenv, git)
	host := serverHost(getenv)
	repository := repositoryOf(f.repository, getenv, git)
	if repository == "" && !f.dryRun {
		fmt.Fprintln(stderr, "smpipe deploy: "+noRepository(host))
		return exitUsage
	}
	d := &deploy.Deployer{Root: wt.root, Log: stderr}
	fetch := gitrev.FetchOptions{Token: getenv.get("GITHUB_TOKEN"), TokenHost: host}
	dopts := deploy.Options{CommitSHA: sha, Repository: repository, Version: readBuildInfo(xVersion).Version,
		Start: !f.noStart, Wait: f.wait, WaitTimeout: f.waitTimeout, DryRun: f.dryRun, KMSKeyID: f.kms, Adopt: f.adopt,
		IsAncestor: git.AncestorFunc(fetch)}
	if git != nil {
		// Drift is judged against what the commit each live pipeline
		// records compiles to, read from git objects.
		rv, err := plan.OpenRevisions(plan.GitOptions{Dir: root, Token: fetch.Token, TokenHost: host, Compile: compileOnly(opt)})
		if err != nil {
			fmt.Fprintf(stderr, "smpipe deploy: %v\n", err)
			return exitProblem
		}
		defer rv.Close()
		dopts.Recorded = action.RecordedAt(rv, ready)
	}
	if !f.dryRun {
		fmt.Fprintln(stderr, "smpipe deploy: deploying what this checkout holds, as you: unlike the action, the command line does "+
			"not ask whether a reviewed pull request brought each definition")
		cfg, account, err := awsAccess(ctx, opt.Region, f.role, f.allowedAccounts, getenv)
		if err != nil {
			fmt.Fprintf(stderr, "smpipe deploy: %v\n", err)
			return exitProblem
		}
		d.SageMaker, d.S3 = deploy.NewClients(cfg, getenv.get)
		dopts.AccountID = account
	}
	results := d.Deploy(ctx, targets, dopts)
	printResults(stdout, results, opt.Region, f.dryRun)
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

// worktree is the working tree at a root compiled for a deploy.
type worktree struct {
	root  *workspace.Root
	ready []*compiler.Plan // the pipelines that may be deployed
	// failed are the anchors of those that may not: errors, or
	// placeholders the environment does not set.
	failed []string
	ds     diag.Diagnostics
	// close releases the tree and the built artifacts.
	close func()
}

// buildWorktree compiles the pipelines choose picks from the working tree
// at root, with their artifacts built into a temporary directory, and
// prints the diagnostics and why each unready pipeline may not be
// deployed. A code other than exitOK means stop: why is printed, as
// "smpipe <cmd>: …" (exitUsage when choose refused the selection).
func buildWorktree(ctx context.Context, cmd, root string, opt compiler.Options, stderr io.Writer,
	choose func(*compiler.Repository) ([]string, error)) (*worktree, int) {
	fail := func(code int, format string, args ...any) (*worktree, int) {
		fmt.Fprintf(stderr, "smpipe "+cmd+": "+format+"\n", args...)
		return nil, code
	}
	rootFS, err := workspace.Open(root)
	if err != nil {
		return fail(exitProblem, "%v", err)
	}
	artifacts, err := os.MkdirTemp("", "smpipe-artifacts-")
	if err != nil {
		rootFS.Close()
		return fail(exitProblem, "creating a directory for built artifacts: %v", err)
	}
	wt := &worktree{root: rootFS, close: func() {
		rootFS.Close()
		os.RemoveAll(artifacts)
	}}
	opt.ArtifactDir = artifacts
	repo, err := compiler.Load(ctx, rootFS, opt)
	if err != nil {
		wt.close()
		return fail(exitProblem, "%v", err)
	}
	anchors, err := choose(repo)
	if err != nil {
		wt.close()
		return fail(exitUsage, "%v", err)
	}
	res, ds, err := repo.Build(ctx, anchors)
	if err != nil {
		wt.close()
		return fail(exitProblem, "%v", err)
	}
	compiler.PrintDiagnostics(stderr, ds, res.Sources, isTerminal(stderr))
	wt.ds = ds
	for _, p := range res.Plans {
		if err := action.Deployable(p, opt.Getenv); err != nil {
			fmt.Fprintf(stderr, "smpipe %s: %v\n", cmd, err)
			wt.failed = append(wt.failed, p.Anchor)
			continue
		}
		wt.ready = append(wt.ready, p)
	}
	return wt, exitOK
}

// repositoryOf is the GitHub repository the pipelines belong to: flag, else
// GITHUB_REPOSITORY, else the origin remote's on the GitHub host; "" when
// none says.
func repositoryOf(flag string, getenv env, git *gitrev.Repo) string {
	switch {
	case flag != "":
		return flag
	case getenv.get("GITHUB_REPOSITORY") != "":
		return getenv.get("GITHUB_REPOSITORY")
	case git != nil:
		return git.GitHubRepository("origin", serverHost(getenv))
	}
	return ""
}

// noRepository says what to do when repositoryOf found none.
func noRepository(host string) string {
	return "cannot tell which GitHub repository these pipelines belong to (no --repository, GITHUB_REPOSITORY or origin remote on " +
		host + "); pass --repository OWNER/NAME: smpipe records it on each pipeline and updates only pipelines recorded for it"
}

// awsAccess gets credentials (the SDK's chain, or role with GitHub's OIDC
// token) and the account they are for, refusing an account outside
// allowed before anything is read or written.
func awsAccess(ctx context.Context, region, role string, allowed []string, getenv env) (aws.Config, string, error) {
	cfg, err := deploy.LoadAWSConfig(ctx, deploy.CredentialOptions{Region: region, RoleToAssume: role, Getenv: getenv.get})
	if err != nil {
		return aws.Config{}, "", err
	}
	if len(allowed) == 0 {
		return cfg, deploy.AccountID(ctx, cfg), nil
	}
	id, err := deploy.WhoAmI(ctx, cfg, getenv.get)
	if err == nil {
		err = deploy.CheckAccount(id, allowed)
	}
	if err != nil {
		return aws.Config{}, "", err
	}
	return cfg, id.Account, nil
}

// printResults writes one line per deployed pipeline, with its drift and
// error beneath, then the console's link.
func printResults(stdout io.Writer, results []deploy.Result, region string, dryRun bool) {
	for _, r := range results {
		line := fmt.Sprintf("%-40s %s", r.Pipeline, r.Summary())
		if r.ExecutionARN != "" {
			line += " " + r.ExecutionARN
		}
		fmt.Fprintln(stdout, line)
		if d := r.Drift; d != nil {
			fmt.Fprintf(stdout, "%-40s drift: %s\n", "", d.Summary())
		}
		if r.Err != nil {
			fmt.Fprintf(stdout, "%-40s error: %s\n", "", strings.ReplaceAll(r.Err.Error(), "\n", "; "))
		}
	}
	if u := deploy.ConsoleURL(region, ""); u != "" && !dryRun {
		fmt.Fprintf(stdout, "console: %s\n", u)
	}
}

// compileOnly is opt for compiling other commits: nothing to write.
func compileOnly(opt compiler.Options) compiler.Options {
	opt.ArtifactDir, opt.Paths = "", nil
	return opt
}

// serverHost is the host of the GitHub server the repository and its token
// belong to: GITHUB_SERVER_URL's, else github.com.
func serverHost(getenv env) string {
	if u, err := url.Parse(getenv.get("GITHUB_SERVER_URL")); err == nil && u.Host != "" {
		return u.Host
	}
	return "github.com"
}

// deployCommit is the commit deployed: --commit, else GITHUB_SHA, else the
// checkout's HEAD, else "local".
// checkRunFlags checks the flags deploy and preview share: a wait that
// ends, and a commit recorded as what later deploys compare with (its
// ancestry is asked of git, which needs the whole SHA).
func checkRunFlags(waitTimeout time.Duration, commit string) error {
	if waitTimeout <= 0 {
		return fmt.Errorf("--wait-timeout %s: give a positive duration, such as 90m", waitTimeout)
	}
	if commit != "" && !gitrev.IsSHA(commit) {
		return fmt.Errorf("--commit %q: give the whole 40-character commit SHA (git rev-parse HEAD)", commit)
	}
	return nil
}

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
