package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// command is one subcommand as help and completion describe it. Each
// cli_<name>.go declares its own next to the code that runs it.
type command struct {
	name string
	args string // positional arguments in the usage line; empty: none allowed
	// argWords are the words the positional arguments are chosen from, for
	// completion; nil means paths.
	argWords []string
	summary  string // one line for the command list
	about    string // the paragraph of `smpipe help NAME`
	// flags registers the command's flags. The command registers them on
	// its own flag set when it runs; help and completion call this on a
	// throwaway one, so what they show cannot drift from what is parsed.
	flags    func(fs *flag.FlagSet)
	examples []string // command lines, each optionally followed by "  # why"
	env      []string // "NAME  what it is used for"
	exits    []string // "N  when"
	run      func(inv invocation, args []string) int
}

// commands lists every subcommand, in the order help shows them.
func commands() []command {
	return []command{compileCommand(), graphCommand(), planCommand(), deployCommand(), previewCommand(), statusCommand(),
		actionCommand(), schemaCommand(), versionCommand(), completionCommand(), helpCommand()}
}

func findCommand(name string) (command, bool) {
	all := commands()
	i := slices.IndexFunc(all, func(c command) bool { return c.name == name })
	if i < 0 {
		return command{}, false
	}
	return all[i], true
}

// exitsSimple is the exit status of the commands that only print.
func exitsSimple() []string { return []string{"0  done", "2  usage mistake"} }

// parseFlags parses a command's arguments with flags and positional
// arguments in any order (`smpipe compile DIR --format json`), as gh and
// kubectl allow; "--" ends the flags. -h/--help prints the command's help
// to stdout. ok is false when the command must stop and exit with code.
func parseFlags(name string, register func(*flag.FlagSet), args []string, stdout, stderr io.Writer) (positional []string, code int, ok bool) {
	fs := newFlagSet(name, register, stderr)
	positional, err := parseInterspersed(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		c, _ := findCommand(name)
		writeHelp(stdout, c)
		return nil, exitOK, false
	}
	if err != nil {
		// The flag package has printed the error.
		fmt.Fprintf(stderr, "Run 'smpipe help %s' for usage.\n", name)
		return nil, exitUsage, false
	}
	if c, _ := findCommand(name); c.args == "" && len(positional) > 0 {
		fmt.Fprintf(stderr, "smpipe %s: unexpected argument %q\nRun 'smpipe help %s' for usage.\n", name, positional[0], name)
		return nil, exitUsage, false
	}
	return positional, exitOK, true
}

