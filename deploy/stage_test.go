package deploy

import (
	"context"
	"strconv"
	"strings"
	"testing"
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
	opts := Options{CommitSHA: testCommit}

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
	shared := Artifact{Bucket: testBucket, Key: "shared/code/x/runproc.sh", Body: []byte("#!/bin/sh\n"), SHA256: sha([]byte("#!/bin/sh\n"))}
	a.Artifacts = []Artifact{shared}
	b.Artifacts = []Artifact{shared}
	e.d.Concurrency = 1

	got := e.d.Deploy(context.Background(), []Target{a, b}, Options{CommitSHA: testCommit})

	if got[0].Uploaded+got[1].Uploaded != 1 || got[0].Skipped+got[1].Skipped != 1 {
		t.Errorf("uploaded %d+%d skipped %d+%d, want one upload and one skip", got[0].Uploaded, got[1].Uploaded, got[0].Skipped, got[1].Skipped)
	}
	if n := e.s3.Calls("PutObject"); n != 1 {
		t.Errorf("PutObject calls = %d, want 1", n)
	}
}

func TestUpload_preconditionFailedCountsAsPresent(t *testing.T) {
	t.Parallel()
	e := setup(t)
	// The key appears between HeadObject and PutObject: gofakes3 answers
	// the conditional put with 412 PreconditionFailed.
	e.d.S3 = racingS3{S3API: e.d.S3, put: func() {
		_, _ = e.d.S3.(racingS3).S3API.PutObject(context.Background(), putInput(testBucket, "race/key", "other"))
	}}
	up, err := e.d.upload(context.Background(), testBucket, "race/key", []byte("ours"), "", Options{})
	if err != nil || up {
		t.Fatalf("upload = %v, %v; want not uploaded, no error", up, err)
	}
	if b, _ := e.s3.Object(testBucket, "race/key"); string(b) != "other" {
		t.Errorf("object = %q, the first writer's content must stay", b)
	}
}
