package cli

import (
	"flag"
	"fmt"
	"io"
	"strings"
)

func completionCommand() command {
	return command{
		name:     "completion",
		args:     "bash|zsh|fish",
		argWords: []string{"bash", "zsh", "fish"},
		summary:  "print a shell completion script for bash, zsh or fish",
		about: "Completion prints a script that completes smpipe's commands, their flags and the values of " +
			"--format in bash, zsh or fish. Paths and other flag values fall back to the shell's file " +
			"completion. Load it in the current shell, or write it where the shell looks for completions.",
		examples: []string{
			"source <(smpipe completion bash)                  # bash, this shell; add the line to ~/.bashrc to keep it",
			"smpipe completion zsh > \"${fpath[1]}/_smpipe\"     # zsh, then start a new shell",
			"smpipe completion fish > ~/.config/fish/completions/smpipe.fish",
		},
		exits: exitsSimple(),
		run:   runCompletion,
	}
}

func runCompletion(inv invocation, args []string) int {
	args, code, ok := parseFlags("completion", nil, args, inv.stdout, inv.stderr)
	if !ok {
		return code
	}
	if len(args) != 1 {
		fmt.Fprint(inv.stderr, "smpipe completion: name one shell: bash, zsh or fish\n")
		return exitUsage
	}
	cmds := completionModel()
	switch args[0] {
	case "bash":
		writeBashCompletion(inv.stdout, cmds)
	case "zsh":
		writeZshCompletion(inv.stdout, cmds)
	case "fish":
		writeFishCompletion(inv.stdout, cmds)
	default:
		fmt.Fprintf(inv.stderr, "smpipe completion: unknown shell %q: bash, zsh or fish\n", args[0])
		return exitUsage
	}
	return exitOK
}

// completionCmd is what a completion script knows of a command.
type completionCmd struct {
	name, summary string
	flags         []completionFlag
	args          bool     // takes positional arguments
	argWords      []string // the words its arguments are chosen from; nil: paths
}

type completionFlag struct {
	name, about string
	value       string   // the value's name in help (DIR, FILE, NAME…); empty for a switch
	repeatable  bool     // may be given more than once
	choices     []string // the values it accepts; nil: any
}

// isPath reports whether the flag's value is completed as a path.
func (f completionFlag) isPath() bool {
	return f.value == "DIR" || f.value == "FILE" || f.value == "PATTERN"
}

// completionModel describes every command from the same flag
// registrations the commands parse with.
func completionModel() []completionCmd {
	var out []completionCmd
	for _, c := range commands() {
		cc := completionCmd{name: c.name, summary: c.summary, args: c.args != "", argWords: c.argWords}
		if c.name == "help" {
			for _, other := range commands() {
				cc.argWords = append(cc.argWords, other.name)
			}
		}
		newFlagSet(c.name, c.flags, io.Discard).VisitAll(func(f *flag.Flag) {
			value, usage := flag.UnquoteUsage(f)
			about, _, _ := strings.Cut(usage, " (")
			cf := completionFlag{name: f.Name, about: about, value: value}
			switch v := f.Value.(type) {
			case *choice:
				cf.choices = v.choices
			case repeatableFlag:
				cf.repeatable = true
			}
			cc.flags = append(cc.flags, cf)
		})
		out = append(out, cc)
	}
	return out
}

func commandNames(cmds []completionCmd) string {
	names := make([]string, len(cmds))
	for i, c := range cmds {
		names[i] = c.name
	}
	return strings.Join(names, " ")
}

// Flag and command names are ASCII words and the choices plain words, so
// only descriptions need quoting, and each writer quotes them for its shell.

func writeBashCompletion(w io.Writer, cmds []completionCmd) {
	fmt.Fprintf(w, `# bash completion for smpipe, from 'smpipe completion bash'.
# Load it with: source <(smpipe completion bash)
# shellcheck disable=SC2207 # COMPREPLY=($(compgen ...)) works in bash 3.2 too
_smpipe() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
	local cmd="" i
	for ((i = 1; i < COMP_CWORD; i++)); do
		if [[ ${COMP_WORDS[i]} != -* ]]; then
			cmd=${COMP_WORDS[i]}
			break
		fi
	done
	if [[ -z $cmd ]]; then
		COMPREPLY=($(compgen -W "%s" -- "$cur"))
		return
	fi
	local flags="" words=""
	case $cmd in
`, commandNames(cmds))
	for _, c := range cmds {
		fmt.Fprintf(w, "\t%s)\n", c.name)
		var names, values []string
		for _, f := range c.flags {
			names = append(names, "--"+f.name)
			switch {
			case f.choices != nil:
				fmt.Fprintf(w, "\t\tcase $prev in --%s | -%s) COMPREPLY=($(compgen -W \"%s\" -- \"$cur\")); return ;; esac\n",
					f.name, f.name, strings.Join(f.choices, " "))
			case f.value != "":
				values = append(values, "--"+f.name, "-"+f.name)
			}
		}
		if len(values) > 0 {
			// A path or a name: the shell's own completion (-o default).
			fmt.Fprintf(w, "\t\tcase $prev in %s) return ;; esac\n", strings.Join(values, " | "))
		}
		fmt.Fprintf(w, "\t\tflags=\"%s\"\n", strings.Join(names, " "))
		if c.argWords != nil {
			fmt.Fprintf(w, "\t\twords=\"%s\"\n", strings.Join(c.argWords, " "))
		}
		fmt.Fprint(w, "\t\t;;\n")
	}
	fmt.Fprint(w, `	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$flags" -- "$cur"))
	elif [[ -n $words ]]; then
		COMPREPLY=($(compgen -W "$words" -- "$cur"))
	fi
}
complete -o default -F _smpipe smpipe
`)
}

