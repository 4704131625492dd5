package plan

import (
	"errors"
	"io/fs"
	"path"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/smpipe/smpipe-action/compiler"
	"github.com/smpipe/smpipe-action/internal/workspace"
)

// revision is one side of a comparison as the touched rule reads it: the
// revision's files and its index, with the lookups the rule needs.
type revision struct {
	fsys       fs.FS
	ix         *compiler.Index
	byPath     map[string]*compiler.IndexFile
	modelFiles map[string][]*compiler.IndexFile // files defining each model
	// anchors holds the anchors by lower-case pipelineName: names that
	// differ only in case clash, as they would in SageMaker.
	anchors map[string][]*compiler.IndexFile
	// deps keeps dependencies by pipeline name: a revision indexed once
	// serves the two commit pairs it is part of when a history is walked.
	mu   sync.Mutex
	deps map[string]depSet
}

// depSet is what a pipeline's definition depends on in one revision.
type depSet struct {
	// roots are paths whose content (a file, or everything under a
	// directory) the definition reads.
	roots []string
	// dirs are directories a lookup stepped back out of with "..": only
	// that they are directories counts, not what they hold.
	dirs []string
}

func newRevision(fsys fs.FS, ix *compiler.Index) *revision {
	r := &revision{fsys: fsys, ix: ix, byPath: map[string]*compiler.IndexFile{},
		modelFiles: map[string][]*compiler.IndexFile{}, anchors: map[string][]*compiler.IndexFile{}}
	for _, f := range ix.Files {
		r.byPath[f.Path] = f
		for _, m := range f.Models {
			r.modelFiles[m.Name] = append(r.modelFiles[m.Name], f)
		}
		if f.Pipeline != nil && f.Pipeline.Name != "" {
			key := strings.ToLower(f.Pipeline.Name)
			r.anchors[key] = append(r.anchors[key], f)
		}
	}
	return r
}

