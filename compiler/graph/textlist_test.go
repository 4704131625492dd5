package graph

import "testing"

func TestTextList(t *testing.T) {
	g := pipelineGraph()
	tests := []struct {
		name   string
		status map[string]Status
		want   string
	}{
		{
			name: "no status lists every step",
			want: "- `prep` (Processing) → train\n" +
				"- `train` (Training) → train-RepackModel-lgbm\n" +
				"- `train-RepackModel-lgbm` (RepackModel) → lgbm-CreateModel-CreateModel, lgbm-RegisterModel-RegisterModel\n" +
				"- `lgbm-CreateModel-CreateModel` (CreateModel) → batch\n" +
				"- `batch` (Transform) → eval\n" +
				"- `eval` (Metrics) → lgbm-RegisterModel-RegisterModel\n" +
				"- `lgbm-RegisterModel-RegisterModel` (RegisterModel)\n",
		},
		{
			name:   "status lists changed steps only",
			status: map[string]Status{"train": Changed, "eval": Added},
			want: "- `train` (Training, changed) → train-RepackModel-lgbm\n" +
				"- `eval` (Metrics, added) → lgbm-RegisterModel-RegisterModel\n" +
				"- … and 5 unchanged steps\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := TextList(g, tt.status); got != tt.want {
				t.Errorf("TextList:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
	if got := TextList(nil, nil); got != "" {
		t.Errorf("TextList(nil) = %q", got)
	}
}
