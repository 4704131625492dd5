package gitrev

import (
	"fmt"
	"strings"
)

// MergeBase returns the best common ancestor of the commits a and b name
// (see [Repo.Resolve]), as `git merge-base` does. It needs the history of
// both: in a shallow clone it fails with advice to fetch all of it.
func (r *Repo) MergeBase(a, b string) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	ca, err := r.commit(a)
	if err != nil {
		return "", err
	}
	cb, err := r.commit(b)
	if err != nil {
		return "", err
	}
	bases, err := ca.MergeBase(cb)
	if err != nil {
		return "", fmt.Errorf("finding the merge base of %s and %s: %w (the history may be missing: set fetch-depth: 0 on actions/checkout)", ShortSHA(a), ShortSHA(b), err)
	}
	if len(bases) == 0 {
		return "", fmt.Errorf("finding the merge base of %s and %s: no common ancestor in the checkout (set fetch-depth: 0 on actions/checkout)", ShortSHA(a), ShortSHA(b))
	}
	return bases[0].Hash.String(), nil
}

// IsSHA reports whether s is a whole commit SHA as git writes it: 40
// lower-case hexadecimal digits.
func IsSHA(s string) bool {
	_, ok := parseSHA(s)
	return ok && s == strings.ToLower(s)
}

// ShortSHA is the first 12 characters of a commit SHA, as people read them.
func ShortSHA(s string) string {
	if len(s) > 12 {
		return s[:12]
	}
	return s
}
