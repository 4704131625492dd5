package plan

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/smpipe/smpipe-action/compiler/graph/graphtest"
	"github.com/smpipe/smpipe-action/ghreport"
	"github.com/smpipe/smpipe-action/internal/golden"
)

// TestReport_golden renders the pull request comment for pairs of the
// example repositories and compares it with testdata/report/<case>.md.
func TestReport_golden(t *testing.T) {
	base := readRepo(t, repoDir)
	anchor := string(base[fraud].Data)
	// A quality gate needs a Metrics step, which the fraud pipeline lacks.
	gated := readRepo(t, "../testdata/conf/ok/wine-gate")
	const wine = "wine/conf/conf.yaml"
	const gate = "        quality_gate:\n          metric: regression_metrics.mse.value\n          operator: \"<=\"\n          threshold: 0.5\n"
	ungated := edit(t, gated, wine, gate, "")
	// credit-risk's models have preview: mappings.
	credit := readRepo(t, "../testdata/conf/ok/credit-risk")
	const scorer = "scorer/conf/conf.yaml"
	cases := []struct {
		name    string
		head    fstest.MapFS
		changes []string
		base    fstest.MapFS // the fraud repository when nil
	}{
		{"instance-type", edit(t, base, fraud, "entry_point: model/train.py\n        instance_type: ml.m5.xlarge", "entry_point: model/train.py\n        instance_type: ml.m5.4xlarge"), []string{fraud}, nil},
		{"hyperparameter", edit(t, base, fraud, "learning_rate: 0.05", "learning_rate: 0.1"), []string{fraud}, nil},
		{"new-step", edit(t, base, fraud, "          - step_name: fraud-Register\n", "          - step_name: fraud-Model\n            step_class: CreateModel\n          - step_name: fraud-Register\n"), []string{fraud}, nil},
		{"removed-step", edit(t, base, fraud, "          - step_name: fraud-Register\n            step_class: RegisterModel\n    dependencies:\n      - fraud-Prepare >> fraud-Train >> fraud-Register", "    dependencies:\n      - fraud-Prepare >> fraud-Train"), []string{fraud}, nil},
		{"new-dependency", edit(t, base, fraud, "      - fraud-Prepare >> fraud-Train >> fraud-Register", "      - fraud-Prepare >> fraud-Train >> fraud-Register\n      - fraud-Prepare >> fraud-Register"), []string{fraud}, nil},
		{"broken-head", edit(t, base, fraud, "step_class: Training", "step_class: Trainer"), []string{fraud}, nil},
		{"new-pipeline", edit(t, base, "shadow/conf/conf.yaml", "", strings.NewReplacer("card-fraud-detection", "card-fraud-shadow", "card-fraud:", "card-fraud-shadow:", "fraud-", "shadow-").Replace(anchor)), []string{"shadow/conf/conf.yaml"}, nil},
		{"deleted-pipeline", edit(t, base, fraud, "", ""), []string{fraud}, nil},
		{"code-only", edit(t, base, "fraud/code/model/train.py", "", "print('retrained')\n"), []string{"fraud/code/model/train.py"}, nil},
		{"nothing-touched", edit(t, base, "docs/notes.md", "", "hello\n"), []string{"docs/notes.md"}, nil},
		{"deploy-placeholders", edit(t, base, "framework/conf/conf.yaml", "role: arn:aws:iam::123456789012:role/smpipe-pipeline\n    subnets: subnet-0a1b2c3d,subnet-4e5f6a7b", "role: SMP_ROLE\n    subnets: SMP_SUBNETS"), []string{"framework/conf/conf.yaml"}, nil},
		{"quality-gate-added", gated, []string{wine}, ungated},
		{"quality-gate-threshold", edit(t, gated, wine, "threshold: 0.5", "threshold: 0.4"), []string{wine}, gated},
		{"preview-settings", edit(t, credit, scorer, "      preview:\n        train:\n          instance_type: ml.m5.large", "      preview:\n        train:\n          instance_type: ml.c5.large"), []string{scorer}, credit},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			from := base
			if tc.base != nil {
				from = tc.base
			}
			res := runPlan(t, from, tc.head, tc.changes...)
			meta := ReportMeta{Repository: "acme/ml-pipelines", PR: 42, BaseSHA: strings.Repeat("b", 40), HeadSHA: strings.Repeat("a", 40),
				RunURL: "https://github.com/acme/ml-pipelines/actions/runs/1", RunID: 1, RunAttempt: 1}
			body, _ := ghreport.Markdown(res.Report(meta), ghreport.MarkdownOptions{BlobURL: meta.BlobURL()})
			for i, block := range strings.Split(body, "```mermaid\n")[1:] {
				graphtest.WriteForRender(t, tc.name+"-"+string(rune('a'+i)), block[:strings.Index(block, "```")])
			}
			golden.Check(t, "report/"+tc.name+".md", []byte(body))
		})
	}
}
