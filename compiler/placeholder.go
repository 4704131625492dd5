package compiler

import (
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

var placeholderRE = regexp.MustCompile(`^SMP_[A-Z0-9_]+$`)

// substitute applies the seed's placeholder rule to one string value: split an
// s3:// URI on "/" and anything else on ".", and replace every segment that is
// exactly the name of an SMP_* environment variable by its value. Unlike the
// seed, only SMP_* names are substituted (a value "HOME" stays "HOME"), and
// list items are substituted too. An unset placeholder stays as written and
// is reported, so the report shows what is missing.
func (r *reader) substitute(n *yaml.Node, value string) string {
	if !strings.Contains(value, "SMP_") {
		return value // the common case: no work, no allocation
	}
	sep := "."
	if strings.HasPrefix(value, "s3://") {
		sep = "/"
	}
	segs := strings.Split(value, sep)
	for i, seg := range segs {
		if !placeholderRE.MatchString(seg) {
			continue
		}
		if v, ok := r.env(seg); ok {
			segs[i] = v
			continue
		}
		r.warnf(n, "placeholder", "placeholder %s is not set in the environment; the value stays %q", seg, value)
	}
	return strings.Join(segs, sep)
}
