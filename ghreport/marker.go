package ghreport

import (
	"encoding/json"
	"strings"

	"github.com/smpipe/smpipe-action/results"
)

// Marker is the hidden first line of every comment smpipe writes:
//
//	<!-- smpipe:v1 {"kind":"plan","pr":7,...} -->
//
// It identifies the comment (with its author, kind and label) so the next
// run edits it instead of adding another, and records which run wrote it,
// for people reading it. It decides nothing: anyone who can comment can
// write one, so neither the deploy nor the next plan run trusts what it
// says (which run is current is asked of GitHub's record of the pull
// request).
type Marker struct {
	// Kind is KindPlan or KindDeploy.
	Kind string `json:"kind"`
	// Label tells apart the plans of one pull request made by several jobs
	// (two working directories, a matrix over accounts): each label keeps
	// its own comment. Empty for a single plan.
	Label string `json:"label,omitempty"`
	// Outdated marks a comment that a newer one replaced (comment mode
	// always-new): history, never edited again.
	Outdated bool   `json:"outdated,omitempty"`
	PR       int    `json:"pr"`
	Base     string `json:"base,omitempty"`
	Head     string `json:"head"`
	Run      int64  `json:"run"`
	Attempt  int    `json:"attempt"`
	// Truncated is set when the comment had to leave parts out to fit;
	// Ladder names the rungs of the size ladder that were used, in order.
	Truncated bool     `json:"truncated"`
	Ladder    []string `json:"ladder,omitempty"`
	// Defs maps each touched pipeline that compiled on head to its
	// definition hash ("sha256:<hex>"), for people and tools reading the
	// comment; the deploy compiles the head itself (see provenance).
	Defs map[string]string `json:"defs,omitempty"`
}

// Marker kinds.
const (
	KindPlan   = results.PreviewKind
	KindDeploy = "deploy"
)

const (
	markerPrefix = "<!-- smpipe:v1 "
	markerSuffix = " -->"
)

// String renders the marker as one HTML comment line (no newline).
// encoding/json writes '<', '>' and '&' as \u003c, \u003e and \u0026, and
// escapes line breaks, so nothing in a pipeline name can end the comment
// ("-->" or "--!>") or the line.
func (m Marker) String() string {
	b, err := json.Marshal(m)
	if err != nil {
		// A struct of strings, numbers and a string map always encodes.
		panic("ghreport: encoding marker: " + err.Error())
	}
	return markerPrefix + string(b) + markerSuffix
}

// ParseMarker reads the marker from the first line of a comment body. It is
// lenient: unknown fields are ignored, so markers written by later v1
// releases still parse. Bodies without a v1 marker on their first line
// (including a future v2) give false.
func ParseMarker(body string) (Marker, bool) {
	line, _, _ := strings.Cut(body, "\n")
	line = strings.TrimSpace(line)
	rest, ok := strings.CutPrefix(line, markerPrefix)
	if !ok {
		return Marker{}, false
	}
	payload, ok := strings.CutSuffix(rest, markerSuffix)
	if !ok {
		return Marker{}, false
	}
	var m Marker
	if err := json.Unmarshal([]byte(payload), &m); err != nil || m.Kind == "" {
		return Marker{}, false
	}
	return m, true
}
