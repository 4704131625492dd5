package compiler

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/smpipe/smpipe-action/compiler/diag"
)

const (
	// DefaultGlob finds model confs when neither --glob nor the framework
	// conf's modelConfigFilePath says otherwise.
	DefaultGlob = "**/conf/*.yaml"
	// DefaultFrameworkConf is where the framework conf lives.
	DefaultFrameworkConf = "framework/conf/conf.yaml"
)

// Directories never searched for conf files.
func skipDir(name string) bool {
	return name == ".git" || name == "node_modules" || name == "__pycache__" || name == ".venv"
}

// discover lists the conf files matching glob under the repository, sorted,
// excluding the framework conf. Symbolic links to directories are not
// followed. The error is ctx's, checked at every entry.
func discover(ctx context.Context, fsys fs.FS, glob, framework string, ds *diag.Diagnostics) ([]string, error) {
	return discoverEach(ctx, fsys, glob, framework, ds, nil)
}

// discoverEach is discover that also hands each conf file to found as soon
// as the walk meets it, so decoding can start while the walk goes on.
func discoverEach(ctx context.Context, fsys fs.FS, glob, framework string, ds *diag.Diagnostics, found func(string)) ([]string, error) {
	glob = strings.TrimPrefix(path.Clean("/"+strings.TrimPrefix(glob, "./")), "/")
	if !doublestar.ValidatePattern(glob) {
		ds.Errorf(diag.Pos{}, "glob", "invalid conf glob %q", glob)
		return nil, nil
	}
	var files []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		if err != nil {
			return nil // unreadable corners of the tree are not conf files
		}
		if d.IsDir() {
			if p != "." && skipDir(d.Name()) {
				return fs.SkipDir
			}
			return nil
		}
		if p == framework {
			return nil
		}
		if ok, _ := doublestar.Match(glob, p); ok {
			files = append(files, p)
			if found != nil {
				found(p)
			}
		}
		return nil
	})
	if cerr := ctx.Err(); cerr != nil {
		return nil, fmt.Errorf("listing conf files: %w", cerr)
	}
	if err != nil {
		ds.Errorf(diag.Pos{}, "discover", "listing conf files: %v", err)
	}
	return files, nil // WalkDir visits in lexical order
}
