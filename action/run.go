package action

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/sethvargo/go-githubactions"

	"github.com/smpipe/smpipe-action/compiler"
	"github.com/smpipe/smpipe-action/ghreport"
	"github.com/smpipe/smpipe-action/internal/awsregion"
)

// Env is the process the action runs in; tests pass their own.
type Env struct {
	Getenv func(string) string
	// LookupEnv tells a variable set to "" from an unset one, as SMP_*
	// placeholders need (SMP_SUBNETS="" means no VPC). Default: Getenv,
	// with "" meaning unset.
	LookupEnv func(string) (string, bool)
	Stdout    io.Writer
	Version   string
}

// Exit statuses of the action step.
const (
	exitOK     = 0
	exitFailed = 1
)

// runner carries one run's settings.
type runner struct {
	env     Env
	gha     *githubactions.Action // inputs and log commands
	files   *ghreport.Actions     // job summary and outputs
	in      Inputs
	ev      ghreport.Event
	name    string // GITHUB_EVENT_NAME
	ws      string // GITHUB_WORKSPACE
	dir     string // the compile root: the working-directory inside ws
	compile compiler.Options
	repo    string           // owner/name
	region  string           // decided once: what is compiled is what is deployed to
	masked  []string         // account IDs hidden from the log and the deploy report
	gh      *ghreport.Client // made on first use by client
	rec     *records         // made on first use by records
	awsCfg  *aws.Config      // the credentials in use, once awsConfig made them
}

// Run is `smpipe action`: it dispatches on the event and the mode input.
func Run(ctx context.Context, env Env) int {
	gha := githubactions.New(githubactions.WithGetenv(env.Getenv), githubactions.WithWriter(env.Stdout))
	in, err := readInputs(gha)
	if err != nil {
		gha.Errorf("%s", err)
		return exitFailed
	}
	name := env.Getenv("GITHUB_EVENT_NAME")
	ev, err := ghreport.ReadEvent(name, env.Getenv("GITHUB_EVENT_PATH"))
	if err != nil {
		gha.Errorf("%s", err)
		return exitFailed
	}
	ws := or(env.Getenv("GITHUB_WORKSPACE"), ".")
	r := &runner{env: env, gha: gha, files: ghreport.NewActions(env.Getenv, env.Stdout), in: in, ev: ev, name: name,
		ws: ws, dir: filepath.Join(ws, filepath.FromSlash(in.WorkingDirectory)), repo: env.Getenv("GITHUB_REPOSITORY")}
	r.region = awsregion.Resolve(ctx, in.AWSRegion, "input aws-region", env.Getenv).Region
	r.compile = compiler.Options{Glob: in.ConfigGlob, FrameworkConf: in.FrameworkConf, Region: r.region,
		Bucket: in.S3Bucket, Role: in.PipelineRoleARN, Subnets: in.Subnets, SecurityGroups: in.SecurityGroups,
		KMSKey: in.KMSKey, Strict: in.Strict, Getenv: env.LookupEnv, MaxFileSize: in.MaxFileSize, AllowEmpty: in.AllowEmpty}
	if r.compile.Getenv == nil {
		r.compile.Getenv = func(k string) (string, bool) {
			v := env.Getenv(k)
			return v, v != ""
		}
	}

	if name == "pull_request_target" {
		// It runs the base branch's workflow on the base's checkout: the
		// plan would compare the base with itself and report nothing.
		gha.Errorf("smpipe: the pull_request_target event is not supported: it runs the base branch's workflow with the base " +
			"checked out, so the plan would compare the base with itself and pass with nothing touched. Plan on pull_request " +
			"(pull requests from forks get the report in the job summary), and post the comment for forks with the relay " +
			"workflow the README describes under \"Pull requests from forks\"")
		return exitFailed
	}
	switch mode := r.dispatch(); mode {
	case "plan":
		return r.plan(ctx)
	case "deploy":
		if err := r.mayDeploy(); err != nil {
			return r.refuse(err.Error())
		}
		return r.deploy(ctx)
	case "report":
		code := r.report(ctx)
		r.cleanUpAfterReport(ctx)
		return code
	case "preview":
		return r.preview(ctx)
	default:
		gha.Noticef("smpipe has nothing to do for the %s event (mode %s): it plans on pull_request and deploys on a push to the default branch, on workflow_dispatch and on schedule", r.name, in.Mode)
		return exitOK
	}
}

