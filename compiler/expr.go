package compiler

// Expressions of the definition language. A field that may hold either a
// literal or an expression is typed any.

// Get is {"Get": "<path>"}: a pipeline parameter, execution variable or step property.
type Get struct {
	Get string `json:"Get"`
}

// Join is {"Std:Join": {"On": sep, "Values": [...]}}.
type Join struct {
	StdJoin joinArgs `json:"Std:Join"`
}

type joinArgs struct {
	On     string `json:"On"`
	Values []any  `json:"Values"`
}

func join(sep string, values ...any) Join { return Join{StdJoin: joinArgs{On: sep, Values: values}} }

var (
	executionID  = Get{Get: "Execution.PipelineExecutionId"}
	executionARN = Get{Get: "Execution.PipelineExecutionArn"}
)

// Property references to other steps' results.
func processingOutputRef(step, output string) Get {
	return Get{Get: "Steps." + step + ".ProcessingOutputConfig.Outputs['" + output + "'].S3Output.S3Uri"}
}

func modelArtifactsRef(step string) Get {
	return Get{Get: "Steps." + step + ".ModelArtifacts.S3ModelArtifacts"}
}

func transformOutputRef(step string) Get {
	return Get{Get: "Steps." + step + ".TransformOutput.S3OutputPath"}
}

func modelNameRef(step string) Get { return Get{Get: "Steps." + step + ".ModelName"} }
