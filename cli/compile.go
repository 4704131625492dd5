package cli

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/smpipe/smpipe-action/compiler"
	"github.com/smpipe/smpipe-action/compiler/graph"
	"github.com/smpipe/smpipe-action/internal/awsregion"
	"github.com/smpipe/smpipe-action/internal/workspace"
	"github.com/smpipe/smpipe-action/plan"
)

// compileFlags are shared by every command that compiles.
type compileFlags struct {
	root, glob, frameworkConf, region          string
	bucket, role, subnets, securityGroups, kms string
	strict                                     bool
	maxFileSize                                string
	allowEmpty                                 stringList
}

func (c *compileFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.root, "root", "", "repository `DIR` (default: the nearest directory at or above the first PATH, else the current directory, holding framework/conf/conf.yaml or .git)")
	fs.StringVar(&c.glob, "glob", "", "glob `PATTERN` selecting conf files, relative to the root (default: modelConfigFilePath of the framework conf, else "+compiler.DefaultGlob+")")
	fs.StringVar(&c.frameworkConf, "framework-conf", "", "framework conf `FILE`, relative to the root (default "+compiler.DefaultFrameworkConf+" when it exists)")
	fs.StringVar(&c.region, "region", "", "AWS `REGION` (default: AWS_REGION, else AWS_DEFAULT_REGION, else the AWS profile's region, else "+awsregion.Default+")")
	fs.StringVar(&c.bucket, "bucket", "", "S3 bucket `NAME` for code and default outputs (default: conf.s3Bucket of the framework conf)")
	fs.StringVar(&c.role, "role", "", "execution role `ARN` of the pipelines (default: conf.sagemakerNetworkSecurity.role)")
	fs.StringVar(&c.subnets, "subnets", "", "comma-separated subnet `IDS` (default: conf.sagemakerNetworkSecurity.subnets)")
	fs.StringVar(&c.securityGroups, "security-groups", "", "comma-separated security group `IDS` (default: conf.sagemakerNetworkSecurity.security_groups_id)")
	fs.StringVar(&c.kms, "kms-key", "", "KMS `KEY` ID or ARN for volumes and outputs (default: conf.sagemakerNetworkSecurity.kms_key)")
	fs.BoolVar(&c.strict, "strict", false, "report unknown keys as errors instead of warnings")
	fs.Var(&c.allowEmpty, "allow-empty", "let the SMP_* placeholder `NAME` resolve to the empty string (repeatable; by default an "+
		"empty value counts as not set, so SMP_SUBNETS=\"\" cannot drop the VPC unseen)")
	fs.StringVar(&c.maxFileSize, "max-file-size", "", fmt.Sprintf("largest local data file or file in a code bundle to read, a `SIZE` such as 2GiB (default %dMiB)", workspace.DefaultMaxFileSize>>20))
}

// options resolves the root and turns flags and PATHs into compiler options.
func (c *compileFlags) options(paths []string, getenv env) (string, compiler.Options, error) {
	root := c.root
	if root == "" {
		start := "."
		if len(paths) > 0 {
			start = paths[0]
		}
		var ok bool
		if root, ok = findRoot(start); !ok {
			return "", compiler.Options{}, fmt.Errorf("not in a repository: no %s or .git at or above %s; run smpipe inside the repository, or name it with --root", compiler.DefaultFrameworkConf, root)
		}
	}
	absRoot, err := filepath.Abs(root)
	if err != nil {
		return "", compiler.Options{}, err
	}
	if fi, err := os.Stat(absRoot); err != nil || !fi.IsDir() {
		return "", compiler.Options{}, fmt.Errorf("root %s is not a directory", root)
	}
	var rel []string
	for _, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil {
			return "", compiler.Options{}, err
		}
		r, err := filepath.Rel(absRoot, abs)
		if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
			return "", compiler.Options{}, fmt.Errorf("path %s is outside the root %s", p, root)
		}
		rel = append(rel, filepath.ToSlash(r))
	}
	region := awsregion.Resolve(context.Background(), c.region, "--region", getenv.get).Region
	opt := compiler.Options{
		Paths: rel, Glob: c.glob, FrameworkConf: c.frameworkConf, Region: region, Getenv: getenv,
		Bucket: c.bucket, Role: c.role, Subnets: c.subnets, SecurityGroups: c.securityGroups, KMSKey: c.kms, Strict: c.strict,
		AllowEmpty: c.allowEmpty,
	}
	for _, name := range c.allowEmpty {
		if !compiler.IsPlaceholder(name) {
			return "", compiler.Options{}, fmt.Errorf("--allow-empty %q: not a placeholder name (SMP_ followed by capital letters, digits and underscores)", name)
		}
	}
	if c.maxFileSize != "" {
		if opt.MaxFileSize, err = workspace.ParseSize(c.maxFileSize); err != nil {
			return "", compiler.Options{}, fmt.Errorf("--max-file-size: %w", err)
		}
	}
	return absRoot, opt, nil
}

