package deploy

// Artifact is one file the pipeline reads from S3 at run time.
type Artifact struct {
	Bucket, Key string // content-addressed destination
	// Body holds bytes built at compile time (code bundles, scripts); nil for
	// local data files.
	Body []byte
	// Path is read from Deployer.Root when Body is nil: a slash-separated
	// path relative to the repository root.
	Path        string
	SHA256      string // hex of the content
	ContentType string
}

// Target is one compiled pipeline to deploy.
type Target struct {
	Pipeline    string // SageMaker pipeline name
	Region      string // the region it was compiled for (image URIs, SAGEMAKER_REGION)
	Definition  []byte // canonical definition JSON (compact)
	Hash        string // "sha256:<hex>" of Definition
	RoleArn     string
	Bucket      string // where a definition of MaxInlineDefinition bytes or more is staged
	Artifacts   []Artifact
	Description string
}
