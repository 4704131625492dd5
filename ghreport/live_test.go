package ghreport

import (
	"strings"
	"testing"

	"github.com/smpipe/smpipe-action/deploy"
)

func TestMarkdown_liveViews(t *testing.T) {
	const baseDef = `{"Version":"2020-12-01","Steps":[{"Name":"train","Type":"Training","Arguments":{"ResourceConfig":{"InstanceType":"ml.m5.xlarge"}}}]}`
	edited := strings.Replace(baseDef, "ml.m5.xlarge", "ml.p4d.24xlarge<script>", 1)
	base := side("p", hashA, nodes(), edges())
	views := map[string]*LiveView{
		"same":    {Standing: deploy.StandingSame, BaseSHA: strings.Repeat("1", 40)},
		"behind":  {Standing: deploy.StandingBehind, BaseSHA: strings.Repeat("1", 40), Commit: strings.Repeat("c", 40)},
		"missing": {Standing: deploy.StandingMissing, BaseSHA: strings.Repeat("1", 40)},
		"edited":  {Standing: deploy.StandingEdited, BaseSHA: strings.Repeat("1", 40), Live: []byte(edited), Base: []byte(baseDef)},
	}
	var ps []PipelineReport
	for _, name := range []string{"behind", "edited", "missing", "same"} {
		p := changed(name, base, side(name, hashB, setting(nodes(), "train", "hyperparams.eta", "0.2"), edges()))
		p.Live = views[name]
		ps = append(ps, p)
	}
	body, _ := Markdown(report(ps...), MarkdownOptions{BlobURL: blobURL})
	checkGolden(t, "live_views.md", body)
	if strings.Contains(stripCodeSpans(body), "<script>") { // code spans are inert
		t.Error("a live definition's value reached the comment unescaped")
	}
}
