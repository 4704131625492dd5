package deploy

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/smpipe/smpipe-action/internal/fakeaws"
	"github.com/smpipe/smpipe-action/internal/workspace"
)

func TestDeploy_largeDefinitionStagedToS3(t *testing.T) {
	t.Parallel()
	e := setup(t)
	steps := make([]string, 0, 2000)
	for i := range 2000 {
		steps = append(steps, "Step"+strings.Repeat("x", 40)+strconv.Itoa(i))
	}
	tg := newTarget("big", definition(steps...))
	if len(tg.Definition) < MaxInlineDefinition {
		t.Fatalf("test definition is only %d bytes", len(tg.Definition))
	}
	opts := Options{CommitSHA: testCommit, Repository: testRepo}

	got := e.d.Deploy(context.Background(), []Target{tg}, opts)

	if got[0].Status != StatusCreated || got[0].Uploaded != 3 {
		t.Fatalf("result = %+v\nlog:\n%s", got[0], e.log)
	}
	key := "big/definitions/" + sha(tg.Definition) + ".json"
	if b, ok := e.s3.Object(testBucket, key); !ok || string(b) != string(tg.Definition) {
		t.Errorf("definition not staged at %s", key)
	}
	if p, _ := e.sm.Pipeline("big"); p.Definition != string(tg.Definition) {
		t.Error("pipeline definition was not read from the staged object")
	}

	again := e.d.Deploy(context.Background(), []Target{tg}, opts)
	if again[0].Status != StatusUnchanged || again[0].Uploaded != 0 || again[0].Skipped != 3 {
		t.Errorf("redeploy = %+v", again[0])
	}
}

func TestDeploy_uploadHeaders(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name                  string
		opts                  Options
		wantSSE, wantKMS, own string
	}{
		{"bucket defaults", Options{}, "", "", ""},
		{"kms and owner", Options{KMSKeyID: "arn:aws:kms:us-east-1:123456789012:key/k1", AccountID: "123456789012"},
			"aws:kms", "arn:aws:kms:us-east-1:123456789012:key/k1", "123456789012"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := setup(t)
			tc.opts.CommitSHA = testCommit
			got := e.d.Deploy(context.Background(), []Target{newTarget("churn", definition("Train"))}, tc.opts)
			if got[0].Err != nil {
				t.Fatal(got[0].Err)
			}
			puts := e.s3.Puts()
			if len(puts) != 2 {
				t.Fatalf("puts = %d, want 2", len(puts))
			}
			for _, p := range puts {
				h := p.Header
				if h.Get("If-None-Match") != "*" {
					t.Errorf("%s: If-None-Match = %q, want *", p.Key, h.Get("If-None-Match"))
				}
				if want := base64Sum(p.Key); h.Get("X-Amz-Checksum-Sha256") != want {
					t.Errorf("%s: x-amz-checksum-sha256 = %q, want the content address %q", p.Key, h.Get("X-Amz-Checksum-Sha256"), want)
				}
				if h.Get("X-Amz-Server-Side-Encryption") != tc.wantSSE ||
					h.Get("X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id") != tc.wantKMS ||
					h.Get("X-Amz-Expected-Bucket-Owner") != tc.own {
					t.Errorf("%s: SSE %q KMS %q owner %q", p.Key, h.Get("X-Amz-Server-Side-Encryption"),
						h.Get("X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id"), h.Get("X-Amz-Expected-Bucket-Owner"))
				}
			}
		})
	}
}

func TestDeploy_sharedArtifactUploadedOnce(t *testing.T) {
	t.Parallel()
	e := setup(t)
	a, b := newTarget("alpha", definition("A")), newTarget("bravo", definition("B"))
	shared := built("shared/code/"+sha([]byte("#!/bin/sh\n"))+"/runproc.sh", []byte("#!/bin/sh\n"), "")
	a.Artifacts = []Artifact{shared}
	b.Artifacts = []Artifact{shared}
	e.d.Concurrency = 1

	got := e.d.Deploy(context.Background(), []Target{a, b}, Options{CommitSHA: testCommit, Repository: testRepo})

	if got[0].Uploaded+got[1].Uploaded != 1 || got[0].Skipped+got[1].Skipped != 1 {
		t.Errorf("uploaded %d+%d skipped %d+%d, want one upload and one skip", got[0].Uploaded, got[1].Uploaded, got[0].Skipped, got[1].Skipped)
	}
	if n := e.s3.Calls("PutObject"); n != 1 {
		t.Errorf("PutObject calls = %d, want 1", n)
	}
}