// findRoot walks up from start to the nearest directory that holds the
// framework conf or a .git. When there is none it returns the absolute
// start directory and false: compiling whatever lies below an arbitrary
// directory (a home directory, /) would be slow and meaningless.
func findRoot(start string) (string, bool) {
	abs, err := filepath.Abs(start)
	if err != nil {
		return start, false
	}
	if fi, err := os.Stat(abs); err == nil && !fi.IsDir() {
		abs = filepath.Dir(abs)
	}
	for dir := abs; ; dir = filepath.Dir(dir) {
		for _, marker := range []string{filepath.FromSlash(compiler.DefaultFrameworkConf), ".git"} {
			if _, err := os.Stat(filepath.Join(dir, marker)); err == nil {
				return dir, true
			}
		}
		if filepath.Dir(dir) == dir {
			return abs, false
		}
	}
}

// compileCmdFlags are the flags of compile and graph.
type compileCmdFlags struct {
	compileFlags
	format    *choice
	out, base string
}

func (f *compileCmdFlags) registerCompile(fs *flag.FlagSet) {
	f.compileFlags.register(fs)
	f.format = newChoice("summary", "summary", "json", "mermaid")
	fs.Var(f.format, "format", "output `FORMAT`")
	fs.StringVar(&f.out, "out", "", "also write each pipeline's definition to `DIR`/<pipelineName>.json")
}

func (f *compileCmdFlags) registerGraph(fs *flag.FlagSet) {
	f.compileFlags.register(fs)
	f.format = newChoice("mermaid", "mermaid")
	fs.StringVar(&f.base, "base", "", "show the change from revision `REV` to the working tree: touched pipelines only, added, changed and removed steps highlighted")
}

// compileEnv is what every command that compiles reads from the
// environment.
func compileEnv() []string {
	return []string{
		"AWS_REGION, AWS_DEFAULT_REGION        the region when --region is not given",
		"AWS_PROFILE, AWS_CONFIG_FILE, HOME    the profile's region when neither is set",
		"SMP_*                                 values of SMP_* placeholders in conf files",
	}
}

// envAWSCredentials and envAWSEndpoints are the lines of the commands that
// call AWS.
const (
	envAWSCredentials = "AWS_PROFILE, AWS_ACCESS_KEY_ID, …     the AWS SDK's credential chain"
	envAWSEndpoints   = "AWS_ENDPOINT_URL[_SAGEMAKER|_S3|_STS] service endpoints"
)

// envGitHubToken is the line about GITHUB_TOKEN of the commands that read
// git history.
const envGitHubToken = "GITHUB_TOKEN                          fetches commits a shallow clone lacks"

func compileExits() []string {
	return []string{"0  no errors (warnings are fine)", "1  a diagnostic is an error", "2  usage mistake, or no repository found"}
}

