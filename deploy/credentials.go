package deploy

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/sethvargo/go-githubactions"

	"github.com/smpipe/smpipe-action/internal/awsregion"
	"github.com/smpipe/smpipe-action/internal/listinput"
	sleeppkg "github.com/smpipe/smpipe-action/internal/sleep"
)

// DefaultAudience is the audience of the GitHub OIDC token that STS expects.
const DefaultAudience = "sts.amazonaws.com"

// TokenFunc returns a GitHub Actions OIDC token for audience.
type TokenFunc func(ctx context.Context, audience string) (string, error)

// CredentialOptions say how LoadAWSConfig gets credentials.
type CredentialOptions struct {
	Region string // as awsregion.Resolve decides it; empty: resolved here, the same way
	// RoleToAssume, when set, is assumed with the workflow's OIDC token;
	// otherwise the SDK's default credential chain is used.
	RoleToAssume    string
	RoleSessionName string        // default DefaultRoleSessionName(GITHUB_RUN_ID)
	Audience        string        // default DefaultAudience
	Duration        time.Duration // session length (900 s to 12 h, at most the role's maximum); zero lets STS choose (1 h)
	// Token fetches the OIDC token; default go-githubactions GetIDToken,
	// which reads ACTIONS_ID_TOKEN_REQUEST_URL and _TOKEN through Getenv.
	Token TokenFunc
	// Getenv reads the environment; default os.Getenv.
	Getenv func(string) string
	// Sleep waits between token attempts; default a timer honouring ctx.
	Sleep func(context.Context, time.Duration) error
}

// tokenAttempts bounds how often a failing OIDC token request is retried.
const tokenAttempts = 5

// credentialRefreshWindow refreshes role credentials this long before they
// expire, so long waits never run on expired credentials.
const credentialRefreshWindow = 5 * time.Minute

// LoadAWSConfig returns an aws.Config for deploying. With RoleToAssume it
// exchanges the workflow's OIDC token for role credentials through STS
// AssumeRoleWithWebIdentity, cached and refreshed before expiry, and fetches
// them once now so that a missing permission or a trust-policy mismatch is
// reported here with advice. Endpoints follow AWS_ENDPOINT_URL and
// AWS_ENDPOINT_URL_<SERVICE>; the STS client inside the provider is given its
// endpoint explicitly, because the SDK builds credential providers before it
// applies the global endpoint.
func LoadAWSConfig(ctx context.Context, o CredentialOptions) (aws.Config, error) {
	getenv := o.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	region := awsregion.Resolve(ctx, o.Region, "", getenv).Region
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(region))
	if err != nil {
		return aws.Config{}, fmt.Errorf("loading AWS configuration: %w", err)
	}
	if o.RoleToAssume == "" {
		// Ask now, once: otherwise every pipeline's first call fails with
		// the SDK's long chain error.
		if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
			if ctx.Err() != nil {
				return aws.Config{}, fmt.Errorf("getting AWS credentials: %w", ctx.Err())
			}
			return aws.Config{}, noCredentials(getenv)
		}
		return cfg, nil
	}

	session := o.RoleSessionName
	if session == "" {
		session = DefaultRoleSessionName(getenv("GITHUB_RUN_ID"))
	} else {
		session = RoleSessionName(session)
	}
	stsClient := newSTS(cfg, getenv)
	retriever := o.tokenRetriever(context.WithoutCancel(ctx), getenv)
	audience := retriever.audience
	provider := stscreds.NewWebIdentityRoleProvider(stsClient, o.RoleToAssume, retriever, func(wo *stscreds.WebIdentityRoleOptions) {
		wo.RoleSessionName = session
		wo.Duration = o.Duration
	})
	cfg.Credentials = aws.NewCredentialsCache(provider, func(co *aws.CredentialsCacheOptions) {
		co.ExpiryWindow = credentialRefreshWindow
	})
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		return aws.Config{}, explainCredentialError(err, o.RoleToAssume, audience)
	}
	return cfg, nil
}

// tokenRetriever fetches the job's OIDC token as o says, with the defaults
// of CredentialOptions.
func (o CredentialOptions) tokenRetriever(ctx context.Context, getenv func(string) string) *oidcToken {
	t := &oidcToken{ctx: ctx, fetch: o.Token, audience: o.Audience, sleep: o.Sleep}
	if t.audience == "" {
		t.audience = DefaultAudience
	}
	if t.fetch == nil {
		t.fetch = githubactions.New(githubactions.WithGetenv(getenv)).GetIDToken
	}
	if t.sleep == nil {
		t.sleep = sleeppkg.Context
	}
	return t
}

