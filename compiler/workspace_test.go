package compiler

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/smpipe/smpipe-action/compiler/diag"
	"github.com/smpipe/smpipe-action/gitrev"
	"github.com/smpipe/smpipe-action/internal/testrepo"
)

// jailConf is a model conf whose source_directory and one local data file
// a case chooses: source_directory is at 4:25, fileName at 12:27.
func jailConf(sourceDir, fileName string) string {
	return `conf:
  models:
    m:
      source_directory: ` + sourceDir + `
      prep:
        image_uri: img
        entry_point: prep.py
        channels:
          train:
            dataFiles:
              - sourceName: raw
                fileName: ` + fileName + `
  sagemakerPipeline:
    pipelineName: jail
    models:
      m:
        steps:
          - {step_name: prep, step_class: Processing, step_type: prep}
`
}

// hostileTree is a repository as a pull request could write it. Files map
// a slash path to its content, or to "symlink:<target>" for a link.
type hostileTree struct {
	files map[string]string
	fifo  string // a named pipe; git cannot hold one, so disk only
}

func (h hostileTree) write(t *testing.T, dir string) {
	t.Helper()
	files := map[string]string{
		"framework/conf/conf.yaml": testFrameworkConf,
		"src/prep.py":              "print('prep')\n",
	}
	for p, body := range h.files {
		files[p] = body
	}
	for p, body := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		var err error
		if target, ok := strings.CutPrefix(body, "symlink:"); ok {
			err = os.Symlink(target, full)
		} else {
			err = os.WriteFile(full, []byte(body), 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

const testFrameworkConf = "conf:\n  s3Bucket: b\n  sagemakerNetworkSecurity:\n    role: arn:aws:iam::123456789012:role/r\n"

// TestCompile_hostileTrees runs trees that try to read outside the
// repository, or to hang or exhaust the compiler, through the
// root-confined file system of a checkout AND through the same tree
// committed to git: both must give exactly these diagnostics. Each case
// compiled without errors through os.DirFS, or never returned.
func TestCompile_hostileTrees(t *testing.T) {
	const f = "m/conf/conf.yaml"
	tests := []struct {
		name string
		tree hostileTree
		opt  Options
		want []string
	}{
		{
			name: "data file through a middle-component link to /",
			tree: hostileTree{files: map[string]string{f: jailConf("src", "../escape/proc/self/environ"), "escape": "symlink:/"}},
			want: []string{`m/conf/conf.yaml:12:27: error: fileName "../escape/proc/self/environ" leads outside the repository through a symbolic link; smpipe reads only files inside the repository`},
		},
		{
			name: "source_directory through a middle-component link to /",
			tree: hostileTree{files: map[string]string{f: jailConf("escape/tmp", "s3://b/raw.csv"), "escape": "symlink:/"}},
			want: []string{`m/conf/conf.yaml:4:25: error: source_directory "escape/tmp" leads outside the repository through a symbolic link; smpipe reads only files inside the repository`},
		},
		{
			name: "data file that is an absolute link",
			tree: hostileTree{files: map[string]string{f: jailConf("src", "raw.csv"), "src/raw.csv": "symlink:/etc/hostname"}},
			want: []string{
				`m/conf/conf.yaml:4:25: error: bundling source_directory "src": symlink "src/raw.csv" -> "/etc/hostname" escapes the repository`,
				`m/conf/conf.yaml:12:27: error: fileName "raw.csv" leads outside the repository through a symbolic link; smpipe reads only files inside the repository`,
			},
		},
		{
			name: "bundled file linking to /dev/zero",
			tree: hostileTree{files: map[string]string{f: jailConf("src", "s3://b/raw.csv"), "src/zero": "symlink:/dev/zero"}},
			want: []string{`m/conf/conf.yaml:4:25: error: bundling source_directory "src": symlink "src/zero" -> "/dev/zero" escapes the repository`},
		},
		{
			name: "conf file linking to /dev/zero",
			tree: hostileTree{files: map[string]string{f: jailConf("src", "s3://b/raw.csv"), "m/conf/zero.yaml": "symlink:/dev/zero"}},
			want: []string{`m/conf/zero.yaml: error: conf file leads outside the repository through a symbolic link; smpipe reads only files inside the repository`},
		},
		{
			name: "conf file over 1 MiB",
			tree: hostileTree{files: map[string]string{f: jailConf("src", "s3://b/raw.csv"), "m/conf/big.yaml": "conf: {}\n#" + strings.Repeat("x", 2<<20)}},
			want: []string{`m/conf/big.yaml:1:1: error: conf file is 2.0 MiB, larger than the 1.0 MiB smpipe reads`},
		},
		{
			name: "data file over the limit",
			tree: hostileTree{files: map[string]string{f: jailConf("src", "../data/raw.csv"), "data/raw.csv": strings.Repeat("1,2\n", 1024)}},
			opt:  Options{MaxFileSize: 2 << 10},
			want: []string{`m/conf/conf.yaml:12:27: error: fileName "../data/raw.csv" is 4.0 KiB, over the 2.0 KiB limit on files smpipe reads; upload it to S3 and give its s3:// URI as fileName, or raise the limit with --max-file-size (action input max-file-size)`},
		},
		{
			name: "bundled file over the limit",
			tree: hostileTree{files: map[string]string{f: jailConf("src", "s3://b/raw.csv"), "src/model.bin": strings.Repeat("w", 4<<10)}},
			opt:  Options{MaxFileSize: 2 << 10},
			want: []string{`m/conf/conf.yaml:4:25: error: bundling source_directory "src": "src/model.bin" is 4.0 KiB, over the 2.0 KiB limit on files smpipe reads; move it out of source_directory (to S3) or raise the limit with --max-file-size (action input max-file-size)`},
		},
		{
			name: "conf file in a loop of links",
			tree: hostileTree{files: map[string]string{f: jailConf("src", "s3://b/raw.csv"), "m/conf/loop.yaml": "symlink:loop.yaml"}},
			want: []string{`m/conf/loop.yaml: error: conf file goes through more than 8 symbolic links (a loop?)`},
		},
		{
			name: "data file under a directory loop",
			tree: hostileTree{files: map[string]string{f: jailConf("src", "../a/raw.csv"), "a": "symlink:b", "b": "symlink:a"}},
			want: []string{`m/conf/conf.yaml:12:27: error: fileName "../a/raw.csv" goes through more than 8 symbolic links (a loop?)`},
		},
		{
			name: "bundled file in a loop of links",
			tree: hostileTree{files: map[string]string{f: jailConf("src", "s3://b/raw.csv"), "src/x": "symlink:y", "src/y": "symlink:x"}},
			want: []string{`m/conf/conf.yaml:4:25: error: bundling source_directory "src": "src/y" goes through more than 8 symbolic links (a loop?)`},
		},
		{
			name: "conf file that is a named pipe",
			tree: hostileTree{files: map[string]string{f: jailConf("src", "s3://b/raw.csv")}, fifo: "m/conf/pipe.yaml"},
			want: []string{`m/conf/pipe.yaml: error: conf file is not a regular file (a named pipe, socket, device or directory); smpipe reads only regular files`},
		},
		{
			name: "named pipe in source_directory is left out",
			tree: hostileTree{files: map[string]string{f: jailConf("src", "s3://b/raw.csv")}, fifo: "src/pipe"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			tt.tree.write(t, dir)
			opt := tt.opt
			opt.Getenv = noEnv

			if tt.tree.fifo == "" {
				got := diagStrings(compileGit(t, dir, opt))
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("from git objects (-want +got):\n%s", diff)
				}
			} else if err := syscall.Mkfifo(filepath.Join(dir, filepath.FromSlash(tt.tree.fifo)), 0o644); err != nil {
				t.Skipf("no named pipes here: %v", err)
			}
			_, ds := mustCompile(t, openRepo(t, dir), opt)
			if diff := cmp.Diff(tt.want, diagStrings(ds)); diff != "" {
				t.Errorf("from the checkout (-want +got):\n%s", diff)
			}
		})
	}
}

// compileGit commits dir and compiles the commit from git objects, as plan
// and the deploy of a push do.
func compileGit(t *testing.T, dir string, opt Options) diag.Diagnostics {
	t.Helper()
	sha := testrepo.Commit(t, dir, "hostile")
	repo, err := gitrev.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer repo.Close()
	tree, err := repo.TreeFS(sha)
	if err != nil {
		t.Fatal(err)
	}
	_, ds := mustCompile(t, tree, opt)
	return ds
}

func diagStrings(ds diag.Diagnostics) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.String())
	}
	return out
}

