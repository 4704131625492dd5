package compiler

import (
	"math"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/smpipe/smpipe-action/compiler/diag"
)

// TestPyJSON checks hyperparameter values against what the original
// delivered: PyYAML's YAML 1.1 typing, then Python's json.dumps.
func TestPyJSON(t *testing.T) {
	tests := []struct{ yaml, want string }{
		// strings
		{`binary:logistic`, `"binary:logistic"`},
		{`"0.1"`, `"0.1"`},
		{`'300'`, `"300"`},
		{`"true"`, `"true"`},
		{`!!str 5`, `"5"`},
		{`|` + "\n  two\n  lines\n", `"two\nlines\n"`},
		{`café "quoted" \ ✓ 😀`, `"caf\u00e9 \"quoted\" \\ \u2713 \ud83d\ude00"`},
		{`2024-01-01`, `"2024-01-01"`}, // a date: the original could not encode it
		{`1e3`, `"1e3"`},               // YAML 1.1 floats need a dot
		{`1.0e3`, `"1.0e3"`},           // ... and a signed exponent
		{`0o17`, `"0o17"`},
		{`08`, `"08"`},
		{`y`, `"y"`},
		{`.`, `"."`},
		{`-.5`, `"-.5"`},
		// booleans and null
		{`True`, `true`}, {`yes`, `true`}, {`ON`, `true`}, {`off`, `false`}, {`No`, `false`},
		{`~`, `null`}, {`null`, `null`}, {`!!null ""`, `null`},
		// integers
		{`300`, `300`}, {`-7`, `-7`}, {`+7`, `7`}, {`-0`, `0`}, {`1_000`, `1000`},
		{`0x1F`, `31`}, {`017`, `15`}, {`0b101`, `5`}, {`1:30`, `90`}, {`1:00:01`, `3601`},
		{`123456789012345678901234567890`, `123456789012345678901234567890`},
		{`!!int "42"`, `42`},
		// floats, as Python's repr writes them
		{`0.1`, `0.1`}, {`1.`, `1.0`}, {`.5`, `0.5`}, {`-1.5`, `-1.5`}, {`1_000.5`, `1000.5`},
		{`1.0e+3`, `1000.0`}, {`1.5e-7`, `1.5e-07`}, {`1.0e+16`, `1e+16`}, {`1.0e+15`, `1000000000000000.0`},
		{`0.0001`, `0.0001`}, {`0.00001`, `1e-05`}, {`1:30.5`, `90.5`}, {`1.0e+400`, `Infinity`},
		{`.inf`, `Infinity`}, {`-.Inf`, `-Infinity`}, {`.NaN`, `NaN`}, {`!!float 3`, `3.0`},
		// lists and mappings, with json.dumps's separators
		{`[1, a, "b", true]`, `[1, "a", "b", true]`},
		{`{b: 1, a: [x], 3: y, true: z}`, `{"b": 1, "a": ["x"], "3": "y", "true": "z"}`},
	}
	for _, tt := range tests {
		var doc yaml.Node
		if err := yaml.Unmarshal([]byte(tt.yaml), &doc); err != nil {
			t.Fatalf("%s: %v", tt.yaml, err)
		}
		var ds diag.Diagnostics
		r := &reader{file: "f", ds: &ds, env: noEnv, budget: maxAliasExpansion}
		got, ok := r.pyJSON(doc.Content[0], "v")
		if !ok || got != tt.want || len(ds) > 0 {
			t.Errorf("%s: got %s (ok %v, %v), want %s", tt.yaml, got, ok, ds, tt.want)
		}
	}
}

func TestPyJSON_badExplicitType(t *testing.T) {
	var doc yaml.Node
	_ = yaml.Unmarshal([]byte(`!!int abc`), &doc)
	var ds diag.Diagnostics
	r := &reader{file: "f", ds: &ds, env: noEnv, budget: maxAliasExpansion}
	if _, ok := r.pyJSON(doc.Content[0], "hyperparams.depth"); ok || len(ds) != 1 ||
		ds[0].String() != `f:1:1: error: hyperparams.depth: "abc" is not a valid !!int` {
		t.Errorf("got ok=%v %v", ok, ds)
	}
}

func TestPyFloatValue(t *testing.T) {
	tests := []struct {
		f    float64
		want string
	}{
		{0, "0.0"}, {math.Copysign(0, -1), "-0.0"}, {100, "100.0"}, {123.456, "123.456"},
		{1e15, "1000000000000000.0"}, {1e16, "1e+16"}, {1.2345678901234568e+17, "1.2345678901234568e+17"},
		{1e-4, "0.0001"}, {1e-5, "1e-05"}, {1.5e300, "1.5e+300"}, {5e-324, "5e-324"},
		{math.Inf(1), "Infinity"}, {math.NaN(), "NaN"},
	}
	for _, tt := range tests {
		if got := pyFloatValue(tt.f); got != tt.want {
			t.Errorf("pyFloatValue(%v) = %s, want %s", tt.f, got, tt.want)
		}
	}
}
