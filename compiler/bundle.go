package compiler

import (
	"archive/tar"
	"bufio"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/smpipe/smpipe-action/internal/bundlerule"
	"github.com/smpipe/smpipe-action/internal/workspace"
)

// Artifact is one object the deploy uploads before upserting a pipeline.
// Keys are content-addressed, so an unchanged artifact keeps its key and the
// upload is skipped.
type Artifact struct {
	Bucket string
	Key    string
	SHA256 string // hex of the content
	Kind   string // "sourcedir", "runproc", "repack", "data"
	// File is set for built artifacts (bundles and scripts) when
	// Options.ArtifactDir is: the absolute path of the file holding exactly
	// the bytes that were hashed, which the deploy uploads.
	File string
	// Path is set for local data files: the slash path, relative to the
	// repository root, that the deploy reads again (and checks against
	// SHA256) through the root-confined file system.
	Path string
	Size int64
}

// URI is the artifact's s3:// URI.
func (a Artifact) URI() string { return "s3://" + a.Bucket + "/" + a.Key }

//go:embed scripts/repack.py
var repackScript []byte

const repackScriptName = "_smpipe_repack.py"

// bundleFile is one regular file of a bundle. Its content is read from the
// repository when the bundle is written, so a bundle is never held whole.
type bundleFile struct {
	name string // slash path inside the archive
	src  string // slash path in the repository; "" when data holds the content
	data []byte
	mode int64
	size int64
}

// linkEscape is a symbolic link whose target leaves the repository; it is
// a workspace.ErrEscapes.
type linkEscape struct{ link, target string }

func (e *linkEscape) Error() string {
	return fmt.Sprintf("symlink %s -> %s escapes the repository", workspace.QuotePrefix(e.link), workspace.QuotePrefix(e.target))
}

func (e *linkEscape) Unwrap() error { return workspace.ErrEscapes }

// collectDir lists every file under dir (a clean slash path relative to the
// repository root), following symlinks that stay inside the repository.
// Entries are returned in sorted order; a file over limit fails the listing
// before anything is read.
func (b *bundler) collectDir(dir, prefix string, out []bundleFile, depth int) ([]bundleFile, error) {
	if depth > 32 {
		return out, fmt.Errorf("%s: directories nested too deep (a symlink loop?)", dir)
	}
	entries, err := fs.ReadDir(b.fsys, dir)
	if err != nil {
		return out, err
	}
	for _, e := range entries { // fs.ReadDir sorts by name
		if err := b.ctx.Err(); err != nil {
			return out, runError{err}
		}
		if bundlerule.Skips(e.Name()) {
			continue
		}
		full := path.Join(dir, e.Name())
		name := path.Join(prefix, e.Name())
		target, info, err := full, fs.FileInfo(nil), error(nil)
		if e.Type()&fs.ModeSymlink == 0 {
			// The listing has described the entry already; asking the
			// root-confined file system again costs a walk from the root.
			info, err = e.Info()
		} else {
			target, info, err = resolveEntry(b.fsys, full)
		}
		if err != nil {
			return out, err
		}
		if info.IsDir() {
			if out, err = b.collectDir(target, name, out, depth+1); err != nil {
				return out, err
			}
			continue
		}
		if !info.Mode().IsRegular() {
			continue // sockets, pipes, devices: nothing to ship
		}
		if info.Size() > b.limit {
			return out, &fs.PathError{Op: "open", Path: target, Err: &workspace.TooLargeError{Size: info.Size(), Limit: b.limit}}
		}
		mode := int64(0o644)
		if info.Mode().Perm()&0o111 != 0 {
			mode = 0o755
		}
		out = append(out, bundleFile{name: name, src: target, mode: mode, size: info.Size()})
	}
	return out, nil
}

