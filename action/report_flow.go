package action

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/go-github/v60/github"

	"github.com/smpipe/smpipe-action/deploy"
	"github.com/smpipe/smpipe-action/ghreport"
	"github.com/smpipe/smpipe-action/results"
)

// environment is the deployment environment of pipeline.
func (r *runner) environment(pipeline string) string {
	return strings.ReplaceAll(r.in.DeploymentEnvironment, "{pipeline}", pipeline)
}

// follower follows executions: reading them with the credentials
// awsConfig made (none yet: links only), recording them as GitHub
// deployments unless the deployments input is off, and, when show is set,
// showing ended ones in their pull request comment unless the comment
// input is off.
func (r *runner) follower(ctx context.Context, show bool) (*results.Follower, error) {
	f := &results.Follower{Reader: &results.Reader{Region: r.region, StudioDomain: r.in.StudioDomain}, Repository: r.repo,
		Logf: func(format string, args ...any) { fmt.Fprintf(r.env.Stdout, "smpipe: "+format+"\n", args...) }}
	if r.awsCfg != nil {
		f.Reader.SageMaker, f.Reader.S3 = deploy.NewClients(*r.awsCfg, r.env.Getenv)
	}
	if !r.in.Deployments || r.in.Token == "" {
		return f, nil
	}
	c, err := r.client(ctx)
	if err != nil {
		return f, err
	}
	owner, repo := r.owner()
	f.Records = ghreport.Deployments{Client: c, Owner: owner, Repo: repo}
	if show && r.in.Comment != commentOff {
		f.Display = ghreport.ResultComments{Client: c, Owner: owner, Repo: repo, Redact: r.redact}
	}
	return f, nil
}

// followExecutions is what the deploy does for the executions it started:
// one GitHub deployment each (per pipeline and commit), in progress until
// the execution ends; with wait, the execution's results at once. It
// returns each pipeline's results block for the deploy comment, which pr
// (0: none) carries, and finish, which gives the records of ended
// executions their final state: to be called once the comment holds the
// results (or there is no comment to write), so that results the comment
// could not take are left to the report run.
func (r *runner) followExecutions(ctx context.Context, sha string, pr int, deployed []deploy.Result) *followed {
	var targets []results.Target
	for _, res := range deployed {
		if res.ExecutionARN != "" && (res.Start == deploy.Started || res.Start == deploy.AlreadyStarted) {
			targets = append(targets, r.target(res.Pipeline, res.ExecutionARN, sha, pr))
		}
	}
	return r.track(ctx, sha, targets)
}

// followed is what track made of the executions a run started: each
// pipeline's results block (the results at once with wait, else a running
// line), the same compact (no steps table) for a comment over its budget,
// and the records to end once the results are shown.
type followed struct {
	blocks, compact map[string]string
	follower        *results.Follower
	outcomes        []results.Outcome
}

// finish ends the records of ended executions whose results shown says
// the comment holds (nil: all of them, there being no comment to write);
// the others are left to the report run.
func (fw *followed) finish(ctx context.Context, r *runner, shown func(pipeline, execution string) bool) {
	if fw.follower == nil {
		return
	}
	var done []results.Outcome
	for _, o := range fw.outcomes {
		if shown == nil || shown(o.Target.Pipeline, o.Target.Execution) {
			done = append(done, o)
		} else if e := o.Execution; e != nil && e.Over() {
			r.gha.Warningf("smpipe: the results of %s did not fit in the comment; they are left to the report run", o.Target.Execution)
		}
	}
	if err := fw.follower.Finish(ctx, done); err != nil {
		r.warnRecords(err)
	}
}

// track records targets, executions started for commit sha (see followed).
func (r *runner) track(ctx context.Context, sha string, targets []results.Target) *followed {
	fw := &followed{blocks: map[string]string{}, compact: map[string]string{}}
	if len(targets) == 0 {
		return fw
	}
	f, err := r.follower(ctx, false)
	if err != nil {
		r.warnRecords(err)
	}
	read := r.in.Wait && f.Reader.SageMaker != nil
	outcomes, err := f.Track(ctx, sha, targets, read)
	if err != nil {
		r.warnRecords(err)
	}
	for _, o := range outcomes {
		t := o.Target
		if o.Err != nil {
			r.gha.Warningf("smpipe: reading the results of %s: %s", t.Execution, o.Err)
		}
		if e := o.Execution; e.Over() {
			fw.blocks[t.Pipeline] = ghreport.ExecutionMarkdown(e, ghreport.ResultOptions{})
			fw.compact[t.Pipeline] = ghreport.ExecutionMarkdown(e, ghreport.ResultOptions{Compact: true})
		} else {
			fw.blocks[t.Pipeline] = ghreport.RunningMarkdown(e)
			fw.compact[t.Pipeline] = fw.blocks[t.Pipeline]
		}
	}
	fw.follower, fw.outcomes = f, outcomes
	return fw
}

