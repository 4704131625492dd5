package compiler

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/smpipe/smpipe-action/compiler/diag"
)

// PrintDiagnostics writes each finding as `file:line:col: severity:
// summary`. With snippets, the source line and a caret follow, then the
// detail, as a terminal user wants; sources are only read here.
func PrintDiagnostics(w io.Writer, ds diag.Diagnostics, sources map[string][]byte, snippets bool) {
	for _, d := range ds {
		fmt.Fprintln(w, sanitizeLine(d.String()))
		if !snippets {
			continue
		}
		if line, ok := sourceLine(sources[d.Pos.File], d.Pos.Line); ok {
			fmt.Fprintf(w, "  %4d | %s\n", d.Pos.Line, sanitizeLine(line))
			if d.Pos.Col > 0 && d.Pos.Col <= len(line)+1 {
				fmt.Fprintf(w, "       | %s^\n", strings.Repeat(" ", d.Pos.Col-1))
			}
		}
		if d.Detail != "" {
			fmt.Fprintf(w, "       = %s\n", sanitizeLine(d.Detail))
		}
	}
}

func sourceLine(src []byte, n int) (string, bool) {
	if n < 1 || src == nil {
		return "", false
	}
	for i := 1; i < n; i++ {
		j := bytes.IndexByte(src, '\n')
		if j < 0 {
			return "", false
		}
		src = src[j+1:]
	}
	if j := bytes.IndexByte(src, '\n'); j >= 0 {
		src = src[:j]
	}
	return strings.TrimRight(string(src), "\r"), true
}

// sanitizeLine replaces control characters, so a hostile conf value cannot
// move the cursor or forge extra output lines.
func sanitizeLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\t' {
			return ' '
		}
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return '?'
		}
		return r
	}, s)
}
