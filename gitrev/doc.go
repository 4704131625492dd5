// Package gitrev reads revisions of the repository that smpipe runs in: it
// resolves revision names to commits, exposes a commit's tree as a read-only
// [io/fs.FS], lists the files changed between two commits and, when the
// checkout is shallow, fetches the one missing commit.
//
// # Why go-git and not a git binary
//
// The action's container image is static and has no git binary, so every
// operation goes through github.com/go-git/go-git/v5 on the .git directory
// that actions/checkout left in the workspace. This also sidesteps git's
// "detected dubious ownership" check (safe.directory): the workspace is
// owned by the runner's user, the container runs as root, and go-git does not
// refuse to read a repository owned by someone else.
//
// # The workspace is never touched
//
// Base revisions are read from git objects through [Repo.TreeFS], never by
// checking them out. Nothing in this package writes to the worktree, the
// index or HEAD. [Repo.EnsureCommit] adds objects to .git and records what it
// fetched under refs/smpipe/fetched/, and that is the only change it makes.
//
// # Shallow clones
//
// actions/checkout clones with fetch-depth 1 by default, so on a pull request
// the base commit is usually absent. [Repo.EnsureCommit] fetches exactly that
// commit, depth 1, authenticated with the workflow token; if the server
// refuses, its error tells the user to set fetch-depth: 0 on actions/checkout.
// [Repo.IsAncestor], which the deploy asks before moving a pipeline to a new
// commit, deepens a shallow history in steps until its answer is certain.
package gitrev
