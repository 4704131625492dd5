package compiler

import (
	"errors"
	"strings"
)

// Paths in a conf file (source_directory, entry_point, local fileName) are
// relative to the repository root and never leave it.

// sourceDir checks and returns a model's source_directory as a clean path
// relative to the repository root ("." for the root itself).
func (b *builder) sourceDir(us *userStep) (string, bool) {
	m := us.model
	if !m.SourceDirectory.Set {
		b.ds.Errorf(us.conf.Pos, "missing-key", "model %q has no source_directory, which %s step %q needs for its code", m.Name, us.class, us.name)
		return "", false
	}
	if r, seen := b.srcDirs[m]; seen {
		return r.dir, r.ok
	}
	dir, ok := b.checkSourceDir(m)
	b.srcDirs[m] = srcDir{dir, ok}
	return dir, ok
}

// srcDir is a model's source_directory as sourceDir checked it, once.
type srcDir struct {
	dir string
	ok  bool
}

func (b *builder) checkSourceDir(m *ModelConf) (string, bool) {
	sd := m.SourceDirectory
	dir, ok := repoPath(".", sd.Value)
	if !ok {
		b.ds.Errorf(sd.Pos, "path", "source_directory %q is outside the repository", sd.Value)
		return "", false
	}
	target, info, err := resolveEntry(b.fsys, dir)
	switch {
	case errors.As(err, new(*linkEscape)):
		b.ds.Errorf(sd.Pos, "path", "source_directory %q is a symlink that leaves the repository", sd.Value)
		return "", false
	case b.refused(sd.Pos, "source_directory", sd.Value, err, ""):
		return "", false
	case err != nil:
		b.ds.Errorf(sd.Pos, "path", "source_directory %q does not exist", sd.Value)
		return "", false
	case !info.IsDir():
		b.ds.Errorf(sd.Pos, "path", "source_directory %q is not a directory", sd.Value)
		return "", false
	}
	return target, true
}

// repoPath joins rel onto base (both relative to the root) and reports
// whether the result stays inside the repository.
func repoPath(base, rel string) (string, bool) {
	rel = strings.TrimPrefix(rel, "./")
	return resolveRel(base, rel)
}

// within reports whether the clean relative path p is dir or lies under it;
// everything in the repository lies under ".".
func within(dir, p string) bool {
	return dir == "." || p == dir || strings.HasPrefix(p, dir+"/")
}

// validEntryPoint reports whether s is a relative path of letters, digits,
// '_', '-', '.' and '/' that does not start with '.', '-' or '/'. A loop,
// not a regular expression, because compiling one costs every run's
// start-up.
func validEntryPoint(s string) bool {
	if s == "" || s[0] == '.' || s[0] == '-' || s[0] == '/' {
		return false
	}
	for _, c := range []byte(s) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '/' || c == '-') {
			return false
		}
	}
	return true
}

// entryPoint checks that a section's entry_point exists inside dir.
func (b *builder) entryPoint(us *userStep, sec *SectionConf, dir string) (string, bool) {
	ep := sec.EntryPoint
	if !ep.Set {
		return "", false // reported missing while decoding the section
	}
	if !validEntryPoint(ep.Value) {
		b.ds.Errorf(ep.Pos, "path", "entry_point %q must be a relative path of letters, digits, '_', '-', '.' and '/'", ep.Value)
		return "", false
	}
	p, ok := repoPath(dir, ep.Value)
	if !ok || !within(dir, p) {
		b.ds.Errorf(ep.Pos, "path", "entry_point %q leaves source_directory %q", ep.Value, us.model.SourceDirectory.Value)
		return "", false
	}
	if _, info, err := resolveEntry(b.fsys, p); b.refused(ep.Pos, "entry_point", ep.Value, err, "") {
		return "", false
	} else if err != nil || info.IsDir() {
		b.ds.Errorf(ep.Pos, "path", "entry_point %q not found in source_directory %q", ep.Value, us.model.SourceDirectory.Value)
		return "", false
	}
	return ep.Value, true
}

// module turns an entry point path into the dotted module python -m runs.
func module(entryPoint string) string {
	return strings.ReplaceAll(strings.TrimSuffix(strings.TrimPrefix(entryPoint, "./"), ".py"), "/", ".")
}

// fileURI resolves a dataFiles fileName: s3:// URIs as written; with a
// channel bucket, s3://bucket/prefix/file; otherwise a local file under
// source_directory that deploy uploads.
func (b *builder) fileURI(us *userStep, df DataFileConf, bucket, prefix Str) (string, bool) {
	fn := df.FileName
	if strings.HasPrefix(fn.Value, "s3://") {
		return fn.Value, true
	}
	if bucket.Set {
		parts := []string{strings.Trim(bucket.Value, "/")}
		for _, p := range []string{prefix.Value, fn.Value} {
			if p = strings.Trim(p, "/"); p != "" {
				parts = append(parts, p)
			}
		}
		return "s3://" + strings.Join(parts, "/"), true
	}
	if strings.Contains(fn.Value, "://") {
		b.ds.Errorf(fn.Pos, "path", "fileName %q must be an s3:// URI or a path relative to source_directory", fn.Value)
		return "", false
	}
	dir, ok := b.sourceDir(us)
	if !ok {
		return "", false
	}
	p, ok := repoPath(dir, fn.Value)
	if !ok {
		b.ds.Errorf(fn.Pos, "path", "fileName %q is outside the repository", fn.Value)
		return "", false
	}
	target, info, err := resolveEntry(b.fsys, p)
	if b.refused(fn.Pos, "fileName", fn.Value, err, dataAdvice) {
		return "", false
	}
	if err != nil || !info.Mode().IsRegular() {
		b.ds.Errorf(fn.Pos, "path", "fileName %q is neither an s3:// URI nor a file in source_directory %q; give the channel a bucket or add the file", fn.Value, us.model.SourceDirectory.Value)
		return "", false
	}
	a, err := b.bundles.dataFile(target)
	if err != nil {
		if !b.refused(fn.Pos, "fileName", fn.Value, err, dataAdvice) && !b.bundles.failed() {
			b.ds.Errorf(fn.Pos, "path", "reading fileName %q: %s", fn.Value, fileProblem(err))
		}
		return "", false
	}
	return a.URI(), true
}
