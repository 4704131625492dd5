package monorepo

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/packfile"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/go-git/go-git/v5/storage/memory"
)

// Commit records the whole tree under dir (but .git) as a commit on branch
// main of the git repository there, created on first use, and returns its
// SHA. The new objects go into one packfile, as a clone or a fetch leaves
// them; the author and time are fixed, so the same trees give the same
// commits. Going through a worktree and an index, as git add does, would
// take minutes at 10,000 pipelines.
func Commit(dir, msg string) (string, error) {
	repo, err := git.PlainOpen(dir)
	if errors.Is(err, git.ErrRepositoryNotExists) {
		repo, err = git.PlainInitWithOptions(dir, &git.PlainInitOptions{
			InitOptions: git.InitOptions{DefaultBranch: plumbing.NewBranchReferenceName("main")}})
	}
	if err != nil {
		return "", fmt.Errorf("opening the repository at %s: %w", dir, err)
	}
	w := &objectWriter{repo: repo.Storer, mem: memory.NewStorage()}
	tree, err := w.tree(dir, true)
	if err != nil {
		return "", err
	}
	sig := object.Signature{Name: "smpipe monorepo", Email: "monorepo@smpipe.invalid", When: time.Unix(1_700_000_000, 0).UTC()}
	c := &object.Commit{Author: sig, Committer: sig, Message: msg, TreeHash: tree}
	branch := plumbing.NewBranchReferenceName("main")
	if ref, err := repo.Storer.Reference(branch); err == nil {
		c.ParentHashes = []plumbing.Hash{ref.Hash()}
		sig.When = sig.When.Add(time.Minute) // distinct from its parent's
	}
	commit, err := w.put(c)
	if err != nil {
		return "", err
	}
	if err := w.pack(); err != nil {
		return "", err
	}
	if err := repo.Storer.SetReference(plumbing.NewHashReference(branch, commit)); err != nil {
		return "", err
	}
	if err := repo.Storer.SetReference(plumbing.NewSymbolicReference(plumbing.HEAD, branch)); err != nil {
		return "", err
	}
	return commit.String(), nil
}

// objectWriter collects the objects the repository lacks in memory, then
// writes them as one packfile.
type objectWriter struct {
	repo storer.EncodedObjectStorer
	mem  *memory.Storage
	new  []plumbing.Hash
}

type encoder interface {
	Encode(plumbing.EncodedObject) error
}

func (w *objectWriter) put(o encoder) (plumbing.Hash, error) {
	obj := w.mem.NewEncodedObject()
	if err := o.Encode(obj); err != nil {
		return plumbing.ZeroHash, err
	}
	return w.store(obj)
}

func (w *objectWriter) blob(data []byte) (plumbing.Hash, error) {
	obj := w.mem.NewEncodedObject()
	obj.SetType(plumbing.BlobObject)
	obj.SetSize(int64(len(data)))
	wr, err := obj.Writer()
	if err != nil {
		return plumbing.ZeroHash, err
	}
	if _, err := wr.Write(data); err != nil {
		return plumbing.ZeroHash, err
	}
	if err := wr.Close(); err != nil {
		return plumbing.ZeroHash, err
	}
	return w.store(obj)
}

// store keeps obj for the packfile unless the repository or the packfile
// has it already.
func (w *objectWriter) store(obj plumbing.EncodedObject) (plumbing.Hash, error) {
	h := obj.Hash()
	if w.repo.HasEncodedObject(h) == nil || w.mem.HasEncodedObject(h) == nil {
		return h, nil
	}
	if _, err := w.mem.SetEncodedObject(obj); err != nil {
		return plumbing.ZeroHash, err
	}
	w.new = append(w.new, h)
	return h, nil
}

// tree records the directory dir and returns its tree's hash.
func (w *objectWriter) tree(dir string, root bool) (plumbing.Hash, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	t := &object.Tree{}
	for _, e := range entries {
		if root && e.Name() == ".git" {
			continue
		}
		p := filepath.Join(dir, e.Name())
		var h plumbing.Hash
		var mode filemode.FileMode
		switch {
		case e.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return plumbing.ZeroHash, err
			}
			h, err = w.blob([]byte(filepath.ToSlash(target)))
			if err != nil {
				return plumbing.ZeroHash, err
			}
			mode = filemode.Symlink
		case e.IsDir():
			if h, err = w.tree(p, false); err != nil {
				return plumbing.ZeroHash, err
			}
			if h == plumbing.ZeroHash {
				continue // git keeps no empty directories
			}
			mode = filemode.Dir
		case e.Type().IsRegular():
			data, err := os.ReadFile(p)
			if err != nil {
				return plumbing.ZeroHash, err
			}
			if h, err = w.blob(data); err != nil {
				return plumbing.ZeroHash, err
			}
			mode = filemode.Regular
			if info, err := e.Info(); err == nil && info.Mode().Perm()&0o100 != 0 {
				mode = filemode.Executable
			}
		default:
			continue
		}
		t.Entries = append(t.Entries, object.TreeEntry{Name: e.Name(), Mode: mode, Hash: h})
	}
	if len(t.Entries) == 0 && !root {
		return plumbing.ZeroHash, nil
	}
	// Git orders a directory as if its name ended in "/".
	key := func(e object.TreeEntry) string {
		if e.Mode == filemode.Dir {
			return e.Name + "/"
		}
		return e.Name
	}
	sort.Slice(t.Entries, func(i, j int) bool { return key(t.Entries[i]) < key(t.Entries[j]) })
	return w.put(t)
}

// pack writes the new objects to the repository as one packfile.
func (w *objectWriter) pack() error {
	if len(w.new) == 0 {
		return nil
	}
	pw, ok := w.repo.(storer.PackfileWriter)
	if !ok {
		return errors.New("the repository's storage cannot take a packfile")
	}
	out, err := pw.PackfileWriter()
	if err != nil {
		return err
	}
	if _, err := packfile.NewEncoder(out, w.mem, false).Encode(w.new, 10); err != nil {
		out.Close()
		return fmt.Errorf("writing the packfile: %w", err)
	}
	return out.Close()
}
