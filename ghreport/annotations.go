package ghreport

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/smpipe/smpipe-action/compiler/diag"
)

// Annotations writes one workflow command per diagnostic,
// "::error file=…,line=…,col=…,title=…::message" (or ::warning), so GitHub
// marks the conf line in the pull request. At most maxPerCode are written
// per Code (GitHub itself shows only ten of each severity per step); a
// final ::notice says how many were left out. Values are escaped as the
// runner expects (data: % CR LF; properties also : and ,), so no conf text
// can end the command or start another. maxPerCode <= 0 means no cap.
func Annotations(w io.Writer, ds diag.Diagnostics, maxPerCode int) error {
	seen := map[string]int{}
	omitted := map[string]int{}
	var b strings.Builder
	for _, d := range ds.Sorted() {
		if maxPerCode > 0 && seen[d.Code] >= maxPerCode {
			omitted[d.Code]++
			continue
		}
		seen[d.Code]++
		b.WriteString(annotation(d))
	}
	if len(omitted) > 0 {
		codes := make([]string, 0, len(omitted))
		total := 0
		for c, n := range omitted {
			codes = append(codes, c)
			total += n
		}
		slices.SortFunc(codes, cmp.Compare)
		parts := make([]string, len(codes))
		for i, c := range codes {
			parts[i] = fmt.Sprintf("%s: %d", c, omitted[c])
		}
		b.WriteString("::notice title=" + escapeProperty("smpipe") + "::" +
			escapeData(fmt.Sprintf("%d more findings not annotated (%s); see the job summary", total, strings.Join(parts, ", "))) + "\n")
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("writing annotations: %w", err)
	}
	return nil
}

func annotation(d diag.Diagnostic) string {
	var props []string
	if d.Pos.File != "" {
		props = append(props, "file="+escapeProperty(d.Pos.File))
		if d.Pos.Line > 0 {
			props = append(props, "line="+strconv.Itoa(d.Pos.Line))
			if d.Pos.Col > 0 {
				props = append(props, "col="+strconv.Itoa(d.Pos.Col))
			}
		}
	}
	title := "smpipe"
	if d.Code != "" {
		title += " " + d.Code
	}
	props = append(props, "title="+escapeProperty(title))
	msg := d.Summary
	if d.Detail != "" {
		msg += "\n\n" + d.Detail
	}
	cmd := "warning"
	if d.Severity == diag.Error {
		cmd = "error"
	}
	return "::" + cmd + " " + strings.Join(props, ",") + "::" + escapeData(msg) + "\n"
}

// escapeData escapes a workflow command's message as the runner decodes it.
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// escapeProperty escapes a workflow command property value.
func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