// dispatch decides what this run does.
func (r *runner) dispatch() string {
	switch r.in.Mode {
	case "plan", "deploy", "report", "preview":
		return r.in.Mode
	}
	switch {
	case r.ev.PullRequest != nil:
		if slices.Contains([]string{"opened", "synchronize", "reopened", "ready_for_review"}, r.ev.PullRequest.Action) {
			return "plan"
		}
	case r.ev.Push != nil:
		listed := slices.Contains(r.in.DeployBranches, strings.TrimPrefix(r.ev.Push.Ref, "refs/heads/"))
		if (r.ev.Push.OnDefaultBranch() || listed) && !r.ev.Push.Deleted {
			return "deploy"
		}
	case r.ev.Dispatch != nil, r.name == "schedule":
		return "deploy"
	}
	return ""
}

// mayDeploy refuses to deploy on events whose code did not come through
// the default branch: a pull request's code is unmerged, and other events
// (release, repository_dispatch, …) may run on any ref. A dispatch off the
// default branch is refused later, with a report.
func (r *runner) mayDeploy() error {
	switch {
	case r.ev.PullRequest != nil:
		return fmt.Errorf("smpipe: mode deploy on a %s event refused: a pull request's code is not merged, and smpipe "+
			"deploys only what reached the default branch through review; deploy on push to the default branch", r.name)
	case r.ev.Push != nil, r.ev.Dispatch != nil, r.name == "schedule":
		return nil
	}
	return fmt.Errorf("smpipe: mode deploy on a %s event refused: smpipe deploys on push, workflow_dispatch and schedule", r.name)
}

// tokenHost is the host of the workflow's GitHub server, the only one the
// token is sent to when git history is fetched.
func (r *runner) tokenHost() string {
	u, err := url.Parse(or(r.env.Getenv("GITHUB_SERVER_URL"), "https://github.com"))
	if err != nil || u.Host == "" {
		return "github.com"
	}
	return u.Host
}

// runURL links the job summary of this run.
func (r *runner) runURL() string {
	server, id := or(r.env.Getenv("GITHUB_SERVER_URL"), "https://github.com"), r.env.Getenv("GITHUB_RUN_ID")
	if r.repo == "" || id == "" {
		return ""
	}
	return fmt.Sprintf("%s/%s/actions/runs/%s", server, r.repo, id)
}

// pipelineOutput is one entry of the `pipelines` output.
type pipelineOutput struct {
	Name   string `json:"name"`
	Status string `json:"status"`
	// Execution and Summary are set by deploys: what was started, and one
	// line saying what is live.
	Execution    string `json:"execution,omitempty"`
	Summary      string `json:"summary,omitempty"`
	Hash         string `json:"definitionHash,omitempty"`
	ExecutionARN string `json:"executionArn,omitempty"`
}

// outputs are the step's outputs (action.yml) of a plan or deploy run.
type outputs struct {
	pipelines []pipelineOutput // also gives pipelines-touched, their number
	report    string
	// changed: a touched pipeline's definition changed (plan), or a
	// pipeline was created or updated in SageMaker (deploy).
	changed bool
	// errors: compile errors in what the plan judges, or pipelines the
	// deploy failed or refused (and 1 for a refused run).
	errors int
}

func (r *runner) setOutputs(o outputs) {
	if o.pipelines == nil {
		o.pipelines = []pipelineOutput{}
	}
	raw, _ := json.Marshal(o.pipelines)
	for _, kv := range [][2]string{
		{"pipelines", string(raw)},
		{"report", o.report},
		{"changed", strconv.FormatBool(o.changed)},
		{"pipelines-touched", strconv.Itoa(len(o.pipelines))},
		{"errors", strconv.Itoa(o.errors)},
	} {
		if err := r.files.SetOutput(kv[0], kv[1]); err != nil && !errors.Is(err, ghreport.ErrNoRunnerFile) {
			r.gha.Warningf("smpipe: %s", err)
		}
	}
}

// summary appends markdown to the job summary.
func (r *runner) summary(markdown string) {
	if err := r.files.AddStepSummary(markdown); err != nil && !errors.Is(err, ghreport.ErrNoRunnerFile) {
		r.gha.Warningf("smpipe: %s", err)
	}
}

func (r *runner) owner() (string, string) {
	owner, name, _ := strings.Cut(r.repo, "/")
	return owner, name
}
