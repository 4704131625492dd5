package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/smpipe/smpipe-action/compiler"
	"github.com/smpipe/smpipe-action/ghreport"
	"github.com/smpipe/smpipe-action/plan"
)

// runPlan prints exactly the report a pull request would get.
func runPlan(ctx context.Context, args []string, stdout, stderr io.Writer, getenv env) int {
	fs := flag.NewFlagSet("smpipe plan", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cf compileFlags
	cf.register(fs)
	base := fs.String("base", "", "base revision to compare with (required): a SHA, branch, tag or HEAD~1")
	head := fs.String("head", "HEAD", "head revision")
	format := fs.String("format", "markdown", "output: markdown or json")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if *base == "" {
		fmt.Fprintln(stderr, "smpipe plan: --base is required")
		return exitUsage
	}
	if *format != "markdown" && *format != "json" {
		fmt.Fprintf(stderr, "smpipe plan: unknown --format %q (markdown or json)\n", *format)
		return exitUsage
	}
	root, opt, err := cf.options(fs.Args(), getenv)
	if err != nil {
		fmt.Fprintf(stderr, "smpipe plan: %v\n", err)
		return exitUsage
	}
	res, baseSHA, headSHA, err := plan.FromGit(ctx, plan.GitOptions{Dir: root, Base: *base, Head: *head, Token: getenv.get("GITHUB_TOKEN"), Compile: opt})
	if err != nil {
		fmt.Fprintf(stderr, "smpipe plan: %v\n", err)
		return exitProblem
	}
	compiler.PrintDiagnostics(stderr, res.Failing, res.HeadSources, isTerminal(stderr))
	switch *format {
	case "json":
		if err := plan.WriteJSON(stdout, res, baseSHA, headSHA); err != nil {
			fmt.Fprintf(stderr, "smpipe plan: %v\n", err)
			return exitProblem
		}
	case "markdown":
		fmt.Fprint(stdout, planMarkdown(res, baseSHA, headSHA, getenv))
	}
	if !res.OK() {
		return exitProblem
	}
	return exitOK
}

// planMarkdown renders the pull request comment for a plan made on the
// command line, linking files when run inside GitHub Actions.
func planMarkdown(res *plan.Result, baseSHA, headSHA string, getenv env) string {
	meta := plan.ReportMeta{Repository: getenv.get("GITHUB_REPOSITORY"), ServerURL: getenv.get("GITHUB_SERVER_URL"),
		BaseSHA: baseSHA, HeadSHA: headSHA}
	body, _ := ghreport.Markdown(res.Report(meta), ghreport.MarkdownOptions{BlobURL: meta.BlobURL()})
	return body
}
