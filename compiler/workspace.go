package compiler

import (
	"errors"
	"fmt"
	"io/fs"
	"syscall"

	"github.com/smpipe/smpipe-action/compiler/diag"
	"github.com/smpipe/smpipe-action/internal/workspace"
)

// Advice for a file over the size limit.
const (
	raiseLimit = "or raise the limit with --max-file-size (action input max-file-size)"
	dataAdvice = "upload it to S3 and give its s3:// URI as fileName, " + raiseLimit
)

// readConf reads a conf file within workspace.MaxConfSize. A problem is
// reported on the file with code (a missing file only when reportMissing).
func readConf(fsys fs.FS, p, subject, code string, reportMissing bool, ds *diag.Diagnostics) ([]byte, bool) {
	src, err := workspace.ReadFile(fsys, p, workspace.MaxConfSize)
	if err == nil {
		return src, true
	}
	var tl *workspace.TooLargeError
	switch {
	case errors.As(err, &tl):
		ds.Errorf(diag.Pos{File: p, Line: 1, Col: 1}, "file-too-large", "conf file is %s, larger than the %s smpipe reads",
			workspace.HumanSize(tl.Size), workspace.HumanSize(tl.Limit))
	case reportMissing || !notExist(err):
		ds.Errorf(diag.Pos{File: p}, code, "%s %s", subject, fileProblem(err))
	}
	return nil, false
}

// fileProblem says why a file could not be read in words that depend only
// on the kind of failure, never on the file system it was read through, so
// that a checkout and a git revision of the same tree give the same
// diagnostics.
func fileProblem(err error) string {
	var tl *workspace.TooLargeError
	switch {
	case errors.As(err, &tl):
		return fmt.Sprintf("is %s, over the %s limit on files smpipe reads", workspace.HumanSize(tl.Size), workspace.HumanSize(tl.Limit))
	case errors.Is(err, workspace.ErrEscapes):
		return "leads outside the repository through a symbolic link; smpipe reads only files inside the repository"
	case errors.Is(err, workspace.ErrLoop):
		return fmt.Sprintf("goes through more than %d symbolic links (a loop?)", workspace.MaxSymlinks)
	case errors.Is(err, workspace.ErrNotRegular):
		return "is not a regular file (a named pipe, socket, device or directory); smpipe reads only regular files"
	case errors.Is(err, workspace.ErrChanged):
		return "changed while smpipe read it"
	case notExist(err):
		return "does not exist"
	}
	return "cannot be read: " + unwrapPathError(err).Error()
}

// confinement reports whether err is one of the reasons workspace refuses
// a path that exists: those get their own diagnostic rather than "not
// found".
func confinement(err error) bool {
	return errors.Is(err, workspace.ErrEscapes) || errors.Is(err, workspace.ErrLoop) ||
		errors.Is(err, workspace.ErrNotRegular) || errors.As(err, new(*workspace.TooLargeError))
}

// pathError names the repository path a failure is about (for a file in a
// bundle), then the problem.
func pathError(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) && (confinement(err) || errors.Is(err, workspace.ErrChanged)) {
		return fmt.Sprintf("%q %s", pe.Path, fileProblem(err))
	}
	return err.Error()
}

func notExist(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}

func unwrapPathError(err error) error {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Err
	}
	return err
}

// refused reports, at the conf value that named it, a path the repository
// rules refuse although it exists: a symbolic link out of the repository or
// in a loop, a file that is not regular or over the size limit. advice says
// what to do about a file over the limit. Other errors are left to the
// caller, which words "not found" for its key.
func (b *builder) refused(at diag.Pos, key, value string, err error, advice string) bool {
	if err == nil || !confinement(err) {
		return false
	}
	msg := fmt.Sprintf("%s %q %s", key, value, fileProblem(err))
	if errors.As(err, new(*workspace.TooLargeError)) {
		msg += "; " + advice
	}
	b.ds.Errorf(at, "path", "%s", msg)
	return true
}
