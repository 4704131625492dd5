package compiler

import (
	"fmt"
	"slices"
	"strings"

	"github.com/smpipe/smpipe-action/compiler/diag"
	"github.com/smpipe/smpipe-action/compiler/graph"
)

// validName reports whether s is 1 to 64 characters of letters, digits,
// '-', '_' and any of extra: SageMaker's StepName ([A-Za-z0-9\-_]{1,64})
// and ChannelName (also '.'). A loop, because {1,64} regular expressions
// cost start-up time in every run.
func validName(s, extra string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for _, c := range []byte(s) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || strings.IndexByte(extra, c) >= 0) {
			return false
		}
	}
	return true
}

// checkNames checks definition step names (after suffixing) and the input,
// output and channel names derived inside each step.
func checkNames(p *Pipeline, ds *diag.Diagnostics) {
	seen := map[string]*Step{}
	for _, s := range p.Steps {
		if !validName(s.Name, "") {
			why := "use only letters, digits, '-' and '_'"
			if len(s.Name) > 64 {
				why = fmt.Sprintf("it is %d characters, over SageMaker's 64", len(s.Name))
			}
			if s.Name != s.Group {
				why += fmt.Sprintf(" (smpipe derives it from step_name %q)", s.Group)
			}
			ds.Errorf(s.Pos, "step-name", "invalid step name %q: %s", s.Name, why)
		}
		if prev, dup := seen[s.Name]; dup {
			ds.Errorf(s.Pos, "step-name", "step name %q is also produced by step_name %q at %s; rename one of them", s.Name, prev.Group, prev.Pos)
		} else {
			seen[s.Name] = s
		}
		var names []string
		var what string
		switch a := s.Arguments.(type) {
		case *processingArgs:
			what = "input"
			for _, in := range a.ProcessingInputs {
				names = append(names, in.InputName)
			}
			if a.ProcessingOutputConfig != nil {
				var outs []string
				for _, o := range a.ProcessingOutputConfig.Outputs {
					outs = append(outs, o.OutputName)
				}
				checkUnique(s, "output", outs, ds)
			}
		case *trainingArgs:
			what = "channel"
			for _, c := range a.InputDataConfig {
				names = append(names, c.ChannelName)
				if !validName(c.ChannelName, ".") {
					ds.Errorf(s.Pos, "channel-name", "training channel name %q of step %q must be 1-64 letters, digits, '.', '-' and '_'", c.ChannelName, s.Name)
				}
			}
		}
		checkUnique(s, what, names, ds)
	}
}

func checkUnique(s *Step, what string, names []string, ds *diag.Diagnostics) {
	seen := map[string]bool{}
	for _, n := range names {
		if seen[n] {
			ds.Errorf(s.Pos, "name-collision", "step %q has two %ss named %q; a chained source listed twice or a sourceName equal to a derived name causes this", s.Name, what, n)
		}
		seen[n] = true
	}
}

var executionVars = []string{"PipelineExecutionId", "PipelineExecutionArn", "PipelineName", "PipelineArn",
	"StartDateTime", "CurrentDateTime", "TrainingJobName", "ProcessingJobName"}

// checkRef reports whether a Get path points at an existing step and a
// property that step's type has. It returns the referenced step name.
func checkRef(ref string, steps map[string]*Step) (string, error) {
	if rest, ok := strings.CutPrefix(ref, "Execution."); ok {
		if slices.Contains(executionVars, rest) {
			return "", nil
		}
		return "", fmt.Errorf("unknown execution variable %q", ref)
	}
	rest, ok := strings.CutPrefix(ref, "Steps.")
	if !ok {
		return "", fmt.Errorf("reference %q names neither a step nor an execution variable", ref)
	}
	var target *Step
	var prop string
	for name, s := range steps { // names may contain '.', so match whole prefixes
		if p, ok := strings.CutPrefix(rest, name+"."); ok && (target == nil || len(name) > len(target.Name)) {
			target, prop = s, p
		}
	}
	if target == nil {
		return "", fmt.Errorf("reference %q names no step of this pipeline", ref)
	}
	switch target.Type {
	case "Training":
		if prop == "ModelArtifacts.S3ModelArtifacts" {
			return target.Name, nil
		}
	case "Transform":
		if prop == "TransformOutput.S3OutputPath" {
			return target.Name, nil
		}
	case "Model":
		if prop == "ModelName" {
			return target.Name, nil
		}
	case "Processing":
		for _, f := range target.PropertyFiles {
			if prop == "PropertyFiles."+f.PropertyFileName {
				return target.Name, nil
			}
		}
		for _, o := range target.Outputs {
			if prop == "ProcessingOutputConfig.Outputs['"+o+"'].S3Output.S3Uri" {
				return target.Name, nil
			}
		}
		if strings.HasPrefix(prop, "ProcessingOutputConfig.Outputs[") {
			return "", fmt.Errorf("reference %q reads an output step %q does not have (it has %s)", ref, target.Name, strings.Join(quoteAll(target.Outputs), ", "))
		}
	}
	return "", fmt.Errorf("reference %q reads property %q, which a %s step does not have", ref, prop, target.Type)
}

// checkCycles reports every dependency cycle, spelled out, at the
// dependencies entry that closes it when there is one.
func checkCycles(g *graph.Graph, p *Pipeline, ds *diag.Diagnostics) {
	byName := map[string]*Step{}
	for _, s := range p.Steps {
		byName[s.Name] = s
	}
	for _, cyc := range g.Cycles() {
		at := byName[cyc[0]].Pos
	edges:
		for i := 0; i+1 < len(cyc); i++ {
			for _, d := range byName[cyc[i+1]].DependsOn {
				if d.Step == cyc[i] {
					at = d.Pos
					break edges
				}
			}
		}
		ds.Errorf(at, "cycle", "dependency cycle: %s", graph.FormatCycle(cyc))
	}
}
