package compiler

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"

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

// withoutExpressions replaces every expression object by null, since its
// value only exists at run time.
func withoutExpressions(v any) any {
	switch t := v.(type) {
	case map[string]any:
		if isExpression(t) {
			return nil
		}
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = withoutExpressions(e)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = withoutExpressions(e)
		}
		return out
	}
	return v
}

// checkArguments checks a step's Arguments against the SDK input struct of
// its job type, as a strict decode would: unknown keys, wrongly cased keys
// and values of the wrong JSON type are reported. tree is the generic
// decoding of the Arguments; expressions stand for any value.
func checkArguments(stepType string, tree any) error {
	t, ok := argumentTypes[stepType]
	if !ok {
		return fmt.Errorf("unknown step type %q", stepType)
	}
	return exactKeys(withoutExpressions(tree), t, "Arguments")
}

// exactKeys walks v against type t and rejects keys that match no field
// exactly: encoding/json alone would accept "roleArn" for RoleArn.
func exactKeys(v any, t reflect.Type, at string) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch val := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(val))
		for k := range val {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		switch t.Kind() {
		case reflect.Struct:
			for _, k := range keys {
				f, ok := t.FieldByName(k)
				if !ok || !f.IsExported() || f.Name != k {
					return fmt.Errorf("%s: unknown field %q", at, k)
				}
				if err := exactKeys(val[k], f.Type, at+"."+k); err != nil {
					return err
				}
			}
		case reflect.Map:
			for _, k := range keys {
				if err := exactKeys(val[k], t.Elem(), at+"["+k+"]"); err != nil {
					return err
				}
			}
		case reflect.Interface:
			// union or document types: nothing to check against
		default:
			return fmt.Errorf("%s: expected %s, found an object", at, strings.ToLower(t.Kind().String()))
		}
	case []any:
		if t.Kind() != reflect.Slice {
			return fmt.Errorf("%s: expected %s, found a list", at, strings.ToLower(t.Kind().String()))
		}
		for i, e := range val {
			if err := exactKeys(e, t.Elem(), fmt.Sprintf("%s[%d]", at, i)); err != nil {
				return err
			}
		}
	case string:
		if t.Kind() != reflect.String && t.Kind() != reflect.Interface {
			return fmt.Errorf("%s: expected %s, found a string", at, strings.ToLower(t.Kind().String()))
		}
	case bool:
		if t.Kind() != reflect.Bool && t.Kind() != reflect.Interface {
			return fmt.Errorf("%s: expected %s, found a boolean", at, strings.ToLower(t.Kind().String()))
		}
	case float64:
		switch t.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			limit := math.Ldexp(1, t.Bits()-1)
			if val != math.Trunc(val) || val < -limit || val >= limit {
				return fmt.Errorf("%s: %v does not fit %s", at, val, t.Kind())
			}
		case reflect.Float32, reflect.Float64, reflect.Interface:
		default:
			return fmt.Errorf("%s: expected %s, found a number", at, strings.ToLower(t.Kind().String()))
		}
	}
	return nil
}