// resolveEntry follows symlinks at p, refusing any that leave the tree.
// Links in the directories above p are the file system's to confine.
func resolveEntry(fsys fs.FS, p string) (string, fs.FileInfo, error) {
	for range workspace.MaxSymlinks + 1 {
		info, err := fs.Lstat(fsys, p) // Stat where fsys knows no links
		if err != nil {
			return p, nil, err
		}
		if info.Mode()&fs.ModeSymlink == 0 {
			return p, info, nil
		}
		target, err := fs.ReadLink(fsys, p)
		if err != nil {
			return p, nil, err
		}
		next, ok := resolveRel(path.Dir(p), target)
		if !ok {
			return p, nil, &linkEscape{link: p, target: target}
		}
		p = next
	}
	return p, nil, &fs.PathError{Op: "stat", Path: p, Err: workspace.ErrLoop}
}

// resolveRel joins a relative path onto base and reports whether the result
// stays inside the repository. Absolute paths never do.
func resolveRel(base, rel string) (string, bool) {
	if path.IsAbs(rel) || strings.HasPrefix(rel, "\\") {
		return "", false
	}
	p := path.Join(base, rel)
	if p == ".." || strings.HasPrefix(p, "../") {
		return "", false
	}
	return p, true
}

// runError is a failure of the run rather than of the repository: the run
// was cancelled, or the artifact directory could not be written. Build
// returns it as its error instead of reporting a diagnostic.
type runError struct{ err error }

func (e runError) Error() string { return e.err.Error() }
func (e runError) Unwrap() error { return e.err }

// archiver writes reproducible tar.gz bundles. Their deflate blocks are
// stored, not compressed: bundles are mostly kilobytes of source, while
// compressing them cost a one-pipeline compile a fifth of its time (setting
// up a flate compressor alone touches hundreds of kilobytes), and every
// run's start-up pays for it. A stored gzip is still a valid .tar.gz for
// SageMaker and `tar -xzf`; storedGzip writes it without a compressor's
// tables, which a worker would otherwise hold for the whole build. A
// worker keeps one.
type archiver struct {
	zw   storedGzip
	copy []byte
}

