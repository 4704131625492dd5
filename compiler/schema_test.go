package compiler

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"gopkg.in/yaml.v3"
)

// confValidator compiles ConfSchema with a JSON Schema validator, which
// checks it against the draft 2020-12 metaschema on the way.
func confValidator(t testing.TB) *jsonschema.Schema {
	t.Helper()
	return compileSchema(t, schemaDoc(t))
}

func schemaDoc(t testing.TB) map[string]any {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(ConfSchema()))
	if err != nil {
		t.Fatalf("the schema is not JSON: %v", err)
	}
	return doc.(map[string]any)
}

func compileSchema(t testing.TB, doc map[string]any) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	if err := c.AddResource("conf.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("conf.schema.json")
	if err != nil {
		t.Fatalf("compiling the schema: %v", err)
	}
	return s
}

// yamlDoc is a YAML file as a JSON Schema validator sees it, with the
// lines of its keys and values by JSON pointer.
type yamlDoc struct {
	value      any
	keyLine    map[string]int // of the key whose value is at the pointer
	valueLine  map[string]int
	parseError error
	budget     int // nodes left to convert: aliases can expand without bound
}

// readYAMLDoc converts YAML to the value editors validate: YAML 1.2 core
// schema types (yes is a string, True a boolean), mappings as objects,
// aliases followed, a merge key kept as a key named "<<".
func readYAMLDoc(src []byte) *yamlDoc {
	d := &yamlDoc{keyLine: map[string]int{}, valueLine: map[string]int{}, budget: maxAliasExpansion}
	var n yaml.Node
	if err := yaml.Unmarshal(src, &n); err != nil {
		d.parseError = err
		return d
	}
	if len(n.Content) > 0 {
		d.value = d.convert(n.Content[0], "")
	}
	if d.budget < 0 {
		d.parseError = fmt.Errorf("more than %d nodes through aliases", maxAliasExpansion)
	}
	return d
}

func (d *yamlDoc) convert(n *yaml.Node, ptr string) any {
	if d.budget--; d.budget < 0 {
		return nil
	}
	for n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	d.valueLine[ptr] = n.Line
	switch n.Kind {
	case yaml.MappingNode:
		m := map[string]any{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			for k.Kind == yaml.AliasNode {
				k = k.Alias
			}
			p := ptr + "/" + escapePointer(k.Value)
			d.keyLine[p] = k.Line
			m[k.Value] = d.convert(n.Content[i+1], p)
		}
		return m
	case yaml.SequenceNode:
		a := make([]any, len(n.Content))
		for i, c := range n.Content {
			a[i] = d.convert(c, ptr+"/"+strconv.Itoa(i))
		}
		return a
	}
	switch n.Tag {
	case "!!null":
		return nil
	case "!!bool":
		b, _ := strconv.ParseBool(strings.ToLower(n.Value))
		return b
	case "!!int", "!!float":
		text := strings.ReplaceAll(n.Value, "_", "")
		if i, err := strconv.ParseInt(text, 0, 64); err == nil {
			return json.Number(strconv.FormatInt(i, 10))
		}
		if _, ok := new(big.Rat).SetString(text); ok {
			return json.Number(text)
		}
	}
	return n.Value
}

// A schemaError is one place the schema rejects: a file and line, and what.
type schemaError struct {
	file    string
	line    int
	message string
	// parentLine is the line of the mapping holding the value at fault,
	// where compile reports a required key that is present but empty.
	parentLine int
}

