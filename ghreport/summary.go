package ghreport

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"

	"github.com/sethvargo/go-githubactions"
)

// MaxStepSummary is GitHub's limit on one step's summary, in bytes.
const MaxStepSummary = 1 << 20

// Actions is a thin layer over go-githubactions for the runner's files and
// log commands, reading the environment through getenv so tests need no
// real environment.
type Actions struct {
	a      *githubactions.Action
	getenv func(string) string
}

// NewActions returns Actions writing log commands to w.
func NewActions(getenv func(string) string, w io.Writer) *Actions {
	return &Actions{
		a:      githubactions.New(githubactions.WithGetenv(getenv), githubactions.WithWriter(w)),
		getenv: getenv,
	}
}

// ErrNoRunnerFile is returned when the runner file a command writes to
// (GITHUB_STEP_SUMMARY, GITHUB_OUTPUT) is not set: not running in Actions.
var ErrNoRunnerFile = errors.New("not running in GitHub Actions")

// AddStepSummary appends markdown to GITHUB_STEP_SUMMARY. Markdown over
// GitHub's 1 MiB cap is cut on a line boundary with a note, rather than
// losing the whole summary.
func (x *Actions) AddStepSummary(markdown string) error {
	if x.getenv("GITHUB_STEP_SUMMARY") == "" {
		return fmt.Errorf("writing the step summary: GITHUB_STEP_SUMMARY is not set: %w", ErrNoRunnerFile)
	}
	const note = "\n\n…the summary was cut at GitHub's 1 MiB limit.\n"
	if len(markdown) > MaxStepSummary {
		cut := markdown[:MaxStepSummary-len(note)-1]
		if i := strings.LastIndexByte(cut, '\n'); i > 0 {
			cut = cut[:i]
		}
		markdown = strings.ToValidUTF8(cut, "") + note
	}
	return x.fileCommand("writing the step summary", func() { x.a.AddStepSummary(markdown) })
}

// Compiled on first use, not at every run's start-up.
var outputName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`) })

// SetOutput sets a step output in GITHUB_OUTPUT. go-githubactions v1.4.0
// always uses the fixed heredoc delimiter "_GitHubActionsFileCommandDelimeter_",
// so a value holding that line could write extra outputs; this writes the
// heredoc itself with a random delimiter (as the JavaScript toolkit does)
// that the value cannot contain.
func (x *Actions) SetOutput(name, value string) error {
	if !outputName().MatchString(name) {
		return fmt.Errorf("setting output %q: not a valid output name", name)
	}
	if x.getenv("GITHUB_OUTPUT") == "" {
		return fmt.Errorf("setting output %q: GITHUB_OUTPUT is not set: %w", name, ErrNoRunnerFile)
	}
	delim := "ghadelimiter_" + rand.Text()
	for strings.Contains(value, delim) {
		delim = "ghadelimiter_" + rand.Text()
	}
	msg := name + "<<" + delim + "\n" + value + "\n" + delim
	return x.fileCommand("setting output "+name, func() {
		x.a.IssueFileCommand(&githubactions.Command{Name: "output", Message: msg})
	})
}

// fileCommand runs a go-githubactions file command, which panics when it
// cannot write, and returns that as an error.
func (x *Actions) fileCommand(what string, f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%s: %v", what, r)
		}
	}()
	f()
	return nil
}

// Group starts a collapsible log group (title is escaped by the library).
func (x *Actions) Group(title string) { x.a.Group(title) }

// EndGroup ends the log group.
func (x *Actions) EndGroup() { x.a.EndGroup() }

// AddMask asks the runner to mask s in all later log output.
func (x *Actions) AddMask(s string) {
	if s != "" {
		x.a.AddMask(s)
	}
}
