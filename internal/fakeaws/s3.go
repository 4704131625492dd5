package fakeaws

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// S3 is gofakes3 (an in-process S3 implementation) on loopback, wrapped so a
// test can count PutObject and HeadObject requests, see the headers uploads
// carried and make chosen keys fail. Clients must use path-style addressing.
type S3 struct {
	URL string

	backend *s3mem.Backend
	mu      sync.Mutex
	calls   map[string]int
	puts    []PutRequest
	faults  map[string]Fault
}

// PutRequest is one PutObject request as the fake received it.
type PutRequest struct {
	Bucket, Key string
	Header      http.Header
}

// NewS3 starts the fake with the given buckets; it stops when the test ends.
func NewS3(t testing.TB, buckets ...string) *S3 {
	t.Helper()
	s := &S3{backend: s3mem.New(), calls: map[string]int{}, faults: map[string]Fault{}}
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
	inner.ServeHTTP(w, r)
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
