package cli

import (
	"encoding/json"
	"flag"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

// TestRun_flagsAnywhere: flags may follow the arguments, as in gh and
// kubectl; "--" ends them.
func TestRun_flagsAnywhere(t *testing.T) {
	for _, args := range [][]string{
		{"compile", example, "--format", "json"},
		{"compile", "--strict", example, "--format=json"},
		{"compile", "-format", "json", "--", example},
	} {
		code, out, errOut := runCLI(t, nil, args...)
		var rep struct{ Pipelines []struct{ Name string } }
		if code != exitOK || json.Unmarshal([]byte(out), &rep) != nil || len(rep.Pipelines) != 1 {
			t.Errorf("%q: exit %d, want the JSON report of one pipeline:\n%s\n%s", args, code, out, errOut)
		}
	}
	// After "--" a word that looks like a flag is a path.
	code, _, errOut := runCLI(t, nil, "compile", "--root", example, "--", "--format")
	if code != exitUsage || !strings.Contains(errOut, "path --format is outside the root") {
		t.Errorf("compile -- --format: exit %d, %s", code, errOut)
	}
}

func TestRun_usageMistakes(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{}, "Commands:"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"compile", "--format", "yaml", example}, `invalid value "yaml" for flag -format: want summary, json or mermaid`},
		{[]string{"compile", example, "--no-such-flag"}, "flag provided but not defined: -no-such-flag\nRun 'smpipe help compile' for usage."},
		{[]string{"plan", "--format", "html"}, "want markdown or json"},
		{[]string{"version", "extra"}, `smpipe version: unexpected argument "extra"`},
		{[]string{"help", "nosuch"}, `smpipe help: unknown command "nosuch"`},
		{[]string{"completion"}, "name one shell: bash, zsh or fish"},
		{[]string{"completion", "powershell"}, `unknown shell "powershell"`},
	}
	for _, tt := range tests {
		code, out, errOut := runCLI(t, nil, tt.args...)
		if code != exitUsage || !strings.Contains(errOut, tt.want) || out != "" {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit %d and %q on stderr", tt.args, code, out, errOut, exitUsage, tt.want)
		}
	}
}

// TestRun_help: `help NAME`, `NAME --help` and `NAME -h` print the same
// page on stdout: what it does, every flag with its default, examples,
// environment and exit status.
func TestRun_help(t *testing.T) {
	for _, c := range commands() {
		t.Run(c.name, func(t *testing.T) {
			code, page, errOut := runCLI(t, nil, "help", c.name)
			if code != exitOK || errOut != "" {
				t.Fatalf("help %s: exit %d, stderr %q", c.name, code, errOut)
			}
			for _, args := range [][]string{{c.name, "--help"}, {c.name, "-h"}, {c.name, example, "-help"}} {
				if c.name == "help" {
					break // help --help is help's own page by another road
				}
				if code, out, _ := runCLI(t, nil, args...); code != exitOK || out != page {
					t.Errorf("%q: exit %d, page differs from `help %s`:\n%s", args, code, c.name, out)
				}
			}
			for _, want := range []string{"smpipe " + c.name + " — " + c.summary, "Usage:\n  smpipe " + c.name,
				strings.Fields(c.about)[0], "Examples:\n  ", "smpipe " + c.name, "Exit status:\n  0  "} {
				if !strings.Contains(page, want) {
					t.Errorf("page lacks %q:\n%s", want, page)
				}
			}
			if len(c.env) > 0 && !strings.Contains(page, "Environment:\n") {
				t.Errorf("page lacks the environment:\n%s", page)
			}
			newFlagSet(c.name, c.flags, io.Discard).VisitAll(func(f *flag.Flag) {
				if !strings.Contains(page, "\n  --"+f.Name+" ") && !strings.Contains(page, "\n  --"+f.Name+"\n") {
					t.Errorf("page lacks flag --%s", f.Name)
				}
				if def := defaultText(f); def != "" && !strings.Contains(page, "default "+def) {
					t.Errorf("page lacks the default %q of --%s", def, f.Name)
				}
			})
		})
	}
	// Two defaults spelled out, so the check above cannot pass vacuously.
	_, page, _ := runCLI(t, nil, "help", "deploy")
	for _, want := range []string{"--wait-timeout DURATION\n      give up waiting after this DURATION (default 1h0m0s)", "--pipeline NAME\n"} {
		if !strings.Contains(page, want) {
			t.Errorf("deploy help lacks %q:\n%s", want, page)
		}
	}
	_, page, _ = runCLI(t, nil, "help", "compile")
	if want := "--format FORMAT\n      output FORMAT (summary, json or mermaid; default summary)"; !strings.Contains(page, want) {
		t.Errorf("compile help lacks %q:\n%s", want, page)
	}

	for _, args := range [][]string{{"help"}, {"--help"}, {"-h"}} {
		code, out, _ := runCLI(t, nil, args...)
		if code != exitOK {
			t.Errorf("%q: exit %d", args, code)
		}
		for _, c := range commands() {
			if !strings.Contains(out, "\n  "+c.name+" ") {
				t.Errorf("%q does not list %s:\n%s", args, c.name, out)
			}
		}
	}
}

