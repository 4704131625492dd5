// Package bundlerule holds the rule for what a code bundle leaves out, so
// that the compiler, which writes bundles, and the working-tree comparison,
// which must see what a bundle reads and nothing more, apply one rule.
package bundlerule

import "strings"

// Skips reports whether a directory entry named name, file or directory, is
// left out of a bundle with everything under it: version control, Python
// caches and Finder litter, which a run or a glance at a folder creates
// without changing what the code does.
func Skips(name string) bool {
	return name == ".git" || name == "__pycache__" || name == ".DS_Store" || strings.HasSuffix(name, ".pyc")
}

// SkipsPath reports whether any element of the slash path p is one Skips
// leaves out.
func SkipsPath(p string) bool {
	for elem := range strings.SplitSeq(p, "/") {
		if Skips(elem) {
			return true
		}
	}
	return false
}
