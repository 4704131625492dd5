package deploy

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/smithy-go"

	"github.com/smpipe/smpipe-action/internal/fakeaws"
	goldenfile "github.com/smpipe/smpipe-action/internal/golden"
)

const (
	testBucket = "smpipe-artifacts"
	testRole   = "arn:aws:iam::123456789012:role/smpipe-pipeline"
	testCommit = "0123456789abcdef0123456789abcdef01234567"
	testRepo   = "octo/repo"

	staticKeyID  = "AKIATESTSTATICKEY000"
	staticSecret = "static-test-secret-do-not-print"
	staticToken  = "static-test-session-token-do-not-print"
)

// fakeClock is the Deployer's clock and sleep: sleeping advances time at once.
type fakeClock struct {
	mu    sync.Mutex
	now   time.Time
	slept []time.Duration
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	c.slept = append(c.slept, d)
	return ctx.Err()
}

func (c *fakeClock) Slept() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.slept...)
}

// syncBuffer is a log sink safe for concurrent targets.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type env struct {
	sm      *fakeaws.SageMaker
	s3      *fakeaws.S3
	clock   *fakeClock
	log     *syncBuffer
	retries *retryLog
	d       *Deployer
}

// retryLog records the SDK retryer's backoff decisions instead of waiting.
type retryLog struct {
	mu    sync.Mutex
	codes []string
}

func (r *retryLog) backoff(_ int, err error) (time.Duration, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	code := err.Error()
	var ae smithy.APIError
	if errors.As(err, &ae) {
		code = ae.ErrorCode()
	}
	r.codes = append(r.codes, code)
	return 0, nil
}

// Codes lists the error code of every retried attempt, in order.
func (r *retryLog) Codes() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.codes...)
}

// testConfig is an aws.Config with static test credentials and no endpoint
// resolution from the environment.
func testConfig() aws.Config {
	return aws.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider(staticKeyID, staticSecret, staticToken),
	}
}

func mapEnv(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// setup starts the SageMaker and S3 fakes and a Deployer on the real SDK
// clients NewClients builds, pointed at the fakes through the environment it
// is given, with the retryer's backoff recorded instead of slept.
func setup(t *testing.T, opts ...fakeaws.SageMakerOption) *env {
	t.Helper()
	s3f := fakeaws.NewS3(t, testBucket)
	sm := fakeaws.NewSageMaker(t, append([]fakeaws.SageMakerOption{fakeaws.WithS3(s3f)}, opts...)...)
	retries := &retryLog{}
	smc, s3c := NewClients(testConfig(), mapEnv(map[string]string{
		"AWS_ENDPOINT_URL_SAGEMAKER": sm.URL, "AWS_ENDPOINT_URL_S3": s3f.URL,
	}), WithBackoff(retries.backoff))
	clock := &fakeClock{now: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)}
	log := &syncBuffer{}
	d := &Deployer{
		SageMaker: smc, S3: s3c, Log: log, Sleep: clock.Sleep, Now: clock.Now,
		Root: fstestRoot(),
	}
	return &env{sm: sm, s3: s3f, clock: clock, log: log, retries: retries, d: d}
}

// fstestRoot is the repository holding the local data file of newTarget.
func fstestRoot() fstest.MapFS {
	return fstest.MapFS{"data/train.csv": {Data: []byte("a,b\n1,2\n")}}
}

func sha(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// newTarget is a pipeline with the given definition, one built code bundle
// and one local data file.
func newTarget(name, def string) Target {
	code := []byte("bundle of " + name)
	data := []byte("a,b\n1,2\n")
	return Target{
		Pipeline: name, Region: "us-east-1", Definition: []byte(def), Hash: "sha256:" + sha([]byte(def)),
		RoleArn: testRole, Bucket: testBucket, Description: "pipeline " + name,
		Artifacts: []Artifact{
			built(name+"/code/"+sha(code)+"/sourcedir.tar.gz", code, "application/gzip"),
			{Bucket: testBucket, Key: name + "/data/" + sha(data) + "/train.csv", Path: "data/train.csv", SHA256: sha(data), Size: int64(len(data))},
		},
	}
}

// builtDir holds the files of built artifacts for the whole test binary,
// named by content as the compiler names them.
var builtDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "smpipe-deploy-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	builtDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// built is a built artifact at key holding content, written to builtDir.
func built(key string, content []byte, contentType string) Artifact {
	sum := sha(content)
	file := filepath.Join(builtDir, sum+"-"+path.Base(key))
	if _, err := os.Stat(file); err != nil {
		// Written aside and renamed, so that a parallel test never reads
		// a half-written file.
		tmp, err := os.CreateTemp(builtDir, ".tmp-*")
		if err != nil {
			panic(err)
		}
		_, err = tmp.Write(content)
		if cerr := tmp.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Rename(tmp.Name(), file)
		}
		if err != nil {
			panic(err)
		}
	}
	return Artifact{Bucket: testBucket, Key: key, File: file, SHA256: sum, Size: int64(len(content)), ContentType: contentType}
}

func definition(steps ...string) string {
	s := `{"Version":"2020-12-01","Metadata":{},"Parameters":[],"Steps":[`
	for i, st := range steps {
		if i > 0 {
			s += ","
		}
		s += `{"Name":"` + st + `","Type":"Training","Arguments":{}}`
	}
	return s + `]}`
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	goldenfile.Check(t, name, []byte(got))
}