// base64Sum is the S3 checksum of the content a test key addresses: the
// hex SHA-256 in its "<pipeline>/<kind>/<sha256>/<name>" key.
func base64Sum(key string) string {
	parts := strings.Split(key, "/")
	raw, err := hex.DecodeString(parts[len(parts)-2])
	if err != nil {
		return "(not a content-addressed key)"
	}
	return base64.StdEncoding.EncodeToString(raw)
}

// TestDeploy_existingObjectsTrustedByChecksum: an object already at a
// content-addressed key is kept only when S3 reports that content's
// SHA-256; a wrong object, or one without a checksum, is uploaded again
// (without If-None-Match, which would refuse to replace it) and the log
// says why.
func TestDeploy_existingObjectsTrustedByChecksum(t *testing.T) {
	t.Parallel()
	tg := newTarget("churn", definition("Train"))
	code := tg.Artifacts[0]
	content, err := os.ReadFile(code.File)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		body     []byte
		checksum string
		wantPut  bool
		wantLog  string
	}{
		{"planted wrong object", []byte("a trojan"), fakeaws.Checksum256([]byte("a trojan")), true, "with SHA-256 checksum " + fakeaws.Checksum256([]byte("a trojan")) + ", not its content address"},
		{"right bytes under another checksum", content, fakeaws.Checksum256([]byte("x")), true, "with SHA-256 checksum " + fakeaws.Checksum256([]byte("x")) + ", not its content address"},
		{"object without checksum", content, "", true, "without a SHA-256 checksum, so its content is unknown: uploading it again"},
		{"matching object", content, fakeaws.Checksum256(content), false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := setup(t)
			e.s3.Plant(t, testBucket, code.Key, tc.body, tc.checksum)
			tg := tg
			tg.Artifacts = []Artifact{code}

			got := e.d.Deploy(context.Background(), []Target{tg}, Options{CommitSHA: testCommit, Repository: testRepo})

			if got[0].Err != nil {
				t.Fatal(got[0].Err)
			}
			puts := e.s3.Puts()
			if !tc.wantPut {
				if len(puts) != 0 || got[0].Skipped != 1 {
					t.Errorf("a matching object was uploaded again: %d puts, result %+v", len(puts), got[0])
				}
				return
			}
			if len(puts) != 1 || got[0].Uploaded != 1 {
				t.Fatalf("puts = %d, result %+v; want the object replaced", len(puts), got[0])
			}
			if h := puts[0].Header.Get("If-None-Match"); h != "" {
				t.Errorf("the replacing upload sent If-None-Match %q", h)
			}
			if b, _ := e.s3.Object(testBucket, code.Key); string(b) != string(content) {
				t.Errorf("object = %q, want the bundle", b)
			}
			want := fmt.Sprintf("pipeline \"churn\": %q is already in S3 %s", "s3://"+code.Bucket+"/"+code.Key, tc.wantLog)
			if !strings.Contains(e.log.String(), want) {
				t.Errorf("log lacks %q:\n%s", want, e.log)
			}
		})
	}
}

func TestDeploy_unchangedRedeployPutsNothing(t *testing.T) {
	t.Parallel()
	e := setup(t)
	tg := newTarget("churn", definition("Train"))
	opts := Options{CommitSHA: testCommit, Repository: testRepo}
	if got := e.d.Deploy(context.Background(), []Target{tg}, opts); got[0].Err != nil || got[0].Uploaded != 2 {
		t.Fatalf("first deploy = %+v", got[0])
	}
	puts := e.s3.Calls("PutObject")
	again := e.d.Deploy(context.Background(), []Target{tg}, opts)
	if again[0].Err != nil || again[0].Uploaded != 0 || again[0].Skipped != 2 || e.s3.Calls("PutObject") != puts {
		t.Errorf("redeploy = %+v, %d more puts; want everything skipped", again[0], e.s3.Calls("PutObject")-puts)
	}
}

