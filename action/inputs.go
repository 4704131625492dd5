package action

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/sethvargo/go-githubactions"

	"github.com/smpipe/smpipe-action/compiler"
	"github.com/smpipe/smpipe-action/deploy"
	"github.com/smpipe/smpipe-action/internal/listinput"
	"github.com/smpipe/smpipe-action/internal/workspace"
	"github.com/smpipe/smpipe-action/preview"
	"github.com/smpipe/smpipe-action/results"
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
	RoleDuration     time.Duration
	Audience         string
	// AllowedAccountIDs, when set, are the only AWS accounts a deploy may
	// write to.
	AllowedAccountIDs []string
	MaskAccountID     bool
	PipelineRoleARN   string
	S3Bucket          string
	// Overrides of the framework conf's network settings, as the CLI's
	// --subnets, --security-groups and --kms-key; the KMS key also encrypts
	// the staged code (SSE-KMS).
	Subnets, SecurityGroups, KMSKey string
	Strict                          bool
	StartExecution                  bool
	Wait                            bool
	WaitTimeout                     time.Duration
	Comment                         commentMode
	Label                           string
	AllowUnreviewed                 bool
	RequireApproval                 bool
	Pipelines                       []string
	MaxFileSize                     int64 // bytes; 0 is the compiler's default
	// Adopt names existing pipelines smpipe did not create for this
	// repository that a deploy may take over.
	Adopt []string
	// DeployBranches are branches other than the default one a push or a
	// dispatch may deploy from.
	DeployBranches []string
	// AllowEmpty names the SMP_* placeholders that may resolve to the
	// empty string.
	AllowEmpty []string
	// Deployments records started executions as GitHub deployments, in
	// environments named by DeploymentEnvironment ("{pipeline}" stands for
	// the pipeline's name).
	Deployments           bool
	DeploymentEnvironment string
	// StudioDomain is the SageMaker Studio domain ID that results link
	// executions in; empty links the console only.
	StudioDomain string
	// PreviewEnvironment is the GitHub environment a preview job must run
	// in, read from its OIDC token.
	PreviewEnvironment string
	// PreviewLabel asks for a preview (mode preview); PreviewRoleARN is
	// the previews' execution role, PreviewPrefix the S3 key prefix they
	// stage and write under. PreviewCleanup makes mode report delete the
	// previews of closed pull requests.
	PreviewLabel, PreviewRoleARN, PreviewPrefix string
	PreviewCleanup                              bool
}

// maxWaitMinutes bounds wait-timeout-minutes: longer than any runner keeps a
// job, and far from overflowing a time.Duration.
const maxWaitMinutes = 30 * 24 * 60

// commentMode is the comment input, spelled as dflook/terraform-github-
// actions' add_github_comment.
type commentMode string

const (
	commentSticky      commentMode = "true"         // one comment per label, edited by each run
	commentChangesOnly commentMode = "changes-only" // as true, but created only when something changed or failed
	commentAlwaysNew   commentMode = "always-new"   // a new comment per run; the earlier ones marked outdated
	commentOff         commentMode = "false"
)

// Limits of the inputs, as STS and GitHub set them.
const (
	minRoleDuration = 900   // seconds; STS's minimum
	maxRoleDuration = 43200 // seconds; STS's maximum (12 hours)
	maxLabelRunes   = 64
)