// JobClaims are the claims of the workflow job's OIDC token that say where
// the job runs: what an IAM trust policy's conditions compare.
type JobClaims struct {
	// Subject is the sub claim: repo:OWNER/REPO:environment:NAME for a job
	// in a GitHub environment, else repo:OWNER/REPO:ref:… or
	// repo:OWNER/REPO:pull_request.
	Subject string
	// Environment is the job's GitHub environment; empty for none.
	Environment string
}

// ReadJobClaims fetches the job's OIDC token for o's audience, as
// LoadAWSConfig does, and reads its claims. The signature is not checked:
// the token comes from the runner's own endpoint, and its claims only ever
// make smpipe refuse (STS verifies the token it is given). Nothing of the
// token is returned or reported.
func ReadJobClaims(ctx context.Context, o CredentialOptions) (JobClaims, error) {
	getenv := o.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	tok, err := o.tokenRetriever(ctx, getenv).GetIdentityToken()
	if err != nil {
		var missing *githubactions.EnvMissingError
		if errors.As(err, &missing) {
			return JobClaims{}, fmt.Errorf("reading the job's GitHub OIDC token: %s is not set: the job needs `permissions: id-token: write`: %w", missing.Name, err)
		}
		return JobClaims{}, fmt.Errorf("reading the job's GitHub OIDC token: %w", err)
	}
	parts := strings.Split(string(tok), ".")
	if len(parts) != 3 {
		return JobClaims{}, errors.New("reading the job's GitHub OIDC token: it is not a JSON web token (three dot-separated parts)")
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return JobClaims{}, errors.New("reading the job's GitHub OIDC token: its claims are not base64url")
	}
	var claims struct {
		Sub         string `json:"sub"`
		Environment string `json:"environment"`
	}
	if err := json.Unmarshal(payload, &claims); err != nil {
		return JobClaims{}, errors.New("reading the job's GitHub OIDC token: its claims are not a JSON object")
	}
	return JobClaims{Subject: claims.Sub, Environment: claims.Environment}, nil
}

// Identity is the AWS principal a set of credentials belongs to.
type Identity struct {
	Account string // 12-digit account ID
	ARN     string // e.g. arn:aws:sts::123456789012:assumed-role/deploy/smpipe-42
}

// WhoAmI asks STS whose credentials cfg holds (GetCallerIdentity, which no
// IAM policy can deny). It works for role and ambient credentials alike,
// which is why the account is not read from the provider.
func WhoAmI(ctx context.Context, cfg aws.Config, getenv func(string) string) (Identity, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	out, err := newSTS(cfg, getenv).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return Identity{}, fmt.Errorf("finding the AWS account of the credentials (sts:GetCallerIdentity): %w", err)
	}
	return Identity{Account: aws.ToString(out.Account), ARN: aws.ToString(out.Arn)}, nil
}

// ParseAccountIDs reads an allowed-account-ids list, as the action input
// and the CLI flag take it: AWS account IDs (12 digits) separated by commas
// or newlines.
func ParseAccountIDs(list string) ([]string, error) {
	ids := listinput.Split(list)
	for _, id := range ids {
		if !IsAccountID(id) {
			return nil, fmt.Errorf("%q is not an AWS account ID (12 digits); separate IDs with commas", id)
		}
	}
	return ids, nil
}

// IsAccountID reports whether s has the form of an AWS account ID.
func IsAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// CheckAccount refuses credentials for an account outside allowed (an
// empty list allows any), as configure-aws-credentials' allowed-account-ids
// does, so a role or profile pointing at the wrong account deploys nothing.
// The error names the account and the allowed ones, never a credential.
func CheckAccount(id Identity, allowed []string) error {
	if len(allowed) == 0 || slices.Contains(allowed, id.Account) {
		return nil
	}
	return fmt.Errorf("the AWS credentials are for account %s, which allowed-account-ids (%s) does not include; "+
		"nothing was deployed. Check role-to-assume (or the credentials of an earlier step) and the account list",
		id.Account, strings.Join(allowed, ", "))
}

