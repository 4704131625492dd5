package action

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"

	"github.com/google/go-github/v60/github"

	"github.com/smpipe/smpipe-action/deploy"
	"github.com/smpipe/smpipe-action/ghreport"
	"github.com/smpipe/smpipe-action/internal/awsname"
	"github.com/smpipe/smpipe-action/results"
)

// environment is the deployment environment of pipeline.
func (r *runner) environment(pipeline string) string {
	return strings.ReplaceAll(r.in.DeploymentEnvironment, "{pipeline}", pipeline)
}

// reader reads executions with the credentials awsConfig made.
func (r *runner) reader() *results.Reader {
	if r.awsCfg == nil {
		return nil
	}
	sm, s3c := deploy.NewClients(*r.awsCfg, r.env.Getenv)
	return &results.Reader{SageMaker: sm, S3: s3c, Region: r.region}
}

// finalState is the deployment state an execution that is over ends in.
func finalState(e *results.Execution) string {
	switch e.Status {
	case "Succeeded":
		return "success"
	case "Failed", "CompletedWithFailures":
		return "failure"
	}
	return "error" // stopped by hand, or gone
}

// stateDescription is a deployment status's one line.
func stateDescription(e *results.Execution) string {
	s := e.Status
	if e.Duration > 0 {
		s += " in " + e.Duration.Round(1e9).String()
	}
	if g := e.Gate; g != nil && g.Verdict != "" {
		s += "; quality gate " + g.Verdict
	}
	return s
}

// followExecutions is what the deploy does for the executions it started:
// one GitHub deployment each (per pipeline and commit), in progress until
// the execution ends; with wait, the execution's results at once. It
// returns each pipeline's results block for the deploy comment.
func (r *runner) followExecutions(ctx context.Context, sha string, pr int, deployed []deploy.Result) map[string]string {
	return r.follow(ctx, sha, pr, ghreport.KindDeploy, deployed)
}

// follow is followExecutions for the comment of kind on pull request pr
// (KindDeploy, or KindPlan for a preview's): the report run puts each
// execution's results there.
func (r *runner) follow(ctx context.Context, sha string, pr int, kind string, deployed []deploy.Result) map[string]string {
	blocks := map[string]string{}
	var started []deploy.Result
	for _, res := range deployed {
		if res.ExecutionARN != "" && (res.Start == deploy.Started || res.Start == deploy.AlreadyStarted) {
			started = append(started, res)
		}
	}
	if len(started) == 0 {
		return blocks
	}
	reader := r.reader()
	ds := r.deployments(ctx, sha)
	ds.pr, ds.kind = pr, kind
	for _, res := range started {
		var e *results.Execution
		if reader != nil && terminalStatus(res.ExecutionStatus) {
			var err error
			if e, err = reader.Read(ctx, res.Pipeline, res.ExecutionARN); err != nil {
				r.gha.Warningf("smpipe: reading the results of %s: %s", res.ExecutionARN, err)
				e = nil
			}
		}
		url := results.ExecutionURL(r.region, res.Pipeline, res.ExecutionARN)
		if e != nil {
			blocks[res.Pipeline] = ghreport.ExecutionMarkdown(e)
		} else {
			blocks[res.Pipeline] = ghreport.RunningMarkdown(res.Pipeline, res.ExecutionARN, url)
		}
		ds.record(ctx, res, url, e)
	}
	return blocks
}

func terminalStatus(s string) bool {
	switch s {
	case "Succeeded", "Failed", "Stopped", "CompletedWithFailures":
		return true
	}
	return false
}

// deploymentsOf keeps one commit's deployments for a deploy run.
type deploymentsOf struct {
	r        *runner
	sha      string
	pr       int
	kind     string                         // of the comment the results go to
	existing map[string]ghreport.Deployment // by environment
	off      bool                           // the token may not write deployments
	once     sync.Once
}

// deployments lists commit sha's deployments, once, so a re-run of the job
// adds statuses to them instead of recording them twice.
func (r *runner) deployments(ctx context.Context, sha string) *deploymentsOf {
	d := &deploymentsOf{r: r, sha: sha, existing: map[string]ghreport.Deployment{}}
	if !r.in.Deployments || r.in.Token == "" {
		d.off = true
		return d
	}
	c, err := r.client(ctx)
	if err == nil {
		owner, repo := r.owner()
		var list []ghreport.Deployment
		if list, err = ghreport.ListDeployments(ctx, c, owner, repo, sha); err == nil {
			for _, dep := range list {
				if _, seen := d.existing[dep.Environment]; !seen {
					d.existing[dep.Environment] = dep
				}
			}
		}
	}
	if err != nil {
		d.warn(err)
	}
	return d
}

// record makes sure pipeline's execution has a deployment, in progress, or
// final when e is over.
func (d *deploymentsOf) record(ctx context.Context, res deploy.Result, logURL string, e *results.Execution) {
	if d.off {
		return
	}
	r := d.r
	c, err := r.client(ctx)
	if err != nil {
		d.warn(err)
		return
	}
	owner, repo := r.owner()
	env := r.environment(res.Pipeline)
	dep, ok := d.existing[env]
	if !ok || dep.Payload.Execution != res.ExecutionARN {
		p := ghreport.DeploymentPayload{Pipeline: res.Pipeline, Execution: res.ExecutionARN, Region: r.region, PR: d.pr, Label: r.in.Label, Kind: d.kind}
		create := ghreport.CreateDeployment
		if d.kind == ghreport.KindPlan {
			create = ghreport.CreatePreviewDeployment
		}
		if dep, err = create(ctx, c, owner, repo, d.sha, env, p, "smpipe: "+res.Pipeline+" execution started"); err != nil {
			d.warn(err)
			return
		}
	}
	state, desc := "in_progress", "running"
	if e != nil && e.Over() {
		state, desc = finalState(e), stateDescription(e)
	}
	if dep.State == state {
		return
	}
	if err := ghreport.SetDeploymentState(ctx, c, owner, repo, dep.ID, state, logURL, desc); err != nil {
		d.warn(err)
	}
}

