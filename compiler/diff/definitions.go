package diff

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/smpipe/smpipe-action/compiler/graph"
	"github.com/smpipe/smpipe-action/internal/defhash"
)

// Definitions compares two SageMaker pipeline definitions (JSON) when no
// conf graph is at hand, such as the live pipeline in SageMaker against the
// one compiled from the repository. A nil old means the pipeline is new
// (Added), a nil new that it is gone (Removed).
//
// Steps are matched by Name. A step's settings are its JSON members other
// than Name and Type, flattened into paths ("Arguments.AppSpecification.ImageUri",
// "DependsOn[0]", "CacheConfig.Enabled") with scalar values; kind names the
// step's kind and shape from its Type (nil: the Type itself, a rectangle). Edges come from DependsOn and from property references
// ({"Get": "Steps.<name>…"}) anywhere in the step. Members of the definition
// outside Steps (Version, Parameters, PipelineExperimentConfig, …) are
// compared the same way into Pipeline.Settings. Steps nested in a Condition
// step's IfSteps or ElseSteps are steps of their own, with a "runs_if"
// setting naming the condition and a then or else edge from it to each
// step its branch starts with, as the compiler's graph has them; a step
// moved under a condition is therefore a changed step, not a new one.
//
// The hashes are "sha256:<hex>" of the compact JSON, which for a definition
// smpipe compiled is its definition hash.
func Definitions(name string, old, new []byte, kind func(stepType string) (string, graph.Shape)) (Pipeline, error) {
	if kind == nil {
		kind = func(t string) (string, graph.Shape) { return t, graph.Rectangle }
	}
	base, basePipe, err := definitionSide(name, old, kind)
	if err != nil {
		return Pipeline{}, fmt.Errorf("reading the old definition of %q: %w", name, err)
	}
	head, headPipe, err := definitionSide(name, new, kind)
	if err != nil {
		return Pipeline{}, fmt.Errorf("reading the new definition of %q: %w", name, err)
	}
	p := Pipelines(base, head)
	p.Settings = compareSettings(basePipe, headPipe)
	if p.Status == Unchanged && len(p.Settings) > 0 {
		p.Status = Changed
	}
	return p, nil
}

// pipelineNode names the pseudo node that carries the pipeline-level
// settings while they are compared.
const pipelineNode = "(pipeline)"

// definitionSide reads one definition into a Side whose graph has a node
// per step, and a node holding the pipeline-level settings. A nil def gives
// a nil Side.
func definitionSide(name string, def []byte, kind func(string) (string, graph.Shape)) (*Side, graph.Node, error) {
	if def == nil {
		return nil, graph.Node{}, nil
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, def); err != nil {
		return nil, graph.Node{}, err
	}
	dec := json.NewDecoder(bytes.NewReader(compact.Bytes()))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return nil, graph.Node{}, fmt.Errorf("not a JSON object: %w", err)
	}
	var steps []any
	if raw, ok := doc["Steps"]; ok {
		if steps, ok = raw.([]any); !ok {
			return nil, graph.Node{}, errors.New(`"Steps" is not an array`)
		}
	}
	pipe := graph.Node{Name: pipelineNode, Settings: map[string]string{}}
	for k, v := range doc {
		if k != "Steps" {
			flatten(pathKey("", k), v, pipe.Settings)
		}
	}

	r := stepReader{kind: kind, branches: map[string]graph.Branch{}}
	if err := r.read(steps, "", graph.Branch{}); err != nil {
		return nil, graph.Node{}, err
	}
	nodes, edges := r.nodes, r.edges
	for i, n := range nodes {
		for _, ref := range r.refs[i] {
			if from := referencedStep(ref, nodes); from != "" {
				edges = append(edges, graph.Edge{From: from, To: n.Name, Kind: graph.Data})
			}
		}
	}
	names := make([]string, len(nodes))
	for i, n := range nodes {
		names[i] = n.Name
	}
	edges = append(edges, graph.BranchEdges(names, r.branches, edges)...)
	side := &Side{
		Name:       name,
		Hash:       defhash.Of(compact.Bytes()),
		Graph:      graph.New(nodes, edges),
		Definition: sortedIndented(doc),
	}
	return side, pipe, nil
}

// stepReader turns a definition's steps, nested ones included, into nodes
// (in definition order, each Condition step before its branches), with
// their DependsOn edges, their references and the branch of each nested
// step.
type stepReader struct {
	kind     func(string) (string, graph.Shape)
	nodes    []graph.Node
	edges    []graph.Edge
	refs     [][]string
	branches map[string]graph.Branch
}