// readInputs reads and validates the inputs; a bad value is a usage error
// that names the input.
func readInputs(gha *githubactions.Action) (Inputs, error) {
	in := Inputs{
		Token:              gha.GetInput("github-token"),
		Mode:               or(gha.GetInput("mode"), "auto"),
		WorkingDirectory:   or(gha.GetInput("working-directory"), "."),
		ConfigGlob:         gha.GetInput("config-glob"),
		FrameworkConf:      gha.GetInput("framework-conf"),
		AWSRegion:          gha.GetInput("aws-region"),
		RoleToAssume:       gha.GetInput("role-to-assume"),
		RoleSessionName:    gha.GetInput("role-session-name"),
		Audience:           or(gha.GetInput("audience"), "sts.amazonaws.com"),
		PipelineRoleARN:    gha.GetInput("pipeline-role-arn"),
		S3Bucket:           gha.GetInput("s3-bucket"),
		Subnets:            gha.GetInput("subnets"),
		SecurityGroups:     gha.GetInput("security-groups"),
		KMSKey:             gha.GetInput("kms-key"),
		Label:              gha.GetInput("label"),
		PreviewLabel:       or(gha.GetInput("preview-label"), "smpipe:preview"),
		PreviewRoleARN:     gha.GetInput("preview-role-arn"),
		PreviewEnvironment: or(gha.GetInput("preview-environment"), "preview"),
		PreviewPrefix:      or(gha.GetInput("preview-prefix"), preview.DefaultPrefix),
	}
	if in.Token != "" {
		gha.AddMask(in.Token)
	}
	switch in.Mode {
	case "auto", "plan", "deploy", "report", "preview":
	default:
		return in, fmt.Errorf("input mode is %q; use auto, plan, deploy, report or preview", in.Mode)
	}
	var err error
	bools := []struct {
		name string
		def  bool
		dst  *bool
	}{{"start-execution", true, &in.StartExecution}, {"wait", false, &in.Wait}, {"allow-unreviewed", false, &in.AllowUnreviewed},
		{"require-approval", true, &in.RequireApproval}, {"deployments", true, &in.Deployments}, {"preview-cleanup", false, &in.PreviewCleanup}, {"mask-aws-account-id", false, &in.MaskAccountID}, {"strict", false, &in.Strict}}
	for _, b := range bools {
		if *b.dst, err = boolInput(gha.GetInput(b.name), b.def); err != nil {
			return in, fmt.Errorf("input %s: %w", b.name, err)
		}
	}
	if in.Comment, err = commentInput(gha.GetInput("comment")); err != nil {
		return in, err
	}
	minutes := or(gha.GetInput("wait-timeout-minutes"), "60")
	n, err := strconv.Atoi(minutes)
	if err != nil || n < 1 || n > maxWaitMinutes {
		return in, fmt.Errorf("input wait-timeout-minutes is %q; give a whole number of minutes from 1 to %d (30 days)", minutes, maxWaitMinutes)
	}
	in.WaitTimeout = time.Duration(n) * time.Minute
	seconds := or(gha.GetInput("role-duration-seconds"), "3600")
	if n, err = strconv.Atoi(seconds); err != nil || n < minRoleDuration || n > maxRoleDuration {
		return in, fmt.Errorf("input role-duration-seconds is %q; give whole seconds from %d (15 minutes) to %d (12 hours), "+
			"at most the role's maximum session duration", seconds, minRoleDuration, maxRoleDuration)
	}
	in.RoleDuration = time.Duration(n) * time.Second
	if in.AllowedAccountIDs, err = deploy.ParseAccountIDs(gha.GetInput("allowed-account-ids")); err != nil {
		return in, fmt.Errorf("input allowed-account-ids: %w", err)
	}
	if err := checkLabel(in.Label); err != nil {
		return in, err
	}
	if strings.TrimSpace(in.PreviewLabel) == "" || !oneLine(in.PreviewLabel, 50) {
		return in, fmt.Errorf("input preview-label %q must be a GitHub label name: one line of at most 50 characters", in.PreviewLabel)
	}
	if !oneLine(in.PreviewEnvironment, 255) {
		return in, fmt.Errorf("input preview-environment %q must be a GitHub environment name: one line of at most 255 characters", in.PreviewEnvironment)
	}
	if err := preview.CheckPrefix(in.PreviewPrefix); err != nil {
		return in, fmt.Errorf("input preview-prefix: %w", err)
	}
	if v := gha.GetInput("max-file-size"); v != "" {
		if in.MaxFileSize, err = workspace.ParseSize(v); err != nil {
			return in, fmt.Errorf("input max-file-size: %w", err)
		}
	}
	in.Pipelines = listinput.Split(gha.GetInput("pipelines"))
	in.Adopt = listinput.Split(gha.GetInput("adopt"))
	in.DeployBranches = listinput.Split(gha.GetInput("deploy-branches"))
	for i, b := range in.DeployBranches {
		in.DeployBranches[i] = strings.TrimPrefix(b, "refs/heads/")
	}
	in.DeploymentEnvironment = or(gha.GetInput("deployment-environment"), "{pipeline}")
	if err := checkEnvironment(in.DeploymentEnvironment); err != nil {
		return in, err
	}
	if in.StudioDomain = strings.TrimSpace(gha.GetInput("studio-domain-id")); in.StudioDomain != "" && !results.ValidStudioDomain(in.StudioDomain) {
		return in, fmt.Errorf("input studio-domain-id is %q; give a SageMaker domain ID such as d-abcdefgh1234 (aws sagemaker list-domains)", in.StudioDomain)
	}
	in.AllowEmpty = listinput.Split(gha.GetInput("allow-empty"))
	for _, name := range in.AllowEmpty {
		if !compiler.IsPlaceholder(name) {
			return in, fmt.Errorf("input allow-empty: %q is not a placeholder name (SMP_ followed by capital letters, digits and underscores)", name)
		}
	}
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

// commentInput reads the comment input; the boolean spellings of releases
// before the modes keep their meaning.
func commentInput(v string) (commentMode, error) {
	switch m := commentMode(strings.ToLower(strings.TrimSpace(v))); m {
	case commentChangesOnly, commentAlwaysNew:
		return m, nil
	}
	on, err := boolInput(v, true)
	switch {
	case err != nil:
		return "", fmt.Errorf("input comment is %q; use true, changes-only, always-new or false", v)
	case on:
		return commentSticky, nil
	}
	return commentOff, nil
}

// oneLine reports whether s is at most max characters with no control
// character (a line break included): what a name shown in a comment, a
// label or an environment may be.
func oneLine(s string, max int) bool {
	return utf8.RuneCountInString(s) <= max && !strings.ContainsFunc(s, unicode.IsControl)
}

// checkEnvironment keeps the deployment environment template to what
// GitHub accepts as an environment name once "{pipeline}" is replaced.
func checkEnvironment(tmpl string) error {
	if !oneLine(tmpl, 200) || strings.ContainsAny(tmpl, ",;\\") {
		return fmt.Errorf("input deployment-environment %q must be a short name (letters, digits, -, _, / and {pipeline})", tmpl)
	}
	return nil
}

// checkLabel keeps a label to one short line: it heads a comment and sits in
// its marker, and a plan job's workflow file comes from the pull request.
func checkLabel(label string) error {
	if n := utf8.RuneCountInString(label); n > maxLabelRunes {
		return fmt.Errorf("input label has %d characters; keep it to %d (it heads the comment)", n, maxLabelRunes)
	}
	if strings.ContainsFunc(label, unicode.IsControl) || !utf8.ValidString(label) {
		return fmt.Errorf("input label %q must be one line of text", label)
	}
	return nil
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
