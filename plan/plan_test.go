package plan

import (
	"context"
	"io/fs"
	"os"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/smpipe/smpipe-action/compiler"
	"github.com/smpipe/smpipe-action/compiler/diff"
)

const repoDir = "../testdata/conf/ok/two-pipelines"

// readRepo loads a directory into memory, so a test can edit a copy.
func readRepo(t testing.TB, dir string) fstest.MapFS {
	t.Helper()
	out := fstest.MapFS{}
	err := fs.WalkDir(os.DirFS(dir), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(os.DirFS(dir), p)
		out[p] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func clone(m fstest.MapFS) fstest.MapFS {
	out := fstest.MapFS{}
	for k, v := range m {
		c := *v
		out[k] = &c
	}
	return out
}

const fraud = "fraud/conf/conf.yaml"

// edit returns a copy of base with old replaced by new in file (which must
// contain it); new "" with old "" deletes the file, old "" creates it.
func edit(t testing.TB, base fstest.MapFS, file, old, new string) fstest.MapFS {
	t.Helper()
	head := clone(base)
	switch {
	case old == "" && new == "":
		delete(head, file)
	case old == "":
		head[file] = &fstest.MapFile{Data: []byte(new)}
	default:
		body := string(head[file].Data)
		if !strings.Contains(body, old) {
			t.Fatalf("%s does not contain %q", file, old)
		}
		head[file] = &fstest.MapFile{Data: []byte(strings.Replace(body, old, new, 1))}
	}
	return head
}

func runPlan(t testing.TB, base, head fstest.MapFS, changes ...string) *Result {
	t.Helper()
	var cs []Change
	for _, c := range changes {
		cs = append(cs, Change{Path: c})
	}
	res, err := Run(context.Background(), Options{
		Compile: compiler.Options{Region: "us-east-1", Getenv: func(string) (string, bool) { return "", false }},
		Base:    base, Head: head, Changes: cs,
	})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func names(r *Result) []string {
	var out []string
	for _, p := range r.Pipelines {
		out = append(out, p.Name)
	}
	return out
}

func settingPaths(p *Pipeline) []string {
	var out []string
	for _, s := range p.Diff.Steps {
		for _, c := range s.Settings {
			out = append(out, s.Name+":"+c.Path+"="+c.Old+"→"+c.New)
		}
	}
	return out
}

func TestRun_touchedPipelines(t *testing.T) {
	base := readRepo(t, repoDir)
	anchor := string(base[fraud].Data)
	tests := []struct {
		name        string
		head        fstest.MapFS
		changes     []string
		wantTouched []string
		wantStatus  diff.Status
		wantSetting string // one expected "step:path=old→new"
		wantOK      bool
	}{
		{name: "instance type", head: edit(t, base, fraud, "entry_point: model/train.py\n        instance_type: ml.m5.xlarge", "entry_point: model/train.py\n        instance_type: ml.m5.4xlarge"),
			changes: []string{fraud}, wantTouched: []string{"card-fraud-detection"}, wantStatus: diff.Changed,
			wantSetting: "fraud-Train:instance_type=ml.m5.xlarge→ml.m5.4xlarge", wantOK: true},
		{name: "hyperparameter", head: edit(t, base, fraud, "learning_rate: 0.05", "learning_rate: 0.1"),
			changes: []string{fraud}, wantTouched: []string{"card-fraud-detection"}, wantStatus: diff.Changed,
			wantSetting: "fraud-Train:hyperparams.learning_rate=0.05→0.1", wantOK: true},
		{name: "code only under source_directory", head: edit(t, base, "fraud/code/model/train.py", "", "print('retrained')\n"),
			changes: []string{"fraud/code/model/train.py"}, wantTouched: []string{"card-fraud-detection"}, wantStatus: diff.Changed, wantOK: true},
		{name: "new step", head: edit(t, base, fraud, "          - step_name: fraud-Register\n", "          - step_name: fraud-Model\n            step_class: CreateModel\n          - step_name: fraud-Register\n"),
			changes: []string{fraud}, wantTouched: []string{"card-fraud-detection"}, wantStatus: diff.Changed, wantOK: true},
		{name: "removed step", head: edit(t, base, fraud, "          - step_name: fraud-Register\n            step_class: RegisterModel\n", ""),
			changes: []string{fraud}, wantTouched: []string{"card-fraud-detection"}, wantStatus: diff.Changed, wantOK: false},
		{name: "new dependency", head: edit(t, base, fraud, "      - fraud-Prepare >> fraud-Train >> fraud-Register", "      - fraud-Prepare >> fraud-Train >> fraud-Register\n      - fraud-Prepare >> fraud-Register"),
			changes: []string{fraud}, wantTouched: []string{"card-fraud-detection"}, wantStatus: diff.Changed, wantOK: true},
		{name: "broken conf on head", head: edit(t, base, fraud, "step_class: Training", "step_class: Trainer"),
			changes: []string{fraud}, wantTouched: []string{"card-fraud-detection"}, wantStatus: diff.Changed, wantOK: false},
		{name: "new pipeline", head: edit(t, base, "churn/conf/conf.yaml", "", strings.NewReplacer("card-fraud-detection", "card-fraud-shadow", "card-fraud:", "card-fraud-shadow:", "fraud-", "shadow-").Replace(anchor)),
			changes: []string{"churn/conf/conf.yaml"}, wantTouched: []string{"card-fraud-shadow"}, wantStatus: diff.Added, wantOK: true},
		{name: "deleted pipeline", head: edit(t, base, fraud, "", ""),
			changes: []string{fraud}, wantTouched: []string{"card-fraud-detection"}, wantStatus: diff.Removed, wantOK: true},
		{name: "framework conf touches every pipeline", head: edit(t, base, "framework/conf/conf.yaml", "smpipe-examples", "smpipe-examples-v2"),
			changes: []string{"framework/conf/conf.yaml"}, wantTouched: []string{"card-fraud-detection", "store-demand-forecast"}, wantStatus: diff.Changed, wantOK: true},
		{name: "unrelated file", head: edit(t, base, "docs/notes.md", "", "hello\n"),
			changes: []string{"docs/notes.md"}, wantTouched: nil, wantOK: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runPlan(t, base, tt.head, tt.changes...)
			if got := names(r); !slices.Equal(got, tt.wantTouched) {
				t.Fatalf("touched %q, want %q", got, tt.wantTouched)
			}
			if r.OK() != tt.wantOK {
				t.Errorf("OK() = %v, want %v; failing: %v", r.OK(), tt.wantOK, r.Failing)
			}
			if len(r.Pipelines) == 0 {
				return
			}
			p := r.Pipelines[0]
			if p.Diff.Status != tt.wantStatus {
				t.Errorf("status %v, want %v", p.Diff.Status, tt.wantStatus)
			}
			if tt.wantSetting != "" && !slices.Contains(settingPaths(p), tt.wantSetting) {
				t.Errorf("settings diff lacks %q: %q", tt.wantSetting, settingPaths(p))
			}
		})
	}
}

// TestRun_scopedDiagnostics: problems in pipelines the change does not touch
// are pre-existing and never fail the run; the same problem in a touched
// pipeline does.
func TestRun_scopedDiagnostics(t *testing.T) {
	base := readRepo(t, repoDir)
	base = edit(t, base, "demand/conf/conf.yaml", "step_class: Training", "step_class: Trainer") // broken before the change
	head := edit(t, base, fraud, "learning_rate: 0.05", "learning_rate: 0.2")

	r := runPlan(t, base, head, fraud)
	if !r.OK() {
		t.Fatalf("an untouched broken pipeline failed the run: %v", r.Failing)
	}
	if len(r.PreExisting) != 1 || !strings.Contains(r.PreExisting[0].Summary, `"Trainer"`) {
		t.Errorf("pre-existing = %v, want the demand pipeline's step_class error", r.PreExisting)
	}

	r = runPlan(t, base, edit(t, base, "demand/conf/conf.yaml", "ml.c5.2xlarge", "ml.c5.4xlarge"), "demand/conf/conf.yaml")
	if r.OK() {
		t.Errorf("a touched broken pipeline passed the run")
	}
}

// TestRun_duplicateNames: two untouched anchors sharing a pipelineName are
// pre-existing; touching one of them fails the run.
func TestRun_duplicateNames(t *testing.T) {
	base := readRepo(t, repoDir)
	dup := strings.Replace(string(base[fraud].Data), "card-fraud:", "card-fraud-copy:", 2)
	dup = strings.NewReplacer("fraud-Prepare", "copy-Prepare", "fraud-Train", "copy-Train", "fraud-Register", "copy-Register").Replace(dup)
	base = edit(t, base, "copy/conf/conf.yaml", "", dup)
	head := edit(t, base, "demand/conf/conf.yaml", "ml.c5.2xlarge", "ml.c5.4xlarge")
	if r := runPlan(t, base, head, "demand/conf/conf.yaml"); !r.OK() {
		t.Errorf("untouched duplicate failed the run: %v", r.Failing)
	}
	head = edit(t, base, "copy/conf/conf.yaml", "ml.m5.xlarge", "ml.m5.2xlarge")
	if r := runPlan(t, base, head, "copy/conf/conf.yaml"); r.OK() {
		t.Errorf("a touched duplicate pipelineName passed the run")
	}
}
