package compiler

import (
	"bytes"
	"maps"
	"os"
	"slices"
	"strings"
	"unicode"

	"gopkg.in/yaml.v3"

	"github.com/smpipe/smpipe-action/compiler/diag"
)

// IsPlaceholder reports whether seg is a whole placeholder name,
// SMP_[A-Z0-9_]+.
func IsPlaceholder(seg string) bool {
	rest, ok := strings.CutPrefix(seg, "SMP_")
	return ok && rest != "" && runOf(rest, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") == len(rest)
}

// IsBlank reports whether a placeholder's value says nothing: empty, or
// only spaces and commas, as a workflow's "${{ vars.A }},${{ vars.B }}"
// reads when neither variable exists (a list of no subnets is no VPC).
func IsBlank(v string) bool {
	return strings.TrimFunc(v, func(r rune) bool { return r == ',' || unicode.IsSpace(r) }) == ""
}

// placeholderEnv is how placeholders are looked up: getenv (the process
// environment when nil), with a blank value (IsBlank) counted as not set
// unless allowEmpty names the placeholder. It is the one rule for compile,
// plan and deploy, so a definition never loses a value to an empty variable
// unseen.
func placeholderEnv(getenv func(string) (string, bool), allowEmpty []string) func(string) (string, bool) {
	if getenv == nil {
		getenv = os.LookupEnv
	}
	return func(name string) (string, bool) {
		v, ok := getenv(name)
		if ok && IsBlank(v) && !slices.Contains(allowEmpty, name) {
			return "", false
		}
		return v, ok
	}
}

// substitute applies the seed's placeholder rule to one string value: split an
// s3:// URI on "/" and anything else on ".", and replace every segment that is
// exactly the name of an SMP_* environment variable by its value. Unlike the
// seed, only SMP_* names are substituted (a value "HOME" stays "HOME"), and
// list items are substituted too. An unset placeholder stays as written, so
// the report shows what is missing; its name is returned in unresolved.
func (r *reader) substitute(value string) (out string, unresolved []string) {
	if !strings.Contains(value, "SMP_") {
		return value, nil // the common case: no work, no allocation
	}
	sep := "."
	if strings.HasPrefix(value, "s3://") {
		sep = "/"
	}
	segs := strings.Split(value, sep)
	for i, seg := range segs {
		if !IsPlaceholder(seg) {
			continue
		}
		if v, ok := r.env(seg); ok {
			segs[i] = v
			continue
		}
		unresolved = append(unresolved, seg)
	}
	return strings.Join(segs, sep), unresolved
}

// substituteValue substitutes a value that may reach a definition. An unset
// placeholder is a warning here; whether it blocks anything is decided where
// the definition is used: a deploy refuses a pipeline whose definition still
// carries one (Plan.Unresolved), a plan lists it as resolved at deploy.
func (r *reader) substituteValue(pos diag.Pos, value string) string {
	out, unresolved := r.substitute(value)
	for _, name := range unresolved {
		r.ds.Warnf(pos, "placeholder", "placeholder %s is not set in the environment (an empty value counts as not set); the value stays %q", name, value)
	}
	return out
}

// discoveryGlob reads the framework conf's modelConfigFilePath. It only
// steers which files are read, never reaches a definition, and is read the
// same way by compile, plan and deploy: an unset placeholder falls back to
// the default glob with a warning, and never fails anything.
func (r *reader) discoveryGlob(n *yaml.Node) Str {
	s := r.rawStr(n, "modelConfigFilePath")
	if !s.Set || s.Value == "" {
		return Str{}
	}
	v, unresolved := r.substitute(s.Value)
	if len(unresolved) > 0 {
		r.ds.Warnf(s.Pos, "placeholder-discovery", "placeholder %s in modelConfigFilePath is not set in the environment; "+
			"conf files are found with the default glob %q instead", strings.Join(unresolved, ", "), DefaultGlob)
		return Str{}
	}
	s.Value = v
	return s
}

// unresolvedIn lists the SMP_* names that a built pipeline still carries as
// literal text in its definition, role or bucket and that env does not set:
// the placeholders it needs from the deploy environment. Placeholders left
// unset elsewhere in the repository, or only in discovery settings, are not
// its concern.
func unresolvedIn(p *Plan, env func(string) (string, bool)) []string {
	seen := map[string]bool{}
	for _, b := range [][]byte{p.Definition, []byte(p.Role), []byte(p.Bucket)} {
		for _, name := range placeholderTokens(b) {
			if _, ok := env(name); !ok {
				seen[name] = true
			}
		}
	}
	return slices.Sorted(maps.Keys(seen))
}

// placeholderTokens finds every whole word of the form SMP_[A-Z0-9_]+ in b.
func placeholderTokens(b []byte) []string {
	var out []string
	for i := 0; ; {
		j := bytes.Index(b[i:], []byte("SMP_"))
		if j < 0 {
			return out
		}
		start := i + j
		end := start + len("SMP_")
		for end < len(b) && (b[end] == '_' || b[end] >= 'A' && b[end] <= 'Z' || b[end] >= '0' && b[end] <= '9') {
			end++
		}
		if (start == 0 || !isWordByte(b[start-1])) && (end == len(b) || !isWordByte(b[end])) && end > start+len("SMP_") {
			out = append(out, string(b[start:end]))
		}
		i = end
	}
}

func isWordByte(c byte) bool {
	return c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
}
