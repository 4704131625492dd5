package action_test

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/smpipe/smpipe-action/internal/actiontest"
)

// readmeWorkflow is a workflow of the README, as far as the action sees it.
type readmeWorkflow struct {
	Name string         `yaml:"name"`
	On   map[string]any `yaml:"on"`
	Jobs map[string]struct {
		Env   map[string]string `yaml:"env"`
		Steps []struct {
			Uses string            `yaml:"uses"`
			With map[string]string `yaml:"with"`
		} `yaml:"steps"`
	} `yaml:"jobs"`
}

// readmeWorkflowNamed finds the README's workflow called name.
func readmeWorkflowNamed(t *testing.T, name string) readmeWorkflow {
	t.Helper()
	raw, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)<!-- actionlint: workflow -->\n```yaml\n(.*?)```").FindAllStringSubmatch(string(raw), -1)
	for _, b := range blocks {
		var wf readmeWorkflow
		if err := yaml.Unmarshal([]byte(b[1]), &wf); err != nil {
			t.Fatalf("a README workflow does not parse: %v", err)
		}
		if wf.Name == name {
			return wf
		}
	}
	t.Fatalf("the README has no workflow named %q", name)
	return readmeWorkflow{}
}

// expression evaluates the few expressions the README's workflows use:
// vars (those of the repository, "" when missing, as GitHub gives them)
// and the dispatch's inputs.
func expression(v string, vars, inputs map[string]string) string {
	return regexp.MustCompile(`\$\{\{\s*(vars|inputs)\.([A-Za-z0-9_-]+)\s*\}\}`).ReplaceAllStringFunc(v, func(m string) string {
		parts := regexp.MustCompile(`(vars|inputs)\.([A-Za-z0-9_-]+)`).FindStringSubmatch(m)
		if parts[1] == "vars" {
			return vars[parts[2]]
		}
		return inputs[parts[2]]
	})
}

// asReadmeSays sets in env what the README's deploy job gives the action:
// its env: block and the smpipe step's inputs.
func asReadmeSays(t *testing.T, wf readmeWorkflow, env actiontest.Env, vars, inputs map[string]string) actiontest.Env {
	t.Helper()
	for _, job := range wf.Jobs {
		for k, v := range job.Env {
			env[k] = expression(v, vars, inputs)
		}
		for _, st := range job.Steps {
			if !strings.HasPrefix(st.Uses, "smpipe/smpipe-action@") {
				continue
			}
			for k, v := range st.With {
				env["INPUT_"+strings.ToUpper(k)] = expression(v, vars, inputs)
			}
			return env
		}
	}
	t.Fatalf("workflow %q has no smpipe step", wf.Name)
	return nil
}

// TestREADME_deployWorkflowNeverUndoesARefusal runs the README's deploy
// workflow as written — its triggers, env: block and inputs — through a
// direct push it refuses, then through every other trigger it declares: none
// may deploy what the push refused. Before, its nightly schedule did.
func TestREADME_deployWorkflowNeverUndoesARefusal(t *testing.T) {
	wf := readmeWorkflowNamed(t, "smpipe deploy")
	vars := map[string]string{"SMPIPE_ROLE_ARN": actiontest.RoleARN}
	for _, want := range []string{"push", "workflow_dispatch", "schedule"} {
		if _, ok := wf.On[want]; !ok {
			t.Fatalf("the README's deploy workflow no longer triggers on %s: update this test", want)
		}
	}
	w, base := newWorld(t)
	w.Run(asReadmeSays(t, wf, w.ScheduleEvent(base), vars, nil)).WantCode(t, exitOK)
	live, ok := w.SM.Pipeline(pipeline)
	if !ok {
		t.Fatal("the README's schedule did not deploy the reviewed start")
	}

	w.Git.Detach(base)
	w.Git.Edit(conf, "instance_type: ml.m5.xlarge", "instance_type: ml.p4d.24xlarge")
	direct := w.Git.Commit("A p4d, pushed straight to main")
	runs := map[string]actiontest.Env{
		"push":                        asReadmeSays(t, wf, w.PushEvent(base, direct), vars, nil),
		"schedule":                    asReadmeSays(t, wf, w.ScheduleEvent(direct), vars, nil),
		"workflow_dispatch, no names": asReadmeSays(t, wf, w.DispatchEvent("refs/heads/main", direct, nil), vars, map[string]string{"pipelines": ""}),
		"workflow_dispatch, named": asReadmeSays(t, wf, w.DispatchEvent("refs/heads/main", direct, map[string]string{"pipelines": pipeline}),
			vars, map[string]string{"pipelines": pipeline}),
	}
	for _, name := range []string{"push", "schedule", "workflow_dispatch, no names", "workflow_dispatch, named"} {
		r := w.Run(runs[name])
		if r.Code == exitOK {
			t.Errorf("%s: exit 0 for a definition nobody reviewed", name)
		}
		if now, _ := w.SM.Pipeline(pipeline); now.Definition != live.Definition {
			t.Fatalf("%s deployed the definition the push refused:\n%s", name, r.Stdout)
		}
	}
}