func newFlagSet(name string, register func(*flag.FlagSet), stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("smpipe "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {} // parseFlags prints help or a pointer to it
	if register != nil {
		register(fs)
	}
	return fs
}

// parseInterspersed runs fs.Parse over args, collecting the positional
// arguments between flags: the flag package alone stops at the first one.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			return append(positional, rest...), nil
		}
		if len(rest) == 0 {
			return positional, nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// choice is a string flag restricted to a few values: parsing rejects any
// other, and help and completion list them.
type choice struct {
	value   string
	choices []string
}

func newChoice(def string, choices ...string) *choice { return &choice{value: def, choices: choices} }

func (c *choice) String() string {
	if c == nil {
		return ""
	}
	return c.value
}

func (c *choice) Set(s string) error {
	if !slices.Contains(c.choices, s) {
		return fmt.Errorf("want %s", orList(c.choices))
	}
	c.value = s
	return nil
}

func orList(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

// writeOverview is `smpipe help`: every command with its summary.
func writeOverview(w io.Writer) {
	fmt.Fprint(w, "smpipe compiles conf.yaml training pipelines into SageMaker pipeline definitions,\n"+
		"reports them on pull requests and deploys them.\n\nUsage:\n  smpipe <command> [flags] [arguments]\n\nCommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-11s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, "\nFlags may come before or after the arguments. Run 'smpipe help <command>' for its flags,\n"+
		"examples, environment and exit status.\n")
}

// writeHelp is `smpipe help NAME` and `smpipe NAME --help`.
func writeHelp(w io.Writer, c command) {
	usage := "smpipe " + c.name
	fs := newFlagSet(c.name, c.flags, io.Discard)
	hasFlags := false
	fs.VisitAll(func(*flag.Flag) { hasFlags = true })
	if hasFlags {
		usage += " [flags]"
	}
	if c.args != "" {
		usage += " " + c.args
	}
	fmt.Fprintf(w, "smpipe %s — %s\n\nUsage:\n  %s\n\n%s\n", c.name, c.summary, usage, wrap(c.about, 78))
	if hasFlags {
		fmt.Fprint(w, "\nFlags:\n")
		fs.VisitAll(func(f *flag.Flag) { writeFlag(w, f) })
	}
	section := func(title string, lines []string) {
		if len(lines) == 0 {
			return
		}
		fmt.Fprintf(w, "\n%s:\n", title)
		for _, l := range lines {
			fmt.Fprintf(w, "  %s\n", l)
		}
	}
	section("Examples", c.examples)
	section("Environment", c.env)
	section("Exit status", c.exits)
}

// writeFlag prints one flag as Go's flag package does, with "--" (both
// spellings are accepted), its value name, and its default unless that is
// the zero value (whose meaning the usage text gives).
func writeFlag(w io.Writer, f *flag.Flag) {
	name, usage := flag.UnquoteUsage(f)
	line := "  --" + f.Name
	if name != "" {
		line += " " + name
	}
	var notes []string
	if c, ok := f.Value.(*choice); ok {
		notes = append(notes, orList(c.choices))
	}
	if def := defaultText(f); def != "" {
		notes = append(notes, "default "+def)
	}
	if len(notes) > 0 {
		usage += " (" + strings.Join(notes, "; ") + ")"
	}
	fmt.Fprintf(w, "%s\n      %s\n", line, strings.ReplaceAll(wrap(usage, 72), "\n", "\n      "))
}

func defaultText(f *flag.Flag) string {
	switch v := f.Value.(type) {
	case *choice:
		return v.value
	case interface{ IsBoolFlag() bool }:
		if f.DefValue == "true" {
			return "true"
		}
		return ""
	}
	if f.DefValue == "" || f.DefValue == "0" || f.DefValue == (time.Duration(0)).String() {
		return ""
	}
	return f.DefValue
}

// wrap folds text at spaces so no line exceeds width (a longer word keeps
// its own line).
func wrap(text string, width int) string {
	var b strings.Builder
	n := 0
	for _, word := range strings.Fields(text) {
		switch {
		case n == 0:
		case n+1+len(word) > width:
			b.WriteByte('\n')
			n = 0
		default:
			b.WriteByte(' ')
			n++
		}
		b.WriteString(word)
		n += len(word)
	}
	return b.String()
}

func helpCommand() command {
	return command{
		name:     "help",
		args:     "[COMMAND]",
		summary:  "show the commands, or one command's flags, examples, environment and exit status",
		about:    "Help prints the list of commands, or everything about one: what it does, every flag with its default, examples, the environment variables it reads and its exit status. 'smpipe COMMAND --help' prints the same.",
		examples: []string{"smpipe help", "smpipe help plan"},
		exits:    exitsSimple(),
		run:      runHelp,
	}
}

func runHelp(inv invocation, args []string) int {
	args, code, ok := parseFlags("help", nil, args, inv.stdout, inv.stderr)
	if !ok {
		return code
	}
	switch len(args) {
	case 0:
		writeOverview(inv.stdout)
		return exitOK
	case 1:
		if c, ok := findCommand(args[0]); ok {
			writeHelp(inv.stdout, c)
			return exitOK
		}
		fmt.Fprintf(inv.stderr, "smpipe help: unknown command %q\n\n", args[0])
	default:
		fmt.Fprint(inv.stderr, "smpipe help: name one command\n\n")
	}
	writeOverview(inv.stderr)
	return exitUsage
}
