package deploy

import (
	"context"
	"encoding/base64"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/google/go-cmp/cmp"
	"github.com/sethvargo/go-githubactions"

	"github.com/smpipe/smpipe-action/internal/fakeaws"
)

const testPipelineRole = "arn:aws:iam::123456789012:role/gha-deploy"

// isolateAWSEnv clears every variable the SDK or the OIDC client reads, so a
// developer's AWS setup cannot leak in and nothing reaches for IMDS.
func isolateAWSEnv(t *testing.T) {
	t.Helper()
	for _, k := range []string{
		"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
		"AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_SESSION_NAME", "AWS_REGION", "AWS_DEFAULT_REGION",
		"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL_SAGEMAKER", "AWS_ENDPOINT_URL_S3",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
		"ACTIONS_ID_TOKEN_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_TOKEN", "GITHUB_RUN_ID",
	} {
		t.Setenv(k, "")
	}
	dir := t.TempDir()
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}

// TestLoadAWSConfig_oidcEndToEnd runs a deploy as the action does on merge:
// endpoints and the OIDC request come from the environment, credentials from
// STS, and every client is built from the returned config. It also checks
// that no secret reaches the log, the report or an error.
func TestLoadAWSConfig_oidcEndToEnd(t *testing.T) {
	isolateAWSEnv(t)
	oidc := fakeaws.NewOIDC(t)
	stsf := fakeaws.NewSTS(t)
	s3f := fakeaws.NewS3(t, testBucket)
	sm := fakeaws.NewSageMaker(t, fakeaws.WithS3(s3f))
	sm.SetScript("churn", fakeaws.Script{Statuses: []string{"Executing", "Succeeded"}, Steps: scriptedSteps(false)})
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_ENDPOINT_URL_STS", stsf.URL)
	t.Setenv("AWS_ENDPOINT_URL_SAGEMAKER", sm.URL)
	t.Setenv("AWS_ENDPOINT_URL_S3", s3f.URL)
	t.Setenv("ACTIONS_ID_TOKEN_REQUEST_URL", oidc.RequestURL)
	t.Setenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN", oidc.RequestToken)
	t.Setenv("GITHUB_RUN_ID", "4242")

	cfg, err := LoadAWSConfig(context.Background(), CredentialOptions{RoleToAssume: testPipelineRole})
	if err != nil {
		t.Fatalf("LoadAWSConfig: %v", err)
	}
	var log syncBuffer
	clock := &fakeClock{}
	d := &Deployer{Log: &log, Sleep: clock.Sleep, Now: clock.Now, Root: fstestRoot()}
	d.SageMaker, d.S3 = NewClients(cfg, nil) // endpoints from the process environment set above
	results := d.Deploy(context.Background(), []Target{newTarget("churn", definition("Train"))},
		Options{CommitSHA: testCommit, Repository: testRepo, Start: true, Wait: true})
	if Failed(results) {
		t.Fatalf("deploy failed: %+v\nlog:\n%s", results, log.String())
	}

	if diff := cmp.Diff(oidc.Issued(), stsf.Tokens()); diff != "" {
		t.Errorf("STS received other tokens than the OIDC endpoint issued (-issued +received):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"sts.amazonaws.com"}, oidc.Audiences()); diff != "" {
		t.Errorf("audiences (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"smpipe-4242"}, stsf.SessionNames()); diff != "" {
		t.Errorf("session names (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{testPipelineRole}, stsf.Roles()); diff != "" {
		t.Errorf("roles (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{stsf.Creds.AccessKeyID}, sm.AccessKeys()); diff != "" {
		t.Errorf("SageMaker was signed with other keys than STS handed out (-want +got):\n%s", diff)
	}
	if s3f.Calls("PutObject") != 2 {
		t.Errorf("S3 PutObject calls = %d, want 2 (AWS_ENDPOINT_URL_S3 not honoured?)", s3f.Calls("PutObject"))
	}

	secrets := map[string]string{
		"STS access key ID":     stsf.Creds.AccessKeyID,
		"STS secret access key": stsf.Creds.SecretAccessKey,
		"STS session token":     stsf.Creds.SessionToken,
		"Actions request token": oidc.RequestToken,
	}
	for i, tok := range oidc.Issued() {
		secrets["OIDC token "+string(rune('1'+i))] = tok
	}
	outputs := map[string]string{"log": log.String()}
	for _, r := range results {
		outputs["summary"] += r.Summary()
		if r.Err != nil {
			outputs["error"] += r.Err.Error()
		}
	}
	for where, text := range outputs {
		for what, secret := range secrets {
			if secret != "" && strings.Contains(text, secret) {
				t.Errorf("%s contains the %s", where, what)
			}
		}
	}
}

func TestLoadAWSConfig_globalEndpointReachesSTS(t *testing.T) {
	isolateAWSEnv(t)
	stsf := fakeaws.NewSTS(t)
	t.Setenv("AWS_ENDPOINT_URL", stsf.URL)

	_, err := LoadAWSConfig(context.Background(), CredentialOptions{
		Region: "eu-west-1", RoleToAssume: testPipelineRole, RoleSessionName: "custom name/1",
		Token: func(context.Context, string) (string, error) { return "injected-token", nil },
	})
	if err != nil {
		t.Fatalf("LoadAWSConfig: %v", err)
	}
	if diff := cmp.Diff([]string{"injected-token"}, stsf.Tokens()); diff != "" {
		t.Errorf("tokens (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"custom-name-1"}, stsf.SessionNames()); diff != "" {
		t.Errorf("session names (-want +got):\n%s", diff)
	}
}

func TestLoadAWSConfig_errors(t *testing.T) {
	isolateAWSEnv(t)
	stsf := fakeaws.NewSTS(t)
	oidc := fakeaws.NewOIDC(t)
	const token = "eyJhbGciOiJub25lIn0.secret-claims.secret-signature"

	for _, tc := range []struct {
		name    string
		opts    CredentialOptions
		deny    bool
		want    []string
		wantErr error
	}{
		{
			name: "no id-token permission",
			opts: CredentialOptions{Getenv: mapEnv(map[string]string{"AWS_ENDPOINT_URL_STS": stsf.URL})},
			want: []string{"ACTIONS_ID_TOKEN_REQUEST_URL", "permissions: id-token: write", testPipelineRole},
		},
		{
			name: "trust policy mismatch",
			opts: CredentialOptions{
				Getenv: mapEnv(map[string]string{"AWS_ENDPOINT_URL_STS": stsf.URL}),
				Token:  func(context.Context, string) (string, error) { return token, nil },
			},
			deny: true,
			want: []string{"does not trust this repository", "token.actions.githubusercontent.com:sub", testPipelineRole, "AccessDenied"},
		},
		{
			name: "token endpoint keeps failing",
			opts: CredentialOptions{
				Getenv: mapEnv(map[string]string{"AWS_ENDPOINT_URL_STS": stsf.URL,
					"ACTIONS_ID_TOKEN_REQUEST_URL": oidc.RequestURL, "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "wrong-request-token"}),
			},
			want: []string{"requesting the GitHub OIDC token (5 attempts)", "401"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stsf.Deny(tc.deny)
			clock := &fakeClock{}
			tc.opts.Region = "us-east-1"
			tc.opts.RoleToAssume = testPipelineRole
			tc.opts.Sleep = clock.Sleep
			_, err := LoadAWSConfig(context.Background(), tc.opts)
			if err == nil {
				t.Fatal("LoadAWSConfig succeeded")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			for _, secret := range []string{token, "wrong-request-token", stsf.Creds.SecretAccessKey} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error contains a secret: %q", err)
				}
			}
		})
	}
}

func TestLoadAWSConfig_tokenRetried(t *testing.T) {
	isolateAWSEnv(t)
	stsf := fakeaws.NewSTS(t)
	oidc := fakeaws.NewOIDC(t)
	oidc.FailNext(2)
	clock := &fakeClock{}

	_, err := LoadAWSConfig(context.Background(), CredentialOptions{
		Region: "us-east-1", RoleToAssume: testPipelineRole, Audience: "custom-aud", Sleep: clock.Sleep,
		Getenv: mapEnv(map[string]string{"AWS_ENDPOINT_URL_STS": stsf.URL, "GITHUB_RUN_ID": "7",
			"ACTIONS_ID_TOKEN_REQUEST_URL": oidc.RequestURL, "ACTIONS_ID_TOKEN_REQUEST_TOKEN": oidc.RequestToken}),
	})
	if err != nil {
		t.Fatalf("LoadAWSConfig: %v", err)
	}
	if diff := cmp.Diff([]time.Duration{200 * time.Millisecond, 400 * time.Millisecond}, clock.Slept()); diff != "" {
		t.Errorf("sleeps (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"custom-aud"}, oidc.Audiences()); diff != "" {
		t.Errorf("audiences (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"smpipe-7"}, stsf.SessionNames()); diff != "" {
		t.Errorf("session names (-want +got):\n%s", diff)
	}
}

func TestLoadAWSConfig_credentialsRefreshBeforeExpiry(t *testing.T) {
	isolateAWSEnv(t)
	stsf := fakeaws.NewSTS(t)
	// Credentials that expire within the refresh window are fetched again
	// on the next use instead of being used until they fail.
	stsf.Expires = time.Now().Add(2 * time.Minute).UTC()
	n := 0
	cfg, err := LoadAWSConfig(context.Background(), CredentialOptions{
		Region: "us-east-1", RoleToAssume: testPipelineRole,
		Getenv: mapEnv(map[string]string{"AWS_ENDPOINT_URL_STS": stsf.URL}),
		Token:  func(context.Context, string) (string, error) { n++; return "tok", nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cfg.Credentials.Retrieve(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n != 2 || len(stsf.Tokens()) != 2 {
		t.Errorf("token fetched %d times, STS called %d times; want 2 and 2", n, len(stsf.Tokens()))
	}
}

func TestLoadAWSConfig_defaultChainHonoursServiceEndpoints(t *testing.T) {
	isolateAWSEnv(t)
	sm := fakeaws.NewSageMaker(t)
	t.Setenv("AWS_ACCESS_KEY_ID", staticKeyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", staticSecret)
	t.Setenv("AWS_ENDPOINT_URL_SAGEMAKER", sm.URL)

	cfg, err := LoadAWSConfig(context.Background(), CredentialOptions{Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = sagemaker.NewFromConfig(cfg).DescribePipeline(context.Background(), &sagemaker.DescribePipelineInput{PipelineName: aws.String("nope")})
	if !IsNotFound(err) {
		t.Errorf("DescribePipeline error = %v, want not found from the fake", err)
	}
	if diff := cmp.Diff([]string{staticKeyID}, sm.AccessKeys()); diff != "" {
		t.Errorf("signing keys (-want +got):\n%s", diff)
	}
}

func TestOIDCToken_retries(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		err       error
		wantCalls int
	}{
		{"transient error retried", errors.New("boom"), tokenAttempts},
		{"missing environment not retried", &githubactions.EnvMissingError{Name: "ACTIONS_ID_TOKEN_REQUEST_URL"}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			calls := 0
			clock := &fakeClock{}
			tok := &oidcToken{ctx: context.Background(), audience: "a", sleep: clock.Sleep,
				fetch: func(context.Context, string) (string, error) {
					calls++
					return "", tc.err
				}}
			if _, err := tok.GetIdentityToken(); !errors.Is(err, tc.err) || calls != tc.wantCalls {
				t.Errorf("err %v after %d calls, want %v after %d", err, calls, tc.err, tc.wantCalls)
			}
		})
	}
}

// role-duration-seconds reaches STS as DurationSeconds; a session longer
// than the role allows is explained in terms of the input and the role.
func TestLoadAWSConfig_duration(t *testing.T) {
	isolateAWSEnv(t)
	stsf := fakeaws.NewSTS(t)
	stsf.MaxSessionDuration = 2 * time.Hour
	opts := CredentialOptions{Region: "us-east-1", RoleToAssume: testPipelineRole,
		Getenv: mapEnv(map[string]string{"AWS_ENDPOINT_URL_STS": stsf.URL}),
		Token:  func(context.Context, string) (string, error) { return "tok", nil }}
	for _, d := range []time.Duration{0, 2 * time.Hour} {
		opts.Duration = d
		if _, err := LoadAWSConfig(context.Background(), opts); err != nil {
			t.Fatalf("duration %v: %v", d, err)
		}
	}
	opts.Duration = 3 * time.Hour
	_, err := LoadAWSConfig(context.Background(), opts)
	if err == nil || !strings.Contains(err.Error(), "role-duration-seconds") || !strings.Contains(err.Error(), "MaxSessionDuration") {
		t.Errorf("over the role's maximum: %v", err)
	}
	// Zero sends none: STS's default of one hour.
	if diff := cmp.Diff([]int{0, 7200, 10800}, stsf.Durations()); diff != "" {
		t.Errorf("DurationSeconds sent (-want +got):\n%s", diff)
	}
}

// allowed-account-ids: the account is asked of STS after the role is
// assumed, before anything is written, and a foreign one is refused by
// name.
func TestWhoAmI_andCheckAccount(t *testing.T) {
	isolateAWSEnv(t)
	stsf := fakeaws.NewSTS(t)
	getenv := mapEnv(map[string]string{"AWS_ENDPOINT_URL_STS": stsf.URL, "GITHUB_RUN_ID": "77"})
	cfg, err := LoadAWSConfig(context.Background(), CredentialOptions{Region: "us-east-1", RoleToAssume: testPipelineRole,
		Getenv: getenv, Token: func(context.Context, string) (string, error) { return "tok", nil }})
	if err != nil {
		t.Fatal(err)
	}
	id, err := WhoAmI(context.Background(), cfg, getenv)
	want := Identity{Account: "123456789012", ARN: "arn:aws:sts::123456789012:assumed-role/gha-deploy/smpipe-77"}
	if err != nil || id != want {
		t.Fatalf("WhoAmI = %+v, %v; want %+v", id, err, want)
	}
	for _, tc := range []struct {
		allowed []string
		ok      bool
	}{
		{nil, true},
		{[]string{"123456789012"}, true},
		{[]string{"111122223333", "123456789012"}, true},
		{[]string{"111122223333", "444455556666"}, false},
	} {
		err := CheckAccount(id, tc.allowed)
		if (err == nil) != tc.ok {
			t.Errorf("CheckAccount(%v) = %v", tc.allowed, err)
		}
		if err != nil {
			for _, s := range []string{"account 123456789012", "111122223333, 444455556666", "nothing was deployed"} {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q lacks %q", err, s)
				}
			}
			for _, secret := range []string{stsf.Creds.AccessKeyID, stsf.Creds.SecretAccessKey, stsf.Creds.SessionToken} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error shows a credential: %q", err)
				}
			}
		}
	}

	// Keys STS never issued are an error, not an empty account.
	stranger := cfg.Copy()
	stranger.Credentials = aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(staticKeyID, staticSecret, ""))
	if _, err := WhoAmI(context.Background(), stranger, getenv); err == nil || !strings.Contains(err.Error(), "sts:GetCallerIdentity") {
		t.Errorf("unknown keys: %v", err)
	}
}

// Without a role and without ambient credentials, the deploy says so once,
// naming the sources tried, before any pipeline is touched.
func TestLoadAWSConfig_noCredentials(t *testing.T) {
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SESSION_TOKEN": "", "AWS_PROFILE": "",
		"AWS_WEB_IDENTITY_TOKEN_FILE": "", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "", "AWS_CONTAINER_CREDENTIALS_FULL_URI": "",
		"AWS_CONFIG_FILE": filepath.Join(dir, "config"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"),
		"AWS_EC2_METADATA_DISABLED": "true",
	} {
		t.Setenv(k, v)
	}
	_, err := LoadAWSConfig(t.Context(), CredentialOptions{Region: "us-east-1", Getenv: func(string) string { return "" }})
	if err == nil {
		t.Fatal("no error without credentials")
	}
	msg := err.Error()
	for _, want := range []string{"no AWS credentials: tried the environment", `profile "default"`, "EC2 instance metadata", "--role-to-assume"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q: %s", want, msg)
		}
	}
	if n := strings.Count(msg, "failed to"); n > 1 {
		t.Errorf("the SDK's chain error is repeated: %s", msg)
	}
}

// ReadJobClaims reads where the job runs from its OIDC token, as a trust
// policy compares it, and says what to fix when there is no token or it
// cannot be read, never echoing the token.
func TestReadJobClaims(t *testing.T) {
	isolateAWSEnv(t)
	oidc := fakeaws.NewOIDC(t)
	env := mapEnv(map[string]string{"ACTIONS_ID_TOKEN_REQUEST_URL": oidc.RequestURL, "ACTIONS_ID_TOKEN_REQUEST_TOKEN": oidc.RequestToken})
	clock := &fakeClock{}

	oidc.SetJob("repo:octo/repo:environment:preview", "preview")
	got, err := ReadJobClaims(context.Background(), CredentialOptions{Getenv: env, Sleep: clock.Sleep})
	if want := (JobClaims{Subject: "repo:octo/repo:environment:preview", Environment: "preview"}); err != nil || got != want {
		t.Errorf("ReadJobClaims = %+v, %v; want %+v", got, err, want)
	}
	if diff := cmp.Diff([]string{DefaultAudience}, oidc.Audiences()); diff != "" {
		t.Errorf("audiences (-want +got):\n%s", diff)
	}
	oidc.SetJob("repo:octo/repo:pull_request", "")
	if got, err := ReadJobClaims(context.Background(), CredentialOptions{Getenv: env, Sleep: clock.Sleep}); err != nil || got.Environment != "" || got.Subject != "repo:octo/repo:pull_request" {
		t.Errorf("a job in no environment: ReadJobClaims = %+v, %v", got, err)
	}

	for _, tc := range []struct {
		name  string
		opts  CredentialOptions
		token string
		want  string
	}{
		{"no id-token permission", CredentialOptions{Getenv: mapEnv(nil)}, "", "permissions: id-token: write"},
		{"not a JSON web token", CredentialOptions{}, "secret-not-a-jwt", "not a JSON web token"},
		{"claims not base64url", CredentialOptions{}, "e30.secret*claims.sig", "not base64url"},
		{"claims not JSON", CredentialOptions{}, "e30." + base64.RawURLEncoding.EncodeToString([]byte("secret[")) + ".sig", "not a JSON object"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := tc.opts
			opts.Sleep = clock.Sleep
			if tc.token != "" {
				opts.Token = func(context.Context, string) (string, error) { return tc.token, nil }
			}
			_, err := ReadJobClaims(context.Background(), opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("ReadJobClaims error = %v, want it to say %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "secret") {
				t.Errorf("the error echoes the token: %v", err)
			}
		})
	}
}

// The STS fake holds a role to its trust policy's subject, as IAM does:
// a token from a job outside the trusted environment is refused.
func TestLoadAWSConfig_trustPolicySubject(t *testing.T) {
	isolateAWSEnv(t)
	oidc := fakeaws.NewOIDC(t)
	stsf := fakeaws.NewSTS(t)
	stsf.Trust(testPipelineRole, "repo:octo/repo:environment:preview")
	env := mapEnv(map[string]string{"AWS_ENDPOINT_URL_STS": stsf.URL,
		"ACTIONS_ID_TOKEN_REQUEST_URL": oidc.RequestURL, "ACTIONS_ID_TOKEN_REQUEST_TOKEN": oidc.RequestToken})
	opts := CredentialOptions{Region: "us-east-1", RoleToAssume: testPipelineRole, Getenv: env, Sleep: (&fakeClock{}).Sleep}

	oidc.SetJob("repo:octo/repo:pull_request", "")
	if _, err := LoadAWSConfig(context.Background(), opts); err == nil || !strings.Contains(err.Error(), "does not trust this repository, branch or environment") {
		t.Errorf("a token from outside the environment: LoadAWSConfig error = %v", err)
	}
	oidc.SetJob("repo:octo/repo:environment:preview", "preview")
	if _, err := LoadAWSConfig(context.Background(), opts); err != nil {
		t.Errorf("a token from the environment: %v", err)
	}
}
