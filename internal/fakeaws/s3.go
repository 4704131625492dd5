package fakeaws

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// S3 is gofakes3 (an in-process S3 implementation) on loopback, wrapped so a
// test can count PutObject and HeadObject requests, see the headers uploads
// carried and make chosen keys fail. Clients must use path-style addressing.
//
// It keeps SHA-256 checksums as S3 does, which gofakes3 does not: a PutObject
// with x-amz-checksum-sha256 is refused (400 BadDigest) unless the body has
// that checksum, and is stored with it; HeadObject and GetObject return it
// only with x-amz-checksum-mode: ENABLED. An object written without one has
// none.
type S3 struct {
	URL string

	backend   *s3mem.Backend
	mu        sync.Mutex
	calls     map[string]int
	puts      []PutRequest
	faults    map[string]Fault
	checksums map[string]string // bucket/key → base64 SHA-256
}

// PutRequest is one PutObject request as the fake received it.
type PutRequest struct {
	Bucket, Key string
	Header      http.Header
}

// NewS3 starts the fake with the given buckets; it stops when the test ends.
func NewS3(t testing.TB, buckets ...string) *S3 {
	t.Helper()
	s := &S3{backend: s3mem.New(), calls: map[string]int{}, faults: map[string]Fault{}, checksums: map[string]string{}}
	for _, b := range buckets {
		if err := s.backend.CreateBucket(b); err != nil {
			t.Fatalf("creating fake bucket %q: %v", b, err)
		}
	}
	inner := gofakes3.New(s.backend).Server()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.observe(w, r, inner)
	}))
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

// FailKey makes every request for key answer f until cleared with an empty Fault.
func (s *S3) FailKey(key string, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f == (Fault{}) {
		delete(s.faults, key)
		return
	}
	s.faults[key] = f
}

func (s *S3) observe(w http.ResponseWriter, r *http.Request, inner http.Handler) {
	bucket, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	op := ""
	switch {
	case key == "":
	case r.Method == http.MethodHead:
		op = "HeadObject"
	case r.Method == http.MethodPut && r.Header.Get("X-Amz-Copy-Source") == "" && !r.URL.Query().Has("uploadId"):
		op = "PutObject"
	case r.Method == http.MethodGet:
		op = "GetObject"
	}
	s.mu.Lock()
	if op != "" {
		s.calls[op]++
	}
	if op == "PutObject" {
		s.puts = append(s.puts, PutRequest{Bucket: bucket, Key: key, Header: r.Header.Clone()})
	}
	f, failing := s.faults[key]
	s.mu.Unlock()
	if failing && key != "" {
		status := f.Status
		if status == 0 {
			status = 500
		}
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(status)
		if r.Method != http.MethodHead {
			fmt.Fprintf(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>%s</Code><Message>%s</Message><Key>%s</Key></Error>", f.Code, f.Message, key)
		}
		return
	}
	switch op {
	case "PutObject":
		s.put(w, r, bucket, key, inner)
		return
	case "HeadObject", "GetObject":
		if strings.EqualFold(r.Header.Get("X-Amz-Checksum-Mode"), "ENABLED") {
			if sum, ok := s.checksum(bucket, key); ok {
				w.Header().Set("X-Amz-Checksum-Sha256", sum)
				w.Header().Set("X-Amz-Checksum-Type", "FULL_OBJECT")
			}
		}
	}
	inner.ServeHTTP(w, r)
}

// put checks an upload's SHA-256 checksum against its body, then stores
// the object with gofakes3 and its checksum here. gofakes3 would keep the
// checksum header as metadata and return it on every HEAD, so it never
// sees it.
func (s *S3) put(w http.ResponseWriter, r *http.Request, bucket, key string, inner http.Handler) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	claimed := r.Header.Get("X-Amz-Checksum-Sha256")
	if claimed != "" {
		if got := Checksum256(body); got != claimed {
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>BadDigest</Code><Message>The SHA256 you specified did not match the calculated checksum.</Message><Key>%s</Key></Error>", key)
			return
		}
	}
	for h := range r.Header {
		if strings.HasPrefix(strings.ToLower(h), "x-amz-checksum-") || strings.EqualFold(h, "X-Amz-Sdk-Checksum-Algorithm") {
			r.Header.Del(h)
		}
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	inner.ServeHTTP(rec, r)
	if rec.status != http.StatusOK {
		return
	}
	s.setChecksum(bucket, key, claimed)
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (s *S3) checksum(bucket, key string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sum, ok := s.checksums[bucket+"/"+key]
	return sum, ok
}

// Plant stores an object directly, as another writer could have left it:
// with the given base64 SHA-256 checksum, or none when checksum is "". The
// checksum is not checked against body, so a test can plant a wrong one.
func (s *S3) Plant(t testing.TB, bucket, key string, body []byte, checksum string) {
	t.Helper()
	meta := map[string]string{"Last-Modified": time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Format(http.TimeFormat)}
	if _, err := s.backend.PutObject(bucket, key, meta, bytes.NewReader(body), int64(len(body)), nil); err != nil {
		t.Fatalf("planting s3://%s/%s: %v", bucket, key, err)
	}
	s.setChecksum(bucket, key, checksum)
}

// setChecksum records an object's checksum; "" means it has none.
func (s *S3) setChecksum(bucket, key, checksum string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if checksum != "" {
		s.checksums[bucket+"/"+key] = checksum
	} else {
		delete(s.checksums, bucket+"/"+key)
	}
}

// Checksum256 is the base64 SHA-256 checksum S3 reports for body.
func Checksum256(body []byte) string {
	sum := sha256.Sum256(body)
	return base64.StdEncoding.EncodeToString(sum[:])
}

// Calls is how many requests of op ("PutObject", "HeadObject", "GetObject") arrived.
func (s *S3) Calls(op string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[op]
}

// Puts returns the PutObject requests received, in order.
func (s *S3) Puts() []PutRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]PutRequest(nil), s.puts...)
}

// Object reads a stored object.
func (s *S3) Object(bucket, key string) ([]byte, bool) {
	obj, err := s.backend.GetObject(bucket, key, nil)
	if err != nil {
		return nil, false
	}
	defer obj.Contents.Close()
	b, err := io.ReadAll(obj.Contents)
	if err != nil {
		return nil, false
	}
	return b, true
}

// Keys lists the keys stored in bucket, sorted.
func (s *S3) Keys(bucket string) []string {
	list, err := s.backend.ListBucket(bucket, nil, gofakes3.ListBucketPage{})
	if err != nil {
		return nil
	}
	var out []string
	for _, c := range list.Contents {
		out = append(out, c.Key)
	}
	return out
}
