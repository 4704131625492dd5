package main

import (
	"context"
	"errors"
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
}

func (c *compileFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.root, "root", "", "repository root (default: the nearest directory at or above the first PATH holding framework/conf/conf.yaml or .git)")
	fs.StringVar(&c.glob, "glob", "", "glob selecting conf files, relative to the root (default: modelConfigFilePath of the framework conf, else "+compiler.DefaultGlob+")")
	fs.StringVar(&c.frameworkConf, "framework-conf", "", "framework conf, relative to the root (default "+compiler.DefaultFrameworkConf+")")
	fs.StringVar(&c.region, "region", "", "AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, the AWS profile's region, else "+awsregion.Default+")")
	fs.StringVar(&c.bucket, "bucket", "", "override conf.s3Bucket")
	fs.StringVar(&c.role, "role", "", "override conf.sagemakerNetworkSecurity.role")
	fs.StringVar(&c.subnets, "subnets", "", "override conf.sagemakerNetworkSecurity.subnets (comma-separated)")
	fs.StringVar(&c.securityGroups, "security-groups", "", "override conf.sagemakerNetworkSecurity.security_groups_id (comma-separated)")
	fs.StringVar(&c.kms, "kms-key", "", "override conf.sagemakerNetworkSecurity.kms_key")
	fs.BoolVar(&c.strict, "strict", false, "report unknown keys as errors")
	fs.StringVar(&c.maxFileSize, "max-file-size", "", fmt.Sprintf("largest local data file or file in a code bundle to read, such as 2GiB (default %dMiB)", workspace.DefaultMaxFileSize>>20))
}

// options resolves the root and turns flags and PATHs into compiler options.
func (c *compileFlags) options(paths []string, getenv env) (string, compiler.Options, error) {
	root := c.root
	if root == "" {
		start := "."
		if len(paths) > 0 {
			start = paths[0]
		}
		root = findRoot(start)
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
	}
	if c.maxFileSize != "" {
		if opt.MaxFileSize, err = workspace.ParseSize(c.maxFileSize); err != nil {
			return "", compiler.Options{}, fmt.Errorf("--max-file-size: %w", err)
		}
	}
	return absRoot, opt, nil
}

// findRoot walks up from start to the nearest directory that holds the
// framework conf or a .git, falling back to start itself.
func findRoot(start string) string {
	abs, err := filepath.Abs(start)
	if err != nil {
		return start
	}
	if fi, err := os.Stat(abs); err == nil && !fi.IsDir() {
		abs = filepath.Dir(abs)
	}
	for dir := abs; ; dir = filepath.Dir(dir) {
		for _, marker := range []string{filepath.FromSlash(compiler.DefaultFrameworkConf), ".git"} {
			if _, err := os.Stat(filepath.Join(dir, marker)); err == nil {
				return dir
			}
		}
		if filepath.Dir(dir) == dir {
			return abs
		}
	}
}

func runCompile(ctx context.Context, args []string, stdout, stderr io.Writer, getenv env, defaultFormat string) int {
	name := "compile"
	if defaultFormat == "mermaid" {
		name = "graph"
	}
	fs := flag.NewFlagSet("smpipe "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cf compileFlags
	cf.register(fs)
	format := defaultFormat
	var out, base string
	if name == "graph" {
		fs.StringVar(&base, "base", "", "show the change since this revision: touched pipelines only, added, changed and removed steps highlighted")
	}
	if name == "compile" {
		fs.StringVar(&format, "format", defaultFormat, "output: summary, json or mermaid")
		fs.StringVar(&out, "out", "", "write each pipeline's definition to DIR/<pipelineName>.json")
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if format != "summary" && format != "json" && format != "mermaid" {
		fmt.Fprintf(stderr, "smpipe %s: unknown --format %q (summary, json or mermaid)\n", name, format)
		return exitUsage
	}
	root, opt, err := cf.options(fs.Args(), getenv)
	if err != nil {
		fmt.Fprintf(stderr, "smpipe %s: %v\n", name, err)
		return exitUsage
	}
	if base != "" {
		return diffGraphs(ctx, root, base, opt, stdout, stderr, getenv)
	}
	rootFS, err := workspace.Open(root)
	if err != nil {
		fmt.Fprintf(stderr, "smpipe %s: %v\n", name, err)
		return exitProblem
	}
	defer rootFS.Close()
	res, ds, err := compiler.Compile(ctx, rootFS, opt)
	if err != nil {
		fmt.Fprintf(stderr, "smpipe %s: %v\n", name, err)
		return exitProblem
	}
	if format != "json" {
		compiler.PrintDiagnostics(stderr, ds, res.Sources, isTerminal(stderr))
	}
	if out != "" {
		if err := writeDefinitions(out, res); err != nil {
			fmt.Fprintf(stderr, "smpipe %s: %v\n", name, err)
			return exitProblem
		}
	}
	switch format {
	case "summary":
		compiler.RenderSummary(stdout, res)
		if e, w := ds.Count(); e+w > 0 {
			fmt.Fprintf(stderr, "%d error(s), %d warning(s)\n", e, w)
		}
	case "json":
		if err := compiler.RenderJSON(stdout, res, ds); err != nil {
			fmt.Fprintf(stderr, "smpipe %s: %v\n", name, err)
			return exitProblem
		}
	case "mermaid":
		for i, p := range res.Plans {
			if p.Graph == nil {
				continue
			}
			if i > 0 {
				fmt.Fprintln(stdout)
			}
			text, mode := graph.Mermaid(p.Graph, graph.MermaidOptions{})
			if mode == graph.TooLarge {
				fmt.Fprintf(stdout, "%%%% %s: too large for Mermaid; steps:\n%s", p.Name, graph.TextList(p.Graph, nil))
				continue
			}
			fmt.Fprintf(stdout, "%%%% pipeline %s\n%s", sanitizeComment(p.Name), text)
		}
	}
	if ds.HasErrors() {
		return exitProblem
	}
	return exitOK
}

// writeDefinitions writes DIR/<pipelineName>.json for every compiled pipeline.
func writeDefinitions(dir string, res *compiler.Result) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating --out directory: %w", err)
	}
	for _, p := range res.Plans {
		if p.Failed {
			continue
		}
		// Pipeline names are validated ([a-zA-Z0-9-]), so they are safe file names.
		if err := os.WriteFile(filepath.Join(dir, p.Name+".json"), p.IndentedDefinition(), 0o644); err != nil {
			return fmt.Errorf("writing definition of %s: %w", p.Name, err)
		}
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

// diffGraphs prints each touched pipeline's graph since base, with added,
// changed and removed steps styled.
func diffGraphs(ctx context.Context, root, base string, opt compiler.Options, stdout, stderr io.Writer, getenv env) int {
	res, _, _, err := plan.FromGit(ctx, plan.GitOptions{Dir: root, Base: base, Token: getenv.get("GITHUB_TOKEN"), Compile: opt})
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
