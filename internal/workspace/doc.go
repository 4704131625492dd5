// Package workspace is the repository as smpipe reads it: every path stays
// inside the root (no component, symbolic links included, may leave it),
// only regular files are read, and reads are bounded.
//
// [Open] gives that view of a directory on disk, built on [os.Root] (on
// Linux a path without symbolic links takes one confined openat2 instead
// of os.Root's walk; os.Root decides everything else). The git
// revisions of package gitrev follow the same rules and return the same
// errors, and [OpenFile] and [ReadFile] apply the same bounds to any
// [fs.FS], so a tree is accepted or refused alike whether it is read from a
// checkout or from git objects.
package workspace