// names lists the pipeline names the revision defines, as written.
func (r *revision) names() []string {
	var out []string
	for _, as := range r.anchors {
		for _, a := range as {
			out = append(out, a.Pipeline.Name)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// confFiles are the conf files building pipeline name reads: every anchor
// with that name (in any case) and every file defining one of their models (a model
// defined twice fails the pipeline, so both definitions count), sorted.
func (r *revision) confFiles(name string) []string {
	var out []string
	for _, a := range r.anchors[strings.ToLower(name)] {
		out = append(out, a.Path)
		for _, m := range a.Pipeline.Models {
			for _, f := range r.modelFiles[m] {
				out = append(out, f.Path)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// dependencies lists every path whose content can change pipeline name's
// definition in this revision, as paths relative to the compile root: the
// framework conf, its conf files, its models' source directories and local
// data files, every symbolic link on the way to any of these, and,
// transitively, whatever the links found under them point at. A path here
// need not exist: creating it is a change too. "." stands for everything.
// Paths are looked up as the file systems look them up, and source
// directories and data files as the compiler resolves them (see entry).
func (r *revision) dependencies(name string) depSet {
	r.mu.Lock()
	ds, ok := r.deps[name]
	r.mu.Unlock()
	if ok {
		return ds
	}
	// Worked out without the lock, so that pipelines are resolved in
	// parallel; two goroutines resolving one name agree.
	d := deps{fsys: r.fsys, seen: map[string]bool{}}
	d.chain(r.ix.FrameworkPath)
	for _, f := range r.confFiles(name) {
		d.chain(f)
		file := r.byPath[f]
		for _, m := range file.Models {
			if !r.usedBy(name, m.Name) || m.SourceDir == "" {
				continue
			}
			dir, ok := joinInside(".", m.SourceDir)
			if !ok {
				continue // refused by the build: reads nothing
			}
			// The compiler goes on from the source directory as its final
			// links resolve, lexically (resolveEntry), and joins file names
			// onto that, not onto the physical directory.
			src, ok := d.entry(dir)
			if !ok {
				continue
			}
			d.dirs = append(d.dirs, src)
			for _, v := range file.Paths {
				if p, ok := joinInside(src.lexical, v); ok {
					d.entry(p)
				}
				// The physical join too: what a checkout would read, should
				// the compiler ever join as the operating system does.
				if p, ok := joinInside(src.physical, v); ok {
					d.entry(p)
				}
			}
		}
	}
	d.closeOverLinks()
	ds = depSet{roots: d.roots, dirs: d.upDirs}
	r.keep(name, ds)
	return ds
}

// sameConf reports whether pipeline name reads the same conf files, with
// the same contents, in r and other: the decode cache hands both revisions
// one IndexFile for a path and blob.
func (r *revision) sameConf(other *revision, name string) bool {
	files := r.confFiles(name)
	if !slices.Equal(files, other.confFiles(name)) {
		return false
	}
	for _, f := range files {
		if r.byPath[f] != other.byPath[f] {
			return false
		}
	}
	return true
}

// keep records dependencies of name worked out elsewhere (sameConf).
func (r *revision) keep(name string, ds depSet) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.deps == nil {
		r.deps = map[string]depSet{}
	}
	r.deps[name] = ds
}

// usedBy reports whether pipeline name uses model.
func (r *revision) usedBy(name, model string) bool {
	for _, a := range r.anchors[strings.ToLower(name)] {
		if slices.Contains(a.Pipeline.Models, model) {
			return true
		}
	}
	return false
}

// deps collects dependency roots.
type deps struct {
	fsys  fs.FS
	roots []string
	seen  map[string]bool
	dirs  []entryPath // directories whose links are still to follow
	// upDirs are the directories ".." stepped back out of.
	upDirs []string
}

func (d *deps) add(p string) {
	if !d.seen[p] {
		d.seen[p] = true
		d.roots = append(d.roots, p)
	}
}

// entryPath is a path the compiler reads twice over: lexical is the string
// it holds and joins names onto, physical where the file system's lookup of
// that string lands.
type entryPath struct{ lexical, physical string }

// entry mirrors the compiler's resolveEntry on p: look p up without
// following a final link; while it is one, join its target lexically onto
// p's directory and look again. It adds everything the lookups met and
// returns where they end. Running out of links makes everything a
// dependency: the compiler's verdict then turns on more than was followed.
// ok is false when the compiler refuses the path, reading nothing there.
func (d *deps) entry(p string) (entryPath, bool) {
	for range workspace.MaxSymlinks + 1 {
		real, ok := d.lookup(p, false)
		if !ok {
			return entryPath{}, false
		}
		target, err := fs.ReadLink(d.fsys, real)
		if err != nil { // not a link, or missing: read as it is
			return entryPath{p, real}, true
		}
		next, ok := joinInside(path.Dir(p), target)
		if !ok {
			return entryPath{}, false
		}
		p = next
	}
	d.add(".")
	return entryPath{}, false
}

// chain adds p, every symbolic link met looking it up and the path it
// resolves to.
func (d *deps) chain(p string) { d.lookup(p, true) }

// lookup resolves p as the file systems do (gitrev's treeFS and os.Root):
// component by component, a link's target read from the link's directory
// as resolved so far, ".." stepping back to the directory resolved before,
// at most workspace.MaxSymlinks links, a final link followed only when
// follow is set. It adds p, every link met and the path reached, which it
// returns, and puts every directory left by ".." in upDirs. Resolution
// stops at a missing component (the rest is kept as written: creating it
// is a change there); ok is false when it stops at a link leaving the tree
// or at too many links, where the lookup fails and reads nothing further.
// Running out of links makes everything a dependency: the budget is the
// file system's, but a conservative answer costs one over-approximated
// pipeline.
func (d *deps) lookup(p string, follow bool) (real string, ok bool) {
	d.add(p)
	todo := strings.Split(p, "/")
	cur := "."
	var above []string // the directories resolved before cur, for ".."
	for hops := 0; len(todo) > 0; {
		c := todo[0]
		todo = todo[1:]
		switch c {
		case "", ".":
			continue
		case "..":
			if len(above) == 0 {
				return "", false // climbs out of the tree
			}
			d.upDirs = append(d.upDirs, cur)
			cur, above = above[len(above)-1], above[:len(above)-1]
			continue
		}
		next := path.Join(cur, c)
		if len(todo) == 0 && !follow {
			cur = next
			break
		}
		// ReadLink rather than Lstat: it says "not a link" without the
		// size a git tree would look up.
		target, err := fs.ReadLink(d.fsys, next)
		// There and not a link: fs.ErrInvalid from a git tree, EINVAL from
		// the working tree.
		if errors.Is(err, fs.ErrInvalid) || errors.Is(err, syscall.EINVAL) {
			above = append(above, cur)
			cur = next
			continue
		}
		if err != nil { // missing (or unreadable)
			d.add(next)
			if slices.Contains(todo, "..") {
				return next, true
			}
			cur = path.Join(append([]string{next}, todo...)...)
			break
		}
		d.add(next)
		if hops++; hops > workspace.MaxSymlinks {
			d.add(".")
			return "", false
		}
		if target == "" || path.IsAbs(target) {
			return "", false // leaves the tree
		}
		todo = append(strings.Split(target, "/"), todo...)
	}
	d.add(cur)
	return cur, true
}

// closeOverLinks adds, for every directory collected, the links under it
// and what they resolve to, until no new directory appears: a bundle
// follows links inside its source directory wherever they lead, each
// resolved as the compiler does from the path it listed the directory by.
func (d *deps) closeOverLinks() {
	done := map[entryPath]bool{}
	for len(d.dirs) > 0 {
		dir := d.dirs[0]
		d.dirs = d.dirs[1:]
		if done[dir] {
			continue
		}
		done[dir] = true
		for _, l := range linksUnder(d.fsys, dir.physical) {
			d.add(l)
			rel := l
			if dir.physical != "." {
				rel = strings.TrimPrefix(l, dir.physical+"/")
			}
			if t, ok := d.entry(path.Join(dir.lexical, rel)); ok {
				d.dirs = append(d.dirs, t)
			}
		}
	}
}

// linkLister is a file system that lists the links under a directory
// cheaply (a git tree keeps the answer by subtree hash).
type linkLister interface {
	Links(dir string) ([]string, error)
}

// linksUnder lists the symbolic links at or under dir, not following any.
func linksUnder(fsys fs.FS, dir string) []string {
	if ll, ok := fsys.(linkLister); ok {
		links, _ := ll.Links(dir)
		return links
	}
	if info, err := fs.Lstat(fsys, dir); err != nil || !info.IsDir() {
		return nil
	}
	var out []string
	fs.WalkDir(fsys, dir, func(p string, e fs.DirEntry, err error) error {
		if err == nil && e.Type()&fs.ModeSymlink != 0 {
			out = append(out, p)
		}
		return nil
	})
	return out
}

// joinInside joins rel onto dir as the compiler does (a leading "./"
// dropped) and reports whether the result stays inside the root.
func joinInside(dir, rel string) (string, bool) {
	rel = strings.TrimPrefix(rel, "./")
	if path.IsAbs(rel) || strings.HasPrefix(rel, "\\") {
		return "", false
	}
	p := path.Join(dir, rel)
	if p == ".." || strings.HasPrefix(p, "../") {
		return "", false
	}
	return p, true
}

// changeSet answers whether a dependency root is affected by a change:
// the root itself changed, something under it, or a directory above it
// (replaced by a file or a link).
type changeSet struct {
	sorted []string
	set    map[string]bool
	// emptyDirs are the paths only ever changed as the addition of a
	// directory holding no file.
	emptyDirs map[string]bool
}

func newChangeSet(changes []Change) changeSet {
	cs := changeSet{set: map[string]bool{}, emptyDirs: map[string]bool{}}
	for _, c := range changes {
		for _, p := range []string{c.Path, c.From} {
			if p != "" && !cs.set[p] {
				cs.set[p] = true
				cs.sorted = append(cs.sorted, p)
				if c.Dir && p == c.Path {
					cs.emptyDirs[p] = true
				}
			} else if p != "" {
				delete(cs.emptyDirs, p)
			}
		}
	}
	sort.Strings(cs.sorted)
	return cs
}

func (cs changeSet) empty() bool { return len(cs.sorted) == 0 }

// under reports whether changes lie below p: files, and directories
// holding no file.
func (cs changeSet) under(p string) (files, emptyDirs bool) {
	prefix := p + "/"
	for i := sort.SearchStrings(cs.sorted, prefix); i < len(cs.sorted) && strings.HasPrefix(cs.sorted[i], prefix); i++ {
		if !cs.emptyDirs[cs.sorted[i]] {
			return true, emptyDirs
		}
		emptyDirs = true
	}
	return false, emptyDirs
}

// affects reports whether a change reaches root, a dependency resolved in
// self, other being the revision on the other side. A directory holding no
// file that was added below root changes nothing a bundle of root holds,
// but it can make root a directory where it was none.
func (cs changeSet) affects(root string, self, other *revision) bool {
	if root == "." {
		return !cs.empty()
	}
	if cs.replaces(root) {
		return true
	}
	files, emptyDirs := cs.under(root)
	return files || emptyDirs && !(isDir(self.fsys, root) && isDir(other.fsys, root))
}

// affectsAny reports whether a change reaches a dependency of ds, resolved
// in revision self, other being the revision on the other side. A
// directory ".." left is reached when it or a directory above it was
// replaced, or when files or directories under it changed and other has no
// directory there (all of them deleted, or it is new).
func (cs changeSet) affectsAny(ds depSet, self, other *revision) bool {
	if slices.ContainsFunc(ds.roots, func(root string) bool { return cs.affects(root, self, other) }) {
		return true
	}
	for _, dir := range ds.dirs {
		if cs.replaces(dir) {
			return true
		}
		if files, emptyDirs := cs.under(dir); (files || emptyDirs) && !isDir(other.fsys, dir) {
			return true
		}
	}
	return false
}

// replaces reports whether p itself or a directory above it changed.
func (cs changeSet) replaces(p string) bool {
	for {
		if cs.set[p] {
			return true
		}
		i := strings.LastIndexByte(p, '/')
		if i < 0 {
			return false
		}
		p = p[:i]
	}
}

// isDir reports whether p is a directory, reached through no link: one
// above it that became a link is a change replaces sees.
func isDir(fsys fs.FS, p string) bool {
	info, err := fs.Lstat(fsys, p)
	return err == nil && info.IsDir()
}

// touchedNames names, sorted, every pipeline whose definition may differ
// between base and head given the changed paths: one defined on either
// side with a dependency (on that side) that a change reaches. base is nil
// when there is no base.
func touchedNames(base, head *revision, cs changeSet) []string {
	var touched []string
	if base == nil { // everything is new
		touched = head.names()
	} else {
		touched = eachParallel(base.names(), func(name string) bool {
			if cs.affectsAny(base.dependencies(name), base, head) {
				return true
			}
			if base.sameConf(head, name) {
				// Nothing the base side read changed and the conf files are
				// the same: the head resolves to the same dependencies.
				head.keep(name, base.dependencies(name))
			}
			return false
		})
		touched = append(touched, eachParallel(head.names(), func(name string) bool {
			return !slices.Contains(touched, name) && cs.affectsAny(head.dependencies(name), head, base)
		})...)
	}
	slices.Sort(touched)
	return slices.Compact(touched)
}

// eachParallel returns the names for which keep holds, asking on every
// core: resolving dependencies reads trees, and a large repository has
// thousands of pipelines.
func eachParallel(names []string, keep func(string) bool) []string {
	kept := make([]bool, len(names))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(names)) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < len(names); i = int(next.Add(1) - 1) {
				kept[i] = keep(names[i])
			}
		})
	}
	wg.Wait()
	var out []string
	for i, k := range kept {
		if k {
			out = append(out, names[i])
		}
	}
	return out
}
