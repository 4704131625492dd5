package ghreport

import (
	"strings"

	"github.com/smpipe/smpipe-action/deploy"
)

// LiveView is how the pipeline live in SageMaker stands against the base
// branch, for a plan that was given read-only AWS credentials.
type LiveView struct {
	Standing deploy.Standing
	BaseSHA  string
	// Commit is the live pipeline's smpipe:commit tag: the newest commit
	// deployed to it.
	Commit string
	// Live and Base are the two definitions, compared setting by setting
	// when the live one was edited outside smpipe.
	Live, Base []byte
	// Owner is the smpipe:repository tag of a foreign pipeline; "" when it
	// carries none.
	Owner string
}

// writeLive says where the live pipeline stands: quietly when it is the
// base branch's definition, with the last deployed commit when it is
// behind, and with the difference, collapsed, when it was edited outside
// smpipe.
func writeLive(b *strings.Builder, name string, v *LiveView) {
	if v == nil {
		return
	}
	base := code(shortSHA(v.BaseSHA))
	switch v.Standing {
	case deploy.StandingSame:
		b.WriteString("\nLive in SageMaker: the base branch's definition.\n")
	case deploy.StandingMissing:
		b.WriteString("\n**Not in SageMaker:** the deploy of base " + base + " failed or never ran.\n")
	case deploy.StandingBehind:
		last := "an older commit"
		if v.Commit != "" {
			last = code(shortSHA(v.Commit))
		}
		b.WriteString("\n**Live in SageMaker is behind the base branch:** last deployed commit " + last +
			"; the deploy of base " + base + " failed or never ran.\n")
	case deploy.StandingForeign:
		whose := "it carries no smpipe tags (made by hand or by another tool)"
		if v.Owner != "" {
			whose = "smpipe deployed it for " + code(v.Owner)
		}
		b.WriteString("\n**A pipeline of this name already exists in SageMaker**, and smpipe did not create it for this " +
			"repository: " + whose + ". After the merge the deploy leaves it alone and fails, unless the deploy workflow's " +
			"`adopt` input names it. Rename this pipeline, or adopt it on purpose.\n")
	case deploy.StandingEdited:
		b.WriteString("\n**Live in SageMaker was edited outside smpipe.** Merging this pull request replaces it.\n")
		b.WriteString("\n<details><summary>Live → base, setting by setting</summary>\n")
		writeDefinitionDiff(b, name, v.Live, v.Base, driftRowsCompact, "Live", "Base")
		b.WriteString("\n</details>\n")
	}
}
