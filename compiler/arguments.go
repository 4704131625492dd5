package compiler

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
)

// argumentTypes maps a definition step Type to the aws-sdk-go-v2 input
// struct its Arguments must decode into. The SDK structs carry no json tags,
// but their field names are the wire names.
var argumentTypes = map[string]reflect.Type{
	"Processing":    reflect.TypeFor[sagemaker.CreateProcessingJobInput](),
	"Training":      reflect.TypeFor[sagemaker.CreateTrainingJobInput](),
	"Model":         reflect.TypeFor[sagemaker.CreateModelInput](),
	"Transform":     reflect.TypeFor[sagemaker.CreateTransformJobInput](),
	"RegisterModel": reflect.TypeFor[sagemaker.CreateModelPackageInput](),
	"Condition":     reflect.TypeFor[conditionStepRequest](),
	"Fail":          reflect.TypeFor[failStepRequest](),
}

// Condition and Fail steps start no SageMaker job, so no SDK input struct
// describes their Arguments. These do, with the members the SageMaker
// Python SDK writes (ConditionStep.arguments, FailStep.arguments, the
// to_request of its conditions), in the SDK's style: pointers for scalars,
// interfaces where any value or expression goes.
type (
	conditionStepRequest struct {
		Conditions []conditionRequest
		// The steps in the branches are checked as steps of their own.
		IfSteps, ElseSteps []any
	}
	conditionRequest struct {
		Type                  *string
		LeftValue, RightValue any               // comparisons
		Condition             *conditionRequest // Not
	}
	failStepRequest struct {
		ErrorMessage *string
	}
)

var (
	getType     = reflect.TypeFor[Get]()
	joinType    = reflect.TypeFor[Join]()
	jsonGetType = reflect.TypeFor[JSONGet]()
)

// checkArguments checks a step's Arguments against the SDK input struct of
// its job type, as a strict decode of their JSON would: unknown keys,
// wrongly cased keys and values of the wrong JSON type are errors.
// Expressions stand for any value. It also returns every Get path inside,
// in the order met (struct fields in order, map keys sorted).
//
// args is either the Go value the definition is encoded from or its
// generic JSON decoding; both are walked as encoding/json writes them, so
// the check reads the Go value directly instead of a second encode and
// decode.
func checkArguments(stepType string, args any) ([]string, error) {
	t, ok := argumentTypes[stepType]
	if !ok {
		return nil, fmt.Errorf("unknown step type %q", stepType)
	}
	c := &argChecker{path: []string{"Arguments"}}
	err := c.check(reflect.ValueOf(args), t)
	return c.refs, err
}

// argChecker walks one step's Arguments. path is where the walk is
// ("Arguments", ".InputDataConfig", "[0]", …), joined only for an error.
type argChecker struct {
	path []string
	refs []string
}

func (c *argChecker) at() string { return strings.Join(c.path, "") }

// checkIn checks v at path element elem.
func (c *argChecker) checkIn(elem string, v reflect.Value, t reflect.Type) error {
	c.path = append(c.path, elem)
	err := c.check(v, t)
	c.path = c.path[:len(c.path)-1]
	return err
}

// check checks v, as JSON, against the SDK type t.
func (c *argChecker) check(v reflect.Value, t reflect.Type) error {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return nil // null fits anything
		}
		v = v.Elem()
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	anything := t.Kind() == reflect.Interface // a union or document type
	switch v.Kind() {
	case reflect.Struct:
		if v.Type() == getType || v.Type() == joinType || v.Type() == jsonGetType {
			collectExprRefs(v, &c.refs)
			return nil
		}
		if !anything && t.Kind() != reflect.Struct {
			return fmt.Errorf("%s: expected %s, found an object", c.at(), reflectKind(t))
		}
		for _, f := range fieldsOf(v.Type(), t) {
			fv := v.Field(f.index)
			if f.omitEmpty && isEmptyValue(fv) {
				continue
			}
			if f.sdk == nil {
				return fmt.Errorf("%s: unknown field %q", c.at(), f.name)
			}
			if err := c.checkIn(f.dotName, fv, f.sdk); err != nil {
				return err
			}
		}
	case reflect.Map:
		if v.IsNil() {
			return nil
		}
		if m, ok := v.Interface().(map[string]any); ok && isExpression(m) {
			collectExprRefs(v, &c.refs)
			return nil
		}
		for _, k := range sortedKeys(v) {
			name := k.String()
			et, elem := t, "["+name+"]"
			switch t.Kind() {
			case reflect.Struct:
				f, ok := sdkField(t, name)
				if !ok {
					return fmt.Errorf("%s: unknown field %q", c.at(), name)
				}
				et, elem = f.Type, "."+name
			case reflect.Map:
				et = t.Elem()
			case reflect.Interface:
			default:
				return fmt.Errorf("%s: expected %s, found an object", c.at(), reflectKind(t))
			}
			if err := c.checkIn(elem, v.MapIndex(k), et); err != nil {
				return err
			}
		}
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			return nil
		}
		if !anything && t.Kind() != reflect.Slice {
			return fmt.Errorf("%s: expected %s, found a list", c.at(), reflectKind(t))
		}
		et := t
		if !anything {
			et = t.Elem()
		}
		for i := range v.Len() {
			if err := c.checkIn("["+strconv.Itoa(i)+"]", v.Index(i), et); err != nil {
				return err
			}
		}
	case reflect.String:
		if !anything && t.Kind() != reflect.String {
			return fmt.Errorf("%s: expected %s, found a string", c.at(), reflectKind(t))
		}
	case reflect.Bool:
		if !anything && t.Kind() != reflect.Bool {
			return fmt.Errorf("%s: expected %s, found a boolean", c.at(), reflectKind(t))
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return c.number(float64(v.Int()), t)
	case reflect.Float32, reflect.Float64:
		return c.number(v.Float(), t)
	}
	return nil
}

