// Package diag holds the diagnostics every phase of smpipe reports: a
// positioned finding about the user's input, never a Go error.
//
// A Diagnostic is a value; a run collects all of them, sorts once and prints
// once. Policy (--strict, deploy) changes severities by Code in one place
// (Promote); checks never read flags.
package diag

import (
	"cmp"
	"fmt"
	"slices"
)

// Severity orders findings: errors fail a run, warnings do not.
type Severity int

const (
	Warning Severity = iota
	Error
)

func (s Severity) String() string {
	if s == Error {
		return "error"
	}
	return "warning"
}

// MarshalText lets Severity appear as "error"/"warning" in JSON output.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Pos is a 1-based position in a file. File is slash-separated and relative
// to the repository root. A zero Line means the finding has no position
// (for example, a repository-level problem).
type Pos struct {
	File string `json:"file,omitempty"`
	Line int    `json:"line,omitempty"`
	Col  int    `json:"col,omitempty"`
}

func (p Pos) String() string {
	switch {
	case p.File == "":
		return ""
	case p.Line == 0:
		return p.File
	case p.Col == 0:
		return fmt.Sprintf("%s:%d", p.File, p.Line)
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

// IsZero reports whether p names no file.
func (p Pos) IsZero() bool { return p.File == "" }

// Diagnostic is one finding. Summary is one line, lower-case, without a final
// period; Detail optionally says why and how to fix it.
type Diagnostic struct {
	Severity Severity `json:"severity"`
	Pos      Pos      `json:"pos"`
	Code     string   `json:"code"`
	Summary  string   `json:"summary"`
	Detail   string   `json:"detail,omitempty"`
}

// String renders the canonical one-line form: file:line:col: severity: summary.
func (d Diagnostic) String() string {
	if p := d.Pos.String(); p != "" {
		return fmt.Sprintf("%s: %s: %s", p, d.Severity, d.Summary)
	}
	return fmt.Sprintf("%s: %s", d.Severity, d.Summary)
}

// Diagnostics is the one slice type findings travel in.
type Diagnostics []Diagnostic

// Errorf appends an error at pos.
func (ds *Diagnostics) Errorf(pos Pos, code, format string, args ...any) {
	*ds = append(*ds, Diagnostic{Severity: Error, Pos: pos, Code: code, Summary: fmt.Sprintf(format, args...)})
}

// Warnf appends a warning at pos.
func (ds *Diagnostics) Warnf(pos Pos, code, format string, args ...any) {
	*ds = append(*ds, Diagnostic{Severity: Warning, Pos: pos, Code: code, Summary: fmt.Sprintf(format, args...)})
}

// HasErrors reports whether any finding is an error.
func (ds Diagnostics) HasErrors() bool {
	for _, d := range ds {
		if d.Severity == Error {
			return true
		}
	}
	return false
}

// Count returns the number of errors and warnings.
func (ds Diagnostics) Count() (errors, warnings int) {
	for _, d := range ds {
		if d.Severity == Error {
			errors++
		} else {
			warnings++
		}
	}
	return errors, warnings
}

// Promote returns a copy in which every warning with one of codes is an error.
func (ds Diagnostics) Promote(codes ...string) Diagnostics {
	out := slices.Clone(ds)
	for i := range out {
		if slices.Contains(codes, out[i].Code) {
			out[i].Severity = Error
		}
	}
	return out
}

// Compare orders diagnostics by file, line, column, severity (errors first),
// code and summary, so output is stable whatever order checks ran in.
func Compare(a, b Diagnostic) int {
	return cmp.Or(
		cmp.Compare(a.Pos.File, b.Pos.File),
		cmp.Compare(a.Pos.Line, b.Pos.Line),
		cmp.Compare(a.Pos.Col, b.Pos.Col),
		cmp.Compare(b.Severity, a.Severity),
		cmp.Compare(a.Code, b.Code),
		cmp.Compare(a.Summary, b.Summary),
		cmp.Compare(a.Detail, b.Detail),
	)
}

// Sorted returns the findings sorted with Compare and exact duplicates removed
// (an alias or a shared model reports the same finding more than once).
func (ds Diagnostics) Sorted() Diagnostics {
	out := slices.Clone(ds)
	slices.SortStableFunc(out, Compare)
	return slices.Compact(out)
}