// TestRun_outsideRepository: with no repository around, commands say so
// instead of compiling whatever lies below the current directory.
func TestRun_outsideRepository(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "m", "conf"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"compile", dir}, {"graph", dir}, {"plan", dir}, {"deploy", "--dry-run", dir}} {
		code, out, errOut := runCLI(t, nil, args...)
		if code != exitUsage || out != "" || !strings.Contains(errOut, "not in a repository: no framework/conf/conf.yaml or .git at or above "+dir) {
			t.Errorf("%q: exit %d, stdout %q, stderr %q", args, code, out, errOut)
		}
	}
	// The same from the current directory, and --root still names any
	// directory.
	t.Chdir(filepath.Join(dir, "m"))
	if code, _, errOut := runCLI(t, nil, "compile"); code != exitUsage || !strings.Contains(errOut, "not in a repository") {
		t.Errorf("compile in %s: exit %d, %s", dir, code, errOut)
	}
	if code, _, errOut := runCLI(t, nil, "compile", "--root", dir); code != exitProblem || !strings.Contains(errOut, "no pipeline found") {
		t.Errorf("compile --root %s: exit %d, %s", dir, code, errOut)
	}
}

func TestBuildInfoFrom(t *testing.T) {
	vcs := []debug.BuildSetting{{Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"}, {Key: "vcs.modified", Value: "true"}}
	tests := []struct {
		name     string
		bi       *debug.BuildInfo
		xVersion string
		want     buildInfo
	}{
		{"release build", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.0.0-20261130-0123456789ab"},
			Settings: vcs[:1]}, "v1.2.3",
			buildInfo{Version: "v1.2.3", Commit: "0123456789abcdef0123456789abcdef01234567", GoVersion: "go1.26.8"}},
		{"go install", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.3"}}, "",
			buildInfo{Version: "v1.2.3", GoVersion: "go1.26.8"}},
		{"checkout with edits", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}, Settings: vcs}, "",
			buildInfo{Version: "dev", Commit: "0123456789abcdef0123456789abcdef01234567", Modified: true, GoVersion: "go1.26.8"}},
		{"no build info", nil, "", buildInfo{Version: "dev"}},
	}
	for _, tt := range tests {
		got := buildInfoFrom(tt.bi, tt.xVersion)
		got.Platform = ""
		if tt.bi == nil {
			got.GoVersion = ""
		}
		if got != tt.want {
			t.Errorf("%s: got %+v, want %+v", tt.name, got, tt.want)
		}
	}
	got := buildInfo{Version: "v1.2.3", Commit: "abc", Modified: true, GoVersion: "go1.26.8", Platform: "linux/arm64"}.String()
	if want := "smpipe v1.2.3\ncommit abc (with uncommitted changes)\ngo     go1.26.8 linux/arm64\n"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if got := (buildInfo{Version: "dev"}).String(); !strings.Contains(got, "\ncommit unknown\n") {
		t.Errorf("String() without a commit = %q", got)
	}
}

