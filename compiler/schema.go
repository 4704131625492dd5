package compiler

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
)

// ConfSchema returns the JSON Schema (draft 2020-12) of conf files, both
// the framework conf and model confs, rendered from the key tables the
// decoder reads (keys.go). Editors validate conf files with it as they are
// typed; it checks names, types and enum values, not what smpipe checks
// across keys and files. The bytes are the same on every call.
func ConfSchema() []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(confSchema()); err != nil {
		panic(fmt.Sprintf("encoding the conf schema: %v", err)) // static data: not reached
	}
	return inlineScalarArrays(buf.Bytes())
}

// inlineScalarArrays puts each array of strings, numbers, booleans and
// nulls of indented JSON on one line, as people write "type": ["string",
// "null"]. (Compiled here, not at start-up: only `smpipe schema` needs it.)
func inlineScalarArrays(b []byte) []byte {
	const scalar = `"(?:[^"\\\n]|\\.)*"|-?[0-9][0-9.eE+-]*|true|false|null`
	array := regexp.MustCompile(`\[\n(?:[ ]+(?:` + scalar + `),?\n)+[ ]*\]`)
	item := regexp.MustCompile(scalar)
	return array.ReplaceAllFunc(b, func(a []byte) []byte {
		return append(append([]byte("["), bytes.Join(item.FindAll(a, -1), []byte(", "))...), ']')
	})
}

func confSchema() *jsonSchema {
	model, framework := mappingSchema(modelConfKeys, nil), mappingSchema(frameworkKeys, nil)
	model.Title, framework.Title = "model conf", "framework conf"
	// The two kinds of file are told apart by path, which a schema cannot
	// see: a framework conf is the one holding any of its own keys.
	for _, k := range frameworkKeys.keys {
		if k.deprecated == "" {
			framework.AnyOf = append(framework.AnyOf, &jsonSchema{Required: []string{k.name}})
		}
	}
	root := mappingSchema(topKeys, nil)
	conf := root.Properties[0].schema
	conf.Type, conf.AnyOf = nil, []*jsonSchema{model, framework}
	root.Schema = "https://json-schema.org/draft/2020-12/schema"
	root.Title = "smpipe conf file"
	root.Description = "A conf file of smpipe: a model conf (**/conf/*.yaml: conf.models, and in an anchor file conf.sagemakerPipeline) " +
		"or the framework conf (framework/conf/conf.yaml: conf.s3Bucket, conf.modelConfigFilePath, conf.sagemakerNetworkSecurity). " +
		"A model section's keys depend on the step classes that read it, so a section allows every key some class reading a section " +
		"of that name knows, and each key's description says which class uses it; smpipe compile checks the rest."
	return root
}

// keySchema is the schema of key k's value. readers are the step classes
// that may read the section k belongs to (section and channel keys only).
func keySchema(k *confKey, readers []StepClass) *jsonSchema {
	if k.uses != nil {
		return classKeySchema(k, readers)
	}
	s := valueSchema(k, readers)
	s.Description = k.doc
	if k.def != nil {
		s.Default = jsonValue(k.def)
	}
	if k.deprecated != "" {
		s.Description = "No effect: " + k.deprecated + "."
		s.Deprecated, s.DeprecationMessage = true, s.Description
	}
	return s
}

// classKeySchema is keySchema for a section or channel key, whose meaning
// and default depend on the class reading it.
func classKeySchema(k *confKey, readers []StepClass) *jsonSchema {
	var live, ignored []classUse
	for _, u := range k.uses {
		if slices.Contains(readers, u.class) {
			if u.ignored != "" {
				ignored = append(ignored, u)
			} else {
				live = append(live, u)
			}
		}
	}
	var doc []string
	if len(live) == 0 {
		s := &jsonSchema{Deprecated: true}
		for _, u := range ignored {
			doc = append(doc, fmt.Sprintf("No effect on a %s step: %s.", u.class, u.ignored))
		}
		s.Description = strings.Join(doc, "\n")
		s.DeprecationMessage = s.Description
		return s
	}
	s := valueSchema(k, classesOf(live))
	if k.doc != "" {
		doc = append(doc, k.doc)
	}
	for _, u := range live {
		text := u.doc
		if u.required {
			text = strings.TrimSuffix(text, ".") + "; required."
		}
		if text != "" {
			doc = append(doc, fmt.Sprintf("%s: %s", u.class, text))
		}
	}
	if k.doc != "" {
		doc = append(doc, fmt.Sprintf("Read by %s steps.", andList(classesOf(live))))
	}
	defs := map[string][]StepClass{}
	var order []string
	for _, u := range live {
		d := u.def
		if d == nil {
			d = k.def
		}
		if d == nil {
			continue
		}
		text := string(jsonValue(d))
		if _, ok := defs[text]; !ok {
			order = append(order, text)
		}
		defs[text] = append(defs[text], u.class)
	}
	switch {
	case len(order) == 1 && len(defs[order[0]]) == len(live):
		s.Default = json.RawMessage(order[0])
	case len(order) > 0:
		var parts []string
		for _, text := range order {
			parts = append(parts, fmt.Sprintf("%s for %s", text, andList(defs[text])))
		}
		doc = append(doc, "Default: "+strings.Join(parts, "; ")+".")
	}
	for _, u := range ignored {
		doc = append(doc, fmt.Sprintf("No effect on a %s step: %s.", u.class, u.ignored))
	}
	s.Description = strings.Join(doc, "\n")
	return s
}

