package action

import (
	"fmt"
	"os"

	"github.com/smpipe/smpipe-action/internal/workspace"
)

// deployFiles is what a deploy reads and writes on the runner: the compile
// root, root-confined (conf files, data files), and a directory for the
// artifacts it builds and uploads.
type deployFiles struct {
	root      *workspace.Root
	artifacts string
}

// openDeployFiles opens the working directory inside the workspace, so a
// working directory that is, or passes through, a link out of the
// checkout is refused as any other path would be.
func (r *runner) openDeployFiles() (*deployFiles, error) {
	root, err := workspace.OpenIn(r.ws, r.in.WorkingDirectory)
	if err != nil {
		return nil, fmt.Errorf("input working-directory: %w", err)
	}
	dir, err := os.MkdirTemp("", "smpipe-artifacts-")
	if err != nil {
		root.Close()
		return nil, fmt.Errorf("creating a directory for built artifacts: %w", err)
	}
	return &deployFiles{root: root, artifacts: dir}, nil
}

// Close removes the built artifacts and releases the root.
func (f *deployFiles) Close() {
	os.RemoveAll(f.artifacts)
	f.root.Close()
}
