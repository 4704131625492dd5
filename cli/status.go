package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"

	"github.com/smpipe/smpipe-action/compiler"
	"github.com/smpipe/smpipe-action/deploy"
	"github.com/smpipe/smpipe-action/ghreport"
	"github.com/smpipe/smpipe-action/internal/awsregion"
	"github.com/smpipe/smpipe-action/internal/workspace"
	"github.com/smpipe/smpipe-action/results"
)

// statusFlags are status's flags.
type statusFlags struct {
	root, region, role, execution, studio string
	pipelines                             stringList
	format                                *choice
}

func (f *statusFlags) register(fs *flag.FlagSet) {
	fs.Var(&f.pipelines, "pipeline", "report the newest execution of the pipeline `NAME` (repeatable; default: every pipeline of the repository)")
	fs.StringVar(&f.execution, "execution", "", "report the execution `ARN` (its pipeline is in the ARN)")
	fs.StringVar(&f.root, "root", "", "repository `DIR` whose pipelines are reported when no --pipeline or --execution is given")
	fs.StringVar(&f.region, "region", "", "AWS `REGION` (default: AWS_REGION, else AWS_DEFAULT_REGION, else the AWS profile's region, else "+awsregion.Default+")")
	fs.StringVar(&f.studio, "studio-domain-id", "", "link executions in the SageMaker Studio of domain `ID` (d-…; aws sagemaker list-domains) besides the console")
	fs.StringVar(&f.role, "role-to-assume", "", "assume this IAM role `ARN` with the GitHub Actions OIDC token (default: the AWS SDK's credential chain)")
	f.format = newChoice("markdown", "markdown", "json")
	fs.Var(f.format, "format", "output `FORMAT`")
}

func statusCommand() command {
	return command{
		name:    "status",
		summary: "report what pipeline executions did: steps, compute, metrics against production, the registered model",
		about: "Status reports executions as the action's report mode does: status, duration and failure reason; each " +
			"step's status, duration, cache hit and failure reason; instance-hours by instance type (billable seconds " +
			"times instance count of the training and processing jobs); the evaluation metrics the Metrics step wrote, " +
			"beside those of the latest approved model package of the group, with the gate's verdict; and the model " +
			"package registered. It reads the newest execution of each --pipeline (default: every pipeline of the " +
			"repository), or the execution --execution names, with read-only calls.",
		flags: new(statusFlags).register,
		examples: []string{
			"smpipe status --pipeline house-price-tf",
			"smpipe status --execution arn:aws:sagemaker:eu-west-1:123456789012:pipeline/house-price-tf/execution/abc123 --format json",
		},
		env: []string{
			envAWSCredentials,
			"AWS_REGION, AWS_DEFAULT_REGION        the region",
			envAWSEndpoints,
		},
		exits: []string{"0  reported (whatever the executions' status)", "1  SageMaker could not be read", "2  usage mistake"},
		run: func(inv invocation, args []string) int {
			return runStatus(inv.ctx, args, inv.stdout, inv.stderr, inv.getenv)
		},
	}
}

func runStatus(ctx context.Context, args []string, stdout, stderr io.Writer, getenv env) int {
	var f statusFlags
	paths, code, ok := parseFlags("status", f.register, args, stdout, stderr)
	if !ok {
		return code
	}
	if len(paths) > 0 || f.execution != "" && len(f.pipelines) > 0 {
		fmt.Fprintln(stderr, "smpipe status: name pipelines with --pipeline, or one execution with --execution")
		return exitUsage
	}
	type target struct{ pipeline, arn string }
	var targets []target
	switch {
	case f.execution != "":
		p, ok := results.PipelineOf(f.execution)
		if !ok {
			fmt.Fprintf(stderr, "smpipe status: %q is not a SageMaker pipeline execution ARN\n", f.execution)
			return exitUsage
		}
		targets = append(targets, target{p, f.execution})
		if f.region == "" { // the execution's region, unless told otherwise
			f.region, _ = results.RegionOf(f.execution)
		}
	case len(f.pipelines) > 0:
		for _, p := range f.pipelines {
			targets = append(targets, target{pipeline: p})
		}
	default:
		names, err := repositoryPipelines(ctx, f.root, getenv)
		if err != nil {
			fmt.Fprintf(stderr, "smpipe status: %v\n", err)
			return exitUsage
		}
		for _, p := range names {
			targets = append(targets, target{pipeline: p})
		}
	}
	if f.studio != "" && !results.ValidStudioDomain(f.studio) {
		fmt.Fprintf(stderr, "smpipe status: --studio-domain-id %q is not a SageMaker domain ID such as d-abcdefgh1234\n", f.studio)
		return exitUsage
	}
	region := awsregion.Resolve(ctx, f.region, "--region", getenv.get).Region
	cfg, err := deploy.LoadAWSConfig(ctx, deploy.CredentialOptions{Region: region, RoleToAssume: f.role, Getenv: getenv.get})
	if err != nil {
		fmt.Fprintf(stderr, "smpipe status: %v\n", err)
		return exitProblem
	}
	sm, s3c := deploy.NewClients(cfg, getenv.get)
	reader := &results.Reader{SageMaker: sm, S3: s3c, Region: region, StudioDomain: f.studio}
	var execs []*results.Execution
	failed := false
	for _, t := range targets {
		arn := t.arn
		if arn == "" {
			if arn, err = reader.Latest(ctx, t.pipeline); err != nil {
				fmt.Fprintf(stderr, "smpipe status: %v\n", err)
				failed = true
				continue
			}
			if arn == "" {
				fmt.Fprintf(stderr, "smpipe status: pipeline %q has no execution in %s\n", t.pipeline, region)
				continue
			}
		}
		e, err := reader.Read(ctx, t.pipeline, arn)
		if err != nil {
			fmt.Fprintf(stderr, "smpipe status: %v\n", err)
			failed = true
			continue
		}
		execs = append(execs, e)
	}
	if f.format.value == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if execs == nil {
			execs = []*results.Execution{}
		}
		_ = enc.Encode(map[string]any{"executions": execs})
	} else {
		for _, e := range execs {
			fmt.Fprint(stdout, ghreport.ExecutionMarkdown(e, ghreport.ResultOptions{}))
		}
	}
	if failed {
		return exitProblem
	}
	return exitOK
}

// repositoryPipelines are the pipeline names of the repository at root
// (found as compile finds it).
func repositoryPipelines(ctx context.Context, root string, getenv env) ([]string, error) {
	c := compileFlags{root: root}
	dir, opt, err := c.options(nil, getenv)
	if err != nil {
		return nil, err
	}
	fsys, err := workspace.Open(dir)
	if err != nil {
		return nil, err
	}
	defer fsys.Close()
	repo, err := compiler.Load(ctx, fsys, opt)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, a := range repo.Anchors() {
		if a.Name != "" {
			out = append(out, a.Name)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no pipeline in the repository at %s; name one with --pipeline", dir)
	}
	return out, nil
}
