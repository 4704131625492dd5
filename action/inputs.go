package action

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/sethvargo/go-githubactions"
)

// Inputs are the action's inputs (action.yml), read from INPUT_* variables.
type Inputs struct {
	Token            string
	Mode             string // auto, plan, deploy
	WorkingDirectory string
	ConfigGlob       string
	FrameworkConf    string
	AWSRegion        string
	RoleToAssume     string
	RoleSessionName  string
	Audience         string
	PipelineRoleARN  string
	S3Bucket         string
	StartExecution   bool
	Wait             bool
	WaitTimeout      time.Duration
	Comment          bool
	AllowUnreviewed  bool
	RequireApproval  bool
	Pipelines        []string
}

// readInputs reads and validates the inputs; a bad value is a usage error
// that names the input.
func readInputs(gha *githubactions.Action) (Inputs, error) {
	in := Inputs{
		Token:            gha.GetInput("github-token"),
		Mode:             or(gha.GetInput("mode"), "auto"),
		WorkingDirectory: or(gha.GetInput("working-directory"), "."),
		ConfigGlob:       gha.GetInput("config-glob"),
		FrameworkConf:    gha.GetInput("framework-conf"),
		AWSRegion:        gha.GetInput("aws-region"),
		RoleToAssume:     gha.GetInput("role-to-assume"),
		RoleSessionName:  gha.GetInput("role-session-name"),
		Audience:         or(gha.GetInput("audience"), "sts.amazonaws.com"),
		PipelineRoleARN:  gha.GetInput("pipeline-role-arn"),
		S3Bucket:         gha.GetInput("s3-bucket"),
	}
	if in.Token != "" {
		gha.AddMask(in.Token)
	}
	switch in.Mode {
	case "auto", "plan", "deploy":
	default:
		return in, fmt.Errorf("input mode is %q; use auto, plan or deploy", in.Mode)
	}
	var err error
	bools := []struct {
		name string
		def  bool
		dst  *bool
	}{{"start-execution", true, &in.StartExecution}, {"wait", false, &in.Wait}, {"comment", true, &in.Comment}, {"allow-unreviewed", false, &in.AllowUnreviewed},
		{"require-approval", false, &in.RequireApproval}}
	for _, b := range bools {
		if *b.dst, err = boolInput(gha.GetInput(b.name), b.def); err != nil {
			return in, fmt.Errorf("input %s: %w", b.name, err)
		}
	}
	minutes := or(gha.GetInput("wait-timeout-minutes"), "60")
	n, err := strconv.Atoi(minutes)
	if err != nil || n < 1 {
		return in, fmt.Errorf("input wait-timeout-minutes is %q; give a whole number of minutes", minutes)
	}
	in.WaitTimeout = time.Duration(n) * time.Minute
	in.Pipelines = splitNames(gha.GetInput("pipelines"))
	if filepath.IsAbs(in.WorkingDirectory) || strings.HasPrefix(filepath.Clean(in.WorkingDirectory), "..") {
		return in, fmt.Errorf("input working-directory %q must be a path inside the repository", in.WorkingDirectory)
	}
	return in, nil
}

func boolInput(v string, def bool) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "":
		return def, nil
	case "true", "yes", "1", "on":
		return true, nil
	case "false", "no", "0", "off":
		return false, nil
	}
	return false, fmt.Errorf("%q is not true or false", v)
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
