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

// JSONGet is {"Std:JsonGet": {"PropertyFile": {"Get": "Steps.<step>.PropertyFiles.<file>"}, "Path": path}}:
// a value read at run time from a JSON file a Processing step wrote.
type JSONGet struct {
	StdJSONGet jsonGetArgs `json:"Std:JsonGet"`
}

type jsonGetArgs struct {
	PropertyFile Get    `json:"PropertyFile"`
	Path         string `json:"Path"`
}

// propertyFileValue reads path from the property file a step declares.
func propertyFileValue(step, file, path string) JSONGet {
	return JSONGet{StdJSONGet: jsonGetArgs{PropertyFile: Get{Get: "Steps." + step + ".PropertyFiles." + file}, Path: path}}
}

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
