package deploy

// Artifact is one file the pipeline reads from S3 at run time. Exactly one
// of File and Path is set; either way the content uploaded is checked
// against SHA256, by smpipe before the upload and by S3 (ChecksumSHA256)
// when it receives it.
type Artifact struct {
	Bucket, Key string // content-addressed destination
	// File is a built artifact (code bundle, script) on local disk: an
	// absolute path.
	File string
	// Path is a local data file, read again from Deployer.Root: a
	// slash-separated path relative to the repository root.
	Path        string
	SHA256      string // hex of the content
	Size        int64  // length of the content; a file of another length is refused
	ContentType string
}

// Target is one compiled pipeline to deploy.
type Target struct {
	Pipeline   string // SageMaker pipeline name
	Region     string // the region it was compiled for (image URIs, SAGEMAKER_REGION)
	Definition []byte // canonical definition JSON (compact)
	Hash       string // "sha256:<hex>" of Definition
	RoleArn    string
	Bucket     string // where a definition of MaxInlineDefinition bytes or more is staged
	// StagePrefix is the key prefix a staged definition goes under in
	// Bucket (<StagePrefix>/definitions/<sha256>.json); empty means the
	// pipeline's name. A preview stages under its own prefix.
	StagePrefix string
	Artifacts   []Artifact
	Description string
}