// TestCompile_bundlesStreamed: a bundle streamed file by file, in chunks,
// into the artifact directory has the bytes (and so the hash) of the same
// archive written in one piece, as bundles were before; a file several
// flate blocks long exercises the chunking.
func TestCompile_bundlesStreamed(t *testing.T) {
	dir := t.TempDir()
	rnd := rand.New(rand.NewPCG(1, 2))
	noise := make([]byte, 300<<10)
	for i := range noise {
		noise[i] = byte(rnd.Uint32())
	}
	files := map[string][]byte{
		"prep.py":          []byte("print('prep')\n"),
		"weights/a.bin":    noise,
		"weights/text.txt": bytes.Repeat([]byte("compressible line\n"), 40_000),
	}
	hostileTree{files: map[string]string{"m/conf/conf.yaml": jailConf("src", "s3://b/raw.csv")}}.write(t, dir)
	for name, body := range files {
		p := filepath.Join(dir, "src", filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	artifacts := t.TempDir()
	res, ds := mustCompile(t, openRepo(t, dir), Options{Getenv: noEnv, ArtifactDir: artifacts})
	if len(ds) > 0 {
		t.Fatal(ds)
	}

	var want bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&want, gzip.NoCompression)
	tw := tar.NewWriter(zw)
	for _, name := range []string{"prep.py", "weights/a.bin", "weights/text.txt"} {
		_ = tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(files[name])), Typeflag: tar.TypeReg, Format: tar.FormatPAX})
		_, _ = tw.Write(files[name])
	}
	_ = tw.Close()
	_ = zw.Close()
	sum := sha256.Sum256(want.Bytes())

	var found bool
	for _, a := range res.Plans[0].Artifacts {
		if a.File == "" || !filepath.IsAbs(a.File) || filepath.Dir(a.File) != artifacts {
			t.Errorf("%s: File = %q, want a file in the artifact directory", a.Key, a.File)
			continue
		}
		got, err := os.ReadFile(a.File)
		if err != nil {
			t.Fatal(err)
		}
		if h := sha256.Sum256(got); hex.EncodeToString(h[:]) != a.SHA256 || int64(len(got)) != a.Size || filepath.Base(a.File) != a.SHA256+"-"+filepath.Base(a.Key) {
			t.Errorf("%s: the file %s is not the artifact hashed", a.Key, a.File)
		}
		if a.Kind == "sourcedir" {
			found = true
			if !bytes.Equal(got, want.Bytes()) || a.SHA256 != hex.EncodeToString(sum[:]) {
				t.Errorf("streamed bundle (%d bytes) differs from the archive written in one piece (%d bytes)", len(got), want.Len())
			}
		}
	}
	if !found {
		t.Fatal("no sourcedir bundle built")
	}

	// Without an artifact directory the bundle is only hashed: same hash.
	hashed, _ := mustCompile(t, openRepo(t, dir), Options{Getenv: noEnv})
	for i, a := range hashed.Plans[0].Artifacts {
		if a.File != "" || a.SHA256 != res.Plans[0].Artifacts[i].SHA256 {
			t.Errorf("%s: hashing alone gave File %q, sha256 %s", a.Key, a.File, a.SHA256)
		}
	}
}

