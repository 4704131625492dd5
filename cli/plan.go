package cli

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/smpipe/smpipe-action/compiler"
	"github.com/smpipe/smpipe-action/ghreport"
	"github.com/smpipe/smpipe-action/plan"
)

// planFlags are plan's flags.
type planFlags struct {
	compileFlags
	base, head string
	format     *choice
}

func (f *planFlags) register(fs *flag.FlagSet) {
	f.compileFlags.register(fs)
	fs.StringVar(&f.base, "base", "", "base revision `REV` to compare with: a SHA, branch, tag or HEAD~1 (default HEAD when --head is not given)")
	fs.StringVar(&f.head, "head", "", "head revision `REV` (default: the working tree, uncommitted and untracked files included)")
	f.format = newChoice("markdown", "markdown", "json")
	fs.Var(f.format, "format", "output `FORMAT`")
}

func planCommand() command {
	return command{
		name:    "plan",
		args:    "[PATH]",
		summary: "print the pull request report: touched pipelines, settings diff, DAG, problems",
		about: "Plan prints the report a pull request gets: the pipelines a change touches, each with its " +
			"settings diff and DAG, and every problem, complete (nothing is cut to fit a comment). Without " +
			"--head it compares --base with the working tree, like git diff: uncommitted edits and every " +
			"untracked file count, those .gitignore excludes too, since the compile reads them (not the " +
			"__pycache__, *.pyc and .DS_Store files bundles leave out). With --head " +
			"it compares two commits, read from git objects without touching the checkout. PATH is the compile root inside the repository (the " +
			"action's working-directory); changes outside it are ignored.",
		flags: new(planFlags).register,
		examples: []string{
			"smpipe plan                                       # uncommitted edits: HEAD against the working tree",
			"smpipe plan --base origin/main                    # this branch and its uncommitted edits, as its pull request will show",
			"smpipe plan --base HEAD~3 --head HEAD --format json",
		},
		env: append(compileEnv(), envGitHubToken),
		exits: []string{"0  every touched pipeline compiles", "1  a touched pipeline or a changed file has errors, or git failed",
			"2  usage mistake, or no repository found"},
		run: func(inv invocation, args []string) int {
			return runPlan(inv.ctx, args, inv.stdout, inv.stderr, inv.getenv)
		},
	}
}

// runPlan prints the complete pull request report for a change.
func runPlan(ctx context.Context, args []string, stdout, stderr io.Writer, getenv env) int {
	var f planFlags
	paths, code, ok := parseFlags("plan", f.register, args, stdout, stderr)
	if !ok {
		return code
	}
	base := f.base
	if base == "" {
		if f.head != "" {
			fmt.Fprintln(stderr, "smpipe plan: --head needs --base")
			return exitUsage
		}
		base = "HEAD"
	}
	root, opt, err := f.options(paths, getenv)
	if err != nil {
		fmt.Fprintf(stderr, "smpipe plan: %v\n", err)
		return exitUsage
	}
	g := plan.GitOptions{Dir: root, Base: base, Head: f.head, Worktree: f.head == "", Token: getenv.get("GITHUB_TOKEN"), TokenHost: serverHost(getenv), Compile: opt}
	res, baseSHA, headSHA, err := plan.FromGit(ctx, g)
	if err != nil {
		fmt.Fprintf(stderr, "smpipe plan: %v\n", err)
		return exitProblem
	}
	compiler.PrintDiagnostics(stderr, res.Failing, res.HeadSources, isTerminal(stderr))
	switch f.format.value {
	case "json":
		if err := plan.WriteJSON(stdout, res, baseSHA, headSHA); err != nil {
			fmt.Fprintf(stderr, "smpipe plan: %v\n", err)
			return exitProblem
		}
	case "markdown":
		// The complete report, as the job summary has it: no comment
		// marker, nothing left out for size, no pointer to a job summary.
		fmt.Fprint(stdout, ghreport.Summary(res.Report(plan.ReportMeta{BaseSHA: baseSHA, HeadSHA: headSHA, Worktree: f.head == ""})))
	}
	if !res.OK() {
		return exitProblem
	}
	return exitOK
}