// valueSchema is the schema of k's value without its annotations.
func valueSchema(k *confKey, readers []StepClass) *jsonSchema {
	scalars := []string{"string", "number", "boolean", "null"}
	if k.needsValue {
		scalars = scalars[:3]
	}
	switch k.typ {
	case typeString:
		if k.needsValue {
			return &jsonSchema{Type: scalars, MinLength: 1, Pattern: k.pattern}
		}
		return &jsonSchema{Type: scalars, Pattern: k.pattern}
	case typeText:
		return &jsonSchema{Type: scalars}
	case typeBool:
		return &jsonSchema{Type: []string{"boolean", "string", "null"},
			Pattern: `^(?:[Tt][Rr][Uu][Ee]|[Yy](?:[Ee][Ss])?|[Oo][Nn]|[Ff][Aa][Ll][Ss][Ee]|[Nn][Oo]?|[Oo][Ff][Ff])$`}
	case typeCount:
		// A number, or a string of digits (and _ between them) with a
		// digit other than 0; "" is not set.
		return &jsonSchema{Type: []string{"integer", "string", "null"}, Minimum: ptr[int64](1), Maximum: ptr[int64](math.MaxInt32),
			Pattern: `^(?:\+?(?:0[0_]*)?[1-9][0-9_]*)?$`}
	case typeEnum:
		s := &jsonSchema{}
		for _, v := range k.enum {
			s.Enum = append(s.Enum, v)
		}
		if !k.needsValue {
			s.Enum = append(s.Enum, "", nil)
		}
		return s
	case typeNumber:
		return &jsonSchema{Type: "number"}
	case typeS3URI:
		return &jsonSchema{Type: []string{"string", "null"}, Pattern: `^(?:s3://|$)`}
	case typeDuration:
		return &jsonSchema{Type: []string{"string", "null"},
			Pattern: `^(?:P(?:[0-9]+Y)?(?:[0-9]+M)?(?:[0-9]+W)?(?:[0-9]+D)?(?:T(?:[0-9]+H)?(?:[0-9]+M)?(?:[0-9]+S)?)?)?$`,
			Not:     &jsonSchema{Type: "string", Pattern: `^P$|T$`}}
	case typeStrings:
		return &jsonSchema{Type: []string{"array", "null"}, Items: &jsonSchema{Type: []string{"string", "number", "boolean", "null"}}}
	case typeStringMap:
		return &jsonSchema{Type: "object", AdditionalProperties: &jsonSchema{Type: []string{"string", "number", "boolean", "null"}}}
	case typeAnyMap:
		return &jsonSchema{Type: "object", PropertyNames: &jsonSchema{Not: &jsonSchema{Pattern: "^" + reservedHyperparamPrefix}}}
	case typeMapping:
		s := mappingSchema(k.keys, readers)
		if k.nullOK {
			s.Type = []string{"object", "null"}
		}
		return s
	case typeList:
		return &jsonSchema{Type: []string{"array", "null"}, Items: mappingSchema(k.keys, readers)}
	case typeSection:
		return sectionSchema(sectionReaders(k.name))
	case typeChannels:
		channel := mappingSchema(classKeys(channelKeys, readers), readers)
		channel.Type = []string{"object", "null"}
		s := &jsonSchema{Type: "object", PropertyNames: &jsonSchema{Pattern: channelNamePattern}, AdditionalProperties: channel}
		if slices.Contains(readers, Metrics) {
			s.Type = []string{"object", "string", "number", "boolean"}
		}
		return s
	}
	return &jsonSchema{} // typeUnused: anything
}

