package plan

import (
	"encoding/json"
	"io"

	"github.com/smpipe/smpipe-action/compiler/diag"
	"github.com/smpipe/smpipe-action/compiler/diff"
)

// JSONReport is `smpipe plan --format json`.
type JSONReport struct {
	BaseSHA     string           `json:"base"`
	HeadSHA     string           `json:"head"`
	Worktree    bool             `json:"worktree,omitempty"` // the head is the working tree
	OK          bool             `json:"ok"`
	Pipelines   []JSONPipeline   `json:"pipelines"`
	Failing     diag.Diagnostics `json:"failing"`
	PreExisting diag.Diagnostics `json:"preExisting"`
}

// JSONPipeline is one touched pipeline.
type JSONPipeline struct {
	Name    string           `json:"name"`
	Anchor  string           `json:"anchor"`
	Status  string           `json:"status"` // added, changed, removed, unchanged
	Failed  bool             `json:"failed"`
	Summary string           `json:"summary"`
	OldHash string           `json:"oldHash,omitempty"`
	NewHash string           `json:"newHash,omitempty"`
	Steps   []JSONStep       `json:"steps"`
	Edges   []JSONEdge       `json:"edges"`
	Errors  diag.Diagnostics `json:"errors"`
	// Preview lists what a preview run changes of head: the steps whose
	// settings its models' preview: mappings change. Absent when no model
	// has a preview: mapping.
	Preview []JSONStep `json:"preview,omitempty"`
}

// JSONStep is one added, removed or changed step.
type JSONStep struct {
	Name     string        `json:"name"`
	Class    string        `json:"class"`
	Status   string        `json:"status"`
	Settings []JSONSetting `json:"settings"`
}

// JSONSetting is one changed setting; nil Old/New mean absent.
type JSONSetting struct {
	Path string  `json:"path"`
	Old  *string `json:"old"`
	New  *string `json:"new"`
}

// JSONEdge is one added or removed edge.
type JSONEdge struct {
	From   string `json:"from"`
	To     string `json:"to"`
	Kind   string `json:"kind"`
	Status string `json:"status"`
}

// WriteJSON writes the plan as JSON. An empty headSHA, as FromGit returns
// it for a working tree, is reported as such.
func WriteJSON(w io.Writer, r *Result, baseSHA, headSHA string) error {
	rep := JSONReport{BaseSHA: baseSHA, HeadSHA: headSHA, Worktree: headSHA == "", OK: r.OK(), Pipelines: []JSONPipeline{},
		Failing: nonNil(r.Failing), PreExisting: nonNil(r.PreExisting)}
	for _, p := range r.Pipelines {
		jp := JSONPipeline{Name: p.Name, Anchor: p.Anchor, Status: p.Diff.Status.String(), Failed: p.Failed(),
			Summary: p.Diff.Summary(), OldHash: p.Diff.OldHash, NewHash: p.Diff.NewHash,
			Steps: []JSONStep{}, Edges: []JSONEdge{}, Errors: nonNil(p.Errors)}
		jp.Steps = jsonSteps(p.Diff.Steps)
		if p.Preview != nil {
			jp.Preview = jsonSteps(p.Preview.Steps)
		}
		for _, e := range p.Diff.Edges {
			jp.Edges = append(jp.Edges, JSONEdge{From: e.Edge.From, To: e.Edge.To, Kind: e.Edge.Kind.String(), Status: e.Status.String()})
		}
		rep.Pipelines = append(rep.Pipelines, jp)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}

func jsonSteps(steps []diff.StepChange) []JSONStep {
	out := []JSONStep{}
	for _, s := range steps {
		js := JSONStep{Name: s.Name, Class: s.Kind, Status: s.Status.String(), Settings: []JSONSetting{}}
		for _, c := range s.Settings {
			js.Settings = append(js.Settings, JSONSetting{Path: c.Path, Old: ptrIf(c.Old, c.OldSet), New: ptrIf(c.New, c.NewSet)})
		}
		out = append(out, js)
	}
	return out
}

func nonNil(ds diag.Diagnostics) diag.Diagnostics {
	if ds == nil {
		return diag.Diagnostics{}
	}
	return ds
}

func ptrIf(s string, ok bool) *string {
	if !ok {
		return nil
	}
	return &s
}
