package defhash

import (
	"strings"
	"testing"
)

func TestCanonical(t *testing.T) {
	compact := `{"Version":"2020-12-01","Steps":[{"Name":"a"}]}`
	indented := "{\n  \"Version\": \"2020-12-01\",\n  \"Steps\": [ { \"Name\": \"a\" } ]\n}\n"
	h, err := Canonical([]byte(indented))
	if err != nil || h != Of([]byte(compact)) {
		t.Errorf("Canonical(indented) = %s, %v; want Of(compact) = %s", h, err, Of([]byte(compact)))
	}
	if !strings.HasPrefix(h, Prefix) || len(h) != len(Prefix)+64 {
		t.Errorf("hash %q is not sha256:<64 hex>", h)
	}
	if _, err := Canonical([]byte("not json")); err == nil {
		t.Error("Canonical accepted a definition that is not JSON")
	}
}