// TestDeploy_contentMustMatchItsAddress: a built file or a data file that
// differs from what was compiled (changed since, or swapped) is never
// uploaded under the compiled key.
func TestDeploy_contentMustMatchItsAddress(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		edit func(a []Artifact) []Artifact
		want string
	}{
		{"data file changed, same length", func(a []Artifact) []Artifact {
			a[1].SHA256 = sha([]byte("x,y\n3,4\n"))
			return a
		}, "content has sha256 " + sha([]byte("a,b\n1,2\n"))},
		{"data file grew", func(a []Artifact) []Artifact {
			a[1].Size--
			return a
		}, "over the 7 bytes limit (was it changed after compiling?)"},
		{"built file shrank", func(a []Artifact) []Artifact {
			a[0].Size++
			return a
		}, "the compiled definition expects sha256"},
		{"data file leaves the repository", func(a []Artifact) []Artifact {
			a[1].Path = "escape/etc/hostname"
			return a
		}, "path leads outside the repository"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := setup(t)
			e.d.Root = hostileRoot(t)
			tg := newTarget("churn", definition("Train"))
			tg.Artifacts = tc.edit(slices.Clone(tg.Artifacts))

			got := e.d.Deploy(context.Background(), []Target{tg}, Options{CommitSHA: testCommit, Repository: testRepo})

			if got[0].Err == nil || !strings.Contains(got[0].Err.Error(), tc.want) {
				t.Errorf("error = %v, want it to contain %q", got[0].Err, tc.want)
			}
			if n := e.sm.Calls("CreatePipeline"); n != 0 {
				t.Errorf("the pipeline was created although staging failed")
			}
			for _, p := range e.s3.Puts() {
				if strings.Contains(p.Key, "/data/") && tc.name != "built file shrank" {
					t.Errorf("the data file was uploaded to %s", p.Key)
				}
			}
		})
	}
}

// hostileRoot is a repository on disk, opened as the CLI and the action
// open it, holding newTarget's data file and a link to /.
func hostileRoot(t *testing.T) *workspace.Root {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "data"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "data", "train.csv"), []byte("a,b\n1,2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/", filepath.Join(dir, "escape")); err != nil {
		t.Fatal(err)
	}
	root, err := workspace.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { root.Close() })
	return root
}

// TestUpload_concurrentWriter: the key appears between HeadObject and
// PutObject (gofakes3 answers the conditional put with 412). What the
// other writer left is checked like any existing object: kept when it is
// this content, replaced otherwise.
func TestUpload_concurrentWriter(t *testing.T) {
	t.Parallel()
	ours := []byte("ours")
	for _, tc := range []struct {
		name      string
		theirs    []byte
		checksum  bool
		wantPuts  int // PutObject requests that reached S3, theirs included
		uploaded  bool
		wantStays string
	}{
		{"same content with its checksum", ours, true, 2, false, "ours"},
		{"other content", []byte("other"), false, 3, true, "ours"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := setup(t)
			key := "race/" + sha(ours) + "/key"
			raced := false
			e.d.S3 = racingS3{S3API: e.d.S3, put: func() {
				if raced {
					return
				}
				raced = true
				in := putInput(testBucket, key, string(tc.theirs))
				if tc.checksum {
					in.ChecksumSHA256 = aws.String(fakeaws.Checksum256(tc.theirs))
				}
				if _, err := e.d.S3.(racingS3).S3API.PutObject(context.Background(), in); err != nil {
					t.Error(err)
				}
			}}
			obj := object{bucket: testBucket, key: key, sha256: sha(ours), open: func() (content, error) {
				return content{body: bytes.NewReader(ours), size: int64(len(ours)), close: func() error { return nil }}, nil
			}}
			up, err := e.d.upload(context.Background(), &logger{d: e.d}, obj, Options{})
			if err != nil || up != tc.uploaded {
				t.Fatalf("upload = %v, %v; want uploaded %v", up, err, tc.uploaded)
			}
			if b, _ := e.s3.Object(testBucket, key); string(b) != tc.wantStays {
				t.Errorf("object = %q, want %q", b, tc.wantStays)
			}
			if n := e.s3.Calls("PutObject"); n != tc.wantPuts {
				t.Errorf("PutObject requests = %d, want %d", n, tc.wantPuts)
			}
		})
	}
}
