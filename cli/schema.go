package cli

import (
	"fmt"

	"github.com/smpipe/smpipe-action/compiler"
)

func schemaCommand() command {
	return command{
		name:    "schema",
		summary: "print the JSON Schema of conf files, for editors",
		about: "Schema prints the JSON Schema (draft 2020-12) of conf files: every key of the framework conf and " +
			"of model confs, with its type, allowed values, default and description, from the tables smpipe's " +
			"decoder checks keys against. Unknown keys are refused, and keys the original framework read but " +
			"never used are marked deprecated. Editors with a YAML language server (VS Code's YAML extension, " +
			"Neovim, JetBrains IDEs) use it to complete keys and flag mistakes as you type; compile checks what " +
			"depends on more than one key or file. Each release carries the same file as conf.schema.json.",
		examples: []string{
			"smpipe schema > conf.schema.json",
		},
		exits: exitsSimple(),
		run: func(inv invocation, args []string) int {
			if _, code, ok := parseFlags("schema", nil, args, inv.stdout, inv.stderr); !ok {
				return code
			}
			if _, err := inv.stdout.Write(compiler.ConfSchema()); err != nil {
				fmt.Fprintf(inv.stderr, "smpipe schema: %v\n", err)
				return exitProblem
			}
			return exitOK
		},
	}
}