// TestCompile_cancelled: a cancelled run stops and says so, as an error,
// not as diagnostics about the repository.
func TestCompile_cancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, ds, err := Compile(ctx, openRepo(t, exampleRepos(t)[0]), Options{Getenv: noEnv})
	if !errors.Is(err, context.Canceled) || res != nil || ds != nil {
		t.Fatalf("Compile = %v, %v, %v; want context.Canceled alone", res, ds, err)
	}
}

// TestBuild_cancelledWhileBundling: cancelling while bundles are read stops
// the build with the context's error.
func TestBuild_cancelledWhileBundling(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	repo, err := Load(ctx, openRepo(t, exampleRepos(t)[0]), Options{Getenv: noEnv})
	if err != nil {
		t.Fatal(err)
	}
	cancel() // after loading, before any bundle
	_, _, err = repo.Build(ctx, repo.Select(nil))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Build = %v, want context.Canceled", err)
	}
}

// TestCompile_artifactDirUnwritable: failing to write an artifact is the
// run's error, never a diagnostic blamed on the repository.
func TestCompile_artifactDirUnwritable(t *testing.T) {
	_, ds, err := Compile(context.Background(), openRepo(t, exampleRepos(t)[0]),
		Options{Getenv: noEnv, ArtifactDir: filepath.Join(t.TempDir(), "missing")})
	if !errors.Is(err, fs.ErrNotExist) || ds != nil {
		t.Fatalf("Compile = %v, %v; want the artifact directory's error alone", ds, err)
	}
}