func compileCommand() command {
	return command{
		name:    "compile",
		args:    "[PATH...]",
		summary: "check and compile pipelines into SageMaker pipeline definitions",
		about: "Compile reads the conf files of the repository, checks them and builds one SageMaker pipeline " +
			"definition per anchor (a conf file with conf.sagemakerPipeline). PATH arguments choose the pipelines " +
			"whose anchor lies at or under them; every conf file is still read, because models are looked up " +
			"across files. Diagnostics go to stderr as file:line:col: error|warning: message, every problem of " +
			"the run at once. Compile works offline and needs no AWS credentials.",
		flags: new(compileCmdFlags).registerCompile,
		examples: []string{
			"smpipe compile                                    # every pipeline of the repository around the current directory",
			"smpipe compile models/fraud --format json         # one pipeline's definition, steps and artifacts as JSON",
			"smpipe compile --out defs --strict                # write defs/<pipelineName>.json; unknown keys are errors",
		},
		env:   compileEnv(),
		exits: compileExits(),
		run: func(inv invocation, args []string) int {
			return runCompile(inv.ctx, args, inv.stdout, inv.stderr, inv.getenv, "summary")
		},
	}
}

func graphCommand() command {
	return command{
		name:    "graph",
		args:    "[PATH...]",
		summary: "print each pipeline's DAG as a Mermaid flowchart",
		about: "Graph prints each pipeline's DAG as a Mermaid flowchart, as compile --format mermaid does. With " +
			"--base it shows a change instead: only the pipelines touched between that revision and the working " +
			"tree, with added, changed and removed steps styled.",
		flags: new(compileCmdFlags).registerGraph,
		examples: []string{
			"smpipe graph models/fraud > fraud.mmd",
			"smpipe graph --base origin/main                   # what this branch and its uncommitted edits change",
		},
		env:   append(compileEnv(), envGitHubToken),
		exits: compileExits(),
		run: func(inv invocation, args []string) int {
			return runCompile(inv.ctx, args, inv.stdout, inv.stderr, inv.getenv, "mermaid")
		},
	}
}

// runCompile runs compile or graph. stdout is buffered: a summary is written
// in many small pieces.
func runCompile(ctx context.Context, args []string, stdout, stderr io.Writer, getenv env, defaultFormat string) int {
	out := bufio.NewWriter(stdout)
	defer out.Flush()
	return compileTo(ctx, args, out, stderr, getenv, defaultFormat)
}

func compileTo(ctx context.Context, args []string, stdout, stderr io.Writer, getenv env, defaultFormat string) int {
	name := "compile"
	var f compileCmdFlags
	register := f.registerCompile
	if defaultFormat == "mermaid" {
		name, register = "graph", f.registerGraph
	}
	paths, code, ok := parseFlags(name, register, args, stdout, stderr)
	if !ok {
		return code
	}
	root, opt, err := f.options(paths, getenv)
	if err != nil {
		fmt.Fprintf(stderr, "smpipe %s: %v\n", name, err)
		return exitUsage
	}
	if f.base != "" {
		return diffGraphs(ctx, root, f.base, opt, stdout, stderr, getenv)
	}
	rootFS, err := workspace.Open(root)
	if err != nil {
		fmt.Fprintf(stderr, "smpipe %s: %v\n", name, err)
		return exitProblem
	}
	defer rootFS.Close()
	// Each plan is written out as soon as it is built and then dropped, so
	// memory stays flat on a large repository.
	var js *compiler.JSONStream
	if f.format.value == "json" {
		js = compiler.NewJSONStream(stdout)
	}
	if f.out != "" {
		if err := os.MkdirAll(f.out, 0o755); err != nil {
			fmt.Fprintf(stderr, "smpipe %s: creating --out directory: %v\n", name, err)
			return exitProblem
		}
	}
	n := 0
	res, ds, err := compiler.CompileEach(ctx, rootFS, opt, func(p *compiler.Plan) error {
		if f.out != "" {
			if err := writeDefinition(f.out, p); err != nil {
				return err
			}
		}
		switch f.format.value {
		case "summary":
			if n > 0 {
				fmt.Fprintln(stdout)
			}
			compiler.RenderPlanSummary(stdout, p)
		case "json":
			js.Plan(p)
		case "mermaid":
			writeMermaid(stdout, p, n)
		}
		n++
		return nil
	})
	if err != nil {
		fmt.Fprintf(stderr, "smpipe %s: %v\n", name, err)
		return exitProblem
	}
	switch f.format.value {
	case "json":
		if err := js.Close(ds); err != nil {
			fmt.Fprintf(stderr, "smpipe %s: %v\n", name, err)
			return exitProblem
		}
	default:
		compiler.PrintDiagnostics(stderr, ds, res.Sources, isTerminal(stderr))
		if e, w := ds.Count(); f.format.value == "summary" && e+w > 0 {
			fmt.Fprintf(stderr, "%d error(s), %d warning(s)\n", e, w)
		}
	}
	if ds.HasErrors() {
		return exitProblem
	}
	return exitOK
}

