package compiler

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
)

// Artifact is one object the deploy uploads before upserting a pipeline.
// Keys are content-addressed, so an unchanged artifact keeps its key and the
// upload is skipped.
type Artifact struct {
	Bucket string
	Key    string
	SHA256 string // hex of the content
	Kind   string // "sourcedir", "runproc", "repack", "data"
	// Body holds bytes built at compile time (bundles and scripts), so the
	// deploy uploads exactly what was hashed.
	Body []byte
	// Path is set instead of Body for local data files: the slash path,
	// relative to the repository root, that the deploy reads and uploads.
	Path string
	Size int64
}

// URI is the artifact's s3:// URI.
func (a Artifact) URI() string { return "s3://" + a.Bucket + "/" + a.Key }

//go:embed scripts/repack.py
var repackScript []byte

const repackScriptName = "_smpipe_repack.py"

// Files never bundled: version control, caches and editor litter.
func skipBundleEntry(name string) bool {
	return name == ".git" || name == "__pycache__" || name == ".DS_Store" || strings.HasSuffix(name, ".pyc")
}

// bundleFile is one regular file of a bundle.
type bundleFile struct {
	name string // slash path inside the archive
	mode int64
	data []byte
}

// errEscapes marks a symlink that leaves the repository.
var errEscapes = errors.New("escapes the repository")

// collectDir reads every file under dir (a clean slash path relative to the
// repository root), following symlinks that stay inside the repository.
// Entries are returned in sorted order.
func collectDir(fsys fs.FS, dir, prefix string, out []bundleFile, depth int) ([]bundleFile, error) {
	if depth > 32 {
		return out, fmt.Errorf("%s: directories nested too deep (a symlink loop?)", dir)
	}
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return out, err
	}
	for _, e := range entries { // fs.ReadDir sorts by name
		if skipBundleEntry(e.Name()) {
			continue
		}
		full := path.Join(dir, e.Name())
		name := path.Join(prefix, e.Name())
		target, info, err := resolveEntry(fsys, full)
		if err != nil {
			return out, err
		}
		if info.IsDir() {
			if out, err = collectDir(fsys, target, name, out, depth+1); err != nil {
				return out, err
			}
			continue
		}
		if !info.Mode().IsRegular() {
			continue // sockets, devices: nothing to ship
		}
		data, err := fs.ReadFile(fsys, target)
		if err != nil {
			return out, err
		}
		mode := int64(0o644)
		if info.Mode().Perm()&0o111 != 0 {
			mode = 0o755
		}
		out = append(out, bundleFile{name: name, mode: mode, data: data})
	}
	return out, nil
}

// resolveEntry follows symlinks at p, refusing any that leave the tree.
func resolveEntry(fsys fs.FS, p string) (string, fs.FileInfo, error) {
	for hops := 0; hops < 40; hops++ {
		info, err := lstat(fsys, p)
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
			return p, nil, fmt.Errorf("symlink %s -> %s %w", p, target, errEscapes)
		}
		p = next
	}
	return p, nil, fmt.Errorf("symlink %s: too many levels of links", p)
}

