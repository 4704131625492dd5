//go:build !linux

package workspace

import (
	"io/fs"
	"os"
)

// fastPath is Linux's openat2 shortcut; elsewhere every call goes to
// os.Root.
type fastPath struct{}

func newFastPath(*os.Root) fastPath { return fastPath{} }

func (fastPath) close() {}

func (fastPath) open(string) (*os.File, fs.FileInfo, bool) { return nil, nil, false }

func (fastPath) stat(string, bool) (fs.FileInfo, bool) { return nil, false }

func (fastPath) readDir(string) ([]fs.DirEntry, bool) { return nil, false }