// writeMermaid prints one pipeline's DAG; the i-th one is set apart from
// the one before by a blank line.
func writeMermaid(w io.Writer, p *compiler.Plan, i int) {
	if p.Graph == nil {
		return
	}
	if i > 0 {
		fmt.Fprintln(w)
	}
	text, mode := graph.Mermaid(p.Graph, graph.MermaidOptions{})
	if mode == graph.TooLarge {
		fmt.Fprintf(w, "%%%% %s: too large for Mermaid; steps:\n%s", p.Name, graph.TextList(p.Graph, nil))
		return
	}
	fmt.Fprintf(w, "%%%% pipeline %s\n%s", sanitizeComment(p.Name), text)
}

// writeDefinition writes DIR/<pipelineName>.json for a compiled pipeline.
func writeDefinition(dir string, p *compiler.Plan) error {
	if p.Failed {
		return nil
	}
	// Pipeline names are validated ([a-zA-Z0-9-]), so they are safe file names.
	if err := os.WriteFile(filepath.Join(dir, p.Name+".json"), p.IndentedDefinition(), 0o644); err != nil {
		return fmt.Errorf("writing definition of %s: %w", p.Name, err)
	}
	return nil
}

func sanitizeComment(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// diffGraphs prints the graph of each pipeline touched between base and
// the working tree, with added, changed and removed steps styled.
func diffGraphs(ctx context.Context, root, base string, opt compiler.Options, stdout, stderr io.Writer, getenv env) int {
	res, _, _, err := plan.FromGit(ctx, plan.GitOptions{Dir: root, Base: base, Worktree: true, Token: getenv.get("GITHUB_TOKEN"), TokenHost: serverHost(getenv), Compile: opt})
	if err != nil {
		fmt.Fprintf(stderr, "smpipe graph: %v\n", err)
		return exitProblem
	}
	compiler.PrintDiagnostics(stderr, res.Failing, res.HeadSources, isTerminal(stderr))
	if len(res.Pipelines) == 0 {
		fmt.Fprintf(stderr, "smpipe graph: no pipeline changed since %s\n", base)
	}
	for i, p := range res.Pipelines {
		if i > 0 {
			fmt.Fprintln(stdout)
		}
		fmt.Fprintf(stdout, "%%%% pipeline %s: %s\n", sanitizeComment(p.Name), p.Diff.Summary())
		if p.Diff.Merged == nil {
			continue
		}
		text, mode := graph.Mermaid(p.Diff.Merged, graph.MermaidOptions{Status: p.Diff.GraphStatus(), EdgeStatus: p.Diff.EdgeStatus()})
		if mode == graph.TooLarge {
			fmt.Fprint(stdout, graph.TextList(p.Diff.Merged, p.Diff.GraphStatus()))
			continue
		}
		fmt.Fprint(stdout, text)
	}
	if !res.OK() {
		return exitProblem
	}
	return exitOK
}