// number checks a JSON number against t.
func (c *argChecker) number(n float64, t reflect.Type) error {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		limit := math.Ldexp(1, t.Bits()-1)
		if n != math.Trunc(n) || n < -limit || n >= limit {
			return fmt.Errorf("%s: %v does not fit %s", c.at(), n, t.Kind())
		}
	case reflect.Float32, reflect.Float64, reflect.Interface:
	default:
		return fmt.Errorf("%s: expected %s, found a number", c.at(), reflectKind(t))
	}
	return nil
}

func reflectKind(t reflect.Type) string { return strings.ToLower(t.Kind().String()) }

// argField is one field encoding/json writes of a struct, with the type of
// the SDK field of that name (nil when the SDK struct has none).
type argField struct {
	index         int
	name, dotName string // "RoleArn", ".RoleArn"
	omitEmpty     bool
	sdk           reflect.Type
}

// fieldCache memoises jsonFields and fieldsOf, pure functions of types
// (encoding/json keeps the same kind of cache): every step of every compile
// is checked and encoded through them.
var fieldCache sync.Map // reflect.Type or [2]reflect.Type → []argField

// jsonFields lists the fields encoding/json writes of struct type t, in
// order, with sdk unset.
func jsonFields(t reflect.Type) []argField {
	if fs, ok := fieldCache.Load(t); ok {
		return fs.([]argField)
	}
	var fs []argField
	for i := range t.NumField() {
		if name, omitEmpty, ok := jsonName(t.Field(i)); ok {
			fs = append(fs, argField{index: i, name: name, dotName: "." + name, omitEmpty: omitEmpty})
		}
	}
	fieldCache.Store(t, fs)
	return fs
}

// fieldsOf lists the JSON fields of struct type ours, each matched to the
// field of SDK type sdk (an interface type matches anything).
func fieldsOf(ours, sdk reflect.Type) []argField {
	key := [2]reflect.Type{ours, sdk}
	if fs, ok := fieldCache.Load(key); ok {
		return fs.([]argField)
	}
	fs := slices.Clone(jsonFields(ours))
	for i := range fs {
		fs[i].sdk = sdk
		if sdk.Kind() != reflect.Interface {
			fs[i].sdk = nil
			if sf, ok := sdkField(sdk, fs[i].name); ok {
				fs[i].sdk = sf.Type
			}
		}
	}
	fieldCache.Store(key, fs)
	return fs
}

// jsonName reads a struct field's JSON name and omitempty; ok is false for
// fields encoding/json leaves out.
func jsonName(f reflect.StructField) (name string, omitEmpty, ok bool) {
	if !f.IsExported() {
		return "", false, false
	}
	tag := f.Tag.Get("json")
	if tag == "-" {
		return "", false, false
	}
	name, opts, _ := strings.Cut(tag, ",")
	if name == "" {
		name = f.Name
	}
	return name, strings.Contains(","+opts+",", ",omitempty,"), true
}

// sdkField finds the exported field of SDK struct t named exactly name:
// encoding/json alone would accept "roleArn" for RoleArn.
func sdkField(t reflect.Type, name string) (reflect.StructField, bool) {
	f, ok := t.FieldByName(name)
	return f, ok && f.IsExported() && len(f.Index) == 1
}

// isEmptyValue is encoding/json's test for omitempty.
func isEmptyValue(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool:
		return !v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int() == 0
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return v.Uint() == 0
	case reflect.Float32, reflect.Float64:
		return v.Float() == 0
	case reflect.Interface, reflect.Pointer:
		return v.IsNil()
	}
	return false
}

func isExpression(m map[string]any) bool {
	if len(m) != 1 {
		return false
	}
	for k := range m {
		return k == "Get" || k == "Std:Join" || k == "Std:JsonGet"
	}
	return false
}

// collectExprRefs appends the Get paths inside an expression (a Get, Join
// or JSONGet value, or its generic JSON decoding) or any value holding
// expressions.
func collectExprRefs(v reflect.Value, refs *[]string) {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return
		}
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.Struct:
		switch v.Type() {
		case getType:
			*refs = append(*refs, v.Field(0).String())
			return
		case joinType:
			collectExprRefs(v.Field(0).FieldByName("Values"), refs)
			return
		case jsonGetType:
			*refs = append(*refs, v.Field(0).FieldByName("PropertyFile").Field(0).String())
			return
		}
		for i := range v.NumField() {
			collectExprRefs(v.Field(i), refs)
		}
	case reflect.Map:
		if m, ok := v.Interface().(map[string]any); ok {
			if g, ok := m["Get"].(string); ok && len(m) == 1 {
				*refs = append(*refs, g)
				return
			}
		}
		for _, k := range sortedKeys(v) {
			collectExprRefs(v.MapIndex(k), refs)
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			collectExprRefs(v.Index(i), refs)
		}
	}
}

// sortedKeys returns the keys of a map with string keys, sorted.
func sortedKeys(m reflect.Value) []reflect.Value {
	keys := m.MapKeys()
	slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
	return keys
}
