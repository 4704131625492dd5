package gitrev

import (
	"fmt"
	"io/fs"
	"runtime"
	"sync"
	"testing"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/storer"

	generated "github.com/smpipe/smpipe-action/internal/monorepo"
)

// monorepo commits a 1,000-pipeline repository: three small files per model
// (3,000 files) plus the framework conf. With packed set, the objects are
// moved into one packfile as in a fresh clone; otherwise they stay loose as
// after local commits.
func monorepo(b *testing.B, packed bool) (dir, sha string) {
	b.Helper()
	f := newFixture(b)
	f.write("framework/conf/conf.yaml", "conf:\n  s3Bucket: bucket\n")
	for i := range 1000 {
		m := fmt.Sprintf("models/m%04d", i)
		f.write(m+"/conf/conf.yaml", fmt.Sprintf("m%04d:\n  sagemakerPipeline:\n    pipelineName: p%04d\n  training:\n    instance_type: ml.m5.large\n", i, i))
		f.write(m+"/src/train.py", fmt.Sprintf("print('train %d')\n", i))
		f.write(m+"/src/requirements.txt", "numpy\n")
	}
	sha = f.commit("monorepo")
	if packed {
		if err := f.repo.RepackObjects(&git.RepackConfig{}); err != nil {
			b.Fatal(err)
		}
		los := f.repo.Storer.(storer.LooseObjectStorer)
		var loose []plumbing.Hash
		if err := los.ForEachObjectHash(func(h plumbing.Hash) error { loose = append(loose, h); return nil }); err != nil {
			b.Fatal(err)
		}
		for _, h := range loose {
			if err := los.DeleteLooseObject(h); err != nil {
				b.Fatal(err)
			}
		}
	}
	return f.dir, sha
}

// walkRead visits every entry and reads every regular file, as discovery
// plus loading does for a plan.
func walkRead(b *testing.B, fsys fs.FS) int {
	files := 0
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		if _, err := fs.ReadFile(fsys, name); err != nil {
			return err
		}
		files++
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return files
}

// BenchmarkTreeFS_walkRead measures a walk and read of the whole 3,000-file
// tree: "cold" opens the repository each time (what one plan run pays),
// "warm" reuses it (decoded trees cached).
func BenchmarkTreeFS_walkRead(b *testing.B) {
	for _, packed := range []bool{false, true} {
		storage := "loose"
		if packed {
			storage = "packed"
		}
		b.Run(storage, func(b *testing.B) {
			dir, sha := monorepo(b, packed)
			b.Run("cold", func(b *testing.B) {
				for b.Loop() {
					r, err := Open(dir)
					if err != nil {
						b.Fatal(err)
					}
					fsys, err := r.TreeFS(sha)
					if err != nil {
						b.Fatal(err)
					}
					if n := walkRead(b, fsys); n != 3001 {
						b.Fatalf("read %d files, want 3001", n)
					}
					if err := r.Close(); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("warm", func(b *testing.B) {
				r, err := Open(dir)
				if err != nil {
					b.Fatal(err)
				}
				defer r.Close()
				for b.Loop() {
					fsys, err := r.TreeFS(sha)
					if err != nil {
						b.Fatal(err)
					}
					walkRead(b, fsys)
				}
			})
		})
	}
}

// BenchmarkWorktreeChanges compares the 3,000-file tree with its working
// tree after editing ten files: every file is hashed, as `smpipe plan`
// without --head pays it.
func BenchmarkWorktreeChanges(b *testing.B) {
	dir, sha := monorepo(b, true)
	f := &fixture{t: b, dir: dir}
	for i := range 10 {
		f.write(fmt.Sprintf("models/m%04d/src/train.py", i*100), "print('edited')\n")
	}
	r, err := Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	for b.Loop() {
		changes, err := r.WorktreeChanges(sha, ".")
		if err != nil {
			b.Fatal(err)
		}
		if len(changes) != 10 {
			b.Fatalf("%d changes, want 10", len(changes))
		}
	}
}

// BenchmarkTreeWalk walks a generated 1,000-pipeline repository
// (internal/monorepo, packed as after a clone) from a freshly opened Repo,
// listing every directory and reading every file, as a plan's first pass
// over a revision does. "go-git" reads every object through go-git, as
// before internal/gitobj; "store" through the object store. "parallel"
// splits the top-level directories over GOMAXPROCS goroutines, as the
// compiler's index does: with go-git the mutex keeps them waiting.
func BenchmarkTreeWalk(b *testing.B) {
	dir := b.TempDir()
	if err := generated.Write(dir, "../"+generated.Example, 1000); err != nil {
		b.Fatal(err)
	}
	sha, err := generated.Commit(dir, "base")
	if err != nil {
		b.Fatal(err)
	}
	for _, reader := range []string{"go-git", "store"} {
		for _, parallel := range []bool{false, true} {
			name := reader
			if parallel {
				name += "/parallel"
			}
			b.Run(name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					r, err := Open(dir)
					if err != nil {
						b.Fatal(err)
					}
					if reader == "go-git" {
						r.objects.Close()
						r.objects = nil
					}
					fsys, err := r.TreeFS(sha)
					if err != nil {
						b.Fatal(err)
					}
					walkAll(b, fsys, parallel)
					if err := r.Close(); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// walkAll reads every file of fsys, the top-level directories shared out
// over GOMAXPROCS goroutines when parallel is set.
func walkAll(b *testing.B, fsys fs.FS, parallel bool) {
	top, err := fs.ReadDir(fsys, ".")
	if err != nil {
		b.Fatal(err)
	}
	workers := 1
	if parallel {
		workers = runtime.GOMAXPROCS(0)
	}
	todo := make(chan string)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for d := range todo {
				sub, err := fs.Sub(fsys, d)
				if err != nil {
					b.Error(err)
					continue
				}
				walkRead(b, sub)
			}
		})
	}
	for _, e := range top {
		todo <- e.Name()
	}
	close(todo)
	wg.Wait()
}
