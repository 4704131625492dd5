package compiler

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/smpipe/smpipe-action/compiler/diag"
)

// stdJSON is what encoding/json writes, the reference marshalCanonical
// must match byte for byte.
func stdJSON(t *testing.T, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

func TestMarshalCanonical_matchesEncodingJSON(t *testing.T) {
	var all []string
	for c := range 0x80 {
		all = append(all, "<"+string(rune(c))+">")
	}
	values := []any{
		strings.Join(all, ""), "bad\xff\xfeutf8", "sep\u2028\u2029", "é ✓ 😀 \u007f", `quote " back \ slash`, "",
		map[string]any{"b": 1, "a": []any{true, nil, "x"}, "": map[string]string{"k": "v"}},
		[]string(nil), []string{}, map[string]string(nil), (*cacheConfig)(nil), &cacheConfig{Enabled: true, ExpireAfter: "P10D"},
		definitionDoc{Version: "2020-12-01", Parameters: []any{}, Steps: []defStep{{Name: "a", Type: "Processing", Arguments: &processingArgs{}}}},
		struct {
			A int64  `json:"a,omitempty"`
			B string `json:"-"`
			C uint16
			d string
			E []int `json:",omitempty"`
		}{C: 7, d: "hidden"},
		// Numbers as a quality gate's threshold writes them: the exponent
		// switches at 1e-6 and 1e21, negative exponents lose a leading zero.
		[]float64{0, 0.5, -0.5, 1, 100, 0.1, 1e-6, 9.99e-7, 1e-7, 1.5e-10, 1e20, 1e21, 1.2345e300, -3e-300, 5e-324},
		map[string]any{"RightValue": 0.25, "n": float64(3)},
	}
	for _, v := range values {
		got, err := marshalCanonical(v)
		if err != nil {
			t.Fatalf("%#v: %v", v, err)
		}
		if want := stdJSON(t, v); !bytes.Equal(got, want) {
			t.Errorf("%#v:\n got %s\nwant %s", v, got, want)
		}
	}
	// Every step of every example, as the compiler builds it.
	for _, dir := range exampleRepos(t) {
		repo, err := Load(context.Background(), openRepo(t, dir), Options{Getenv: noEnv})
		if err != nil {
			t.Fatal(err)
		}
		for _, pc := range repo.proj.Anchors {
			var ds diag.Diagnostics
			bundles := newBundler(context.Background(), &archiver{}, repo.fsys, repo.opt, repo.proj.Framework.Bucket.Value, pc.Name.Value)
			p := build(repo.proj, pc, repo.fsys, "us-east-1", nil, bundles, &ds)
			for _, s := range p.Steps {
				step := defStep{Name: s.Name, Type: s.Type, Arguments: s.Arguments, CacheConfig: s.Cache, PropertyFiles: s.PropertyFiles}
				got, err := marshalCanonical(step)
				if err != nil {
					t.Fatal(err)
				}
				if want := stdJSON(t, step); !bytes.Equal(got, want) {
					t.Errorf("%s, step %s:\n got %s\nwant %s", filepath.Base(dir), s.Name, got, want)
				}
			}
		}
	}
	if _, err := marshalCanonical(map[int]string{1: "x"}); err == nil {
		t.Error("a map keyed by int must be refused, not written differently from encoding/json")
	}
	if _, err := marshalCanonical([]byte("x")); err == nil {
		t.Error("a byte slice must be refused, not written differently from encoding/json")
	}
	for _, f := range []float64{math.Inf(1), math.NaN()} {
		if _, err := marshalCanonical(f); err == nil {
			t.Errorf("%v must be refused: JSON has no such number", f)
		}
	}
}