// target is an execution this run started for commit sha, its results
// shown in the deploy comment on pull request pr.
func (r *runner) target(pipeline, arn, sha string, pr int) results.Target {
	t := results.Target{Pipeline: pipeline, Execution: arn, Region: r.region, Commit: sha, Environment: r.environment(pipeline), Production: true}
	if pr > 0 {
		t.Comment = results.Comment{PR: pr, Kind: ghreport.KindDeploy, Label: r.in.Label}
	}
	return t
}

// warnRecords says that executions could not be recorded as GitHub
// deployments, and why.
func (r *runner) warnRecords(err error) {
	hint := ""
	var er *github.ErrorResponse
	if errors.As(err, &er) && er.Response != nil && (er.Response.StatusCode == http.StatusForbidden || er.Response.StatusCode == http.StatusNotFound) {
		hint = " (give the job `permissions: deployments: write`, or set the deployments input to false)"
	}
	r.gha.Warningf("smpipe: could not record the executions as GitHub deployments%s: %s", hint, err)
}

// report is mode report: it follows every execution smpipe recorded as a
// GitHub deployment without a final state, and for each one that has ended
// writes its results into its pull request comment, the job summary and
// the deployment's final state. What to follow comes from GitHub's records
// and SageMaker only; a re-run finds nothing left to report twice.
func (r *runner) report(ctx context.Context) int {
	gha := r.gha
	switch {
	case r.in.Token == "":
		return r.refuse("smpipe: mode report needs the github-token input: it follows the executions recorded as GitHub deployments")
	case !r.in.Deployments:
		return r.refuse("smpipe: mode report follows the executions recorded as GitHub deployments, which the deployments input turns off; set it to true")
	}
	if _, _, err := r.awsConfig(ctx); err != nil {
		return r.refuse("smpipe: " + err.Error())
	}
	f, err := r.follower(ctx, true)
	if err != nil {
		return r.refuse("smpipe: " + err.Error())
	}
	outcomes, err := f.Poll(ctx)
	if err != nil {
		return r.refuse("smpipe: " + err.Error())
	}
	var out outputs
	var reported strings.Builder
	running := 0
	for _, o := range outcomes {
		switch {
		case o.Skipped != "":
			gha.Noticef("smpipe: %s", o.Skipped)
			continue
		case o.Err != nil: // before a warning: the record may not have been ended
			gha.Errorf("smpipe: %s (%s): %s", o.Target.Pipeline, o.Target.Execution, o.Err)
			out.errors++
		case o.Warning != "":
			gha.Warningf("smpipe: %s: %s; it is in this job summary and the deployment", o.Target.Pipeline, o.Warning)
			reported.WriteString(ghreport.ExecutionMarkdown(o.Execution, ghreport.ResultOptions{}))
		case o.Reported:
			reported.WriteString(ghreport.ExecutionMarkdown(o.Execution, ghreport.ResultOptions{}))
		default:
			running++
		}
		status := ""
		if o.Execution != nil {
			status = o.Execution.Status
		}
		out.pipelines = append(out.pipelines, pipelineOutput{Name: o.Target.Pipeline, Status: status, ExecutionARN: o.Target.Execution})
	}
	report := ghreport.ResultsTitle + "\n"
	switch {
	case reported.Len() > 0:
		report += reported.String()
	case running > 0:
		report += "\nNo followed execution has ended since the last report.\n"
	case out.errors == 0:
		report += "\nNo execution to follow: every execution smpipe started has been reported.\n"
	}
	if out.errors > 0 {
		report += fmt.Sprintf("\n%d followed execution(s) could not be read or reported; the log says why, and the next run tries again.\n", out.errors)
	}
	out.report = r.redact(report)
	r.summary(out.report)
	r.setOutputs(out)
	if out.errors > 0 {
		return exitFailed
	}
	return exitOK
}