// warn says once that deployments could not be recorded, and why.
func (d *deploymentsOf) warn(err error) {
	d.once.Do(func() {
		hint := ""
		var er *github.ErrorResponse
		if errors.As(err, &er) && er.Response != nil && (er.Response.StatusCode == http.StatusForbidden || er.Response.StatusCode == http.StatusNotFound) {
			hint = " (give the job `permissions: deployments: write`, or set the deployments input to false)"
		}
		d.r.gha.Warningf("smpipe: could not record the executions as GitHub deployments%s: %s", hint, err)
		d.off = true
	})
}

// executionARN is what an execution ARN of pipeline in region looks like:
// a deployment's payload is text any workflow with deployments: write can
// write, so it is checked before anything is read for it.
var executionARN = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^arn:aws[a-z-]*:sagemaker:([a-z0-9-]+):\d{12}:pipeline/([A-Za-z0-9-]+)/execution/[A-Za-z0-9]+$`)
})

// report is mode report: it follows every execution smpipe recorded as a
// GitHub deployment without a final state, and for each one that has ended
// writes its results into the deploy comment, the job summary and the
// deployment's final state. What to follow comes from GitHub's records and
// SageMaker only; a re-run finds nothing left to report twice.
func (r *runner) report(ctx context.Context) int {
	gha := r.gha
	if r.in.Token == "" {
		return r.refuse("smpipe: mode report needs the github-token input: it follows the executions recorded as GitHub deployments")
	}
	c, err := r.client(ctx)
	if err != nil {
		return r.refuse("smpipe: " + err.Error())
	}
	owner, repo := r.owner()
	all, err := ghreport.ListDeployments(ctx, c, owner, repo, "")
	if err != nil {
		return r.refuse("smpipe: " + err.Error())
	}
	var open []ghreport.Deployment
	for _, d := range all {
		if !d.Final() {
			open = append(open, d)
		}
	}
	if len(open) == 0 {
		note := "No execution to follow: every execution smpipe started has been reported."
		r.summary(ghreport.DeployNote(r.in.Label, note))
		r.setOutputs(outputs{report: note})
		gha.Noticef("smpipe: %s", note)
		return exitOK
	}
	if _, _, err := r.awsConfig(ctx); err != nil {
		return r.refuse("smpipe: " + err.Error())
	}
	reader := r.reader()
	var out outputs
	var summary strings.Builder
	failed := 0
	for _, d := range open {
		p := d.Payload
		m := executionARN().FindStringSubmatch(p.Execution)
		switch {
		case !awsname.Hyphenated(p.Pipeline, 256) || m == nil || !strings.EqualFold(m[2], p.Pipeline):
			gha.Warningf("smpipe: deployment %d does not name a pipeline and one of its executions; left alone", d.ID)
			continue
		case m[1] != r.region:
			gha.Noticef("smpipe: deployment %d follows an execution in %s; this run reads %s (set aws-region)", d.ID, m[1], r.region)
			continue
		}
		e, err := reader.Read(ctx, p.Pipeline, p.Execution)
		if err != nil {
			gha.Errorf("smpipe: reading execution %s of %s: %s", p.Execution, p.Pipeline, err)
			failed++
			continue
		}
		out.pipelines = append(out.pipelines, pipelineOutput{Name: p.Pipeline, Status: e.Status, ExecutionARN: e.ARN})
		if !e.Over() {
			fmt.Fprintf(r.env.Stdout, "smpipe: %s: execution %s is %s\n", p.Pipeline, e.ARN, e.Status)
			continue
		}
		md := ghreport.ExecutionMarkdown(e)
		summary.WriteString(md)
		// The comment first: the final state ends the following, so a
		// failed edit is retried by the next run.
		if p.PR > 0 && r.in.Comment != commentOff {
			var err error
			if p.Kind == ghreport.KindPlan { // a preview: its section of the plan comment
				_, err = ghreport.EditPlanComment(ctx, c, owner, repo, p.PR, p.Label, func(body string) string {
					return ghreport.SetPreviewResult(body, p.Pipeline, p.Execution, md)
				})
			} else {
				_, err = ghreport.EditDeployComment(ctx, c, owner, repo, p.PR, p.Label, d.SHA, func(body string) string {
					return ghreport.SetResult(body, p.Pipeline, md)
				})
			}
			if err != nil {
				gha.Warningf("smpipe: could not put the results of %s into pull request #%d: %s", p.Pipeline, p.PR, err)
				failed++
				continue
			}
		}
		if err := ghreport.SetDeploymentState(ctx, c, owner, repo, d.ID, finalState(e), e.ConsoleURL, stateDescription(e)); err != nil {
			gha.Errorf("smpipe: %s", err)
			failed++
			continue
		}
		fmt.Fprintf(r.env.Stdout, "smpipe: %s: execution %s %s; reported\n", p.Pipeline, e.ARN, e.Status)
	}
	report := ghreport.ResultsTitle + "\n"
	if summary.Len() == 0 {
		report += "\nNo followed execution has ended since the last report.\n"
	} else {
		report += summary.String()
	}
	report = r.redact(report)
	r.summary(report)
	out.report, out.errors = report, failed
	r.setOutputs(out)
	if failed > 0 {
		return exitFailed
	}
	return exitOK
}