func writeZshCompletion(w io.Writer, cmds []completionCmd) {
	fmt.Fprint(w, `#compdef smpipe
# zsh completion for smpipe, from 'smpipe completion zsh'.
# Install it with: smpipe completion zsh > "${fpath[1]}/_smpipe"
# or load it in this shell with: source <(smpipe completion zsh)

_smpipe() {
	local -a commands
	commands=(
`)
	for _, c := range cmds {
		fmt.Fprintf(w, "\t\t%s\n", zshQuote(c.name+":"+c.summary))
	}
	fmt.Fprint(w, `	)
	if (( CURRENT == 2 )); then
		_describe -t commands 'smpipe command' commands
		return
	fi
	local cmd=${words[2]}
	shift words
	(( CURRENT-- ))
	case $cmd in
`)
	for _, c := range cmds {
		fmt.Fprintf(w, "\t%s)\n\t\t_arguments -s", c.name)
		for _, f := range c.flags {
			spec := "--" + f.name
			if f.repeatable {
				spec = "*" + spec
			}
			about := zshDescription(f.about)
			switch {
			case f.choices != nil:
				spec += "=[" + about + "]:" + f.value + ":(" + strings.Join(f.choices, " ") + ")"
			case f.value == "DIR":
				spec += "=[" + about + "]:" + f.value + ":_files -/"
			case f.isPath():
				spec += "=[" + about + "]:" + f.value + ":_files"
			case f.value != "":
				spec += "=[" + about + "]:" + f.value + ": " // a name: nothing to offer
			default:
				spec += "[" + about + "]"
			}
			fmt.Fprintf(w, " \\\n\t\t\t%s", zshQuote(spec))
		}
		switch {
		case c.argWords != nil:
			fmt.Fprintf(w, " \\\n\t\t\t%s", zshQuote("*:argument:("+strings.Join(c.argWords, " ")+")"))
		case c.args:
			fmt.Fprintf(w, " \\\n\t\t\t%s", zshQuote("*:path:_files"))
		}
		fmt.Fprint(w, "\n\t\t;;\n")
	}
	fmt.Fprint(w, `	esac
}

if [[ $funcstack[1] == _smpipe ]]; then
	_smpipe "$@"
else
	compdef _smpipe smpipe
fi
`)
}

// zshQuote single-quotes s for zsh.
func zshQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// zshDescription escapes what _arguments treats specially inside [...].
func zshDescription(s string) string {
	return strings.NewReplacer(`\`, `\\`, "[", `\[`, "]", `\]`, ":", `\:`).Replace(s)
}

func writeFishCompletion(w io.Writer, cmds []completionCmd) {
	fmt.Fprint(w, `# fish completion for smpipe, from 'smpipe completion fish'.
# Install it with: smpipe completion fish > ~/.config/fish/completions/smpipe.fish
complete -c smpipe -f
`)
	for _, c := range cmds {
		fmt.Fprintf(w, "complete -c smpipe -n __fish_use_subcommand -a %s -d %s\n", c.name, fishQuote(c.summary))
	}
	for _, c := range cmds {
		cond := fishQuote("__fish_seen_subcommand_from " + c.name)
		for _, f := range c.flags {
			line := fmt.Sprintf("complete -c smpipe -n %s -l %s", cond, f.name)
			switch {
			case f.choices != nil:
				line += " -x -a " + fishQuote(strings.Join(f.choices, " "))
			case f.value == "DIR":
				line += " -x -a '(__fish_complete_directories)'"
			case f.isPath():
				line += " -r -F"
			case f.value != "":
				line += " -x" // a name: nothing to offer
			}
			fmt.Fprintf(w, "%s -d %s\n", line, fishQuote(f.about))
		}
		switch {
		case c.argWords != nil:
			fmt.Fprintf(w, "complete -c smpipe -n %s -a %s\n", cond, fishQuote(strings.Join(c.argWords, " ")))
		case c.args:
			fmt.Fprintf(w, "complete -c smpipe -n %s -F\n", cond)
		}
	}
}

// fishQuote single-quotes s for fish, where only \ and ' need escaping.
func fishQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, "'", `\'`).Replace(s) + "'"
}