// mappingSchema is the schema of a mapping with t's keys; any mapping when
// t is nil (conf, whose keys depend on the file).
func mappingSchema(t *keyTable, readers []StepClass) *jsonSchema {
	if t == nil {
		return &jsonSchema{Type: "object"}
	}
	s := &jsonSchema{Type: "object", AdditionalProperties: &jsonSchema{never: true}}
	for _, k := range t.keys {
		s.Properties = append(s.Properties, prop{k.name, keySchema(k, readers)})
		if k.required {
			s.Required = append(s.Required, k.name)
		}
	}
	if t.others != nil {
		s.AdditionalProperties = keySchema(t.others, readers)
	}
	if t.namePattern != "" {
		s.PropertyNames = &jsonSchema{Description: t.nameRule, Pattern: t.namePattern}
	}
	return s
}

// sectionSchema is the schema of a model section that readers may read:
// every key one of them knows.
func sectionSchema(readers []StepClass) *jsonSchema {
	s := mappingSchema(classKeys(sectionKeys, readers), readers)
	s.Type = []string{"object", "null"}
	return s
}

// classKeys are the keys of keys that one of readers knows.
func classKeys(keys []*confKey, readers []StepClass) *keyTable {
	var out []*confKey
	for _, k := range keys {
		if slices.ContainsFunc(k.uses, func(u classUse) bool { return slices.Contains(readers, u.class) }) {
			out = append(out, k)
		}
	}
	return table(out...)
}

func classesOf(uses []classUse) []StepClass {
	out := make([]StepClass, len(uses))
	for i, u := range uses {
		out[i] = u.class
	}
	return out
}

// andList joins classes as prose: "Processing, Training and Metrics".
func andList(classes []StepClass) string {
	names := make([]string, len(classes))
	for i, c := range classes {
		names[i] = string(c)
	}
	return wordList(names, "and")
}

// jsonValue encodes a default.
func jsonValue(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("encoding default %v: %v", v, err)) // static data: not reached
	}
	return b
}

func ptr[T any](v T) *T { return &v }

// jsonSchema is one schema object of JSON Schema draft 2020-12, its
// keywords in the order the file shows them.
type jsonSchema struct {
	Schema      string `json:"$schema,omitempty"`
	Title       string `json:"title,omitempty"`
	Description string `json:"description,omitempty"`
	Deprecated  bool   `json:"deprecated,omitempty"`
	// DeprecationMessage is the reason, in the keyword VS Code's JSON and
	// YAML language services show as a warning (validators ignore it).
	DeprecationMessage   string          `json:"deprecationMessage,omitempty"`
	Default              json.RawMessage `json:"default,omitempty"`
	Type                 any             `json:"type,omitempty"` // a name or a list of names
	Enum                 []any           `json:"enum,omitempty"`
	Pattern              string          `json:"pattern,omitempty"`
	MinLength            int             `json:"minLength,omitempty"`
	Minimum              *int64          `json:"minimum,omitempty"`
	Maximum              *int64          `json:"maximum,omitempty"`
	Not                  *jsonSchema     `json:"not,omitempty"`
	Required             []string        `json:"required,omitempty"`
	Properties           props           `json:"properties,omitempty"`
	PropertyNames        *jsonSchema     `json:"propertyNames,omitempty"`
	AdditionalProperties *jsonSchema     `json:"additionalProperties,omitempty"`
	Items                *jsonSchema     `json:"items,omitempty"`
	AnyOf                []*jsonSchema   `json:"anyOf,omitempty"`

	never bool // the schema false, which nothing matches
}

func (s *jsonSchema) MarshalJSON() ([]byte, error) {
	if s.never {
		return []byte("false"), nil
	}
	type plain jsonSchema // without this method
	return marshalUnescaped((*plain)(s))
}

// props are the properties of an object schema, in table order.
type props []prop

type prop struct {
	name   string
	schema *jsonSchema
}

func (ps props) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, p := range ps {
		if i > 0 {
			buf.WriteByte(',')
		}
		k, err := marshalUnescaped(p.name)
		if err != nil {
			return nil, err
		}
		v, err := marshalUnescaped(p.schema)
		if err != nil {
			return nil, err
		}
		buf.Write(k)
		buf.WriteByte(':')
		buf.Write(v)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// marshalUnescaped is json.Marshal without escaping <, > and &, which
// descriptions are full of (<pipelineName>).
func marshalUnescaped(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
