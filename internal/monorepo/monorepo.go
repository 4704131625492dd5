// Package monorepo writes repositories shaped like a large team's
// monorepo, for benchmarks and for measuring whole processes: n pipelines,
// each with its own conf/conf.yaml and its own code directory, the six-step
// chain of testdata/conf/ok/housing-tf (Processing, Training, CreateModel,
// Transform, Metrics, RegisterModel) with code that differs from pipeline to
// pipeline, grouped 100 to a team directory. Commit records such a tree as
// git does after a clone: objects in a packfile.
package monorepo

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"text/template"
)

//go:embed template
var templates embed.FS

// FrameworkConf is the framework conf every generated repository has.
const FrameworkConf = `conf:
  s3Bucket: smpipe-examples
  sagemakerNetworkSecurity:
    role: arn:aws:iam::123456789012:role/smpipe-pipeline
    subnets: subnet-0a1b2c3d,subnet-4e5f6a7b
    security_groups_id: sg-0123abcd
`

// perTeam is how many pipelines share a team directory.
const perTeam = 100

// Name is the pipeline name (and model name) of pipeline i.
func Name(i int) string { return fmt.Sprintf("p%05d", i) }

// Dir is the directory of pipeline i, relative to the root.
func Dir(i int) string { return fmt.Sprintf("team%03d/%s", i/perTeam, Name(i)) }

// Conf is the anchor conf file of pipeline i, relative to the root.
func Conf(i int) string { return Dir(i) + "/conf/conf.yaml" }

// Source is the source directory of pipeline i, relative to the root.
func Source(i int) string { return Dir(i) + "/src" }

// Write writes the framework conf and n pipelines under root.
func Write(root string, n int) error {
	if err := writeFile(root, "framework/conf/conf.yaml", []byte(FrameworkConf)); err != nil {
		return err
	}
	tmpl, err := parseTemplates()
	if err != nil {
		return err
	}
	for i := range n {
		if err := writePipeline(root, tmpl, i); err != nil {
			return err
		}
	}
	return nil
}

type pipelineData struct{ Name, Dir string }

// parseTemplates reads template/: conf.yaml and src/*, each a text/template
// of pipelineData.
func parseTemplates() (map[string]*template.Template, error) {
	out := map[string]*template.Template{}
	err := fs.WalkDir(templates, "template", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := templates.ReadFile(p)
		if err != nil {
			return err
		}
		t, err := template.New(p).Parse(string(b))
		if err != nil {
			return fmt.Errorf("parsing %s: %w", p, err)
		}
		rel := strings.TrimPrefix(p, "template/")
		if rel == "conf.yaml" {
			rel = "conf/conf.yaml"
		}
		out[rel] = t
		return nil
	})
	return out, err
}

func writePipeline(root string, tmpl map[string]*template.Template, i int) error {
	data := pipelineData{Name: Name(i), Dir: Dir(i)}
	for rel, t := range tmpl {
		var buf bytes.Buffer
		if err := t.Execute(&buf, data); err != nil {
			return fmt.Errorf("writing %s of pipeline %d: %w", rel, i, err)
		}
		if err := writeFile(root, path.Join(data.Dir, rel), buf.Bytes()); err != nil {
			return err
		}
	}
	return nil
}

// Tune changes a setting of pipeline i (its learning rate, to a value
// derived from generation), the kind of edit a pull request makes to one
// pipeline.
func Tune(root string, i, generation int) error {
	p := filepath.Join(root, filepath.FromSlash(Conf(i)))
	b, err := os.ReadFile(p)
	if err != nil {
		return err
	}
	const key = "learning_rate: "
	at := bytes.Index(b, []byte(key))
	if at < 0 {
		return fmt.Errorf("%s has no %q", Conf(i), key)
	}
	end := at + bytes.IndexByte(b[at:], '\n')
	out := append(append(append([]byte{}, b[:at]...), fmt.Sprintf("%s0.%04d", key, 1+generation%9999)...), b[end:]...)
	return os.WriteFile(p, out, 0o644)
}

// Spread returns k pipeline numbers spread evenly over 0..n-1.
func Spread(n, k int) []int {
	k = min(k, n)
	out := make([]int, k)
	for j := range k {
		out[j] = j * n / k
	}
	return out
}

func writeFile(root, rel string, data []byte) error {
	p := filepath.Join(root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p, data, 0o644)
}