// read reads a list of steps in branch in (zero at the top); where names
// the list in errors ("" at the top).
func (r *stepReader) read(steps []any, where string, in graph.Branch) error {
	for i, raw := range steps {
		step, ok := raw.(map[string]any)
		if !ok {
			return fmt.Errorf("step %d%s is not an object", i+1, where)
		}
		stepName, ok := step["Name"].(string)
		if !ok || stepName == "" {
			return fmt.Errorf("step %d%s has no Name", i+1, where)
		}
		typ, _ := step["Type"].(string)
		n := graph.Node{Name: stepName, Settings: map[string]string{}}
		if typ != "" {
			n.Kind, n.Shape = r.kind(typ)
		}
		nested := map[string][]any{}
		if args, ok := step["Arguments"].(map[string]any); ok && typ == "Condition" {
			for _, list := range []string{"IfSteps", "ElseSteps"} {
				if l, ok := args[list].([]any); ok && len(l) > 0 {
					nested[list] = l
				}
			}
		}
		for k, v := range step {
			if k == "Name" || k == "Type" {
				continue
			}
			if k == "Arguments" && len(nested) > 0 {
				// The branches' steps are nodes of their own.
				args := map[string]any{}
				for ak, av := range v.(map[string]any) {
					if _, ok := nested[ak]; !ok {
						args[ak] = av
					}
				}
				v = args
			}
			flatten(pathKey("", k), v, n.Settings)
		}
		switch in.Kind {
		case graph.Then:
			n.Settings[runsIfPath] = in.Condition + " passes"
		case graph.Else:
			n.Settings[runsIfPath] = in.Condition + " fails"
		}
		r.nodes = append(r.nodes, n)
		if in.Condition != "" {
			r.branches[stepName] = in
		}
		if deps, ok := step["DependsOn"].([]any); ok {
			for _, d := range deps {
				if from, ok := d.(string); ok {
					r.edges = append(r.edges, graph.Edge{From: from, To: stepName, Kind: graph.DependsOn})
				}
			}
		}
		stepOnly := step
		if len(nested) > 0 {
			stepOnly = map[string]any{"DependsOn": step["DependsOn"], "Conditions": step["Arguments"].(map[string]any)["Conditions"]}
		}
		r.refs = append(r.refs, references(stepOnly, nil))
		for _, list := range []string{"IfSteps", "ElseSteps"} {
			kind := graph.Then
			if list == "ElseSteps" {
				kind = graph.Else
			}
			if err := r.read(nested[list], fmt.Sprintf(" of %s of %q", list, stepName), graph.Branch{Condition: stepName, Kind: kind}); err != nil {
				return err
			}
		}
	}
	return nil
}

// runsIfPath is the pseudo setting of a step in a Condition step's branch:
// which condition, and whether it must pass or fail.
const runsIfPath = "runs_if"

// sortedIndented is the document with sorted keys, two-space indented, so
// that the line diff of two definitions shows what differs rather than how
// each writer ordered its keys.
func sortedIndented(doc map[string]any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	_ = enc.Encode(doc) // decoded JSON always encodes
	return buf.Bytes()
}

// references appends every property reference in v ({"Get": "…"}), in the
// order they appear (map members by key).
func references(v any, out []string) []string {
	switch v := v.(type) {
	case map[string]any:
		if get, ok := v["Get"].(string); ok && len(v) == 1 {
			return append(out, get)
		}
		for _, k := range slices.Sorted(maps.Keys(v)) {
			out = references(v[k], out)
		}
	case []any:
		for _, e := range v {
			out = references(e, out)
		}
	}
	return out
}

// referencedStep is the step a reference "Steps.<name>.<property>" reads,
// matching whole names, the longest first (a name may hold a dot); "" when
// it reads no step of the definition.
func referencedStep(ref string, nodes []graph.Node) string {
	rest, ok := strings.CutPrefix(ref, "Steps.")
	if !ok {
		return ""
	}
	best := ""
	for _, n := range nodes {
		if strings.HasPrefix(rest, n.Name+".") && len(n.Name) > len(best) {
			best = n.Name
		}
	}
	return best
}

// flatten writes every scalar of v into out under its path: objects add
// ".key", arrays "[i]"; an empty object or array is the value "{}" or "[]".
func flatten(path string, v any, out map[string]string) {
	switch v := v.(type) {
	case map[string]any:
		if len(v) == 0 {
			out[path] = "{}"
		}
		for k, e := range v {
			flatten(pathKey(path, k), e, out)
		}
	case []any:
		if len(v) == 0 {
			out[path] = "[]"
		}
		for i, e := range v {
			flatten(path+"["+strconv.Itoa(i)+"]", e, out)
		}
	case string:
		out[path] = v
	case json.Number:
		out[path] = v.String()
	case bool:
		out[path] = strconv.FormatBool(v)
	case nil:
		out[path] = "null"
	}
}

// pathKey appends the member key to path. A key that could be read as path
// syntax is quoted, so that {"a.b": 1} and {"a": {"b": 1}} never share a
// path and one cannot hide a change to the other.
func pathKey(path, key string) string {
	if key == "" || strings.ContainsAny(key, `.[]"`) || strings.ContainsFunc(key, func(r rune) bool { return r < 0x20 }) {
		return path + "[" + strconv.Quote(key) + "]"
	}
	if path == "" {
		return key
	}
	return path + "." + key
}