// TestREADME_previewWorkflow runs the README's preview workflow as written:
// its preview job's inputs on a writer's label deploy and start the
// preview, and its clean-up job's inputs on close delete it.
func TestREADME_previewWorkflow(t *testing.T) {
	raw, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var wf struct {
		On struct {
			PullRequest struct {
				Types []string `yaml:"types"`
			} `yaml:"pull_request"`
		} `yaml:"on"`
		Jobs map[string]struct {
			If          string `yaml:"if"`
			Environment string `yaml:"environment"`
			Steps       []struct {
				Uses string            `yaml:"uses"`
				With map[string]string `yaml:"with"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	found := false
	for _, b := range regexp.MustCompile("(?s)<!-- actionlint: workflow -->\n```yaml\n(name: smpipe preview\n.*?)```").FindAllStringSubmatch(string(raw), -1) {
		if err := yaml.Unmarshal([]byte(b[1]), &wf); err != nil {
			t.Fatal(err)
		}
		found = true
	}
	if !found || !slices.Equal(wf.On.PullRequest.Types, []string{"labeled", "closed"}) {
		t.Fatalf("the README's preview workflow is missing, or does not run on labeled and closed: %+v", wf.On)
	}
	vars := map[string]string{"SMPIPE_PREVIEW_DEPLOY_ROLE_ARN": actiontest.RoleARN, "SMPIPE_PREVIEW_ROLE_ARN": previewRole,
		"SMPIPE_PREVIEW_CLEANUP_ROLE_ARN": actiontest.RoleARN}
	job := func(name string, env actiontest.Env) actiontest.Env {
		j, ok := wf.Jobs[name]
		if !ok || !strings.HasPrefix(j.Environment, "preview") || !strings.Contains(j.If, "head.repo.full_name == github.repository") {
			t.Fatalf("job %s = %+v: want it in a preview environment, and never for forks", name, j)
		}
		for _, st := range j.Steps {
			if strings.HasPrefix(st.Uses, "smpipe/smpipe-action@") {
				for k, v := range st.With {
					env["INPUT_"+strings.ToUpper(k)] = expression(v, vars, nil)
				}
				return env
			}
		}
		t.Fatalf("job %s has no smpipe step", name)
		return nil
	}
	if wf.Jobs["preview"].Environment != "preview" || !strings.Contains(wf.Jobs["preview"].If, "'smpipe:preview'") {
		t.Errorf("the preview job runs in %q on %q; want the environment preview, for the preview label", wf.Jobs["preview"].Environment, wf.Jobs["preview"].If)
	}

	w, base, head := previewWorld(t)
	env := w.PREvent(actiontest.PR{Action: "labeled", Number: 12, BaseSHA: base, HeadSHA: head, HeadRef: "feature", Label: previewLabel, Sender: writer})
	w.Run(job("preview", env)).WantCode(t, exitOK)
	if p, ok := w.SM.Pipeline(previewPipeline); !ok || p.RoleArn != previewRole || len(w.SM.Executions(previewPipeline)) != 1 {
		t.Fatalf("the README's preview job did not preview: %+v", p)
	}
	env = w.PREvent(actiontest.PR{Action: "closed", Number: 12, BaseSHA: base, HeadSHA: head, HeadRef: "feature"})
	w.Run(job("cleanup", env)).WantCode(t, exitOK)
	if _, ok := w.SM.Pipeline(previewPipeline); ok {
		t.Error("the README's clean-up job left the preview")
	}
}