// schemaErrors validates d and returns where it fails: the line of each
// unknown key, of the mapping missing a required key, else of the value.
func schemaErrors(s *jsonschema.Schema, file string, d *yamlDoc) []schemaError {
	err := s.Validate(d.value)
	if err == nil {
		return nil
	}
	ve, ok := err.(*jsonschema.ValidationError)
	if !ok {
		return []schemaError{{file: file, message: err.Error()}}
	}
	var out []schemaError
	printer := message.NewPrinter(language.English)
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		ptr := ""
		for _, p := range e.InstanceLocation {
			ptr += "/" + escapePointer(p)
		}
		msg := fmt.Sprintf("%s: %s", ptr, e.ErrorKind.LocalizedString(printer))
		switch k := e.ErrorKind.(type) {
		case *kind.AnyOf:
			// As editors do: the problems of the alternative that fits
			// best, the one with the fewest.
			best := slices.MinFunc(e.Causes, func(a, b *jsonschema.ValidationError) int { return leaves(a) - leaves(b) })
			walk(best)
			return
		case *kind.AdditionalProperties:
			for _, name := range k.Properties {
				out = append(out, schemaError{file: file, line: d.keyLine[ptr+"/"+escapePointer(name)], message: msg})
			}
			return
		case *kind.PropertyNames:
			// The validator shares this error's location slice with later
			// validation, which overwrites it (v6.0.3); what survives is its
			// length. The key is the one of that name at that depth.
			out = append(out, schemaError{file: file, line: d.keyAt(len(e.InstanceLocation)+1, k.Property), message: msg})
			return
		case *kind.Required:
			line := d.keyLine[ptr]
			if line == 0 {
				line = d.valueLine[ptr]
			}
			out = append(out, schemaError{file: file, line: line, message: msg})
			return
		}
		if len(e.Causes) > 0 {
			for _, c := range e.Causes {
				walk(c)
			}
			return
		}
		parent := ptr[:strings.LastIndexByte(ptr, '/')+1]
		out = append(out, schemaError{file, d.valueLine[ptr], msg, d.valueLine[strings.TrimSuffix(parent, "/")]})
	}
	walk(ve)
	return out
}

// keyAt is the line of the first key called name at depth (in pointer
// segments), 0 when there is none.
func (d *yamlDoc) keyAt(depth int, name string) int {
	line := 0
	for p, l := range d.keyLine {
		if strings.Count(p, "/") == depth && strings.HasSuffix(p, "/"+escapePointer(name)) && (line == 0 || l < line) {
			line = l
		}
	}
	return line
}

// leaves counts the problems under e.
func leaves(e *jsonschema.ValidationError) int {
	if len(e.Causes) == 0 {
		return 1
	}
	n := 0
	for _, c := range e.Causes {
		n += leaves(c)
	}
	return n
}

func escapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// confFiles are the YAML files of a repository directory that smpipe reads
// with the default discovery: **/conf/*.yaml, the framework conf included.
func confFiles(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !e.IsDir() && strings.HasSuffix(p, ".yaml") && filepath.Base(filepath.Dir(p)) == "conf" {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// errorLines are the sorted places of errs.
func errorLines(errs []schemaError) []string {
	out := make([]string, len(errs))
	for i, e := range errs {
		out[i] = fmt.Sprintf("%s:%d", e.file, e.line)
	}
	slices.Sort(out)
	return out
}

// validateRepo validates every conf file of a repository.
func validateRepo(t *testing.T, s *jsonschema.Schema, dir string) []schemaError {
	t.Helper()
	var out []schemaError
	for _, f := range confFiles(t, dir) {
		src, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		d := readYAMLDoc(src)
		if d.parseError != nil {
			continue // a YAML problem: the editor's parser reports it, and compile does
		}
		out = append(out, schemaErrors(s, f, d)...)
	}
	return out
}

// TestConfSchema_acceptedRepositories: every conf file validates of the
// example repositories (testdata/conf/ok, which compile without a word) and
// of the repositories written as the original framework's examples are
// (testdata/conf/seed, whose keys the original read but never used are
// deprecated, not refused).
func TestConfSchema_acceptedRepositories(t *testing.T) {
	s := confValidator(t)
	for _, dir := range append(exampleRepos(t), seedCases(t)...) {
		t.Run(filepath.Base(filepath.Dir(dir))+"/"+filepath.Base(dir), func(t *testing.T) {
			if len(confFiles(t, dir)) == 0 {
				t.Fatal("no conf files")
			}
			for _, e := range validateRepo(t, s, dir) {
				t.Errorf("%s:%d: %s", e.file, e.line, e.message)
			}
		})
	}
}

// TestConfSchema_draft07: the schema uses only keywords that mean the same
// in draft-07, which the YAML language servers of several editors
// implement, so they read it as a 2020-12 validator does.
func TestConfSchema_draft07(t *testing.T) {
	// Keywords of both drafts with one meaning, and annotations.
	same := []string{"$schema", "title", "description", "default", "deprecated", "deprecationMessage", "type", "enum",
		"pattern", "minLength", "minimum", "maximum", "not", "required", "properties", "propertyNames",
		"additionalProperties", "items", "anyOf"}
	var walk func(v any, at string)
	walk = func(v any, at string) {
		m, ok := v.(map[string]any)
		if !ok {
			return
		}
		for k, sub := range m {
			if !slices.Contains(same, k) {
				t.Errorf("%s: keyword %s", at, k)
			}
			switch k {
			case "properties":
				for name, p := range sub.(map[string]any) {
					walk(p, at+"/properties/"+name)
				}
			case "anyOf":
				for i, p := range sub.([]any) {
					walk(p, fmt.Sprintf("%s/anyOf/%d", at, i))
				}
			case "not", "propertyNames", "additionalProperties", "items":
				walk(sub, at+"/"+k)
			}
		}
	}
	doc := schemaDoc(t)
	walk(doc, "")

	// And a draft-07 validator says what the 2020-12 one does.
	doc["$schema"] = "http://json-schema.org/draft-07/schema#"
	old, draft7 := confValidator(t), compileSchema(t, doc)
	for _, dir := range append(append(exampleRepos(t), seedCases(t)...), errCases(t)...) {
		if a, b := errorLines(validateRepo(t, old, dir)), errorLines(validateRepo(t, draft7, dir)); !slices.Equal(a, b) {
			t.Errorf("%s: 2020-12 rejects %v, draft-07 %v", dir, a, b)
		}
	}
}

// schemaCodes are the codes of diagnostics about what a key may be and
// hold, which the schema states too.
var schemaCodes = []string{"type", "value", "unknown-key", "missing-key", "step-class", "model-name", "channel-name", "hyperparams"}

// schemaBlind are the bad-input cases whose problem the schema cannot see
// (or sees elsewhere), and why.
var schemaBlind = map[string]string{
	"merge-key":                             "the editor's YAML parser resolves or refuses merge keys; the schema sees the result",
	"yaml-alias-bomb":                       "the editor's YAML parser expands aliases, or refuses to",
	"processing-without-step-type":          "step_type is required by Processing steps only, a check of the step rather than of the key",
	"registry-without-image":                "InferenceSpecification.image_uri is required where a CreateModel or RegisterModel step reads the registry",
	"section-without-image-or-entry-point":  "image_uri and entry_point are required by the classes that read a section, which a section's schema cannot know",
	"quality-gate-unquoted-operator":        "operator: > is an empty folded block in YAML; the schema sees an empty string, which means not set",
	"model-package-group-ending-in-preview": "a default group name is the pipeline's and the model's, which no single key holds",
}

// TestConfSchema_errorCases: the schema rejects exactly the lines of the
// bad-input cases (testdata/conf/err) where compile reports a key or a
// value of the wrong kind (schemaCodes), so an editor flags the same lines
// compile does, and accepts every line compile has nothing of that kind to
// say about.
func TestConfSchema_errorCases(t *testing.T) {
	s := confValidator(t)
	for _, dir := range errCases(t) {
		name := filepath.Base(dir)
		t.Run(name, func(t *testing.T) {
			out, err := os.ReadFile(dir + ".out")
			if err != nil {
				t.Fatal(err)
			}
			want, missing := map[string]bool{}, map[string]bool{}
			for line := range strings.Lines(string(out)) {
				pos, rest, _ := strings.Cut(line, ": ")
				code := rest[strings.LastIndexByte(rest, '[')+1 : strings.LastIndexByte(rest, ']')]
				if slices.Contains(schemaCodes, code) {
					file, lc, _ := strings.Cut(pos, ":")
					l, _, _ := strings.Cut(lc, ":")
					want[file+":"+l] = true
					missing[file+":"+l] = code == "missing-key"
				}
			}
			got := map[string]bool{}
			var msgs []string
			for _, e := range validateRepo(t, s, dir) {
				at := fmt.Sprintf("%s:%d", e.file, e.line)
				if in := fmt.Sprintf("%s:%d", e.file, e.parentLine); !want[at] && missing[in] {
					at = in // a required key that is there but empty
				}
				got[at] = true
				msgs = append(msgs, fmt.Sprintf("%s:%d: %s", e.file, e.line, e.message))
			}
			if why, ok := schemaBlind[name]; ok {
				if maps.Equal(want, got) {
					t.Errorf("listed in schemaBlind (%s), but the schema now agrees with compile: remove it", why)
				}
				return
			}
			if !maps.Equal(want, got) {
				t.Errorf("compile reports %v; the schema rejects %v:\n%s", slices.Sorted(maps.Keys(want)), slices.Sorted(maps.Keys(got)), strings.Join(msgs, "\n"))
			}
		})
	}
}