// tarGz writes a reproducible gzip'd tar to w: sorted entries, zero times
// and owners, fixed modes, no gzip name or mtime. Same files, same bytes,
// however the content arrives: flate cuts its stored blocks by input
// position, not by write calls. File contents stream from the repository.
func (b *bundler) tarGz(files []bundleFile, w io.Writer) error {
	ar := b.ar
	ar.zw.Reset(w)
	tw := tar.NewWriter(&ar.zw)
	for _, f := range files {
		err := tw.WriteHeader(&tar.Header{
			Name:     f.name,
			Mode:     f.mode,
			Size:     f.size,
			Typeflag: tar.TypeReg,
			Format:   tar.FormatPAX,
		})
		if err == nil {
			err = b.copyFile(tw, f)
		}
		if err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return ar.zw.Close()
}

// copyFile writes one file's content, exactly the size listed.
func (b *bundler) copyFile(w io.Writer, f bundleFile) error {
	if f.src == "" {
		_, err := w.Write(f.data)
		return err
	}
	rf, err := workspace.OpenFile(b.fsys, f.src, b.limit)
	if err != nil {
		return err
	}
	defer rf.Close()
	if rf.Size() != f.size {
		return &fs.PathError{Op: "read", Path: f.src, Err: workspace.ErrChanged}
	}
	_, err = workspace.Copy(b.ctx, w, rf, b.ar.buffer())
	return b.cancelled(err)
}

// buffer is the worker's copy buffer.
func (ar *archiver) buffer() []byte {
	if ar.copy == nil {
		ar.copy = make([]byte, 64<<10)
	}
	return ar.copy
}

// cancelled marks err as the run's when the run was cancelled.
func (b *bundler) cancelled(err error) error {
	if err != nil && b.ctx.Err() != nil {
		return runError{err}
	}
	return err
}

// output receives one artifact's bytes: always hashed, and written to a
// file of the artifact directory when there is one. Its write errors are
// runErrors, so they stay apart from errors reading the repository.
type output struct {
	sum  hash.Hash
	size int64
	f    *os.File
	bw   *bufio.Writer
}

func (b *bundler) newOutput() (*output, error) {
	o := &output{sum: sha256.New()}
	if b.dir == "" {
		return o, nil
	}
	f, err := os.CreateTemp(b.dir, ".artifact-*")
	if err != nil {
		return nil, runError{fmt.Errorf("creating an artifact file: %w", err)}
	}
	o.f, o.bw = f, bufio.NewWriterSize(f, 64<<10)
	return o, nil
}

func (o *output) Write(p []byte) (int, error) {
	o.sum.Write(p)
	o.size += int64(len(p))
	if o.bw == nil {
		return len(p), nil
	}
	n, err := o.bw.Write(p)
	if err != nil {
		return n, runError{fmt.Errorf("writing artifact %s: %w", o.f.Name(), err)}
	}
	return n, nil
}

// finish names the file by its content, <sha256>-<name>; two pipelines
// building the same bundle write the same file.
func (o *output) finish(name string) (sum, file string, err error) {
	sum = hex.EncodeToString(o.sum.Sum(nil))
	if o.f == nil {
		return sum, "", nil
	}
	err = o.bw.Flush()
	if cerr := o.f.Close(); err == nil {
		err = cerr
	}
	file = filepath.Join(filepath.Dir(o.f.Name()), sum+"-"+name)
	if err == nil {
		err = os.Rename(o.f.Name(), file)
	}
	if err != nil {
		os.Remove(o.f.Name())
		return "", "", runError{fmt.Errorf("writing artifact %s: %w", name, err)}
	}
	return sum, file, nil
}

// discard removes the file of an artifact that failed.
func (o *output) discard() {
	if o.f != nil {
		o.f.Close()
		os.Remove(o.f.Name())
	}
}

// bundler builds and caches code bundles for one pipeline.
type bundler struct {
	ctx      context.Context
	ar       *archiver
	fsys     fs.FS
	limit    int64  // per file read
	dir      string // Options.ArtifactDir, "" to only hash
	bucket   string
	pipeline string
	dirs     map[string]dirResult
	bundles  map[bundleKey]Artifact // code bundles already built
	byKey    map[string]Artifact
	// err is the first runError: the pipeline's build must not be used.
	err error
}

// bundleKey names a code bundle: its kind and the directory it packs.
type bundleKey struct{ kind, dir string }

type dirResult struct {
	files []bundleFile
	err   error
}

func newBundler(ctx context.Context, ar *archiver, fsys fs.FS, opt Options, bucket, pipeline string) *bundler {
	limit := opt.MaxFileSize
	if limit <= 0 {
		limit = workspace.DefaultMaxFileSize
	}
	return &bundler{ctx: ctx, ar: ar, fsys: fsys, limit: limit, dir: opt.ArtifactDir, bucket: bucket, pipeline: pipeline,
		dirs: map[string]dirResult{}, bundles: map[bundleKey]Artifact{}, byKey: map[string]Artifact{}}
}

func (b *bundler) files(dir string) ([]bundleFile, error) {
	if r, ok := b.dirs[dir]; ok {
		return r.files, r.err
	}
	files, err := b.collectDir(dir, "", nil, 0)
	b.dirs[dir] = dirResult{files, b.fail(err)}
	return files, err
}

// failed reports whether the run failed while building this pipeline.
func (b *bundler) failed() bool { return b.err != nil }

// fail records a runError and passes err on.
func (b *bundler) fail(err error) error {
	if b.err == nil && errors.As(err, new(runError)) {
		b.err = err
	}
	return err
}

// build writes one artifact with write and records it.
func (b *bundler) build(kind, name string, write func(io.Writer) error) (Artifact, error) {
	o, err := b.newOutput()
	if err != nil {
		return Artifact{}, b.fail(err)
	}
	if err := write(o); err != nil {
		o.discard()
		return Artifact{}, b.fail(err)
	}
	sum, file, err := o.finish(name)
	if err != nil {
		return Artifact{}, b.fail(err)
	}
	a := Artifact{Bucket: b.bucket, Key: b.pipeline + "/code/" + sum + "/" + name, SHA256: sum, Kind: kind, File: file, Size: o.size}
	b.byKey[a.Key] = a
	return a, nil
}

// codeBundle builds the kind of bundle of dir once a pipeline: a model's
// steps share their source directory's bundles.
func (b *bundler) codeBundle(kind, dir string, pack func(files []bundleFile) []bundleFile) (Artifact, error) {
	key := bundleKey{kind, dir}
	if a, ok := b.bundles[key]; ok {
		return a, nil
	}
	files, err := b.files(dir)
	if err != nil {
		return Artifact{}, err
	}
	files = pack(files)
	a, err := b.build(kind, "sourcedir.tar.gz", func(w io.Writer) error { return b.tarGz(files, w) })
	if err != nil {
		return Artifact{}, err
	}
	b.bundles[key] = a
	return a, nil
}

// sourceDir bundles a directory as sourcedir.tar.gz.
func (b *bundler) sourceDir(dir string) (Artifact, error) {
	return b.codeBundle("sourcedir", dir, func(files []bundleFile) []bundleFile { return files })
}

// repackBundle bundles the repack script with the model's code under code/.
func (b *bundler) repackBundle(dir string) (Artifact, error) {
	return b.codeBundle("repack", dir, func(files []bundleFile) []bundleFile {
		all := make([]bundleFile, 0, len(files)+1)
		all = append(all, bundleFile{name: repackScriptName, mode: 0o644, data: repackScript, size: int64(len(repackScript))})
		for _, f := range files {
			f.name = "code/" + f.name
			all = append(all, f)
		}
		return all
	})
}

// runproc returns the bootstrap script a processing job runs: unpack the
// bundle, install requirements, run the entry point as a module. Arguments
// are single-quoted; entry points are validated before this is called.
func (b *bundler) runproc(module, entryPoint string) (Artifact, error) {
	script := fmt.Sprintf(`#!/bin/bash
# Generated by smpipe: unpack the code bundle and run the entry point.
set -euo pipefail
cd /opt/ml/processing/input/code/
tar -xzf sourcedir.tar.gz
if [[ -f requirements.txt ]]; then
  python -m pip install -r requirements.txt
fi
exec python -m %s %s "$@"
`, shellQuote(module), shellQuote(entryPoint))
	return b.build("runproc", "runproc.sh", func(w io.Writer) error {
		_, err := io.WriteString(w, script)
		return err
	})
}

// dataFile registers a local data file, hashed now (streamed, within the
// size limit) and uploaded by deploy.
func (b *bundler) dataFile(p string) (Artifact, error) {
	f, err := workspace.OpenFile(b.fsys, p, b.limit)
	if err != nil {
		return Artifact{}, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := workspace.Copy(b.ctx, h, f, b.ar.buffer()); err != nil {
		return Artifact{}, b.fail(b.cancelled(err))
	}
	sum := hex.EncodeToString(h.Sum(nil))
	a := Artifact{Bucket: b.bucket, Key: b.pipeline + "/data/" + sum + "/" + path.Base(p), SHA256: sum, Kind: "data", Path: p, Size: f.Size()}
	b.byKey[a.Key] = a
	return a, nil
}

// artifacts returns every artifact, sorted by key.
func (b *bundler) artifacts() []Artifact {
	out := make([]Artifact, 0, len(b.byKey))
	for _, a := range b.byKey {
		out = append(out, a)
	}
	slices.SortFunc(out, func(x, y Artifact) int { return strings.Compare(x.Key, y.Key) })
	return out
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
