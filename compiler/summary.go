package compiler

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/smpipe/smpipe-action/compiler/diag"
	"github.com/smpipe/smpipe-action/internal/workspace"
)

// RenderSummary prints, per pipeline, its name, anchor, steps with class
// and instance type, and definition hash.
func RenderSummary(w io.Writer, res *Result) {
	for i, p := range res.Plans {
		if i > 0 {
			fmt.Fprintln(w)
		}
		RenderPlanSummary(w, p)
	}
}

// RenderPlanSummary prints the summary of one pipeline, for callers that
// write plans out as they are built.
func RenderPlanSummary(w io.Writer, p *Plan) {
	name := p.Name
	if name == "" {
		name = "(unnamed)"
	}
	fmt.Fprintf(w, "pipeline %s\n", sanitizeLine(name))
	fmt.Fprintf(w, "  anchor  %s\n", p.Anchor)
	if p.Failed {
		fmt.Fprintf(w, "  status  not compiled: fix the errors reported for it\n")
		return
	}
	fmt.Fprintf(w, "  hash    %s\n", p.Hash)
	var size int64
	for _, a := range p.Artifacts {
		size += a.Size
	}
	fmt.Fprintf(w, "  stage   %d artifacts, %s", len(p.Artifacts), workspace.HumanSize(size))
	if p.StageDefinition {
		fmt.Fprintf(w, "; definition (%s) goes through S3", workspace.HumanSize(int64(len(p.Definition))))
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "  steps")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, n := range p.Graph.Nodes {
		it := n.Settings["instance_type"]
		if it == "" {
			it = "-"
		}
		fmt.Fprintf(tw, "    %s\t%s\t%s\n", sanitizeLine(n.Name), n.Kind, sanitizeLine(it))
	}
	tw.Flush()
}

// JSONPipeline is one pipeline in the JSON report.
type JSONPipeline struct {
	Name       string          `json:"name"`
	Anchor     string          `json:"anchor"`
	Failed     bool            `json:"failed"`
	Hash       string          `json:"hash,omitempty"`
	Files      []string        `json:"files"`
	SourceDirs []string        `json:"sourceDirs"`
	Steps      []JSONStep      `json:"steps"`
	Artifacts  []JSONArtifact  `json:"artifacts"`
	Definition json.RawMessage `json:"definition,omitempty"`
}

// JSONStep is one step of a pipeline in the JSON report.
type JSONStep struct {
	Name     string            `json:"name"`
	Class    string            `json:"class"`
	Settings map[string]string `json:"settings"`
}

// JSONArtifact is one artifact to stage.
type JSONArtifact struct {
	URI    string `json:"uri"`
	Kind   string `json:"kind"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
	Path   string `json:"path,omitempty"`
}

// JSONStream writes the --format json document, {"pipelines": [JSONPipeline…],
// "diagnostics": […]} indented by two spaces, one pipeline at a time, so a
// caller need not keep every plan.
type JSONStream struct {
	w   io.Writer
	n   int
	err error
}

// NewJSONStream starts the document on w.
func NewJSONStream(w io.Writer) *JSONStream {
	s := &JSONStream{w: w}
	s.write([]byte("{\n  \"pipelines\": ["))
	return s
}

// Plan writes one pipeline.
func (s *JSONStream) Plan(p *Plan) {
	b, err := json.MarshalIndent(jsonPipeline(p), "    ", "  ")
	if err != nil {
		s.err = cmp.Or(s.err, err)
		return
	}
	sep := ",\n    "
	if s.n == 0 {
		sep = "\n    "
	}
	s.n++
	s.write([]byte(sep))
	s.write(b)
}

// Close writes the diagnostics and ends the document.
func (s *JSONStream) Close(ds diag.Diagnostics) error {
	if ds == nil {
		ds = diag.Diagnostics{}
	}
	b, err := json.MarshalIndent(ds, "  ", "  ")
	if err != nil {
		return cmp.Or(s.err, err)
	}
	end := "\n  ],\n  \"diagnostics\": "
	if s.n == 0 {
		end = "],\n  \"diagnostics\": "
	}
	s.write([]byte(end))
	s.write(b)
	s.write([]byte("\n}\n"))
	return s.err
}

func (s *JSONStream) write(b []byte) {
	if s.err == nil {
		_, s.err = s.w.Write(b)
	}
}

func jsonPipeline(p *Plan) JSONPipeline {
	jp := JSONPipeline{Name: p.Name, Anchor: p.Anchor, Failed: p.Failed, Hash: p.Hash, Files: p.Files,
		SourceDirs: p.SourceDirs, Steps: []JSONStep{}, Artifacts: []JSONArtifact{}}
	if p.Definition != nil {
		jp.Definition = p.Definition
	}
	if p.Graph != nil {
		for _, n := range p.Graph.Nodes {
			jp.Steps = append(jp.Steps, JSONStep{Name: n.Name, Class: n.Kind, Settings: n.Settings})
		}
	}
	for _, a := range p.Artifacts {
		jp.Artifacts = append(jp.Artifacts, JSONArtifact{URI: a.URI(), Kind: a.Kind, SHA256: a.SHA256, Size: a.Size, Path: a.Path})
	}
	return jp
}