func lstat(fsys fs.FS, p string) (fs.FileInfo, error) {
	if _, ok := fsys.(fs.ReadLinkFS); ok {
		return fs.Lstat(fsys, p)
	}
	return fs.Stat(fsys, p)
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

// archiver builds reproducible tar.gz bundles. It keeps one gzip writer for
// a whole compile: a flate compressor costs about a megabyte to set up.
type archiver struct {
	zw  *gzip.Writer
	buf bytes.Buffer
}

// tarGz builds a reproducible gzip'd tar: sorted entries, zero times and
// owners, fixed modes, no gzip name or mtime. Same files, same bytes.
func (ar *archiver) tarGz(files []bundleFile) []byte {
	ar.buf.Reset()
	if ar.zw == nil {
		ar.zw, _ = gzip.NewWriterLevel(&ar.buf, gzip.BestSpeed)
	} else {
		ar.zw.Reset(&ar.buf)
	}
	zw := ar.zw
	tw := tar.NewWriter(zw)
	for _, f := range files {
		_ = tw.WriteHeader(&tar.Header{
			Name:     f.name,
			Mode:     f.mode,
			Size:     int64(len(f.data)),
			Typeflag: tar.TypeReg,
			Format:   tar.FormatPAX,
		})
		_, _ = tw.Write(f.data)
	}
	_ = tw.Close()
	_ = zw.Close()
	return bytes.Clone(ar.buf.Bytes())
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// bundler builds and caches code bundles for one pipeline.
type bundler struct {
	ar       *archiver
	fsys     fs.FS
	bucket   string
	pipeline string
	dirs     map[string]dirResult
	bundles  map[string]Artifact // sourcedir bundle by directory
	byKey    map[string]Artifact
}

type dirResult struct {
	files []bundleFile
	err   error
}

func newBundler(ar *archiver, fsys fs.FS, bucket, pipeline string) *bundler {
	return &bundler{ar: ar, fsys: fsys, bucket: bucket, pipeline: pipeline, dirs: map[string]dirResult{}, bundles: map[string]Artifact{}, byKey: map[string]Artifact{}}
}

func (b *bundler) files(dir string) ([]bundleFile, error) {
	if r, ok := b.dirs[dir]; ok {
		return r.files, r.err
	}
	files, err := collectDir(b.fsys, dir, "", nil, 0)
	b.dirs[dir] = dirResult{files, err}
	return files, err
}

// add records an artifact built from body and returns it.
func (b *bundler) add(kind, name string, body []byte) Artifact {
	sum := sha256Hex(body)
	a := Artifact{Bucket: b.bucket, Key: b.pipeline + "/code/" + sum + "/" + name, SHA256: sum, Kind: kind, Body: body, Size: int64(len(body))}
	b.byKey[a.Key] = a
	return a
}

// sourceDir bundles a directory as sourcedir.tar.gz.
func (b *bundler) sourceDir(dir string) (Artifact, error) {
	if a, ok := b.bundles[dir]; ok {
		return a, nil
	}
	files, err := b.files(dir)
	if err != nil {
		return Artifact{}, err
	}
	a := b.add("sourcedir", "sourcedir.tar.gz", b.ar.tarGz(files))
	b.bundles[dir] = a
	return a, nil
}

// repackBundle bundles the repack script with the model's code under code/.
func (b *bundler) repackBundle(dir string) (Artifact, error) {
	files, err := b.files(dir)
	if err != nil {
		return Artifact{}, err
	}
	all := make([]bundleFile, 0, len(files)+1)
	all = append(all, bundleFile{name: repackScriptName, mode: 0o644, data: repackScript})
	for _, f := range files {
		all = append(all, bundleFile{name: "code/" + f.name, mode: f.mode, data: f.data})
	}
	return b.add("repack", "sourcedir.tar.gz", b.ar.tarGz(all)), nil
}

// runproc returns the bootstrap script a processing job runs: unpack the
// bundle, install requirements, run the entry point as a module. Arguments
// are single-quoted; entry points are validated before this is called.
func (b *bundler) runproc(module, entryPoint string) Artifact {
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
	return b.add("runproc", "runproc.sh", []byte(script))
}

// dataFile registers a local data file, hashed now and uploaded by deploy.
func (b *bundler) dataFile(p string) (Artifact, error) {
	data, err := fs.ReadFile(b.fsys, p)
	if err != nil {
		return Artifact{}, err
	}
	sum := sha256Hex(data)
	a := Artifact{Bucket: b.bucket, Key: b.pipeline + "/data/" + sum + "/" + path.Base(p), SHA256: sum, Kind: "data", Path: p, Size: int64(len(data))}
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