func TestRun_version(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		code, out, _ := runCLI(t, nil, args...)
		lines := strings.Split(out, "\n")
		if code != exitOK || len(lines) != 4 || !strings.HasPrefix(lines[0], "smpipe ") || !strings.HasPrefix(lines[1], "commit ") ||
			!strings.HasPrefix(lines[2], "go     go1.") {
			t.Errorf("%q: exit %d, %q", args, code, out)
		}
	}
}

// TestRun_completion: each script knows every command and flag, and the
// shells that are installed accept it and complete with it.
func TestRun_completion(t *testing.T) {
	scripts := map[string]string{}
	for _, shell := range []string{"bash", "zsh", "fish"} {
		code, out, errOut := runCLI(t, nil, "completion", shell)
		if code != exitOK || errOut != "" {
			t.Fatalf("completion %s: exit %d, %s", shell, code, errOut)
		}
		for _, c := range commands() {
			if !strings.Contains(out, c.name) {
				t.Errorf("%s script lacks the command %s", shell, c.name)
			}
			newFlagSet(c.name, c.flags, io.Discard).VisitAll(func(f *flag.Flag) {
				if !strings.Contains(out, f.Name) {
					t.Errorf("%s script lacks --%s of %s", shell, f.Name, c.name)
				}
				// zsh offers a repeatable flag again: its spec starts with '*'.
				if _, ok := f.Value.(repeatableFlag); ok && shell == "zsh" && !strings.Contains(out, "'*--"+f.Name+"=") {
					t.Errorf("zsh script does not offer the repeatable --%s of %s again", f.Name, c.name)
				}
			})
		}
		scripts[shell] = filepath.Join(t.TempDir(), "smpipe."+shell)
		if err := os.WriteFile(scripts[shell], []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// line is what is typed before pressing tab; want the candidates.
	cases := []struct{ line, want string }{
		{"smpipe comp", "compile completion"},
		{"smpipe compile --fo", "--format"},
		{"smpipe compile x --format ", "summary json mermaid"},
		{"smpipe plan --format j", "json"},
		{"smpipe deploy --pip", "--pipeline"},
		{"smpipe help pl", "plan"},
		{"smpipe completion z", "zsh"},
	}
	t.Run("bash", func(t *testing.T) {
		bash := lookPath(t, "bash")
		for _, tc := range cases {
			words := strings.Split(tc.line, " ")
			script := `source "$1"; COMP_WORDS=("${@:2}"); COMP_CWORD=$(($# - 2)); _smpipe; echo "${COMPREPLY[*]}"`
			out, err := exec.Command(bash, append([]string{"-c", script, "bash", scripts["bash"]}, words...)...).CombinedOutput()
			if got := strings.TrimSpace(string(out)); err != nil || got != tc.want {
				t.Errorf("bash %q: %q, %v; want %q", tc.line, got, err, tc.want)
			}
		}
	})
	t.Run("fish", func(t *testing.T) {
		fish := lookPath(t, "fish")
		for _, tc := range cases {
			out, err := exec.Command(fish, "-c", `source $argv[1]; complete -C $argv[2]`, scripts["fish"], tc.line).CombinedOutput()
			var got []string
			for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
				word, _, _ := strings.Cut(l, "\t")
				got = append(got, word)
			}
			want := strings.Fields(tc.want)
			if err != nil || !sameWords(got, want) {
				t.Errorf("fish %q: %q, %v; want %q", tc.line, got, err, want)
			}
		}
	})
	t.Run("zsh", func(t *testing.T) {
		zsh := lookPath(t, "zsh")
		// Completing in zsh needs a terminal; check that the script parses
		// and registers itself.
		script := `autoload -Uz compinit && compinit -u -d "$2" && source "$1" && print -r -- $_comps[smpipe]`
		out, err := exec.Command(zsh, "-f", "-c", script, "zsh", scripts["zsh"], filepath.Join(t.TempDir(), "zcompdump")).CombinedOutput()
		if err != nil || strings.TrimSpace(string(out)) != "_smpipe" {
			t.Errorf("zsh: %q, %v", out, err)
		}
	})
}

func lookPath(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("no %s here", name)
	}
	return p
}

func sameWords(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[string]int{}
	for _, w := range a {
		seen[w]++
	}
	for _, w := range b {
		if seen[w]--; seen[w] < 0 {
			return false
		}
	}
	return true
}