// newSTS is an STS client for cfg at AWS_ENDPOINT_URL_STS, else
// AWS_ENDPOINT_URL, given explicitly: the SDK builds credential providers
// before it applies the global endpoint.
func newSTS(cfg aws.Config, getenv func(string) string) *sts.Client {
	return sts.NewFromConfig(cfg, func(so *sts.Options) {
		if ep := endpoint(getenv, "AWS_ENDPOINT_URL_STS"); ep != "" {
			so.BaseEndpoint = aws.String(ep)
		}
	})
}

// oidcToken adapts a TokenFunc to stscreds.IdentityTokenRetriever, whose
// method takes no context: it keeps the caller's context values (not its
// cancellation, since the credentials cache refreshes long after
// LoadAWSConfig returned) and bounds each attempt.
type oidcToken struct {
	ctx      context.Context
	fetch    TokenFunc
	audience string
	sleep    func(context.Context, time.Duration) error
}

// GetIdentityToken fetches a token, retrying transient failures with
// exponential backoff. A missing environment variable is not retried.
func (t *oidcToken) GetIdentityToken() ([]byte, error) {
	var last error
	for attempt := range tokenAttempts {
		if attempt > 0 {
			if err := t.sleep(t.ctx, sleeppkg.Backoff(attempt-1, 200*time.Millisecond, 5*time.Second)); err != nil {
				return nil, err
			}
		}
		ctx, cancel := context.WithTimeout(t.ctx, 30*time.Second)
		tok, err := t.fetch(ctx, t.audience)
		cancel()
		if err == nil && tok != "" {
			return []byte(tok), nil
		}
		if err == nil {
			err = errors.New("the token endpoint returned an empty token")
		}
		last = err
		var missing *githubactions.EnvMissingError
		if errors.As(err, &missing) {
			return nil, err
		}
	}
	return nil, fmt.Errorf("requesting the GitHub OIDC token (%d attempts): %w", tokenAttempts, last)
}

// explainCredentialError turns the SDK's error into one that says what to fix.
// It never includes the token or credentials: the wrapped errors come from
// the token endpoint's status and STS's error code and message.
func explainCredentialError(err error, role, audience string) error {
	var missing *githubactions.EnvMissingError
	if errors.As(err, &missing) {
		return fmt.Errorf("assuming role %s: %s is not set: the workflow needs `permissions: id-token: write` "+
			"to get a GitHub OIDC token (pull requests from forks never get one): %w", role, missing.Name, err)
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		switch ae.ErrorCode() {
		case "AccessDenied":
			return fmt.Errorf("assuming role %s: STS refused the GitHub OIDC token: the role does not trust this "+
				"repository, branch or environment; check the trust policy condition on "+
				"token.actions.githubusercontent.com:sub (and :aud = %q): %w", role, audience, err)
		case "ValidationError":
			if strings.Contains(ae.ErrorMessage(), "MaxSessionDuration") || strings.Contains(ae.ErrorMessage(), "durationSeconds") {
				return fmt.Errorf("assuming role %s: STS refused the session length (role-duration-seconds): it must be "+
					"900 to 43200 seconds and at most the role's maximum session duration (IAM: the role's "+
					"MaxSessionDuration, one hour unless raised); lower role-duration-seconds or raise the role's maximum: %w", role, err)
			}
		case "InvalidIdentityToken":
			return fmt.Errorf("assuming role %s: STS rejected the GitHub OIDC token: check that the account has "+
				"an IAM OIDC provider for token.actions.githubusercontent.com with audience %q: %w", role, audience, err)
		}
	}
	return fmt.Errorf("getting AWS credentials for role %s: %w", role, err)
}

// noCredentials says which credential sources the SDK's default chain
// tried, in the order it tries them, and how to give it one, instead of the
// SDK's error, which nests every source's failure.
func noCredentials(getenv func(string) string) error {
	profile := awsregion.Profile(getenv)
	return fmt.Errorf("no AWS credentials: tried the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY), "+
		"web identity (AWS_WEB_IDENTITY_TOKEN_FILE), the shared config and credentials files (profile %q: keys, SSO, "+
		"credential_process), the container credentials endpoint and EC2 instance metadata. Log in (aws sso login, "+
		"or set AWS_PROFILE), or in a workflow pass role-to-assume (smpipe deploy --role-to-assume)", profile)
}
